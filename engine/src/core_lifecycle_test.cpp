// The incident lifecycle in the core: acknowledge, resolve by hand and by the plan's
// resolve rule (CAP Cancel with references), reopen within reopen_within, close, level
// changes down, and the timeline ("why was this sent?"). Virtual time.
#include "lookout/engine/core.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lookout/base/time_format.h"
#include "test_support.h"

namespace lookout::engine {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kSensors = R"(sensors:
  - {id: smk-1, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke]}
)";

// RESOLVE and REOPEN are replaced by the test.
constexpr const char* kPlan = R"(id: fire
title: Fire
places: ["xc/hl/qy/**"]
levels:
  II:
    when: smoke >= 0.3
    alert: {category: Fire, event: Fire, headline: "Fire"}
  III:
    when: smoke >= 0.1
    alert: {category: Fire, event: Smoke, headline: "Smoke"}
RESOLVE
REOPEN
)";

std::string plan(std::string_view resolve, std::string_view reopen) {
  std::string s = kPlan;
  s.replace(s.find("RESOLVE"), 7, resolve);
  s.replace(s.find("REOPEN"), 6, reopen);
  return s;
}

class CoreLifecycleTest : public ::testing::Test {
 protected:
  CoreLifecycleTest() : clock_(parse_iso8601("2026-11-21T13:00:00Z").value()) { start(); }
  void start() {
    core_ = std::make_unique<Core>(CoreOptions{}, clock_, store_, transport_, poster_.poster());
    ASSERT_TRUE(core_->open().is_ok());
  }
  void setup(const std::string& plan_text) {
    Diagnostics d;
    ASSERT_TRUE(core_->import_sensors(kSensors, "sensors.yaml", d).is_ok()) << to_string(d);
    auto r = core_->apply_plan(plan_text, "fire.yaml", d);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string() << to_string(d);
  }
  void smoke(double v) {
    core_->on_message({"lookout/v1/sensors/smk-1", R"({"n":"smoke","v":)" + std::to_string(v) + "}", 1, false, false});
  }
  std::vector<json> alerts() {
    std::vector<json> out;
    for (const auto& m : transport_.on_topic_prefix("lookout/v1/alerts/")) out.push_back(json::parse(m.payload));
    return out;
  }
  std::vector<std::string> kinds(const std::string& id) {
    std::vector<std::string> out;
    auto t = core_->timeline(id);
    EXPECT_TRUE(t.is_ok());
    if (t.is_ok()) {
      for (const auto& e : *t) out.push_back(json::parse(e)["kind"]);
    }
    return out;
  }
  const Incident& only() {
    auto all = core_->incidents();
    EXPECT_EQ(all.size(), 1u);
    return *all.at(0);
  }

  testing::QueuedPoster poster_;
  ManualClock clock_;
  MemoryStore store_;
  testing::RecordingTransport transport_;
  std::unique_ptr<Core> core_;
};

