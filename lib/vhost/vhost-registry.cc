#include "ovs/ovs-cxx.h"

#include "vhost/vhost-registry.h"

#include <array>

#include <climits>
#include <cstring>
#include <thread>

#include <rte_vhost.h>

#include "ovs/accel-api.h"
#include "vhost/iotlb-msg.h"
#include "vhost/vhost-port.h"

VLOG_DEFINE_THIS_MODULE(vhost_accel_registry);

namespace accel {

namespace {

int
new_device(int vid)
{
    int error = -1;
    if (!VhostRegistry::instance().with_port(vid, [&](VhostPort &port) {
            error = port.on_new_device(vid);
        })) {
        char ifname[PATH_MAX] = "";
        rte_vhost_get_ifname(vid, ifname, sizeof ifname);
        VLOG_INFO("vHost Device '%s' can't be added - name not found",
                  ifname);
    }
    return error;
}

void
destroy_device(int vid)
{
    bool removed = false;
    VhostRegistry::instance().with_port(
        vid, [&](VhostPort &port) { removed = port.on_destroy_device(vid); });
    if (removed) {
        // Wait until no PMD thread uses the device any more: rte_vhost
        // unmaps the guest memory when we return.  No lock may be held
        // here, or a thread waiting for it would never quiesce.
        // rte_vhost's event thread waits from a short-lived thread: OVS
        // warns about "unreasonably long poll intervals" of a thread that
        // enters its poll loop only once in a while.  The main thread (in
        // rte_vhost_driver_unregister()) must wait itself: a helper would
        // wait for it.
        if (VhostRegistry::instance().on_main_thread()) {
            accel_rcu_synchronize();
        } else {
            std::thread([] { accel_rcu_synchronize(); }).join();
        }
        char ifname[PATH_MAX] = "";
        rte_vhost_get_ifname(vid, ifname, sizeof ifname);
        VLOG_INFO("vHost Device '%s' has been removed", ifname);
    }
}

int
vring_state_changed(int vid, uint16_t vring, int enable)
{
    VhostRegistry::instance().with_port(vid, [&](VhostPort &port) {
        port.on_vring_state(vid, vring, enable);
    });
    return 0;
}

// The request is the first 32-bit word of the message (vhost_user.h).
uint32_t
msg_request(const void *msg)
{
    uint32_t request;
    memcpy(&request, msg, sizeof request);
    return request;
}

// VHOST_USER_SEND_RARP: after a live migration, the guest's MAC (the first
// six bytes of its u64 payload, after the 12-byte header).
constexpr uint32_t kSendRarp = 19;
constexpr size_t kPayloadOffset = 12;

rte_vhost_msg_result
pre_msg_handle(int vid, void *msg)
{
    uint32_t request = msg_request(msg);
    // Before rte_vhost applies it, whether a port claims the device or not.
    IotlbMsg::Kind iotlb = IotlbMsg::fix_invalidation(msg);
    VhostRegistry::instance().with_port(vid, [&](VhostPort &port) {
        if (iotlb != IotlbMsg::kOther) {
            port.on_iotlb_invalidation(vid,
                                       iotlb == IotlbMsg::kInvalidateToEnd);
        }
        if (request == kSendRarp) {
            std::array<uint8_t, 6> mac;
            memcpy(mac.data(), static_cast<const uint8_t *>(msg)
                               + kPayloadOffset, mac.size());
            port.on_send_rarp(vid, mac);
        }
        port.on_pre_msg(vid, request);
    });
    return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

rte_vhost_msg_result
post_msg_handle(int vid, void *msg)
{
    uint32_t request = msg_request(msg);
    VhostRegistry::instance().with_port(
        vid, [&](VhostPort &port) { port.on_post_msg(vid, request); });
    return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

int
new_connection(int vid)
{
    static const rte_vhost_user_extern_ops ops = {pre_msg_handle,
                                                  post_msg_handle};
    if (rte_vhost_extern_callback_register(vid, &ops, nullptr)) {
        VLOG_WARN("vhost device %d: cannot watch vhost-user messages", vid);
    }
    return 0;
}

void
destroy_connection(int vid)
{
    VhostRegistry::instance().with_port(
        vid, [&](VhostPort &port) { port.on_destroy_connection(vid); });
}

}  // namespace

VhostRegistry &
VhostRegistry::instance()
{
    static VhostRegistry registry;
    return registry;
}

void
VhostRegistry::set_main_thread()
{
    main_thread_ = std::this_thread::get_id();
}

bool
VhostRegistry::on_main_thread() const
{
    return std::this_thread::get_id() == main_thread_;
}

const rte_vhost_device_ops &
VhostRegistry::device_ops()
{
    static const rte_vhost_device_ops ops = [] {
        rte_vhost_device_ops o{};
        o.new_device = new_device;
        o.destroy_device = destroy_device;
        o.vring_state_changed = vring_state_changed;
        o.new_connection = new_connection;
        o.destroy_connection = destroy_connection;
        return o;
    }();
    return ops;
}

bool
VhostRegistry::add(const std::string &path, VhostPort *port,
                   std::string &error)
{
    std::lock_guard<std::recursive_mutex> guard(mutex_);
    auto it = ports_.find(path);
    if (it != ports_.end() && it->second != port) {
        error = "vhost-server-path '" + path + "' is already used by port "
                + it->second->name();
        return false;
    }
    ports_[path] = port;
    return true;
}

void
VhostRegistry::remove(const std::string &path, VhostPort *port)
{
    std::lock_guard<std::recursive_mutex> guard(mutex_);
    auto it = ports_.find(path);
    if (it != ports_.end() && it->second == port) {
        ports_.erase(it);
    }
}

std::string
VhostRegistry::owner(const std::string &path)
{
    std::lock_guard<std::recursive_mutex> guard(mutex_);
    auto it = ports_.find(path);
    return it == ports_.end() ? std::string() : it->second->name();
}

bool
VhostRegistry::with_port(int vid, const std::function<void(VhostPort &)> &fn)
{
    char ifname[PATH_MAX];
    if (rte_vhost_get_ifname(vid, ifname, sizeof ifname)) {
        return false;
    }
    std::lock_guard<std::recursive_mutex> guard(mutex_);
    auto it = ports_.find(ifname);
    if (it == ports_.end()) {
        return false;
    }
    fn(*it->second);
    return true;
}

void
VhostRegistry::for_each(
    const std::function<void(const std::string &, VhostPort &)> &fn)
{
    std::lock_guard<std::recursive_mutex> guard(mutex_);
    for (auto &kv : ports_) {
        fn(kv.first, *kv.second);
    }
}

}  // namespace accel
