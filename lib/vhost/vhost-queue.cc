#include "vhost/vhost-queue.h"

#include <algorithm>

#include <rte_cycles.h>
#include <rte_vhost.h>

namespace accel {

const char *
walker_off_reason(WalkerOff r)
{
    switch (r) {
    case WalkerOff::kNone: return "none";
    case WalkerOff::kNotStarted: return "not started";
    case WalkerOff::kPackedRing: return "packed ring";
    case WalkerOff::kViommu: return "viommu";
    case WalkerOff::kBadRing: return "ring not mapped";
    }
    return "unknown";
}

WalkerOff
VhostQueue::attach(int vid, const GuestMemory *mem, uint64_t features,
                   const ZcSettings *zc)
{
    if (virtio::has_feature(features, virtio::kFRingPacked)) {
        return off_ = WalkerOff::kPackedRing;
    }
    if (virtio::has_feature(features, virtio::kFAccessPlatform)) {
        return off_ = WalkerOff::kViommu;
    }
    rte_vhost_vring vr;
    if (rte_vhost_get_vhost_vring(vid, vring_, &vr)) {
        return off_ = WalkerOff::kBadRing;
    }
    VringAddrs a;
    a.desc = reinterpret_cast<virtio::Desc *>(vr.desc);
    a.avail = reinterpret_cast<virtio::Avail *>(vr.avail);
    a.used = reinterpret_cast<virtio::Used *>(vr.used);
    a.size = vr.size;
    a.callfd = vr.callfd;
    // (The indices do not matter yet: take_over() reads them again.)
    if (!ring_.attach(a, mem, features, 0, 0)) {
        return off_ = WalkerOff::kBadRing;
    }
    ring_.detach();
    vid_ = vid;
    addrs_ = a;
    mem_ = mem;
    features_ = features;
    log_.vid = vid;
    ring_.set_dirty_log(virtio::has_feature(features, virtio::kFLogAll)
                        ? &log_ : nullptr);
    if (zc && zc->mapping) {
        uint16_t bound = std::min<uint16_t>(vr.size / 2, kMaxZcInflight);
        arena_ = new ZcArena(zc->mapping, std::max<uint16_t>(bound, 1));
        zc_min_len_ = zc->min_len;
        zc_max_hold_ = zc->max_hold;
    }
    off_ = WalkerOff::kNone;
    owner_.store(kWalkerPending, std::memory_order_release);
    return off_;
}

VhostQueue::Owner
VhostQueue::take_over()
{
    uint16_t last_avail, last_used;
    if (rte_vhost_get_vring_base(vid_, vring_, &last_avail, &last_used)
        || !ring_.attach(addrs_, mem_, features_, last_avail, last_used)) {
        return kRteVhost;               // Try again at the next burst.
    }
    if (arena_) {
        ring_.set_zero_copy(&arena_->table(), zc_min_len_, zc_max_hold_,
                            [] { return uint64_t(rte_get_tsc_cycles()); });
    }
    // stop() may have taken the ring meanwhile: then it stays stopped.
    Owner expected = kWalkerPending;
    if (owner_.compare_exchange_strong(expected, kWalker)) {
        return kWalker;
    }
    ring_.detach();
    return expected;
}

bool
VhostQueue::stop()
{
    // Nobody serves the ring until hand_back(); seq_cst: pairs with enter().
    // (kWalkerPending: rte_vhost's indices are still the right ones.)
    bool was = owner_.exchange(kNobody) == kWalker;
    while (busy_.load(std::memory_order_acquire)) {
        ovs_vhost_accel_cpu_relax();    // At most one burst.
    }
    if (arena_) {
        // Lent frames: give the holders a moment to free them, then give
        // every descriptor back before the ring changes hands.  A frame
        // still held after that stays valid memory (our own mapping); the
        // guest may reuse its buffer, as the trust model says.
        uint64_t deadline = rte_get_tsc_cycles() + rte_get_tsc_hz() / 500;
        while (arena_->table().in_flight()
               && rte_get_tsc_cycles() < deadline) {
            ring_.reap_zero_copy(false);
        }
        ring_.reap_zero_copy(true);
        ring_.set_zero_copy(nullptr, 0, 0);
        arena_->release();
        arena_ = nullptr;
        zc_in_flight_.store(0);
    }
    stopped_with_walker_ |= was;
    off_ = WalkerOff::kNotStarted;
    return was;
}

int
VhostQueue::hand_back(int vid)
{
    int mismatch = -1;
    if (stopped_with_walker_) {
        stopped_with_walker_ = false;
        rte_vhost_set_vring_base(vid, vring_, ring_.last_avail(),
                                 ring_.last_used());
        if (ring_.ring_used_idx() != ring_.last_used()) {
            mismatch = ring_.ring_used_idx();
        }
        ring_.detach();
    }
    owner_.store(kRteVhost, std::memory_order_release);
    return mismatch;
}

void
VhostQueue::RteDirtyLog::guest_write(uint64_t gpa, uint64_t len)
{
    rte_vhost_log_write(vid, gpa, len);
}

void
VhostQueue::RteDirtyLog::used_write(uint64_t offset, uint64_t len)
{
    rte_vhost_log_used_vring(vid, q_->vring_, offset, len);
}

}  // namespace accel
