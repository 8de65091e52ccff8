// The guest's virtio-net offload requests, checked against its frames.
#include "virtq/net-offload.h"

#include <vector>

#include <CppUTest/TestHarness.h>

using accel::Checksum;
using accel::OffloadError;
using accel::TxOffload;
using accel::plan_tx_offload;
namespace virtio = accel::virtio;

namespace {

// Ethernet (+ 'vlans' 802.1Q tags), IPv4 or IPv6, TCP (20 B + 'tcp_opts')
// or UDP, then 'payload' bytes.
std::vector<uint8_t>
frame(bool ipv4, bool tcp, int vlans = 0, uint32_t payload = 100,
      int tcp_opts = 0)
{
    std::vector<uint8_t> f(12, 0x11);
    for (int i = 0; i < vlans; i++) {
        f.insert(f.end(), {0x81, 0x00, 0x00, 0x0a});
    }
    uint32_t l4 = tcp ? 20 + tcp_opts : 8;
    if (ipv4) {
        f.insert(f.end(), {0x08, 0x00, 0x45, 0, 0, 0, 0, 0, 0x40, 0, 64,
                           uint8_t(tcp ? 6 : 17), 0, 0});
        f.insert(f.end(), 8, 0x0a);
    } else {
        f.insert(f.end(), {0x86, 0xdd, 0x60, 0, 0, 0, 0, 0,
                           uint8_t(tcp ? 6 : 17), 64});
        f.insert(f.end(), 32, 0xfe);
    }
    size_t l4_at = f.size();
    f.insert(f.end(), l4 + payload, 0x5a);
    if (tcp) {
        f[l4_at + 12] = uint8_t(l4 / 4 << 4);
    }
    return f;
}

virtio::NetHdr
csum_hdr(uint16_t start, uint16_t offset, uint8_t gso = 0,
         uint16_t gso_size = 0)
{
    virtio::NetHdr h{};
    h.flags = virtio::kNetHdrFNeedsCsum;
    h.csum_start = start;
    h.csum_offset = offset;
    h.gso_type = gso;
    h.gso_size = gso_size;
    return h;
}

OffloadError
plan(const virtio::NetHdr &h, const std::vector<uint8_t> &f, TxOffload *o)
{
    return plan_tx_offload(h, f.data(), uint32_t(f.size()),
                           uint32_t(f.size()), o);
}

}  // namespace

TEST_GROUP(NetOffload)
{
};

TEST(NetOffload, NoRequestNothingToDo)
{
    TxOffload o;
    auto f = frame(true, true);
    LONGS_EQUAL(int(OffloadError::kNone), int(plan({}, f, &o)));
    CHECK(o.l4 == TxOffload::L4::kNone);
}

TEST(NetOffload, TcpOverIpv4)
{
    TxOffload o;
    auto f = frame(true, true, 0, 100, 12);
    LONGS_EQUAL(int(OffloadError::kNone), int(plan(csum_hdr(34, 16), f, &o)));
    CHECK(o.l4 == TxOffload::L4::kTcp);
    CHECK(o.ipv4);
    LONGS_EQUAL(14, o.l2_len);
    LONGS_EQUAL(20, o.l3_len);
    LONGS_EQUAL(32, o.l4_len);
    LONGS_EQUAL(0, o.tso_segsz);
    LONGS_EQUAL(50, o.csum_pos);
}

TEST(NetOffload, UdpOverIpv6BehindTwoVlanTags)
{
    TxOffload o;
    auto f = frame(false, false, 2);
    LONGS_EQUAL(int(OffloadError::kNone), int(plan(csum_hdr(62, 6), f, &o)));
    CHECK(o.l4 == TxOffload::L4::kUdp);
    CHECK_FALSE(o.ipv4);
    LONGS_EQUAL(22, o.l2_len);
    LONGS_EQUAL(40, o.l3_len);
    LONGS_EQUAL(8, o.l4_len);
}

TEST(NetOffload, ChecksumWithoutANicFlagIsOurs)
{
    TxOffload o;
    auto f = frame(true, true);
    // Not at the TCP checksum: summed by us from csum_start.
    LONGS_EQUAL(int(OffloadError::kNone), int(plan(csum_hdr(34, 10), f, &o)));
    CHECK(o.l4 == TxOffload::L4::kOther);
    LONGS_EQUAL(44, o.csum_pos);
    // Not IP at all.
    std::vector<uint8_t> arp(60, 0);
    arp[12] = 0x08;
    arp[13] = 0x06;
    LONGS_EQUAL(int(OffloadError::kNone), int(plan(csum_hdr(14, 4), arp, &o)));
    CHECK(o.l4 == TxOffload::L4::kOther);
}

