// A spin lock on its own cache line, for a TX queue that several PMD
// threads may share.  Pure C++ (unit-testable).
#ifndef OVS_VHOST_ACCEL_COMMON_SPIN_LOCK_H
#define OVS_VHOST_ACCEL_COMMON_SPIN_LOCK_H

#include <atomic>

namespace accel {

class alignas(64) SpinLock {
public:
    // Returns true if another thread held the lock (it spun).
    bool lock()
    {
        if (!flag_.test_and_set(std::memory_order_acquire)) {
            return false;
        }
        while (flag_.test_and_set(std::memory_order_acquire)) {
            // spin
        }
        return true;
    }
    void unlock() { flag_.clear(std::memory_order_release); }

private:
    std::atomic_flag flag_ = ATOMIC_FLAG_INIT;
};

}  // namespace accel

#endif
