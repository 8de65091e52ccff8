// Mapping of OVS transmit queues onto the guest's enabled virtqueues.
//
// OVS may transmit on more queues than the guest enabled; every queue that
// is not enabled is mapped round-robin onto the enabled ones (as upstream
// netdev-dpdk does).  Written by the control path (vring state changes),
// read lock-free by the PMD threads.
#ifndef OVS_VHOST_ACCEL_VHOST_TX_QUEUE_MAP_H
#define OVS_VHOST_ACCEL_VHOST_TX_QUEUE_MAP_H

#include <atomic>
#include <memory>
#include <string>

namespace accel {

class TxQueueMap {
public:
    static constexpr int kUnknown = -1;   // Guest never reported a state.
    static constexpr int kDisabled = -2;  // No queue enabled at all.

    explicit TxQueueMap(int max_queues);

    int max_queues() const { return max_; }
    // Records the guest's state for queue 'qid' (not yet remapped).
    void set_state(int qid, bool enabled);
    // Forgets every state (device gone).
    void clear();
    // Enables queue 0 unless the guest disabled it explicitly.
    void default_queue0();
    // Recomputes the mapping of queues [0, n_txq).
    void remap(int n_txq);
    // Datapath lookup: the enabled queue to use for 'qid', or < 0.
    int lookup(int qid) const
    {
        return map_[qid].load(std::memory_order_relaxed);
    }
    std::string to_string(int n_txq) const;

private:
    int max_;
    std::unique_ptr<std::atomic<int>[]> map_;
};

}  // namespace accel

#endif
