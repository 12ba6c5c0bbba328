// Scenarios for the plan library (plans/library/): each plan is loaded from its file
// into the real engine core (MemoryStore, ManualClock, a recording transport), a small
// building with its sensors is registered, and readings are played in virtual time.
// Each scenario is a table of steps (time offset, sensor, quantity, value, unit) and
// the alerts expected (time offset, level, CAP msgType), in order:
//
//   - the situation a plan is for raises the expected levels, Alert then Update, at
//     the expected times;
//   - the ordinary noise of a building (a minute of cooking smoke, a sensor flapping
//     at its threshold, a dead battery) stays quiet, or, where the plan says why,
//     raises one alert and never repeats it.
//
// docs/plan-library.md explains every threshold these scenarios exercise.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lookout/base/time_format.h"
#include "lookout/engine/core.h"
#include "test_support.h"

namespace lookout::engine {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// --- the building ---------------------------------------------------------------

// Building 12 is an 18-floor high-rise of Qingyuan community; Building 7 is a low
// building of another grid (outside the high-rise power plan).
constexpr const char* kPlaces = R"(places:
  - path: xc/hl/qy
    name: Qingyuan community
  - path: xc/hl/qy/g03/b12
    name: Building 12
    point: [39.9042, 116.4074]
    radius_m: 40
    attributes:
      height_class: high_rise
      floors: 18
  - path: xc/hl/qy/g01/b07
    name: Building 7
)";

constexpr const char* kSensors = R"(sensors:
  - id: smk-301
    place: xc/hl/qy/g03/b12
    kind: smoke_detector
    quantities: [smoke, battery]
  - id: smk-1201
    place: xc/hl/qy/g03/b12
    kind: smoke_detector
    quantities: [smoke, battery]
  - id: heat-301
    place: xc/hl/qy/g03/b12
    kind: heat_detector
    quantities: [temperature, battery]
  - id: gas-301
    place: xc/hl/qy/g03/b12
    kind: gas_detector
    quantities: [gas_lel, co, battery]
  - id: wl-garage
    place: xc/hl/qy/g03/b12
    kind: water_level
    quantities: [water_level, battery]
  - id: lift-a
    place: xc/hl/qy/g03/b12
    kind: lift_monitor
    quantities: [elevator_stuck, battery]
  - id: lift-b
    place: xc/hl/qy/g03/b12
    kind: lift_monitor
    quantities: [elevator_stuck, battery]
  - id: watch-601
    place: xc/hl/qy/g03/b12
    kind: wearable
    quantities: [fall, heartbeat, battery]
  - id: watch-902
    place: xc/hl/qy/g03/b12
    kind: wearable
    quantities: [fall, heartbeat, battery]
  - id: mains-b12
    place: xc/hl/qy/g03/b12
    kind: mains_monitor
    quantities: [power, battery]
  - id: mains-b07
    place: xc/hl/qy/g01/b07
    kind: mains_monitor
    quantities: [power, battery]
)";

// --- scenario tables ---------------------------------------------------------------

// One reading: at `at` after the start, `sensor` sends `quantity` = `value` `unit`.
struct Step {
  Duration at;
  std::string sensor;
  std::string quantity;
  double value;
  std::string unit;  // "" for none
};

// One alert: sent at `at` after the start, at `level`, as `msg_type` (Alert, Update).
struct Sent {
  Duration at;
  std::string level;
  std::string msg_type;
  bool operator==(const Sent&) const = default;
};

std::string offset_text(Duration d) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  std::ostringstream out;
  out << "+" << s / 60 << "m" << s % 60 << "s";
  return out.str();
}
void PrintTo(const Sent& s, std::ostream* os) { *os << "{" << offset_text(s.at) << " " << s.level << " " << s.msg_type << "}"; }

// A reading every `period` from `from`, taking the values in turn and starting again
// at the first when they run out, while the time is at most `to`.
std::vector<Step> every(Duration period, Duration from, Duration to, const std::string& sensor,
                        const std::string& quantity, std::initializer_list<double> values,
                        const std::string& unit = "") {
  std::vector<Step> out;
  std::vector<double> v(values);
  std::size_t i = 0;
  for (Duration t = from; t <= to; t += period, ++i) out.push_back({t, sensor, quantity, v[i % v.size()], unit});
  return out;
}

