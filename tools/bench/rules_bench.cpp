// Throughput of rule evaluation (docs/benchmarks.md).
//
//   BM_CoreReadings/<plans>/<sensors>   the real engine Core, in process: a SenML message
//                                       per iteration through Core::on_message (topic
//                                       check, sensor lookup, SenML decoding, the rule
//                                       index, the evaluators, timers), with a
//                                       MemoryStore, a ManualClock and a transport that
//                                       discards what is published.
//   BM_CoreReadingsLarge/<plans>/1M     the same with a million sensors: not in the
//                                       default run (select with --benchmark_filter=Large).
//   BM_CoreDecoded/<plans>/<sensors>    the same readings handed over decoded, through
//                                       Core::on_reading (as drills do): the sensor
//                                       lookup, the rule index, the evaluators and timers,
//                                       without the topic and the SenML decoding.
//   BM_Core*Distinct/<plans>/<sensors>  the same with every plan's thresholds a little
//                                       different, so that no two plans share a compiled
//                                       evaluator (the Core shares one between plans
//                                       with the same conditions).
//   BM_Evaluator*                       one rules::Evaluator::observe() call.
//   BM_SenmlDecode                      sensors::decode_senml() of the payloads the Core
//                                       cases send: the share of a reading spent decoding.
//
// Each plan applies to its own community (d/s/cNNNNN/**) and has three levels: a
// comparison of two quantities, a `for` and an average window, and resolves by itself
// once no level has held for 10 minutes (as every plan in plans/library does). Sensors
// are spread over the communities' buildings (10 grids x 10 buildings each), each sends
// smoke or temperature, and every value is below its threshold (the common case: no
// alert).
// Not timed: building the Core, applying the plans, importing the sensors, building
// the payloads, and a warm-up pass that sends one reading from every sensor (so that
// every (plan, place) watch exists and the loop measures the steady state).
#include <benchmark/benchmark.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "lookout/base/clock.h"
#include "lookout/base/diagnostic.h"
#include "lookout/base/time_format.h"
#include "lookout/engine/core.h"
#include "lookout/engine/store.h"
#include "lookout/engine/transport.h"
#include "lookout/rules/condition.h"
#include "lookout/rules/evaluator.h"
#include "lookout/sensors/senml.h"

namespace {

using namespace std::chrono_literals;
using lookout::Diagnostics;
using lookout::ManualClock;
using lookout::engine::Core;
using lookout::engine::CoreOptions;
using lookout::engine::InboundMessage;
using lookout::engine::MemoryStore;
using lookout::engine::OutboundMessage;
using lookout::engine::Transport;

constexpr int kGridsPerCommunity = 10;
constexpr int kBuildingsPerGrid = 10;
constexpr std::size_t kSensorsPerImport = 50'000;  // bounds the YAML text and its parse

// RecordingTransport's shape (engine/src/test_support.h), keeping nothing: deliveries
// are never completed, so the outbox keeps what it queued (no alert is expected).
class DiscardTransport final : public Transport {
 public:
  lookout::Status start(std::vector<std::string>, MessageHandler, ConnectionHandler) override {
    return lookout::Status::ok();
  }
  void publish(OutboundMessage, DeliveryHandler) override { ++published; }
  void stop(const OutboundMessage&, std::chrono::milliseconds) override {}
  bool connected() const override { return true; }
  std::uint64_t published = 0;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "rules_bench: %s\n", what.c_str());
  std::exit(1);
}

std::string community_name(int c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "c%05d", c);
  return buf;
}

// `distinct`: every plan's thresholds differ a little (0.3 + c * 1e-7 ...), so no two
// plans share a compiled evaluator; otherwise all plans have the same conditions (as
// when one library plan is applied by every community) and share one.
std::string plan_yaml(int c, bool distinct) {
  auto community = community_name(c);
  const double d = distinct ? c * 1e-7 : 0;
  char levels[512];
  std::snprintf(levels, sizeof levels, R"(levels:
  II:
    when: smoke >= %.7f and temperature >= %.7f Cel
    alert:
      event: Fire
      headline: "Fire in {place}"
  III:
    when: smoke >= %.7f for 30s
    alert:
      event: Lingering smoke
      headline: "Smoke in {place}"
  IV:
    when: avg(temperature, 5m) >= %.7f Cel
    alert:
      event: Heat
      headline: "Heat in {place}"
resolve:
  for: 10m
)",
                0.3 + d, 60 + d, 0.1 + d, 50 + d);
  std::string y;
  y.reserve(768);
  y += "id: p" + community.substr(1) + "\n";
  y += "title: Bench plan for " + community + "\n";
  y += "places: [\"d/s/" + community + "/**\"]\n";
  y += levels;
  return y;
}

