// The options of a 'dpdkvdpa' port (Interface:options), parsed and
// validated.  Names follow NVIDIA's OVS fork, which introduced the class.
// Pure C++, no OVS or DPDK dependency (unit-tested).
#ifndef OVS_VHOST_ACCEL_VDPA_VDPA_CONFIG_H
#define OVS_VHOST_ACCEL_VDPA_VDPA_CONFIG_H

#include <optional>
#include <string>

#include "common/options.h"

namespace accel {

struct VdpaPortConfig {
    static constexpr int kMaxQueuesMin = 1;
    static constexpr int kMaxQueuesMax = 16;
    static constexpr int kMaxQueuesDefault = 8;
    static constexpr int kNumRxqMax = 16;

    std::string socket_path;        // vdpa-socket-path (OVS is the client).
    std::string accel_devargs;      // vdpa-accelerator-devargs (VF/vDPA).
    std::string rep_devargs;        // dpdk-devargs (the VF's representor).
    int max_queues = kMaxQueuesDefault;     // vdpa-max-queues (pairs).
    bool force_sw = false;          // vdpa-sw: relay even if HW could.
    int n_rxq = 1;                  // n_rxq: representor RX queues.
    // Passed on to the guest side (same meaning as on dpdkvhostuserclient).
    std::optional<std::string> tx_retries_max;
    std::optional<std::string> iommu_support;
    std::optional<std::string> postcopy_support;

    // The options of the guest side, in dpdkvhostuserclient terms.
    OptionMap guest_options() const;

    static bool is_known(const std::string &key);
    // Parses 'opts'; on error returns std::nullopt and sets 'error'.
    static std::optional<VdpaPortConfig> parse(const OptionMap &opts,
                                               std::string &error);
};

}  // namespace accel

#endif
