#include "vhost/carrier-reporter.h"

#include <CppUTest/TestHarness.h>

using accel::CarrierReporter;

TEST_GROUP(CarrierReporter){};

TEST(CarrierReporter, QuietWhileNothingChanges)
{
    CarrierReporter r;
    CHECK_FALSE(r.poll(false, 0));
    CHECK_FALSE(r.poll(false, 100000));
    CHECK_EQUAL(CarrierReporter::kNever, r.deadline());
}

TEST(CarrierReporter, ChangeIsReportedAtOnceThenRepeated)
{
    CarrierReporter r;
    CHECK_TRUE(r.poll(true, 10000));
    CHECK_TRUE(r.reported());
    CHECK_FALSE(r.poll(true, 10001));
    CHECK_EQUAL(10000 + CarrierReporter::kRepeatMs[0], r.deadline());
    CHECK_FALSE(r.poll(true, 10000 + CarrierReporter::kRepeatMs[0] - 1));
    CHECK_TRUE(r.poll(true, 10000 + CarrierReporter::kRepeatMs[0]));
    CHECK_FALSE(r.poll(true, 10000 + CarrierReporter::kRepeatMs[0]));
    CHECK_EQUAL(10000 + CarrierReporter::kRepeatMs[1], r.deadline());
    CHECK_TRUE(r.poll(true, 10000 + CarrierReporter::kRepeatMs[1] + 50));
    CHECK_EQUAL(CarrierReporter::kNever, r.deadline());
    CHECK_FALSE(r.poll(true, 1000000));
}

TEST(CarrierReporter, NewChangeRestartsTheRepeats)
{
    CarrierReporter r;
    CHECK_TRUE(r.poll(true, 0));
    CHECK_TRUE(r.poll(true, CarrierReporter::kRepeatMs[0]));
    CHECK_TRUE(r.poll(false, 3000));
    CHECK_FALSE(r.reported());
    CHECK_EQUAL(3000 + CarrierReporter::kRepeatMs[0], r.deadline());
    CHECK_TRUE(r.poll(false, 3000 + CarrierReporter::kRepeatMs[0]));
}
