// The response to an incident, end to end as it happens on a real night: real
// Mosquitto, the real lookout binary, lookoutctl, and real MQTT clients standing in for
// the detectors, the residents' app and the staff's phones. Staff are called, decline
// or stay silent, the search widens to the grid and its coordinator is told; residents'
// reports merge into one incident; a coordinator's silence holds back one building's
// alarm and nothing else; and an escalation keeps its time across a hard kill.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine_fixture.h"

namespace lookout::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr auto kWait = 10s;

// ---------------------------------------------------------------- helpers

// The first message under `prefix` (in arrival order) whose JSON payload satisfies
// `pred`; nullopt at the deadline. Ends as soon as such a message has arrived.
std::optional<json> wait_json(MqttProbe& probe, const std::string& prefix, const std::function<bool(const json&)>& pred,
                              std::chrono::milliseconds timeout = kWait) {
  const auto deadline = Clock::now() + timeout;
  for (std::size_t skip = 0;; ++skip) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left < 0ms) left = 0ms;
    auto m = probe.wait_for(prefix, left, skip);
    if (!m) return std::nullopt;
    auto j = json::parse(m->payload, nullptr, false);
    if (!j.is_discarded() && pred(j)) return j;
  }
}

// Every message under `prefix` received so far whose JSON payload satisfies `pred`.
std::vector<json> received_json(MqttProbe& probe, const std::string& prefix,
                                const std::function<bool(const json&)>& pred = [](const json&) { return true; }) {
  std::vector<json> out;
  for (const auto& m : probe.received(prefix)) {
    auto j = json::parse(m.payload, nullptr, false);
    if (!j.is_discarded() && pred(j)) out.push_back(std::move(j));
  }
  return out;
}

std::function<bool(const json&)> status_is(const std::string& status) {
  return [status](const json& j) { return j.value("status", "") == status; };
}
std::function<bool(const json&)> kind_is(const std::string& kind) {
  return [kind](const json& j) { return j.value("kind", "") == kind; };
}

std::string assignments_topic(const std::string& staff) { return "lookout/v1/staff/" + staff + "/assignments"; }
std::string notices_topic(const std::string& staff) { return "lookout/v1/staff/" + staff + "/notices"; }
std::string responses_topic(const std::string& staff) { return "lookout/v1/staff/" + staff + "/responses"; }

std::string response(const std::string& assignment, const std::string& answer, const std::string& note = "") {
  json j = {{"assignment", assignment}, {"response", answer}};
  if (!note.empty()) j["note"] = note;
  return j.dump();
}

std::string smoke(double v) { return R"([{"n":"smoke","u":"/","v":)" + std::to_string(v) + "}]"; }

// "HH:MM" in UTC of now + offset (wrapping past midnight as a wall clock does).
std::string utc_hhmm(std::chrono::system_clock::duration offset) {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + offset);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[8];
  std::strftime(buf, sizeof buf, "%H:%M", &tm);
  return buf;
}

// ISO 8601 in UTC of now + offset: 2026-11-21T16:04:05Z.
std::string utc_iso(std::chrono::system_clock::duration offset) {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + offset);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

constexpr const char* kSensors = R"(sensors:
  - {id: smk-b12-1, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke]}
  - {id: smk-b12-2, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke]}
  - {id: smk-b07-1, place: xc/hl/qy/g01/b07, kind: smoke_detector, quantities: [smoke]}
)";

constexpr const char* kPlaces = R"(places:
  - path: xc/hl/qy
    name: Qingyuan community
  - path: xc/hl/qy/g03
    name: Grid 3
  - path: xc/hl/qy/g03/b12
    name: Building 12
    point: [39.9042, 116.4074]
    radius_m: 40
)";

