// Scenarios for the library plans that count incident reports (docs/reports.md):
// objects thrown from height (thrown-objects, scope: building), clusters of
// public-health reports (public-health-cluster, scope: community) and flooding reported
// by residents (flood-reports, scope: building). Reports go through
// the core's real report path: a JSON report on lookout/v1/reports, de-duplicated by
// id, stored, receipted, and counted by reports(CATEGORY, T). Virtual time, as in
// library_support.h.
//
// docs/plan-library.md explains every threshold these scenarios exercise.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "library_support.h"

namespace lookout::engine::library_test {
namespace {

constexpr Duration kDay = 24h;

std::string receipt_status(const std::string& payload) { return json::parse(payload)["status"].get<std::string>(); }
std::string receipt_incident(const std::string& payload) { return json::parse(payload)["incident"].get<std::string>(); }

// --- thrown-objects ------------------------------------------------------------------

// A bottle on Monday, a flower pot on Thursday: III. Two more the same afternoon:
// three within a day, II. One incident for Building 12; the reports after the first
// are merged into it.
TEST_F(LibraryScenario, ThrownObjectsTwiceInAWeekThenThreeInADay) {
  const std::string b12 = "xc/hl/qy/g03/b12";
  auto got = run("thrown-objects",
                 steps({
                     report(0s, "hotline-0001", "thrown_object", b12),
                     report(3 * kDay, "app-0002", "thrown_object", b12),            // III
                     report(3 * kDay + 2h, "grid-0003", "thrown_object", b12),
                     report(3 * kDay + 5h, "hotline-0004", "thrown_object", b12),  // 3 within a day: II
                 }),
                 3 * kDay + 6h);
  EXPECT_EQ(got, (Expected{{3 * kDay, "III", "Alert"}, {3 * kDay + 5h, "II", "Update"}}));
  EXPECT_EQ(places_alerted_, std::set<std::string>{b12});
  ASSERT_EQ(core_->incidents().size(), 1u);
  const std::string incident = core_->incidents()[0]->id;
  ASSERT_EQ(receipts("hotline-0001").size(), 1u);
  EXPECT_EQ(receipt_status(receipts("hotline-0001")[0]), "accepted");
  EXPECT_EQ(receipt_incident(receipts("hotline-0001")[0]), "");  // one report: no incident
  ASSERT_EQ(receipts("app-0002").size(), 1u);
  EXPECT_EQ(receipt_status(receipts("app-0002")[0]), "accepted");
  EXPECT_EQ(receipt_incident(receipts("app-0002")[0]), incident);
  ASSERT_EQ(receipts("grid-0003").size(), 1u);
  EXPECT_EQ(receipt_status(receipts("grid-0003")[0]), "merged");
  EXPECT_EQ(receipt_incident(receipts("grid-0003")[0]), incident);
  ASSERT_EQ(alerts_.size(), 2u);
  EXPECT_EQ(alerts_[0]["info"][0]["headline"], "Objects thrown from the windows of Building 12");
}

// Five reports in a week, never three within a day, is II too.
TEST_F(LibraryScenario, ThrownObjectsFiveInAWeek) {
  const std::string b12 = "xc/hl/qy/g03/b12";
  auto got = run("thrown-objects",
                 steps({
                     report(0s, "r-1", "thrown_object", b12),
                     report(kDay + 12h, "r-2", "thrown_object", b12),  // III
                     report(3 * kDay, "r-3", "thrown_object", b12),
                     report(4 * kDay + 12h, "r-4", "thrown_object", b12),
                     report(6 * kDay, "r-5", "thrown_object", b12),  // 5 within 7 days: II
                 }),
                 6 * kDay + 1h);
  EXPECT_EQ(got, (Expected{{kDay + 12h, "III", "Alert"}, {6 * kDay, "II", "Update"}}));
}

TEST_F(LibraryScenario, ThrownObjectsIgnoresOneReport) {
  auto got = run("thrown-objects", steps({report(1h, "r-1", "thrown_object", "xc/hl/qy/g03/b12")}), 10 * kDay);
  EXPECT_EQ(got, kQuiet);
  EXPECT_TRUE(core_->incidents().empty());
}

// The sender got no receipt in time and sent the same report again: one report.
TEST_F(LibraryScenario, ThrownObjectsSameReportSentTwiceCountsOnce) {
  auto got = run("thrown-objects",
                 steps({
                     report(1h, "app-7781", "thrown_object", "xc/hl/qy/g03/b12"),
                     report((1h + 30s), "app-7781", "thrown_object", "xc/hl/qy/g03/b12"),
                 }),
                 8 * kDay);
  EXPECT_EQ(got, kQuiet);
  EXPECT_EQ(core_->stats().reports, 1u);
  EXPECT_EQ(core_->stats().reports_duplicate, 1u);
  auto r = receipts("app-7781");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], r[1]);  // the same receipt, byte for byte
  EXPECT_EQ(receipt_status(r[0]), "accepted");
}

