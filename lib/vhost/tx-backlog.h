// Packets for a guest RX queue that rte_vhost could not enqueue yet because
// a buffer's guest IOVA missed the IOTLB (vIOMMU ports only).
//
// rte_vhost then asks the front-end for the translation over the backend
// channel and returns; the answer (VHOST_IOTLB_UPDATE) comes back on the
// control thread, under TCG often milliseconds later.  OVS's own retries
// (tx-retries-max, immediately, on the same PMD iteration) are long over
// by then and upstream drops the packets.  A Linux guest with intel_iommu
// unmaps its RX buffers after use and invalidates the whole IOTLB on every
// lazy flush, so nearly every packet after a quiet moment missed: 65-97 %
// of the pings were lost.  The backlog keeps such packets, in order, and
// the PMD threads retry them before any newer packet of the queue and on
// every poll of the queue pair's RX side, until they are in or too old.
//
// One per guest RX queue, used only under that queue's TX spin lock.  Pure
// C++ (unit-testable): the packets are opaque pointers, sending and freeing
// are the caller's.
#ifndef OVS_VHOST_ACCEL_VHOST_TX_BACKLOG_H
#define OVS_VHOST_ACCEL_VHOST_TX_BACKLOG_H

#include <algorithm>
#include <array>
#include <cstdint>

struct rte_mbuf;

namespace accel {

class TxBacklog {
public:
    static constexpr int kCapacity = 256;

    bool empty() const { return count_ == 0; }
    int count() const { return count_; }

    // Offers the held packets to 'send(pkts, n)', which returns how many of
    // the first 'n' it took (and owns now), oldest first, until it takes
    // fewer than offered.  Progress restarts the age clock at 'now'.
    // Returns the number sent.
    template <typename Send>
    int flush(Send &&send, uint64_t now)
    {
        int sent = 0;
        while (count_) {
            int n = std::min(count_, kCapacity - head_);
            int took = send(&pkts_[head_], n);
            took = std::max(0, std::min(took, n));
            head_ = (head_ + took) % kCapacity;
            count_ -= took;
            sent += took;
            if (took < n) {
                break;
            }
        }
        if (sent) {
            since_ = now;
        }
        if (!count_) {
            head_ = 0;
        }
        return sent;
    }

    // Appends 'n' packets (oldest first); returns how many it kept: the
    // rest do not fit and stay the caller's.
    int push(rte_mbuf *const *pkts, int n, uint64_t now)
    {
        if (!count_) {
            since_ = now;
        }
        int kept = std::min(n, kCapacity - count_);
        for (int i = 0; i < kept; i++) {
            pkts_[(head_ + count_ + i) % kCapacity] = pkts[i];
        }
        count_ += kept;
        return kept;
    }

    // True if held packets made no progress for more than 'timeout'.
    bool expired(uint64_t now, uint64_t timeout) const
    {
        return count_ && now - since_ > timeout;
    }

    // Hands every held packet to 'drop(pkts, n)'; returns how many.
    template <typename Drop>
    int clear(Drop &&drop)
    {
        int n = count_;
        while (count_) {
            int k = std::min(count_, kCapacity - head_);
            drop(&pkts_[head_], k);
            head_ = (head_ + k) % kCapacity;
            count_ -= k;
        }
        head_ = 0;
        return n;
    }

private:
    std::array<rte_mbuf *, kCapacity> pkts_{};
    int head_ = 0;
    int count_ = 0;
    uint64_t since_ = 0;    // Oldest packet's arrival or the last progress.
};

}  // namespace accel

#endif
