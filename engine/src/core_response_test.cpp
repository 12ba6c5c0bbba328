// The core's response in virtual time: audiences as topics, staff assignment (ranking,
// decline, no answer, widening the search and telling coordinators, red incidents
// first, release on resolve), staff responses (own topic, own assignments only), the
// escalation ladder and reminders (also across a restart), silences and flap damping.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lookout/base/time_format.h"
#include "lookout/engine/core.h"
#include "test_support.h"

namespace lookout::engine {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kSensors = R"(sensors:
  - {id: smk-12, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke]}
  - {id: smk-13, place: xc/hl/qy/g03/b13, kind: smoke_detector, quantities: [smoke]}
  - {id: smk-40, place: xc/hl/qy/g04/b40, kind: smoke_detector, quantities: [smoke]}
)";

// Saturday 21 November 2026, 23:00 in Shanghai: the night shift is on.
constexpr const char* kStart = "2026-11-21T15:00:00Z";

// Two night wardens and a day warden in b12, two night wardens elsewhere in grid g03,
// the grid's and the community's coordinators.
constexpr const char* kRoster = R"(time_zone: Asia/Shanghai
staff:
  - {id: w-a, name: Wang A, roles: [fire_warden], kind: building_lead, home: xc/hl/qy/g03/b12, shifts: [daily 20:00-08:00]}
  - {id: w-b, name: Wang B, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, shifts: [daily 20:00-08:00]}
  - {id: w-day, name: Day Warden, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, shifts: [daily 08:00-20:00]}
  - {id: w-g1, name: Grid One, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b07, shifts: [daily 20:00-08:00]}
  - {id: w-g2, name: Grid Two, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b08, shifts: [daily 20:00-08:00]}
  - {id: c-g03, name: Grid Coordinator, roles: [coordinator], kind: grid_worker, home: xc/hl/qy/g03, on_call: always}
  - {id: c-qy, name: Community Coordinator, roles: [coordinator], kind: community_worker, home: xc/hl/qy, on_call: always}
)";

// EXTRA is replaced by the test (renotify, reopen_within, ...).
constexpr const char* kFirePlan = R"(id: fire
title: Fire
hazards: [fire]
time_zone: Asia/Shanghai
places: ["xc/hl/qy/**"]
levels:
  I:
    when: smoke >= 0.9
    alert:
      category: Fire
      event: Fire
      headline: "FIRE in {place}"
      audience: [residents, grid_coordinators, community_coordinators]
    staff:
      - {role: fire_warden, count: 3, within: building, respond_within: 5m}
  II:
    when: smoke >= 0.3
    alert:
      category: Fire
      event: Fire
      headline: "Fire alarm in {place}"
      audience: [residents, grid_coordinators]
    staff:
      - {role: fire_warden, count: 2, within: building, respond_within: 5m}
    checklist:
      en-US: ["Go to {place}", "Knock on every door"]
    escalation:
      - {after: 10m, notify: community_coordinators}
      - {after: 20m, raise_to: I}
EXTRA
)";

std::string fire_plan(std::string_view extra = "") {
  std::string s = kFirePlan;
  s.replace(s.find("EXTRA"), 5, extra);
  return s;
}

class CoreResponseTest : public ::testing::Test {
 protected:
  CoreResponseTest() : clock_(parse_iso8601(kStart).value()) { start(); }

