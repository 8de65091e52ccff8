// Our side of one split virtqueue of a vhost-user device: dequeue (the
// guest's TX ring: we read its buffers) and enqueue (the guest's RX ring:
// we write into its buffers), used-ring updates, guest notification
// (EVENT_IDX or flags) and dirty-page logging while the guest migrates.
//
// One thread at a time drives a queue (the PMD thread that polls it, or the
// one holding the port's TX queue lock).  The rings and the memory map
// must stay valid between attach() and detach(): the port quiesces the
// PMD threads before rte_vhost changes or unmaps them.
#ifndef OVS_VHOST_ACCEL_VIRTQ_SPLIT_QUEUE_H
#define OVS_VHOST_ACCEL_VIRTQ_SPLIT_QUEUE_H

#include <algorithm>
#include <cstdint>
#include <string>

#include "common/compiler.h"
#include "common/counter.h"
#include "virtq/inflight.h"
#include "virtq/desc-chain.h"
#include "virtq/guest-memory.h"
#include "virtq/virtio-ring.h"

namespace accel {

struct VringAddrs {
    virtio::Desc *desc = nullptr;
    virtio::Avail *avail = nullptr;
    virtio::Used *used = nullptr;
    uint16_t size = 0;          // A power of 2.
    int callfd = -1;            // eventfd to interrupt the guest, or -1.
};

// Dirty-page logging (VHOST_F_LOG_ALL).  Called only while logging is on.
class DirtyLog {
public:
    virtual ~DirtyLog() = default;
    // We wrote 'len' bytes of guest memory at 'gpa'.
    virtual void guest_write(uint64_t gpa, uint64_t len) = 0;
    // We wrote 'len' bytes of the used ring at 'offset'.
    virtual void used_write(uint64_t offset, uint64_t len) = 0;
};

// Destination of one dequeued packet (an mbuf's data room).
constexpr int kRxBufChained = -2;
struct RxBuf {
    uint8_t *data;
    uint32_t room;
    uint32_t len;               // Out.
    // Out, zero-copy: the frame was not copied; it is 'len' bytes at
    // 'zc_data' in guest memory, lent as in-flight slot 'zc_slot' (-1 when
    // copied), with 'zc_headroom' bytes before it that we may use.
    uint8_t *zc_data;
    int zc_slot;                // Or kRxBufChained: the sink took it.
    uint32_t zc_headroom;
    void *owner;                // The caller's (its mbuf), for a sink.
    // Out, only when the guest may ask for offloads (VIRTIO_NET_F_CSUM
    // negotiated): its virtio-net header.
    virtio::NetHdr hdr;
};

// Why a packet that could have been lent was copied.
enum class ZcFallback : uint8_t {
    kSmall,             // Below the size threshold.
    kChained,           // Frame not contiguous in host memory.
    kInflightFull,      // Too many packets lent out already.
    kHeldLong,          // A lent packet is held too long: copy until back.
};
constexpr int kZcFallbackCount = 4;
const char *zc_fallback_name(ZcFallback);

// One packet to enqueue.
struct TxPkt {
    const uint8_t *data;
    uint32_t len;
    bool dropped;               // Out: consumed but can never fit.
    uint8_t hdr_flags;          // virtio-net header flags (DATA_VALID).
};

// Takes guest TX frames larger than an RxBuf's room (a guest's TSO frames)
// instead of dropping them: it copies them into buffers of its own.
class LargeFrameSink {
public:
    virtual ~LargeFrameSink() = default;
    // Copies the 'len'-byte frame that starts 'skip' bytes into 'segs'
    // (guest memory) for 'b' ('b.data' first).  False: it cannot (the frame
    // is dropped and counted as oversize).
    virtual bool take(RxBuf &b, const Segment *segs, uint32_t nsegs,
                      uint32_t skip, uint32_t len) = 0;
};

// Copies 'len' bytes starting 'skip' bytes into 'segs' to 'dst'.
void gather(const Segment *segs, uint32_t nsegs, uint32_t skip, uint8_t *dst,
            uint32_t len);

// Why descriptors were refused or packets dropped, per queue.
struct QueueErrors {
    Counter chain[kChainErrorCount];    // By ChainError.
    Counter short_chain;        // Guest TX chain shorter than the header.
    Counter oversize;           // Packet larger than the buffer(s).
    Counter bad_offload;        // virtio-net header not matching its
                                // frame (counted by the port).
    Counter bad_avail_idx;      // avail->idx more than 'size' ahead
                                // (once per episode, not per poll).

    uint64_t invalid_descs() const;
    // The non-zero counts by reason: "bad_address 3, loop 1", or "".
    std::string describe() const;
    void reset();
};

class SplitQueue {
public:
    // Longest chain list of one mergeable packet.
    static constexpr uint32_t kMaxMergeChains = 64;

    // Starts serving the ring from the given indices (as rte_vhost had
    // them).  Fails (returns false) if the ring is not usable.
    bool attach(const VringAddrs &addrs, const GuestMemory *mem,
                uint64_t features, uint16_t last_avail, uint16_t last_used);
    void detach() { attached_ = false; zc_ = nullptr; }

