// Live drills in virtual time: a drill runs on its own core in its own namespace; its
// alerts are Exercise; it never touches a live incident, never takes a member a live
// incident holds; unreachable members get nothing; stopping it (or its end time) cancels
// what is open, releases everyone and clears what it left retained on the broker.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lookout/base/time_format.h"
#include "lookout/engine/core.h"
#include "lookout/engine/live_drills.h"
#include "test_support.h"

namespace lookout::engine {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kSensors = R"(sensors:
  - {id: smk-12, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke]}
  - {id: smk-13, place: xc/hl/qy/g03/b13, kind: smoke_detector, quantities: [smoke]}
)";

// 23:00 in Shanghai: the night shift is on.
constexpr const char* kStart = "2026-11-21T15:00:00Z";

constexpr const char* kRoster = R"(time_zone: Asia/Shanghai
staff:
  - {id: w-a, name: Wang A, roles: [fire_warden], kind: building_lead, home: xc/hl/qy/g03/b12, shifts: [daily 20:00-08:00]}
  - {id: w-b, name: Wang B, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, shifts: [daily 20:00-08:00]}
  - {id: w-g1, name: Grid One, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b07, shifts: [daily 20:00-08:00]}
  - {id: w-g2, name: Grid Two, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b08, shifts: [daily 20:00-08:00]}
  - {id: c-g03, name: Grid Coordinator, roles: [coordinator], kind: grid_worker, home: xc/hl/qy/g03, on_call: always}
)";

constexpr const char* kFirePlan = R"(id: fire
title: Fire
hazards: [fire]
time_zone: Asia/Shanghai
places: ["xc/hl/qy/**"]
levels:
  II:
    when: smoke >= 0.3
    alert:
      category: Fire
      event: Fire
      headline: "Fire alarm in {place}"
      audience: [residents, grid_coordinators]
    staff:
      - {role: fire_warden, count: 2, within: building, respond_within: 5m}
)";

class LiveDrillsTest : public ::testing::Test {
 protected:
  LiveDrillsTest() : clock_(parse_iso8601(kStart).value()) {
    CoreOptions o;
    o.zone = find_time_zone("Asia/Shanghai").value();
    live_ = std::make_unique<Core>(o, clock_, store_, transport_, poster_.poster());
    EXPECT_TRUE(live_->open().is_ok());
    Diagnostics d;
    EXPECT_TRUE(live_->import_sensors(kSensors, "sensors.yaml", d).is_ok()) << to_string(d);
    EXPECT_TRUE(live_->import_staff(kRoster, "staff.yaml", d).is_ok()) << to_string(d);
    EXPECT_TRUE(live_->apply_plan(kFirePlan, "fire.yaml", d).is_ok()) << to_string(d);
    live_->on_connection(true);
    drills_ = std::make_unique<LiveDrills>(*live_, clock_, transport_, poster_.poster());
    drills_->on_connection(true);
  }

  // Routes a message as the daemon does: drill topics to the drills, the rest live.
  void deliver(const std::string& topic, const std::string& payload) {
    InboundMessage m{topic, payload, 1, false, false};
    if (drills_->owns(topic)) drills_->on_message(m);
    else live_->on_message(m);
    settle();
  }
  void settle() {
    transport_.complete_all();
    poster_.drain();
  }
  void smoke(const std::string& prefix, const std::string& sensor, double v) {
    deliver(prefix + "/sensors/" + sensor, R"({"n":"smoke","v":)" + std::to_string(v) + "}");
  }
  std::string start_drill(json request) {
    Diagnostics d;
    auto r = drills_->start(request.dump(), d);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string() << to_string(d);
    settle();
    return r.is_ok() ? *r : "";
  }
  static json request(const std::string& id) { return {{"id", id}, {"scenario", "fire"}, {"duration_s", 600}}; }
  std::vector<json> json_on(const std::string& topic_prefix) {
    std::vector<json> out;
    for (const auto& m : transport_.on_topic_prefix(topic_prefix)) {
      if (!m.payload.empty()) out.push_back(json::parse(m.payload));
    }
    return out;
  }
  std::vector<std::string> offered_to(const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& m : transport_.on_topic_prefix(prefix + "/staff/")) {
      if (!m.topic.ends_with("/assignments")) continue;
      auto j = json::parse(m.payload);
      if (j["status"] == "offered") out.push_back(m.topic.substr(prefix.size() + 7, m.topic.size() - prefix.size() - 7 - 12));
    }
    return out;
  }

  ManualClock clock_;
  MemoryStore store_;
  testing::RecordingTransport transport_;
  testing::QueuedPoster poster_;
  std::unique_ptr<Core> live_;
  std::unique_ptr<LiveDrills> drills_;
};