  void start() {
    if (core_) {
      // What was published was delivered: a restart sends nothing again.
      transport_.complete_all();
      poster_.drain();
    }
    core_.reset();
    CoreOptions o;
    o.zone = find_time_zone("Asia/Shanghai").value();
    o.flap_reopens = options_flap_reopens;
    core_ = std::make_unique<Core>(o, clock_, store_, transport_, poster_.poster());
    auto s = core_->open();
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }
  void setup(const std::string& plan_text, const char* roster = kRoster) {
    Diagnostics d;
    ASSERT_TRUE(core_->import_sensors(kSensors, "sensors.yaml", d).is_ok()) << to_string(d);
    if (roster != nullptr) {
      ASSERT_TRUE(core_->import_staff(roster, "staff.yaml", d).is_ok()) << to_string(d);
    }
    auto r = core_->apply_plan(plan_text, "fire.yaml", d);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string() << to_string(d);
  }
  void smoke(const std::string& sensor, double v) {
    core_->on_message({"lookout/v1/sensors/" + sensor, R"({"n":"smoke","v":)" + std::to_string(v) + "}", 1, false, false});
  }
  void respond(const std::string& staff, const std::string& assignment, const std::string& response,
               const std::string& note = "") {
    json j = {{"assignment", assignment}, {"response", response}};
    if (!note.empty()) j["note"] = note;
    core_->on_message({"lookout/v1/staff/" + staff + "/responses", j.dump(), 1, false, false});
  }
  std::vector<json> on(const std::string& topic) {
    std::vector<json> out;
    for (const auto& p : transport_.published) {
      if (p.message.topic == "lookout/v1/" + topic) out.push_back(json::parse(p.message.payload));
    }
    return out;
  }
  std::vector<json> dead_letters() { return on("deadletter"); }
  // The notices of one kind sent to a staff member.
  std::vector<json> notices(const std::string& staff, const std::string& kind) {
    std::vector<json> out;
    for (auto& n : on("staff/" + staff + "/notices")) {
      if (n["kind"] == kind) out.push_back(n);
    }
    return out;
  }
  // The assignment offered to `staff` most recently, or "".
  std::string offered_to(const std::string& staff) {
    auto msgs = on("staff/" + staff + "/assignments");
    for (auto it = msgs.rbegin(); it != msgs.rend(); ++it) {
      if ((*it)["status"] == "offered") return (*it)["assignment"];
    }
    return "";
  }
  std::vector<json> events(const std::string& id) {
    std::vector<json> out;
    auto t = core_->timeline(id);
    EXPECT_TRUE(t.is_ok());
    if (t.is_ok()) {
      for (const auto& e : *t) out.push_back(json::parse(e));
    }
    return out;
  }
  std::vector<std::string> kinds(const std::string& id) {
    std::vector<std::string> out;
    for (const auto& e : events(id)) out.push_back(e["kind"]);
    return out;
  }
  std::map<std::string, std::string> states(const std::string& incident) {
    std::map<std::string, std::string> out;
    for (const auto* a : core_->assignments(incident)) out[a->staff] = a->state;
    return out;
  }
  const Incident& first() {
    auto all = core_->incidents();
    EXPECT_FALSE(all.empty());
    return *all.at(0);
  }

  int options_flap_reopens = 3;
  testing::QueuedPoster poster_;
  ManualClock clock_;
  MemoryStore store_;
  testing::RecordingTransport transport_;
  std::unique_ptr<Core> core_;
};

