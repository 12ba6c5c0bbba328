// Differential test: rules::Evaluator (incremental, bounded) against the brute-force
// ReferenceEvaluator on random conditions and random streams, with fixed seeds.
//
// Sensor atoms ("2 of t > 50 Cel within 30s", "any", "offline(k)") see samples from
// three sensors; reports ("reports(fire, 1m) >= 2") one sample per report; attribute
// atoms ("place.h == x") a random registry snapshot that changes now and then.
//
// Absence atoms ("absent(q, T)") use the window lengths, so the boundary moments probed
// (a sample's time + T, exactly and a tick either side) include theirs.
//
// Calendar atoms ("during", "on") use times on a 30-minute grid and the zones UTC,
// Asia/Shanghai and America/New_York (starting near its DST changes), whose offsets and
// transitions are on that grid too, as the reference requires.
//
// Values are on a grid of quarters and conversions multiply by powers of ten, so every
// sum is exact in both evaluators whatever the order of additions: any difference is a
// bug, not rounding.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include <date/date.h>
#include <date/tz.h>

#include "lookout/rules/evaluator.h"
#include "reference_evaluator_test_support.h"

namespace lookout::rules {
namespace {

using namespace std::chrono_literals;

class Gen {
 public:
  explicit Gen(std::uint32_t seed) : rng_(seed) {}
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[static_cast<std::size_t>(uniform(0, static_cast<int>(v.size()) - 1))]; }

  // Quantities: a (no unit, 0..4), t (Cel, 45..60), w (water level, m or cm), b (0/1).
  std::string op() { return pick<std::string>({"<", "<=", ">", ">=", "==", "!="}); }
  std::string quarter(double lo, int steps) {
    std::ostringstream s;
    s << lo + 0.25 * uniform(0, steps);
    return s.str();
  }
  std::string duration() { return pick<std::string>({"5s", "10s", "30s", "1m", "2m", "5m"}); }

  std::string threshold(char q, const std::string& agg, std::string& unit) {
    if (agg == "count") {
      unit = chance(0.3) ? " count" : "";
      return std::to_string(uniform(0, 5));
    }
    double scale = agg == "sum" ? 4 : 1;
    if (agg == "rate") {
      switch (q) {
        case 't': unit = " Cel"; return quarter(-2, 16);
        case 'w': unit = chance(0.5) ? " cm" : " mm"; return quarter(-50, 400);
        default: unit = ""; return quarter(-2, 16);
      }
    }
    switch (q) {
      case 't': unit = " Cel"; return quarter(45 * scale, static_cast<int>(60 * scale));
      case 'w': unit = chance(0.5) ? " cm" : " mm"; return std::to_string(uniform(0, 8) * 25 * static_cast<int>(scale));
      case 'b': unit = ""; return std::to_string(uniform(0, 1));
      default: unit = ""; return quarter(0, static_cast<int>(16 * scale));
    }
  }

  // A calendar atom on the reference's 30-minute grid.
  std::string calendar() {
    calendar_ = true;
    auto time = [&](int half_hours) {
      std::ostringstream t;
      t << (half_hours / 2 < 10 ? "0" : "") << half_hours / 2 << (half_hours % 2 ? ":30" : ":00");
      return t.str();
    };
    switch (uniform(0, 3)) {
      case 0:
      case 1: {
        // Often near 01:00-03:00, where New York's clocks change.
        int start = chance(0.4) ? uniform(2, 6) : uniform(0, 47);
        int end = chance(0.4) ? uniform(2, 6) : uniform(0, 47);
        if (end == start) end = (start + uniform(1, 47)) % 48;
        return "during " + time(start) + "-" + time(end);
      }
      case 2: return chance(0.5) ? "on weekdays" : "on weekends";
      default: {
        static const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
        std::string text;
        for (const char* d : kDays) {
          if (chance(0.4)) text += (text.empty() ? "" : ",") + std::string(d);
        }
        return "on " + (text.empty() ? std::string("sun") : text);
      }
    }
  }

