#include "ovs/ovs-cxx.h"

#include "vhost/vhost-port.h"

#include <cerrno>
#include <cinttypes>
#include <climits>
#include <algorithm>
#include <array>
#include <cstring>

#include <rte_mbuf.h>
#include <rte_vhost.h>

#include "vhost/vhost-registry.h"

VLOG_DEFINE_THIS_MODULE(vhost_accel_port);


namespace accel {

namespace {

constexpr int kVirtioRxq = 0;   // Guest RX = our TX (even vrings).
constexpr int kVirtioTxq = 1;   // Guest TX = our RX (odd vrings).
constexpr int kVirtioQnum = 2;
constexpr int kMaxBurst = 32;   // NETDEV_MAX_BURST.
constexpr uint64_t kVirtioNetFCsum = 1ULL << 0;

const char *const kKnownIgnoredOptions[] = {
    // Accepted by other DPDK classes, ignored by vhost-user client ports
    // (the guest decides the number of queues), as upstream does.
    "n_rxq", "n_txq", "n_rxq_desc", "n_txq_desc", "dpdk-devargs",
};

}  // namespace

// ---------------------------------------------------------------------------
// Configuration.

std::optional<VhostPortConfig>
VhostPortConfig::parse(const OptionMap &opts, std::string &error)
{
    VhostPortConfig cfg;

    auto path = parse_path_option(opts, "vhost-server-path");
    auto retries = parse_int_option(opts, "tx-retries-max", kTxRetriesMin,
                                    kTxRetriesMax, kTxRetriesDefault);
    for (const std::string *e : {&path.error, &retries.error}) {
        if (!e->empty()) {
            error = *e;
            return std::nullopt;
        }
    }
    cfg.server_path = path.value;
    cfg.tx_retries_max = *retries.value;
    return cfg;
}

void
VhostSwStats::clear()
{
    for (auto *c : {&rx_dropped, &tx_dropped, &tx_retries, &tx_failure_drops,
                    &tx_mtu_exceeded_drops}) {
        c->store(0, std::memory_order_relaxed);
    }
}

// ---------------------------------------------------------------------------
// Life cycle.

VhostPort::VhostPort(netdev *netdev, int numa)
    : netdev_(netdev), name_(accel_netdev_name(netdev)),
      socket_id_(numa < 0 ? 0 : numa), requested_socket_id_(socket_id_),
      rxq_enabled_(new std::atomic<bool>[kMaxQueues]),
      txqs_(new TxQueue[kMaxQueues])
{
    for (int i = 0; i < kMaxQueues; i++) {
        rxq_enabled_[i].store(false, std::memory_order_relaxed);
    }
}

VhostPort::~VhostPort()
{
    unregister_socket();
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
    int err = rte_vhost_driver_register(path.c_str(), flags);
    if (err) {
        VLOG_ERR("vhost-user device setup failure for device %s",
                 path.c_str());
        registry.remove(path, this);
        return EINVAL;
    }
    registered_path_ = path;
    if (rte_vhost_driver_callback_register(path.c_str(),
                                           &VhostRegistry::device_ops())
        || rte_vhost_driver_disable_features(path.c_str(), kVirtioNetFCsum)
        || rte_vhost_driver_start(path.c_str())) {
        VLOG_ERR("%s: failed to start vhost-user client socket '%s'",
                 name_.c_str(), path.c_str());
        unregister_socket();
        return EINVAL;
    }
    VLOG_INFO("vHost User device '%s' created in 'client' mode, using "
              "client socket '%s'", name_.c_str(), path.c_str());
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
}

uint64_t
VhostPort::vhost_flags() const
{
    const VhostGlobalConfig &global = VhostRegistry::instance().global();
    uint64_t flags = RTE_VHOST_USER_CLIENT | RTE_VHOST_USER_NET_STATS_ENABLE
                     | RTE_VHOST_USER_LINEARBUF_SUPPORT;
    if (global.iommu_support) {
        flags |= RTE_VHOST_USER_IOMMU_SUPPORT;
    }
    if (global.postcopy_support) {
        flags |= RTE_VHOST_USER_POSTCOPY_SUPPORT;
    }
    return flags;
}

// ---------------------------------------------------------------------------
// Control path.

int
VhostPort::set_config(const OptionMap &opts, std::string &error)
{
    std::optional<VhostPortConfig> cfg = VhostPortConfig::parse(opts, error);

    for (const auto &kv : opts) {
        static const char *const known[] = {"vhost-server-path",
                                            "tx-retries-max"};
        bool ok = false;
        for (const char *k : known) {
            ok |= kv.first == k;
        }
        for (const char *k : kKnownIgnoredOptions) {
            ok |= kv.first == k;
        }
        if (!ok) {
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

    if (cfg->server_path != config_.server_path) {
        request_reconfigure();
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
    // registered.
    if (path != registered_path_) {
        if (!registered_path_.empty()) {
            VLOG_INFO("%s: vhost-server-path changed from '%s' to '%s'",
                      name_.c_str(), registered_path_.c_str(), path.c_str());
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
    return configure_device();
}

int
VhostPort::configure_device()
{
    n_rxq_ = requested_n_rxq_;
    n_txq_.store(requested_n_txq_);
    mtu_ = requested_mtu_;
    socket_id_ = requested_socket_id_;

    // Keep RX queue 0 enabled for guests that never report vring states.
    rxq_enabled_[0].store(true);
    {
        std::lock_guard<std::mutex> qguard(queue_mutex_);
        txq_map_.default_queue0();
        remap_txqs();
    }
    sw_stats_.clear();

    if (vid_.load() >= 0) {
        if (!mempool_ || mempool_->socket() != socket_id_
            || mempool_->data_room() != MbufSizing::data_room(mtu_)) {
            MempoolRef mp = MempoolRegistry::instance().get(
                socket_id_, mtu_, std::max(n_rxq_, n_txq()), name_);
            if (!mp) {
                return ENOMEM;
            }
            mempool_ = mp;
            mp_.store(mp->get());
            changed();
        }
        if (!ready_.exchange(true)) {
            changed();
        }
    }
    return 0;
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
    if (!config_error_.empty()) {
        cb(aux, "config_error", config_error_.c_str());
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
}

// ---------------------------------------------------------------------------
// Statistics.

namespace {

// Per-virtqueue counters of rte_vhost (NET_STATS_ENABLE), summed over the
// queues of one direction.
class VringStats {
public:
    // Reads vrings 'first', 'first'+2, ... for 'n' queues of 'vid'.
    bool read(int vid, int first, int n)
    {
        int count = rte_vhost_vring_stats_get_names(vid, first, nullptr, 0);
        if (count <= 0) {
            return false;
        }
        names_.resize(count);
        values_.resize(count);
        if (rte_vhost_vring_stats_get_names(vid, first, names_.data(), count)
            != count) {
            return false;
        }
        sums_.assign(count, 0);
        for (int q = 0; q < n; q++) {
            if (rte_vhost_vring_stats_get(vid, first + q * kVirtioQnum,
                                          values_.data(), count) != count) {
                return false;
            }
            for (int i = 0; i < count; i++) {
                sums_[i] += values_[i].value;
            }
        }
        return true;
    }

    // Sum of the counter whose name ends in 'suffix'.
    uint64_t get(const char *suffix) const
    {
        size_t len = strlen(suffix);
        for (size_t i = 0; i < names_.size(); i++) {
            size_t nlen = strlen(names_[i].name);
            if (nlen >= len && !strcmp(names_[i].name + nlen - len, suffix)) {
                return sums_[i];
            }
        }
        return 0;
    }

    // rte_vhost's size bins into OVS's netdev_stats buckets (undersize
    // packets count as 1_to_64, like upstream).
    void size_buckets(const std::array<uint64_t *, 7> &out) const
    {
        static const char *const bins[] = {
            "size_64_packets", "size_65_127_packets", "size_128_255_packets",
            "size_256_511_packets", "size_512_1023_packets",
            "size_1024_1518_packets", "size_1519_max_packets"};
        for (size_t i = 0; i < out.size(); i++) {
            *out[i] = get(bins[i]);
        }
        *out[0] += get("undersize_packets");
    }

private:
    std::vector<rte_vhost_stat_name> names_;
    std::vector<rte_vhost_stat> values_;
    std::vector<uint64_t> sums_;
};

}  // namespace

int
VhostPort::get_stats(accel_port_stats &s)
{
    std::lock_guard<std::mutex> guard(mutex_);
    int vid = vid_.load();
    if (vid < 0 || !ready_.load()) {
        return EPROTO;
    }

    VringStats rx, tx;
    if (!rx.read(vid, kVirtioTxq, n_rxq_) || !tx.read(vid, kVirtioRxq,
                                                      n_txq())) {
        return EPROTO;
    }
    memset(&s, 0xff, sizeof s);
    s.rx_packets = rx.get("good_packets");
    s.rx_bytes = rx.get("good_bytes");
    s.rx_broadcast_packets = rx.get("broadcast_packets");
    s.multicast = rx.get("multicast_packets");
    rx.size_buckets({&s.rx_1_to_64_packets, &s.rx_65_to_127_packets,
                     &s.rx_128_to_255_packets, &s.rx_256_to_511_packets,
                     &s.rx_512_to_1023_packets, &s.rx_1024_to_1522_packets,
                     &s.rx_1523_to_max_packets});

    s.tx_packets = tx.get("good_packets");
    s.tx_bytes = tx.get("good_bytes");
    s.tx_broadcast_packets = tx.get("broadcast_packets");
    s.tx_multicast_packets = tx.get("multicast_packets");
    tx.size_buckets({&s.tx_1_to_64_packets, &s.tx_65_to_127_packets,
                     &s.tx_128_to_255_packets, &s.tx_256_to_511_packets,
                     &s.tx_512_to_1023_packets, &s.tx_1024_to_1522_packets,
                     &s.tx_1523_to_max_packets});

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

    std::lock_guard<std::mutex> guard(mutex_);
    int vid = vid_.load();
    if (vid < 0 || !ready_.load()) {
        return;
    }
    // Per-virtqueue counters under rte_vhost's names ("rx_q0_good_packets").
    for (int dir = 0; dir < 2; dir++) {
        int n = dir ? n_txq() : n_rxq_;
        int first = dir ? kVirtioRxq : kVirtioTxq;
        for (int q = 0; q < n; q++) {
            int vring = first + q * kVirtioQnum;
            int count = rte_vhost_vring_stats_get_names(vid, vring, nullptr,
                                                        0);
            if (count <= 0) {
                return;
            }
            std::vector<rte_vhost_stat_name> names(count);
            std::vector<rte_vhost_stat> values(count);
            if (rte_vhost_vring_stats_get_names(vid, vring, names.data(),
                                                count) != count
                || rte_vhost_vring_stats_get(vid, vring, values.data(), count)
                   != count) {
                return;
            }
            for (int i = 0; i < count; i++) {
                cb(aux, names[i].name, values[i].value);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// rte_vhost events.

int
VhostPort::on_new_device(int vid)
{
    std::lock_guard<std::mutex> guard(mutex_);
    int qp_num = rte_vhost_get_vring_num(vid) / kVirtioQnum;
    int node = rte_vhost_get_numa_node(vid);
    if (node < 0) {
        node = socket_id_;
    }

    if (requested_n_txq_ < qp_num || requested_n_rxq_ < qp_num
        || requested_socket_id_ != node || !mempool_) {
        requested_socket_id_ = node;
        requested_n_rxq_ = qp_num;
        requested_n_txq_ = qp_num;
        request_reconfigure();
    } else {
        ready_.store(true);
    }
    vid_.store(vid);

    // The PMD threads poll: no guest notifications.
    for (int i = 0; i < qp_num * kVirtioQnum; i++) {
        rte_vhost_enable_guest_notification(vid, i, 0);
    }
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
    for (int i = 0; i < n_rxq_; i++) {
        rxq_enabled_[i].store(false);
    }
    std::lock_guard<std::mutex> qguard(queue_mutex_);
    txq_map_.clear();
    changed();
    return true;
}

void
VhostPort::on_vring_state(int vring, bool enable)
{
    // Only 'queue_mutex_': this runs with rte_vhost's virtqueue locks held.
    int qid = vring / kVirtioQnum;
    if (qid >= kMaxQueues) {
        return;
    }
    std::lock_guard<std::mutex> qguard(queue_mutex_);
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
                     || !admin_up_.load(std::memory_order_relaxed))) {
        return 0;
    }
    int vring = rxq * kVirtioQnum + kVirtioTxq;
    int n = rte_vhost_dequeue_burst(vid, vring,
                                    mp_.load(std::memory_order_relaxed),
                                    pkts, kMaxBurst);
    if (qfill) {
        *qfill = n == kMaxBurst
                 ? rte_vhost_rx_queue_count(vid, vring) & UINT16_MAX : 0;
    }
    return n;
}

void
VhostPort::tx(int txq, rte_mbuf **pkts, int n, bool concurrent OVS_UNUSED)
{
    int vid = vid_.load(std::memory_order_relaxed);
    int n_txq = this->n_txq();
    int qid = n_txq ? txq_map_.lookup(txq % n_txq) : -1;

    if (OVS_UNLIKELY(vid < 0 || qid < 0
                     || !ready_.load(std::memory_order_relaxed)
                     || !admin_up_.load(std::memory_order_relaxed))) {
        sw_stats_.tx_dropped.fetch_add(n, std::memory_order_relaxed);
        rte_pktmbuf_free_bulk(pkts, n);
        return;
    }

    // Drop what exceeds the MTU.
    uint32_t max_len = MbufSizing::frame_len(mtu_);
    int cnt = 0, mtu_drops = 0;
    for (int i = 0; i < n; i++) {
        if (OVS_LIKELY(pkts[i]->pkt_len <= max_len)) {
            pkts[cnt++] = pkts[i];
        } else {
            rte_pktmbuf_free(pkts[i]);
            mtu_drops++;
        }
    }

    // Several OVS queues may map onto one guest queue: lock it.
    TxQueue &q = txqs_[qid];
    if (OVS_UNLIKELY(q.lock.test_and_set(std::memory_order_acquire))) {
        accel_coverage_add(ACCEL_COV_TX_CONTENTION, 1);
        while (q.lock.test_and_set(std::memory_order_acquire)) {
            // spin
        }
    }

    int vring = qid * kVirtioQnum + kVirtioRxq;
    int left = cnt, retries = 0, max_retries = 0;
    rte_mbuf **cur = pkts;
    do {
        int sent = rte_vhost_enqueue_burst(vid, vring, cur, left);
        if (!sent) {
            break;
        }
        left -= sent;
        cur += sent;
        if (left && !retries) {
            max_retries = tx_retries_max_.load(std::memory_order_relaxed);
        }
    } while (left && retries++ < max_retries);
    q.lock.clear(std::memory_order_release);

    rte_pktmbuf_free_bulk(pkts, cnt);

    retries = std::min(retries, max_retries);
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