TEST_F(CoreResponseTest, NightFireDeclineAndNoAnswerWidenToTheGridUntilTwoWardensAccept) {
  setup(fire_plan());
  smoke("smk-12", 0.5);
  const std::string id = first().id;
  EXPECT_EQ(first().level, plans::Level::kII);
  // Audiences as topics: the public alert, and a notice with the alert to the grid's coordinator.
  ASSERT_EQ(on("alerts/xc/hl/qy/g03/b12").size(), 1u);
  auto notices = on("staff/c-g03/notices");
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0]["kind"], "alert");
  EXPECT_EQ(notices[0]["incident"], id);
  EXPECT_EQ(notices[0]["alert"]["msgType"], "Alert");
  EXPECT_TRUE(on("staff/c-qy/notices").empty());

  // The two night wardens of the building are asked; the day warden is off duty.
  const std::string a = offered_to("w-a");
  const std::string b = offered_to("w-b");
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  EXPECT_TRUE(offered_to("w-day").empty());
  EXPECT_TRUE(offered_to("w-g1").empty());
  auto msg = on("staff/w-a/assignments").at(0);
  EXPECT_EQ(msg["incident"], id);
  EXPECT_EQ(msg["role"], "fire_warden");
  EXPECT_EQ(msg["level"], "II");
  EXPECT_EQ(msg["place"], "xc/hl/qy/g03/b12");
  EXPECT_EQ(msg["respond_by"], "2026-11-21T23:05:00+08:00");
  EXPECT_EQ(msg["instructions"], (json{"Go to xc/hl/qy/g03/b12", "Knock on every door"}));
  EXPECT_EQ(msg["drill"], false);

  // w-a declines: nobody is left in the building, so the search widens to the grid and
  // the grid's coordinator hears which role is missing.
  clock_.advance(1min);
  respond("w-a", a, "decline", "I am away tonight");
  EXPECT_EQ(states(id)["w-a"], "declined");
  const std::string g1 = offered_to("w-g1");
  ASSERT_FALSE(g1.empty());
  notices = on("staff/c-g03/notices");
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(notices[1]["kind"], "role_missing");
  EXPECT_NE(notices[1]["text"].get<std::string>().find("fire_warden"), std::string::npos);

  // w-b never answers: at the deadline the slot goes to the other grid warden.
  clock_.advance(3min);
  EXPECT_EQ(states(id)["w-b"], "offered");
  clock_.advance(1min);
  EXPECT_EQ(states(id)["w-b"], "no_answer");
  EXPECT_EQ(on("staff/w-b/assignments").back()["status"], "expired");
  const std::string g2 = offered_to("w-g2");
  ASSERT_FALSE(g2.empty());

  respond("w-g1", g1, "accept");
  EXPECT_EQ(core_->incident(id)->state, "responding");
  respond("w-g2", g2, "accept", "two minutes away");
  respond("w-g2", g2, "accept");  // sent twice: one transition
  auto st = states(id);
  EXPECT_EQ(st["w-g1"], "accepted");
  EXPECT_EQ(st["w-g2"], "accepted");
  auto k = kinds(id);
  EXPECT_EQ(std::count(k.begin(), k.end(), "assignment_accepted"), 2);
  EXPECT_EQ(std::count(k.begin(), k.end(), "search_widened"), 1);
  EXPECT_EQ(std::count(k.begin(), k.end(), "assignment_no_answer"), 1);
  EXPECT_TRUE(dead_letters().empty());
  EXPECT_EQ(core_->stats().assignments_offered, 4u);

  // Arrived and done are tracked; resolve releases whoever is still on it.
  respond("w-g1", g1, "arrived");
  respond("w-g1", g1, "done", "false alarm: burnt rice");
  ASSERT_TRUE(core_->resolve(id, "c-g03", "checked").is_ok());
  EXPECT_EQ(states(id)["w-g1"], "done");
  EXPECT_EQ(states(id)["w-g2"], "released");
  EXPECT_EQ(on("staff/w-g2/assignments").back()["status"], "released");
  // The all clear reaches the coordinator too.
  EXPECT_EQ(on("staff/c-g03/notices").back()["kind"], "all_clear");
}

