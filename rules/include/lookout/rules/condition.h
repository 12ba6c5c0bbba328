// Conditions: the rule language of contingency plans (docs/plans.md).
//
// This first version covers comparisons of a quantity against a threshold, with an
// optional unit, combined with and / or / not and parentheses:
//
//     smoke >= 0.15
//     temperature > 57 Cel and smoke > 0.05
//     gas_lel >= 10 %LEL or (co > 50 ppm and not door == 1)
//
// and, since the second version, with TIME (docs/conditions.md has the full semantics):
//
//     temperature > 57 Cel for 30s                  duration: held continuously 30 s
//     temperature > 57 Cel clear < 50 Cel           hysteresis: raise at 57, clear at 50
//     avg(temperature, 5m) > 40 Cel                 windows: avg min max sum count rate
//     count(smoke, 60s) >= 3 and rate(water_level, 10m) > 5 cm
//
// Durations are written as integers with d, h, m, s in that order, glued: 30s, 10m, 2h,
// 1d, 1h30m (1 s to 365 d). Precedence: "for" applies to the comparison or the
// parenthesised group just before it and binds tighter than "not":
// "not a > 1 for 30s" is "not (a > 1 for 30s)"; write "(not a > 1) for 30s" for the other.
//
// and, since the third version, with the CALENDAR (local time in the plan's time zone):
//
//     smoke >= 0.08 and during 22:00-06:00          time of day: [22:00, 06:00), may wrap
//     co > 50 ppm and on weekdays                   days: weekdays, weekends, mon,tue,fri
//
// and, since the fourth version, with ABSENCE (no reading of a quantity for a while):
//
//     absent(motion, 12h)                           no motion sample in (now - 12h, now]
//     absent(heartbeat, 30m) and not during 00:00-06:00
//
// and, since the fifth version, with SENSORS, REPORTS, ATTRIBUTES and LEVELS:
//
//     2 of smoke >= 0.08 within 60s                 at least 2 different sensors agreed
//     any water_level > 5 cm                        some sensor's latest value (= 1 of)
//     offline(smoke_detector)                       a sensor of that kind said "offline"
//     reports(thrown_object, 7d) >= 3               distinct incident reports in a window
//     place.height_class == high_rise               registry attributes (place or sensor)
//     level(III) for 5m                             another level's condition (plans only)
//
// The parser is a recursive-descent parser over a token stream so that each construct
// adds a production, not a rewrite.
//
// A Condition is compiled once, when a plan is loaded, and evaluated many times.
// Condition::evaluate() is the stateless evaluation and knows nothing of time; a
// condition that uses_time() must be evaluated by a rules::Evaluator (evaluator.h),
// which keeps per-scope state. Thread-safety: immutable after parse; evaluate() is
// const and re-entrant.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lookout/base/clock.h"

