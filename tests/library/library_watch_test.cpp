// Scenarios for the library plans that watch sensors for what they do NOT say: an older
// resident's motion sensor (elderly-no-activity: scope: sensor, absent(), offline(),
// sensor attributes) and the district's weather-warning gateway (severe-weather-relay
// and its companion weather-gateway-silent). Each plan is loaded from its file into
// the real engine core and played in virtual time (library_support.h).
//
// docs/plan-library.md explains every threshold these scenarios exercise.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "library_support.h"

namespace lookout::engine::library_test {
namespace {

// --- elderly-no-activity -------------------------------------------------------------

// The resident of the flat watched by mot-601 (lives_alone) moves in the evening, then
// nothing: III 12 h after the last movement, II 12 h later, one incident of its own.
TEST_F(LibraryScenario, ElderlyNoActivityForTwelveHoursThenADay) {
  auto got = run("elderly-no-activity",
                 steps({
                     every(20min, 0s, 1h, "mot-601", "motion", {1}),  // 21:00 to 22:00, then nothing
                     every(1h, 0s, 26h, "mot-601", "battery", {80}, "%"),  // the sensor is alive
                 }),
                 26h);
  EXPECT_EQ(got, (Expected{{13h, "III", "Alert"}, {25h, "II", "Update"}}));
  ASSERT_EQ(core_->incidents().size(), 1u);
  EXPECT_EQ(core_->incidents()[0]->watch, "xc/hl/qy/g03/b12#mot-601");
  EXPECT_EQ(places_alerted_, std::set<std::string>{"xc/hl/qy/g03/b12"});
  ASSERT_EQ(alerts_.size(), 2u);
  EXPECT_EQ(alerts_[0]["info"][0]["description"],
            "A resident's home safety sensor has seen no movement since 2026-11-21T22:00:00+08:00. A grid worker will "
            "phone and call on them.");
  // The building's residents are told too: the public texts name no sensor (and so no flat).
  for (const auto& alert : alerts_) {
    for (const auto& info : alert["info"]) {
      for (const char* key : {"headline", "description", "instruction"}) {
        EXPECT_EQ(info[key].get<std::string>().find("mot-601"), std::string::npos) << info[key];
      }
    }
  }
}

// A normal night: last movement at 23:00, up again at 07:00 (8 hours), a day at home,
// then 11 quiet hours: never 12.
TEST_F(LibraryScenario, ElderlyNoActivityQuietThroughANightsSleep) {
  auto got = run("elderly-no-activity",
                 steps({
                     every(15min, 0s, 2h, "mot-601", "motion", {1}),    // 21:00 to 23:00
                     every(15min, 10h, 16h, "mot-601", "motion", {1}),  // 07:00 to 13:00
                 }),
                 27h);
  EXPECT_EQ(got, kQuiet);
}

// mot-902 is in a family's flat (no lives_alone): a day and more without movement,
// and its sensor going offline, raise nothing.
TEST_F(LibraryScenario, ElderlyNoActivityIgnoresAFlatWithoutTheAttribute) {
  auto got = run("elderly-no-activity",
                 steps({
                     every(20min, 0s, 1h, "mot-902", "motion", {1}),  // the family leaves for the weekend
                     status(2h, "mot-902", "offline"),
                 }),
                 40h);
  EXPECT_EQ(got, kQuiet);
}

// A flat battery: the sensor's gateway marks it offline. Only the blue "sensor
// offline" alert, 30 min later; the silence that follows is the sensor's, not the
// resident's, and never raises III or II.
TEST_F(LibraryScenario, ElderlyNoActivityDeadBatteryRaisesOnlySensorOffline) {
  auto got = run("elderly-no-activity",
                 steps({
                     every(20min, 0s, 1h, "mot-601", "motion", {1}),
                     every(20min, 0s, 1h, "mot-601", "battery", {4, 2, 1, 0}, "%"),
                     status((1h + 10min), "mot-601", "offline"),
                     // ... then silence.
                 }),
                 40h);
  EXPECT_EQ(got, (Expected{{(1h + 40min), "IV", "Alert"}}));
  ASSERT_EQ(alerts_.size(), 1u);
  EXPECT_EQ(alerts_[0]["info"][0]["headline"], "Home safety sensor offline in Building 12");
}

// A Wi-Fi router restarting: offline, and online again after 10 minutes. Nothing.
TEST_F(LibraryScenario, ElderlyNoActivityIgnoresAShortConnectionDrop) {
  auto got = run("elderly-no-activity",
                 steps({
                     every(30min, 0s, 10h, "mot-601", "motion", {1}),
                     status(2h, "mot-601", "offline"),
                     status((2h + 10min), "mot-601", "online"),
                 }),
                 12h);
  EXPECT_EQ(got, kQuiet);
}

// An offline status younger than 30 minutes excuses nothing: a sensor that drops out
// 10 minutes before the 12 hours are up still raises III.
TEST_F(LibraryScenario, ElderlyNoActivitySensorDroppingOutJustBeforeTwelveHoursRaisesYellow) {
  auto got = run("elderly-no-activity",
                 steps({
                     every(20min, 0s, 1h, "mot-601", "motion", {1}),
                     status((12h + 50min), "mot-601", "offline"),
                 }),
                 30h);
  EXPECT_EQ(got, (Expected{{13h, "III", "Alert"}}));
}

// The sensor dying while the no-activity incident is open neither lowers it to the
// blue "sensor offline" level nor raises it further: it stays at III for the staff
// already called (docs/plan-library.md).
TEST_F(LibraryScenario, ElderlyNoActivitySensorDyingDuringAnIncidentKeepsItAtYellow) {
  auto got = run("elderly-no-activity",
                 steps({
                     every(20min, 0s, 1h, "mot-601", "motion", {1}),
                     status(14h, "mot-601", "offline"),
                 }),
                 30h);
  EXPECT_EQ(got, (Expected{{13h, "III", "Alert"}}));
}

// The grid worker's visit (movement for 40 minutes) does not end the incident; the
// resident's own day does: movement at least every hour for 6 hours, from 16:00 on,
// resolves it at 22:00 (a Cancel).
TEST_F(LibraryScenario, ElderlyNoActivityAVisitDoesNotResolveButTheResidentsOwnDayDoes) {
  auto got = run("elderly-no-activity",
                 steps({
                     every(20min, 0s, 1h, "mot-601", "motion", {1}),
                     every(10min, (13h + 30min), (14h + 10min), "mot-601", "motion", {1}),  // the visit
                     every(20min, 16h, 23h, "mot-601", "motion", {1}),  // the resident's day
                 }),
                 24h);
  EXPECT_EQ(got, (Expected{{13h, "III", "Alert"}, {(16h + 6h), "III", "Cancel"}}));
}

// The resident goes to stay with family: the grid worker sets away on the sensor and
// the flat is not watched; back home, the resident moves and away is removed.
TEST_F(LibraryScenario, ElderlyNoActivityQuietWhileTheResidentIsAway) {
  const std::string away = R"(sensors:
  - {id: mot-601, place: xc/hl/qy/g03/b12, kind: motion_sensor, quantities: [motion, battery],
     attributes: {lives_alone: "true", away: "true"}}
)";
  const std::string back = R"(sensors:
  - {id: mot-601, place: xc/hl/qy/g03/b12, kind: motion_sensor, quantities: [motion, battery],
     attributes: {lives_alone: "true"}}
)";
  auto got = run("elderly-no-activity",
                 steps({
                     every(20min, 0s, 1h, "mot-601", "motion", {1}),
                     import_sensors(2h, away),
                     every(20min, 30h, 34h, "mot-601", "motion", {1}),  // home again
                     import_sensors((30h + 5min), back),
                 }),
                 40h);
  EXPECT_EQ(got, kQuiet);
}