// A report every 8 days: never two within a week.
TEST_F(LibraryScenario, ThrownObjectsIgnoresReportsSpreadOverMoreThanAWeek) {
  const std::string b12 = "xc/hl/qy/g03/b12";
  auto got = run("thrown-objects",
                 steps({
                     report(0s, "r-1", "thrown_object", b12),
                     report(8 * kDay, "r-2", "thrown_object", b12),
                     report(16 * kDay, "r-3", "thrown_object", b12),
                     report(24 * kDay, "r-4", "thrown_object", b12),
                 }),
                 30 * kDay);
  EXPECT_EQ(got, kQuiet);
}

// One report each for two buildings, a building of another grid, a grid and the
// community as a whole, all within four days: each counts where it was made, alone.
TEST_F(LibraryScenario, ThrownObjectsReportsAboutDifferentPlacesDoNotAddUp) {
  auto got = run("thrown-objects",
                 steps({
                     report(0s, "r-1", "thrown_object", "xc/hl/qy/g03/b12"),
                     report(kDay, "r-2", "thrown_object", "xc/hl/qy/g03/b14"),
                     report(2 * kDay, "r-3", "thrown_object", "xc/hl/qy/g01/b07"),
                     report(3 * kDay, "r-4", "thrown_object", "xc/hl/qy/g03"),
                     report(4 * kDay, "r-5", "thrown_object", "xc/hl/qy"),
                     report(4 * kDay, "r-6", "fire", "xc/hl/qy/g03/b12"),  // another category
                 }),
                 5 * kDay);
  EXPECT_EQ(got, kQuiet);
  EXPECT_EQ(core_->stats().reports, 6u);
}

// The report's own time counts, not its arrival: a report made four days late about
// an object seen 2 days after the first one makes two within a week.
TEST_F(LibraryScenario, ThrownObjectsLateReportCountsWhenTheObjectFell) {
  const std::string b12 = "xc/hl/qy/g03/b12";
  auto got = run("thrown-objects",
                 steps({
                     report(0s, "r-1", "thrown_object", b12),
                     report(6 * kDay, "r-2", "thrown_object", b12, 2 * kDay),  // seen on day 2
                 }),
                 7 * kDay);
  EXPECT_EQ(got, (Expected{{6 * kDay, "III", "Alert"}}));
}

// Two reports, then two quiet weeks after III stopped holding (7 days after the
// first report): the incident resolves (Cancel). Throwing again within the month
// reopens the same incident (an Update).
TEST_F(LibraryScenario, ThrownObjectsResolvesAfterTwoQuietWeeksAndReopens) {
  const std::string b12 = "xc/hl/qy/g03/b12";
  auto got = run("thrown-objects",
                 steps({
                     report(0s, "r-1", "thrown_object", b12),
                     report(kDay, "r-2", "thrown_object", b12),  // III
                     report(30 * kDay, "r-3", "thrown_object", b12),
                     report(31 * kDay, "r-4", "thrown_object", b12),  // III again: reopened
                 }),
                 32 * kDay);
  EXPECT_EQ(got, (Expected{{kDay, "III", "Alert"}, {21 * kDay, "III", "Cancel"}, {31 * kDay, "III", "Update"}}));
  EXPECT_EQ(core_->incidents().size(), 1u);
}

