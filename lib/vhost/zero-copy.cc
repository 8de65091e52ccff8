#include "vhost/zero-copy.h"

namespace accel {

ZcArena::ZcArena(std::shared_ptr<GuestMapping> mapping, uint16_t capacity)
    : mapping_(std::move(mapping)), table_(capacity),
      shinfo_(new rte_mbuf_ext_shared_info[capacity]),
      refs_by_slot_(new SlotRef[capacity])
{
    for (uint16_t i = 0; i < capacity; i++) {
        refs_by_slot_[i] = SlotRef{this, i};
        shinfo_[i].free_cb = free_cb;
        shinfo_[i].fcb_opaque = &refs_by_slot_[i];
        rte_mbuf_ext_refcnt_set(&shinfo_[i], 0);
    }
}

void
ZcArena::attach(rte_mbuf *m, const RxBuf &b)
{
    rte_mbuf_ext_shared_info *sh = &shinfo_[b.zc_slot];
    rte_mbuf_ext_refcnt_set(sh, 1);
    refs_.fetch_add(1, std::memory_order_relaxed);
    uint8_t *buf = b.zc_data - b.zc_headroom;
    uint64_t iova = mapping_->iova(buf);
    rte_pktmbuf_attach_extbuf(m, buf,
                              iova == kBadIova ? RTE_BAD_IOVA : iova,
                              uint16_t(b.zc_headroom + b.len), sh);
    m->data_off = uint16_t(b.zc_headroom);
    m->data_len = uint16_t(b.len);
    m->pkt_len = b.len;
}

void
ZcArena::free_cb(void *addr, void *opaque)
{
    (void) addr;
    SlotRef *ref = static_cast<SlotRef *>(opaque);
    ref->arena->table_.complete(ref->slot);
    ref->arena->release();
}

void
ZcArena::release()
{
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        delete this;
    }
}

}  // namespace accel
