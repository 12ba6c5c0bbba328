// The fifth version of the language: confirmation by several sensors ("2 of ... within
// 60s", "any ...", "offline(kind)"), incident reports ("reports(fire, 10m) >= 3"),
// registry attributes ("place.height_class == high_rise") and level references
// ("level(III) for 5m"): parsing, exact errors, printing and stateful semantics.
#include "lookout/rules/evaluator.h"
#include "condition_test_support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>

namespace lookout::rules {
namespace {

using testing::at_s;
using testing::parse_error;
using testing::parse_ok;

using namespace std::chrono_literals;

// An evaluator and one state fed with samples from named sensors.
struct Sensors {
  explicit Sensors(std::string_view text, EvaluatorOptions options = {})
      : eval(parse_ok(text), options), state(eval.new_state()) {}
  bool feed(std::string_view sensor, std::string_view q, double v, double seconds, std::string_view unit = "") {
    Time t = at_s(seconds);
    return eval.observe(*state, Sample{q, v, unit, t, sensor}, t);
  }
  bool at(double seconds) { return eval.advance(*state, at_s(seconds)); }
  Evaluator eval;
  Evaluator::StatePtr state;
};

TEST(SensorsTest, ParsesAndPrints) {
  Condition c = parse_ok("2 of smoke >= 0.08 / within 60s");
  ASSERT_TRUE(c.has_root());
  ASSERT_EQ(c.root().kind, Expr::Kind::kSensors);
  EXPECT_EQ(c.root().sensors.count, 2);
  EXPECT_EQ(c.root().sensors.compare.quantity, "smoke");
  EXPECT_EQ(c.root().sensors.compare.unit, "/");
  EXPECT_EQ(c.root().sensors.within, Duration(60s));
  EXPECT_EQ(c.quantities(), std::vector<std::string>{"smoke"});
  EXPECT_TRUE(c.uses_time());
  EXPECT_TRUE(c.uses_sensors());
  EXPECT_EQ(c.to_string(), "2 of smoke >= 0.08 / within 1m");
  EXPECT_EQ(parse_ok("any water_level > 5 cm").to_string(), "any water_level > 5 cm");
  EXPECT_EQ(parse_ok("offline(smoke_detector)").to_string(), "offline(smoke_detector)");
  EXPECT_EQ(parse_ok("3 of offline(smoke_detector) within 10m").to_string(), "3 of offline(smoke_detector) within 10m");
  EXPECT_EQ(parse_ok("offline(smoke_detector)").quantities(), std::vector<std::string>{"#status:smoke_detector"});
  EXPECT_EQ(parse_ok("(2 of smoke >= 0.08 within 60s) for 30s").to_string(), "2 of smoke >= 0.08 within 1m for 30s");
  // Quantities named like the new words still work where no construct starts.
  EXPECT_EQ(parse_ok("any == 1").root().kind, Expr::Kind::kCompare);
  EXPECT_EQ(parse_ok("offline == 1").root().kind, Expr::Kind::kCompare);
  EXPECT_EQ(parse_ok("level > 2 m").root().kind, Expr::Kind::kCompare);
  EXPECT_EQ(parse_ok("reports > 2").root().kind, Expr::Kind::kCompare);
}

TEST(SensorsTest, ErrorsSayWhatWasExpected) {
  ParseError e = parse_error("0 of smoke >= 1");
  EXPECT_EQ(e.offset, 0u);
  EXPECT_EQ(e.message, "expected a whole number of sensors from 1 to 1000 before \"of\", found \"0\"");
  e = parse_error("2.5 of smoke >= 1");
  EXPECT_EQ(e.offset, 0u);
  e = parse_error("2 of avg(smoke, 1m) >= 1");
  EXPECT_EQ(e.offset, 5u);
  EXPECT_EQ(e.message,
            "expected a quantity compared by its latest reading, e.g. \"smoke >= 0.08\", found \"avg\"; each sensor's "
            "own readings are compared; windows and absent() are not counted per sensor");
  e = parse_error("2 of smoke >= 1 within");
  EXPECT_EQ(e.offset, 22u);
  EXPECT_EQ(e.message, "expected a duration such as 30s, 10m, 2h, 1d or 1h30m (1s to 365d), found end of condition");
  e = parse_error("2 of smoke >= 1 clear < 0.5");
  EXPECT_EQ(e.offset, 16u);
  e = parse_error("offline(smoke_detector) == 1");
  EXPECT_EQ(e.offset, 24u);
  EXPECT_EQ(e.message,
            "expected \"and\", \"or\", \"for\" or end of condition, found \"==\"; offline(...) is true or false by "
            "itself and takes no comparison");
  e = parse_error("offline()");
  EXPECT_EQ(e.offset, 8u);
  EXPECT_EQ(e.message, "expected a kind of sensor as in the sensor registry, e.g. smoke_detector, found \")\"");
}

TEST(SensorsTest, CountsDifferentSensorsWithinTheWindow) {
  Sensors s("2 of smoke >= 0.08 within 60s");
  EXPECT_FALSE(s.feed("d1", "smoke", 0.10, 0));
  EXPECT_FALSE(s.feed("d1", "smoke", 0.20, 10));  // the same detector twice is one
  EXPECT_TRUE(s.feed("d2", "smoke", 0.09, 30));   // a second detector confirms
  EXPECT_TRUE(s.feed("d2", "smoke", 0.01, 40));   // within 60 s of its alarm: still counts
  EXPECT_TRUE(s.at(70));                          // d1's 0.20 at 10 s is 60 s old: still in
  EXPECT_FALSE(s.at(70.001));                     // now only d2 is within the window
  EXPECT_EQ(s.eval.next_change(*s.state, at_s(70.001)), at_s(90) + Duration(1));
  EXPECT_FALSE(s.at(95));
}

TEST(SensorsTest, LatestValuesWithoutWithin) {
  Sensors s("any water_level > 5 cm");
  EXPECT_FALSE(s.feed("w1", "water_level", 2, 0, "cm"));
  EXPECT_TRUE(s.feed("w2", "water_level", 0.06, 1, "m"));   // converted: 6 cm
  EXPECT_TRUE(s.feed("w1", "water_level", 1, 2, "cm"));    // w2 still holds
  EXPECT_FALSE(s.feed("w2", "water_level", 0.01, 3, "m"));  // its latest no longer does
  EXPECT_TRUE(s.feed("w2", "water_level", 9, 4, "cm"));
  EXPECT_TRUE(s.at(4 + 600));                               // the max age (10 min) ...
  EXPECT_FALSE(s.at(4 + 600.000001));                       // ... and no longer
}

TEST(SensorsTest, OfflineHoldsUntilTheSensorIsBack) {
  Sensors s("2 of offline(smoke_detector)");
  const std::string key = status_key("smoke_detector");
  EXPECT_FALSE(s.feed("d1", key, 1, 0));
  EXPECT_TRUE(s.feed("d2", key, 1, 5));
  EXPECT_TRUE(s.at(86400));  // a status has no max age
  EXPECT_FALSE(s.eval.next_change(*s.state, at_s(86400)).has_value());
  EXPECT_FALSE(s.feed("d1", key, 0, 86401));  // d1 is back online
}

TEST(SensorsTest, KeepsAtMostMaxSensors) {
  EvaluatorOptions options;
  options.max_sensors = 2;
  Sensors s("3 of smoke >= 1", options);
  s.feed("a", "smoke", 1, 0);
  s.feed("b", "smoke", 1, 1);
  EXPECT_FALSE(s.feed("c", "smoke", 1, 2));  // "a" was forgotten to make room
  std::size_t two = s.eval.state_bytes(*s.state);
  s.feed("d", "smoke", 1, 3);
  EXPECT_EQ(s.eval.state_bytes(*s.state), two);  // bounded
}

TEST(SensorsTest, ForgettingKeepsTheSensorsFindable) {
  EvaluatorOptions options;
  options.max_sensors = 2;
  Sensors s("2 of smoke >= 1", options);
  s.feed("b", "smoke", 1, 0);
  s.feed("c", "smoke", 1, 1);
  EXPECT_TRUE(s.feed("a", "smoke", 1, 2));   // "b" forgotten, "a" goes first: a and c count
  EXPECT_FALSE(s.feed("c", "smoke", 0, 3));  // found again (not added twice): only "a" now
  EXPECT_TRUE(s.feed("c", "smoke", 2, 4));
  EXPECT_FALSE(s.feed("a", "smoke", 0, 5));
}

TEST(ReportsTest, CountsReportsInAWindow) {
  Condition c = parse_ok("reports(thrown_object, 7d) >= 3");
  ASSERT_EQ(c.root().kind, Expr::Kind::kCompare);
  EXPECT_EQ(c.root().compare.quantity, "#report:thrown_object");
  EXPECT_EQ(c.root().compare.aggregate, Aggregate::kCount);
  EXPECT_EQ(c.to_string(), "reports(thrown_object, 7d) >= 3");
  EXPECT_EQ(c.quantities(), std::vector<std::string>{"#report:thrown_object"});

  Sensors s("reports(fire, 10m) >= 2");
  const std::string key = report_key("fire");
  EXPECT_FALSE(s.feed("r-1", key, 1, 0));
  EXPECT_FALSE(s.feed("r-2", report_key("noise"), 1, 1));  // another category
  EXPECT_TRUE(s.feed("r-3", key, 1, 300));
  EXPECT_TRUE(s.at(600));
  EXPECT_FALSE(s.at(600.001));  // r-1 left the window
}

TEST(ReportsTest, Errors) {
  ParseError e = parse_error("reports(Fire, 10m) >= 2");
  EXPECT_EQ(e.offset, 8u);
  EXPECT_EQ(e.message,
            "expected a report category (1 to 64 of a-z, 0-9 and '_', starting with a letter), e.g. fire, found \"Fire\"");
  e = parse_error("reports(fire) >= 2");
  EXPECT_EQ(e.offset, 12u);
  EXPECT_EQ(e.message, "expected \",\" and the window's length, e.g. \"reports(fire, 10m)\", found \")\"");
  e = parse_error("reports(fire, 10m) >= 2 ppm");
  EXPECT_EQ(e.offset, 24u);
  EXPECT_EQ(e.message, "expected no unit or \"count\" after a reports(...) threshold, found \"ppm\"");
}

TEST(AttributeTest, ParsesPrintsAndEvaluates) {
  Condition c = parse_ok("place.height_class == high_rise and sensor.lives_alone and place.floors >= 18");
  ASSERT_EQ(c.attributes().size(), 3u);
  EXPECT_EQ(c.attributes()[0].target, Attribute::Target::kPlace);
  EXPECT_EQ(c.attributes()[0].name, "height_class");
  EXPECT_TRUE(c.attributes()[1].bare);
  EXPECT_TRUE(c.uses_sensors());  // a sensor attribute needs a per-sensor plan
  EXPECT_FALSE(parse_ok("place.floors > 3").uses_sensors());
  EXPECT_EQ(c.to_string(), "place.height_class == high_rise and sensor.lives_alone and place.floors >= 18");
  EXPECT_TRUE(c.quantities().empty());

  std::map<std::string, std::string> place = {{"height_class", "high_rise"}, {"floors", "24"}};
  std::map<std::string, std::string> sensor = {{"lives_alone", "yes"}};
  auto lookup = [&](Attribute::Target t, std::string_view name) -> std::optional<std::string> {
    const auto& m = t == Attribute::Target::kPlace ? place : sensor;
    auto it = m.find(std::string(name));
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
  Sensors s(c.to_string());
  EXPECT_FALSE(s.at(0));  // no attributes given yet: false
  s.eval.set_attributes(*s.state, lookup, at_s(1));
  EXPECT_TRUE(s.at(1));
  place["floors"] = "12";
  s.eval.set_attributes(*s.state, lookup, at_s(2));
  EXPECT_FALSE(s.at(2));
}

TEST(AttributeTest, Holds) {
  auto attr = [](std::string_view text) { return parse_ok(text).attributes().at(0); };
  EXPECT_TRUE(attribute_holds(attr("place.x == 3"), "3.0"));  // numbers compare as numbers
  EXPECT_TRUE(attribute_holds(attr("place.x != a"), "b"));
  EXPECT_FALSE(attribute_holds(attr("place.x != a"), std::nullopt));  // missing: false, always
  EXPECT_FALSE(attribute_holds(attr("place.x > 3"), "many"));
  EXPECT_TRUE(attribute_holds(attr("place.x"), "true"));
  EXPECT_FALSE(attribute_holds(attr("place.x"), "no"));
  ParseError e = parse_error("place.Height == 3");
  EXPECT_EQ(e.offset, 6u);
  e = parse_error("place.x > high");
  EXPECT_EQ(e.offset, 10u);
  EXPECT_EQ(e.message, "expected a number (<, <=, > and >= compare numbers), found \"high\"");
}

TEST(LevelRefTest, SubstitutesTheReferencedCondition) {
  Condition c = parse_ok("level(III) for 5m or co > 100 ppm");
  EXPECT_EQ(c.level_refs(), std::vector<int>{3});
  EXPECT_EQ(c.to_string(), "level(III) for 5m or co > 100 ppm");
  Condition three = parse_ok("gas_lel >= 10 %LEL");
  Condition resolved = c.with_levels([&](int level) { return level == 3 ? &three.root() : nullptr; });
  EXPECT_TRUE(resolved.level_refs().empty());
  EXPECT_EQ(resolved.to_string(), "gas_lel >= 10 %LEL for 5m or co > 100 ppm");
  EXPECT_EQ(resolved.quantities(), (std::vector<std::string>{"co", "gas_lel"}));
  ParseError e = parse_error("level(V)");
  EXPECT_EQ(e.offset, 6u);
  EXPECT_EQ(e.message, "expected a warning level (I, II, III or IV), found \"V\"");
}

}  // namespace
}  // namespace lookout::rules
