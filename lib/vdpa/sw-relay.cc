#include "ovs/ovs-cxx.h"

#include "vdpa/sw-relay.h"

#include <algorithm>

#include <rte_cycles.h>
#include <rte_mbuf.h>

namespace accel {

namespace {

uint64_t
burst_bytes(rte_mbuf *const *pkts, int n)
{
    uint64_t bytes = 0;
    for (int i = 0; i < n; i++) {
        bytes += pkts[i]->pkt_len;
    }
    return bytes;
}

}  // namespace

SwRelay::SwRelay(VhostPort &guest, EthDev &vf)
    : guest_(guest), vf_(vf), lanes_(new LaneStats[kMaxLanes]),
      clocks_(new PollClock[kMaxLanes]),
      vf_tx_locks_(new SpinLock[kMaxLanes])
{
}

int
SwRelay::n_lanes() const
{
    return std::min(kMaxLanes, std::max(vf_.n_rxq(), guest_.n_rxq()));
}

SwRelay::Totals
SwRelay::totals() const
{
    Totals t;
    for (int i = 0; i < n_lanes(); i++) {
        const LaneStats &l = lanes_[i];
        t.tx_packets += l.tx_packets.load(std::memory_order_relaxed);
        t.tx_bytes += l.tx_bytes.load(std::memory_order_relaxed);
        t.tx_dropped += l.tx_dropped.load(std::memory_order_relaxed);
        t.rx_packets += l.rx_packets.load(std::memory_order_relaxed);
        t.rx_bytes += l.rx_bytes.load(std::memory_order_relaxed);
    }
    for (int i = 0; i < kMaxLanes; i++) {
        t.busy_cycles += clocks_[i].busy_cycles.load(std::memory_order_relaxed);
    }
    return t;
}

int
SwRelay::poll(int rxq, int n_rxq)
{
    PollClock *clock = rxq >= 0 && rxq < kMaxLanes ? &clocks_[rxq] : nullptr;
    if (clock) {
        uint64_t now = rte_rdtsc();
        if (clock->moved) {
            // One writer: the thread polling this queue.
            clock->busy_cycles.store(
                clock->busy_cycles.load(std::memory_order_relaxed)
                    + (now - clock->start),
                std::memory_order_relaxed);
        }
        clock->start = now;
    }
    int moved = 0;
    int n = n_lanes();
    for (int lane = rxq; lane < n; lane += std::max(n_rxq, 1)) {
        moved += relay_lane(lane);
    }
    if (clock) {
        clock->moved = moved > 0;
    }
    return moved;
}

int
SwRelay::relay_lane(int lane)
{
    LaneStats &st = lanes_[lane];
    rte_mbuf *pkts[kBurst];
    int moved = 0;

    // Guest -> VF.
    if (lane < guest_.n_rxq() && vf_.n_txq()) {
        int n = guest_.rx(lane, pkts, nullptr);
        if (n) {
            // (Sent mbufs may be freed at once: count before sending.)
            uint64_t bytes = burst_bytes(pkts, n);
            int q = lane % vf_.n_txq();
            SpinLock &lock = vf_tx_locks_[q];
            lock.lock();
            int sent = vf_.tx(q, pkts, n);
            lock.unlock();
            if (OVS_UNLIKELY(sent < n)) {
                bytes -= burst_bytes(pkts + sent, n - sent);
                st.tx_dropped.fetch_add(n - sent, std::memory_order_relaxed);
                rte_pktmbuf_free_bulk(pkts + sent, n - sent);
            }
            st.tx_packets.fetch_add(sent, std::memory_order_relaxed);
            st.tx_bytes.fetch_add(bytes, std::memory_order_relaxed);
            moved += n;
        }
    }

    // VF -> guest: the guest side counts what it could not deliver.
    if (lane < vf_.n_rxq()) {
        int n = vf_.rx(lane, pkts, kBurst);
        if (n) {
            st.rx_packets.fetch_add(n, std::memory_order_relaxed);
            st.rx_bytes.fetch_add(burst_bytes(pkts, n),
                                  std::memory_order_relaxed);
            guest_.tx(lane, pkts, n, true);
            moved += n;
        }
    }
    return moved;
}

}  // namespace accel
