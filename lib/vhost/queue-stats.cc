#include "vhost/queue-stats.h"

namespace accel {

const char *const QueueStats::kNames[QueueStats::kCount] = {
    "good_packets", "good_bytes", "multicast_packets", "broadcast_packets",
    "undersize_packets", "size_64_packets", "size_65_127_packets",
    "size_128_255_packets", "size_256_511_packets", "size_512_1023_packets",
    "size_1024_1518_packets", "size_1519_max_packets", "guest_notifications",
    "iotlb_hits", "iotlb_misses", "inflight_submitted", "inflight_completed",
};

void
QueueStats::reset()
{
    for (Counter &c : c_) {
        c.reset();
    }
}

}  // namespace accel
