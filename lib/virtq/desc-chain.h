// Reads one descriptor chain of a split virtqueue into a list of host
// memory segments, treating everything the guest wrote as hostile: each
// descriptor is read once into a local copy, indices are checked against
// the table size, the chain may not be longer than its table (no loops),
// indirect tables are checked (size, alignment, mapping, no nesting) and
// every buffer must lie in mapped guest memory.
#ifndef OVS_VHOST_ACCEL_VIRTQ_DESC_CHAIN_H
#define OVS_VHOST_ACCEL_VIRTQ_DESC_CHAIN_H

#include <cstdint>

#include "virtq/guest-memory.h"
#include "virtq/virtio-ring.h"

namespace accel {

enum class ChainError : uint8_t {
    kNone = 0,
    kBadHead,           // Head index >= ring size.
    kBadNext,           // 'next' outside the (indirect) table.
    kLoop,              // More descriptors than the table holds.
    kBadIndirect,       // Indirect not negotiated, nested, bad size/address.
    kBadAddress,        // Buffer not in mapped guest memory.
    kWrongDirection,    // Device-writable buffer where we read, or reverse.
    kTooManySegments,   // More than SegmentList::kMax pieces.
};
const char *chain_error_name(ChainError);
constexpr int kChainErrorCount = 8;

struct Segment {
    uint8_t *hva;
    uint64_t gpa;
    uint32_t len;
};

// The host memory pieces of one or more chains (mergeable RX buffers use
// several chains for one packet).
struct SegmentList {
    static constexpr uint32_t kMax = 256;
    Segment seg[kMax];
    uint32_t n = 0;
    uint64_t bytes = 0;

    void clear() { n = 0; bytes = 0; }
};

class ChainReader {
public:
    // Longest indirect table accepted (Linux uses at most ~20 entries).
    static constexpr uint32_t kMaxIndirect = 1024;

    ChainReader() = default;
    ChainReader(const virtio::Desc *table, uint16_t size,
                const GuestMemory *mem, bool indirect)
        : table_(table), size_(size), mem_(mem), indirect_(indirect) {}

    // Appends the segments of the chain that starts at 'head' to 'out'.
    // 'writable' is the direction we expect (true: we write into the guest
    // buffers).  Zero-length descriptors are skipped.  On error 'out' may
    // hold part of the chain.
    ChainError read(uint32_t head, bool writable, SegmentList &out) const;

    // The common case, without a segment list: the chain at 'head' is one
    // descriptor in the expected direction whose buffer lies in one
    // region.  Returns false for anything else (then read() decides:
    // it reads the descriptor again, so nothing read here is trusted).
    bool read_single(uint32_t head, bool writable, Segment *out) const
    {
        if (head >= size_) {
            return false;
        }
        virtio::Desc d = load(&table_[head]);
        uint16_t want = writable ? virtio::kDescFWrite : 0;
        if (d.flags != want || !d.len) {
            return false;
        }
        uint8_t *hva = mem_->translate_all(d.addr, d.len);
        if (!hva) {
            return false;
        }
        *out = Segment{hva, d.addr, d.len};
        return true;
    }

private:
    // One volatile copy of a descriptor: the guest may change it under us.
    static virtio::Desc load(const virtio::Desc *d)
    {
        const volatile uint64_t *w
            = reinterpret_cast<const volatile uint64_t *>(d);
        uint64_t w0 = w[0], w1 = w[1];
        virtio::Desc out;
        out.addr = w0;
        out.len = uint32_t(w1);
        out.flags = uint16_t(w1 >> 32);
        out.next = uint16_t(w1 >> 48);
        return out;
    }

    const virtio::Desc *table_ = nullptr;
    uint16_t size_ = 0;
    const GuestMemory *mem_ = nullptr;
    bool indirect_ = false;
};

// Inline: it runs once per packet.
inline ChainError
ChainReader::read(uint32_t head, bool writable, SegmentList &out) const
{
    if (head >= size_) {
        return ChainError::kBadHead;
    }
    const virtio::Desc *table = table_;
    uint32_t table_size = size_;
    virtio::Desc d = load(&table[head]);

    if (d.flags & virtio::kDescFIndirect) {
        // The whole chain is in a table of its own (virtio 1.1, 2.7.5.3):
        // a ring descriptor that is INDIRECT must not also be NEXT.
        if (!indirect_ || d.flags & virtio::kDescFNext
            || !d.len || d.len % sizeof(virtio::Desc)
            || d.len / sizeof(virtio::Desc) > kMaxIndirect
            || d.addr % alignof(uint64_t)) {
            return ChainError::kBadIndirect;
        }
        table = reinterpret_cast<const virtio::Desc *>(
            mem_->translate_all(d.addr, d.len));
        if (!table) {
            return ChainError::kBadIndirect;
        }
        table_size = d.len / sizeof(virtio::Desc);
        d = load(&table[0]);
    }

    for (uint32_t budget = table_size; ; ) {
        if (!budget--) {
            return ChainError::kLoop;
        }
        if (d.flags & virtio::kDescFIndirect) {
            return ChainError::kBadIndirect;        // Nested or mixed.
        }
        if (bool(d.flags & virtio::kDescFWrite) != writable) {
            return ChainError::kWrongDirection;
        }
        uint64_t gpa = d.addr;
        uint64_t left = d.len;
        while (left) {
            uint64_t chunk;
            uint8_t *hva = mem_->translate(gpa, left, &chunk);
            if (!hva) {
                return ChainError::kBadAddress;
            }
            if (out.n == SegmentList::kMax) {
                return ChainError::kTooManySegments;
            }
            out.seg[out.n++] = Segment{hva, gpa, uint32_t(chunk)};
            out.bytes += chunk;
            gpa += chunk;
            left -= chunk;
        }
        if (!(d.flags & virtio::kDescFNext)) {
            return ChainError::kNone;
        }
        if (d.next >= table_size) {
            return ChainError::kBadNext;
        }
        d = load(&table[d.next]);
    }
}

}  // namespace accel

#endif
