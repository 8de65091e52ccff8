#include "vhost/tx-backlog.h"

#include <vector>

#include <CppUTest/TestHarness.h>

using accel::TxBacklog;

namespace {

// Opaque packets: addresses of the elements of 'store'.
struct Packets {
    std::vector<char> store = std::vector<char>(1000);
    rte_mbuf *at(int i) { return reinterpret_cast<rte_mbuf *>(&store[i]); }
    std::vector<rte_mbuf *> range(int from, int n)
    {
        std::vector<rte_mbuf *> v;
        for (int i = 0; i < n; i++) {
            v.push_back(at(from + i));
        }
        return v;
    }
};

// A guest ring that takes up to 'room' packets, remembering them in order.
struct Sink {
    int room;
    std::vector<rte_mbuf *> got;
    int operator()(rte_mbuf **p, int n)
    {
        int k = n < room ? n : room;
        got.insert(got.end(), p, p + k);
        room -= k;
        return k;
    }
};

}  // namespace

TEST_GROUP(TxBacklog){};

TEST(TxBacklog, KeepsOrderAcrossPartialFlushes)
{
    Packets pk;
    TxBacklog b;
    auto first = pk.range(0, 10);
    LONGS_EQUAL(10, b.push(first.data(), 10, 100));
    Sink none{0};
    LONGS_EQUAL(0, b.flush(none, 110));     // Still missing the IOTLB.
    LONGS_EQUAL(10, b.count());
    Sink some{4};
    LONGS_EQUAL(4, b.flush(some, 120));
    auto second = pk.range(10, 3);
    LONGS_EQUAL(3, b.push(second.data(), 3, 130));
    Sink all{100};
    LONGS_EQUAL(9, b.flush(all, 140));
    CHECK(b.empty());
    std::vector<rte_mbuf *> order(some.got);
    order.insert(order.end(), all.got.begin(), all.got.end());
    CHECK(order == pk.range(0, 13));
}

TEST(TxBacklog, BoundedAndWrapsAround)
{
    Packets pk;
    TxBacklog b;
    auto many = pk.range(0, TxBacklog::kCapacity + 20);
    LONGS_EQUAL(TxBacklog::kCapacity,
                b.push(many.data(), int(many.size()), 0));
    Sink part{200};
    LONGS_EQUAL(200, b.flush(part, 1));
    auto more = pk.range(600, 150);
    // 56 left, room for 200 more: all 150 fit, the ring wraps.
    LONGS_EQUAL(150, b.push(more.data(), 150, 2));
    LONGS_EQUAL(206, b.count());
    auto over = pk.range(800, 60);          // Room for 50 of them.
    LONGS_EQUAL(50, b.push(over.data(), 60, 2));
    Sink all{1000};
    LONGS_EQUAL(TxBacklog::kCapacity, b.flush(all, 3));
    std::vector<rte_mbuf *> want = pk.range(200, 56);
    auto tail = pk.range(600, 150);
    want.insert(want.end(), tail.begin(), tail.end());
    auto last = pk.range(800, 50);
    want.insert(want.end(), last.begin(), last.end());
    CHECK(all.got == want);
}

TEST(TxBacklog, AgesOnlyWithoutProgress)
{
    Packets pk;
    TxBacklog b;
    CHECK_FALSE(b.expired(1000000, 10));    // Empty never expires.
    auto p = pk.range(0, 5);
    b.push(p.data(), 5, 100);
    CHECK_FALSE(b.expired(110, 10));
    CHECK(b.expired(111, 10));
    Sink one{1};
    b.flush(one, 111);                      // Progress: the clock restarts.
    CHECK_FALSE(b.expired(121, 10));
    Sink none{0};
    b.flush(none, 200);                     // No progress: it does not.
    CHECK(b.expired(200, 10));
    // A push onto a non-empty backlog keeps the older age.
    auto q = pk.range(5, 1);
    b.push(q.data(), 1, 300);
    CHECK(b.expired(300, 10));
}

TEST(TxBacklog, ClearHandsEverythingBack)
{
    Packets pk;
    TxBacklog b;
    auto p = pk.range(0, TxBacklog::kCapacity);
    b.push(p.data(), TxBacklog::kCapacity, 0);
    Sink part{250};
    b.flush(part, 1);
    auto q = pk.range(300, 100);
    b.push(q.data(), 100, 2);               // Wrapped: 6 + 100.
    std::vector<rte_mbuf *> dropped;
    LONGS_EQUAL(106, b.clear([&](rte_mbuf **d, int n) {
        dropped.insert(dropped.end(), d, d + n);
    }));
    CHECK(b.empty());
    std::vector<rte_mbuf *> want = pk.range(250, 6);
    want.insert(want.end(), q.begin(), q.end());
    CHECK(dropped == want);
}
