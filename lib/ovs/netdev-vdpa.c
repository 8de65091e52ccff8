/* The 'dpdkvdpa' netdev class: the OVS-facing C shim of lib/vdpa/.
 *
 * OVS sees the port's representor: rxq_recv and send are its queues.
 * rxq_recv also drives the port's software relay (guest <-> VF). */
#include <config.h>

#include <errno.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "accel-api.h"
#include "netdev-shim.h"
#include "dp-packet.h"
#include "netdev-dpdk.h"
#include "netdev-provider.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vhost_accel_netdev_vdpa);

static struct accel_vdpa_port *
port_of(const struct netdev *netdev)
{
    return accel_netdev_cast(netdev)->port;
}

/* (accel_netdev's set_admin_up.) */
static void
set_admin_up(void *port, bool up)
{
    accel_vdpa_port_set_admin_up(port, up);
}

static void
update_queue_counts(struct netdev *netdev)
{
    netdev->n_rxq = accel_vdpa_port_n_rxq(port_of(netdev));
    netdev->n_txq = accel_vdpa_port_n_txq(port_of(netdev));
}

/* The ethdev netdev-offload-dpdk puts the port's rte_flow rules on: its
 * representor (see netdev_dpdk_register_ethdev_class()). */
static int
netdev_vdpa_flow_port_id(const struct netdev *netdev)
{
    return accel_vdpa_port_flow_port_id(port_of(netdev));
}

static int
netdev_vdpa_construct(struct netdev *netdev)
{
    struct accel_vdpa_port *port = accel_vdpa_port_create(
        netdev, rte_lcore_to_socket_id(rte_get_main_lcore()));
    if (!port) {
        return ENOMEM;
    }
    accel_netdev_init(accel_netdev_cast(netdev), port, set_admin_up);
    update_queue_counts(netdev);
    return 0;
}

static void
netdev_vdpa_destruct(struct netdev *netdev)
{
    accel_vdpa_port_destroy(port_of(netdev));
}

static int
netdev_vdpa_set_config(struct netdev *netdev, const struct smap *args,
                       char **errp)
{
    const char **keys, **values;
    size_t n = accel_smap_to_arrays(args, &keys, &values);
    int error = accel_vdpa_port_set_config(port_of(netdev), keys, values, n,
                                           errp);
    free(keys);
    free(values);
    return error;
}

static int
netdev_vdpa_get_config(const struct netdev *netdev, struct smap *args)
{
    accel_vdpa_port_get_config(port_of(netdev), accel_smap_kv_cb, args);
    return 0;
}

static int
netdev_vdpa_set_tx_multiq(struct netdev *netdev, unsigned int n_txq)
{
    accel_vdpa_port_set_tx_multiq(port_of(netdev), n_txq);
    return 0;
}

static int
netdev_vdpa_reconfigure(struct netdev *netdev)
{
    int error = accel_vdpa_port_reconfigure(port_of(netdev));

    update_queue_counts(netdev);
    return error;
}

static int
netdev_vdpa_get_numa_id(const struct netdev *netdev)
{
    return accel_vdpa_port_numa(port_of(netdev));
}

static int
netdev_vdpa_get_mtu(const struct netdev *netdev, int *mtup)
{
    *mtup = accel_vdpa_port_mtu(port_of(netdev));
    return 0;
}

static int
netdev_vdpa_set_mtu(struct netdev *netdev, int mtu)
{
    return accel_vdpa_port_set_mtu(port_of(netdev), mtu);
}

static int
netdev_vdpa_get_carrier(const struct netdev *netdev, bool *carrier)
{
    *carrier = accel_vdpa_port_carrier(port_of(netdev));
    return 0;
}

static int
netdev_vdpa_get_stats(const struct netdev *netdev, struct netdev_stats *stats)
{
    struct accel_port_stats s;
    int error = accel_vdpa_port_get_stats(port_of(netdev), &s);

    if (!error) {
        accel_stats_to_netdev(&s, stats);
    }
    return error;
}

static int
netdev_vdpa_get_custom_stats(const struct netdev *netdev,
                             struct netdev_custom_stats *custom_stats)
{
    struct accel_custom_stats_aux aux;

    accel_custom_stats_init(&aux, custom_stats);
    accel_vdpa_port_get_custom_stats(port_of(netdev), accel_custom_stats_cb,
                                     &aux);
    return 0;
}

