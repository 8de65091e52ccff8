// The split-ring walker against synthetic rings, including hostile ones.
#include "virtq/split-queue.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <random>
#include <vector>

#include <CppUTest/TestHarness.h>

#include "fake-guest.h"

using accel::ChainError;
using accel::RxBuf;
using accel::SplitQueue;
using accel::TxPkt;
using accel::test::FakeGuest;
namespace virtio = accel::virtio;

namespace {

constexpr uint64_t kFeatures = (1ULL << virtio::kFVersion1)
                               | (1ULL << virtio::kNetFMrgRxbuf)
                               | (1ULL << virtio::kFIndirectDesc);

struct Bufs {
    explicit Bufs(int n, uint32_t room = 2048)
        : storage(n, std::vector<uint8_t>(room)), bufs(n)
    {
        for (int i = 0; i < n; i++) {
            bufs[i] = RxBuf{storage[i].data(), room, 0};
        }
    }
    std::vector<uint8_t> data(int i) const
    {
        return std::vector<uint8_t>(storage[i].begin(),
                                    storage[i].begin() + bufs[i].len);
    }
    std::vector<std::vector<uint8_t>> storage;
    std::vector<RxBuf> bufs;
};

uint64_t
chain_errors(const SplitQueue &q, ChainError e)
{
    return q.errors().chain[int(e)].get();
}

}  // namespace

TEST_GROUP(SplitQueueDequeue)
{
    FakeGuest g;
    SplitQueue q;
    void setup() override
    {
        CHECK(q.attach(g.addrs(), &g.mem(), kFeatures, 0, 0));
    }
};

TEST(SplitQueueDequeue, RefusesBadRing)
{
    SplitQueue other;
    accel::VringAddrs a = g.addrs();
    a.size = 100;                               // Not a power of 2.
    CHECK_FALSE(other.attach(a, &g.mem(), kFeatures, 0, 0));
    a = g.addrs();
    a.used = nullptr;
    CHECK_FALSE(other.attach(a, &g.mem(), kFeatures, 0, 0));
}

TEST(SplitQueueDequeue, SingleDescriptorPackets)
{
    auto f0 = FakeGuest::frame(64, 1), f1 = FakeGuest::frame(1518, 2);
    g.post_tx(3, f0);
    g.post_tx(7, f1);
    Bufs b(32);
    LONGS_EQUAL(2, q.dequeue(b.bufs.data(), 32));
    CHECK(b.data(0) == f0);
    CHECK(b.data(1) == f1);
    LONGS_EQUAL(2, g.used_idx());
    LONGS_EQUAL(3, g.used(0).id);
    LONGS_EQUAL(0, g.used(0).len);
    LONGS_EQUAL(7, g.used(1).id);
    LONGS_EQUAL(2, q.last_avail());
    LONGS_EQUAL(0, q.dequeue(b.bufs.data(), 32));
}

TEST(SplitQueueDequeue, BurstLimitAndIndexWrap)
{
    SplitQueue w;
    CHECK(w.attach(g.addrs(), &g.mem(), kFeatures, 65530, 65530));
    g.set_avail_idx(65530);
    for (int i = 0; i < 10; i++) {
        g.post_tx(i, FakeGuest::frame(60, i));
    }
    Bufs b(4);
    LONGS_EQUAL(4, w.dequeue(b.bufs.data(), 4));
    Bufs c(32);
    LONGS_EQUAL(6, w.dequeue(c.bufs.data(), 32));
    CHECK(c.data(5) == FakeGuest::frame(60, 9));
    LONGS_EQUAL(uint16_t(65540), g.used_idx());
}

TEST(SplitQueueDequeue, LongBurstCopiesEveryFrame)
{
    // More frames than one pass defers copies for, mixed with a chained
    // one (copied at once) and a bad one (given back): all in order.
    std::vector<std::vector<uint8_t>> frames;
    for (int i = 0; i < 200; i++) {
        frames.push_back(FakeGuest::frame(60 + i, uint8_t(i)));
        if (i == 70) {
            uint64_t hdr = g.alloc(12), body = g.alloc(frames[i].size());
            g.write(body, frames[i].data(), frames[i].size());
            g.set_desc(i, hdr, 12, virtio::kDescFNext, 250);
            g.set_desc(250, body, frames[i].size(), 0);
            g.post(i);
        } else {
            g.post_tx(i, frames[i]);
        }
    }
    g.set_desc(130, 0x10, 100, 0);              // Not guest memory.
    frames.erase(frames.begin() + 130);
    Bufs b(200);
    LONGS_EQUAL(199, q.dequeue(b.bufs.data(), 200));
    for (int i = 0; i < 199; i++) {
        CHECK(b.data(i) == frames[i]);
    }
    LONGS_EQUAL(200, g.used_idx());
    LONGS_EQUAL(1, chain_errors(q, ChainError::kBadAddress));
}

