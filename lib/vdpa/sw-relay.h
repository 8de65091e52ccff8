// The software relay of a 'dpdkvdpa' port: moves packets between the
// guest's virtqueues (the port's guest side, a VhostPort) and the VF's
// queues (an EthDev), with no OVS datapath in between.  Used for VFs
// without vDPA, or when vdpa-sw=true.
//
// Lane i relays guest queue pair i and VF queue pair i.  A guest with more
// queue pairs than the VF sends through VF TX queue i % n_vf (locked); VF
// RX queue i goes to guest queue i through the guest side's TX queue map.
// The port's PMD threads drive the relay: the thread polling the port's
// RX queue r runs the lanes i with i % n_rxq == r.
#ifndef OVS_VHOST_ACCEL_VDPA_SW_RELAY_H
#define OVS_VHOST_ACCEL_VDPA_SW_RELAY_H

#include <atomic>
#include <cstdint>
#include <memory>

#include "common/eth-dev.h"
#include "common/spin-lock.h"
#include "vhost/vhost-port.h"

namespace accel {

class SwRelay {
public:
    static constexpr int kMaxLanes = 64;
    static constexpr int kBurst = 32;

    // Counters of one lane, from the guest's point of view.
    struct LaneStats {
        std::atomic<uint64_t> tx_packets{0};    // Guest -> VF.
        std::atomic<uint64_t> tx_bytes{0};
        std::atomic<uint64_t> tx_dropped{0};    // Refused by the VF.
        std::atomic<uint64_t> rx_packets{0};    // VF -> guest (offered).
        std::atomic<uint64_t> rx_bytes{0};
    };

    SwRelay(VhostPort &guest, EthDev &vf);
    SwRelay(const SwRelay &) = delete;
    SwRelay &operator=(const SwRelay &) = delete;

    // Lanes in use now: the VF's pairs or the guest's, whichever is more.
    int n_lanes() const;
    // PMD thread polling the port's RX queue 'rxq' of 'n_rxq': one burst
    // each way on each of its lanes.  Returns the packets moved.
    int poll(int rxq, int n_rxq);

    const LaneStats &lane(int i) const { return lanes_[i]; }
    // The counters of the lanes in use, summed; busy_cycles over all RX
    // queues.
    struct Totals {
        uint64_t tx_packets = 0, tx_bytes = 0, tx_dropped = 0;
        uint64_t rx_packets = 0, rx_bytes = 0;
        uint64_t busy_cycles = 0;
    };
    Totals totals() const;

private:
    // The TSC cycles of one RX queue's polls that moved packets.  Each
    // such poll is charged up to the start of the queue's next poll: the
    // whole PMD iteration around it, as dpif-netdev charges an iteration
    // that received packets to its processing cycles.  (dpif-netdev itself
    // counts every relay poll as idle: the packets never reach it.)
    struct alignas(64) PollClock {
        std::atomic<uint64_t> busy_cycles{0};   // Read by other threads.
        uint64_t start = 0;                     // The polling thread's.
        bool moved = false;
    };

    int relay_lane(int lane);

    VhostPort &guest_;
    EthDev &vf_;
    std::unique_ptr<LaneStats[]> lanes_;
    std::unique_ptr<PollClock[]> clocks_;       // By RX queue.
    std::unique_ptr<SpinLock[]> vf_tx_locks_;   // Lanes sharing a VF txq.
};

}  // namespace accel

#endif
