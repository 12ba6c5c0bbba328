// End to end, live drills: the real lookout over a real Mosquitto, a live fire burning,
// and `lookoutctl drill run --live` playing a scenario in the drill namespace while this
// test answers as the staff's phones. It proves that a drill never emits an Actual
// alert, never touches the live incident or takes its wardens, that unreachable members
// get nothing, that real answers are measured, and that a drill leaves nothing retained.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <thread>

#include "engine_fixture.h"

namespace lookout::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr auto kWait = 10s;

constexpr const char* kPlaces = R"(places:
  - {path: xc/hl/qy, name: Qingyuan community}
  - {path: xc/hl/qy/g03, name: Grid 3}
  - {path: xc/hl/qy/g03/b12, name: Building 12}
)";

constexpr const char* kSensors = R"(sensors:
  - {id: smk-b12-1, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke]}
  - {id: smk-b12-2, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke]}
)";

// Five wardens in Building 12, all on call: the live fire takes w-a and w-b.
constexpr const char* kStaff = R"(time_zone: Asia/Shanghai
staff:
  - {id: w-a, name: Warden A, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, on_call: always}
  - {id: w-b, name: Warden B, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, on_call: always}
  - {id: w-c, name: Warden C, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, on_call: always}
  - {id: w-d, name: Warden D, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, on_call: always}
  - {id: w-e, name: Warden E, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, on_call: always}
  - {id: c-g03, name: Grid Coordinator, roles: [coordinator], kind: grid_worker, home: xc/hl/qy/g03, on_call: always}
)";

// RESPOND is 5m live and 4s in the drill's own version of the plan.
constexpr const char* kFirePlan = R"(id: fire
title: Residential fire
places: ["xc/hl/qy/**"]
hazards: [fire]
levels:
  II:
    when: smoke >= 0.3 /
    alert:
      category: Fire
      event: Fire
      headline: "Fire alarm in {place_name}"
      audience: [residents, grid_coordinators]
    staff:
      - {role: fire_warden, count: 2, within: building, respond_within: RESPOND}
)";

std::string fire_plan(const std::string& respond) {
  std::string s = kFirePlan;
  s.replace(s.find("RESPOND"), 7, respond);
  return s;
}

// Smoke in Building 12 two seconds in; w-c's phone is dead.
constexpr const char* kScenario = R"(drill: fire-b12-live
title: Fire drill in Building 12
start: 2026-11-21T20:00:00+08:00
time_zone: Asia/Shanghai
duration: DURATION
community:
  places: places.yaml
  sensors: sensors.yaml
  staff: staff.yaml
plans: [drill-fire.yaml]
roster:
  - {staff: w-c, unreachable: true}
sensors:
  - sensor: SENSOR
    quantity: smoke
    unit: /
    every: 1s
    script:
      - {at: 0s, constant: 0.01}
      - {at: 2s, constant: 0.6}
expect:
  - {alert: II, within: 5s, after: "smoke >= 0.3"}
  - {accepted: fire_warden, count: 2, within: 8s}
  - {no_actual_alert: true}
)";

class LiveDrillE2eTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    start_engine();
    ASSERT_EQ(ctl({"places", "import", file("places.yaml", kPlaces)}).exit_code, 0);
    ASSERT_EQ(ctl({"sensors", "import", file("sensors.yaml", kSensors)}).exit_code, 0);
    ASSERT_EQ(ctl({"staff", "import", file("staff.yaml", kStaff)}).exit_code, 0);
    ASSERT_EQ(ctl({"plan", "apply", file("fire.yaml", fire_plan("5m"))}).exit_code, 0);
    file("drill-fire.yaml", fire_plan("4s"));
  }
  std::string scenario(const std::string& duration, const std::string& sensor = "smk-b12-2") {
    std::string s = kScenario;
    s.replace(s.find("DURATION"), 8, duration);
    s.replace(s.find("SENSOR"), 6, sensor);
    return file("drill.yaml", s);
  }
  Child start_drill(const std::string& scenario_file, const std::string& id) {
    return Child({LOOKOUTCTL_BIN, "--data-dir", data_dir_, "drill", "run", scenario_file, "--live", "--id", id, "--by",
                  "Drill Planner", "--out", dir_ + "/report"},
                 dir_ + "/drill.log");
  }
  // The phone of `staff` in drill `id`: waits for its offer and answers.
  std::string answer(MqttProbe& probe, const std::string& id, const std::string& staff, const std::string& response) {
    auto offer = probe.wait_for("lookout/v1/drill/" + id + "/staff/" + staff + "/assignments", kWait);
    EXPECT_TRUE(offer) << staff << " got no assignment";
    if (!offer) return "";
    auto a = json::parse(offer->payload);
    EXPECT_EQ(a["drill"], true);
    probe.publish("lookout/v1/drill/" + id + "/staff/" + staff + "/responses",
                  json{{"assignment", a["assignment"]}, {"response", response}}.dump());
    return a["assignment"];
  }
  static int wait_exit(Child& child, std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (child.running() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(100ms);
    return child.terminate(1000ms);
  }
};

