// Contingency plans: the model, and loading one from the YAML a coordinator writes.
// Format: docs/plans.md. A plan names the places it applies to and, per warning level,
// the condition that raises it and the alert to send; then the response: the staff to
// call, their checklist, the escalation ladder, when the incident resolves and which
// other plans' alerts it holds back. This module defines, validates and stores the
// response parts; the incidents-and-staff work carries them out.
//
// Loading is strict: unknown keys, wrong types, bad place patterns, conditions that do
// not parse, unknown units, unknown placeholders, bad durations (duration.h), roles and
// time zones are all errors, each reported with file:line:column and what was
// expected, and a plan with any error is rejected whole.
//
// Thread-safety: a Plan is an immutable value once loaded.
#pragma once

#include <chrono>
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

// Staff roles and skills: [a-z][a-z0-9_]{0,63}, e.g. "fire_warden", "first_aid".
bool is_role_name(std::string_view name);

// Plan ids (and drill ids, which follow the same rule): [a-z0-9][a-z0-9_-]{0,63}.
bool is_plan_id(std::string_view id);
// The rule in words, for messages.
inline constexpr std::string_view kPlanIdRule = "1 to 64 of a-z, 0-9, '_' or '-', starting with a letter or digit";

// Who is told: the recipients of an alert, or whom an escalation step notifies.
struct Audience {
  enum class Kind {
    kResidents,     // the people at the incident's place (the public alert)
    kCoordinators,  // the coordinators of the grid, community, subdistrict or district
                    // around the incident's place (`level`)
    kRole,          // the staff with role `role`
  };
  Kind kind = Kind::kResidents;
  PlaceLevel level = PlaceLevel::kGrid;  // kCoordinators only: kGrid ... kDistrict
  std::string role;                      // kRole only
  bool operator==(const Audience&) const = default;
};
// As a plan writes it: "residents", "grid_coordinators", "community_coordinators",
// "subdistrict_coordinators", "district_coordinators", "role:fire_warden".
std::string audience_name(const Audience& audience);
std::optional<Audience> parse_audience(std::string_view text);

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
  // Who receives it: >= 1, no duplicates. Default: the residents.
  std::vector<Audience> audience = {Audience{}};
};

// Staff a level calls out: `count` people with `role` (and every one of `skills`).
struct StaffNeed {
  std::string role;                        // is_role_name()
  int count = 1;                           // 1 ... 999
  // The part of the hierarchy around the incident's place where they are looked for
  // first: kBuilding ... kDistrict. Default: the grid.
  PlaceLevel within = PlaceLevel::kGrid;
  std::chrono::seconds respond_within{0};  // > 0: how fast each must answer the call
  std::vector<std::string> skills;         // is_role_name() each; may be empty
};

// The checklist handed to the staff of a level, in one language.
struct Checklist {
  std::string language;            // canonical BCP 47, as AlertText::language
  std::vector<std::string> items;  // >= 1; may hold the alert placeholders
};

// One rung of the escalation ladder: what happens when the level has gone `after`
// without acknowledgement since it was raised. Notifies, raises, or both.
struct EscalationStep {
  std::chrono::seconds after{0};  // > 0, strictly increasing along the ladder
  std::vector<Audience> notify;   // may be empty when raise_to is set
  // More severe than the step's level, and a level the plan defines. Only the last
  // step of a ladder may raise: the raised level's own ladder takes over.
  std::optional<Level> raise_to;
};

struct LevelRule {
  Level level = Level::kIV;
  rules::Condition condition;
  std::string condition_text;        // as written
  AlertTemplate alert;
  std::vector<StaffNeed> staff;      // no role twice; may be empty
  // One per language, the plan's language first, all with as many items. Empty: no
  // checklist.
  std::vector<Checklist> checklists;
  std::vector<EscalationStep> escalation;  // in order of `after`; may be empty
};

// When an open incident of the plan resolves by itself. A coordinator can always
// resolve one by hand; by default (automatic == false) that is the only way.
struct ResolveRule {
  bool automatic = false;
  // automatic: resolves once `condition` has held for `hold_for` without a break; without
  // a condition, once none of the plan's level conditions has held for `hold_for`.
  std::optional<rules::Condition> condition;
  std::string condition_text;        // as written; empty without a condition
  std::chrono::seconds hold_for{0};  // > 0 when automatic
};

// Reminders for an incident nobody has acknowledged: the current level's alert is sent again
// (a CAP Update) every `every` after the level was raised, at most `times` times per level;
// acknowledging or resolving the incident stops them.
struct Renotify {
  std::chrono::seconds every{0};  // >= 1 minute
  int times = 3;                  // 1 ... 100
};

// While an incident of this plan is open (at `from_level` or more severe), alerts of
// plan `plan` for places in the same `scope` are held back.
struct Inhibition {
  std::string plan;  // another plan's id (one that is not loaded holds nothing back)
  // The part of the hierarchy shared with the incident's place: nullopt for the same
  // place exactly, else kBuilding, kGrid or kCommunity.
  std::optional<PlaceLevel> scope;
  Level from_level = Level::kIV;  // kIV: at any level
};

// Where a plan's conditions are evaluated, and so what one incident covers.
//   kPlace:    each place a sensor (or report) is registered at, as it is (the default);
//   kBuilding ... kDistrict: the place cut to that level: every sensor and report inside a
//              grid feeds one evaluation for the grid ("any water sensor in the grid");
//              inputs registered above that level keep their own place;
//   kSensor:   each sensor on its own ("no movement from this resident's sensor").
enum class Scope { kPlace, kSensor, kBuilding, kGrid, kCommunity, kSubdistrict, kDistrict };
std::string_view scope_name(Scope scope);  // "place", "sensor", "building", ...
std::optional<Scope> parse_scope(std::string_view text);
// The level a scope cuts places to; nullopt for kPlace and kSensor.
std::optional<PlaceLevel> scope_level(Scope scope);
// The place whose evaluation an input at `place` feeds under `scope`.
PlacePath scope_place(Scope scope, const PlacePath& place);

struct Plan {
  std::string id;                    // [a-z0-9][a-z0-9_-]{0,63}
  std::string title;
  std::string version;               // the author's label for this revision (free text)
  std::string owner;
  std::vector<std::string> hazards;
  std::vector<PlacePattern> places;  // >= 1; matched against the input's own place
  Scope scope = Scope::kPlace;
  std::vector<LevelRule> levels;     // >= 1, most severe first, at most one per level
  std::string time_zone = "UTC";     // IANA name, checked with find_time_zone()
  ResolveRule resolve;
  std::vector<Inhibition> inhibits;  // no plan twice, never the plan itself
  // An incident raised again at the same place within this long after it resolved is
  // reopened instead of a new one being started. nullopt: never reopened.
  std::optional<std::chrono::seconds> reopen_within;
  std::optional<Renotify> renotify;  // nullopt: no reminders
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
