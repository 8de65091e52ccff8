// Checksum and TCP segmentation offloads between a guest's virtio-net
// headers and DPDK mbufs, for a port whose packets go to a NIC that can do
// them (the software relay of a dpdkvdpa port: guest <-> VF).
//
// Guest TX: the header the ring walker read (VIRTIO_NET_F_CSUM, HOST_TSO4/6
// negotiated) becomes mbuf offload flags the VF carries out, or a checksum
// we complete in software when the VF has no flag for it; TSO frames larger
// than an mbuf are copied into mbuf chains.  Guest RX: a checksum the VF
// verified becomes VIRTIO_NET_HDR_F_DATA_VALID.
#ifndef OVS_VHOST_ACCEL_VHOST_GUEST_OFFLOAD_H
#define OVS_VHOST_ACCEL_VHOST_GUEST_OFFLOAD_H

#include <atomic>
#include <cstdint>

#include "virtq/split-queue.h"
#include "virtq/virtio-ring.h"

struct rte_mbuf;
struct rte_mempool;

namespace accel {

// What a port offers its guest, from the NIC behind it.
struct GuestOffloads {
    bool csum = false;          // VIRTIO_NET_F_CSUM (+ GUEST_CSUM flags).
    bool tso = false;           // VIRTIO_NET_F_HOST_TSO4/6 (needs csum).
    uint64_t nic_tx_capa = 0;   // RTE_ETH_TX_OFFLOAD_* the NIC has.
    // Non-zero: the NIC's largest TSO segment, headers included (net_tap
    // checks its segments' Ethernet frame length against its MTU): the
    // segment size is cut to fit.
    uint32_t tso_max_frame = 0;

    bool operator==(const GuestOffloads &o) const
    {
        return csum == o.csum && tso == o.tso
               && nic_tx_capa == o.nic_tx_capa
               && tso_max_frame == o.tso_max_frame;
    }
    // Feature bits to take away from rte_vhost's defaults.
    uint64_t disabled_features() const;
};

// Offload counters of a port (any thread adds).
struct GuestOffloadStats {
    std::atomic<uint64_t> tx_csum{0};       // Guest TX: checksum offloaded.
    std::atomic<uint64_t> tx_csum_sw{0};    // ... completed in software.
    std::atomic<uint64_t> tx_tso{0};        // Guest TX: TSO frames.
    std::atomic<uint64_t> rx_csum_valid{0}; // Guest RX: DATA_VALID.
};

// Applies the guest's header 'hdr' to its frame in 'm' (offload flags, or a
// software checksum).  False: the header does not fit the frame (drop it).
bool apply_guest_tx_offload(rte_mbuf *m, const virtio::NetHdr &hdr,
                            const GuestOffloads &offer,
                            GuestOffloadStats &stats);

// The virtio-net header flags for a frame the NIC received into 'm'.
uint8_t guest_rx_hdr_flags(const rte_mbuf *m);

// Copies frames larger than an mbuf into a chain of mbufs from one pool.
class MbufChainSink : public LargeFrameSink {
public:
    explicit MbufChainSink(const std::atomic<rte_mempool *> &pool)
        : pool_(pool)
    {
    }
    bool take(RxBuf &b, const Segment *segs, uint32_t nsegs, uint32_t skip,
              uint32_t len) override;

private:
    const std::atomic<rte_mempool *> &pool_;
};

}  // namespace accel

#endif
