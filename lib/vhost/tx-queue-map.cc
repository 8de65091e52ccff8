#include "vhost/tx-queue-map.h"

#include <vector>

namespace accel {

TxQueueMap::TxQueueMap(int max_queues)
    : max_(max_queues), map_(new std::atomic<int>[max_queues])
{
    clear();
}

void
TxQueueMap::set_state(int qid, bool enabled)
{
    if (qid >= 0 && qid < max_) {
        map_[qid].store(enabled ? qid : kDisabled, std::memory_order_relaxed);
    }
}

void
TxQueueMap::clear()
{
    for (int i = 0; i < max_; i++) {
        map_[i].store(kUnknown, std::memory_order_relaxed);
    }
}

void
TxQueueMap::default_queue0()
{
    if (map_[0].load(std::memory_order_relaxed) == kUnknown) {
        map_[0].store(0, std::memory_order_relaxed);
    }
}

void
TxQueueMap::remap(int n_txq)
{
    std::vector<int> enabled;
    for (int i = 0; i < n_txq && i < max_; i++) {
        if (lookup(i) == i) {
            enabled.push_back(i);
        }
    }
    if (enabled.empty()) {
        enabled.push_back(kDisabled);
    }
    std::size_t k = 0;
    for (int i = 0; i < n_txq && i < max_; i++) {
        if (lookup(i) != i) {
            map_[i].store(enabled[k], std::memory_order_relaxed);
            k = (k + 1) % enabled.size();
        }
    }
}

std::string
TxQueueMap::to_string(int n_txq) const
{
    std::string s;
    for (int i = 0; i < n_txq && i < max_; i++) {
        s += (i ? " " : "") + std::to_string(i) + "->"
             + std::to_string(lookup(i));
    }
    return s;
}

}  // namespace accel
