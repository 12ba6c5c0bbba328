// The broker going away, end to end: the real lookout over a real Mosquitto that is
// killed and started again on the same port, and a connection taken over (dropped).
// The engine reconnects with back-off, resubscribes, says "online" again, publishes what
// it queued meanwhile, and takes what the broker held for its session.
#include <gtest/gtest.h>
#include <mqtt/async_client.h>
#include <nlohmann/json.hpp>

#include <thread>

#include "engine_fixture.h"

namespace lookout::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr auto kWait = 15s;

constexpr const char* kSensors = R"(sensors:
  - {id: smk-1, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke]}
  - {id: smk-2, place: xc/hl/qy/g03/b13, kind: smoke_detector, quantities: [smoke]}
  - {id: smk-3, place: xc/hl/qy/g03/b14, kind: smoke_detector, quantities: [smoke]}
)";

constexpr const char* kPlan = R"(id: smoke
title: Smoke
places: ["xc/hl/qy/**"]
hazards: [fire]
levels:
  II:
    when: smoke >= 0.3 /
    alert:
      category: Fire
      event: Smoke
      headline: "Smoke in {place}"
      audience: [residents]
)";

class BrokerEndToEnd : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    start_engine();
    ASSERT_EQ(ctl({"sensors", "import", file("sensors.yaml", kSensors)}).exit_code, 0);
    ASSERT_EQ(ctl({"plan", "apply", file("smoke.yaml", kPlan)}).exit_code, 0);
  }
  std::string broker_state() {
    auto r = ctl({"status", "--json"});
    if (r.exit_code != 0) return "no engine";
    return json::parse(r.out).value("broker", "?");
  }
  bool wait_broker_state(const std::string& want) {
    auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      if (broker_state() == want) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
};

TEST_F(BrokerEndToEnd, KilledAndRestartedTheEngineReconnectsAndSendsWhatItQueued) {
  std::string incident;
  {
    MqttProbe probe(broker_->uri(), {"lookout/v1/alerts/#"});
    probe.publish(sensor_topic("smk-1"), R"({"n":"smoke","u":"/","v":0.6})");
    auto alert = probe.wait_for("lookout/v1/alerts/", kWait);
    ASSERT_TRUE(alert) << engine_.log();
    incident = json::parse(alert->payload)["incidents"];
  }
  broker_->kill_hard();
  ASSERT_TRUE(wait_broker_state("disconnected")) << engine_.log();
  // While the broker is away the engine goes on: a coordinator resolves the incident,
  // and its Cancel waits in the outbox.
  auto resolved = ctl({"incidents", "resolve", incident, "--by", "Coordinator Li"});
  ASSERT_EQ(resolved.exit_code, 0) << resolved.err;
  std::this_thread::sleep_for(1500ms);
  ASSERT_TRUE(broker_->restart().is_ok());
  MqttProbe probe(broker_->uri(), {"lookout/v1/alerts/#", "lookout/v1/engine/status", "lookout/v1/incidents/#"});
  auto cancel = probe.wait_for("lookout/v1/alerts/", kWait);
  ASSERT_TRUE(cancel) << engine_.log();
  EXPECT_EQ(json::parse(cancel->payload)["msgType"], "Cancel");
  EXPECT_EQ(json::parse(cancel->payload)["incidents"], incident);
  // "online" again (retained, on the new broker), the incident's state republished...
  auto status = probe.wait_for("lookout/v1/engine/status", kWait);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->payload, "online");
  ASSERT_TRUE(wait_broker_state("connected"));
  // ...and subscribed again: a new reading is taken.
  probe.publish(sensor_topic("smk-2"), R"({"n":"smoke","u":"/","v":0.6})");
  auto alert = probe.wait_for("lookout/v1/alerts/xc/hl/qy/g03/b13", kWait);
  ASSERT_TRUE(alert) << engine_.log();
  EXPECT_EQ(json::parse(alert->payload)["msgType"], "Alert");
  auto counters = json::parse(ctl({"status", "--json"}).out)["counters"];
  EXPECT_EQ(counters["outbox_pending"], 0);
}

TEST_F(BrokerEndToEnd, ADroppedConnectionLosesNothingTheBrokerHeldForTheEngine) {
  MqttProbe probe(broker_->uri(), {"lookout/v1/alerts/#", "lookout/v1/engine/status"});
  // Another client takes the engine's session over: the broker drops the engine's
  // connection. The intruder leaves at once; the session, with the engine's
  // subscriptions, stays.
  {
    mqtt::async_client intruder(broker_->uri(), "lookout-engine", mqtt::create_options(MQTTVERSION_3_1_1), nullptr);
    auto opts = mqtt::connect_options_builder().clean_session(false).finalize();
    intruder.connect(opts)->wait();
    intruder.disconnect()->wait();
  }
  // Published while the engine is away (it retries after a second): held in its session.
  probe.publish(sensor_topic("smk-3"), R"({"n":"smoke","u":"/","v":0.7})");
  // The engine comes back on its own, says "online" again and takes what was held for it.
  auto alert = probe.wait_for("lookout/v1/alerts/xc/hl/qy/g03/b14", kWait);
  ASSERT_TRUE(alert) << engine_.log();
  auto online = probe.wait_for("lookout/v1/engine/status", kWait, 1);  // after the retained one
  ASSERT_TRUE(online);
  EXPECT_EQ(online->payload, "online");
  EXPECT_NE(engine_.log().find("connection lost"), std::string::npos);
  EXPECT_TRUE(wait_broker_state("connected"));
}

}  // namespace
}  // namespace lookout::testing
