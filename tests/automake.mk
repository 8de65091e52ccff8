# --- Unit tests (CppUTest) ---------------------------------------------------
if HAVE_CPPUTEST
check_PROGRAMS += tests/unit/unit-tests
tests_unit_unit_tests_SOURCES = \
	$(ACCEL_CORE_PURE) \
	tests/unit/fake-guest.h \
	tests/unit/main.cc \
	tests/unit/test-carrier-reporter.cc \
	tests/unit/test-copy.cc \
	tests/unit/test-iotlb-msg.cc \
	tests/unit/test-options.cc \
	tests/unit/test-port-config.cc \
	tests/unit/test-net-offload.cc \
	tests/unit/test-queue-stats.cc \
	tests/unit/test-split-queue.cc \
	tests/unit/test-tx-backlog.cc \
	tests/unit/test-tx-queue-map.cc \
	tests/unit/test-vdpa-config.cc
# The pure core has no DPDK: always test it under ASan and UBSan, which
# turn any out-of-bounds access a hostile ring provokes into a failure.
UNIT_SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
tests_unit_unit_tests_CXXFLAGS = $(AM_CXXFLAGS) $(CPPUTEST_CFLAGS) \
	$(UNIT_SANITIZE) -O1 -g
tests_unit_unit_tests_LDFLAGS = $(UNIT_SANITIZE)
tests_unit_unit_tests_LDADD = $(CPPUTEST_LIBS)
endif

# --- Fuzz targets (libFuzzer, clang) ----------------------------------------
# Built with clang whatever CXX is, so by explicit rules.  "make check-fuzz"
# replays the committed corpus, then fuzzes each target for FUZZ_SECONDS;
# new inputs go to the build tree (tests/fuzz/corpus-TARGET), crashes to
# tests/fuzz/crash-*.
FUZZ_SECONDS = 30
FUZZ_CXXFLAGS = -std=gnu++17 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -I$(srcdir)/lib
FUZZ_SPLIT_QUEUE_SRCS = tests/fuzz/fuzz-split-queue.cc lib/common/copy.cc \
	lib/virtq/desc-chain.cc lib/virtq/guest-memory.cc \
	lib/virtq/split-queue.cc
FUZZ_PORT_CONFIG_SRCS = tests/fuzz/fuzz-port-config.cc \
	lib/vhost/port-config.cc lib/vdpa/vdpa-config.cc lib/common/options.cc
FUZZ_NET_OFFLOAD_SRCS = tests/fuzz/fuzz-net-offload.cc \
	lib/virtq/net-offload.cc
FUZZ_TARGETS = split-queue port-config net-offload
EXTRA_DIST += $(FUZZ_SPLIT_QUEUE_SRCS) $(FUZZ_PORT_CONFIG_SRCS) \
	$(FUZZ_NET_OFFLOAD_SRCS) \
	tests/fuzz/corpus tests/fuzz/make-seeds.py

if HAVE_LIBFUZZER
tests/fuzz/fuzz-split-queue: $(FUZZ_SPLIT_QUEUE_SRCS) $(ACCEL_CORE_PURE)
	$(AM_V_CXXLD)$(MKDIR_P) tests/fuzz && $(FUZZ_CXX) $(FUZZ_CXXFLAGS) \
		-o $@ $(addprefix $(srcdir)/,$(FUZZ_SPLIT_QUEUE_SRCS))
tests/fuzz/fuzz-port-config: $(FUZZ_PORT_CONFIG_SRCS) $(ACCEL_CORE_PURE)
	$(AM_V_CXXLD)$(MKDIR_P) tests/fuzz && $(FUZZ_CXX) $(FUZZ_CXXFLAGS) \
		-o $@ $(addprefix $(srcdir)/,$(FUZZ_PORT_CONFIG_SRCS))
tests/fuzz/fuzz-net-offload: $(FUZZ_NET_OFFLOAD_SRCS) $(ACCEL_CORE_PURE)
	$(AM_V_CXXLD)$(MKDIR_P) tests/fuzz && $(FUZZ_CXX) $(FUZZ_CXXFLAGS) \
		-o $@ $(addprefix $(srcdir)/,$(FUZZ_NET_OFFLOAD_SRCS))
CLEANFILES += $(addprefix tests/fuzz/fuzz-,$(FUZZ_TARGETS))

check-fuzz: $(addprefix tests/fuzz/fuzz-,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do \
	  seeds=$(srcdir)/tests/fuzz/corpus/$$t; corpus=tests/fuzz/corpus-$$t; \
	  mkdir -p $$corpus; \
	  echo "fuzz-$$t: replaying $$seeds"; \
	  ./tests/fuzz/fuzz-$$t -runs=0 $$seeds; \
	  echo "fuzz-$$t: fuzzing for $(FUZZ_SECONDS) s"; \
	  ./tests/fuzz/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) \
	    -print_final_stats=1 -artifact_prefix=tests/fuzz/ \
	    $$corpus $$seeds; \
	done
