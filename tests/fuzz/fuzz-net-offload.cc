// libFuzzer target: a guest's virtio-net header and frame (its first 12
// bytes are the header, the rest the frame).  plan_tx_offload() must never
// read past the bytes it is given, and its plan must stay inside the frame.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "virtq/net-offload.h"

using accel::OffloadError;
using accel::TxOffload;

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    accel::virtio::NetHdr hdr;
    if (size < sizeof hdr) {
        return 0;
    }
    memcpy(&hdr, data, sizeof hdr);
    // An exact-size copy: ASan sees any read past the frame.
    std::vector<uint8_t> frame(data + sizeof hdr, data + size);
    uint32_t len = uint32_t(frame.size());
    // The first 'avail' bytes only, as with a chained mbuf.
    uint32_t avail = len ? data[0] % (len + 1) : 0;
    for (uint32_t given : {len, avail}) {
        TxOffload plan;
        OffloadError e = accel::plan_tx_offload(hdr, frame.data(), given,
                                                len, &plan);
        if (e != OffloadError::kNone
            || plan.l4 == TxOffload::L4::kNone) {
            continue;
        }
        if (plan.csum_pos + 2 > len || plan.csum_start >= len) {
            __builtin_trap();
        }
        if (plan.l4 != TxOffload::L4::kOther
            && uint32_t(plan.l2_len) + plan.l3_len + plan.l4_len > given) {
            __builtin_trap();
        }
        if (plan.tso_segsz && plan.l4 != TxOffload::L4::kTcp) {
            __builtin_trap();
        }
    }
    accel::Checksum c;
    c.add(frame.data(), frame.size());
    (void) c.result();
    return 0;
}
