// Tells OVS's bridge about carrier changes so that Interface:link_state
// ends up right.
//
// The bridge writes link_state when a netdev's change_seq moves, and skips
// a write whose value equals what its ovsdb cache holds.  Two of its
// transactions can be in flight at once (the one that creates the
// interface writes the state at creation, the status one writes later
// changes): if the guest connects in between, the second write ("up") is
// skipped against a cache still holding the previous daemon's "up", and
// the first ("down") lands last.  Seen after an ovs-vswitchd restart with
// guests attached: link_state "down" for good with traffic flowing.
//
// So a change is reported when seen and again after kRepeatMs (by then the
// cache has the first transaction's value and a wrong one gets
// rewritten; a right one costs nothing: the bridge's write is skipped).
#ifndef ACCEL_VHOST_CARRIER_REPORTER_H
#define ACCEL_VHOST_CARRIER_REPORTER_H 1

#include <climits>

namespace accel {

class CarrierReporter {
public:
    static constexpr long long kRepeatMs[] = {1000, 5000};
    static constexpr long long kNever = LLONG_MAX;

    // Main thread, every loop, 'now' in ms.  True when the bridge must be
    // told (the caller bumps the netdev's change_seq).
    bool poll(bool carrier, long long now)
    {
        if (carrier != reported_) {
            reported_ = carrier;
            changed_at_ = now;
            repeats_done_ = 0;
            return true;
        }
        if (repeats_done_ < kRepeats
            && now >= changed_at_ + kRepeatMs[repeats_done_]) {
            repeats_done_++;
            return true;
        }
        return false;
    }

    // When poll() next has something to say (kNever: nothing pending).
    long long deadline() const
    {
        return repeats_done_ < kRepeats ? changed_at_ + kRepeatMs[repeats_done_]
                                        : kNever;
    }

    bool reported() const { return reported_; }

private:
    static constexpr int kRepeats = sizeof kRepeatMs / sizeof kRepeatMs[0];

    bool reported_ = false;
    long long changed_at_ = 0;
    int repeats_done_ = kRepeats;       // Nothing pending at first.
};

}  // namespace accel

#endif