TEST(SplitQueueDequeue, ChainedHeaderAndFragments)
{
    auto f = FakeGuest::frame(1000, 9);
    uint64_t hdr = g.alloc(12), a = g.alloc(300), bb = g.alloc(700);
    g.write(a, f.data(), 300);
    g.write(bb, f.data() + 300, 700);
    g.set_desc(0, hdr, 12, virtio::kDescFNext, 5);
    g.set_desc(5, a, 300, virtio::kDescFNext, 9);
    g.set_desc(9, bb, 700, 0);
    g.post(0);
    Bufs b(1);
    LONGS_EQUAL(1, q.dequeue(b.bufs.data(), 1));
    CHECK(b.data(0) == f);
}

TEST(SplitQueueDequeue, BufferAcrossTwoRegions)
{
    auto f = FakeGuest::frame(1400, 4);
    uint64_t gpa = g.alloc_straddling(1412);
    std::vector<uint8_t> pkt(12, 0);
    pkt.insert(pkt.end(), f.begin(), f.end());
    g.write(gpa, pkt.data(), pkt.size());
    g.set_desc(1, gpa, pkt.size(), 0);
    g.post(1);
    Bufs b(1);
    LONGS_EQUAL(1, q.dequeue(b.bufs.data(), 1));
    CHECK(b.data(0) == f);
}

TEST(SplitQueueDequeue, IndirectTable)
{
    auto f = FakeGuest::frame(200, 3);
    uint64_t table = g.alloc(3 * 16, 16);
    uint64_t hdr = g.alloc(12), data = g.alloc(200);
    g.write(data, f.data(), 200);
    virtio::Desc t[3] = {{hdr, 12, virtio::kDescFNext, 2},
                         {0, 0, 0, 0},
                         {data, 200, 0, 0}};
    g.write(table, t, sizeof t);
    g.set_desc(4, table, sizeof t, virtio::kDescFIndirect);
    g.post(4);
    Bufs b(1);
    LONGS_EQUAL(1, q.dequeue(b.bufs.data(), 1));
    CHECK(b.data(0) == f);
}

TEST(SplitQueueDequeue, BadHeadIsSkippedWithoutUsedEntry)
{
    g.post(g.size());                           // Out of range.
    g.post_tx(2, FakeGuest::frame(64, 5));
    Bufs b(4);
    LONGS_EQUAL(1, q.dequeue(b.bufs.data(), 4));
    LONGS_EQUAL(1, chain_errors(q, ChainError::kBadHead));
    LONGS_EQUAL(1, g.used_idx());
    LONGS_EQUAL(2, g.used(0).id);
}

TEST(SplitQueueDequeue, HostileChainsAreGivenBackAndCounted)
{
    uint64_t buf = g.alloc(100);
    // next out of range.
    g.set_desc(0, buf, 50, virtio::kDescFNext, 4000);
    g.post(0);
    // Loop 1 -> 2 -> 1.
    g.set_desc(1, buf, 20, virtio::kDescFNext, 2);
    g.set_desc(2, buf, 20, virtio::kDescFNext, 1);
    g.post(1);
    // Outside guest memory; and wrapping around 2^64.
    g.set_desc(3, 0x1000, 100, 0);
    g.post(3);
    g.set_desc(4, UINT64_MAX - 10, 100, 0);
    g.post(4);
    // Device-writable buffer on a TX ring.
    g.set_desc(5, buf, 100, virtio::kDescFWrite);
    g.post(5);
    // Shorter than the virtio-net header.
    g.set_desc(6, buf, 8, 0);
    g.post(6);
    g.post_tx(7, FakeGuest::frame(64, 1));
    Bufs b(32);
    LONGS_EQUAL(1, q.dequeue(b.bufs.data(), 32));
    CHECK(b.data(0) == FakeGuest::frame(64, 1));
    LONGS_EQUAL(1, chain_errors(q, ChainError::kBadNext));
    LONGS_EQUAL(1, chain_errors(q, ChainError::kLoop));
    LONGS_EQUAL(2, chain_errors(q, ChainError::kBadAddress));
    LONGS_EQUAL(1, chain_errors(q, ChainError::kWrongDirection));
    LONGS_EQUAL(1, q.errors().short_chain.get());
    LONGS_EQUAL(6, q.errors().invalid_descs());
    // Every chain with a valid head was given back, in order.
    LONGS_EQUAL(7, g.used_idx());
    const uint32_t heads[] = {0, 1, 3, 4, 5, 6, 7};
    for (int i = 0; i < 7; i++) {
        LONGS_EQUAL(heads[i], g.used(i).id);
    }
}