  // Sensor atoms, reports and attributes (the fifth version of the language).
  std::string sensors_leaf(char q) {
    std::string unit;
    std::string text = chance(0.3) ? "any " : std::to_string(uniform(1, 3)) + " of ";
    text += std::string(1, q) + " " + op() + " " + threshold(q, "", unit) + unit;
    if (chance(0.5)) text += " within " + pick<std::string>({"10s", "30s", "1m", "5m"});
    return text;
  }

  std::string leaf() {
    if (chance(0.12)) return calendar();
    const int kind = uniform(0, 99);
    if (kind < 4) return chance(0.5) ? "offline(k)" : std::to_string(uniform(1, 3)) + " of offline(k)";
    if (kind < 8) {
      std::string unit;
      return "reports(" + pick<std::string>({"fire", "noise"}) + ", " + pick<std::string>({"10s", "30s", "1m", "5m"}) +
             ") " + op() + " " + std::to_string(uniform(0, 4));
    }
    if (kind < 13) {
      switch (uniform(0, 3)) {
        case 0: return "place.h " + pick<std::string>({"==", "!="}) + " " + pick<std::string>({"x", "y"});
        case 1: return "place.n " + op() + " " + std::to_string(uniform(1, 3));
        case 2: return "sensor.s";
        default: return "place.s";
      }
    }
    char q = pick<char>({'a', 't', 'w', 'b'});
    if (kind < 25) return sensors_leaf(q);
    if (chance(0.1)) {
      // An absence atom: its moments (a sample's time + T) are among the boundaries probed.
      return "absent(" + std::string(1, q) + ", " + pick<std::string>({"10s", "30s", "1m", "5m"}) + ")";
    }
    std::string agg;
    std::string text(1, q);
    if (chance(0.45)) {
      agg = pick<std::string>({"avg", "min", "max", "sum", "count", "rate"});
      text = agg + "(" + std::string(1, q) + ", " + pick<std::string>({"10s", "30s", "1m", "5m"}) + ")";
    }
    std::string unit;
    text += " " + op() + " " + threshold(q, agg, unit) + unit;
    if (chance(0.2)) {
      std::string clear_unit;
      text += " clear " + op() + " " + threshold(q, agg, clear_unit);
      if (chance(0.5) && clear_unit == unit) text += clear_unit;
    }
    return text;
  }

  std::string expr(int depth) {
    if (depth == 0 || chance(0.3)) return leaf();
    switch (uniform(0, 4)) {
      case 0:
      case 1: {
        std::string joiner = chance(0.5) ? " and " : " or ";
        std::string text = "(" + expr(depth - 1) + ")";
        for (int i = uniform(1, 2); i > 0; --i) text += joiner + "(" + expr(depth - 1) + ")";
        return text;
      }
      case 2: return "not (" + expr(depth - 1) + ")";
      default: return "(" + expr(depth - 1) + ") for " + duration();
    }
  }

  // A condition that branches at every level down to `depth` (three ways, sometimes
  // under a not or a for), over small random ones: at depth 3 and more, well over 64
  // nodes.
  std::string wide_expr(int depth) {
    if (depth == 0) return expr(1);
    const std::string joiner = chance(0.5) ? " and " : " or ";
    std::string text = "(" + wide_expr(depth - 1) + ")";
    for (int i = 0; i < 2; ++i) text += joiner + "(" + wide_expr(depth - 1) + ")";
    if (chance(0.1)) return "not (" + text + ")";
    if (chance(0.1)) return "(" + text + ") for " + duration();
    return text;
  }

