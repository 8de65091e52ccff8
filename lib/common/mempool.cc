#include "ovs/ovs-cxx.h"

#include "common/mempool.h"

#include <algorithm>
#include <cerrno>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ovs/accel-api.h"

VLOG_DEFINE_THIS_MODULE(vhost_accel_mempool);

namespace accel {

namespace {
// A shared pool serves the plugin's vhost ports on one socket and MTU.
// Unlike a NIC, a vhost port keeps no mbufs in rings: only bursts in flight
// and packets waiting in other ports' tx queues.  Upstream's 262144 mbufs
// (MTU >= 1500) would add ~700 MB per pool next to OVS's own pools.
constexpr unsigned int kSharedMbufs = 24576;
constexpr unsigned int kMinMbufs = 16384;
constexpr unsigned int kCacheSize = RTE_MEMPOOL_CACHE_MAX_SIZE;
constexpr unsigned int kQueueDescs = 2048;      // Per-port pool sizing.
}

uint32_t
MbufSizing::data_room(int mtu)
{
    uint32_t len = frame_len(mtu);
    return (len + kBufAlign - 1) / kBufAlign * kBufAlign
           + RTE_PKTMBUF_HEADROOM;
}

Mempool::Mempool(rte_mempool *mp, int socket, uint32_t data_room,
                 bool shared)
    : mp_(mp), socket_(socket), data_room_(data_room), shared_(shared)
{
}

Mempool::~Mempool()
{
    if (rte_mempool_full(mp_) || !rte_mempool_in_use_count(mp_)) {
        VLOG_DBG("freeing mempool \"%s\"", mp_->name);
        rte_mempool_free(mp_);
    } else {
        // mbufs still travel (e.g. in a NIC's TX ring): freeing the pool
        // would corrupt memory, so keep it; it is reported by appctl.
        VLOG_WARN("mempool \"%s\" still has %u mbufs in use: not freed",
                  mp_->name, rte_mempool_in_use_count(mp_));
    }
}

unsigned int
Mempool::size() const
{
    return mp_->size;
}

unsigned int
Mempool::in_use() const
{
    return rte_mempool_in_use_count(mp_);
}

std::string
Mempool::name() const
{
    return mp_->name;
}

MempoolRegistry &
MempoolRegistry::instance()
{
    static MempoolRegistry registry;
    return registry;
}

MempoolRef
MempoolRegistry::create(int socket, uint32_t data_room, unsigned int n,
                        bool shared)
{
    for (;;) {
        char name[RTE_MEMPOOL_NAMESIZE];
        snprintf(name, sizeof name, "vxa_%c%u_%d_%u", shared ? 's' : 'p',
                 serial_++, socket, data_room);
        rte_mempool *mp = rte_pktmbuf_pool_create(
            name, n, kCacheSize, accel_mbuf_priv_size(), data_room,
            socket < 0 ? SOCKET_ID_ANY : socket);
        if (mp) {
            rte_mempool_obj_iter(mp, accel_mempool_obj_init, nullptr);
            VLOG_INFO("mempool \"%s\" created: %u mbufs of %u bytes on "
                      "socket %d", name, n, data_room, socket);
            return std::make_shared<Mempool>(mp, socket, data_room, shared);
        }
        if (rte_errno != ENOMEM || n / 2 < kMinMbufs) {
            // (Rate-limited: a port retries every second while hugepages
            // are exhausted.)
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
            VLOG_ERR_RL(&rl, "failed to create mempool \"%s\" with %u "
                        "mbufs: %s", name, n, rte_strerror(rte_errno));
            return nullptr;
        }
        n /= 2;
    }
}

MempoolRef
MempoolRegistry::get(int socket, int mtu, int n_queues,
                     const std::string &port_name)
{
    std::lock_guard<std::mutex> guard(mutex_);
    uint32_t room = MbufSizing::data_room(mtu);
    MempoolRef mp;

    if (!per_port_memory_) {
        for (auto &weak : shared_) {
            MempoolRef p = weak.lock();
            if (p && p->socket() == socket && p->data_room() == room) {
                return p;
            }
        }
        mp = create(socket, room, kSharedMbufs, true);
    } else {
        unsigned int n = 2 * n_queues * kQueueDescs + kMinMbufs;
        mp = create(socket, room, n, false);
    }
    if (!mp) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_ERR_RL(&rl, "%s: no mempool for MTU %d on socket %d",
                    port_name.c_str(), mtu, socket);
        return nullptr;
    }
    (mp->shared() ? shared_ : all_).push_back(mp);
    auto expired = [](const std::weak_ptr<Mempool> &w) { return w.expired(); };
    shared_.erase(std::remove_if(shared_.begin(), shared_.end(), expired),
                  shared_.end());
    all_.erase(std::remove_if(all_.begin(), all_.end(), expired), all_.end());
    return mp;
}

std::vector<MempoolRef>
MempoolRegistry::pools()
{
    std::lock_guard<std::mutex> guard(mutex_);
    std::vector<MempoolRef> out;
    for (auto *list : {&shared_, &all_}) {
        for (auto &weak : *list) {
            if (MempoolRef p = weak.lock()) {
                out.push_back(p);
            }
        }
    }
    return out;
}

}  // namespace accel
