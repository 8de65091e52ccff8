/* The 'dpdkvhostuserclient' netdev class: the OVS-facing C shim.
 *
 * This file only translates between OVS's C-only structures (netdev,
 * dp_packet batches, smap, netdev_stats) and the C++ port in lib/vhost/,
 * which does the work. */
#include <config.h>

#include <errno.h>
#include <limits.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "accel-api.h"
#include "netdev-shim.h"
#include "dp-packet.h"
#include "netdev-provider.h"
#include "openvswitch/vlog.h"
#include "connectivity.h"
#include "ovs-rcu.h"
#include "openvswitch/poll-loop.h"
#include "seq.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vhost_accel_netdev);

static struct accel_vhost_port *
port_of(const struct netdev *netdev)
{
    return accel_netdev_cast(netdev)->port;
}

/* (accel_netdev's set_admin_up.) */
static void
set_admin_up(void *port, bool up)
{
    accel_vhost_port_set_admin_up(port, up);
}

/* ---- Services for the C++ core (accel-api.h). ---- */

void
accel_netdev_request_reconfigure(struct netdev *netdev)
{
    netdev_request_reconfigure(netdev);
}

/* netdev_change_seq_changed() wakes the main thread (connectivity seq)
 * before it bumps the netdev's own change_seq: called from rte_vhost's
 * event thread, the main thread may look at change_seq in between, see
 * nothing new and never update Interface:link_state (seen: a guest killed
 * right after it connected stayed "up" for good).  Bump first, then wake. */
void
accel_netdev_changed(struct netdev *netdev)
{
    atomic_thread_fence(memory_order_release);
    if (!++netdev->change_seq) {
        netdev->change_seq++;
    }
    seq_change(connectivity_seq_get());
}

const char *
accel_netdev_name(const struct netdev *netdev)
{
    return netdev_get_name(netdev);
}

void
accel_rcu_synchronize(void)
{
    ovsrcu_synchronize();
    /* ovsrcu_synchronize() ended this thread's quiescent state: restore it,
     * the caller is rte_vhost's event thread. */
    ovsrcu_quiesce_start();
}

void
accel_mempool_obj_init(struct rte_mempool *mp OVS_UNUSED,
                       void *opaque OVS_UNUSED, void *obj,
                       unsigned int idx OVS_UNUSED)
{
    dp_packet_init_dpdk((struct dp_packet *) obj);
}

uint16_t
accel_mbuf_priv_size(void)
{
    return ROUND_UP(sizeof(struct dp_packet) - sizeof(struct rte_mbuf),
                    RTE_CACHE_LINE_SIZE);
}

/* ---- netdev_class. ---- */

static int
netdev_vhost_construct(struct netdev *netdev)
{
    /* Like upstream: the main lcore's socket until the guest connects. */
    struct accel_vhost_port *port = accel_vhost_port_create(
        netdev, rte_lcore_to_socket_id(rte_get_main_lcore()));
    if (!port) {
        return ENOMEM;
    }
    accel_netdev_init(accel_netdev_cast(netdev), port, set_admin_up);
    netdev->n_rxq = accel_vhost_port_n_rxq(port);
    netdev->n_txq = accel_vhost_port_n_txq(port);
    return 0;
}

static void
netdev_vhost_destruct(struct netdev *netdev)
{
    accel_vhost_port_destroy(port_of(netdev));
}

static int
netdev_vhost_set_config(struct netdev *netdev, const struct smap *args,
                        char **errp)
{
    const char **keys, **values;
    size_t n = accel_smap_to_arrays(args, &keys, &values);
    int error = accel_vhost_port_set_config(port_of(netdev), keys, values,
                                            n, errp);
    free(keys);
    free(values);
    return error;
}

static int
netdev_vhost_get_config(const struct netdev *netdev, struct smap *args)
{
    accel_vhost_port_get_config(port_of(netdev), accel_smap_kv_cb, args);
    return 0;
}

static int
netdev_vhost_reconfigure(struct netdev *netdev)
{
    struct accel_vhost_port *port = port_of(netdev);
    int error = accel_vhost_port_reconfigure(port);

    netdev->n_rxq = accel_vhost_port_n_rxq(port);
    netdev->n_txq = accel_vhost_port_n_txq(port);
    return error;
}

static void
netdev_vhost_run(const struct netdev_class *class OVS_UNUSED)
{
    accel_vhost_ports_run(time_msec());
}

static void
netdev_vhost_wait(const struct netdev_class *class OVS_UNUSED)
{
    accel_wait_until(accel_vhost_ports_next_run());
}

