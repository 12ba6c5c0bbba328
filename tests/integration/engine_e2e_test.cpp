// End to end, as a user runs it: real Mosquitto, the real lookout binary, lookoutctl,
// and a real MQTT client publishing SenML like a building sensor.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <utility>
#include <vector>

#include "engine_fixture.h"
#include "http_client.h"

namespace lookout::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr auto kWait = 10s;

constexpr const char* kSensors = R"(sensors:
  - id: smk-b12-1
    place: xc/hl/qy/g03/b12
    kind: smoke_detector
    quantities: [smoke]
  - id: tmp-b12-1
    place: xc/hl/qy/g03/b12
    kind: heat_detector
    quantities: [temperature]
  - id: smk-b07-1
    place: xc/hl/qy/g01/b07
    kind: smoke_detector
    quantities: [smoke]
)";

constexpr const char* kPlaces = R"(places:
  - path: xc/hl/qy
    name: Qingyuan community
  - path: xc/hl/qy/g03/b12
    name: Building 12
    point: [39.9042, 116.4074]
    radius_m: 40
)";

std::string fire_plan(const std::string& threshold) {
  return R"(id: fire
title: Residential fire
owner: Qingyuan community office
places: ["xc/hl/qy/**"]
levels:
  II:
    when: smoke >= )" + threshold + R"( /
    alert:
      category: Fire
      event: Residential fire
      response_type: Evacuate
      headline: "Fire alarm in {place_name}"
      description: "{quantity} {value} {unit} at {time} from {sensor}"
      instruction: Leave by the stairs.
)";
}

std::string param(const json& info, const std::string& name) {
  for (const auto& p : info["parameter"]) {
    if (p["valueName"] == name) return p["value"];
  }
  return "";
}

