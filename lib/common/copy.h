// Packet-sized copies.  Short ones are 16-byte moves, the last one
// overlapping, inlined: no call, and none of the wide registers the C
// library's memcpy uses (AVX-512 where the CPU has it), which cost more
// than they save at 64 bytes.  From a length on the C library is faster,
// and that length depends on where the copy writes
// (Documentation/topics/benchmark.rst, "Dequeue copies by the C library
// from 384 bytes"; AMD EPYC, Zen 4):
//
//  - into our own mbuf (the dequeue), lines this core owns: the time of
//    each copy, measured inside the PMD, says which way is faster, and
//    the C library wins from 384 bytes;
//  - into a guest's buffer (the enqueue), whose lines the guest's core
//    touched last: the copy waits for the lines' ownership, so the time
//    of one copy says little (its misses stall what follows); the whole
//    port did not gain, so it stays on 16-byte moves up to 2048 bytes.
//
// The figures are in that section, not here.
//
// Frames over 2048 bytes copied from a guest (jumbo frames) go through
// copy_long_from_guest, chosen once when the library loads: on AMD CPUs
// with AVX-512F a loop of 64-byte moves, which took 3-5 % fewer cycles a
// packet than the C library's "rep movsb" at 9000 B (rx, v2v; section
// "Jumbo frames: AVX-512 loop on the dequeue"); elsewhere the C library
// (on Intel CPUs 512-bit moves can lower the core's clock, and the C
// library picks its own way).
#ifndef OVS_VHOST_ACCEL_COMMON_COPY_H
#define OVS_VHOST_ACCEL_COMMON_COPY_H

#include <cstdint>
#include <cstring>

namespace accel {

// Lengths from which the copies go to the C library.
constexpr uint32_t kLibcCopyFromGuest = 384;
constexpr uint32_t kLibcCopyToGuest = 2049;

template <uint32_t LibcFrom>
inline void
copy_packet_bytes(uint8_t *dst, const uint8_t *src, uint32_t len)
{
    static_assert(LibcFrom >= 16, "the 16-byte path needs 16 bytes");
    if (len >= 16) {
        if (len >= LibcFrom) {
            memcpy(dst, src, len);
            return;
        }
        for (uint32_t i = 0; i + 16 < len; i += 16) {
            __builtin_memcpy(dst + i, src + i, 16);
        }
        __builtin_memcpy(dst + len - 16, src + len - 16, 16);
    } else if (len >= 8) {
        __builtin_memcpy(dst, src, 8);
        __builtin_memcpy(dst + len - 8, src + len - 8, 8);
    } else if (len >= 4) {
        __builtin_memcpy(dst, src, 4);
        __builtin_memcpy(dst + len - 4, src + len - 4, 4);
    } else {
        for (uint32_t i = 0; i < len; i++) {
            dst[i] = src[i];
        }
    }
}

// Copies of more than kLongCopyFromGuest bytes from a guest.
constexpr uint32_t kLongCopyFromGuest = 2048;

using CopyFn = void (*)(uint8_t *dst, const uint8_t *src, uint32_t len);

// The candidates (for tests; copy_avx512 only where avx512_usable()).
void copy_libc(uint8_t *dst, const uint8_t *src, uint32_t len);
void copy_avx512(uint8_t *dst, const uint8_t *src, uint32_t len);
bool avx512_usable();

// The one of them the dequeue uses, and its name ("avx512-loop",
// "libc-memcpy").
extern const CopyFn copy_long_from_guest;
const char *long_copy_name();

// From a guest's buffer into memory of ours (an mbuf, a header).
inline void
copy_from_guest(uint8_t *dst, const uint8_t *src, uint32_t len)
{
    if (len > kLongCopyFromGuest) {
        copy_long_from_guest(dst, src, len);
        return;
    }
    copy_packet_bytes<kLibcCopyFromGuest>(dst, src, len);
}

// Into a guest's buffer.
inline void
copy_to_guest(uint8_t *dst, const uint8_t *src, uint32_t len)
{
    copy_packet_bytes<kLibcCopyToGuest>(dst, src, len);
}

}  // namespace accel

#endif
