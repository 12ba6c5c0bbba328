#include "lookout/drills/scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lookout/base/time_format.h"
#include "lookout/plans/plan.h"
#include "lookout/sensors/registry.h"
#include "lookout/sensors/staff.h"

namespace lookout::drills {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

namespace fs = std::filesystem;

// drills/scenarios/testdata, found from this file's own path.
const fs::path kTestdata = fs::path(__FILE__).parent_path().parent_path() / "scenarios" / "testdata";
const fs::path kRepo = fs::path(__FILE__).parent_path().parent_path().parent_path();

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The diagnostics of `load`, as "file:L:C: message" lines.
std::vector<std::string> lines_of(const ScenarioLoad& load) {
  std::vector<std::string> out;
  for (const auto& d : load.diagnostics) out.push_back(d.to_string());
  return out;
}

// Loads `yaml` as "t.yaml", with the files it names read from testdata.
ScenarioLoad load(std::string_view yaml) { return load_scenario(yaml, "t.yaml", kTestdata.string()); }

Scenario load_ok(std::string_view yaml) {
  ScenarioLoad r = load(yaml);
  EXPECT_THAT(r.diagnostics, IsEmpty()) << to_string(r.diagnostics);
  EXPECT_TRUE(r.scenario.has_value());
  return r.scenario.value_or(Scenario{});
}

// A valid scenario: the tests add lines after it or change one of its lines.
//                                                                             line
const std::string kHead =
    "drill: t\n"                                                             // 1
    "start: 2026-11-21T23:00:00+08:00\n"                                     // 2
    "duration: 1h\n"                                                         // 3
    "community:\n"                                                           // 4
    "  sensors: {sensors: []}\n"                                             // 5
    "plans:\n"                                                               // 6
    "  - {id: p}\n";                                                         // 7
const std::string kStream =
    "sensors:\n"                                                             // 8
    "  - {sensor: smk-1, quantity: smoke, script: [{at: 0s, constant: 0.01}]}\n";  // 9
const std::string kBase = kHead + kStream;

// kBase with line `line` (1-based) replaced by `text` (which may hold several lines).
std::string with_line(int line, std::string_view text) {
  std::istringstream in(kBase);
  std::string out, l;
  for (int n = 1; std::getline(in, l); ++n) {
    out += n == line ? std::string(text) : l;
    out += '\n';
  }
  return out;
}

// A stream (from line 8) with the given script pieces (from line 12).
std::string with_script(std::string_view pieces, std::string_view extra_stream_lines = "") {
  return kHead +
         "sensors:\n"                  // 8
         "  - sensor: smk-1\n"         // 9
         "    quantity: smoke\n" +     // 10
         std::string(extra_stream_lines) +
         "    script:\n" +             // 11 (12 with an extra line)
         std::string(pieces);
}

TEST(Scenario, MinimalLoads) {
  Scenario s = load_ok(kBase);
  EXPECT_EQ(s.id, "t");
  EXPECT_EQ(s.file, "t.yaml");
  EXPECT_EQ(s.time_zone, "UTC");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.duration, 1h);
  ASSERT_EQ(s.streams.size(), 1u);
  EXPECT_EQ(s.streams[0].every, 30s);
  EXPECT_EQ(s.streams[0].line, 9);
  // No staff_behaviour: one rule for everybody, with the defaults.
  ASSERT_EQ(s.behaviour.size(), 1u);
  EXPECT_EQ(s.behaviour[0].respond, (DurationRange{30s, 2min}));
  EXPECT_EQ(s.behaviour[0].travel, (DurationRange{3min, 10min}));
  EXPECT_THAT(s.expectations, IsEmpty());
}