constexpr const char* kDrill = "lookout/v1/drill/d1";

TEST_F(LiveDrillsTest, DrillAlertsAreExerciseInTheDrillNamespaceAndTheLiveCoreSeesNothing) {
  EXPECT_TRUE(drills_->owns("lookout/v1/drill/d1/sensors/smk-12"));
  EXPECT_FALSE(drills_->owns("lookout/v1/drillx/d1"));
  EXPECT_FALSE(drills_->owns("lookout/v1/sensors/smk-12"));
  auto info = json::parse(start_drill(request("d1")));
  EXPECT_EQ(info["state"], "running");
  EXPECT_EQ(info["plans"], json::array({"fire"}));  // the engine's running plans
  const auto before = transport_.published.size();

  smoke(kDrill, "smk-12", 0.5);

  EXPECT_TRUE(live_->incidents().empty());
  ASSERT_EQ(drills_->core("d1")->incidents().size(), 1u);
  EXPECT_EQ(drills_->core("d1")->incidents().front()->id, "drill-inc-000001");  // never mistaken for a live one
  auto alerts = json_on(std::string(kDrill) + "/alerts/");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0]["status"], "Exercise");
  EXPECT_NE(alerts[0]["note"].get<std::string>().find("d1"), std::string::npos);
  for (std::size_t i = before; i < transport_.published.size(); ++i) {
    EXPECT_TRUE(transport_.published[i].message.topic.starts_with(std::string(kDrill) + "/"))
        << transport_.published[i].message.topic;
  }
  auto assignments = offered_to(kDrill);
  EXPECT_EQ(assignments, (std::vector<std::string>{"w-a", "w-b"}));
  for (const auto& a : json_on(std::string(kDrill) + "/staff/w-a/assignments")) EXPECT_EQ(a["drill"], true);
  // Status retained while it runs.
  auto status = transport_.on_topic_prefix(std::string(kDrill) + "/status");
  ASSERT_FALSE(status.empty());
  EXPECT_TRUE(status.front().retained);
}

TEST_F(LiveDrillsTest, ALiveIncidentAtTheSamePlaceIsUntouchedAndItsWardensAreNotTaken) {
  smoke("lookout/v1", "smk-12", 0.5);  // a real fire: w-a and w-b are offered
  ASSERT_EQ(live_->incidents().size(), 1u);
  const std::string live_id = live_->incidents().front()->id;
  auto live_timeline = live_->timeline(live_id).value();
  const auto live_alerts = live_->incidents().front()->alerts.size();

  start_drill(request("d1"));
  smoke(kDrill, "smk-12", 0.6);
  smoke(kDrill, "smk-13", 0.6);

  // The live incident: same timeline, same alerts, no drill reading joined it.
  EXPECT_EQ(live_->timeline(live_id).value(), live_timeline);
  EXPECT_EQ(live_->incidents().front()->alerts.size(), live_alerts);
  EXPECT_EQ(live_->incidents().size(), 1u);
  // The drill's incidents are its own; the wardens a real fire holds are not asked.
  EXPECT_EQ(drills_->core("d1")->incidents().size(), 2u);
  for (const auto& staff : offered_to(kDrill)) {
    EXPECT_NE(staff, "w-a");
    EXPECT_NE(staff, "w-b");
  }
  EXPECT_FALSE(offered_to(kDrill).empty());
  // And a live reading does not reach the drill.
  const auto drill_messages = drills_->core("d1")->stats().messages;
  smoke("lookout/v1", "smk-13", 0.9);
  EXPECT_EQ(drills_->core("d1")->stats().messages, drill_messages);
}

