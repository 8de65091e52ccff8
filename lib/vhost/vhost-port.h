// A 'dpdkvhostuserclient' port: the vhost-user client socket registered
// with DPDK's rte_vhost, its guest device, queues, mempool and counters.
//
// Threads:
//  - main thread: set_config(), reconfigure(), status/stats, destruction;
//  - rte_vhost's event thread: on_new_device(), on_destroy_device(),
//    on_vring_state(), on_destroy_connection(), on_pre_msg(),
//    on_post_msg();
//  - PMD threads: rx(), tx(), rxq_enabled().
// 'mutex_' guards the control state.  It is never held while the event
// thread may need it and we wait on rte_vhost (no ABBA with the library's
// virtqueue locks): vring state changes only take 'queue_mutex_', which is
// never held across a call into rte_vhost.
#ifndef OVS_VHOST_ACCEL_VHOST_VHOST_PORT_H
#define OVS_VHOST_ACCEL_VHOST_VHOST_PORT_H

#include <array>
#include <atomic>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/mempool.h"
#include "common/options.h"
#include "common/spin-lock.h"
#include "vhost/carrier-reporter.h"
#include "vhost/guest-offload.h"
#include "vhost/port-config.h"
#include "ovs/accel-api.h"
#include "vhost/tx-backlog.h"
#include "vhost/tx-queue-map.h"
#include "vhost/vhost-queue.h"
#include "virtq/guest-memory.h"

struct rte_mbuf;
struct rte_vdpa_device;

namespace accel {

// Software counters, updated by the PMD threads.
struct VhostSwStats {
    std::atomic<uint64_t> rx_dropped{0};
    std::atomic<uint64_t> tx_dropped{0};
    std::atomic<uint64_t> tx_retries{0};
    std::atomic<uint64_t> tx_failure_drops{0};
    std::atomic<uint64_t> tx_mtu_exceeded_drops{0};
    std::atomic<uint64_t> tx_iotlb_deferred{0};         // vIOMMU only.
    std::atomic<uint64_t> tx_iotlb_deferred_drops{0};
    std::atomic<uint64_t> iotlb_invalidations{0};
    std::atomic<uint64_t> iotlb_clamped_invalidations{0};  // Wrapping ranges.
    void clear();
};

class VhostPort {
public:
    static constexpr int kMaxQueues = 1024;

    // 'kind': the netdev class the port serves (dpdkvhostuserclient, or
    // dpdkvdpa for the guest side of a vDPA port), for reports.
    VhostPort(netdev *netdev, int numa,
              const char *kind = "dpdkvhostuserclient");
    ~VhostPort();
    VhostPort(const VhostPort &) = delete;
    VhostPort &operator=(const VhostPort &) = delete;

    const std::string &name() const { return name_; }
    const char *kind() const { return kind_; }

    // Control path (main thread).
    int set_config(const OptionMap &opts, std::string &error);
    void get_config(accel_kv_cb *cb, void *aux);
    int reconfigure();
    void get_status(accel_kv_cb *cb, void *aux);
    int get_stats(accel_port_stats &stats);
    void get_custom_stats(accel_counter_cb *cb, void *aux);
    void set_admin_up(bool up) { admin_up_.store(up); }
    // A vDPA device to attach to the socket (dpdkvdpa ports in hardware
    // mode; nullptr: none).  The device then moves the packets: the port
    // serves no queue, rx() gives nothing and tx() drops.  Takes effect
    // at the next reconfigure() (the socket is registered again).
    void set_vdpa_device(rte_vdpa_device *dev) { vdpa_dev_ = dev; }
    bool vdpa_attached() const { return registered_vdpa_.load(); }
    // Checksum/TSO offloads to offer the guest (dpdkvdpa's relay: what
    // the VF can do; default: none, as OVS without userspace TSO).  A
    // change registers the socket again at the next reconfigure().
    void set_guest_offloads(const GuestOffloads &o) { offloads_ = o; }
    const GuestOffloadStats &offload_stats() const { return offload_stats_; }
    bool carrier() const { return vid_.load() >= 0 && ready_.load(); }
    int vid() const { return vid_.load(); }     // -1: no guest device.
    // Main thread, every loop ('now' in ms): reports a carrier change
    // that the bridge has not seen, and repeats it (CarrierReporter says
    // why; the rte_vhost thread reports changes as they happen, but OVS's
    // change_seq is not meant for other threads); retries a mempool that
    // was unavailable.  next_run(): when run() next has work (ms).
    void run(long long now);
    long long next_run() const;
    int numa() const;
    // One line per virtqueue for "ovs-appctl vhost-accel/show".
    std::string queue_report();
    int n_rxq() const { return n_rxq_; }
    int n_txq() const { return n_txq_.load(std::memory_order_relaxed); }
    int mtu() const;
    int set_mtu(int mtu);
    rte_mempool *mempool() const;
    void count_tx_drops(uint64_t n);