// --- public-health-cluster -------------------------------------------------------------

// Diarrhoea reported from two buildings of grid 3, a building of grid 1, the community
// and the grid as a whole: five within 3 days is a cluster (III) for Qingyuan. Fifteen
// more over the next days make twenty within a week (II).
TEST_F(LibraryScenario, HealthClusterAddsUpAcrossTheCommunity) {
  std::vector<Step> more;
  for (int i = 0; i < 15; ++i) {
    more.push_back(report(2 * kDay + (i + 1) * 6h, "clinic-" + std::to_string(100 + i), "diarrhoea",
                          i % 2 ? "xc/hl/qy/g03/b12" : "xc/hl/qy/g01/b07")[0]);
  }
  auto got = run("public-health-cluster",
                 steps({
                     report(0s, "clinic-001", "diarrhoea", "xc/hl/qy/g03/b12"),
                     report(6h, "app-002", "diarrhoea", "xc/hl/qy/g03/b14"),
                     report(20h, "grid-003", "diarrhoea", "xc/hl/qy/g01/b07"),
                     report(kDay, "hotline-004", "diarrhoea", "xc/hl/qy"),
                     report(2 * kDay, "clinic-005", "diarrhoea", "xc/hl/qy/g03"),  // 5 within 3 days: III
                     more,                                                        // the 20th at +5d18h: II
                 }),
                 6 * kDay);
  EXPECT_EQ(got, (Expected{{2 * kDay, "III", "Alert"}, {5 * kDay + 18h, "II", "Update"}}));
  EXPECT_EQ(places_alerted_, std::set<std::string>{"xc/hl/qy"});
  ASSERT_EQ(core_->incidents().size(), 1u);
  EXPECT_EQ(core_->incidents()[0]->place.str(), "xc/hl/qy");
  ASSERT_EQ(alerts_.size(), 2u);
  EXPECT_EQ(alerts_[0]["info"][0]["category"][0], "Health");
  EXPECT_EQ(alerts_[0]["info"][0]["headline"],
            "Several people ill in Qingyuan community: the community clinic is looking into it");
}

// Four diarrhoea and four fever reports within 3 days: the categories are counted
// apart, and neither reaches five.
TEST_F(LibraryScenario, HealthClusterQuietOnAFewReports) {
  std::vector<Step> script;
  for (int i = 0; i < 4; ++i) {
    script.push_back(report(i * 12h, "d-" + std::to_string(i), "diarrhoea", "xc/hl/qy/g03/b12")[0]);
    script.push_back(report(i * 12h + 1h, "f-" + std::to_string(i), "fever", "xc/hl/qy/g03/b14")[0]);
  }
  auto got = run("public-health-cluster", steps({script}), 10 * kDay);
  EXPECT_EQ(got, kQuiet);
}

// A case every 20 hours for four weeks (34 in all): at most four within any 3 days
// and nine within any week.
TEST_F(LibraryScenario, HealthClusterQuietWhenSpreadOverWeeks) {
  std::vector<Step> script;
  int i = 0;
  for (Duration t = 0s; t <= 28 * kDay; t += 20h, ++i) {
    script.push_back(report(t, "d-" + std::to_string(i), "diarrhoea", i % 2 ? "xc/hl/qy/g03/b12" : "xc/hl/qy/g01/b07")[0]);
  }
  auto got = run("public-health-cluster", steps({script}), 30 * kDay);
  EXPECT_EQ(got, kQuiet);
  EXPECT_EQ(core_->stats().reports, 34u);
}

