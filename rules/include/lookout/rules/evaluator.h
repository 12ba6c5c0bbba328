// The stateful evaluator of conditions with TIME: durations ("for 30s"), hysteresis
// ("clear < 50 Cel") and windows ("avg(temperature, 5m)"). docs/conditions.md gives the
// semantics for coordinators; this header gives them for programmers.
//
// An Evaluator is compiled once per Condition and is immutable; the history it needs
// lives in a State, one per scope (for the engine: one per plan and place). Work per
// call is proportional to the condition's size plus the samples that enter or leave
// windows (amortised O(1) each; no window is re-scanned), and memory is bounded. Each
// step also records when the condition may next change by itself, so advance() to a
// time before that, next_change(), and observe() of a quantity the condition does not
// read cost O(1).
//
// Time model (time comes only from the arguments; nothing reads a clock):
//
//   * A State's time starts at its first call and never goes backwards: a `now`
//     earlier than the latest one seen is taken to be that latest one.
//   * A sample's time later than `now` is taken to be `now`.
//   * Latest value of a quantity: the sample with the latest time; a sample older than
//     the current latest is ignored for it (ties: the later call wins). It is known
//     while now - time <= max_value_age; after that (from time + max_value_age + 1
//     tick) every comparison on it is false. A value that is not a number, or whose
//     unit does not convert to the comparison's unit, makes the comparison false.
//   * A comparison's truth changes only when a sample arrives or a value expires:
//     between samples the last value holds, up to its max age.
//   * Window fn(q, W) at time now: the samples of q whose time lies in [now - W, now]
//     (counted when they arrive, wherever they fall, out of order included), keeping
//     the max_window_samples latest by (time, arrival): when a window is full the
//     oldest sample is dropped. Samples whose value is not a number, or (except for
//     count) whose unit does not convert, are left out. avg, min, max and rate of an
//     empty window are unknown, so the comparison is false; count and sum are 0.
//     rate = value of the latest sample minus value of the oldest, in the comparison's
//     unit (0 with one sample).
//   * "E for T" is true at t when E has been true at every moment of [t - T, t] since
//     the State's first call (time before it counts as not holding).
//   * Hysteresis "X op1 a clear op2 b": true once X op1 a holds; stays true until
//     X op2 b holds (raise wins when both hold); false (and reset) while X is unknown.
//   * Calendar atoms read the local time of the instant t in options.time_zone (UTC
//     when null): "during A-B" is true while the local time of day is in [A, B)
//     (wrapping midnight when B < A), "on D" while the local date's weekday is in D.
//     Their truth changes only at the instants where the local time is A, B or
//     midnight (through the zone: a nonexistent local time maps to the transition, an
//     ambiguous one to both instants) and at the zone's offset transitions; those
//     are the moments next_change() reports for them.
//   * "absent(q, T)" is true at t when a sample of q has been seen by the State and the
//     latest sample time L (the largest seen, after clamping to now; any value counts,
//     a non-number or an unconvertible unit included) satisfies t - L >= T: no sample
//     in (t - T, t]. It turns true at exactly L + T (the moment next_change() reports)
//     and false when a sample with a time in (t - T, t] arrives; a late sample with an
//     older time changes nothing. False before the first sample of q.
//   * Sensor atoms ("N of X op v [within W]", "any ...", "offline(kind)") keep, per
//     sensor (Sample::sensor), the time and truth of its latest sample and the time of
//     its latest sample that met the comparison. Without within: the sensors whose
//     latest sample meets it and is not older than max_value_age count; with within W:
//     the sensors whose latest meeting sample's time is in [t - W, t]; offline: the
//     sensors whose latest status sample is 1, with no max age. True when at least N
//     count. At most max_sensors sensors are kept per atom (the one heard from least
//     recently is forgotten first).
//   * Attribute atoms ("place.height_class == high_rise") are false until
//     set_attributes() gives them their registry values; they change only then, at the
//     moment it is given (what a "for" over them counts from).
//   * Level references ("level(III)") are false: the plan loader replaces them by the
//     referenced level's condition (Condition::with_levels) before compiling.
//   * Steps: the condition is evaluated at each call and, inside advance() and before
//     a sample in observe(), at every moment in between where some part of it may
//     change by itself (a value expiring, a sample leaving a window, a "for" elapsing),
//     in time order. observe(s, now) is advance(now), then the sample, then a step.
//
// Thread-safety: an Evaluator is immutable and may be shared; a State is used by one
// thread at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/tz.h>

#include "lookout/base/clock.h"
#include "lookout/rules/condition.h"

