// Packet-sized copies.  Short ones are 16-byte moves, the last one
// overlapping, inlined: no call, and none of the wide registers the C
// library's memcpy uses (AVX-512 where the CPU has it), which cost more
// than they save at 64 bytes.  From a length on the C library is faster,
// and that length depends on where the copy writes
// (Documentation/topics/benchmark.rst, "Dequeue copies by the C library
// from 384 bytes"; AMD EPYC, Zen 4):
//
//  - into our own mbuf (the dequeue), lines this core owns: each copy
//    timed inside the PMD, bursts picking one way or the other at random,
//    the C library took the same time up to 256 bytes and x1.2-1.6 less
//    from 384 bytes (x1.6-1.9 at 1518); the port, against the same port
//    with 16-byte moves up to 2048 bytes: rx 512 B x1.07, 1518 B x1.19
//    (best rounds);
//  - into a guest's buffer (the enqueue), whose lines the guest's core
//    touched last: the copy waits for the lines' ownership, the timing
//    of one copy says little (its misses stall what follows), and the
//    whole port did not gain (tx 1518 B: x0.88 best rounds, x1.00
//    median), so it stays on 16-byte moves up to 2048 bytes.
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

// From a guest's buffer into memory of ours (an mbuf, a header).
inline void
copy_from_guest(uint8_t *dst, const uint8_t *src, uint32_t len)
{
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
