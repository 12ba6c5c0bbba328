#include "lookout/engine/core.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>

#include "lookout/base/time_format.h"
#include "test_support.h"

namespace lookout::engine {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::QueuedPoster;
using testing::RecordingTransport;

constexpr const char* kPlan = R"(id: fire
title: Residential fire
owner: Qingyuan community office
places: ["xc/hl/qy/**"]
levels:
  II:
    when: smoke >= 0.3 and temperature >= 60 Cel
    alert:
      category: Fire
      event: Residential fire
      response_type: Evacuate
      headline: "Fire in {place_name}"
      description: "{quantity} {value} {unit} at {time} from {sensor}"
      instruction: Leave by the stairs.
  III:
    when: smoke >= 0.1
    alert:
      category: Fire
      event: Smoke detected
      headline: "Smoke in {place_name}"
)";

constexpr const char* kSensors = R"(sensors:
  - id: smk-1
    place: xc/hl/qy/g03/b12
    kind: smoke_detector
    quantities: [smoke]
  - id: tmp-1
    place: xc/hl/qy/g03/b12
    kind: thermometer
    quantities: [temperature]
  - id: smk-far
    place: xc/hl/other/g01/b01
    kind: smoke_detector
    quantities: [smoke]
)";

constexpr const char* kPlaces = R"(places:
  - path: xc/hl/qy/g03/b12
    name: Building 12
    point: [39.9, 116.4]
    radius_m: 50
)";

// A store that fails every write while `failing` is set, and tells `on_write` of
// every batch it stores.
class FlakyStore final : public Store {
 public:
  explicit FlakyStore(Store& inner) : inner_(inner) {}
  StatusOr<std::optional<std::string>> get(Table t, std::string_view k) override { return inner_.get(t, k); }
  Status write(const Batch& b) override {
    if (failing) return Status::io_error("injected");
    auto s = inner_.write(b);
    if (s.is_ok() && on_write) on_write(b);
    return s;
  }
  Status scan(Table t, std::string_view p, const std::function<bool(std::string_view, std::string_view)>& fn) override {
    return inner_.scan(t, p, fn);
  }
  bool failing = false;
  std::function<void(const Batch&)> on_write;

 private:
  Store& inner_;
};

class CoreTest : public ::testing::Test {
 protected:
  CoreTest() : clock_(parse_iso8601("2026-11-21T13:00:00Z").value()), flaky_(store_) {}

  std::unique_ptr<Core> make_core() {
    CoreOptions o;
    o.sender = "lookout@qy.example";
    o.zone = find_time_zone("Asia/Shanghai").value();
    auto core = std::make_unique<Core>(o, clock_, flaky_, transport_, poster_.poster());
    EXPECT_TRUE(core->open().is_ok());
    return core;
  }
  void setup(Core& core) {
    Diagnostics d;
    ASSERT_TRUE(core.import_sensors(kSensors, "sensors.yaml", d).is_ok()) << to_string(d);
    ASSERT_TRUE(core.import_places(kPlaces, "places.yaml", d).is_ok()) << to_string(d);
    auto r = core.apply_plan(kPlan, "fire.yaml", d);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string() << to_string(d);
    EXPECT_EQ(r->version, 1u);
  }
  void reading(Core& core, const std::string& sensor, const std::string& payload) {
    core.on_message({"lookout/v1/sensors/" + sensor, payload, 1, false, false});
  }
  std::vector<json> alerts() {
    std::vector<json> out;
    for (const auto& m : transport_.on_topic_prefix("lookout/v1/alerts/")) out.push_back(json::parse(m.payload));
    return out;
  }
  std::vector<json> dead_letters() {
    std::vector<json> out;
    for (const auto& m : transport_.on_topic_prefix("lookout/v1/deadletter")) {
      EXPECT_EQ(m.qos, 0) << "dead letters are published at QoS 0 (docs/durability.md)";
      EXPECT_FALSE(m.retained);
      out.push_back(json::parse(m.payload));
    }
    return out;
  }

  ManualClock clock_;
  MemoryStore store_;
  FlakyStore flaky_;
  RecordingTransport transport_;
  QueuedPoster poster_;
};

TEST_F(CoreTest, ThresholdOpensOneIncidentAndOneCapAlert) {
  auto core = make_core();
  setup(*core);
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.05}])");
  EXPECT_TRUE(alerts().empty());
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.12}])");
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.15}])");
  reading(*core, "smk-1", R"({"n":"smoke","v":0.2})");
  auto sent = alerts();
  ASSERT_EQ(sent.size(), 1u);
  const auto& a = sent[0];
  EXPECT_EQ(a["identifier"], "lookout@qy.example.inc-000001.1");
  EXPECT_EQ(a["sender"], "lookout@qy.example");
  EXPECT_EQ(a["sent"], "2026-11-21T21:00:00+08:00");
  EXPECT_EQ(a["status"], "Actual");
  EXPECT_EQ(a["msgType"], "Alert");
  EXPECT_EQ(a["scope"], "Public");
  EXPECT_EQ(a["incidents"], "inc-000001");
  const auto& info = a["info"][0];
  EXPECT_EQ(info["category"][0], "Fire");
  EXPECT_EQ(info["event"], "Smoke detected");
  EXPECT_EQ(info["severity"], "Moderate");  // level III
  EXPECT_EQ(info["headline"], "Smoke in Building 12");
  bool has_level = false;
  for (const auto& p : info["parameter"]) {
    if (p["valueName"] == "warningLevel") has_level = p["value"] == "III";
  }
  EXPECT_TRUE(has_level);
  EXPECT_EQ(info["area"][0]["areaDesc"], "Building 12");
  EXPECT_EQ(info["area"][0]["geocode"][0]["value"], "xc/hl/qy/g03/b12");
  EXPECT_EQ(info["area"][0]["circle"][0], "39.9,116.4 0.05");
  ASSERT_EQ(transport_.on_topic_prefix("lookout/v1/alerts/xc/hl/qy/g03/b12").size(), 1u);
  EXPECT_EQ(core->stats().incidents_opened, 1u);
  // The incident state is published retained.
  auto states = transport_.on_topic_prefix("lookout/v1/incidents/inc-000001");
  ASSERT_EQ(states.size(), 1u);
  EXPECT_TRUE(states[0].retained);
}