else
check-fuzz:
	@echo "check-fuzz: clang with libFuzzer not found (install clang)"; exit 1
endif
.PHONY: check-fuzz

# --- Test fixtures -----------------------------------------------------------
# A plugin built "for another Open vSwitch": ovs-vswitchd must refuse it
# without running any of its code.
check_LTLIBRARIES = tests/mismatch-plugin.la
tests_mismatch_plugin_la_SOURCES = tests/fixtures/mismatch-plugin.c
tests_mismatch_plugin_la_CPPFLAGS = $(AM_CPPFLAGS) $(OVS_CPPFLAGS) $(DPDK_CFLAGS)
tests_mismatch_plugin_la_LDFLAGS = -module -avoid-version -shared \
	-rpath /nowhere

# The DPDK driver-SDK headers the fixtures below are built against (not in
# libdpdk-dev): the fetch script takes them from "apt-get source dpdk"
# (network, once; never committed).
FIXTURES_SDK = tests/fixtures/sdk
EXTRA_DIST += tests/fixtures/fetch-sdk-headers.sh

# A software vDPA device (tests/fixtures/vdpa-sim): a DPDK driver.
VDPA_SIM = tests/fixtures/vdpa-sim/librte_vdpa_sim.so
EXTRA_DIST += tests/fixtures/vdpa-sim/vdpa_sim.c
$(VDPA_SIM): $(srcdir)/tests/fixtures/vdpa-sim/vdpa_sim.c
	$(AM_V_GEN)$(MKDIR_P) tests/fixtures/vdpa-sim && \
	$(SHELL) $(srcdir)/tests/fixtures/fetch-sdk-headers.sh \
		$(FIXTURES_SDK) && \
	$(CC) -O2 -g -Wall -Wextra -shared -fPIC -DALLOW_INTERNAL_API \
		-DALLOW_EXPERIMENTAL_API -I$(FIXTURES_SDK) $(DPDK_CFLAGS) \
		-o $@ $(srcdir)/tests/fixtures/vdpa-sim/vdpa_sim.c $(DPDK_LIBS) \
		-Wl,--no-as-needed -lrte_bus_vdev -lrte_vhost -lrte_ethdev
vdpa-sim: $(VDPA_SIM)
.PHONY: vdpa-sim
CLEANFILES += $(VDPA_SIM)

# A model NIC (tests/fixtures/model-nic): a DPDK ethdev driver modelling a
# NIC's embedded switch (uplink, VFs, VF representors) that executes the
# rte_flow rules it accepts in software, and its self-test.
MODEL_NIC = tests/fixtures/model-nic/librte_net_model_nic.so
MODEL_NIC_SELFTEST = tests/fixtures/model-nic/model-nic-selftest
MODEL_NIC_SRCS = $(srcdir)/tests/fixtures/model-nic/model_nic.c
MODEL_NIC_HDRS = $(srcdir)/tests/fixtures/model-nic/model_nic.h
MODEL_NIC_BUILD_FLAGS = -O2 -g -std=gnu11 -Wall -Wextra -fPIC \
	-DALLOW_INTERNAL_API -DALLOW_EXPERIMENTAL_API -I$(FIXTURES_SDK) \
	$(DPDK_CFLAGS)
EXTRA_DIST += tests/fixtures/model-nic/model_nic.c \
	tests/fixtures/model-nic/model_nic.h \
	tests/fixtures/model-nic/selftest.c
$(MODEL_NIC): $(MODEL_NIC_SRCS) $(MODEL_NIC_HDRS)
	$(AM_V_GEN)$(MKDIR_P) tests/fixtures/model-nic && \
	$(SHELL) $(srcdir)/tests/fixtures/fetch-sdk-headers.sh \
		$(FIXTURES_SDK) && \
	$(CC) $(MODEL_NIC_BUILD_FLAGS) -shared -o $@ $(MODEL_NIC_SRCS) \
		$(DPDK_LIBS) -Wl,--no-as-needed -lrte_bus_vdev -lrte_ethdev \
		-lrte_net -lrte_mbuf -lrte_mempool -lrte_ring -lrte_kvargs
$(MODEL_NIC_SELFTEST): $(MODEL_NIC_SRCS) $(MODEL_NIC_HDRS) \
		$(srcdir)/tests/fixtures/model-nic/selftest.c
	$(AM_V_GEN)$(MKDIR_P) tests/fixtures/model-nic && \
	$(SHELL) $(srcdir)/tests/fixtures/fetch-sdk-headers.sh \
		$(FIXTURES_SDK) && \
	$(CC) $(MODEL_NIC_BUILD_FLAGS) -I$(srcdir)/tests/fixtures/model-nic \
		-o $@ $(srcdir)/tests/fixtures/model-nic/selftest.c \
		$(MODEL_NIC_SRCS) $(DPDK_LIBS) -Wl,--no-as-needed \
		-lrte_bus_vdev -lrte_ethdev -lrte_net_ring -lrte_net -lrte_mbuf \
		-lrte_mempool -lrte_ring -lrte_kvargs -lrte_eal
