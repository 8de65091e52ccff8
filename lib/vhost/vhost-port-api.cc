// extern "C" entry points of VhostPort for the C shim (ovs/accel-api.h).
// No exception crosses this boundary.
#include "ovs/ovs-cxx.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "ovs/accel-api.h"
#include "ovs/api-guard.h"
#include "vhost/vhost-port.h"
#include "vhost/vhost-registry.h"
#include "vhost/zero-copy.h"

VLOG_DEFINE_THIS_MODULE(vhost_accel_api);

using accel::VhostPort;
using accel::guarded;

namespace {

// When the main thread next looks for retired zero-copy arenas.
long long int zc_collect_at = accel::CarrierReporter::kNever;

}  // namespace

struct accel_vhost_port {
    VhostPort port;
    accel_vhost_port(netdev *n, int numa) : port(n, numa) {}
};

extern "C" {

struct accel_vhost_port *
accel_vhost_port_create(struct netdev *netdev, int numa)
{
    accel_vhost_port *p = nullptr;
    guarded("port create", [&] {
        p = new accel_vhost_port(netdev, numa);
        return 0;
    });
    return p;
}

void
accel_vhost_port_destroy(struct accel_vhost_port *p)
{
    guarded("port destroy", [&] {
        delete p;
        return 0;
    });
}

int
accel_vhost_port_set_config(struct accel_vhost_port *p,
                            const char *const *keys,
                            const char *const *values, size_t n, char **errp)
{
    return accel::guarded_set_config(p->port, keys, values, n, errp);
}

void
accel_vhost_port_get_config(struct accel_vhost_port *p, accel_kv_cb *cb,
                            void *aux)
{
    guarded("get_config", [&] {
        p->port.get_config(cb, aux);
        return 0;
    });
}

int
accel_vhost_port_reconfigure(struct accel_vhost_port *p)
{
    return guarded("reconfigure", [&] { return p->port.reconfigure(); });
}

void
accel_vhost_port_get_status(struct accel_vhost_port *p, accel_kv_cb *cb,
                            void *aux)
{
    guarded("get_status", [&] {
        p->port.get_status(cb, aux);
        return 0;
    });
}

int
accel_vhost_port_get_stats(struct accel_vhost_port *p,
                           struct accel_port_stats *stats)
{
    return guarded("get_stats", [&] { return p->port.get_stats(*stats); });
}

void
accel_vhost_port_get_custom_stats(struct accel_vhost_port *p,
                                  accel_counter_cb *cb, void *aux)
{
    guarded("get_custom_stats", [&] {
        p->port.get_custom_stats(cb, aux);
        return 0;
    });
}

void
accel_vhost_port_set_admin_up(struct accel_vhost_port *p, bool up)
{
    p->port.set_admin_up(up);
}

void
accel_vhost_ports_run(long long int now)
{
    accel::VhostRegistry::instance().for_each(
        [now](const std::string &, accel::VhostPort &port) {
            port.run(now);
        });
    // Zero-copy arenas of stopped queues whose lent packets came back.
    zc_collect_at = accel::ZcArena::collect()
                    ? now + 1000 : accel::CarrierReporter::kNever;
}

long long int
accel_vhost_ports_next_run(void)
{
    long long int next = zc_collect_at;
    accel::VhostRegistry::instance().for_each(
        [&next](const std::string &, accel::VhostPort &port) {
            next = std::min(next, port.next_run());
        });
    return next;
}

bool
accel_vhost_port_carrier(struct accel_vhost_port *p)
{
    return p->port.carrier();
}

int
accel_vhost_port_numa(struct accel_vhost_port *p)
{
    return p->port.numa();
}

int
accel_vhost_port_n_rxq(struct accel_vhost_port *p)
{
    return p->port.n_rxq();
}

int
accel_vhost_port_n_txq(struct accel_vhost_port *p)
{
    return p->port.n_txq();
}

int
accel_vhost_port_mtu(struct accel_vhost_port *p)
{
    return p->port.mtu();
}

int
accel_vhost_port_set_mtu(struct accel_vhost_port *p, int mtu)
{
    return guarded("set_mtu", [&] { return p->port.set_mtu(mtu); });
}

struct rte_mempool *
accel_vhost_port_mempool(struct accel_vhost_port *p)
{
    return p->port.mempool();
}

void
accel_vhost_port_count_tx_drops(struct accel_vhost_port *p, uint64_t n)
{
    p->port.count_tx_drops(n);
}

bool
accel_vhost_port_rxq_enabled(struct accel_vhost_port *p, int rxq)
{
    return p->port.rxq_enabled(rxq);
}

int
accel_vhost_port_rx(struct accel_vhost_port *p, int rxq,
                    struct rte_mbuf **pkts, int *qfill)
{
    return p->port.rx(rxq, pkts, qfill);
}

void
accel_vhost_port_tx(struct accel_vhost_port *p, int txq,
                    struct rte_mbuf **pkts, int n, bool concurrent)
{
    p->port.tx(txq, pkts, n, concurrent);
}

}  // extern "C"
