#include "virtq/desc-chain.h"

namespace accel {

const char *
chain_error_name(ChainError e)
{
    switch (e) {
    case ChainError::kNone: return "none";
    case ChainError::kBadHead: return "bad_head";
    case ChainError::kBadNext: return "bad_next";
    case ChainError::kLoop: return "loop";
    case ChainError::kBadIndirect: return "bad_indirect";
    case ChainError::kBadAddress: return "bad_address";
    case ChainError::kWrongDirection: return "wrong_direction";
    case ChainError::kTooManySegments: return "too_many_segments";
    }
    return "unknown";
}

ChainError
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