// Joins step lists; the runner plays them in time order (stable: same time, as listed).
std::vector<Step> steps(std::initializer_list<std::vector<Step>> parts) {
  std::vector<Step> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  std::stable_sort(out.begin(), out.end(), [](const Step& a, const Step& b) { return a.at < b.at; });
  return out;
}
std::vector<Step> at(Duration t, const std::string& sensor, const std::string& quantity, double value,
                     const std::string& unit = "") {
  return {{t, sensor, quantity, value, unit}};
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::filesystem::path library_file(const std::string& plan_id) {
  return std::filesystem::path(LOOKOUT_PLAN_LIBRARY_DIR) / (plan_id + ".yaml");
}

// Plans that have scenarios below; every plan of the library must be among them.
const std::set<std::string>& plans_with_scenarios() {
  static const std::set<std::string> ids = {"residential-fire", "gas-leak",     "basement-flooding",
                                            "lift-entrapment",  "elderly-fall", "high-rise-power-outage"};
  return ids;
}

class LibraryScenario : public ::testing::Test {
 protected:
  LibraryScenario() : start_(parse_iso8601("2026-11-21T13:00:00Z").value()), clock_(start_) {}

  // Loads the plan from its library file into a fresh core, plays `script` and lets
  // virtual time run on to `until`; returns the alerts sent, in order.
  std::vector<Sent> run(const std::string& plan_id, const std::vector<Step>& script, Duration until) {
    CoreOptions options;
    options.sender = "lookout@qy.example";
    options.zone = find_time_zone("Asia/Shanghai").value();
    core_ = std::make_unique<Core>(options, clock_, store_, transport_, poster_.poster());
    EXPECT_TRUE(core_->open().is_ok());
    Diagnostics d;
    EXPECT_TRUE(core_->import_places(kPlaces, "places.yaml", d).is_ok()) << to_string(d);
    EXPECT_TRUE(core_->import_sensors(kSensors, "sensors.yaml", d).is_ok()) << to_string(d);
    auto file = library_file(plan_id);
    auto applied = core_->apply_plan(read_text(file), file.filename().string(), d);
    EXPECT_TRUE(applied.is_ok()) << applied.status().to_string() << to_string(d);
    EXPECT_TRUE(d.empty()) << to_string(d);
    EXPECT_TRUE(plans_with_scenarios().count(plan_id)) << plan_id << " is missing from plans_with_scenarios()";

    for (const auto& s : script) {
      EXPECT_LE(s.at, until) << "a step after the end of the scenario";
      clock_.advance_to(start_ + s.at);
      json record = {{"n", s.quantity}, {"v", s.value}};
      if (!s.unit.empty()) record["u"] = s.unit;
      core_->on_message({"lookout/v1/sensors/" + s.sensor, json::array({record}).dump(), 1, false, false});
    }
    clock_.advance_to(start_ + until);

    EXPECT_EQ(core_->stats().dead_letters, 0u) << "a step the engine refused";
    EXPECT_EQ(core_->stats().unit_mismatches, 0u);
    std::vector<Sent> out;
    for (const auto& m : transport_.on_topic_prefix("lookout/v1/alerts/")) {
      auto alert = json::parse(m.payload);
      auto sent = parse_iso8601(alert["sent"].get<std::string>());
      EXPECT_TRUE(sent.is_ok());
      std::string level;
      for (const auto& p : alert["info"][0]["parameter"]) {
        if (p["valueName"] == "warningLevel") level = p["value"].get<std::string>();
      }
      out.push_back({*sent - start_, level, alert["msgType"].get<std::string>()});
      places_alerted_.insert(m.topic.substr(std::string("lookout/v1/alerts/").size()));
    }
    return out;
  }

  Time start_;
  ManualClock clock_;
  MemoryStore store_;
  testing::RecordingTransport transport_;
  testing::QueuedPoster poster_;
  std::unique_ptr<Core> core_;
  std::set<std::string> places_alerted_;
};

using Expected = std::vector<Sent>;
const Expected kQuiet;

TEST(LibraryCoverage, EveryLibraryPlanHasScenarios) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(LOOKOUT_PLAN_LIBRARY_DIR)) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    EXPECT_TRUE(plans_with_scenarios().count(entry.path().stem().string()))
        << entry.path() << " has no scenarios in tests/library/library_scenarios_test.cpp";
  }
  EXPECT_EQ(count, static_cast<int>(plans_with_scenarios().size()));
}