TEST(SplitQueueDequeue, HostileIndirectTables)
{
    uint64_t table = g.alloc(64, 16), buf = g.alloc(100);
    virtio::Desc nested[2] = {{buf, 12, virtio::kDescFNext, 1},
                              {table, 32, virtio::kDescFIndirect, 0}};
    g.write(table, nested, sizeof nested);
    g.set_desc(0, table, 32, virtio::kDescFIndirect);          // nested
    g.set_desc(1, table, 20, virtio::kDescFIndirect);          // len % 16
    g.set_desc(2, table, 32, virtio::kDescFIndirect
                             | virtio::kDescFNext, 3);         // + NEXT
    g.set_desc(3, 0x10, 32, virtio::kDescFIndirect);           // unmapped
    g.set_desc(4, table, 16 * 2000, virtio::kDescFIndirect);   // too big
    for (int i = 0; i < 5; i++) {
        g.post(i);
    }
    Bufs b(8);
    LONGS_EQUAL(0, q.dequeue(b.bufs.data(), 8));
    LONGS_EQUAL(5, chain_errors(q, ChainError::kBadIndirect));
    LONGS_EQUAL(5, g.used_idx());

    // Not negotiated: refused too.
    SplitQueue plain;
    CHECK(plain.attach(g.addrs(), &g.mem(),
                       1ULL << virtio::kFVersion1, 0, 5));
    virtio::Desc ok[1] = {{buf, 80, 0, 0}};
    g.write(table, ok, sizeof ok);
    g.set_desc(5, table, 16, virtio::kDescFIndirect);
    g.set_avail_idx(5);
    g.post(5);
    CHECK(plain.attach(g.addrs(), &g.mem(), 1ULL << virtio::kFVersion1, 5,
                       5));
    LONGS_EQUAL(0, plain.dequeue(b.bufs.data(), 8));
    LONGS_EQUAL(1, chain_errors(plain, ChainError::kBadIndirect));
}

TEST(SplitQueueDequeue, AvailIndexTooFarAheadIsIgnored)
{
    g.set_avail_idx(g.size() + 1);
    Bufs b(4);
    LONGS_EQUAL(0, q.dequeue(b.bufs.data(), 4));
    LONGS_EQUAL(0, q.dequeue(b.bufs.data(), 4));
    LONGS_EQUAL(1, q.errors().bad_avail_idx.get());     // Once per episode.
    LONGS_EQUAL(0, g.used_idx());
    // Sane again, then a second episode.
    g.set_avail_idx(0);
    LONGS_EQUAL(0, q.dequeue(b.bufs.data(), 4));
    g.set_avail_idx(uint16_t(-1));
    LONGS_EQUAL(0, q.dequeue(b.bufs.data(), 4));
    LONGS_EQUAL(2, q.errors().bad_avail_idx.get());
    LONGS_EQUAL(2, q.take_refused());
}

TEST(SplitQueueDequeue, OversizePacketDroppedNotStuck)
{
    g.post_tx(0, FakeGuest::frame(3000, 1));
    g.post_tx(1, FakeGuest::frame(100, 2));
    Bufs b(4, 2048);
    LONGS_EQUAL(1, q.dequeue(b.bufs.data(), 4));
    CHECK(b.data(0) == FakeGuest::frame(100, 2));
    LONGS_EQUAL(1, q.errors().oversize.get());
    LONGS_EQUAL(2, g.used_idx());
}

TEST(SplitQueueDequeue, RandomGarbageNeverEscapes)
{
    // Random descriptor tables and avail rings: whatever happens, used
    // entries name valid heads and nothing outside guest memory is touched
    // (the unit tests run under ASan and UBSan).
    std::mt19937_64 rng(42);
    uint64_t area = g.alloc(64 * 1024, 4096);
    Bufs b(32, 9100);
    for (int round = 0; round < 2000; round++) {
        for (int i = 0; i < g.size(); i++) {
            uint64_t r = rng();
            uint64_t addr = (r & 1) ? area + (rng() % (64 * 1024))
                                    : rng();
            uint32_t len = (r & 2) ? rng() % 2048 : uint32_t(rng());
            uint16_t flags = uint16_t(rng() & 7);
            uint16_t next = (r & 4) ? rng() % g.size() : uint16_t(rng());
            g.set_desc(i, addr, len, flags, next);
        }
        for (int i = 0; i < 8; i++) {
            g.post(uint16_t((rng() & 8) ? rng() % g.size() : rng()));
        }
        uint16_t before = g.used_idx();
        q.dequeue(b.bufs.data(), 32);
        for (uint16_t u = before; u != g.used_idx(); u++) {
            CHECK(g.used(u).id < g.size());
        }
    }
    CHECK(q.errors().invalid_descs() > 0);
}

