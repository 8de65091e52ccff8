/* The boundary between the C shim (lib/ovs/, which speaks OVS's C-only
 * internal headers: netdev_class, dp_packet, smap) and the C++ core.
 *
 * Everything here is plain C: opaque handles, integers, strings and
 * callbacks.  No C++ exception ever crosses it: every C++ entry point
 * catches and reports an errno value. */
#ifndef OVS_VHOST_ACCEL_API_H
#define OVS_VHOST_ACCEL_API_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct netdev;
struct rte_mbuf;
struct rte_mempool;

/* A key/value sink (an smap on the C side). */
typedef void accel_kv_cb(void *aux, const char *key, const char *value);
/* A named counter sink (netdev_custom_stats on the C side). */
typedef void accel_counter_cb(void *aux, const char *name, uint64_t value);

/* ---- Provided by the C shim, called by the C++ core. ---- */
void accel_netdev_request_reconfigure(struct netdev *);
void accel_netdev_changed(struct netdev *);
const char *accel_netdev_name(const struct netdev *);
void accel_rcu_synchronize(void);
/* Per-object initializer for packet mempools (sets up the dp_packet). */
void accel_mempool_obj_init(struct rte_mempool *, void *opaque, void *obj,
                            unsigned int idx);
/* Size of the dp_packet private area that follows each rte_mbuf. */
uint16_t accel_mbuf_priv_size(void);
/* Coverage counters (ovs-appctl coverage/show). */
enum accel_coverage {
    ACCEL_COV_TX_CONTENTION,
    ACCEL_COV_TX_RETRY,
};
void accel_coverage_add(enum accel_coverage, unsigned int n);

/* ---- Provided by the C++ core, called by the C shim. ---- */
struct accel_global_config {
    bool vhost_iommu_support;
    bool vhost_postcopy_support;
    bool per_port_memory;
    bool memory_locked;         /* ovs-vswitchd --mlockall: no postcopy. */
};
int accel_core_init(const struct accel_global_config *);
/* Text for "ovs-appctl vhost-accel/show" (malloc()ed). */
char *accel_core_show(void);

/* Statistics in netdev_stats terms (UINT64_MAX = not supported). */
struct accel_port_stats {
    uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
    uint64_t rx_dropped, tx_dropped, multicast, tx_multicast_packets;
    uint64_t rx_broadcast_packets, tx_broadcast_packets;
    uint64_t rx_1_to_64_packets, rx_65_to_127_packets, rx_128_to_255_packets,
             rx_256_to_511_packets, rx_512_to_1023_packets,
             rx_1024_to_1522_packets, rx_1523_to_max_packets;
    uint64_t tx_1_to_64_packets, tx_65_to_127_packets, tx_128_to_255_packets,
             tx_256_to_511_packets, tx_512_to_1023_packets,
             tx_1024_to_1522_packets, tx_1523_to_max_packets;
};

struct accel_vhost_port;

struct accel_vhost_port *accel_vhost_port_create(struct netdev *, int numa);
void accel_vhost_port_destroy(struct accel_vhost_port *);

/* Validates and applies the port's options ('n' key/value pairs).
 * On error returns EINVAL and a malloc()ed message in '*errp'; the port's
 * configuration is then unchanged. */
int accel_vhost_port_set_config(struct accel_vhost_port *,
                                const char *const *keys,
                                const char *const *values, size_t n,
                                char **errp);
void accel_vhost_port_get_config(struct accel_vhost_port *, accel_kv_cb *,
                                 void *aux);
int accel_vhost_port_reconfigure(struct accel_vhost_port *);
void accel_vhost_port_get_status(struct accel_vhost_port *, accel_kv_cb *,
                                 void *aux);
int accel_vhost_port_get_stats(struct accel_vhost_port *,
                               struct accel_port_stats *);
void accel_vhost_port_get_custom_stats(struct accel_vhost_port *,
                                       accel_counter_cb *, void *aux);
void accel_vhost_port_set_admin_up(struct accel_vhost_port *, bool up);
bool accel_vhost_port_carrier(struct accel_vhost_port *);
/* Main thread, every loop (netdev class 'run', 'now' from time_msec()): a
 * port whose carrier changed since the last call reports a change
 * (Interface:link_state), and reports it again a little later (see
 * lib/vhost/carrier-reporter.h).  accel_vhost_ports_next_run() says when
 * the next such report is due (LLONG_MAX: none). */