// --- residential-fire --------------------------------------------------------------

TEST_F(LibraryScenario, FireGrowsThroughSmokeToDenseSmokeToSmokeAndHeat) {
  auto got = run("residential-fire",
                 steps({
                     at(0s, "smk-301", "smoke", 0.01, "/"),
                     at(0s, "heat-301", "temperature", 24, "Cel"),
                     every(15s, 30s, (2min + 45s), "smk-301", "smoke", {0.09, 0.10, 0.11, 0.12}, "/"),  // III after 2 min
                     at(3min, "smk-301", "smoke", 0.18, "/"),                                       // II at once
                     at((3min + 30s), "heat-301", "temperature", 75, "Cel"),
                     at(4min, "smk-301", "smoke", 0.35, "/"),                                       // I: smoke and heat
                 }),
                 10min);
  EXPECT_EQ(got, (Expected{{(2min + 30s), "III", "Alert"}, {3min, "II", "Update"}, {4min, "I", "Update"}}));
  EXPECT_EQ(places_alerted_, std::set<std::string>{"xc/hl/qy/g03/b12"});
}

TEST_F(LibraryScenario, FireHeatDetectorAloneRaisesOrangeAtOnce) {
  auto got = run("residential-fire",
                 steps({at(0s, "heat-301", "temperature", 25, "Cel"), at(1min, "heat-301", "temperature", 58, "Cel")}),
                 5min);
  EXPECT_EQ(got, (Expected{{1min, "II", "Alert"}}));
}

TEST_F(LibraryScenario, FireIgnoresOneMinuteOfCookingSmoke) {
  auto got = run("residential-fire",
                 steps({
                     every(20s, 0s, 40s, "smk-301", "smoke", {0.01}, "/"),
                     at(1min, "smk-301", "smoke", 0.09, "/"),  // the wok starts smoking
                     at((1min + 20s), "smk-301", "smoke", 0.13, "/"),
                     at((1min + 40s), "smk-301", "smoke", 0.10, "/"),
                     every(20s, 2min, 15min, "smk-301", "smoke", {0.03, 0.01}, "/"),  // the hood clears it
                 }),
                 20min);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, FireIgnoresADetectorFlappingAtItsAlarmPoint) {
  auto got = run("residential-fire",
                 steps({
                     every(5s, 0s, (14min + 55s), "smk-301", "smoke", {0.081, 0.079}, "/"),
                     every(30s, 15min, 30min, "smk-301", "smoke", {0.02}, "/"),  // cleaned
                 }),
                 30min);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, FireIgnoresADeadBattery) {
  auto got = run("residential-fire",
                 steps({
                     every(1min, 0s, 5min, "smk-301", "smoke", {0.01}, "/"),
                     every(1min, 0s, 5min, "smk-301", "battery", {30, 12, 9, 5, 3, 1}, "%"),
                     every(1min, 0s, 5min, "heat-301", "battery", {8, 4, 2, 1, 0, 0}, "%"),
                     // ... then silence: the detectors are dead.
                 }),
                 1h);
  EXPECT_EQ(got, kQuiet);
}

// The limit of latest-value semantics (docs/plan-library.md): a second detector that
// keeps reporting clean air breaks level III's 2 minutes; dense smoke still raises II.
TEST_F(LibraryScenario, FireWithACleanSecondDetectorStillRaisesOrangeOnDenseSmoke) {
  auto got = run("residential-fire",
                 steps({
                     every(30s, 0s, (4min + 30s), "smk-301", "smoke", {0.10}, "/"),
                     every(30s, 15s, (4min + 45s), "smk-1201", "smoke", {0.01}, "/"),
                     at(5min, "smk-301", "smoke", 0.16, "/"),
                 }),
                 6min);
  EXPECT_EQ(got, (Expected{{5min, "II", "Alert"}}));
}

// --- gas-leak ------------------------------------------------------------------------

