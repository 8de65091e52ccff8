#include "virtq/guest-mapping.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace accel {

std::shared_ptr<GuestMapping>
GuestMapping::create(const std::vector<RegionFile> &files,
                     Virt2Iova virt2iova, std::string &error)
{
    std::shared_ptr<GuestMapping> m(new GuestMapping);
    std::vector<MemRegion> regions;
    m->va_ = !virt2iova;

    for (const RegionFile &f : files) {
        if (f.fd < 0 || f.offset > f.map_size
            || f.size > f.map_size - f.offset) {
            error = "bad memory region";
            return nullptr;
        }
        // Only hugepages keep their physical address: on small pages the
        // kernel may move them, so no IOVA is claimed there (nor are they
        // populated).
        struct stat st;
        bool huge = !fstat(f.fd, &st) && st.st_blksize >= (2 << 20);
        void *p = mmap(nullptr, f.map_size, PROT_READ | PROT_WRITE,
                       MAP_SHARED | (virt2iova && huge ? MAP_POPULATE : 0),
                       f.fd, 0);
        if (p == MAP_FAILED) {
            error = std::string("mmap: ") + strerror(errno);
            return nullptr;
        }
        Map map;
        map.base = static_cast<uint8_t *>(p);
        map.len = f.map_size;
        map.start = map.base + f.offset;
        map.size = f.size;
        uint64_t page = uint64_t(st.st_blksize);
        if (virt2iova && huge && !(page & (page - 1))) {
            map.page_shift = __builtin_ctzll(page);
            for (uint64_t off = 0; off < map.len; off += page) {
                map.pages.push_back(virt2iova(map.base + off));
            }
        }
        regions.push_back({f.gpa, f.size, uint64_t(uintptr_t(map.start))});
        m->maps_.push_back(std::move(map));
    }
    m->memory_ = GuestMemory(std::move(regions));
    return m;
}

GuestMapping::~GuestMapping()
{
    for (const Map &m : maps_) {
        munmap(m.base, m.len);
    }
}

uint64_t
GuestMapping::pa_iova(const uint8_t *hva) const
{
    for (const Map &m : maps_) {
        if (hva >= m.base && hva < m.base + m.len) {
            if (m.pages.empty()) {
                return kBadIova;
            }
            uint64_t off = hva - m.base;
            uint64_t page = m.pages[off >> m.page_shift];
            return page == kBadIova
                   ? kBadIova
                   : page + (off & ((uint64_t(1) << m.page_shift) - 1));
        }
    }
    return kBadIova;
}

}  // namespace accel