// --- severe-weather-relay --------------------------------------------------------------

// The gateway repeats the level every 5 minutes: no warning, then yellow, then orange.
// One incident for the district, an Alert then an Update.
TEST_F(LibraryScenario, WeatherRelaysYellowThenTheUpgradeToOrange) {
  auto got = run("severe-weather-relay",
                 steps({
                     every(5min, 0s, 55min, "met-gw-xc", "met_warning_level", {0}),
                     every(5min, 1h, (2h + 55min), "met-gw-xc", "met_warning_level", {3}),
                     every(5min, 3h, 4h, "met-gw-xc", "met_warning_level", {2}),
                 }),
                 4h);
  EXPECT_EQ(got, (Expected{{1h, "III", "Alert"}, {3h, "II", "Update"}}));
  EXPECT_EQ(core_->incidents().size(), 1u);
  EXPECT_EQ(places_alerted_, std::set<std::string>{"xc"});
  ASSERT_EQ(alerts_.size(), 2u);
  EXPECT_EQ(alerts_[0]["info"][0]["category"][0], "Met");
  EXPECT_EQ(alerts_[1]["info"][0]["headline"], "Orange weather warning for Xicheng district: stay indoors");
}

// The warning is lowered to yellow (an Update once orange no longer holds), then
// lifted: 0 for 5 minutes resolves the incident with a Cancel.
TEST_F(LibraryScenario, WeatherRelaysTheDowngradeAndTheEnd) {
  auto got = run("severe-weather-relay",
                 steps({
                     every(5min, 0s, (1h + 55min), "met-gw-xc", "met_warning_level", {2}),
                     every(5min, 2h, (2h + 55min), "met-gw-xc", "met_warning_level", {3}),
                     every(5min, 3h, 5h, "met-gw-xc", "met_warning_level", {0}),
                 }),
                 5h);
  EXPECT_EQ(got, (Expected{{0s, "II", "Alert"}, {2h, "III", "Update"}, {(3h + 5min), "III", "Cancel"}}));
  EXPECT_EQ(core_->incidents().size(), 1u);
}

