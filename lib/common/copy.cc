#include "common/copy.h"

#include <immintrin.h>

namespace accel {

void
copy_libc(uint8_t *dst, const uint8_t *src, uint32_t len)
{
    memcpy(dst, src, len);
}

#if defined(__x86_64__)
// Four 64-byte moves a turn, then single ones, then the last 64 bytes
// (overlapping what came before).  Only for len >= 64.
__attribute__((target("avx512f"))) void
copy_avx512(uint8_t *dst, const uint8_t *src, uint32_t len)
{
    uint32_t i = 0;
    for (; i + 256 <= len; i += 256) {
        __m512i a = _mm512_loadu_si512(src + i);
        __m512i b = _mm512_loadu_si512(src + i + 64);
        __m512i c = _mm512_loadu_si512(src + i + 128);
        __m512i d = _mm512_loadu_si512(src + i + 192);
        _mm512_storeu_si512(dst + i, a);
        _mm512_storeu_si512(dst + i + 64, b);
        _mm512_storeu_si512(dst + i + 128, c);
        _mm512_storeu_si512(dst + i + 192, d);
    }
    for (; i + 64 <= len; i += 64) {
        _mm512_storeu_si512(dst + i, _mm512_loadu_si512(src + i));
    }
    if (i < len) {
        _mm512_storeu_si512(dst + len - 64,
                            _mm512_loadu_si512(src + len - 64));
    }
}

bool
avx512_usable()
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

static bool
avx512_preferred()
{
    return avx512_usable() && __builtin_cpu_is("amd");
}
#else
void
copy_avx512(uint8_t *dst, const uint8_t *src, uint32_t len)
{
    memcpy(dst, src, len);
}

bool
avx512_usable()
{
    return false;
}

static bool
avx512_preferred()
{
    return false;
}
#endif

static_assert(kLongCopyFromGuest >= 64, "copy_avx512 needs 64 bytes");

const CopyFn copy_long_from_guest = avx512_preferred() ? copy_avx512
                                                       : copy_libc;

const char *
long_copy_name()
{
    return copy_long_from_guest == copy_avx512 ? "avx512-loop"
                                               : "libc-memcpy";
}

}  // namespace accel
