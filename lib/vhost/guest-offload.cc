#include "vhost/guest-offload.h"

#include <algorithm>
#include <cstring>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "virtq/net-offload.h"

namespace accel {

namespace {

constexpr uint64_t bit(int b) { return 1ULL << b; }

// The byte at 'off' of the frame in the chain 'm' (nullptr past its end).
uint8_t *
frame_byte(rte_mbuf *m, uint32_t off)
{
    for (; m; m = m->next) {
        if (off < m->data_len) {
            return rte_pktmbuf_mtod_offset(m, uint8_t *, off);
        }
        off -= m->data_len;
    }
    return nullptr;
}

// Completes the checksum the guest left to us: the one's complement sum
// from 'plan.csum_start' to the end, stored at 'plan.csum_pos' (whose two
// bytes hold the pseudo-header sum the guest put there).
void
software_checksum(rte_mbuf *m, const TxOffload &plan)
{
    Checksum c;
    uint32_t skip = plan.csum_start;
    for (rte_mbuf *s = m; s; s = s->next) {
        if (skip >= s->data_len) {
            skip -= s->data_len;
            continue;
        }
        c.add(rte_pktmbuf_mtod_offset(s, const uint8_t *, skip),
              s->data_len - skip);
        skip = 0;
    }
    uint16_t sum = c.result();
    if (!sum) {
        sum = 0xffff;           // As Linux: 0 means "no checksum" in UDP.
    }
    uint8_t *hi = frame_byte(m, plan.csum_pos);
    uint8_t *lo = frame_byte(m, plan.csum_pos + 1);
    if (hi && lo) {
        *hi = uint8_t(sum >> 8);
        *lo = uint8_t(sum);
    }
}

}  // namespace

uint64_t
GuestOffloads::disabled_features() const
{
    // As OVS without userspace TSO: no guest TX offloads at all.
    uint64_t off = bit(virtio::kNetFCsum) | bit(virtio::kNetFHostTso4)
                   | bit(virtio::kNetFHostTso6);
    if (csum) {
        off &= ~bit(virtio::kNetFCsum);
        if (tso) {
            off &= ~(bit(virtio::kNetFHostTso4) | bit(virtio::kNetFHostTso6));
        }
    }
    return off;
}

bool
apply_guest_tx_offload(rte_mbuf *m, const virtio::NetHdr &hdr,
                       const GuestOffloads &offer, GuestOffloadStats &stats)
{
    if (!hdr.flags && hdr.gso_type == virtio::kNetHdrGsoNone) {
        return true;
    }
    uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
    TxOffload plan;
    if (plan_tx_offload(hdr, frame, m->data_len, m->pkt_len, &plan)
        != OffloadError::kNone
        || (plan.tso_segsz && !offer.tso)) {
        return false;
    }
    if (plan.l4 == TxOffload::L4::kNone) {
        return true;
    }
    bool tcp = plan.l4 == TxOffload::L4::kTcp;
    if (tcp || plan.l4 == TxOffload::L4::kUdp) {
        uint64_t need = plan.tso_segsz ? RTE_ETH_TX_OFFLOAD_TCP_TSO
                        : tcp ? RTE_ETH_TX_OFFLOAD_TCP_CKSUM
                        : RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
        if (plan.tso_segsz && plan.ipv4) {
            need |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
        }
        if ((offer.nic_tx_capa & need) == need) {
            m->tx_offload = 0;          // (Left as it was by rx_walker.)
            m->l2_len = plan.l2_len;
            m->l3_len = plan.l3_len;
            m->l4_len = plan.l4_len;
            uint64_t flags = (plan.ipv4 ? RTE_MBUF_F_TX_IPV4
                                        : RTE_MBUF_F_TX_IPV6)
                             | (tcp ? RTE_MBUF_F_TX_TCP_CKSUM
                                    : RTE_MBUF_F_TX_UDP_CKSUM);
            if (plan.tso_segsz) {
                uint32_t hdrs = uint32_t(plan.l2_len) + plan.l3_len
                                + plan.l4_len;
                uint32_t seg = plan.tso_segsz;
                if (offer.tso_max_frame) {
                    if (offer.tso_max_frame <= hdrs) {
                        return false;
                    }
                    seg = std::min(seg, offer.tso_max_frame - hdrs);
                }
                flags |= RTE_MBUF_F_TX_TCP_SEG;
                flags |= plan.ipv4 ? RTE_MBUF_F_TX_IP_CKSUM : 0;
                m->tso_segsz = uint16_t(seg);
            }
            m->ol_flags |= flags;
            // The pseudo-header sum NICs start from (without the length
            // for TSO), in place of the guest's.
            const void *l3 = frame + plan.l2_len;
            uint16_t phdr = plan.ipv4 ? rte_ipv4_phdr_cksum(
                                static_cast<const rte_ipv4_hdr *>(l3), flags)
                                      : rte_ipv6_phdr_cksum(
                                static_cast<const rte_ipv6_hdr *>(l3), flags);
            memcpy(frame + plan.csum_pos, &phdr, sizeof phdr);
            (plan.tso_segsz ? stats.tx_tso : stats.tx_csum)
                .fetch_add(1, std::memory_order_relaxed);
            return true;
        }
        if (plan.tso_segsz) {
            return false;       // Not offered without the NIC's TSO.
        }
    }
    software_checksum(m, plan);
    stats.tx_csum_sw.fetch_add(1, std::memory_order_relaxed);
    return true;
}

uint8_t
guest_rx_hdr_flags(const rte_mbuf *m)
{
    return (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK)
                   == RTE_MBUF_F_RX_L4_CKSUM_GOOD
               ? virtio::kNetHdrFDataValid
               : 0;
}

bool
MbufChainSink::take(RxBuf &b, const Segment *segs, uint32_t nsegs,
                    uint32_t skip, uint32_t len)
{
    rte_mbuf *head = static_cast<rte_mbuf *>(b.owner);
    rte_mempool *mp = pool_.load(std::memory_order_relaxed);
    if (!head || !mp) {
        return false;
    }
    uint32_t done = std::min(len, b.room);
    gather(segs, nsegs, skip, b.data, done);
    head->data_len = uint16_t(done);
    rte_mbuf *last = head;
    uint16_t nb = 1;
    while (done < len) {
        rte_mbuf *s = rte_pktmbuf_alloc(mp);
        if (!s || nb == UINT16_MAX) {
            rte_pktmbuf_free(s);
            rte_pktmbuf_free(head->next);
            head->next = nullptr;
            head->nb_segs = 1;
            return false;
        }
        uint32_t n = std::min<uint32_t>(len - done, rte_pktmbuf_tailroom(s));
        gather(segs, nsegs, skip + done, rte_pktmbuf_mtod(s, uint8_t *), n);
        s->data_len = uint16_t(n);
        last->next = s;
        last = s;
        nb++;
        done += n;
    }
    head->nb_segs = nb;
    head->pkt_len = len;
    return true;
}

}  // namespace accel