TEST_F(CoreTest, MoreSevereLevelSendsUpdateReferencingTheFirstAlert) {
  auto core = make_core();
  setup(*core);
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.35}])");  // III: no temperature yet
  clock_.advance(30s);
  reading(*core, "tmp-1", R"([{"n":"temperature","u":"Cel","v":65}])");  // II: smoke still fresh
  auto sent = alerts();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1]["msgType"], "Update");
  EXPECT_EQ(sent[1]["identifier"], "lookout@qy.example.inc-000001.2");
  EXPECT_EQ(sent[1]["references"], "lookout@qy.example,lookout@qy.example.inc-000001.1,2026-11-21T21:00:00+08:00");
  EXPECT_EQ(sent[1]["info"][0]["severity"], "Severe");
  EXPECT_EQ(sent[1]["info"][0]["description"], "temperature 65 Cel at 2026-11-21T21:00:30+08:00 from tmp-1");
  // Back down to III (level II's condition no longer holds), once II has stood for
  // level_down_hold (5 minutes): an Update at III.
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.15}])");
  EXPECT_EQ(alerts().size(), 2u);
  clock_.advance(5min);
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.15}])");
  ASSERT_EQ(alerts().size(), 3u);
  EXPECT_EQ(alerts()[2]["msgType"], "Update");
  EXPECT_EQ(alerts()[2]["info"][0]["severity"], "Moderate");
}

TEST_F(CoreTest, StaleValuesOfOtherQuantitiesDoNotCount) {
  auto core = make_core();
  setup(*core);
  reading(*core, "tmp-1", R"([{"n":"temperature","u":"Cel","v":80}])");
  clock_.advance(11min);  // older than value_max_age (10 min)
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.35}])");
  auto sent = alerts();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["info"][0]["severity"], "Moderate");  // III, not II
}

TEST_F(CoreTest, DurationConditionFiresOnTheClockWithoutANewReading) {
  auto core = make_core();
  Diagnostics d;
  ASSERT_TRUE(core->import_sensors(kSensors, "sensors.yaml", d).is_ok());
  ASSERT_TRUE(core->apply_plan(R"(id: slow
title: Lingering smoke
places: ["xc/**"]
levels:
  III:
    when: smoke >= 0.1 for 30s
    alert:
      event: Lingering smoke
      headline: "Smoke for 30 s in {place}"
)", "slow.yaml", d).is_ok()) << to_string(d);
  // Smoke that clears before 30 s raises nothing.
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.2}])");
  clock_.advance(20s);
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.01}])");
  clock_.advance(60s);
  EXPECT_TRUE(alerts().empty());
  // Smoke that stays: the alert comes at +30 s from the clock alone.
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.2}])");
  clock_.advance(29s);
  EXPECT_TRUE(alerts().empty());
  clock_.advance(1s);
  auto sent = alerts();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["sent"], "2026-11-21T21:01:50+08:00");  // 13:00:00 + 80 s + 30 s, in +08:00
}

// A building with more sensors than a watch keeps readings of (32): the oldest reading
// makes room for a new sensor's, and of readings with equal times the alert names the
// one taken in first, wherever the list put it.
TEST_F(CoreTest, AFullWatchNamesTheFirstOfEqualReadings) {
  auto core = make_core();
  Diagnostics d;
  std::string sensors = "sensors:\n";
  auto id = [](int i) { return "s" + std::to_string(100 + i); };
  for (int i = 0; i < 32; ++i) {
    sensors += "  - {id: " + id(i) + ", place: xc/hl/qy/g01/b01, kind: smoke_detector, quantities: [smoke]}\n";
  }
  for (const char* extra : {"sa", "sb"}) {
    sensors += std::string("  - {id: ") + extra + ", place: xc/hl/qy/g01/b01, kind: smoke_detector, quantities: [smoke]}\n";
  }
  ASSERT_TRUE(core->import_sensors(sensors, "sensors.yaml", d).is_ok()) << to_string(d);
  ASSERT_TRUE(core->apply_plan(R"(id: smoke
title: Lingering smoke
places: ["xc/hl/qy/**"]
levels:
  III:
    when: smoke >= 0.5 for 10s
    alert:
      event: Smoke
      headline: "Smoke in {place}"
)", "smoke.yaml", d).is_ok()) << to_string(d);
  // 32 readings fill the watch; the last two are the oldest, the very last oldest of all.
  for (int i = 0; i < 30; ++i) reading(*core, id(i), R"([{"n":"smoke","v":0.05}])");
  reading(*core, id(30), R"([{"n":"smoke","v":0.05,"t":-10}])");
  reading(*core, id(31), R"([{"n":"smoke","v":0.05,"t":-20}])");
  clock_.advance(1s);
  // Two new sensors at once: "sa" takes the last entry's place, "sb" the one before it.
  reading(*core, "sa", R"([{"n":"smoke","v":0.6}])");
  reading(*core, "sb", R"([{"n":"smoke","v":0.7}])");
  clock_.advance(10s);
  ASSERT_EQ(alerts().size(), 1u);
  const Incident* in = core->incident("inc-000001");
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->sensor_id, "sa");
  EXPECT_EQ(in->value, 0.6);
}

// With no reading meeting the condition (it is under a "not"), the incident names the
// reading received last, even one older than what the watch already had of its sensor.
TEST_F(CoreTest, WithoutEvidenceTheIncidentNamesTheReadingReceivedLast) {
  auto core = make_core();
  Diagnostics d;
  ASSERT_TRUE(core->import_sensors(kSensors, "sensors.yaml", d).is_ok());
  const char* plan = R"(id: PLAN
title: Warm building
places: ["xc/**"]
levels:
  IV:
    when: (not temperature < 50 Cel) for 30s
    alert:
      event: Warm
      headline: "Warm in {place}"
)";
  auto apply = [&](const std::string& id) {
    std::string text = plan;
    text.replace(text.find("PLAN"), 4, id);
    ASSERT_TRUE(core->apply_plan(text, id + ".yaml", d).is_ok()) << to_string(d);
  };
  apply("warm");
  reading(*core, "tmp-1", R"([{"n":"temperature","u":"Cel","v":60}])");
  clock_.advance(10s);
  reading(*core, "tmp-1", R"([{"n":"temperature","u":"Cel","v":70,"t":-15}])");  // 5 s before the first
  clock_.advance(20s);
  ASSERT_EQ(alerts().size(), 1u);
  const Incident* in = core->incident("inc-000001");
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->sensor_id, "tmp-1");
  EXPECT_EQ(in->value, 70);

  // In order: the newest is the one received last.
  apply("warm2");
  reading(*core, "tmp-1", R"([{"n":"temperature","u":"Cel","v":61}])");
  clock_.advance(10s);
  reading(*core, "tmp-1", R"([{"n":"temperature","u":"Cel","v":62}])");
  clock_.advance(20s);
  const Incident* again = core->incident("inc-000002");
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->plan_id, "warm2");
  EXPECT_EQ(again->value, 62);
}