TEST_F(CoreResponseTest, ResponsesAreTakenOnlyFromTheAddresseeOnTheirOwnTopic) {
  setup(fire_plan());
  smoke("smk-12", 0.5);
  const std::string a = offered_to("w-a");
  const std::string b = offered_to("w-b");
  ASSERT_FALSE(a.empty());
  std::size_t before = dead_letters().size();
  respond("w-b", a, "accept");  // someone else's assignment
  respond("nobody", a, "accept");  // not in the roster
  respond("w-a", "a-999999", "accept");
  core_->on_message({"lookout/v1/staff/w-a/responses", R"({"assignment":")" + a + R"(","response":"maybe"})", 1, false, false});
  core_->on_message({"lookout/v1/staff/w-a/responses", R"({"assignment":")" + a + R"(","response":"accept","x":1})", 1, false, false});
  core_->on_message({"lookout/v1/staff/w-a/responses", "not json", 1, false, false});
  core_->on_message({"lookout/v1/staff/w%20a/responses", "{}", 1, false, false});
  respond("w-a", a, "done");  // not accepted yet
  auto dl = dead_letters();
  ASSERT_EQ(dl.size(), before + 8);
  EXPECT_NE(dl[before]["reason"].get<std::string>().find("not addressed to w-b"), std::string::npos);
  EXPECT_NE(dl[before + 1]["reason"].get<std::string>().find("unknown staff member"), std::string::npos);
  EXPECT_NE(dl[before + 2]["reason"].get<std::string>().find("no current assignment"), std::string::npos);
  EXPECT_NE(dl[before + 3]["reason"].get<std::string>().find("accept, decline, arrived or done"), std::string::npos);
  EXPECT_NE(dl[before + 4]["reason"].get<std::string>().find("unknown key \"x\""), std::string::npos);
  EXPECT_NE(dl[before + 5]["reason"].get<std::string>().find("not a JSON object"), std::string::npos);
  EXPECT_NE(dl[before + 6]["reason"].get<std::string>().find("staff id in the topic"), std::string::npos);
  EXPECT_NE(dl[before + 7]["reason"].get<std::string>().find("does not follow \"offered\""), std::string::npos);
  // Nothing changed.
  EXPECT_EQ(states(first().id)["w-a"], "offered");
  EXPECT_EQ(states(first().id)["w-b"], "offered");
  // A late answer after the deadline is refused with the reason.
  clock_.advance(5min);
  respond("w-b", b, "accept");
  EXPECT_NE(dead_letters().back()["reason"].get<std::string>().find("deadline passed"), std::string::npos);
  EXPECT_EQ(states(first().id)["w-b"], "no_answer");
}

TEST_F(CoreResponseTest, EscalationNotifiesThenRaisesAndAcknowledgementStopsIt) {
  setup(fire_plan());
  smoke("smk-12", 0.5);
  const std::string id = first().id;
  clock_.advance(10min - 1s);
  EXPECT_TRUE(notices("c-qy", "escalation").empty());
  clock_.advance(1s);
  auto n = notices("c-qy", "escalation");
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0]["kind"], "escalation");
  EXPECT_NE(n[0]["text"].get<std::string>().find("not acknowledged 10m"), std::string::npos);
  // At 20 minutes the ladder raises the level: an Update at level I.
  clock_.advance(10min);
  EXPECT_EQ(core_->incident(id)->level, plans::Level::kI);
  auto alerts = on("alerts/xc/hl/qy/g03/b12");
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[1]["msgType"], "Update");
  EXPECT_EQ(alerts[1]["info"][0]["parameter"][0]["value"], "I");
  EXPECT_NE(alerts[1]["note"].get<std::string>().find("escalation ladder"), std::string::npos);
  // Readings at II do not lower what the ladder raised.
  clock_.advance(10min);
  smoke("smk-12", 0.5);
  EXPECT_EQ(core_->incident(id)->level, plans::Level::kI);
  EXPECT_EQ(core_->stats().escalations, 2u);
  ASSERT_TRUE(core_->acknowledge(id, "c-qy", "").is_ok());
  EXPECT_EQ(core_->incident(id)->state, "acknowledged");
}

TEST_F(CoreResponseTest, AcknowledgedIncidentDoesNotEscalate) {
  setup(fire_plan());
  smoke("smk-12", 0.5);
  ASSERT_TRUE(core_->acknowledge(first().id, "c-g03", "").is_ok());
  clock_.advance(30min);
  EXPECT_TRUE(notices("c-qy", "escalation").empty());
  EXPECT_EQ(first().level, plans::Level::kII);
  EXPECT_EQ(core_->stats().escalations, 0u);
}

