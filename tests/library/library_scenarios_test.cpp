// Scenarios for the plan library (plans/library/): each plan is loaded from its file
// into the real engine core (MemoryStore, ManualClock, a recording transport), a small
// building with its sensors is registered, and readings are played in virtual time.
// Each scenario is a table of steps (time offset, sensor, quantity, value, unit) and
// the alerts expected (time offset, level, CAP msgType), in order:
//
//   - the situation a plan is for raises the expected levels, Alert then Update, at
//     the expected times;
//   - the ordinary noise of a building (a minute of cooking smoke, a sensor flapping
//     at its threshold, a dead battery) stays quiet, or, where the plan says why,
//     raises one alert and never repeats it.
//
// The harness (the community, its sensors, the runner) is in library_support.h; the
// plans that read reports, sensor status and registry attributes have their
// scenarios in library_reports_test.cpp and library_watch_test.cpp.
//
// docs/plan-library.md explains every threshold these scenarios exercise.
#include <filesystem>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "library_support.h"

namespace lookout::engine::library_test {
namespace {

TEST(LibraryCoverage, EveryLibraryPlanHasScenarios) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(LOOKOUT_PLAN_LIBRARY_DIR)) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    EXPECT_TRUE(plans_with_scenarios().count(entry.path().stem().string()))
        << entry.path() << " has no scenarios in tests/library/ (add it to plans_with_scenarios())";
  }
  EXPECT_EQ(count, static_cast<int>(plans_with_scenarios().size()));
}

// --- residential-fire --------------------------------------------------------------

TEST_F(LibraryScenario, FireGrowsThroughSmokeToDenseSmokeToSmokeAndHeat) {
  auto got = run("residential-fire",
                 steps({
                     at(0s, "smk-301", "smoke", 0.01, "/"),
                     at(0s, "heat-301", "temperature", 24, "Cel"),
                     every(15s, 30s, (2min + 45s), "smk-301", "smoke", {0.09, 0.10, 0.11, 0.12}, "/"),  // III after 2 min
                     at(3min, "smk-301", "smoke", 0.18, "/"),                                       // II at once
                     at((3min + 30s), "heat-301", "temperature", 75, "Cel"),
                     at(4min, "smk-301", "smoke", 0.35, "/"),                                       // I: smoke and heat
                 }),
                 10min);
  EXPECT_EQ(got, (Expected{{(2min + 30s), "III", "Alert"}, {3min, "II", "Update"}, {4min, "I", "Update"}}));
  EXPECT_EQ(places_alerted_, std::set<std::string>{"xc/hl/qy/g03/b12"});
}

TEST_F(LibraryScenario, FireHeatDetectorAloneRaisesOrangeAtOnce) {
  auto got = run("residential-fire",
                 steps({at(0s, "heat-301", "temperature", 25, "Cel"), at(1min, "heat-301", "temperature", 58, "Cel")}),
                 5min);
  EXPECT_EQ(got, (Expected{{1min, "II", "Alert"}}));
}

// A detector that reports in % works too: 16 % is 0.16 / (per-sensor atoms convert
// units like plain comparisons).
TEST_F(LibraryScenario, FireDetectorReportingInPercentRaisesOrange) {
  auto got = run("residential-fire",
                 steps({at(0s, "smk-301", "smoke", 1, "%"), at(1min, "smk-301", "smoke", 16, "%")}), 5min);
  EXPECT_EQ(got, (Expected{{1min, "II", "Alert"}}));
}