// No warning all day: neither the relay nor the silence watch says anything.
TEST_F(LibraryScenario, WeatherQuietWithoutAWarning) {
  auto got = run_plans({"severe-weather-relay", "weather-gateway-silent"},
                       steps({every(5min, 0s, 24h, "met-gw-xc", "met_warning_level", {0})}), 24h);
  EXPECT_EQ(got, kQuiet);
}

// The gateway stops reporting during a yellow warning. The relay says nothing more
// (the warning's value is unknown after 10 minutes, but only a 0 ends it); the
// companion plan tells the duty officer 30 minutes after the last report, and stands
// down 5 minutes after the gateway is back.
TEST_F(LibraryScenario, WeatherGatewayGoingSilentIsNoticed) {
  auto got = run_plans({"severe-weather-relay", "weather-gateway-silent"},
                       steps({
                           every(5min, 0s, 1h, "met-gw-xc", "met_warning_level", {3}),
                           // ... silent from +1 h ...
                           every(5min, 3h, 4h, "met-gw-xc", "met_warning_level", {3}),
                       }),
                       4h);
  EXPECT_EQ(got, (Expected{{0s, "III", "Alert"}, {(1h + 30min), "IV", "Alert"}, {(3h + 5min), "IV", "Cancel"}}));
  EXPECT_EQ(plans_alerted_,
            (std::vector<std::string>{"severe-weather-relay", "weather-gateway-silent", "weather-gateway-silent"}));
  EXPECT_EQ(places_alerted_, std::set<std::string>{"xc"});
  // Two incidents: the warning (still open) and the silence (resolved).
  ASSERT_EQ(core_->incidents().size(), 2u);
  EXPECT_EQ(core_->incidents()[0]->plan_id, "severe-weather-relay");
  EXPECT_EQ(core_->incidents()[0]->level, plans::Level::kIII);
}

// The gateway's last will: offline, back within seconds (a broker reconnect: nothing),
// then offline for good (IV after 10 minutes), and back an hour later.
TEST_F(LibraryScenario, WeatherGatewayOfflineIsNoticedAfterTenMinutes) {
  auto got = run_plans({"severe-weather-relay", "weather-gateway-silent"},
                       steps({
                           every(5min, 0s, 25min, "met-gw-xc", "met_warning_level", {0}),
                           status(12min, "met-gw-xc", "offline"),
                           status((12min + 10s), "met-gw-xc", "online"),
                           status(26min, "met-gw-xc", "offline"),
                           status((1h + 30min), "met-gw-xc", "online"),
                           every(5min, (1h + 30min), 2h, "met-gw-xc", "met_warning_level", {0}),
                       }),
                       2h);
  EXPECT_EQ(got, (Expected{{36min, "IV", "Alert"}, {(1h + 35min), "IV", "Cancel"}}));
  EXPECT_EQ(plans_alerted_, (std::vector<std::string>{"weather-gateway-silent", "weather-gateway-silent"}));
}

}  // namespace
}  // namespace lookout::engine::library_test
