// Parsing and printing of the time constructs: durations, hysteresis, windows.
#include <gtest/gtest.h>

#include <chrono>

#include "lookout/rules/condition.h"
#include "condition_test_support.h"

namespace lookout::rules {
namespace {

using testing::parse_ok;
using testing::parse_error;

using namespace std::chrono_literals;

TEST(ConditionTimeTest, Durations) {
  EXPECT_EQ(parse_duration("30s"), Duration(30s));
  EXPECT_EQ(parse_duration("10m"), Duration(10min));
  EXPECT_EQ(parse_duration("2h"), Duration(2h));
  EXPECT_EQ(parse_duration("1d"), Duration(24h));
  EXPECT_EQ(parse_duration("1h30m"), Duration(90min));
  EXPECT_EQ(parse_duration("1d2h3m4s"), Duration(26h + 3min + 4s));
  EXPECT_EQ(parse_duration("90s"), Duration(90s));
  EXPECT_EQ(parse_duration("365d"), Duration(365 * 24h));
  for (const char* bad : {"", "0s", "0m0s", "30", "s", "30x", "1m1h", "1h1h", "1.5m", "-5s", "366d", "99999999999s",
                          "30S", "5ms", "1h 30m", "m30"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(3600s), "1h");
  EXPECT_EQ(format_duration(86400s + 1s), "1d1s");
  EXPECT_EQ(format_duration(Duration{}), "0s");
}

TEST(ConditionTimeTest, ParsesFor) {
  Condition c = parse_ok("temperature > 57 Cel for 30s");
  ASSERT_EQ(c.root().kind, Expr::Kind::kFor);
  EXPECT_EQ(c.root().duration, Duration(30s));
  EXPECT_EQ(c.root().children.at(0)->compare.quantity, "temperature");
  EXPECT_TRUE(c.uses_time());
  EXPECT_FALSE(parse_ok("temperature > 57 Cel").uses_time());

  // "for" binds to the comparison or group before it, tighter than "not".
  Condition a = parse_ok("a > 1 and b > 1 for 1m");
  ASSERT_EQ(a.root().kind, Expr::Kind::kAnd);
  EXPECT_EQ(a.root().children[1]->kind, Expr::Kind::kFor);
  Condition g = parse_ok("(a > 1 and b > 1) for 1m");
  ASSERT_EQ(g.root().kind, Expr::Kind::kFor);
  EXPECT_EQ(g.root().children[0]->kind, Expr::Kind::kAnd);
  Condition n = parse_ok("not a > 1 for 1m");
  ASSERT_EQ(n.root().kind, Expr::Kind::kNot);
  EXPECT_EQ(n.root().children[0]->kind, Expr::Kind::kFor);
  Condition m = parse_ok("(not a > 1) for 1m");
  ASSERT_EQ(m.root().kind, Expr::Kind::kFor);
  EXPECT_EQ(m.root().children[0]->kind, Expr::Kind::kNot);
  // A quantity may still be called "for" or "clear".
  EXPECT_EQ(parse_ok("for > 1 and clear < 2").quantities(), (std::vector<std::string>{"clear", "for"}));
}

TEST(ConditionTimeTest, ParsesHysteresis) {
  Condition c = parse_ok("temperature > 57 Cel clear < 50 Cel");
  const Comparison& cmp = c.root().compare;
  EXPECT_EQ(cmp.op, CompareOp::kGreater);
  EXPECT_EQ(cmp.threshold, 57);
  ASSERT_TRUE(cmp.clear.has_value());
  EXPECT_EQ(cmp.clear->op, CompareOp::kLess);
  EXPECT_EQ(cmp.clear->threshold, 50);
  EXPECT_TRUE(c.uses_time());
  // The clear unit may be left out; it is the raise unit.
  EXPECT_EQ(parse_ok("temperature > 57 Cel clear < 50").to_string(), "temperature > 57 Cel clear < 50 Cel");
  EXPECT_EQ(parse_ok("smoke>0.2 clear<=0.1").to_string(), "smoke > 0.2 clear <= 0.1");
}

TEST(ConditionTimeTest, ParsesWindows) {
  Condition c = parse_ok("avg(temperature, 5m) > 40 Cel");
  const Comparison& cmp = c.root().compare;
  EXPECT_EQ(cmp.aggregate, Aggregate::kAvg);
  EXPECT_EQ(cmp.quantity, "temperature");
  EXPECT_EQ(cmp.window, Duration(5min));
  EXPECT_EQ(cmp.unit, "Cel");
  EXPECT_TRUE(c.uses_time());
  const std::pair<const char*, Aggregate> cases[] = {
      {"avg", Aggregate::kAvg}, {"min", Aggregate::kMin},     {"max", Aggregate::kMax},
      {"sum", Aggregate::kSum}, {"count", Aggregate::kCount}, {"rate", Aggregate::kRate},
  };
  for (const auto& [name, agg] : cases) {
    Condition w = parse_ok(std::string(name) + "(x,60s)>=3");
    EXPECT_EQ(w.root().compare.aggregate, agg) << name;
    EXPECT_EQ(to_string(agg), name);
    EXPECT_EQ(w.to_string(), std::string(name) + "(x, 1m) >= 3");
  }
  // A quantity named like a function, when no "(" follows.
  EXPECT_EQ(parse_ok("avg > 1").root().compare.aggregate, Aggregate::kLatest);
  EXPECT_EQ(parse_ok("count(smoke, 60s) >= 3 count").root().compare.unit, "count");
  EXPECT_EQ(parse_ok("rate(water_level, 10m) > 5 cm clear < 1 cm for 1m").quantities(),
            std::vector<std::string>{"water_level"});
}

TEST(ConditionTimeTest, StatelessEvaluationOfTimeConstructs) {
  auto lookup = [](std::string_view) -> std::optional<Value> { return Value{60, "Cel"}; };
  EXPECT_FALSE(parse_ok("temperature > 57 Cel for 30s").evaluate(lookup));
  EXPECT_TRUE(parse_ok("not temperature > 57 Cel for 30s").evaluate(lookup));
  EXPECT_FALSE(parse_ok("avg(temperature, 5m) > 40 Cel").evaluate(lookup));
  EXPECT_TRUE(parse_ok("temperature > 57 Cel clear < 50 Cel").evaluate(lookup));
  EXPECT_FALSE(parse_ok("temperature > 61 Cel clear < 50 Cel").evaluate(lookup));
}

TEST(ConditionTimeTest, ToStringRoundTrips) {
  const std::pair<const char*, const char*> cases[] = {
      {"temperature > 57 Cel for 30s", "temperature > 57 Cel for 30s"},
      {"(a > 1 and b > 1) for 90s", "(a > 1 and b > 1) for 1m30s"},
      {"not (a > 1 for 1h30m)", "not a > 1 for 1h30m"},
      {"(not a > 1) for 2h", "(not a > 1) for 2h"},
      {"((a > 1) for 10s) for 20s", "(a > 1 for 10s) for 20s"},
      {"a > 1 for 1d or b < 2", "a > 1 for 1d or b < 2"},
      {"temperature > 57 Cel clear < 50 Cel", "temperature > 57 Cel clear < 50 Cel"},
      {"avg(temperature,300s)>40 Cel clear<=35 for 1m", "avg(temperature, 5m) > 40 Cel clear <= 35 Cel for 1m"},
      {"count(smoke, 60s) >= 3 and rate(water_level, 10m) > 5 cm", "count(smoke, 1m) >= 3 and rate(water_level, 10m) > 5 cm"},
      {"(max(t, 1m) > 1 or min(t, 1m) < 0) for 5m", "(max(t, 1m) > 1 or min(t, 1m) < 0) for 5m"},
  };
  for (const auto& [text, canonical] : cases) {
    std::string once = parse_ok(text).to_string();
    EXPECT_EQ(once, canonical) << text;
    EXPECT_EQ(parse_ok(once).to_string(), once) << text;
  }
}

struct ErrorCase {
  const char* text;
  std::size_t offset;
  std::string message;
};

TEST(ConditionTimeTest, ParseErrorsPointAtTheOffendingToken) {
  const std::string duration = "expected a duration such as 30s, 10m, 2h, 1d or 1h30m (1s to 365d), found ";
  const std::string ops = "expected a comparison operator (<, <=, >, >=, ==, !=), found ";
  const std::string connective = "expected \"and\", \"or\" or end of condition, found ";
  const ErrorCase cases[] = {
      {"a > 1 for", 9, duration + "end of condition"},
      {"a > 1 for 30", 10, duration + "\"30\""},
      {"a > 1 for 30 s", 10, duration + "\"30\""},
      {"a > 1 for 1m1h", 10, duration + "\"1m1h\""},
      {"a > 1 for 0s", 10, duration + "\"0s\""},
      {"a > 1 for 30s for 1m", 14, connective + "\"for\""},
      {"a > 1 for 30s 1m", 14, connective + "\"1m\""},
      {"for 30s", 4, ops + "\"30s\""},
      {"a > 1 clear", 11, ops + "end of condition"},
      {"a > 1 clear 5", 12, ops + "\"5\""},
      {"a > 1 clear < ", 14, "expected a number, found end of condition"},
      {"t > 57 Cel clear < 50 K", 22, "expected \"Cel\" (the raise threshold's unit) or no unit, found \"K\""},
      {"t > 57 clear < 50 Cel", 18, "expected no unit (the raise threshold has none), found \"Cel\""},
      {"t > 57 clear < 50 foo", 18,
       "expected a unit (Cel, K, degF, m, cm, mm, /, %, ppm, %LEL, %RH, dB, lx, W, V, A, s, count), found \"foo\""},
      {"a > 1 clear < 0 clear < 1", 16, connective + "\"clear\""},
      {"avg(t) > 1", 5, "expected \",\" and the window's length, e.g. \"avg(t, 5m)\", found \")\""},
      {"avg(t, ) > 1", 7, duration + "\")\""},
      {"avg(t, 5) > 1", 7, duration + "\"5\""},
      {"avg(t, 5m > 1", 10, "expected \")\", found \">\""},
      {"avg(, 5m) > 1", 4, "expected a quantity name, found \",\""},
      {"avg(not, 5m) > 1", 4, "expected a quantity name, found \"not\""},
      {"avg(t, 5m)", 10, ops + "end of condition"},
      {"mean(t, 5m) > 1", 4, ops + "\"(\"; window functions are avg, min, max, sum, count and rate"},
      {"count(smoke, 60s) >= 3 Cel", 23, "expected no unit or \"count\" after a count(...) threshold, found \"Cel\""},
      {"a > 1, b > 1", 5, connective + "\",\""},
  };
  for (const auto& c : cases) {
    ParseError err = parse_error(c.text);
    EXPECT_EQ(err.offset, c.offset) << c.text;
    EXPECT_EQ(err.message, c.message) << c.text;
  }
}

}  // namespace
}  // namespace lookout::rules
