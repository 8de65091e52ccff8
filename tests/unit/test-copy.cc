#include "common/copy.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <CppUTest/TestHarness.h>

namespace {

using accel::CopyFn;

// Copies every length up to 'max' at several source and destination
// misalignments; the bytes around the destination must stay untouched.
void
check_lengths(CopyFn copy, uint32_t max, uint32_t min = 0)
{
    constexpr uint32_t kGuard = 64;
    std::vector<uint8_t> src(max + 2 * kGuard), dst(max + 2 * kGuard);
    for (size_t i = 0; i < src.size(); i++) {
        src[i] = uint8_t(i * 7 + 3);
    }
    for (uint32_t len = min; len <= max; len++) {
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

// Around the length from which copy_long_from_guest takes over.
TEST(Copy, FromGuestLongEveryLength)
{
    check_lengths(accel::copy_from_guest, accel::kLongCopyFromGuest + 600,
                  accel::kLongCopyFromGuest - 300);
}

// The AVX-512 loop by itself, on a CPU that has it: every length from 64
// (its least) across several turns of its 256-byte loop.
TEST(Copy, Avx512LoopEveryLength)
{
    if (!accel::avx512_usable()) {
        UT_PRINT("no AVX-512F on this CPU: loop not tested");
        return;
    }
    check_lengths(accel::copy_avx512, 1100, 64);
}

// The dequeue uses the AVX-512 loop only on AMD CPUs that have AVX-512F,
// and says which way it copies.
TEST(Copy, LongCopyChoice)
{
    const char *name = accel::long_copy_name();
    if (accel::copy_long_from_guest == accel::copy_avx512) {
        CHECK(accel::avx512_usable());
        STRCMP_EQUAL("avx512-loop", name);
    } else {
        CHECK(accel::copy_long_from_guest == accel::copy_libc);
        STRCMP_EQUAL("libc-memcpy", name);
    }
#if defined(__x86_64__)
    __builtin_cpu_init();
    CHECK_EQUAL(accel::avx512_usable() && __builtin_cpu_is("amd"),
                accel::copy_long_from_guest == accel::copy_avx512);
#endif
}