TEST(NetOffload, ChecksumOutsideTheFrameIsRefused)
{
    TxOffload o;
    auto f = frame(true, true);
    uint16_t len = uint16_t(f.size());
    LONGS_EQUAL(int(OffloadError::kBadCsumRange),
                int(plan(csum_hdr(len, 0), f, &o)));
    LONGS_EQUAL(int(OffloadError::kBadCsumRange),
                int(plan(csum_hdr(uint16_t(len - 4), 3), f, &o)));
    LONGS_EQUAL(int(OffloadError::kBadCsumRange),
                int(plan(csum_hdr(0xffff, 0xffff), f, &o)));
    // Headers claimed beyond what the frame holds: not TCP, just ours.
    LONGS_EQUAL(int(OffloadError::kNone),
                int(plan_tx_offload(csum_hdr(34, 16), f.data(), 40,
                                    uint32_t(f.size()), &o)));
    CHECK(o.l4 == TxOffload::L4::kOther);
}

TEST(NetOffload, Tso)
{
    TxOffload o;
    auto f4 = frame(true, true, 0, 20000, 12);
    LONGS_EQUAL(int(OffloadError::kNone),
                int(plan(csum_hdr(34, 16, virtio::kNetHdrGsoTcpv4, 1448), f4,
                         &o)));
    CHECK(o.l4 == TxOffload::L4::kTcp);
    LONGS_EQUAL(1448, o.tso_segsz);
    auto f6 = frame(false, true, 0, 20000);
    LONGS_EQUAL(int(OffloadError::kNone),
                int(plan(csum_hdr(54, 16, virtio::kNetHdrGsoTcpv6
                                          | virtio::kNetHdrGsoEcn, 1440),
                         f6, &o)));
    LONGS_EQUAL(1440, o.tso_segsz);
}

TEST(NetOffload, BadGsoIsRefused)
{
    TxOffload o;
    auto f4 = frame(true, true, 0, 20000);
    auto u4 = frame(true, false, 0, 20000);
    virtio::NetHdr no_csum = csum_hdr(34, 16, virtio::kNetHdrGsoTcpv4, 1448);
    no_csum.flags = 0;
    const virtio::NetHdr bad[] = {
        no_csum,
        csum_hdr(34, 16, virtio::kNetHdrGsoTcpv4, 0),       // size 0
        csum_hdr(34, 16, virtio::kNetHdrGsoTcpv6, 1448),    // not IPv6
        csum_hdr(34, 16, virtio::kNetHdrGsoUdp, 1448),      // UFO
        csum_hdr(34, 16, 0x42, 1448),                       // unknown
        csum_hdr(34, 10, virtio::kNetHdrGsoTcpv4, 1448),    // not TCP's
    };
    for (const virtio::NetHdr &h : bad) {
        LONGS_EQUAL(int(OffloadError::kBadGso), int(plan(h, f4, &o)));
    }
    LONGS_EQUAL(int(OffloadError::kBadGso),
                int(plan(csum_hdr(34, 6, virtio::kNetHdrGsoTcpv4, 1448), u4,
                         &o)));
    // A fragment is never segmented.
    f4[20] = 0x20;
    LONGS_EQUAL(int(OffloadError::kBadGso),
                int(plan(csum_hdr(34, 16, virtio::kNetHdrGsoTcpv4, 1448), f4,
                         &o)));
}

TEST(NetOffload, ChecksumOfPiecesOfAnyLength)
{
    // RFC 1071, 3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2.
    const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    Checksum whole;
    whole.add(b, 8);
    LONGS_EQUAL(0x220d, whole.result());
    for (size_t cut = 0; cut <= 8; cut++) {
        for (size_t cut2 = cut; cut2 <= 8; cut2++) {
            Checksum c;
            c.add(b, cut);
            c.add(b + cut, cut2 - cut);
            c.add(b + cut2, 8 - cut2);
            LONGS_EQUAL(0x220d, c.result());
        }
    }
}
