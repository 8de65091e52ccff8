#include "ovs/ovs-cxx.h"

#include "common/eth-dev.h"

#include <cerrno>
#include <cstring>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_pci.h>

VLOG_DEFINE_THIS_MODULE(vhost_accel_ethdev);

namespace accel {

namespace {

std::string
strerr(int err)
{
    return std::strerror(err < 0 ? -err : err);
}

// The first ethdev matching 'devargs' (a representor is matched by its
// "representor=" part), or RTE_MAX_ETHPORTS.
uint16_t
find_port(const std::string &devargs)
{
    rte_dev_iterator it;
    uint16_t port_id;

    RTE_ETH_FOREACH_MATCHING_DEV (port_id, devargs.c_str(), &it) {
        rte_eth_iterator_cleanup(&it);
        return port_id;
    }
    // Virtual devices are matched by name ("net_tap0,iface=x").
    if (!rte_eth_dev_get_port_by_name(devargs_device(devargs).c_str(),
                                      &port_id)) {
        return port_id;
    }
    return RTE_MAX_ETHPORTS;
}

// Detaches a device attached by 'devargs' that has no ethdev: a PCI
// address, or else a virtual device.
void
detach_devargs(const std::string &devargs)
{
    std::string name = devargs_device(devargs);
    rte_pci_addr addr;
    const char *bus = rte_pci_addr_parse(name.c_str(), &addr) ? "vdev"
                                                                : "pci";
    rte_eal_hotplug_remove(bus, name.c_str());
}

}  // namespace

std::string
devargs_device(const std::string &devargs)
{
    return devargs.substr(0, devargs.find(','));
}

bool
EthDev::find_or_probe(const std::string &devargs, bool probe,
                      uint16_t &port_id, bool &attached, std::string &error)
{
    port_id = find_port(devargs);
    attached = false;
    if (port_id < RTE_MAX_ETHPORTS || !probe) {
        return true;
    }
    int err = rte_dev_probe(devargs.c_str());
    if (err && err != -EEXIST) {
        // (rte_dev_probe says EFAULT for a name no driver claims.)
        error = "cannot attach '" + devargs + "': "
                + (err == -ENODEV || err == -EFAULT || err == -ENOENT
                       ? "no such device, or no driver for it"
                       : strerr(err));
        return false;
    }
    attached = !err;
    port_id = find_port(devargs);
    return true;
}

void
EthDev::detach(const std::string &devargs)
{
    detach_devargs(devargs);
}

std::unique_ptr<EthDev>
EthDev::open(const std::string &devargs, const std::string &owner,
             std::string &error)
{
    // Devices attached already (at EAL init: PCI devices, "--vdev"s; or
    // the sibling of a representor) are taken as they are, unless another
    // port of the plugin claimed them.  (OVS's 'dpdk' ports claim nothing:
    // their devices cannot be told apart.)
    uint16_t port_id;
    bool attached_here;
    if (!find_or_probe(devargs, true, port_id, attached_here, error)) {
        return nullptr;
    }
    if (port_id >= RTE_MAX_ETHPORTS) {
        error = "'" + devargs + "' has no ethdev";
        if (attached_here) {
            detach_devargs(devargs);
        }
        return nullptr;
    }
    return claim(devargs, port_id, owner, attached_here, error);
}

std::unique_ptr<EthDev>
EthDev::claim(const std::string &devargs, uint16_t port_id,
              const std::string &owner, bool detach, std::string &error)
{
    rte_eth_dev_owner current{};
    if (!rte_eth_dev_owner_get(port_id, &current) && current.id) {
        error = "'" + devargs + "' is already in use by " + current.name;
        return nullptr;
    }

    std::unique_ptr<EthDev> dev(new EthDev(devargs, port_id, detach));
    rte_eth_dev_owner o{};
    if (rte_eth_dev_owner_new(&o.id)) {
        error = "'" + devargs + "': no ethdev owner id";
        return nullptr;
    }
    snprintf(o.name, sizeof o.name, "%s", owner.c_str());
    if (rte_eth_dev_owner_set(port_id, &o)) {
        error = "'" + devargs + "' is already in use";
        return nullptr;
    }
    dev->owner_id_ = o.id;
    VLOG_INFO("%s: attached '%s' as ethdev %u (%s)", owner.c_str(),
              devargs.c_str(), port_id, dev->name().c_str());
    return dev;
}

EthDev::EthDev(const std::string &devargs, uint16_t port_id, bool detach)
    : devargs_(devargs), port_id_(port_id), detach_(detach)
{
}

EthDev::~EthDev()
{
    stop();
    if (owner_id_) {
        rte_eth_dev_owner_unset(port_id_, owner_id_);
    }
    if (!detach_) {
        return;
    }
    rte_eth_dev_info info;
    rte_device *rdev = nullptr;
    if (!rte_eth_dev_info_get(port_id_, &info)) {
        rdev = info.device;
    }
    std::string n = name();
    rte_eth_dev_close(port_id_);
    // Detach the device unless another of its ports is still there.
    uint16_t sibling;
    bool alone = true;
    if (rdev) {
        RTE_ETH_FOREACH_DEV_OF (sibling, rdev) {
            alone = false;
        }
    }
    if (rdev && alone && rte_dev_remove(rdev)) {
        VLOG_ERR("cannot detach '%s'", devargs_.c_str());
    } else {
        VLOG_INFO("detached '%s' (%s)", devargs_.c_str(), n.c_str());
    }
}

std::string
EthDev::name() const
{
    char buf[RTE_ETH_NAME_MAX_LEN];
    if (rte_eth_dev_get_name_by_port(port_id_, buf)) {
        return "?";
    }
    return buf;
}

std::string
EthDev::describe() const
{
    return name() + " (ethdev " + std::to_string(port_id_) + ")";
}

std::string
EthDev::device_name() const
{
    rte_eth_dev_info info;
    if (rte_eth_dev_info_get(port_id_, &info) || !info.device) {
        return name();
    }
    return rte_dev_name(info.device);
}

int
EthDev::socket() const
{
    int s = rte_eth_dev_socket_id(port_id_);
    return s < 0 ? 0 : s;
}

int
EthDev::max_queue_pairs() const
{
    rte_eth_dev_info info;
    if (rte_eth_dev_info_get(port_id_, &info)) {
        return 1;
    }
    return std::max(1, (int) std::min(info.max_rx_queues,
                                      info.max_tx_queues));
}

int
EthDev::start(int n_rxq, int n_txq, int mtu, rte_mempool *mp,
              std::string &error)
{
    stop();
    rte_eth_dev_info info;
    int err = rte_eth_dev_info_get(port_id_, &info);
    if (err) {
        error = "cannot get device info: " + strerr(err);
        return -err;
    }
    rte_eth_conf conf{};
    uint64_t rss = info.flow_type_rss_offloads
                   & (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
    if (n_rxq > 1 && rss) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_hf = rss;
    }
    conf.rxmode.mtu = mtu;
    if (offloads_) {
        conf.txmode.offloads = tx_offloads();
        conf.rxmode.offloads = info.rx_offload_capa
                               & RTE_ETH_RX_OFFLOAD_CHECKSUM;
    }
    err = rte_eth_dev_configure(port_id_, n_rxq, n_txq, &conf);
    if (err) {
        error = "cannot configure " + std::to_string(n_rxq) + " rx and "
                + std::to_string(n_txq) + " tx queues: " + strerr(err);
        return -err;
    }
    uint16_t nb_rxd = kRxDesc, nb_txd = kTxDesc;
    rte_eth_dev_adjust_nb_rx_tx_desc(port_id_, &nb_rxd, &nb_txd);
    for (int q = 0; q < n_rxq && !err; q++) {
        err = rte_eth_rx_queue_setup(port_id_, q, nb_rxd, socket(), nullptr,
                                     mp);
    }
    for (int q = 0; q < n_txq && !err; q++) {
        err = rte_eth_tx_queue_setup(port_id_, q, nb_txd, socket(),
                                     nullptr);
    }
    if (err) {
        error = "cannot set up queues: " + strerr(err);
        return -err;
    }
    rte_eth_promiscuous_enable(port_id_);
    err = rte_eth_dev_start(port_id_);
    if (err) {
        error = "cannot start: " + strerr(err);
        return -err;
    }
    started_ = true;
    n_rxq_ = n_rxq;
    n_txq_ = n_txq;
    return 0;
}

uint64_t
EthDev::tx_offloads() const
{
    rte_eth_dev_info info;
    if (!offloads_ || rte_eth_dev_info_get(port_id_, &info)) {
        return 0;
    }
    return info.tx_offload_capa
           & (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM
              | RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_TSO
              | RTE_ETH_TX_OFFLOAD_MULTI_SEGS);
}

void
EthDev::stop()
{
    if (started_) {
        rte_eth_dev_stop(port_id_);
        started_ = false;
    }
}

bool
EthDev::link_up() const
{
    rte_eth_link link{};
    return started_ && !rte_eth_link_get_nowait(port_id_, &link)
           && link.link_status == RTE_ETH_LINK_UP;
}

bool
EthDev::stats(rte_eth_stats &s) const
{
    return !rte_eth_stats_get(port_id_, &s);
}

}  // namespace accel
