#include "vhost/port-config.h"

#include <cstdint>

namespace accel {

namespace {

const char *const kKnownOptions[] = {
    "vhost-server-path", "tx-retries-max", "dq-zero-copy",
    "dq-zero-copy-threshold", "ring-walker", "vhost-iommu-support",
    "vhost-postcopy-support",
};

const char *const kKnownIgnoredOptions[] = {
    // Accepted by other DPDK classes, ignored by vhost-user client ports
    // (the guest decides the number of queues), as upstream does.
    "n_rxq", "n_txq", "n_rxq_desc", "n_txq_desc", "dpdk-devargs",
};

}  // namespace

bool
VhostPortConfig::is_known(const std::string &key)
{
    for (const char *k : kKnownOptions) {
        if (key == k) {
            return true;
        }
    }
    for (const char *k : kKnownIgnoredOptions) {
        if (key == k) {
            return true;
        }
    }
    return false;
}

std::optional<VhostPortConfig>
VhostPortConfig::parse(const OptionMap &opts, std::string &error)
{
    VhostPortConfig cfg;

    auto path = parse_path_option(opts, "vhost-server-path");
    auto retries = parse_int_option(opts, "tx-retries-max", kTxRetriesMin,
                                    kTxRetriesMax, kTxRetriesDefault);
    auto zc = parse_bool_option(opts, "dq-zero-copy", false);
    auto threshold = parse_int_option(opts, "dq-zero-copy-threshold", 0,
                                      UINT16_MAX, kZcThresholdDefault);
    auto iommu = parse_bool_option(opts, "vhost-iommu-support", false);
    auto postcopy = parse_bool_option(opts, "vhost-postcopy-support", false);
    std::string walker_error;
    auto walker = opts.find("ring-walker");
    if (walker != opts.end()) {
        if (walker->second == "auto") {
            cfg.ring_walker = RingWalker::kAuto;
        } else if (walker->second == "never") {
            cfg.ring_walker = RingWalker::kNever;
        } else {
            walker_error = "ring-walker: invalid value '" + walker->second
                           + "' (accepted: auto, never)";
        }
    }
    for (const std::string *e : {&path.error, &retries.error, &zc.error,
                                 &threshold.error, &walker_error,
                                 &iommu.error, &postcopy.error}) {
        if (!e->empty()) {
            error = *e;
            return std::nullopt;
        }
    }
    cfg.server_path = path.value;
    cfg.tx_retries_max = *retries.value;
    cfg.dq_zero_copy = *zc.value;
    cfg.zc_threshold = *threshold.value;
    if (opts.count("vhost-iommu-support")) {
        cfg.iommu_support = iommu.value;
    }
    if (opts.count("vhost-postcopy-support")) {
        cfg.postcopy_support = postcopy.value;
    }
    return cfg;
}

}  // namespace accel