namespace lookout::rules {

// One reading of one quantity, as the engine gets it.
struct Sample {
  std::string_view quantity;
  double value = 0;
  std::string_view unit;  // may be empty: then taken to be in the comparison's unit
  Time time{};
  std::string_view sensor;  // who sent it (for sensor atoms); a report's id for reports
};

// A registry attribute's value for one State (its place, or its sensor), nullopt when
// it is not set.
using AttributeLookup = std::function<std::optional<std::string>(Attribute::Target target, std::string_view name)>;

struct EvaluatorOptions {
  Duration max_value_age = std::chrono::minutes(10);  // a latest value older than this is unknown
  std::size_t max_window_samples = 4096;              // per window and State; at least 1
  std::size_t max_sensors = 1024;                     // per sensor atom and State; at least 1
  // The zone of calendar atoms ("during 22:00-06:00", "on weekdays"): the plan's
  // time_zone. Null means UTC. Must outlive the Evaluator (date's zones do).
  const date::time_zone* time_zone = nullptr;
};

class Evaluator {
 public:
  struct State;
  struct StateDeleter {
    void operator()(State* s) const;
  };
  using StatePtr = std::unique_ptr<State, StateDeleter>;

  // A default Condition gives an evaluator that is always false.
  explicit Evaluator(const Condition& condition, EvaluatorOptions options = {});
  // Several conditions over one State (a plan's levels): each reads the same samples at
  // the same times, and each one's truth is exactly what an Evaluator of it alone would
  // give (a step at a moment where one of them has nothing due changes nothing in it).
  // One observe() and one step a sample for all of them; next_change() is the earliest
  // of theirs. observe(), advance() and truth(state) give the first condition's truth;
  // truth(state, i) the i-th's. At least one condition. A subtree that appears more than
  // once (in one condition or several: a plan's default resolve rule repeats its levels)
  // is compiled once, so it is stepped once and keeps one state.
  explicit Evaluator(const std::vector<Condition>& conditions, EvaluatorOptions options = {});
  ~Evaluator();
  Evaluator(Evaluator&&) noexcept;
  Evaluator& operator=(Evaluator&&) noexcept;
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // A fresh State: nothing seen yet.
  StatePtr new_state() const;

  // Gives the attribute atoms their values (all of them, each time): call it for a new
  // State and again when the registries change. The values change at `now`: a started
  // State first steps up to `now` with the values it had, then is evaluated at `now`
  // with the new ones (so a "for" over an attribute counts from `now`, not from some
  // earlier moment between its last step and `now`). A State not yet started only
  // keeps the values for its first step.
  void set_attributes(State& state, const AttributeLookup& lookup, Time now) const;

  // Feeds one sample (of any quantity: others than the condition reads are ignored)
  // and returns the truth at `now`.
  bool observe(State& state, const Sample& sample, Time now) const;
  // The same, with the sample's quantity already looked up: `quantity` is what
  // quantity_index(sample.quantity) gave for this Evaluator (callers that see one
  // quantity often keep it rather than look it up by name every time).
  bool observe(State& state, const Sample& sample, Time now, std::uint32_t quantity) const;
  // The index of a quantity some condition reads, for observe(); kNoQuantity when none
  // reads it (observe() then only moves time).
  static constexpr std::uint32_t kNoQuantity = 0xffffffff;
  std::uint32_t quantity_index(std::string_view quantity) const;
  // Moves time to `now` without a sample (durations elapse, values expire, windows
  // age) and returns the truth at `now`.
  bool advance(State& state, Time now) const;
  // The truth after the last call (false before the first).
  bool truth(const State& state) const;
  // The same for the i-th condition (0 <= i < conditions()).
  bool truth(const State& state, std::size_t condition) const;
  std::size_t conditions() const;
  // The earliest time after the State's time at which the truth may change without a
  // new sample (so a timer can call advance() then), or nullopt when it cannot. A time
  // that has already passed comes back as `now`. Conservative: the truth may also stay
  // as it is then (something inside changed); ask again after advance().
  std::optional<Time> next_change(const State& state, Time now) const;

  // Memory held by `state`: sizeof(State) plus its vectors (see the .cpp for the
  // sizes: a fixed part per distinct comparison, "for" and hysteresis (a repeated
  // subtree is held once), plus 24 bytes per sample held in a window, and up to 24
  // more per sample for min/max, plus about 72 bytes and the id's length per sensor
  // held by a sensor atom). Allocator overhead and std::deque's block granularity are
  // not counted.
  std::size_t state_bytes(const State& state) const;
  // Readings whose unit did not convert to a comparison's unit, one per comparison as
  // written (a comparison repeated counts once for each time it is written).
  std::uint64_t unit_mismatches(const State& state) const;
  // The same for the i-th condition's comparisons alone.
  std::uint64_t unit_mismatches(const State& state, std::size_t condition) const;

  const EvaluatorOptions& options() const;

 private:
  struct Program;
  std::unique_ptr<const Program> program_;
};

}  // namespace lookout::rules