TEST(Scenario, FullScenarioLoadsEveryField) {
  const fs::path file = kTestdata / "full.yaml";
  ScenarioLoad r = load_scenario_file(file.string());
  ASSERT_THAT(r.diagnostics, IsEmpty()) << to_string(r.diagnostics);
  ASSERT_TRUE(r.scenario.has_value());
  const Scenario& s = *r.scenario;
  EXPECT_EQ(s.id, "night-fire-b12");
  EXPECT_EQ(s.title, "Night fire in Building 12 with thin staffing");
  EXPECT_EQ(s.file, file.string());
  EXPECT_EQ(s.start, parse_iso8601("2026-11-21T15:00:00Z").value());
  EXPECT_EQ(s.time_zone, "Asia/Shanghai");
  EXPECT_EQ(s.duration, 1h);
  EXPECT_EQ(s.seed, 7u);

  // Files relative to the scenario's directory, by their resolved names.
  ASSERT_EQ(s.places.size(), 1u);
  EXPECT_EQ(s.places[0].first, (kTestdata / "community/places.yaml").lexically_normal().string());
  EXPECT_EQ(s.places[0].second, read_file(kTestdata / "community/places.yaml"));
  ASSERT_EQ(s.sensors.size(), 1u);
  EXPECT_EQ(s.sensors[0].first, (kTestdata / "community/sensors.yaml").lexically_normal().string());
  ASSERT_EQ(s.staff.size(), 1u);
  EXPECT_EQ(s.staff[0].first, (kTestdata / "community/staff.csv").lexically_normal().string());
  ASSERT_EQ(s.plans.size(), 1u);
  EXPECT_EQ(s.plans[0].first, (kTestdata / "plans/fire.yaml").lexically_normal().string());
  EXPECT_EQ(s.plans[0].second, read_file(kTestdata / "plans/fire.yaml"));

  ASSERT_EQ(s.roster_changes.size(), 3u);
  EXPECT_EQ(s.roster_changes[0].staff, "b12-wang");
  EXPECT_EQ(s.roster_changes[0].kind, RosterChange::Kind::kAway);
  EXPECT_EQ(s.roster_changes[1].staff, "v-li");
  EXPECT_EQ(s.roster_changes[1].kind, RosterChange::Kind::kSick);
  EXPECT_EQ(s.roster_changes[2].staff, "w-zhang");
  EXPECT_EQ(s.roster_changes[2].kind, RosterChange::Kind::kUnreachable);

  ASSERT_EQ(s.streams.size(), 2u);
  const SensorStream& smoke = s.streams[0];
  EXPECT_EQ(smoke.sensor, "smk-b12-1");
  EXPECT_EQ(smoke.quantity, "smoke");
  EXPECT_EQ(smoke.unit, "/");
  EXPECT_EQ(smoke.every, 30s);
  EXPECT_DOUBLE_EQ(smoke.noise, 0.005);
  EXPECT_EQ(smoke.line, 18);
  EXPECT_TRUE(smoke.replay.empty());
  EXPECT_THAT(smoke.replayed, IsEmpty());
  using K = Segment::Kind;
  EXPECT_THAT(smoke.script,
              ElementsAre(Segment{0s, K::kConstant, 0.01, 0, {}},
                          // The ramp starts from the value before it.
                          Segment{5min, K::kRamp, 0.01, 0.4, 10min}, Segment{30min, K::kStuck, 0, 0, {}},
                          Segment{40min, K::kSilent, 0, 0, {}}, Segment{50min, K::kOffline, 0, 0, {}}));
  const SensorStream& heat = s.streams[1];
  EXPECT_EQ(heat.sensor, "tmp-b12-1");
  EXPECT_EQ(heat.quantity, "temperature");
  EXPECT_EQ(heat.unit, "Cel");
  EXPECT_EQ(heat.replay, (kTestdata / "readings/tmp-b12-1.csv").lexically_normal().string());
  EXPECT_THAT(heat.script, IsEmpty());
  EXPECT_EQ(heat.replayed.size(), 4u);

  // Reports in time order.
  ASSERT_EQ(s.reports.size(), 2u);
  EXPECT_EQ(s.reports[0].id, "r-0");
  EXPECT_EQ(s.reports[0].at, 2min);
  EXPECT_EQ(s.reports[0].source, "resident");  // the default
  EXPECT_EQ(s.reports[0].place.str(), "xc/hl/qy/g03");
  EXPECT_EQ(s.reports[0].description, "");
  EXPECT_EQ(s.reports[1].id, "r-1");
  EXPECT_EQ(s.reports[1].at, 12min);
  EXPECT_EQ(s.reports[1].category, "fire");
  EXPECT_EQ(s.reports[1].place.str(), "xc/hl/qy/g03/b12");
  EXPECT_EQ(s.reports[1].source, "hotline");
  EXPECT_EQ(s.reports[1].description, "smoke in the stairwell");

  ASSERT_EQ(s.behaviour.size(), 4u);  // ends with a rule for everybody: nothing added
  EXPECT_EQ(s.behaviour[0].kind, "volunteer");
  EXPECT_EQ(s.behaviour[0].respond, (DurationRange{1min, 5min}));
  EXPECT_DOUBLE_EQ(s.behaviour[0].decline, 0.2);
  EXPECT_DOUBLE_EQ(s.behaviour[0].no_answer, 0.1);
  EXPECT_EQ(s.behaviour[0].travel, (DurationRange{5min, 15min}));
  EXPECT_EQ(s.behaviour[0].line, 37);
  EXPECT_EQ(s.behaviour[1].role, "fire_warden");
  EXPECT_EQ(s.behaviour[1].respond, (DurationRange{30s, 2min}));
  EXPECT_DOUBLE_EQ(s.behaviour[1].decline, 0.1);
  EXPECT_DOUBLE_EQ(s.behaviour[1].no_answer, 0);
  EXPECT_EQ(s.behaviour[1].travel, (DurationRange{3min, 10min}));  // the default
  EXPECT_EQ(s.behaviour[2].staff, "b12-zhao");
  EXPECT_EQ(s.behaviour[2].respond, (DurationRange{0s, 0s}));
  EXPECT_EQ(s.behaviour[2].travel, (DurationRange{0s, 1min}));
  EXPECT_TRUE(s.behaviour[3].role.empty() && s.behaviour[3].kind.empty() && s.behaviour[3].staff.empty());
  EXPECT_EQ(s.behaviour[3].respond, (DurationRange{1min, 3min}));

  ASSERT_EQ(s.expectations.size(), 7u);
  using E = Expectation::Kind;
  const Expectation& alert = s.expectations[0];
  EXPECT_EQ(alert.kind, E::kAlertWithin);
  EXPECT_EQ(alert.level, plans::Level::kII);
  EXPECT_EQ(alert.within, 60s);
  EXPECT_EQ(alert.after_quantity, "smoke");
  EXPECT_EQ(alert.after_op, ">=");
  EXPECT_DOUBLE_EQ(alert.after_value, 0.15);
  EXPECT_EQ(alert.text, "alert II within 60s after smoke >= 0.15");
  EXPECT_EQ(alert.line, 42);
  EXPECT_EQ(alert.column, 6);
  const Expectation& any_alert = s.expectations[1];
  EXPECT_EQ(any_alert.level, plans::Level::kIII);
  EXPECT_EQ(any_alert.within, 1h);  // left out: the rest of the drill
  EXPECT_TRUE(any_alert.after_quantity.empty());
  EXPECT_EQ(any_alert.text, "alert III");
  const Expectation& accepted = s.expectations[2];
  EXPECT_EQ(accepted.kind, E::kAcceptedWithin);
  EXPECT_EQ(accepted.role, "fire_warden");
  EXPECT_EQ(accepted.count, 2);
  EXPECT_EQ(accepted.within, 5min);
  EXPECT_EQ(accepted.text, "accepted 2 fire_warden within 5m");
  EXPECT_EQ(s.expectations[3].kind, E::kAssignedWithin);
  EXPECT_EQ(s.expectations[3].place.str(), "xc/hl/qy");
  EXPECT_EQ(s.expectations[3].text, "assigned within xc/hl/qy");
  EXPECT_EQ(s.expectations[4].kind, E::kNoActualAlert);
  EXPECT_EQ(s.expectations[4].text, "no actual alert");
  EXPECT_EQ(s.expectations[5].kind, E::kNoUnfilledRole);
  EXPECT_EQ(s.expectations[5].text, "no unfilled role");
  EXPECT_EQ(s.expectations[6].kind, E::kResolvedWithin);
  EXPECT_EQ(s.expectations[6].within, 2h);
  EXPECT_EQ(s.expectations[6].text, "resolved within 2h");
  EXPECT_EQ(s.expectations[6].line, 48);
}

