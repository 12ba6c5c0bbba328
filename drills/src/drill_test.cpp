// The virtual-time drill runner: the real core plays a scenario built here by hand
// (scenario_test.cpp covers the file format), and the report says what happened.
#include "lookout/drills/drill.h"

#include <gtest/gtest.h>

#include "lookout/base/time_format.h"

namespace lookout::drills {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPlaces = R"(places:
  - {path: xc/hl/qy, name: Qingyuan}
  - {path: xc/hl/qy/g03/b12, name: Building 12}
)";
constexpr const char* kSensors = R"(sensors:
  - {id: smk-1, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke]}
  - {id: smk-2, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke]}
)";
constexpr const char* kStaff = R"(time_zone: Asia/Shanghai
staff:
  - {id: w-a, name: A, roles: [fire_warden], kind: building_lead, home: xc/hl/qy/g03/b12, on_call: always}
  - {id: w-b, name: B, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, on_call: always}
  - {id: w-c, name: C, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b07, on_call: always}
  - {id: w-far, name: Far, roles: [fire_warden], kind: volunteer, home: xc/hl/dj/g01, on_call: always}
  - {id: c-g03, name: Grid, roles: [coordinator], kind: grid_worker, home: xc/hl/qy/g03, on_call: always}
)";
constexpr const char* kPlan = R"(id: fire
title: Fire
places: ["xc/**"]
levels:
  II:
    when: any smoke >= 0.15 /
    alert: {category: Fire, event: Fire, headline: "Fire in {place_name}", audience: [residents, grid_coordinators]}
    staff:
      - {role: fire_warden, count: 2, within: building, respond_within: 3m}
resolve: {when: smoke < 0.05 /, for: 5m}
)";

Expectation expect(Expectation::Kind kind, std::string text) {
  Expectation e;
  e.kind = kind;
  e.text = std::move(text);
  return e;
}

Scenario fire_scenario() {
  Scenario s;
  s.id = "night-fire";
  s.title = "Night fire";
  s.file = "night-fire.yaml";
  s.start = parse_iso8601("2026-11-21T23:00:00+08:00").value();
  s.time_zone = "Asia/Shanghai";
  s.duration = 1h;
  s.seed = 7;
  s.places = {{"places.yaml", kPlaces}};
  s.sensors = {{"sensors.yaml", kSensors}};
  s.staff = {{"staff.yaml", kStaff}};
  s.plans = {{"fire.yaml", kPlan}};
  SensorStream smoke;
  smoke.sensor = "smk-1";
  smoke.quantity = "smoke";
  smoke.unit = "/";
  smoke.every = 30s;
  smoke.noise = 0.002;
  smoke.script = {Segment{0s, Segment::Kind::kConstant, 0.01, 0, {}},
                  Segment{5min, Segment::Kind::kRamp, 0.01, 0.4, 10min},
                  Segment{30min, Segment::Kind::kConstant, 0.01, 0, {}}};
  s.streams.push_back(smoke);
  SensorStream other = smoke;
  other.sensor = "smk-2";
  other.script = {Segment{0s, Segment::Kind::kConstant, 0.01, 0, {}}, Segment{20min, Segment::Kind::kSilent, 0, 0, {}}};
  s.streams.push_back(other);
  StaffBehaviour wardens;
  wardens.staff = "w-a";
  wardens.respond = {1min, 1min};
  wardens.decline = 1;  // w-a always declines
  StaffBehaviour everyone;
  everyone.respond = {30s, 2min};
  everyone.travel = {3min, 6min};
  s.behaviour = {wardens, everyone};
  auto alert = expect(Expectation::Kind::kAlertWithin, "alert II within 60s after smoke >= 0.15");
  alert.level = plans::Level::kII;
  alert.within = 60s;
  alert.after_quantity = "smoke";
  alert.after_op = ">=";
  alert.after_value = 0.15;
  auto accepted = expect(Expectation::Kind::kAcceptedWithin, "2 fire_warden accepted within 5m");
  accepted.role = "fire_warden";
  accepted.count = 2;
  accepted.within = 5min;
  auto inside = expect(Expectation::Kind::kAssignedWithin, "assigned within xc/hl/qy");
  inside.place = PlacePath::parse("xc/hl/qy").value();
  auto resolved = expect(Expectation::Kind::kResolvedWithin, "resolved within 45m");
  resolved.within = 45min;
  s.expectations = {alert, accepted, inside, expect(Expectation::Kind::kNoActualAlert, "no Actual alert"),
                    expect(Expectation::Kind::kNoUnfilledRole, "no unfilled role"), resolved};
  return s;
}

DrillReport run(const Scenario& s, std::optional<std::uint64_t> seed = std::nullopt) {
  Diagnostics d;
  auto r = run_drill(s, DrillOptions{seed}, d);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string() << to_string(d);
  return r.is_ok() ? *r : DrillReport{};
}

std::vector<std::string> kinds_of(const DrillReport& r, const std::string& staff) {
  std::vector<std::string> out;
  for (const auto& e : r.events) {
    if (e.staff == staff) out.push_back(e.kind);
  }
  return out;
}