TEST_F(CoreLifecycleTest, AcknowledgeOnceThenResolveByHandSendsCancelWithReferences) {
  setup(plan("", ""));
  smoke(0.15);
  smoke(0.5);  // II: an Update
  const std::string id = only().id;
  EXPECT_EQ(core_->acknowledge("inc-404", "Li", "").code(), Status::Code::kNotFound);
  ASSERT_TRUE(core_->acknowledge(id, "Coordinator Li", "on my way").is_ok());
  EXPECT_EQ(only().state, "acknowledged");
  EXPECT_EQ(only().acknowledged_by, "Coordinator Li");
  EXPECT_EQ(core_->acknowledge(id, "Li", "").code(), Status::Code::kFailedPrecondition);

  clock_.advance(5min);
  ASSERT_TRUE(core_->resolve(id, "Coordinator Li", "false alarm: cooking").is_ok());
  EXPECT_EQ(only().state, "closed");  // no reopen_within: closed at once
  auto sent = alerts();
  ASSERT_EQ(sent.size(), 3u);
  const json& cancel = sent[2];
  EXPECT_EQ(cancel["msgType"], "Cancel");
  // CAP references: "sender,identifier,sent" of each earlier message, space-separated.
  EXPECT_EQ(cancel["references"], "lookout@localhost," + sent[0]["identifier"].get<std::string>() + "," +
                                      sent[0]["sent"].get<std::string>() + " lookout@localhost," +
                                      sent[1]["identifier"].get<std::string>() + "," + sent[1]["sent"].get<std::string>());
  EXPECT_EQ(cancel["info"][0]["responseType"][0], "AllClear");
  EXPECT_EQ(cancel["info"][0]["urgency"], "Past");
  EXPECT_EQ(cancel["note"], "resolved by Coordinator Li: false alarm: cooking");
  EXPECT_EQ(kinds(id), (std::vector<std::string>{"opened", "level_raised", "acknowledged", "resolved", "closed"}));
  EXPECT_EQ(core_->resolve(id, "Li", "").code(), Status::Code::kFailedPrecondition);
  // The retained state says so too.
  auto state = transport_.on_topic_prefix("lookout/v1/incidents/" + id);
  ASSERT_FALSE(state.empty());
  EXPECT_EQ(json::parse(state.back().payload)["state"], "closed");
  // Smoke again later: a new incident.
  smoke(0.2);
  EXPECT_EQ(core_->incidents().size(), 2u);
}

TEST_F(CoreLifecycleTest, ThePlansResolveRuleResolvesAfterItsTime) {
  setup(plan("resolve:\n  when: smoke < 0.05\n  for: 10m", ""));
  smoke(0.2);
  const std::string id = only().id;
  clock_.advance(1min);
  smoke(0.01);
  clock_.advance(10min - 1s);
  EXPECT_EQ(only().state, "open");
  clock_.advance(1s);  // calm for 10 minutes: resolved by the timer, with no new reading
  EXPECT_EQ(only().state, "closed");
  EXPECT_EQ(only().resolved_by, "plan");
  EXPECT_EQ(alerts().back()["msgType"], "Cancel");
  EXPECT_EQ(alerts().back()["note"], "\"smoke < 0.05\" held for 10m");
}

// A resolve rule may read a quantity no level reads: its readings reach the plan.
TEST_F(CoreLifecycleTest, AResolveRuleOnAnotherQuantityIsFedItsReadings) {
  setup(plan("resolve:\n  when: temperature < 30 Cel\n  for: 10m", ""));
  Diagnostics d;
  ASSERT_TRUE(core_->import_sensors(std::string(kSensors) +
                                        "  - {id: tmp-1, place: xc/hl/qy/g03/b12, kind: thermometer, quantities: [temperature]}\n",
                                    "sensors.yaml", d)
                  .is_ok())
      << to_string(d);
  smoke(0.2);
  core_->on_message({"lookout/v1/sensors/tmp-1", R"({"n":"temperature","u":"Cel","v":20})", 1, false, false});
  clock_.advance(10min - 1s);
  EXPECT_EQ(only().state, "open");
  clock_.advance(1s);
  EXPECT_EQ(only().state, "closed");
  EXPECT_EQ(alerts().back()["note"], "\"temperature < 30 Cel\" held for 10m");
}