// The fixtures the full scenario names are themselves valid, so the runner can import them.
TEST(Scenario, FullScenarioFilesAreValid) {
  ScenarioLoad r = load_scenario_file((kTestdata / "full.yaml").string());
  ASSERT_TRUE(r.scenario.has_value()) << to_string(r.diagnostics);
  const Scenario& s = *r.scenario;
  EXPECT_TRUE(sensors::parse_places(s.places[0].second, s.places[0].first).ok());
  EXPECT_TRUE(sensors::parse_sensors(s.sensors[0].second, s.sensors[0].first).ok());
  auto staff = sensors::parse_staff(s.staff[0].second, s.staff[0].first, s.time_zone);
  EXPECT_TRUE(staff.ok()) << to_string(staff.diagnostics);
  auto plan = plans::load_plan(s.plans[0].second, s.plans[0].first);
  EXPECT_TRUE(plan.plan.has_value()) << to_string(plan.diagnostics);
}

TEST(Scenario, ReplayCsvTakesSecondsAndIsoTimes) {
  Scenario s = load_ok(kHead + "sensors:\n  - {sensor: tmp-1, quantity: temperature, replay: readings/tmp-b12-1.csv}\n");
  ASSERT_EQ(s.streams.size(), 1u);
  // "0", "90.5", a quoted time at +08:00 (5 minutes in) and the same clock in UTC (10 minutes in).
  EXPECT_THAT(s.streams[0].replayed, ElementsAre(Pair(Duration(0s), 21.5), Pair(Duration(90500ms), 22.0),
                                                 Pair(Duration(5min), 35.25), Pair(Duration(10min), 61.0)));
}

TEST(Scenario, ReplayCsvMistakesAreReportedInTheCsv) {
  ScenarioLoad r = load(kHead + "sensors:\n  - {sensor: tmp-1, quantity: temperature, replay: readings/bad.csv}\n");
  EXPECT_FALSE(r.scenario.has_value());
  const std::string csv = (kTestdata / "readings/bad.csv").lexically_normal().string();
  EXPECT_THAT(lines_of(r),
              ElementsAre(csv + ":3:1: expected seconds from the drill's start (0 or more), found \"-5\"",
                          csv + ":4:4: expected a value (a number), found \"hot\"",
                          csv + ":5:1: expected times in increasing order, found \"30\" after the reading on line 4",
                          csv + ":6:1: expected a time before the end of the drill (duration 1h), found "
                                "\"2026-11-22T01:00:00+08:00\"",
                          csv + ":7:1: expected two values (time, value), found 1"));
}

TEST(Scenario, ReplayCsvWithoutHeaderOrReadings) {
  const std::string head = kHead + "sensors:\n  - {sensor: s, quantity: smoke, replay: readings/";
  ScenarioLoad r = load(head + "no-header.csv}\n");
  EXPECT_THAT(lines_of(r), ElementsAre((kTestdata / "readings/no-header.csv").string() +
                                       ":1:1: expected a header line first (such as time,value), found a reading"));
  r = load(head + "header-only.csv}\n");
  EXPECT_THAT(lines_of(r), ElementsAre((kTestdata / "readings/header-only.csv").string() +
                                       ":1:1: expected at least one reading after the header, found none"));
}

TEST(Scenario, FilesResolveAgainstTheBaseDirectory) {
  // "..", an absolute path and a plain name all name the same plan.
  const std::string absolute = (kTestdata / "plans/fire.yaml").string();
  Scenario s = load_ok(with_line(7, "  - ../testdata/plans/fire.yaml\n  - " + absolute + "\n  - plans/./fire.yaml"));
  ASSERT_EQ(s.plans.size(), 3u);
  const std::string expected = (kTestdata / "plans/fire.yaml").lexically_normal().string();
  for (const auto& [name, text] : s.plans) {
    EXPECT_EQ(name, expected);
    EXPECT_EQ(text, read_file(kTestdata / "plans/fire.yaml"));
  }
  // Without a base directory, relative to the working directory.
  ScenarioLoad r = load_scenario(kBase, "t.yaml", "");
  EXPECT_TRUE(r.scenario.has_value());
}

