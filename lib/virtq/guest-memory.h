// The guest's memory as the vhost-user front-end mapped it for us: a small
// set of regions, guest-physical address -> host virtual address.  Every
// address a guest writes into a ring goes through translate(), which never
// returns a pointer outside a mapped region.
#ifndef OVS_VHOST_ACCEL_VIRTQ_GUEST_MEMORY_H
#define OVS_VHOST_ACCEL_VIRTQ_GUEST_MEMORY_H

#include <cstdint>
#include <vector>

namespace accel {

struct MemRegion {
    uint64_t gpa;       // Guest physical start.
    uint64_t size;      // Bytes.
    uint64_t hva;       // Host virtual start (our mapping).
};

class GuestMemory {
public:
    GuestMemory() = default;
    explicit GuestMemory(std::vector<MemRegion> regions);

    bool empty() const { return regions_.empty(); }
    const std::vector<MemRegion> &regions() const { return regions_; }

    // Host address of 'gpa' if it lies in a region, with '*contiguous' set
    // to how many of the 'len' bytes from there are in the same region
    // (1..len); nullptr if 'gpa' is not mapped or 'len' is 0.
    uint8_t *translate(uint64_t gpa, uint64_t len,
                       uint64_t *contiguous) const
    {
        for (const MemRegion &r : regions_) {
            uint64_t off = gpa - r.gpa;     // Wraps when gpa < r.gpa.
            if (gpa >= r.gpa && off < r.size && len) {
                uint64_t room = r.size - off;
                *contiguous = len < room ? len : room;
                return reinterpret_cast<uint8_t *>(r.hva + off);
            }
        }
        return nullptr;
    }

    // Host address of [gpa, gpa + len) if all of it is in one region.
    uint8_t *translate_all(uint64_t gpa, uint64_t len) const
    {
        uint64_t contiguous;
        uint8_t *p = translate(gpa, len, &contiguous);
        return p && contiguous == len ? p : nullptr;
    }

private:
    std::vector<MemRegion> regions_;
};

}  // namespace accel

#endif
