// A guest's side of a split virtqueue in plain memory, for unit tests of
// the ring code: guest "physical" addresses start at kGpaBase and may be
// split into two regions mapped at unrelated host addresses.
#ifndef OVS_VHOST_ACCEL_TESTS_FAKE_GUEST_H
#define OVS_VHOST_ACCEL_TESTS_FAKE_GUEST_H

#include <cstdint>
#include <cstring>
#include <vector>

#include "virtq/guest-memory.h"
#include "virtq/split-queue.h"
#include "virtq/virtio-ring.h"

namespace accel {
namespace test {

class FakeGuest {
public:
    static constexpr uint64_t kGpaBase = 0x40000000;
    static constexpr uint64_t kRegion = 1 << 20;   // Each of 2 regions.

    explicit FakeGuest(uint16_t qsize = 256)
        : size_(qsize), lo_(kRegion + 4096), hi_(kRegion + 4096)
    {
        // Two regions, guest-contiguous, host-discontiguous.
        regions_.push_back({kGpaBase, kRegion, host_base(lo_)});
        regions_.push_back({kGpaBase + kRegion, kRegion, host_base(hi_)});
        mem_ = GuestMemory(regions_);
        // Rings at the start of the first region, buffers after.
        desc_gpa_ = kGpaBase;
        avail_gpa_ = desc_gpa_ + 16 * size_;
        used_gpa_ = align(avail_gpa_ + 6 + 2 * size_, 4096);
        next_buf_ = align(used_gpa_ + 6 + 8 * size_, 4096);
    }

    const GuestMemory &mem() const { return mem_; }
    uint16_t size() const { return size_; }

    VringAddrs addrs(int callfd = -1)
    {
        VringAddrs a;
        a.desc = reinterpret_cast<virtio::Desc *>(hva(desc_gpa_));
        a.avail = reinterpret_cast<virtio::Avail *>(hva(avail_gpa_));
        a.used = reinterpret_cast<virtio::Used *>(hva(used_gpa_));
        a.size = size_;
        a.callfd = callfd;
        return a;
    }

    uint8_t *hva(uint64_t gpa)
    {
        uint64_t c;
        return mem_.translate(gpa, 1, &c);
    }

    // Guest buffer allocation (never freed: tests are short).
    uint64_t alloc(uint32_t len, uint32_t align_to = 64)
    {
        next_buf_ = align(next_buf_, align_to);
        uint64_t gpa = next_buf_;
        next_buf_ += len;
        return gpa;
    }
    // A buffer that straddles the boundary between the two regions.
    uint64_t alloc_straddling(uint32_t len)
    {
        return kGpaBase + kRegion - len / 2;
    }

    void write(uint64_t gpa, const void *data, uint32_t len)
    {
        const uint8_t *p = static_cast<const uint8_t *>(data);
        for_each_piece(gpa, len, [&](uint8_t *h, uint64_t c) {
            memcpy(h, p, c);
            p += c;
        });
    }
    std::vector<uint8_t> read(uint64_t gpa, uint32_t len)
    {
        std::vector<uint8_t> out(len);
        uint8_t *p = out.data();
        for_each_piece(gpa, len, [&](uint8_t *h, uint64_t c) {
            memcpy(p, h, c);
            p += c;
        });
        return out;
    }

    virtio::Desc &desc(uint16_t i) { return addrs().desc[i]; }
    void set_desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
                  uint16_t next = 0)
    {
        desc(i) = virtio::Desc{addr, len, flags, next};
    }

    // Makes descriptor 'head' available.
    void post(uint16_t head)
    {
        virtio::Avail *a = addrs().avail;
        a->ring[a->idx % size_] = head;
        a->idx++;
    }
    void set_avail_idx(uint16_t idx) { addrs().avail->idx = idx; }
    void set_avail_flags(uint16_t f) { addrs().avail->flags = f; }
    void set_used_event(uint16_t v) { addrs().avail->ring[size_] = v; }

    uint16_t used_idx() { return addrs().used->idx; }
    virtio::UsedElem used(uint16_t i) { return addrs().used->ring[i % size_]; }

    // A TX packet in one descriptor: virtio-net header (12 B) + frame.
    uint16_t post_tx(uint16_t d, const std::vector<uint8_t> &frame)
    {
        uint64_t gpa = alloc(12 + frame.size());
        uint8_t hdr[12] = {};
        write(gpa, hdr, 12);
        write(gpa + 12, frame.data(), frame.size());
        set_desc(d, gpa, 12 + frame.size(), 0);
        post(d);
        return d;
    }

    // An RX buffer of 'len' bytes in descriptor 'd'.
    uint64_t post_rx(uint16_t d, uint32_t len)
    {
        uint64_t gpa = alloc(len);
        set_desc(d, gpa, len, virtio::kDescFWrite);
        post(d);
        return gpa;
    }

    static std::vector<uint8_t> frame(uint32_t len, uint8_t seed)
    {
        std::vector<uint8_t> f(len);
        for (uint32_t i = 0; i < len; i++) {
            f[i] = uint8_t(seed + i * 7);
        }
        return f;
    }

private:
    // Calls fn(host, bytes) for each piece of [gpa, gpa + len) that is
    // contiguous in host memory.
    template <typename F>
    void for_each_piece(uint64_t gpa, uint32_t len, F &&fn)
    {
        while (len) {
            uint64_t c;
            uint8_t *h = mem_.translate(gpa, len, &c);
            fn(h, c);
            gpa += c;
            len -= uint32_t(c);
        }
    }

    static uint64_t align(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
    static uint64_t host_base(std::vector<uint8_t> &v)
    {
        return align(reinterpret_cast<uint64_t>(v.data()), 4096);
    }

    uint16_t size_;
    std::vector<uint8_t> lo_, hi_;
    std::vector<MemRegion> regions_;
    GuestMemory mem_;
    uint64_t desc_gpa_, avail_gpa_, used_gpa_, next_buf_;
};

}  // namespace test
}  // namespace accel

#endif
