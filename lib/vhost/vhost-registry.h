// The vhost-user sockets registered by the plugin and the rte_vhost
// callbacks that route device events to their VhostPort.
#ifndef OVS_VHOST_ACCEL_VHOST_VHOST_REGISTRY_H
#define OVS_VHOST_ACCEL_VHOST_VHOST_REGISTRY_H

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

struct rte_vhost_device_ops;

namespace accel {

class VhostPort;

// Daemon-wide vhost settings (Open_vSwitch:other_config), read at start.
struct VhostGlobalConfig {
    bool iommu_support = false;
    bool postcopy_support = false;
    bool memory_locked = false;     // --mlockall: postcopy impossible.
};

class VhostRegistry {
public:
    static VhostRegistry &instance();
    static const rte_vhost_device_ops &device_ops();

    VhostGlobalConfig &global() { return global_; }

    // ovs-vswitchd's main thread (the one that loads the plugin).
    void set_main_thread();
    bool on_main_thread() const;

    // Claims socket 'path' for 'port'; fails if another port has it.
    bool add(const std::string &path, VhostPort *port, std::string &error);
    void remove(const std::string &path, VhostPort *port);
    // The name of the port that claimed 'path' ("" if none).
    std::string owner(const std::string &path);
    // Calls 'fn' with the port owning the device's socket, if any, while
    // the port cannot be removed from the registry.
    bool with_port(int vid, const std::function<void(VhostPort &)> &fn);
    // Calls 'fn' for every registered socket.
    void for_each(const std::function<void(const std::string &,
                                           VhostPort &)> &fn);

private:
    VhostRegistry() = default;

    std::recursive_mutex mutex_;
    std::map<std::string, VhostPort *> ports_;
    VhostGlobalConfig global_;
    std::thread::id main_thread_;
};

}  // namespace accel

#endif
