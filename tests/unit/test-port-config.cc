// The options of a dpdkvhostuserclient port: defaults, values, errors.
#include "vhost/port-config.h"

#include <CppUTest/TestHarness.h>

using accel::OptionMap;
using accel::VhostPortConfig;

TEST_GROUP(PortConfig){};

TEST(PortConfig, Defaults)
{
    std::string error;
    auto c = VhostPortConfig::parse({}, error);
    CHECK(c.has_value());
    CHECK_FALSE(c->server_path.has_value());
    LONGS_EQUAL(8, c->tx_retries_max);
    CHECK_FALSE(c->dq_zero_copy);
    LONGS_EQUAL(512, c->zc_threshold);
    CHECK(c->ring_walker == VhostPortConfig::RingWalker::kAuto);
    // The global other_config knobs decide.
    CHECK_FALSE(c->iommu_support.has_value());
    CHECK_FALSE(c->postcopy_support.has_value());
}

TEST(PortConfig, EveryOption)
{
    std::string error;
    auto c = VhostPortConfig::parse({{"vhost-server-path", "/run/vm.sock"},
                                     {"tx-retries-max", "0"},
                                     {"dq-zero-copy", "true"},
                                     {"dq-zero-copy-threshold", "0"},
                                     {"ring-walker", "never"},
                                     {"vhost-iommu-support", "true"},
                                     {"vhost-postcopy-support", "false"}},
                                    error);
    CHECK(c.has_value());
    STRCMP_EQUAL("/run/vm.sock", c->server_path->c_str());
    LONGS_EQUAL(0, c->tx_retries_max);
    CHECK(c->dq_zero_copy);
    LONGS_EQUAL(0, c->zc_threshold);
    CHECK(c->ring_walker == VhostPortConfig::RingWalker::kNever);
    CHECK(c->iommu_support.value());
    CHECK_FALSE(c->postcopy_support.value());
}

TEST(PortConfig, ErrorsNameTheOptionAndTheAcceptedValues)
{
    struct {
        OptionMap opts;
        const char *error;
    } cases[] = {
        {{{"vhost-server-path", ""}}, "vhost-server-path"},
        {{{"tx-retries-max", "33"}}, "tx-retries-max: invalid value '33' "
                                     "(accepted: an integer from 0 to 32)"},
        {{{"dq-zero-copy", "yes"}}, "dq-zero-copy: invalid value 'yes'"},
        {{{"dq-zero-copy-threshold", "65536"}}, "dq-zero-copy-threshold"},
        {{{"ring-walker", "always"}}, "ring-walker: invalid value 'always' "
                                      "(accepted: auto, never)"},
        {{{"vhost-iommu-support", "1"}}, "vhost-iommu-support: invalid "
                                         "value '1'"},
        {{{"vhost-postcopy-support", ""}}, "vhost-postcopy-support: "
                                           "invalid value ''"},
    };
    for (auto &t : cases) {
        std::string error;
        CHECK_FALSE(VhostPortConfig::parse(t.opts, error).has_value());
        CHECK_TEXT(error.find(t.error) == 0, error.c_str());
    }
}

TEST(PortConfig, KnownOptions)
{
    CHECK(VhostPortConfig::is_known("vhost-server-path"));
    CHECK(VhostPortConfig::is_known("ring-walker"));
    CHECK(VhostPortConfig::is_known("n_rxq"));        // Ignored, as upstream.
    CHECK_FALSE(VhostPortConfig::is_known("vhost-server-pth"));
}
