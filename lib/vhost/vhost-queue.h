// One virtqueue of a vhost-user port, served either by the plugin's own
// split-ring walker (lib/virtq) or, where the walker cannot serve it
// (packed ring, vIOMMU), by rte_vhost's enqueue/dequeue.
//
// The control side (rte_vhost's event thread) switches a queue over
// without waiting for an RCU grace period: rte_vhost calls it with its
// virtqueue locks held, and a PMD thread spinning on one of those locks
// inside rte_vhost_enqueue_burst() would never quiesce.  Instead the PMD
// marks the queue busy around each walker burst (enter()/leave(), a
// Dekker-style flag: one store and one fence per burst) and stop() waits
// for the current burst only, which never waits on rte_vhost.  After
// stop(), hand_back() gives rte_vhost our ring indices (GET_VRING_BASE
// reads them right after destroy_device).
//
// The other way round, the control side only prepares the walker
// (attach()); the datapath thread takes the ring over at its next enter()
// with the indices rte_vhost has then.  Taking them on the control side
// would race with a burst already inside rte_vhost (e.g. an enqueue
// spinning on the virtqueue lock the control side holds): that burst
// would then write the used ring behind the walker's back.
#ifndef OVS_VHOST_ACCEL_VHOST_VHOST_QUEUE_H
#define OVS_VHOST_ACCEL_VHOST_VHOST_QUEUE_H

#include <atomic>
#include <cstdint>

#include "common/compiler.h"
#include "vhost/queue-stats.h"
#include "vhost/zero-copy.h"
#include "virtq/guest-mapping.h"
#include "virtq/split-queue.h"

namespace accel {

// Why a queue is not served by the walker.
enum class WalkerOff : uint8_t {
    kNone,              // Served by the walker.
    kNotStarted,        // No guest device yet.
    kPackedRing,
    kViommu,            // VIRTIO_F_IOMMU_PLATFORM: no public IOVA lookup.
    kBadRing,           // rte_vhost has no usable ring addresses.
};
const char *walker_off_reason(WalkerOff);

// Dequeue zero-copy for a guest TX queue.
struct ZcSettings {
    std::shared_ptr<GuestMapping> mapping;  // Our own map of guest memory.
    uint32_t min_len = 0;                   // Copy frames below this.
    uint64_t max_hold = 0;                  // TSC ticks.
};

class VhostQueue {
public:
    // Most frames one guest TX queue lends at a time (and half its ring).
    static constexpr uint16_t kMaxZcInflight = 256;

    explicit VhostQueue(uint16_t vring) : vring_(vring), log_(this) {}
    VhostQueue(const VhostQueue &) = delete;
    VhostQueue &operator=(const VhostQueue &) = delete;

    uint16_t vring() const { return vring_; }

    // Control side.  attach() serves the ring with the walker if it can
    // (the queue must be stopped); returns why not otherwise.
    // With 'zc' (guest TX queues only), frames may be lent zero-copy.
    WalkerOff attach(int vid, const GuestMemory *mem, uint64_t features,
                     const ZcSettings *zc = nullptr);
    bool stop();                // True if the walker was serving it.
    // After stop().  Returns the used index in the guest's ring if it is
    // not the one handed back (a bug: rte_vhost would then reset both its
    // indices at the next SET_VRING_ADDR), -1 otherwise.
    int hand_back(int vid);
    WalkerOff off_reason() const { return off_; }

    // The PMD publishes the number of lent frames after each burst.
    void set_zc_in_flight(uint16_t n)
    {
        zc_in_flight_.store(n, std::memory_order_relaxed);
    }

    // Who may touch the ring.  Between stop() and hand_back() nobody: the
    // walker is draining or handing its indices over, and rte_vhost's are
    // stale (its burst would write the used ring under ours).
    // kWalkerPending: attached, rte_vhost's until the datapath takes over.
    enum Owner : uint8_t { kRteVhost, kWalker, kNobody, kWalkerPending };

    // Datapath: if enter() returns kWalker the walker serves the queue
    // until leave(); kRteVhost: use rte_vhost; kNobody: skip this poll.
    // One thread at a time (the rxq's PMD, or the TX lock holder).
    Owner enter()
    {
        busy_.store(true, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_seq_cst);
        Owner o = owner_.load(std::memory_order_relaxed);
        if (OVS_VHOST_ACCEL_LIKELY(o == kWalker)) {
            return o;
        }
        if (o == kWalkerPending) {
            o = take_over();
            if (o == kWalker) {
                return o;
            }
        }
        busy_.store(false, std::memory_order_release);
        return o;
    }
    void leave() { busy_.store(false, std::memory_order_release); }
    // Served by the walker, or about to be.
    bool walker() const
    {
        Owner o = owner_.load(std::memory_order_acquire);
        return o == kWalker || o == kWalkerPending;
    }
    SplitQueue &ring() { return ring_; }
    ZcArena *arena() { return arena_; }     // Null: no zero-copy.
    uint16_t zc_in_flight() const { return zc_in_flight_.load(); }
    QueueStats &stats() { return stats_; }
    const QueueStats &stats() const { return stats_; }
    const SplitQueue &ring() const { return ring_; }

private:
    // Dirty logging through rte_vhost while the guest migrates.
    class RteDirtyLog : public DirtyLog {
    public:
        explicit RteDirtyLog(VhostQueue *q) : q_(q) {}
        void guest_write(uint64_t gpa, uint64_t len) override;
        void used_write(uint64_t offset, uint64_t len) override;
        int vid = -1;

    private:
        VhostQueue *q_;
    };

    // enter() on a kWalkerPending queue: starts the walker from
    // rte_vhost's indices, as no rte_vhost burst can be running now.
    Owner take_over();

    const uint16_t vring_;
    // What attach() prepared for take_over().
    int vid_ = -1;
    VringAddrs addrs_;
    const GuestMemory *mem_ = nullptr;
    uint64_t features_ = 0;
    uint32_t zc_min_len_ = 0;
    uint64_t zc_max_hold_ = 0;
    std::atomic<Owner> owner_{kRteVhost};
    std::atomic<bool> busy_{false};
    bool stopped_with_walker_ = false;
    WalkerOff off_ = WalkerOff::kNotStarted;
    SplitQueue ring_;
    ZcArena *arena_ = nullptr;
    std::atomic<uint16_t> zc_in_flight_{0};  // Gauge, for statistics.
    QueueStats stats_;
    RteDirtyLog log_;
};

}  // namespace accel

#endif
