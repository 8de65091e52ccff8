// Packet-sized copies without the C library's AVX-512 memcpy, whose wide
// registers cost more than they save at these sizes (and can lower the
// core's clock): 16-byte moves, the last one overlapping.
#ifndef OVS_VHOST_ACCEL_COMMON_COPY_H
#define OVS_VHOST_ACCEL_COMMON_COPY_H

#include <cstdint>
#include <cstring>

namespace accel {

inline void
copy_bytes(uint8_t *dst, const uint8_t *src, uint32_t len)
{
    if (len >= 16) {
        if (len > 2048) {
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

}  // namespace accel

#endif
