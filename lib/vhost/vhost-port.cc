#include "ovs/ovs-cxx.h"

#include "vhost/vhost-port.h"

#include <cerrno>
#include <cinttypes>
#include <climits>
#include <algorithm>
#include <array>
#include <cstring>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_vhost.h>

#include "vhost/iotlb-msg.h"
#include "vhost/vhost-registry.h"

VLOG_DEFINE_THIS_MODULE(vhost_accel_port);


namespace accel {

namespace {

constexpr int kVirtioRxq = 0;   // Guest RX = our TX (even vrings).
constexpr int kVirtioTxq = 1;   // Guest TX = our RX (odd vrings).
constexpr int kVirtioQnum = 2;
constexpr int kMaxBurst = 32;   // NETDEV_MAX_BURST.
// How long a vIOMMU backlog may wait for its IOTLB entries without any of
// its packets going in (tx-backlog.h).
constexpr uint64_t kBacklogTimeoutMs = 1000;

// Drops a backlog's packets (TxBacklog::clear()).
void
free_bulk(rte_mbuf **pkts, int n)
{
    rte_pktmbuf_free_bulk(pkts, n);
}


}  // namespace

// ---------------------------------------------------------------------------
// Configuration.

void
VhostSwStats::clear()
{
    for (auto *c : {&rx_dropped, &tx_dropped, &tx_retries, &tx_failure_drops,
                    &tx_mtu_exceeded_drops, &tx_iotlb_deferred,
                    &tx_iotlb_deferred_drops, &iotlb_invalidations,
                    &iotlb_clamped_invalidations}) {
        c->store(0, std::memory_order_relaxed);
    }
}

// ---------------------------------------------------------------------------
// Life cycle.

VhostPort::VhostPort(netdev *netdev, int numa, const char *kind)
    : netdev_(netdev), name_(accel_netdev_name(netdev)), kind_(kind),
      socket_id_(numa < 0 ? 0 : numa), requested_socket_id_(socket_id_),
      rxq_enabled_(new std::atomic<bool>[kMaxQueues]),
      txq_locks_(new SpinLock[kMaxQueues]),
      vqs_(new std::atomic<VhostQueue *>[kMaxVrings]),
      vring_on_(new bool[kMaxVrings]()),
      backlogs_(new std::atomic<TxBacklog *>[kMaxQueues])
{
    for (int i = 0; i < kMaxQueues; i++) {
        rxq_enabled_[i].store(false, std::memory_order_relaxed);
        backlogs_[i].store(nullptr, std::memory_order_relaxed);
    }
    for (int i = 0; i < kMaxVrings; i++) {
        vqs_[i].store(nullptr, std::memory_order_relaxed);
    }
}

VhostPort::~VhostPort()
{
    unregister_socket();
    drop_backlogs();
    for (int i = 0; i < kMaxQueues; i++) {
        delete backlogs_[i].load();
    }
}

int
VhostPort::register_socket(const std::string &path)
{
    VhostRegistry &registry = VhostRegistry::instance();
    std::string error;

    if (!registry.add(path, this, error)) {
        VLOG_ERR("%s: %s", name_.c_str(), error.c_str());
        return EEXIST;
    }

    uint64_t flags = vhost_flags();
    if (postcopy_refused()) {
        VLOG_WARN("%s: vhost-postcopy-support is not compatible with mlockall "
                  "(--mlockall): disabled", name_.c_str());
    }
    int err = rte_vhost_driver_register(path.c_str(), flags);
    if (err) {
        VLOG_ERR("vhost-user device setup failure for device %s",
                 path.c_str());
        registry.remove(path, this);
        return EINVAL;
    }
    registered_path_ = path;
    registered_flags_.store(flags);
    registered_offloads_ = offloads_;
    uint64_t disabled = offloads_.disabled_features();
    if (config_.dq_zero_copy) {
        disabled |= 1ULL << virtio::kFInOrder;
    }
    if (vdpa_dev_
        && rte_vhost_driver_attach_vdpa_device(path.c_str(), vdpa_dev_)) {
        VLOG_ERR("%s: cannot attach the vDPA device to '%s'", name_.c_str(),
                 path.c_str());
        unregister_socket();
        return EINVAL;
    }
    registered_vdpa_.store(vdpa_dev_);
    if (rte_vhost_driver_callback_register(path.c_str(),
                                           &VhostRegistry::device_ops())
        || rte_vhost_driver_disable_features(path.c_str(), disabled)
        || rte_vhost_driver_start(path.c_str())) {
        VLOG_ERR("%s: failed to start vhost-user client socket '%s'",
                 name_.c_str(), path.c_str());
        unregister_socket();
        return EINVAL;
    }
    VLOG_INFO("vHost User device '%s' created in 'client' mode, using "
              "client socket '%s'%s%s", name_.c_str(), path.c_str(),
              flags & RTE_VHOST_USER_IOMMU_SUPPORT
              ? ", vhost-iommu-support" : "",
              flags & RTE_VHOST_USER_POSTCOPY_SUPPORT
              ? ", vhost-postcopy-support" : "");
    return 0;
}

void
VhostPort::unregister_socket()
{
    if (registered_path_.empty()) {
        return;
    }
    // No lock held: rte_vhost may call on_destroy_device() from here.
    if (rte_vhost_driver_unregister(registered_path_.c_str())) {
        VLOG_ERR("%s: unable to unregister vhost-user socket '%s'",
                 name_.c_str(), registered_path_.c_str());
    } else {
        VLOG_INFO("vHost User device '%s' unregistered socket '%s'",
                  name_.c_str(), registered_path_.c_str());
    }
    VhostRegistry::instance().remove(registered_path_, this);
    registered_path_.clear();
    registered_flags_.store(0);
    registered_vdpa_.store(nullptr);
}

uint64_t
VhostPort::vhost_flags() const
{
    const VhostGlobalConfig &global = VhostRegistry::instance().global();
    uint64_t flags = RTE_VHOST_USER_CLIENT | RTE_VHOST_USER_NET_STATS_ENABLE;
    // Linear buffers (OVS takes no mbuf chains), except where the guest
    // may send TSO frames: rte_vhost then leaves HOST_TSO4/6 out, and the
    // relay behind the port takes chains.
    if (!offloads_.tso) {
        flags |= RTE_VHOST_USER_LINEARBUF_SUPPORT;
    }
    if (config_.iommu_support.value_or(global.iommu_support)) {
        flags |= RTE_VHOST_USER_IOMMU_SUPPORT;
    }
    if (config_.postcopy_support.value_or(global.postcopy_support)
        && !global.memory_locked) {
        flags |= RTE_VHOST_USER_POSTCOPY_SUPPORT;
    }
    return flags;
}

bool
VhostPort::postcopy_refused() const
{
    return config_.postcopy_support.value_or(false)
           && VhostRegistry::instance().global().memory_locked;
}

// ---------------------------------------------------------------------------
// Control path.

int
VhostPort::set_config(const OptionMap &opts, std::string &error)
{
    std::optional<VhostPortConfig> cfg = VhostPortConfig::parse(opts, error);

    for (const auto &kv : opts) {
        if (!VhostPortConfig::is_known(kv.first)) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
            VLOG_WARN_RL(&rl, "%s: unknown option '%s' ignored",
                         name_.c_str(), kv.first.c_str());
        }
    }

    std::lock_guard<std::mutex> guard(mutex_);
    if (!cfg) {
        VLOG_ERR("%s: %s%s", name_.c_str(), error.c_str(),
                 configured_ ? "; keeping the previous configuration" : "");
        config_error_ = error;
        changed();
        // A port that runs keeps running with its previous configuration
        // (OVS would delete it on error); a new port is refused.
        return configured_ ? 0 : EINVAL;
    }
    config_error_.clear();