namespace lookout::rules {

enum class CompareOp : std::uint8_t { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };
std::string_view to_string(CompareOp op);  // "<", "<=", ...

// `value op threshold`. A value that went through a unit conversion and lies within
// rounding error of the threshold counts as equal to it (0.3 m is
// 30.000000000000004 cm, and must meet "<= 30 cm"). Shared by every evaluator; inline,
// as the compiled evaluator calls it for every comparison at every step.
inline bool satisfies(double value, CompareOp op, double threshold, bool converted) {
  if (converted && std::fabs(value - threshold) <= 1e-12 * std::max(std::fabs(value), std::fabs(threshold))) {
    value = threshold;
  }
  switch (op) {
    case CompareOp::kLess: return value < threshold;
    case CompareOp::kLessEqual: return value <= threshold;
    case CompareOp::kGreater: return value > threshold;
    case CompareOp::kGreaterEqual: return value >= threshold;
    case CompareOp::kEqual: return value == threshold;
    case CompareOp::kNotEqual: return value != threshold;
  }
  return false;
}

// What a comparison compares: the latest value of the quantity, or a function of its
// readings over a window of time (the last `window` before now).
enum class Aggregate : std::uint8_t { kLatest, kAvg, kMin, kMax, kSum, kCount, kRate };
std::string_view to_string(Aggregate a);  // "avg", "min", ...; "" for kLatest

// The clearing side of a hysteresis ("clear < 50 Cel"): same operand, same unit.
struct ClearThreshold {
  CompareOp op = CompareOp::kLess;
  double threshold = 0;
};

struct Comparison {
  std::string quantity;   // SenML name: [A-Za-z0-9][A-Za-z0-9:./_-]*
  CompareOp op = CompareOp::kGreaterEqual;
  double threshold = 0;
  std::string unit;       // as written ("Cel", "%LEL", "ppm"); empty when none
  Aggregate aggregate = Aggregate::kLatest;
  Duration window{};      // the window of an aggregate; zero for kLatest
  std::optional<ClearThreshold> clear;  // hysteresis: "... clear < 50 Cel"
};

// A calendar atom: "during HH:MM-HH:MM" (local wall-clock time in [start, end),
// wrapping midnight when end < start; start != end) or "on <days>" (the local date's
// day of the week is in `days`). It reads no quantity; its truth is a function of the
// time alone (evaluated in EvaluatorOptions::time_zone).
struct Calendar {
  enum class Kind { kDuring, kOn };
  Kind kind = Kind::kDuring;
  int start_minute = 0;  // kDuring: minutes after local midnight, 0..1439
  int end_minute = 0;    // kDuring
  unsigned days = 0;     // kOn: bit 0 = Monday ... bit 6 = Sunday
};
inline constexpr unsigned kWeekdays = 0x1F;
inline constexpr unsigned kWeekends = 0x60;

// An absence atom: "absent(QUANTITY, DURATION)". True at t when the State has seen at
// least one sample of `quantity` (of any value, a non-number included) and none of
// them has a time in (t - window, t]: it turns true exactly `window` after the latest
// sample's time and false again when a newer sample arrives. Never true before the
// first sample (a quantity that never reported is not "absent", it is unknown).
struct Absence {
  std::string quantity;
  Duration window{};
};

// The keys under which the engine feeds inputs that are not SenML readings. A SenML
// name never starts with '#', so they cannot collide with a quantity.
//   report_key("fire") = "#report:fire": one sample (value 1, sensor = the report id)
//                        per distinct incident report of that category;
//   status_key("smoke_detector") = "#status:smoke_detector": one sample per status
//                        message of a sensor of that kind (value 1 offline, 0 online).
std::string report_key(std::string_view category);
std::string status_key(std::string_view sensor_kind);
inline constexpr std::string_view kReportKeyPrefix = "#report:";
inline constexpr std::string_view kStatusKeyPrefix = "#status:";

// Confirmation by several sensors: "N of COMPARISON [within T]", "any COMPARISON
// [within T]" (N = 1) and "offline(KIND)" (with N of). Each sample carries its
// sensor; the atom counts DIFFERENT sensors:
//   without within: sensors whose latest value (within the max age) meets the comparison;
//   with within T:  sensors with at least one sample meeting it whose time is in [t - T, t];
//   offline:        sensors whose latest status is offline (no max age: a status holds
//                   until the next one).
// and is true when the count is at least `count`.
struct Confirmation {
  int count = 1;            // 1..1000
  bool any = false;         // written "any" (count 1)
  Comparison compare;       // kLatest, no clear; for offline: status_key(kind) == 1
  Duration within{};        // zero: latest values
  bool offline = false;     // offline(kind)
  std::string kind;         // offline: the sensor kind, as in the sensor registry
};

// A registry attribute: "place.height_class == high_rise", "sensor.lives_alone",
// "place.floors >= 18". The place's attribute is looked up on the place and then on
// its ancestors (a community's attribute applies to its buildings); the sensor's only
// in plans evaluated per sensor. A missing attribute makes the atom false.
struct Attribute {
  enum class Target { kPlace, kSensor };
  Target target = Target::kPlace;
  std::string name;         // [a-z][a-z0-9_]*
  bool bare = false;        // "place.x" alone: the attribute is true, yes or 1
  CompareOp op = CompareOp::kEqual;
  std::string value;        // as written; ordered operators compare numbers
};
std::string_view to_string(Attribute::Target t);  // "place", "sensor"
// The attribute's truth for the registry value `value` (nullopt: the attribute is not set).
bool attribute_holds(const Attribute& a, const std::optional<std::string>& value);

struct Expr {
  enum class Kind { kCompare, kAnd, kOr, kNot, kFor, kCalendar, kAbsent, kSensors, kAttribute, kLevel };
  Kind kind = Kind::kCompare;
  Comparison compare;                          // kCompare
  Calendar calendar;                           // kCalendar
  Absence absence;                             // kAbsent
  Confirmation sensors;                        // kSensors
  Attribute attribute;                         // kAttribute
  int level = 0;                               // kLevel: "level(III)" is 3 (I = 1 ... IV = 4)
  std::vector<std::shared_ptr<const Expr>> children;  // kAnd/kOr: >= 2; kNot, kFor: 1
  Duration duration{};                         // kFor: how long the child must hold
};

// Durations as conditions write them: "30s", "10m", "2h", "1d", "1h30m" (whole
// numbers of d, h, m, s in that order, each at most once; 1 s to 365 d).
std::optional<Duration> parse_duration(std::string_view text);
// Canonical text: largest units first, zero parts left out (90 s is "1m30s").
std::string format_duration(Duration d);

struct ParseError {
  std::size_t offset = 0;   // byte offset into the condition text where it went wrong
  std::string message;      // "expected a comparison operator (<, <=, >, >=, ==, !=), found \"=>\""
};

// The value a quantity has for one evaluation, in the reading's own unit.
struct Value {
  double value = 0;
  std::string unit;  // may be empty
};
// Looks up the current value of a quantity (nullopt: unknown, which makes every
// comparison on it false).
using ValueLookup = std::function<std::optional<Value>(std::string_view quantity)>;

class Condition {
 public:
  static std::variant<Condition, ParseError> parse(std::string_view text);

