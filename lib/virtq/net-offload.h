// The offloads a guest asks for in the virtio-net header of a frame it
// sends (VIRTIO_NET_F_CSUM, VIRTIO_NET_F_HOST_TSO4/6): checked against the
// frame's own headers and turned into a plan a NIC, or our own code, can
// carry out.  Pure C++: the header and the frame are guest-written bytes,
// read once, trusted in nothing.
#ifndef OVS_VHOST_ACCEL_VIRTQ_NET_OFFLOAD_H
#define OVS_VHOST_ACCEL_VIRTQ_NET_OFFLOAD_H

#include <cstddef>
#include <cstdint>

#include "virtq/virtio-ring.h"

namespace accel {

struct TxOffload {
    enum class L4 : uint8_t {
        kNone,          // Nothing to do: the frame is complete.
        kTcp,           // A TCP checksum (and segmentation if tso_segsz).
        kUdp,           // A UDP checksum.
        kOther,         // A checksum a NIC has no flag for: done by us
                        // (sum from csum_start, stored at csum_pos).
    };
    L4 l4 = L4::kNone;
    bool ipv4 = false;
    uint16_t l2_len = 0;        // Ethernet (+ VLAN tags).
    uint16_t l3_len = 0;
    uint16_t l4_len = 0;        // TCP header with options; UDP: 8.
    uint16_t tso_segsz = 0;     // TCP payload per segment, 0: no TSO.
    uint32_t csum_start = 0;
    uint32_t csum_pos = 0;      // Where the checksum goes.
};

// Why a header was refused (the frame is dropped and counted).
enum class OffloadError : uint8_t {
    kNone,
    kBadCsumRange,      // csum_start/csum_offset outside the frame.
    kBadGso,            // GSO type unknown, without NEEDS_CSUM, size 0,
                        // or not matching the frame's own headers.
};

// Plans the offloads 'hdr' asks for.  'frame' holds the first 'avail'
// bytes of the 'len'-byte frame (at least its headers, when it has them).
OffloadError plan_tx_offload(const virtio::NetHdr &hdr, const uint8_t *frame,
                             uint32_t avail, uint32_t len, TxOffload *out);

// The Internet checksum (RFC 1071) of bytes given in pieces of any length,
// for checksums done in software.
class Checksum {
public:
    void add(const uint8_t *p, size_t n);
    // The folded, complemented sum, as stored in a header (network order
    // bytes: [0] is the high byte).
    uint16_t result() const;

private:
    uint64_t sum_ = 0;          // 16-bit big-endian words.
    bool odd_ = false;          // An odd number of bytes so far.
};

}  // namespace accel

#endif
