// A 'dpdkvdpa' port: a guest's virtio-net device served behind a
// vhost-user socket (OVS is the client), whose packets go to and come from
// a VF; OVS sees the VF's representor.
//
//   guest virtqueues <-> [guest side: VhostPort] <-> relay <-> VF (EthDev)
//   OVS datapath     <-> representor (EthDev, the port's rx/tx)
//
// Modes: "hw", a vDPA device attached to the socket moves the packets (not
// available yet: needs the vDPA fixture of tests/, see vdpa.rst), and "sw",
// the plugin's SwRelay, driven by the PMD threads that poll the port.
//
// Threads: as VhostPort.  Main thread: set_config(), reconfigure(),
// status, statistics; PMD threads: rx(), tx().  dpif-netdev takes the port
// off its PMD threads while reconfigure() runs, so devices are swapped and
// restarted there only.
#ifndef OVS_VHOST_ACCEL_VDPA_VDPA_PORT_H
#define OVS_VHOST_ACCEL_VDPA_VDPA_PORT_H

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/eth-dev.h"
#include "common/spin-lock.h"
#include "vdpa/accelerator.h"
#include "common/mempool.h"
#include "ovs/accel-api.h"
#include "vdpa/sw-relay.h"
#include "vdpa/vdpa-config.h"
#include "vhost/vhost-port.h"

struct rte_vdpa_device;

namespace accel {

class VdpaPort {
public:
    VdpaPort(netdev *netdev, int numa);
    ~VdpaPort();
    VdpaPort(const VdpaPort &) = delete;
    VdpaPort &operator=(const VdpaPort &) = delete;

    const std::string &name() const { return name_; }

    // Control path (main thread).
    int set_config(const OptionMap &opts, std::string &error);
    void get_config(accel_kv_cb *cb, void *aux);
    int reconfigure();
    void get_status(accel_kv_cb *cb, void *aux);
    int get_stats(accel_port_stats &stats);
    void get_custom_stats(accel_counter_cb *cb, void *aux);
    void set_admin_up(bool up);
    // Up when the guest's driver is up and the devices run.
    bool carrier() const { return running_ && guest_.carrier(); }
    int numa() const;
    int n_rxq() const { return n_rxq_; }
    int n_txq() const { return n_txq_; }
    void set_tx_multiq(int n);
    int mtu() const { return mtu_; }
    int set_mtu(int mtu);
    rte_mempool *mempool() const;
    void count_tx_drops(uint64_t n);
    // One paragraph for "ovs-appctl vhost-accel/vdpa-show".
    std::string report();
    // Main thread, every loop ('now' in ms): in hardware mode, watches
    // that the vDPA device serves the guest (buffers on the guest's TX
    // rings must get used); if not for kStallSeconds, falls back to the
    // relay.  next_run(): when run() next has work (ms).
    void run(long long now);
    long long next_run() const;
    static constexpr int kStallSeconds = 3;
    // Every dpdkvdpa port (main thread).
    static void for_each(const std::function<void(VdpaPort &)> &fn);

    // The representor's DPDK port id (-1: none yet): OVS offloads the
    // port's flows as rte_flow rules on it.  Any thread, lock-free.
    int flow_port_id() const
    {
        return flow_port_id_.load(std::memory_order_acquire);
    }

    // Datapath (PMD threads): the representor's queues; rx() also runs
    // the relay lanes of 'rxq'.
    int rx(int rxq, rte_mbuf **pkts, int *qfill);
    void tx(int txq, rte_mbuf **pkts, int n, bool concurrent);

private:
    void stop_datapath();
    int open_devices(const VdpaPortConfig &cfg, std::string &error);
    // The VF's ethdev (nullptr: none, or a vDPA-only accelerator).
    EthDev *vf() const { return accel_ ? accel_->vf() : nullptr; }
    // The accelerator's DPDK device, pending or in use ("" if none).
    std::string accel_device() const;
    // The vDPA device that can serve the guest, or nullptr and why not.
    rte_vdpa_device *choose_mode(std::string &reason) const;
    void get_hw_stats(accel_counter_cb *cb, void *aux);
    void start_devices();
    std::string owner_tag() const { return "ovs-vhost-accel:" + name_; }

    netdev *netdev_;
    const std::string name_;
    VhostPort guest_;

    std::mutex mutex_;                  // Config state (main thread).
    VdpaPortConfig config_;
    bool configured_ = false;
    std::string config_error_;

    // (Before the devices: their RX rings hold its mbufs until closed.)
    MempoolRef mempool_;
    // Devices opened by set_config(), taken into use by reconfigure().
    std::unique_ptr<Accelerator> pending_accel_, accel_;
    std::unique_ptr<EthDev> pending_rep_, rep_;
    std::atomic<int> flow_port_id_{-1};  // rep_'s port id.
    std::unique_ptr<SwRelay> relay_;
    rte_vdpa_device *hw_ = nullptr;     // Hardware mode: the vDPA device.
    bool hw_started_ = false;           // Devices started for that mode.
    std::string mode_reason_;           // Why "sw" and not "hw".
    // The watchdog: the vDPA device stopped serving (why; empty: no),
    // until the accelerator changes.
    std::string hw_failure_;
    struct RingWatch {
        uint16_t used = 0;
        int stalled = 0;                // Seconds with work and no progress.
    };
    std::vector<RingWatch> watch_;      // By guest TX queue.
    long long watch_at_ = 0;
    std::string start_error_;           // The devices did not start.
    std::atomic<bool> running_{false};  // Devices started, relay set.
    std::atomic<bool> admin_up_{true};

    int requested_mtu_ = 1500;
    int mtu_ = 1500;
    int requested_n_txq_ = 1;
    int n_rxq_ = 1;
    int n_txq_ = 1;
    int wanted_n_txq_ = 1;              // n_txq_ unless the device refused.
    int vf_queues_ = 0;                 // Started with.
    std::unique_ptr<SpinLock[]> tx_locks_;
    std::atomic<uint64_t> tx_dropped_{0};   // OVS -> representor.
};

}  // namespace accel

#endif
