// The stateful evaluator on hand-made streams: one test per construct, next_change
// values, the memory cap and the clock rules.
#include "lookout/rules/evaluator.h"
#include "condition_test_support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <iostream>

namespace lookout::rules {
namespace {

using testing::parse_ok;
using testing::Stream;
using testing::T0;
using testing::at_s;
using testing::parse_error;

using namespace std::chrono_literals;



TEST(EvaluatorTest, PlainComparisonsAgreeWithEvaluateAndExpire) {
  Stream r("temperature >= 57 Cel and not door == 1");
  EXPECT_FALSE(r.at(0));
  EXPECT_TRUE(r.feed("temperature", 135, 1, "degF"));  // 57.2 Cel
  EXPECT_FALSE(r.feed("door", 1, 2));
  EXPECT_TRUE(r.feed("door", 0, 3));
  EXPECT_FALSE(r.feed("temperature", 80, 4, "m"));  // does not convert: unknown
  EXPECT_EQ(r.eval.unit_mismatches(*r.state), 1u);
  EXPECT_TRUE(r.feed("temperature", 330.15, 5, "K"));  // exactly 57 Cel after conversion
  // Values expire after 10 minutes (now - time > max age).
  EXPECT_EQ(r.next(5), Duration(603s + 1ns));  // door at 3 s expires first
  EXPECT_TRUE(r.at(603));
  EXPECT_TRUE(r.at(603 + 1e-9) == true);  // door unknown: "not door == 1" is true
  EXPECT_TRUE(r.at(605));
  EXPECT_FALSE(r.at(605.000000001));  // temperature unknown now
  EXPECT_EQ(r.next(606), std::nullopt);
}

TEST(EvaluatorTest, AQuantityIsObservedByNameOrByItsIndex) {
  Evaluator e(parse_ok("smoke >= 0.3 and temperature >= 60 Cel"));
  EXPECT_EQ(e.quantity_index("door"), Evaluator::kNoQuantity);
  const std::uint32_t smoke = e.quantity_index("smoke");
  const std::uint32_t temperature = e.quantity_index("temperature");
  ASSERT_NE(smoke, Evaluator::kNoQuantity);
  ASSERT_NE(temperature, Evaluator::kNoQuantity);
  EXPECT_NE(smoke, temperature);
  auto state = e.new_state();
  EXPECT_FALSE(e.observe(*state, Sample{"smoke", 0.5, "", T0, "s1"}, T0, smoke));
  EXPECT_TRUE(e.observe(*state, Sample{"temperature", 61, "Cel", T0 + 300s, "s2"}, T0 + 300s, temperature));
  // By name: the same.
  EXPECT_FALSE(e.observe(*state, Sample{"temperature", 59, "Cel", T0 + 301s, "s2"}, T0 + 301s));
  EXPECT_TRUE(e.observe(*state, Sample{"temperature", 62, "Cel", T0 + 302s, "s2"}, T0 + 302s));
  // An unread quantity only moves time: here past the smoke reading's 10 minutes.
  EXPECT_FALSE(e.observe(*state, Sample{"door", 1, "", T0 + 601s, "s3"}, T0 + 601s, Evaluator::kNoQuantity));
  EXPECT_TRUE(e.observe(*state, Sample{"smoke", 0.4, "", T0 + 602s, "s1"}, T0 + 602s, smoke));
  EXPECT_THROW(e.observe(*state, Sample{"smoke", 0.4, "", T0 + 603s, "s1"}, T0 + 603s, 7), std::out_of_range);
}

TEST(EvaluatorTest, ForHoldsContinuously) {
  Stream r("temperature > 57 Cel for 30s");
  EXPECT_FALSE(r.feed("temperature", 60, 0));
  EXPECT_EQ(r.next(0), Duration(30s));
  EXPECT_FALSE(r.at(29));
  EXPECT_TRUE(r.at(30));
  EXPECT_FALSE(r.feed("temperature", 50, 40));  // a dip resets
  EXPECT_FALSE(r.feed("temperature", 60, 41));
  EXPECT_FALSE(r.at(70));
  EXPECT_TRUE(r.at(71));
  // The value expiring (10 min) ends the run, even with no call at that moment.
  EXPECT_FALSE(r.at(41 + 600 + 1));
  EXPECT_FALSE(r.feed("temperature", 60, 700));
  EXPECT_FALSE(r.at(729));
  EXPECT_TRUE(r.at(730));
}

TEST(EvaluatorTest, ForOverAGroupAndNot) {
  Stream r("(not door == 1) for 1m");  // no door reading: true once a minute has passed
  EXPECT_FALSE(r.at(0));
  EXPECT_EQ(r.next(0), Duration(60s));
  EXPECT_TRUE(r.at(60));
  Stream n("not door == 1 for 1m");  // not (door == 1 for 1m)
  EXPECT_TRUE(n.feed("door", 1, 0));
  EXPECT_FALSE(n.at(60));
}

TEST(EvaluatorTest, AForOverAnAttributeCountsFromTheChange) {
  // The temperature (40 at 0 s) expires at 600 s + 1 ns, a moment the State has not
  // stepped through yet when the registry changes at 620 s: that moment must still see
  // the old attributes, or "for 30s" would have run from 600 s.
  Stream r("temperature > 50 or place.floors == 12 for 30s");
  EXPECT_FALSE(r.feed("temperature", 40, 0));
  auto floors = [](std::string value) {
    return [value](Attribute::Target, std::string_view name) -> std::optional<std::string> {
      if (name == "floors") return value;
      return std::nullopt;
    };
  };
  r.eval.set_attributes(*r.state, floors("12"), at_s(620));
  EXPECT_FALSE(r.eval.truth(*r.state));
  EXPECT_EQ(r.next(620), Duration(650s));
  EXPECT_FALSE(r.at(649));
  EXPECT_TRUE(r.at(650));
  // A change given late (at 640 s, the State already at 650 s) happens at the State's
  // time: time never goes backwards.
  r.eval.set_attributes(*r.state, floors("11"), at_s(640));
  EXPECT_FALSE(r.eval.truth(*r.state));
  r.eval.set_attributes(*r.state, floors("12"), at_s(700));
  EXPECT_FALSE(r.at(729));
  EXPECT_TRUE(r.at(730));
}

TEST(EvaluatorTest, ALookupThatThrowsLeavesTheAttributesAsTheyWere) {
  // A new State (its first step evaluates every node with what it was given), and a
  // registry lookup that fails after giving "a".
  Stream r("temperature > 50 or place.a == 1 or place.b == 1");
  auto throws_on_b = [](Attribute::Target, std::string_view name) -> std::optional<std::string> {
    if (name == "b") throw std::runtime_error("registry unavailable");
    return std::string("1");
  };
  EXPECT_THROW(r.eval.set_attributes(*r.state, throws_on_b, at_s(0)), std::runtime_error);
  // Nothing of it was taken: "a" is still unset at the first step and after.
  EXPECT_FALSE(r.feed("temperature", 40, 0));
  EXPECT_FALSE(r.at(20));
  // The same on a started State.
  EXPECT_THROW(r.eval.set_attributes(*r.state, throws_on_b, at_s(25)), std::runtime_error);
  EXPECT_FALSE(r.feed("temperature", 41, 30));
  // A later lookup that succeeds is taken whole.
  r.eval.set_attributes(
      *r.state, [](Attribute::Target, std::string_view name) -> std::optional<std::string> {
        return name == "a" ? std::optional<std::string>("1") : std::nullopt;
      },
      at_s(40));
  EXPECT_TRUE(r.eval.truth(*r.state));
  EXPECT_TRUE(r.at(50));
}

TEST(EvaluatorTest, HysteresisDoesNotFlap) {
  Stream r("temperature > 57 Cel clear < 50 Cel");
  EXPECT_FALSE(r.feed("temperature", 55, 0));
  EXPECT_TRUE(r.feed("temperature", 58, 1));
  EXPECT_TRUE(r.feed("temperature", 56, 2));  // below the raise line, above the clear line
  EXPECT_TRUE(r.feed("temperature", 50, 3));
  EXPECT_FALSE(r.feed("temperature", 49.9, 4));
  EXPECT_FALSE(r.feed("temperature", 56, 5));
  EXPECT_TRUE(r.feed("temperature", 57.1, 6));
  EXPECT_FALSE(r.at(6 + 600 + 1));  // unknown: cleared
  EXPECT_FALSE(r.feed("temperature", 56, 700));
}

TEST(EvaluatorTest, Windows) {
  Stream avg("avg(temperature, 5m) > 40 Cel");
  EXPECT_FALSE(avg.at(0));  // empty: unknown
  EXPECT_TRUE(avg.feed("temperature", 50, 0));
  EXPECT_FALSE(avg.feed("temperature", 20, 60));  // avg 35
  EXPECT_TRUE(avg.feed("temperature", 60, 120));  // avg 43.3
  EXPECT_EQ(avg.next(120), Duration(300s + 1ns));  // the 50 leaves the window
  EXPECT_TRUE(avg.at(300));                        // [0, 300] still holds the 50
  EXPECT_FALSE(avg.at(300.000000001));             // avg(20, 60) = 40, not > 40
  EXPECT_TRUE(avg.at(361));                        // 20 gone: avg(60) = 60
  EXPECT_FALSE(avg.at(421));                       // all gone: unknown
  EXPECT_FALSE(avg.at(10000));                     // empty again
  EXPECT_EQ(avg.next(10000), std::nullopt);

  Stream count("count(smoke, 60s) >= 3");
  EXPECT_FALSE(count.feed("smoke", 0.1, 0));
  EXPECT_FALSE(count.feed("smoke", std::nan(""), 1));  // not a number: not counted
  EXPECT_FALSE(count.feed("smoke", 0.1, 10));
  EXPECT_TRUE(count.feed("smoke", 0.1, 20));
  EXPECT_FALSE(count.at(60.5));

  Stream sum("sum(rain, 1h) >= 10 mm");
  EXPECT_FALSE(sum.at(0));
  EXPECT_FALSE(sum.feed("rain", 6, 0, "mm"));
  EXPECT_TRUE(sum.feed("rain", 0.4, 10, "cm"));
  Stream empty_sum("sum(rain, 1h) < 1");  // an empty window sums to 0
  EXPECT_TRUE(empty_sum.at(0));

  Stream mx("max(t, 1m) >= 10 and min(t, 1m) <= 0");
  EXPECT_FALSE(mx.feed("t", 5, 0));
  EXPECT_FALSE(mx.feed("t", 12, 10));
  EXPECT_TRUE(mx.feed("t", -1, 20));
  EXPECT_TRUE(mx.at(70));             // 12 at 10 s still inside [10, 70]
  EXPECT_FALSE(mx.at(71));            // 12 gone
  EXPECT_TRUE(mx.feed("t", 11, 75));  // -1 at 20 still inside

  Stream rate("rate(water_level, 10m) > 5 cm");
  EXPECT_FALSE(rate.feed("water_level", 1.00, 0, "m"));  // one sample: change 0
  EXPECT_FALSE(rate.feed("water_level", 1.04, 60, "m"));
  EXPECT_TRUE(rate.feed("water_level", 1.06, 120, "m"));
  EXPECT_FALSE(rate.at(601));  // 1.00 left: 1.06 - 1.04
}

TEST(EvaluatorTest, OutOfOrderSamplesCountInWindowsButNotAsLatest) {
  Stream latest("x > 5");
  EXPECT_TRUE(latest.feed("x", 10, 10));
  Time late = T0 + 5s;
  EXPECT_TRUE(latest.eval.observe(*latest.state, Sample{"x", 1, "", late, "s1"}, T0 + 11s));  // older: ignored

  Stream w("max(x, 1m) > 5 and count(x, 1m) == 2");
  EXPECT_FALSE(w.feed("x", 1, 10));
  EXPECT_TRUE(w.eval.observe(*w.state, Sample{"x", 9, "", T0 + 5s, "s1"}, T0 + 11s));
  EXPECT_FALSE(w.at(65.000000001));  // the late 9 (time 5 s) left the window first
  // A sample already outside its window when it arrives is not counted.
  EXPECT_FALSE(w.eval.observe(*w.state, Sample{"x", 9, "", T0, "s1"}, T0 + 66s));
}

TEST(EvaluatorTest, ClockRules) {
  Stream r("x > 5 for 30s");
  EXPECT_FALSE(r.feed("x", 10, 100));
  EXPECT_FALSE(r.at(50));  // backwards: taken as 100
  EXPECT_TRUE(r.at(130));
  // A sample from the future is taken as now.
  Stream f("count(x, 10s) >= 1");
  EXPECT_TRUE(f.eval.observe(*f.state, Sample{"x", 1, "", T0 + 1h, "s1"}, T0));
  EXPECT_FALSE(f.at(10.000000001));
}

TEST(EvaluatorTest, WindowMemoryIsCapped) {
  EvaluatorOptions options;
  options.max_window_samples = 100;
  Stream r("count(x, 1h) >= 100 and max(x, 1h) > 500", options);
  std::size_t empty = r.eval.state_bytes(*r.state);
  bool last = false;
  for (int i = 0; i < 1000; ++i) last = r.feed("x", i, i);
  EXPECT_TRUE(last);  // the 100 latest kept: count 100, max 999
  std::size_t full = r.eval.state_bytes(*r.state);
  EXPECT_LE(full, empty + 2 * 100 * 24 + 64);
  EXPECT_GT(full, empty + 100 * 24 - 1);

  // The default cap is 4096: a week of readings every second stays bounded.
  Stream d("avg(x, 1d) > 0");
  for (int i = 0; i < 10000; ++i) d.feed("x", 1, i);
  EXPECT_LE(d.eval.state_bytes(*d.state), d.eval.state_bytes(*Stream("avg(x, 1d) > 0").state) + 4096 * 24);
}

TEST(EvaluatorTest, StateSizes) {
  // Documented sizes (evaluator.cpp): printed so a change shows in the log.
  for (const char* text : {"x > 1", "x > 1 for 30s", "x > 1 clear < 0", "avg(x, 5m) > 1", "max(x, 5m) > 1"}) {
    Stream r(text);
    std::cout << "state_bytes(\"" << text << "\") = " << r.eval.state_bytes(*r.state) << "\n";
    EXPECT_LT(r.eval.state_bytes(*r.state), 512u) << text;
  }
}

TEST(EvaluatorTest, DefaultConditionIsFalse) {
  Evaluator e{Condition()};
  auto s = e.new_state();
  EXPECT_FALSE(e.advance(*s, T0));
  EXPECT_FALSE(e.observe(*s, Sample{"x", 1, "", T0, "s1"}, T0));
  EXPECT_EQ(e.next_change(*s, T0), std::nullopt);
}

}  // namespace
}  // namespace lookout::rules