    if (cfg->server_path != config_.server_path
        || cfg->dq_zero_copy != config_.dq_zero_copy
        || cfg->zc_threshold != config_.zc_threshold
        || cfg->ring_walker != config_.ring_walker
        || cfg->iommu_support != config_.iommu_support
        || cfg->postcopy_support != config_.postcopy_support) {
        request_reconfigure();
    }
    if (cfg->dq_zero_copy && !config_.dq_zero_copy
        && !registered_path_.empty()) {
        // Lent frames complete out of order: the next guest connection
        // must not negotiate VIRTIO_F_IN_ORDER.
        rte_vhost_driver_disable_features(registered_path_.c_str(),
                                          1ULL << virtio::kFInOrder);
    }
    if (cfg->tx_retries_max != config_.tx_retries_max || !configured_) {
        tx_retries_max_.store(cfg->tx_retries_max);
        if (configured_ || cfg->tx_retries_max
                           != VhostPortConfig::kTxRetriesDefault) {
            VLOG_INFO("Max Tx retries for vhost device '%s' set to %d",
                      name_.c_str(), cfg->tx_retries_max);
        }
    }
    config_ = *cfg;
    configured_ = true;
    return 0;
}

void
VhostPort::get_config(accel_kv_cb *cb, void *aux)
{
    std::lock_guard<std::mutex> guard(mutex_);
    if (config_.server_path) {
        cb(aux, "vhost-server-path", config_.server_path->c_str());
    }
    cb(aux, "tx-retries-max", std::to_string(config_.tx_retries_max).c_str());
    cb(aux, "requested_rx_queues", std::to_string(requested_n_rxq_).c_str());
    cb(aux, "configured_rx_queues", std::to_string(n_rxq_).c_str());
    cb(aux, "requested_tx_queues", std::to_string(requested_n_txq_).c_str());
    cb(aux, "configured_tx_queues", std::to_string(n_txq()).c_str());
    cb(aux, "mtu", std::to_string(mtu_).c_str());
}

int
VhostPort::reconfigure()
{
    std::string path;
    {
        std::lock_guard<std::mutex> guard(mutex_);
        path = config_.server_path.value_or("");
    }

    // Unlike upstream, a changed vhost-server-path takes effect: the old
    // socket is unregistered (which disconnects the guest) and the new one
    // registered.  So do per-port vhost-iommu-support and
    // vhost-postcopy-support (rte_vhost takes them at registration).
    uint64_t flags = vhost_flags();
    if (path != registered_path_
        || (!path.empty() && (flags != registered_flags_.load()
                              || vdpa_dev_ != registered_vdpa_.load()
                              || !(offloads_ == registered_offloads_)))) {
        if (!registered_path_.empty() && path != registered_path_) {
            VLOG_INFO("%s: vhost-server-path changed from '%s' to '%s'",
                      name_.c_str(), registered_path_.c_str(), path.c_str());
        } else if (!registered_path_.empty()) {
            VLOG_INFO("%s: vhost-iommu-support=%s, vhost-postcopy-support=%s:"
                      " re-registering socket '%s' (the guest reconnects)",
                      name_.c_str(),
                      flags & RTE_VHOST_USER_IOMMU_SUPPORT ? "true" : "false",
                      flags & RTE_VHOST_USER_POSTCOPY_SUPPORT ? "true"
                                                              : "false",
                      path.c_str());
        }
        unregister_socket();
        if (!path.empty()) {
            int err = register_socket(path);
            if (err) {
                return err;
            }
        }
    }

    std::lock_guard<std::mutex> guard(mutex_);
    int error = configure_device();

    // Zero-copy and ring-walker changes take effect at once on a running
    // device: its rings change hands between bursts.
    std::lock_guard<std::mutex> qguard(queue_mutex_);
    const VhostPortConfig &w = walker_config_;
    if (config_.dq_zero_copy != w.dq_zero_copy
        || config_.zc_threshold != w.zc_threshold
        || config_.ring_walker != w.ring_walker) {
        walker_config_ = config_;
        int vid = vid_.load();
        if (vid >= 0 && !walkers_suspended_) {
            stop_walkers(vid);
            start_walkers(vid, false);
        } else if (vid < 0) {
            zc_status_ = config_.dq_zero_copy ? "inactive (not connected)"
                                              : "inactive (disabled)";
        }
        changed();
    }
    return error;
}

int
VhostPort::configure_device()
{
    n_rxq_ = requested_n_rxq_;
    n_txq_.store(requested_n_txq_);
    socket_id_ = requested_socket_id_;

    // Keep RX queue 0 enabled for guests that never report vring states.
    rxq_enabled_[0].store(true);
    {
        std::lock_guard<std::mutex> qguard(queue_mutex_);
        txq_map_.default_queue0();
        remap_txqs();
    }
    sw_stats_.clear();

    if (vid_.load() < 0) {
        mtu_ = requested_mtu_;
        return 0;
    }
    if (!mempool_ || mempool_->socket() != socket_id_
        || mempool_->data_room() != MbufSizing::data_room(requested_mtu_)) {
        MempoolRef mp = MempoolRegistry::instance().get(
            socket_id_, requested_mtu_, std::max(n_rxq_, n_txq()), name_);
        if (!mp) {
            mempool_unavailable();
            return 0;
        }
        if (!mempool_error_.empty()) {
            VLOG_INFO("%s: mempool for MTU %d on socket %d available again",
                      name_.c_str(), requested_mtu_, socket_id_);
        }
        mempool_ = mp;
        mp_.store(mp->get());
        changed();
    }
    if (!mempool_error_.empty()) {
        mempool_error_.clear();
        mempool_retry_.store(false);
        changed();
    }
    mtu_ = requested_mtu_;
    if (!ready_.exchange(true)) {
        changed();
    }
    return 0;
}

// No mempool for the requested MTU and socket (hugepages exhausted): the
// port stays in the datapath (a reconfigure error would make dpif-netdev
// drop it for good), keeps a pool it has for the same socket and its MTU,
// or else keeps its link down; the main thread retries every second.
void
VhostPort::mempool_unavailable()
{
    char msg[128];
    snprintf(msg, sizeof msg, "unavailable (MTU %d, socket %d): retrying",
             requested_mtu_, socket_id_);
    if (mempool_error_ != msg) {
        VLOG_WARN("%s: no memory for a mempool with MTU %d on socket %d: "
                  "%s; retrying every second", name_.c_str(), requested_mtu_,
                  socket_id_,
                  mempool_ && mempool_->socket() == socket_id_
                      ? "keeping the current MTU" : "link down");
        mempool_error_ = msg;
        changed();
    }
    mempool_retry_.store(true);
    if (!mempool_ || mempool_->socket() != socket_id_) {
        if (ready_.exchange(false)) {
            changed();
        }
    } else if (!ready_.exchange(true)) {
        changed();
    }
}

void
VhostPort::run(long long now)
{
    if (carrier_reporter_.poll(carrier(), now)) {
        changed();
    }
    if (mempool_retry_.load() && now >= mempool_retry_at_) {
        mempool_retry_.store(false);
        mempool_retry_at_ = now + kMempoolRetryMs;
        request_reconfigure();
    }
}

long long
VhostPort::next_run() const
{
    long long next = carrier_reporter_.deadline();
    if (mempool_retry_.load()) {
        next = std::min(next, mempool_retry_at_);
    }
    return next;
}

void
VhostPort::remap_txqs()
{
    txq_map_.remap(n_txq());
    if (VLOG_IS_DBG_ENABLED()) {
        VLOG_DBG("TX queue mapping for port '%s': %s", name_.c_str(),
                 txq_map_.to_string(n_txq()).c_str());
    }
}

