#include "ovs/ovs-cxx.h"

#include "vdpa/vdpa-port.h"

#include <algorithm>
#include <climits>
#include <cerrno>
#include <cstring>
#include <set>
#include <sstream>
#include <vector>

#include <rte_mbuf.h>
#include <rte_vdpa.h>
#include <rte_vhost.h>

#include "virtq/virtio-ring.h"

#include "vhost/vhost-registry.h"

VLOG_DEFINE_THIS_MODULE(vhost_accel_vdpa);

namespace accel {

namespace {

constexpr int kMaxTxq = 1024;
constexpr int kBurst = 32;

std::mutex ports_mutex;
std::set<VdpaPort *> ports;

}  // namespace

VdpaPort::VdpaPort(netdev *netdev, int numa)
    : netdev_(netdev), name_(accel_netdev_name(netdev)),
      guest_(netdev, numa, "dpdkvdpa"), tx_locks_(new SpinLock[kMaxTxq])
{
    guest_.set_admin_up(true);
    std::lock_guard<std::mutex> guard(ports_mutex);
    ports.insert(this);
}

VdpaPort::~VdpaPort()
{
    {
        std::lock_guard<std::mutex> guard(ports_mutex);
        ports.erase(this);
    }
    flow_port_id_.store(-1, std::memory_order_release);
    stop_datapath();
}

void
VdpaPort::for_each(const std::function<void(VdpaPort &)> &fn)
{
    std::lock_guard<std::mutex> guard(ports_mutex);
    for (VdpaPort *p : ports) {
        fn(*p);
    }
}

// ---------------------------------------------------------------------------
// Control path.

// The PMD threads stop relaying and polling the representor (they are off
// the port while the main thread is here, see vdpa-port.h).
void
VdpaPort::stop_datapath()
{
    running_.store(false);
    relay_.reset();
}

int
VdpaPort::set_config(const OptionMap &opts, std::string &error)
{
    std::optional<VdpaPortConfig> cfg = VdpaPortConfig::parse(opts, error);
    for (const auto &kv : opts) {
        if (!VdpaPortConfig::is_known(kv.first)) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
            VLOG_WARN_RL(&rl, "%s: unknown option '%s' ignored",
                         name_.c_str(), kv.first.c_str());
        }
    }

    std::lock_guard<std::mutex> guard(mutex_);
    if (cfg) {
        std::string owner = VhostRegistry::instance().owner(cfg->socket_path);
        if (!owner.empty() && owner != name_) {
            error = "vdpa-socket-path: '" + cfg->socket_path
                    + "' is already used by port " + owner;
            cfg.reset();
        }
    }
    if (cfg && open_devices(*cfg, error)) {
        cfg.reset();
    }
    std::string guest_error;
    if (cfg && guest_.set_config(cfg->guest_options(), guest_error)) {
        error = guest_error;
        cfg.reset();
    }
    if (!cfg) {
        VLOG_ERR("%s: %s%s", name_.c_str(), error.c_str(),
                 configured_ ? "; keeping the previous configuration" : "");
        config_error_ = error;
        accel_netdev_changed(netdev_);
        // As dpdkvhostuserclient ports: a running port keeps running, a
        // new one is refused.
        return configured_ ? 0 : EINVAL;
    }
    if (!config_error_.empty()) {
        config_error_.clear();
        accel_netdev_changed(netdev_);
    }
    if (!configured_ || cfg->max_queues != config_.max_queues
        || cfg->force_sw != config_.force_sw || cfg->n_rxq != config_.n_rxq
        || pending_accel_ || pending_rep_) {
        accel_netdev_request_reconfigure(netdev_);
    }
    config_ = *cfg;
    configured_ = true;
    return 0;
}

