#include "vdpa/vdpa-config.h"

namespace accel {

namespace {

const char *const kKnownOptions[] = {
    "vdpa-socket-path", "vdpa-accelerator-devargs", "dpdk-devargs",
    "vdpa-max-queues", "vdpa-sw", "n_rxq", "tx-retries-max",
    "vhost-iommu-support", "vhost-postcopy-support",
};

// A required string option: present and not empty.
Parsed<std::string>
parse_required(const OptionMap &opts, const std::string &key,
               const char *accepted)
{
    auto it = opts.find(key);
    if (it == opts.end()) {
        return {std::nullopt, key + ": missing (accepted: " + accepted + ")"};
    }
    if (it->second.empty()) {
        return {std::nullopt, key + ": invalid value '' (accepted: "
                              + accepted + ")"};
    }
    return {it->second, {}};
}

std::optional<std::string>
optional_value(const OptionMap &opts, const char *key)
{
    auto it = opts.find(key);
    return it == opts.end() ? std::nullopt
                            : std::optional<std::string>(it->second);
}

}  // namespace

bool
VdpaPortConfig::is_known(const std::string &key)
{
    for (const char *k : kKnownOptions) {
        if (key == k) {
            return true;
        }
    }
    return false;
}

std::optional<VdpaPortConfig>
VdpaPortConfig::parse(const OptionMap &opts, std::string &error)
{
    auto socket = parse_required(opts, "vdpa-socket-path", "a socket path");
    auto accel = parse_required(opts, "vdpa-accelerator-devargs",
                                "DPDK devargs of the VF or vDPA device");
    auto rep = parse_required(opts, "dpdk-devargs",
                              "DPDK devargs of the VF representor");
    auto queues = parse_int_option(opts, "vdpa-max-queues", kMaxQueuesMin,
                                   kMaxQueuesMax, kMaxQueuesDefault);
    auto sw = parse_bool_option(opts, "vdpa-sw", false);
    auto n_rxq = parse_int_option(opts, "n_rxq", 1, kNumRxqMax, 1);
    auto retries = parse_int_option(opts, "tx-retries-max", 0, 32, 8);
    auto iommu = parse_bool_option(opts, "vhost-iommu-support", false);
    auto postcopy = parse_bool_option(opts, "vhost-postcopy-support", false);
    for (const std::string *e : {&socket.error, &accel.error, &rep.error,
                                 &queues.error, &sw.error, &n_rxq.error,
                                 &retries.error, &iommu.error,
                                 &postcopy.error}) {
        if (!e->empty()) {
            error = *e;
            return std::nullopt;
        }
    }
    if (*accel.value == *rep.value) {
        error = "dpdk-devargs: invalid value '" + *rep.value
                + "' (accepted: the VF representor, not the device of "
                  "vdpa-accelerator-devargs)";
        return std::nullopt;
    }
    VdpaPortConfig cfg;
    cfg.socket_path = *socket.value;
    cfg.accel_devargs = *accel.value;
    cfg.rep_devargs = *rep.value;
    cfg.max_queues = *queues.value;
    cfg.force_sw = *sw.value;
    cfg.n_rxq = *n_rxq.value;
    cfg.tx_retries_max = optional_value(opts, "tx-retries-max");
    cfg.iommu_support = optional_value(opts, "vhost-iommu-support");
    cfg.postcopy_support = optional_value(opts, "vhost-postcopy-support");
    return cfg;
}

OptionMap
VdpaPortConfig::guest_options() const
{
    OptionMap m{{"vhost-server-path", socket_path}};
    if (tx_retries_max) {
        m.emplace("tx-retries-max", *tx_retries_max);
    }
    if (iommu_support) {
        m.emplace("vhost-iommu-support", *iommu_support);
    }
    if (postcopy_support) {
        m.emplace("vhost-postcopy-support", *postcopy_support);
    }
    return m;
}

}  // namespace accel