std::string
VhostPort::queue_report()
{
    std::string out;
    std::lock_guard<std::mutex> qguard(queue_mutex_);
    for (int i = 0; i < kMaxVrings; i++) {
        VhostQueue *q = vq_if(i);
        if (!q) {
            continue;
        }
        char line[160];
        snprintf(line, sizeof line, "  vring %d (%s_q%d): %s, %s", i,
                 i % kVirtioQnum == kVirtioTxq ? "rx" : "tx",
                 i / kVirtioQnum, vring_on_[i] ? "enabled" : "disabled",
                 q->walker() ? "ring-walker"
                             : (std::string("rte_vhost (")
                                + walker_off_reason(q->off_reason()) + ")")
                                   .c_str());
        out += line;
        if (q->walker()) {
            snprintf(line, sizeof line, ", avail %u, used %u",
                     q->ring().last_avail(), q->ring().last_used());
            out += line;
        }
        std::string errors = q->ring().errors().describe();
        if (!errors.empty()) {
            out += ", " + errors;
        }
        out += "\n";
    }
    return out;
}

int
VhostPort::numa() const
{
    return socket_id_;
}

int
VhostPort::mtu() const
{
    return mtu_;
}

int
VhostPort::set_mtu(int mtu)
{
    if (!MbufSizing::mtu_supported(mtu)) {
        VLOG_WARN("%s: unsupported MTU %d", name_.c_str(), mtu);
        return EINVAL;
    }
    std::lock_guard<std::mutex> guard(mutex_);
    if (requested_mtu_ != mtu) {
        requested_mtu_ = mtu;
        request_reconfigure();
    }
    return 0;
}

rte_mempool *
VhostPort::mempool() const
{
    return mp_.load(std::memory_order_relaxed);
}

void
VhostPort::count_tx_drops(uint64_t n)
{
    sw_stats_.tx_dropped.fetch_add(n, std::memory_order_relaxed);
    sw_stats_.tx_failure_drops.fetch_add(n, std::memory_order_relaxed);
}

void
VhostPort::get_status(accel_kv_cb *cb, void *aux)
{
    std::lock_guard<std::mutex> guard(mutex_);
    cb(aux, "mode", "client");
    if (!mempool_error_.empty()) {
        cb(aux, "mempool", mempool_error_.c_str());
    }
    if (config_.dq_zero_copy) {
        // (No key when off: the status reads like upstream's.)
        std::lock_guard<std::mutex> qguard(queue_mutex_);
        cb(aux, "dq-zero-copy", walker_config_.dq_zero_copy
                                ? zc_status_.c_str() : "inactive (pending)");
    }
    if (!config_error_.empty()) {
        cb(aux, "config_error", config_error_.c_str());
    }
    // (Like dq-zero-copy: no keys when off, upstream's status otherwise.)
    uint64_t flags = registered_flags_.load();
    if (flags & RTE_VHOST_USER_IOMMU_SUPPORT) {
        cb(aux, "vhost-iommu-support", "true");
    }
    if (flags & RTE_VHOST_USER_POSTCOPY_SUPPORT) {
        cb(aux, "vhost-postcopy-support", "true");
    } else if (postcopy_refused()) {
        cb(aux, "vhost-postcopy-support", "false (mlockall)");
    }
    int vid = vid_.load();
    if (vid < 0) {
        cb(aux, "status", "disconnected");
        return;
    }
    cb(aux, "status", "connected");

    char buf[PATH_MAX];
    if (!rte_vhost_get_ifname(vid, buf, sizeof buf)) {
        cb(aux, "socket", buf);
    }
    uint64_t features;
    if (!rte_vhost_get_negotiated_features(vid, &features)) {
        snprintf(buf, sizeof buf, "0x%016" PRIx64, features);
        cb(aux, "features", buf);
    }
    uint16_t mtu;
    if (!rte_vhost_get_mtu(vid, &mtu)) {
        cb(aux, "mtu", std::to_string(mtu).c_str());
    }
    int numa = rte_vhost_get_numa_node(vid);
    if (numa >= 0) {
        cb(aux, "numa", std::to_string(numa).c_str());
    }
    uint16_t vring_num = rte_vhost_get_vring_num(vid);
    if (vring_num) {
        cb(aux, "num_of_vrings", std::to_string(vring_num).c_str());
    }
    for (int i = 0; i < vring_num; i++) {
        rte_vhost_vring vring;
        if (!rte_vhost_get_vhost_vring(vid, i, &vring)) {
            cb(aux, ("vring_" + std::to_string(i) + "_size").c_str(),
               std::to_string(vring.size).c_str());
        }
    }

    // Who moves the packets, per direction: the plugin's ring walker or
    // rte_vhost (with the reason when the walker cannot serve a queue).
    std::string datapath;
    {
        std::lock_guard<std::mutex> qguard(queue_mutex_);
        for (int dir : {kVirtioTxq, kVirtioRxq}) {
            int walker = 0, other = 0;
            WalkerOff reason = WalkerOff::kNotStarted;
            for (int i = dir; i < vring_num && i < kMaxVrings;
                 i += kVirtioQnum) {
                VhostQueue *q = vq_if(i);
                if (q && q->walker()) {
                    walker++;
                } else if (vring_on_[i]) {
                    other++;
                    if (q && q->off_reason() != WalkerOff::kNotStarted) {
                        reason = q->off_reason();
                    }
                }
            }
            std::string lib = reason == WalkerOff::kNotStarted
                              ? "rte_vhost"
                              : std::string("rte_vhost (")
                                + walker_off_reason(reason) + ")";
            datapath += datapath.empty() ? "rx " : ", tx ";
            datapath += !other ? (walker ? "ring-walker" : "rte_vhost")
                        : !walker ? lib : "mixed, " + lib;
        }
    }
    cb(aux, "datapath", datapath.c_str());
}

// ---------------------------------------------------------------------------
// Statistics.

namespace {

// Where one direction's counters go in OVS's netdev_stats.
struct NetdevDir {
    uint64_t *packets, *bytes, *broadcast, *multicast;
    std::array<uint64_t *, 7> buckets;      // 1_to_64 ... 1523_to_max.
};

// Counters in QueueStats order into 'd' (undersize packets count as
// 1_to_64, like upstream).
void
to_netdev(const uint64_t (&v)[QueueStats::kCount], const NetdevDir &d)
{
    *d.packets = v[QueueStats::kGoodPackets];
    *d.bytes = v[QueueStats::kGoodBytes];
    *d.broadcast = v[QueueStats::kBroadcast];
    *d.multicast = v[QueueStats::kMulticast];
    for (size_t i = 0; i < d.buckets.size(); i++) {
        *d.buckets[i] = v[QueueStats::kSize64 + i];
    }
    *d.buckets[0] += v[QueueStats::kUndersize];
}

}  // namespace