// Opens the devices of 'cfg' that differ from those in use (or pending).
int
VdpaPort::open_devices(const VdpaPortConfig &cfg, std::string &error)
{
    auto current = [](const auto &pending, const auto &used) {
        return pending ? pending->devargs()
                       : used ? used->devargs() : std::string();
    };
    std::unique_ptr<Accelerator> accel;
    std::unique_ptr<EthDev> rep;
    std::string err;
    if (cfg.accel_devargs != current(pending_accel_, accel_)) {
        // (A vDPA-only device has no ethdev owner: ports check each other.)
        std::string device = devargs_device(cfg.accel_devargs);
        std::string user;
        for_each([&](VdpaPort &other) {
            if (&other != this && other.accel_device() == device) {
                user = other.name();
            }
        });
        if (!user.empty()) {
            error = "vdpa-accelerator-devargs: '" + cfg.accel_devargs
                    + "' is already in use by ovs-vhost-accel:" + user;
            return EINVAL;
        }
        accel = Accelerator::open(cfg.accel_devargs, owner_tag(), err);
        if (!accel) {
            error = "vdpa-accelerator-devargs: " + err;
            return EINVAL;
        }
    }
    if (cfg.rep_devargs != current(pending_rep_, rep_)) {
        rep = EthDev::open(cfg.rep_devargs, owner_tag(), err);
        if (!rep) {
            error = "dpdk-devargs: " + err;
            return EINVAL;
        }
    }
    if (accel) {
        pending_accel_ = std::move(accel);
    }
    if (rep) {
        pending_rep_ = std::move(rep);
    }
    return 0;
}

std::string
VdpaPort::accel_device() const
{
    const Accelerator *a = pending_accel_ ? pending_accel_.get()
                                          : accel_.get();
    return a ? a->device_name() : std::string();
}

void
VdpaPort::get_config(accel_kv_cb *cb, void *aux)
{
    std::lock_guard<std::mutex> guard(mutex_);
    if (!configured_) {
        return;
    }
    cb(aux, "vdpa-socket-path", config_.socket_path.c_str());
    cb(aux, "vdpa-accelerator-devargs", config_.accel_devargs.c_str());
    cb(aux, "dpdk-devargs", config_.rep_devargs.c_str());
    cb(aux, "vdpa-max-queues", std::to_string(config_.max_queues).c_str());
    cb(aux, "vdpa-sw", config_.force_sw ? "true" : "false");
    cb(aux, "requested_rx_queues", std::to_string(config_.n_rxq).c_str());
    cb(aux, "configured_rx_queues", std::to_string(n_rxq_).c_str());
    cb(aux, "requested_tx_queues", std::to_string(requested_n_txq_).c_str());
    cb(aux, "configured_tx_queues", std::to_string(n_txq_).c_str());
    cb(aux, "mtu", std::to_string(mtu_).c_str());
}