TEST_GROUP(SplitQueueEnqueue)
{
    FakeGuest g;
    SplitQueue q;
    void setup() override
    {
        CHECK(q.attach(g.addrs(), &g.mem(), kFeatures, 0, 0));
    }
    std::vector<uint8_t> hdr_and_frame(uint64_t gpa, uint32_t len)
    {
        return g.read(gpa, len);
    }
};

namespace {

// Keeps frames larger than the RxBufs in a vector of its own.
class VectorSink : public accel::LargeFrameSink {
public:
    bool take(RxBuf &b, const accel::Segment *segs, uint32_t nsegs,
              uint32_t skip, uint32_t len) override
    {
        if (refuse) {
            return false;
        }
        frames.emplace_back(len);
        accel::gather(segs, nsegs, skip, frames.back().data(), len);
        b.owner = &frames.back();
        return true;
    }
    std::vector<std::vector<uint8_t>> frames;
    bool refuse = false;
};

}  // namespace

TEST(SplitQueueDequeue, LargeFramesGoToTheSink)
{
    VectorSink sink;
    q.set_large_frame_sink(&sink);
    auto big = FakeGuest::frame(20000, 1), small = FakeGuest::frame(100, 2);
    g.post_tx(0, big);
    g.post_tx(1, small);
    Bufs b(4, 2048);
    LONGS_EQUAL(2, q.dequeue(b.bufs.data(), 4));
    LONGS_EQUAL(accel::kRxBufChained, b.bufs[0].zc_slot);
    LONGS_EQUAL(20000, b.bufs[0].len);
    LONGS_EQUAL(1, sink.frames.size());
    CHECK(sink.frames[0] == big);
    CHECK(b.data(1) == small);
    LONGS_EQUAL(0, q.errors().oversize.get());
    LONGS_EQUAL(2, g.used_idx());

    sink.refuse = true;                         // Then it is dropped.
    g.post_tx(2, big);
    LONGS_EQUAL(0, q.dequeue(b.bufs.data(), 4));
    LONGS_EQUAL(1, q.errors().oversize.get());
    LONGS_EQUAL(3, g.used_idx());
}

TEST(SplitQueueDequeue, HeaderReadOnlyWithChecksumOffload)
{
    auto f = FakeGuest::frame(100, 3);
    uint64_t gpa = g.alloc(12 + 100);
    const uint8_t hdr[12] = {virtio::kNetHdrFNeedsCsum, 0, 0, 0, 0, 0,
                             34, 0, 16, 0, 0, 0};
    g.write(gpa, hdr, 12);
    g.write(gpa + 12, f.data(), 100);
    g.set_desc(0, gpa, 112, 0);
    g.post(0);
    g.post(0);
    SplitQueue csum;
    CHECK(csum.attach(g.addrs(), &g.mem(),
                      kFeatures | 1ULL << virtio::kNetFCsum, 0, 0));
    Bufs b(1);
    b.bufs[0].hdr = virtio::NetHdr{};
    LONGS_EQUAL(1, csum.dequeue(b.bufs.data(), 1));
    LONGS_EQUAL(virtio::kNetHdrFNeedsCsum, b.bufs[0].hdr.flags);
    LONGS_EQUAL(34, b.bufs[0].hdr.csum_start);
    LONGS_EQUAL(16, b.bufs[0].hdr.csum_offset);
    CHECK(b.data(0) == f);
    // Without VIRTIO_NET_F_CSUM the header is not read.
    CHECK(q.attach(g.addrs(), &g.mem(), kFeatures, 1, 1));
    b.bufs[0].hdr = virtio::NetHdr{};
    LONGS_EQUAL(1, q.dequeue(b.bufs.data(), 1));
    LONGS_EQUAL(0, b.bufs[0].hdr.flags);
}

TEST(SplitQueueEnqueue, OnePacketPerBuffer)
{
    uint64_t b0 = g.post_rx(0, 2048), b1 = g.post_rx(1, 2048);
    auto f0 = FakeGuest::frame(64, 1), f1 = FakeGuest::frame(1500, 2);
    TxPkt p[2] = {{f0.data(), 64, false}, {f1.data(), 1500, false}};
    uint16_t dropped;
    LONGS_EQUAL(2, q.enqueue(p, 2, &dropped));
    LONGS_EQUAL(0, dropped);
    LONGS_EQUAL(2, g.used_idx());
    LONGS_EQUAL(76, g.used(0).len);
    LONGS_EQUAL(1512, g.used(1).len);
    auto h = g.read(b0, 12);
    LONGS_EQUAL(1, h[10]);                      // num_buffers = 1
    LONGS_EQUAL(0, h[0]);
    CHECK(g.read(b0 + 12, 64) == f0);
    CHECK(g.read(b1 + 12, 1500) == f1);
}

