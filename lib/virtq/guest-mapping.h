// Our own mapping of the guest's memory files, for zero-copy packets.
//
// rte_vhost unmaps its mapping of guest memory when the guest goes away or
// changes its memory table, whatever packets still point into it.  A
// zero-copy packet may outlive that (it can sit in another port's queue),
// so the walker maps the same files again and lends packets from this
// mapping, which is unmapped only when its last user lets go
// (std::shared_ptr).  Same physical pages: no memory is copied.
#ifndef OVS_VHOST_ACCEL_VIRTQ_GUEST_MAPPING_H
#define OVS_VHOST_ACCEL_VIRTQ_GUEST_MAPPING_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "virtq/guest-memory.h"

namespace accel {

// One region as rte_vhost maps it: 'size' guest bytes at 'gpa', which are
// at 'offset' bytes into the 'map_size' bytes mapped from 'fd'.
struct RegionFile {
    uint64_t gpa;
    uint64_t size;
    int fd;
    uint64_t map_size;
    uint64_t offset;
};

// How to find the IO address of a host virtual address (rte_mem_virt2iova
// in PA mode); nullptr when IO addresses are virtual addresses.
using Virt2Iova = uint64_t (*)(const void *);
constexpr uint64_t kBadIova = UINT64_MAX;

class GuestMapping {
public:
    static std::shared_ptr<GuestMapping> create(
        const std::vector<RegionFile> &files, Virt2Iova virt2iova,
        std::string &error);
    ~GuestMapping();
    GuestMapping(const GuestMapping &) = delete;
    GuestMapping &operator=(const GuestMapping &) = delete;

    const GuestMemory &memory() const { return memory_; }

    // IO address of 'hva' (inside this mapping) for a NIC's DMA, or
    // kBadIova where unknown (PA mode on small pages).
    uint64_t iova(const uint8_t *hva) const
    {
        return va_ ? uint64_t(uintptr_t(hva)) : pa_iova(hva);
    }

private:
    struct Map {
        uint8_t *base = nullptr;        // mmap() result.
        uint64_t len = 0;
        uint8_t *start = nullptr;       // base + offset: the region.
        uint64_t size = 0;
        int page_shift = 0;             // log2(page size), for 'pages'
                                        // (a shift: iova() runs per lent
                                        // packet, a division cost ~30
                                        // cycles).
        std::vector<uint64_t> pages;    // PA mode: IOVA of each page.
    };

    GuestMapping() = default;
    uint64_t pa_iova(const uint8_t *hva) const;

    std::vector<Map> maps_;
    GuestMemory memory_;
    bool va_ = true;
};

}  // namespace accel

#endif