static int
netdev_vdpa_get_status(const struct netdev *netdev, struct smap *args)
{
    accel_vdpa_port_get_status(port_of(netdev), accel_smap_kv_cb, args);
    return 0;
}

static int
netdev_vdpa_send(struct netdev *netdev, int qid,
                 struct dp_packet_batch *batch, bool concurrent_txq)
{
    struct accel_vdpa_port *port = port_of(netdev);
    size_t cnt = dp_packet_batch_size(batch);

    if (OVS_UNLIKELY(cnt && batch->packets[0]->source != DPBUF_DPDK)) {
        size_t copied = accel_copy_batch_to_mbufs(
            accel_vdpa_port_mempool(port), batch);
        if (copied < cnt) {
            accel_vdpa_port_count_tx_drops(port, cnt - copied);
        }
        cnt = copied;
    }
    accel_vdpa_port_tx(port, qid, (struct rte_mbuf **) batch->packets, cnt,
                       concurrent_txq);
    return 0;
}

static int
netdev_vdpa_rxq_recv(struct netdev_rxq *rxq, struct dp_packet_batch *batch,
                     int *qfill)
{
    int n = accel_vdpa_port_rx(port_of(rxq->netdev), rxq->queue_id,
                               (struct rte_mbuf **) batch->packets, qfill);
    if (!n) {
        return EAGAIN;
    }
    batch->count = n;
    dp_packet_batch_init_packet_fields(batch);
    return 0;
}

static void
appctl_vdpa_show(struct unixctl_conn *conn, int argc, const char *argv[],
                 void *aux OVS_UNUSED)
{
    char *text = accel_vdpa_show(argc > 1 ? argv[1] : NULL);

    if (!text) {
        unixctl_command_reply_error(conn, "no such dpdkvdpa port");
        return;
    }
    unixctl_command_reply(conn, text);
    free(text);
}

static int
netdev_vdpa_class_init(void)
{
    unixctl_command_register("vhost-accel/vdpa-show", "[port]", 0, 1,
                             appctl_vdpa_show, NULL);
    return 0;
}

static void
netdev_vdpa_run(const struct netdev_class *class OVS_UNUSED)
{
    accel_vdpa_ports_run(time_msec());
}

static void
netdev_vdpa_wait(const struct netdev_class *class OVS_UNUSED)
{
    accel_wait_until(accel_vdpa_ports_next_run());
}

const struct netdev_class accel_vdpa_class = {
    .type = "dpdkvdpa",
    .is_pmd = true,
    .init = netdev_vdpa_class_init,
    .run = netdev_vdpa_run,
    .wait = netdev_vdpa_wait,
    .alloc = accel_netdev_alloc,
    .construct = netdev_vdpa_construct,
    .destruct = netdev_vdpa_destruct,
    .dealloc = accel_netdev_dealloc,
    .get_config = netdev_vdpa_get_config,
    .set_config = netdev_vdpa_set_config,
    .set_tx_multiq = netdev_vdpa_set_tx_multiq,
    .reconfigure = netdev_vdpa_reconfigure,
    .send = netdev_vdpa_send,
    .get_numa_id = netdev_vdpa_get_numa_id,
    .set_etheraddr = accel_netdev_set_etheraddr,
    .get_etheraddr = accel_netdev_get_etheraddr,
    .get_mtu = netdev_vdpa_get_mtu,
    .set_mtu = netdev_vdpa_set_mtu,
    .get_carrier = netdev_vdpa_get_carrier,
    .get_carrier_resets = accel_netdev_get_carrier_resets,
    .get_stats = netdev_vdpa_get_stats,
    .get_custom_stats = netdev_vdpa_get_custom_stats,
    .get_status = netdev_vdpa_get_status,
    .update_flags = accel_netdev_update_flags,
    .rxq_alloc = accel_rxq_alloc,
    .rxq_construct = accel_rxq_construct,
    .rxq_destruct = accel_rxq_destruct,
    .rxq_dealloc = accel_rxq_dealloc,
    .rxq_recv = netdev_vdpa_rxq_recv,
};

/* Lets OVS's rte_flow offload (other_config:hw-offload) put the flows of
 * dpdkvdpa ports on their representors. */
int
netdev_vdpa_register_flow_offload(void)
{
    return netdev_dpdk_register_ethdev_class(&accel_vdpa_class,
                                             netdev_vdpa_flow_port_id);
}