TEST(SplitQueueEnqueue, HeaderFlagsReachTheGuest)
{
    uint64_t b0 = g.post_rx(0, 2048), b1 = g.post_rx(1, 100);
    auto f = FakeGuest::frame(1500, 1);
    // The second one merges two buffers: the flags are in its first.
    uint64_t b2 = g.post_rx(2, 1024);
    TxPkt p[2] = {{f.data(), 64, false, virtio::kNetHdrFDataValid},
                  {f.data(), 1000, false, virtio::kNetHdrFDataValid}};
    uint16_t dropped;
    LONGS_EQUAL(2, q.enqueue(p, 2, &dropped));
    LONGS_EQUAL(virtio::kNetHdrFDataValid, g.read(b0, 1)[0]);
    LONGS_EQUAL(virtio::kNetHdrFDataValid, g.read(b1, 1)[0]);
    LONGS_EQUAL(2, g.read(b1, 12)[10]);         // num_buffers = 2
    (void) b2;
}

TEST(SplitQueueEnqueue, OneBufferAndMergedPacketsKeepTheirOrder)
{
    // Packets that fit one buffer and packets that need several, in one
    // burst longer than the writes one pass defers.
    std::vector<uint64_t> buf;
    for (int i = 0; i < 150; i++) {
        buf.push_back(g.post_rx(i, i % 10 == 3 ? 40 : 2048));
    }
    std::vector<std::vector<uint8_t>> f;
    std::vector<TxPkt> p;
    for (int i = 0; i < 120; i++) {
        f.push_back(FakeGuest::frame(64 + i, uint8_t(i)));
    }
    for (auto &x : f) {
        p.push_back(TxPkt{x.data(), uint32_t(x.size()), false});
    }
    uint16_t dropped;
    LONGS_EQUAL(120, q.enqueue(p.data(), 120, &dropped));
    LONGS_EQUAL(0, dropped);
    uint16_t used = 0;
    for (int i = 0; i < 120; i++) {
        virtio::UsedElem e = g.used(used);
        uint64_t gpa = buf[e.id];
        if (e.id % 10 == 3) {
            // 40 bytes here, the rest in the next buffer.
            LONGS_EQUAL(40, e.len);
            LONGS_EQUAL(2, g.read(gpa, 12)[10]);
            virtio::UsedElem e2 = g.used(used + 1);
            LONGS_EQUAL(e.id + 1, e2.id);
            LONGS_EQUAL(12 + f[i].size() - 40, e2.len);
            std::vector<uint8_t> got = g.read(gpa + 12, 28);
            auto rest = g.read(buf[e2.id], e2.len);
            got.insert(got.end(), rest.begin(), rest.end());
            CHECK(got == f[i]);
            used += 2;
        } else {
            LONGS_EQUAL(12 + f[i].size(), e.len);
            LONGS_EQUAL(1, g.read(gpa, 12)[10]);
            CHECK(g.read(gpa + 12, f[i].size()) == f[i]);
            used++;
        }
    }
    LONGS_EQUAL(used, g.used_idx());
}

TEST(SplitQueueEnqueue, MergeableBuffers)
{
    uint64_t b[3];
    for (int i = 0; i < 3; i++) {
        b[i] = g.post_rx(i, 1500);
    }
    auto f = FakeGuest::frame(3000, 7);
    TxPkt p = {f.data(), 3000, false};
    uint16_t dropped;
    LONGS_EQUAL(1, q.enqueue(&p, 1, &dropped));
    LONGS_EQUAL(3, g.used_idx());
    LONGS_EQUAL(1500, g.used(0).len);
    LONGS_EQUAL(1500, g.used(1).len);
    LONGS_EQUAL(12, g.used(2).len);
    LONGS_EQUAL(3, g.read(b[0], 12)[10]);       // num_buffers
    std::vector<uint8_t> got = g.read(b[0] + 12, 1488);
    auto more = g.read(b[1], 1500);
    got.insert(got.end(), more.begin(), more.end());
    more = g.read(b[2], 12);
    got.insert(got.end(), more.begin(), more.end());
    CHECK(got == f);
}

TEST(SplitQueueEnqueue, RingFullStopsAndResumes)
{
    g.post_rx(0, 2048);
    auto f = FakeGuest::frame(100, 1);
    TxPkt p[3] = {{f.data(), 100, false}, {f.data(), 100, false},
                  {f.data(), 100, false}};
    uint16_t dropped;
    LONGS_EQUAL(1, q.enqueue(p, 3, &dropped));
    LONGS_EQUAL(1, q.last_avail());
    g.post_rx(1, 2048);
    g.post_rx(2, 2048);
    LONGS_EQUAL(2, q.enqueue(p + 1, 2, &dropped));
    LONGS_EQUAL(3, g.used_idx());
}

