/* Pieces shared by the plugin's netdev classes (C only): translations
 * between OVS structures and the plain types of accel-api.h. */
#ifndef OVS_VHOST_ACCEL_OVS_NETDEV_SHIM_H
#define OVS_VHOST_ACCEL_OVS_NETDEV_SHIM_H 1

#include <stddef.h>
#include <stdint.h>

#include "accel-api.h"
#include "netdev-provider.h"
#include "openvswitch/types.h"
#include "packets.h"

struct dp_packet_batch;
struct netdev_custom_stats;
struct netdev_rxq;
struct netdev_stats;
struct rte_mempool;
struct smap;

/* What the plugin's netdevs share: the port of the C++ core, the Ethernet
 * address OVS gives them and their flags (up, promiscuous). */
struct accel_netdev {
    struct netdev up;
    void *port;                 /* accel_vhost_port or accel_vdpa_port. */
    struct eth_addr hwaddr;
    enum netdev_flags flags;
    /* Tells the port whether it is administratively up. */
    void (*set_admin_up)(void *port, bool up);
};

static inline struct accel_netdev *
accel_netdev_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct accel_netdev, up);
}

/* Class functions shared by the plugin's classes. */
struct netdev *accel_netdev_alloc(void);
void accel_netdev_dealloc(struct netdev *);
/* Up and promiscuous from the start, as OVS's DPDK ports are. */
void accel_netdev_init(struct accel_netdev *, void *port,
                       void (*set_admin_up)(void *port, bool up));
int accel_netdev_set_etheraddr(struct netdev *, const struct eth_addr);
int accel_netdev_get_etheraddr(const struct netdev *, struct eth_addr *);
long long int accel_netdev_get_carrier_resets(const struct netdev *);
int accel_netdev_update_flags(struct netdev *, enum netdev_flags off,
                              enum netdev_flags on,
                              enum netdev_flags *old_flagsp);

/* accel_kv_cb into an smap. */
void accel_smap_kv_cb(void *smap, const char *key, const char *value);

/* The keys and values of 'args' in two malloc()ed arrays (the strings
 * stay in 'args'); returns their length. */
size_t accel_smap_to_arrays(const struct smap *args, const char ***keys,
                            const char ***values);

void accel_stats_to_netdev(const struct accel_port_stats *,
                           struct netdev_stats *);

/* accel_counter_cb into netdev_custom_stats ('aux' from
 * accel_custom_stats_init()). */
struct accel_custom_stats_aux {
    struct netdev_custom_stats *stats;
    size_t allocated;
};
void accel_custom_stats_init(struct accel_custom_stats_aux *,
                             struct netdev_custom_stats *);
void accel_custom_stats_cb(void *aux, const char *name, uint64_t value);

/* Copies packets that are not backed by DPDK mbufs (e.g. from upcalls) into
 * mbufs from 'mp'.  Returns the number of packets left in 'batch'. */
size_t accel_copy_batch_to_mbufs(struct rte_mempool *,
                                 struct dp_packet_batch *);

/* A netdev class's 'wait': wake the main loop at 'next' (time_msec();
 * LLONG_MAX: no need). */
void accel_wait_until(long long int next);

/* A netdev_rxq with nothing of its own. */
struct netdev_rxq *accel_rxq_alloc(void);
int accel_rxq_construct(struct netdev_rxq *);
void accel_rxq_destruct(struct netdev_rxq *);
void accel_rxq_dealloc(struct netdev_rxq *);

#endif
