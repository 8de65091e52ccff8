// Branch hints for the datapath (OVS's OVS_LIKELY lives in a C header).
#ifndef OVS_VHOST_ACCEL_COMMON_COMPILER_H
#define OVS_VHOST_ACCEL_COMMON_COMPILER_H

#define OVS_VHOST_ACCEL_LIKELY(x) __builtin_expect(!!(x), 1)
#define OVS_VHOST_ACCEL_UNLIKELY(x) __builtin_expect(!!(x), 0)

#endif
