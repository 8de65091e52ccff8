/* Plugin entry point: the ABI record ovs-vswitchd checks before loading us,
 * and ovs_plugin_init(), which registers our netdev classes. */
#include <config.h>

#include <errno.h>

#include "accel-api.h"
#include "dp-packet.h"
#include "dpdk.h"
#include "netdev-provider.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "util.h"
#include "vswitchd/plugins.h"

VLOG_DEFINE_THIS_MODULE(vhost_accel);

extern const struct netdev_class accel_vhost_client_class;
extern const struct netdev_class accel_vdpa_class;
int netdev_vdpa_register_flow_offload(void);
void accel_appctl_register(void);

/* The plugin is built with -fvisibility=hidden: these two are all that
 * ovs-vswitchd sees of it. */
#define ACCEL_EXPORT __attribute__((visibility("default")))

ACCEL_EXPORT const struct ovs_plugin_abi ovs_plugin_abi
    = OVS_PLUGIN_ABI_INITIALIZER("ovs-vhost-accel", ACCEL_VERSION);

ACCEL_EXPORT int ovs_plugin_init(const struct smap *other_config);

/* Registers 'class'; with 'replace', in place of the built-in class of the
 * same type. */
static int
register_class(const struct netdev_class *class, bool replace)
{
    int error = replace ? netdev_unregister_provider(class->type) : 0;
    bool replaced = replace && !error;

    if (error && error != EAFNOSUPPORT) {
        VLOG_ERR("cannot take over netdev class %s (%s)", class->type,
                 ovs_strerror(error));
        return error;
    }
    error = netdev_register_provider(class);
    if (!error) {
        VLOG_INFO("netdev class %s provided by ovs-vhost-accel %s%s",
                  class->type, ACCEL_VERSION,
                  replaced ? " (replacing the built-in class)" : "");
    }
    return error;
}

int
ovs_plugin_init(const struct smap *other_config)
{
    struct accel_global_config cfg = {
        .vhost_iommu_support = smap_get_bool(other_config,
                                             "vhost-iommu-support", false),
        .vhost_postcopy_support = smap_get_bool(other_config,
                                                "vhost-postcopy-support",
                                                false),
        .per_port_memory = smap_get_bool(other_config, "per-port-memory",
                                         false),
        .memory_locked = memory_locked(),
    };
    if (cfg.vhost_postcopy_support && cfg.memory_locked) {
        VLOG_WARN("vhost-postcopy-support is not compatible with mlockall "
                  "(--mlockall): disabled");
        cfg.vhost_postcopy_support = false;
    }
    int error = accel_core_init(&cfg);
    if (error) {
        return error;
    }
    accel_appctl_register();

    if (!dpdk_available()) {
        VLOG_WARN("DPDK is not initialized (other_config:dpdk-init): "
                  "ovs-vhost-accel netdev classes are not registered");
        return 0;
    }
    error = register_class(&accel_vhost_client_class, true);
    error = error ? error : register_class(&accel_vdpa_class, false);
    return error ? error : netdev_vdpa_register_flow_offload();
}
