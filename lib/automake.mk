# The plugin: a libtool module loaded by ovs-vswitchd.
plugindir = $(ovs_plugindir)
plugin_LTLIBRARIES = ovs-vhost-accel.la

# C++ core, no OVS C-only headers: unit-testable pieces first.
ACCEL_CORE_PURE = \
	lib/common/compiler.h \
	lib/common/copy.cc lib/common/copy.h \
	lib/common/counter.h \
	lib/common/options.cc lib/common/options.h \
	lib/common/spin-lock.h \
	lib/vhost/carrier-reporter.h \
	lib/vhost/iotlb-msg.cc lib/vhost/iotlb-msg.h \
	lib/vhost/port-config.cc lib/vhost/port-config.h \
	lib/vhost/queue-stats.cc lib/vhost/queue-stats.h \
	lib/vhost/tx-backlog.h \
	lib/vhost/tx-queue-map.cc lib/vhost/tx-queue-map.h \
	lib/vdpa/vdpa-config.cc lib/vdpa/vdpa-config.h \
	lib/virtq/desc-chain.cc lib/virtq/desc-chain.h \
	lib/virtq/guest-mapping.cc lib/virtq/guest-mapping.h \
	lib/virtq/guest-memory.cc lib/virtq/guest-memory.h \
	lib/virtq/inflight.h \
	lib/virtq/net-offload.cc lib/virtq/net-offload.h \
	lib/virtq/split-queue.cc lib/virtq/split-queue.h \
	lib/virtq/virtio-ring.h

ovs_vhost_accel_la_SOURCES = \
	$(ACCEL_CORE_PURE) \
	lib/common/core.cc \
	lib/common/eth-dev.cc lib/common/eth-dev.h \
	lib/common/mempool.cc lib/common/mempool.h \
	lib/ovs/accel-api.h \
	lib/ovs/appctl.c \
	lib/ovs/api-guard.h \
	lib/ovs/netdev-shim.c lib/ovs/netdev-shim.h \
	lib/ovs/netdev-vdpa.c \
	lib/ovs/netdev-vhost-client.c \
	lib/ovs/ovs-cxx.h \
	lib/ovs/plugin.c \
	lib/vdpa/accelerator.cc lib/vdpa/accelerator.h \
	lib/vdpa/sw-relay.cc lib/vdpa/sw-relay.h \
	lib/vdpa/vdpa-port-api.cc \
	lib/vdpa/vdpa-port.cc lib/vdpa/vdpa-port.h \
	lib/vhost/guest-offload.cc lib/vhost/guest-offload.h \
	lib/vhost/vhost-port-api.cc \
	lib/vhost/vhost-port.cc lib/vhost/vhost-port.h \
	lib/vhost/vhost-queue.cc lib/vhost/vhost-queue.h \
	lib/vhost/zero-copy.cc lib/vhost/zero-copy.h \
	lib/vhost/vhost-registry.cc lib/vhost/vhost-registry.h
ovs_vhost_accel_la_CPPFLAGS = $(AM_CPPFLAGS) $(OVS_CPPFLAGS) $(DPDK_CFLAGS)
# Only ovs_plugin_init and the ABI record are exported: calls inside the
# plugin are direct (no PLT) and the datapath can be inlined.
ovs_vhost_accel_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
ovs_vhost_accel_la_CXXFLAGS = $(AM_CXXFLAGS) -fvisibility=hidden
ovs_vhost_accel_la_LDFLAGS = -module -avoid-version -shared \
	-Wl,--as-needed
ovs_vhost_accel_la_LIBADD = $(DPDK_LIBS)