// Three fever cases in Qingyuan and three in Dongjing the same day: each community
// counts its own. Two more in Dongjing make five there: III for Dongjing only.
TEST_F(LibraryScenario, HealthClusterCountsEachCommunityOnItsOwn) {
  auto got = run("public-health-cluster",
                 steps({
                     report(0s, "f-qy-1", "fever", "xc/hl/qy/g03/b12"),
                     report(1h, "f-qy-2", "fever", "xc/hl/qy/g03/b14"),
                     report(2h, "f-qy-3", "fever", "xc/hl/qy/g01/b07"),
                     report(0s, "f-dj-1", "fever", "xc/hl/dj/g02/b05"),
                     report(1h, "f-dj-2", "fever", "xc/hl/dj/g02/b05"),
                     report(2h, "f-dj-3", "fever", "xc/hl/dj/g01/b01"),
                     report(4h, "f-hl-1", "fever", "xc/hl"),  // only the subdistrict known: counted there
                     report(kDay, "f-dj-4", "fever", "xc/hl/dj"),
                     report(2 * kDay, "f-dj-5", "fever", "xc/hl/dj/g02/b06"),  // 5 in Dongjing: III
                 }),
                 3 * kDay);
  EXPECT_EQ(got, (Expected{{2 * kDay, "III", "Alert"}}));
  EXPECT_EQ(places_alerted_, std::set<std::string>{"xc/hl/dj"});
}

// --- flood-reports -------------------------------------------------------------------

// Every text of every alert sent: headline, description and instruction of each info.
std::vector<std::string> alert_texts(const std::vector<json>& alerts) {
  std::vector<std::string> out;
  for (const auto& alert : alerts) {
    for (const auto& info : alert["info"]) {
      for (const char* key : {"headline", "description", "instruction"}) {
        if (info.contains(key)) out.push_back(info[key].get<std::string>());
      }
    }
  }
  return out;
}

// Water comes down the stairwell of Building 12: three residents report it within 20
// minutes. The first report opens the incident (IV, property staff go and look), the
// third makes it flooding (III). One incident; the second and third reports are merged
// into it.
TEST_F(LibraryScenario, FloodReportsThreeResidentsOfOneBuildingMakeOneIncident) {
  const std::string b12 = "xc/hl/qy/g03/b12";
  auto got = run("flood-reports",
                 steps({
                     report(0s, "res-1801", "flood", b12),  // IV
                     report(8min, "res-1502", "flood", b12),
                     report(20min, "res-1203", "flood", b12),  // 3 within an hour: III
                 }),
                 30min);
  EXPECT_EQ(got, (Expected{{0s, "IV", "Alert"}, {20min, "III", "Update"}}));
  EXPECT_EQ(places_alerted_, std::set<std::string>{b12});
  ASSERT_EQ(core_->incidents().size(), 1u);
  const std::string incident = core_->incidents()[0]->id;
  const std::vector<std::pair<std::string, std::string>> expected_receipts = {
      {"res-1801", "accepted"}, {"res-1502", "merged"}, {"res-1203", "merged"}};
  for (const auto& [id, status] : expected_receipts) {
    SCOPED_TRACE(id);
    auto r = receipts(id);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(receipt_status(r[0]), status);
    EXPECT_EQ(receipt_incident(r[0]), incident);
  }
  ASSERT_EQ(alerts_.size(), 2u);
  EXPECT_EQ(alerts_[0]["info"][0]["headline"], "Water reported in Building 12");
  EXPECT_EQ(alerts_[1]["info"][0]["headline"],
            "Flooding in Building 12: move belongings and cars, keep out of the basement");
  ASSERT_EQ(alerts_[1]["info"].size(), 2u);
  EXPECT_EQ(alerts_[1]["info"][1]["language"], "zh-CN");
  EXPECT_EQ(alerts_[1]["info"][1]["headline"], "Building 12发生水浸：请转移物品和车辆，不要进入地下室");
  // A report has no measured value: every placeholder the texts use is filled, and no
  // text names a report id.
  for (const auto& text : alert_texts(alerts_)) {
    EXPECT_EQ(text.find('{'), std::string::npos) << text;
    EXPECT_EQ(text.find("res-"), std::string::npos) << text;
  }
}

