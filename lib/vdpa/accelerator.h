// The device of a dpdkvdpa port's vdpa-accelerator-devargs: a VF with an
// ethdev (the relay can serve the guest), a vDPA device on the same DPDK
// device (hardware mode), or both.  Attached by devargs unless DPDK has it
// already; detached at the end if it was attached here.  Main thread.
#ifndef OVS_VHOST_ACCEL_VDPA_ACCELERATOR_H
#define OVS_VHOST_ACCEL_VDPA_ACCELERATOR_H

#include <memory>
#include <string>

#include "common/eth-dev.h"

struct rte_vdpa_device;

namespace accel {

class Accelerator {
public:
    // nullptr and a message in 'error' if 'devargs' names neither an
    // ethdev nor a vDPA device, or an ethdev another port claimed.
    static std::unique_ptr<Accelerator> open(const std::string &devargs,
                                             const std::string &owner,
                                             std::string &error);
    ~Accelerator();
    Accelerator(const Accelerator &) = delete;
    Accelerator &operator=(const Accelerator &) = delete;

    const std::string &devargs() const { return devargs_; }
    // The DPDK device's name: vDPA devices are found by it.
    const std::string &device_name() const { return device_name_; }
    // The VF's ethdev; nullptr for a vDPA-only device (no relay).
    EthDev *vf() const { return vf_.get(); }
    rte_vdpa_device *vdpa() const;
    // "net_tap0 (ethdev 3)" or "0000:01:00.2 (vDPA only)".
    std::string describe() const;

private:
    Accelerator() = default;

    std::string devargs_;
    std::string device_name_;
    std::unique_ptr<EthDev> vf_;
    bool detach_ = false;       // A vDPA-only device attached here.
};

}  // namespace accel

#endif