void accel_vhost_ports_run(long long int now);
long long int accel_vhost_ports_next_run(void);
int accel_vhost_port_numa(struct accel_vhost_port *);
int accel_vhost_port_n_rxq(struct accel_vhost_port *);
int accel_vhost_port_n_txq(struct accel_vhost_port *);
int accel_vhost_port_mtu(struct accel_vhost_port *);
int accel_vhost_port_set_mtu(struct accel_vhost_port *, int mtu);
/* Packet pool for copies of non-DPDK packets on transmit; may be NULL. */
struct rte_mempool *accel_vhost_port_mempool(struct accel_vhost_port *);
void accel_vhost_port_count_tx_drops(struct accel_vhost_port *,
                                     uint64_t failure_drops);

/* Datapath (PMD threads). */
bool accel_vhost_port_rxq_enabled(struct accel_vhost_port *, int rxq);
int accel_vhost_port_rx(struct accel_vhost_port *, int rxq,
                        struct rte_mbuf **pkts, int *qfill);
/* Takes ownership of all 'n' mbufs. */
void accel_vhost_port_tx(struct accel_vhost_port *, int txq,
                         struct rte_mbuf **pkts, int n, bool concurrent);

/* ---- dpdkvdpa ports (lib/vdpa/), same conventions. ---- */
struct accel_vdpa_port;

struct accel_vdpa_port *accel_vdpa_port_create(struct netdev *, int numa);
void accel_vdpa_port_destroy(struct accel_vdpa_port *);
int accel_vdpa_port_set_config(struct accel_vdpa_port *,
                               const char *const *keys,
                               const char *const *values, size_t n,
                               char **errp);
void accel_vdpa_port_get_config(struct accel_vdpa_port *, accel_kv_cb *,
                                void *aux);
int accel_vdpa_port_reconfigure(struct accel_vdpa_port *);
void accel_vdpa_port_get_status(struct accel_vdpa_port *, accel_kv_cb *,
                                void *aux);
int accel_vdpa_port_get_stats(struct accel_vdpa_port *,
                              struct accel_port_stats *);
void accel_vdpa_port_get_custom_stats(struct accel_vdpa_port *,
                                      accel_counter_cb *, void *aux);
void accel_vdpa_port_set_admin_up(struct accel_vdpa_port *, bool up);
/* Main thread, every loop: the hardware-mode watchdog of every dpdkvdpa
 * port (VdpaPort::run); accel_vdpa_ports_next_run(): when it is next due
 * (LLONG_MAX: never). */
void accel_vdpa_ports_run(long long int now);
long long int accel_vdpa_ports_next_run(void);
bool accel_vdpa_port_carrier(struct accel_vdpa_port *);
int accel_vdpa_port_numa(struct accel_vdpa_port *);
/* The representor's DPDK port id, or -1 (any thread, lock-free). */
int accel_vdpa_port_flow_port_id(const struct accel_vdpa_port *);
int accel_vdpa_port_n_rxq(struct accel_vdpa_port *);
int accel_vdpa_port_n_txq(struct accel_vdpa_port *);
void accel_vdpa_port_set_tx_multiq(struct accel_vdpa_port *, int n_txq);
int accel_vdpa_port_mtu(struct accel_vdpa_port *);
int accel_vdpa_port_set_mtu(struct accel_vdpa_port *, int mtu);
struct rte_mempool *accel_vdpa_port_mempool(struct accel_vdpa_port *);
void accel_vdpa_port_count_tx_drops(struct accel_vdpa_port *,
                                    uint64_t failure_drops);
int accel_vdpa_port_rx(struct accel_vdpa_port *, int rxq,
                       struct rte_mbuf **pkts, int *qfill);
void accel_vdpa_port_tx(struct accel_vdpa_port *, int txq,
                        struct rte_mbuf **pkts, int n, bool concurrent);
/* Text for "ovs-appctl vhost-accel/vdpa-show [PORT]" (malloc()ed); NULL if
 * 'port' (may be NULL: all) is not a dpdkvdpa port. */
char *accel_vdpa_show(const char *port);

#ifdef __cplusplus
}
#endif

#endif