    // Dequeue zero-copy: frames of at least 'min_len' bytes, contiguous in
    // guest memory, are lent through 'table' (nullptr: copy everything)
    // while no lent frame is older than 'max_hold' clock ticks.  'clock'
    // gives the ticks to a dequeue called with kReadClock.
    using Clock = uint64_t (*)();
    void set_zero_copy(InflightTable *table, uint32_t min_len,
                       uint64_t max_hold, Clock clock = nullptr)
    {
        zc_ = table;
        zc_min_len_ = min_len;
        zc_max_hold_ = max_hold;
        clock_ = clock;
    }
    // 'now' for a dequeue: read the clock given to set_zero_copy(), once,
    // and only if the burst lends a frame or one is out (reading the TSC
    // costs ~25 cycles here: a burst that copies everything, as zero-copy
    // does below its size threshold, does not pay it).
    static constexpr uint64_t kReadClock = UINT64_MAX;
    // Gives completed lent descriptors back to the guest (all of them if
    // 'all', e.g. before the ring changes hands).
    void reap_zero_copy(bool all);
    bool attached() const { return attached_; }
    void set_dirty_log(DirtyLog *log) { log_ = log; }
    // Frames larger than the RxBufs go to 'sink' (nullptr: dropped).
    void set_large_frame_sink(LargeFrameSink *sink) { large_ = sink; }

    uint16_t last_avail() const { return last_avail_; }
    uint16_t last_used() const { return last_used_; }
    // The used index the guest's ring holds (ours once published).
    uint16_t ring_used_idx() const
    {
        return __atomic_load_n(&ring_.used->idx, __ATOMIC_ACQUIRE);
    }

    // Buffers the guest made available and we have not taken yet.
    uint16_t avail_count();

    // Copies up to 'n' packets out of the guest's TX ring into 'bufs'
    // (header stripped) and returns how many it filled.  Chains that are
    // invalid or do not fit are given back to the guest and counted.
    // 'now' (clock ticks, or kReadClock) only matters with zero-copy.
    uint16_t dequeue(RxBuf *bufs, uint16_t n, uint64_t now = 0)
    {
        return dequeue_counted(bufs, std::min(n, avail_count()), now);
    }
    // The same for a caller that just called avail_count(): 'n' must not
    // exceed what it returned (avail->idx is not read again: its cache
    // line is the one the guest writes all the time).
    uint16_t dequeue_counted(RxBuf *bufs, uint16_t n, uint64_t now);

    // Copies packets into the guest's RX ring, in order, and returns how
    // many of 'pkts' were consumed: sent, or dropped because they can
    // never fit (flagged 'dropped', counted in errors().oversize and in
    // '*dropped').  Stops early when the ring is full.
    uint16_t enqueue(TxPkt *pkts, uint16_t n, uint16_t *dropped);

    // Chains refused or packets dropped (any QueueErrors count) since the
    // last take_refused(): the caller logs them, rate-limited.
    uint32_t take_refused()
    {
        uint32_t n = refused_;
        refused_ = 0;
        return n;
    }

    // The caller refused a packet (counted in errors()): the next
    // take_refused() reports it.
    void count_refused() { refused_++; }

    // Zeroes the error, notification and zero-copy counters.
    void reset_counters();
    const QueueErrors &errors() const { return errors_; }
    QueueErrors &errors() { return errors_; }
    uint64_t notifications() const { return notifications_.get(); }
    uint64_t zc_packets() const { return zc_packets_.get(); }
    uint64_t zc_fallback(ZcFallback r) const
    {
        return zc_fallback_[int(r)].get();
    }

private:
    // Cache hint for the descriptor of avail entry 'pos', read without
    // trusting it (a prefetch of a bad address does no harm).
    void prefetch_desc(uint16_t pos) const;
    void write_packet(const TxPkt &p, uint64_t need, uint32_t nchains);
    struct SimpleWrite {
        uint8_t *hva;           // The buffer, in one piece.
        uint64_t gpa;
        const TxPkt *pkt;
    };
    void write_simple(const SimpleWrite *w, uint16_t n);
    void store_simple_hdr(uint8_t *dst, uint8_t flags) const;
    bool lend(RxBuf &b, uint32_t head, const Segment *segs, uint32_t nsegs,
              uint64_t bytes, bool held_long, uint64_t &now);
    uint64_t ticks(uint64_t &now) const
    {
        if (now == kReadClock) {
            now = clock_ ? clock_() : 0;
        }
        return now;
    }
    // Used entries are staged and written in one go by publish() (or when
    // the stage is full): fewer stalls on the cache lines the guest reads.
    void put_used(uint32_t head, uint32_t len)
    {
        if (OVS_VHOST_ACCEL_UNLIKELY(staged_ == kStage)) {
            flush_used();
        }
        stage_[staged_++] = virtio::UsedElem{head, len};
    }
    void flush_used();
    void publish(uint16_t used_start);
    void notify(uint16_t used_start);
    void count(ChainError e)
    {
        errors_.chain[int(e)].add();
        refused_++;
    }

    bool attached_ = false;
    VringAddrs ring_;
    uint16_t mask_ = 0;
    ChainReader reader_;
    const GuestMemory *mem_ = nullptr;
    DirtyLog *log_ = nullptr;
    uint32_t hdr_len_ = 0;
    bool read_hdr_ = false;         // VIRTIO_NET_F_CSUM: RxBuf::hdr.
    LargeFrameSink *large_ = nullptr;
    bool event_idx_ = false;
    bool mrg_rxbuf_ = false;
    uint16_t last_avail_ = 0;
    uint16_t last_used_ = 0;
    QueueErrors errors_;
    uint32_t refused_ = 0;
    bool avail_insane_ = false;     // avail->idx too far ahead, counted.
    Counter notifications_;
    InflightTable *zc_ = nullptr;
    uint32_t zc_min_len_ = 0;
    uint64_t zc_max_hold_ = 0;
    Clock clock_ = nullptr;
    Counter zc_packets_;
    Counter zc_fallback_[kZcFallbackCount];
    static constexpr uint16_t kStage = 64;
    static constexpr uint16_t kCopyBatch = 64;  // Copies deferred per pass.
    virtio::UsedElem stage_[kStage];
    uint16_t staged_ = 0;
    SegmentList segs_;          // Scratch: the current packet's buffers.
};

}  // namespace accel

#endif