TEST_F(CoreResponseTest, RestartInTheMiddleOfAnEscalationStillFiresOnTime) {
  setup(fire_plan());
  smoke("smk-12", 0.5);
  const std::string id = first().id;
  const std::string b = offered_to("w-b");
  clock_.advance(4min);
  start();  // the engine restarts: a new core on the same store
  EXPECT_EQ(core_->incident(id)->state, "open");
  clock_.advance(1min - 1s);
  EXPECT_EQ(core_->assignment(b)->state, "offered");
  clock_.advance(1s);  // the assignment's deadline, 5 minutes after it was offered
  EXPECT_EQ(core_->assignment(b)->state, "no_answer");
  clock_.advance(5min - 1s);
  EXPECT_TRUE(notices("c-qy", "escalation").empty());
  clock_.advance(1s);  // 10 minutes after the level was raised
  ASSERT_EQ(notices("c-qy", "escalation").size(), 1u);
  // And once more across a restart, for the step that raises.
  start();
  clock_.advance(10min);
  EXPECT_EQ(core_->incident(id)->level, plans::Level::kI);
  EXPECT_EQ(notices("c-qy", "escalation").size(), 1u);  // no step twice
  EXPECT_EQ(notices("c-qy", "alert").size(), 1u);       // level I's alert reaches the community
}

TEST_F(CoreResponseTest, RemindersUntilAcknowledged) {
  setup(fire_plan("renotify: {every: 3m, times: 2}"));
  smoke("smk-12", 0.5);
  const std::string id = first().id;
  clock_.advance(3min);
  auto alerts = on("alerts/xc/hl/qy/g03/b12");
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[1]["msgType"], "Update");
  EXPECT_NE(alerts[1]["note"].get<std::string>().find("Reminder 1 of 2"), std::string::npos);
  clock_.advance(3min);
  EXPECT_EQ(on("alerts/xc/hl/qy/g03/b12").size(), 3u);
  clock_.advance(3min);
  EXPECT_EQ(on("alerts/xc/hl/qy/g03/b12").size(), 3u);  // at most twice
  EXPECT_EQ(core_->stats().reminders, 2u);

  // A second incident acknowledged after one reminder gets no more.
  smoke("smk-40", 0.5);
  const std::string other = core_->incidents().back()->id;
  clock_.advance(3min);
  ASSERT_EQ(on("alerts/xc/hl/qy/g04/b40").size(), 2u);
  ASSERT_TRUE(core_->acknowledge(other, "c-qy", "").is_ok());
  clock_.advance(10min);
  EXPECT_EQ(on("alerts/xc/hl/qy/g04/b40").size(), 2u);
  auto k = kinds(id);
  EXPECT_EQ(std::count(k.begin(), k.end(), "reminded"), 2);
}

