#include "ovs/ovs-cxx.h"

#include "vdpa/accelerator.h"

#include <rte_vdpa.h>

VLOG_DEFINE_THIS_MODULE(vhost_accel_accelerator);

namespace accel {

std::unique_ptr<Accelerator>
Accelerator::open(const std::string &devargs, const std::string &owner,
                  std::string &error)
{
    std::unique_ptr<Accelerator> a(new Accelerator);
    a->devargs_ = devargs;
    a->device_name_ = devargs_device(devargs);

    // (A vDPA device DPDK has already needs no probe.)
    uint16_t port_id;
    bool attached_here;
    if (!EthDev::find_or_probe(devargs, !a->vdpa(), port_id, attached_here,
                               error)) {
        return nullptr;
    }
    if (port_id < RTE_MAX_ETHPORTS) {
        a->vf_ = EthDev::claim(devargs, port_id, owner, attached_here, error);
        if (!a->vf_) {
            return nullptr;
        }
        a->device_name_ = a->vf_->device_name();
    } else if (a->vdpa()) {
        a->detach_ = attached_here;
        VLOG_INFO("%s: '%s' is a vDPA device without an ethdev (hardware "
                  "mode only)", owner.c_str(), devargs.c_str());
    } else {
        error = "'" + devargs + "' has neither an ethdev nor a vDPA device";
        if (attached_here) {
            EthDev::detach(devargs);
        }
        return nullptr;
    }
    return a;
}

Accelerator::~Accelerator()
{
    vf_.reset();
    if (detach_) {
        EthDev::detach(devargs_);
        VLOG_INFO("detached '%s'", devargs_.c_str());
    }
}

rte_vdpa_device *
Accelerator::vdpa() const
{
    return rte_vdpa_find_device_by_name(device_name_.c_str());
}

std::string
Accelerator::describe() const
{
    return vf_ ? vf_->describe() : device_name_ + " (vDPA only)";
}

}  // namespace accel