TEST_F(LibraryScenario, FireIgnoresOneMinuteOfCookingSmoke) {
  auto got = run("residential-fire",
                 steps({
                     every(20s, 0s, 40s, "smk-301", "smoke", {0.01}, "/"),
                     at(1min, "smk-301", "smoke", 0.09, "/"),  // the wok starts smoking
                     at((1min + 20s), "smk-301", "smoke", 0.13, "/"),
                     at((1min + 40s), "smk-301", "smoke", 0.10, "/"),
                     every(20s, 2min, 15min, "smk-301", "smoke", {0.03, 0.01}, "/"),  // the hood clears it
                 }),
                 20min);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, FireIgnoresADetectorFlappingAtItsAlarmPoint) {
  auto got = run("residential-fire",
                 steps({
                     every(5s, 0s, (14min + 55s), "smk-301", "smoke", {0.081, 0.079}, "/"),
                     every(30s, 15min, 30min, "smk-301", "smoke", {0.02}, "/"),  // cleaned
                 }),
                 30min);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, FireIgnoresADeadBattery) {
  auto got = run("residential-fire",
                 steps({
                     every(1min, 0s, 5min, "smk-301", "smoke", {0.01}, "/"),
                     every(1min, 0s, 5min, "smk-301", "battery", {30, 12, 9, 5, 3, 1}, "%"),
                     every(1min, 0s, 5min, "heat-301", "battery", {8, 4, 2, 1, 0, 0}, "%"),
                     // ... then silence: the detectors are dead.
                 }),
                 1h);
  EXPECT_EQ(got, kQuiet);
}

// Level III looks at each detector's own latest reading ("any smoke >= 0.08 /"): a
// second detector that keeps reporting clean air no longer breaks the 2 minutes (with
// the building's latest reading, this scenario raised only II, at +5 min).
TEST_F(LibraryScenario, FireWithACleanSecondDetectorRaisesYellowThenOrange) {
  auto got = run("residential-fire",
                 steps({
                     every(30s, 0s, (4min + 30s), "smk-301", "smoke", {0.10}, "/"),
                     every(30s, 15s, (4min + 45s), "smk-1201", "smoke", {0.01}, "/"),
                     at(5min, "smk-301", "smoke", 0.16, "/"),
                 }),
                 6min);
  EXPECT_EQ(got, (Expected{{2min, "III", "Alert"}, {5min, "II", "Update"}}));
}

// The clean detector reports six times as often as the smoking one, so the building's
// latest reading is clean most of the time: III still comes exactly 2 minutes after
// the smoke started. The alert names the building, not the detector.
TEST_F(LibraryScenario, FireCleanDetectorNextToASmokingOneDoesNotBreakYellow) {
  auto got = run("residential-fire",
                 steps({
                     at(0s, "smk-301", "smoke", 0.01, "/"),
                     every(30s, 1min, 4min, "smk-301", "smoke", {0.09, 0.11}, "/"),  // smoke from +1 min
                     every(5s, 0s, 5min, "smk-1201", "smoke", {0.01, 0.02}, "/"),    // clean air next door
                 }),
                 5min);
  EXPECT_EQ(got, (Expected{{3min, "III", "Alert"}}));
  ASSERT_EQ(alerts_.size(), 1u);
  EXPECT_EQ(alerts_[0]["info"][0]["headline"], "Smoke detected in Building 12");
  // {sensor} and {value} name the latest reading that met the condition: the smoking
  // detector's, not the clean one that reported after it.
  EXPECT_EQ(alerts_[0]["info"][0]["description"],
            "Smoke has been read in Building 12 for two minutes (detector smk-301: 0.11 / at "
            "2026-11-21T21:02:30+08:00). No fire is confirmed yet.");
}

// The same without smoke for the whole 2 minutes: one detector smoking for a minute
// and a half (cooking) while the other reads clean air stays quiet.
TEST_F(LibraryScenario, FireCleanDetectorAndNinetySecondsOfCookingSmokeStayQuiet) {
  auto got = run("residential-fire",
                 steps({
                     at(0s, "smk-301", "smoke", 0.01, "/"),
                     every(30s, 1min, 2min, "smk-301", "smoke", {0.09, 0.12}, "/"),  // 1 min 30 s of smoke
                     every(30s, (2min + 30s), 20min, "smk-301", "smoke", {0.03, 0.01}, "/"),  // the hood cleared it
                     every(5s, 0s, 20min, "smk-1201", "smoke", {0.01}, "/"),
                 }),
                 20min);
  EXPECT_EQ(got, kQuiet);
}