TEST(SplitQueueEnqueue, PartialMergeableReservationIsUndone)
{
    g.post_rx(0, 1000);
    auto f = FakeGuest::frame(1500, 1);
    TxPkt p = {f.data(), 1500, false};
    uint16_t dropped;
    LONGS_EQUAL(0, q.enqueue(&p, 1, &dropped));
    LONGS_EQUAL(0, q.last_avail());
    LONGS_EQUAL(0, g.used_idx());
    g.post_rx(1, 1000);
    LONGS_EQUAL(1, q.enqueue(&p, 1, &dropped));
    LONGS_EQUAL(2, g.used_idx());
}

TEST(SplitQueueEnqueue, WithoutMergeableTooSmallBufferDropsPacket)
{
    SplitQueue nm;
    CHECK(nm.attach(g.addrs(), &g.mem(), 1ULL << virtio::kFVersion1, 0, 0));
    g.post_rx(0, 1000);
    auto big = FakeGuest::frame(1500, 1), small = FakeGuest::frame(60, 2);
    TxPkt p[2] = {{big.data(), 1500, false}, {small.data(), 60, false}};
    uint16_t dropped;
    LONGS_EQUAL(2, nm.enqueue(p, 2, &dropped));
    LONGS_EQUAL(1, dropped);
    CHECK(p[0].dropped);
    CHECK_FALSE(p[1].dropped);
    LONGS_EQUAL(1, nm.errors().oversize.get());
    LONGS_EQUAL(1, g.used_idx());
    LONGS_EQUAL(72, g.used(0).len);
}

TEST(SplitQueueEnqueue, ReadOnlyBufferIsRefusedAndSkipped)
{
    uint64_t ro = g.alloc(2048);
    g.set_desc(0, ro, 2048, 0);                 // Not device-writable.
    g.post(0);
    uint64_t ok = g.post_rx(1, 2048);
    auto f = FakeGuest::frame(64, 3);
    TxPkt p = {f.data(), 64, false};
    uint16_t dropped;
    LONGS_EQUAL(1, q.enqueue(&p, 1, &dropped));
    LONGS_EQUAL(1, chain_errors(q, ChainError::kWrongDirection));
    LONGS_EQUAL(2, g.used_idx());
    LONGS_EQUAL(0, g.used(0).len);
    LONGS_EQUAL(1, g.used(1).id);
    CHECK(g.read(ok + 12, 64) == f);
    CHECK(g.read(ro, 12) == std::vector<uint8_t>(12, 0));
}

TEST(SplitQueueEnqueue, LegacyHeaderIsTenBytes)
{
    SplitQueue legacy;
    CHECK(legacy.attach(g.addrs(), &g.mem(), 0, 0, 0));
    uint64_t b = g.post_rx(0, 2048);
    auto f = FakeGuest::frame(64, 1);
    TxPkt p = {f.data(), 64, false};
    uint16_t dropped;
    LONGS_EQUAL(1, legacy.enqueue(&p, 1, &dropped));
    LONGS_EQUAL(74, g.used(0).len);
    CHECK(g.read(b + 10, 64) == f);
}

TEST_GROUP(SplitQueueNotify)
{
    FakeGuest g;
    int efd = -1;
    void setup() override { efd = eventfd(0, EFD_NONBLOCK); }
    void teardown() override { close(efd); }
    uint64_t calls()
    {
        uint64_t v = 0;
        if (read(efd, &v, sizeof v) != sizeof v) {
            return 0;
        }
        return v;
    }
    void send_one(SplitQueue &q, uint16_t d)
    {
        g.post_rx(d, 2048);
        auto f = FakeGuest::frame(64, 1);
        TxPkt p = {f.data(), 64, false};
        uint16_t dropped;
        LONGS_EQUAL(1, q.enqueue(&p, 1, &dropped));
    }
};

TEST(SplitQueueNotify, FlagsWithoutEventIdx)
{
    SplitQueue q;
    CHECK(q.attach(g.addrs(efd), &g.mem(), kFeatures, 0, 0));
    send_one(q, 0);
    LONGS_EQUAL(1, calls());
    g.set_avail_flags(virtio::kAvailFNoInterrupt);
    send_one(q, 1);
    LONGS_EQUAL(0, calls());
    LONGS_EQUAL(1, q.notifications());
}

