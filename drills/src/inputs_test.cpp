// build_inputs (inputs.h): every input in time order, equal times in push order. The
// inputs are merged from runs that are mostly in order already; these tests hold them to
// what sorting them all with std::stable_sort gave, on random scenarios.
#include "lookout/drills/inputs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace lookout::drills {
namespace {

using namespace std::chrono_literals;

// The oracle: build_inputs as it was before the merge, pushing every input and then
// sorting them all, stably, by time.
std::vector<Input> sorted_inputs(const Scenario& scenario, Random& random) {
  std::vector<Input> inputs;
  for (std::size_t i = 0; i < scenario.streams.size(); ++i) {
    const auto& stream = scenario.streams[i];
    if (!stream.replayed.empty()) {
      for (const auto& [at, value] : stream.replayed) {
        if (at >= Duration::zero() && at <= scenario.duration) inputs.push_back({at, Input::Kind::kReading, i, value});
      }
      continue;
    }
    bool offline = false;
    for (const auto& piece : stream.script) {
      if (piece.kind == Segment::Kind::kOffline) {
        inputs.push_back({piece.at, Input::Kind::kStatus, i, 1});
        offline = true;
      } else if (offline && piece.kind != Segment::Kind::kSilent) {
        inputs.push_back({piece.at, Input::Kind::kStatus, i, 0});
        offline = false;
      }
    }
    std::optional<double> last;
    for (Duration t{}; t <= scenario.duration; t += stream.every) {
      auto value = script_value(stream, t);
      if (!value) continue;
      bool stuck = false;
      for (const auto& piece : stream.script) {
        if (piece.at <= t) stuck = piece.kind == Segment::Kind::kStuck;
      }
      double v = *value;
      if (stuck && last) {
        v = *last;
      } else if (stream.noise > 0) {
        v += (random.uniform() * 2 - 1) * stream.noise;
      }
      last = v;
      inputs.push_back({t, Input::Kind::kReading, i, v});
    }
  }
  for (std::size_t i = 0; i < scenario.reports.size(); ++i) {
    inputs.push_back({scenario.reports[i].at, Input::Kind::kReport, i, 0});
  }
  std::stable_sort(inputs.begin(), inputs.end(), [](const Input& a, const Input& b) { return a.at < b.at; });
  return inputs;
}

// Every field of every input, with where the first difference is.
void expect_same_inputs(const std::vector<Input>& got, const std::vector<Input>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t k = 0; k < got.size(); ++k) {
    SCOPED_TRACE(testing::Message() << "input " << k);
    ASSERT_EQ(got[k].at, want[k].at);
    ASSERT_EQ(got[k].kind, want[k].kind);
    ASSERT_EQ(got[k].stream, want[k].stream);
    ASSERT_EQ(got[k].value, want[k].value);  // the same draws in the same order: bit for bit
  }
}

// build_inputs and the oracle, each with its own generator seeded alike.
void expect_as_sorted(const Scenario& scenario, std::uint64_t seed) {
  Random a(seed);
  Random b(seed);
  const auto got = build_inputs(scenario, a);
  expect_same_inputs(got, sorted_inputs(scenario, b));
  EXPECT_EQ(a.next(), b.next());  // and as many draws
}

std::size_t below(Random& r, std::size_t n) { return static_cast<std::size_t>(r.uniform() * static_cast<double>(n)); }
Duration seconds_below(Random& r, std::int64_t n) { return std::chrono::seconds(static_cast<std::int64_t>(below(r, static_cast<std::size_t>(n)))); }

template <typename T>
void shuffle(std::vector<T>& v, Random& r) {
  for (std::size_t k = v.size(); k > 1; --k) std::swap(v[k - 1], v[below(r, k)]);
}