// The unit_mismatches counter counts the levels' comparisons, once each: the default
// resolve rule ("no level holds") repeats them and is not counted again.
TEST_F(CoreLifecycleTest, AUnitMismatchIsCountedOnceThoughTheResolveRuleRepeatsTheLevel) {
  Diagnostics d;
  ASSERT_TRUE(core_->import_sensors(
                      "sensors:\n  - {id: tmp-1, place: xc/hl/qy/g03/b12, kind: thermometer, quantities: [temperature]}\n",
                      "sensors.yaml", d)
                  .is_ok())
      << to_string(d);
  auto r = core_->apply_plan(R"(id: heat
title: Heat
places: ["xc/hl/qy/**"]
levels:
  III:
    when: temperature > 60 Cel
    alert: {category: Fire, event: Heat, headline: "Heat"}
resolve:
  for: 2m
)",
                             "heat.yaml", d);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string() << to_string(d);
  core_->on_message({"lookout/v1/sensors/tmp-1", R"({"n":"temperature","u":"%RH","v":70})", 1, false, false});
  EXPECT_EQ(core_->stats().unit_mismatches, 1u);
  EXPECT_TRUE(core_->incidents().empty());
}

TEST_F(CoreLifecycleTest, WithoutWhenCalmIsNoLevelHolding) {
  setup(plan("resolve:\n  for: 2m", ""));
  smoke(0.2);
  smoke(0.05);
  clock_.advance(2min);
  EXPECT_EQ(only().state, "closed");
}

TEST_F(CoreLifecycleTest, RaisedAgainWithinReopenWithinReopensTheSameIncident) {
  setup(plan("", "reopen_within: 30m"));
  smoke(0.2);
  const std::string id = only().id;
  ASSERT_TRUE(core_->resolve(id, "Li", "").is_ok());
  EXPECT_EQ(only().state, "resolved");
  clock_.advance(20min);
  smoke(0.5);
  EXPECT_EQ(only().state, "open");
  EXPECT_EQ(only().reopened, 1u);
  EXPECT_EQ(only().level, plans::Level::kII);
  EXPECT_EQ(alerts().back()["msgType"], "Update");
  // It refers to the Alert and the Cancel before it.
  const std::string refs = alerts().back()["references"];
  EXPECT_EQ(std::count(refs.begin(), refs.end(), ' '), 1);

  // Resolved again and quiet for 30 minutes: closed; the next smoke is a new incident.
  ASSERT_TRUE(core_->resolve(id, "Li", "").is_ok());
  clock_.advance(30min);
  EXPECT_EQ(only().state, "closed");
  EXPECT_EQ(kinds(id), (std::vector<std::string>{"opened", "resolved", "reopened", "resolved", "closed"}));
  smoke(0.2);
  EXPECT_EQ(core_->incidents().size(), 2u);
}

TEST_F(CoreLifecycleTest, AReopenableIncidentSurvivesARestartAndClosesOnTime) {
  setup(plan("", "reopen_within: 30m"));
  smoke(0.2);
  const std::string id = only().id;
  ASSERT_TRUE(core_->resolve(id, "Li", "").is_ok());
  clock_.advance(10min);
  core_.reset();
  start();
  EXPECT_EQ(only().state, "resolved");
  clock_.advance(20min);
  EXPECT_EQ(only().state, "closed");
}

TEST_F(CoreLifecycleTest, TheLevelGoesDownOnlyWhenItsOwnConditionNoLongerHolds) {
  setup(plan("", ""));
  smoke(0.5);
  EXPECT_EQ(only().level, plans::Level::kII);
  smoke(0.4);  // II still holds: nothing
  EXPECT_EQ(alerts().size(), 1u);
  smoke(0.2);  // only III holds now, but II has stood for less than level_down_hold
  EXPECT_EQ(only().level, plans::Level::kII);
  smoke(0.5);
  clock_.advance(5min - 1s);
  smoke(0.2);
  EXPECT_EQ(only().level, plans::Level::kII);
  clock_.advance(1s);
  smoke(0.2);  // 5 minutes at II: down to III
  EXPECT_EQ(only().level, plans::Level::kIII);
  ASSERT_EQ(alerts().size(), 2u);
  EXPECT_EQ(alerts().back()["msgType"], "Update");
  EXPECT_EQ(kinds(only().id), (std::vector<std::string>{"opened", "level_lowered"}));
  smoke(0.02);  // nothing holds: the level stays until the incident is resolved
  EXPECT_EQ(only().level, plans::Level::kIII);
  EXPECT_EQ(alerts().size(), 2u);
}

}  // namespace
}  // namespace lookout::engine