TEST_F(LiveDrillsTest, UnreachableMembersGetNothingAndTheirAnswersAreRefused) {
  auto r = request("d1");
  r["unreachable"] = {"w-a"};
  r["away"] = {"w-b"};
  start_drill(r);
  smoke(kDrill, "smk-12", 0.5);
  // w-a is offered (the core does not know) but nothing reaches the phone; w-b is away.
  const auto* core = drills_->core("d1");
  std::vector<std::string> offered;
  for (const auto* in : core->incidents()) {
    for (const auto* a : core->assignments(in->id)) offered.push_back(a->staff);
  }
  EXPECT_NE(std::find(offered.begin(), offered.end(), "w-a"), offered.end());
  EXPECT_EQ(std::find(offered.begin(), offered.end(), "w-b"), offered.end());
  EXPECT_TRUE(transport_.on_topic_prefix(std::string(kDrill) + "/staff/w-a/").empty());
  // What would have gone is there for the drill's record, where no phone listens.
  EXPECT_FALSE(transport_.on_topic_prefix(std::string(kDrill) + "/undelivered/staff/w-a/assignments").empty());
  std::string id;
  for (const auto* in : core->incidents()) {
    for (const auto* a : core->assignments(in->id)) {
      if (a->staff == "w-a") id = a->id;
    }
  }
  deliver(std::string(kDrill) + "/staff/w-a/responses", json{{"assignment", id}, {"response", "accept"}}.dump());
  auto dead = json_on(std::string(kDrill) + "/deadletter");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_NE(dead[0]["reason"].get<std::string>().find("unreachable"), std::string::npos);
  EXPECT_EQ(core->assignment(id)->state, "offered");
  // Its deadline passes: the next candidate is asked.
  clock_.advance(5min + 1s);
  settle();
  EXPECT_EQ(core->assignment(id)->state, "no_answer");
}

TEST_F(LiveDrillsTest, StoppingCancelsReleasesAndClearsWhatItRetained) {
  start_drill(request("d1"));
  smoke(kDrill, "smk-12", 0.5);
  const std::string incident = drills_->core("d1")->incidents().front()->id;
  auto summary = drills_->stop("d1", "Coordinator Li");
  ASSERT_TRUE(summary.is_ok());
  settle();
  auto s = json::parse(*summary);
  EXPECT_EQ(s["state"], "ended");
  EXPECT_EQ(s["stats"]["alerts"], 2);  // the alert and its Cancel
  EXPECT_EQ(drills_->running(), 0u);
  EXPECT_EQ(drills_->core("d1"), nullptr);

  auto alerts = json_on(std::string(kDrill) + "/alerts/");
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[1]["msgType"], "Cancel");
  EXPECT_EQ(alerts[1]["status"], "Exercise");
  int released = 0;
  for (const auto& a : json_on(std::string(kDrill) + "/staff/")) released += a.value("status", "") == "released";
  EXPECT_EQ(released, 2);
  // Retained: the incident's state and the status, each cleared at the end.
  bool cleared_incident = false;
  bool cleared_status = false;
  for (const auto& p : transport_.published) {
    if (!p.message.retained || !p.message.payload.empty()) continue;
    cleared_incident |= p.message.topic == std::string(kDrill) + "/incidents/" + incident;
    cleared_status |= p.message.topic == std::string(kDrill) + "/status";
  }
  EXPECT_TRUE(cleared_incident);
  EXPECT_TRUE(cleared_status);
  // Inputs for it now are dead letters in its namespace; stopping again is not found.
  smoke(kDrill, "smk-12", 0.9);
  auto dead = json_on(std::string(kDrill) + "/deadletter");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0]["reason"], "no drill \"d1\" is running");
  EXPECT_EQ(drills_->stop("d1", "x").status().code(), Status::Code::kNotFound);
  // A bad drill id in a topic goes to the namespace's dead letters.
  deliver("lookout/v1/drill/b%d/reports", "{}");
  EXPECT_EQ(json_on("lookout/v1/drill/deadletter").size(), 1u);
}