class EngineEndToEnd : public EngineFixture {
 protected:
  void load_registries_and_plan(const std::string& threshold = "0.15") {
    auto r = ctl({"sensors", "import", file("sensors.yaml", kSensors)});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    r = ctl({"places", "import", file("places.yaml", kPlaces)});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    r = ctl({"plan", "apply", file("fire.yaml", fire_plan(threshold))});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
};

TEST_F(EngineEndToEnd, ThresholdReadingProducesOneValidCapAlertInJsonAndXml) {
  ASSERT_NO_FATAL_FAILURE(start_engine({"--cap-xml"}));
  ASSERT_NO_FATAL_FAILURE(load_registries_and_plan());
  MqttProbe probe(broker_->uri(), {"lookout/v1/alerts/#", "lookout/v1/alerts-xml/#", "lookout/v1/incidents/#"});
  probe.publish(sensor_topic("smk-b12-1"), R"([{"bn":"smk-b12-1:","n":"smoke","u":"/","v":0.05}])");
  probe.publish(sensor_topic("smk-b12-1"), R"([{"n":"smoke","u":"/","v":0.2},{"n":"smoke","u":"/","v":0.25,"t":1}])");
  auto alert = probe.wait_for("lookout/v1/alerts/xc/hl/qy/g03/b12", kWait);
  ASSERT_TRUE(alert) << engine_.log();
  auto a = json::parse(alert->payload);
  EXPECT_EQ(a["sender"], "lookout@it.example");
  EXPECT_EQ(a["identifier"], "lookout@it.example.inc-000001.1");
  EXPECT_EQ(a["status"], "Actual");
  EXPECT_EQ(a["msgType"], "Alert");
  EXPECT_EQ(a["scope"], "Public");
  EXPECT_EQ(a["incidents"], "inc-000001");
  EXPECT_TRUE(a["sent"].get<std::string>().ends_with("+08:00")) << a["sent"];
  const auto& info = a["info"][0];
  EXPECT_EQ(info["category"][0], "Fire");
  EXPECT_EQ(info["event"], "Residential fire");
  EXPECT_EQ(info["responseType"][0], "Evacuate");
  EXPECT_EQ(info["urgency"], "Immediate");
  EXPECT_EQ(info["severity"], "Severe");
  EXPECT_EQ(info["headline"], "Fire alarm in Building 12");
  EXPECT_EQ(param(info, "warningLevel"), "II");
  EXPECT_EQ(param(info, "warningColor"), "orange");
  EXPECT_EQ(param(info, "plan"), "fire");
  EXPECT_EQ(info["area"][0]["areaDesc"], "Building 12");
  EXPECT_EQ(info["area"][0]["geocode"][0]["value"], "xc/hl/qy/g03/b12");
  EXPECT_FALSE(info["area"][0]["circle"].empty());

  auto xml = probe.wait_for("lookout/v1/alerts-xml/xc/hl/qy/g03/b12", kWait);
  ASSERT_TRUE(xml);
  EXPECT_NE(xml->payload.find("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"), std::string::npos);
  EXPECT_NE(xml->payload.find("<identifier>lookout@it.example.inc-000001.1</identifier>"), std::string::npos);

  auto state = probe.wait_for("lookout/v1/incidents/inc-000001", kWait);
  ASSERT_TRUE(state);
  EXPECT_EQ(json::parse(state->payload)["level"], "II");

  // More readings above the threshold join the incident: no second alert.
  probe.publish(sensor_topic("smk-b12-1"), R"([{"n":"smoke","u":"/","v":0.3}])");
  probe.publish(sensor_topic("smk-b07-1"), R"([{"n":"smoke","u":"/","v":0.01}])");
  // A reading that opens a second incident elsewhere proves the first were processed.
  probe.publish(sensor_topic("smk-b07-1"), R"([{"n":"smoke","u":"/","v":0.4}])");
  ASSERT_TRUE(probe.wait_for("lookout/v1/alerts/xc/hl/qy/g01/b07", kWait));
  EXPECT_EQ(probe.received("lookout/v1/alerts/xc/hl/qy/g03/b12").size(), 1u);

  auto list = ctl({"incidents", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(json::parse(list.out)["incidents"].size(), 2u);
}

TEST_F(EngineEndToEnd, MalformedPayloadIsDeadLetteredWithReasonAndEngineKeepsWorking) {
  ASSERT_NO_FATAL_FAILURE(start_engine());
  ASSERT_NO_FATAL_FAILURE(load_registries_and_plan());
  MqttProbe probe(broker_->uri(), {"lookout/v1/deadletter", "lookout/v1/alerts/#"});
  probe.publish(sensor_topic("smk-b12-1"), R"({"n":"smoke","v":"lots"})");
  probe.publish(sensor_topic("smk-b12-1"), "\xff\xfe not json");
  probe.publish(sensor_topic("ghost-1"), R"([{"n":"smoke","v":0.9}])");
  probe.publish("lookout/v1/sensors/bad$id", R"([{"n":"smoke","v":0.9}])");
  auto first = probe.wait_for("lookout/v1/deadletter", kWait, 0);
  ASSERT_TRUE(first) << engine_.log();
  ASSERT_TRUE(probe.wait_for("lookout/v1/deadletter", kWait, 3));
  auto dl = probe.received("lookout/v1/deadletter");
  ASSERT_EQ(dl.size(), 4u);
  auto d0 = json::parse(dl[0].payload);
  EXPECT_EQ(d0["topic"], "lookout/v1/sensors/smk-b12-1");
  EXPECT_EQ(d0["payload"], R"({"n":"smoke","v":"lots"})");
  EXPECT_NE(d0["reason"].get<std::string>().find("\"v\""), std::string::npos) << d0["reason"];
  EXPECT_NE(json::parse(dl[1].payload)["reason"].get<std::string>().find("SenML"), std::string::npos);
  EXPECT_NE(json::parse(dl[2].payload)["reason"].get<std::string>().find("unknown sensor"), std::string::npos);
  EXPECT_NE(json::parse(dl[3].payload)["reason"].get<std::string>().find("sensor id"), std::string::npos);
  // Still working.
  probe.publish(sensor_topic("smk-b12-1"), R"([{"n":"smoke","u":"/","v":0.5}])");
  EXPECT_TRUE(probe.wait_for("lookout/v1/alerts/", kWait)) << engine_.log();
  EXPECT_TRUE(engine_.running());
}

TEST_F(EngineEndToEnd, PlanAppliedWithLookoutctlTakesEffectLiveAndBadPlanIsRejectedWhole) {
  ASSERT_NO_FATAL_FAILURE(start_engine());
  ASSERT_NO_FATAL_FAILURE(load_registries_and_plan("0.5"));  // version 1: high threshold
  MqttProbe probe(broker_->uri(), {"lookout/v1/alerts/#", "lookout/v1/deadletter"});
  probe.publish(sensor_topic("smk-b12-1"), R"([{"n":"smoke","u":"/","v":0.2}])");
  // Prove the reading was processed (a dead letter after it arrives after it) before asserting silence.
  probe.publish(sensor_topic("ghost"), "[]");
  ASSERT_TRUE(probe.wait_for("lookout/v1/deadletter", kWait));
  EXPECT_TRUE(probe.received("lookout/v1/alerts/").empty());

  // A broken version is rejected whole, with file:line:column, and v1 keeps running.
  auto bad_path = file("fire-bad.yaml", fire_plan("0.1 furlongs"));
  auto bad = ctl({"plan", "apply", bad_path});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find(bad_path + ":7:"), std::string::npos) << bad.err;
  auto list = ctl({"plan", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_EQ(json::parse(list.out)["plans"][0]["version"], 1);

  // Version 2 lowers the threshold: the same reading now alerts, without a restart.
  auto ok = ctl({"plan", "apply", file("fire.yaml", fire_plan("0.1"))});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("version 2"), std::string::npos) << ok.out;
  probe.publish(sensor_topic("smk-b12-1"), R"([{"n":"smoke","u":"/","v":0.2}])");
  auto alert = probe.wait_for("lookout/v1/alerts/xc/hl/qy/g03/b12", kWait);
  ASSERT_TRUE(alert) << engine_.log();
  EXPECT_EQ(param(json::parse(alert->payload)["info"][0], "planVersion"), "2");

  auto v1 = ctl({"plan", "show", "fire", "--version", "1", "--json"});
  ASSERT_EQ(v1.exit_code, 0) << v1.err;
  EXPECT_NE(json::parse(v1.out)["source"].get<std::string>().find("smoke >= 0.5"), std::string::npos);

  // What changed between the stored versions, and what a new file would change.
  auto between = ctl({"plan", "diff", "fire", "--version", "1"});
  ASSERT_EQ(between.exit_code, 0) << between.err;
  EXPECT_NE(between.out.find("level II condition: smoke >= 0.5 / -> smoke >= 0.1 /"), std::string::npos) << between.out;
  EXPECT_NE(between.out.find("-    when: smoke >= 0.5 /"), std::string::npos) << between.out;
  auto pending = ctl({"plan", "diff", file("fire-v3.yaml", fire_plan("0.12")), "--json"});
  ASSERT_EQ(pending.exit_code, 0) << pending.err;
  auto pj = json::parse(pending.out);
  EXPECT_TRUE(pj["changed"].get<bool>());
  EXPECT_EQ(pj["changes"][0], "level II condition: smoke >= 0.1 / -> smoke >= 0.12 /");
  auto same = ctl({"plan", "diff", file("fire-same.yaml", fire_plan("0.1"))});
  EXPECT_EQ(same.exit_code, 0);
  EXPECT_NE(same.out.find("are the same"), std::string::npos) << same.out;
}

TEST_F(EngineEndToEnd, RestartKeepsStoredPlanRegistriesAndOpenIncidents) {
  ASSERT_NO_FATAL_FAILURE(start_engine());
  ASSERT_NO_FATAL_FAILURE(load_registries_and_plan());
  {
    MqttProbe probe(broker_->uri(), {"lookout/v1/alerts/#"});
    probe.publish(sensor_topic("smk-b12-1"), R"([{"n":"smoke","u":"/","v":0.2}])");
    ASSERT_TRUE(probe.wait_for("lookout/v1/alerts/", kWait)) << engine_.log();
  }
  EXPECT_EQ(stop_engine(), 0) << engine_.log();
  {
    // The engine said goodbye: retained status is offline.
    MqttProbe status(broker_->uri(), {"lookout/v1/engine/status"});
    auto s = status.wait_for("lookout/v1/engine/status", kWait);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->payload, "offline");
  }
  ASSERT_NO_FATAL_FAILURE(start_engine());
  auto list = ctl({"plan", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto plans = json::parse(list.out)["plans"];
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0]["id"], "fire");
  EXPECT_EQ(plans[0]["version"], 1);

  MqttProbe probe(broker_->uri(), {"lookout/v1/alerts/#", "lookout/v1/engine/status"});
  auto online = probe.wait_for("lookout/v1/engine/status", kWait);
  ASSERT_TRUE(online);
  EXPECT_EQ(online->payload, "online");
  // The incident opened before the restart is still open: more smoke there is no news,
  // while smoke in another building opens inc-000002.
  probe.publish(sensor_topic("smk-b12-1"), R"([{"n":"smoke","u":"/","v":0.3}])");
  probe.publish(sensor_topic("smk-b07-1"), R"([{"n":"smoke","u":"/","v":0.3}])");
  auto alert = probe.wait_for("lookout/v1/alerts/", kWait);
  ASSERT_TRUE(alert) << engine_.log();
  EXPECT_EQ(alert->topic, "lookout/v1/alerts/xc/hl/qy/g01/b07");
  EXPECT_EQ(json::parse(alert->payload)["incidents"], "inc-000002");
}

TEST_F(EngineEndToEnd, ReportIsReceiptedOnceStoredAndRecognisedAgainAfterARestart) {
  ASSERT_NO_FATAL_FAILURE(start_engine());
  const std::string report =
      R"({"id": "r-7781", "category": "fire", "place": "xc/hl/qy/g03/b12", "source": "hotline",)"
      R"( "reporter": "Ms Wang", "description": "smoke in the stairwell", "app_version": "2.1"})";
  const json expected = {{"report", "r-7781"}, {"status", "accepted"}, {"incident", ""}, {"reason", ""}};
  {
    MqttProbe probe(broker_->uri(), {"lookout/v1/receipts/#", "lookout/v1/deadletter"});
    probe.publish("lookout/v1/reports", report);
    auto first = probe.wait_for("lookout/v1/receipts/", kWait);
    ASSERT_TRUE(first) << engine_.log();
    EXPECT_EQ(first->topic, "lookout/v1/receipts/r-7781");
    EXPECT_FALSE(first->retained);
    EXPECT_EQ(json::parse(first->payload), expected);

    // Sent again (the sender lost the receipt): the same receipt.
    probe.publish("lookout/v1/reports", report);
    auto second = probe.wait_for("lookout/v1/receipts/", kWait, 1);
    ASSERT_TRUE(second) << engine_.log();
    EXPECT_EQ(second->topic, "lookout/v1/receipts/r-7781");
    EXPECT_EQ(second->payload, first->payload);

    // A report with a valid id and a bad field: rejected, with the reason.
    probe.publish("lookout/v1/reports",
                  R"({"id": "r-7782", "category": "fire", "place": "xc/hl/qy", "source": "fax"})");
    auto rejected = probe.wait_for("lookout/v1/receipts/r-7782", kWait);
    ASSERT_TRUE(rejected) << engine_.log();
    auto r = json::parse(rejected->payload);
    EXPECT_EQ(r["status"], "rejected");
    EXPECT_NE(r["reason"].get<std::string>().find("\"source\""), std::string::npos) << r["reason"];
    ASSERT_TRUE(probe.wait_for("lookout/v1/deadletter", kWait));
    EXPECT_TRUE(probe.received("lookout/v1/deadletter")[0].payload.find("lookout/v1/reports") != std::string::npos);
  }
  auto status = ctl({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto counters = json::parse(status.out)["counters"];
  EXPECT_EQ(counters["reports"], 1);
  EXPECT_EQ(counters["reports_duplicate"], 1);

  EXPECT_EQ(stop_engine(), 0) << engine_.log();
  ASSERT_NO_FATAL_FAILURE(start_engine());
  MqttProbe probe(broker_->uri(), {"lookout/v1/receipts/#"});
  probe.publish("lookout/v1/reports", report);
  auto again = probe.wait_for("lookout/v1/receipts/", kWait);
  ASSERT_TRUE(again) << engine_.log();
  EXPECT_EQ(again->topic, "lookout/v1/receipts/r-7781");
  EXPECT_EQ(json::parse(again->payload), expected);
  status = ctl({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  counters = json::parse(status.out)["counters"];
  EXPECT_EQ(counters["reports"], 0);  // not a new report for this run of the engine
  EXPECT_EQ(counters["reports_duplicate"], 1);
}

TEST_F(EngineEndToEnd, ReportsAndSensorStatusRaiseAlertsOfPlansThatCountThem) {
  ASSERT_NO_FATAL_FAILURE(start_engine());
  ASSERT_NO_FATAL_FAILURE(load_registries_and_plan());
  auto plan = file("thrown.yaml", R"(id: thrown
title: Objects thrown from height
places: ["xc/hl/qy/**"]
scope: building
levels:
  III:
    when: reports(thrown_object, 7d) >= 2
    alert: {category: Safety, event: Objects thrown from height, headline: "Thrown objects at {place_name}"}
)");
  auto detectors = file("detectors.yaml", R"(id: detectors
title: Detectors offline
places: ["xc/hl/qy/**"]
scope: building
levels:
  IV:
    when: offline(smoke_detector)
    alert: {category: Safety, event: Detector offline, headline: "A smoke detector is offline at {place_name}"}
)");
  ASSERT_EQ(ctl({"plan", "apply", plan}).exit_code, 0);
  ASSERT_EQ(ctl({"plan", "apply", detectors}).exit_code, 0);
  MqttProbe probe(broker_->uri(), {"lookout/v1/alerts/#", "lookout/v1/receipts/#"});
  auto report = [&](const std::string& id, const std::string& place) {
    probe.publish("lookout/v1/reports", R"({"id": ")" + id + R"(", "category": "thrown_object", "place": ")" + place +
                                            R"(", "source": "resident"})");
  };
  report("r-1", "xc/hl/qy/g03/b12");
  report("r-1", "xc/hl/qy/g03/b12");  // the same report again counts once
  report("r-2", "xc/hl/qy/g01/b07");  // another building
  ASSERT_TRUE(probe.wait_for("lookout/v1/receipts/r-2", kWait)) << engine_.log();
  EXPECT_TRUE(probe.received("lookout/v1/alerts/").empty());
  report("r-3", "xc/hl/qy/g03/b12");
  auto alert = probe.wait_for("lookout/v1/alerts/xc/hl/qy/g03/b12", kWait);
  ASSERT_TRUE(alert) << engine_.log();
  auto cap = json::parse(alert->payload);
  EXPECT_EQ(cap["info"][0]["headline"], "Thrown objects at Building 12");
  EXPECT_EQ(param(cap["info"][0], "plan"), "thrown");
  auto receipt = probe.wait_for("lookout/v1/receipts/r-3", kWait);
  ASSERT_TRUE(receipt);
  EXPECT_EQ(json::parse(receipt->payload)["status"], "accepted");
  EXPECT_NE(json::parse(receipt->payload)["incident"], "");

  // A detector's last will ("offline" on its status topic) raises the other plan.
  probe.publish("lookout/v1/sensors/smk-b07-1/status", "offline");
  auto offline = probe.wait_for("lookout/v1/alerts/xc/hl/qy/g01/b07", kWait);
  ASSERT_TRUE(offline) << engine_.log();
  EXPECT_EQ(param(json::parse(offline->payload)["info"][0], "plan"), "detectors");
}

TEST_F(EngineEndToEnd, Mqtt5SensorsWorkToo) {
  ASSERT_NO_FATAL_FAILURE(start_engine());
  ASSERT_NO_FATAL_FAILURE(load_registries_and_plan());
  MqttProbe probe(broker_->uri(), {"lookout/v1/alerts/#"}, 5);
  probe.publish(sensor_topic("smk-b12-1"), R"([{"n":"smoke","u":"/","v":0.2}])");
  EXPECT_TRUE(probe.wait_for("lookout/v1/alerts/xc/hl/qy/g03/b12", kWait)) << engine_.log();
}

TEST_F(EngineEndToEnd, StaffRosterIsImportedWithLookoutctlAndABadFileChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(start_engine());
  auto imported = ctl({"staff", "import", file("staff.yaml", R"(staff:
  - id: w-zhang
    name: 张伟
    roles: [grid_worker, fire_warden]
    kind: grid_worker
    home: xc/hl/qy/g03
    shifts: [mon-fri 08:00-18:00, fri 22:00-06:00]
  - id: duty-qy
    name: Duty officer
    roles: [duty_officer]
    kind: community_worker
    home: xc/hl/qy
    time_zone: Europe/London
    on_call: always
)")});
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  EXPECT_NE(imported.out.find("imported 2 staff"), std::string::npos) << imported.out;

  auto list = ctl({"staff", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto staff = json::parse(list.out)["staff"];
  ASSERT_EQ(staff.size(), 2u);
  EXPECT_EQ(staff[0]["id"], "duty-qy");
  EXPECT_EQ(staff[0]["on_call_always"], true);
  EXPECT_EQ(staff[0]["time_zone"], "Europe/London");
  EXPECT_EQ(staff[1]["id"], "w-zhang");
  EXPECT_EQ(staff[1]["name"], "张伟");
  EXPECT_EQ(staff[1]["kind"], "grid_worker");
  EXPECT_EQ(staff[1]["home"], "xc/hl/qy/g03");
  EXPECT_EQ(staff[1]["time_zone"], "Asia/Shanghai");  // the engine's, as none was given
  EXPECT_EQ(staff[1]["roles"], json::array({"grid_worker", "fire_warden"}));
  ASSERT_EQ(staff[1]["shifts"].size(), 2u);
  EXPECT_EQ(staff[1]["shifts"][1], json({{"days", {"fri"}}, {"start", "22:00"}, {"end", "06:00"}}));
  auto text = ctl({"staff", "list"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("mon-fri 08:00-18:00; fri 22:00-06:00 (Asia/Shanghai)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("on call always (Europe/London)"), std::string::npos) << text.out;

  // A CSV whose second member has a bad shift: refused whole, with file:line:column,
  // and the roster stays as it was.
  auto bad_path = file("staff-bad.csv",
                       "id,name,roles,kind,home,shifts\n"
                       "w-zhang,Zhang Wei,grid_worker,grid_worker,xc/hl/qy/g01,daily 08:00-20:00\n"
                       "w-new,New,grid_worker,grid_worker,xc/hl/qy/g01,mon-fri 8-18\n");
  auto bad = ctl({"staff", "import", bad_path});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find(bad_path + ":3:56: shift \"mon-fri 8-18\": start time \"8\" is not a time of day"),
            std::string::npos)
      << bad.err;
  EXPECT_NE(bad.err.find("nothing was imported"), std::string::npos) << bad.err;
  list = ctl({"staff", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  staff = json::parse(list.out)["staff"];
  ASSERT_EQ(staff.size(), 2u);
  EXPECT_EQ(staff[1]["home"], "xc/hl/qy/g03");
  auto status = ctl({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(json::parse(status.out)["staff"], 2);
}

TEST_F(EngineEndToEnd, CoordinatorAcknowledgesAndResolvesAnIncidentWithLookoutctl) {
  ASSERT_NO_FATAL_FAILURE(start_engine());
  ASSERT_NO_FATAL_FAILURE(load_registries_and_plan());
  MqttProbe probe(broker_->uri(), {"lookout/v1/alerts/#", "lookout/v1/incidents/#"});
  probe.publish(sensor_topic("smk-b12-1"), R"([{"n":"smoke","u":"/","v":0.2}])");
  auto first = probe.wait_for("lookout/v1/alerts/xc/hl/qy/g03/b12", kWait);
  ASSERT_TRUE(first) << engine_.log();
  const json alert = json::parse(first->payload);
  const std::string id = alert["incidents"];
  const std::string state_topic = "lookout/v1/incidents/" + id;

  // --by defaults to LOOKOUT_USER.
  auto ack = run({LOOKOUTCTL_BIN, "--data-dir", data_dir_, "incidents", "ack", id, "--note", "on my way", "--json"},
                 std::chrono::seconds(60), {"LOOKOUT_USER=duty-li"});
  ASSERT_EQ(ack.exit_code, 0) << ack.out << ack.err;
  auto acked = json::parse(ack.out);
  EXPECT_EQ(acked["id"], id);
  EXPECT_EQ(acked["state"], "acknowledged");
  EXPECT_EQ(acked["acknowledged_by"], "duty-li");
  auto list = ctl({"incidents", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("acknowledged  fire"), std::string::npos) << list.out;
  auto active = ctl({"incidents", "list", "--state", "active", "--json"});
  ASSERT_EQ(active.exit_code, 0) << active.err;
  EXPECT_EQ(json::parse(active.out)["incidents"].size(), 1u);

  // Acknowledged already: refused, with the engine's reason.
  auto again = ctl({"incidents", "ack", id, "--by", "Li"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("is already acknowledged by duty-li"), std::string::npos) << again.err;
  // Nobody to name: a usage error, nothing sent.
  auto nobody = run({LOOKOUTCTL_BIN, "--data-dir", data_dir_, "incidents", "resolve", id}, std::chrono::seconds(60),
                    {"LOOKOUT_USER=", "USER="});
  EXPECT_EQ(nobody.exit_code, 2);
  EXPECT_NE(nobody.err.find("--by"), std::string::npos) << nobody.err;

  auto resolved = ctl({"incidents", "resolve", id, "--by", "Coordinator Wang", "--note", "false alarm: cooking"});
  ASSERT_EQ(resolved.exit_code, 0) << resolved.out << resolved.err;
  EXPECT_NE(resolved.out.find(id + " resolved by Coordinator Wang; it is now closed"), std::string::npos)
      << resolved.out;
  auto cancel = probe.wait_for("lookout/v1/alerts/xc/hl/qy/g03/b12", kWait, 1);
  ASSERT_TRUE(cancel) << engine_.log();
  auto c = json::parse(cancel->payload);
  EXPECT_EQ(c["msgType"], "Cancel");
  EXPECT_EQ(c["incidents"], id);
  EXPECT_EQ(c["references"], "lookout@it.example," + alert["identifier"].get<std::string>() + "," +
                                 alert["sent"].get<std::string>());
  EXPECT_EQ(c["note"], "resolved by Coordinator Wang: false alarm: cooking");
  EXPECT_EQ(c["info"][0]["responseType"][0], "AllClear");

  // The incident's state topic ends "closed" (open, acknowledged, closed), and a client
  // that subscribes afterwards gets that as the retained message.
  std::optional<ReceivedMessage> closed;
  for (std::size_t skip = 0; skip < 5 && !closed; ++skip) {
    auto m = probe.wait_for(state_topic, kWait, skip);
    if (!m) break;
    if (json::parse(m->payload)["state"] == "closed") closed = m;
  }
  ASSERT_TRUE(closed) << engine_.log();
  MqttProbe late(broker_->uri(), {state_topic});
  auto retained = late.wait_for(state_topic, kWait);
  ASSERT_TRUE(retained);
  EXPECT_TRUE(retained->retained);
  EXPECT_EQ(json::parse(retained->payload)["state"], "closed");

  auto show = ctl({"incidents", "show", id, "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  auto shown = json::parse(show.out);
  EXPECT_EQ(shown["state"], "closed");
  EXPECT_EQ(shown["acknowledged_by"], "duty-li");
  EXPECT_EQ(shown["resolved_by"], "Coordinator Wang");
  std::vector<std::string> kinds;
  for (const auto& e : shown["timeline"]) kinds.push_back(e["kind"]);
  EXPECT_EQ(kinds, (std::vector<std::string>{"opened", "acknowledged", "resolved", "closed"}));
  ASSERT_EQ(shown["timeline"].size(), 4u);
  EXPECT_EQ(shown["timeline"][1]["cause"], "acknowledged by duty-li: on my way");
  EXPECT_EQ(shown["timeline"][2]["alert"], c["identifier"]);
  EXPECT_TRUE(shown["timeline"][0]["time"].get<std::string>().ends_with("+08:00")) << shown["timeline"][0];
  EXPECT_FALSE(shown["timeline"][0].contains("time_ms"));
  auto text = ctl({"incidents", "show", id});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("timeline:"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("resolved             II  resolved by Coordinator Wang: false alarm: cooking"), std::string::npos)
      << text.out;
  auto closed_list = ctl({"incidents", "list", "--state", "active", "--json"});
  ASSERT_EQ(closed_list.exit_code, 0) << closed_list.err;
  EXPECT_TRUE(json::parse(closed_list.out)["incidents"].empty());

  // Resolved already, and an incident that does not exist: refused.
  auto twice = ctl({"incidents", "resolve", id, "--by", "Wang"});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("already closed"), std::string::npos) << twice.err;
  auto missing = ctl({"incidents", "ack", "inc-999999", "--by", "Li"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no incident \"inc-999999\""), std::string::npos) << missing.err;

  // The API refuses a bad body with 400 and says why, and needs the token.
  auto admin = json::parse(read_text(data_dir_ + "/admin.json"));
  auto post = [&](const std::string& body, const std::string& token) {
    return ctl::http_request(admin["url"], "POST", "/v1/incidents/" + id + "/ack", body, token);
  };
  const std::string token = admin["token"];
  for (const auto& [body, why] : std::vector<std::pair<std::string, std::string>>{
           {"not json", "not JSON"},
           {R"(["Li"])", "JSON object"},
           {R"({"note": "x"})", "\"by\" is required"},
           {R"({"by": "Li", "urgent": true})", "unknown field \"urgent\""},
           {R"({"by": 7})", "\"by\" must be a string"},
           {R"({"by": "  "})", "must name someone"},
           {R"({"by": ")" + std::string(129, 'x') + R"("})", "longer than 128"},
           {R"({"by": "Li", "note": ")" + std::string(1025, 'x') + R"("})", "longer than 1024"},
       }) {
    auto r = post(body, token);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(r->status, 400) << body;
    EXPECT_NE(json::parse(r->body).value("error", "").find(why), std::string::npos) << body << " -> " << r->body;
  }
  auto r = post(R"({"by": "Li"})", "wrong");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->status, 401);
  r = post(R"({"by": "Li"})", token);  // a good body: the incident's state decides
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->status, 409) << r->body;
  r = ctl::http_request(admin["url"], "GET", "/v1/incidents?state=sideways", "", token);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->status, 400) << r->body;
}

TEST_F(EngineEndToEnd, LookoutctlSaysClearlyWhenNoEngineRuns) {
  auto r = ctl({"plan", "list"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("no engine is running"), std::string::npos) << r.err;
  auto s = run({LOOKOUTCTL_BIN, "--engine", "http://127.0.0.1:1", "--token", "x", "status"});
  EXPECT_EQ(s.exit_code, 3);
  EXPECT_NE(s.err.find("no engine answers at http://127.0.0.1:1"), std::string::npos) << s.err;
}

TEST_F(EngineEndToEnd, AdminApiRequiresTheToken) {
  ASSERT_NO_FATAL_FAILURE(start_engine());
  auto r = run({LOOKOUTCTL_BIN, "--data-dir", data_dir_, "--token", "wrong", "status"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("token"), std::string::npos) << r.err;
  EXPECT_EQ(ctl({"status"}).exit_code, 0);
  // Near misses are refused too: the token cut short, the token with more after it, and
  // the token with its last character changed.
  auto admin = json::parse(read_text(data_dir_ + "/admin.json"));
  const auto token = admin.at("token").get<std::string>();
  ASSERT_GE(token.size(), 2u);
  std::string changed = token;
  changed.back() = changed.back() == 'a' ? 'b' : 'a';
  for (const auto& guess : {token.substr(0, token.size() - 1), token + "x", changed}) {
    auto g = run({LOOKOUTCTL_BIN, "--engine", admin.at("url").get<std::string>(), "--token", guess, "status"});
    EXPECT_EQ(g.exit_code, 1) << guess;
    EXPECT_NE(g.err.find("token"), std::string::npos) << g.err;
  }
}

TEST(PlanValidate, WorksWithoutAnEngineAndReportsFileLineColumn) {
  auto library = std::string(LOOKOUT_SOURCE_DIR) + "/plans/library/residential-fire.yaml";
  auto ok = run({LOOKOUTCTL_BIN, "plan", "validate", library});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("ok (plan residential-fire"), std::string::npos) << ok.out;
  auto dir = make_temp_dir("validate");
  auto bad = dir + "/bad.yaml";
  write_text(bad, "id: Fire!\ntitle: x\nplaces: [\"xc\"]\nlevels:\n  V:\n    when: smoke >=\n");
  auto r = run({LOOKOUTCTL_BIN, "plan", "validate", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(bad + ":1:5:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(bad + ":5:3:"), std::string::npos) << r.err;
  auto j = run({LOOKOUTCTL_BIN, "--json", "plan", "validate", bad});
  EXPECT_EQ(j.exit_code, 1);
  EXPECT_FALSE(json::parse(j.out)["files"][0]["ok"].get<bool>());
}

}  // namespace
}  // namespace lookout::testing