// Level II reads each detector too: dense smoke in one flat while the stairwell's
// detector reports clean air every 15 s stays one orange alert. With the building's
// latest reading, each clean reading made II stop holding and the incident went
// down to III and back up to II over and over.
TEST_F(LibraryScenario, FireDenseSmokeNextToACleanDetectorStaysOrange) {
  auto got = run("residential-fire",
                 steps({
                     at(0s, "smk-301", "smoke", 0.02, "/"),
                     every(30s, 1min, 10min, "smk-301", "smoke", {0.16, 0.18}, "/"),
                     every(15s, 0s, 10min, "smk-1201", "smoke", {0.01}, "/"),
                 }),
                 10min);
  EXPECT_EQ(got, (Expected{{1min, "II", "Alert"}}));
}

// Level I also reads each detector ("any smoke >= 0.30 / and any temperature >= 70
// Cel"): a clean reading from another detector between the dense smoke and the heat
// does not hold red back until the smoking detector reports again (at +1m30s).
TEST_F(LibraryScenario, FireSmokeAndHeatRaiseRedDespiteACleanDetector) {
  auto got = run("residential-fire",
                 steps({
                     at(0s, "smk-301", "smoke", 0.02, "/"),
                     at(0s, "heat-301", "temperature", 24, "Cel"),
                     every(30s, 1min, 3min, "smk-301", "smoke", {0.35}, "/"),             // II at once
                     every(30s, (1min + 5s), 3min, "smk-1201", "smoke", {0.01}, "/"),  // another floor: clean
                     at((1min + 10s), "heat-301", "temperature", 75, "Cel"),             // I: smoke and heat
                 }),
                 4min);
  EXPECT_EQ(got, (Expected{{1min, "II", "Alert"}, {(1min + 10s), "I", "Update"}}));
}

// --- gas-leak ------------------------------------------------------------------------

TEST_F(LibraryScenario, GasLeakBuildsUpThroughEveryLevel) {
  auto got = run("gas-leak",
                 steps({
                     at(0s, "gas-301", "gas_lel", 0, "%LEL"),
                     every(15s, 30s, (1min + 45s), "gas-301", "gas_lel", {6, 7, 8}, "%LEL"),    // IV after 1 min
                     every(15s, 2min, (2min + 45s), "gas-301", "gas_lel", {11, 12, 13}, "%LEL"),  // III after 30 s
                     at(3min, "gas-301", "gas_lel", 22, "%LEL"),                           // II at once
                 }),
                 5min);
  EXPECT_EQ(got, (Expected{{(1min + 30s), "IV", "Alert"}, {(2min + 30s), "III", "Update"}, {3min, "II", "Update"}}));
}

TEST_F(LibraryScenario, GasCarbonMonoxideHeldTenMinutesRaisesOrange) {
  auto got = run("gas-leak",
                 steps({at(0s, "gas-301", "co", 5, "ppm"), every(1min, 1min, 15min, "gas-301", "co", {120, 130}, "ppm")}),
                 16min);
  EXPECT_EQ(got, (Expected{{11min, "II", "Alert"}}));
}