int
VdpaPort::reconfigure()
{
    std::lock_guard<std::mutex> guard(mutex_);
    bool restart = !running_.load();

    // New devices replace the old ones (closed and detached here).
    if (pending_accel_ || pending_rep_) {
        stop_datapath();
        if (pending_accel_) {
            accel_ = std::move(pending_accel_);
            hw_failure_.clear();        // A new device gets its chance.
        }
        if (pending_rep_) {
            flow_port_id_.store(-1, std::memory_order_release);
            rep_ = std::move(pending_rep_);
            flow_port_id_.store(rep_->port_id(), std::memory_order_release);
        }
        restart = true;
    }

    // Hardware mode where a usable vDPA device sits on the VF; else the
    // relay, and status says why.
    std::string reason;
    rte_vdpa_device *hw = accel_ ? choose_mode(reason) : nullptr;
    if (accel_ && (hw != hw_ || reason != mode_reason_)) {
        if (hw) {
            VLOG_INFO("%s: vDPA device %s serves '%s' (hardware mode)",
                      name_.c_str(), accel_->device_name().c_str(),
                      config_.socket_path.c_str());
        } else if (vf()) {
            VLOG_INFO("%s: software relay between '%s' and %s (%s)",
                      name_.c_str(), config_.socket_path.c_str(),
                      accel_->describe().c_str(), reason.c_str());
        } else {
            VLOG_ERR("%s: %s, and '%s' has no ethdev for the software relay:"
                     " the guest is not served", name_.c_str(),
                     reason.c_str(), accel_->devargs().c_str());
        }
        hw_ = hw;
        mode_reason_ = reason;
    }
    // The vDPA device drives the VF: the relay lets go of it before the
    // guest reconnects to the device.
    if (hw_ && relay_) {
        stop_datapath();
        vf()->stop();
    }
    // The relay offers the guest checksum offload (the VF's, or ours in
    // software) and TSO when the VF can segment.
    GuestOffloads offer;
    if (!hw_ && vf()) {
        vf()->set_packet_offloads(true);
        offer.nic_tx_capa = vf()->tx_offloads();
        offer.csum = true;
        offer.tso = (offer.nic_tx_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO)
                    && (offer.nic_tx_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS);
        rte_eth_dev_info info;
        if (!rte_eth_dev_info_get(vf()->port_id(), &info)
            && info.driver_name && !strcmp(info.driver_name, "net_tap")) {
            offer.tso_max_frame = requested_mtu_;
        }
    }
    guest_.set_guest_offloads(offer);
    // (A changed mode or offer registers the socket again: the guest
    // reconnects.)
    guest_.set_vdpa_device(hw_);
    int error = guest_.reconfigure();
    if (error) {
        start_error_ = "vdpa-socket-path: cannot register '"
                       + config_.socket_path + "' (" + std::strerror(error)
                       + ")";
        accel_netdev_changed(netdev_);
    }
    if (!accel_ || !rep_) {
        return 0;
    }

    int n_txq = std::clamp(requested_n_txq_, 1,
                           std::min(kMaxTxq, rep_->max_queue_pairs()));
    int n_rxq = std::min(config_.n_rxq, rep_->max_queue_pairs());
    int vf_queues = vf() ? std::min(config_.max_queues,
                                    vf()->max_queue_pairs()) : 0;
    if (restart || requested_mtu_ != mtu_ || n_rxq != n_rxq_
        || n_txq != wanted_n_txq_ || vf_queues != vf_queues_
        || (hw_ != nullptr) != hw_started_) {
        stop_datapath();
        mtu_ = requested_mtu_;
        n_rxq_ = n_rxq;
        n_txq_ = wanted_n_txq_ = n_txq;
        vf_queues_ = vf_queues;
        start_devices();
    }
    return 0;
}

rte_vdpa_device *
VdpaPort::choose_mode(std::string &reason) const
{
    if (config_.force_sw) {
        reason = "vdpa-sw=true";
        return nullptr;
    }
    if (!hw_failure_.empty()) {
        reason = hw_failure_;
        return nullptr;
    }
    std::string dev_name = accel_->device_name();
    rte_vdpa_device *dev = accel_->vdpa();
    uint64_t features;
    uint32_t queues;
    if (!dev) {
        reason = "no vDPA device on " + dev_name;
    } else if (rte_vdpa_get_features(dev, &features) < 0) {
        reason = "vDPA device " + dev_name + ": cannot read its features";
    } else if (rte_vdpa_get_queue_num(dev, &queues) < 0 || !queues) {
        reason = "vDPA device " + dev_name + ": no queues";
    } else {
        reason.clear();
        return dev;
    }
    return nullptr;
}

