// Branch hints for the datapath (OVS's OVS_LIKELY lives in a C header).
#ifndef OVS_VHOST_ACCEL_COMMON_COMPILER_H
#define OVS_VHOST_ACCEL_COMMON_COMPILER_H

#define OVS_VHOST_ACCEL_LIKELY(x) __builtin_expect(!!(x), 1)
#define OVS_VHOST_ACCEL_UNLIKELY(x) __builtin_expect(!!(x), 0)

// Prefetch a line we are about to write, in exclusive state (PREFETCHW;
// GCC only emits it with -mprfchw).
static inline void
ovs_vhost_accel_prefetch_write(const void *p)
{
#if defined(__x86_64__)
    __asm__ volatile("prefetchw %0" : : "m"(*(const char *) p));
#else
    __builtin_prefetch(p, 1);
#endif
}

// Spin-wait hint.
static inline void
ovs_vhost_accel_cpu_relax(void)
{
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
}

#endif
