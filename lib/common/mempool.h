// Packet mempools for the plugin's ports, shared by NUMA socket and buffer
// size and reference counted (like OVS's shared mempools), or private to a
// port with per-port-memory.  Every mbuf carries an initialized dp_packet.
#ifndef OVS_VHOST_ACCEL_COMMON_MEMPOOL_H
#define OVS_VHOST_ACCEL_COMMON_MEMPOOL_H

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct rte_mempool;

namespace accel {

// Sizing of DPDK mbufs for an MTU, the way OVS does it.
struct MbufSizing {
    static constexpr int kFrameOverhead = 26;   // Ethernet + CRC + 2 VLANs.
    static constexpr int kBufAlign = 1024;
    static constexpr int kMaxFrameLen = 9728;
    static constexpr int kMinMtu = 68;
    static uint32_t frame_len(int mtu) { return mtu + kFrameOverhead; }
    static bool mtu_supported(int mtu)
    {
        return mtu >= kMinMtu && frame_len(mtu) <= kMaxFrameLen;
    }
    // Data room of an mbuf (incl. headroom) for 'mtu'.
    static uint32_t data_room(int mtu);
};

class Mempool;
using MempoolRef = std::shared_ptr<Mempool>;

class Mempool {
public:
    Mempool(rte_mempool *mp, int socket, uint32_t data_room, bool shared);
    ~Mempool();
    Mempool(const Mempool &) = delete;
    Mempool &operator=(const Mempool &) = delete;

    rte_mempool *get() const { return mp_; }
    int socket() const { return socket_; }
    uint32_t data_room() const { return data_room_; }
    bool shared() const { return shared_; }
    unsigned int size() const;
    unsigned int in_use() const;
    std::string name() const;

private:
    rte_mempool *mp_;
    int socket_;
    uint32_t data_room_;
    bool shared_;
};

class MempoolRegistry {
public:
    static MempoolRegistry &instance();

    void set_per_port_memory(bool on) { per_port_memory_ = on; }
    bool per_port_memory() const { return per_port_memory_; }

    // A pool for 'mtu' on 'socket'.  'n_queues' sizes per-port pools.
    // Returns nullptr and logs on failure.
    MempoolRef get(int socket, int mtu, int n_queues,
                   const std::string &port_name);
    // Pools currently alive, for ovs-appctl.
    std::vector<MempoolRef> pools();

private:
    MempoolRegistry() = default;
    MempoolRef create(int socket, uint32_t data_room, unsigned int n,
                      bool shared);

    std::mutex mutex_;
    std::vector<std::weak_ptr<Mempool>> shared_;
    std::vector<std::weak_ptr<Mempool>> all_;
    unsigned int serial_ = 0;
    bool per_port_memory_ = false;
};

}  // namespace accel

#endif