class ResponseEndToEnd : public EngineFixture {
 protected:
  void import_registries(const std::string& roster = "") {
    auto r = ctl({"sensors", "import", file("sensors.yaml", kSensors)});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    r = ctl({"places", "import", file("places.yaml", kPlaces)});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    if (!roster.empty()) {
      r = ctl({"staff", "import", file("staff.yaml", roster)});
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }
  }
  void apply_plan(const std::string& name, const std::string& text) {
    auto r = ctl({"plan", "apply", file(name, text)});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  json incidents() {
    auto r = ctl({"incidents", "list", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto j = json::parse(r.out, nullptr, false);
    return j.is_discarded() ? json::array() : j["incidents"];
  }
  json show(const std::string& id) {
    auto r = ctl({"incidents", "show", id, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto j = json::parse(r.out, nullptr, false);
    return j.is_discarded() ? json::object() : j;
  }
  // Polls `incidents show ID --json` until `pred` holds; the last answer either way.
  json show_until(const std::string& id, const std::function<bool(const json&)>& pred,
                  std::chrono::milliseconds timeout = kWait) {
    const auto deadline = Clock::now() + timeout;
    json j = show(id);
    while (!pred(j) && Clock::now() < deadline) {
      std::this_thread::sleep_for(100ms);
      j = show(id);
    }
    return j;
  }
  // Polls `incidents list --json` until there are at least `n` incidents.
  json incidents_until(std::size_t n, std::chrono::milliseconds timeout = kWait) {
    const auto deadline = Clock::now() + timeout;
    json list = incidents();
    while (list.size() < n && Clock::now() < deadline) {
      std::this_thread::sleep_for(100ms);
      list = incidents();
    }
    return list;
  }
};

std::vector<std::string> timeline_kinds(const json& incident) {
  std::vector<std::string> out;
  for (const auto& e : incident.value("timeline", json::array())) out.push_back(e.value("kind", ""));
  return out;
}

std::size_t count_of(const std::vector<std::string>& v, const std::string& x) {
  return static_cast<std::size_t>(std::count(v.begin(), v.end(), x));
}

std::map<std::string, std::string> assignment_states(const json& incident) {
  std::map<std::string, std::string> out;
  for (const auto& a : incident.value("assignments", json::array())) out[a["staff"]] = a["state"];
  return out;
}

// ---------------------------------------------------------------- 1. staffing

// A roster whose night shift is on now, whatever the time of day the test runs: the
// building's two wardens and two wardens elsewhere in the grid from an hour ago to
// three hours from now (UTC), a day warden whose shift starts in six hours, and the
// grid's coordinator on call.
std::string night_roster() {
  const std::string on = "daily " + utc_hhmm(-1h) + "-" + utc_hhmm(3h);
  const std::string off = "daily " + utc_hhmm(6h) + "-" + utc_hhmm(10h);
  return R"(time_zone: UTC
staff:
  - {id: w-a, name: Wang A, roles: [fire_warden], kind: building_lead, home: xc/hl/qy/g03/b12, shifts: [")" + on + R"("]}
  - {id: w-b, name: Wang B, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, shifts: [")" + on + R"("]}
  - {id: w-day, name: Day Warden, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, shifts: [")" + off + R"("]}
  - {id: w-g1, name: Grid One, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b07, shifts: [")" + on + R"("]}
  - {id: w-g2, name: Grid Two, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b08, shifts: [")" + on + R"("]}
  - {id: c-g03, name: Grid Coordinator, roles: [coordinator], kind: grid_worker, home: xc/hl/qy/g03, on_call: always}
)";
}

constexpr const char* kConfirmedFirePlan = R"(id: fire
title: Residential fire
places: ["xc/hl/qy/**"]
levels:
  II:
    when: 2 of smoke >= 0.15 / within 60s
    alert:
      category: Fire
      event: Residential fire
      headline: "Fire alarm in {place_name}"
      audience: [residents, grid_coordinators]
    staff:
      - {role: fire_warden, count: 2, within: building, respond_within: 8s}
    checklist:
      - Go to {place_name} and find the detector that alarmed ({sensor}).
)";

TEST_F(ResponseEndToEnd, TwoDetectorFireInANightShiftBuildingCallsWardensAndWidensToTheGrid) {
  ASSERT_NO_FATAL_FAILURE(start_engine());
  ASSERT_NO_FATAL_FAILURE(import_registries(night_roster()));
  ASSERT_NO_FATAL_FAILURE(apply_plan("fire.yaml", kConfirmedFirePlan));
  MqttProbe probe(broker_->uri(), {"lookout/v1/alerts/#", "lookout/v1/staff/#", "lookout/v1/deadletter"});
  MqttProbe detectors(broker_->uri(), {});
  MqttProbe phones(broker_->uri(), {});

  // One detector is not enough (a dead letter published after it proves it was read).
  detectors.publish(sensor_topic("smk-b12-1"), smoke(0.3));
  detectors.publish(sensor_topic("ghost-1"), smoke(0.3));
  ASSERT_TRUE(probe.wait_for("lookout/v1/deadletter", kWait)) << engine_.log();
  EXPECT_TRUE(probe.received("lookout/v1/alerts/").empty());

  // The second one confirms it: one incident, level II, on the building's alert topic.
  detectors.publish(sensor_topic("smk-b12-2"), smoke(0.3));
  auto alert = wait_json(probe, "lookout/v1/alerts/xc/hl/qy/g03/b12", [](const json&) { return true; });
  ASSERT_TRUE(alert) << engine_.log();
  EXPECT_EQ((*alert)["msgType"], "Alert");
  EXPECT_EQ((*alert)["info"][0]["severity"], "Severe");
  const std::string id = (*alert)["incidents"];

  // The building's two night wardens are called; the day warden is off duty.
  auto offer_a = wait_json(probe, assignments_topic("w-a"), status_is("offered"));
  auto offer_b = wait_json(probe, assignments_topic("w-b"), status_is("offered"));
  ASSERT_TRUE(offer_a) << engine_.log();
  ASSERT_TRUE(offer_b) << engine_.log();
  const auto offered_b_at = Clock::now();
  EXPECT_EQ((*offer_a)["incident"], id);
  EXPECT_EQ((*offer_a)["role"], "fire_warden");
  EXPECT_EQ((*offer_a)["place"], "xc/hl/qy/g03/b12");
  EXPECT_EQ((*offer_a)["place_name"], "Building 12");
  EXPECT_EQ((*offer_a)["level"], "II");
  EXPECT_EQ((*offer_a)["drill"], false);
  EXPECT_FALSE((*offer_a)["respond_by"].get<std::string>().empty());
  ASSERT_EQ((*offer_a)["instructions"].size(), 1u) << *offer_a;
  EXPECT_TRUE((*offer_a)["instructions"][0].get<std::string>().starts_with(
      "Go to Building 12 and find the detector that alarmed (smk-b12-"))
      << *offer_a;
  // The grid's coordinator hears of the alert (audience grid_coordinators).
  auto alert_notice = wait_json(probe, notices_topic("c-g03"), kind_is("alert"));
  ASSERT_TRUE(alert_notice) << engine_.log();
  EXPECT_EQ((*alert_notice)["incident"], id);
  EXPECT_EQ((*alert_notice)["to"], "c-g03");

  // w-a declines: nobody else in the building is on duty, so the search widens to the
  // grid, its coordinator is told which role is missing and a grid warden is called.
  phones.publish(responses_topic("w-a"), response((*offer_a)["assignment"], "decline", "I am away tonight"));
  auto missing = wait_json(probe, notices_topic("c-g03"), kind_is("role_missing"));
  ASSERT_TRUE(missing) << engine_.log();
  EXPECT_EQ((*missing)["incident"], id);
  EXPECT_NE((*missing)["text"].get<std::string>().find("fire_warden"), std::string::npos) << *missing;
  auto is_grid_offer = [](const json& j) {
    return j.value("status", "") == "offered" && j.value("role", "") == "fire_warden";
  };
  std::optional<json> first_grid;
  std::string first_warden;
  std::string second_warden;
  {
    const auto deadline = Clock::now() + kWait;
    while (!first_grid && Clock::now() < deadline) {
      for (const auto* w : {"w-g1", "w-g2"}) {
        if (auto o = wait_json(probe, assignments_topic(w), is_grid_offer, 50ms)) {
          first_grid = o;
          first_warden = w;
          second_warden = first_warden == "w-g1" ? "w-g2" : "w-g1";
          break;
        }
      }
    }
  }
  ASSERT_TRUE(first_grid) << engine_.log();
  EXPECT_TRUE(probe.received(assignments_topic(second_warden)).empty()) << "one slot, one grid warden";
  phones.publish(responses_topic(first_warden), response((*first_grid)["assignment"], "accept"));

  // w-b never answers: at its 8 s deadline its assignment expires and the other grid
  // warden is called.
  auto expired = wait_json(probe, assignments_topic("w-b"), status_is("expired"), 15s);
  ASSERT_TRUE(expired) << engine_.log();
  const double expired_after = seconds_since(offered_b_at);
  RecordProperty("expired_after_ms", static_cast<int>(expired_after * 1000));
  EXPECT_GE(expired_after, 6.5) << "expired too early";
  EXPECT_LE(expired_after, 11.0) << "expired too late";
  EXPECT_EQ((*expired)["assignment"], (*offer_b)["assignment"]);
  auto second_grid = wait_json(probe, assignments_topic(second_warden), is_grid_offer);
  ASSERT_TRUE(second_grid) << engine_.log();
  phones.publish(responses_topic(second_warden), response((*second_grid)["assignment"], "accept", "two minutes away"));

  // Two accepted assignments, the incident is responding.
  auto accepted_count = [](const json& in) {
    int n = 0;
    for (const auto& a : in.value("assignments", json::array())) n += a.value("state", "") == "accepted";
    return n;
  };
  auto shown = show_until(id, [&](const json& in) { return accepted_count(in) == 2; });
  EXPECT_EQ(accepted_count(shown), 2) << shown.dump(2);
  EXPECT_EQ(shown["state"], "responding");
  auto states = assignment_states(shown);
  EXPECT_EQ(states, (std::map<std::string, std::string>{
                        {"w-a", "declined"}, {"w-b", "no_answer"}, {"w-g1", "accepted"}, {"w-g2", "accepted"}}))
      << shown.dump(2);
  auto kinds = timeline_kinds(shown);
  EXPECT_EQ(count_of(kinds, "assignment_declined"), 1u) << shown["timeline"].dump(2);
  EXPECT_EQ(count_of(kinds, "assignment_no_answer"), 1u) << shown["timeline"].dump(2);
  EXPECT_EQ(count_of(kinds, "search_widened"), 1u) << shown["timeline"].dump(2);
  EXPECT_EQ(count_of(kinds, "assignment_accepted"), 2u) << shown["timeline"].dump(2);
  EXPECT_EQ(count_of(kinds, "responding"), 1u) << shown["timeline"].dump(2);

  // Nobody speaks for someone else: w-g1 answering w-g2's assignment on w-g1's own
  // topic is dead-lettered with the reason, and changes nothing.
  const std::string g2_assignment =
      first_warden == "w-g2" ? (*first_grid)["assignment"].get<std::string>() : (*second_grid)["assignment"].get<std::string>();
  phones.publish(responses_topic("w-g1"), response(g2_assignment, "decline"));
  auto dl = wait_json(probe, "lookout/v1/deadletter",
                      [](const json& j) { return j.value("topic", "") == "lookout/v1/staff/w-g1/responses"; });
  ASSERT_TRUE(dl) << engine_.log();
  EXPECT_NE((*dl)["reason"].get<std::string>().find("not addressed to w-g1"), std::string::npos) << *dl;
  auto after = show(id);
  EXPECT_EQ(assignment_states(after), states);
  EXPECT_EQ(after["state"], "responding");
  EXPECT_EQ(after["timeline"].size(), shown["timeline"].size());

  // Exactly the calls described, one public alert, one incident.
  EXPECT_TRUE(probe.received(assignments_topic("w-day")).empty());
  EXPECT_EQ(received_json(probe, assignments_topic("w-a")).size(), 1u);
  EXPECT_EQ(received_json(probe, assignments_topic("w-b")).size(), 2u);  // offered, expired
  EXPECT_EQ(received_json(probe, notices_topic("c-g03"), kind_is("role_missing")).size(), 1u);
  EXPECT_EQ(probe.received("lookout/v1/alerts/").size(), 1u);
  EXPECT_EQ(incidents().size(), 1u);
}

// ---------------------------------------------------------------- 2. reports

constexpr const char* kFloodReportPlan = R"(id: flood-report
title: Flooding reported by residents
places: ["xc/hl/qy/**"]
scope: building
levels:
  III:
    when: reports(flood, 30m) >= 1
    alert:
      category: Met
      event: Flooding
      headline: "Flooding reported at {place_name}"
)";

TEST_F(ResponseEndToEnd, FloodReportMergedFromThreeResidents) {
  ASSERT_NO_FATAL_FAILURE(start_engine());
  ASSERT_NO_FATAL_FAILURE(import_registries());
  ASSERT_NO_FATAL_FAILURE(apply_plan("flood-report.yaml", kFloodReportPlan));
  MqttProbe probe(broker_->uri(), {"lookout/v1/alerts/#", "lookout/v1/receipts/#"});
  MqttProbe app(broker_->uri(), {});
  auto report = [](const std::string& id, const std::string& reporter, const std::string& description) {
    return json{{"id", id},
                {"category", "flood"},
                {"place", "xc/hl/qy/g03/b12"},
                {"source", "resident"},
                {"reporter", reporter},
                {"description", description}}
        .dump();
  };
  const std::string first = report("r-flood-1", "Ms Wang, flat 101", "water coming in under the basement door");
  app.publish("lookout/v1/reports", first);
  auto r1 = probe.wait_for("lookout/v1/receipts/r-flood-1", kWait);
  ASSERT_TRUE(r1) << engine_.log();
  auto j1 = json::parse(r1->payload);
  EXPECT_EQ(j1["status"], "accepted");
  const std::string incident = j1["incident"];
  EXPECT_FALSE(incident.empty()) << r1->payload;
  EXPECT_EQ(j1["reason"], "");

  app.publish("lookout/v1/reports", report("r-flood-2", "Mr Li, flat 202", "the car park is flooded"));
  app.publish("lookout/v1/reports", report("r-flood-3", "Mrs Zhao", "water in the lift shaft"));
  for (const auto* id : {"r-flood-2", "r-flood-3"}) {
    auto r = probe.wait_for(std::string("lookout/v1/receipts/") + id, kWait);
    ASSERT_TRUE(r) << id << "\n" << engine_.log();
    EXPECT_EQ(json::parse(r->payload),
              json({{"report", id}, {"status", "merged"}, {"incident", incident}, {"reason", ""}}));
  }

  // The first report sent again (its sender lost the receipt): the same receipt, byte
  // for byte, and nothing new.
  app.publish("lookout/v1/reports", first);
  auto again = probe.wait_for("lookout/v1/receipts/r-flood-1", kWait, 1);
  ASSERT_TRUE(again) << engine_.log();
  EXPECT_EQ(again->payload, r1->payload);

  auto alerts = probe.received("lookout/v1/alerts/");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].topic, "lookout/v1/alerts/xc/hl/qy/g03/b12");
  auto cap = json::parse(alerts[0].payload);
  EXPECT_EQ(cap["msgType"], "Alert");
  EXPECT_EQ(cap["incidents"], incident);
  EXPECT_EQ(cap["info"][0]["severity"], "Moderate");
  auto list = incidents();
  ASSERT_EQ(list.size(), 1u) << list.dump(2);
  EXPECT_EQ(list[0]["id"], incident);
  EXPECT_EQ(list[0]["plan"], "flood-report");
  EXPECT_EQ(list[0]["level"], "III");
  auto status = ctl({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto counters = json::parse(status.out)["counters"];
  EXPECT_EQ(counters["reports"], 3);
  EXPECT_EQ(counters["reports_duplicate"], 1);
}

// ---------------------------------------------------------------- 3. silences

constexpr const char* kFirePlan = R"(id: fire
title: Residential fire
hazards: [fire]
places: ["xc/hl/qy/**"]
levels:
  II:
    when: smoke >= 0.15 /
    alert:
      category: Fire
      event: Residential fire
      headline: "Fire alarm in {place_name}"
)";

TEST_F(ResponseEndToEnd, SilenceSuppressesAMaintenanceWindowAlarmButNotAFireInAnotherBuilding) {
  ASSERT_NO_FATAL_FAILURE(start_engine());
  ASSERT_NO_FATAL_FAILURE(import_registries());
  ASSERT_NO_FATAL_FAILURE(apply_plan("fire.yaml", kFirePlan));
  auto added = ctl({"silence", "add", "--place", "xc/hl/qy/g03/b12", "--ends", utc_iso(1h), "--comment",
                    "detector service", "--by", "tester", "--json"});
  ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
  const std::string silence = json::parse(added.out)["silence"];
  EXPECT_FALSE(silence.empty());

  MqttProbe probe(broker_->uri(), {"lookout/v1/alerts/#"});
  MqttProbe detectors(broker_->uri(), {});
  detectors.publish(sensor_topic("smk-b12-1"), smoke(0.4));
  auto list = incidents_until(1);
  ASSERT_EQ(list.size(), 1u) << engine_.log();
  const std::string id = list[0]["id"];
  EXPECT_EQ(list[0]["place"], "xc/hl/qy/g03/b12");
  // Still nothing a second later.
  EXPECT_FALSE(probe.wait_for("lookout/v1/alerts/xc/hl/qy/g03/b12", 1s));
  auto shown = show(id);
  EXPECT_TRUE(shown["alerts"].empty()) << shown.dump(2);
  bool names_silence = false;
  for (const auto& e : shown["timeline"]) {
    auto cause = e.value("cause", "");
    names_silence = names_silence || (cause.find("silenced by " + silence) != std::string::npos &&
                                      cause.find("detector service") != std::string::npos);
  }
  EXPECT_TRUE(names_silence) << shown["timeline"].dump(2);

  // A fire in a building of another grid is not silenced.
  detectors.publish(sensor_topic("smk-b07-1"), smoke(0.4));
  auto alert = probe.wait_for("lookout/v1/alerts/xc/hl/qy/g01/b07", kWait);
  ASSERT_TRUE(alert) << engine_.log();
  EXPECT_EQ(json::parse(alert->payload)["msgType"], "Alert");
  EXPECT_TRUE(probe.received("lookout/v1/alerts/xc/hl/qy/g03/b12").empty());
  auto status = ctl({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(json::parse(status.out)["counters"]["alerts_silenced"], 1) << status.out;
}

// ---------------------------------------------------------------- 4. escalation across a crash

constexpr const char* kEscalatingFirePlan = R"(id: fire
title: Residential fire
places: ["xc/hl/qy/**"]
levels:
  II:
    when: smoke >= 0.15 /
    alert:
      category: Fire
      event: Residential fire
      headline: "Fire alarm in {place_name}"
    escalation:
      - {after: 20s, notify: community_coordinators}
)";

constexpr const char* kCommunityRoster = R"(staff:
  - {id: c-qy, name: Community Coordinator, roles: [coordinator], kind: community_worker, home: xc/hl/qy, on_call: always}
)";

TEST_F(ResponseEndToEnd, RestartInTheMiddleOfAnEscalationStillFiresOnTime) {
  ASSERT_NO_FATAL_FAILURE(start_engine());
  ASSERT_NO_FATAL_FAILURE(import_registries(kCommunityRoster));
  ASSERT_NO_FATAL_FAILURE(apply_plan("fire.yaml", kEscalatingFirePlan));
  // One client across the restart: the broker keeps running, only the engine dies.
  MqttProbe probe(broker_->uri(), {"lookout/v1/alerts/#", notices_topic("c-qy")});
  probe.publish(sensor_topic("smk-b12-1"), smoke(0.4));
  auto alert = probe.wait_for("lookout/v1/alerts/xc/hl/qy/g03/b12", kWait);
  const auto t0 = Clock::now();
  ASSERT_TRUE(alert) << engine_.log();
  const std::string id = json::parse(alert->payload)["incidents"];

  // A hard crash at about T0 + 6 s, and a start on the same data directory.
  std::this_thread::sleep_until(t0 + 6s);
  engine_.kill_hard();
  ASSERT_FALSE(engine_.running());
  EXPECT_TRUE(probe.received(notices_topic("c-qy")).empty());
  ASSERT_NO_FATAL_FAILURE(start_engine());

  auto notice = wait_json(probe, notices_topic("c-qy"), kind_is("escalation"), 30s);
  const double at = seconds_since(t0);
  RecordProperty("escalation_after_ms", static_cast<int>(at * 1000));
  ASSERT_TRUE(notice) << engine_.log();
  EXPECT_GE(at, 19.0) << "escalated too early";
  EXPECT_LE(at, 24.0) << "escalated too late";
  EXPECT_EQ((*notice)["incident"], id);
  EXPECT_EQ((*notice)["to"], "c-qy");
  EXPECT_NE((*notice)["text"].get<std::string>().find("not acknowledged 20s"), std::string::npos) << *notice;

  // Exactly once: nothing more within a while, and the timeline has one escalation.
  EXPECT_FALSE(probe.wait_for(notices_topic("c-qy"), 2s, 1)) << "a second notice";
  EXPECT_EQ(probe.received(notices_topic("c-qy")).size(), 1u);
  auto shown = show(id);
  EXPECT_EQ(shown["state"], "open");
  EXPECT_EQ(count_of(timeline_kinds(shown), "escalated"), 1u) << shown["timeline"].dump(2);
}

}  // namespace
}  // namespace lookout::testing