TEST_F(LiveDrillsTest, ADrillEndsOnItsOwnWhenNobodyStopsIt) {
  start_drill(request("d1"));
  smoke(kDrill, "smk-12", 0.5);
  clock_.advance(600s + 9min);
  settle();
  EXPECT_EQ(drills_->running(), 1u);
  clock_.advance(2min);  // duration 10 min + 10 min grace
  settle();
  EXPECT_EQ(drills_->running(), 0u);
  auto alerts = json_on(std::string(kDrill) + "/alerts/");
  ASSERT_FALSE(alerts.empty());
  EXPECT_EQ(alerts.back()["msgType"], "Cancel");
}

TEST_F(LiveDrillsTest, BadRequestsStartNothing) {
  Diagnostics d;
  auto expect_refused = [&](json r, Status::Code code, std::string_view says) {
    d.clear();
    auto s = drills_->start(r.dump(), d);
    ASSERT_FALSE(s.is_ok()) << r.dump();
    EXPECT_EQ(s.status().code(), code) << s.status().to_string();
    EXPECT_NE((s.status().to_string() + to_string(d)).find(says), std::string::npos) << s.status().to_string();
    EXPECT_EQ(drills_->running(), 0u);
  };
  expect_refused(json{{"id", "bad id"}, {"duration_s", 60}}, Status::Code::kInvalidArgument, "[A-Za-z0-9_.-]");
  expect_refused(json{{"id", "d1"}}, Status::Code::kInvalidArgument, "duration_s");
  expect_refused(json{{"id", "d1"}, {"duration_s", 60}, {"away", {"nobody"}}}, Status::Code::kInvalidArgument, "nobody");
  expect_refused(json{{"id", "d1"}, {"duration_s", 60}, {"plans", {{{"file", "broken.yaml"}, {"text", "id: x\nlevels: 3\n"}}}}},
                 Status::Code::kInvalidArgument, "broken.yaml");
  EXPECT_FALSE(drills_->start("not json", d).is_ok());
  start_drill(request("d1"));
  EXPECT_EQ(drills_->start(request("d1").dump(), d).status().code(), Status::Code::kAlreadyExists);
  for (int i = 2; i <= 4; ++i) start_drill(request("d" + std::to_string(i)));
  EXPECT_EQ(drills_->start(request("d5").dump(), d).status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(json::parse(drills_->list_json()).size(), 4u);
}

TEST_F(LiveDrillsTest, ADrillRunsTheRequestsPlansWhenItNamesThem) {
  std::string plan = kFirePlan;
  plan.replace(plan.find("smoke >= 0.3"), 12, "smoke >= 0.8");
  plan.replace(plan.find("id: fire"), 8, "id: fire-draft");
  auto r = request("d1");
  r["plans"] = {{{"file", "fire-draft.yaml"}, {"text", plan}}};
  auto info = json::parse(start_drill(r));
  EXPECT_EQ(info["plans"], json::array({"fire-draft"}));
  smoke(kDrill, "smk-12", 0.5);  // the running plan would alert; the draft does not
  EXPECT_TRUE(drills_->core("d1")->incidents().empty());
  smoke(kDrill, "smk-12", 0.85);
  EXPECT_EQ(drills_->core("d1")->incidents().size(), 1u);
  EXPECT_EQ(live_->plans().size(), 1u);  // the engine's plans are untouched
}

TEST_F(LiveDrillsTest, DeliveriesCompletingAfterTheDrillEndedAreDropped) {
  start_drill(request("d1"));
  drills_->on_message({std::string(kDrill) + "/sensors/smk-12", R"({"n":"smoke","v":0.5})", 1, false, false});
  drills_->on_message({std::string(kDrill) + "/sensors/smk-13", R"({"n":"smoke","v":0.5})", 1, false, false});
  ASSERT_EQ(drills_->core("d1")->incidents().size(), 2u);
  ASSERT_TRUE(drills_->stop("d1", "x").is_ok());
  // Deliveries the broker acknowledges only now, and work already posted, reach a core
  // that is gone: they must be dropped (ASan would see a use after free).
  transport_.complete_all();
  poster_.drain();
  EXPECT_EQ(drills_->running(), 0u);
}

}  // namespace
}  // namespace lookout::engine
