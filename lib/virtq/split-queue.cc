#include "virtq/split-queue.h"

#include "common/copy.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>

namespace accel {

namespace {

uint16_t
load_volatile(const uint16_t *p)
{
    return *reinterpret_cast<const volatile uint16_t *>(p);
}

}  // namespace

void
gather(const Segment *segs, uint32_t nsegs, uint32_t skip, uint8_t *dst,
       uint32_t len)
{
    for (uint32_t i = 0; i < nsegs && len; i++) {
        const Segment &s = segs[i];
        if (skip >= s.len) {
            skip -= s.len;
            continue;
        }
        uint32_t n = std::min(s.len - skip, len);
        copy_from_guest(dst, s.hva + skip, n);
        dst += n;
        len -= n;
        skip = 0;
    }
}

const char *
zc_fallback_name(ZcFallback r)
{
    switch (r) {
    case ZcFallback::kSmall: return "small";
    case ZcFallback::kChained: return "chained";
    case ZcFallback::kInflightFull: return "inflight_full";
    case ZcFallback::kHeldLong: return "held_long";
    }
    return "unknown";
}

uint64_t
QueueErrors::invalid_descs() const
{
    uint64_t sum = short_chain.get() + bad_avail_idx.get()
                   + bad_offload.get();
    for (const Counter &c : chain) {
        sum += c.get();
    }
    return sum;
}

std::string
QueueErrors::describe() const
{
    std::string out;
    auto add = [&out](const char *name, uint64_t n) {
        if (n) {
            out += (out.empty() ? "" : ", ") + std::string(name) + " "
                   + std::to_string(n);
        }
    };
    for (int c = 1; c < kChainErrorCount; c++) {
        add(chain_error_name(ChainError(c)), chain[c].get());
    }
    add("short_chain", short_chain.get());
    add("bad_avail_idx", bad_avail_idx.get());
    add("bad_offload", bad_offload.get());
    add("oversize", oversize.get());
    return out;
}

void
QueueErrors::reset()
{
    for (Counter &c : chain) {
        c.reset();
    }
    short_chain.reset();
    oversize.reset();
    bad_avail_idx.reset();
    bad_offload.reset();
}

void
SplitQueue::reset_counters()
{
    errors_.reset();
    notifications_.reset();
    zc_packets_.reset();
    for (Counter &c : zc_fallback_) {
        c.reset();
    }
}

bool
SplitQueue::attach(const VringAddrs &addrs, const GuestMemory *mem,
                   uint64_t features, uint16_t last_avail, uint16_t last_used)
{
    attached_ = false;
    if (!addrs.desc || !addrs.avail || !addrs.used || !mem || mem->empty()
        || !addrs.size || addrs.size & (addrs.size - 1)) {
        return false;
    }
    ring_ = addrs;
    mask_ = addrs.size - 1;
    mem_ = mem;
    reader_ = ChainReader(addrs.desc, addrs.size, mem,
                          virtio::has_feature(features,
                                              virtio::kFIndirectDesc));
    hdr_len_ = virtio::net_hdr_len(features);
    read_hdr_ = virtio::has_feature(features, virtio::kNetFCsum);
    event_idx_ = virtio::has_feature(features, virtio::kFEventIdx);
    mrg_rxbuf_ = virtio::has_feature(features, virtio::kNetFMrgRxbuf);
    last_avail_ = last_avail;
    last_used_ = last_used;
    attached_ = true;
    return true;
}

uint16_t
SplitQueue::avail_count()
{
    uint16_t idx = __atomic_load_n(&ring_.avail->idx, __ATOMIC_ACQUIRE);
    uint16_t n = idx - last_avail_;
    if (OVS_VHOST_ACCEL_UNLIKELY(n > ring_.size)) {
        // The guest claims more than the ring holds: ignore it until it
        // writes a sane index (counted once per such episode).
        if (!avail_insane_) {
            avail_insane_ = true;
            errors_.bad_avail_idx.add();
            refused_++;
        }
        return 0;
    }
    avail_insane_ = false;
    return n;
}

// How far ahead the loops prefetch descriptors.  Not the guest's buffers:
// a prefetch-for-write of a line the guest still reads costs more than it
// saves (measured), and the two-pass loops overlap those misses anyway.
constexpr uint16_t kDescAhead = 8;

void
SplitQueue::prefetch_desc(uint16_t pos) const
{
    uint16_t head = load_volatile(&ring_.avail->ring[pos & mask_]);
    if (head < ring_.size) {
        __builtin_prefetch(&ring_.desc[head]);
    }
}

void
SplitQueue::flush_used()
{
    for (uint16_t i = 0; i < staged_; i++) {
        ring_.used->ring[last_used_ & mask_] = stage_[i];
        last_used_++;
    }
    staged_ = 0;
}

void
SplitQueue::publish(uint16_t used_start)
{
    flush_used();
    uint16_t n = last_used_ - used_start;
    if (!n) {
        return;
    }
    if (log_) {
        uint32_t first = used_start & mask_;
        uint32_t run = std::min<uint32_t>(n, ring_.size - first);
        log_->used_write(virtio::used_elem_offset(first),
                         run * sizeof(virtio::UsedElem));
        if (run < n) {
            log_->used_write(virtio::used_elem_offset(0),
                             (n - run) * sizeof(virtio::UsedElem));
        }
    }
    __atomic_store_n(&ring_.used->idx, last_used_, __ATOMIC_RELEASE);
    if (log_) {
        log_->used_write(virtio::used_idx_offset(), sizeof(uint16_t));
    }
    notify(used_start);
}

void
SplitQueue::notify(uint16_t used_start)
{
    if (ring_.callfd < 0) {
        return;
    }
    // Our used->idx store must be visible before we read what the guest
    // asked for, or both sides may decide not to act.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    bool call;
    if (event_idx_) {
        uint16_t used_event = load_volatile(&ring_.avail->ring[ring_.size]);
        call = uint16_t(last_used_ - used_event - 1)
               < uint16_t(last_used_ - used_start);
    } else {
        call = !(load_volatile(&ring_.avail->flags)
                 & virtio::kAvailFNoInterrupt);
    }
    if (call) {
        uint64_t one = 1;
        if (write(ring_.callfd, &one, sizeof one) == sizeof one) {
            notifications_.add();
        }
    }
}

void
SplitQueue::reap_zero_copy(bool all)
{
    if (!zc_) {
        return;
    }
    uint16_t used_start = last_used_;
    zc_->reap([this](uint16_t head) { put_used(head, 0); }, all);
    publish(used_start);
}

uint16_t
SplitQueue::dequeue_counted(RxBuf *bufs, uint16_t n, uint64_t now)
{
    uint16_t used_start = last_used_;
    bool held_long = false;
    if (zc_) {
        // Lent frames that came back go to the used ring with this burst.
        zc_->reap([this](uint16_t head) { put_used(head, 0); });
        held_long = zc_->in_flight()
                    && zc_->oldest_age(ticks(now)) > zc_max_hold_;
    }
    if (!n) {
        publish(used_start);
        return 0;
    }

    // Two passes: the first walks the descriptors and prefetches the
    // frames it will copy, the second copies them, so that the cache
    // misses on guest buffers overlap instead of stalling one by one.
    struct Copy {
        uint8_t *dst;
        const uint8_t *src;
        uint32_t len;
    };
    Copy copies[kCopyBatch];
    uint16_t ncopies = 0;
    uint16_t filled = 0;
    uint16_t small = 0;         // Copied for zero-copy's size threshold.

    for (uint16_t i = 0; i < std::min(n, kDescAhead); i++) {
        prefetch_desc(last_avail_ + i);
    }
    for (uint16_t i = 0; i < n; i++) {
        uint32_t head = load_volatile(
            &ring_.avail->ring[uint16_t(last_avail_ + i) & mask_]);
        if (i + kDescAhead < n) {
            prefetch_desc(last_avail_ + i + kDescAhead);
        }
        Segment one;
        const Segment *segs = &one;
        uint32_t nsegs = 1;
        if (OVS_VHOST_ACCEL_UNLIKELY(!reader_.read_single(head, false,
                                                          &one))) {
            segs_.clear();
            ChainError e = reader_.read(head, false, segs_);
            if (OVS_VHOST_ACCEL_UNLIKELY(e != ChainError::kNone)) {
                count(e);
                if (e != ChainError::kBadHead) {
                    put_used(head, 0);
                }
                continue;
            }
            segs = segs_.seg;
            nsegs = segs_.n;
        }
        uint64_t bytes = nsegs == 1 ? segs[0].len : segs_.bytes;
        RxBuf &b = bufs[filled];
        if (OVS_VHOST_ACCEL_UNLIKELY(read_hdr_)) {
            b.hdr = virtio::NetHdr{};
            if (bytes >= hdr_len_) {
                gather(segs, nsegs, 0, reinterpret_cast<uint8_t *>(&b.hdr),
                       hdr_len_);
            }
        }
        if (OVS_VHOST_ACCEL_UNLIKELY(bytes < hdr_len_)) {
            errors_.short_chain.add();
            refused_++;
        } else if (OVS_VHOST_ACCEL_UNLIKELY(bytes - hdr_len_ > b.room)) {
            if (large_ && bytes - hdr_len_ <= UINT32_MAX
                && large_->take(b, segs, nsegs, hdr_len_,
                                uint32_t(bytes - hdr_len_))) {
                b.zc_slot = kRxBufChained;
                b.len = uint32_t(bytes - hdr_len_);
                filled++;
            } else {
                errors_.oversize.add();
                refused_++;
            }
        } else if (zc_ && bytes - hdr_len_ >= zc_min_len_
                   && lend(b, head, segs, nsegs, bytes, held_long, now)) {
            filled++;
            continue;                   // Used entry when it comes back.
        } else {
            small += zc_ && bytes - hdr_len_ < zc_min_len_;
            b.zc_slot = -1;
            b.len = uint32_t(bytes - hdr_len_);
            if (OVS_VHOST_ACCEL_LIKELY(nsegs == 1)) {
                if (OVS_VHOST_ACCEL_UNLIKELY(ncopies == kCopyBatch)) {
                    for (const Copy &c : copies) {
                        copy_from_guest(c.dst, c.src, c.len);
                    }
                    ncopies = 0;
                }
                const uint8_t *src = segs[0].hva + hdr_len_;
                __builtin_prefetch(src);
                __builtin_prefetch(src + b.len - (b.len != 0));
                ovs_vhost_accel_prefetch_write(b.data);
                copies[ncopies++] = Copy{b.data, src, b.len};
            } else {
                gather(segs_.seg, segs_.n, hdr_len_, b.data, b.len);
            }
            filled++;
        }
        put_used(head, 0);
    }
    for (uint16_t i = 0; i < ncopies; i++) {
        copy_from_guest(copies[i].dst, copies[i].src, copies[i].len);
    }
    if (small) {
        zc_fallback_[int(ZcFallback::kSmall)].add(small);
    }
    last_avail_ += n;
    publish(used_start);
    return filled;
}

// Writes the virtio-net header and the frame of 'p' ('need' bytes in
// all) across the segments reserved in 'segs_', from 'nchains' chains.
void
SplitQueue::write_packet(const TxPkt &p, uint64_t need, uint32_t nchains)
{
    const Segment &first = segs_.seg[0];
    if (OVS_VHOST_ACCEL_LIKELY(segs_.n == 1 || first.len >= need)) {
        store_simple_hdr(first.hva, p.hdr_flags);
        copy_to_guest(first.hva + hdr_len_, p.data, p.len);
        if (log_) {
            log_->guest_write(first.gpa, need);
        }
        return;
    }

    virtio::NetHdr hdr{};
    hdr.flags = p.hdr_flags;
    hdr.num_buffers = uint16_t(nchains);
    const uint8_t *src[2] = {reinterpret_cast<const uint8_t *>(&hdr),
                             p.data};
    uint32_t left[2] = {hdr_len_, p.len};
    uint32_t part = 0;
    for (uint32_t i = 0; i < segs_.n && part < 2; i++) {
        const Segment &s = segs_.seg[i];
        uint32_t off = 0;
        while (off < s.len && part < 2) {
            uint32_t k = std::min(s.len - off, left[part]);
            copy_to_guest(s.hva + off, src[part], k);
            src[part] += k;
            left[part] -= k;
            off += k;
            if (!left[part]) {
                part++;
            }
        }
        if (log_ && off) {
            log_->guest_write(s.gpa, off);
        }
    }
}

// Lends the frame in 'segs' (descriptor 'head', 'bytes' in all, at least
// the size threshold) as 'b' if it qualifies for zero-copy; counts why not
// otherwise.
bool
SplitQueue::lend(RxBuf &b, uint32_t head, const Segment *segs, uint32_t nsegs,
                 uint64_t bytes, bool held_long, uint64_t &now)
{
    uint32_t len = uint32_t(bytes - hdr_len_);
    ZcFallback why = ZcFallback::kChained;
    uint8_t *data = nullptr;
    uint32_t headroom = 0;
    if (nsegs == 1) {
        data = segs[0].hva + hdr_len_;
        headroom = hdr_len_;
    } else if (nsegs == 2 && segs[0].len == hdr_len_) {
        data = segs[1].hva;
    }
    if (!data) {
        // Not contiguous in host memory: copied.
    } else if (held_long) {
        why = ZcFallback::kHeldLong;
        data = nullptr;
    } else if (zc_->full()) {
        why = ZcFallback::kInflightFull;
        data = nullptr;
    }
    if (!data) {
        zc_fallback_[int(why)].add();
        return false;
    }
    // The caller's statistics and then OVS's flow extraction read the
    // headers: start their fetch now so the misses of a burst overlap.
    __builtin_prefetch(data);
    b.zc_slot = zc_->take(uint16_t(head), ticks(now));
    b.zc_data = data;
    b.zc_headroom = headroom;
    b.len = len;
    zc_packets_.add();
    return true;
}

// Asks for the cache lines of [p, p + len) in a state that can be written
// (PREFETCHW; on CPUs without it the instruction is a no-op): the copy of
// the next frame into the guest's buffer then finds its lines owned instead
// of waiting for each one with a full store buffer.  Not past the first
// kPrefetchWriteMax bytes: the 141 lines of a 9000-byte frame asked for at
// once held up the copy of the frame before it (tx 9000 B, 7 rounds: eff
// x1.052, best rounds x1.071 with the limit), and the copy's own stream
// brings the rest.
constexpr uint32_t kPrefetchWriteMax = 2048;

static inline void
prefetch_for_write(const uint8_t *p, uint32_t len)
{
    len = std::min(len, kPrefetchWriteMax);
    const uint8_t *end = p + len;
    for (const uint8_t *q = p; q < end; q += 64) {
        __asm__ volatile("prefetchw %0" : : "m"(*q));
    }
    __asm__ volatile("prefetchw %0" : : "m"(*(end - 1)));
}

// Writes the virtio-net header and the frames of the packets that fit in
// one buffer each (enqueue()'s fast path), after all their buffers were
// reserved: the cache misses on the guest's buffers overlap.
void
SplitQueue::write_simple(const SimpleWrite *w, uint16_t n)
{
    for (uint16_t i = 0; i < n; i++) {
        uint8_t *dst = w[i].hva;
        if (i + 1 < n) {
            prefetch_for_write(w[i + 1].hva, hdr_len_ + w[i + 1].pkt->len);
        }
        store_simple_hdr(dst, w[i].pkt->hdr_flags);
        copy_to_guest(dst + hdr_len_, w[i].pkt->data, w[i].pkt->len);
        if (log_) {
            log_->guest_write(w[i].gpa, hdr_len_ + w[i].pkt->len);
        }
    }
}

// The header of a frame in one buffer: only 'flags' varies, so it is
// stored from registers.  (A byte store into a header on the stack and
// the wider reload memcpy() then does cannot be forwarded: the reload
// waits until every older store, among them the previous frames' stores
// into guest buffers still being fetched, has reached the cache; that
// wait cost 60-80 cycles per 64-byte frame.)
void
SplitQueue::store_simple_hdr(uint8_t *dst, uint8_t flags) const
{
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
                  "virtio 1.0 headers are little-endian");
    static_assert(offsetof(virtio::NetHdr, flags) == 0
                  && offsetof(virtio::NetHdr, csum_offset) == 8
                  && offsetof(virtio::NetHdr, num_buffers) == 10,
                  "virtio-net header layout");
    uint64_t lo = flags;                    // gso_type ... csum_start: 0.
    memcpy(dst, &lo, sizeof lo);
    if (hdr_len_ == sizeof(virtio::NetHdr)) {
        uint32_t hi = uint32_t(1) << 16;    // csum_offset 0, num_buffers 1.
        memcpy(dst + 8, &hi, sizeof hi);
    } else {
        uint16_t hi = 0;                    // csum_offset.
        memcpy(dst + 8, &hi, sizeof hi);
    }
}

