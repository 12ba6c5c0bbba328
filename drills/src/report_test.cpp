#include "lookout/drills/report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "lookout/base/time_format.h"

namespace lookout::drills {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

std::size_t count(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string_view::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// The part of the HTML between <svg and </svg> (the timeline).
std::string svg_of(const std::string& html) {
  const std::size_t begin = html.find("<svg");
  const std::size_t end = html.find("</svg>");
  if (begin == std::string::npos || end == std::string::npos) return "";
  return html.substr(begin, end + 6 - begin);
}

ResponseTime response(std::string assignment, std::string incident, std::string role, std::string staff,
                      Duration offered, std::string answer, std::optional<Duration> answered_after = std::nullopt,
                      std::optional<Duration> arrived_after = std::nullopt) {
  ResponseTime r;
  r.assignment = std::move(assignment);
  r.incident = std::move(incident);
  r.role = std::move(role);
  r.staff = std::move(staff);
  r.offered = offered;
  r.answer = std::move(answer);
  r.answered_after = answered_after;
  r.arrived_after = arrived_after;
  return r;
}

DrillEvent event(Duration at, std::string kind, std::string incident, std::string level, std::string staff = "",
                 std::string role = "", std::string text = "") {
  DrillEvent e;
  e.at = at;
  e.kind = std::move(kind);
  e.incident = std::move(incident);
  e.level = std::move(level);
  e.place = e.incident == "inc-000001" ? "xc/hl/qy/g03/b12" : e.incident == "inc-000002" ? "xc/hl/qy/g04" : "";
  e.staff = std::move(staff);
  e.role = std::move(role);
  e.text = std::move(text);
  return e;
}

// Two incidents: a fire in building 12 (II, raised to I, resolved) and a flood in grid
// g04 (III, lowered to IV); assignments with every mark; an escalation; a medic nobody
// could be found for; one expectation failed.
DrillReport failed_report() {
  DrillReport r;
  r.drill = "night-fire";
  r.title = "Night fire <&> \"b12\" 'drill'";
  r.scenario_file = "scenarios/night-fire.yaml";
  r.seed = 42;
  r.start = *parse_iso8601("2026-11-21T21:00:00+08:00");
  r.time_zone = "Asia/Shanghai";
  r.duration = hours(1);
  const std::string f = "inc-000001";
  const std::string w = "inc-000002";
  r.events = {
      event(seconds(90), "alert", f, "II", "", "", "Alert: Fire alarm in Building 12"),
      event(seconds(95), "assigned", f, "II", "w-a", "fire_warden", "1 of 2 needed"),
      event(seconds(95), "assigned", f, "II", "w-b", "fire_warden", "2 of 2 needed"),
      event(seconds(100), "notice", f, "II", "c-g03", "", "grid coordinators"),
      event(seconds(150), "accepted", f, "II", "w-a", "fire_warden"),
      event(seconds(160), "declined", f, "II", "w-b", "fire_warden"),
      event(seconds(165), "assigned", f, "II", "w-c", "fire_warden", "2 of 2 needed"),
      event(seconds(300), "alert", f, "I", "", "", "Update: level I <red> & evacuate"),
      event(seconds(300), "assigned", f, "I", "m-a", "medic", "1 of 1 needed"),
      event(seconds(420), "arrived", f, "I", "w-a", "fire_warden"),
      event(seconds(465), "no_answer", f, "I", "w-c", "fire_warden"),
      event(seconds(600), "escalated", f, "I", "", "", "not acknowledged 5m after level I"),
      event(seconds(600), "no_answer", f, "I", "m-a", "medic"),
      event(seconds(601), "role_unfilled", f, "I", "", "medic", "nobody left in the district"),
      event(seconds(900), "alert", w, "III", "", "", "Alert: Water rising in grid g04"),
      event(seconds(905), "assigned", w, "III", "g-a", "grid_worker", "1 of 1 needed"),
      event(seconds(960), "accepted", w, "III", "g-a", "grid_worker"),
      event(seconds(1200), "done", f, "I", "w-a", "fire_warden"),
      event(seconds(1500), "alert", w, "IV", "", "", "Update: level IV"),
      event(seconds(2400), "alert", f, "", "", "", "Cancel: all clear"),
      event(seconds(2400), "resolved", f, ""),
      event(seconds(2400), "released", w, "IV", "g-a", "grid_worker"),
  };
  r.levels = {
      {seconds(90), f, "xc/hl/qy/g03/b12", "II"},
      {seconds(300), f, "xc/hl/qy/g03/b12", "I"},
      {seconds(900), w, "xc/hl/qy/g04", "III"},
      {seconds(1500), w, "xc/hl/qy/g04", "IV"},
      {seconds(2400), f, "xc/hl/qy/g03/b12", ""},
  };
  // The assignments of the events above, as the recorder takes them.
  r.responses = {
      response("a-000001", f, "fire_warden", "w-a", seconds(95), "accepted", seconds(55), seconds(325)),
      response("a-000002", f, "fire_warden", "w-b", seconds(95), "declined", seconds(65)),
      response("a-000003", f, "fire_warden", "w-c", seconds(165), "no_answer"),
      response("a-000004", f, "medic", "m-a", seconds(300), "no_answer"),
      response("a-000005", w, "grid_worker", "g-a", seconds(905), "accepted", seconds(55)),
  };
  r.roles = {
      {f, "xc/hl/qy/g03/b12", "fire_warden", 2, 1, std::nullopt},
      {f, "xc/hl/qy/g03/b12", "medic", 1, 0, std::nullopt},
      {w, "xc/hl/qy/g04", "grid_worker", 1, 1, seconds(960)},
  };
  r.expectations = {
      {"level II alert within 3m of smoke >= 0.15", 30, true, "level II alert at 00:01:30, 45s after smoke 0.16 at 00:00:45"},
      {"2 fire_warden accepted within 5m of the first alert", 31, false,
       "1 of 2 fire_warden accepted by 00:06:30 (w-a at 00:02:30); w-b declined | w-c did not answer"},
      {"no actual alert", 32, true, "0 of 5 alerts with status Actual"},
  };
  r.first_alert = seconds(90);
  r.readings = 240;
  r.reports = 2;
  r.alerts = 5;
  r.actual_alerts = 0;
  r.assignments = 6;
  r.dead_letters = 1;
  r.engine_events = 512;
  return r;
}

DrillReport passed_report() {
  DrillReport r;
  r.drill = "cooking-smoke";
  r.title = "Cooking smoke raises nothing";
  r.scenario_file = "cooking.yaml";
  r.seed = 7;
  r.start = *parse_iso8601("2026-11-21T12:00:00Z");
  r.time_zone = "UTC";
  r.duration = minutes(30);
  r.events = {event(seconds(60), "report", "", "", "", "", "r-1 smell of smoke")};
  r.expectations = {{"no alert", 10, true, "no alert in 00:30:00"}};
  r.readings = 60;
  r.reports = 1;
  return r;
}

DrillSummary summary() {
  DrillSummary s;
  s.drill = "night-fire";
  s.title = "Night fire | <runs>";
  s.seeds = {1, 2, 3, 7};
  s.runs = 4;
  s.runs_passed = 3;
  s.first_alert = {4, seconds(90), seconds(100), seconds(125)};
  s.fully_staffed = {3, minutes(6), minutes(9), std::chrono::seconds(630)};
  s.runs_fully_staffed = 3;
  s.unfilled_role_probability = {{"fire_warden", 0.25}, {"medic", 0.5}};
  s.weakest_places = {{"xc/hl/qy/g03/b12", 1}, {"xc/hl/qy/g04", 2}};
  s.weakest_hours = {{21, 1}, {3, 2}};
  s.expectation_passes = {{"level II alert within 3m", 4}, {"2 fire_warden accepted within 5m", 3}};
  return s;
}

// --- format_offset --------------------------------------------------------------------

TEST(FormatOffset, HoursMinutesSeconds) {
  EXPECT_EQ(format_offset(Duration::zero()), "00:00:00");
  EXPECT_EQ(format_offset(seconds(150)), "00:02:30");
  EXPECT_EQ(format_offset(seconds(59)), "00:00:59");
  EXPECT_EQ(format_offset(seconds(3599)), "00:59:59");
  EXPECT_EQ(format_offset(hours(1)), "01:00:00");
}

TEST(FormatOffset, HoursPastADay) {
  EXPECT_EQ(format_offset(hours(26)), "26:00:00");
  EXPECT_EQ(format_offset(hours(100) + seconds(1)), "100:00:01");
}

TEST(FormatOffset, FractionsAreCutNotRounded) {
  EXPECT_EQ(format_offset(milliseconds(999)), "00:00:00");
  EXPECT_EQ(format_offset(milliseconds(59999)), "00:00:59");
}

// --- Markdown -------------------------------------------------------------------------

TEST(ReportMarkdown, HeaderAndVerdict) {
  const std::string md = to_markdown(failed_report());
  EXPECT_NE(md.find("# Drill report: Night fire \\<&> \"b12\" 'drill'\n"), std::string::npos) << md;
  EXPECT_NE(md.find("- Drill: night-fire\n"), std::string::npos);
  EXPECT_NE(md.find("- Scenario: scenarios/night-fire.yaml\n"), std::string::npos);
  EXPECT_NE(md.find("- Seed: 42\n"), std::string::npos);
  EXPECT_NE(md.find("- Start: 2026-11-21T21:00:00+08:00 (Asia/Shanghai)\n"), std::string::npos);
  EXPECT_NE(md.find("- Duration: 01:00:00\n"), std::string::npos);
  EXPECT_NE(md.find("**FAILED**: 1 of 3 expectations failed"), std::string::npos);
  EXPECT_EQ(md.find("PASSED"), std::string::npos);
}

TEST(ReportMarkdown, ExpectationRowsWithEvidence) {
  const std::string md = to_markdown(failed_report());
  EXPECT_NE(md.find("| ✔ | level II alert within 3m of smoke >= 0.15 | level II alert at 00:01:30"), std::string::npos)
      << md;
  // The evidence's own | does not split the cell.
  EXPECT_NE(md.find("| ✘ | 2 fire_warden accepted within 5m of the first alert | 1 of 2 fire_warden accepted by "
                    "00:06:30 (w-a at 00:02:30); w-b declined \\| w-c did not answer |\n"),
            std::string::npos)
      << md;
}

TEST(ReportMarkdown, MeasuresRolesAndNever) {
  const std::string md = to_markdown(failed_report());
  EXPECT_NE(md.find("| Time to first alert | 00:01:30 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| Time to fully staffed | **never** |"), std::string::npos);
  EXPECT_NE(md.find("| Readings sent | 240 |"), std::string::npos);
  EXPECT_NE(md.find("| Alerts with status Actual | 0 |"), std::string::npos);
  EXPECT_NE(md.find("| Dead letters | 1 |"), std::string::npos);
  EXPECT_NE(md.find("| inc-000001 | xc/hl/qy/g03/b12 | medic | 1 | 0 | **never** |"), std::string::npos);
  EXPECT_NE(md.find("| inc-000002 | xc/hl/qy/g04 | grid_worker | 1 | 1 | 00:16:00 |"), std::string::npos);
}

TEST(ReportMarkdown, TimelineHasEveryEvent) {
  const DrillReport r = failed_report();
  const std::string md = to_markdown(r);
  EXPECT_NE(md.find("| 00:01:30 | alert | inc-000001 | II |  | Alert: Fire alarm in Building 12 |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| 00:02:30 | accepted | inc-000001 | II | w-a / fire_warden |  |"), std::string::npos);
  EXPECT_NE(md.find("| 00:10:01 | role_unfilled | inc-000001 | I | medic | nobody left in the district |"),
            std::string::npos);
  const std::size_t timeline = md.find("## Timeline");
  ASSERT_NE(timeline, std::string::npos);
  EXPECT_EQ(count(md.substr(timeline), "\n| 00:"), r.events.size());
}

TEST(ReportMarkdown, Passed) {
  const std::string md = to_markdown(passed_report());
  EXPECT_NE(md.find("**PASSED**: 1 of 1 expectations met"), std::string::npos) << md;
  EXPECT_NE(md.find("| Time to first alert | no alert |"), std::string::npos);
  EXPECT_NE(md.find("| Time to fully staffed | no staff needed |"), std::string::npos);
  EXPECT_NE(md.find("- Start: 2026-11-21T12:00:00-00:00 (UTC)"), std::string::npos);
}

// --- JSON -----------------------------------------------------------------------------

TEST(ReportJson, ParsesWithEveryField) {
  const std::string text = to_json(failed_report());
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.rfind("{\n  \"drill\": \"night-fire\",\n", 0), 0u) << text.substr(0, 80);
  const json j = json::parse(text);
  EXPECT_EQ(j["drill"], "night-fire");
  EXPECT_EQ(j["title"], "Night fire <&> \"b12\" 'drill'");
  EXPECT_EQ(j["scenario_file"], "scenarios/night-fire.yaml");
  EXPECT_EQ(j["seed"], 42);
  EXPECT_EQ(j["start"], "2026-11-21T21:00:00+08:00");
  EXPECT_EQ(j["time_zone"], "Asia/Shanghai");
  EXPECT_EQ(j["duration_seconds"], 3600);
  EXPECT_EQ(j["duration"], "01:00:00");
  EXPECT_EQ(j["passed"], false);
  EXPECT_EQ(j["expectations_passed"], 2);
  EXPECT_EQ(j["expectations_total"], 3);
  const json& m = j["measures"];
  EXPECT_EQ(m["first_alert_seconds"], 90);
  EXPECT_EQ(m["first_alert"], "00:01:30");
  EXPECT_TRUE(m["fully_staffed_seconds"].is_null());
  EXPECT_TRUE(m["fully_staffed"].is_null());
  EXPECT_EQ(m["readings"], 240);
  EXPECT_EQ(m["reports"], 2);
  EXPECT_EQ(m["alerts"], 5);
  EXPECT_EQ(m["actual_alerts"], 0);
  EXPECT_EQ(m["assignments"], 6);
  EXPECT_EQ(m["dead_letters"], 1);
  EXPECT_EQ(m["engine_events"], 512);
  ASSERT_EQ(j["expectations"].size(), 3u);
  EXPECT_EQ(j["expectations"][1]["passed"], false);
  EXPECT_EQ(j["expectations"][1]["line"], 31);
  EXPECT_NE(j["expectations"][1]["evidence"].get<std::string>().find("w-c did not answer"), std::string::npos);
  ASSERT_EQ(j["roles"].size(), 3u);
  EXPECT_EQ(j["roles"][1]["role"], "medic");
  EXPECT_EQ(j["roles"][1]["filled"], false);
  EXPECT_TRUE(j["roles"][1]["filled_at"].is_null());
  EXPECT_EQ(j["roles"][2]["filled_at_seconds"], 960);
  EXPECT_EQ(j["roles"][2]["filled_at"], "00:16:00");
  ASSERT_EQ(j["levels"].size(), 5u);
  EXPECT_EQ(j["levels"][1]["at_seconds"], 300);
  EXPECT_EQ(j["levels"][1]["level"], "I");
  EXPECT_EQ(j["levels"][4]["level"], "");
  ASSERT_EQ(j["events"].size(), failed_report().events.size());
  const json& e = j["events"][4];
  EXPECT_EQ(e["at_seconds"], 150);
  EXPECT_EQ(e["at"], "00:02:30");
  EXPECT_EQ(e["kind"], "accepted");
  EXPECT_EQ(e["incident"], "inc-000001");
  EXPECT_EQ(e["level"], "II");
  EXPECT_EQ(e["place"], "xc/hl/qy/g03/b12");
  EXPECT_EQ(e["staff"], "w-a");
  EXPECT_EQ(e["role"], "fire_warden");
  EXPECT_EQ(e["text"], "");
}

TEST(ReportJson, KeysInAFixedOrder) {
  const std::string text = to_json(failed_report());
  const char* keys[] = {"\"drill\"", "\"mode\"", "\"note\"", "\"title\"", "\"scenario_file\"", "\"seed\"",
                        "\"start\"", "\"time_zone\"", "\"duration_seconds\"", "\"duration\"", "\"passed\"",
                        "\"measures\"", "\"expectations\"", "\"roles\"", "\"responses\"", "\"levels\"",
                        "\"events\""};
  std::size_t last = 0;
  for (const char* key : keys) {
    const std::size_t at = text.find(key);
    ASSERT_NE(at, std::string::npos) << key;
    EXPECT_GT(at, last) << key;
    last = at;
  }
}

TEST(ReportJson, FractionalOffsets) {
  DrillReport r = passed_report();
  r.events[0].at = milliseconds(1500);
  const json j = json::parse(to_json(r));
  EXPECT_DOUBLE_EQ(j["events"][0]["at_seconds"].get<double>(), 1.5);
  EXPECT_EQ(j["events"][0]["at"], "00:00:01");
  EXPECT_TRUE(j["events"][0]["at_seconds"].is_number_float());
  EXPECT_TRUE(j["duration_seconds"].is_number_integer());
}

TEST(ReportJson, UnknownTimeZoneFallsBackToUtc) {
  DrillReport r = passed_report();
  r.time_zone = "Mars/Olympus_Mons";
  EXPECT_EQ(json::parse(to_json(r))["start"], "2026-11-21T12:00:00-00:00");
}

// --- HTML -----------------------------------------------------------------------------

TEST(ReportHtml, SelfContainedHtml5ForPhones) {
  const std::string html = to_html(failed_report());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"), std::string::npos);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find(" href="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  // Tables and the timeline scroll inside a wrapper rather than widening the page.
  EXPECT_NE(html.find(".scroll{overflow-x:auto"), std::string::npos);
  EXPECT_EQ(count(html, "<div class=\"scroll\">"), 4u);  // the timeline, roles, response times, events
  EXPECT_EQ(html.substr(html.size() - 8), "</html>\n");
}

TEST(ReportHtml, NoFontUnder14Px) {
  const std::string html = to_html(failed_report());
  for (std::size_t at = html.find("font-size:"); at != std::string::npos; at = html.find("font-size:", at + 1)) {
    const int px = std::stoi(html.substr(at + 10));
    EXPECT_GE(px, 14) << html.substr(at, 20);
  }
  // SVG text is 16 viewBox units on a 720-unit viewBox drawn at least 640 px wide.
  EXPECT_NE(html.find("font-size=\"16\""), std::string::npos);
  EXPECT_NE(html.find("min-width:640px"), std::string::npos);
}

TEST(ReportHtml, VerdictColour) {
  const std::string failed = to_html(failed_report());
  EXPECT_NE(failed.find("<header class=\"verdict failed\">"), std::string::npos);
  EXPECT_NE(failed.find("✘ FAILED: 1 of 3 expectations failed"), std::string::npos);
  const std::string passed = to_html(passed_report());
  EXPECT_NE(passed.find("<header class=\"verdict passed\">"), std::string::npos);
  EXPECT_NE(passed.find("✔ PASSED: 1 of 1 expectations met"), std::string::npos);
  EXPECT_NE(passed.find("header.passed{background:#2e7d32}"), std::string::npos);
  EXPECT_NE(passed.find("header.failed{background:#c62828}"), std::string::npos);
}

TEST(ReportHtml, ExpectationsMeasuresRoles) {
  const std::string html = to_html(failed_report());
  EXPECT_EQ(count(html, "<li class=\"pass\">"), 2u);
  EXPECT_EQ(count(html, "<li class=\"fail\">"), 1u);
  EXPECT_NE(html.find("w-b declined | w-c did not answer"), std::string::npos);
  EXPECT_NE(html.find("<dt>Time to first alert</dt><dd>00:01:30</dd>"), std::string::npos);
  EXPECT_NE(html.find("<dt>Time to fully staffed</dt><dd><strong class=\"never\">never</strong></dd>"),
            std::string::npos);
  EXPECT_NE(html.find("<tr><td>inc-000001</td><td>xc/hl/qy/g03/b12</td><td>medic</td><td class=\"num\">1</td>"
                      "<td class=\"num\">0</td><td><strong class=\"never\">never</strong></td></tr>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<td>00:16:00</td></tr>"), std::string::npos);
}

TEST(ReportHtml, EveryEventListed) {
  const DrillReport r = failed_report();
  const std::string html = to_html(r);
  const std::size_t events = html.find("<section id=\"events\">");
  ASSERT_NE(events, std::string::npos);
  EXPECT_EQ(count(html.substr(events), "<tr><td>"), r.events.size());
}

TEST(ReportHtml, SvgTimelineWithLevelBands) {
  const std::string svg = svg_of(to_html(failed_report()));
  ASSERT_FALSE(svg.empty());
  EXPECT_EQ(svg.rfind("<svg class=\"timeline\" viewBox=\"0 0 720 ", 0), 0u) << svg.substr(0, 120);
  EXPECT_NE(svg.find("width=\"100%\""), std::string::npos);
  EXPECT_NE(svg.find("<rect class=\"band level-I\" "), std::string::npos);
  EXPECT_NE(svg.find("<rect class=\"band level-II\" "), std::string::npos);
  EXPECT_NE(svg.find("<rect class=\"band level-III\" "), std::string::npos);
  EXPECT_NE(svg.find("<rect class=\"band level-IV\" "), std::string::npos);
  EXPECT_NE(svg.find("fill=\"#d32f2f\""), std::string::npos);
  EXPECT_NE(svg.find("fill=\"#f57c00\""), std::string::npos);
  EXPECT_NE(svg.find("fill=\"#fbc02d\""), std::string::npos);
  EXPECT_NE(svg.find("fill=\"#1976d2\""), std::string::npos);
  // Level II of inc-000001 from 00:01:30 to 00:05:00 of 01:00:00: x = 16 + 688 * 90/3600.
  EXPECT_NE(svg.find("<rect class=\"band level-II\" x=\"33.2\" "), std::string::npos);
  // Five level changes, one of them a resolve: four bands.
  EXPECT_EQ(count(svg, "class=\"band "), 4u);
  // Lanes and their labels.
  EXPECT_NE(svg.find(">inc-000001 · xc/hl/qy/g03/b12</text>"), std::string::npos);
  EXPECT_NE(svg.find(">inc-000002 · xc/hl/qy/g04</text>"), std::string::npos);
  EXPECT_EQ(count(svg, "<g class=\"lane incident\">"), 2u);
  // Ticks every 10 minutes over an hour.
  EXPECT_NE(svg.find(">00:00</text>"), std::string::npos);
  EXPECT_NE(svg.find(">00:30</text>"), std::string::npos);
  EXPECT_NE(svg.find(">01:00</text>"), std::string::npos);
  EXPECT_EQ(svg.find(">00:05</text>"), std::string::npos);
  // The legend.
  EXPECT_NE(svg.find("<g class=\"legend\">"), std::string::npos);
  EXPECT_NE(svg.find(">Level III yellow</text>"), std::string::npos);
}

TEST(ReportHtml, AlertMarkersWithMsgType) {
  const std::string svg = svg_of(to_html(failed_report()));
  EXPECT_EQ(count(svg, "<g class=\"mark alert\">"), 5u);
  EXPECT_NE(svg.find(">Alert</text>"), std::string::npos);
  EXPECT_NE(svg.find(">Update</text>"), std::string::npos);
  EXPECT_NE(svg.find(">Cancel</text>"), std::string::npos);
}

TEST(ReportHtml, AMarkPerAssignmentState) {
  const std::string svg = svg_of(to_html(failed_report()));
  EXPECT_EQ(count(svg, "<g class=\"lane assignment\">"), 5u);  // w-a, w-b, w-c, m-a, g-a
  EXPECT_EQ(count(svg, "<g class=\"mark offered\">"), 5u);
  EXPECT_EQ(count(svg, "<g class=\"mark accepted\">"), 2u);
  EXPECT_EQ(count(svg, "<g class=\"mark arrived\">"), 1u);
  EXPECT_EQ(count(svg, "<g class=\"mark done\">"), 1u);
  EXPECT_EQ(count(svg, "<g class=\"mark declined\">"), 1u);
  EXPECT_EQ(count(svg, "<g class=\"mark no_answer\">"), 2u);
  EXPECT_EQ(count(svg, "<g class=\"mark released\">"), 1u);
  EXPECT_NE(svg.find(">w-a · fire_warden · inc-000001</text>"), std::string::npos);
  EXPECT_NE(svg.find(">g-a · grid_worker · inc-000002</text>"), std::string::npos);
  // Open circle offered, filled accepted, square arrived, red ✕ for declined and no answer.
  EXPECT_NE(svg.find("r=\"6\" fill=\"#ffffff\" stroke=\"#212121\""), std::string::npos);
  EXPECT_NE(svg.find(">declined</text>"), std::string::npos);
  EXPECT_NE(svg.find(">no answer</text>"), std::string::npos);
  // A notice to a coordinator is no assignment.
  EXPECT_EQ(svg.find("c-g03"), std::string::npos);
}

TEST(ReportHtml, EscalationsAndUnfilledRolesInRed) {
  const std::string svg = svg_of(to_html(failed_report()));
  EXPECT_EQ(count(svg, "<g class=\"mark escalated\">"), 1u);
  EXPECT_EQ(count(svg, "<g class=\"mark role_unfilled\">"), 1u);
  EXPECT_NE(svg.find("fill=\"#c62828\" font-weight=\"700\">escalated</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("fill=\"#c62828\" font-weight=\"700\">unfilled: medic</text>"), std::string::npos);
}

TEST(ReportHtml, TextIsEscaped) {
  const std::string html = to_html(failed_report());
  EXPECT_NE(html.find("<title>Drill report: Night fire &lt;&amp;&gt; &quot;b12&quot; &#39;drill&#39;</title>"),
            std::string::npos);
  EXPECT_NE(html.find("<h1>Night fire &lt;&amp;&gt; &quot;b12&quot; &#39;drill&#39;</h1>"), std::string::npos);
  EXPECT_EQ(html.find("<&>"), std::string::npos);
  EXPECT_EQ(html.find("<red>"), std::string::npos);
  EXPECT_NE(html.find("Update: level I &lt;red&gt; &amp; evacuate"), std::string::npos);
  // In the SVG too (the alert's tooltip).
  EXPECT_NE(svg_of(html).find("00:05:00 Update: level I &lt;red&gt; &amp; evacuate</title>"), std::string::npos);
}

TEST(ReportHtml, EmptyDrill) {
  DrillReport r = passed_report();
  r.events.clear();
  r.expectations.clear();
  r.duration = Duration::zero();
  const std::string html = to_html(r);
  EXPECT_NE(html.find("No incident was raised."), std::string::npos);
  EXPECT_NE(html.find("No assignment was offered."), std::string::npos);
  EXPECT_NE(html.find("<p>Nothing happened.</p>"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
}

// --- Response times, mode and note -----------------------------------------------------

// failed_report() as a live drill cut short, with one member unreachable and one
// assignment still unanswered at the end.
DrillReport live_report() {
  DrillReport r = failed_report();
  r.mode = "live";
  r.note = "stopped by ops <early> at 00:40:00";
  r.responses[3].delivered = false;
  r.responses.push_back(response("a-000006", "inc-000002", "grid_worker", "g-b", seconds(2000), ""));
  return r;
}

TEST(ReportResponses, MarkdownModeNoteAndTable) {
  const std::string virtual_md = to_markdown(failed_report());
  EXPECT_NE(virtual_md.find("- Drill: night-fire\n- Mode: virtual time\n- Scenario: "), std::string::npos)
      << virtual_md;
  EXPECT_EQ(virtual_md.find("- Note:"), std::string::npos);

  const std::string md = to_markdown(live_report());
  EXPECT_NE(md.find("- Mode: live (over the broker, against the running engine)\n"), std::string::npos) << md;
  EXPECT_NE(md.find("- Note: stopped by ops \\<early> at 00:40:00\n"), std::string::npos);
  EXPECT_NE(md.find("- Seed: 42\n"), std::string::npos);  // it still seeds the noise
  // After the roles, before the timeline.
  const std::size_t roles = md.find("## Roles");
  const std::size_t responses = md.find("## Response times");
  const std::size_t timeline = md.find("## Timeline");
  ASSERT_NE(responses, std::string::npos);
  EXPECT_LT(roles, responses);
  EXPECT_LT(responses, timeline);
  EXPECT_NE(md.find("| staff | role | incident | offered at | answer | answered after | arrived after |\n"
                    "|---|---|---|---|---|---|---|\n"),
            std::string::npos);
  EXPECT_NE(md.find("| w-a | fire_warden | inc-000001 | 00:01:35 | accepted | 00:00:55 | 00:05:25 |\n"),
            std::string::npos);
  EXPECT_NE(md.find("| w-b | fire_warden | inc-000001 | 00:01:35 | declined | 00:01:05 | — |\n"), std::string::npos);
  EXPECT_NE(md.find("| m-a (not delivered) | medic | inc-000001 | 00:05:00 | no_answer | — | — |\n"),
            std::string::npos);
  EXPECT_NE(md.find("| g-b | grid_worker | inc-000002 | 00:33:20 | — | — | — |\n"), std::string::npos);
  EXPECT_EQ(count(md.substr(responses, timeline - responses), "\n| "), 1 + live_report().responses.size());
  // Answered after 55 s, 65 s and 55 s: the median is 55 s.
  EXPECT_NE(md.find("| Median time to answer | 00:00:55 |"), std::string::npos);
}

TEST(ReportResponses, MarkdownNoAssignment) {
  const std::string md = to_markdown(passed_report());
  EXPECT_NE(md.find("## Response times\n\nNo assignment was made.\n"), std::string::npos) << md;
  EXPECT_NE(md.find("| Median time to answer | no answer |"), std::string::npos);
}

TEST(ReportResponses, MedianIsTheNearestRank) {
  DrillReport r = passed_report();
  r.responses = {response("a-1", "i", "x", "s1", seconds(0), "accepted", seconds(40)),
                 response("a-2", "i", "x", "s2", seconds(0), "declined", seconds(10)),
                 response("a-3", "i", "x", "s3", seconds(0), "no_answer"),
                 response("a-4", "i", "x", "s4", seconds(0), "accepted", seconds(30)),
                 response("a-5", "i", "x", "s5", seconds(0), "accepted", seconds(20))};
  // 10, 20, 30, 40: the second.
  EXPECT_NE(to_markdown(r).find("| Median time to answer | 00:00:20 |"), std::string::npos);
  r.responses.pop_back();  // 10, 30, 40
  EXPECT_NE(to_markdown(r).find("| Median time to answer | 00:00:30 |"), std::string::npos);
}

TEST(ReportResponses, Json) {
  const json virtual_j = json::parse(to_json(failed_report()));
  EXPECT_EQ(virtual_j["mode"], "virtual");
  EXPECT_EQ(virtual_j["note"], "");

  const std::string text = to_json(live_report());
  EXPECT_EQ(text.rfind("{\n  \"drill\": \"night-fire\",\n  \"mode\": \"live\",\n  \"note\": ", 0), 0u)
      << text.substr(0, 120);
  const json j = json::parse(text);
  EXPECT_EQ(j["note"], "stopped by ops <early> at 00:40:00");
  EXPECT_EQ(j["measures"]["median_answer_seconds"], 55);
  EXPECT_EQ(j["measures"]["median_answer"], "00:00:55");
  const json& responses = j["responses"];
  ASSERT_EQ(responses.size(), 6u);
  const json& a = responses[0];
  EXPECT_EQ(a["assignment"], "a-000001");
  EXPECT_EQ(a["incident"], "inc-000001");
  EXPECT_EQ(a["role"], "fire_warden");
  EXPECT_EQ(a["staff"], "w-a");
  EXPECT_EQ(a["delivered"], true);
  EXPECT_EQ(a["offered_seconds"], 95);
  EXPECT_EQ(a["offered"], "00:01:35");
  EXPECT_EQ(a["answer"], "accepted");
  EXPECT_EQ(a["answered_after_seconds"], 55);
  EXPECT_EQ(a["answered_after"], "00:00:55");
  EXPECT_EQ(a["arrived_after_seconds"], 325);
  EXPECT_EQ(a["arrived_after"], "00:05:25");
  EXPECT_EQ(responses[3]["staff"], "m-a");
  EXPECT_EQ(responses[3]["delivered"], false);
  EXPECT_EQ(responses[3]["answer"], "no_answer");
  EXPECT_TRUE(responses[3]["answered_after_seconds"].is_null());
  EXPECT_TRUE(responses[3]["answered_after"].is_null());
  EXPECT_TRUE(responses[3]["arrived_after"].is_null());
  EXPECT_EQ(responses[5]["answer"], "");

  const json none = json::parse(to_json(passed_report()));
  EXPECT_TRUE(none["responses"].is_array());
  EXPECT_TRUE(none["responses"].empty());
  EXPECT_TRUE(none["measures"]["median_answer_seconds"].is_null());
  EXPECT_TRUE(none["measures"]["median_answer"].is_null());
}

TEST(ReportResponses, Html) {
  EXPECT_NE(to_html(failed_report()).find("<dt>Drill</dt><dd>night-fire</dd>\n<dt>Mode</dt><dd>virtual time</dd>\n"
                                          "<dt>Scenario</dt>"),
            std::string::npos);
  const std::string html = to_html(live_report());
  EXPECT_NE(html.find("<dt>Mode</dt><dd>live (over the broker, against the running engine)</dd>\n"), std::string::npos);
  EXPECT_NE(html.find("<dt>Note</dt><dd>stopped by ops &lt;early&gt; at 00:40:00</dd>\n"), std::string::npos);
  EXPECT_NE(html.find("<dt>Seed</dt><dd>42</dd>"), std::string::npos);
  EXPECT_NE(html.find("<dt>Median time to answer</dt><dd>00:00:55</dd>"), std::string::npos);
  // After the roles, before the events, in a table that scrolls inside its wrapper.
  const std::size_t roles = html.find("<section id=\"roles\">");
  const std::size_t responses = html.find("<section id=\"responses\">\n<h2>Response times</h2>\n<div class=\"scroll\">\n"
                                          "<table>\n<thead><tr><th>staff</th><th>role</th><th>incident</th>"
                                          "<th>offered at</th><th>answer</th><th>answered after</th>"
                                          "<th>arrived after</th></tr></thead>\n");
  const std::size_t events = html.find("<section id=\"events\">");
  ASSERT_NE(responses, std::string::npos) << html;
  EXPECT_LT(roles, responses);
  EXPECT_LT(responses, events);
  const std::string section = html.substr(responses, events - responses);
  EXPECT_EQ(count(section, "<tr><td>"), live_report().responses.size());
  EXPECT_NE(section.find("<tr><td>w-a</td><td>fire_warden</td><td>inc-000001</td><td>00:01:35</td><td>accepted</td>"
                         "<td>00:00:55</td><td>00:05:25</td></tr>\n"),
            std::string::npos)
      << section;
  EXPECT_NE(section.find("<tr><td>m-a (not delivered)</td><td>medic</td><td>inc-000001</td><td>00:05:00</td>"
                         "<td class=\"red\">no_answer</td><td>—</td><td>—</td></tr>\n"),
            std::string::npos);
  EXPECT_NE(section.find("<td>00:33:20</td><td>—</td><td>—</td><td>—</td></tr>\n"), std::string::npos);
  // Still self-contained, with no text under 14 px.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(count(html, "<div class=\"scroll\">"), 4u);

  const std::string none = to_html(passed_report());
  EXPECT_NE(none.find("<section id=\"responses\">\n<h2>Response times</h2>\n<p>No assignment was made.</p>\n"),
            std::string::npos);
  EXPECT_NE(none.find("<dt>Median time to answer</dt><dd>no answer</dd>"), std::string::npos);
}

// --- Determinism ----------------------------------------------------------------------

TEST(ReportDeterminism, SameReportSameBytes) {
  const DrillReport a = failed_report();
  const DrillReport b = failed_report();
  EXPECT_EQ(to_markdown(a), to_markdown(a));
  EXPECT_EQ(to_json(a), to_json(a));
  EXPECT_EQ(to_html(a), to_html(a));
  EXPECT_EQ(to_html(a), to_html(b));
  EXPECT_EQ(to_markdown(summary()), to_markdown(summary()));
  EXPECT_EQ(to_json(summary()), to_json(summary()));
}

// --- Summary --------------------------------------------------------------------------

TEST(SummaryMarkdown, RunsRatesAndWeakest) {
  const std::string md = to_markdown(summary());
  EXPECT_NE(md.find("# Drill summary: Night fire \\| \\<runs>\n"), std::string::npos) << md;
  EXPECT_NE(md.find("- Runs: 4\n"), std::string::npos);
  EXPECT_NE(md.find("- Seeds: 1-3, 7\n"), std::string::npos);
  EXPECT_NE(md.find("- Passed: 3 of 4 (75%)\n"), std::string::npos);
  EXPECT_NE(md.find("- Fully staffed: 3 of 4 runs\n"), std::string::npos);
  EXPECT_NE(md.find("| Time to first alert | 4 | 00:01:30 | 00:01:40 | 00:02:05 |"), std::string::npos);
  EXPECT_NE(md.find("| Time to fully staffed | 3 | 00:06:00 | 00:09:00 | 00:10:30 |"), std::string::npos);
  // Most often unfilled first.
  const std::size_t medic = md.find("| medic | 50% |");
  const std::size_t warden = md.find("| fire_warden | 25% |");
  ASSERT_NE(medic, std::string::npos);
  ASSERT_NE(warden, std::string::npos);
  EXPECT_LT(medic, warden);
  const std::size_t g04 = md.find("| xc/hl/qy/g04 | 2 |");
  const std::size_t b12 = md.find("| xc/hl/qy/g03/b12 | 1 |");
  ASSERT_NE(g04, std::string::npos);
  ASSERT_NE(b12, std::string::npos);
  EXPECT_LT(g04, b12);
  const std::size_t three = md.find("| 03:00-04:00 | 2 |");
  const std::size_t nine_pm = md.find("| 21:00-22:00 | 1 |");
  ASSERT_NE(three, std::string::npos);
  ASSERT_NE(nine_pm, std::string::npos);
  EXPECT_LT(three, nine_pm);
  EXPECT_NE(md.find("| 2 fire_warden accepted within 5m | 3 of 4 | 75% |"), std::string::npos);
}

TEST(SummaryMarkdown, NoRuns) {
  DrillSummary s;
  s.drill = "empty";
  const std::string md = to_markdown(s);
  EXPECT_NE(md.find("- Passed: 0 of 0\n"), std::string::npos) << md;
  EXPECT_NE(md.find("| Time to first alert | 0 | - | - | - |"), std::string::npos);
  EXPECT_TRUE(json::parse(to_json(s))["pass_rate"].is_null());
}

TEST(SummaryJson, Fields) {
  const std::string text = to_json(summary());
  EXPECT_EQ(text.back(), '\n');
  const json j = json::parse(text);
  EXPECT_EQ(j["drill"], "night-fire");
  EXPECT_EQ(j["runs"], 4);
  EXPECT_EQ(j["runs_passed"], 3);
  EXPECT_DOUBLE_EQ(j["pass_rate"].get<double>(), 0.75);
  EXPECT_EQ(j["seeds"], json::array({1, 2, 3, 7}));
  EXPECT_EQ(j["first_alert"]["samples"], 4);
  EXPECT_EQ(j["first_alert"]["p50_seconds"], 90);
  EXPECT_EQ(j["first_alert"]["p90"], "00:01:40");
  EXPECT_EQ(j["first_alert"]["max_seconds"], 125);
  EXPECT_EQ(j["fully_staffed"]["max"], "00:10:30");
  EXPECT_EQ(j["runs_fully_staffed"], 3);
  EXPECT_DOUBLE_EQ(j["unfilled_role_probability"]["medic"].get<double>(), 0.5);
  ASSERT_EQ(j["weakest_places"].size(), 2u);
  EXPECT_EQ(j["weakest_places"][0]["place"], "xc/hl/qy/g04");
  EXPECT_EQ(j["weakest_places"][0]["runs"], 2);
  EXPECT_EQ(j["weakest_hours"][0]["hour"], 3);
  ASSERT_EQ(j["expectation_passes"].size(), 2u);
  EXPECT_EQ(j["expectation_passes"][1]["text"], "2 fire_warden accepted within 5m");
  EXPECT_EQ(j["expectation_passes"][1]["runs_passed"], 3);
}

}  // namespace
}  // namespace lookout::drills