// Sensor i: community i % plans, then spread over that community's buildings.
std::string sensor_id(std::size_t i) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "s%07zu", i);
  return buf;
}
std::string sensor_place(std::size_t i, int plans) {
  std::size_t b = (i / static_cast<std::size_t>(plans)) % (kGridsPerCommunity * kBuildingsPerGrid);
  char buf[64];
  std::snprintf(buf, sizeof buf, "d/s/c%05d/g%02zu/b%02zu", static_cast<int>(i % static_cast<std::size_t>(plans)),
                b / kBuildingsPerGrid, b % kBuildingsPerGrid);
  return buf;
}

struct Rig {
  int plans = 0;
  std::size_t sensors = 0;
  bool distinct = false;
  std::size_t open = 0;  // incidents open elsewhere (a storm), see open_storm()
  ManualClock clock{lookout::parse_iso8601("2026-11-21T13:00:00Z").value()};
  MemoryStore store;
  DiscardTransport transport;
  std::unique_ptr<Core> core;
  std::vector<InboundMessage> messages;  // one per sensor, in a shuffled order
  struct Decoded {
    std::string sensor, quantity, unit;
    double value = 0;
  };
  std::vector<Decoded> decoded;  // the same readings, decoded
  std::size_t next = 0;

  Rig(int n, std::size_t s, bool distinct_plans, std::size_t open_incidents = 0)
      : plans(n), sensors(s), distinct(distinct_plans), open(open_incidents) {
    CoreOptions options;
    core = std::make_unique<Core>(options, clock, store, transport, [](std::function<void()> fn) { fn(); });
    if (auto st = core->open(); !st.is_ok()) die("open: " + st.to_string());
    Diagnostics d;
    for (int c = 0; c < n; ++c) {
      auto r = core->apply_plan(plan_yaml(c, distinct), "bench.yaml", d);
      if (!r.is_ok()) die("plan: " + r.status().to_string() + " " + lookout::to_string(d));
    }
    std::string yaml;
    for (std::size_t first = 0; first < s; first += kSensorsPerImport) {
      std::size_t last = std::min(s, first + kSensorsPerImport);
      yaml.clear();
      yaml.reserve((last - first) * 96 + 16);
      yaml += "sensors:\n";
      for (std::size_t i = first; i < last; ++i) {
        yaml += "  - {id: ";
        yaml += sensor_id(i);
        yaml += ", place: ";
        yaml += sensor_place(i, n);
        yaml += ", kind: multi_sensor, quantities: [smoke, temperature]}\n";
      }
      auto r = core->import_sensors(yaml, "sensors.yaml", d);
      if (!r.is_ok()) die("sensors: " + r.status().to_string() + " " + lookout::to_string(d));
    }
    std::vector<std::size_t> order(s);
    for (std::size_t i = 0; i < s; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937_64(42));
    messages.reserve(s);
    char payload[64];
    for (std::size_t i : order) {
      if (i % 2 == 0) {
        std::snprintf(payload, sizeof payload, R"([{"n":"smoke","v":0.0%zu}])", 1 + i % 5);
        decoded.push_back({sensor_id(i), "smoke", "", static_cast<double>(1 + i % 5) / 100});
      } else {
        std::snprintf(payload, sizeof payload, R"([{"n":"temperature","u":"Cel","v":2%zu.5}])", i % 10);
        decoded.push_back({sensor_id(i), "temperature", "Cel", 20.5 + static_cast<double>(i % 10)});
      }
      messages.push_back(InboundMessage{"lookout/v1/sensors/" + sensor_id(i), payload, 1, false, false});
    }
    open_storm(d);
    // Warm-up: one reading from every sensor creates every watch.
    const auto alerts = core->stats().alerts_sent;
    for (std::size_t k = 0; k < s; ++k) step();
    if (core->stats().alerts_sent != alerts || core->stats().dead_letters != 0) {
      die("the warm-up raised alerts or dead letters");
    }
  }