TEST(Scenario, InlineDocumentsKeepTheirPositions) {
  const std::string yaml = kHead.substr(0, kHead.find("  sensors:")) +
                           "  sensors:\n"                     // 5
                           "    sensors:\n"                   // 6
                           "      - id: smk 1\n"              // 7
                           "        place: xc/hl/qy\n"        // 8
                           "        kind: smoke_detector\n"   // 9
                           "        quantities: [smoke]\n"    // 10
                           "    # the staff follow\n"         // 11
                           "  staff: {staff: [{id: x}]}\n"    // 12
                           "plans:\n"                         // 13
                           "  - {id: p}\n" +                  // 14
                           kStream;
  Scenario s = load_ok(yaml);
  ASSERT_EQ(s.sensors.size(), 1u);
  EXPECT_EQ(s.sensors[0].first, "t.yaml");
  EXPECT_EQ(s.sensors[0].second, std::string(5, '\n') +
                                     "    sensors:\n      - id: smk 1\n        place: xc/hl/qy\n"
                                     "        kind: smoke_detector\n        quantities: [smoke]\n"
                                     "    # the staff follow\n\n");
  ASSERT_EQ(s.staff.size(), 1u);
  EXPECT_EQ(s.staff[0].second, std::string(11, '\n') + "         {staff: [{id: x}]}\n");
  EXPECT_EQ(s.plans[0].second, std::string(13, '\n') + "    {id: p}\n");
  // The registry's own mistakes, found when it is imported, point into the scenario.
  auto sensors = sensors::parse_sensors(s.sensors[0].second, s.sensors[0].first);
  ASSERT_FALSE(sensors.ok());
  ASSERT_EQ(sensors.diagnostics.size(), 1u) << to_string(sensors.diagnostics);
  EXPECT_EQ(sensors.diagnostics[0].file, "t.yaml");
  EXPECT_EQ(sensors.diagnostics[0].line, 7);
  EXPECT_EQ(sensors.diagnostics[0].column, 13);
}

TEST(Scenario, ExpectationDefaultsAndText) {
  Scenario s = load_ok(kBase +
                       "expect:\n"                                          // 10
                       "  - {alert: I, after: start}\n"                     // 11
                       "  - {alert: IV, after: 'smoke<0.5', within: 90s}\n" // 12
                       "  - {accepted: volunteer}\n"                        // 13
                       "  - {resolved_within: 1h30m}\n"                     // 14
                       "  - {assigned_within: xc/hl/qy/g03}\n"              // 15
                       "  - no_unfilled_role: true\n");                     // 16
  ASSERT_EQ(s.expectations.size(), 6u);
  const auto& e = s.expectations;
  EXPECT_EQ(e[0].text, "alert I");
  EXPECT_EQ(e[0].level, plans::Level::kI);
  EXPECT_TRUE(e[0].after_quantity.empty());
  EXPECT_EQ(e[0].within, 1h);
  EXPECT_EQ(e[1].text, "alert IV within 90s after smoke < 0.5");
  EXPECT_EQ(e[1].after_op, "<");
  EXPECT_DOUBLE_EQ(e[1].after_value, 0.5);
  EXPECT_EQ(e[1].within, 90s);
  EXPECT_EQ(e[2].text, "accepted volunteer");
  EXPECT_EQ(e[2].count, 1);
  EXPECT_EQ(e[2].within, 1h);
  EXPECT_EQ(e[3].text, "resolved within 1h30m");
  EXPECT_EQ(e[3].within, 90min);
  EXPECT_EQ(e[4].text, "assigned within xc/hl/qy/g03");
  EXPECT_EQ(e[5].text, "no unfilled role");
  EXPECT_EQ(e[5].line, 16);
  EXPECT_EQ(e[5].column, 5);

  Scenario quiet = load_ok(kBase + "expect:\n  - {no_alert: true}\n");
  ASSERT_EQ(quiet.expectations.size(), 1u);
  EXPECT_EQ(quiet.expectations[0].kind, Expectation::Kind::kNoAlert);
  EXPECT_EQ(quiet.expectations[0].text, "no alert");
}

TEST(Scenario, RampWithFromAndAStepAfterSilence) {
  Scenario s = load_ok(with_script("      - {at: 0s, ramp: {from: 1, to: 3, over: 2m}}\n"
                                   "      - {at: 10m, silent: true}\n"
                                   "      - {at: 20m, constant: 0.5}\n"
                                   "      - {at: 25m, ramp: {to: 1.5, over: 1m}}\n"));
  ASSERT_EQ(s.streams.size(), 1u);
  const auto& script = s.streams[0].script;
  ASSERT_EQ(script.size(), 4u);
  EXPECT_DOUBLE_EQ(script[0].value, 1);
  EXPECT_DOUBLE_EQ(script[3].value, 0.5);  // from the step before it
}

// ---- script_value

SensorStream stream_of(std::vector<Segment> script) {
  SensorStream s;
  s.script = std::move(script);
  return s;
}

TEST(ScriptValue, Constant) {
  auto s = stream_of({{1min, Segment::Kind::kConstant, 0.25, 0, {}}, {2min, Segment::Kind::kConstant, 0.5, 0, {}}});
  EXPECT_EQ(script_value(s, 30s), std::nullopt);  // before the first piece: nothing
  EXPECT_EQ(script_value(s, 1min), 0.25);
  EXPECT_EQ(script_value(s, 119s), 0.25);
  EXPECT_EQ(script_value(s, 2min), 0.5);  // a step
  EXPECT_EQ(script_value(s, 5h), 0.5);
}