    // rte_vhost events (event thread).  on_destroy_device() returns true
    // if the device was ours: the caller must then wait for the PMD
    // threads to quiesce (holding no lock) before returning to rte_vhost.
    int on_new_device(int vid);
    bool on_destroy_device(int vid);
    void on_vring_state(int vid, int vring, bool enable);
    void on_destroy_connection(int vid);
    // Around vhost-user messages that change rings or memory under a
    // running device ('request' as in the vhost-user protocol).
    void on_pre_msg(int vid, uint32_t request);
    void on_post_msg(int vid, uint32_t request);
    // VHOST_USER_SEND_RARP (QEMU, on a migration's destination, for a
    // guest that cannot announce itself): the next poll of RX queue 0
    // receives a RARP from 'mac', as rte_vhost's dequeue would inject.
    void on_send_rarp(int vid, const std::array<uint8_t, 6> &mac);
    // VHOST_USER_IOTLB_MSG invalidating guest IOVAs; 'to_end': a range up
    // to the end of the space the message hook clamped (iotlb-msg.h).
    void on_iotlb_invalidation(int vid, bool to_end);
    // Calls 'fn' with the guest's vid while its rings and memory map stay
    // put: no vhost-user message that changes them is being handled and
    // the device cannot go (its destroy waits).  False if it could not.
    bool with_stable_rings(const std::function<void(int vid)> &fn);

    // Datapath (PMD threads).
    bool rxq_enabled(int rxq) const
    {
        return rxq >= 0 && rxq < kMaxQueues
               && rxq_enabled_[rxq].load(std::memory_order_relaxed);
    }
    int rx(int rxq, rte_mbuf **pkts, int *qfill);
    void tx(int txq, rte_mbuf **pkts, int n, bool concurrent);

    static constexpr int kMaxVrings = 2 * kMaxQueues;

private:
    int register_socket(const std::string &path);
    void unregister_socket();
    int configure_device();
    void remap_txqs();
    // Datapath halves.
    int rx_walker(VhostQueue &q, rte_mbuf **pkts, int *qfill);
    int take_rarp(rte_mbuf **pkts);
    int tx_walker(VhostQueue &q, rte_mbuf **pkts, int cnt, int *retries);
    __attribute__((cold, noinline)) void log_refused(const VhostQueue &q,
                                                     uint32_t n);
    int tx_rte_vhost(int vid, int vring, rte_mbuf **pkts, int cnt,
                     int *retries);
    // vIOMMU backlog (tx-backlog.h), under the queue's TX spin lock.
    TxBacklog *backlog(int qid);
    bool flush_backlog(TxBacklog &b, int vid, int vring);
    __attribute__((cold, noinline)) void tend_iotlb_rx(int vid, int qid);
    void drop_backlogs();

    // Walker control (event thread, 'queue_mutex_' taken inside).
    VhostQueue &vq(int vring);
    VhostQueue *vq_if(int vring) const
    {
        return vring >= 0 && vring < kMaxVrings
                   ? vqs_[vring].load(std::memory_order_acquire) : nullptr;
    }
    void start_walkers(int vid, bool new_device);
    void start_walker(int vid, int vring);
    void setup_zero_copy(const std::vector<RegionFile> &files);
    void stop_walkers(int vid);
    void hand_back(VhostQueue &q, int vid);
    bool collect_counters(int vid, int vring,
                          uint64_t (&out)[QueueStats::kCount]);
    bool sum_counters(int vid, int first, int n,
                      uint64_t (&out)[QueueStats::kCount]);

