#include "common/copy.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <CppUTest/TestHarness.h>

namespace {

using CopyFn = void (*)(uint8_t *, const uint8_t *, uint32_t);

// Copies every length up to 'max' at several source and destination
// misalignments; the bytes around the destination must stay untouched.
void
check_lengths(CopyFn copy, uint32_t max)
{
    constexpr uint32_t kGuard = 64;
    std::vector<uint8_t> src(max + 2 * kGuard), dst(max + 2 * kGuard);
    for (size_t i = 0; i < src.size(); i++) {
        src[i] = uint8_t(i * 7 + 3);
    }
    for (uint32_t len = 0; len <= max; len++) {
        for (uint32_t off = 0; off < 3; off++) {
            std::fill(dst.begin(), dst.end(), uint8_t(0xa5));
            const uint8_t *s = src.data() + kGuard + off;
            uint8_t *d = dst.data() + kGuard + (off * 5) % 4;
            copy(d, s, len);
            for (uint32_t i = 0; i < len; i++) {
                if (d[i] != s[i]) {
                    FAIL("copied byte differs");
                }
            }
            for (uint8_t *p = dst.data(); p < d; p++) {
                CHECK_EQUAL(0xa5, *p);
            }
            for (uint8_t *p = d + len; p < dst.data() + dst.size(); p++) {
                CHECK_EQUAL(0xa5, *p);
            }
        }
    }
}

}  // namespace

TEST_GROUP(Copy){};

// Both sides of each threshold: 16-byte moves below, the C library from it.
TEST(Copy, FromGuestEveryLength)
{
    check_lengths(accel::copy_from_guest, accel::kLibcCopyFromGuest + 300);
}

TEST(Copy, ToGuestEveryLength)
{
    check_lengths(accel::copy_to_guest, accel::kLibcCopyToGuest + 300);
}

TEST(Copy, JumboFrame)
{
    std::vector<uint8_t> src(9018), dst(9018 + 1, 0xa5);
    for (size_t i = 0; i < src.size(); i++) {
        src[i] = uint8_t(i);
    }
    accel::copy_from_guest(dst.data(), src.data(), uint32_t(src.size()));
    CHECK(std::equal(src.begin(), src.end(), dst.begin()));
    CHECK_EQUAL(0xa5, dst.back());
}
