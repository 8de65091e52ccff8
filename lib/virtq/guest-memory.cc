#include "virtq/guest-memory.h"

#include <algorithm>

namespace accel {

GuestMemory::GuestMemory(std::vector<MemRegion> regions)
{
    // Drop empty regions and those whose end wraps around: translate()
    // relies on gpa + size and hva + size not overflowing.
    for (const MemRegion &r : regions) {
        if (r.size && r.gpa + r.size > r.gpa && r.hva + r.size > r.hva) {
            regions_.push_back(r);
        }
    }
    // Largest first: the hot path finds the usual single big region at once.
    std::stable_sort(regions_.begin(), regions_.end(),
                     [](const MemRegion &a, const MemRegion &b) {
                         return a.size > b.size;
                     });
}

}  // namespace accel
