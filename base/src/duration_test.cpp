#include "lookout/base/duration.h"

#include <gtest/gtest.h>

#include <string>

namespace lookout {
namespace {

using std::chrono::seconds;

seconds ok(std::string_view text) {
  auto parsed = parse_duration(text);
  if (auto* err = std::get_if<DurationError>(&parsed)) {
    ADD_FAILURE() << "\"" << text << "\": " << err->offset << ": " << err->message;
    return seconds(-1);
  }
  return std::get<seconds>(parsed);
}

// "offset: message"
std::string error(std::string_view text) {
  auto parsed = parse_duration(text);
  if (auto* err = std::get_if<DurationError>(&parsed)) return std::to_string(err->offset) + ": " + err->message;
  ADD_FAILURE() << "\"" << text << "\" parsed as " << std::get<seconds>(parsed).count() << "s";
  return {};
}

TEST(DurationTest, Units) {
  EXPECT_EQ(ok("30s"), seconds(30));
  EXPECT_EQ(ok("10m"), seconds(600));
  EXPECT_EQ(ok("2h"), seconds(7200));
  EXPECT_EQ(ok("1d"), seconds(86400));
  EXPECT_EQ(ok("1s"), seconds(1));
}

TEST(DurationTest, SeveralParts) {
  EXPECT_EQ(ok("1h30m"), seconds(5400));
  EXPECT_EQ(ok("2m30s"), seconds(150));
  EXPECT_EQ(ok("1d12h"), seconds(129600));
  EXPECT_EQ(ok("1d2h3m4s"), seconds(93784));
  EXPECT_EQ(ok("1h0m"), seconds(3600));
  EXPECT_EQ(ok("0h30m"), seconds(1800));  // zero parts are fine while the total is not
  // A part need not be smaller than its unit's next one up.
  EXPECT_EQ(ok("90m"), seconds(5400));
  EXPECT_EQ(ok("36h"), seconds(129600));
  EXPECT_EQ(ok("0090s"), seconds(90));
}

TEST(DurationTest, Limits) {
  EXPECT_EQ(ok("365d"), kMaxDuration);
  EXPECT_EQ(ok("364d23h59m60s"), kMaxDuration);
  EXPECT_EQ(ok("31536000s"), kMaxDuration);
  EXPECT_EQ(error("365d1s"), "0: expected a duration of at most 365d, found \"365d1s\"");
  EXPECT_EQ(error("31536001s"), "0: expected a duration of at most 365d, found \"31536001s\"");
  EXPECT_EQ(error("8761h"), "0: expected a duration of at most 365d, found \"8761h\"");
  // Numbers far too long for any integer do not overflow.
  EXPECT_EQ(error("99999999999999999999999999d"),
            "0: expected a duration of at most 365d, found \"99999999999999999999999999d\"");
  EXPECT_EQ(error("9223372036854775807s"), "0: expected a duration of at most 365d, found \"9223372036854775807s\"");
  EXPECT_EQ(error("0s"), "0: expected a duration longer than zero, found \"0s\"");
  EXPECT_EQ(error("0h0m"), "0: expected a duration longer than zero, found \"0h0m\"");
}

TEST(DurationTest, NumbersAndUnitsErrors) {
  EXPECT_EQ(error(""), "0: expected a duration such as 30s, 10m or 1h30m, found nothing");
  EXPECT_EQ(error("m"), "0: expected a duration such as 30s, 10m or 1h30m, found \"m\"");
  EXPECT_EQ(error("-5m"),
            "0: expected a duration such as 30s, 10m or 1h30m, found \"-\"; a duration cannot be negative");
  EXPECT_EQ(error("10"), "2: expected a unit (d, h, m or s) after \"10\", found end of duration");
  EXPECT_EQ(error("1h30"), "4: expected a unit (d, h, m or s) after \"30\", found end of duration");
  EXPECT_EQ(error("1.5h"),
            "1: expected a unit (d, h, m or s) after \"1\", found \".\"; use whole numbers of a smaller unit, e.g. "
            "\"90m\" rather than \"1.5h\"");
  EXPECT_EQ(error("10min"), "2: expected a unit (d, h, m or s), found \"min\"; write \"10m\"");
  EXPECT_EQ(error("2Hours"), "1: expected a unit (d, h, m or s), found \"Hours\"; write \"2h\"");
  EXPECT_EQ(error("10M"), "2: expected a unit (d, h, m or s), found \"M\"; write \"10m\"");
  EXPECT_EQ(error("1h30sec"), "4: expected a unit (d, h, m or s), found \"sec\"; write \"30s\"");
  EXPECT_EQ(error("2w"), "1: expected a unit (d, h, m or s), found \"w\"; write weeks as days, e.g. \"14d\"");
  EXPECT_EQ(error("500ms"), "3: expected a unit (d, h, m or s), found \"ms\"; durations are whole seconds");
  EXPECT_EQ(error("1y"), "1: expected a unit (d, h, m or s), found \"y\"");
  EXPECT_EQ(error("5分钟"), "1: expected a unit (d, h, m or s) after \"5\", found \"分\"");
}

TEST(DurationTest, SpacesAndOrderErrors) {
  EXPECT_EQ(error("10 m"), "2: expected a unit (d, h, m or s) after \"10\", found a space; write \"10m\"");
  EXPECT_EQ(error("10 minutes"), "2: expected a unit (d, h, m or s) after \"10\", found a space; write \"10m\"");
  EXPECT_EQ(error("2 weeks"), "1: expected a unit (d, h, m or s) after \"2\", found a space");
  EXPECT_EQ(error("1h 30m"),
            "2: expected a number or end of duration, found a space; write it without spaces: \"1h30m\"");
  EXPECT_EQ(error(" 10m"), "0: expected a duration such as 30s, 10m or 1h30m, found a space; write it without spaces: "
                           "\"10m\"");
  EXPECT_EQ(error("10m "), "3: expected a number or end of duration, found a space; write it without spaces: \"10m\"");
  EXPECT_EQ(error("1h,30m"), "2: expected a number or end of duration, found \",\"");
  EXPECT_EQ(error("30m1h"), "4: expected units from the largest to the smallest (d, h, m, s), found \"h\" after \"m\"");
  EXPECT_EQ(error("1h2h"), "3: expected each unit once, found \"h\" again");
}

TEST(DurationTest, Format) {
  EXPECT_EQ(format_duration(seconds(0)), "0s");
  EXPECT_EQ(format_duration(seconds(45)), "45s");
  EXPECT_EQ(format_duration(seconds(600)), "10m");
  EXPECT_EQ(format_duration(seconds(5400)), "1h30m");
  EXPECT_EQ(format_duration(seconds(86400)), "1d");
  EXPECT_EQ(format_duration(seconds(93784)), "1d2h3m4s");
  EXPECT_EQ(format_duration(seconds(-90)), "-1m30s");
  EXPECT_EQ(format_duration(seconds::min()), "-106751991167300d15h30m8s");
  EXPECT_EQ(format_duration(kMaxDuration), "365d");
  // Round trip.
  for (long long s : {1LL, 59LL, 60LL, 61LL, 3599LL, 3600LL, 3661LL, 86399LL, 86401LL, 1000000LL, 31535999LL}) {
    EXPECT_EQ(ok(format_duration(seconds(s))), seconds(s)) << s;
  }
}

}  // namespace
}  // namespace lookout