// A random scenario: streams of different intervals (several a multiple of another, so
// that readings of different streams fall at the same times), scripts with every kind of
// piece, replayed values and reports at coarse times (ties) and out of order.
Scenario random_scenario(std::uint64_t seed) {
  Random r(seed);
  Scenario s;
  s.duration = std::chrono::seconds(60 + static_cast<std::int64_t>(below(r, 3 * 3600)));
  const std::int64_t span = std::chrono::duration_cast<std::chrono::seconds>(s.duration).count();
  static const Duration kEvery[] = {1s, 5s, 9s, 10s, 15s, 30s, 60s, 7s, 90s};
  static const Segment::Kind kKinds[] = {Segment::Kind::kConstant, Segment::Kind::kRamp, Segment::Kind::kStuck,
                                         Segment::Kind::kSilent, Segment::Kind::kOffline};
  const std::size_t streams = below(r, 9);
  for (std::size_t i = 0; i < streams; ++i) {
    SensorStream stream;
    stream.every = kEvery[below(r, std::size(kEvery))];
    stream.noise = r.uniform() < 0.3 ? 0.0 : r.uniform();
    if (r.uniform() < 0.3) {
      // Replayed: times a little before and after the drill too (dropped), on a coarse
      // grid so that some fall together; sorted or not.
      const std::size_t n = 1 + below(r, 200);
      for (std::size_t k = 0; k < n; ++k) {
        const auto at = std::chrono::seconds(10 * (static_cast<std::int64_t>(below(r, static_cast<std::size_t>(span / 10 + 3))) - 1));
        stream.replayed.emplace_back(at, r.uniform() * 100);
      }
      if (r.uniform() < 0.3) {
        std::stable_sort(stream.replayed.begin(), stream.replayed.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
      } else {
        shuffle(stream.replayed, r);
      }
    } else {
      const std::size_t pieces = below(r, 7);
      for (std::size_t k = 0; k < pieces; ++k) {
        Segment piece;
        piece.kind = k == 0 && r.uniform() < 0.7 ? Segment::Kind::kConstant : kKinds[below(r, std::size(kKinds))];
        piece.at = k == 0 ? seconds_below(r, 120) : seconds_below(r, span + 1);
        piece.value = r.uniform() * 10;
        piece.to = r.uniform() * 10;
        piece.over = seconds_below(r, 1200);
        stream.script.push_back(piece);
      }
      // Scripts are ordered by `at` when loaded; now and then one is not, which only
      // means its statuses come out of order.
      if (r.uniform() < 0.9) {
        std::stable_sort(stream.script.begin(), stream.script.end(),
                         [](const Segment& a, const Segment& b) { return a.at < b.at; });
      }
    }
    s.streams.push_back(std::move(stream));
  }
  const std::size_t reports = below(r, 12);
  for (std::size_t k = 0; k < reports; ++k) {
    ScriptedReport report;
    report.at = std::chrono::seconds(30 * static_cast<std::int64_t>(below(r, static_cast<std::size_t>(span / 30 + 1))));
    s.reports.push_back(report);
  }
  if (r.uniform() < 0.7) shuffle(s.reports, r);
  return s;
}

TEST(BuildInputs, RandomScenariosMatchAStableSortOfEveryInput) {
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    expect_as_sorted(random_scenario(seed), seed);
    if (HasFatalFailure()) return;
  }
}

TEST(BuildInputs, EqualTimesKeepStreamOrderThenReports) {
  Scenario s;
  s.duration = 1min;
  for (Duration every : {30s, 20s, 30s}) {
    SensorStream stream;
    stream.every = every;
    stream.script = {Segment{0s, Segment::Kind::kConstant, 1, 0, {}}};
    s.streams.push_back(stream);
  }
  for (Duration at : {60s, 0s, 60s}) {
    ScriptedReport report;
    report.at = at;
    s.reports.push_back(report);
  }
  Random random(1);
  const auto inputs = build_inputs(s, random);
  std::vector<std::pair<Duration, std::size_t>> order;  // (at, stream or report)
  std::vector<Input::Kind> kinds;
  for (const auto& input : inputs) {
    order.emplace_back(input.at, input.stream);
    kinds.push_back(input.kind);
  }
  const std::vector<std::pair<Duration, std::size_t>> want = {
      {0s, 0}, {0s, 1}, {0s, 2}, {0s, 1},  // readings of streams 0, 1, 2, then report 1
      {20s, 1}, {30s, 0}, {30s, 2}, {40s, 1},
      {60s, 0}, {60s, 1}, {60s, 2}, {60s, 0}, {60s, 2}};  // then reports 0 and 2
  EXPECT_EQ(order, want);
  EXPECT_EQ(kinds[3], Input::Kind::kReport);
  EXPECT_EQ(kinds[11], Input::Kind::kReport);
  EXPECT_EQ(kinds[12], Input::Kind::kReport);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), Input::Kind::kReport), 3);
}

