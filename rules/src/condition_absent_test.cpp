// The absence atom "absent(q, T)": parsing, exact errors, printing and the stateful
// semantics (never true before a first sample, true exactly T after the latest one).
#include "lookout/rules/evaluator.h"
#include "condition_test_support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

namespace lookout::rules {
namespace {

using testing::parse_error;
using testing::parse_ok;
using testing::Stream;
using testing::T0;
using testing::at_s;

using namespace std::chrono_literals;



constexpr double kH = 3600;

TEST(AbsentTest, Parses) {
  Condition c = parse_ok("absent(motion, 12h)");
  ASSERT_TRUE(c.has_root());
  EXPECT_EQ(c.root().kind, Expr::Kind::kAbsent);
  EXPECT_EQ(c.root().absence.quantity, "motion");
  EXPECT_EQ(c.root().absence.window, Duration(12h));
  EXPECT_EQ(c.quantities(), std::vector<std::string>{"motion"});
  EXPECT_TRUE(c.uses_time());
  EXPECT_EQ(parse_ok("absent( motion ,720m )").to_string(), "absent(motion, 12h)");
  // "absent" is a quantity name when no "(" follows.
  EXPECT_EQ(parse_ok("absent > 1").root().kind, Expr::Kind::kCompare);
  Condition both = parse_ok("absent(heartbeat, 30m) or absent > 1");
  EXPECT_EQ(both.quantities(), (std::vector<std::string>{"absent", "heartbeat"}));
}

TEST(AbsentTest, RoundTripsInCombinations) {
  for (const char* text : {"absent(motion, 12h)", "absent(motion, 12h) and not during 00:00-06:00",
                           "absent(motion, 1h) for 30m", "not absent(sensor.3/t, 1h30m) for 5m",
                           "(absent(a, 10s) or b > 1) and on weekdays", "temperature > 57 Cel or absent(temperature, 5m)"}) {
    Condition c = parse_ok(text);
    EXPECT_EQ(c.to_string(), text);
    EXPECT_EQ(parse_ok(c.to_string()).to_string(), text);
  }
  EXPECT_EQ(parse_ok("(absent(a, 60s))").to_string(), "absent(a, 1m)");
}

TEST(AbsentTest, StatelessEvaluateIsFalse) {
  auto lookup = [](std::string_view) { return std::optional<Value>(Value{1, ""}); };
  EXPECT_FALSE(parse_ok("absent(motion, 12h)").evaluate(lookup));
  EXPECT_TRUE(parse_ok("not absent(motion, 12h)").evaluate(lookup));
}

TEST(AbsentTest, ExactErrors) {
  struct Case {
    const char* text;
    std::size_t offset;
    const char* message;
  };
  const std::string kDuration = "expected a duration such as 30s, 10m, 2h, 1d or 1h30m (1s to 365d), found ";
  const Case cases[] = {
      {"absent(motion)", 13, "expected \",\" and how long without a reading, e.g. \"absent(motion, 12h)\", found \")\""},
      {"absent(12, 1h)", 7, "expected a quantity name, found \"12\""},
      {"absent()", 7, "expected a quantity name, found \")\""},
      {"absent(motion, 12h", 18, "expected \")\", found end of condition"},
      {"absent(motion, 12h, 1h)", 18, "expected \")\", found \",\""},
      {"absent(motion, 12h) > 0", 20,
       "expected \"and\", \"or\", \"for\" or end of condition, found \">\"; absent(...) is true or false by itself and "
       "takes no comparison"},
      {"absent(motion, 12h) Cel", 20, "expected no unit after absent(...) (it measures no value), found \"Cel\""},
  };
  for (const Case& c : cases) {
    ParseError e = parse_error(c.text);
    EXPECT_EQ(e.offset, c.offset) << c.text;
    EXPECT_EQ(e.message, c.message) << c.text;
  }
  struct DurationCase {
    const char* text;
    std::size_t offset;
    std::string found;
  };
  const DurationCase durations[] = {
      {"absent(motion, )", 15, "\")\""},
      {"absent(motion, 0s)", 15, "\"0s\""},
      {"absent(motion, 12 h)", 15, "\"12\"; write the duration as one word: \"12h\""},
      {"absent(motion, 366d)", 15, "\"366d\""},
  };
  for (const DurationCase& c : durations) {
    ParseError e = parse_error(c.text);
    EXPECT_EQ(e.offset, c.offset) << c.text;
    EXPECT_EQ(e.message, kDuration + c.found) << c.text;
  }
}

TEST(AbsentTest, FalseBeforeAnySampleThenTrueExactlyTAfterTheLatest) {
  Stream r("absent(motion, 12h)");
  EXPECT_FALSE(r.at(0));
  EXPECT_FALSE(r.at(48 * kH));  // never reported: not absent
  EXPECT_EQ(r.next(48 * kH), std::nullopt);
  EXPECT_FALSE(r.feed("other", 1, 48 * kH));  // another quantity is no sign of life
  const double t1 = 48 * kH + 100;
  EXPECT_FALSE(r.feed("motion", 1, t1));
  EXPECT_EQ(r.next(t1), Duration(std::chrono::seconds(static_cast<long>(t1)) + 12h));
  EXPECT_FALSE(r.at(t1 + 12 * kH - 1e-9));  // the sample is in (now - 12h, now]
  EXPECT_TRUE(r.at(t1 + 12 * kH));          // now - 12h is the sample's time: excluded
  EXPECT_EQ(r.next(t1 + 12 * kH), std::nullopt);
  EXPECT_TRUE(r.at(t1 + 30 * kH));
  // A new sample resets it; a non-number counts as a sign of life too.
  EXPECT_FALSE(r.feed("motion", std::nan(""), t1 + 31 * kH));
  EXPECT_EQ(r.next(t1 + 31 * kH), Duration(std::chrono::seconds(static_cast<long>(t1 + 43 * kH))));
  EXPECT_FALSE(r.at(t1 + 43 * kH - 1e-9));
  EXPECT_TRUE(r.at(t1 + 43 * kH));
  // A late sample with an old time is no sign of life now; one within 12 h is.
  EXPECT_TRUE(r.eval.observe(*r.state, Sample{"motion", 1, "", at_s(t1 + 30 * kH), "s1"}, at_s(t1 + 44 * kH)));
  EXPECT_FALSE(r.eval.observe(*r.state, Sample{"motion", 1, "m", at_s(t1 + 33 * kH), "s1"}, at_s(t1 + 44 * kH)));
  EXPECT_EQ(r.next(t1 + 44 * kH), Duration(std::chrono::seconds(static_cast<long>(t1 + 45 * kH))));
  EXPECT_TRUE(r.at(t1 + 45 * kH));
}

TEST(AbsentTest, NextChangeIsExactAcrossSkippedTime) {
  Stream r("absent(motion, 10m)");
  EXPECT_FALSE(r.feed("motion", 0, 1.5));
  auto n = r.eval.next_change(*r.state, at_s(1.5));
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, at_s(601.5));
  // Far past it: the truth holds, and a timer late by an hour gets "now".
  EXPECT_EQ(r.eval.next_change(*r.state, at_s(3600)), at_s(3600));
  EXPECT_TRUE(r.at(3600));
}

TEST(AbsentTest, CombinesWithFor) {
  Stream r("absent(motion, 1h) for 30m");
  EXPECT_FALSE(r.feed("motion", 1, 0));
  EXPECT_EQ(r.next(0), Duration(1h));
  // Skipping straight past both moments: the "for" started when the absence did.
  EXPECT_FALSE(r.at(1.5 * kH - 1e-9));
  EXPECT_TRUE(r.at(1.5 * kH));
  EXPECT_FALSE(r.feed("motion", 1, 2 * kH));
  EXPECT_EQ(r.next(2 * kH), Duration(3h));
  EXPECT_FALSE(r.at(3 * kH));
  EXPECT_EQ(r.next(3 * kH), Duration(3h + 30min));
  EXPECT_TRUE(r.at(3.5 * kH));
}

TEST(AbsentTest, CombinesWithCalendar) {
  // T0 is 16:00 UTC: 12 h later is 04:00, inside the night that is left out.
  Stream r("absent(motion, 12h) and not during 00:00-06:00");
  EXPECT_FALSE(r.feed("motion", 1, 0));
  EXPECT_FALSE(r.at(12 * kH));
  EXPECT_EQ(r.next(12 * kH), Duration(14h));
  EXPECT_FALSE(r.at(14 * kH - 1e-9));
  EXPECT_TRUE(r.at(14 * kH));
}

}  // namespace
}  // namespace lookout::rules
