#include "lookout/plans/plan.h"
#include "lookout/rules/evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lookout::plans {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The diagnostics of loading `yaml` as "t.yaml", as "t.yaml:L:C: message" lines; the
// plan must have been rejected.
std::vector<std::string> errors(std::string_view yaml) {
  LoadResult r = load_plan(yaml, "t.yaml");
  EXPECT_FALSE(r.plan.has_value());
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics) out.push_back(d.to_string());
  return out;
}

Plan load_ok(std::string_view yaml) {
  LoadResult r = load_plan(yaml, "t.yaml");
  EXPECT_THAT(r.diagnostics, IsEmpty()) << to_string(r.diagnostics);
  EXPECT_TRUE(r.plan.has_value());
  return r.plan.value_or(Plan{});
}

// A valid plan; the tests below change one line of it at a time.
//                         line
const char* const kMinimal =
    "id: p\n"                    // 1
    "title: T\n"                 // 2
    "places: xc/hl/qy/**\n"      // 3
    "levels:\n"                  // 4
    "  II:\n"                    // 5
    "    when: smoke >= 0.15\n"  // 6
    "    alert:\n"               // 7
    "      event: Fire\n"        // 8
    "      headline: Smoke\n";   // 9

// kMinimal with line `line` (1-based) replaced by `text` (which may hold several lines).
std::string with_line(int line, std::string_view text) {
  std::istringstream in(kMinimal);
  std::string out, l;
  for (int n = 1; std::getline(in, l); ++n) {
    out += n == line ? std::string(text) : l;
    out += '\n';
  }
  return out;
}

const std::string kUnits =
    "expected a unit (Cel, K, degF, m, cm, mm, /, %, ppm, %LEL, %RH, dB, lx, W, V, A, s, count), found ";
const std::string kPlaceholders =
    "expected a placeholder ({place}, {place_name}, {plan}, {plan_title}, {level}, {level_color}, {quantity}, "
    "{value}, {unit}, {sensor} or {time}), found ";

// ---------------------------------------------------------------------------------
// Levels

TEST(PlanTest, LevelHelpers) {
  EXPECT_EQ(level_name(Level::kI), "I");
  EXPECT_EQ(level_name(Level::kIV), "IV");
  EXPECT_EQ(level_color(Level::kI), "red");
  EXPECT_EQ(level_color(Level::kII), "orange");
  EXPECT_EQ(level_color(Level::kIII), "yellow");
  EXPECT_EQ(level_color(Level::kIV), "blue");
  EXPECT_EQ(cap_severity(Level::kI), "Extreme");
  EXPECT_EQ(cap_severity(Level::kII), "Severe");
  EXPECT_EQ(cap_severity(Level::kIII), "Moderate");
  EXPECT_EQ(cap_severity(Level::kIV), "Minor");
  EXPECT_EQ(parse_level("III"), Level::kIII);
  EXPECT_EQ(parse_level("iii"), std::nullopt);
  EXPECT_EQ(parse_level("V"), std::nullopt);
  EXPECT_EQ(parse_level(""), std::nullopt);
  EXPECT_TRUE(more_severe(Level::kI, Level::kII));
  EXPECT_FALSE(more_severe(Level::kIV, Level::kIII));
  EXPECT_FALSE(more_severe(Level::kII, Level::kII));
}

// ---------------------------------------------------------------------------------
// Valid plans

TEST(PlanTest, LoadsAFullPlan) {
  Plan plan = load_ok(R"(# every key
id: residential-fire_2
title: Residential fire
version: "2026-11"
owner: Qingyuan community office
hazards: [fire, smoke]
language: zh-CN
places: ["xc/hl/qy/**", "xc/hl/*/g03"]
levels:
  III:
    when: smoke >= 0.08
    alert:
      event: Smoke
      headline: "{place_name}有烟雾"
  I:
    when: smoke >= 0.3 and temperature >= 70 Cel
    alert:
      category: Fire
      event: Residential fire
      urgency: Expected
      certainty: Likely
      response_type: Evacuate
      headline:
        en-US: "Fire in {place_name}"
        zh-CN: "{place_name}火灾"
      description: "{time}，{quantity}为{value} {unit}"
      instruction:
        zh-CN: 走楼梯撤离
        en-US: Leave by the stairs
  II:
    when: smoke >= 0.15 or temperature >= 57 Cel
    alert:
      category: Fire
      event: Residential fire
      headline: Fire
)");
  EXPECT_EQ(plan.id, "residential-fire_2");
  EXPECT_EQ(plan.title, "Residential fire");
  EXPECT_EQ(plan.version, "2026-11");
  EXPECT_EQ(plan.owner, "Qingyuan community office");
  EXPECT_EQ(plan.hazards, (std::vector<std::string>{"fire", "smoke"}));
  ASSERT_EQ(plan.places.size(), 2u);
  EXPECT_EQ(plan.places[0].str(), "xc/hl/qy/**");
  EXPECT_EQ(plan.places[1].str(), "xc/hl/*/g03");
  EXPECT_TRUE(plan.places[1].matches(PlacePath::parse("xc/hl/qy/g03").value()));

  // Most severe first, whatever the order in the file.
  ASSERT_EQ(plan.levels.size(), 3u);
  EXPECT_EQ(plan.levels[0].level, Level::kI);
  EXPECT_EQ(plan.levels[1].level, Level::kII);
  EXPECT_EQ(plan.levels[2].level, Level::kIII);

  const LevelRule& red = plan.levels[0];
  EXPECT_EQ(red.condition_text, "smoke >= 0.3 and temperature >= 70 Cel");
  EXPECT_EQ(red.condition.quantities(), (std::vector<std::string>{"smoke", "temperature"}));
  EXPECT_TRUE(red.condition.evaluate([](std::string_view q) -> std::optional<rules::Value> {
    return q == "smoke" ? rules::Value{0.4, ""} : rules::Value{200, "degF"};
  }));
  EXPECT_EQ(red.alert.category, "Fire");
  EXPECT_EQ(red.alert.event, "Residential fire");
  EXPECT_EQ(red.alert.urgency, "Expected");
  EXPECT_EQ(red.alert.certainty, "Likely");
  EXPECT_EQ(red.alert.response_type, "Evacuate");
  // One text per language, the plan's language (zh-CN) first; the plain-string
  // description is in the plan's language.
  ASSERT_EQ(red.alert.texts.size(), 2u);
  EXPECT_EQ(red.alert.texts[0].language, "zh-CN");
  EXPECT_EQ(red.alert.texts[0].headline, "{place_name}火灾");
  EXPECT_EQ(red.alert.texts[0].description, "{time}，{quantity}为{value} {unit}");
  EXPECT_EQ(red.alert.texts[0].instruction, "走楼梯撤离");
  EXPECT_EQ(red.alert.texts[1].language, "en-US");
  EXPECT_EQ(red.alert.texts[1].headline, "Fire in {place_name}");
  EXPECT_EQ(red.alert.texts[1].description, "");
  EXPECT_EQ(red.alert.texts[1].instruction, "Leave by the stairs");

  const LevelRule& yellow = plan.levels[2];
  ASSERT_EQ(yellow.alert.texts.size(), 1u);
  EXPECT_EQ(yellow.alert.texts[0].language, "zh-CN");
  EXPECT_EQ(yellow.alert.texts[0].headline, "{place_name}有烟雾");
}

TEST(PlanTest, DefaultsAndShortForms) {
  Plan plan = load_ok(kMinimal);
  EXPECT_EQ(plan.id, "p");
  EXPECT_EQ(plan.version, "");
  EXPECT_EQ(plan.owner, "");
  EXPECT_THAT(plan.hazards, IsEmpty());
  ASSERT_EQ(plan.places.size(), 1u);  // a single pattern without a list
  EXPECT_EQ(plan.places[0].str(), "xc/hl/qy/**");
  ASSERT_EQ(plan.levels.size(), 1u);
  const AlertTemplate& a = plan.levels[0].alert;
  EXPECT_EQ(a.category, "Safety");
  EXPECT_EQ(a.urgency, "Immediate");
  EXPECT_EQ(a.certainty, "Observed");
  EXPECT_EQ(a.response_type, "Monitor");
  ASSERT_EQ(a.texts.size(), 1u);
  EXPECT_EQ(a.texts[0].language, "en-US");
  EXPECT_EQ(a.texts[0].headline, "Smoke");
  EXPECT_EQ(a.texts[0].description, "");

  // Optional keys left empty count as absent; a single hazard needs no list.
  Plan other = load_ok(std::string(kMinimal) + "owner:\nhazards: fire\nversion: 3\n");
  EXPECT_EQ(other.owner, "");
  EXPECT_EQ(other.hazards, std::vector<std::string>{"fire"});
  EXPECT_EQ(other.version, "3");
}

TEST(PlanTest, ToleratesByteOrderMarkAndCrLf) {
  std::string yaml = "\xEF\xBB\xBF";
  for (char c : std::string(kMinimal)) {
    if (c == '\n') yaml += '\r';
    yaml += c;
  }
  Plan plan = load_ok(yaml);
  EXPECT_EQ(plan.title, "T");
  EXPECT_EQ(plan.levels[0].condition_text, "smoke >= 0.15");
  // Positions are unaffected by either.
  EXPECT_THAT(errors("\xEF\xBB\xBFid: p\r\ntitle: [x]\r\n"),
              ElementsAre("t.yaml:1:1: expected key \"places\" in the plan, found none",
                          "t.yaml:1:1: expected key \"levels\" in the plan, found none",
                          "t.yaml:2:8: expected a title, found a list"));
}