TEST(BuildInputs, StatusesFallAmongTheReadings) {
  Scenario s;
  s.duration = 5min;
  SensorStream stream;
  stream.every = 1min;
  stream.script = {Segment{0s, Segment::Kind::kConstant, 1, 0, {}},
                   Segment{90s, Segment::Kind::kOffline, 0, 0, {}},
                   Segment{3min, Segment::Kind::kConstant, 2, 0, {}}};
  s.streams.push_back(stream);
  Random random(1);
  const auto inputs = build_inputs(s, random);
  ASSERT_EQ(inputs.size(), 7u);  // readings at 0, 1, 3, 4, 5 min; offline at 90 s; online at 3 min
  EXPECT_EQ(inputs[2].at, 90s);
  EXPECT_EQ(inputs[2].kind, Input::Kind::kStatus);
  EXPECT_EQ(inputs[2].value, 1);
  EXPECT_EQ(inputs[3].at, 3min);  // the status before the reading at the same time: pushed first
  EXPECT_EQ(inputs[3].kind, Input::Kind::kStatus);
  EXPECT_EQ(inputs[3].value, 0);
  EXPECT_EQ(inputs[4].at, 3min);
  EXPECT_EQ(inputs[4].kind, Input::Kind::kReading);
  EXPECT_EQ(inputs[4].value, 2);
  expect_as_sorted(s, 1);
}

TEST(BuildInputs, ReplayedValuesOutOfOrderAreSortedStably) {
  Scenario s;
  s.duration = 10min;
  SensorStream stream;
  stream.replayed = {{5min, 1}, {1min, 2}, {5min, 3}, {-1s, 4}, {11min, 5}, {1min, 6}, {0s, 7}};
  s.streams.push_back(stream);
  Random random(1);
  const auto inputs = build_inputs(s, random);
  std::vector<double> values;
  for (const auto& input : inputs) values.push_back(input.value);
  EXPECT_EQ(values, (std::vector<double>{7, 2, 6, 1, 3}));  // out of the drill: dropped
  expect_as_sorted(s, 1);
}

TEST(BuildInputs, NothingOrOnlyReports) {
  Scenario s;
  s.duration = 1h;
  Random random(1);
  EXPECT_TRUE(build_inputs(s, random).empty());
  for (Duration at : {50min, 10min, 10min}) {
    ScriptedReport report;
    report.at = at;
    s.reports.push_back(report);
  }
  expect_as_sorted(s, 1);
}

// The shape of the drill-speed benchmark, shorter: many streams of one interval, so that
// every time has one reading of each, and a fire in one of them.
TEST(BuildInputs, ManyStreamsOfOneIntervalMatchAStableSort) {
  Scenario s;
  s.duration = 2h;
  for (int b = 0; b < 100; ++b) {
    SensorStream stream;
    stream.every = 9s;
    stream.noise = 0.005;
    stream.script = {Segment{0s, Segment::Kind::kConstant, 0.01, 0, {}}};
    if (b == 7) {
      stream.script.push_back(Segment{1h, Segment::Kind::kRamp, 0.01, 0.5, 10min});
      stream.script.push_back(Segment{90min, Segment::Kind::kOffline, 0, 0, {}});
      stream.script.push_back(Segment{100min, Segment::Kind::kConstant, 0.01, 0, {}});
    }
    s.streams.push_back(stream);
  }
  ScriptedReport report;
  report.at = 1h;
  s.reports.push_back(report);
  expect_as_sorted(s, 42);
}

}  // namespace
}  // namespace lookout::drills
