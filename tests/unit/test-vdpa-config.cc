// The options of a dpdkvdpa port: defaults, values, errors.
#include "vdpa/vdpa-config.h"

#include <CppUTest/TestHarness.h>

using accel::OptionMap;
using accel::VdpaPortConfig;

namespace {

OptionMap
minimal()
{
    return {{"vdpa-socket-path", "/run/vm.sock"},
            {"vdpa-accelerator-devargs", "0000:01:00.2"},
            {"dpdk-devargs", "0000:01:00.0,representor=[0]"}};
}

std::string
error_of(const OptionMap &opts)
{
    std::string error;
    CHECK_FALSE(VdpaPortConfig::parse(opts, error).has_value());
    return error;
}

}  // namespace

TEST_GROUP(VdpaConfig){};

TEST(VdpaConfig, Defaults)
{
    std::string error;
    auto c = VdpaPortConfig::parse(minimal(), error);
    CHECK(c.has_value());
    STRCMP_EQUAL("/run/vm.sock", c->socket_path.c_str());
    STRCMP_EQUAL("0000:01:00.2", c->accel_devargs.c_str());
    STRCMP_EQUAL("0000:01:00.0,representor=[0]", c->rep_devargs.c_str());
    LONGS_EQUAL(8, c->max_queues);
    CHECK_FALSE(c->force_sw);
    LONGS_EQUAL(1, c->n_rxq);
    // The guest side gets its socket and nothing else.
    OptionMap g = c->guest_options();
    LONGS_EQUAL(1, g.size());
    STRCMP_EQUAL("/run/vm.sock", g["vhost-server-path"].c_str());
}

TEST(VdpaConfig, EveryOption)
{
    OptionMap o = minimal();
    o["vdpa-max-queues"] = "16";
    o["vdpa-sw"] = "true";
    o["n_rxq"] = "4";
    o["tx-retries-max"] = "0";
    o["vhost-iommu-support"] = "true";
    o["vhost-postcopy-support"] = "false";
    std::string error;
    auto c = VdpaPortConfig::parse(o, error);
    CHECK(c.has_value());
    LONGS_EQUAL(16, c->max_queues);
    CHECK(c->force_sw);
    LONGS_EQUAL(4, c->n_rxq);
    OptionMap g = c->guest_options();
    LONGS_EQUAL(4, g.size());
    STRCMP_EQUAL("0", g["tx-retries-max"].c_str());
    STRCMP_EQUAL("true", g["vhost-iommu-support"].c_str());
    STRCMP_EQUAL("false", g["vhost-postcopy-support"].c_str());
}

TEST(VdpaConfig, MissingOrEmpty)
{
    for (const char *key : {"vdpa-socket-path", "vdpa-accelerator-devargs",
                            "dpdk-devargs"}) {
        OptionMap o = minimal();
        o.erase(key);
        std::string e = error_of(o);
        CHECK(e.rfind(std::string(key) + ": missing (accepted: ", 0) == 0);
        o[key] = "";
        e = error_of(o);
        CHECK(e.rfind(std::string(key) + ": invalid value '' (accepted: ", 0)
              == 0);
    }
}

TEST(VdpaConfig, BadValues)
{
    OptionMap o = minimal();
    o["vdpa-max-queues"] = "0";
    STRCMP_EQUAL("vdpa-max-queues: invalid value '0' (accepted: an integer "
                 "from 1 to 16)", error_of(o).c_str());
    o["vdpa-max-queues"] = "17";
    STRCMP_EQUAL("vdpa-max-queues: invalid value '17' (accepted: an integer "
                 "from 1 to 16)", error_of(o).c_str());
    o = minimal();
    o["vdpa-sw"] = "1";
    STRCMP_EQUAL("vdpa-sw: invalid value '1' (accepted: true, false)",
                 error_of(o).c_str());
    o = minimal();
    o["n_rxq"] = "x";
    STRCMP_EQUAL("n_rxq: invalid value 'x' (accepted: an integer from 1 to "
                 "16)", error_of(o).c_str());
    o = minimal();
    o["vhost-iommu-support"] = "yes";
    STRCMP_EQUAL("vhost-iommu-support: invalid value 'yes' (accepted: true, "
                 "false)", error_of(o).c_str());
}

TEST(VdpaConfig, RepresentorIsNotTheAccelerator)
{
    OptionMap o = minimal();
    o["dpdk-devargs"] = o["vdpa-accelerator-devargs"];
    STRCMP_EQUAL("dpdk-devargs: invalid value '0000:01:00.2' (accepted: the "
                 "VF representor, not the device of vdpa-accelerator-devargs)",
                 error_of(o).c_str());
}

TEST(VdpaConfig, KnownOptions)
{
    for (const char *key : {"vdpa-socket-path", "vdpa-accelerator-devargs",
                            "dpdk-devargs", "vdpa-max-queues", "vdpa-sw",
                            "n_rxq", "tx-retries-max", "vhost-iommu-support",
                            "vhost-postcopy-support"}) {
        CHECK(VdpaPortConfig::is_known(key));
    }
    CHECK_FALSE(VdpaPortConfig::is_known("vhost-server-path"));
    CHECK_FALSE(VdpaPortConfig::is_known("dq-zero-copy"));
}
