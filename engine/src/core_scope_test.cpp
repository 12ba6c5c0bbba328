// The core with the fifth version of the rule language: plan scopes (a grid, one
// sensor), confirmation by several sensors, sensor status, and registry attributes
// that change live. Virtual time, MemoryStore, RecordingTransport.
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
  - {id: smk-2, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke]}
  - {id: smk-3, place: xc/hl/qy/g03/b14, kind: smoke_detector, quantities: [smoke]}
  - {id: wl-1, place: xc/hl/qy/g03/b12, kind: water_level, quantities: [water_level]}
  - {id: wl-2, place: xc/hl/qy/g03/b14, kind: water_level, quantities: [water_level]}
  - {id: mot-601, place: xc/hl/qy/g03/b12, kind: motion_sensor, quantities: [motion], attributes: {lives_alone: "true"}}
  - {id: mot-602, place: xc/hl/qy/g03/b12, kind: motion_sensor, quantities: [motion]}
)";

constexpr const char* kPlaces = R"(places:
  - {path: xc/hl/qy, name: Qingyuan, attributes: {height_class: mid_rise}}
  - {path: xc/hl/qy/g03/b12, name: Building 12, attributes: {height_class: high_rise}}
)";

std::string plan(std::string_view id, std::string_view scope, std::string_view when) {
  return "id: " + std::string(id) + "\ntitle: T\nplaces: [\"xc/hl/qy/**\"]\nscope: " + std::string(scope) +
         "\nlevels:\n  II:\n    when: " + std::string(when) + "\n    alert: {event: E, headline: \"{place_name}\"}\n";
}

class CoreScopeTest : public ::testing::Test {
 protected:
  CoreScopeTest() : clock_(parse_iso8601("2026-11-21T13:00:00Z").value()) {
    CoreOptions o;
    core_ = std::make_unique<Core>(o, clock_, store_, transport_, poster_.poster());
    EXPECT_TRUE(core_->open().is_ok());
    Diagnostics d;
    EXPECT_TRUE(core_->import_sensors(kSensors, "sensors.yaml", d).is_ok()) << to_string(d);
    EXPECT_TRUE(core_->import_places(kPlaces, "places.yaml", d).is_ok()) << to_string(d);
  }
  void apply(const std::string& text) {
    Diagnostics d;
    auto r = core_->apply_plan(text, "p.yaml", d);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string() << to_string(d);
  }
  void send(const std::string& sensor, const std::string& payload) {
    core_->on_message({"lookout/v1/sensors/" + sensor, payload, 1, false, false});
  }
  std::vector<const Incident*> incidents() { return core_->incidents(); }

  testing::QueuedPoster poster_;
  ManualClock clock_;
  MemoryStore store_;
  testing::RecordingTransport transport_;
  std::unique_ptr<Core> core_;
};

TEST_F(CoreScopeTest, GridScopePoolsTheGridsSensorsIntoOneIncident) {
  apply(plan("flood", "grid", "any water_level > 5 cm"));
  send("wl-1", R"({"n":"water_level","v":2,"u":"cm"})");
  EXPECT_TRUE(incidents().empty());
  send("wl-2", R"({"n":"water_level","v":8,"u":"cm"})");  // another building, same grid
  ASSERT_EQ(incidents().size(), 1u);
  EXPECT_EQ(incidents()[0]->place.str(), "xc/hl/qy/g03");
  EXPECT_EQ(incidents()[0]->watch, "xc/hl/qy/g03");
  EXPECT_EQ(incidents()[0]->sensor_id, "wl-2");
  send("wl-1", R"({"n":"water_level","v":9,"u":"cm"})");  // joins it
  EXPECT_EQ(incidents().size(), 1u);
  auto alerts = transport_.on_topic_prefix("lookout/v1/alerts/xc/hl/qy/g03");
  EXPECT_EQ(alerts.size(), 1u);
}