// Counters of 'vring': rte_vhost's (for packets it moved) plus ours.
bool
VhostPort::collect_counters(int vid, int vring,
                            uint64_t (&out)[QueueStats::kCount])
{
    std::fill(std::begin(out), std::end(out), 0);
    int count = rte_vhost_vring_stats_get_names(vid, vring, nullptr, 0);
    if (count > 0) {
        std::vector<rte_vhost_stat_name> names(count);
        std::vector<rte_vhost_stat> values(count);
        if (rte_vhost_vring_stats_get_names(vid, vring, names.data(), count)
            != count) {
            return false;
        }
        if (lib_counters_.size() <= size_t(vring)) {
            lib_counters_.resize(vring + 1);
        }
        LibCounters &last = lib_counters_[vring];
        if (rte_vhost_vring_stats_get(vid, vring, values.data(), count)
            != count) {
            // rte_vhost reads no counters of a ring whose addresses an
            // IOTLB invalidation covered, until a burst translates them
            // again: its last ones stand.
            if (!last.valid) {
                return false;
            }
            std::copy(last.values.begin(), last.values.end(), out);
            count = 0;
        }
        for (int i = 0; i < count; i++) {
            // "rx_q0_good_packets": match the part after the queue prefix.
            const char *suffix = strchr(names[i].name, '_');
            suffix = suffix ? strchr(suffix + 1, '_') : nullptr;
            for (int j = 0; suffix && j < QueueStats::kCount; j++) {
                if (!strcmp(suffix + 1, QueueStats::kNames[j])) {
                    out[j] += values[i].value;
                    break;
                }
            }
        }
        if (count) {
            std::copy(std::begin(out), std::end(out), last.values.begin());
            last.valid = true;
        }
    }
    if (const VhostQueue *q = vq_if(vring)) {
        for (int j = 0; j < QueueStats::kCount; j++) {
            out[j] += q->stats().get(j);
        }
        out[QueueStats::kGuestNotifications] += q->ring().notifications();
    }
    return true;
}

// Counters of the 'n' queues of one direction ('first' vring, then every
// other one), summed.
bool
VhostPort::sum_counters(int vid, int first, int n,
                        uint64_t (&out)[QueueStats::kCount])
{
    std::fill(std::begin(out), std::end(out), 0);
    for (int q = 0; q < n; q++) {
        uint64_t c[QueueStats::kCount];
        if (!collect_counters(vid, first + q * kVirtioQnum, c)) {
            return false;
        }
        for (int i = 0; i < QueueStats::kCount; i++) {
            out[i] += c[i];
        }
    }
    return true;
}

int
VhostPort::get_stats(accel_port_stats &s)
{
    std::lock_guard<std::mutex> guard(mutex_);
    int vid = vid_.load();
    if (vid < 0 || !ready_.load()) {
        return EPROTO;
    }

    uint64_t rx[QueueStats::kCount], tx[QueueStats::kCount];
    if (!sum_counters(vid, kVirtioTxq, n_rxq_, rx)
        || !sum_counters(vid, kVirtioRxq, n_txq(), tx)) {
        return EPROTO;
    }
    memset(&s, 0xff, sizeof s);
    to_netdev(rx, {&s.rx_packets, &s.rx_bytes, &s.rx_broadcast_packets,
                   &s.multicast,
                   {&s.rx_1_to_64_packets, &s.rx_65_to_127_packets,
                    &s.rx_128_to_255_packets, &s.rx_256_to_511_packets,
                    &s.rx_512_to_1023_packets, &s.rx_1024_to_1522_packets,
                    &s.rx_1523_to_max_packets}});
    to_netdev(tx, {&s.tx_packets, &s.tx_bytes, &s.tx_broadcast_packets,
                   &s.tx_multicast_packets,
                   {&s.tx_1_to_64_packets, &s.tx_65_to_127_packets,
                    &s.tx_128_to_255_packets, &s.tx_256_to_511_packets,
                    &s.tx_512_to_1023_packets, &s.tx_1024_to_1522_packets,
                    &s.tx_1523_to_max_packets}});
    s.rx_dropped = sw_stats_.rx_dropped.load(std::memory_order_relaxed);
    s.tx_dropped = sw_stats_.tx_dropped.load(std::memory_order_relaxed);
    return 0;
}

void
VhostPort::get_custom_stats(accel_counter_cb *cb, void *aux)
{
    auto rd = [](const std::atomic<uint64_t> &c) {
        return c.load(std::memory_order_relaxed);
    };
    cb(aux, "ovs_tx_retries", rd(sw_stats_.tx_retries));
    cb(aux, "ovs_tx_failure_drops", rd(sw_stats_.tx_failure_drops));
    cb(aux, "ovs_tx_mtu_exceeded_drops", rd(sw_stats_.tx_mtu_exceeded_drops));
    cb(aux, "ovs_tx_qos_drops", 0);
    cb(aux, "ovs_rx_qos_drops", 0);
    cb(aux, "ovs_tx_invalid_hwol_drops", 0);
    if (registered_flags_.load() & RTE_VHOST_USER_IOMMU_SUPPORT) {
        cb(aux, "ovs_tx_iotlb_deferred_packets",
           rd(sw_stats_.tx_iotlb_deferred));
        cb(aux, "ovs_tx_iotlb_deferred_drops",
           rd(sw_stats_.tx_iotlb_deferred_drops));
        cb(aux, "iotlb_invalidations", rd(sw_stats_.iotlb_invalidations));
        cb(aux, "iotlb_clamped_invalidations",
           rd(sw_stats_.iotlb_clamped_invalidations));
    }

    std::lock_guard<std::mutex> guard(mutex_);
    int vid = vid_.load();
    if (vid < 0 || !ready_.load()) {
        return;
    }
    // Descriptors the ring walker refused, by direction.
    uint64_t invalid[2] = {0, 0}, oversize[2] = {0, 0};
    // Per-virtqueue counters under rte_vhost's names ("rx_q0_good_packets").
    for (int dir = 0; dir < 2; dir++) {
        int n = dir ? n_txq() : n_rxq_;
        int first = dir ? kVirtioRxq : kVirtioTxq;
        for (int q = 0; q < n; q++) {
            int vring = first + q * kVirtioQnum;
            uint64_t c[QueueStats::kCount];
            if (!collect_counters(vid, vring, c)) {
                return;
            }
            std::string prefix = std::string(dir ? "tx_q" : "rx_q")
                                 + std::to_string(q) + "_";
            for (int i = 0; i < QueueStats::kCount; i++) {
                cb(aux, (prefix + QueueStats::kNames[i]).c_str(), c[i]);
            }
            if (const VhostQueue *vq = vq_if(vring)) {
                invalid[dir] += vq->ring().errors().invalid_descs();
                oversize[dir] += vq->ring().errors().oversize.get();
            }
        }
    }
    // Dequeue zero-copy, over the guest TX queues.
    uint64_t zc = 0, inflight = 0, fallback[kZcFallbackCount] = {};
    for (int q = 0; q < n_rxq_; q++) {
        if (const VhostQueue *vq = vq_if(q * kVirtioQnum + kVirtioTxq)) {
            zc += vq->ring().zc_packets();
            inflight += vq->zc_in_flight();
            for (int r = 0; r < kZcFallbackCount; r++) {
                fallback[r] += vq->ring().zc_fallback(ZcFallback(r));
            }
        }
    }
    uint64_t fallback_total = 0;
    for (int r = 0; r < kZcFallbackCount; r++) {
        fallback_total += fallback[r];
        cb(aux, (std::string("rx_zero_copy_fallback_")
                 + zc_fallback_name(ZcFallback(r)) + "_packets").c_str(),
           fallback[r]);
    }
    cb(aux, "rx_zero_copy_packets", zc);
    cb(aux, "rx_zero_copy_fallback_packets", fallback_total);
    cb(aux, "rx_zero_copy_inflight", inflight);
    cb(aux, "ovs_rx_invalid_descs", invalid[0]);
    cb(aux, "ovs_rx_oversize_drops", oversize[0]);
    cb(aux, "ovs_tx_invalid_descs", invalid[1]);
}

// ---------------------------------------------------------------------------
// rte_vhost events.