TEST_F(LibraryScenario, GasIgnoresTheBurstsOfLightingABurnerOrAWaterHeater) {
  auto got = run("gas-leak",
                 steps({
                     every(30s, 0s, (1min + 30s), "gas-301", "gas_lel", {0}, "%LEL"),
                     at(2min, "gas-301", "gas_lel", 12, "%LEL"),  // a burner lit late: a puff
                     at((2min + 5s), "gas-301", "gas_lel", 3, "%LEL"),
                     every(30s, (2min + 10s), 15min, "gas-301", "gas_lel", {0}, "%LEL"),
                     at(0s, "gas-301", "co", 3, "ppm"),
                     every(1min, 3min, 5min, "gas-301", "co", {150, 180}, "ppm"),  // the heater starts
                     every(1min, (5min + 30s), 15min, "gas-301", "co", {10, 4}, "ppm"),
                 }),
                 20min);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, GasIgnoresADetectorFlappingAtItsFirstThreshold) {
  auto got = run("gas-leak",
                 steps({
                     every(5s, 0s, (14min + 55s), "gas-301", "gas_lel", {5.1, 4.9}, "%LEL"),
                     every(30s, 15min, 30min, "gas-301", "gas_lel", {0}, "%LEL"),
                 }),
                 30min);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, GasIgnoresADeadBattery) {
  auto got = run("gas-leak",
                 steps({
                     every(1min, 0s, 4min, "gas-301", "gas_lel", {0}, "%LEL"),
                     every(1min, 0s, 4min, "gas-301", "co", {2}, "ppm"),
                     every(1min, 0s, 4min, "gas-301", "battery", {10, 6, 3, 1, 0}, "%"),
                 }),
                 1h);
  EXPECT_EQ(got, kQuiet);
}

// --- basement-flooding -----------------------------------------------------------------

TEST_F(LibraryScenario, BasementFloodRisesThroughEveryLevel) {
  auto got = run("basement-flooding",
                 steps({
                     every(30s, 0s, 30s, "wl-garage", "water_level", {0}, "cm"),
                     every(30s, 1min, (6min + 30s), "wl-garage", "water_level", {3, 3.2}, "cm"),        // IV after 5 min
                     every(30s, 7min, (9min + 30s), "wl-garage", "water_level", {12, 12.5}, "cm"),      // III after 2 min
                     every(30s, 10min, (11min + 30s), "wl-garage", "water_level", {0.35, 0.36}, "m"),   // II after 1 min
                     every(30s, 12min, 14min, "wl-garage", "water_level", {550, 560}, "mm"),       // I after 1 min
                 }),
                 15min);
  EXPECT_EQ(got, (Expected{{6min, "IV", "Alert"}, {9min, "III", "Update"}, {11min, "II", "Update"}, {13min, "I", "Update"}}));
}

TEST_F(LibraryScenario, BasementIgnoresACarUnderTheUltrasonicGauge) {
  auto got = run("basement-flooding",
                 steps({
                     every(30s, 0s, (2min + 30s), "wl-garage", "water_level", {0}, "cm"),
                     at(3min, "wl-garage", "water_level", 120, "cm"),  // the echo comes off a car roof
                     every(30s, (3min + 30s), 10min, "wl-garage", "water_level", {0}, "cm"),
                 }),
                 15min);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, BasementIgnoresMopping) {
  auto got = run("basement-flooding",
                 steps({
                     every(30s, 0s, (1min + 30s), "wl-garage", "water_level", {0}, "cm"),
                     every(30s, 2min, 5min, "wl-garage", "water_level", {2.5, 3}, "cm"),
                     every(30s, (5min + 30s), 15min, "wl-garage", "water_level", {0.5, 0}, "cm"),
                 }),
                 20min);
  EXPECT_EQ(got, kQuiet);
}

// Water lying right at 2 cm is real water: one IV alert after 5 min, never repeated.
TEST_F(LibraryScenario, BasementGaugeFlappingAtTwoCentimetresAlertsOnceOnly) {
  auto got = run("basement-flooding",
                 steps({
                     every(5s, 0s, 20min, "wl-garage", "water_level", {2.1, 1.9}, "cm"),
                     every(30s, (20min + 5s), 30min, "wl-garage", "water_level", {0}, "cm"),
                 }),
                 40min);
  EXPECT_EQ(got, (Expected{{5min, "IV", "Alert"}}));
}