// ---------------------------------------------------------------------------------
// Errors: each kind, with its position

TEST(PlanTest, YamlSyntaxError) {
  EXPECT_THAT(errors(with_line(2, "title: Smoke: now")),
              ElementsAre("t.yaml:2:13: expected valid YAML, found a syntax error: illegal map value (if a text "
                          "contains \": \", put it in quotes)"));
}

TEST(PlanTest, EmptyFileAndWrongDocument) {
  EXPECT_THAT(errors(""),
              ElementsAre("t.yaml: expected a plan (a map with id, title, places and levels), found an empty file"));
  EXPECT_THAT(errors("# nothing yet\n"),
              ElementsAre("t.yaml: expected a plan (a map with id, title, places and levels), found an empty file"));
  EXPECT_THAT(errors("- a\n- b\n"),
              ElementsAre("t.yaml:1:1: expected a plan (a map with id, title, places and levels), found a list"));
  EXPECT_THAT(errors(std::string(kMinimal) + "---\nid: q\n"),
              ElementsAre("t.yaml:10:1: expected one plan per file, found a second YAML document"));
}

TEST(PlanTest, MissingRequiredKeysAreReportedAtTheMap) {
  EXPECT_THAT(errors("# a plan\ntitle: T\n"),
              ElementsAre("t.yaml:2:1: expected key \"id\" in the plan, found none",
                          "t.yaml:2:1: expected key \"places\" in the plan, found none",
                          "t.yaml:2:1: expected key \"levels\" in the plan, found none"));
  EXPECT_THAT(errors(with_line(2, "")), ElementsAre("t.yaml:1:1: expected key \"title\" in the plan, found none"));
  EXPECT_THAT(errors(with_line(7, "    alrt:")),
              ElementsAre("t.yaml:6:5: expected key \"alert\" in level II, found none",
                          "t.yaml:7:5: expected a key of a level (when, alert, staff, checklist or escalation), found "
                          "\"alrt\"; did you mean \"alert\"?"));
  EXPECT_THAT(errors(with_line(8, "")),
              ElementsAre("t.yaml:9:7: expected key \"event\" in the alert of level II, found none"));
  EXPECT_THAT(errors(with_line(9, "")),
              ElementsAre("t.yaml:8:7: expected key \"headline\" in the alert of level II, found none"));
  EXPECT_THAT(errors(with_line(6, "")), ElementsAre("t.yaml:7:5: expected key \"when\" in level II, found none"));
}