int
VhostPort::on_new_device(int vid)
{
    std::lock_guard<std::mutex> guard(mutex_);
    lib_counters_.clear();              // rte_vhost's start again at 0.
    int qp_num = rte_vhost_get_vring_num(vid) / kVirtioQnum;
    int node = rte_vhost_get_numa_node(vid);
    if (node < 0) {
        node = socket_id_;
    }

    // A new mempool if the MTU changed while no guest was connected.
    if (requested_n_txq_ < qp_num || requested_n_rxq_ < qp_num
        || requested_socket_id_ != node || !mempool_
        || mempool_->data_room() != MbufSizing::data_room(requested_mtu_)) {
        requested_socket_id_ = node;
        requested_n_rxq_ = qp_num;
        requested_n_txq_ = qp_num;
        request_reconfigure();
    } else {
        ready_.store(true);
    }

    // The PMD threads poll: no guest notifications.  (With a vDPA device
    // attached, the device serves the rings and their notifications, and
    // start_walkers() does nothing.)
    if (!vdpa_attached()) {
        for (int i = 0; i < qp_num * kVirtioQnum; i++) {
            rte_vhost_enable_guest_notification(vid, i, 0);
        }
    }
    {
        std::lock_guard<std::mutex> qguard(queue_mutex_);
        start_walkers(vid, true);
    }
    vid_.store(vid);
    changed();
    VLOG_INFO("vHost Device '%s' has been added on numa node %d",
              registered_path_.c_str(), node);
    return 0;
}

bool
VhostPort::on_destroy_device(int vid)
{
    std::lock_guard<std::mutex> guard(mutex_);
    if (vid_.load() != vid) {
        return false;
    }
    ready_.store(false);
    vid_.store(-1);
    mempool_error_.clear();             // Nothing to retry without a guest.
    mempool_retry_.store(false);
    for (int i = 0; i < n_rxq_; i++) {
        rxq_enabled_[i].store(false);
    }
    std::lock_guard<std::mutex> qguard(queue_mutex_);
    stop_walkers(vid);
    walkers_suspended_ = false;
    txq_map_.clear();
    viommu_.store(false);
    drop_backlogs();                    // Not for the next guest.
    changed();
    return true;
}

void
VhostPort::on_vring_state(int vid, int vring, bool enable)
{
    // Only 'queue_mutex_': this runs with rte_vhost's virtqueue locks held,
    // so nothing here may wait for a PMD thread that could be spinning on
    // one of them (stopping a walker waits for walker bursts only).
    int qid = vring / kVirtioQnum;
    if (qid >= kMaxQueues) {
        return;
    }
    std::lock_guard<std::mutex> qguard(queue_mutex_);
    if (msg_request_.load(std::memory_order_relaxed)
        == IotlbMsg::kRequestIotlbMsg
        && (!enable || vring_on_[vring])) {
        // rte_vhost calls a ring whose addresses an IOTLB invalidation
        // covered "not ready" until it translates them again (at the next
        // burst, or when the front-end's update for them comes): the guest
        // did not disable it, and the datapath must keep using it, or no
        // burst would ever translate it again.  (A ring's first
        // translation, though, may well be what makes it ready.)
        VLOG_DBG("%s: vring %d %s its IOTLB translation", name_.c_str(),
                 vring, enable ? "has" : "lost");
        return;
    }
    vring_on_[vring] = enable;
    if (vid_.load() == vid) {
        if (enable && walkers_suspended_) {
            start_walkers(vid, false);      // Refreshes the memory map too.
        } else if (enable) {
            start_walker(vid, vring);
        } else if (VhostQueue *q = vq_if(vring)) {
            q->stop();
            hand_back(*q, vid);
        }
    }
    if (vring % kVirtioQnum == kVirtioTxq) {
        rxq_enabled_[qid].store(enable);
    } else {
        txq_map_.set_state(qid, enable);
        remap_txqs();
    }
    changed();
    VLOG_INFO("State of queue %d ( %s_qid %d ) of vhost device '%s' "
              "changed to '%s'", vring,
              vring % kVirtioQnum == kVirtioTxq ? "rx" : "tx", qid,
              registered_path_.c_str(), enable ? "enabled" : "disabled");
}

namespace {

// vhost-user requests (lib/vhost/vhost_user.h) that may remap memory,
// move or resize a ring, replace its call eventfd or toggle dirty logging
// while the device runs.
bool
changes_running_rings(uint32_t request)
{
    switch (request) {
    case 2:     // SET_FEATURES (VHOST_F_LOG_ALL)
    case 5:     // SET_MEM_TABLE
    case 6:     // SET_LOG_BASE
    case 8:     // SET_VRING_NUM
    case 9:     // SET_VRING_ADDR
    case 10:    // SET_VRING_BASE
    case 13:    // SET_VRING_CALL
        return true;
    default:
        return false;
    }
}

}  // namespace

void
VhostPort::on_pre_msg(int vid, uint32_t request)
{
    msg_request_.store(request, std::memory_order_relaxed);
    if (vid_.load() != vid || !changes_running_rings(request)) {
        return;
    }
    std::lock_guard<std::mutex> qguard(queue_mutex_);
    stop_walkers(vid);
    walkers_suspended_ = true;
    rings_changing_ = true;
}

void
VhostPort::on_send_rarp(int vid, const std::array<uint8_t, 6> &mac)
{
    if (vid_.load() != vid) {
        return;
    }
    rarp_mac_ = mac;
    rarp_pending_.store(true, std::memory_order_release);
    VLOG_INFO("%s: guest %02x:%02x:%02x:%02x:%02x:%02x migrated here: "
              "announcing it with a RARP", name_.c_str(), mac[0], mac[1],
              mac[2], mac[3], mac[4], mac[5]);
}

void
VhostPort::on_iotlb_invalidation(int vid, bool to_end)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
    if (vid_.load() != vid) {
        return;
    }
    sw_stats_.iotlb_invalidations.fetch_add(1, std::memory_order_relaxed);
    if (to_end) {
        sw_stats_.iotlb_clamped_invalidations.fetch_add(
            1, std::memory_order_relaxed);
        VLOG_DBG_RL(&rl, "%s: IOTLB invalidation up to the end of the IOVA "
                    "space (a guest's global flush, as QEMU sends it) "
                    "clamped so that it applies", name_.c_str());
    }
}

// The RARP rte_vhost_dequeue_burst() would inject for the guest's MAC
// (RFC 903 request, as DPDK's make_rarp_packet()).  Returns 1 if 'pkts[0]'
// holds it.
int
VhostPort::take_rarp(rte_mbuf **pkts)
{
    if (!rarp_pending_.exchange(false, std::memory_order_acquire)) {
        return 0;
    }
    rte_mempool *mp = mp_.load(std::memory_order_relaxed);
    rte_mbuf *m = mp ? rte_pktmbuf_alloc(mp) : nullptr;
    uint8_t *f = m ? reinterpret_cast<uint8_t *>(rte_pktmbuf_append(m, 60))
                   : nullptr;
    if (!f) {
        rte_pktmbuf_free(m);
        return 0;
    }
    const std::array<uint8_t, 6> &mac = rarp_mac_;
    memset(f, 0, 60);
    memset(f, 0xff, 6);                                 // Broadcast.
    memcpy(f + 6, mac.data(), 6);
    const uint8_t head[] = {0x80, 0x35,                 // RARP
                            0x00, 0x01, 0x08, 0x00,     // Ethernet, IPv4
                            6, 4, 0x00, 0x03};          // Reverse request
    memcpy(f + 12, head, sizeof head);
    memcpy(f + 22, mac.data(), 6);                      // Sender MAC.
    memcpy(f + 32, mac.data(), 6);                      // Target MAC.
    pkts[0] = m;
    return 1;
}

void
VhostPort::on_post_msg(int vid, uint32_t request)
{
    // on_pre_msg() stopped every walker: the memory map and the features
    // can be read again and the enabled rings served anew.  (A message
    // that failed gets no post call: the next one, or the next
    // new_device, restarts them.)
    std::lock_guard<std::mutex> qguard(queue_mutex_);
    rings_changing_ = false;
    if (vid_.load() == vid
        && (walkers_suspended_ || changes_running_rings(request))) {
        start_walkers(vid, false);
    }
}

