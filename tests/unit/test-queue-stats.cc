#include "vhost/queue-stats.h"

#include <cstring>

#include <CppUTest/TestHarness.h>

using accel::QueueStats;

TEST_GROUP(QueueStats){};

TEST(QueueStats, SizeBinsMatchRteVhost)
{
    LONGS_EQUAL(QueueStats::kUndersize, QueueStats::bin(60));
    LONGS_EQUAL(QueueStats::kSize64, QueueStats::bin(64));
    LONGS_EQUAL(QueueStats::kSize65To127, QueueStats::bin(65));
    LONGS_EQUAL(QueueStats::kSize65To127, QueueStats::bin(127));
    LONGS_EQUAL(QueueStats::kSize128To255, QueueStats::bin(128));
    LONGS_EQUAL(QueueStats::kSize256To511, QueueStats::bin(511));
    LONGS_EQUAL(QueueStats::kSize512To1023, QueueStats::bin(1023));
    LONGS_EQUAL(QueueStats::kSize1024To1518, QueueStats::bin(1024));
    LONGS_EQUAL(QueueStats::kSize1024To1518, QueueStats::bin(1518));
    LONGS_EQUAL(QueueStats::kSize1519Max, QueueStats::bin(1519));
    LONGS_EQUAL(QueueStats::kSize1519Max, QueueStats::bin(9000));
}

TEST(QueueStats, CountsPacketsBytesAndCasts)
{
    QueueStats s;
    QueueStats::Batch b;
    uint8_t f[64] = {};
    f[0] = 0x02;                            // Unicast (locally administered).
    b.account(f, 64);
    memset(f, 0xff, 6);
    b.account(f, 64);                       // Broadcast.
    f[5] = 0x01;
    b.account(f, 100);                      // Multicast.
    LONGS_EQUAL(0, s.get(QueueStats::kGoodPackets));   // Until flushed.
    b.flush(s);
    LONGS_EQUAL(3, s.get(QueueStats::kGoodPackets));
    LONGS_EQUAL(228, s.get(QueueStats::kGoodBytes));
    LONGS_EQUAL(1, s.get(QueueStats::kBroadcast));
    LONGS_EQUAL(1, s.get(QueueStats::kMulticast));
    LONGS_EQUAL(2, s.get(QueueStats::kSize64));
    STRCMP_EQUAL("good_packets", QueueStats::kNames[QueueStats::kGoodPackets]);
    STRCMP_EQUAL("inflight_completed",
                 QueueStats::kNames[QueueStats::kInflightCompleted]);
    s.reset();
    LONGS_EQUAL(0, s.get(QueueStats::kGoodPackets));
}
