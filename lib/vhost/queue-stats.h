// Per-virtqueue packet counters kept by the plugin's own datapath, under
// the names rte_vhost gives its own (RTE_VHOST_USER_NET_STATS_ENABLE), so
// that "rx_q0_good_packets" and friends mean the same whichever side moved
// the packets.
#ifndef OVS_VHOST_ACCEL_VHOST_QUEUE_STATS_H
#define OVS_VHOST_ACCEL_VHOST_QUEUE_STATS_H

#include <cstdint>

#include "common/compiler.h"
#include "common/counter.h"

namespace accel {

class QueueStats {
public:
    // rte_vhost's counter names, in its order (lib/vhost/vhost.c).
    static constexpr int kCount = 17;
    static const char *const kNames[kCount];
    enum Index {
        kGoodPackets, kGoodBytes, kMulticast, kBroadcast, kUndersize,
        kSize64, kSize65To127, kSize128To255, kSize256To511,
        kSize512To1023, kSize1024To1518, kSize1519Max,
        kGuestNotifications, kIotlbHits, kIotlbMisses,
        kInflightSubmitted, kInflightCompleted,
    };

    // The counts of one burst, kept in registers and on the stack, added
    // to the queue's counters once.
    class Batch {
    public:
        // One packet of 'len' bytes whose Ethernet header is at 'frame'.
        void account(const uint8_t *frame, uint32_t len)
        {
            bytes_ += len;
            v_[bin(len)]++;
            if (OVS_VHOST_ACCEL_UNLIKELY(frame[0] & 1)) {
                bool bcast = true;
                for (int i = 0; i < 6; i++) {
                    bcast &= frame[i] == 0xff;
                }
                v_[bcast ? kBroadcast : kMulticast]++;
            }
        }
        void flush(QueueStats &s)
        {
            uint64_t packets = 0;
            for (int i = kUndersize; i <= kSize1519Max; i++) {
                packets += v_[i];
            }
            if (!packets) {
                return;
            }
            s.c_[kGoodPackets].add(packets);
            s.c_[kGoodBytes].add(bytes_);
            for (int i = kMulticast; i <= kSize1519Max; i++) {
                if (v_[i]) {
                    s.c_[i].add(v_[i]);
                }
            }
        }

    private:
        uint64_t bytes_ = 0;
        uint32_t v_[kSize1519Max + 1] = {};
    };

    void add(Index i, uint64_t n) { c_[i].add(n); }
    uint64_t get(int i) const { return c_[i].get(); }
    void reset();

    // rte_vhost's size bins: <64, 64, 65-127, ..., 1024-1518, >=1519.
    static Index bin(uint32_t len)
    {
        if (len == 64) {
            return kSize64;
        } else if (len > 64 && len < 1024) {
            return Index(kSize64 + (31 - __builtin_clz(len)) - 5);
        } else if (len < 64) {
            return kUndersize;
        }
        return len < 1519 ? kSize1024To1518 : kSize1519Max;
    }

private:
    Counter c_[kCount];
};

}  // namespace accel

#endif
