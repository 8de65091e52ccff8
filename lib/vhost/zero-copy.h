// The DPDK side of dequeue zero-copy for one guest TX queue: turns frames
// the ring walker lends (lib/virtq) into mbufs with an external buffer in
// our own mapping of guest memory, and gets them back when whichever
// thread frees them does so.
//
// An arena lives as long as anything uses it: the queue that owns it, then
// until its last lent packet is freed.  So a packet freed after its port,
// device or guest mapping went away still finds its slot, and the memory
// it points to stays mapped (GuestMapping) until then.  Lending and freeing
// a packet take no atomic read-modify-write (each cost ~12 cycles/packet on
// the PMD): a freed packet only sets its slot's flag, and an arena its owner
// left with packets still out waits in a retired list that the main thread
// collects (ZcArena::collect()).
#ifndef OVS_VHOST_ACCEL_VHOST_ZERO_COPY_H
#define OVS_VHOST_ACCEL_VHOST_ZERO_COPY_H

#include <atomic>
#include <cstdint>
#include <memory>

#include <rte_mbuf.h>

#include "virtq/guest-mapping.h"
#include "virtq/inflight.h"
#include "virtq/split-queue.h"

namespace accel {

class ZcArena {
public:
    // Starts with the owner's reference.
    ZcArena(std::shared_ptr<GuestMapping> mapping, uint16_t capacity);
    ZcArena(const ZcArena &) = delete;
    ZcArena &operator=(const ZcArena &) = delete;

    InflightTable &table() { return table_; }

    // Makes 'm' (fresh from a pool) carry the lent frame of 'b'.  (Inline:
    // it runs per lent packet.)
    void attach(rte_mbuf *m, const RxBuf &b);

    // The owner is done with the arena: it goes now if every lent packet
    // came back, else once they have (collect()).
    void release();
    // Main thread: deletes the retired arenas whose packets all came back.
    // Returns how many remain.
    static size_t collect();

private:
    struct SlotRef {
        ZcArena *arena;
        int slot;
    };
    ~ZcArena() = default;
    static void free_cb(void *addr, void *opaque);

    std::atomic<uint32_t> refs_{1};
    std::shared_ptr<GuestMapping> mapping_;
    InflightTable table_;
    std::unique_ptr<rte_mbuf_ext_shared_info[]> shinfo_;
    std::unique_ptr<SlotRef[]> refs_by_slot_;
};

inline void
ZcArena::attach(rte_mbuf *m, const RxBuf &b)
{
    rte_mbuf_ext_shared_info *sh = &shinfo_[b.zc_slot];
    rte_mbuf_ext_refcnt_set(sh, 1);
    uint8_t *buf = b.zc_data - b.zc_headroom;
    uint64_t iova = mapping_->iova(buf);
    rte_pktmbuf_attach_extbuf(m, buf,
                              iova == kBadIova ? RTE_BAD_IOVA : iova,
                              uint16_t(b.zc_headroom + b.len), sh);
    m->data_off = uint16_t(b.zc_headroom);
    m->data_len = uint16_t(b.len);
    m->pkt_len = b.len;
}

}  // namespace accel

#endif