bool
VhostPort::with_stable_rings(const std::function<void(int vid)> &fn)
{
    std::lock_guard<std::mutex> qguard(queue_mutex_);
    int vid = vid_.load();
    if (vid < 0 || rings_changing_) {
        return false;
    }
    fn(vid);
    return true;
}

// ---------------------------------------------------------------------------
// Ring walker control ('queue_mutex_' held).

VhostQueue &
VhostPort::vq(int vring)
{
    VhostQueue *q = vqs_[vring].load(std::memory_order_relaxed);
    if (!q) {
        vq_store_.push_back(std::make_unique<VhostQueue>(vring));
        q = vq_store_.back().get();
        vqs_[vring].store(q, std::memory_order_release);
    }
    return *q;
}

void
VhostPort::start_walkers(int vid, bool new_device)
{
    if (vdpa_attached()) {
        return;                         // The vDPA device serves the rings.
    }
    // One read of the memory table: rte_vhost's mapping for the walker,
    // the region files for a zero-copy mapping of our own.
    std::vector<MemRegion> regions;
    std::vector<RegionFile> files;
    rte_vhost_memory *mem = nullptr;
    if (!rte_vhost_get_mem_table(vid, &mem)) {
        for (uint32_t i = 0; i < mem->nregions; i++) {
            const rte_vhost_mem_region &r = mem->regions[i];
            regions.push_back({r.guest_phys_addr, r.size, r.host_user_addr});
            files.push_back({r.guest_phys_addr, r.size, r.fd, r.mmap_size,
                             r.host_user_addr
                             - uint64_t(uintptr_t(r.mmap_addr))});
        }
        free(mem);
    }
    mem_ = GuestMemory(std::move(regions));
    if (rte_vhost_get_negotiated_features(vid, &features_)) {
        features_ = 0;
    }
    bool csum = registered_offloads_.csum;
    rx_offload_.store(csum && virtio::has_feature(features_,
                                                  virtio::kNetFCsum));
    tx_data_valid_.store(csum && virtio::has_feature(features_,
                                                     virtio::kNetFGuestCsum));
    viommu_.store(virtio::has_feature(features_, virtio::kFAccessPlatform));
    setup_zero_copy(files);
    int n = std::min<int>(rte_vhost_get_vring_num(vid), kMaxVrings);
    for (int v = 0; v < n; v++) {
        VhostQueue *q = vq_if(v);
        if (new_device && q) {
            q->stats().reset();
            q->ring().reset_counters();
        }
        if (vring_on_[v]) {
            start_walker(vid, v);
        }
    }
    walkers_suspended_ = false;
}

namespace {

uint64_t
virt2iova(const void *va)
{
    return rte_mem_virt2iova(va);
}

}  // namespace

// Decides whether this device's guest TX queues lend frames, and maps the
// guest memory 'files' for them ('queue_mutex_' held, walkers stopped).
void
VhostPort::setup_zero_copy(const std::vector<RegionFile> &files)
{
    zc_ = ZcSettings();
    const VhostPortConfig &cfg = walker_config_;
    const char *why = nullptr;
    if (!cfg.dq_zero_copy) {
        why = "disabled";
    } else if (cfg.ring_walker == VhostPortConfig::RingWalker::kNever) {
        why = "ring-walker=never";
    } else if (virtio::has_feature(features_, virtio::kFAccessPlatform)) {
        why = "viommu";
    } else if (virtio::has_feature(features_, virtio::kFRingPacked)) {
        why = "packed ring";
    } else if (virtio::has_feature(features_, virtio::kFInOrder)) {
        why = "in-order negotiated; active at the next guest connection";
    } else if (registered_flags_.load() & RTE_VHOST_USER_POSTCOPY_SUPPORT) {
        // Our own mapping would not see userfaultfd's pages arrive.
        why = "postcopy";
    }
    if (why) {
        zc_status_ = std::string("inactive (") + why + ")";
        return;
    }

    std::string error = files.empty() ? "no memory table" : "";
    std::shared_ptr<GuestMapping> mapping;
    if (!files.empty()) {
        mapping = GuestMapping::create(
            files, rte_eal_iova_mode() == RTE_IOVA_PA ? virt2iova : nullptr,
            error);
    }
    if (!mapping) {
        VLOG_WARN("%s: dq-zero-copy inactive: cannot map guest memory (%s)",
                  name_.c_str(), error.c_str());
        zc_status_ = "inactive (" + error + ")";
        return;
    }
    zc_.mapping = mapping;
    zc_.min_len = cfg.zc_threshold;
    zc_.max_hold = rte_get_tsc_hz() / 1000;         // 1 ms.
    zc_status_ = "active";
}

void
VhostPort::start_walker(int vid, int vring)
{
    // auto: the walker serves every queue; attach() says when it cannot.
    if (walker_config_.ring_walker == VhostPortConfig::RingWalker::kNever) {
        return;
    }
    VhostQueue &q = vq(vring);
    if (q.walker()) {
        return;
    }
    bool lend = zc_.mapping && vring % kVirtioQnum == kVirtioTxq;
    // With our own mapping, every buffer the walker reads is in it.
    const GuestMemory *mem = zc_.mapping ? &zc_.mapping->memory() : &mem_;
    // A guest that negotiated TSO sends frames larger than an mbuf.  (Set
    // before attach(): the datapath may take the ring over right after.)
    bool tso = registered_offloads_.tso
               && (virtio::has_feature(features_, virtio::kNetFHostTso4)
                   || virtio::has_feature(features_, virtio::kNetFHostTso6));
    q.ring().set_large_frame_sink(tso && vring % kVirtioQnum == kVirtioTxq
                                  ? &chain_sink_ : nullptr);
    WalkerOff off = q.attach(vid, mem, features_, lend ? &zc_ : nullptr);
    if (off != WalkerOff::kNone) {
        VLOG_INFO("%s: vring %d served by rte_vhost (%s)", name_.c_str(),
                  vring, walker_off_reason(off));
    } else {
        VLOG_DBG("%s: vring %d served by the ring walker%s", name_.c_str(),
                 vring, lend ? ", zero-copy" : "");
    }
}

// Stops every walker of the device and gives rte_vhost our indices.
void
VhostPort::stop_walkers(int vid)
{
    for (int i = 0; i < kMaxVrings; i++) {
        if (VhostQueue *q = vq_if(i)) {
            q->stop();
            hand_back(*q, vid);
        }
    }
}

// Gives rte_vhost a stopped queue's indices; says so if the used index in
// the guest's ring is not ours (rte_vhost would resynchronise both).
void
VhostPort::hand_back(VhostQueue &q, int vid)
{
    int ring_used = q.hand_back(vid);
    if (OVS_UNLIKELY(ring_used >= 0)) {
        VLOG_WARN("%s: vring %d handed back with used index %u, the ring "
                  "has %d", name_.c_str(), q.vring(), q.ring().last_used(),
                  ring_used);
    }
}

void
VhostPort::on_destroy_connection(int vid)
{
    std::lock_guard<std::mutex> guard(mutex_);
    if (vid_.load() >= 0) {
        VLOG_ERR("Connection on socket '%s' destroyed while vhost device "
                 "still attached.", registered_path_.c_str());
    }
    if (requested_n_rxq_ != 1 || requested_n_txq_ != 1) {
        requested_n_rxq_ = 1;
        requested_n_txq_ = 1;
        request_reconfigure();
    }
    (void) vid;
}

// ---------------------------------------------------------------------------
// Datapath.

