// The virtual-time drill runner: the real core plays a scenario built here by hand
// (scenario_test.cpp covers the file format), and the report says what happened.
#include "lookout/drills/drill.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lookout/base/time_format.h"
#include "lookout/drills/recorder.h"

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
  DrillOptions options;
  options.seed = seed;
  auto r = run_drill(s, options, d);
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

// Every "assigned" event has its ResponseTime, in the same order, and each one's answer
// and times are those of the member's first answer event (and arrival) after the offer.
void expect_responses_match_events(const DrillReport& r) {
  std::vector<const DrillEvent*> offers;
  for (const auto& e : r.events) {
    if (e.kind == "assigned") offers.push_back(&e);
  }
  ASSERT_EQ(r.responses.size(), offers.size());
  EXPECT_EQ(r.responses.size(), r.assignments);
  for (std::size_t i = 0; i < offers.size(); ++i) {
    const DrillEvent& offer = *offers[i];
    const ResponseTime& t = r.responses[i];
    SCOPED_TRACE(t.assignment + " " + t.staff + " " + t.role);
    EXPECT_FALSE(t.assignment.empty());
    EXPECT_EQ(t.staff, offer.staff);
    EXPECT_EQ(t.role, offer.role);
    EXPECT_EQ(t.incident, offer.incident);
    EXPECT_EQ(t.offered, offer.at);
    EXPECT_TRUE(t.delivered);
    if (i > 0) {
      EXPECT_GE(t.offered, r.responses[i - 1].offered);
    }
    const DrillEvent* answer = nullptr;
    const DrillEvent* arrived = nullptr;
    for (const auto& e : r.events) {
      if (e.at < offer.at || e.staff != offer.staff || e.incident != offer.incident || e.role != offer.role) continue;
      const bool decisive = e.kind == "accepted" || e.kind == "declined" || e.kind == "arrived" ||
                            e.kind == "no_answer" || e.kind == "released" || e.kind == "withdrawn";
      if (decisive && answer == nullptr) answer = &e;
      if (e.kind == "arrived" && arrived == nullptr) arrived = &e;
    }
    if (answer == nullptr) {
      EXPECT_EQ(t.answer, "");
      EXPECT_FALSE(t.answered_after.has_value());
    } else if (answer->kind == "accepted" || answer->kind == "arrived" || answer->kind == "declined") {
      EXPECT_EQ(t.answer, answer->kind == "declined" ? "declined" : "accepted");
      EXPECT_EQ(t.answered_after, std::optional<Duration>(answer->at - offer.at));
    } else {
      EXPECT_EQ(t.answer, answer->kind);
      EXPECT_FALSE(t.answered_after.has_value());
    }
    if (arrived != nullptr) {
      EXPECT_EQ(t.arrived_after, std::optional<Duration>(arrived->at - offer.at));
    } else {
      EXPECT_FALSE(t.arrived_after.has_value());
    }
  }
}

const ResponseTime* response_of(const DrillReport& r, const std::string& staff) {
  for (const auto& t : r.responses) {
    if (t.staff == staff) return &t;
  }
  return nullptr;
}