TEST_F(CoreResponseTest, RedIncidentIsStaffedFirst) {
  // Nobody in the roster yet: both incidents wait. Then one warden for the grid arrives.
  setup(fire_plan(), nullptr);
  smoke("smk-12", 0.5);   // II at b12
  smoke("smk-13", 0.95);  // I at b13
  EXPECT_EQ(core_->stats().assignments_offered, 0u);
  Diagnostics d;
  ASSERT_TRUE(core_->import_staff(R"(staff:
  - {id: w-only, name: Only, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03, on_call: always}
)", "staff.yaml", d).is_ok());
  ASSERT_EQ(core_->stats().assignments_offered, 1u);
  const Incident* red = nullptr;
  for (const auto* in : core_->incidents()) {
    if (in->level == plans::Level::kI) red = in;
  }
  ASSERT_NE(red, nullptr);
  EXPECT_EQ(on("staff/w-only/assignments").at(0)["incident"], red->id);
}

TEST_F(CoreResponseTest, RoleNobodyCanFillIsReportedToTheDistrictOnceAndRetried) {
  const char* roster = R"(staff:
  - {id: c-xc, name: District, roles: [coordinator], kind: community_worker, home: xc, on_call: always}
)";
  setup(fire_plan(), roster);
  smoke("smk-12", 0.5);
  const std::string id = first().id;
  auto k = kinds(id);
  EXPECT_EQ(std::count(k.begin(), k.end(), "search_widened"), 4);  // building -> grid -> community -> subdistrict -> district
  EXPECT_EQ(std::count(k.begin(), k.end(), "role_unfilled"), 1);
  EXPECT_EQ(first().unfilled.count("fire_warden"), 1u);
  // No coordinator below the district: every notice goes up to the district's, and says so.
  auto notices = on("staff/c-xc/notices");
  ASSERT_FALSE(notices.empty());
  EXPECT_EQ(notices.back()["kind"], "role_unfilled");
  clock_.advance(5min);  // retried every minute, told once
  EXPECT_EQ(on("staff/c-xc/notices").size(), notices.size());
  // Someone arrives: the retry finds them.
  Diagnostics d;
  ASSERT_TRUE(core_->import_staff(R"(staff:
  - {id: w-new, name: New, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g09, on_call: always}
)", "staff2.yaml", d).is_ok());
  EXPECT_FALSE(offered_to("w-new").empty());
}

TEST_F(CoreResponseTest, CoordinatorAssignsByHand) {
  setup(fire_plan());
  smoke("smk-12", 0.5);
  const std::string id = first().id;
  auto a = core_->assign(id, "first_aider", "w-day", "c-g03");
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  EXPECT_EQ(core_->assignment(*a)->assigned_by, "c-g03");
  EXPECT_EQ(on("staff/w-day/assignments").at(0)["role"], "first_aider");
  EXPECT_EQ(core_->assign(id, "first_aider", "w-day", "c-g03").status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(core_->assign(id, "first_aider", "nobody", "c").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(core_->assign("inc-9", "first_aider", "w-day", "c").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(core_->assign(id, "Bad Role", "w-day", "c").status().code(), Status::Code::kInvalidArgument);
}

TEST_F(CoreResponseTest, SilenceHoldsBackTheMaintenanceAlarmButNotAFireElsewhere) {
  setup(fire_plan());
  // Detector service in b12: Saturdays 22:00-24:00 Shanghai (now is 23:00).
  auto s = core_->add_silence(
      R"({"place": "xc/hl/qy/g03/b12", "every": "sat 22:00-24:00", "time_zone": "Asia/Shanghai", "by": "c-g03", "comment": "detector service"})");
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  smoke("smk-12", 0.5);
  smoke("smk-40", 0.5);
  EXPECT_TRUE(on("alerts/xc/hl/qy/g03/b12").empty());
  EXPECT_EQ(on("alerts/xc/hl/qy/g04/b40").size(), 1u);
  EXPECT_EQ(core_->stats().alerts_silenced, 1u);
  // Recorded, with the silence named; a silenced incident calls nobody.
  const Incident* silenced = nullptr;
  for (const auto* in : core_->incidents()) {
    if (in->place.str() == "xc/hl/qy/g03/b12") silenced = in;
  }
  ASSERT_NE(silenced, nullptr);
  EXPECT_TRUE(core_->assignments(silenced->id).empty());
  auto ev = events(silenced->id);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_NE(ev[0]["cause"].get<std::string>().find("silenced by " + *s), std::string::npos);
  // More readings during the silence add nothing; after it, the alert goes out.
  smoke("smk-12", 0.5);
  EXPECT_EQ(events(silenced->id).size(), 1u);
  clock_.advance(61min);  // Sunday 00:01
  smoke("smk-12", 0.5);
  auto sent = on("alerts/xc/hl/qy/g03/b12");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["msgType"], "Alert");
  auto k = kinds(silenced->id);
  EXPECT_NE(std::find(k.begin(), k.end(), "alert_released"), k.end());
  EXPECT_FALSE(core_->assignments(silenced->id).empty());

  // Silences survive a restart and can be removed.
  start();
  ASSERT_EQ(core_->silences().size(), 1u);
  EXPECT_TRUE(core_->remove_silence(*s, "c-g03").is_ok());
  EXPECT_EQ(core_->remove_silence(*s, "c-g03").code(), Status::Code::kNotFound);
  start();
  EXPECT_TRUE(core_->silences().empty());
  EXPECT_EQ(core_->add_silence(R"({"by": "x", "ends": "2027-01-01T00:00:00Z"})").status().code(),
            Status::Code::kInvalidArgument);
}

TEST_F(CoreResponseTest, FlappingIncidentDoesNotSpamResolveAndReopenAlerts) {
  setup(fire_plan("reopen_within: 30m"));
  const std::string place = "alerts/xc/hl/qy/g03/b12";
  smoke("smk-12", 0.5);
  const std::string id = first().id;
  for (int i = 0; i < 6; ++i) {
    clock_.advance(1min);
    ASSERT_TRUE(core_->resolve(id, "plan", "").is_ok());
    clock_.advance(1min);
    smoke("smk-12", 0.5);
  }
  // Alert, then Cancel/Update pairs until the third reopen makes it flapping: from then
  // on it stays alerted (no Cancel, no Update) while it flaps.
  auto sent = on(place);
  std::vector<std::string> types;
  for (const auto& a : sent) types.push_back(a["msgType"]);
  EXPECT_EQ(types, (std::vector<std::string>{"Alert", "Cancel", "Update", "Cancel", "Update", "Cancel", "Update"}));
  EXPECT_TRUE(first().flapping);
  EXPECT_GT(core_->stats().alerts_damped, 0u);
  // It settles: resolved and not raised again within reopen_within; the Cancel it owed goes out.
  smoke("smk-12", 0.0);
  ASSERT_TRUE(core_->resolve(id, "plan", "").is_ok());
  EXPECT_EQ(on(place).size(), sent.size());
  clock_.advance(31min);
  EXPECT_EQ(first().state, "closed");
  EXPECT_EQ(on(place).back()["msgType"], "Cancel");
  EXPECT_FALSE(first().flapping);
}

}  // namespace
}  // namespace lookout::engine

namespace lookout::engine {
namespace {

TEST_F(CoreResponseTest, ResolveRuleKeepsTheTimeItCountedAcrossARestart) {
  setup(fire_plan("resolve: {when: smoke < 0.05 /, for: 10m}"));
  smoke("smk-12", 0.5);
  smoke("smk-40", 0.5);
  const std::string b12 = core_->incidents()[0]->id;
  const std::string b40 = core_->incidents()[1]->id;
  ASSERT_TRUE(core_->acknowledge(b12, "c", "").is_ok());  // no escalation noise
  ASSERT_TRUE(core_->acknowledge(b40, "c", "").is_ok());
  clock_.advance(1min);
  smoke("smk-12", 0.01);  // calm from here
  smoke("smk-40", 0.01);
  clock_.advance(6min);
  start();  // restart: 6 of the 10 minutes are counted
  clock_.advance(2min);
  smoke("smk-40", 0.5);  // the fire in b40 is back: its count starts again
  clock_.advance(2min - 1s);
  EXPECT_EQ(core_->incident(b12)->state, "acknowledged");
  clock_.advance(1s);  // 10 minutes of calm in b12, with no reading since the restart
  EXPECT_EQ(core_->incident(b12)->state, "closed");
  EXPECT_EQ(core_->incident(b40)->state, "acknowledged");
  auto ev = events(b12);
  ASSERT_FALSE(ev.empty());
  bool resolved = false;
  for (const auto& e : ev) {
    if (e["kind"] == "resolved") {
      resolved = true;
      EXPECT_EQ(e["cause"], "\"smoke < 0.05 /\" held for 10m");
      EXPECT_EQ(e["time_ms"].get<std::int64_t>(),
                std::chrono::duration_cast<std::chrono::milliseconds>(
                    (parse_iso8601(kStart).value() + 11min).time_since_epoch())
                    .count());
    }
  }
  EXPECT_TRUE(resolved);
}

}  // namespace
}  // namespace lookout::engine

namespace lookout::engine {
namespace {

TEST_F(CoreResponseTest, EscalationToResidentsSendsThePublicAlertAgain) {
  setup(R"(id: flood
title: Flood
places: ["xc/hl/qy/**"]
levels:
  III:
    when: smoke >= 0.3
    alert: {category: Met, event: Flood, headline: "Water"}
    escalation:
      - {after: 5m, notify: [residents, grid_coordinators]}
)");
  smoke("smk-12", 0.5);
  clock_.advance(5min);
  auto alerts = on("alerts/xc/hl/qy/g03/b12");
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[1]["msgType"], "Update");
  EXPECT_NE(alerts[1]["note"].get<std::string>().find("Escalation: not acknowledged 5m"), std::string::npos);
  EXPECT_EQ(notices("c-g03", "escalation").size(), 1u);
}

}  // namespace
}  // namespace lookout::engine

