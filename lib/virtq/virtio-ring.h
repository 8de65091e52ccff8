// The split virtqueue as the guest lays it out in its memory (virtio 1.x,
// section 2.7), in structs of our own: the kernel's <linux/virtio_ring.h>
// does not compile as C++ and rte_vhost.h leaves these types incomplete.
#ifndef OVS_VHOST_ACCEL_VIRTQ_VIRTIO_RING_H
#define OVS_VHOST_ACCEL_VIRTQ_VIRTIO_RING_H

#include <cstddef>
#include <cstdint>

namespace accel {
namespace virtio {

struct Desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
static_assert(sizeof(Desc) == 16, "virtq descriptor layout");

constexpr uint16_t kDescFNext = 1;
constexpr uint16_t kDescFWrite = 2;
constexpr uint16_t kDescFIndirect = 4;

struct Avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[];        // 'size' entries, then used_event.
};
constexpr uint16_t kAvailFNoInterrupt = 1;

struct UsedElem {
    uint32_t id;
    uint32_t len;
};

struct Used {
    uint16_t flags;
    uint16_t idx;
    UsedElem ring[];        // 'size' entries, then avail_event.
};
constexpr uint16_t kUsedFNoNotify = 1;

// Feature bits.
constexpr int kNetFCsum = 0;            // Guest TX: partial checksums.
constexpr int kNetFGuestCsum = 1;       // Guest RX: DATA_VALID honoured.
constexpr int kNetFGuestTso4 = 7;
constexpr int kNetFGuestTso6 = 8;
constexpr int kNetFHostTso4 = 11;       // Guest TX: TCP segmentation.
constexpr int kNetFHostTso6 = 12;
constexpr int kNetFMrgRxbuf = 15;
constexpr int kFLogAll = 26;            // VHOST_F_LOG_ALL
constexpr int kFIndirectDesc = 28;
constexpr int kFEventIdx = 29;
constexpr int kFVersion1 = 32;
constexpr int kFAccessPlatform = 33;    // VIRTIO_F_IOMMU_PLATFORM
constexpr int kFRingPacked = 34;
constexpr int kFInOrder = 35;

constexpr bool has_feature(uint64_t features, int bit)
{
    return features & (1ULL << bit);
}

// virtio_net_hdr_mrg_rxbuf.
struct NetHdr {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len;
    uint16_t gso_size;
    uint16_t csum_start;
    uint16_t csum_offset;
    uint16_t num_buffers;
};
static_assert(sizeof(NetHdr) == 12, "virtio-net header layout");

constexpr uint8_t kNetHdrFNeedsCsum = 1;    // Sum from csum_start, store
                                            // at csum_start + csum_offset.
constexpr uint8_t kNetHdrFDataValid = 2;    // Checksums verified.
constexpr uint8_t kNetHdrGsoNone = 0;
constexpr uint8_t kNetHdrGsoTcpv4 = 1;
constexpr uint8_t kNetHdrGsoUdp = 3;
constexpr uint8_t kNetHdrGsoTcpv6 = 4;
constexpr uint8_t kNetHdrGsoEcn = 0x80;

// Header length for the negotiated features: 12 bytes with mergeable RX
// buffers or virtio 1.0, else the legacy 10.
constexpr uint32_t net_hdr_len(uint64_t features)
{
    return has_feature(features, kNetFMrgRxbuf)
                   || has_feature(features, kFVersion1)
               ? sizeof(NetHdr)
               : sizeof(NetHdr) - sizeof(uint16_t);
}

// Offsets inside the used ring, for dirty logging.
constexpr uint64_t used_idx_offset() { return offsetof(Used, idx); }
constexpr uint64_t used_elem_offset(uint32_t i)
{
    return offsetof(Used, ring) + uint64_t(i) * sizeof(UsedElem);
}

}  // namespace virtio
}  // namespace accel

#endif
