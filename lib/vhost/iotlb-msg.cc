#include "vhost/iotlb-msg.h"

#include <cstring>

namespace accel {

IotlbMsg::Kind
IotlbMsg::fix_invalidation(void *msg)
{
    auto *p = static_cast<uint8_t *>(msg);
    uint32_t request, payload_len;
    memcpy(&request, p, sizeof request);
    memcpy(&payload_len, p + kPayloadSize, sizeof payload_len);
    if (request != kRequestIotlbMsg || payload_len < kIotlbPayloadLen
        || p[kType] != kTypeInvalidate) {
        return kOther;
    }
    uint64_t iova, size;
    memcpy(&iova, p + kIova, sizeof iova);
    memcpy(&size, p + kSize, sizeof size);
    if (size && size <= UINT64_MAX - iova) {
        return kInvalidate;             // iova + size does not wrap.
    }
    // Up to the last byte but one (no page anyone maps).
    size = iova < UINT64_MAX ? UINT64_MAX - iova : 1;
    memcpy(p + kSize, &size, sizeof size);
    return kInvalidateToEnd;
}

}  // namespace accel