uint16_t
SplitQueue::enqueue(TxPkt *pkts, uint16_t n, uint16_t *dropped)
{
    uint16_t avail = avail_count();
    uint16_t avail_end = last_avail_ + avail;
    uint16_t used_start = last_used_;
    uint16_t done = 0;
    *dropped = 0;

    struct Chain {
        uint32_t head;
        uint64_t bytes;
    };
    Chain chains[kMaxMergeChains];
    SimpleWrite simple[kCopyBatch];
    uint16_t nsimple = 0;

    for (uint16_t i = 0; i < std::min(avail, std::min(n, kDescAhead)); i++) {
        prefetch_desc(last_avail_ + i);
    }
    while (done < n) {
        TxPkt &p = pkts[done];
        p.dropped = false;
        if (uint16_t(avail_end - last_avail_) > kDescAhead) {
            prefetch_desc(last_avail_ + kDescAhead);
        }
        uint64_t need = uint64_t(hdr_len_) + p.len;
        if (last_avail_ == avail_end) {
            break;                      // Ring full.
        }

        // Fast path: the next buffer is one descriptor that holds it all.
        uint32_t head = load_volatile(&ring_.avail->ring[last_avail_
                                                         & mask_]);
        Segment one;
        if (OVS_VHOST_ACCEL_LIKELY(reader_.read_single(head, true, &one)
                                   && one.len >= need)) {
            if (OVS_VHOST_ACCEL_UNLIKELY(nsimple == kCopyBatch)) {
                write_simple(simple, nsimple);
                nsimple = 0;
            }
            simple[nsimple++] = SimpleWrite{one.hva, one.gpa, &p};
            put_used(head, uint32_t(need));
            last_avail_++;
            done++;
            continue;
        }

        uint16_t start = last_avail_;
        uint32_t nchains = 0;
        bool refused = false;
        segs_.clear();

        // Reserve buffers: one chain, or several with mergeable buffers.
        while (segs_.bytes < need) {
            if (last_avail_ == avail_end
                || nchains == (mrg_rxbuf_ ? kMaxMergeChains : 1)) {
                break;
            }
            head = load_volatile(&ring_.avail->ring[last_avail_ & mask_]);
            last_avail_++;
            uint64_t before = segs_.bytes;
            ChainError e = reader_.read(head, true, segs_);
            if (OVS_VHOST_ACCEL_UNLIKELY(e != ChainError::kNone)) {
                // Give this chain and those reserved so far back empty;
                // try this packet again with the next buffers.
                count(e);
                for (uint32_t c = 0; c < nchains; c++) {
                    put_used(chains[c].head, 0);
                }
                if (e != ChainError::kBadHead) {
                    put_used(head, 0);
                }
                refused = true;
                break;
            }
            chains[nchains++] = Chain{head, segs_.bytes - before};
        }
        if (refused) {
            continue;
        }
        if (segs_.bytes < need) {
            last_avail_ = start;
            if (uint16_t(last_avail_ + nchains) == avail_end
                && nchains < (mrg_rxbuf_ ? kMaxMergeChains : 1)) {
                break;              // Ring full: stop here.
            }
            // These buffers can never hold it.
            errors_.oversize.add();
            refused_++;
            p.dropped = true;
            ++*dropped;
            done++;
            continue;
        }

        write_packet(p, need, nchains);
        uint64_t rest = need;
        for (uint32_t c = 0; c < nchains; c++) {
            uint64_t len = std::min(chains[c].bytes, rest);
            put_used(chains[c].head, uint32_t(len));
            rest -= len;
        }
        done++;
    }
    write_simple(simple, nsimple);
    publish(used_start);
    return done;
}

}  // namespace accel