TEST(Drill, NightFireIsAlertedStaffedAndResolvedAndEveryExpectationHasEvidence) {
  auto r = run(fire_scenario());
  EXPECT_EQ(r.drill, "night-fire");
  EXPECT_EQ(r.seed, 7u);
  ASSERT_TRUE(r.first_alert.has_value());
  // The ramp passes 0.15 at about 8.6 minutes; the alert follows the first such reading.
  EXPECT_GT(*r.first_alert, 8min);
  EXPECT_LT(*r.first_alert, 10min);
  for (const auto& e : r.expectations) EXPECT_TRUE(e.passed) << e.text << ": " << e.evidence;
  EXPECT_TRUE(r.passed());
  EXPECT_EQ(r.actual_alerts, 0u);
  EXPECT_GE(r.alerts, 2u);  // the Alert, then the Cancel
  // w-a declines; the building's other warden and then the grid's are asked.
  EXPECT_EQ(kinds_of(r, "w-a"), (std::vector<std::string>{"assigned", "declined"}));
  auto b = kinds_of(r, "w-b");
  ASSERT_GE(b.size(), 3u);
  EXPECT_EQ(b[0], "assigned");
  EXPECT_EQ(b[1], "accepted");
  EXPECT_EQ(b[2], "arrived");
  EXPECT_EQ(kinds_of(r, "w-c").at(0), "assigned");
  EXPECT_TRUE(kinds_of(r, "w-far").empty());
  // The coordinator heard that the building had nobody left.
  bool told = false;
  for (const auto& e : r.events) told |= e.kind == "role_missing" && e.staff == "c-g03";
  EXPECT_TRUE(told);
  ASSERT_EQ(r.roles.size(), 1u);
  EXPECT_EQ(r.roles[0].role, "fire_warden");
  EXPECT_EQ(r.roles[0].needed, 2);
  EXPECT_TRUE(r.roles[0].filled_at.has_value());
  EXPECT_EQ(r.fully_staffed, r.roles[0].filled_at);
  // Levels over time: II, then "" once resolved.
  ASSERT_GE(r.levels.size(), 2u);
  EXPECT_EQ(r.levels.front().level, "II");
  EXPECT_EQ(r.levels.back().level, "");
  EXPECT_EQ(r.readings, 121u + 40u);  // smk-1 every 30 s for an hour, both ends; smk-2 until it goes silent
}

TEST(Drill, SameSeedSameReportOtherSeedOtherDraws) {
  auto s = fire_scenario();
  auto a = run(s, 11);
  auto b = run(s, 11);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.levels, b.levels);
  EXPECT_EQ(a.expectations, b.expectations);
  bool differs = false;
  for (std::uint64_t seed = 12; seed < 20 && !differs; ++seed) differs = run(s, seed).events != a.events;
  EXPECT_TRUE(differs);
}

TEST(Drill, AwayAndUnreachableStaffShowTheGap) {
  auto s = fire_scenario();
  s.roster_changes = {{"w-b", RosterChange::Kind::kAway}, {"w-c", RosterChange::Kind::kUnreachable}};
  auto r = run(s);
  EXPECT_TRUE(kinds_of(r, "w-b").empty());  // away: never asked
  auto c = kinds_of(r, "w-c");
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c[0], "assigned");
  EXPECT_EQ(c[1], "no_answer");  // unreachable: the deadline passes
  // With the building's wardens gone, the search reaches the other community.
  EXPECT_FALSE(kinds_of(r, "w-far").empty());
  bool inside_failed = false;
  for (const auto& e : r.expectations) {
    if (e.text == "assigned within xc/hl/qy") {
      inside_failed = !e.passed;
      EXPECT_NE(e.evidence.find("w-far"), std::string::npos) << e.evidence;
    }
  }
  EXPECT_TRUE(inside_failed);
  EXPECT_FALSE(r.passed());
}

TEST(Drill, NoiseScenarioExpectsNoAlert) {
  auto s = fire_scenario();
  s.streams.resize(1);
  s.streams[0].script = {Segment{0s, Segment::Kind::kConstant, 0.01, 0, {}},
                         Segment{10min, Segment::Kind::kConstant, 0.12, 0, {}},  // cooking smoke: below II
                         Segment{12min, Segment::Kind::kConstant, 0.01, 0, {}}};
  s.expectations = {expect(Expectation::Kind::kNoAlert, "no alert")};
  auto r = run(s);
  ASSERT_EQ(r.expectations.size(), 1u);
  EXPECT_TRUE(r.expectations[0].passed) << r.expectations[0].evidence;
  EXPECT_EQ(r.alerts, 0u);
}

TEST(Drill, ABadPlanIsReportedWithItsDiagnostics) {
  auto s = fire_scenario();
  s.plans = {{"broken.yaml", "id: x\nlevels: 3\n"}};
  Diagnostics d;
  auto r = run_drill(s, {}, d);
  EXPECT_FALSE(r.is_ok());
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].file, "broken.yaml");
}

TEST(Drill, SummaryGivesDistributionsOverSeeds) {
  auto s = fire_scenario();
  StaffBehaviour flaky;
  flaky.respond = {30s, 4min};
  flaky.no_answer = 0.5;
  s.behaviour = {flaky};
  std::vector<DrillReport> runs;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) runs.push_back(run(s, seed));
  auto sum = summarize(runs);
  EXPECT_EQ(sum.runs, 20);
  EXPECT_EQ(sum.seeds.size(), 20u);
  EXPECT_EQ(sum.first_alert.samples, 20);
  ASSERT_TRUE(sum.first_alert.p50.has_value());
  EXPECT_LE(*sum.first_alert.p50, *sum.first_alert.p90);
  EXPECT_LE(*sum.first_alert.p90, *sum.first_alert.max);
  EXPECT_GT(sum.runs_fully_staffed, 0);
  EXPECT_LE(sum.runs_fully_staffed, 20);
  EXPECT_FALSE(sum.expectation_passes.empty());
}

}  // namespace
}  // namespace lookout::drills
