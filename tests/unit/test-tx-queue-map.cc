#include "vhost/tx-queue-map.h"

#include <CppUTest/TestHarness.h>

using accel::TxQueueMap;

TEST_GROUP(TxQueueMap){};

TEST(TxQueueMap, StartsUnknown)
{
    TxQueueMap m(8);
    for (int i = 0; i < 8; i++) {
        LONGS_EQUAL(TxQueueMap::kUnknown, m.lookup(i));
    }
}

TEST(TxQueueMap, Queue0EnabledByDefault)
{
    TxQueueMap m(8);
    m.default_queue0();
    m.remap(4);
    for (int i = 0; i < 4; i++) {
        LONGS_EQUAL(0, m.lookup(i));
    }
}

TEST(TxQueueMap, ExplicitlyDisabledQueue0StaysDisabled)
{
    TxQueueMap m(8);
    m.set_state(0, false);
    m.default_queue0();
    m.remap(2);
    LONGS_EQUAL(TxQueueMap::kDisabled, m.lookup(0));
    LONGS_EQUAL(TxQueueMap::kDisabled, m.lookup(1));
}

TEST(TxQueueMap, RoundRobinOverEnabled)
{
    TxQueueMap m(8);
    m.set_state(1, true);
    m.set_state(3, true);
    m.remap(6);
    LONGS_EQUAL(1, m.lookup(0));
    LONGS_EQUAL(1, m.lookup(1));
    LONGS_EQUAL(3, m.lookup(2));
    LONGS_EQUAL(3, m.lookup(3));
    LONGS_EQUAL(1, m.lookup(4));
    LONGS_EQUAL(3, m.lookup(5));
}

TEST(TxQueueMap, FollowsGuestEnablingAndDisabling)
{
    TxQueueMap m(8);
    m.set_state(0, true);
    m.set_state(1, true);
    m.remap(2);
    LONGS_EQUAL(1, m.lookup(1));
    m.set_state(1, false);
    m.remap(2);
    LONGS_EQUAL(0, m.lookup(1));
    m.set_state(1, true);
    m.remap(2);
    LONGS_EQUAL(1, m.lookup(1));
}

TEST(TxQueueMap, ClearForgetsEverything)
{
    TxQueueMap m(4);
    m.set_state(2, true);
    m.remap(4);
    m.clear();
    for (int i = 0; i < 4; i++) {
        LONGS_EQUAL(TxQueueMap::kUnknown, m.lookup(i));
    }
}

TEST(TxQueueMap, OutOfRangeStateIgnored)
{
    TxQueueMap m(4);
    m.set_state(4, true);
    m.set_state(-1, true);
    m.remap(4);
    LONGS_EQUAL(TxQueueMap::kDisabled, m.lookup(3));
}

TEST(TxQueueMap, ToString)
{
    TxQueueMap m(4);
    m.set_state(0, true);
    m.remap(2);
    STRCMP_EQUAL("0->0 1->0", m.to_string(2).c_str());
}