  // `open` incidents of another plan, one a building of another district (as when a
  // district loses power), opened through the engine's own path by one reading each
  // from a sensor that the measured readings never come from.
  void open_storm(Diagnostics& d) {
    if (open == 0) return;
    auto r = core->apply_plan(R"(id: storm
title: Power cut
places: ["z/**"]
levels:
  III:
    when: outage >= 1
    alert:
      event: Power cut
      headline: "No power in {place}"
)",
                              "storm.yaml", d);
    if (!r.is_ok()) die("storm plan: " + r.status().to_string() + " " + lookout::to_string(d));
    auto storm_id = [](std::size_t i) { return "z" + sensor_id(i); };
    std::string yaml;
    char place[64];
    for (std::size_t first = 0; first < open; first += kSensorsPerImport) {
      const std::size_t last = std::min(open, first + kSensorsPerImport);
      yaml = "sensors:\n";
      for (std::size_t i = first; i < last; ++i) {
        std::snprintf(place, sizeof place, "z/s/c%03zu/g%02zu/b%02zu", i / 10000, i / 100 % 100, i % 100);
        yaml += "  - {id: " + storm_id(i) + ", place: " + place + ", kind: power_meter, quantities: [outage]}\n";
      }
      auto st = core->import_sensors(yaml, "storm-sensors.yaml", d);
      if (!st.is_ok()) die("storm sensors: " + st.status().to_string() + " " + lookout::to_string(d));
    }
    const auto opened = core->stats().incidents_opened;
    for (std::size_t i = 0; i < open; ++i) core->on_reading(storm_id(i), "outage", "", 1, clock.now());
    if (core->stats().incidents_opened - opened != open) die("the storm did not open every incident");
  }

  // One reading; virtual time moves 1 ms every 64 readings (timers fire as it passes).
  void step() {
    core->on_message(messages[next]);
    if (++next == messages.size()) next = 0;
    if ((next & 63) == 0) clock.advance(1ms);
  }
  void step_decoded() {
    const Decoded& r = decoded[next];
    core->on_reading(r.sensor, r.quantity, r.unit, r.value, clock.now());
    if (++next == messages.size()) next = 0;
    if ((next & 63) == 0) clock.advance(1ms);
  }
};

// One Rig at a time, kept while consecutive runs ask for the same shape (Google
// Benchmark calls a case several times while it picks the iteration count).
Rig& rig(int plans, std::size_t sensors, bool distinct, std::size_t open = 0) {
  static std::unique_ptr<Rig> current;
  if (!current || current->plans != plans || current->sensors != sensors || current->distinct != distinct ||
      current->open != open) {
    current.reset();
    current = std::make_unique<Rig>(plans, sensors, distinct, open);
  }
  return *current;
}

void run_core(benchmark::State& state, bool decoded = false, bool distinct = false, std::size_t open = 0) {
  auto& r = rig(static_cast<int>(state.range(0)), static_cast<std::size_t>(state.range(1)), distinct, open);
  auto stats_before = r.core->stats();
  if (decoded) {
    for (auto _ : state) r.step_decoded();
  } else {
    for (auto _ : state) r.step();
  }
  auto stats = r.core->stats();
  state.SetItemsProcessed(state.iterations());
  state.counters["plans"] = static_cast<double>(r.plans);
  state.counters["sensors"] = static_cast<double>(r.sensors);
  if (stats.readings - stats_before.readings != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("not every message was accepted as a reading");
  }
  if (stats.alerts_sent != stats_before.alerts_sent || stats.dead_letters != 0) {
    state.SkipWithError("unexpected alert or dead letter");
  }
}

void BM_CoreReadings(benchmark::State& state) { run_core(state); }
void BM_CoreReadingsLarge(benchmark::State& state) { run_core(state); }
void BM_CoreDecoded(benchmark::State& state) { run_core(state, true); }
void BM_CoreDecodedDistinct(benchmark::State& state) { run_core(state, true, true); }
void BM_CoreReadingsDistinct(benchmark::State& state) { run_core(state, false, true); }
void BM_CoreDecodedOpen(benchmark::State& state) {
  run_core(state, true, false, static_cast<std::size_t>(state.range(2)));
}

BENCHMARK(BM_CoreReadings)
    ->ArgNames({"plans", "sensors"})
    ->ArgsProduct({{10, 100, 1000, 10000}, {1000, 10000, 100000}})
    ->MinTime(0.2)
    ->Unit(benchmark::kNanosecond);