void
VdpaPort::start_devices()
{
    std::string err, what;
    MempoolRef mp = MempoolRegistry::instance().get(
        rep_->socket(), mtu_, n_rxq_ + vf_queues_, name_);
    EthDev *vf = this->vf();
    if (vf) {
        vf->stop();
    }
    hw_started_ = hw_ != nullptr;
    if (!mp) {
        err = "no memory for a mempool with MTU " + std::to_string(mtu_);
    } else if (!hw_ && !vf) {
        err = "no vDPA device to serve the guest (" + mode_reason_
              + ") and no ethdev for the software relay";
        what = "vdpa-accelerator-devargs: " + accel_->devargs() + ": ";
    } else if (!hw_ && vf->start(vf_queues_, vf_queues_, mtu_, mp->get(),
                                 err)) {
        what = "vdpa-accelerator-devargs: " + vf->devargs() + ": ";
    } else if (rep_->start(n_rxq_, n_txq_, mtu_, mp->get(), err)) {
        // Some devices (net_tap) want as many TX queues as RX queues:
        // then PMD threads share TX queues (OVS passes concurrent_txq).
        std::string err2;
        if (n_txq_ != n_rxq_
            && !rep_->start(n_rxq_, n_rxq_, mtu_, mp->get(), err2)) {
            VLOG_INFO("%s: representor %s takes %d tx queues (%s)",
                      name_.c_str(), rep_->name().c_str(), n_rxq_,
                      err.c_str());
            n_txq_ = n_rxq_;
            err.clear();
        } else {
            what = "dpdk-devargs: " + rep_->devargs() + ": ";
        }
    }
    if (!err.empty()) {
        start_error_ = what + err;
        VLOG_ERR("%s: %s", name_.c_str(), start_error_.c_str());
        if (vf) {
            vf->stop();
        }
        rep_->stop();
        accel_netdev_changed(netdev_);
        return;
    }
    mempool_ = mp;
    start_error_.clear();
    // In hardware mode the vDPA device drives the VF.
    if (!hw_) {
        relay_ = std::make_unique<SwRelay>(guest_, *vf);
    }
    running_.store(true);
    VLOG_INFO("%s: representor %s with %d rx and %d tx queues, VF %s %s, "
              "MTU %d", name_.c_str(), rep_->describe().c_str(), n_rxq_,
              n_txq_, accel_->describe().c_str(),
              hw_ ? "driven by its vDPA device"
                  : ("with " + std::to_string(vf_queues_)
                     + " queue pairs").c_str(), mtu_);
    accel_netdev_changed(netdev_);
}

void
VdpaPort::get_status(accel_kv_cb *cb, void *aux)
{
    struct Aux {
        accel_kv_cb *cb;
        void *aux;
    } fwd{cb, aux};
    // The guest side's keys (status, socket, features, vrings...), but
    // its "mode" (client) is the socket's, not the port's.
    guest_.get_status(
        [](void *a, const char *key, const char *value) {
            Aux *f = static_cast<Aux *>(a);
            if (strcmp(key, "mode")) {
                f->cb(f->aux, key, value);
            }
        },
        &fwd);

    std::lock_guard<std::mutex> guard(mutex_);
    cb(aux, "vdpa-mode", hw_ ? "hw" : "sw");
    if (!mode_reason_.empty()) {
        cb(aux, "vdpa-mode-reason", mode_reason_.c_str());
    }
    if (hw_) {
        uint32_t queues = 0;
        rte_vdpa_get_queue_num(hw_, &queues);
        cb(aux, "vdpa-device", rte_dev_name(rte_vdpa_get_rte_device(hw_)));
        cb(aux, "vdpa-device-queues", std::to_string(queues).c_str());
        cb(aux, "vdpa-attached", guest_.vdpa_attached() ? "true" : "false");
    }
    cb(aux, "vdpa-socket-path", config_.socket_path.c_str());
    cb(aux, "vdpa-accelerator",
       accel_ ? accel_->describe().c_str() : "none");
    cb(aux, "representor",
       rep_ ? rep_->describe().c_str() : "none");
    if (running_.load()) {
        if (relay_) {
            cb(aux, "vdpa-queues",
               std::to_string(relay_->n_lanes()).c_str());
            cb(aux, "vf-queues", std::to_string(vf_queues_).c_str());
            cb(aux, "vf-link", vf()->link_up() ? "up" : "down");
        }
        cb(aux, "representor-link", rep_->link_up() ? "up" : "down");
    }
    if (!start_error_.empty()) {
        cb(aux, "vdpa-error", start_error_.c_str());
    }
    if (!config_error_.empty()) {
        cb(aux, "config_error", config_error_.c_str());
    }
}

int
VdpaPort::get_stats(accel_port_stats &s)
{
    memset(&s, 0xff, sizeof s);         // UINT64_MAX: not supported.
    rte_eth_stats es{};
    std::lock_guard<std::mutex> guard(mutex_);
    if (!rep_ || !rep_->stats(es)) {
        es = {};
    }
    s.rx_packets = es.ipackets;
    s.rx_bytes = es.ibytes;
    s.rx_dropped = es.imissed;
    s.tx_packets = es.opackets;
    s.tx_bytes = es.obytes;
    s.tx_dropped = es.oerrors + tx_dropped_.load(std::memory_order_relaxed);
    return 0;
}

