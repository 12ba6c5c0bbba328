#include "lookout/plans/plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
              ElementsAre("t.yaml:11:1: expected one plan per file, found a second YAML document"));
}

TEST(PlanTest, MissingRequiredKeysAreReportedAtTheMap) {
  EXPECT_THAT(errors("# a plan\ntitle: T\n"),
              ElementsAre("t.yaml:2:1: expected key \"id\" in the plan, found none",
                          "t.yaml:2:1: expected key \"places\" in the plan, found none",
                          "t.yaml:2:1: expected key \"levels\" in the plan, found none"));
  EXPECT_THAT(errors(with_line(2, "")), ElementsAre("t.yaml:1:1: expected key \"title\" in the plan, found none"));
  EXPECT_THAT(
      errors(with_line(7, "    alrt:")),
      ElementsAre("t.yaml:6:5: expected key \"alert\" in level II, found none",
                  "t.yaml:7:5: expected a key of a level (when or alert), found \"alrt\"; did you mean \"alert\"?"));
  EXPECT_THAT(errors(with_line(8, "")),
              ElementsAre("t.yaml:9:7: expected key \"event\" in the alert of level II, found none"));
  EXPECT_THAT(errors(with_line(9, "")),
              ElementsAre("t.yaml:8:7: expected key \"headline\" in the alert of level II, found none"));
  EXPECT_THAT(errors(with_line(6, "")), ElementsAre("t.yaml:7:5: expected key \"when\" in level II, found none"));
}

TEST(PlanTest, UnknownAndDuplicateKeys) {
  EXPECT_THAT(errors(std::string(kMinimal) + "titel: X\n"),
              ElementsAre("t.yaml:10:1: expected a plan key (id, title, version, owner, hazards, language, places or "
                          "levels), found \"titel\"; did you mean \"title\"?"));
  EXPECT_THAT(errors(std::string(kMinimal) + "colour: red\n"),
              ElementsAre("t.yaml:10:1: expected a plan key (id, title, version, owner, hazards, language, places or "
                          "levels), found \"colour\""));
  EXPECT_THAT(errors(std::string(kMinimal) + "title: Again\n"),
              ElementsAre("t.yaml:10:1: expected each key once, found \"title\" again (first on line 2)"));
  EXPECT_THAT(errors(with_line(8, "      event: Fire\n      sevrity: Extreme")),
              ElementsAre("t.yaml:9:7: expected an alert key (category, event, urgency, certainty, response_type, "
                          "headline, description or instruction), found \"sevrity\""));
  EXPECT_THAT(errors(with_line(8, "      event: Fire\n      responseType: Evacuate")),
              ElementsAre("t.yaml:9:7: expected an alert key (category, event, urgency, certainty, response_type, "
                          "headline, description or instruction), found \"responseType\"; did you mean "
                          "\"response_type\"?"));
  EXPECT_THAT(errors(with_line(4, "[x]: 1\nlevels:")),
              ElementsAre("t.yaml:4:1: expected a plan key (id, title, version, owner, hazards, language, places or "
                          "levels), found a list"));
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
          "broken.yaml:7:1: expected a plan key (id, title, version, owner, hazards, language, places or levels), "
          "found \"levles\"; did you mean \"levels\"?",
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
  };
  for (const auto& in : inputs) {
    LoadResult r = load_plan(in, "x.yaml");
    EXPECT_FALSE(r.plan.has_value());
    EXPECT_THAT(r.diagnostics, ::testing::Not(IsEmpty()));
  }
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
  // Orange: smoke 15 % (converted to 0.15 /) is enough.
  const LevelRule& orange = r.plan->levels[1];
  EXPECT_EQ(orange.level, Level::kII);
  EXPECT_TRUE(orange.condition.evaluate([](std::string_view q) -> std::optional<rules::Value> {
    if (q == "smoke") return rules::Value{15, "%"};
    return std::nullopt;
  }));
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

}  // namespace
}  // namespace lookout::plans