namespace lookout::engine {
namespace {

constexpr const char* kTwoBuildings = R"(sensors:
  - {id: smk-1, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke]}
  - {id: gas-1, place: xc/hl/qy/g03/b12, kind: gas_detector, quantities: [gas_lel]}
  - {id: gas-2, place: xc/hl/qy/g03/b14, kind: gas_detector, quantities: [gas_lel]}
)";

// The fire plan of the lifecycle tests, holding back the building's gas alerts from II.
const std::string kFireInhibitsGas = plan("inhibits:\n  - plan: gas\n    scope: building\n    from_level: II", "");

constexpr const char* kGas = R"(id: gas
title: Gas
places: ["xc/hl/qy/**"]
levels:
  III:
    when: gas_lel >= 10 %LEL
    alert: {category: Safety, event: Gas, headline: "Gas: open the windows"}
)";

class CoreInhibitTest : public CoreLifecycleTest {
 protected:
  void SetUp() override {
    Diagnostics d;
    ASSERT_TRUE(core_->import_sensors(kTwoBuildings, "sensors.yaml", d).is_ok()) << to_string(d);
    ASSERT_TRUE(core_->apply_plan(kFireInhibitsGas, "fire.yaml", d).is_ok()) << to_string(d);
    ASSERT_TRUE(core_->apply_plan(kGas, "gas.yaml", d).is_ok()) << to_string(d);
  }
  void gas(const std::string& sensor, double v) {
    core_->on_message({"lookout/v1/sensors/" + sensor, R"({"n":"gas_lel","u":"%LEL","v":)" + std::to_string(v) + "}",
                       1, false, false});
  }
  const Incident* of_plan(const std::string& plan, const std::string& place) {
    for (const auto* in : core_->incidents()) {
      if (in->plan_id == plan && in->place.str() == place) return in;
    }
    return nullptr;
  }
};

TEST_F(CoreInhibitTest, AConfirmedFireHoldsBackTheBuildingsGasAlertButRecordsIt) {
  smoke(0.15);  // III: below from_level II, holds nothing back
  gas("gas-1", 20);
  ASSERT_EQ(alerts().size(), 2u);
  ASSERT_TRUE(core_->resolve(of_plan("gas", "xc/hl/qy/g03/b12")->id, "Li", "").is_ok());

  smoke(0.5);  // II: now the building's gas alerts are held back
  const std::size_t before = alerts().size();
  gas("gas-1", 5);
  gas("gas-1", 25);  // raised again: a new gas incident, recorded, not sent
  EXPECT_EQ(alerts().size(), before);
  EXPECT_EQ(core_->stats().alerts_held_back, 1u);
  const Incident* held = nullptr;
  for (const auto* in : core_->incidents()) {
    if (in->plan_id == "gas" && in->state == "open") held = in;
  }
  ASSERT_NE(held, nullptr);
  EXPECT_TRUE(held->alerts.empty());
  auto timeline = core_->timeline(held->id);
  ASSERT_TRUE(timeline.is_ok());
  ASSERT_EQ(timeline->size(), 1u);
  EXPECT_NE(json::parse(timeline->front())["cause"].get<std::string>().find("alert held back: incident"),
            std::string::npos);

  gas("gas-2", 25);  // another building: sent
  EXPECT_EQ(alerts().size(), before + 1);
  EXPECT_EQ(alerts().back()["info"][0]["headline"], "Gas: open the windows");

  // Resolving the held-back incident sends no Cancel: nothing was sent to cancel.
  ASSERT_TRUE(core_->resolve(held->id, "Li", "").is_ok());
  EXPECT_EQ(alerts().size(), before + 1);
}

}  // namespace
}  // namespace lookout::engine