TEST_F(CoreTest, WindowConditionAveragesRecentReadings) {
  auto core = make_core();
  Diagnostics d;
  ASSERT_TRUE(core->import_sensors(kSensors, "sensors.yaml", d).is_ok());
  ASSERT_TRUE(core->apply_plan(R"(id: heat
title: Rising heat
places: ["xc/**"]
levels:
  IV:
    when: avg(temperature, 1m) >= 50 Cel
    alert:
      event: Heat
      headline: "Heat in {place}"
)", "heat.yaml", d).is_ok()) << to_string(d);
  reading(*core, "tmp-1", R"([{"n":"temperature","u":"Cel","v":40}])");
  clock_.advance(10s);
  EXPECT_TRUE(alerts().empty());
  reading(*core, "tmp-1", R"([{"n":"temperature","u":"Cel","v":60}])");  // avg 50
  EXPECT_EQ(alerts().size(), 1u);
}

TEST_F(CoreTest, TheSameRecordTwiceCountsOnce) {
  auto core = make_core();
  Diagnostics d;
  ASSERT_TRUE(core->import_sensors(kSensors, "sensors.yaml", d).is_ok());
  ASSERT_TRUE(core->apply_plan(R"(id: busy
title: Many readings
places: ["xc/**"]
levels:
  IV:
    when: count(temperature, 1m) >= 3
    alert:
      event: Busy
      headline: "Busy sensor in {place}"
)", "busy.yaml", d).is_ok()) << to_string(d);
  // A QoS 1 redelivery: the same records (sensor, quantity, time, value) again.
  const std::string pack = R"([{"bn":"x","bt":1795266000,"n":"temperature","u":"Cel","v":40}])";
  for (int i = 0; i < 3; ++i) reading(*core, "tmp-1", pack);
  EXPECT_TRUE(alerts().empty());
  EXPECT_EQ(core->stats().readings, 1u);
  EXPECT_EQ(core->stats().readings_duplicate, 2u);
  // Another time or another value is another record.
  reading(*core, "tmp-1", R"([{"bt":1795266001,"n":"temperature","u":"Cel","v":40}])");
  reading(*core, "tmp-1", R"([{"bt":1795266001,"n":"temperature","u":"Cel","v":41}])");
  EXPECT_EQ(core->stats().readings, 3u);
  EXPECT_EQ(alerts().size(), 1u);
}

TEST_F(CoreTest, NewPlanVersionStartsItsConditionsAfresh) {
  auto core = make_core();
  setup(*core);
  reading(*core, "tmp-1", R"([{"n":"temperature","u":"Cel","v":80}])");
  Diagnostics d;
  std::string changed = kPlan;
  changed.replace(changed.find("smoke >= 0.1"), 12, "smoke >= 0.2");
  ASSERT_TRUE(core->apply_plan(changed, "fire.yaml", d).is_ok());
  // The temperature seen by version 1 is not carried over: level III, not II.
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.35}])");
  auto sent = alerts();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["info"][0]["severity"], "Moderate");
}

TEST_F(CoreTest, CalendarConditionsUseThePlansTimeZone) {
  auto core = make_core();
  Diagnostics d;
  ASSERT_TRUE(core->import_sensors(kSensors, "sensors.yaml", d).is_ok());
  // 13:00 UTC is 21:00 in Shanghai: not yet night there (in UTC it would be daytime
  // either way), so only the plan's own zone makes this quiet now and loud at 22:00.
  ASSERT_TRUE(core->apply_plan(R"(id: night
title: Smoke at night
time_zone: Asia/Shanghai
places: ["xc/**"]
levels:
  III:
    when: smoke >= 0.1 and during 22:00-06:00
    alert:
      event: Smoke at night
      headline: "Smoke at night in {place}"
)", "night.yaml", d).is_ok()) << to_string(d);
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.2}])");  // 21:00 local: not night yet
  EXPECT_TRUE(alerts().empty());
  clock_.advance(1h);  // 22:00 local, but that smoke reading is older than 10 minutes
  EXPECT_TRUE(alerts().empty());
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.2}])");  // 22:00 local, fresh smoke
  auto sent = alerts();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["sent"], "2026-11-21T22:00:00+08:00");
}

TEST_F(CoreTest, PlanAppliesOnlyToItsPlaces) {
  auto core = make_core();
  setup(*core);
  reading(*core, "smk-far", R"([{"n":"smoke","v":0.9}])");
  EXPECT_TRUE(alerts().empty());
}

// A plan for place patterns `places` (YAML flow list) raising level III on smoke >= `at`.
std::string smoke_plan(const std::string& id, const std::string& places, const std::string& at = "0.5") {
  return "id: " + id + "\ntitle: Smoke " + id + "\nplaces: " + places + "\nlevels:\n  III:\n    when: smoke >= " + at +
         "\n    alert:\n      event: Smoke\n      headline: \"Smoke in {place}\"\n";
}