  std::mt19937 rng_;
  bool calendar_ = false;  // the condition has a calendar atom
};

struct Case {
  std::string text;
  std::uint32_t seed = 0;
};

// How often each new construct was exercised with both outcomes (so that a generator
// change cannot quietly stop testing it).
struct Coverage {
  int sensors = 0;     // cases with a sensor atom whose truth was seen both true and false
  int reports = 0;
  int attributes = 0;
};

// The nodes of a condition's tree, repeated subtrees counted each time.
std::size_t tree_size(const Expr& e) {
  std::size_t n = 1;
  for (const auto& child : e.children) n += tree_size(*child);
  return n;
}

// Runs one random case; returns false (after reporting) on the first disagreement.
// `wide`: the condition is Gen::wide_expr() of depth 2 to 4 rather than expr(); `nodes`,
// when given, gets the size of its tree.
bool run_case(std::uint32_t seed, int steps, Coverage& coverage, bool wide = false, std::size_t* nodes = nullptr) {
  Gen g(seed);
  const std::string text = wide ? g.wide_expr(g.uniform(2, 4)) : g.expr(g.uniform(0, 3));
  auto parsed = Condition::parse(text);
  if (auto* err = std::get_if<ParseError>(&parsed)) {
    ADD_FAILURE() << "seed " << seed << ": generated \"" << text << "\" does not parse: " << err->offset << ": "
                  << err->message;
    return false;
  }
  Condition condition = std::get<Condition>(std::move(parsed));
  if (nodes != nullptr) *nodes = condition.has_root() ? tree_size(condition.root()) : 0;
  {
    auto again = Condition::parse(condition.to_string());
    if (!std::holds_alternative<Condition>(again) || std::get<Condition>(again).to_string() != condition.to_string()) {
      ADD_FAILURE() << "seed " << seed << ": \"" << condition.to_string() << "\" does not round-trip";
      return false;
    }
  }
  EvaluatorOptions options;
  options.max_value_age = g.pick<Duration>({10min, 45s, 3min});
  options.max_window_samples = g.pick<std::size_t>({4096, 4096, 3, 1});
  const std::string zone = g.pick<std::string>({"UTC", "Asia/Shanghai", "America/New_York", "America/New_York"});
  options.time_zone = date::locate_zone(zone);
  Evaluator fast(condition, options);
  auto state = fast.new_state();
  testing::ReferenceEvaluator slow(condition, options);
  // Registry attributes: a random snapshot now and then, given to both evaluators.
  auto new_attributes = [&]() -> AttributeLookup {
    std::map<std::string, std::string> place;
    std::map<std::string, std::string> sensor;
    if (!g.chance(0.2)) place["h"] = g.pick<std::string>({"x", "y"});
    if (!g.chance(0.2)) place["n"] = g.pick<std::string>({"1", "2", "3", "abc", "2.0"});
    if (!g.chance(0.2)) place["s"] = g.pick<std::string>({"true", "yes", "no"});
    if (!g.chance(0.2)) sensor["s"] = g.pick<std::string>({"true", "1", "false"});
    return [place, sensor](Attribute::Target target, std::string_view name) -> std::optional<std::string> {
      const auto& m = target == Attribute::Target::kPlace ? place : sensor;
      auto it = m.find(std::string(name));
      if (it == m.end()) return std::nullopt;
      return it->second;
    };
  };
  {
    auto attrs = new_attributes();
    fast.set_attributes(*state, attrs, Time{});
    slow.set_attributes(attrs, Time{});
  }

  std::vector<std::string> qs = condition.quantities();
  qs.push_back("zz");  // read by no comparison
  Time now = Time{} + 24h * 20000;
  if (g.calendar_) {
    // Near New York's DST changes (2024-11-03 06:00 UTC, 2025-03-09 07:00 UTC), or not.
    now = g.pick<Time>({now, Time(date::sys_days(date::year(2024) / 11 / 3)), Time(date::sys_days(date::year(2025) / 3 / 9))}) +
          30min * g.uniform(0, 20);
  }
  std::vector<Time> seen;  // sample times, for boundary moments
  std::ostringstream log;
  auto gap = [&]() -> Duration {
    int r = g.uniform(0, 99);
    if (r < 30) return Duration(0);
    if (r < 70) return std::chrono::seconds(g.uniform(1, 10));
    if (r < 75) return std::chrono::milliseconds(g.uniform(1, 999));
    if (g.calendar_ && r < 82) return std::chrono::minutes(g.uniform(20, 300));  // across calendar boundaries
    if (r < 90) return std::chrono::seconds(g.uniform(10, 120));
    return std::chrono::seconds(g.uniform(300, 1200));
  };
  std::optional<Time> clock;  // the evaluators' time: the latest time passed to them
  auto passed = [&](Time t) { clock = clock ? std::max(*clock, t) : t; };
  bool seen_true = false;
  bool seen_false = false;
  for (int step = 0; step < steps; ++step) {
    int r = g.uniform(0, 99);
    bool got_fast = false;
    bool got_slow = false;
    if (r < 3) {
      // The registries change at a later moment, or at the evaluators' own time, or
      // (as the engine may be told late) at an earlier one; then time moves again.
      auto attrs = new_attributes();
      const int when = g.uniform(0, 3);
      Time at = now;
      if (when < 2) at = now += gap();
      else if (when == 2) at = now - std::chrono::seconds(g.uniform(1, 60));
      log << "  " << step << ": new attributes at now+" << (at.time_since_epoch().count() % 1000000000000000);
      passed(at);
      fast.set_attributes(*state, attrs, at);
      slow.set_attributes(attrs, at);
      if (fast.truth(*state) != slow.truth()) {
        ADD_FAILURE() << "condition \"" << condition.to_string() << "\" in " << zone << " seed " << seed << " step "
                      << step << ": after new attributes, evaluator " << fast.truth(*state) << ", reference "
                      << slow.truth() << "\n"
                      << log.str();
        return false;
      }
      now += gap();
      log << ", advance now+" << (now.time_since_epoch().count() % 1000000000000000) << "\n";
      passed(now);
      got_fast = fast.advance(*state, now);
      got_slow = slow.advance(now);
    } else if (r < 55) {
      now += gap();
      std::string q = g.pick(qs);
      double value = 0.25 * g.uniform(0, 16);
      std::string unit;
      std::string sensor = g.pick<std::string>({"s1", "s2", "s3"});
      if (q.starts_with(kStatusKeyPrefix)) {
        value = g.uniform(0, 1);  // 1 offline, 0 online
      } else if (q.starts_with(kReportKeyPrefix)) {
        value = 1;
        sensor = "r" + std::to_string(step);  // every report is a different one
      } else if (q == "t") {
        value = 45 + 0.5 * g.uniform(0, 30);
        unit = g.chance(0.05) ? "m" : (g.chance(0.5) ? "Cel" : "");
      } else if (q == "w") {
        bool cm = g.chance(0.5);
        value = cm ? 25.0 * g.uniform(0, 8) : 0.25 * g.uniform(0, 8);
        unit = cm ? "cm" : "m";
      } else if (q == "b") {
        value = g.uniform(0, 1);
      }
      if (g.chance(0.03)) value = std::nan("");
      Time t = now;
      int tr = g.uniform(0, 99);
      if (tr < 10) t = now - std::chrono::seconds(g.uniform(1, 120));
      else if (tr < 14) t = now + 10s;
      else if (tr < 18) t = now - std::chrono::seconds(g.uniform(600, 1500));
      seen.push_back(std::min(t, now));
      log << "  " << step << ": observe " << q << "=" << value << unit << " from " << sensor << " @" << (t - now).count()
          << " now+" << (now.time_since_epoch().count() % 1000000000000000) << "\n";
      Sample s{q, value, unit, t, sensor};
      passed(now);
      // By name, or (every other step) by the index the engine keeps for a route.
      got_fast = step % 2 == 0 ? fast.observe(*state, s, now) : fast.observe(*state, s, now, fast.quantity_index(q));
      got_slow = slow.observe(s, now);
    } else if (r < 90) {
      if (g.calendar_ && g.chance(0.25)) {
        // A calendar boundary (the next whole 30 minutes of UTC), exactly or a tick either side.
        Time b = Time(30min * ((now.time_since_epoch() + 1ns) / Duration(30min) + 1)) + Duration(g.uniform(-1, 1));
        if (b > now) now = b;
      } else if (!seen.empty() && g.chance(0.4)) {
        // A boundary: a sample's expiry or window exit, exactly, or a tick either side.
        Duration d = g.pick<Duration>({options.max_value_age, 10s, 30s, 1min, 5min, 5s, 2min});
        Time b = g.pick(seen) + d + Duration(g.uniform(-1, 1));
        if (b > now) now = b;
      } else {
        now += gap();
      }
      log << "  " << step << ": advance now+" << (now.time_since_epoch().count() % 1000000000000000) << "\n";
      passed(now);
      got_fast = fast.advance(*state, now);
      got_slow = slow.advance(now);
    } else {
      Time back = now - std::chrono::seconds(g.uniform(1, 300));
      log << "  " << step << ": advance back to now-" << (now - back).count() << "\n";
      passed(back);
      got_fast = fast.advance(*state, back);
      got_slow = slow.advance(back);
    }
    (got_fast ? seen_true : seen_false) = true;
    if (got_fast != got_slow) {
      ADD_FAILURE() << "condition \"" << condition.to_string() << "\" in " << zone << " seed " << seed << " step " << step
                    << ": evaluator " << got_fast << ", reference " << got_slow << "\n"
                    << log.str();
      return false;
    }
    if (g.chance(0.3)) {
      // next_change: nothing may change before it.
      std::optional<Time> next = fast.next_change(*state, *clock);
      if (next && *next <= *clock) {
        ADD_FAILURE() << "seed " << seed << " step " << step << ": next_change not after now\n" << log.str();
        return false;
      }
      Time probe = next ? *next - Duration(1) : *clock + 48h;
      testing::ReferenceEvaluator copy = slow;
      if (probe > *clock && copy.advance(probe) != got_slow) {
        ADD_FAILURE() << "condition \"" << condition.to_string() << "\" seed " << seed << " step " << step
                      << ": truth changes before next_change "
                      << (next ? std::to_string((*next - *clock).count()) + " ns" : std::string("(none)")) << "\n"
                      << log.str();
        return false;
      }
    }
  }
  if (seen_true && seen_false) {
    const std::string canonical = condition.to_string();
    if (canonical.find(" of ") != std::string::npos || canonical.find("any ") != std::string::npos ||
        canonical.find("offline(") != std::string::npos) {
      ++coverage.sensors;
    }
    if (canonical.find("reports(") != std::string::npos) ++coverage.reports;
    if (!condition.attributes().empty()) ++coverage.attributes;
  }
  return true;
}

TEST(EvaluatorDifferentialTest, AgreesWithTheReference) {
  constexpr std::uint32_t kCases = 3000;
  Coverage coverage;
  for (std::uint32_t seed = 1; seed <= kCases; ++seed) {
    if (!run_case(seed, 40, coverage)) return;  // one report is enough
  }
  EXPECT_GE(coverage.sensors, 100);
  EXPECT_GE(coverage.reports, 30);
  EXPECT_GE(coverage.attributes, 50);
  std::cout << "cases that changed truth: " << coverage.sensors << " with sensor atoms, " << coverage.reports
            << " with reports, " << coverage.attributes << " with attributes\n";
}

// Programs of more than 64 nodes evaluate every node at every step, smaller ones only
// what may have changed (evaluator.cpp, step()); the cases above are mostly small.
// These are deeper, so both kinds are checked against the reference.
TEST(EvaluatorDifferentialTest, LargeConditionsAgreeWithTheReference) {
  constexpr std::uint32_t kCases = 300;
  Coverage coverage;
  int large = 0;
  int small = 0;
  for (std::uint32_t seed = 1; seed <= kCases; ++seed) {
    std::size_t nodes = 0;
    if (!run_case(100000 + seed, 40, coverage, true, &nodes)) return;
    (nodes > 100 ? large : small) += 1;
  }
  // Over 100 written nodes: more than 64 compiled ones unless most of it repeats.
  EXPECT_GE(large, 60);
  EXPECT_GE(small, 30);
  std::cout << large << " conditions of more than 100 nodes, " << small << " smaller\n";
}

// Several conditions compiled into one Evaluator (as the engine does with a plan's
// levels) give, for each, exactly what an Evaluator of it alone gives, with the same
// calls: its truth after every call, and the earliest next_change of them all. The one
// State steps at every moment any of them has something due; the others must not
// notice. Some conditions repeat others (whole or in part), so that their shared nodes
// are exercised.
TEST(EvaluatorDifferentialTest, SeveralConditionsInOneEvaluatorAgreeWithEachAlone) {
  constexpr std::uint32_t kCases = 1500;
  for (std::uint32_t seed = 1; seed <= kCases; ++seed) {
    Gen g(seed + 100000);
    std::vector<Condition> conditions;
    std::vector<std::string> qs{"zz"};
    const int count = g.uniform(1, 4);
    for (int i = 0; i < count; ++i) {
      auto parsed = Condition::parse(g.expr(g.uniform(0, 3)));
      ASSERT_TRUE(std::holds_alternative<Condition>(parsed)) << "seed " << seed;
      conditions.push_back(std::get<Condition>(std::move(parsed)));
      for (const auto& q : conditions.back().quantities()) qs.push_back(q);
    }
    // Conditions that repeat the others, as a plan's default resolve rule repeats its
    // levels ("not (L1 or L2 ...)"): their nodes are shared with the ones above.
    if (g.chance(0.5)) {
      std::string text;
      for (const auto& c : conditions) text += (text.empty() ? "" : " or ") + ("(" + c.to_string() + ")");
      auto parsed = Condition::parse("not (" + text + ")");
      ASSERT_TRUE(std::holds_alternative<Condition>(parsed)) << "seed " << seed;
      conditions.push_back(std::get<Condition>(std::move(parsed)));
    }
    if (g.chance(0.3)) conditions.push_back(conditions[static_cast<std::size_t>(g.uniform(0, count - 1))]);
    if (g.chance(0.3)) {
      // The same subtree under nodes that differ only in a parameter: not shared.
      for (const char* d : {"30s", "2m"}) {
        auto parsed = Condition::parse("(" + conditions.front().to_string() + ") for " + d);
        ASSERT_TRUE(std::holds_alternative<Condition>(parsed)) << "seed " << seed;
        conditions.push_back(std::get<Condition>(std::move(parsed)));
      }
    }
    if (g.chance(0.3)) {
      auto parsed = Condition::parse("(" + conditions.front().to_string() + ") and (" + g.expr(g.uniform(0, 2)) + ")");
      ASSERT_TRUE(std::holds_alternative<Condition>(parsed)) << "seed " << seed;
      conditions.push_back(std::get<Condition>(std::move(parsed)));
      for (const auto& q : conditions.back().quantities()) qs.push_back(q);
    }
    EvaluatorOptions options;
    options.max_value_age = g.pick<Duration>({10min, 45s});
    options.max_window_samples = g.pick<std::size_t>({4096, 3});
    options.time_zone = date::locate_zone(g.pick<std::string>({"UTC", "America/New_York"}));
    Evaluator together(conditions, options);
    ASSERT_EQ(together.conditions(), conditions.size());
    auto state = together.new_state();
    std::vector<Evaluator> alone;
    std::vector<Evaluator::StatePtr> states;
    for (const auto& c : conditions) {
      alone.emplace_back(c, options);
      states.push_back(alone.back().new_state());
    }
    auto attributes = [&]() -> AttributeLookup {
      const std::string h = g.pick<std::string>({"x", "y"});
      const std::string n = g.pick<std::string>({"1", "2", "3"});
      const std::string sv = g.pick<std::string>({"true", "no"});
      return [h, n, sv](Attribute::Target, std::string_view name) -> std::optional<std::string> {
        if (name == "h") return h;
        if (name == "n") return n;
        if (name == "s") return sv;
        return std::nullopt;
      };
    };
    auto set_attributes = [&](Time at) {
      auto lookup = attributes();
      together.set_attributes(*state, lookup, at);
      for (std::size_t i = 0; i < alone.size(); ++i) alone[i].set_attributes(*states[i], lookup, at);
    };
    set_attributes(Time{});
    Time now = Time{} + 24h * 20000 + 30min * g.uniform(0, 20);
    std::ostringstream log;
    for (int step = 0; step < 60; ++step) {
      const int r = g.uniform(0, 99);
      bool first_together = false;
      bool first_alone = false;
      if (r < 55) {
        now += std::chrono::seconds(g.pick<int>({0, 0, 1, 5, 9, 30, 200, 700}));
        const std::string q = g.pick(qs);
        double value = 0.25 * g.uniform(0, 16);
        std::string unit;
        std::string sensor = g.pick<std::string>({"s1", "s2"});
        if (q == "t") {
          value = 45 + 0.5 * g.uniform(0, 30);
          unit = g.chance(0.5) ? "Cel" : "";
        } else if (q == "w") {
          unit = g.chance(0.5) ? "cm" : "m";
        } else if (q.starts_with(kStatusKeyPrefix)) {
          value = g.uniform(0, 1);
        } else if (q.starts_with(kReportKeyPrefix)) {
          value = 1;
          sensor = "r" + std::to_string(step);
        }
        const Time t = g.chance(0.15) ? now - std::chrono::seconds(g.uniform(1, 120)) : now;
        log << "  " << step << ": observe " << q << "=" << value << unit << " @" << (now - t).count() << "\n";
        const Sample sample{q, value, unit, t, sensor};
        first_together = together.observe(*state, sample, now);
        for (std::size_t i = 0; i < alone.size(); ++i) {
          const bool got = alone[i].observe(*states[i], sample, now);
          if (i == 0) first_alone = got;
        }
      } else if (r < 62) {
        set_attributes(now);
        log << "  " << step << ": new attributes\n";
        first_together = together.advance(*state, now);
        for (std::size_t i = 0; i < alone.size(); ++i) {
          const bool got = alone[i].advance(*states[i], now);
          if (i == 0) first_alone = got;
        }
      } else {
        now += std::chrono::seconds(g.pick<int>({1, 10, 31, 61, 121, 301, 601, 3600}));
        log << "  " << step << ": advance\n";
        first_together = together.advance(*state, now);
        for (std::size_t i = 0; i < alone.size(); ++i) {
          const bool got = alone[i].advance(*states[i], now);
          if (i == 0) first_alone = got;
        }
      }
      ASSERT_EQ(first_together, first_alone) << "seed " << seed << " step " << step << "\n" << log.str();
      std::optional<Time> earliest;
      for (std::size_t i = 0; i < alone.size(); ++i) {
        ASSERT_EQ(together.truth(*state, i), alone[i].truth(*states[i]))
            << "seed " << seed << " step " << step << " condition " << i << " \"" << conditions[i].to_string()
            << "\"\n" << log.str();
        auto next = alone[i].next_change(*states[i], now);
        if (next && (!earliest || *next < *earliest)) earliest = next;
      }
      ASSERT_EQ(together.next_change(*state, now), earliest) << "seed " << seed << " step " << step << "\n" << log.str();
      std::uint64_t sum = 0;
      for (std::size_t i = 0; i < alone.size(); ++i) {
        ASSERT_EQ(together.unit_mismatches(*state, i), alone[i].unit_mismatches(*states[i])) << "seed " << seed;
        sum += alone[i].unit_mismatches(*states[i]);
      }
      ASSERT_EQ(together.unit_mismatches(*state), sum) << "seed " << seed;
    }
  }
}

}  // namespace
}  // namespace lookout::rules