TEST(SplitQueueNotify, EventIdx)
{
    SplitQueue q;
    CHECK(q.attach(g.addrs(efd), &g.mem(),
                   kFeatures | 1ULL << virtio::kFEventIdx, 0, 0));
    g.set_used_event(1);            // Wake me when used passes index 1.
    send_one(q, 0);                 // used 0 -> 1: not yet.
    LONGS_EQUAL(0, calls());
    send_one(q, 1);                 // used 1 -> 2: crosses 1.
    LONGS_EQUAL(1, calls());
    send_one(q, 2);
    LONGS_EQUAL(0, calls());
}

namespace {

struct RecordingLog : accel::DirtyLog {
    std::vector<std::pair<uint64_t, uint64_t>> guest, used;
    void guest_write(uint64_t gpa, uint64_t len) override
    {
        guest.push_back({gpa, len});
    }
    void used_write(uint64_t off, uint64_t len) override
    {
        used.push_back({off, len});
    }
};

}  // namespace

TEST(SplitQueueNotify, DirtyLogCoversEveryWrite)
{
    SplitQueue q;
    RecordingLog log;
    CHECK(q.attach(g.addrs(), &g.mem(), kFeatures, 0, 0));
    q.set_dirty_log(&log);
    uint64_t b = g.post_rx(0, 2048);
    auto f = FakeGuest::frame(100, 1);
    TxPkt p = {f.data(), 100, false};
    uint16_t dropped;
    LONGS_EQUAL(1, q.enqueue(&p, 1, &dropped));
    LONGS_EQUAL(1, log.guest.size());
    LONGS_EQUAL(b, log.guest[0].first);
    LONGS_EQUAL(112, log.guest[0].second);
    LONGS_EQUAL(2, log.used.size());
    LONGS_EQUAL(virtio::used_elem_offset(0), log.used[0].first);
    LONGS_EQUAL(8, log.used[0].second);
    LONGS_EQUAL(virtio::used_idx_offset(), log.used[1].first);
}

TEST_GROUP(SplitQueueZeroCopy)
{
    FakeGuest g;
    SplitQueue q;
    accel::InflightTable table{4};
    void setup() override
    {
        CHECK(q.attach(g.addrs(), &g.mem(), kFeatures, 0, 0));
        q.set_zero_copy(&table, 256, 1000);
    }
};

TEST(SplitQueueZeroCopy, LendsLargeFramesCopiesSmallOnes)
{
    auto big = FakeGuest::frame(1500, 1), small = FakeGuest::frame(64, 2);
    g.post_tx(0, big);
    g.post_tx(1, small);
    Bufs b(4);
    LONGS_EQUAL(2, q.dequeue(b.bufs.data(), 4, 10));
    CHECK(b.bufs[0].zc_slot >= 0);
    LONGS_EQUAL(1500, b.bufs[0].len);
    LONGS_EQUAL(12, b.bufs[0].zc_headroom);
    CHECK(std::vector<uint8_t>(b.bufs[0].zc_data, b.bufs[0].zc_data + 1500)
          == big);
    LONGS_EQUAL(-1, b.bufs[1].zc_slot);
    CHECK(b.data(1) == small);
    // Only the copied one is used so far.
    LONGS_EQUAL(1, g.used_idx());
    LONGS_EQUAL(1, g.used(0).id);
    LONGS_EQUAL(1, q.zc_packets());
    LONGS_EQUAL(1, q.zc_fallback(accel::ZcFallback::kSmall));

    // Freed: given back with the next burst, even an empty one.
    table.complete(b.bufs[0].zc_slot);
    LONGS_EQUAL(0, q.dequeue(b.bufs.data(), 4, 20));
    LONGS_EQUAL(2, g.used_idx());
    LONGS_EQUAL(0, g.used(1).id);
    LONGS_EQUAL(0, table.in_flight());
}

TEST(SplitQueueZeroCopy, SeparateHeaderIsFineScatteredFrameIsCopied)
{
    auto f = FakeGuest::frame(1000, 3);
    uint64_t hdr = g.alloc(12), d = g.alloc(1000);
    g.write(d, f.data(), 1000);
    g.set_desc(0, hdr, 12, virtio::kDescFNext, 1);
    g.set_desc(1, d, 1000, 0);
    g.post(0);
    uint64_t h2 = g.alloc(12), d1 = g.alloc(500), d2 = g.alloc(500);
    g.write(d1, f.data(), 500);
    g.write(d2, f.data() + 500, 500);
    g.set_desc(2, h2, 12, virtio::kDescFNext, 3);
    g.set_desc(3, d1, 500, virtio::kDescFNext, 4);
    g.set_desc(4, d2, 500, 0);
    g.post(2);
    Bufs b(4);
    LONGS_EQUAL(2, q.dequeue(b.bufs.data(), 4, 0));
    CHECK(b.bufs[0].zc_slot >= 0);
    LONGS_EQUAL(0, b.bufs[0].zc_headroom);
    LONGS_EQUAL(-1, b.bufs[1].zc_slot);
    CHECK(b.data(1) == f);
    LONGS_EQUAL(1, q.zc_fallback(accel::ZcFallback::kChained));
}