model-nic: $(MODEL_NIC) $(MODEL_NIC_SELFTEST)
.PHONY: model-nic
CLEANFILES += $(MODEL_NIC) $(MODEL_NIC_SELFTEST)

# The self-test runs its own EAL (--no-pci --in-memory) on hugepages.
check-model-nic: $(MODEL_NIC_SELFTEST)
	@if ! grep -qs '^HugePages_Free: *[1-9]' /proc/meminfo || \
	    ! mountpoint -q /dev/hugepages; then \
		echo "check-model-nic: no free hugepages on /dev/hugepages"; \
		exit 1; \
	fi
	./$(MODEL_NIC_SELFTEST) --no-pci --in-memory
.PHONY: check-model-nic

# --- Autotest suite (OVS style, reusing OVS's tests/*-macros.at) -------------
TESTSUITE_AT = \
	tests/testsuite.at \
	tests/accel-macros.at \
	tests/plugin.at \
	tests/vhost.at \
	tests/zero-copy.at \
	tests/migration.at \
	tests/security.at \
	tests/fault.at \
	tests/vdpa.at \
	tests/model-nic.at \
	tests/offload.at \
	tests/docs.at \
	tests/bench.at
TESTSUITE = $(srcdir)/tests/testsuite
EXTRA_DIST += $(TESTSUITE_AT) $(TESTSUITE) tests/atlocal.in \
	tests/fixtures/hostile-guest.py \
	tests/pkt-tool.py \
	tests/check-reference.py \
	tests/packaging/package-test.sh \
	tests/package.m4
EXTRA_DIST += tests/guest/build-guest tests/guest/init tests/guest/run-guest tests/guest/nolog.c
DISTCLEANFILES = tests/atconfig tests/atlocal

AUTOM4TE = autom4te
AUTOTEST = $(AUTOM4TE) --language=autotest
$(TESTSUITE): $(TESTSUITE_AT) $(srcdir)/tests/package.m4
	$(AM_V_GEN)$(AUTOTEST) -I '$(srcdir)' -I '$(srcdir)/tests' \
		-I '$(OVS_SRCDIR)' -I '$(OVS_SRCDIR)/tests' -o $@.tmp $@.at \
		&& mv $@.tmp $@

$(srcdir)/tests/package.m4: $(top_srcdir)/configure.ac
	$(AM_V_GEN):;{ \
	  echo '# Signature of the current package.' && \
	  echo 'm4_define([AT_PACKAGE_NAME],      [$(PACKAGE_NAME)])' && \
	  echo 'm4_define([AT_PACKAGE_TARNAME],   [$(PACKAGE_TARNAME)])' && \
	  echo 'm4_define([AT_PACKAGE_VERSION],   [$(PACKAGE_VERSION)])' && \
	  echo 'm4_define([AT_PACKAGE_STRING],    [$(PACKAGE_STRING)])' && \
	  echo 'm4_define([AT_PACKAGE_BUGREPORT], [$(PACKAGE_BUGREPORT)])'; \
	} >'$(srcdir)/tests/package.m4'

AUTOTEST_PATH = $(OVS_BUILDDIR)/utilities:$(OVS_BUILDDIR)/vswitchd:$(OVS_BUILDDIR)/ovsdb:$(OVS_BUILDDIR)/tests

# The suite runs in a network namespace of its own (unshare): the userspace
# datapath's tap devices, veths and net_tap ports never meet the host's
# network or another ovs-vswitchd's.
# The QEMU test guest is built (downloaded) first: the suite runs in a
# network namespace of its own, without network.
check-autotest: $(TESTSUITE) tests/atconfig tests/atlocal all $(check_LTLIBRARIES)
	-$(srcdir)/tests/guest/build-guest guest
	-$(MAKE) $(AM_MAKEFLAGS) vdpa-sim
	-$(MAKE) $(AM_MAKEFLAGS) model-nic
	unshare --net -- $(SHELL) -c 'ip link set lo up && exec "$$0" "$$@"' \
		$(SHELL) '$(TESTSUITE)' -C tests AUTOTEST_PATH='$(AUTOTEST_PATH)' \
		$(TESTSUITEFLAGS)

check-unit: $(check_PROGRAMS)
if HAVE_CPPUTEST
	./tests/unit/unit-tests -v
endif

check-local: check-unit check-autotest
.PHONY: check-autotest check-unit