TEST(PlanTest, UnknownAndDuplicateKeys) {
  EXPECT_THAT(
      errors(std::string(kMinimal) + "titel: X\n"),
      ElementsAre("t.yaml:10:1: expected a plan key (id, title, version, owner, hazards, language, time_zone, "
                  "places, scope, levels, resolve, inhibits, reopen_within or renotify), found \"titel\"; did you "
                  "mean \"title\"?"));
  EXPECT_THAT(errors(std::string(kMinimal) + "colour: red\n"),
              ElementsAre("t.yaml:10:1: expected a plan key (id, title, version, owner, hazards, language, time_zone, "
                          "places, scope, levels, resolve, inhibits, reopen_within or renotify), found \"colour\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "title: Again\n"),
              ElementsAre("t.yaml:10:1: expected each key once, found \"title\" again (first on line 2)"));
  EXPECT_THAT(errors(with_line(8, "      event: Fire\n      sevrity: Extreme")),
              ElementsAre("t.yaml:9:7: expected an alert key (category, event, urgency, certainty, response_type, "
                          "headline, description, instruction or audience), found \"sevrity\""));
  EXPECT_THAT(errors(with_line(8, "      event: Fire\n      responseType: Evacuate")),
              ElementsAre("t.yaml:9:7: expected an alert key (category, event, urgency, certainty, response_type, "
                          "headline, description, instruction or audience), found \"responseType\"; did you mean "
                          "\"response_type\"?"));
  EXPECT_THAT(errors(with_line(4, "[x]: 1\nlevels:")),
              ElementsAre("t.yaml:4:1: expected a plan key (id, title, version, owner, hazards, language, time_zone, "
                          "places, scope, levels, resolve, inhibits, reopen_within or renotify), found a list"));
}

TEST(PlanTest, WrongTypes) {
  EXPECT_THAT(errors(with_line(2, "title: [a, b]")), ElementsAre("t.yaml:2:8: expected a title, found a list"));
  EXPECT_THAT(errors(with_line(2, "title:")), ElementsAre("t.yaml:2:1: expected a title, found nothing"));
  EXPECT_THAT(errors(with_line(2, "title: \"\"")), ElementsAre("t.yaml:2:8: expected a title, found an empty text"));
  EXPECT_THAT(errors(std::string(kMinimal) + "owner: {a: 1}\n"),
              ElementsAre("t.yaml:10:8: expected an owner, found a map"));
  EXPECT_THAT(errors(std::string(kMinimal) + "hazards: [fire, [x]]\n"),
              ElementsAre("t.yaml:10:17: expected a hazard name, found a list"));
  EXPECT_THAT(errors(with_line(3, "places: {a: b}")),
              ElementsAre("t.yaml:3:9: expected a place pattern such as xc/hl/qy/** or a list of them, found a map"));
  EXPECT_THAT(errors("id: p\ntitle: T\nplaces: xc\nlevels: [II]\n"),
              ElementsAre("t.yaml:4:9: expected a map from warning levels (I, II, III, IV) to their when and alert, "
                          "found a list"));
  const std::string head = "id: p\ntitle: T\nplaces: xc\nlevels:\n";
  EXPECT_THAT(errors(head + "  II: smoke >= 1\n"),
              ElementsAre("t.yaml:5:7: expected a map with when and alert for level II, found \"smoke >= 1\""));
  EXPECT_THAT(errors(with_line(6, "    when: {smoke: 1}")),
              ElementsAre("t.yaml:6:11: expected a condition such as \"smoke >= 0.15\", found a map"));
  EXPECT_THAT(
      errors(head + "  II:\n    when: smoke > 1\n    alert: Fire\n"),
      ElementsAre("t.yaml:7:12: expected a map with the alert's event, headline and other keys, found \"Fire\""));
  EXPECT_THAT(errors(with_line(9, "      headline: [a]")),
              ElementsAre("t.yaml:9:17: expected a headline (a text, or a map from language such as en-US to text), "
                          "found a list"));
}

TEST(PlanTest, BadId) {
  const std::string expected =
      "expected a plan id (1 to 64 of a-z, 0-9, '_' or '-', starting with a letter or digit), found ";
  EXPECT_THAT(errors(with_line(1, "id: Fire")), ElementsAre("t.yaml:1:5: " + expected + "\"Fire\""));
  EXPECT_THAT(errors(with_line(1, "id: -fire")), ElementsAre("t.yaml:1:5: " + expected + "\"-fire\""));
  EXPECT_THAT(errors(with_line(1, "id: fire plan")), ElementsAre("t.yaml:1:5: " + expected + "\"fire plan\""));
  std::string long_id(65, 'a');
  EXPECT_THAT(errors(with_line(1, "id: " + long_id)),
              ElementsAre("t.yaml:1:5: " + expected + "\"" + std::string(60, 'a') + "...\""));
  load_ok(with_line(1, "id: " + std::string(64, 'a')));
}

TEST(PlanTest, BadPlacePatterns) {
  EXPECT_THAT(errors(with_line(3, "places: xc/hl/**/qy")),
              ElementsAre("t.yaml:3:9: place pattern \"xc/hl/**/qy\": '**' may only be the last segment"));
  EXPECT_THAT(errors(with_line(3, "places: [xc/hl, \"xc/HL\"]")),
              ElementsAre("t.yaml:3:17: place pattern \"xc/HL\": segment 2 \"HL\" is not a place segment (a-z, 0-9, "
                          "'_', '-'), '*' or '**'"));
  EXPECT_THAT(errors(with_line(3, "places: []")),
              ElementsAre("t.yaml:3:9: expected at least one place pattern such as xc/hl/qy/**, found an empty list"));
}

TEST(PlanTest, BadLevels) {
  EXPECT_THAT(errors(with_line(5, "  V:")),
              ElementsAre("t.yaml:5:3: expected a warning level (I, II, III or IV), found \"V\""));
  EXPECT_THAT(
      errors(with_line(5, "  ii:")),
      ElementsAre("t.yaml:5:3: expected a warning level (I, II, III or IV), found \"ii\"; did you mean \"II\"?"));
  EXPECT_THAT(errors(std::string(kMinimal) + "  II:\n    when: smoke > 1\n"),
              ElementsAre("t.yaml:10:3: expected each warning level once, found \"II\" again (first on line 5)"));
  EXPECT_THAT(errors("id: p\ntitle: T\nplaces: xc\nlevels: {}\n"),
              ElementsAre("t.yaml:4:9: expected at least one warning level (I, II, III or IV), found an empty map"));
}

TEST(PlanTest, CapCodeLists) {
  auto alert_line = [](std::string_view line) { return with_line(8, "      event: Fire\n" + std::string(line)); };
  EXPECT_THAT(
      errors(alert_line("      category: fire")),
      ElementsAre("t.yaml:9:17: expected a CAP category (Geo, Met, Safety, Security, Rescue, Fire, Health, Env, "
                  "Transport, Infra, CBRNE or Other), found \"fire\"; did you mean \"Fire\"?"));
  EXPECT_THAT(errors(alert_line("      urgency: Now")),
              ElementsAre("t.yaml:9:16: expected a CAP urgency (Immediate, Expected, Future, Past or Unknown), "
                          "found \"Now\""));
  EXPECT_THAT(errors(alert_line("      certainty: Very Likely")),
              ElementsAre("t.yaml:9:18: expected a CAP certainty (Observed, Likely, Possible, Unlikely or Unknown), "
                          "found \"Very Likely\""));
  EXPECT_THAT(errors(alert_line("      response_type: evacuate")),
              ElementsAre("t.yaml:9:22: expected a CAP response type (Shelter, Evacuate, Prepare, Execute, Avoid, "
                          "Monitor, Assess, AllClear or None), found \"evacuate\"; did you mean \"Evacuate\"?"));
}

// Conditions are checked where they are written, whatever the YAML scalar style.
TEST(PlanTest, ConditionErrorsPointIntoTheFile) {
  // Plain.
  EXPECT_THAT(errors(with_line(6, "    when: smoke >= 0.15 ppb")), ElementsAre("t.yaml:6:25: " + kUnits + "\"ppb\""));
  // Single-quoted: one more for the quote.
  EXPECT_THAT(errors(with_line(6, "    when: 'smoke >= 0.15 ppb'")), ElementsAre("t.yaml:6:26: " + kUnits + "\"ppb\""));
  // Double-quoted, with escapes before the error.
  EXPECT_THAT(errors(with_line(6, "    when: \"smoke\\t>= 0.15 ppb\"")),
              ElementsAre("t.yaml:6:27: " + kUnits + "\"ppb\""));
  // Unbalanced parenthesis: at the "(".
  EXPECT_THAT(errors(with_line(6, "    when: 'smoke >= 1 and (co > 2'")),
              ElementsAre("t.yaml:6:27: expected \")\" to close this \"(\", found end of condition"));
  // Literal block: the error is on the block's second line.
  EXPECT_THAT(errors(with_line(6, "    when: |\n      smoke >= 0.15 and\n      co >= 5 ppb")),
              ElementsAre("t.yaml:8:15: " + kUnits + "\"ppb\""));
  // Folded block.
  EXPECT_THAT(errors(with_line(6, "    when: >\n      smoke >= 0.15\n      and co >= 5 ppb")),
              ElementsAre("t.yaml:8:19: " + kUnits + "\"ppb\""));
  // A plain scalar continued on the next line.
  EXPECT_THAT(errors(with_line(6, "    when: smoke >= 0.15\n      and co >= 5 ppb")),
              ElementsAre("t.yaml:7:19: " + kUnits + "\"ppb\""));
  // End of condition: just after the text.
  EXPECT_THAT(errors(with_line(6, "    when: smoke >=  # a comment")),
              ElementsAre("t.yaml:6:19: expected a number, found end of condition"));
  // A tag: the exact place is lost, the scalar's start is reported.
  EXPECT_THAT(errors(with_line(6, "    when: !!str smoke >= x")),
              ElementsAre("t.yaml:6:11: expected a number, found \"x\""));
}

TEST(PlanTest, UnknownPlaceholdersPointAtTheBrace) {
  EXPECT_THAT(errors(with_line(9, "      headline: Smoke in {palce}")),
              ElementsAre("t.yaml:9:26: " + kPlaceholders + "\"{palce}\"; did you mean \"{place}\"?"));
  // '' in a single-quoted scalar is one character.
  EXPECT_THAT(errors(with_line(9, "      headline: 'It''s {palce}'")),
              ElementsAre("t.yaml:9:24: " + kPlaceholders + "\"{palce}\"; did you mean \"{place}\"?"));
  // \u00e9 is six characters in the file and one in the text.
  EXPECT_THAT(errors(with_line(9, "      headline: \"\\u00e9 {palce}\"")),
              ElementsAre("t.yaml:9:25: " + kPlaceholders + "\"{palce}\"; did you mean \"{place}\"?"));
  // Columns count characters, not bytes.
  EXPECT_THAT(errors(with_line(9, "      headline: \"烟雾 {地点}\"")),
              ElementsAre("t.yaml:9:21: " + kPlaceholders + "\"{地点}\""));
  // In every text, every language.
  EXPECT_THAT(
      errors(with_line(9,
                       "      headline: Smoke\n"
                       "      description:\n"
                       "        en-US: At {time}\n"
                       "        zh-CN: \"{时间}\"\n"
                       "      instruction: Leave {now}")),
      ElementsAre("t.yaml:12:9: expected a headline in zh-CN too, found none",
                  "t.yaml:12:17: " + kPlaceholders + "\"{时间}\"", "t.yaml:13:26: " + kPlaceholders + "\"{now}\""));
  // Braces that are not a placeholder are text.
  load_ok(with_line(9, "      headline: \"Smoke { } in {place} {a b}\""));
}

TEST(PlanTest, Languages) {
  EXPECT_THAT(errors(std::string(kMinimal) + "language: english\n"),
              ElementsAre("t.yaml:10:11: expected a language tag such as en-US or zh-CN, found \"english\""));
  EXPECT_THAT(errors(with_line(9, "      headline:\n        en-US: Smoke\n        English: Smoke")),
              ElementsAre("t.yaml:11:9: expected a language tag such as en-US or zh-CN, found \"English\""));
  EXPECT_THAT(errors(with_line(9, "      headline:\n        en-US: Smoke\n        en-US: Smoke")),
              ElementsAre("t.yaml:11:9: expected each language once, found \"en-US\" again (first on line 10)"));
  EXPECT_THAT(errors(with_line(9, "      headline:\n        en-US: Smoke\n        zh-CN:")),
              ElementsAre("t.yaml:11:9: expected a headline in zh-CN, found nothing"));
  // A description in a language without a headline.
  EXPECT_THAT(errors(with_line(9, "      headline: Smoke\n      description:\n        fr-FR: Fumée")),
              ElementsAre("t.yaml:11:9: expected a headline in fr-FR too, found none"));
  // The plan's language (en-US unless set) must have a headline.
  EXPECT_THAT(errors(with_line(9, "      headline:\n        zh-CN: 烟雾")),
              ElementsAre("t.yaml:10:9: expected a headline in en-US (the plan's language; set another with "
                          "\"language:\"), found only zh-CN"));
  Plan plan = load_ok(with_line(9, "      headline:\n        zh-CN: 烟雾") + "language: zh-CN\n");
  EXPECT_EQ(plan.levels[0].alert.texts[0].language, "zh-CN");
  // Tags are compared in their usual casing: zh-cn is zh-CN.
  Plan cased = load_ok(with_line(9, "      headline:\n        zh-CN: 烟雾\n        EN-us: Smoke") + "language: zh-cn\n");
  ASSERT_EQ(cased.levels[0].alert.texts.size(), 2u);
  EXPECT_EQ(cased.levels[0].alert.texts[0].language, "zh-CN");
  EXPECT_EQ(cased.levels[0].alert.texts[1].language, "en-US");
  EXPECT_THAT(errors(with_line(9, "      headline:\n        en-US: Smoke\n        en-us: Smoke")),
              ElementsAre("t.yaml:11:9: expected each language once, found \"en-us\" again (first on line 10)"));
}

TEST(PlanTest, ReportsEveryErrorTogether) {
  const std::string path = std::string(LOOKOUT_PLAN_TESTDATA_DIR) + "/broken.yaml";
  LoadResult r = load_plan(read_file(path), "broken.yaml");
  EXPECT_FALSE(r.plan.has_value());
  std::vector<std::string> got;
  for (const auto& d : r.diagnostics) got.push_back(d.to_string());
  EXPECT_THAT(
      got,
      ElementsAre(
          "broken.yaml:3:5: expected a plan id (1 to 64 of a-z, 0-9, '_' or '-', starting with a letter or digit), "
          "found \"Broken Plan\"",
          "broken.yaml:5:8: expected an owner, found a list",
          "broken.yaml:6:25: place pattern \"xc//qy\": segment 2 \"\" is not a place segment (a-z, 0-9, '_', '-'), "
          "'*' or '**'",
          "broken.yaml:7:1: expected a plan key (id, title, version, owner, hazards, language, time_zone, places, "
          "scope, levels, resolve, inhibits, reopen_within or renotify), found \"levles\"; did you mean \"levels\"?",
          "broken.yaml:10:25: " + kUnits + "\"ppb\"",
          "broken.yaml:12:17: expected a CAP category (Geo, Met, Safety, Security, Rescue, Fire, Health, Env, "
          "Transport, Infra, CBRNE or Other), found \"fire\"; did you mean \"Fire\"?",
          "broken.yaml:14:27: " + kPlaceholders + "\"{palce}\"; did you mean \"{place}\"?",
          "broken.yaml:15:3: expected a warning level (I, II, III or IV), found \"V\"",
          "broken.yaml:18:5: expected key \"when\" in level III, found none",
          "broken.yaml:21:3: expected each warning level once, found \"II\" again (first on line 9)"));
  for (const auto& d : r.diagnostics) EXPECT_EQ(d.file, "broken.yaml");
}

TEST(PlanTest, NeverThrows) {
  const std::string inputs[] = {
      std::string(100000, '['),
      std::string("\0\x01\xff\xfe", 4),
      "id: [\n",
      "&a [*a]",
      "id: *nothing\n",
      "? [a, b]\n: c\n",
      "levels:\n  II: &x\n    when: a > 1\n  I: *x\n",
      "resolve: &r {for: *r}\n",
      "renotify: &r {every: *r, times: *r}\n",
      "id: p\ntitle: T\nplaces: xc\nlevels: {II: {when: a > 1, alert: {event: E, headline: H}, "
      "escalation: [{after: 99999999999999999999999d, raise_to: I}], staff: [{count: 99999999999999999999}]}}\n",
  };
  for (const auto& in : inputs) {
    LoadResult r = load_plan(in, "x.yaml");
    EXPECT_FALSE(r.plan.has_value());
    EXPECT_THAT(r.diagnostics, ::testing::Not(IsEmpty()));
  }
}

// ---------------------------------------------------------------------------------
// The response parts: audience, staff, checklist, escalation, resolve, inhibits,
// time_zone, reopen_within

const std::string kAudiences =
    "expected an audience (residents, grid_coordinators, community_coordinators, subdistrict_coordinators, "
    "district_coordinators or role:<role name>), found ";
const std::string kRoleRule = "(1 to 64 of a-z, 0-9 or '_', starting with a letter)";

TEST(PlanTest, LoadsTheResponseParts) {
  Plan plan = load_ok(R"(id: residential-fire
title: Residential fire
time_zone: Asia/Shanghai
places: xc/hl/qy/**
levels:
  II:
    when: smoke >= 0.15
    alert:
      event: Fire
      headline: Smoke
      audience: [residents, grid_coordinators, "role:fire_warden"]
    staff:
      - role: fire_warden
        count: 2
        within: building
        respond_within: 5m
        skills: [first_aid, breathing_apparatus]
      - role: grid_worker
        respond_within: 1h30m
    checklist:
      zh-CN:
        - 前往{place_name}
        - 检查楼梯
      en-US:
        - Go to {place_name}
        - Check the stairs
    escalation:
      - after: 10m
        notify: community_coordinators
      - after: 15m
        notify:
          - subdistrict_coordinators
          - role: duty_officer
      - after: 20m
        raise_to: I
        notify: district_coordinators
  I:
    when: smoke >= 0.3
    alert:
      event: Fire
      headline: Fire
    checklist: Evacuate everyone
resolve:
  when: smoke < 0.05 / and temperature < 40 Cel
  for: 10m
inhibits:
  - plan: smoke-warning
    scope: building
    from_level: II
  - gas-leak
  - plan: other
    scope: same_place
reopen_within: 30m
renotify:
  every: 10m
  times: 2
)");
  EXPECT_EQ(plan.time_zone, "Asia/Shanghai");
  ASSERT_EQ(plan.levels.size(), 2u);
  const LevelRule& orange = plan.levels[1];
  ASSERT_EQ(orange.level, Level::kII);

  ASSERT_EQ(orange.alert.audience.size(), 3u);
  EXPECT_EQ(orange.alert.audience[0].kind, Audience::Kind::kResidents);
  EXPECT_EQ(orange.alert.audience[1].kind, Audience::Kind::kCoordinators);
  EXPECT_EQ(orange.alert.audience[1].level, PlaceLevel::kGrid);
  EXPECT_EQ(orange.alert.audience[2].kind, Audience::Kind::kRole);
  EXPECT_EQ(orange.alert.audience[2].role, "fire_warden");

  ASSERT_EQ(orange.staff.size(), 2u);
  EXPECT_EQ(orange.staff[0].role, "fire_warden");
  EXPECT_EQ(orange.staff[0].count, 2);
  EXPECT_EQ(orange.staff[0].within, PlaceLevel::kBuilding);
  EXPECT_EQ(orange.staff[0].respond_within, std::chrono::minutes(5));
  EXPECT_EQ(orange.staff[0].skills, (std::vector<std::string>{"first_aid", "breathing_apparatus"}));
  EXPECT_EQ(orange.staff[1].role, "grid_worker");
  EXPECT_EQ(orange.staff[1].count, 1);                       // default
  EXPECT_EQ(orange.staff[1].within, PlaceLevel::kGrid);      // default
  EXPECT_EQ(orange.staff[1].respond_within, std::chrono::minutes(90));
  EXPECT_THAT(orange.staff[1].skills, IsEmpty());

  // The plan's language first, whatever the order in the file.
  ASSERT_EQ(orange.checklists.size(), 2u);
  EXPECT_EQ(orange.checklists[0].language, "en-US");
  EXPECT_EQ(orange.checklists[0].items, (std::vector<std::string>{"Go to {place_name}", "Check the stairs"}));
  EXPECT_EQ(orange.checklists[1].language, "zh-CN");
  EXPECT_EQ(orange.checklists[1].items, (std::vector<std::string>{"前往{place_name}", "检查楼梯"}));

  ASSERT_EQ(orange.escalation.size(), 3u);
  EXPECT_EQ(orange.escalation[0].after, std::chrono::minutes(10));
  ASSERT_EQ(orange.escalation[0].notify.size(), 1u);
  EXPECT_EQ(audience_name(orange.escalation[0].notify[0]), "community_coordinators");
  EXPECT_EQ(orange.escalation[0].raise_to, std::nullopt);
  EXPECT_EQ(orange.escalation[1].after, std::chrono::minutes(15));
  ASSERT_EQ(orange.escalation[1].notify.size(), 2u);
  EXPECT_EQ(audience_name(orange.escalation[1].notify[0]), "subdistrict_coordinators");
  EXPECT_EQ(audience_name(orange.escalation[1].notify[1]), "role:duty_officer");
  EXPECT_EQ(orange.escalation[2].after, std::chrono::minutes(20));
  EXPECT_EQ(orange.escalation[2].raise_to, Level::kI);
  ASSERT_EQ(orange.escalation[2].notify.size(), 1u);
  EXPECT_EQ(orange.escalation[2].notify[0].level, PlaceLevel::kDistrict);

  const LevelRule& red = plan.levels[0];
  EXPECT_THAT(red.staff, IsEmpty());
  EXPECT_THAT(red.escalation, IsEmpty());
  ASSERT_EQ(red.checklists.size(), 1u);  // a single text is a checklist of one item
  EXPECT_EQ(red.checklists[0].language, "en-US");
  EXPECT_EQ(red.checklists[0].items, std::vector<std::string>{"Evacuate everyone"});
  ASSERT_EQ(red.alert.audience.size(), 1u);  // default
  EXPECT_EQ(red.alert.audience[0].kind, Audience::Kind::kResidents);

  EXPECT_TRUE(plan.resolve.automatic);
  ASSERT_TRUE(plan.resolve.condition.has_value());
  EXPECT_EQ(plan.resolve.condition_text, "smoke < 0.05 / and temperature < 40 Cel");
  EXPECT_EQ(plan.resolve.condition->quantities(), (std::vector<std::string>{"smoke", "temperature"}));
  EXPECT_EQ(plan.resolve.hold_for, std::chrono::minutes(10));

  ASSERT_EQ(plan.inhibits.size(), 3u);
  EXPECT_EQ(plan.inhibits[0].plan, "smoke-warning");
  EXPECT_EQ(plan.inhibits[0].scope, PlaceLevel::kBuilding);
  EXPECT_EQ(plan.inhibits[0].from_level, Level::kII);
  EXPECT_EQ(plan.inhibits[1].plan, "gas-leak");  // a plain id: the same place, at any level
  EXPECT_EQ(plan.inhibits[1].scope, std::nullopt);
  EXPECT_EQ(plan.inhibits[1].from_level, Level::kIV);
  EXPECT_EQ(plan.inhibits[2].plan, "other");
  EXPECT_EQ(plan.inhibits[2].scope, std::nullopt);

  EXPECT_EQ(plan.reopen_within, std::chrono::minutes(30));
  ASSERT_TRUE(plan.renotify.has_value());
  EXPECT_EQ(plan.renotify->every, std::chrono::minutes(10));
  EXPECT_EQ(plan.renotify->times, 2);
}

TEST(PlanTest, ResponsePartsDefaults) {
  Plan plan = load_ok(kMinimal);
  EXPECT_EQ(plan.time_zone, "UTC");
  EXPECT_FALSE(plan.resolve.automatic);  // by hand only
  EXPECT_EQ(plan.resolve.condition, std::nullopt);
  EXPECT_EQ(plan.resolve.condition_text, "");
  EXPECT_THAT(plan.inhibits, IsEmpty());
  EXPECT_EQ(plan.reopen_within, std::nullopt);
  EXPECT_FALSE(plan.renotify.has_value());  // no reminders
  const LevelRule& rule = plan.levels[0];
  ASSERT_EQ(rule.alert.audience.size(), 1u);
  EXPECT_EQ(rule.alert.audience[0], Audience{});
  EXPECT_EQ(audience_name(rule.alert.audience[0]), "residents");
  EXPECT_THAT(rule.staff, IsEmpty());
  EXPECT_THAT(rule.checklists, IsEmpty());
  EXPECT_THAT(rule.escalation, IsEmpty());

  // Keys with nothing after them, and empty lists, are absent.
  Plan empty = load_ok(std::string(kMinimal) +
                       "    staff:\n    checklist: []\n    escalation: []\n"
                       "time_zone:\nresolve:\ninhibits: []\nreopen_within:\nrenotify:\n");
  EXPECT_THAT(empty.levels[0].staff, IsEmpty());
  EXPECT_THAT(empty.levels[0].checklists, IsEmpty());
  EXPECT_THAT(empty.levels[0].escalation, IsEmpty());
  EXPECT_EQ(empty.time_zone, "UTC");
  EXPECT_FALSE(empty.resolve.automatic);
  EXPECT_THAT(empty.inhibits, IsEmpty());
  EXPECT_EQ(empty.reopen_within, std::nullopt);
  EXPECT_FALSE(empty.renotify.has_value());
}

TEST(PlanTest, ResolveForms) {
  // "for" alone: once no level's condition has held for that long.
  Plan quiet = load_ok(std::string(kMinimal) + "resolve:\n  for: 15m\n");
  EXPECT_TRUE(quiet.resolve.automatic);
  EXPECT_EQ(quiet.resolve.condition, std::nullopt);
  EXPECT_EQ(quiet.resolve.hold_for, std::chrono::minutes(15));
  Plan by_hand = load_ok(std::string(kMinimal) + "resolve:\n  manual: true\n");
  EXPECT_FALSE(by_hand.resolve.automatic);
  Plan not_by_hand = load_ok(std::string(kMinimal) + "resolve: {manual: false, for: 1h}\n");
  EXPECT_TRUE(not_by_hand.resolve.automatic);
  EXPECT_EQ(not_by_hand.resolve.hold_for, std::chrono::hours(1));
}

TEST(PlanTest, RenotifyForms) {
  Plan plan = load_ok(std::string(kMinimal) + "renotify:\n  every: 10m\n  times: 5\n");
  ASSERT_TRUE(plan.renotify.has_value());
  EXPECT_EQ(plan.renotify->every, std::chrono::minutes(10));
  EXPECT_EQ(plan.renotify->times, 5);
  // times defaults to 3; "times:" with nothing after it is absent.
  for (const char* text : {"renotify:\n  every: 15m\n", "renotify:\n  every: 15m\n  times:\n"}) {
    Plan p = load_ok(std::string(kMinimal) + text);
    ASSERT_TRUE(p.renotify.has_value()) << text;
    EXPECT_EQ(p.renotify->every, std::chrono::minutes(15));
    EXPECT_EQ(p.renotify->times, 3);
  }
  // The limits: every at least 1m, times 1 to 100.
  Plan least = load_ok(std::string(kMinimal) + "renotify: {every: 1m, times: 1}\n");
  ASSERT_TRUE(least.renotify.has_value());
  EXPECT_EQ(least.renotify->every, std::chrono::minutes(1));
  EXPECT_EQ(least.renotify->times, 1);
  Plan most = load_ok(std::string(kMinimal) + "renotify: {every: 1h30m, times: 100}\n");
  ASSERT_TRUE(most.renotify.has_value());
  EXPECT_EQ(most.renotify->every, std::chrono::minutes(90));
  EXPECT_EQ(most.renotify->times, 100);
  EXPECT_EQ(load_ok(std::string(kMinimal) + "renotify: {every: 60s}\n").renotify->every, std::chrono::minutes(1));
}

TEST(PlanTest, AudienceForms) {
  Plan plan = load_ok(std::string(kMinimal) +
                      "      audience:\n"
                      "        - role: fire_warden\n"
                      "        - \"role: building_manager\"\n"
                      "        - district_coordinators\n");
  const auto& audience = plan.levels[0].alert.audience;
  ASSERT_EQ(audience.size(), 3u);
  EXPECT_EQ(audience_name(audience[0]), "role:fire_warden");
  EXPECT_EQ(audience_name(audience[1]), "role:building_manager");
  EXPECT_EQ(audience_name(audience[2]), "district_coordinators");
  // A single audience needs no list.
  Plan single = load_ok(std::string(kMinimal) + "      audience: community_coordinators\n");
  ASSERT_EQ(single.levels[0].alert.audience.size(), 1u);
  EXPECT_EQ(single.levels[0].alert.audience[0].level, PlaceLevel::kCommunity);
  // A plain list of checklist items is in the plan's language.
  Plan chinese = load_ok(with_line(9, "      headline: 烟雾") + "    checklist: [检查]\nlanguage: zh-CN\n");
  ASSERT_EQ(chinese.levels[0].checklists.size(), 1u);
  EXPECT_EQ(chinese.levels[0].checklists[0].language, "zh-CN");
}

TEST(PlanTest, AudienceHelpers) {
  for (std::string_view name : {"residents", "grid_coordinators", "community_coordinators", "subdistrict_coordinators",
                                "district_coordinators", "role:fire_warden"}) {
    auto a = parse_audience(name);
    ASSERT_TRUE(a.has_value()) << name;
    EXPECT_EQ(audience_name(*a), name);
  }
  EXPECT_EQ(parse_audience("building_coordinators"), std::nullopt);
  EXPECT_EQ(parse_audience("role:"), std::nullopt);
  EXPECT_EQ(parse_audience("role:Fire"), std::nullopt);
  EXPECT_EQ(parse_audience("Residents"), std::nullopt);
  EXPECT_TRUE(is_role_name("fire_warden"));
  EXPECT_TRUE(is_role_name("a"));
  EXPECT_TRUE(is_role_name("crew2"));
  EXPECT_FALSE(is_role_name(""));
  EXPECT_FALSE(is_role_name("2crew"));
  EXPECT_FALSE(is_role_name("_crew"));
  EXPECT_FALSE(is_role_name("fire-warden"));
  EXPECT_FALSE(is_role_name("Fire"));
  EXPECT_TRUE(is_role_name(std::string(64, 'a')));
  EXPECT_FALSE(is_role_name(std::string(65, 'a')));
}

TEST(PlanTest, NewKeysAreCheckedLikeTheOthers) {
  EXPECT_THAT(errors(std::string(kMinimal) + "    stafff: []\n"),
              ElementsAre("t.yaml:10:5: expected a key of a level (when, alert, staff, checklist or escalation), "
                          "found \"stafff\"; did you mean \"staff\"?"));
  EXPECT_THAT(errors(std::string(kMinimal) + "    esclation: []\n"),
              ElementsAre("t.yaml:10:5: expected a key of a level (when, alert, staff, checklist or escalation), "
                          "found \"esclation\"; did you mean \"escalation\"?"));
  EXPECT_THAT(errors(std::string(kMinimal) + "timezone: UTC\n"),
              ElementsAre("t.yaml:10:1: expected a plan key (id, title, version, owner, hazards, language, time_zone, "
                          "places, scope, levels, resolve, inhibits, reopen_within or renotify), found \"timezone\"; "
                          "did you mean \"time_zone\"?"));
  EXPECT_THAT(errors(std::string(kMinimal) + "    staff: []\n    staff: []\n"),
              ElementsAre("t.yaml:11:5: expected each key once, found \"staff\" again (first on line 10)"));
}

TEST(PlanTest, BadAudience) {
  EXPECT_THAT(errors(std::string(kMinimal) + "      audience: resident\n"),
              ElementsAre("t.yaml:10:17: " + kAudiences + "\"resident\"; did you mean \"residents\"?"));
  // A bad role name: at the name.
  EXPECT_THAT(errors(std::string(kMinimal) + "      audience: [residents, \"role:Fire Warden\"]\n"),
              ElementsAre("t.yaml:10:35: expected a role name " + kRoleRule +
                          " after \"role:\", found \"Fire Warden\"; did you mean \"fire_warden\"?"));
  EXPECT_THAT(errors(std::string(kMinimal) + "      audience: [\"role:\"]\n"),
              ElementsAre("t.yaml:10:24: expected a role name " + kRoleRule + " after \"role:\", found nothing"));
  EXPECT_THAT(errors(std::string(kMinimal) + "      audience: []\n"),
              ElementsAre("t.yaml:10:17: expected at least one audience, found an empty list"));
  EXPECT_THAT(errors(std::string(kMinimal) + "      audience: [residents, residents]\n"),
              ElementsAre("t.yaml:10:29: expected each audience once, found \"residents\" again (first on line 10)"));
  EXPECT_THAT(errors(std::string(kMinimal) + "      audience:\n        - rol: fire_warden\n"),
              ElementsAre("t.yaml:11:11: expected an audience key (role), found \"rol\"; did you mean \"role\"?",
                          "t.yaml:11:11: expected key \"role\" in the audience, found none"));
  EXPECT_THAT(errors(std::string(kMinimal) + "      audience:\n        - role: [x]\n"),
              ElementsAre("t.yaml:11:17: expected a role name " + kRoleRule + ", found a list"));
}

TEST(PlanTest, BadStaff) {
  EXPECT_THAT(errors(std::string(kMinimal) + "    staff: fire_warden\n"),
              ElementsAre("t.yaml:10:12: expected a list of staff, each with role, count, within and "
                          "respond_within, found \"fire_warden\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "    staff: [fire_warden]\n"),
              ElementsAre("t.yaml:10:13: expected a staff entry (a map with role, count, within and "
                          "respond_within), found \"fire_warden\""));
  EXPECT_THAT(errors(std::string(kMinimal) +
                     "    staff:\n"                      // 10
                     "      - role: Fire Warden\n"       // 11
                     "        count: two\n"              // 12
                     "        within: flat\n"            // 13
                     "        respond_within: 5 min\n"   // 14
                     "        skills: [first aid]\n"     // 15
                     "        skils: []\n"),             // 16
              ElementsAre("t.yaml:11:15: expected a role name " + kRoleRule +
                              ", found \"Fire Warden\"; did you mean \"fire_warden\"?",
                          "t.yaml:12:16: expected a number of people (a whole number from 1 to 999), found \"two\"",
                          "t.yaml:13:17: expected a part of the hierarchy (building, grid, community, subdistrict or "
                          "district), found \"flat\"",
                          "t.yaml:14:26: expected a unit (d, h, m or s) after \"5\", found a space; write \"5m\"",
                          "t.yaml:15:18: expected a skill name " + kRoleRule +
                              ", found \"first aid\"; did you mean \"first_aid\"?",
                          "t.yaml:16:9: expected a staff key (role, count, within, respond_within or skills), found "
                          "\"skils\"; did you mean \"skills\"?"));
  EXPECT_THAT(errors(std::string(kMinimal) +
                     "    staff:\n"                     // 10
                     "      - role: fire_warden\n"      // 11
                     "        respond_within: 5m\n"     // 12
                     "      - count: 1000\n"            // 13
                     "      - role: fire_warden\n"      // 14
                     "        respond_within: 0s\n"     // 15
                     "        count: 0\n"),             // 16
              ElementsAre("t.yaml:13:9: expected key \"role\" in staff entry 2 of level II, found none",
                          "t.yaml:13:9: expected key \"respond_within\" in staff entry 2 of level II, found none",
                          "t.yaml:13:16: expected a number of people (a whole number from 1 to 999), found \"1000\"",
                          "t.yaml:14:15: expected each role once in the staff of level II, found \"fire_warden\" again "
                          "(first on line 11)",
                          "t.yaml:15:25: expected a duration longer than zero, found \"0s\"",
                          "t.yaml:16:16: expected a number of people (a whole number from 1 to 999), found \"0\""));
}

TEST(PlanTest, BadChecklist) {
  EXPECT_THAT(errors(std::string(kMinimal) + "    checklist: {}\n"),
              ElementsAre("t.yaml:10:16: expected a checklist (a list of items, or a map from language such as en-US "
                          "to a list of items), found an empty map"));
  // A text with ": " in it is a map to YAML.
  EXPECT_THAT(errors(std::string(kMinimal) + "    checklist:\n      - Call 119: now\n      - [x]\n"),
              ElementsAre("t.yaml:11:9: expected a checklist item (a text), found a map; if a text contains \": \", "
                          "put it in quotes",
                          "t.yaml:12:9: expected a checklist item (a text), found a list"));
  EXPECT_THAT(errors(std::string(kMinimal) +
                     "    checklist:\n"            // 10
                     "      zh-CN:\n"              // 11
                     "        - 前往{地点}\n"      // 12
                     "      fr-FR: []\n"           // 13
                     "      english: [x]\n"        // 14
                     "      de-DE:\n"),            // 15
              ElementsAre("t.yaml:12:13: " + kPlaceholders + "\"{地点}\"",
                          "t.yaml:13:14: expected a checklist in fr-FR, found an empty list",
                          "t.yaml:14:7: expected a language tag such as en-US or zh-CN, found \"english\"",
                          "t.yaml:15:7: expected a checklist in de-DE, found nothing"));
  EXPECT_THAT(errors(std::string(kMinimal) + "    checklist:\n      zh-CN: [一, 二]\n"),
              ElementsAre("t.yaml:11:7: expected a checklist in en-US (the plan's language; set another with "
                          "\"language:\"), found only zh-CN"));
  EXPECT_THAT(errors(std::string(kMinimal) + "    checklist:\n      en-US: [one, two]\n      zh-CN: [一]\n"),
              ElementsAre("t.yaml:12:7: expected 2 items in zh-CN, as in en-US (the plan's language), found 1 item"));
  EXPECT_THAT(errors(std::string(kMinimal) + "    checklist:\n      en-US: [one]\n      en-us: [x]\n"),
              ElementsAre("t.yaml:12:7: expected each language once, found \"en-us\" again (first on line 11)"));
  EXPECT_THAT(errors(std::string(kMinimal) + "    checklist: [\"Go to {palce}\"]\n"),
              ElementsAre("t.yaml:10:24: " + kPlaceholders + "\"{palce}\"; did you mean \"{place}\"?"));
}

TEST(PlanTest, BadEscalation) {
  EXPECT_THAT(errors(std::string(kMinimal) + "    escalation: {after: 10m}\n"),
              ElementsAre("t.yaml:10:17: expected a list of escalation steps, each with after, and notify or "
                          "raise_to, found a map"));
  EXPECT_THAT(errors(std::string(kMinimal) + "    escalation: [10m]\n"),
              ElementsAre("t.yaml:10:18: expected an escalation step (a map with after, and notify or raise_to), "
                          "found \"10m\""));
  EXPECT_THAT(
      errors(std::string(kMinimal) + "    escalation:\n"                         // 10
                                     "      - after: 10m\n"                      // 11
                                     "        notify: community_coordinators\n"  // 12
                                     "      - after: 10m\n"                      // 13
                                     "        notify: grid_coordinator\n"        // 14
                                     "      - after: 5\n"                        // 15
                                     "        raise_to: III\n"                   // 16
                                     "      - notify: district_coordinators\n"   // 17
                                     "      - after: 30m\n"                      // 18
                                     "      - after: 40m\n"                      // 19
                                     "        raise_to: I\n"                     // 20
                                     "        notfy: x\n"                        // 21
                                     "        notify: []\n"),                    // 22
      ElementsAre("t.yaml:13:16: expected a time later than the step before (10m), found \"10m\"",
                  "t.yaml:14:17: " + kAudiences + "\"grid_coordinator\"; did you mean \"grid_coordinators\"?",
                  "t.yaml:15:17: expected a unit (d, h, m or s) after \"5\", found end of duration",
                  "t.yaml:16:19: expected a level more severe than II (I), found \"III\"",
                  "t.yaml:17:9: expected key \"after\" in escalation step 4 of level II, found none",
                  "t.yaml:18:9: expected key \"notify\" or \"raise_to\" in escalation step 5 of level II, found "
                  "neither",
                  "t.yaml:20:19: expected a more severe level that this plan defines, found \"I\" (the plan "
                  "has no level I)",
                  "t.yaml:21:9: expected an escalation step key (after, notify or raise_to), found \"notfy\"; "
                  "did you mean \"notify\"?",
                  "t.yaml:22:17: expected at least one audience, found an empty list"));
  // Raising ends the ladder; level I cannot raise; the raised level must be one the plan defines.
  EXPECT_THAT(errors("id: p\ntitle: T\nplaces: xc\nlevels:\n"      // 1-4
                     "  III:\n"                                    // 5
                     "    when: smoke > 1\n"                       // 6
                     "    alert: {event: Fire, headline: Fire}\n"  // 7
                     "    escalation:\n"                           // 8
                     "      - after: 10m\n"                        // 9
                     "        raise_to: I\n"                       // 10
                     "      - after: 20m\n"                        // 11
                     "        raise_to: II\n"                      // 12
                     "  I:\n"                                      // 13
                     "    when: smoke > 2\n"                       // 14
                     "    alert: {event: Fire, headline: Fire}\n"  // 15
                     "    escalation:\n"                           // 16
                     "      - after: 5m\n"                         // 17
                     "        raise_to: I\n"),                     // 18
              ElementsAre("t.yaml:11:9: expected the step that raises the level (step 1) to be the last, found step "
                          "2 after it",
                          "t.yaml:12:19: expected a more severe level that this plan defines (I), found \"II\" (the "
                          "plan has no level II)",
                          "t.yaml:18:19: expected no raise_to at level I, the most severe, found \"I\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "    escalation:\n      - after: 1m\n        raise_to: red\n"),
              ElementsAre("t.yaml:12:19: expected a warning level (I, II, III or IV), found \"red\""));
}

TEST(PlanTest, BadResolve) {
  EXPECT_THAT(errors(std::string(kMinimal) + "resolve: 10m\n"),
              ElementsAre("t.yaml:10:10: expected a map with for and, optionally, when (or manual: true), found "
                          "\"10m\""));
  EXPECT_THAT(errors(std::string(kMinimal) +
                     "resolve:\n"                       // 10
                     "  when: smoke < 0.05 ppb\n"       // 11
                     "  manual: yes\n"                  // 12
                     "  hold: 10m\n"),                  // 13
              ElementsAre("t.yaml:11:22: " + kUnits + "\"ppb\"", "t.yaml:12:11: expected true or false, found \"yes\"",
                          "t.yaml:13:3: expected a resolve key (when, for or manual), found \"hold\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "resolve:\n  manual: true\n  for: 10m\n"),
              ElementsAre("t.yaml:11:11: expected either manual: true or for (with an optional when), found both"));
  EXPECT_THAT(errors(std::string(kMinimal) + "resolve:\n  when: smoke < 0.05\n"),
              ElementsAre("t.yaml:11:3: expected key \"for\" in resolve, found none"));
  EXPECT_THAT(errors(std::string(kMinimal) + "resolve:\n  manual: false\n"),
              ElementsAre("t.yaml:11:3: expected key \"for\" in resolve, found none"));
  EXPECT_THAT(errors(std::string(kMinimal) + "resolve:\n  for: 10 minutes\n"),
              ElementsAre("t.yaml:11:10: expected a unit (d, h, m or s) after \"10\", found a space; write \"10m\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "resolve:\n  for:\n"),
              ElementsAre("t.yaml:11:3: expected a duration such as 30s, 10m or 1h30m, found nothing"));
}

TEST(PlanTest, BadRenotify) {
  const std::string kTimes = "expected a number of reminders (a whole number from 1 to 100), found ";
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify: 10m\n"),
              ElementsAre("t.yaml:10:11: expected a map with every and, optionally, times, found \"10m\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify: [10m]\n"),
              ElementsAre("t.yaml:10:11: expected a map with every and, optionally, times, found a list"));
  // every is required, and "every:" with nothing after it is a mistake.
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  times: 2\n"),
              ElementsAre("t.yaml:11:3: expected key \"every\" in renotify, found none"));
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify: {}\n"),
              ElementsAre("t.yaml:10:11: expected key \"every\" in renotify, found none"));
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  every:\n"),
              ElementsAre("t.yaml:11:3: expected a duration such as 30s, 10m or 1h30m, found nothing"));
  // every: a duration of at least 1m.
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  every: 30s\n"),
              ElementsAre("t.yaml:11:10: expected a duration of at least 1m between reminders, found \"30s\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  every: 59s\n  times: 2\n"),
              ElementsAre("t.yaml:11:10: expected a duration of at least 1m between reminders, found \"59s\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  every: 10\n"),
              ElementsAre("t.yaml:11:12: expected a unit (d, h, m or s) after \"10\", found end of duration"));
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  every: 0m\n"),
              ElementsAre("t.yaml:11:10: expected a duration longer than zero, found \"0m\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  every: 400d\n"),
              ElementsAre("t.yaml:11:10: expected a duration of at most 365d, found \"400d\""));
  // times: a whole number from 1 to 100.
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  every: 10m\n  times: 0\n"),
              ElementsAre("t.yaml:12:10: " + kTimes + "\"0\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  every: 10m\n  times: 101\n"),
              ElementsAre("t.yaml:12:10: " + kTimes + "\"101\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  every: 10m\n  times: three\n"),
              ElementsAre("t.yaml:12:10: " + kTimes + "\"three\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  every: 10m\n  times: 2.5\n"),
              ElementsAre("t.yaml:12:10: " + kTimes + "\"2.5\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  every: 10m\n  times: -1\n"),
              ElementsAre("t.yaml:12:10: " + kTimes + "\"-1\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  every: 10m\n  times: 99999999999999999999\n"),
              ElementsAre("t.yaml:12:10: " + kTimes + "\"99999999999999999999\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  every: 10m\n  times: [3]\n"),
              ElementsAre("t.yaml:12:10: " + kTimes + "a list"));
  // Unknown and repeated keys inside, and a misspelt renotify.
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  every: 10m\n  time: 5\n"),
              ElementsAre("t.yaml:12:3: expected a renotify key (every or times), found \"time\"; did you mean "
                          "\"times\"?"));
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  evry: 10m\n"),
              ElementsAre("t.yaml:11:3: expected a renotify key (every or times), found \"evry\"; did you mean "
                          "\"every\"?",
                          "t.yaml:11:3: expected key \"every\" in renotify, found none"));
  EXPECT_THAT(errors(std::string(kMinimal) + "renotify:\n  every: 10m\n  every: 5m\n"),
              ElementsAre("t.yaml:12:3: expected each key once, found \"every\" again (first on line 11)"));
  EXPECT_THAT(errors(std::string(kMinimal) + "renotfy:\n  every: 10m\n"),
              ElementsAre("t.yaml:10:1: expected a plan key (id, title, version, owner, hazards, language, time_zone, "
                          "places, scope, levels, resolve, inhibits, reopen_within or renotify), found \"renotfy\"; "
                          "did you mean \"renotify\"?"));
  // Every mistake at once.
  EXPECT_THAT(errors(std::string(kMinimal) +
                     "renotify:\n"        // 10
                     "  every: 30s\n"     // 11
                     "  times: 0\n"       // 12
                     "  until: ack\n"),   // 13
              ElementsAre("t.yaml:11:10: expected a duration of at least 1m between reminders, found \"30s\"",
                          "t.yaml:12:10: " + kTimes + "\"0\"",
                          "t.yaml:13:3: expected a renotify key (every or times), found \"until\""));
}

TEST(PlanTest, BadInhibits) {
  EXPECT_THAT(errors(std::string(kMinimal) +
                     "inhibits:\n"                // 10
                     "  - p\n"                    // 11
                     "  - plan: gas-leak\n"       // 12
                     "    scope: buildings\n"     // 13
                     "    from_level: 2\n"        // 14
                     "  - plan: gas-leak\n"       // 15
                     "  - [x]\n"                  // 16
                     "  - plan: Bad Id\n"         // 17
                     "  - scope: grid\n"          // 18
                     "  - {plan: q, whithin: grid}\n"),  // 19
              ElementsAre("t.yaml:11:5: expected another plan's id, found \"p\", this plan's own",
                          "t.yaml:13:12: expected a scope (same_place, building, grid or community), found "
                          "\"buildings\"; did you mean \"building\"?",
                          "t.yaml:14:17: expected a warning level (I, II, III or IV), found \"2\"",
                          "t.yaml:15:11: expected each plan once in inhibits, found \"gas-leak\" again (first on line "
                          "12)",
                          "t.yaml:16:5: expected a plan id, or a map with plan, scope and from_level, found a list",
                          "t.yaml:17:11: expected a plan id (1 to 64 of a-z, 0-9, '_' or '-', starting with a letter "
                          "or digit), found \"Bad Id\"",
                          "t.yaml:18:5: expected key \"plan\" in the entry of inhibits, found none",
                          "t.yaml:19:15: expected an inhibits key (plan, scope or from_level), found \"whithin\""));
}

TEST(PlanTest, BadTimeZoneAndReopen) {
  EXPECT_THAT(errors(std::string(kMinimal) + "time_zone: Beijing\n"),
              ElementsAre("t.yaml:10:12: expected an IANA time zone such as Asia/Shanghai or UTC, found \"Beijing\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "time_zone: [UTC]\n"),
              ElementsAre("t.yaml:10:12: expected an IANA time zone such as Asia/Shanghai or UTC, found a list"));
  EXPECT_THAT(errors(std::string(kMinimal) + "reopen_within: 30\n"),
              ElementsAre("t.yaml:10:18: expected a unit (d, h, m or s) after \"30\", found end of duration"));
  // Inside quotes: one more for the quote.
  EXPECT_THAT(errors(std::string(kMinimal) + "reopen_within: \"1h 30m\"\n"),
              ElementsAre("t.yaml:10:19: expected a number or end of duration, found a space; write it without "
                          "spaces: \"1h30m\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "reopen_within: 400d\n"),
              ElementsAre("t.yaml:10:16: expected a duration of at most 365d, found \"400d\""));
  load_ok(std::string(kMinimal) + "time_zone: America/St_Johns\nreopen_within: 365d\n");
}

// ---------------------------------------------------------------------------------
// The plan library

TEST(PlanTest, EveryLibraryPlanLoads) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(LOOKOUT_PLAN_LIBRARY_DIR)) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    SCOPED_TRACE(entry.path().string());
    LoadResult r = load_plan(read_file(entry.path()), entry.path().filename().string());
    EXPECT_THAT(r.diagnostics, IsEmpty()) << to_string(r.diagnostics);
    ASSERT_TRUE(r.plan.has_value());
    EXPECT_EQ(r.plan->id, entry.path().stem().string());  // one plan per file, named after it
    EXPECT_FALSE(r.plan->levels.empty());
  }
  EXPECT_GE(count, 3);
}

TEST(PlanTest, ResidentialFireIsBilingual) {
  LoadResult r = load_plan(read_file(std::string(LOOKOUT_PLAN_LIBRARY_DIR) + "/residential-fire.yaml"), "f");
  ASSERT_TRUE(r.plan.has_value()) << to_string(r.diagnostics);
  ASSERT_EQ(r.plan->levels.size(), 3u);
  for (const auto& level : r.plan->levels) {
    ASSERT_EQ(level.alert.texts.size(), 2u);
    EXPECT_EQ(level.alert.texts[0].language, "en-US");
    EXPECT_EQ(level.alert.texts[1].language, "zh-CN");
    for (const auto& t : level.alert.texts) {
      EXPECT_FALSE(t.headline.empty());
      EXPECT_FALSE(t.description.empty());
      EXPECT_FALSE(t.instruction.empty());
    }
  }
  // Orange: one detector reading smoke 15 % (converted to 0.15 /) is enough; 14 % is not.
  const LevelRule& orange = r.plan->levels[1];
  EXPECT_EQ(orange.level, Level::kII);
  rules::Evaluator eval(orange.condition);
  auto state = eval.new_state();
  const Time t{};
  EXPECT_FALSE(eval.observe(*state, rules::Sample{"smoke", 14, "%", t, "smk-1"}, t));
  EXPECT_TRUE(eval.observe(*state, rules::Sample{"smoke", 15, "%", t, "smk-2"}, t));
}

TEST(PlanTest, ResidentialFireResponse) {
  LoadResult r = load_plan(read_file(std::string(LOOKOUT_PLAN_LIBRARY_DIR) + "/residential-fire.yaml"), "f");
  ASSERT_TRUE(r.plan.has_value()) << to_string(r.diagnostics);
  const Plan& plan = *r.plan;
  EXPECT_EQ(plan.time_zone, "Asia/Shanghai");
  ASSERT_EQ(plan.levels.size(), 3u);

  // Orange: two fire wardens from the building within 5 minutes; after 10 minutes
  // without acknowledgement the community coordinators, after 20 the red level.
  const LevelRule& orange = plan.levels[1];
  ASSERT_EQ(orange.level, Level::kII);
  ASSERT_EQ(orange.staff.size(), 1u);
  EXPECT_EQ(orange.staff[0].role, "fire_warden");
  EXPECT_EQ(orange.staff[0].count, 2);
  EXPECT_EQ(orange.staff[0].within, PlaceLevel::kBuilding);
  EXPECT_EQ(orange.staff[0].respond_within, std::chrono::minutes(5));
  ASSERT_EQ(orange.checklists.size(), 2u);
  EXPECT_FALSE(orange.checklists[0].items.empty());
  ASSERT_EQ(orange.escalation.size(), 2u);
  EXPECT_EQ(orange.escalation[0].after, std::chrono::minutes(10));
  ASSERT_EQ(orange.escalation[0].notify.size(), 1u);
  EXPECT_EQ(audience_name(orange.escalation[0].notify[0]), "community_coordinators");
  EXPECT_EQ(orange.escalation[0].raise_to, std::nullopt);
  EXPECT_EQ(orange.escalation[1].after, std::chrono::minutes(20));
  EXPECT_THAT(orange.escalation[1].notify, IsEmpty());
  EXPECT_EQ(orange.escalation[1].raise_to, Level::kI);

  // Resolved once smoke and heat are both back to normal for 10 minutes.
  EXPECT_TRUE(plan.resolve.automatic);
  ASSERT_TRUE(plan.resolve.condition.has_value());
  EXPECT_EQ(plan.resolve.hold_for, std::chrono::minutes(10));
  auto clear = [](double smoke, double temperature) {
    return [=](std::string_view q) -> std::optional<rules::Value> {
      return q == "smoke" ? rules::Value{smoke, "/"} : rules::Value{temperature, "Cel"};
    };
  };
  EXPECT_TRUE(plan.resolve.condition->evaluate(clear(0.01, 25)));
  EXPECT_FALSE(plan.resolve.condition->evaluate(clear(0.06, 25)));
  EXPECT_FALSE(plan.resolve.condition->evaluate(clear(0.01, 45)));
  EXPECT_EQ(plan.reopen_within, std::chrono::minutes(30));
  ASSERT_EQ(plan.inhibits.size(), 1u);
  EXPECT_EQ(plan.inhibits[0].plan, "gas-leak");
  EXPECT_EQ(plan.inhibits[0].scope, PlaceLevel::kBuilding);
  EXPECT_EQ(plan.inhibits[0].from_level, Level::kII);
}

// Every library plan says who responds at every level, bilingually, and how it ends.
TEST(PlanTest, LibraryPlansHaveAResponse) {
  for (const auto& entry : std::filesystem::directory_iterator(LOOKOUT_PLAN_LIBRARY_DIR)) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    LoadResult r = load_plan(read_file(entry.path()), entry.path().filename().string());
    ASSERT_TRUE(r.plan.has_value()) << to_string(r.diagnostics);
    EXPECT_EQ(r.plan->time_zone, "Asia/Shanghai");
    EXPECT_TRUE(r.plan->resolve.automatic);
    EXPECT_TRUE(r.plan->reopen_within.has_value());
    for (const auto& level : r.plan->levels) {
      SCOPED_TRACE(std::string(level_name(level.level)));
      EXPECT_FALSE(level.staff.empty());
      EXPECT_FALSE(level.escalation.empty());
      ASSERT_EQ(level.checklists.size(), 2u);
      EXPECT_EQ(level.checklists[0].language, "en-US");
      EXPECT_EQ(level.checklists[1].language, "zh-CN");
      EXPECT_EQ(level.alert.audience.front(), Audience{});  // residents are always told
    }
  }
}

// ---------------------------------------------------------------------------------
// Placeholders

TEST(PlanTest, FillPlaceholders) {
  std::map<std::string, std::string> values = {
      {"place_name", "Building 12"}, {"value", "0.18"}, {"unit", "/"}, {"time", "{value}"}};
  EXPECT_EQ(fill_placeholders("Smoke {value} {unit} in {place_name}", values), "Smoke 0.18 / in Building 12");
  // Without a value, a placeholder stays as written; braces that are not one are text.
  EXPECT_EQ(fill_placeholders("{sensor}: { } {a b} {} {", values), "{sensor}: { } {a b} {} {");
  // Filled text is not filled again.
  EXPECT_EQ(fill_placeholders("at {time}", values), "at {value}");
  EXPECT_EQ(fill_placeholders("", values), "");
  EXPECT_EQ(fill_placeholders("{value}{value}", values), "0.180.18");
}

TEST(PlanTest, KnownPlaceholders) {
  EXPECT_EQ(known_placeholders(),
            (std::vector<std::string>{"place", "place_name", "plan", "plan_title", "level", "level_color", "quantity",
                                      "value", "unit", "sensor", "time"}));
}

// Regression: yaml-cpp 0.7's LoadAll loops forever on a stray ',' (jbeder/yaml-cpp#1040);
// an engine applying such a plan would hang its core. It must be an error instead.
TEST(PlanLoaderRegression, StrayCommaIsAnErrorNotAHang) {
  for (const char* text : {",", ",\nid: fire\n", "id: fire\n,\n"}) {
    auto r = load_plan(text, "comma.yaml");
    EXPECT_FALSE(r.plan.has_value()) << text;
    ASSERT_FALSE(r.diagnostics.empty()) << text;
    EXPECT_EQ(r.diagnostics[0].file, "comma.yaml");
  }
}

}  // namespace
}  // namespace lookout::plans

// ---------------------------------------------------------------------------------
// Scope and level references

namespace lookout::plans {
namespace {

const char* const kTwoLevels =
    "id: p\n"                                 // 1
    "title: T\n"                              // 2
    "places: xc/hl/qy/**\n"                   // 3
    "SCOPE\n"                                 // 4
    "levels:\n"                               // 5
    "  III:\n"                                // 6
    "    when: III_WHEN\n"                    // 7
    "    alert: {event: E, headline: H}\n"    // 8
    "  II:\n"                                 // 9
    "    when: II_WHEN\n"                     // 10
    "    alert: {event: E, headline: H}\n";   // 11

std::string two_levels(std::string_view scope, std::string_view three, std::string_view two) {
  std::string s = kTwoLevels;
  s.replace(s.find("SCOPE"), 5, scope.empty() ? "# no scope" : std::string(scope));
  s.replace(s.find("III_WHEN"), 8, three);
  s.replace(s.find("II_WHEN"), 7, two);
  return s;
}

TEST(PlanScopeTest, ScopesAndTheirPlaces) {
  EXPECT_EQ(load_ok(two_levels("", "smoke > 1", "smoke > 2")).scope, Scope::kPlace);
  EXPECT_EQ(load_ok(two_levels("scope: grid", "smoke > 1", "smoke > 2")).scope, Scope::kGrid);
  EXPECT_EQ(load_ok(two_levels("scope: sensor", "smoke > 1", "smoke > 2")).scope, Scope::kSensor);
  auto b12 = PlacePath::parse("xc/hl/qy/g03/b12").value();
  EXPECT_EQ(scope_place(Scope::kGrid, b12).str(), "xc/hl/qy/g03");
  EXPECT_EQ(scope_place(Scope::kBuilding, b12).str(), "xc/hl/qy/g03/b12");
  EXPECT_EQ(scope_place(Scope::kPlace, b12).str(), "xc/hl/qy/g03/b12");
  EXPECT_EQ(scope_place(Scope::kCommunity, PlacePath::parse("xc/hl").value()).str(), "xc/hl");  // above: its own
  EXPECT_THAT(errors(two_levels("scope: grids", "smoke > 1", "smoke > 2")),
              ElementsAre("t.yaml:4:8: expected a scope (place, sensor, building, grid, community, subdistrict or "
                          "district), found \"grids\""));
}

TEST(PlanScopeTest, WhatEachScopeMayRead) {
  load_ok(two_levels("scope: sensor", "sensor.lives_alone and absent(motion, 12h)", "offline(motion_sensor)"));
  load_ok(two_levels("scope: building", "place.height_class == high_rise and 2 of smoke > 1 within 1m",
                     "reports(fire, 10m) >= 2"));
  EXPECT_THAT(errors(two_levels("scope: building", "smoke > 1 and sensor.lives_alone", "smoke > 2")),
              ElementsAre("t.yaml:7:25: expected a place attribute (place.lives_alone) in a plan with scope: building, "
                          "found sensor.lives_alone; sensor attributes need scope: sensor"));
  EXPECT_THAT(errors(two_levels("scope: sensor", "reports(fire, 10m) >= 2", "smoke > 2")),
              ElementsAre("t.yaml:7:11: expected no reports(...) in a plan with scope: sensor, found one; reports come "
                          "from people, not from a sensor (use scope: place or a level such as building)"));
  EXPECT_THAT(errors(two_levels("scope: sensor", "smoke > 1", "2 of smoke > 2")),
              ElementsAre("t.yaml:10:12: expected at most \"1 of\" in a plan with scope: sensor (it watches one "
                          "sensor), found more; count sensors with scope: building or another place level"));
}

TEST(PlanLevelRefTest, ALevelThatPersistsRaisesTheNext) {
  Plan p = load_ok(two_levels("", "gas_lel >= 10 %LEL", "level(III) for 5m or gas_lel >= 20 %LEL"));
  ASSERT_EQ(p.levels.size(), 2u);
  EXPECT_EQ(p.levels[0].level, Level::kII);
  EXPECT_EQ(p.levels[0].condition.to_string(), "gas_lel >= 10 %LEL for 5m or gas_lel >= 20 %LEL");
  EXPECT_EQ(p.levels[0].condition_text, "level(III) for 5m or gas_lel >= 20 %LEL");  // as written
  EXPECT_TRUE(p.levels[0].condition.level_refs().empty());
  EXPECT_TRUE(p.levels[0].condition.uses_time());
}

TEST(PlanLevelRefTest, Errors) {
  EXPECT_THAT(errors(two_levels("", "smoke > 1", "level(I) for 5m")),
              ElementsAre("t.yaml:10:11: expected a level that this plan defines in level(...), found \"I\" (the plan "
                          "has no level I)"));
  EXPECT_THAT(errors(two_levels("", "smoke > 1", "level(II)")),
              ElementsAre("t.yaml:10:11: expected another level in level(...), found this level's own \"II\""));
  auto cycle = errors(two_levels("", "level(II) for 1m", "level(III) for 1m"));
  ASSERT_EQ(cycle.size(), 1u);
  EXPECT_THAT(cycle[0], ::testing::HasSubstr("expected level references without a cycle"));
}

}  // namespace
}  // namespace lookout::plans