void
VdpaPort::get_custom_stats(accel_counter_cb *cb, void *aux)
{
    accel_port_stats g;
    if (guest_.get_stats(g)) {
        memset(&g, 0xff, sizeof g);     // UINT64_MAX: none.
    }
    auto value = [](uint64_t v) { return v == UINT64_MAX ? 0 : v; };

    std::lock_guard<std::mutex> guard(mutex_);
    if (hw_) {
        get_hw_stats(cb, aux);
        return;
    }
    SwRelay::Totals t = relay_ ? relay_->totals() : SwRelay::Totals{};
    int lanes = relay_ ? relay_->n_lanes() : 0;

    // What the guest side refused or dropped (hostile or broken rings,
    // frames too large for the port's MTU), in the guest's terms: its TX
    // ring is the port's RX side.
    struct GuestErrors {
        uint64_t tx_invalid = 0, rx_invalid = 0, tx_oversize = 0;
    } ge;
    guest_.get_custom_stats(
        [](void *a, const char *name, uint64_t v) {
            GuestErrors *e = static_cast<GuestErrors *>(a);
            if (!strcmp(name, "ovs_rx_invalid_descs")) {
                e->tx_invalid = v;
            } else if (!strcmp(name, "ovs_tx_invalid_descs")) {
                e->rx_invalid = v;
            } else if (!strcmp(name, "ovs_rx_oversize_drops")) {
                e->tx_oversize = v;
            }
        },
        &ge);

    // The guest's point of view: tx = guest to VF, rx = VF to guest.
    cb(aux, "vdpa_tx_packets", t.tx_packets);
    cb(aux, "vdpa_tx_bytes", t.tx_bytes);
    cb(aux, "vdpa_tx_dropped",
       t.tx_dropped + value(g.rx_dropped) + ge.tx_oversize);
    cb(aux, "vdpa_rx_packets", value(g.tx_packets));
    cb(aux, "vdpa_rx_bytes", value(g.tx_bytes));
    cb(aux, "vdpa_rx_dropped", value(g.tx_dropped));
    for (int i = 0; i < lanes; i++) {
        const SwRelay::LaneStats &l = relay_->lane(i);
        std::string q = "vdpa_q" + std::to_string(i) + "_";
        cb(aux, (q + "tx_packets").c_str(),
           l.tx_packets.load(std::memory_order_relaxed));
        cb(aux, (q + "tx_dropped").c_str(),
           l.tx_dropped.load(std::memory_order_relaxed));
        cb(aux, (q + "rx_packets").c_str(),
           l.rx_packets.load(std::memory_order_relaxed));
    }
    cb(aux, "vdpa_tx_invalid_descs", ge.tx_invalid);
    cb(aux, "vdpa_rx_invalid_descs", ge.rx_invalid);
    cb(aux, "vdpa_tx_oversize_drops", ge.tx_oversize);
    const GuestOffloadStats &o = guest_.offload_stats();
    cb(aux, "vdpa_tx_csum_offload_packets",
       o.tx_csum.load(std::memory_order_relaxed));
    cb(aux, "vdpa_tx_csum_sw_packets",
       o.tx_csum_sw.load(std::memory_order_relaxed));
    cb(aux, "vdpa_tx_tso_packets", o.tx_tso.load(std::memory_order_relaxed));
    cb(aux, "vdpa_rx_csum_valid_packets",
       o.rx_csum_valid.load(std::memory_order_relaxed));
    rte_eth_stats vs{};
    if (vf() && vf()->stats(vs)) {
        cb(aux, "vdpa_vf_rx_missed", vs.imissed);
        cb(aux, "vdpa_vf_rx_errors", vs.ierrors);
        cb(aux, "vdpa_vf_tx_errors", vs.oerrors);
    }
}

