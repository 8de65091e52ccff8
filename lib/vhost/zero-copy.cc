#include "vhost/zero-copy.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace accel {

namespace {

std::mutex retired_mutex;
// Owner gone, packets still out.  Never destroyed: what is left at exit
// stays reachable.
std::vector<ZcArena *> &retired = *new std::vector<ZcArena *>;

}  // namespace

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
ZcArena::free_cb(void *addr, void *opaque)
{
    (void) addr;
    // The last touch of the arena: collect() may delete it once it sees
    // the flag.
    SlotRef *ref = static_cast<SlotRef *>(opaque);
    ref->arena->table_.complete(ref->slot);
}

void
ZcArena::release()
{
    if (table_.all_back()) {
        delete this;
        return;
    }
    std::lock_guard<std::mutex> guard(retired_mutex);
    retired.push_back(this);
}

size_t
ZcArena::collect()
{
    std::lock_guard<std::mutex> guard(retired_mutex);
    auto gone = std::remove_if(retired.begin(), retired.end(),
                               [](ZcArena *a) {
                                   if (!a->table_.all_back()) {
                                       return false;
                                   }
                                   delete a;
                                   return true;
                               });
    retired.erase(gone, retired.end());
    return retired.size();
}

}  // namespace accel
