#include "virtq/net-offload.h"

namespace accel {

namespace {

constexpr uint16_t kEthTypeIpv4 = 0x0800;
constexpr uint16_t kEthTypeIpv6 = 0x86dd;
constexpr uint16_t kEthTypeVlan = 0x8100;
constexpr uint16_t kEthTypeQinq = 0x88a8;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;

uint16_t
be16(const uint8_t *p)
{
    return uint16_t(p[0] << 8 | p[1]);
}

// The frame's L2/L3/L4 layout: what a NIC needs for TCP/UDP offloads.
struct Layout {
    bool ok = false;            // Ethernet, IPv4 or IPv6, then TCP or UDP.
    bool ipv4 = false;
    uint8_t proto = 0;
    uint16_t l2_len = 0, l3_len = 0, l4_len = 0;
};

Layout
parse(const uint8_t *f, uint32_t avail)
{
    Layout l;
    uint32_t off = 12;
    if (avail < off + 2) {
        return l;
    }
    uint16_t type = be16(f + off);
    for (int tags = 0; (type == kEthTypeVlan || type == kEthTypeQinq)
                       && tags < 2; tags++) {
        off += 4;
        if (avail < off + 2) {
            return l;
        }
        type = be16(f + off);
    }
    off += 2;
    l.l2_len = uint16_t(off);
    if (type == kEthTypeIpv4) {
        if (avail < off + 20 || (f[off] >> 4) != 4) {
            return l;
        }
        uint32_t ihl = (f[off] & 0xf) * 4u;
        if (ihl < 20 || avail < off + ihl) {
            return l;
        }
        // Not a fragment: a checksum of the L4 header would be wrong.
        if (be16(f + off + 6) & 0x3fff) {
            return l;
        }
        l.ipv4 = true;
        l.proto = f[off + 9];
        l.l3_len = uint16_t(ihl);
    } else if (type == kEthTypeIpv6) {
        // Extension headers are not followed: TCP or UDP right after.
        if (avail < off + 40 || (f[off] >> 4) != 6) {
            return l;
        }
        l.proto = f[off + 6];
        l.l3_len = 40;
    } else {
        return l;
    }
    off += l.l3_len;
    if (l.proto == kProtoTcp) {
        if (avail < off + 20) {
            return l;
        }
        uint32_t doff = (f[off + 12] >> 4) * 4u;
        if (doff < 20 || avail < off + doff) {
            return l;
        }
        l.l4_len = uint16_t(doff);
    } else if (l.proto == kProtoUdp) {
        if (avail < off + 8) {
            return l;
        }
        l.l4_len = 8;
    } else {
        return l;
    }
    l.ok = true;
    return l;
}

}  // namespace

OffloadError
plan_tx_offload(const virtio::NetHdr &hdr, const uint8_t *frame,
                uint32_t avail, uint32_t len, TxOffload *out)
{
    *out = TxOffload();
    uint8_t gso = hdr.gso_type & ~virtio::kNetHdrGsoEcn;
    bool needs_csum = hdr.flags & virtio::kNetHdrFNeedsCsum;
    if (gso != virtio::kNetHdrGsoNone
        && (!needs_csum || !hdr.gso_size
            || (gso != virtio::kNetHdrGsoTcpv4
                && gso != virtio::kNetHdrGsoTcpv6))) {
        return OffloadError::kBadGso;
    }
    if (!needs_csum) {
        return OffloadError::kNone;
    }
    uint32_t start = hdr.csum_start;
    uint32_t pos = start + hdr.csum_offset;
    if (start >= len || pos + 2 > len || pos < start) {
        return OffloadError::kBadCsumRange;
    }
    out->csum_start = start;
    out->csum_pos = pos;

    Layout l = parse(frame, avail);
    uint32_t l4_start = uint32_t(l.l2_len) + l.l3_len;
    bool tcp = l.ok && l.proto == kProtoTcp && start == l4_start
               && pos == l4_start + 16;
    bool udp = l.ok && l.proto == kProtoUdp && start == l4_start
               && pos == l4_start + 6;
    if (gso != virtio::kNetHdrGsoNone) {
        // Segmentation needs the frame to be what the header says.
        if (!tcp || l.ipv4 != (gso == virtio::kNetHdrGsoTcpv4)
            || len <= l4_start + l.l4_len) {
            return OffloadError::kBadGso;
        }
        out->tso_segsz = hdr.gso_size;
    }
    if (!tcp && !udp) {
        out->l4 = TxOffload::L4::kOther;
        return OffloadError::kNone;
    }
    out->l4 = tcp ? TxOffload::L4::kTcp : TxOffload::L4::kUdp;
    out->ipv4 = l.ipv4;
    out->l2_len = l.l2_len;
    out->l3_len = l.l3_len;
    out->l4_len = l.l4_len;
    return OffloadError::kNone;
}

void
Checksum::add(const uint8_t *p, size_t n)
{
    size_t i = 0;
    if (odd_ && n) {
        sum_ += p[0];           // The low byte of the pending word.
        i = 1;
        odd_ = false;
    }
    for (; i + 1 < n; i += 2) {
        sum_ += uint32_t(p[i]) << 8 | p[i + 1];
    }
    if (i < n) {
        sum_ += uint32_t(p[i]) << 8;
        odd_ = true;
    }
}

uint16_t
Checksum::result() const
{
    uint64_t s = sum_;
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return uint16_t(~s);
}

}  // namespace accel
