// A DPDK ethdev the plugin attached by devargs (a VF, a representor): probe,
// ownership, configuration and start, and detach when the object goes.
//
// Threads: everything but rx()/tx() runs on the main thread, while no PMD
// thread uses the device (dpif-netdev takes a port off its PMD threads
// before it reconfigures it).
#ifndef OVS_VHOST_ACCEL_COMMON_ETH_DEV_H
#define OVS_VHOST_ACCEL_COMMON_ETH_DEV_H

#include <cstdint>
#include <memory>
#include <string>

#include <rte_ethdev.h>

namespace accel {

// The DPDK device a devargs string names: what precedes the first ','
// ("net_tap0" of "net_tap0,iface=x", "0000:01:00.2" of "...,class=vdpa").
std::string devargs_device(const std::string &devargs);

class EthDev {
public:
    // Attaches the device of 'devargs' (rte_dev_probe) and claims its
    // ethdev for the plugin.  Returns nullptr and a message for the
    // operator in 'error' (not found, bad devargs, already in use).
    static std::unique_ptr<EthDev> open(const std::string &devargs,
                                        const std::string &owner,
                                        std::string &error);
    // The pieces of open(): the first ethdev 'devargs' names, attaching
    // the device first (rte_dev_probe) if it has none and 'probe' says so:
    // 'port_id' is RTE_MAX_ETHPORTS if there is still none, 'attached'
    // whether the device was attached here; false (and 'error') if the
    // probe failed.  detach() undoes an attachment of a device that has no
    // ethdev; claim() claims ethdev 'port_id' ('detach': detach its device
    // at the end).
    static bool find_or_probe(const std::string &devargs, bool probe,
                              uint16_t &port_id, bool &attached,
                              std::string &error);
    static void detach(const std::string &devargs);
    static std::unique_ptr<EthDev> claim(const std::string &devargs,
                                         uint16_t port_id,
                                         const std::string &owner,
                                         bool detach, std::string &error);
    ~EthDev();
    EthDev(const EthDev &) = delete;
    EthDev &operator=(const EthDev &) = delete;

    const std::string &devargs() const { return devargs_; }
    uint16_t port_id() const { return port_id_; }
    // The ethdev's name (e.g. "net_tap0"), its rte_device's name.
    std::string name() const;
    std::string device_name() const;
    // "net_tap0 (ethdev 3)".
    std::string describe() const;
    int socket() const;
    int max_queue_pairs() const;

    // (Re)configures and starts the device with 'n_rxq'/'n_txq' queues,
    // RSS over the RX queues when there are several, 'mtu', and RX buffers
    // from 'mp'.  Returns an errno value and a message in 'error'.
    int start(int n_rxq, int n_txq, int mtu, rte_mempool *mp,
              std::string &error);
    // Before start(): enable the checksum and TSO offloads the device has
    // (TX: IPv4/TCP/UDP checksums, TCP TSO, multi-segment mbufs; RX:
    // checksum verification).
    void set_packet_offloads(bool on) { offloads_ = on; }
    // The offloads start() enabled (RTE_ETH_TX_OFFLOAD_*), or that it
    // would enable before it ran.
    uint64_t tx_offloads() const;
    void stop();
    bool started() const { return started_; }
    int n_rxq() const { return n_rxq_; }
    int n_txq() const { return n_txq_; }
    bool link_up() const;
    bool stats(rte_eth_stats &s) const;

    // Datapath (PMD threads; a queue is used by one thread at a time).
    uint16_t rx(int q, rte_mbuf **pkts, uint16_t n)
    {
        return rte_eth_rx_burst(port_id_, q, pkts, n);
    }
    uint16_t tx(int q, rte_mbuf **pkts, uint16_t n)
    {
        return rte_eth_tx_burst(port_id_, q, pkts, n);
    }

    static constexpr int kRxDesc = 2048;
    static constexpr int kTxDesc = 2048;

private:
    EthDev(const std::string &devargs, uint16_t port_id, bool detach);

    std::string devargs_;
    uint16_t port_id_;
    bool detach_;           // We attached the device: detach it at the end.
    uint64_t owner_id_ = 0;
    bool started_ = false;
    bool offloads_ = false;
    int n_rxq_ = 0;
    int n_txq_ = 0;
};

}  // namespace accel

#endif