// A resident's app got no receipt in time and sent the same report again: two
// different reports and a copy are two, and stay IV.
TEST_F(LibraryScenario, FloodReportsSameReportSentTwiceCountsOnce) {
  const std::string b12 = "xc/hl/qy/g03/b12";
  auto got = run("flood-reports",
                 steps({
                     report(0s, "app-5521", "flood", b12),  // IV
                     report(2min, "app-5521", "flood", b12),  // the same report again
                     report(10min, "res-0602", "flood", b12),
                 }),
                 1h);
  EXPECT_EQ(got, (Expected{{0s, "IV", "Alert"}}));
  EXPECT_EQ(core_->stats().reports, 2u);
  EXPECT_EQ(core_->stats().reports_duplicate, 1u);
  ASSERT_EQ(core_->incidents().size(), 1u);
  auto r = receipts("app-5521");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], r[1]);  // the same receipt, byte for byte
  EXPECT_EQ(receipt_status(r[0]), "accepted");
  EXPECT_EQ(receipt_incident(r[0]), core_->incidents()[0]->id);
  ASSERT_EQ(receipts("res-0602").size(), 1u);
  EXPECT_EQ(receipt_status(receipts("res-0602")[0]), "merged");
}

// Two reports each from Building 12 and its neighbour Building 14, all within 15
// minutes: four reports in the grid, but two per building. Each building has its own
// incident, at IV.
TEST_F(LibraryScenario, FloodReportsTwoBuildingsMakeTwoIncidents) {
  const std::string b12 = "xc/hl/qy/g03/b12";
  const std::string b14 = "xc/hl/qy/g03/b14";
  auto got = run("flood-reports",
                 steps({
                     report(0s, "r-1", "flood", b12),
                     report(5min, "r-2", "flood", b14),
                     report(10min, "r-3", "flood", b12),
                     report(15min, "r-4", "flood", b14),
                 }),
                 1h);
  EXPECT_EQ(got, (Expected{{0s, "IV", "Alert"}, {5min, "IV", "Alert"}}));
  EXPECT_EQ(places_alerted_, (std::set<std::string>{b12, b14}));
  ASSERT_EQ(core_->incidents().size(), 2u);
  const std::string first = receipt_incident(receipts("r-1").at(0));
  const std::string second = receipt_incident(receipts("r-2").at(0));
  EXPECT_NE(first, second);
  EXPECT_EQ(receipt_status(receipts("r-3").at(0)), "merged");
  EXPECT_EQ(receipt_incident(receipts("r-3").at(0)), first);
  EXPECT_EQ(receipt_status(receipts("r-4").at(0)), "merged");
  EXPECT_EQ(receipt_incident(receipts("r-4").at(0)), second);
}

// Building 12 (grid 3) has water reported twice. A report from Building 7 of grid 1,
// one that names only grid 3 and a fire report about Building 12 do not join its
// incident: Building 12 stays at IV with two reports, and the other places are
// counted on their own (each one report: IV there).
TEST_F(LibraryScenario, FloodReportsFromAnotherGridDoNotJoin) {
  const std::string b12 = "xc/hl/qy/g03/b12";
  auto got = run("flood-reports",
                 steps({
                     report(0s, "r-1", "flood", b12),
                     report(5min, "r-2", "flood", b12),
                     report(10min, "r-3", "flood", "xc/hl/qy/g01/b07"),
                     report(12min, "r-4", "flood", "xc/hl/qy/g03"),  // only the grid known
                     report(15min, "r-5", "fire", b12),             // another category
                 }),
                 1h);
  EXPECT_EQ(got, (Expected{{0s, "IV", "Alert"}, {10min, "IV", "Alert"}, {12min, "IV", "Alert"}}));
  EXPECT_EQ(places_alerted_, (std::set<std::string>{b12, "xc/hl/qy/g01/b07", "xc/hl/qy/g03"}));
  EXPECT_EQ(core_->incidents().size(), 3u);
  const std::string b12_incident = receipt_incident(receipts("r-1").at(0));
  EXPECT_EQ(receipt_status(receipts("r-3").at(0)), "accepted");
  EXPECT_NE(receipt_incident(receipts("r-3").at(0)), b12_incident);
  EXPECT_EQ(receipt_status(receipts("r-4").at(0)), "accepted");
  EXPECT_NE(receipt_incident(receipts("r-4").at(0)), b12_incident);
  EXPECT_EQ(receipt_incident(receipts("r-5").at(0)), "");  // no plan reads fire here
}

