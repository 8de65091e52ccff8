// extern "C" entry points of VdpaPort for the C shim (ovs/accel-api.h).
// No exception crosses this boundary.
#include "ovs/ovs-cxx.h"

#include <algorithm>
#include <climits>

#include <cstdlib>
#include <cstring>
#include <string>

#include "ovs/accel-api.h"
#include "ovs/api-guard.h"
#include "vdpa/vdpa-port.h"

VLOG_DEFINE_THIS_MODULE(vhost_accel_vdpa_api);

using accel::VdpaPort;
using accel::guarded;

struct accel_vdpa_port {
    VdpaPort port;
    accel_vdpa_port(netdev *n, int numa) : port(n, numa) {}
};

extern "C" {

struct accel_vdpa_port *
accel_vdpa_port_create(struct netdev *netdev, int numa)
{
    accel_vdpa_port *p = nullptr;
    guarded("vdpa port create", [&] {
        p = new accel_vdpa_port(netdev, numa);
        return 0;
    });
    return p;
}

void
accel_vdpa_port_destroy(struct accel_vdpa_port *p)
{
    guarded("vdpa port destroy", [&] {
        delete p;
        return 0;
    });
}

int
accel_vdpa_port_set_config(struct accel_vdpa_port *p,
                           const char *const *keys,
                           const char *const *values, size_t n, char **errp)
{
    return accel::guarded_set_config(p->port, keys, values, n, errp);
}

void
accel_vdpa_port_get_config(struct accel_vdpa_port *p, accel_kv_cb *cb,
                           void *aux)
{
    guarded("vdpa get_config", [&] {
        p->port.get_config(cb, aux);
        return 0;
    });
}

int
accel_vdpa_port_reconfigure(struct accel_vdpa_port *p)
{
    return guarded("vdpa reconfigure", [&] { return p->port.reconfigure(); });
}

void
accel_vdpa_port_get_status(struct accel_vdpa_port *p, accel_kv_cb *cb,
                           void *aux)
{
    guarded("vdpa get_status", [&] {
        p->port.get_status(cb, aux);
        return 0;
    });
}

int
accel_vdpa_port_get_stats(struct accel_vdpa_port *p,
                          struct accel_port_stats *stats)
{
    return guarded("vdpa get_stats",
                   [&] { return p->port.get_stats(*stats); });
}

void
accel_vdpa_port_get_custom_stats(struct accel_vdpa_port *p,
                                 accel_counter_cb *cb, void *aux)
{
    guarded("vdpa get_custom_stats", [&] {
        p->port.get_custom_stats(cb, aux);
        return 0;
    });
}

void
accel_vdpa_port_set_admin_up(struct accel_vdpa_port *p, bool up)
{
    p->port.set_admin_up(up);
}

void
accel_vdpa_ports_run(long long int now)
{
    accel::VdpaPort::for_each([now](accel::VdpaPort &port) { port.run(now); });
}

long long int
accel_vdpa_ports_next_run(void)
{
    long long int next = LLONG_MAX;
    accel::VdpaPort::for_each([&next](accel::VdpaPort &port) {
        next = std::min(next, port.next_run());
    });
    return next;
}

bool
accel_vdpa_port_carrier(struct accel_vdpa_port *p)
{
    return p->port.carrier();
}

int
accel_vdpa_port_flow_port_id(const struct accel_vdpa_port *p)
{
    return p->port.flow_port_id();
}

int
accel_vdpa_port_numa(struct accel_vdpa_port *p)
{
    return p->port.numa();
}

int
accel_vdpa_port_n_rxq(struct accel_vdpa_port *p)
{
    return p->port.n_rxq();
}

int
accel_vdpa_port_n_txq(struct accel_vdpa_port *p)
{
    return p->port.n_txq();
}

void
accel_vdpa_port_set_tx_multiq(struct accel_vdpa_port *p, int n_txq)
{
    p->port.set_tx_multiq(n_txq);
}

int
accel_vdpa_port_mtu(struct accel_vdpa_port *p)
{
    return p->port.mtu();
}

int
accel_vdpa_port_set_mtu(struct accel_vdpa_port *p, int mtu)
{
    return guarded("vdpa set_mtu", [&] { return p->port.set_mtu(mtu); });
}

struct rte_mempool *
accel_vdpa_port_mempool(struct accel_vdpa_port *p)
{
    return p->port.mempool();
}

void
accel_vdpa_port_count_tx_drops(struct accel_vdpa_port *p, uint64_t n)
{
    p->port.count_tx_drops(n);
}

int
accel_vdpa_port_rx(struct accel_vdpa_port *p, int rxq, struct rte_mbuf **pkts,
                   int *qfill)
{
    return p->port.rx(rxq, pkts, qfill);
}

void
accel_vdpa_port_tx(struct accel_vdpa_port *p, int txq,
                   struct rte_mbuf **pkts, int n, bool concurrent)
{
    p->port.tx(txq, pkts, n, concurrent);
}

char *
accel_vdpa_show(const char *name)
{
    try {
        std::string out;
        bool found = false;
        VdpaPort::for_each([&](VdpaPort &port) {
            if (!name || port.name() == name) {
                out += port.report();
                found = true;
            }
        });
        if (name && !found) {
            return nullptr;
        }
        return strdup(out.c_str());
    } catch (...) {
        return strdup("out of memory\n");
    }
}

}  // extern "C"