TEST(ScriptValue, RampInterpolatesThenHolds) {
  auto s = stream_of({{0s, Segment::Kind::kRamp, 0.0, 0.4, 10min}});
  EXPECT_DOUBLE_EQ(*script_value(s, 0s), 0.0);
  EXPECT_DOUBLE_EQ(*script_value(s, 5min), 0.2);
  EXPECT_DOUBLE_EQ(*script_value(s, 150s), 0.1);
  EXPECT_DOUBLE_EQ(*script_value(s, 10min), 0.4);
  EXPECT_DOUBLE_EQ(*script_value(s, 1h), 0.4);
  auto down = stream_of({{1min, Segment::Kind::kRamp, 10, 4, 3min}});
  EXPECT_DOUBLE_EQ(*script_value(down, 2min), 8);
}

TEST(ScriptValue, StuckKeepsTheValueOfThePieceBefore) {
  auto s = stream_of({{0s, Segment::Kind::kRamp, 0.0, 1.0, 10min}, {4min, Segment::Kind::kStuck, 0, 0, {}}});
  EXPECT_DOUBLE_EQ(*script_value(s, 4min), 0.4);  // where the ramp was when it got stuck
  EXPECT_DOUBLE_EQ(*script_value(s, 30min), 0.4);
  auto after_constant =
      stream_of({{0s, Segment::Kind::kConstant, 7, 0, {}}, {1min, Segment::Kind::kStuck, 0, 0, {}}});
  EXPECT_EQ(script_value(after_constant, 2min), 7);
  auto first = stream_of({{0s, Segment::Kind::kStuck, 0, 0, {}}});
  EXPECT_EQ(script_value(first, 1min), std::nullopt);
}

TEST(ScriptValue, SilentAndOfflineGiveNothing) {
  auto s = stream_of({{0s, Segment::Kind::kConstant, 1, 0, {}},
                      {1min, Segment::Kind::kSilent, 0, 0, {}},
                      {2min, Segment::Kind::kConstant, 2, 0, {}},
                      {3min, Segment::Kind::kOffline, 0, 0, {}}});
  EXPECT_EQ(script_value(s, 30s), 1);
  EXPECT_EQ(script_value(s, 90s), std::nullopt);
  EXPECT_EQ(script_value(s, 150s), 2);  // back
  EXPECT_EQ(script_value(s, 3min), std::nullopt);
  EXPECT_EQ(script_value(s, 1h), std::nullopt);
  EXPECT_EQ(script_value(SensorStream{}, 0s), std::nullopt);  // a replay: no script
}

// ---- rejections: each mistake with its line, column and message

struct Rejection {
  const char* name;
  std::string yaml;
  std::string expected;  // "L:C: message" of the only diagnostic
};

std::ostream& operator<<(std::ostream& out, const Rejection& r) { return out << r.name; }

class Rejects : public ::testing::TestWithParam<Rejection> {};

TEST_P(Rejects, WithPositionAndMessage) {
  const Rejection& c = GetParam();
  ScenarioLoad r = load(c.yaml);
  EXPECT_FALSE(r.scenario.has_value());
  EXPECT_THAT(lines_of(r), ElementsAre("t.yaml:" + c.expected)) << c.yaml;
}

const std::string kTestdataDir = kTestdata.lexically_normal().string();

