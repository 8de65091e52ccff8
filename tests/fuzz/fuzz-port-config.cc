// libFuzzer target: Interface:options of a dpdkvhostuserclient port, and
// of a dpdkvdpa port, as an operator (or a buggy orchestrator) could write
// them.  Input: lines of
// "key=value"; keys are mostly the real ones so values get exercised.
#include <cstddef>
#include <cstdint>
#include <string>

#include "vdpa/vdpa-config.h"
#include "vhost/port-config.h"

using accel::OptionMap;
using accel::VdpaPortConfig;
using accel::VhostPortConfig;

namespace {

const char *const kKeys[] = {
    "vhost-server-path", "tx-retries-max", "dq-zero-copy",
    "dq-zero-copy-threshold", "ring-walker", "n_rxq",
    "vhost-iommu-support", "vhost-postcopy-support", "vdpa-socket-path",
    "vdpa-accelerator-devargs", "dpdk-devargs", "vdpa-max-queues", "vdpa-sw",
};

// A refusal names the option it refuses.
void
check_named(const std::string &error)
{
    bool named = false;
    for (const char *k : kKeys) {
        named |= error.rfind(std::string(k) + ": ", 0) == 0;
    }
    if (!named) {
        __builtin_trap();
    }
}

}  // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string in(reinterpret_cast<const char *>(data), size);
    OptionMap opts;
    size_t pos = 0;
    while (pos <= in.size()) {
        size_t end = in.find('\n', pos);
        if (end == std::string::npos) {
            end = in.size();
        }
        std::string line = in.substr(pos, end - pos);
        pos = end + 1;
        size_t eq = line.find('=');
        std::string key = eq == std::string::npos ? line : line.substr(0, eq);
        std::string value = eq == std::string::npos ? "" : line.substr(eq + 1);
        // A one-byte key picks a real option.
        if (key.size() == 1) {
            key = kKeys[uint8_t(key[0]) % (sizeof kKeys / sizeof *kKeys)];
        }
        opts[key] = value;
    }

    std::string error;
    auto cfg = VhostPortConfig::parse(opts, error);
    if (cfg) {
        // Accepted values are in their documented ranges.
        if (!error.empty() || cfg->tx_retries_max < 0
            || cfg->tx_retries_max > VhostPortConfig::kTxRetriesMax
            || cfg->zc_threshold < 0 || cfg->zc_threshold > 65535
            || (cfg->server_path && cfg->server_path->empty())) {
            __builtin_trap();
        }
    } else {
        check_named(error);
    }

    error.clear();
    auto vdpa = VdpaPortConfig::parse(opts, error);
    if (vdpa) {
        if (!error.empty() || vdpa->socket_path.empty()
            || vdpa->accel_devargs.empty() || vdpa->rep_devargs.empty()
            || vdpa->accel_devargs == vdpa->rep_devargs
            || vdpa->max_queues < VdpaPortConfig::kMaxQueuesMin
            || vdpa->max_queues > VdpaPortConfig::kMaxQueuesMax
            || vdpa->n_rxq < 1 || vdpa->n_rxq > VdpaPortConfig::kNumRxqMax
            || vdpa->guest_options().at("vhost-server-path")
               != vdpa->socket_path) {
            __builtin_trap();
        }
        // What the guest side gets always parses.
        std::string guest_error;
        if (!VhostPortConfig::parse(vdpa->guest_options(), guest_error)) {
            __builtin_trap();
        }
    } else {
        check_named(error);
    }
    for (const auto &kv : opts) {
        (void) VhostPortConfig::is_known(kv.first);
        (void) VdpaPortConfig::is_known(kv.first);
    }
    return 0;
}