TEST_F(LibraryScenario, BasementIgnoresADeadBattery) {
  auto got = run("basement-flooding",
                 steps({
                     every(30s, 0s, 3min, "wl-garage", "water_level", {0}, "cm"),
                     every(1min, 0s, 3min, "wl-garage", "battery", {5, 2, 1, 0}, "%"),
                 }),
                 1h);
  EXPECT_EQ(got, kQuiet);
}

// --- lift-entrapment -----------------------------------------------------------------

TEST_F(LibraryScenario, LiftStuckWithPeopleInsideWhileTheOtherLiftRuns) {
  auto got = run("lift-entrapment",
                 steps({
                     every(30s, 0s, (1min + 30s), "lift-a", "elevator_stuck", {0}),
                     every(30s, 2min, 15min, "lift-a", "elevator_stuck", {1}),    // stuck from +2 min
                     every(30s, 15s, (15min + 15s), "lift-b", "elevator_stuck", {0}),  // runs normally
                 }),
                 16min);
  EXPECT_EQ(got, (Expected{{4min, "III", "Alert"}, {12min, "II", "Update"}}));
}

TEST_F(LibraryScenario, LiftIgnoresAShortStop) {
  auto got = run("lift-entrapment",
                 steps({
                     every(30s, 0s, (1min + 30s), "lift-a", "elevator_stuck", {0}),
                     every(30s, 2min, (2min + 30s), "lift-a", "elevator_stuck", {1}),  // re-levelling: one minute
                     every(30s, 3min, 15min, "lift-a", "elevator_stuck", {0}),
                     every(30s, 15s, (15min + 15s), "lift-b", "elevator_stuck", {0}),
                 }),
                 20min);
  EXPECT_EQ(got, kQuiet);
}

// A monitor whose stuck flag flaps is indistinguishable from two lifts reporting in
// turn (docs/plan-library.md): after 2 min it raises III once, and never again. The
// plan's resolve rule (no level held for 5 minutes) then ends the incident: the last
// "stuck" at +4 min leaves the 1-minute window at +5 min, so a Cancel at +10 min.
TEST_F(LibraryScenario, LiftMonitorFlappingAlertsOnceOnly) {
  auto got = run("lift-entrapment",
                 steps({
                     at(0s, "lift-a", "elevator_stuck", 0),
                     every(5s, 1min, 4min, "lift-a", "elevator_stuck", {1, 0}),
                     every(30s, (4min + 30s), 30min, "lift-a", "elevator_stuck", {0}),
                 }),
                 30min);
  EXPECT_EQ(got, (Expected{{3min, "III", "Alert"}, {10min, "III", "Cancel"}}));
}

TEST_F(LibraryScenario, LiftIgnoresABriefFlapAndADeadBattery) {
  auto got = run("lift-entrapment",
                 steps({
                     every(5s, 0s, 50s, "lift-a", "elevator_stuck", {1, 0}),  // under 2 min
                     every(30s, (1min + 30s), 3min, "lift-a", "elevator_stuck", {0}),
                     every(1min, 0s, 3min, "lift-a", "battery", {4, 2, 1, 0}, "%"),
                 }),
                 1h);
  EXPECT_EQ(got, kQuiet);
}

// --- elderly-fall ----------------------------------------------------------------------

TEST_F(LibraryScenario, ElderlyFallRaisesOrangeAtOnce) {
  auto got = run("elderly-fall",
                 steps({every(1min, 0s, 10min, "watch-601", "heartbeat", {72, 75}), at(5min, "watch-601", "fall", 1)}), 15min);
  EXPECT_EQ(got, (Expected{{5min, "II", "Alert"}}));
}

TEST_F(LibraryScenario, ElderlySlowHeartThenAFall) {
  auto got = run("elderly-fall",
                 steps({
                     every(1min, 0s, 1min, "watch-601", "heartbeat", {72}),
                     every(1min, 2min, 15min, "watch-601", "heartbeat", {38, 36}),  // III after 10 min
                     at(14min, "watch-601", "fall", 1),                          // II at once
                 }),
                 16min);
  EXPECT_EQ(got, (Expected{{12min, "III", "Alert"}, {14min, "II", "Update"}}));
}

