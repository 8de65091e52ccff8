#include "ovs/ovs-cxx.h"

#include "vdpa/sw-relay.h"

#include <algorithm>

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
      vf_tx_locks_(new VfTxLock[kMaxLanes])
{
}

int
SwRelay::n_lanes() const
{
    return std::min(kMaxLanes, std::max(vf_.n_rxq(), guest_.n_rxq()));
}

int
SwRelay::poll(int rxq, int n_rxq)
{
    int moved = 0;
    int n = n_lanes();
    for (int lane = rxq; lane < n; lane += std::max(n_rxq, 1)) {
        moved += relay_lane(lane);
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
            VfTxLock &lock = vf_tx_locks_[q];
            while (lock.flag.test_and_set(std::memory_order_acquire)) {
                // spin: another lane on the same VF queue.
            }
            int sent = vf_.tx(q, pkts, n);
            lock.flag.clear(std::memory_order_release);
            st.tx_packets.fetch_add(sent, std::memory_order_relaxed);
            if (OVS_UNLIKELY(sent < n)) {
                bytes -= burst_bytes(pkts + sent, n - sent);
            }
            st.tx_bytes.fetch_add(bytes, std::memory_order_relaxed);
            if (OVS_UNLIKELY(sent < n)) {
                st.tx_dropped.fetch_add(n - sent, std::memory_order_relaxed);
                rte_pktmbuf_free_bulk(pkts + sent, n - sent);
            }
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
