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

struct netdev_vhost {
    struct netdev up;
    struct accel_vhost_port *port;
    struct eth_addr hwaddr;
    enum netdev_flags flags;
};

struct netdev_rxq_vhost {
    struct netdev_rxq up;
};

static struct netdev_vhost *
netdev_vhost_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_vhost, up);
}

static struct accel_vhost_port *
port_of(const struct netdev *netdev)
{
    return netdev_vhost_cast(netdev)->port;
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

static void
smap_kv_cb(void *aux, const char *key, const char *value)
{
    smap_replace((struct smap *) aux, key, value);
}

/* ---- netdev_class. ---- */

static struct netdev *
netdev_vhost_alloc(void)
{
    struct netdev_vhost *dev = xzalloc(sizeof *dev);
    return &dev->up;
}

static void
netdev_vhost_dealloc(struct netdev *netdev)
{
    free(netdev_vhost_cast(netdev));
}

static int
netdev_vhost_construct(struct netdev *netdev)
{
    struct netdev_vhost *dev = netdev_vhost_cast(netdev);

    /* Like upstream: the main lcore's socket until the guest connects. */
    dev->port = accel_vhost_port_create(
        netdev, rte_lcore_to_socket_id(rte_get_main_lcore()));
    if (!dev->port) {
        return ENOMEM;
    }
    dev->hwaddr = eth_addr_zero;
    /* Up from the start, as OVS's DPDK ports are. */
    dev->flags = NETDEV_UP | NETDEV_PROMISC;
    accel_vhost_port_set_admin_up(dev->port, true);
    netdev->n_rxq = accel_vhost_port_n_rxq(dev->port);
    netdev->n_txq = accel_vhost_port_n_txq(dev->port);
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
    size_t n = smap_count(args);
    const char **keys = xmalloc(n * sizeof *keys + 1);
    const char **values = xmalloc(n * sizeof *values + 1);
    struct smap_node *node;
    size_t i = 0;

    SMAP_FOR_EACH (node, args) {
        keys[i] = node->key;
        values[i] = node->value;
        i++;
    }
    int error = accel_vhost_port_set_config(port_of(netdev), keys, values,
                                            n, errp);
    free(keys);
    free(values);
    return error;
}

static int
netdev_vhost_get_config(const struct netdev *netdev, struct smap *args)
{
    accel_vhost_port_get_config(port_of(netdev), smap_kv_cb, args);
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
    long long int next = accel_vhost_ports_next_run();

    if (next != LLONG_MAX) {
        poll_timer_wait_until(next);
    }
}

static int
netdev_vhost_get_numa_id(const struct netdev *netdev)
{
    return accel_vhost_port_numa(port_of(netdev));
}

static int
netdev_vhost_set_etheraddr(struct netdev *netdev, const struct eth_addr mac)
{
    netdev_vhost_cast(netdev)->hwaddr = mac;
    netdev_change_seq_changed(netdev);
    return 0;
}

static int
netdev_vhost_get_etheraddr(const struct netdev *netdev, struct eth_addr *mac)
{
    *mac = netdev_vhost_cast(netdev)->hwaddr;
    return 0;
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

static long long int
netdev_vhost_get_carrier_resets(const struct netdev *netdev OVS_UNUSED)
{
    return 0;
}

static int
netdev_vhost_update_flags(struct netdev *netdev, enum netdev_flags off,
                          enum netdev_flags on, enum netdev_flags *old_flagsp)
{
    struct netdev_vhost *dev = netdev_vhost_cast(netdev);

    if ((off | on) & ~(NETDEV_UP | NETDEV_PROMISC)) {
        return EINVAL;
    }
    *old_flagsp = dev->flags;
    dev->flags = (dev->flags & ~off) | on;
    if (dev->flags != *old_flagsp) {
        accel_vhost_port_set_admin_up(dev->port, dev->flags & NETDEV_UP);
        netdev_change_seq_changed(netdev);
    }
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
#define COPY(FIELD) stats->FIELD = s.FIELD;
    COPY(rx_packets) COPY(tx_packets) COPY(rx_bytes) COPY(tx_bytes)
    COPY(rx_dropped) COPY(tx_dropped) COPY(multicast)
    COPY(tx_multicast_packets) COPY(rx_broadcast_packets)
    COPY(tx_broadcast_packets) COPY(rx_1_to_64_packets)
    COPY(rx_65_to_127_packets) COPY(rx_128_to_255_packets)
    COPY(rx_256_to_511_packets) COPY(rx_512_to_1023_packets)
    COPY(rx_1024_to_1522_packets) COPY(rx_1523_to_max_packets)
    COPY(tx_1_to_64_packets) COPY(tx_65_to_127_packets)
    COPY(tx_128_to_255_packets) COPY(tx_256_to_511_packets)
    COPY(tx_512_to_1023_packets) COPY(tx_1024_to_1522_packets)
    COPY(tx_1523_to_max_packets)
#undef COPY
    return 0;
}

struct custom_stats_aux {
    struct netdev_custom_stats *stats;
    size_t allocated;
};

static void
custom_stats_cb(void *aux_, const char *name, uint64_t value)
{
    struct custom_stats_aux *aux = aux_;
    struct netdev_custom_stats *cs = aux->stats;

    if (cs->size >= aux->allocated) {
        cs->counters = x2nrealloc(cs->counters, &aux->allocated,
                                  sizeof *cs->counters);
    }
    ovs_strlcpy(cs->counters[cs->size].name, name,
                NETDEV_CUSTOM_STATS_NAME_SIZE);
    cs->counters[cs->size].value = value;
    cs->size++;
}

static int
netdev_vhost_get_custom_stats(const struct netdev *netdev,
                              struct netdev_custom_stats *custom_stats)
{
    struct custom_stats_aux aux = { custom_stats, custom_stats->size };

    accel_vhost_port_get_custom_stats(port_of(netdev), custom_stats_cb, &aux);
    return 0;
}

static int
netdev_vhost_get_status(const struct netdev *netdev, struct smap *args)
{
    accel_vhost_port_get_status(port_of(netdev), smap_kv_cb, args);
    return 0;
}

/* Copies packets that are not backed by DPDK mbufs (e.g. from upcalls) into
 * mbufs from 'mp'.  Returns the number of packets left in 'batch'. */
static size_t
copy_batch_to_mbufs(struct rte_mempool *mp, struct dp_packet_batch *batch)
{
    size_t i, size = dp_packet_batch_size(batch);
    struct dp_packet *packet;

    DP_PACKET_BATCH_REFILL_FOR_EACH (i, size, packet, batch) {
        if (packet->source == DPBUF_DPDK) {
            dp_packet_batch_refill(batch, packet, i);
            continue;
        }
        uint32_t len = dp_packet_size(packet);
        struct rte_mbuf *m = mp ? rte_pktmbuf_alloc(mp) : NULL;

        if (m && len <= rte_pktmbuf_tailroom(m)) {
            struct dp_packet *copy = CONTAINER_OF(m, struct dp_packet, mbuf);

            memcpy(dp_packet_data(copy), dp_packet_data(packet), len);
            dp_packet_set_size(copy, len);
            memcpy(&copy->l2_pad_size, &packet->l2_pad_size,
                   sizeof(struct dp_packet)
                   - offsetof(struct dp_packet, l2_pad_size));
            dp_packet_batch_refill(batch, copy, i);
        } else if (m) {
            rte_pktmbuf_free(m);
        }
        dp_packet_delete(packet);
    }
    return dp_packet_batch_size(batch);
}

static int
netdev_vhost_send(struct netdev *netdev, int qid,
                  struct dp_packet_batch *batch, bool concurrent_txq)
{
    struct accel_vhost_port *port = port_of(netdev);
    size_t cnt = dp_packet_batch_size(batch);

    if (OVS_UNLIKELY(cnt && batch->packets[0]->source != DPBUF_DPDK)) {
        size_t copied = copy_batch_to_mbufs(accel_vhost_port_mempool(port),
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

static struct netdev_rxq *
netdev_vhost_rxq_alloc(void)
{
    struct netdev_rxq_vhost *rx = xzalloc(sizeof *rx);
    return &rx->up;
}

static int
netdev_vhost_rxq_construct(struct netdev_rxq *rxq OVS_UNUSED)
{
    return 0;
}

static void
netdev_vhost_rxq_destruct(struct netdev_rxq *rxq OVS_UNUSED)
{
}

static void
netdev_vhost_rxq_dealloc(struct netdev_rxq *rxq)
{
    free(CONTAINER_OF(rxq, struct netdev_rxq_vhost, up));
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
    .alloc = netdev_vhost_alloc,
    .construct = netdev_vhost_construct,
    .destruct = netdev_vhost_destruct,
    .dealloc = netdev_vhost_dealloc,
    .get_config = netdev_vhost_get_config,
    .set_config = netdev_vhost_set_config,
    .run = netdev_vhost_run,
    .wait = netdev_vhost_wait,
    .reconfigure = netdev_vhost_reconfigure,
    .send = netdev_vhost_send,
    .get_numa_id = netdev_vhost_get_numa_id,
    .set_etheraddr = netdev_vhost_set_etheraddr,
    .get_etheraddr = netdev_vhost_get_etheraddr,
    .get_mtu = netdev_vhost_get_mtu,
    .set_mtu = netdev_vhost_set_mtu,
    .get_carrier = netdev_vhost_get_carrier,
    .get_carrier_resets = netdev_vhost_get_carrier_resets,
    .get_stats = netdev_vhost_get_stats,
    .get_custom_stats = netdev_vhost_get_custom_stats,
    .get_status = netdev_vhost_get_status,
    .update_flags = netdev_vhost_update_flags,
    .rxq_alloc = netdev_vhost_rxq_alloc,
    .rxq_construct = netdev_vhost_rxq_construct,
    .rxq_destruct = netdev_vhost_rxq_destruct,
    .rxq_dealloc = netdev_vhost_rxq_dealloc,
    .rxq_recv = netdev_vhost_rxq_recv,
    .rxq_enabled = netdev_vhost_rxq_enabled,
};
