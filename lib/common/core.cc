// Plugin-wide state: global settings and the "vhost-accel/" appctl commands.
#include "ovs/ovs-cxx.h"

#include <cstring>
#include <sstream>
#include <string>

#include <rte_mempool.h>

#include "common/copy.h"
#include "common/mempool.h"
#include "ovs/accel-api.h"
#include "ovs/api-guard.h"
#include "vhost/vhost-port.h"
#include "vhost/vhost-registry.h"

VLOG_DEFINE_THIS_MODULE(vhost_accel_core);

namespace accel {

void
log_api_exception(const char *what, const char *message)
{
    VLOG_ERR("%s: %s", what, message);
}

namespace {

std::string
show()
{
    std::ostringstream out;
    const VhostGlobalConfig &g = VhostRegistry::instance().global();

    out << "ovs-vhost-accel " << ACCEL_VERSION << "\n"
        << "  vhost-iommu-support: " << (g.iommu_support ? "true" : "false")
        << "\n  vhost-postcopy-support: "
        << (g.postcopy_support ? "true" : "false") << "\n"
        << "  per-port-memory: "
        << (MempoolRegistry::instance().per_port_memory() ? "true" : "false")
        << "\n"
        << "  long-frame-copy: " << long_copy_name() << "\n";
    VhostRegistry::instance().for_each(
        [&](const std::string &path, VhostPort &port) {
            out << "port " << port.name() << ": " << port.kind()
                << ", socket "
                << path << ", "
                << (port.carrier() ? "connected" : "disconnected")
                << ", rxq " << port.n_rxq() << ", txq " << port.n_txq()
                << ", mtu " << port.mtu() << "\n"
                << port.queue_report();
        });
    for (const MempoolRef &mp : MempoolRegistry::instance().pools()) {
        out << "mempool " << mp->name() << ": socket " << mp->socket()
            << ", " << mp->size() << " mbufs of " << mp->data_room()
            << " bytes, " << mp->in_use() << " in use"
            << (mp->shared() ? ", shared" : ", per-port") << "\n";
    }
    return out.str();
}

}  // namespace
}  // namespace accel

extern "C" int
accel_core_init(const struct accel_global_config *cfg)
{
    accel::VhostRegistry::instance().set_main_thread();
    accel::VhostGlobalConfig &g = accel::VhostRegistry::instance().global();
    g.iommu_support = cfg->vhost_iommu_support;
    g.postcopy_support = cfg->vhost_postcopy_support;
    g.memory_locked = cfg->memory_locked;
    accel::MempoolRegistry::instance().set_per_port_memory(
        cfg->per_port_memory);
    VLOG_INFO("ovs-vhost-accel %s: vhost-iommu-support=%s, "
              "vhost-postcopy-support=%s, per-port-memory=%s, "
              "long-frame-copy=%s", ACCEL_VERSION,
              g.iommu_support ? "true" : "false",
              g.postcopy_support ? "true" : "false",
              cfg->per_port_memory ? "true" : "false",
              accel::long_copy_name());
    return 0;
}

extern "C" char *
accel_core_show(void)
{
    try {
        return strdup(accel::show().c_str());
    } catch (...) {
        return strdup("out of memory\n");
    }
}
