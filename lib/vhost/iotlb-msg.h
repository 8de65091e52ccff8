// vhost-user IOTLB messages (VHOST_USER_IOTLB_MSG) as rte_vhost's extern
// message hook sees them, before the library applies them.
//
// A front-end invalidates a range of IOVAs when the guest unmaps DMA
// buffers.  A Linux guest with intel_iommu (lazy "flush queue" mode, the
// default) invalidates its whole IOVA space on every flush, and QEMU 7.2
// (hw/virtio/vhost.c, vhost_iommu_unmap_notify()) forwards that cropped to
// each memory section around the MSI window: [0, 0xfee00000) and
// [0xfef00000, 2^64), the latter as iova 0xfef00000, size 2^64 - iova; a
// section reaching from 0 to the end would come as size 2^64, i.e. 0.
// rte_vhost 22.11 compares iova + size, which wraps to 0 for such a range,
// and ignores a size of 0: every translation above the MSI window -- where
// Linux allocates its DMA addresses, top down from 4 GiB -- stayed cached
// after the guest unmapped it.  The switch then wrote guest RX frames into,
// and read guest TX frames from, pages the guest had given back to its
// kernel (slab corruption, oopses, frames with wrong bytes).  Such a range
// is rewritten to end at the last byte but one of the space, which no
// guest maps.
#ifndef OVS_VHOST_ACCEL_VHOST_IOTLB_MSG_H
#define OVS_VHOST_ACCEL_VHOST_IOTLB_MSG_H

#include <cstddef>
#include <cstdint>

namespace accel {

class IotlbMsg {
public:
    enum Kind {
        kOther,             // Not an IOTLB invalidation.
        kInvalidate,        // An invalidation of a range, left as is.
        kInvalidateToEnd,   // Up to 2^64 (wraps) or size 0: clamped.
    };

    // Classifies the vhost-user message at 'msg' and clamps an
    // invalidation that reaches the end of the space, in place.  'msg' is a whole message buffer (rte_vhost's
    // is a VhostUserMsg, header and the largest payload, 276 bytes or
    // more); only an IOTLB message whose header announces a full
    // vhost_iotlb_msg payload is read beyond the header.
    static Kind fix_invalidation(void *msg);

    // The whole message as the library lays it out (vhost_user.h): a
    // 12-byte header (request, flags, size), then the payload; an IOTLB
    // payload is struct vhost_iotlb_msg (iova, size, uaddr, perm, type).
    static constexpr uint32_t kRequestIotlbMsg = 22;
    static constexpr uint8_t kTypeInvalidate = 3;
    static constexpr size_t kPayloadSize = 8;  // In the header.
    static constexpr size_t kPayload = 12;
    static constexpr size_t kIova = kPayload + 0;
    static constexpr size_t kSize = kPayload + 8;
    static constexpr size_t kType = kPayload + 25;
    static constexpr size_t kIotlbPayloadLen = 26;  // Up to the type.
};

}  // namespace accel

#endif
