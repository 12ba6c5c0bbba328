// A flood of malformed input, end to end: the real lookout over a real Mosquitto gets
// tens of thousands of bad messages of every kind (broken JSON, unknown sensors, bad
// ids in topics, oversized payloads, non-finite and far-away readings, incomplete
// reports, answers to nothing), most on one detector's topic, with one real smoke reading
// from another detector in the middle. Every bad message is dead-lettered and counted (or,
// on a machine too slow to keep up, shed from the flooding topics by the inbound gate and
// counted), the log stays short (rate-limited), the real alert goes out, and the engine
// stays healthy. (How fast, and that memory stays flat
// under a million: tools/bench/flood.sh, docs/benchmarks.md.)
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

#include "engine_fixture.h"

namespace lookout::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kSensors = R"(sensors:
  - {id: smk-1, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke]}
  - {id: smk-2, place: xc/hl/qy/g03/b14, kind: smoke_detector, quantities: [smoke]}
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

// The i-th bad message: (topic suffix, payload).
std::pair<std::string, std::string> bad_message(int i) {
  switch (i % 10) {
    case 0: return {"sensors/smk-1", "{\"n\":\"smoke\",\"v\":"};                        // broken JSON
    case 1: return {"sensors/ghost-" + std::to_string(i), R"({"n":"smoke","v":0.9})"};  // unknown sensor
    case 2: return {"sensors/bad id!", R"({"n":"smoke","v":0.9})"};                     // bad id in the topic
    case 3: return {"sensors/smk-1", R"({"n":"smoke","v":1e999})"};                     // not finite
    case 4: return {"sensors/smk-1", R"({"n":"smoke","v":0.9,"t":4102444800})"};        // 2100: too far ahead
    case 5: return {"sensors/smk-1", std::string(70 * 1024, '[')};                      // over the size limit
    case 6: return {"reports", R"({"id":"r-)" + std::to_string(i) + R"(","category":"fire"})"};  // incomplete
    case 7: return {"staff/nobody/responses", R"({"assignment":"a-999999","response":"accept"})"};
    case 8: return {"sensors/smk-1", R"([{"n":"smoke","vs":)" + std::string(2000, '"') + "}]"};
    default: return {"sensors/smk-1", "\xff\xfe not utf-8"};
  }
}

class FloodEndToEnd : public EngineFixture {};

TEST_F(FloodEndToEnd, MalformedMessagesAreDeadLetteredAndARealAlertStillGoesOut) {
  ASSERT_NO_FATAL_FAILURE(start_engine());
  ASSERT_EQ(ctl({"sensors", "import", file("sensors.yaml", kSensors)}).exit_code, 0);
  ASSERT_EQ(ctl({"plan", "apply", file("smoke.yaml", kPlan)}).exit_code, 0);
  MqttProbe probe(broker_->uri(), {"lookout/v1/alerts/#"});
  constexpr int kBad = 20000;
  for (int i = 0; i < kBad; ++i) {
    auto [topic, payload] = bad_message(i);
    probe.publish("lookout/v1/" + topic, payload);
    if (i == kBad / 2) probe.publish(sensor_topic("smk-2"), R"({"n":"smoke","u":"/","v":0.6})");
  }
  auto alert = probe.wait_for("lookout/v1/alerts/", 30s);
  ASSERT_TRUE(alert) << "the real reading in the flood raised no alert";
  EXPECT_EQ(json::parse(alert->payload)["msgType"], "Alert");

  // Every bad message counted: a dead letter, or shed (inbound_gate.h: only past 10,000
  // waiting, and only from topics that already have their share waiting).
  json status;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    status = json::parse(ctl({"status", "--json"}).out);
    const auto& c = status["counters"];
    if (c["dead_letters"].get<int>() + c["inbound_shed"].get<int>() >= kBad) break;
    std::this_thread::sleep_for(200ms);
  }
  const auto& counters = status["counters"];
  EXPECT_EQ(counters["dead_letters"].get<int>() + counters["inbound_shed"].get<int>(), kBad);
  EXPECT_GE(counters["dead_letters"].get<int>(), 10000) << "the first 10,000 always queue";
  EXPECT_EQ(status["counters"]["readings"], 1);
  EXPECT_EQ(status["status"], "ok");
  // The log says so in a few lines, not twenty thousand.
  const auto log = engine_.log();
  std::size_t lines = 0;
  for (std::size_t p = log.find("dead letter"); p != std::string::npos; p = log.find("dead letter", p + 1)) ++lines;
  EXPECT_GT(lines, 0u);
  EXPECT_LT(lines, 200u) << "dead letters are not rate-limited in the log";
  EXPECT_NE(log.find("more not logged"), std::string::npos);
}

}  // namespace
}  // namespace lookout::testing