int
VhostPort::rx(int rxq, rte_mbuf **pkts, int *qfill)
{
    int vid = vid_.load(std::memory_order_relaxed);
    if (OVS_UNLIKELY(vid < 0 || !ready_.load(std::memory_order_relaxed)
                     || !admin_up_.load(std::memory_order_relaxed)
                     || registered_vdpa_.load(std::memory_order_relaxed))) {
        return 0;
    }
    if (OVS_UNLIKELY(viommu_.load(std::memory_order_relaxed))) {
        tend_iotlb_rx(vid, rxq);        // Guest RX waits for no new packet.
    }
    int vring = rxq * kVirtioQnum + kVirtioTxq;
    VhostQueue *q = vq_if(vring);
    VhostQueue::Owner owner = q ? q->enter() : VhostQueue::kRteVhost;
    if (OVS_LIKELY(owner == VhostQueue::kWalker)) {
        if (OVS_UNLIKELY(rarp_pending_.load(std::memory_order_relaxed))
            && !rxq && take_rarp(pkts)) {
            q->leave();
            return 1;                   // The ring's packets: next poll.
        }
        int n = rx_walker(*q, pkts, qfill);
        q->leave();
        return n;
    } else if (OVS_UNLIKELY(owner == VhostQueue::kNobody)) {
        return 0;                       // Changing hands: next poll.
    }
    int n = rte_vhost_dequeue_burst(vid, vring,
                                    mp_.load(std::memory_order_relaxed),
                                    pkts, kMaxBurst);
    if (qfill) {
        *qfill = n == kMaxBurst
                 ? rte_vhost_rx_queue_count(vid, vring) & UINT16_MAX : 0;
    }
    return n;
}

// rte_pktmbuf_reset() less what an mbuf fresh from its pool already is:
// refcnt 1, one segment, no next (rte_mbuf_raw_free()'s contract, which
// every free path of DPDK keeps), in the first cache line only.
// tx_offload (second line) is left as it was: nothing reads it without an
// offload flag in ol_flags, and apply_guest_tx_offload() writes all of it
// when it sets one.  pkt_len and data_len: the caller's.
static inline void
init_rx_mbuf(rte_mbuf *m)
{
    m->data_off = RTE_PKTMBUF_HEADROOM;
    m->ol_flags = 0;
    m->packet_type = 0;
    m->vlan_tci = 0;
    m->vlan_tci_outer = 0;
    m->port = RTE_MBUF_PORT_INVALID;
}

int
VhostPort::rx_walker(VhostQueue &q, rte_mbuf **pkts, int *qfill)
{
    SplitQueue &ring = q.ring();
    uint16_t avail = ring.avail_count();
    if (!avail) {
        // Lent frames that came back must reach the guest even when it has
        // nothing new to send: it may be waiting for exactly those.
        ZcArena *arena = q.arena();
        if (arena && arena->table().in_flight()) {
            ring.reap_zero_copy(false);
            q.set_zc_in_flight(arena->table().in_flight());
        }
        if (qfill) {
            *qfill = 0;
        }
        return 0;
    }
    uint16_t n = std::min<uint16_t>(avail, kMaxBurst);
    rte_mempool *mp = mp_.load(std::memory_order_relaxed);
    if (OVS_UNLIKELY(!mp || rte_mempool_get_bulk(
                                 mp, reinterpret_cast<void **>(pkts), n))) {
        return 0;
    }
    RxBuf bufs[kMaxBurst];
    for (uint16_t i = 0; i < n; i++) {
        rte_mbuf *m = pkts[i];
        init_rx_mbuf(m);
        bufs[i].data = rte_pktmbuf_mtod(m, uint8_t *);
        bufs[i].room = m->buf_len - RTE_PKTMBUF_HEADROOM;
        bufs[i].owner = m;
    }
    // Copied frames have zc_slot -1; lent ones only come with an arena.
    ZcArena *arena = q.arena();
    uint16_t got = ring.dequeue_counted(bufs, n, SplitQueue::kReadClock);
    if (OVS_UNLIKELY(got < n)) {
        rte_pktmbuf_free_bulk(pkts + got, n - got);
    }
    bool offload = rx_offload_.load(std::memory_order_relaxed);
    uint16_t kept = 0;
    QueueStats::Batch stats;
    for (uint16_t i = 0; i < got; i++) {
        rte_mbuf *m = pkts[i];
        const RxBuf &b = bufs[i];
        if (b.zc_slot >= 0) {
            arena->attach(m, b);
        } else if (OVS_LIKELY(b.zc_slot != kRxBufChained)) {
            m->data_len = b.len;
            m->pkt_len = b.len;
        }                               // (Chained: the sink set them.)
        if (OVS_UNLIKELY(offload)
            && !apply_guest_tx_offload(m, b.hdr, registered_offloads_,
                                       offload_stats_)) {
            ring.errors().bad_offload.add();
            ring.count_refused();
            rte_pktmbuf_free(m);
            continue;
        }
        stats.account(b.zc_slot >= 0 ? b.zc_data : b.data, b.len);
        pkts[kept++] = m;
    }
    got = kept;
    if (uint32_t refused = ring.take_refused(); OVS_UNLIKELY(refused)) {
        log_refused(q, refused);
    }
    if (arena) {
        q.set_zc_in_flight(arena->table().in_flight());
    }
    stats.flush(q.stats());
    if (qfill) {
        *qfill = avail - n;
    }
    return got;
}

// Sends 'cnt' packets through our ring walker; returns how many went out
// and frees none.  Packets the guest's buffers can never hold count as
// sent-and-dropped (ovs_tx_failure_drops via the caller).
int
VhostPort::tx_walker(VhostQueue &q, rte_mbuf **pkts, int cnt, int *retries)
{
    SplitQueue &ring = q.ring();
    QueueStats::Batch stats;
    TxPkt tp[kMaxBurst];
    bool data_valid = tx_data_valid_.load(std::memory_order_relaxed);
    for (int i = 0; i < cnt; i++) {
        tp[i].data = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
        tp[i].len = pkts[i]->data_len;
        tp[i].hdr_flags = 0;
    }
    if (OVS_UNLIKELY(data_valid)) {
        uint64_t valid = 0;
        for (int i = 0; i < cnt; i++) {
            tp[i].hdr_flags = guest_rx_hdr_flags(pkts[i]);
            valid += tp[i].hdr_flags != 0;
        }
        offload_stats_.rx_csum_valid.fetch_add(valid,
                                               std::memory_order_relaxed);
    }
    int done = 0, sent = 0, max_retries = 0;
    *retries = 0;
    while (done < cnt) {
        uint16_t dropped;
        int k = ring.enqueue(tp + done, cnt - done, &dropped);
        for (int i = done; i < done + k; i++) {
            if (OVS_LIKELY(!tp[i].dropped)) {
                stats.account(tp[i].data, tp[i].len);
            }
        }
        sent += k - dropped;
        done += k;
        if (done == cnt || !k) {
            break;
        }
        if (!*retries) {
            max_retries = tx_retries_max_.load(std::memory_order_relaxed);
        }
        if ((*retries)++ >= max_retries) {
            break;
        }
    }
    *retries = std::min(*retries, max_retries);
    stats.flush(q.stats());
    if (uint32_t refused = ring.take_refused(); OVS_UNLIKELY(refused)) {
        log_refused(q, refused);
    }
    return sent;
}

// A burst refused descriptor chains (or dropped packets that can never
// fit): one rate-limited line with the queue's counts by reason.
void
VhostPort::log_refused(const VhostQueue &q, uint32_t n)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
    int vring = q.vring();
    VLOG_WARN_RL(&rl, "%s: vring %d (guest %s queue %d): %u descriptor "
                 "chain(s) refused or packet(s) dropped; so far: %s",
                 name_.c_str(), vring,
                 vring % kVirtioQnum == kVirtioTxq ? "TX" : "RX",
                 vring / kVirtioQnum, n,
                 q.ring().errors().describe().c_str());
}