namespace lookout::engine {
namespace {

TEST(CoreDrillTest, ADrillsAlertsAreExercisesNamingTheDrillAndItsCallsSayDrill) {
  ManualClock clock(parse_iso8601(kStart).value());
  MemoryStore store;
  testing::RecordingTransport transport;
  testing::QueuedPoster poster;
  CoreOptions o;
  o.topic_prefix = "lookout/v1/drill/d1";
  o.alert_status = "Exercise";
  o.drill = "d1";
  Core core(o, clock, store, transport, poster.poster());
  ASSERT_TRUE(core.open().is_ok());
  Diagnostics d;
  ASSERT_TRUE(core.import_sensors(kSensors, "s.yaml", d).is_ok());
  ASSERT_TRUE(core.import_staff(kRoster, "staff.yaml", d).is_ok());
  ASSERT_TRUE(core.apply_plan(fire_plan(), "fire.yaml", d).is_ok());
  core.withdraw_staff("w-a");  // away for the drill
  core.on_message({"lookout/v1/drill/d1/sensors/smk-12", R"({"n":"smoke","v":0.5})", 1, false, false});
  auto alerts = transport.on_topic_prefix("lookout/v1/drill/d1/alerts/");
  ASSERT_EQ(alerts.size(), 1u);
  auto alert = json::parse(alerts[0].payload);
  EXPECT_EQ(alert["status"], "Exercise");
  EXPECT_EQ(alert["note"], "Drill d1");
  EXPECT_TRUE(transport.on_topic_prefix("lookout/v1/drill/d1/staff/w-a/").empty());
  auto offers = transport.on_topic_prefix("lookout/v1/drill/d1/staff/w-b/assignments");
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(json::parse(offers[0].payload)["drill"], true);
  // The store still has the member: only the drill's live roster lost them.
  EXPECT_TRUE(store.get(Table::kStaff, "w-a").value().has_value());
}

}  // namespace
}  // namespace lookout::engine

