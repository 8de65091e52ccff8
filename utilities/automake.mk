# The bench's core-to-core cache line probe (see ovs-vhost-accel-bench).
noinst_PROGRAMS += utilities/ovs-vhost-accel-xcore
utilities_ovs_vhost_accel_xcore_SOURCES = utilities/ovs-vhost-accel-xcore.c
utilities_ovs_vhost_accel_xcore_CFLAGS = $(AM_CFLAGS) -pthread
utilities_ovs_vhost_accel_xcore_LDADD = -lpthread
EXTRA_DIST += utilities/ovs-vhost-accel utilities/ovs-vhost-accel-bench