TEST(SplitQueueZeroCopy, BoundedInflightAndHeldTooLong)
{
    auto f = FakeGuest::frame(600, 4);
    for (int i = 0; i < 6; i++) {
        g.post_tx(i, f);
    }
    Bufs b(8);
    LONGS_EQUAL(6, q.dequeue(b.bufs.data(), 8, 0));
    LONGS_EQUAL(4, table.in_flight());         // The bound.
    LONGS_EQUAL(2, q.zc_fallback(accel::ZcFallback::kInflightFull));
    LONGS_EQUAL(2, g.used_idx());              // The copies went back.

    // One comes back; the others are held past max_hold: copy meanwhile.
    table.complete(b.bufs[0].zc_slot);
    g.post_tx(6, f);
    LONGS_EQUAL(1, q.dequeue(b.bufs.data(), 8, 5000));
    LONGS_EQUAL(-1, b.bufs[0].zc_slot);
    LONGS_EQUAL(1, q.zc_fallback(accel::ZcFallback::kHeldLong));
    LONGS_EQUAL(4, g.used_idx());

    // Before the ring changes hands everything goes back.
    q.reap_zero_copy(true);
    LONGS_EQUAL(7, g.used_idx());
    LONGS_EQUAL(0, table.in_flight());
}

namespace {
uint64_t clock_reads, clock_ticks;
uint64_t counting_clock()
{
    clock_reads++;
    return clock_ticks;
}
}  // namespace

// The clock (the TSC in the port) is read only by a burst that lends a
// frame or finds one still out, and then once.
TEST(SplitQueueZeroCopy, ClockReadOnlyWhenLending)
{
    q.set_zero_copy(&table, 256, 1000, counting_clock);
    clock_reads = 0;
    clock_ticks = 100;
    auto big = FakeGuest::frame(1500, 1), small = FakeGuest::frame(64, 2);
    g.post_tx(0, small);
    g.post_tx(1, small);
    Bufs b(4);
    LONGS_EQUAL(2, q.dequeue(b.bufs.data(), 4, SplitQueue::kReadClock));
    LONGS_EQUAL(0, clock_reads);

    g.post_tx(2, big);
    g.post_tx(3, big);
    LONGS_EQUAL(2, q.dequeue(b.bufs.data(), 4, SplitQueue::kReadClock));
    LONGS_EQUAL(1, clock_reads);
    LONGS_EQUAL(2, table.in_flight());

    // Out for longer than max_hold: the next burst copies.
    clock_ticks = 2000;
    g.post_tx(4, big);
    LONGS_EQUAL(1, q.dequeue(b.bufs.data(), 4, SplitQueue::kReadClock));
    LONGS_EQUAL(2, clock_reads);
    LONGS_EQUAL(-1, b.bufs[0].zc_slot);
    LONGS_EQUAL(1, q.zc_fallback(accel::ZcFallback::kHeldLong));
    q.reap_zero_copy(true);
}

TEST_GROUP(InflightTable){};

TEST(InflightTable, OutOfOrderCompletion)
{
    accel::InflightTable t(3);
    int a = t.take(10, 0), b = t.take(11, 0), c = t.take(12, 0);
    CHECK(a >= 0 && b >= 0 && c >= 0);
    CHECK(t.full());
    LONGS_EQUAL(-1, t.take(13, 0));
    t.complete(b);
    std::vector<uint16_t> back;
    LONGS_EQUAL(1, t.reap([&](uint16_t h) { back.push_back(h); }));
    LONGS_EQUAL(11, back[0]);
    CHECK_FALSE(t.full());
    CHECK(t.take(14, 5) >= 0);
    LONGS_EQUAL(7, t.oldest_age(7));
    LONGS_EQUAL(3, t.reap([&](uint16_t h) { back.push_back(h); }, true));
    LONGS_EQUAL(0, t.in_flight());
}

TEST(InflightTable, AllBackCountsForcedReapsStillOut)
{
    accel::InflightTable t(4);
    CHECK(t.all_back());                // Nothing lent yet.
    int a = t.take(1, 0), b = t.take(2, 0);
    CHECK_FALSE(t.all_back());
    t.complete(a);
    CHECK_FALSE(t.all_back());
    // The owner stops: every descriptor back to the guest, b's packet is
    // still held somewhere.
    LONGS_EQUAL(2, t.reap([](uint16_t) {}, true));
    LONGS_EQUAL(0, t.in_flight());
    CHECK_FALSE(t.all_back());
    t.complete(b);                      // Freed at last.
    CHECK(t.all_back());
}