INSTANTIATE_TEST_SUITE_P(
    Scenario, Rejects,
    ::testing::Values(
        Rejection{"EmptyFile", "# nothing\n",
                  " expected a scenario (a map with drill, start, duration, community and plans), found an empty "
                  "file"},
        Rejection{"YamlSyntax", kBase + "expect: [\n",
                  "11:1: expected valid YAML, found a syntax error: end of sequence flow not found"},
        Rejection{"UnknownKey", kBase + "staff_behavior:\n  - {respond: 1m}\n",
                  "10:1: expected a scenario key (drill, title, start, time_zone, duration, seed, community, plans, "
                  "roster, sensors, reports, staff_behaviour or expect), found \"staff_behavior\"; did you mean "
                  "\"staff_behaviour\"?"},
        Rejection{"KeyTwice", kBase + "drill: u\n", "10:1: expected each key once, found \"drill\" again (first on line 1)"},
        Rejection{"MissingDrill", kBase.substr(kBase.find('\n') + 1),
                  "1:1: expected key \"drill\" in the scenario, found none"},
        Rejection{"BadDrillId", with_line(1, "drill: Night Fire"),
                  "1:8: expected a drill id (1 to 64 of a-z, 0-9, '_' or '-', starting with a letter or digit), found "
                  "\"Night Fire\""},
        Rejection{"StartWithoutOffset", with_line(2, "start: 2026-11-21T23:00:00"),
                  "2:8: expected a start time in ISO 8601 with its offset, such as 2026-11-21T23:00:00+08:00, found "
                  "\"2026-11-21T23:00:00\"; add the offset, e.g. 2026-11-21T23:00:00+08:00"},
        Rejection{"UnknownTimeZone", kBase + "time_zone: Beijing\n",
                  "10:12: expected an IANA time zone such as Asia/Shanghai or UTC, found \"Beijing\""},
        Rejection{"DurationWithSpace", with_line(3, "duration: 90 minutes"),
                  "3:13: expected a unit (d, h, m or s) after \"90\", found a space; write \"90m\""},
        Rejection{"NegativeSeed", kBase + "seed: -1\n",
                  "10:7: expected a seed (a whole number from 0 to 18446744073709551615), found \"-1\""},
        Rejection{"CommunityWithoutSensors", with_line(5, "  staff: {staff: []}"),
                  "5:3: expected key \"sensors\" in community, found none"},
        Rejection{"RegistryExtension", with_line(5, "  sensors: sensors.txt"),
                  "5:12: expected a file name ending in .csv, .yaml or .yml (it gives the registry's format), found "
                  "\"sensors.txt\""},
        Rejection{"NoPlans", kHead.substr(0, kHead.find("plans:")) + "plans: []\n" + kStream,
                  "6:8: expected at least one plan (a file name such as fire.yaml, or the plan written here as a "
                  "map), found an empty list"},
        Rejection{"MissingPlanFile", with_line(7, "  - nothere.yaml"),
                  "7:5: expected a file that can be read, found \"nothere.yaml\" (" + kTestdataDir +
                      "/nothere.yaml: no such file)"},
        Rejection{"PlanIsADirectory", with_line(7, "  - plans"),
                  "7:5: expected a file that can be read, found \"plans\" (" + kTestdataDir +
                      "/plans: a directory, not a file)"},
        Rejection{"PlanIsADevice", with_line(7, "  - /dev/zero"),
                  "7:5: expected a file that can be read, found \"/dev/zero\" (/dev/zero: not a regular file)"},
        Rejection{"NothingToReactTo", kHead,
                  "1:1: expected key \"sensors\" or \"reports\" in the scenario (something for the plans to react "
                  "to), found neither"},
        Rejection{"ScriptAndReplay",
                  kHead + "sensors:\n  - {sensor: s, quantity: smoke, replay: x.csv, script: [{at: 0s, constant: 1}]}\n",
                  "9:49: expected either script or replay in sensor stream 1, found both"},
        Rejection{"NeitherScriptNorReplay", kHead + "sensors:\n  - {sensor: s, quantity: smoke}\n",
                  "9:5: expected key \"script\" or \"replay\" in sensor stream 1, found neither"},
        Rejection{"BadSensorId", with_line(9, "  - {sensor: smk 1, quantity: smoke, replay: readings/tmp-b12-1.csv}"),
                  "9:14: expected a sensor id (1 to 64 of A-Z, a-z, 0-9, '_', '.' or '-'), found \"smk 1\""},
        Rejection{"SameStreamTwice", kBase + "  - {sensor: smk-1, quantity: smoke, replay: readings/tmp-b12-1.csv}\n",
                  "10:14: expected each sensor and quantity once in sensors, found smk-1 smoke again (first on line "
                  "9)"},
        Rejection{"EveryWithReplay",
                  kHead + "sensors:\n  - {sensor: s, quantity: t, every: 30s, replay: readings/tmp-b12-1.csv}\n",
                  "9:30: expected no every with replay (the CSV's readings are sent as they are), found one"},
        Rejection{"UnknownUnit", with_script("      - {at: 0s, constant: 1}\n", "    unit: cel\n"),
                  "11:11: expected a unit (Cel, K, degF, m, cm, mm, /, %, ppm, %LEL, %RH, dB, lx, W, V, A, s or "
                  "count), found \"cel\"; did you mean \"Cel\"?"},
        Rejection{"NegativeNoise", with_script("      - {at: 0s, constant: 1}\n", "    noise: -0.1\n"),
                  "11:12: expected a noise amplitude (a number, 0 or more), found \"-0.1\""},
        Rejection{"EveryZero", with_script("      - {at: 0s, constant: 1}\n", "    every: 0s\n"),
                  "11:12: expected a duration longer than zero, found \"0s\""},
        Rejection{"EmptyScript", with_script("      []\n"),
                  "12:7: expected at least one script piece (such as {at: 0s, constant: 0.01}), found an empty list"},
        Rejection{"AtNotIncreasing", with_script("      - {at: 5m, constant: 1}\n      - {at: 5m, constant: 2}\n"),
                  "13:14: expected a time later than the piece before (5m), found \"5m\""},
        Rejection{"AtAfterTheEnd", with_script("      - {at: 1h, constant: 1}\n"),
                  "12:14: expected a time before the end of the drill (duration 1h), found \"1h\""},
        Rejection{"AtNegative", with_script("      - {at: -5m, constant: 1}\n"),
                  "12:14: expected a duration such as 30s, 10m or 1h30m, found \"-\"; a duration cannot be negative"},
        Rejection{"TwoPieceKinds", with_script("      - {at: 0s, constant: 1, silent: true}\n"),
                  "12:31: expected one of constant, ramp, stuck, silent or offline in script piece 1, found both "
                  "constant and silent"},
        Rejection{"NoPieceKind", with_script("      - {at: 0s}\n"),
                  "12:9: expected one of constant, ramp, stuck, silent or offline in script piece 1, found none"},
        Rejection{"ConstantNotANumber", with_script("      - {at: 0s, constant: high}\n"),
                  "12:28: expected a value (a number), found \"high\""},
        Rejection{"RampWithoutOver", with_script("      - {at: 0s, ramp: {from: 0, to: 1}}\n"),
                  "12:24: expected key \"over\" in the ramp, found none"},
        Rejection{"RampOverZero", with_script("      - {at: 0s, ramp: {from: 0, to: 1, over: 0s}}\n"),
                  "12:47: expected a duration longer than zero, found \"0s\""},
        Rejection{"FirstRampWithoutFrom", with_script("      - {at: 0s, ramp: {to: 1, over: 1m}}\n"),
                  "12:24: expected key \"from\" in the ramp (no value before it to start from), found none"},
        Rejection{"RampAfterSilenceWithoutFrom",
                  with_script("      - {at: 0s, silent: true}\n      - {at: 1m, ramp: {to: 1, over: 1m}}\n"),
                  "13:24: expected key \"from\" in the ramp (no value before it to start from), found none"},
        Rejection{"StuckFirst", with_script("      - {at: 0s, stuck: true}\n"),
                  "12:18: expected a constant or ramp piece before stuck (a stuck sensor keeps sending its last "
                  "value), found none"},
        Rejection{"SilentFalse", with_script("      - {at: 0s, silent: false}\n"),
                  "12:26: expected true, found \"false\"; leave the key out instead"},
        Rejection{"RosterTwoKinds", kBase + "roster:\n  - {staff: b12-wang, away: true, sick: true}\n",
                  "11:35: expected one of away, sick or unreachable in roster change 1, found both away and sick"},
        Rejection{"RosterNoKind", kBase + "roster:\n  - {staff: b12-wang}\n",
                  "11:5: expected one of away, sick or unreachable (as \"away: true\") in roster change 1, found "
                  "none"},
        Rejection{"RosterTwice", kBase + "roster:\n  - {staff: a, away: true}\n  - {staff: a, sick: true}\n",
                  "12:13: expected each staff member once in roster, found \"a\" again (first on line 11)"},
        Rejection{"ReportIdTwice",
                  kHead + "reports:\n  - {at: 1m, id: r-1, category: fire, place: xc/hl/qy}\n"
                          "  - {at: 2m, id: r-1, category: fire, place: xc/hl/qy}\n",
                  "10:18: expected each report id once, found \"r-1\" again (first on line 9)"},
        Rejection{"ReportBadId", kHead + "reports:\n  - {at: 1m, id: r 1, category: fire, place: xc/hl/qy}\n",
                  "9:18: expected a report id (1 to 64 of A-Z, a-z, 0-9, '_', '.' or '-'), found \"r 1\""},
        Rejection{"ReportCategory", kHead + "reports:\n  - {at: 1m, id: r-1, category: Fire, place: xc/hl/qy}\n",
                  "9:33: expected a report category (a lower-case letter, then up to 63 of a-z, 0-9 or '_'), found "
                  "\"Fire\"; did you mean \"fire\"?"},
        Rejection{"ReportBadPlace", kHead + "reports:\n  - {at: 1m, id: r-1, category: fire, place: xc//qy}\n",
                  "9:46: place path \"xc//qy\": segment 2 is empty; expected 1 to 32 of a-z, 0-9, '_' or '-'"},
        Rejection{"ReportSource",
                  kHead + "reports:\n  - {at: 1m, id: r-1, category: fire, place: xc/hl/qy, source: hotlne}\n",
                  "9:64: expected a report source (hotline, resident, grid_worker, app or sensor_gateway), found "
                  "\"hotlne\"; did you mean \"hotline\"?"},
        Rejection{"ReportWithoutPlace", kHead + "reports:\n  - {at: 1m, id: r-1, category: fire}\n",
                  "9:5: expected key \"place\" in report 1, found none"},
        Rejection{"ChanceAboveOne", kBase + "staff_behaviour:\n  - {decline: 1.2}\n",
                  "11:15: expected a chance from 0 to 1, found \"1.2\""},
        Rejection{"ChanceInPercent", kBase + "staff_behaviour:\n  - {decline: 20%}\n",
                  "11:15: expected a chance from 0 to 1, found \"20%\"; write a share: 20% is 0.2"},
        Rejection{"ChancesAboveOne", kBase + "staff_behaviour:\n  - {decline: 0.6, no_answer: 0.5}\n",
                  "11:31: expected decline and no_answer to add up to at most 1, found 0.6 + 0.5"},
        Rejection{"RangeReversed", kBase + "staff_behaviour:\n  - {respond: 5m..1m}\n",
                  "11:15: expected the shorter time first in a range (A..B with A at most B), found \"5m..1m\""},
        Rejection{"RangeBadEnd", kBase + "staff_behaviour:\n  - {respond: 1m..5x}\n",
                  "11:20: expected a unit (d, h, m or s), found \"x\""},
        Rejection{"UnknownStaffKind", kBase + "staff_behaviour:\n  - {kind: volunter}\n",
                  "11:12: expected a kind of staff (community_worker, grid_worker, building_lead, volunteer, "
                  "property_management, outside_agency), found \"volunter\"; did you mean \"volunteer\"?"},
        Rejection{"BadRole", kBase + "staff_behaviour:\n  - {role: Fire Warden}\n",
                  "11:12: expected a role name (1 to 64 of a-z, 0-9 or '_', starting with a letter), found \"Fire "
                  "Warden\"; did you mean \"fire_warden\"?"},
        Rejection{"RuleAfterTheDefault", kBase + "staff_behaviour:\n  - {respond: 1m}\n  - {kind: volunteer}\n",
                  "12:5: expected no rule after the rule for everybody (line 11), found one that would never apply"},
        Rejection{"ExpectTwoKinds", kBase + "expect:\n  - {alert: II, no_alert: true}\n",
                  "11:17: expected one expectation per list item, found both alert and no_alert; write each as its "
                  "own item"},
        Rejection{"ExpectNoKind", kBase + "expect:\n  - {within: 5m}\n",
                  "11:5: expected one of alert, accepted, assigned_within, no_actual_alert, no_alert, "
                  "no_unfilled_role or resolved_within in expectation 1, found none"},
        Rejection{"ExpectLevel", kBase + "expect:\n  - {alert: V}\n",
                  "11:13: expected a warning level (I, II, III or IV), found \"V\""},
        Rejection{"ExpectWithinZero", kBase + "expect:\n  - {alert: II, within: 0s}\n",
                  "11:25: expected a duration longer than zero, found \"0s\""},
        Rejection{"ExpectAfterOperator", kBase + "expect:\n  - {alert: II, after: \"smoke => 0.15\"}\n",
                  "11:31: expected an operator (>=, <=, ==, > or <) after \"smoke\", found \"=>\""},
        Rejection{"ExpectAfterQuantity", kBase + "expect:\n  - {alert: II, after: smok >= 0.1}\n",
                  "11:24: expected a quantity a sensor stream sends (smoke), found \"smok\"; did you mean \"smoke\"?"},
        Rejection{"ExpectAfterUnit", kBase + "expect:\n  - {alert: II, after: \"smoke >= 0.15 /\"}\n",
                  "11:34: expected a number (in the stream's own unit, written without it), found \"0.15 /\""},
        Rejection{"ExpectAfterWithoutStreams",
                  kHead + "reports:\n  - {at: 1m, id: r-1, category: fire, place: xc/hl/qy}\n"
                          "expect:\n  - {alert: II, after: smoke >= 0.1}\n",
                  "11:24: expected \"start\" (the scenario has no sensor streams to wait for), found \"smoke >= "
                  "0.1\""},
        Rejection{"ExpectExtraKey", kBase + "expect:\n  - {no_alert: true, within: 5m}\n",
                  "11:22: expected nothing else with no_alert, found \"within\""},
        Rejection{"ExpectAfterOnAccepted", kBase + "expect:\n  - {accepted: fire_warden, after: start}\n",
                  "11:29: expected count or within with accepted, found \"after\""},
        Rejection{"ExpectCountZero", kBase + "expect:\n  - {accepted: fire_warden, count: 0}\n",
                  "11:36: expected a number of people (a whole number from 1 to 999), found \"0\""},
        Rejection{"ExpectPlace", kBase + "expect:\n  - {assigned_within: xc/hl/QY}\n",
                  "11:23: place path \"xc/hl/QY\": segment 3 \"QY\" is not; expected 1 to 32 of a-z, 0-9, '_' or '-'; "
                  "did you mean \"xc/hl/qy\"?"},
        Rejection{"ExpectNotTrue", kBase + "expect:\n  - {no_actual_alert: yes}\n",
                  "11:23: expected true, found \"yes\""},
        Rejection{"ExpectationsThatCannotAllPass", kBase + "expect:\n  - {no_alert: true}\n  - {alert: II}\n",
                  "12:6: expected expectations that can all pass, found no_alert (line 11) with an expectation that "
                  "needs an alert (line 12)"}),
    [](const ::testing::TestParamInfo<Rejection>& info) { return std::string(info.param.name); });