void
VdpaPort::run(long long now)
{
    std::lock_guard<std::mutex> guard(mutex_);
    if (!hw_ || !hw_started_ || !hw_failure_.empty() || guest_.vid() < 0) {
        watch_.clear();
        return;
    }
    if (now < watch_at_) {
        return;
    }
    watch_at_ = now + 1000;
    // The guest's TX rings only: a guest RX buffer may wait for traffic
    // from the wire as long as it likes.  Read while rte_vhost cannot
    // unmap them (no ring-changing message, no disconnect).
    int stalled_vring = -1;
    uint16_t waiting = 0;
    guest_.with_stable_rings([&](int vid) {
        int n = std::min<int>(rte_vhost_get_vring_num(vid),
                              2 * VhostPort::kMaxQueues);
        watch_.resize(n / 2);
        for (int q = 0; q < n / 2 && stalled_vring < 0; q++) {
            int vring = 2 * q + 1;
            rte_vhost_vring vr;
            if (rte_vhost_get_vhost_vring(vid, vring, &vr) || !vr.avail
                || !vr.used) {
                continue;
            }
            uint16_t avail = __atomic_load_n(
                &reinterpret_cast<const virtio::Avail *>(vr.avail)->idx,
                __ATOMIC_ACQUIRE);
            uint16_t used = __atomic_load_n(
                &reinterpret_cast<const virtio::Used *>(vr.used)->idx,
                __ATOMIC_ACQUIRE);
            RingWatch &w = watch_[q];
            w.stalled = avail != used && used == w.used ? w.stalled + 1 : 0;
            w.used = used;
            if (w.stalled >= kStallSeconds) {
                stalled_vring = vring;
                waiting = uint16_t(avail - used);
            }
        }
    });
    if (stalled_vring >= 0) {
        hw_failure_ = "vDPA device " + accel_->device_name()
                      + " does not serve the guest (vring "
                      + std::to_string(stalled_vring) + ": "
                      + std::to_string(waiting)
                      + " buffers waiting, none used for "
                      + std::to_string(kStallSeconds) + " s)";
        VLOG_WARN("%s: %s: falling back to the software relay",
                  name_.c_str(), hw_failure_.c_str());
        watch_.clear();
        accel_netdev_request_reconfigure(netdev_);
    }
}

long long
VdpaPort::next_run() const
{
    return hw_ && hw_failure_.empty() && guest_.vid() >= 0
               ? watch_at_ : LLONG_MAX;
}

// The vDPA device's own counters, per virtqueue: vdpa_vringN_NAME.
void
VdpaPort::get_hw_stats(accel_counter_cb *cb, void *aux)
{
    int n = rte_vdpa_get_stats_names(hw_, nullptr, 0);
    uint32_t queues = 0;
    if (n <= 0 || rte_vdpa_get_queue_num(hw_, &queues) < 0) {
        return;
    }
    std::vector<rte_vdpa_stat_name> names(n);
    std::vector<rte_vdpa_stat> values(n);
    if (rte_vdpa_get_stats_names(hw_, names.data(), n) != n) {
        return;
    }
    for (uint32_t q = 0; q < 2 * queues; q++) {
        int got = rte_vdpa_get_stats(hw_, q, values.data(), n);
        for (int i = 0; i < got && i < n; i++) {
            if (values[i].id < (uint64_t) n) {
                std::string key = "vdpa_vring" + std::to_string(q) + "_"
                                  + names[values[i].id].name;
                cb(aux, key.c_str(), values[i].value);
            }
        }
    }
}

void
VdpaPort::set_admin_up(bool up)
{
    admin_up_.store(up);
}

int
VdpaPort::numa() const
{
    return rep_ ? rep_->socket() : guest_.numa();
}

void
VdpaPort::set_tx_multiq(int n)
{
    std::lock_guard<std::mutex> guard(mutex_);
    n = std::clamp(n, 1, kMaxTxq);
    if (n != requested_n_txq_) {
        requested_n_txq_ = n;
        accel_netdev_request_reconfigure(netdev_);
    }
}

int
VdpaPort::set_mtu(int mtu)
{
    if (!MbufSizing::mtu_supported(mtu)) {
        VLOG_WARN("%s: unsupported MTU %d", name_.c_str(), mtu);
        return EINVAL;
    }
    int error = guest_.set_mtu(mtu);
    if (error) {
        return error;
    }
    std::lock_guard<std::mutex> guard(mutex_);
    if (mtu != requested_mtu_) {
        requested_mtu_ = mtu;
        accel_netdev_request_reconfigure(netdev_);
    }
    return 0;
}