static int
netdev_vhost_get_numa_id(const struct netdev *netdev)
{
    return accel_vhost_port_numa(port_of(netdev));
}

static int
netdev_vhost_get_mtu(const struct netdev *netdev, int *mtup)
{
    *mtup = accel_vhost_port_mtu(port_of(netdev));
    return 0;
}

static int
netdev_vhost_set_mtu(struct netdev *netdev, int mtu)
{
    return accel_vhost_port_set_mtu(port_of(netdev), mtu);
}

static int
netdev_vhost_get_carrier(const struct netdev *netdev, bool *carrier)
{
    *carrier = accel_vhost_port_carrier(port_of(netdev));
    return 0;
}

static int
netdev_vhost_get_stats(const struct netdev *netdev,
                       struct netdev_stats *stats)
{
    struct accel_port_stats s;
    int error = accel_vhost_port_get_stats(port_of(netdev), &s);

    if (error) {
        return error;
    }
    accel_stats_to_netdev(&s, stats);
    return 0;
}

static int
netdev_vhost_get_custom_stats(const struct netdev *netdev,
                              struct netdev_custom_stats *custom_stats)
{
    struct accel_custom_stats_aux aux;

    accel_custom_stats_init(&aux, custom_stats);
    accel_vhost_port_get_custom_stats(port_of(netdev), accel_custom_stats_cb,
                                      &aux);
    return 0;
}

static int
netdev_vhost_get_status(const struct netdev *netdev, struct smap *args)
{
    accel_vhost_port_get_status(port_of(netdev), accel_smap_kv_cb, args);
    return 0;
}

static int
netdev_vhost_send(struct netdev *netdev, int qid,
                  struct dp_packet_batch *batch, bool concurrent_txq)
{
    struct accel_vhost_port *port = port_of(netdev);
    size_t cnt = dp_packet_batch_size(batch);

    if (OVS_UNLIKELY(cnt && batch->packets[0]->source != DPBUF_DPDK)) {
        size_t copied = accel_copy_batch_to_mbufs(accel_vhost_port_mempool(port),
                                            batch);
        if (copied < cnt) {
            accel_vhost_port_count_tx_drops(port, cnt - copied);
        }
        cnt = copied;
    }
    accel_vhost_port_tx(port, qid, (struct rte_mbuf **) batch->packets, cnt,
                        concurrent_txq);
    return 0;
}

static int
netdev_vhost_rxq_recv(struct netdev_rxq *rxq, struct dp_packet_batch *batch,
                      int *qfill)
{
    int n = accel_vhost_port_rx(port_of(rxq->netdev), rxq->queue_id,
                                (struct rte_mbuf **) batch->packets, qfill);
    if (!n) {
        return EAGAIN;
    }
    batch->count = n;
    dp_packet_batch_init_packet_fields(batch);
    return 0;
}

static bool
netdev_vhost_rxq_enabled(struct netdev_rxq *rxq)
{
    return accel_vhost_port_rxq_enabled(port_of(rxq->netdev),
                                        rxq->queue_id);
}

const struct netdev_class accel_vhost_client_class = {
    .type = "dpdkvhostuserclient",
    .is_pmd = true,
    .alloc = accel_netdev_alloc,
    .construct = netdev_vhost_construct,
    .destruct = netdev_vhost_destruct,
    .dealloc = accel_netdev_dealloc,
    .get_config = netdev_vhost_get_config,
    .set_config = netdev_vhost_set_config,
    .run = netdev_vhost_run,
    .wait = netdev_vhost_wait,
    .reconfigure = netdev_vhost_reconfigure,
    .send = netdev_vhost_send,
    .get_numa_id = netdev_vhost_get_numa_id,
    .set_etheraddr = accel_netdev_set_etheraddr,
    .get_etheraddr = accel_netdev_get_etheraddr,
    .get_mtu = netdev_vhost_get_mtu,
    .set_mtu = netdev_vhost_set_mtu,
    .get_carrier = netdev_vhost_get_carrier,
    .get_carrier_resets = accel_netdev_get_carrier_resets,
    .get_stats = netdev_vhost_get_stats,
    .get_custom_stats = netdev_vhost_get_custom_stats,
    .get_status = netdev_vhost_get_status,
    .update_flags = accel_netdev_update_flags,
    .rxq_alloc = accel_rxq_alloc,
    .rxq_construct = accel_rxq_construct,
    .rxq_destruct = accel_rxq_destruct,
    .rxq_dealloc = accel_rxq_dealloc,
    .rxq_recv = netdev_vhost_rxq_recv,
    .rxq_enabled = netdev_vhost_rxq_enabled,
};
