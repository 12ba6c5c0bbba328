// Contingency plans: the model, and loading one from the YAML a coordinator writes.
// Format: docs/plans.md. A plan names the places it applies to and, per warning level,
// the condition that raises it and the alert to send.
//
// Loading is strict: unknown keys, wrong types, bad place patterns, conditions that do
// not parse, unknown units and unknown placeholders are all errors, each reported with
// file:line:column and what was expected, and a plan with any error is rejected whole.
//
// Thread-safety: a Plan is an immutable value once loaded.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lookout/base/diagnostic.h"
#include "lookout/base/place.h"
#include "lookout/rules/condition.h"

namespace lookout::plans {

// The four-tier national scheme: I red (most severe) ... IV blue.
enum class Level { kI = 1, kII = 2, kIII = 3, kIV = 4 };
std::string_view level_name(Level level);     // "I", "II", "III", "IV"
std::string_view level_color(Level level);    // "red", "orange", "yellow", "blue"
std::string_view cap_severity(Level level);   // "Extreme", "Severe", "Moderate", "Minor"
std::optional<Level> parse_level(std::string_view text);  // "I".."IV"
// True when `a` is more severe than `b` (I beats II).
inline bool more_severe(Level a, Level b) { return static_cast<int>(a) < static_cast<int>(b); }

// Alert text in one language. Text may hold placeholders, filled in when an alert is
// sent: {place} (path), {place_name}, {plan}, {plan_title}, {level}, {level_color},
// {quantity}, {value}, {unit}, {sensor}, {time}.
struct AlertText {
  std::string language;     // BCP 47, e.g. "en-US", "zh-CN"
  std::string headline;
  std::string description;
  std::string instruction;
};

struct AlertTemplate {
  std::string category = "Safety";   // CAP category
  std::string event;                 // CAP event, e.g. "Residential fire"
  std::string urgency = "Immediate";
  std::string certainty = "Observed";
  std::string response_type = "Monitor";
  std::vector<AlertText> texts;      // >= 1; the first is the plan's default language
};

struct LevelRule {
  Level level = Level::kIV;
  rules::Condition condition;
  std::string condition_text;        // as written
  AlertTemplate alert;
};

struct Plan {
  std::string id;                    // [a-z0-9][a-z0-9_-]{0,63}
  std::string title;
  std::string version;               // the author's label for this revision (free text)
  std::string owner;
  std::vector<std::string> hazards;
  std::vector<PlacePattern> places;  // >= 1
  std::vector<LevelRule> levels;     // >= 1, most severe first, at most one per level
};

struct LoadResult {
  std::optional<Plan> plan;          // set exactly when diagnostics is empty
  Diagnostics diagnostics;
};

// Parses and checks a plan. `file_name` appears in diagnostics.
LoadResult load_plan(std::string_view yaml_text, std::string_view file_name);

// Fills {placeholders} in `text` from `values`; a placeholder without a value is left
// as written. load_plan() has already rejected placeholders outside the list above.
std::string fill_placeholders(std::string_view text, const std::map<std::string, std::string>& values);
const std::vector<std::string>& known_placeholders();

}  // namespace lookout::plans