rte_mempool *
VdpaPort::mempool() const
{
    return mempool_ ? mempool_->get() : nullptr;
}

void
VdpaPort::count_tx_drops(uint64_t n)
{
    tx_dropped_.fetch_add(n, std::memory_order_relaxed);
}

std::string
VdpaPort::report()
{
    std::ostringstream out;
    std::lock_guard<std::mutex> guard(mutex_);
    out << "port " << name_ << ": dpdkvdpa, mode "
        << (hw_ ? "hw" : "sw") << " ("
        << (hw_ ? "vDPA device " + accel_->device_name()
                : mode_reason_.empty() ? "not configured" : mode_reason_)
        << ")\n"
        << "  vdpa-socket-path: " << config_.socket_path << ", guest "
        << (guest_.carrier() ? "connected" : "disconnected") << "\n"
        << "  accelerator: "
        << (accel_ ? accel_->describe() : std::string("none"))
        << ", representor: "
        << (rep_ ? rep_->describe() : std::string("none")) << "\n";
    if (running_.load() && !relay_) {
        out << "  vDPA device attached: "
            << (guest_.vdpa_attached() ? "yes" : "no") << ", representor rxq "
            << n_rxq_ << " txq " << n_txq_ << ", mtu " << mtu_ << "\n";
    } else if (running_.load()) {
        out << "  relay lanes: " << relay_->n_lanes() << " (VF queue pairs "
            << vf_queues_ << ", guest queue pairs " << guest_.n_rxq()
            << "), VF link " << (vf()->link_up() ? "up" : "down")
            << ", representor rxq " << n_rxq_ << " txq " << n_txq_
            << ", mtu " << mtu_ << "\n";
        SwRelay::Totals t = relay_->totals();
        out << "  relayed: guest to VF " << t.tx_packets << " packets ("
            << t.tx_dropped << " dropped), VF to guest " << t.rx_packets
            << " packets\n";
        // Where the relay's PMD time goes: pmd-stats-show counts its polls
        // as idle.
        out << "  relay busy cycles: " << t.busy_cycles << "\n";
    } else {
        out << "  not running"
            << (start_error_.empty() ? "" : ": " + start_error_) << "\n";
    }
    return out.str();
}

// ---------------------------------------------------------------------------
// Datapath.

int
VdpaPort::rx(int rxq, rte_mbuf **pkts, int *qfill)
{
    if (qfill) {
        *qfill = 0;
    }
    if (OVS_UNLIKELY(!running_.load(std::memory_order_relaxed))) {
        return 0;
    }
    if (SwRelay *relay = relay_.get()) {
        relay->poll(rxq, n_rxq_);
    }
    if (OVS_UNLIKELY(!admin_up_.load(std::memory_order_relaxed))) {
        return 0;
    }
    return rep_->rx(rxq, pkts, kBurst);
}

void
VdpaPort::tx(int txq, rte_mbuf **pkts, int n, bool concurrent)
{
    if (OVS_UNLIKELY(!running_.load(std::memory_order_relaxed)
                     || !admin_up_.load(std::memory_order_relaxed))) {
        tx_dropped_.fetch_add(n, std::memory_order_relaxed);
        rte_pktmbuf_free_bulk(pkts, n);
        return;
    }
    int q = txq % n_txq_;
    SpinLock &lock = tx_locks_[q];
    if (concurrent) {
        lock.lock();
    }
    // As OVS's dpdk ports: retry while the device takes packets.
    int sent = 0;
    while (sent < n) {
        int k = rep_->tx(q, pkts + sent, n - sent);
        if (!k) {
            break;
        }
        sent += k;
    }
    if (concurrent) {
        lock.unlock();
    }
    if (OVS_UNLIKELY(sent < n)) {
        tx_dropped_.fetch_add(n - sent, std::memory_order_relaxed);
        rte_pktmbuf_free_bulk(pkts + sent, n - sent);
    }
}

}  // namespace accel
