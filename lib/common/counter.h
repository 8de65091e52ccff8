// A statistics counter with one writer (the PMD thread that owns the queue,
// or whoever holds the queue's lock) and any number of readers: a relaxed
// load and store, no read-modify-write on the hot path.
#ifndef OVS_VHOST_ACCEL_COMMON_COUNTER_H
#define OVS_VHOST_ACCEL_COMMON_COUNTER_H

#include <atomic>
#include <cstdint>

namespace accel {

class Counter {
public:
    void add(uint64_t n = 1)
    {
        v_.store(v_.load(std::memory_order_relaxed) + n,
                 std::memory_order_relaxed);
    }
    uint64_t get() const { return v_.load(std::memory_order_relaxed); }
    void reset() { v_.store(0, std::memory_order_relaxed); }

private:
    std::atomic<uint64_t> v_{0};
};

}  // namespace accel

#endif