// Flooding, then no more reports: III holds for an hour after the last report, then
// the incident is lowered to IV, which holds for the last report's 2 hours; 6 hours
// after that (8 hours after the last report) it resolves (Cancel). Water reported
// again 10 hours later, within the 12 hours of reopen_within, reopens the same
// incident (an Update).
TEST_F(LibraryScenario, FloodReportsResolveAfterSixQuietHoursAndReopen) {
  const std::string b12 = "xc/hl/qy/g03/b12";
  auto got = run("flood-reports",
                 steps({
                     report(0s, "r-1", "flood", b12),
                     report(10min, "r-2", "flood", b12),
                     report(20min, "r-3", "flood", b12),  // III
                     report(18h + 20min, "r-4", "flood", b12),  // 10 h after the Cancel: reopened
                 }),
                 19h);
  EXPECT_EQ(got, (Expected{{0s, "IV", "Alert"},
                           {20min, "III", "Update"},
                           {1h + 20min, "IV", "Update"},
                           {8h + 20min, "IV", "Cancel"},
                           {18h + 20min, "IV", "Update"}}));
  ASSERT_EQ(core_->incidents().size(), 1u);
  const std::string incident = core_->incidents()[0]->id;
  ASSERT_EQ(receipts("r-4").size(), 1u);
  EXPECT_EQ(receipt_status(receipts("r-4")[0]), "accepted");  // the incident was not open
  EXPECT_EQ(receipt_incident(receipts("r-4")[0]), incident);
}

// Water reported again more than 12 hours after the end is a new incident.
TEST_F(LibraryScenario, FloodReportsAfterTwelveHoursOpenANewIncident) {
  const std::string b12 = "xc/hl/qy/g03/b12";
  auto got = run("flood-reports",
                 steps({
                     report(0s, "r-1", "flood", b12),
                     report(21h, "r-2", "flood", b12),  // 13 h after the Cancel
                 }),
                 22h);
  EXPECT_EQ(got, (Expected{{0s, "IV", "Alert"}, {8h, "IV", "Cancel"}, {21h, "IV", "Alert"}}));
  EXPECT_EQ(core_->incidents().size(), 2u);
}

// Reports keep coming from the upper floors, one every 40 minutes after the first
// three: III holds while they come (clear < 1), without dropping to IV and rising
// again. An hour after the last report it is lowered to IV; it resolves 8 hours after
// the last report.
TEST_F(LibraryScenario, FloodReportsSteadyTrickleKeepsYellow) {
  const std::string b12 = "xc/hl/qy/g03/b12";
  auto got = run("flood-reports",
                 steps({
                     report(0s, "r-1", "flood", b12),
                     report(10min, "r-2", "flood", b12),
                     report(20min, "r-3", "flood", b12),  // III
                     report(1h, "r-4", "flood", b12),
                     report(1h + 40min, "r-5", "flood", b12),
                     report(2h + 20min, "r-6", "flood", b12),
                     report(3h, "r-7", "flood", b12),
                 }),
                 12h);
  EXPECT_EQ(got, (Expected{{0s, "IV", "Alert"}, {20min, "III", "Update"}, {4h, "IV", "Update"}, {11h, "IV", "Cancel"}}));
  EXPECT_EQ(core_->incidents().size(), 1u);
}

// The report's own time counts: water seen 3 hours before the report arrives is
// outside IV's 2 hours and raises nothing (the sender leaves "time" out when the water
// is still there).
TEST_F(LibraryScenario, FloodReportsOldReportRaisesNothing) {
  auto got = run("flood-reports", steps({report(5h, "r-1", "flood", "xc/hl/qy/g03/b12", 2h)}), 6h);
  EXPECT_EQ(got, kQuiet);
  EXPECT_TRUE(core_->incidents().empty());
  ASSERT_EQ(receipts("r-1").size(), 1u);
  EXPECT_EQ(receipt_status(receipts("r-1")[0]), "accepted");
  EXPECT_EQ(receipt_incident(receipts("r-1")[0]), "");
}

}  // namespace
}  // namespace lookout::engine::library_test