TEST_F(LiveDrillE2eTest, ADrillBesideARealFireNeverTouchesItAndMeasuresRealAnswers) {
  MqttProbe probe(broker_->uri(), {"lookout/v1/#"});
  // The real fire: an Actual alert, w-a and w-b offered.
  probe.publish(sensor_topic("smk-b12-1"), R"({"n":"smoke","u":"/","v":0.7})");
  ASSERT_TRUE(probe.wait_for("lookout/v1/alerts/xc/hl/qy/g03/b12", kWait));
  ASSERT_TRUE(probe.wait_for("lookout/v1/staff/w-b/assignments", kWait));
  auto before = ctl({"incidents", "show", "inc-000001", "--json"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  const auto live_before = json::parse(before.out);

  auto drill = start_drill(scenario("10s"), "e2e");
  // The real phones: w-d answers after a second; w-c's phone is dead, so after its 4 s
  // deadline w-e is asked and accepts.
  auto offer_d = probe.wait_for("lookout/v1/drill/e2e/staff/w-d/assignments", kWait);
  ASSERT_TRUE(offer_d) << read_text(dir_ + "/drill.log");
  std::this_thread::sleep_for(1200ms);
  answer(probe, "e2e", "w-d", "accept");
  answer(probe, "e2e", "w-e", "accept");
  const int rc = wait_exit(drill, 40s);
  const auto log = read_text(dir_ + "/drill.log");
  ASSERT_EQ(rc, 0) << log;

  // The report: live, passed, the real answers measured.
  auto report = json::parse(read_text(dir_ + "/report/e2e.json"));
  EXPECT_EQ(report["mode"], "live");
  EXPECT_EQ(report["passed"], true) << report.dump(2);
  std::map<std::string, json> responses;
  for (const auto& r : report["responses"]) responses[r["staff"]] = r;
  ASSERT_EQ(responses.size(), 3u) << report["responses"].dump(2);
  EXPECT_EQ(responses["w-c"]["answer"], "no_answer");
  EXPECT_EQ(responses["w-c"]["delivered"], false);
  EXPECT_EQ(responses["w-d"]["answer"], "accepted");
  EXPECT_GE(responses["w-d"]["answered_after_seconds"].get<double>(), 1.0) << responses["w-d"].dump();
  EXPECT_EQ(responses["w-e"]["answer"], "accepted");
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/report/e2e.html"));

  // Nothing the drill did reached the live side, and every drill alert was Exercise.
  int drill_alerts = 0;
  for (const auto& m : probe.received("lookout/v1/")) {
    const bool in_drill = m.topic.rfind("lookout/v1/drill/", 0) == 0;
    if (!in_drill) {
      EXPECT_EQ(m.payload.find("drill-"), std::string::npos) << m.topic << ": " << m.payload;
      EXPECT_EQ(m.payload.find("w-c"), std::string::npos) << m.topic;
      EXPECT_EQ(m.payload.find("w-d"), std::string::npos) << m.topic;
      EXPECT_EQ(m.payload.find("w-e"), std::string::npos) << m.topic;
    }
    if (m.topic.find("/alerts/") == std::string::npos || m.payload.empty()) continue;
    auto cap = json::parse(m.payload);
    if (in_drill) {
      ++drill_alerts;
      EXPECT_EQ(cap["status"], "Exercise") << m.payload;
      EXPECT_NE(cap["note"].get<std::string>().find("e2e"), std::string::npos);
    } else {
      EXPECT_EQ(cap["status"], "Actual");
      EXPECT_EQ(cap["incidents"], "inc-000001");
    }
  }
  EXPECT_EQ(drill_alerts, 2);  // the alert and its Cancel at the drill's end
  // w-c's phone got nothing.
  EXPECT_TRUE(probe.received("lookout/v1/drill/e2e/staff/w-c/").empty());
  EXPECT_FALSE(probe.received("lookout/v1/drill/e2e/undelivered/staff/w-c/assignments").empty());
  // The live incident: the same timeline, alerts and assignments as before the drill.
  auto after = ctl({"incidents", "show", "inc-000001", "--json"});
  ASSERT_EQ(after.exit_code, 0);
  const auto live_after = json::parse(after.out);
  EXPECT_EQ(live_after["timeline"], live_before["timeline"]);
  EXPECT_EQ(live_after["alerts"], live_before["alerts"]);
  EXPECT_EQ(live_after["assignments"], live_before["assignments"]);
  auto list = json::parse(ctl({"incidents", "list", "--json"}).out);
  EXPECT_EQ(list["incidents"].size(), 1u) << list.dump();

  // The drill is over and the broker keeps nothing of it.
  auto drills = json::parse(ctl({"drill", "list", "--json"}).out);
  EXPECT_TRUE(drills["drills"].empty());
  MqttProbe late(broker_->uri(), {"lookout/v1/drill/#"});
  EXPECT_FALSE(late.wait_for("lookout/v1/drill/", 1500ms)) << late.received("lookout/v1/drill/").front().topic;
}

TEST_F(LiveDrillE2eTest, CtrlCEndsTheDrillCancelsWhatIsOpenAndSaysSo) {
  MqttProbe probe(broker_->uri(), {"lookout/v1/drill/#"});
  auto drill = start_drill(scenario("10m"), "stopped");
  ASSERT_TRUE(probe.wait_for("lookout/v1/drill/stopped/alerts/", kWait)) << read_text(dir_ + "/drill.log");
  auto listed = json::parse(ctl({"drill", "list", "--json"}).out);
  ASSERT_EQ(listed["drills"].size(), 1u);
  EXPECT_EQ(listed["drills"][0]["by"], "Drill Planner");
  const int rc = drill.terminate(15000ms);  // SIGTERM: as Ctrl-C
  EXPECT_EQ(rc, 1);  // the report is written, but the drill did not run to its end
  auto report = json::parse(read_text(dir_ + "/report/stopped.json"));
  EXPECT_NE(report["note"].get<std::string>().find("stopped early"), std::string::npos) << report["note"];
  auto cancel = probe.wait_for("lookout/v1/drill/stopped/alerts/", kWait, 1);
  ASSERT_TRUE(cancel);
  EXPECT_EQ(json::parse(cancel->payload)["msgType"], "Cancel");
  EXPECT_EQ(json::parse(cancel->payload)["status"], "Exercise");
  EXPECT_TRUE(json::parse(ctl({"drill", "list", "--json"}).out)["drills"].empty());
}

TEST_F(LiveDrillE2eTest, AScenarioTheEngineCannotPlayStartsNothing) {
  auto r = ctl({"drill", "run", scenario("10s", "smk-nowhere"), "--live"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("smk-nowhere"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("drill.yaml:"), std::string::npos) << r.err;
  EXPECT_TRUE(json::parse(ctl({"drill", "list", "--json"}).out)["drills"].empty());
  // A drill nobody started: stop says so.
  auto stop = ctl({"drill", "stop", "nothing-here"});
  EXPECT_EQ(stop.exit_code, 1);
  EXPECT_NE(stop.err.find("no drill"), std::string::npos) << stop.err;
}

}  // namespace
}  // namespace lookout::testing