TEST_F(CoreTest, ReadingEvaluatesOnlyPlansWhosePlacesCanMatch) {
  auto core = make_core();
  setup(*core);  // "fire": xc/hl/qy/**
  Diagnostics d;
  // Many plans reading smoke elsewhere: a reading in qy must not cost them anything.
  for (int i = 0; i < 200; ++i) {
    auto id = "other-" + std::to_string(i);
    ASSERT_TRUE(core->apply_plan(smoke_plan(id, "[\"xc/hl/c" + std::to_string(i) + "/**\", \"yy/*/c" +
                                                    std::to_string(i) + "\"]"),
                                 id + ".yaml", d)
                    .is_ok())
        << to_string(d);
  }
  // Wildcards still match: '*' for one segment, then '**'; the root '**'; and a plan
  // that matches by two patterns is evaluated once.
  ASSERT_TRUE(core->apply_plan(smoke_plan("a-wild", R"(["xc/*/qy/**"])"), "w.yaml", d).is_ok()) << to_string(d);
  ASSERT_TRUE(core->apply_plan(smoke_plan("b-everywhere", R"(["**"])", "0.9"), "e.yaml", d).is_ok()) << to_string(d);
  ASSERT_TRUE(core->apply_plan(smoke_plan("c-twice", R"(["xc/**", "xc/hl/qy/g03/*"])", "0.9"), "t.yaml", d).is_ok())
      << to_string(d);
  ASSERT_TRUE(core->apply_plan(smoke_plan("d-exact", R"(["xc/hl/qy/g03"])"), "x.yaml", d).is_ok()) << to_string(d);
  ASSERT_TRUE(core->apply_plan(smoke_plan("e-elsewhere", R"(["xc/*/zz/**", "*/hl/qy/g04/**"])"), "z.yaml", d).is_ok())
      << to_string(d);

  auto before = core->stats().plan_evaluations;
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.05}])");  // xc/hl/qy/g03/b12
  EXPECT_EQ(core->stats().plan_evaluations - before, 4u);  // fire, a-wild, b-everywhere, c-twice
  before = core->stats().plan_evaluations;
  reading(*core, "smk-far", R"([{"n":"smoke","v":0.05}])");  // xc/hl/other/g01/b01
  EXPECT_EQ(core->stats().plan_evaluations - before, 2u);  // b-everywhere, c-twice
  before = core->stats().plan_evaluations;
  reading(*core, "tmp-1", R"([{"n":"temperature","u":"Cel","v":20}])");  // only "fire" reads temperature
  EXPECT_EQ(core->stats().plan_evaluations - before, 1u);
  EXPECT_TRUE(alerts().empty());

  // Both matching plans raise, in plan id order (as before the index).
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.6}])");
  auto sent = alerts();
  ASSERT_EQ(sent.size(), 2u);
  ASSERT_NE(core->incident("inc-000001"), nullptr);
  EXPECT_EQ(core->incident("inc-000001")->plan_id, "a-wild");
  EXPECT_EQ(core->incident("inc-000002")->plan_id, "fire");

  // A new version moved elsewhere leaves the index at its old places.
  ASSERT_TRUE(core->apply_plan(smoke_plan("a-wild", R"(["xc/*/other/**"])"), "w.yaml", d).is_ok()) << to_string(d);
  before = core->stats().plan_evaluations;
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.05}])");
  EXPECT_EQ(core->stats().plan_evaluations - before, 3u);  // fire, b-everywhere, c-twice
  before = core->stats().plan_evaluations;
  reading(*core, "smk-far", R"([{"n":"smoke","v":0.7}])");
  EXPECT_EQ(core->stats().plan_evaluations - before, 3u);  // a-wild, b-everywhere, c-twice
  ASSERT_NE(core->incident("inc-000003"), nullptr);
  EXPECT_EQ(core->incident("inc-000003")->plan_id, "a-wild");
  EXPECT_EQ(core->incident("inc-000003")->place.str(), "xc/hl/other/g01/b01");
}

// A sensor's readings go through routes kept from its first reading (the plans and
// watches of its place): a plan applied or changed later, and a sensor moved by a new
// import, must still take effect at its next reading.
TEST_F(CoreTest, ASensorsReadingsFollowLaterPlansAndMoves) {
  auto core = make_core();
  setup(*core);  // "fire": xc/hl/qy/**, III at smoke >= 0.1
  Diagnostics d;
  auto before = core->stats().plan_evaluations;
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.05}])");  // xc/hl/qy/g03/b12
  EXPECT_EQ(core->stats().plan_evaluations - before, 1u);  // fire

  // A plan applied after the sensor's first reading reads its next one.
  ASSERT_TRUE(core->apply_plan(smoke_plan("late", R"(["xc/hl/qy/g03/**"])"), "late.yaml", d).is_ok()) << to_string(d);
  before = core->stats().plan_evaluations;
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.06}])");
  EXPECT_EQ(core->stats().plan_evaluations - before, 2u);  // fire, late
  EXPECT_TRUE(alerts().empty());

  // Its new version (a lower threshold) is what the next reading meets.
  ASSERT_TRUE(core->apply_plan(smoke_plan("late", R"(["xc/hl/qy/g03/**"])", "0.04"), "late.yaml", d).is_ok())
      << to_string(d);
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.07}])");
  ASSERT_EQ(alerts().size(), 1u);
  ASSERT_NE(core->incident("inc-000001"), nullptr);
  EXPECT_EQ(core->incident("inc-000001")->plan_id, "late");

  auto move_to = [&](const std::string& place) {
    const std::string yaml =
        "sensors:\n  - {id: smk-1, place: " + place + ", kind: smoke_detector, quantities: [smoke]}\n";
    return core->import_sensors(yaml, "move.yaml", d).is_ok();
  };
  // Moved outside both plans' places, the sensor reaches neither.
  ASSERT_TRUE(move_to("xc/hl/other/g01/b02")) << to_string(d);
  before = core->stats().plan_evaluations;
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.9}])");
  EXPECT_EQ(core->stats().plan_evaluations - before, 0u);
  EXPECT_EQ(alerts().size(), 1u);

  // Moved back to another building of the community: "fire" raises there.
  ASSERT_TRUE(move_to("xc/hl/qy/g05/b01")) << to_string(d);
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.2}])");
  ASSERT_NE(core->incident("inc-000002"), nullptr);
  EXPECT_EQ(core->incident("inc-000002")->plan_id, "fire");
  EXPECT_EQ(core->incident("inc-000002")->place.str(), "xc/hl/qy/g05/b01");
}

// A watch keeps each sensor's latest reading with the sensor's place, and a reading of
// the same sensor skips comparing that place again until the registry changes: a
// sensor moved within one watch (a community-wide plan) must be named at its new place.
TEST_F(CoreTest, AKeptReadingTakesTheSensorsNewPlaceAfterAMove) {
  auto core = make_core();
  Diagnostics d;
  ASSERT_TRUE(core->import_sensors(kSensors, "sensors.yaml", d).is_ok()) << to_string(d);
  ASSERT_TRUE(core->apply_plan("id: area\ntitle: Smoke in the community\nplaces: [\"xc/hl/qy/**\"]\n"
                               "scope: community\nlevels:\n  III:\n    when: smoke >= 0.5\n    alert:\n"
                               "      event: Smoke\n      headline: \"Smoke in {place}\"\n",
                               "area.yaml", d)
                  .is_ok())
      << to_string(d);
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.05}])");  // xc/hl/qy/g03/b12, kept
  clock_.advance(1s);
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.06}])");  // the same place: not compared again
  const std::string yaml = "sensors:\n  - {id: smk-1, place: xc/hl/qy/g05/b01, kind: smoke_detector, quantities: [smoke]}\n";
  ASSERT_TRUE(core->import_sensors(yaml, "move.yaml", d).is_ok()) << to_string(d);
  clock_.advance(1s);
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.9}])");
  ASSERT_EQ(alerts().size(), 1u);
  auto timeline = core->timeline("inc-000001");
  ASSERT_TRUE(timeline.is_ok());
  ASSERT_FALSE(timeline->empty());
  const std::string& opened = timeline->front();  // "smoke 0.9 from sensor smk-1 at <place> met ..."
  EXPECT_NE(opened.find("from sensor smk-1 at xc/hl/qy/g05/b01"), std::string::npos) << opened;
  EXPECT_EQ(opened.find("g03/b12"), std::string::npos) << opened;
}

// Plans with the same conditions (one library plan applied by two communities) share
// one compiled evaluator; each plan's watches still keep their own state and timers.
TEST_F(CoreTest, PlansWithTheSameConditionsKeepTheirOwnState) {
  auto core = make_core();
  Diagnostics d;
  ASSERT_TRUE(core->import_sensors(kSensors, "sensors.yaml", d).is_ok()) << to_string(d);
  auto lingering = [](const std::string& id, const std::string& places) {
    return "id: " + id + "\ntitle: Lingering smoke " + id + "\nplaces: " + places +
           "\nlevels:\n  III:\n    when: smoke >= 0.1 for 30s\n    alert:\n      event: Smoke\n"
           "      headline: \"Smoke in {place}\"\n";
  };
  ASSERT_TRUE(core->apply_plan(lingering("near", R"(["xc/hl/qy/**"])"), "near.yaml", d).is_ok()) << to_string(d);
  ASSERT_TRUE(core->apply_plan(lingering("far", R"(["xc/hl/other/**"])"), "far.yaml", d).is_ok()) << to_string(d);

  reading(*core, "smk-1", R"([{"n":"smoke","v":0.2}])");  // near, from now
  clock_.advance(20s);
  reading(*core, "smk-far", R"([{"n":"smoke","v":0.2}])");  // far, 20 s later
  clock_.advance(10s);  // near has held 30 s; far 10 s
  ASSERT_EQ(alerts().size(), 1u);
  ASSERT_NE(core->incident("inc-000001"), nullptr);
  EXPECT_EQ(core->incident("inc-000001")->plan_id, "near");
  clock_.advance(20s);  // far has held 30 s
  ASSERT_EQ(alerts().size(), 2u);
  ASSERT_NE(core->incident("inc-000002"), nullptr);
  EXPECT_EQ(core->incident("inc-000002")->plan_id, "far");

  // Below the threshold at one place, the other's incident is unaffected.
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.05}])");
  clock_.advance(1min);
  EXPECT_EQ(alerts().size(), 2u);
  EXPECT_EQ(core->incident("inc-000002")->state, "open");
  EXPECT_EQ(core->incident("inc-000002")->level, plans::Level::kIII);
}

TEST_F(CoreTest, IndexIsRebuiltFromTheStoreOnRestart) {
  {
    auto core = make_core();
    setup(*core);
    Diagnostics d;
    ASSERT_TRUE(core->apply_plan(smoke_plan("a-wild", R"(["xc/*/qy/**"])"), "w.yaml", d).is_ok()) << to_string(d);
    ASSERT_TRUE(core->apply_plan(smoke_plan("z-far", R"(["yy/**"])"), "z.yaml", d).is_ok()) << to_string(d);
  }
  auto core = make_core();
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.6}])");
  EXPECT_EQ(core->stats().plan_evaluations, 2u);
  EXPECT_EQ(alerts().size(), 2u);
}

TEST_F(CoreTest, BadInputIsDeadLetteredWithReasonAndEngineKeepsWorking) {
  auto core = make_core();
  setup(*core);
  reading(*core, "smk-1", "not json");
  reading(*core, "nobody", R"([{"n":"smoke","v":0.9}])");
  reading(*core, "bad id!", R"([{"n":"smoke","v":0.9}])");
  core->on_message({"lookout/v1/sensors/smk-1/status", "maybe", 1, false, false});
  core->on_message({"lookout/v1/elsewhere", "x", 1, false, false});
  core->on_message({"lookout/v1/sensors/smk-1", std::string(70000, '['), 1, false, false});
  auto dl = dead_letters();
  ASSERT_EQ(dl.size(), 6u);
  EXPECT_EQ(dl[0]["topic"], "lookout/v1/sensors/smk-1");
  EXPECT_EQ(dl[0]["payload"], "not json");
  EXPECT_NE(dl[0]["reason"].get<std::string>().find("SenML"), std::string::npos);
  EXPECT_NE(dl[1]["reason"].get<std::string>().find("unknown sensor \"nobody\""), std::string::npos);
  EXPECT_NE(dl[2]["reason"].get<std::string>().find("sensor id"), std::string::npos);
  EXPECT_NE(dl[3]["reason"].get<std::string>().find("online"), std::string::npos);
  EXPECT_NE(dl[4]["reason"].get<std::string>().find("no input"), std::string::npos);
  EXPECT_EQ(dl[5]["truncated"], true);
  EXPECT_EQ(dl[5]["payload"].get<std::string>().size(), 1024u);
  EXPECT_EQ(core->stats().dead_letters, 6u);
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.2}])");
  EXPECT_EQ(alerts().size(), 1u);
}

TEST_F(CoreTest, OutboxKeepsAlertsUntilDeliveredAndAcrossRestart) {
  {
    auto core = make_core();
    setup(*core);
    reading(*core, "smk-1", R"([{"n":"smoke","v":0.2}])");
    EXPECT_EQ(store_.size(Table::kOutbox), 2u);  // alert + incident state, not delivered yet
    EXPECT_EQ(core->stats().outbox_pending, 2u);
  }
  // "Crash" before delivery: a new core on the same store sends them again.
  transport_.published.clear();
  auto core = make_core();
  core->on_connection(true);
  ASSERT_EQ(alerts().size(), 1u);
  EXPECT_EQ(alerts()[0]["identifier"], "lookout@qy.example.inc-000001.1");  // same identifier: receivers dedupe
  transport_.complete_all();
  poster_.drain();
  EXPECT_EQ(store_.size(Table::kOutbox), 0u);
  EXPECT_EQ(core->stats().outbox_pending, 0u);
  // The open incident survived: more smoke joins it, no new alert.
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.25}])");
  EXPECT_EQ(alerts().size(), 1u);
  ASSERT_NE(core->incident("inc-000001"), nullptr);
  EXPECT_EQ(core->incident("inc-000001")->place.str(), "xc/hl/qy/g03/b12");
}

TEST_F(CoreTest, FailedDeliveryIsRetriedOnTheClock) {
  auto core = make_core();
  setup(*core);
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.2}])");
  auto before = transport_.published.size();
  transport_.complete_all(Status::unavailable("broker gone"));
  poster_.drain();
  EXPECT_EQ(transport_.published.size(), before);
  clock_.advance(3s);  // outbox_retry is 2 s
  EXPECT_EQ(transport_.published.size(), before + 2);
  transport_.complete_all();
  poster_.drain();
  EXPECT_EQ(store_.size(Table::kOutbox), 0u);
}

TEST_F(CoreTest, StoreFailureStillAlertsAndMarksStoreUnhealthy) {
  auto core = make_core();
  setup(*core);
  flaky_.failing = true;
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.2}])");
  EXPECT_EQ(alerts().size(), 1u);
  EXPECT_FALSE(core->store_healthy());
  EXPECT_GE(core->stats().store_errors, 1u);
  flaky_.failing = false;
  transport_.complete_all();
  poster_.drain();
  reading(*core, "smk-far", R"([{"n":"smoke","v":0.2}])");  // no write: stays unhealthy
  EXPECT_FALSE(core->store_healthy());
}

TEST_F(CoreTest, InvalidPlanIsRejectedWholeAndRunningVersionStays) {
  auto core = make_core();
  setup(*core);
  Diagnostics d;
  std::string broken = kPlan;
  broken.replace(broken.find("smoke >= 0.1"), 12, "smoke >=");
  auto r = core->apply_plan(broken, "fire.yaml", d);
  ASSERT_FALSE(r.is_ok());
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].file, "fire.yaml");
  EXPECT_GT(d[0].line, 0);
  EXPECT_EQ(core->plans().at(0).version, 1u);
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.2}])");
  EXPECT_EQ(alerts().size(), 1u);  // the running version still works

  // Same text again: no new version. Changed text: version 2, version 1 still readable.
  EXPECT_TRUE(core->apply_plan(kPlan, "fire.yaml", d)->unchanged);
  std::string changed = kPlan;
  changed.replace(changed.find("smoke >= 0.1"), 12, "smoke >= 0.2");
  auto v2 = core->apply_plan(changed, "fire.yaml", d);
  ASSERT_TRUE(v2.is_ok());
  EXPECT_EQ(v2->version, 2u);
  EXPECT_EQ(core->plan("fire", 1)->source, kPlan);
  EXPECT_EQ(core->plan("fire")->version, 2u);
  EXPECT_EQ(core->plan("fire", 7).status().code(), Status::Code::kNotFound);
}

TEST_F(CoreTest, PlansAndRegistriesSurviveRestart) {
  {
    auto core = make_core();
    setup(*core);
  }
  auto core = make_core();
  ASSERT_EQ(core->plans().size(), 1u);
  EXPECT_EQ(core->plans()[0].id, "fire");
  EXPECT_EQ(core->sensors().size(), 3u);
  EXPECT_EQ(core->places().display_name(PlacePath::parse("xc/hl/qy/g03/b12").value()), "Building 12");
  reading(*core, "smk-1", R"([{"n":"smoke","v":0.2}])");
  EXPECT_EQ(alerts().size(), 1u);
}

TEST_F(CoreTest, CorruptStoredRecordRefusesToOpen) {
  Batch b;
  b.put(Table::kIncidents, "inc-000001", "{not json");
  ASSERT_TRUE(store_.write(b).is_ok());
  CoreOptions o;
  Core core(o, clock_, store_, transport_, poster_.poster());
  auto s = core.open();
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
}

// ---------------------------------------------------------------- incident reports

// A plan that reads fire reports in qy: one report in 10 minutes raises level III.
constexpr const char* kReportPlan = R"(id: fire-reports
title: Reported fire
places: ["xc/hl/qy/**"]
levels:
  III:
    when: reports(fire, 10m) >= 1
    alert:
      event: Reported fire
      headline: "Fire reported in {place}"
)";

std::string report_payload(const std::string& id, const std::string& category = "fire",
                           const std::string& place = "xc/hl/qy/g03/b12", const std::string& extra = "") {
  return R"({"id": ")" + id + R"(", "category": ")" + category + R"(", "place": ")" + place +
         R"(", "source": "hotline", "reporter": "Ms Wang", "description": "smoke in the stairwell")" + extra + "}";
}

class CoreReportTest : public CoreTest {
 protected:
  void report(Core& core, const std::string& payload, const std::string& topic = "lookout/v1/reports") {
    core.on_message({topic, payload, 1, false, false});
  }
  // Every receipt published for `id`, parsed, in order.
  std::vector<json> receipts(const std::string& id) {
    std::vector<json> out;
    for (const auto& m : transport_.on_topic_prefix("lookout/v1/receipts/" + id)) {
      EXPECT_EQ(m.topic, "lookout/v1/receipts/" + id);
      EXPECT_EQ(m.qos, 1);
      EXPECT_FALSE(m.retained);
      out.push_back(json::parse(m.payload));
    }
    return out;
  }
  std::size_t all_receipts() { return transport_.on_topic_prefix("lookout/v1/receipts/").size(); }
  json stored_report(const std::string& id) {
    auto v = store_.get(Table::kReports, id);
    EXPECT_TRUE(v.is_ok() && v->has_value()) << id;
    return v.is_ok() && v->has_value() ? json::parse(**v) : json();
  }
  void apply_report_plan(Core& core) {
    Diagnostics d;
    auto r = core.apply_plan(kReportPlan, "fire-reports.yaml", d);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string() << to_string(d);
  }
};

TEST_F(CoreReportTest, SubscribesToTheReportsTopic) {
  auto core = make_core();
  auto subs = core->subscriptions();
  EXPECT_NE(std::find(subs.begin(), subs.end(), "lookout/v1/reports"), subs.end());
  EXPECT_NE(std::find(subs.begin(), subs.end(), "lookout/v1/sensors/#"), subs.end());
}

TEST_F(CoreReportTest, NewReportIsStoredAndOnlyThenReceiptedInTheSameBatch) {
  auto core = make_core();
  // When the report's record is written: how many messages were out by then, and
  // whether the receipt sat in the outbox of the same batch.
  std::optional<std::size_t> published_before_write;
  bool receipt_in_batch = false;
  flaky_.on_write = [&](const Batch& b) {
    bool has_report = false;
    bool has_receipt = false;
    for (const auto& op : b.ops()) {
      if (op.table == Table::kReports && op.key == "r-1" && op.value) has_report = true;
      if (op.table == Table::kOutbox && op.value &&
          json::parse(*op.value)["topic"] == "lookout/v1/receipts/r-1") {
        has_receipt = true;
      }
    }
    if (has_report) {
      published_before_write = transport_.published.size();
      receipt_in_batch = has_receipt;
    }
  };
  report(*core, report_payload("r-1", "fire", "xc/hl/qy/g03/b12", R"(, "time": "2026-11-21T20:58:00+08:00")"));
  ASSERT_TRUE(published_before_write.has_value());
  EXPECT_EQ(*published_before_write, 0u);  // nothing was sent before the record was written
  EXPECT_TRUE(receipt_in_batch);
  auto r = receipts("r-1");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], json({{"report", "r-1"}, {"status", "accepted"}, {"incident", ""}, {"reason", ""}}));
  EXPECT_TRUE(dead_letters().empty());

  auto rec = stored_report("r-1");
  EXPECT_EQ(rec["id"], "r-1");
  EXPECT_EQ(rec["category"], "fire");
  EXPECT_EQ(rec["place"], "xc/hl/qy/g03/b12");
  EXPECT_EQ(rec["source"], "hotline");
  EXPECT_EQ(rec["reporter"], "Ms Wang");
  EXPECT_EQ(rec["description"], "smoke in the stairwell");
  EXPECT_EQ(rec["time_given"], true);
  EXPECT_EQ(rec["time_ms"], 1795265880000);      // 2026-11-21T12:58:00Z
  EXPECT_EQ(rec["received_ms"], 1795266000000);  // 13:00:00Z
  EXPECT_EQ(rec["status"], "accepted");
  EXPECT_EQ(rec["incident"], "");
  EXPECT_EQ(core->stats().reports, 1u);
  EXPECT_EQ(core->stats().reports_duplicate, 0u);

  // The receipt leaves the outbox once the broker has it.
  EXPECT_EQ(store_.size(Table::kOutbox), 1u);
  transport_.complete_all();
  poster_.drain();
  EXPECT_EQ(store_.size(Table::kOutbox), 0u);
  EXPECT_EQ(store_.size(Table::kReports), 1u);
}

TEST_F(CoreReportTest, StoreWriteFailureSendsNoReceiptAndTheResendIsStoredWithoutReevaluating) {
  auto core = make_core();
  apply_report_plan(*core);
  flaky_.failing = true;
  report(*core, report_payload("r-1"));
  EXPECT_TRUE(receipts("r-1").empty());
  EXPECT_FALSE(core->store_healthy());
  EXPECT_GE(core->stats().store_errors, 1u);
  // The alert and the incident state wait in the outbox; the receipt was dropped.
  EXPECT_EQ(core->stats().outbox_pending, 2u);
  EXPECT_EQ(store_.size(Table::kReports), 0u);
  // The alert is not held back by the store (as for readings); only the receipt is.
  EXPECT_EQ(alerts().size(), 1u);
  transport_.complete_all();
  poster_.drain();
  EXPECT_EQ(core->stats().outbox_pending, 0u);
  EXPECT_EQ(all_receipts(), 0u);
  const auto evaluations = core->stats().plan_evaluations;
  EXPECT_EQ(evaluations, 1u);

  // Still failing: the resend gets no receipt either.
  report(*core, report_payload("r-1"));
  EXPECT_EQ(all_receipts(), 0u);

  // The store is back: the sender's next resend is stored and receipted, and is not a
  // second report for the rules.
  flaky_.failing = false;
  report(*core, report_payload("r-1"));
  auto r = receipts("r-1");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["status"], "accepted");
  EXPECT_EQ(r[0]["incident"], "inc-000001");
  // Healthy again once the state the failed writes held is stored again (the resync):
  // the incident the failed write had opened is in the store after it.
  EXPECT_FALSE(core->store_healthy());
  EXPECT_EQ(store_.size(Table::kIncidents), 0u);
  clock_.advance(std::chrono::seconds(5));
  EXPECT_TRUE(core->store_healthy());
  EXPECT_EQ(store_.size(Table::kIncidents), 1u);
  EXPECT_EQ(store_.size(Table::kReports), 1u);
  EXPECT_EQ(stored_report("r-1")["incident"], "inc-000001");
  EXPECT_EQ(core->stats().plan_evaluations, evaluations);
  EXPECT_EQ(core->stats().reports, 1u);
  EXPECT_EQ(core->stats().reports_duplicate, 2u);
  EXPECT_EQ(alerts().size(), 1u);
}

TEST_F(CoreReportTest, DuplicateIdIsAnsweredWithTheSameReceiptAndNotEvaluatedAgain) {
  {
    auto core = make_core();
    apply_report_plan(*core);
    report(*core, report_payload("r-1"));
    ASSERT_EQ(core->stats().plan_evaluations, 1u);
    report(*core, report_payload("r-1"));
    // A copy whose content differs, even one that would be rejected, is the same report.
    report(*core, report_payload("r-1", "flood"));
    report(*core, R"({"id": "r-1", "category": "fire", "place": "xc/hl/qy/g03/b12", "source": "fax"})");
    auto r = receipts("r-1");
    ASSERT_EQ(r.size(), 4u);
    for (const auto& receipt : r) EXPECT_EQ(receipt, r[0]);
    EXPECT_EQ(r[0]["status"], "accepted");
    EXPECT_EQ(r[0]["incident"], "inc-000001");
    EXPECT_EQ(core->stats().plan_evaluations, 1u);
    EXPECT_EQ(core->stats().reports, 1u);
    EXPECT_EQ(core->stats().reports_duplicate, 3u);
    EXPECT_EQ(store_.size(Table::kReports), 1u);
    EXPECT_EQ(stored_report("r-1")["category"], "fire");
    EXPECT_TRUE(dead_letters().empty());
  }
  // After a restart the store still knows it.
  transport_.published.clear();
  auto core = make_core();
  report(*core, report_payload("r-1"));
  auto r = receipts("r-1");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], json({{"report", "r-1"}, {"status", "accepted"}, {"incident", "inc-000001"}, {"reason", ""}}));
  EXPECT_EQ(core->stats().plan_evaluations, 0u);
  EXPECT_EQ(core->stats().reports_duplicate, 1u);
}

TEST_F(CoreReportTest, ReportIsAReadingForThePlansThatReadReportsAndNamesTheirIncident) {
  auto core = make_core();
  apply_report_plan(*core);
  setup(*core);  // "fire" reads smoke and temperature, not reports
  clock_.advance(1s);
  report(*core, report_payload("r-1", "fire", "xc/hl/qy/g03/b12", R"(, "time": "2026-11-21T21:03:00+08:00")"));
  auto r1 = receipts("r-1");
  ASSERT_EQ(r1.size(), 1u);
  EXPECT_EQ(r1[0]["status"], "accepted");
  EXPECT_EQ(r1[0]["incident"], "inc-000001");  // opened by this report
  const auto* in = core->incident("inc-000001");
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->plan_id, "fire-reports");
  EXPECT_EQ(in->sensor_id, "r-1");
  EXPECT_EQ(in->quantity, "#report:fire");
  EXPECT_EQ(in->value, 1);
  EXPECT_EQ(in->reading_time, clock_.now());  // 3 minutes ahead: counted as now
  ASSERT_EQ(alerts().size(), 1u);
  EXPECT_EQ(alerts()[0]["info"][0]["headline"], "Fire reported in xc/hl/qy/g03/b12");

  // Another report there joins the open incident.
  report(*core, report_payload("r-2"));
  auto r2 = receipts("r-2");
  ASSERT_EQ(r2.size(), 1u);
  EXPECT_EQ(r2[0]["status"], "merged");
  EXPECT_EQ(r2[0]["incident"], "inc-000001");
  EXPECT_EQ(alerts().size(), 1u);

  // Elsewhere, or of a category no plan reads: accepted, no incident.
  report(*core, report_payload("r-3", "fire", "xc/hl/zz/g01"));
  report(*core, report_payload("r-4", "gas_smell"));
  EXPECT_EQ(receipts("r-3")[0], json({{"report", "r-3"}, {"status", "accepted"}, {"incident", ""}, {"reason", ""}}));
  EXPECT_EQ(receipts("r-4")[0]["incident"], "");
  EXPECT_EQ(receipts("r-4")[0]["status"], "accepted");
  EXPECT_EQ(core->stats().reports, 4u);
  EXPECT_EQ(store_.size(Table::kReports), 4u);
  EXPECT_EQ(stored_report("r-2")["status"], "merged");
}

TEST_F(CoreReportTest, InvalidReportWithValidIdIsDeadLetteredAndReceiptedRejected) {
  auto core = make_core();
  const std::string payload = R"({"id": "r-9", "category": "fire", "place": "xc/hl/qy", "source": "fax"})";
  report(*core, payload);
  auto dl = dead_letters();
  ASSERT_EQ(dl.size(), 1u);
  EXPECT_EQ(dl[0]["topic"], "lookout/v1/reports");
  EXPECT_EQ(dl[0]["payload"], payload);
  const std::string reason = dl[0]["reason"];
  EXPECT_NE(reason.find("field \"source\" must be one of"), std::string::npos) << reason;
  auto r = receipts("r-9");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], json({{"report", "r-9"}, {"status", "rejected"}, {"incident", ""}, {"reason", reason}}));
  EXPECT_EQ(store_.size(Table::kReports), 0u);  // nothing is stored for a rejected report
  EXPECT_EQ(store_.size(Table::kOutbox), 0u);
  EXPECT_EQ(core->stats().reports, 0u);
  EXPECT_EQ(core->stats().dead_letters, 1u);

  // Sent again corrected, the same id is a new report: a rejected one was never stored.
  report(*core, R"({"id": "r-9", "category": "fire", "place": "xc/hl/qy", "source": "hotline"})");
  r = receipts("r-9");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1]["status"], "accepted");
  EXPECT_EQ(core->stats().reports, 1u);
}

TEST_F(CoreReportTest, ReportWithoutAValidIdIsOnlyDeadLettered) {
  auto core = make_core();
  report(*core, R"({"id": "r 1", "category": "fire", "place": "xc/hl/qy", "source": "app"})");
  report(*core, R"({"id": 17, "category": "fire", "place": "xc/hl/qy", "source": "app"})");
  report(*core, R"({"category": "fire", "place": "xc/hl/qy", "source": "app"})");
  report(*core, "not json");
  report(*core, R"(["r-1"])");
  report(*core, std::string(70000, '{'));  // over the payload limit
  auto dl = dead_letters();
  ASSERT_EQ(dl.size(), 6u);
  EXPECT_NE(dl[0]["reason"].get<std::string>().find("field \"id\""), std::string::npos) << dl[0]["reason"];
  EXPECT_NE(dl[1]["reason"].get<std::string>().find("field \"id\" must be a string"), std::string::npos);
  EXPECT_NE(dl[2]["reason"].get<std::string>().find("field \"id\" is missing"), std::string::npos);
  EXPECT_NE(dl[3]["reason"].get<std::string>().find("not valid UTF-8 JSON"), std::string::npos);
  EXPECT_NE(dl[4]["reason"].get<std::string>().find("JSON object"), std::string::npos);
  EXPECT_NE(dl[5]["reason"].get<std::string>().find("exceeds the limit"), std::string::npos);
  EXPECT_EQ(all_receipts(), 0u);
  EXPECT_EQ(store_.size(Table::kReports), 0u);
}

TEST_F(CoreReportTest, OnlyTheReportsTopicItselfIsAnInput) {
  auto core = make_core();
  for (const char* t : {"lookout/v1/reports/x", "lookout/v1/reports/", "lookout/v1/reportsx", "lookout/v1/receipts/r-1",
                        "other/v1/reports"}) {
    report(*core, report_payload("r-1"), t);
  }
  auto dl = dead_letters();
  ASSERT_EQ(dl.size(), 5u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_NE(dl[i]["reason"].get<std::string>().find("no input is accepted on this topic"), std::string::npos) << i;
  }
  EXPECT_NE(dl[4]["reason"].get<std::string>().find("outside the engine's prefix"), std::string::npos);
  EXPECT_EQ(all_receipts(), 0u);
  EXPECT_EQ(store_.size(Table::kReports), 0u);
  EXPECT_EQ(core->stats().reports, 0u);
}

}  // namespace
}  // namespace lookout::engine