    void changed() { accel_netdev_changed(netdev_); }
    void request_reconfigure() { accel_netdev_request_reconfigure(netdev_); }
    // rte_vhost flags for the socket, from 'config_' and the global knobs.
    uint64_t vhost_flags() const;
    bool postcopy_refused() const;      // Asked for, but --mlockall.
    void mempool_unavailable();

    netdev *netdev_;
    const std::string name_;
    const char *const kind_;
    CarrierReporter carrier_reporter_;      // Main thread only.
    static constexpr long long kMempoolRetryMs = 1000;
    std::atomic<bool> mempool_retry_{false};
    long long mempool_retry_at_ = 0;        // Main thread only.

    std::mutex mutex_;                      // Control state below.
    VhostPortConfig config_;
    bool configured_ = false;               // set_config() succeeded once.
    std::string config_error_;              // Last rejected options.
    std::string mempool_error_;             // status:mempool, if any.
    std::string registered_path_;           // Socket we registered, if any.
    std::atomic<uint64_t> registered_flags_{0};   // Its rte_vhost flags.
    rte_vdpa_device *vdpa_dev_ = nullptr;   // To attach (main thread).
    std::atomic<rte_vdpa_device *> registered_vdpa_{nullptr};  // Attached.
    int socket_id_;
    int requested_socket_id_;
    std::atomic<int> mtu_{1500};
    int requested_mtu_ = 1500;
    int requested_n_rxq_ = 1;
    int requested_n_txq_ = 1;
    int n_rxq_ = 1;
    std::atomic<int> n_txq_{1};
    MempoolRef mempool_;
    std::atomic<rte_mempool *> mp_{nullptr};  // mempool_->get(), for PMDs.

    std::mutex queue_mutex_;                // Queue states (event thread).
    TxQueueMap txq_map_{kMaxQueues};
    std::unique_ptr<std::atomic<bool>[]> rxq_enabled_;
    std::unique_ptr<SpinLock[]> txq_locks_;

    // Virtqueues by vring index (PMDs read the pointers), owned by
    // 'vq_store_'; created on first use, kept until the port goes.
    std::unique_ptr<std::atomic<VhostQueue *>[]> vqs_;
    std::vector<std::unique_ptr<VhostQueue>> vq_store_;
    std::unique_ptr<bool[]> vring_on_;      // Enabled by the guest.
    GuestMemory mem_;                       // Changed only while stopped.
    uint64_t features_ = 0;
    VhostPortConfig walker_config_;         // What the walkers run with.
    ZcSettings zc_;                         // mapping null: no zero-copy.
    std::string zc_status_ = "inactive (disabled)";
    bool walkers_suspended_ = false;        // By on_pre_msg().
    bool rings_changing_ = false;           // on_pre_msg() to on_post_msg().

    std::atomic<int> vid_{-1};
    std::atomic<bool> ready_{false};        // Device set up for traffic.
    std::atomic<bool> admin_up_{false};
    std::atomic<int> tx_retries_max_{VhostPortConfig::kTxRetriesDefault};
    VhostSwStats sw_stats_;

    std::array<uint8_t, 6> rarp_mac_{};
    std::atomic<bool> rarp_pending_{false};  // Set after rarp_mac_.

    GuestOffloads offloads_;                // Wanted (main thread).
    GuestOffloads registered_offloads_;     // The socket offers these.
    GuestOffloadStats offload_stats_;
    // From the negotiated features (walkers stopped): guest TX headers
    // become mbuf offloads; guest RX gets DATA_VALID.
    std::atomic<bool> rx_offload_{false};
    std::atomic<bool> tx_data_valid_{false};
    // VIRTIO_F_ACCESS_PLATFORM negotiated: what an IOTLB miss keeps out of
    // a guest RX queue waits in the queue's backlog (tx-backlog.h),
    // created on first use and used under the queue's TX spin lock.
    std::atomic<bool> viommu_{false};
    // rte_vhost's counters of each vring as last read ('mutex_').
    struct LibCounters {
        std::array<uint64_t, QueueStats::kCount> values{};
        bool valid = false;
    };
    std::vector<LibCounters> lib_counters_;
    // The vhost-user request being handled (event thread; on_pre_msg()).
    std::atomic<uint32_t> msg_request_{0};
    std::unique_ptr<std::atomic<TxBacklog *>[]> backlogs_;
    MbufChainSink chain_sink_{mp_};         // Guest TSO frames.
};

}  // namespace accel

#endif
