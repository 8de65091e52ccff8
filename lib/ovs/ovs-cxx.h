/* The Open vSwitch headers the C++ core may include.
 *
 * OVS's internal headers are C only (implicit void* conversions, C11
 * atomics macros that clash with libstdc++, ...).  C++ code uses only the
 * public headers below, which OVS itself checks compile as C++; everything
 * else (netdev_class, dp_packet, smap, unixctl, coverage) lives in the C
 * shim in lib/ovs/ behind accel-api.h. */
#ifndef OVS_VHOST_ACCEL_OVS_CXX_H
#define OVS_VHOST_ACCEL_OVS_CXX_H 1

#ifndef __cplusplus
#error "C++ only"
#endif

#include "openvswitch/compiler.h"
#include "openvswitch/vlog.h"

#endif