TEST_F(LibraryScenario, ElderlyRacingHeartThatDoesNotSettle) {
  auto got = run("elderly-fall",
                 steps({at(0s, "watch-902", "heartbeat", 80), every(1min, 1min, 15min, "watch-902", "heartbeat", {128, 135})}),
                 16min);
  EXPECT_EQ(got, (Expected{{11min, "III", "Alert"}}));
}

TEST_F(LibraryScenario, ElderlyIgnoresClimbingStairsAndAWatchTakenOff) {
  auto got = run("elderly-fall",
                 steps({
                     every(1min, 0s, 4min, "watch-601", "heartbeat", {74}),
                     every(1min, 5min, 9min, "watch-601", "heartbeat", {125, 132}),  // five floors of stairs
                     every(1min, 10min, 20min, "watch-601", "heartbeat", {90, 80}),
                     every(1min, 21min, 1h, "watch-601", "heartbeat", {0}),  // taken off to charge overnight
                 }),
                 1h);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, ElderlyIgnoresAHeartRateFlappingAtForty) {
  auto got = run("elderly-fall",
                 steps({
                     every(10s, 0s, (29min + 50s), "watch-601", "heartbeat", {39, 41}),
                     every(1min, 30min, 1h, "watch-601", "heartbeat", {45, 48}),
                 }),
                 1h);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, ElderlyIgnoresADeadBattery) {
  auto got = run("elderly-fall",
                 steps({
                     every(1min, 0s, 5min, "watch-601", "heartbeat", {70}),
                     every(1min, 0s, 5min, "watch-601", "fall", {0}),
                     every(1min, 0s, 5min, "watch-601", "battery", {5, 3, 2, 1, 1, 0}, "%"),
                 }),
                 13h);
  EXPECT_EQ(got, kQuiet);
}

// --- high-rise-power-outage ------------------------------------------------------------

TEST_F(LibraryScenario, PowerOutageInTheHighRise) {
  auto got = run("high-rise-power-outage",
                 steps({
                     every(1min, 0s, 4min, "mains-b12", "power", {1}),
                     every(1min, 5min, 40min, "mains-b12", "power", {0}),  // III after 1 min, II after 30
                 }),
                 41min);
  EXPECT_EQ(got, (Expected{{6min, "III", "Alert"}, {35min, "II", "Update"}}));
}

TEST_F(LibraryScenario, PowerIgnoresADipWhileTheGridRecloses) {
  auto got = run("high-rise-power-outage",
                 steps({
                     every(1min, 0s, 4min, "mains-b12", "power", {1}),
                     at(5min, "mains-b12", "power", 0),
                     at((5min + 20s), "mains-b12", "power", 1),
                     every(1min, 6min, 30min, "mains-b12", "power", {1}),
                 }),
                 40min);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, PowerIgnoresAFlickeringSupply) {
  auto got = run("high-rise-power-outage",
                 steps({
                     every(5s, 0s, (9min + 55s), "mains-b12", "power", {0, 1}),
                     every(1min, 10min, 30min, "mains-b12", "power", {1}),  // steady again
                 }),
                 30min);
  EXPECT_EQ(got, kQuiet);
}

TEST_F(LibraryScenario, PowerIgnoresADeadBatteryAndLowBuildings) {
  auto got = run("high-rise-power-outage",
                 steps({
                     every(1min, 0s, 3min, "mains-b12", "power", {1}),
                     every(1min, 0s, 3min, "mains-b12", "battery", {3, 2, 1, 0}, "%"),
                     every(1min, 0s, 40min, "mains-b07", "power", {0}),  // Building 7 is not a high-rise
                 }),
                 1h);
  EXPECT_EQ(got, kQuiet);
}

}  // namespace
}  // namespace lookout::engine::library_test
