#include "ovs/ovs-cxx.h"

#include "vdpa/accelerator.h"

#include <rte_vdpa.h>

VLOG_DEFINE_THIS_MODULE(vhost_accel_accelerator);

namespace accel {

namespace {

// What precedes the first ',' of devargs: the DPDK device's name.
std::string
device_of(const std::string &devargs)
{
    return devargs.substr(0, devargs.find(','));
}

}  // namespace

std::unique_ptr<Accelerator>
Accelerator::open(const std::string &devargs, const std::string &owner,
                  std::string &error)
{
    std::unique_ptr<Accelerator> a(new Accelerator);
    a->devargs_ = devargs;
    a->device_name_ = device_of(devargs);

    uint16_t port_id = EthDev::find(devargs);
    bool attached_here = false;
    if (port_id >= RTE_MAX_ETHPORTS && !a->vdpa()) {
        int probed = EthDev::probe(devargs, error);
        if (probed < 0) {
            return nullptr;
        }
        attached_here = probed;
        port_id = EthDev::find(devargs);
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
    if (vf_) {
        return vf_->name() + " (ethdev " + std::to_string(vf_->port_id())
               + ")";
    }
    return device_name_ + " (vDPA only)";
}

}  // namespace accel
