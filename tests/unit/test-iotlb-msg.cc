#include "vhost/iotlb-msg.h"

#include <cstring>

#include <CppUTest/TestHarness.h>

using accel::IotlbMsg;

namespace {

// A VhostUserMsg-sized buffer holding one IOTLB message.
struct Msg {
    uint8_t b[276] = {};

    Msg(uint32_t request, uint8_t type, uint64_t iova, uint64_t size,
        uint32_t payload_len = 32)
    {
        memcpy(b, &request, 4);
        memcpy(b + IotlbMsg::kPayloadSize, &payload_len, 4);
        memcpy(b + IotlbMsg::kIova, &iova, 8);
        memcpy(b + IotlbMsg::kSize, &size, 8);
        b[IotlbMsg::kType] = type;
    }
    uint64_t size() const
    {
        uint64_t v;
        memcpy(&v, b + IotlbMsg::kSize, 8);
        return v;
    }
};

}  // namespace

TEST_GROUP(IotlbMsg){};

TEST(IotlbMsg, RangeInvalidationLeftAlone)
{
    Msg m(22, 3, 0x10000, 0x1000);
    LONGS_EQUAL(IotlbMsg::kInvalidate, IotlbMsg::fix_invalidation(m.b));
    UNSIGNED_LONGLONGS_EQUAL(0x1000, m.size());
}

TEST(IotlbMsg, WholeSpaceFromQemuReachesTheEnd)
{
    // QEMU 7.2's global flush: iova 0, addr_mask + 1 == 0.
    Msg m(22, 3, 0, 0);
    LONGS_EQUAL(IotlbMsg::kInvalidateToEnd, IotlbMsg::fix_invalidation(m.b));
    UNSIGNED_LONGLONGS_EQUAL(UINT64_MAX, m.size());
}

TEST(IotlbMsg, RangeUpToTheEndIsClamped)
{
    // QEMU 7.2's section above the MSI window: iova + size == 2^64.
    Msg m(22, 3, 0xfef00000, 0 - uint64_t(0xfef00000));
    LONGS_EQUAL(IotlbMsg::kInvalidateToEnd, IotlbMsg::fix_invalidation(m.b));
    UNSIGNED_LONGLONGS_EQUAL(UINT64_MAX - 0xfef00000, m.size());

    // Below it: [0, 0xfee00000) stays as it is.
    Msg low(22, 3, 0, 0xfee00000);
    LONGS_EQUAL(IotlbMsg::kInvalidate, IotlbMsg::fix_invalidation(low.b));
    UNSIGNED_LONGLONGS_EQUAL(0xfee00000, low.size());

    // Ending exactly at the last byte: no wrap, left alone.
    Msg last_byte(22, 3, 0x1000, UINT64_MAX - 0x1000);
    LONGS_EQUAL(IotlbMsg::kInvalidate,
                IotlbMsg::fix_invalidation(last_byte.b));
}

TEST(IotlbMsg, SizeZeroFromAnIovaDoesNotWrap)
{
    Msg m(22, 3, 0xfee00000, 0);
    LONGS_EQUAL(IotlbMsg::kInvalidateToEnd, IotlbMsg::fix_invalidation(m.b));
    UNSIGNED_LONGLONGS_EQUAL(UINT64_MAX - 0xfee00000, m.size());
    UNSIGNED_LONGLONGS_EQUAL(UINT64_MAX, 0xfee00000 + m.size());

    Msg last(22, 3, UINT64_MAX, 0);
    LONGS_EQUAL(IotlbMsg::kInvalidateToEnd,
                IotlbMsg::fix_invalidation(last.b));
    UNSIGNED_LONGLONGS_EQUAL(1, last.size());
}

TEST(IotlbMsg, OtherMessagesUntouched)
{
    Msg update(22, 2, 0, 0);            // VHOST_IOTLB_UPDATE
    LONGS_EQUAL(IotlbMsg::kOther, IotlbMsg::fix_invalidation(update.b));
    UNSIGNED_LONGLONGS_EQUAL(0, update.size());

    Msg ring_base(11, 3, 0, 0);         // VHOST_USER_SET_VRING_BASE
    LONGS_EQUAL(IotlbMsg::kOther, IotlbMsg::fix_invalidation(ring_base.b));
    UNSIGNED_LONGLONGS_EQUAL(0, ring_base.size());

    Msg short_payload(22, 3, 0, 0, 16); // Header says: no type byte.
    LONGS_EQUAL(IotlbMsg::kOther,
                IotlbMsg::fix_invalidation(short_payload.b));
    UNSIGNED_LONGLONGS_EQUAL(0, short_payload.size());
}