TEST(Scenario, EveryProblemIsReportedAtOnce) {
  ScenarioLoad r = load(with_line(1, "drill: Bad Id") + "time_zone: Mars/Base\nexpect:\n  - {alert: V}\n");
  EXPECT_FALSE(r.scenario.has_value());
  EXPECT_EQ(r.diagnostics.size(), 3u) << to_string(r.diagnostics);
}

// Any prefix of a valid scenario loads or is refused with diagnostics; never a crash.
TEST(Scenario, TruncatedScenariosAreRefusedCleanly) {
  const std::string full = read_file(kTestdata / "full.yaml");
  for (std::size_t size = 0; size < full.size(); size += 7) {
    ScenarioLoad r = load_scenario(full.substr(0, size), "full.yaml", kTestdata.string());
    EXPECT_NE(r.scenario.has_value(), !r.diagnostics.empty()) << size;
  }
}

TEST(Scenario, UnreadableScenarioFile) {
  ScenarioLoad r = load_scenario_file((kTestdata / "no-such-scenario.yaml").string());
  EXPECT_FALSE(r.scenario.has_value());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].line, 0);
  EXPECT_THAT(r.diagnostics[0].message, HasSubstr("no such file"));
}

// The errors docs/drills.md shows are what drills/scenarios/testdata/broken.yaml gives.
TEST(Scenario, DocumentedErrors) {
  const std::string prefix = kRepo.lexically_normal().string() + "/";
  ScenarioLoad r = load_scenario(read_file(kTestdata / "broken.yaml"), "drills/scenarios/testdata/broken.yaml",
                                 kTestdata.string());
  EXPECT_FALSE(r.scenario.has_value());
  std::string actual;
  for (std::string line : lines_of(r)) {
    for (std::size_t at = line.find(prefix); at != std::string::npos; at = line.find(prefix)) {
      line.erase(at, prefix.size());  // file names from the repository's top directory
    }
    actual += line + "\n";
  }
  const std::string doc = read_file(kRepo / "docs/drills.md");
  const std::string intro = "the repository's top\ndirectory):\n\n```\n";
  const std::size_t start = doc.find(intro);
  ASSERT_NE(start, std::string::npos);
  const std::size_t end = doc.find("```", start + intro.size());
  EXPECT_EQ(doc.substr(start + intro.size(), end - start - intro.size()), actual);
}

// The example in docs/drills.md loads, with the files it names from drills/scenarios/.
TEST(Scenario, DocumentedExampleLoads) {
  const std::string doc = read_file(kRepo / "docs/drills.md");
  const std::string fence = "```yaml\n";
  const std::size_t start = doc.find(fence);
  ASSERT_NE(start, std::string::npos);
  const std::size_t end = doc.find("```", start + fence.size());
  ASSERT_NE(end, std::string::npos);
  const std::string example = doc.substr(start + fence.size(), end - start - fence.size());
  ScenarioLoad r = load_scenario(example, "night-fire-b12.yaml", (kRepo / "drills/scenarios").string());
  EXPECT_THAT(r.diagnostics, IsEmpty()) << to_string(r.diagnostics);
}

}  // namespace
}  // namespace lookout::drills
