// Guest TX descriptors lent out as zero-copy packets: a fixed table of
// slots, taken by the queue's owner thread and completed from whichever
// thread frees the packet (an atomic flag, no lock).  The owner reaps
// completed slots in any order and gives their descriptors back to the
// guest.
#ifndef OVS_VHOST_ACCEL_VIRTQ_INFLIGHT_H
#define OVS_VHOST_ACCEL_VIRTQ_INFLIGHT_H

#include <atomic>
#include <cstdint>
#include <memory>

namespace accel {

class InflightTable {
public:
    explicit InflightTable(uint16_t capacity);

    uint16_t capacity() const { return capacity_; }
    uint16_t in_flight() const { return used_; }
    bool full() const { return !free_n_; }

    // Owner: lends descriptor 'head' at time 'now'; returns the slot, or
    // -1 when full.
    int take(uint16_t head, uint64_t now)
    {
        if (!free_n_) {
            return -1;
        }
        uint16_t s = free_[--free_n_];
        slots_[s].head = head;
        slots_[s].since = now;
        slots_[s].done.store(false, std::memory_order_relaxed);
        live_[live_n_] = s;
        pos_[s] = live_n_++;
        used_++;
        return s;
    }

    // Any thread: the packet of 'slot' was freed.
    void complete(int slot)
    {
        slots_[slot].done.store(true, std::memory_order_release);
    }

    // Owner: calls give_back(head) for every completed slot (and, if
    // 'all', for every slot) and frees them.  Returns how many.
    template <typename F>
    uint16_t reap(F &&give_back, bool all = false)
    {
        uint16_t n = 0;
        for (uint16_t i = 0; i < live_n_;) {
            uint16_t s = live_[i];
            if (all || slots_[s].done.load(std::memory_order_acquire)) {
                give_back(slots_[s].head);
                release(i);
                n++;
            } else {
                i++;
            }
        }
        return n;
    }

    // Any thread, once the owner stopped lending: every lent packet was
    // freed (slots reaped by force included).
    bool all_back() const
    {
        for (uint16_t s = 0; s < capacity_; s++) {
            if (!slots_[s].done.load(std::memory_order_acquire)) {
                return false;
            }
        }
        return true;
    }

    // Owner: how long the oldest slot has been out (0 if none).
    uint64_t oldest_age(uint64_t now) const
    {
        uint64_t age = 0;
        for (uint16_t i = 0; i < live_n_; i++) {
            uint64_t a = now - slots_[live_[i]].since;
            age = a > age ? a : age;
        }
        return age;
    }

private:
    struct Slot {
        std::atomic<bool> done{true};   // Not lent out (or back).
        uint16_t head = 0;
        uint64_t since = 0;
    };

    void release(uint16_t i)
    {
        uint16_t s = live_[i];
        uint16_t last = live_[--live_n_];
        live_[i] = last;
        pos_[last] = i;
        free_[free_n_++] = s;
        used_--;
    }

    const uint16_t capacity_;
    std::unique_ptr<Slot[]> slots_;
    std::unique_ptr<uint16_t[]> free_;      // Free slot stack.
    std::unique_ptr<uint16_t[]> live_;      // Slots out, unordered.
    std::unique_ptr<uint16_t[]> pos_;       // Slot -> index in live_.
    uint16_t free_n_;
    uint16_t live_n_ = 0;
    uint16_t used_ = 0;
};

inline InflightTable::InflightTable(uint16_t capacity)
    : capacity_(capacity), slots_(new Slot[capacity]),
      free_(new uint16_t[capacity]), live_(new uint16_t[capacity]),
      pos_(new uint16_t[capacity]), free_n_(capacity)
{
    for (uint16_t i = 0; i < capacity; i++) {
        free_[i] = capacity - 1 - i;
    }
}

}  // namespace accel

#endif