TEST_F(CoreScopeTest, TwoDetectorsOfABuildingConfirm) {
  apply(plan("fire-confirmed", "building", "2 of smoke >= 0.08 within 60s"));
  send("smk-1", R"({"n":"smoke","v":0.1})");
  send("smk-3", R"({"n":"smoke","v":0.1})");  // b14: another building
  send("smk-1", R"({"n":"smoke","v":0.2})");  // the same detector again
  EXPECT_TRUE(incidents().empty());
  clock_.advance(61s);
  send("smk-2", R"({"n":"smoke","v":0.1})");  // smk-1's readings are too old now
  EXPECT_TRUE(incidents().empty());
  clock_.advance(10s);
  send("smk-1", R"({"n":"smoke","v":0.1})");
  ASSERT_EQ(incidents().size(), 1u);
  EXPECT_EQ(incidents()[0]->place.str(), "xc/hl/qy/g03/b12");
}

TEST_F(CoreScopeTest, SensorScopeWatchesEachSensorWithItsAttributes) {
  apply(plan("no-activity", "sensor", "sensor.lives_alone and absent(motion, 12h)"));
  send("mot-601", R"({"n":"motion","v":1})");
  send("mot-602", R"({"n":"motion","v":1})");  // a flat without the attribute
  clock_.advance(11h);
  send("mot-601", R"({"n":"motion","v":1})");
  clock_.advance(12h - 1s);  // mot-602 has been silent 23 h, but nobody lives alone there
  EXPECT_TRUE(incidents().empty());
  clock_.advance(1s);  // 12 h after mot-601's last movement: its watch's timer fires
  ASSERT_EQ(incidents().size(), 1u);
  EXPECT_EQ(incidents()[0]->watch, "xc/hl/qy/g03/b12#mot-601");
  EXPECT_EQ(incidents()[0]->place.str(), "xc/hl/qy/g03/b12");
}

TEST_F(CoreScopeTest, OfflineStatusFeedsTheRules) {
  apply(plan("detectors-down", "building", "2 of offline(smoke_detector)"));
  core_->on_message({"lookout/v1/sensors/smk-1/status", "offline", 1, false, false});
  core_->on_message({"lookout/v1/sensors/smk-3/status", "offline", 1, false, false});  // another building
  EXPECT_TRUE(incidents().empty());
  core_->on_message({"lookout/v1/sensors/smk-2/status", "offline", 1, false, false});
  ASSERT_EQ(incidents().size(), 1u);
  EXPECT_EQ(incidents()[0]->place.str(), "xc/hl/qy/g03/b12");
}

TEST_F(CoreScopeTest, PlaceAttributesAreInheritedAndChangeLive) {
  apply(plan("high-rise-smoke", "place", "smoke >= 0.1 and place.height_class == high_rise"));
  send("smk-3", R"({"n":"smoke","v":0.5})");  // b14: inherits mid_rise from the community
  EXPECT_TRUE(incidents().empty());
  Diagnostics d;
  ASSERT_TRUE(core_->import_places("places:\n  - {path: xc/hl/qy/g03/b14, attributes: {height_class: high_rise}}\n",
                                   "more.yaml", d)
                  .is_ok());
  ASSERT_EQ(incidents().size(), 1u);  // re-checked at once with the new attribute
  EXPECT_EQ(incidents()[0]->place.str(), "xc/hl/qy/g03/b14");
}

TEST_F(CoreScopeTest, IncidentsKeepTheirWatchAcrossARestart) {
  apply(plan("no-activity", "sensor", "sensor.lives_alone and absent(motion, 1h)"));
  send("mot-601", R"({"n":"motion","v":1})");
  clock_.advance(1h + 1s);
  ASSERT_EQ(incidents().size(), 1u);
  core_.reset();
  core_ = std::make_unique<Core>(CoreOptions{}, clock_, store_, transport_, poster_.poster());
  ASSERT_TRUE(core_->open().is_ok());
  ASSERT_EQ(incidents().size(), 1u);
  EXPECT_EQ(incidents()[0]->watch, "xc/hl/qy/g03/b12#mot-601");
  // The same sensor silent again joins the open incident instead of opening another.
  send("mot-601", R"({"n":"motion","v":1})");
  clock_.advance(1h + 1s);
  EXPECT_EQ(incidents().size(), 1u);
}

}  // namespace
}  // namespace lookout::engine