  // Evaluates with values from `lookup`. A comparison whose unit cannot be converted
  // from the value's unit is false (and counted in `unit_mismatches`, if given).
  // Stateless: without time, "E for T" is false (not known to have held), a window
  // comparison is false (its window is unknown), a calendar atom ("during", "on") is
  // false (there is no clock), an absence atom ("absent(q, T)") is false (there is no
  // history: so "not absent(q, T)" is true) and a hysteresis is its raise comparison alone. Use a rules::Evaluator for conditions that uses_time().
  bool evaluate(const ValueLookup& lookup, int* unit_mismatches = nullptr) const;

  // Every input key the condition reads, sorted, without duplicates: quantity names,
  // report_key()s and status_key()s. The rule index uses it so that a reading costs
  // work only for rules that read its quantity.
  const std::vector<std::string>& quantities() const { return quantities_; }
  // The registry attributes it reads.
  const std::vector<Attribute>& attributes() const { return attributes_; }
  // The levels it refers to with "level(III)" (1 = I ... 4 = IV), sorted, unique.
  // A reference is false until with_levels() replaces it.
  const std::vector<int>& level_refs() const { return level_refs_; }
  // The same condition with every "level(N)" replaced by `level(N)`'s root (which must
  // have no level references itself). The plan loader uses this: "level(III) for 5m" is
  // then exactly "(<level III's condition>) for 5m".
  Condition with_levels(const std::function<const Expr*(int level)>& level) const;
  // Whether a sensor atom ("2 of", "any", "offline") or a sensor attribute appears.
  bool uses_sensors() const;
  // Canonical text (normalised spacing, minimal parentheses); parse(to_string()) gives
  // an equal condition.
  std::string to_string() const;
  const Expr& root() const { return *root_; }
  // False only for a default-constructed Condition (which has no root).
  bool has_root() const { return root_ != nullptr; }
  // True when the condition has a duration, a hysteresis, a window, a calendar atom or
  // an absence atom:
  // its truth depends on time or on the history of readings, not only on the latest
  // values. A condition of calendar atoms alone reads no quantity.
  bool uses_time() const { return uses_time_; }

 private:
  std::shared_ptr<const Expr> root_;
  void finish();  // quantities_, attributes_, level_refs_, uses_time_ from root_

  std::vector<std::string> quantities_;
  std::vector<Attribute> attributes_;
  std::vector<int> level_refs_;
  bool uses_time_ = false;
};

}  // namespace lookout::rules