BENCHMARK(BM_CoreDecoded)
    ->ArgNames({"plans", "sensors"})
    ->ArgsProduct({{10, 1000, 10000}, {1000, 10000}})
    ->MinTime(0.2)
    ->Unit(benchmark::kNanosecond);
BENCHMARK(BM_CoreDecodedDistinct)
    ->ArgNames({"plans", "sensors"})
    ->ArgsProduct({{10, 1000, 10000}, {1000, 10000}})
    ->MinTime(0.2)
    ->Unit(benchmark::kNanosecond);
BENCHMARK(BM_CoreReadingsDistinct)
    ->ArgNames({"plans", "sensors"})
    ->ArgsProduct({{10, 1000, 10000}, {1000, 10000}})
    ->MinTime(0.2)
    ->Unit(benchmark::kNanosecond);
// With that many incidents open elsewhere: what every reading's look-up of its watch's
// open incident costs when a storm has opened many.
BENCHMARK(BM_CoreDecodedOpen)
    ->ArgNames({"plans", "sensors", "open"})
    ->ArgsProduct({{1000}, {1000}, {0, 10000, 100000}})
    ->MinTime(0.2)
    ->Unit(benchmark::kNanosecond);
BENCHMARK(BM_CoreReadingsLarge)
    ->ArgNames({"plans", "sensors"})
    ->ArgsProduct({{10, 100, 1000, 10000}, {1000000}})
    ->MinTime(0.2)
    ->Unit(benchmark::kNanosecond);

// ---------------------------------------------------------------- rules::Evaluator

void run_evaluator(benchmark::State& state, const char* condition_text, const char* quantity, const char* unit,
                   double low, double high) {
  auto parsed = lookout::rules::Condition::parse(condition_text);
  if (!std::holds_alternative<lookout::rules::Condition>(parsed)) die(std::string("condition: ") + condition_text);
  lookout::rules::Evaluator evaluator(std::get<lookout::rules::Condition>(parsed));
  auto st = evaluator.new_state();
  lookout::Time now = lookout::parse_iso8601("2026-11-21T13:00:00Z").value();
  lookout::rules::Sample sample{quantity, low, unit, now, "s1"};
  std::uint64_t n = 0;
  for (auto _ : state) {
    now += 1s;  // one reading a second, values alternating below the threshold
    sample.time = now;
    sample.value = (++n & 1) ? low : high;
    benchmark::DoNotOptimize(evaluator.observe(*st, sample, now));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_EvaluatorCompare(benchmark::State& state) { run_evaluator(state, "smoke >= 0.3", "smoke", "", 0.01, 0.05); }
void BM_EvaluatorFor(benchmark::State& state) {
  run_evaluator(state, "smoke >= 0.1 for 30s", "smoke", "", 0.01, 0.05);
}
void BM_EvaluatorAvgWindow(benchmark::State& state) {
  run_evaluator(state, "avg(temperature, 5m) >= 50 Cel", "temperature", "Cel", 20, 25);
}
void BM_SenmlDecode(benchmark::State& state) {
  const std::string payloads[2] = {R"([{"n":"smoke","v":0.03}])", R"([{"n":"temperature","u":"Cel","v":23.5}])"};
  lookout::Time now = lookout::parse_iso8601("2026-11-21T13:00:00Z").value();
  std::uint64_t n = 0;
  for (auto _ : state) {
    auto records = lookout::sensors::decode_senml(payloads[++n & 1], now);
    benchmark::DoNotOptimize(records);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_EvaluatorCompare)->MinTime(0.2);
BENCHMARK(BM_EvaluatorFor)->MinTime(0.2);
BENCHMARK(BM_EvaluatorAvgWindow)->MinTime(0.2);
BENCHMARK(BM_SenmlDecode)->MinTime(0.2);

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);  // applying 10k plans logs a line each
  // The million-sensor cases take seconds to set up and gigabytes: only on request.
  // (Looked for before Initialize, which removes the flags it knows from argv.)
  bool filtered = false;
  for (int i = 1; i < argc; ++i) filtered = filtered || std::string(argv[i]).rfind("--benchmark_filter", 0) == 0;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (filtered) {
    benchmark::RunSpecifiedBenchmarks();
  } else {
    benchmark::RunSpecifiedBenchmarks("-Large");
  }
  benchmark::Shutdown();
  return 0;
}
