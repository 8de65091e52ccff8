/* Pieces shared by the plugin's netdev classes. */
#include <config.h>

#include "netdev-shim.h"

#include <limits.h>

#include "openvswitch/poll-loop.h"

#include <errno.h>

#include <rte_mbuf.h>

#include "dp-packet.h"
#include "netdev-provider.h"
#include "smap.h"
#include "util.h"

struct netdev *
accel_netdev_alloc(void)
{
    struct accel_netdev *dev = xzalloc(sizeof *dev);
    return &dev->up;
}

void
accel_netdev_dealloc(struct netdev *netdev)
{
    free(accel_netdev_cast(netdev));
}

void
accel_netdev_init(struct accel_netdev *dev, void *port,
                  void (*set_admin_up)(void *port, bool up))
{
    dev->port = port;
    dev->hwaddr = eth_addr_zero;
    dev->flags = NETDEV_UP | NETDEV_PROMISC;
    dev->set_admin_up = set_admin_up;
    set_admin_up(port, true);
}

int
accel_netdev_set_etheraddr(struct netdev *netdev, const struct eth_addr mac)
{
    accel_netdev_cast(netdev)->hwaddr = mac;
    netdev_change_seq_changed(netdev);
    return 0;
}

int
accel_netdev_get_etheraddr(const struct netdev *netdev, struct eth_addr *mac)
{
    *mac = accel_netdev_cast(netdev)->hwaddr;
    return 0;
}

long long int
accel_netdev_get_carrier_resets(const struct netdev *netdev OVS_UNUSED)
{
    return 0;
}

int
accel_netdev_update_flags(struct netdev *netdev, enum netdev_flags off,
                          enum netdev_flags on, enum netdev_flags *old_flagsp)
{
    struct accel_netdev *dev = accel_netdev_cast(netdev);

    if ((off | on) & ~(NETDEV_UP | NETDEV_PROMISC)) {
        return EINVAL;
    }
    *old_flagsp = dev->flags;
    dev->flags = (dev->flags & ~off) | on;
    if (dev->flags != *old_flagsp) {
        dev->set_admin_up(dev->port, dev->flags & NETDEV_UP);
        netdev_change_seq_changed(netdev);
    }
    return 0;
}

void
accel_smap_kv_cb(void *aux, const char *key, const char *value)
{
    smap_replace((struct smap *) aux, key, value);
}

size_t
accel_smap_to_arrays(const struct smap *args, const char ***keysp,
                     const char ***valuesp)
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
    *keysp = keys;
    *valuesp = values;
    return n;
}

void
accel_stats_to_netdev(const struct accel_port_stats *s,
                      struct netdev_stats *stats)
{
#define COPY(FIELD) stats->FIELD = s->FIELD;
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
}

void
accel_custom_stats_init(struct accel_custom_stats_aux *aux,
                        struct netdev_custom_stats *stats)
{
    aux->stats = stats;
    aux->allocated = stats->size;
}

void
accel_custom_stats_cb(void *aux_, const char *name, uint64_t value)
{
    struct accel_custom_stats_aux *aux = aux_;
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

size_t
accel_copy_batch_to_mbufs(struct rte_mempool *mp,
                          struct dp_packet_batch *batch)
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

struct netdev_rxq *
accel_rxq_alloc(void)
{
    return xzalloc(sizeof(struct netdev_rxq));
}

int
accel_rxq_construct(struct netdev_rxq *rxq OVS_UNUSED)
{
    return 0;
}

void
accel_rxq_destruct(struct netdev_rxq *rxq OVS_UNUSED)
{
}

void
accel_rxq_dealloc(struct netdev_rxq *rxq)
{
    free(rxq);
}

void
accel_wait_until(long long int next)
{
    if (next != LLONG_MAX) {
        poll_timer_wait_until(next);
    }
}