int
VhostPort::tx_rte_vhost(int vid, int vring, rte_mbuf **pkts, int cnt,
                        int *retries)
{
    int left = cnt, max_retries = 0;
    rte_mbuf **cur = pkts;
    *retries = 0;
    do {
        int sent = rte_vhost_enqueue_burst(vid, vring, cur, left);
        if (!sent) {
            break;
        }
        left -= sent;
        cur += sent;
        if (left && !*retries) {
            max_retries = tx_retries_max_.load(std::memory_order_relaxed);
        }
    } while (left && (*retries)++ < max_retries);
    *retries = std::min(*retries, max_retries);
    return cnt - left;
}

// The queue's backlog, created on first use (TX lock held).
TxBacklog *
VhostPort::backlog(int qid)
{
    TxBacklog *b = backlogs_[qid].load(std::memory_order_relaxed);
    if (OVS_UNLIKELY(!b)) {
        b = new (std::nothrow) TxBacklog;
        backlogs_[qid].store(b, std::memory_order_relaxed);
    }
    return b;
}

// Offers the backlog to rte_vhost, drops it if it made no progress for
// kBacklogTimeoutMs (the guest stopped taking packets, or QEMU never
// answers).  True if it is empty now (TX lock held).
bool
VhostPort::flush_backlog(TxBacklog &b, int vid, int vring)
{
    if (OVS_LIKELY(b.empty())) {
        return true;
    }
    uint64_t now = rte_get_tsc_cycles();
    b.flush([&](rte_mbuf **p, int n) {
        int k = rte_vhost_enqueue_burst(vid, vring, p, n);
        rte_pktmbuf_free_bulk(p, k);
        return k;
    }, now);
    if (OVS_UNLIKELY(b.expired(now, rte_get_tsc_hz() / 1000
                                    * kBacklogTimeoutMs))) {
        int n = b.clear(free_bulk);
        sw_stats_.tx_iotlb_deferred_drops.fetch_add(n,
                                                    std::memory_order_relaxed);
        sw_stats_.tx_failure_drops.fetch_add(n, std::memory_order_relaxed);
        sw_stats_.tx_dropped.fetch_add(n, std::memory_order_relaxed);
    }
    return b.empty();
}

// vIOMMU, from the poll of guest TX queue 'qid', for its guest RX partner:
// the backlog gets its chance even when no new packet is sent there, and
// else an empty burst makes rte_vhost translate the ring's addresses again
// if an invalidation took them (it asks the front-end and the answer
// translates them): the next packet finds the ring ready, and the ring's
// counters can be read (rte_vhost refuses while it is untranslated).
void
VhostPort::tend_iotlb_rx(int vid, int qid)
{
    int vring = qid * kVirtioQnum + kVirtioRxq;
    SpinLock &lock = txq_locks_[qid];
    lock.lock();
    VhostQueue *q = vq_if(vring);
    VhostQueue::Owner owner = q ? q->enter() : VhostQueue::kRteVhost;
    if (owner == VhostQueue::kRteVhost) {
        TxBacklog *b = backlogs_[qid].load(std::memory_order_relaxed);
        if (!b || b->empty()) {
            rte_vhost_enqueue_burst(vid, vring, nullptr, 0);
        } else {
            flush_backlog(*b, vid, vring);
        }
    } else if (owner == VhostQueue::kWalker) {
        q->leave();
    }
    lock.unlock();
}

// Frees every held packet (no guest to take them any more).
void
VhostPort::drop_backlogs()
{
    for (int i = 0; i < kMaxQueues; i++) {
        TxBacklog *b = backlogs_[i].load();
        if (b) {
            txq_locks_[i].lock();
            int n = b->clear(free_bulk);
            txq_locks_[i].unlock();
            sw_stats_.tx_iotlb_deferred_drops.fetch_add(n);
            sw_stats_.tx_dropped.fetch_add(n);
        }
    }
}

void
VhostPort::tx(int txq, rte_mbuf **pkts, int n, bool concurrent OVS_UNUSED)
{
    int vid = vid_.load(std::memory_order_relaxed);
    int n_txq = this->n_txq();
    int qid = n_txq ? txq_map_.lookup(txq % n_txq) : -1;

    if (OVS_UNLIKELY(vid < 0 || qid < 0
                     || !ready_.load(std::memory_order_relaxed)
                     || !admin_up_.load(std::memory_order_relaxed)
                     || registered_vdpa_.load(std::memory_order_relaxed))) {
        sw_stats_.tx_dropped.fetch_add(n, std::memory_order_relaxed);
        rte_pktmbuf_free_bulk(pkts, n);
        return;
    }

    // Drop what exceeds the MTU; OVS's packets are single-segment, make
    // sure of it for the ring walker.
    uint32_t max_len = MbufSizing::frame_len(mtu_);
    int cnt = 0, mtu_drops = 0, other_drops = 0;
    for (int i = 0; i < n; i++) {
        rte_mbuf *m = pkts[i];
        if (OVS_UNLIKELY(m->pkt_len > max_len)) {
            rte_pktmbuf_free(m);
            mtu_drops++;
        } else if (OVS_UNLIKELY(m->nb_segs != 1)
                   && rte_pktmbuf_linearize(m)) {
            rte_pktmbuf_free(m);
            other_drops++;
        } else {
            pkts[cnt++] = m;
        }
    }

    // Several OVS queues may map onto one guest queue: lock it.
    SpinLock &lock = txq_locks_[qid];
    if (OVS_UNLIKELY(lock.lock())) {
        accel_coverage_add(ACCEL_COV_TX_CONTENTION, 1);
    }
    int vring = qid * kVirtioQnum + kVirtioRxq;
    VhostQueue *q = vq_if(vring);
    int retries = 0, sent = 0, deferred = 0;
    VhostQueue::Owner owner = q ? q->enter() : VhostQueue::kRteVhost;
    if (OVS_LIKELY(owner == VhostQueue::kWalker)) {
        sent = tx_walker(*q, pkts, cnt, &retries);
        q->leave();
    } else if (owner == VhostQueue::kRteVhost) {
        TxBacklog *b = OVS_UNLIKELY(viommu_.load(std::memory_order_relaxed))
                       ? backlog(qid) : nullptr;
        // Behind older packets still waiting for their IOTLB entries.
        if (!b || flush_backlog(*b, vid, vring)) {
            sent = tx_rte_vhost(vid, vring, pkts, cnt, &retries);
        }
        if (b && sent < cnt) {
            deferred = b->push(pkts + sent, cnt - sent, rte_get_tsc_cycles());
        }
    }                                   // kNobody: changing hands, dropped.
    lock.unlock();

    if (OVS_LIKELY(!deferred)) {
        rte_pktmbuf_free_bulk(pkts, cnt);
    } else {                            // The backlog's now.
        rte_pktmbuf_free_bulk(pkts, sent);
        rte_pktmbuf_free_bulk(pkts + sent + deferred, cnt - sent - deferred);
        sw_stats_.tx_iotlb_deferred.fetch_add(deferred,
                                              std::memory_order_relaxed);
    }

    int left = cnt - sent - deferred + other_drops;
    if (OVS_UNLIKELY(left || retries || mtu_drops)) {
        if (retries) {
            accel_coverage_add(ACCEL_COV_TX_RETRY, retries);
        }
        sw_stats_.tx_retries.fetch_add(retries, std::memory_order_relaxed);
        sw_stats_.tx_failure_drops.fetch_add(left, std::memory_order_relaxed);
        sw_stats_.tx_mtu_exceeded_drops.fetch_add(mtu_drops,
                                                  std::memory_order_relaxed);
        sw_stats_.tx_dropped.fetch_add(left + mtu_drops,
                                       std::memory_order_relaxed);
    }
}

}  // namespace accel