TEST_F(LibraryScenario, GasLeakBuildsUpThroughEveryLevel) {
  auto got = run("gas-leak",
                 steps({
                     at(0s, "gas-301", "gas_lel", 0, "%LEL"),
                     every(15s, 30s, (1min + 45s), "gas-301", "gas_lel", {6, 7, 8}, "%LEL"),    // IV after 1 min
                     every(15s, 2min, (2min + 45s), "gas-301", "gas_lel", {11, 12, 13}, "%LEL"),  // III after 30 s
                     at(3min, "gas-301", "gas_lel", 22, "%LEL"),                           // II at once
                 }),
                 5min);
  EXPECT_EQ(got, (Expected{{(1min + 30s), "IV", "Alert"}, {(2min + 30s), "III", "Update"}, {3min, "II", "Update"}}));
}

TEST_F(LibraryScenario, GasCarbonMonoxideHeldTenMinutesRaisesOrange) {
  auto got = run("gas-leak",
                 steps({at(0s, "gas-301", "co", 5, "ppm"), every(1min, 1min, 15min, "gas-301", "co", {120, 130}, "ppm")}),
                 16min);
  EXPECT_EQ(got, (Expected{{11min, "II", "Alert"}}));
}

TEST_F(LibraryScenario, GasIgnoresTheBurstsOfLightingABurnerOrAWaterHeater) {
  auto got = run("gas-leak",
                 steps({
                     every(30s, 0s, (1min + 30s), "gas-301", "gas_lel", {0}, "%LEL"),
                     at(2min, "gas-301", "gas_lel", 12, "%LEL"),  // a burner lit late: a puff
                     at((2min + 5s), "gas-301", "gas_lel", 3, "%LEL"),
                     every(30s, (2min + 10s), 15min, "gas-301", "gas_lel", {0}, "%LEL"),
                     at(0s, "gas-301", "co", 3, "ppm"),
                     every(1min, 3min, 5min, "gas-301", "co", {150, 180}, "ppm"),  // the heater starts
                     every(1min, (5min + 30s), 15min, "gas-301", "co", {10, 4}, "ppm"),
                 }),
                 20min);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, GasIgnoresADetectorFlappingAtItsFirstThreshold) {
  auto got = run("gas-leak",
                 steps({
                     every(5s, 0s, (14min + 55s), "gas-301", "gas_lel", {5.1, 4.9}, "%LEL"),
                     every(30s, 15min, 30min, "gas-301", "gas_lel", {0}, "%LEL"),
                 }),
                 30min);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, GasIgnoresADeadBattery) {
  auto got = run("gas-leak",
                 steps({
                     every(1min, 0s, 4min, "gas-301", "gas_lel", {0}, "%LEL"),
                     every(1min, 0s, 4min, "gas-301", "co", {2}, "ppm"),
                     every(1min, 0s, 4min, "gas-301", "battery", {10, 6, 3, 1, 0}, "%"),
                 }),
                 1h);
  EXPECT_EQ(got, kQuiet);
}

// --- basement-flooding -----------------------------------------------------------------

TEST_F(LibraryScenario, BasementFloodRisesThroughEveryLevel) {
  auto got = run("basement-flooding",
                 steps({
                     every(30s, 0s, 30s, "wl-garage", "water_level", {0}, "cm"),
                     every(30s, 1min, (6min + 30s), "wl-garage", "water_level", {3, 3.2}, "cm"),        // IV after 5 min
                     every(30s, 7min, (9min + 30s), "wl-garage", "water_level", {12, 12.5}, "cm"),      // III after 2 min
                     every(30s, 10min, (11min + 30s), "wl-garage", "water_level", {0.35, 0.36}, "m"),   // II after 1 min
                     every(30s, 12min, 14min, "wl-garage", "water_level", {550, 560}, "mm"),       // I after 1 min
                 }),
                 15min);
  EXPECT_EQ(got, (Expected{{6min, "IV", "Alert"}, {9min, "III", "Update"}, {11min, "II", "Update"}, {13min, "I", "Update"}}));
}

TEST_F(LibraryScenario, BasementIgnoresACarUnderTheUltrasonicGauge) {
  auto got = run("basement-flooding",
                 steps({
                     every(30s, 0s, (2min + 30s), "wl-garage", "water_level", {0}, "cm"),
                     at(3min, "wl-garage", "water_level", 120, "cm"),  // the echo comes off a car roof
                     every(30s, (3min + 30s), 10min, "wl-garage", "water_level", {0}, "cm"),
                 }),
                 15min);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, BasementIgnoresMopping) {
  auto got = run("basement-flooding",
                 steps({
                     every(30s, 0s, (1min + 30s), "wl-garage", "water_level", {0}, "cm"),
                     every(30s, 2min, 5min, "wl-garage", "water_level", {2.5, 3}, "cm"),
                     every(30s, (5min + 30s), 15min, "wl-garage", "water_level", {0.5, 0}, "cm"),
                 }),
                 20min);
  EXPECT_EQ(got, kQuiet);
}