TEST(Drill, ResponseTimesFollowTheEvents) {
  auto r = run(fire_scenario());
  EXPECT_EQ(r.mode, "virtual");
  EXPECT_EQ(r.note, "");
  ASSERT_FALSE(r.responses.empty());
  expect_responses_match_events(r);
  // w-a always declines after a minute; w-b accepts and then arrives.
  const ResponseTime* a = response_of(r, "w-a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->answer, "declined");
  EXPECT_EQ(a->answered_after, std::optional<Duration>(1min));
  EXPECT_FALSE(a->arrived_after.has_value());
  const ResponseTime* b = response_of(r, "w-b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->answer, "accepted");
  ASSERT_TRUE(b->answered_after.has_value());
  ASSERT_TRUE(b->arrived_after.has_value());
  EXPECT_GE(*b->answered_after, 30s);
  EXPECT_LE(*b->answered_after, 2min);
  EXPECT_GT(*b->arrived_after, *b->answered_after);
  // The same seed, the same response times.
  EXPECT_EQ(run(fire_scenario()).responses, r.responses);
}

TEST(Drill, ResponseTimesOfUnansweredAssignments) {
  auto s = fire_scenario();
  s.roster_changes = {{"w-b", RosterChange::Kind::kAway}, {"w-c", RosterChange::Kind::kUnreachable}};
  auto r = run(s);
  expect_responses_match_events(r);
  const ResponseTime* c = response_of(r, "w-c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->answer, "no_answer");
  EXPECT_FALSE(c->answered_after.has_value());
  EXPECT_FALSE(c->arrived_after.has_value());
}

TEST(Drill, ResponseTimesOfTheShippedScenarios) {
  const std::filesystem::path dir = std::filesystem::path(LOOKOUT_SOURCE_DIR) / "drills" / "scenarios";
  int played = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().filename().string());
    auto loaded = load_scenario_file(entry.path().string());
    ASSERT_TRUE(loaded.scenario.has_value()) << to_string(loaded.diagnostics);
    expect_responses_match_events(run(*loaded.scenario));
    ++played;
  }
  EXPECT_GT(played, 0);
}

// The recorder reads the answers from the messages alone: the first decisive one counts.
TEST(Recorder, ResponseTimesFromTheMessages) {
  const Scenario s = fire_scenario();
  Recorder rec(s, 7, "lookout/v1/drill/night-fire");
  const std::string p = "lookout/v1/drill/night-fire/";
  auto offer = [&](Duration at, const std::string& staff, const std::string& id, bool delivered = true) {
    return rec.published(at, p + (delivered ? "" : "undelivered/") + "staff/" + staff + "/assignments",
                         R"({"assignment":")" + id +
                             R"(","incident":"inc-1","role":"fire_warden","level":"II","status":"offered"})");
  };
  auto states = [&](Duration at, const std::string& a1, const std::string& a2, const std::string& a3) {
    rec.published(at, p + "incidents/inc-1",
                  R"({"id":"inc-1","state":"open","level":"II","place":"xc/hl/qy/g03/b12","plan":"fire",)"
                  R"("assignments":[{"assignment":"a-1","state":")" + a1 + R"("},{"assignment":"a-2","state":")" +
                      a2 + R"("},{"assignment":"a-3","state":")" + a3 + R"("}]})");
  };
  EXPECT_TRUE(offer(10s, "w-a", "a-1").has_value());
  EXPECT_TRUE(offer(10s, "w-b", "a-2").has_value());
  EXPECT_FALSE(offer(20s, "w-c", "a-3", false).has_value());  // unreachable: no phone plays it
  rec.published(25s, "lookout/v1/drill/other/staff/w-a/assignments", R"({"assignment":"a-9","status":"offered"})");
  states(40s, "accepted", "arrived", "offered");   // w-b arrives straight away
  states(70s, "declined", "arrived", "offered");   // w-a changes their mind: still accepted
  rec.published(80s, p + "staff/w-c/assignments", R"({"assignment":"a-3","incident":"inc-1","status":"expired"})");
  states(80s, "declined", "done", "no_answer");
  const DrillReport r = rec.finish({}, 0);
  ASSERT_EQ(r.responses.size(), 3u);
  EXPECT_EQ(r.responses[0].assignment, "a-1");
  EXPECT_EQ(r.responses[0].staff, "w-a");
  EXPECT_EQ(r.responses[0].role, "fire_warden");
  EXPECT_EQ(r.responses[0].incident, "inc-1");
  EXPECT_EQ(r.responses[0].offered, 10s);
  EXPECT_EQ(r.responses[0].answer, "accepted");
  EXPECT_EQ(r.responses[0].answered_after, std::optional<Duration>(30s));
  EXPECT_FALSE(r.responses[0].arrived_after.has_value());
  EXPECT_TRUE(r.responses[0].delivered);
  EXPECT_EQ(r.responses[1].answer, "accepted");
  EXPECT_EQ(r.responses[1].answered_after, std::optional<Duration>(30s));
  EXPECT_EQ(r.responses[1].arrived_after, std::optional<Duration>(30s));
  EXPECT_EQ(r.responses[2].staff, "w-c");
  EXPECT_FALSE(r.responses[2].delivered);
  EXPECT_EQ(r.responses[2].offered, 20s);
  EXPECT_EQ(r.responses[2].answer, "no_answer");
  EXPECT_FALSE(r.responses[2].answered_after.has_value());
}

TEST(Recorder, ResponseTimesOfReleasedAndOpenAssignments) {
  const Scenario s = fire_scenario();
  Recorder rec(s, 7, "lookout/v1/drill/night-fire");
  const std::string p = "lookout/v1/drill/night-fire/";
  for (const std::string id : {"a-1", "a-2", "a-3"}) {
    rec.published(5s, p + "staff/w-" + id + "/assignments",
                  R"({"assignment":")" + id + R"(","incident":"inc-1","role":"fire_warden","status":"offered"})");
  }
  rec.published(50s, p + "staff/w-a-1/assignments", R"({"assignment":"a-1","incident":"inc-1","status":"released"})");
  rec.published(60s, p + "incidents/inc-1",
                R"({"id":"inc-1","state":"open","level":"II","assignments":[{"assignment":"a-2","state":"withdrawn"}]})");
  const DrillReport r = rec.finish({}, 0);
  ASSERT_EQ(r.responses.size(), 3u);
  EXPECT_EQ(r.responses[0].answer, "released");
  EXPECT_EQ(r.responses[1].answer, "withdrawn");
  EXPECT_EQ(r.responses[2].answer, "");  // still offered when the drill ended
  for (const auto& t : r.responses) EXPECT_FALSE(t.answered_after.has_value()) << t.assignment;
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
