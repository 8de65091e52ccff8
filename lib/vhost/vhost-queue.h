// One virtqueue of a vhost-user port, served either by the plugin's own
// split-ring walker (lib/virtq) or, where the walker cannot serve it
// (packed ring, vIOMMU), by rte_vhost's enqueue/dequeue.
//
// The control side (rte_vhost's event thread) switches a queue over in two
// steps around an RCU grace period, so that a PMD thread is never inside
// the walker while the ring, the memory map or the indices change:
//   stop()   -> PMDs take the rte_vhost path (or nothing) from now on;
//   ...        accel_rcu_synchronize() (no lock held);
//   hand_back() -> rte_vhost gets our ring indices (GET_VRING_BASE reads
//               them right after destroy_device).
#ifndef OVS_VHOST_ACCEL_VHOST_VHOST_QUEUE_H
#define OVS_VHOST_ACCEL_VHOST_VHOST_QUEUE_H

#include <atomic>
#include <cstdint>

#include "vhost/queue-stats.h"
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

class VhostQueue {
public:
    explicit VhostQueue(uint16_t vring) : vring_(vring), log_(this) {}
    VhostQueue(const VhostQueue &) = delete;
    VhostQueue &operator=(const VhostQueue &) = delete;

    uint16_t vring() const { return vring_; }

    // Control side.  attach() serves the ring with the walker if it can
    // (the queue must be stopped); returns why not otherwise.
    WalkerOff attach(int vid, const GuestMemory *mem, uint64_t features);
    bool stop();                // True if the walker was serving it.
    void hand_back(int vid);    // After stop() and an RCU grace period.
    WalkerOff off_reason() const { return off_; }

    // Datapath.
    bool walker() const { return on_.load(std::memory_order_acquire); }
    SplitQueue &ring() { return ring_; }
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

    const uint16_t vring_;
    std::atomic<bool> on_{false};
    bool stopped_with_walker_ = false;
    WalkerOff off_ = WalkerOff::kNotStarted;
    SplitQueue ring_;
    QueueStats stats_;
    RteDirtyLog log_;
};

}  // namespace accel

#endif