// Water lying right at 2 cm is real water: one IV alert after 5 min, never repeated.
TEST_F(LibraryScenario, BasementGaugeFlappingAtTwoCentimetresAlertsOnceOnly) {
  auto got = run("basement-flooding",
                 steps({
                     every(5s, 0s, 20min, "wl-garage", "water_level", {2.1, 1.9}, "cm"),
                     every(30s, (20min + 5s), 30min, "wl-garage", "water_level", {0}, "cm"),
                 }),
                 40min);
  EXPECT_EQ(got, (Expected{{5min, "IV", "Alert"}}));
}

TEST_F(LibraryScenario, BasementIgnoresADeadBattery) {
  auto got = run("basement-flooding",
                 steps({
                     every(30s, 0s, 3min, "wl-garage", "water_level", {0}, "cm"),
                     every(1min, 0s, 3min, "wl-garage", "battery", {5, 2, 1, 0}, "%"),
                 }),
                 1h);
  EXPECT_EQ(got, kQuiet);
}

// --- lift-entrapment -----------------------------------------------------------------

TEST_F(LibraryScenario, LiftStuckWithPeopleInsideWhileTheOtherLiftRuns) {
  auto got = run("lift-entrapment",
                 steps({
                     every(30s, 0s, (1min + 30s), "lift-a", "elevator_stuck", {0}),
                     every(30s, 2min, 15min, "lift-a", "elevator_stuck", {1}),    // stuck from +2 min
                     every(30s, 15s, (15min + 15s), "lift-b", "elevator_stuck", {0}),  // runs normally
                 }),
                 16min);
  EXPECT_EQ(got, (Expected{{4min, "III", "Alert"}, {12min, "II", "Update"}}));
}

TEST_F(LibraryScenario, LiftIgnoresAShortStop) {
  auto got = run("lift-entrapment",
                 steps({
                     every(30s, 0s, (1min + 30s), "lift-a", "elevator_stuck", {0}),
                     every(30s, 2min, (2min + 30s), "lift-a", "elevator_stuck", {1}),  // re-levelling: one minute
                     every(30s, 3min, 15min, "lift-a", "elevator_stuck", {0}),
                     every(30s, 15s, (15min + 15s), "lift-b", "elevator_stuck", {0}),
                 }),
                 20min);
  EXPECT_EQ(got, kQuiet);
}

// A monitor whose stuck flag flaps is indistinguishable from two lifts reporting in
// turn (docs/plan-library.md): after 2 min it raises III once, and never again.
TEST_F(LibraryScenario, LiftMonitorFlappingAlertsOnceOnly) {
  auto got = run("lift-entrapment",
                 steps({
                     at(0s, "lift-a", "elevator_stuck", 0),
                     every(5s, 1min, 4min, "lift-a", "elevator_stuck", {1, 0}),
                     every(30s, (4min + 30s), 30min, "lift-a", "elevator_stuck", {0}),
                 }),
                 30min);
  EXPECT_EQ(got, (Expected{{3min, "III", "Alert"}}));
}

TEST_F(LibraryScenario, LiftIgnoresABriefFlapAndADeadBattery) {
  auto got = run("lift-entrapment",
                 steps({
                     every(5s, 0s, 50s, "lift-a", "elevator_stuck", {1, 0}),  // under 2 min
                     every(30s, (1min + 30s), 3min, "lift-a", "elevator_stuck", {0}),
                     every(1min, 0s, 3min, "lift-a", "battery", {4, 2, 1, 0}, "%"),
                 }),
                 1h);
  EXPECT_EQ(got, kQuiet);
}

// --- elderly-fall ----------------------------------------------------------------------

TEST_F(LibraryScenario, ElderlyFallRaisesOrangeAtOnce) {
  auto got = run("elderly-fall",
                 steps({every(1min, 0s, 10min, "watch-601", "heartbeat", {72, 75}), at(5min, "watch-601", "fall", 1)}), 15min);
  EXPECT_EQ(got, (Expected{{5min, "II", "Alert"}}));
}