namespace lookout::engine {
namespace {

TEST_F(CoreResponseTest, ADecodedReadingIsEvaluatedLikeASenmlRecord) {
  setup(fire_plan());
  EXPECT_FALSE(core_->on_reading("no-such-sensor", "smoke", "/", 0.5, clock_.now()));
  EXPECT_TRUE(core_->incidents().empty());
  EXPECT_TRUE(core_->on_reading("smk-12", "smoke", "/", 0.5, clock_.now()));
  ASSERT_EQ(core_->incidents().size(), 1u);
  EXPECT_EQ(first().level, plans::Level::kII);
  EXPECT_EQ(first().sensor_id, "smk-12");
  EXPECT_EQ(on("alerts/xc/hl/qy/g03/b12").size(), 1u);
  EXPECT_EQ(core_->stats().readings, 1u);
}

}  // namespace
}  // namespace lookout::engine

namespace lookout::engine {
namespace {

TEST_F(CoreResponseTest, AnIncidentAtAGridWidensFromTheGridToTheCommunity) {
  setup(fire_plan());
  Diagnostics d;
  ASSERT_TRUE(core_->import_sensors(R"(sensors:
  - {id: smk-g04, place: xc/hl/qy/g04, kind: smoke_detector, quantities: [smoke]}
)", "grid.yaml", d).is_ok());
  smoke("smk-g04", 0.5);  // the need says "within: building"; the incident is the whole grid g04
  ASSERT_EQ(core_->incidents().size(), 1u);
  std::vector<std::string> widened;
  for (const auto& e : events(first().id)) {
    if (e["kind"] == "search_widened") widened.push_back(e["cause"]);
  }
  ASSERT_FALSE(widened.empty());
  EXPECT_NE(widened[0].find("nobody left within the grid; looking in the community xc/hl/qy"), std::string::npos)
      << widened[0];
}

}  // namespace
}  // namespace lookout::engine
