// The options of a 'dpdkvhostuserclient' port (Interface:options), parsed
// and validated.  Pure C++, no OVS or DPDK dependency (unit-tested, fuzzed).
#ifndef OVS_VHOST_ACCEL_VHOST_PORT_CONFIG_H
#define OVS_VHOST_ACCEL_VHOST_PORT_CONFIG_H

#include <optional>
#include <string>

#include "common/options.h"

namespace accel {

// Validated options of a port.
struct VhostPortConfig {
    static constexpr int kTxRetriesMin = 0;
    static constexpr int kTxRetriesMax = 32;
    static constexpr int kTxRetriesDefault = 8;

    // Who serves the virtqueues: the plugin's ring walker wherever it
    // can (auto: split rings without vIOMMU), or rte_vhost (never).
    enum class RingWalker { kAuto, kNever };
    // Frames below this many bytes are copied even with zero-copy on:
    // lending costs more than copying them (see benchmark.rst).
    static constexpr int kZcThresholdDefault = 512;

    std::optional<std::string> server_path;
    int tx_retries_max = kTxRetriesDefault;
    bool dq_zero_copy = false;
    int zc_threshold = kZcThresholdDefault;
    RingWalker ring_walker = RingWalker::kAuto;
    // vIOMMU (IOTLB) and postcopy support on this port's socket; unset:
    // the other_config knob of the same name decides.
    std::optional<bool> iommu_support;
    std::optional<bool> postcopy_support;

    // Whether 'key' is an option of these ports (or one that other DPDK
    // classes take and these ignore, as upstream does).
    static bool is_known(const std::string &key);

    // Parses 'opts'; on error returns std::nullopt and sets 'error'.
    static std::optional<VhostPortConfig> parse(const OptionMap &opts,
                                                std::string &error);
};

}  // namespace accel

#endif