TEST_F(LibraryScenario, ElderlySlowHeartThenAFall) {
  auto got = run("elderly-fall",
                 steps({
                     every(1min, 0s, 1min, "watch-601", "heartbeat", {72}),
                     every(1min, 2min, 15min, "watch-601", "heartbeat", {38, 36}),  // III after 10 min
                     at(14min, "watch-601", "fall", 1),                          // II at once
                 }),
                 16min);
  EXPECT_EQ(got, (Expected{{12min, "III", "Alert"}, {14min, "II", "Update"}}));
}

TEST_F(LibraryScenario, ElderlyRacingHeartThatDoesNotSettle) {
  auto got = run("elderly-fall",
                 steps({at(0s, "watch-902", "heartbeat", 80), every(1min, 1min, 15min, "watch-902", "heartbeat", {128, 135})}),
                 16min);
  EXPECT_EQ(got, (Expected{{11min, "III", "Alert"}}));
}

TEST_F(LibraryScenario, ElderlyIgnoresClimbingStairsAndAWatchTakenOff) {
  auto got = run("elderly-fall",
                 steps({
                     every(1min, 0s, 4min, "watch-601", "heartbeat", {74}),
                     every(1min, 5min, 9min, "watch-601", "heartbeat", {125, 132}),  // five floors of stairs
                     every(1min, 10min, 20min, "watch-601", "heartbeat", {90, 80}),
                     every(1min, 21min, 1h, "watch-601", "heartbeat", {0}),  // taken off to charge overnight
                 }),
                 1h);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, ElderlyIgnoresAHeartRateFlappingAtForty) {
  auto got = run("elderly-fall",
                 steps({
                     every(10s, 0s, (29min + 50s), "watch-601", "heartbeat", {39, 41}),
                     every(1min, 30min, 1h, "watch-601", "heartbeat", {45, 48}),
                 }),
                 1h);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, ElderlyIgnoresADeadBattery) {
  auto got = run("elderly-fall",
                 steps({
                     every(1min, 0s, 5min, "watch-601", "heartbeat", {70}),
                     every(1min, 0s, 5min, "watch-601", "fall", {0}),
                     every(1min, 0s, 5min, "watch-601", "battery", {5, 3, 2, 1, 1, 0}, "%"),
                 }),
                 13h);
  EXPECT_EQ(got, kQuiet);
}

// --- high-rise-power-outage ------------------------------------------------------------

TEST_F(LibraryScenario, PowerOutageInTheHighRise) {
  auto got = run("high-rise-power-outage",
                 steps({
                     every(1min, 0s, 4min, "mains-b12", "power", {1}),
                     every(1min, 5min, 40min, "mains-b12", "power", {0}),  // III after 1 min, II after 30
                 }),
                 41min);
  EXPECT_EQ(got, (Expected{{6min, "III", "Alert"}, {35min, "II", "Update"}}));
}

TEST_F(LibraryScenario, PowerIgnoresADipWhileTheGridRecloses) {
  auto got = run("high-rise-power-outage",
                 steps({
                     every(1min, 0s, 4min, "mains-b12", "power", {1}),
                     at(5min, "mains-b12", "power", 0),
                     at((5min + 20s), "mains-b12", "power", 1),
                     every(1min, 6min, 30min, "mains-b12", "power", {1}),
                 }),
                 40min);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, PowerIgnoresAFlickeringSupply) {
  auto got = run("high-rise-power-outage",
                 steps({
                     every(5s, 0s, (9min + 55s), "mains-b12", "power", {0, 1}),
                     every(1min, 10min, 30min, "mains-b12", "power", {1}),  // steady again
                 }),
                 30min);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, PowerIgnoresADeadBatteryAndLowBuildings) {
  auto got = run("high-rise-power-outage",
                 steps({
                     every(1min, 0s, 3min, "mains-b12", "power", {1}),
                     every(1min, 0s, 3min, "mains-b12", "battery", {3, 2, 1, 0}, "%"),
                     every(1min, 0s, 40min, "mains-b07", "power", {0}),  // Building 7 is not a high-rise
                 }),
                 1h);
  EXPECT_EQ(got, kQuiet);
}

}  // namespace
}  // namespace lookout::engine
