#include "common/options.h"

#include <CppUTest/TestHarness.h>

using accel::OptionMap;

TEST_GROUP(Options){};

TEST(Options, IntAbsentGivesDefault)
{
    auto r = accel::parse_int_option({}, "tx-retries-max", 0, 32, 8);
    CHECK(r.ok());
    LONGS_EQUAL(8, *r.value);
}

TEST(Options, IntInRange)
{
    OptionMap m{{"tx-retries-max", "32"}};
    auto r = accel::parse_int_option(m, "tx-retries-max", 0, 32, 8);
    CHECK(r.ok());
    LONGS_EQUAL(32, *r.value);
}

TEST(Options, IntOutOfRangeNamesOptionAndRange)
{
    OptionMap m{{"tx-retries-max", "99"}};
    auto r = accel::parse_int_option(m, "tx-retries-max", 0, 32, 8);
    CHECK_FALSE(r.ok());
    CHECK_FALSE(r.value.has_value());
    STRCMP_EQUAL("tx-retries-max: invalid value '99' (accepted: an integer "
                 "from 0 to 32)", r.error.c_str());
}

TEST(Options, IntRejectsGarbage)
{
    for (const char *bad : {"", "abc", "8x", "-1", " 3", "99999999999999"}) {
        OptionMap m{{"k", bad}};
        CHECK_FALSE(accel::parse_int_option(m, "k", 0, 32, 8).ok());
    }
}

TEST(Options, Bool)
{
    OptionMap m{{"a", "true"}, {"b", "false"}, {"c", "yes"}};
    CHECK_TRUE(*accel::parse_bool_option(m, "a", false).value);
    CHECK_FALSE(*accel::parse_bool_option(m, "b", true).value);
    CHECK_TRUE(*accel::parse_bool_option(m, "absent", true).value);
    auto r = accel::parse_bool_option(m, "c", false);
    CHECK_FALSE(r.ok());
    STRCMP_EQUAL("c: invalid value 'yes' (accepted: true, false)",
                 r.error.c_str());
}

TEST(Options, PathMustNotBeEmpty)
{
    OptionMap m{{"vhost-server-path", ""}};
    auto r = accel::parse_path_option(m, "vhost-server-path");
    CHECK_FALSE(r.ok());
    CHECK_FALSE(accel::parse_path_option({}, "vhost-server-path")
                    .value.has_value());
    OptionMap ok{{"vhost-server-path", "/tmp/sock"}};
    STRCMP_EQUAL("/tmp/sock",
                 accel::parse_path_option(ok, "vhost-server-path")
                     .value->c_str());
}

TEST(Options, MakeOptionMap)
{
    const char *keys[] = {"x", "y"};
    const char *values[] = {"1", "2"};
    OptionMap m = accel::make_option_map(keys, values, 2);
    LONGS_EQUAL(2, m.size());
    STRCMP_EQUAL("2", m["y"].c_str());
}
