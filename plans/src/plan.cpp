// Loading a contingency plan from YAML (format: docs/plans.md).
//
// yaml-cpp builds the node tree; this file walks it and checks every key, collecting
// all the problems it finds rather than stopping at the first, with the strict-YAML
// readers shared with the drill scenario loader (lookout/base/yaml_fields.h).
// Positions come from the nodes' marks (byte offsets into the text), turned into
// 1-based lines and columns, with columns counting characters (so that a Chinese
// headline does not shift them). For a condition or a placeholder inside a scalar, the
// offset within the scalar's value is mapped back onto the file text, through quotes,
// escapes and line folding (best effort: when the mapping is lost, the scalar's start
// is reported).
#include "lookout/plans/plan.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <exception>
#include <utility>

#include "lookout/base/duration.h"
#include "lookout/base/yaml_fields.h"

namespace lookout::plans {

std::string_view level_name(Level level) {
  switch (level) {
    case Level::kI: return "I";
    case Level::kII: return "II";
    case Level::kIII: return "III";
    case Level::kIV: return "IV";
  }
  return "?";
}

std::string_view level_color(Level level) {
  switch (level) {
    case Level::kI: return "red";
    case Level::kII: return "orange";
    case Level::kIII: return "yellow";
    case Level::kIV: return "blue";
  }
  return "?";
}

std::string_view cap_severity(Level level) {
  switch (level) {
    case Level::kI: return "Extreme";
    case Level::kII: return "Severe";
    case Level::kIII: return "Moderate";
    case Level::kIV: return "Minor";
  }
  return "Unknown";
}

std::optional<Level> parse_level(std::string_view text) {
  for (Level l : {Level::kI, Level::kII, Level::kIII, Level::kIV}) {
    if (text == level_name(l)) return l;
  }
  return std::nullopt;
}

namespace {
constexpr std::pair<Scope, std::string_view> kPlanScopeNames[] = {
    {Scope::kPlace, "place"},         {Scope::kSensor, "sensor"},   {Scope::kBuilding, "building"},
    {Scope::kGrid, "grid"},           {Scope::kCommunity, "community"}, {Scope::kSubdistrict, "subdistrict"},
    {Scope::kDistrict, "district"}};
}  // namespace

std::string_view scope_name(Scope scope) {
  for (const auto& [s, name] : kPlanScopeNames) {
    if (s == scope) return name;
  }
  return "place";
}

std::optional<Scope> parse_scope(std::string_view text) {
  for (const auto& [s, name] : kPlanScopeNames) {
    if (name == text) return s;
  }
  return std::nullopt;
}

std::optional<PlaceLevel> scope_level(Scope scope) {
  switch (scope) {
    case Scope::kBuilding: return PlaceLevel::kBuilding;
    case Scope::kGrid: return PlaceLevel::kGrid;
    case Scope::kCommunity: return PlaceLevel::kCommunity;
    case Scope::kSubdistrict: return PlaceLevel::kSubdistrict;
    case Scope::kDistrict: return PlaceLevel::kDistrict;
    case Scope::kPlace:
    case Scope::kSensor: break;
  }
  return std::nullopt;
}

PlacePath scope_place(Scope scope, const PlacePath& place) {
  auto level = scope_level(scope);
  if (!level) return place;
  const auto depth = static_cast<std::size_t>(*level);
  if (place.depth() <= depth) return place;
  return place.truncated(depth);
}

const std::vector<std::string>& known_placeholders() {
  static const std::vector<std::string> names = {"place",    "place_name", "plan", "plan_title", "level", "level_color",
                                                 "quantity", "value",      "unit", "sensor",     "time"};
  return names;
}

bool is_role_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

namespace {

constexpr std::string_view kRolePrefix = "role:";
constexpr std::string_view kCoordinatorsSuffix = "_coordinators";
// The levels whose coordinators an audience can name, widest last.
constexpr PlaceLevel kCoordinatorLevels[] = {PlaceLevel::kGrid, PlaceLevel::kCommunity, PlaceLevel::kSubdistrict,
                                             PlaceLevel::kDistrict};

}  // namespace

std::string audience_name(const Audience& audience) {
  switch (audience.kind) {
    case Audience::Kind::kResidents: return "residents";
    case Audience::Kind::kCoordinators:
      return std::string(place_level_name(audience.level)) + std::string(kCoordinatorsSuffix);
    case Audience::Kind::kRole: return std::string(kRolePrefix) + audience.role;
  }
  return "?";
}

std::optional<Audience> parse_audience(std::string_view text) {
  Audience a;
  if (text == "residents") return a;
  if (text.substr(0, kRolePrefix.size()) == kRolePrefix) {
    a.kind = Audience::Kind::kRole;
    a.role = std::string(text.substr(kRolePrefix.size()));
    return is_role_name(a.role) ? std::optional<Audience>(std::move(a)) : std::nullopt;
  }
  for (PlaceLevel level : kCoordinatorLevels) {
    a.kind = Audience::Kind::kCoordinators;
    a.level = level;
    if (text == audience_name(a)) return a;
  }
  return std::nullopt;
}

namespace {

// A placeholder in alert text: '{', a name (one or more characters other than braces
// and white space), '}'. A '{' not followed by that ("{ }", "{a b}") is plain text.
struct Placeholder {
  std::size_t start = 0;  // offset of '{'
  std::size_t end = 0;    // offset just past '}'
  std::string_view name;
};

bool is_placeholder_char(char c) { return c != '{' && c != '}' && c != ' ' && c != '\t' && c != '\n' && c != '\r'; }

std::optional<Placeholder> next_placeholder(std::string_view text, std::size_t from) {
  for (std::size_t open = text.find('{', from); open != std::string_view::npos; open = text.find('{', open + 1)) {
    std::size_t i = open + 1;
    while (i < text.size() && is_placeholder_char(text[i])) ++i;
    if (i > open + 1 && i < text.size() && text[i] == '}') {
      return Placeholder{open, i + 1, text.substr(open + 1, i - open - 1)};
    }
  }
  return std::nullopt;
}

}  // namespace

std::string fill_placeholders(std::string_view text, const std::map<std::string, std::string>& values) {
  std::string out;
  std::size_t done = 0;
  while (auto ph = next_placeholder(text, done)) {
    out += text.substr(done, ph->start - done);
    auto it = values.find(std::string(ph->name));
    out += it != values.end() ? std::string_view(it->second) : text.substr(ph->start, ph->end - ph->start);
    done = ph->end;
  }
  out += text.substr(done);
  return out;
}

namespace {

// ---------------------------------------------------------------------------------
// Small text helpers

// BCP 47, loosely: a 2 or 3 letter language, then subtags of 1-8 letters or digits.
bool is_language_tag(std::string_view tag) {
  std::size_t start = 0;
  for (int index = 0;; ++index) {
    std::size_t dash = tag.find('-', start);
    std::string_view part = tag.substr(start, dash == std::string_view::npos ? std::string_view::npos : dash - start);
    if (part.empty() || part.size() > 8) return false;
    for (char c : part) {
      bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      bool digit = c >= '0' && c <= '9';
      if (!letter && !(digit && index > 0)) return false;
    }
    if (index == 0 && (part.size() < 2 || part.size() > 3)) return false;
    if (dash == std::string_view::npos) return true;
    start = dash + 1;
  }
}

// The usual casing of a language tag, so that en-us and en-US are one language:
// language lowercase, script Titlecase, region uppercase ("zh-Hans-CN").
std::string canonical_language_tag(std::string_view tag) {
  std::string out(tag);
  std::size_t start = 0;
  for (int index = 0; start <= out.size(); ++index) {
    std::size_t end = std::min(out.find('-', start), out.size());
    for (std::size_t i = start; i < end; ++i) {
      bool upper = index > 0 && ((end - start == 2) || (end - start == 4 && i == start));
      char c = out[i];
      if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (!upper) c = ascii_lower(c);
      out[i] = c;
    }
    start = end + 1;
  }
  return out;
}


// ---------------------------------------------------------------------------------
// The loader

// CAP 1.2 code lists.
const std::vector<std::string_view> kCapCategories = {"Geo",    "Met", "Safety",    "Security", "Rescue", "Fire",
                                                      "Health", "Env", "Transport", "Infra",    "CBRNE",  "Other"};
const std::vector<std::string_view> kCapUrgencies = {"Immediate", "Expected", "Future", "Past", "Unknown"};
const std::vector<std::string_view> kCapCertainties = {"Observed", "Likely", "Possible", "Unlikely", "Unknown"};
const std::vector<std::string_view> kCapResponseTypes = {"Shelter", "Evacuate", "Prepare",  "Execute", "Avoid",
                                                         "Monitor", "Assess",   "AllClear", "None"};

const std::vector<std::string_view> kPlanKeys = {"id",       "title",     "version", "owner",
                                                 "hazards",  "language",  "time_zone", "places",
                                                 "scope",    "levels",    "resolve", "inhibits",
                                                 "reopen_within", "renotify"};
const std::vector<std::string_view> kLevelKeys = {"when", "alert", "staff", "checklist", "escalation"};
const std::vector<std::string_view> kAlertKeys = {
    "category", "event", "urgency", "certainty", "response_type", "headline", "description", "instruction", "audience"};
const std::vector<std::string_view> kStaffKeys = {"role", "count", "within", "respond_within", "skills"};
const std::vector<std::string_view> kEscalationKeys = {"after", "notify", "raise_to"};
const std::vector<std::string_view> kResolveKeys = {"when", "for", "manual"};
const std::vector<std::string_view> kRenotifyKeys = {"every", "times"};
const std::vector<std::string_view> kInhibitKeys = {"plan", "scope", "from_level"};
const std::vector<std::string_view> kAudienceKeys = {"role"};
const std::vector<std::string_view> kLevelNames = {"I", "II", "III", "IV"};
// Where staff are looked for first: the part of the hierarchy around the incident.
const std::vector<std::string_view> kWithinNames = {"building", "grid", "community", "subdistrict", "district"};
// What an inhibition's incident and the held-back alert must share.
const std::vector<std::string_view> kScopeNames = {"same_place", "building", "grid", "community"};
const std::vector<std::string_view> kAudienceNames = {"residents", "grid_coordinators", "community_coordinators",
                                                      "subdistrict_coordinators", "district_coordinators"};
const std::string kAudienceExpected =
    "an audience (residents, grid_coordinators, community_coordinators, subdistrict_coordinators, "
    "district_coordinators or role:<role name>)";
const std::string kRoleRule = "1 to 64 of a-z, 0-9 or '_', starting with a letter";
constexpr int kMaxStaffCount = 999;
// renotify: reminders at most this often, and at most this many per level.
constexpr std::chrono::seconds kMinRenotifyEvery = std::chrono::minutes(1);
constexpr int kMaxRenotifyTimes = 100;

// The place level named `name` ("building", ..., "district").
std::optional<PlaceLevel> parse_place_level(std::string_view name) {
  for (PlaceLevel l : {PlaceLevel::kDistrict, PlaceLevel::kSubdistrict, PlaceLevel::kCommunity, PlaceLevel::kGrid,
                       PlaceLevel::kBuilding}) {
    if (name == place_level_name(l)) return l;
  }
  return std::nullopt;
}

// A name that is almost a role name ("Fire Warden", "fire-warden") written as one.
std::string as_role_name(std::string_view text) {
  std::string out;
  for (char c : text) out += c == ' ' || c == '-' ? '_' : ascii_lower(c);
  return out;
}

constexpr std::string_view kDefaultLanguage = "en-US";

// One text of an alert (headline, description or instruction) in one language.
struct TextEntry {
  std::string language;
  std::string text;
  YAML::Node where;  // the language key, or the text itself when it is a plain string
};

// An escalation step's raise_to, checked once every level of the plan is known.
struct PendingRaise {
  Level from;
  Level to;
  YAML::Node where;
};

// The loader: the shared readers of fields (lookout/base/yaml_fields.h) and the plan's
// own.
class Loader : private YamlFieldReader {
 public:
  Loader(std::string_view text, std::string_view file) : YamlFieldReader(text, file) {}

  LoadResult load() {
    auto root = load_document("a plan (a map with id, title, places and levels)", "plan");
    if (!root) return finish(std::nullopt);
    return finish(read_plan(*root));
  }

 private:
  LoadResult finish(std::optional<Plan> plan) {
    LoadResult result;
    std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    result.diagnostics = std::move(diagnostics_);
    if (result.diagnostics.empty()) result.plan = std::move(plan);
    return result;
  }

  // ---- readers of the plan's own values

  // One of a fixed list of values (CAP code lists).
  std::optional<std::string> read_enum(const Field& f, const std::vector<std::string_view>& allowed,
                                       std::string_view what) {
    std::string expected = std::string(what) + " (" + join_or(allowed) + ")";
    auto s = read_string(f, expected);
    if (!s) return std::nullopt;
    if (std::find(allowed.begin(), allowed.end(), *s) == allowed.end()) {
      error_at(f, "expected " + expected + ", found " + quote(*s) + did_you_mean(*s, allowed));
      return std::nullopt;
    }
    return s;
  }

  // A list of non-empty texts; a single text stands for a list of one.
  std::vector<std::pair<std::string, YAML::Node>> read_string_list(const Field& f, std::string_view what) {
    std::vector<std::pair<std::string, YAML::Node>> items;
    if (f.value.IsScalar() && !f.value.Scalar().empty()) {
      items.emplace_back(f.value.Scalar(), f.value);
    } else if (f.value.IsSequence()) {
      for (auto it = f.value.begin(); it != f.value.end(); ++it) {
        YAML::Node item = *it;
        if (item.IsScalar() && !item.Scalar().empty()) {
          items.emplace_back(item.Scalar(), item);
        } else {
          error_at(item.IsNull() ? f.value : item, "expected " + std::string(what) + ", found " + describe(item));
        }
      }
    } else {
      error_at(f, "expected " + std::string(what) + " or a list of them, found " + describe(f.value));
    }
    return items;
  }

  // ---- the plan

  std::optional<Plan> read_plan(const YAML::Node& root) {
    const std::string plan_keys = "a plan key (" + join_or(kPlanKeys) + ")";
    if (!root.IsMap()) {
      error_at(root, "expected a plan (a map with id, title, places and levels), found " + describe(root));
      return std::nullopt;
    }
    Fields fields = read_map(root, kPlanKeys, plan_keys);
    Plan plan;

    if (const Field* f = require(fields, root, "id", "the plan")) {
      if (auto id = read_string(*f, "a plan id")) {
        if (is_plan_id(*id)) {
          plan.id = *id;
        } else {
          error_at(*f, "expected a plan id (" + std::string(kPlanIdRule) + "), found " + quote(*id));
        }
      }
    }
    if (const Field* f = require(fields, root, "title", "the plan")) {
      plan.title = read_string(*f, "a title").value_or("");
    }
    if (const Field* f = find_set(fields, "version")) plan.version = read_string(*f, "a version label").value_or("");
    if (const Field* f = find_set(fields, "owner")) plan.owner = read_string(*f, "an owner").value_or("");
    if (const Field* f = find_set(fields, "hazards")) {
      for (auto& [hazard, node] : read_string_list(*f, "a hazard name")) plan.hazards.push_back(std::move(hazard));
    }

    if (const Field* f = find_set(fields, "language")) {
      if (auto lang = read_string(*f, "a language tag such as en-US or zh-CN")) {
        if (is_language_tag(*lang)) {
          language_ = canonical_language_tag(*lang);
        } else {
          error_at(*f, "expected a language tag such as en-US or zh-CN, found " + quote(*lang));
        }
      }
    }

    if (const Field* f = require(fields, root, "places", "the plan")) {
      auto patterns = read_string_list(*f, "a place pattern such as xc/hl/qy/**");
      if (f->value.IsSequence() && f->value.size() == 0) {
        error_at(*f, "expected at least one place pattern such as xc/hl/qy/**, found an empty list");
      }
      for (const auto& [text, node] : patterns) {
        auto pattern = PlacePattern::parse(text);
        if (pattern.is_ok()) {
          plan.places.push_back(std::move(pattern).value());
        } else {
          error_at(node, pattern.status().message());
        }
      }
    }

    if (const Field* f = find_set(fields, "time_zone")) {
      if (auto zone = read_time_zone(*f)) plan.time_zone = std::move(*zone);
    }
    if (const Field* f = find_set(fields, "scope")) {
      const std::string expected = "a scope (place, sensor, building, grid, community, subdistrict or district)";
      if (auto text = read_string(*f, expected)) {
        if (auto scope = parse_scope(*text)) {
          plan.scope = *scope;
        } else {
          error_at(*f, "expected " + expected + ", found " + quote(*text));
        }
      }
    }
    if (const Field* f = require(fields, root, "levels", "the plan")) read_levels(*f, plan);
    check_raises();
    resolve_level_refs(plan);
    for (const auto& rule : plan.levels) check_scope(plan.scope, rule.condition, condition_nodes_[rule.level]);
    if (const Field* f = find_set(fields, "resolve")) {
      read_resolve(*f, plan.resolve);
      if (plan.resolve.condition && resolve_node_) {
        if (!plan.resolve.condition->level_refs().empty()) {
          const std::string& text = plan.resolve.condition_text;
          error(source_.in_scalar(*resolve_node_, std::min(text.find("level"), text.size())),
                "expected a condition without level(...) in resolve (write the calm condition itself), found a level reference");
        }
        check_scope(plan.scope, *plan.resolve.condition, *resolve_node_);
      }
    }
    if (const Field* f = find_set(fields, "inhibits")) read_inhibits(*f, plan);
    if (const Field* f = find_set(fields, "reopen_within")) plan.reopen_within = read_duration(*f);
    if (const Field* f = find_set(fields, "renotify")) plan.renotify = read_renotify(*f);
    return plan;
  }

  void read_levels(const Field& f, Plan& plan) {
    const std::string expected_level = "a warning level (" + join_or(kLevelNames) + ")";
    if (!f.value.IsMap()) {
      error_at(
          f, "expected a map from warning levels (I, II, III, IV) to their when and alert, found " + describe(f.value));
      return;
    }
    if (f.value.size() == 0) {
      error_at(f, "expected at least one warning level (I, II, III or IV), found an empty map");
      return;
    }
    const Fields entries = read_map(f.value, kLevelNames, expected_level, "warning level");
    for (const Field& entry : entries) declared_levels_.push_back(*parse_level(entry.name));
    for (const Field& entry : entries) {
      if (auto rule = read_level(*parse_level(entry.name), entry)) plan.levels.push_back(std::move(*rule));
    }
    std::stable_sort(plan.levels.begin(), plan.levels.end(),
                     [](const LevelRule& a, const LevelRule& b) { return more_severe(a.level, b.level); });
  }

  std::optional<LevelRule> read_level(Level level, const Field& f) {
    const std::string context = "level " + std::string(level_name(level));
    if (!f.value.IsMap()) {
      error_at(f, "expected a map with when and alert for " + context + ", found " + describe(f.value));
      return std::nullopt;
    }
    Fields fields = read_map(f.value, kLevelKeys, "a key of a level (" + join_or(kLevelKeys) + ")");
    LevelRule rule;
    rule.level = level;
    bool ok = true;

    if (const Field* when = require(fields, f.value, "when", context)) {
      condition_nodes_[level] = when->value;
      ok = read_condition(*when, rule) && ok;
    } else {
      ok = false;
    }
    if (const Field* alert = require(fields, f.value, "alert", context)) {
      ok = read_alert(*alert, "the alert of " + context, rule.alert) && ok;
    } else {
      ok = false;
    }
    const std::size_t errors_before = diagnostics_.size();
    if (const Field* staff = find_set(fields, "staff")) read_staff(*staff, context, rule.staff);
    if (const Field* checklist = find_set(fields, "checklist")) rule.checklists = read_checklist(*checklist);
    if (const Field* escalation = find_set(fields, "escalation")) {
      read_escalation(*escalation, level, context, rule.escalation);
    }
    ok = ok && diagnostics_.size() == errors_before;
    return ok ? std::optional<LevelRule>(std::move(rule)) : std::nullopt;
  }

  bool read_condition(const Field& f, LevelRule& rule) {
    auto condition = read_condition(f);
    if (!condition) return false;
    rule.condition = std::move(condition->first);
    rule.condition_text = std::move(condition->second);
    return true;
  }

  // A condition and its text as written.
  std::optional<std::pair<rules::Condition, std::string>> read_condition(const Field& f) {
    auto text = read_string(f, "a condition such as \"smoke >= 0.15\"");
    if (!text) return std::nullopt;
    auto parsed = rules::Condition::parse(*text);
    if (auto* err = std::get_if<rules::ParseError>(&parsed)) {
      error(source_.in_scalar(f.value, err->offset), err->message);
      return std::nullopt;
    }
    return std::pair(std::get<rules::Condition>(std::move(parsed)), std::move(*text));
  }

  bool read_alert(const Field& f, const std::string& context, AlertTemplate& alert) {
    if (!f.value.IsMap()) {
      error_at(f, "expected a map with the alert's event, headline and other keys, found " + describe(f.value));
      return false;
    }
    Fields fields = read_map(f.value, kAlertKeys, "an alert key (" + join_or(kAlertKeys) + ")");
    std::size_t errors_before = diagnostics_.size();

    if (const Field* c = find_set(fields, "category")) {
      alert.category = read_enum(*c, kCapCategories, "a CAP category").value_or("");
    }
    if (const Field* e = require(fields, f.value, "event", context)) {
      alert.event = read_string(*e, "an event name").value_or("");
    }
    if (const Field* u = find_set(fields, "urgency")) {
      alert.urgency = read_enum(*u, kCapUrgencies, "a CAP urgency").value_or("");
    }
    if (const Field* c = find_set(fields, "certainty")) {
      alert.certainty = read_enum(*c, kCapCertainties, "a CAP certainty").value_or("");
    }
    if (const Field* r = find_set(fields, "response_type")) {
      alert.response_type = read_enum(*r, kCapResponseTypes, "a CAP response type").value_or("");
    }

    std::vector<TextEntry> headlines;
    std::vector<TextEntry> descriptions;
    std::vector<TextEntry> instructions;
    const Field* headline = require(fields, f.value, "headline", context);
    if (headline) headlines = read_texts(*headline, "a headline");
    if (const Field* d = find_set(fields, "description")) descriptions = read_texts(*d, "a description");
    if (const Field* i = find_set(fields, "instruction")) instructions = read_texts(*i, "an instruction");
    if (headline && !headlines.empty()) alert.texts = assemble_texts(*headline, headlines, descriptions, instructions);
    if (const Field* a = find_set(fields, "audience")) {
      alert.audience = read_audiences(*a);
      if (a->value.IsSequence() && a->value.size() == 0) {
        error_at(*a, "expected at least one audience, found an empty list");
      }
    }
    return diagnostics_.size() == errors_before;
  }

  // A text field: a plain string (in the plan's language) or a map from language tag
  // to string. Placeholders are checked here.
  std::vector<TextEntry> read_texts(const Field& f, std::string_view what) {
    std::vector<TextEntry> entries;
    const std::string expected = std::string(what) + " (a text, or a map from language such as en-US to text)";
    if (f.value.IsScalar()) {
      if (auto text = read_string(f, expected)) {
        check_placeholders(*text, f.value);
        entries.push_back(TextEntry{language_, std::move(*text), f.value});
      }
      return entries;
    }
    if (!f.value.IsMap() || f.value.size() == 0) {
      error_at(
          f, "expected " + expected + ", found " + (f.value.IsMap() ? std::string("an empty map") : describe(f.value)));
      return entries;
    }
    for (auto it = f.value.begin(); it != f.value.end(); ++it) {
      YAML::Node key = it->first;
      YAML::Node value = it->second;
      if (!key.IsScalar() || !is_language_tag(key.Scalar())) {
        error_at(key, "expected a language tag such as en-US or zh-CN, found " + describe(key));
        continue;
      }
      const std::string language = canonical_language_tag(key.Scalar());
      auto same = [&](const TextEntry& e) { return e.language == language; };
      if (auto first = std::find_if(entries.begin(), entries.end(), same); first != entries.end()) {
        error_at(key, "expected each language once, found " + quote(key.Scalar()) + " again (first on line " +
                          std::to_string(source_.at(first->where).line) + ")");
        continue;
      }
      if (!value.IsScalar() || value.Scalar().empty()) {
        error_at(value.IsNull() ? key : value,
                 "expected " + std::string(what) + " in " + language + ", found " + describe(value));
        continue;
      }
      check_placeholders(value.Scalar(), value);
      entries.push_back(TextEntry{language, value.Scalar(), key});
    }
    return entries;
  }

  void check_placeholders(std::string_view text, const YAML::Node& node) {
    const auto& known = known_placeholders();
    const std::vector<std::string_view> names(known.begin(), known.end());
    for (auto ph = next_placeholder(text, 0); ph; ph = next_placeholder(text, ph->end)) {
      if (std::find(names.begin(), names.end(), ph->name) != names.end()) continue;
      std::string list;
      for (std::size_t i = 0; i < known.size(); ++i) {
        if (i > 0) list += i + 1 == known.size() ? " or " : ", ";
        list += "{" + known[i] + "}";
      }
      error(source_.in_scalar(node, ph->start), "expected a placeholder (" + list + "), found " +
                                                    quote(text.substr(ph->start, ph->end - ph->start)) +
                                                    did_you_mean(ph->name, names, "{", "}"));
    }
  }

  // One AlertText per language, the plan's language first. Every language needs a
  // headline, and the plan's language must be one of them.
  std::vector<AlertText> assemble_texts(const Field& headline_field, const std::vector<TextEntry>& headlines,
                                        const std::vector<TextEntry>& descriptions,
                                        const std::vector<TextEntry>& instructions) {
    auto has_headline = [&](const std::string& lang) {
      return std::any_of(headlines.begin(), headlines.end(), [&](const TextEntry& e) { return e.language == lang; });
    };
    std::vector<std::string> languages;
    auto add_language = [&](const std::string& lang) {
      if (std::find(languages.begin(), languages.end(), lang) == languages.end()) languages.push_back(lang);
    };
    if (has_headline(language_)) {
      add_language(language_);
    } else {
      std::string found;
      for (const auto& e : headlines) found += (found.empty() ? "" : ", ") + e.language;
      error_at(headline_field, "expected a headline in " + language_ +
                                   " (the plan's language; set another with \"language:\"), found only " + found);
    }
    for (const auto& e : headlines) add_language(e.language);
    for (const auto* list : {&descriptions, &instructions}) {
      for (const auto& e : *list) {
        if (has_headline(e.language) || e.language == language_) continue;  // the plan's language: reported above
        error_at(e.where, "expected a headline in " + e.language + " too, found none");
      }
    }

    std::vector<AlertText> texts;
    for (const auto& lang : languages) {
      AlertText t;
      t.language = lang;
      auto text_in = [&](const std::vector<TextEntry>& list) {
        auto it = std::find_if(list.begin(), list.end(), [&](const TextEntry& e) { return e.language == lang; });
        return it != list.end() ? it->text : std::string();
      };
      t.headline = text_in(headlines);
      t.description = text_in(descriptions);
      t.instruction = text_in(instructions);
      texts.push_back(std::move(t));
    }
    return texts;
  }

  // ---- the response parts: staff, checklists, escalation, resolve, inhibits

  // A role or skill name.
  std::optional<std::string> read_name(const Field& f, std::string_view what) {
    const std::string expected = std::string(what) + " (" + kRoleRule + ")";
    auto name = read_string(f, expected);
    if (!name) return std::nullopt;
    if (is_role_name(*name)) return name;
    error_at(f, "expected " + expected + ", found " + quote(*name) + role_hint(*name));
    return std::nullopt;
  }

  // "; did you mean \"fire_warden\"?" for "Fire Warden", or nothing.
  static std::string role_hint(std::string_view name) {
    std::string fixed = as_role_name(name);
    return is_role_name(fixed) ? "; did you mean " + quote(fixed) + "?" : std::string();
  }

  std::optional<bool> read_bool(const Field& f) {
    auto text = read_string(f, "true or false");
    if (!text) return std::nullopt;
    if (*text == "true") return true;
    if (*text == "false") return false;
    error_at(f, "expected true or false, found " + quote(*text));
    return std::nullopt;
  }

  std::optional<Level> read_level_name(const Field& f) {
    auto name = read_enum(f, kLevelNames, "a warning level");
    return name ? parse_level(*name) : std::nullopt;
  }

  // A number of people, 1 to kMaxStaffCount.
  std::optional<int> read_count(const Field& f) { return read_whole_number(f, "a number of people", 1, kMaxStaffCount); }

  // One audience or a list of them, each once.
  std::vector<Audience> read_audiences(const Field& f) {
    std::vector<Audience> audiences;
    std::vector<YAML::Node> where;  // parallel to audiences
    for (const YAML::Node& item : items_of(f.value)) {
      auto audience = read_audience(item_field(f.value, item));
      if (!audience) continue;
      auto same = std::find(audiences.begin(), audiences.end(), *audience);
      if (same != audiences.end()) {
        const YAML::Node& first = where[static_cast<std::size_t>(same - audiences.begin())];
        error_at(item, "expected each audience once, found " + quote(audience_name(*audience)) +
                           " again (first on line " + std::to_string(source_.at(first).line) + ")");
        continue;
      }
      audiences.push_back(std::move(*audience));
      where.push_back(item);
    }
    return audiences;
  }

  // residents, grid_coordinators, ..., district_coordinators, role:<role name>, or a map
  // {role: <role name>} (what "- role: fire_warden" in a list is).
  std::optional<Audience> read_audience(const Field& f) {
    Audience audience;
    audience.kind = Audience::Kind::kRole;
    if (f.value.IsMap()) {
      Fields fields = read_map(f.value, kAudienceKeys, "an audience key (role)");
      const Field* role = require(fields, f.value, "role", "the audience");
      auto name = role != nullptr ? read_name(*role, "a role name") : std::nullopt;
      if (!name) return std::nullopt;
      audience.role = std::move(*name);
      return audience;
    }
    auto text = read_string(f, kAudienceExpected);
    if (!text) return std::nullopt;
    if (auto parsed = parse_audience(*text)) return parsed;
    if (text->substr(0, kRolePrefix.size()) != kRolePrefix) {
      error_at(f, "expected " + kAudienceExpected + ", found " + quote(*text) + did_you_mean(*text, kAudienceNames));
      return std::nullopt;
    }
    // "role:" and a name that is not one; "role: fire_warden" (quoted) is accepted.
    std::size_t start = kRolePrefix.size();
    while (start < text->size() && (*text)[start] == ' ') ++start;
    const std::string_view name = std::string_view(*text).substr(start);
    if (is_role_name(name)) {
      audience.role = std::string(name);
      return audience;
    }
    error(source_.in_scalar(f.value, start), "expected a role name (" + kRoleRule + ") after \"role:\", found " +
                                                 (name.empty() ? std::string("nothing") : quote(name)) +
                                                 role_hint(name));
    return std::nullopt;
  }

  void read_staff(const Field& f, const std::string& context, std::vector<StaffNeed>& staff) {
    if (!f.value.IsSequence()) {
      error_at(f, "expected a list of staff, each with role, count, within and respond_within, found " +
                      describe(f.value));
      return;
    }
    std::vector<std::pair<std::string, YAML::Node>> roles;  // seen so far, for duplicates
    int index = 0;
    for (const YAML::Node& item : items_of(f.value)) {
      ++index;
      if (!item.IsMap()) {
        error_at(item_field(f.value, item),
                 "expected a staff entry (a map with role, count, within and respond_within), found " + describe(item));
        continue;
      }
      const std::string where = "staff entry " + std::to_string(index) + " of " + context;
      Fields fields = read_map(item, kStaffKeys, "a staff key (" + join_or(kStaffKeys) + ")");
      const std::size_t errors_before = diagnostics_.size();
      StaffNeed need;
      if (const Field* role = require(fields, item, "role", where)) {
        if (auto name = read_name(*role, "a role name")) {
          auto same = std::find_if(roles.begin(), roles.end(), [&](const auto& r) { return r.first == *name; });
          if (same != roles.end()) {
            error_at(*role, "expected each role once in the staff of " + context + ", found " + quote(*name) +
                                " again (first on line " + std::to_string(source_.at(same->second).line) + ")");
          } else {
            roles.emplace_back(*name, role->value);
          }
          need.role = std::move(*name);
        }
      }
      if (const Field* count = find_set(fields, "count")) need.count = read_count(*count).value_or(1);
      if (const Field* within = find_set(fields, "within")) {
        if (auto name = read_enum(*within, kWithinNames, "a part of the hierarchy")) {
          need.within = parse_place_level(*name).value_or(PlaceLevel::kGrid);
        }
      }
      if (const Field* respond = require(fields, item, "respond_within", where)) {
        need.respond_within = read_duration(*respond).value_or(std::chrono::seconds(0));
      }
      if (const Field* skills = find_set(fields, "skills")) {
        for (const YAML::Node& skill : items_of(skills->value)) {
          if (auto name = read_name(item_field(skills->value, skill), "a skill name")) {
            need.skills.push_back(std::move(*name));
          }
        }
      }
      if (diagnostics_.size() == errors_before) staff.push_back(std::move(need));
    }
  }

  // A checklist: a list of items in the plan's language, or a map from language to a
  // list of items. Every language has as many items, and the plan's language is one of
  // them. An empty list is no checklist.
  std::vector<Checklist> read_checklist(const Field& f) {
    struct Entry {
      Checklist list;
      YAML::Node where;  // the language key, or the list
    };
    std::vector<Entry> entries;
    const std::size_t errors_before = diagnostics_.size();
    if (f.value.IsScalar() || f.value.IsSequence()) {
      auto items = read_checklist_items(f.value, f.value);
      if (!items || items->empty()) return {};
      entries.push_back(Entry{Checklist{language_, std::move(*items)}, f.value});
    } else if (f.value.IsMap() && f.value.size() > 0) {
      for (auto it = f.value.begin(); it != f.value.end(); ++it) {
        YAML::Node key = it->first;
        YAML::Node value = it->second;
        if (!key.IsScalar() || !is_language_tag(key.Scalar())) {
          error_at(key, "expected a language tag such as en-US or zh-CN, found " + describe(key));
          continue;
        }
        const std::string language = canonical_language_tag(key.Scalar());
        auto same = [&](const Entry& e) { return e.list.language == language; };
        if (auto first = std::find_if(entries.begin(), entries.end(), same); first != entries.end()) {
          error_at(key, "expected each language once, found " + quote(key.Scalar()) + " again (first on line " +
                            std::to_string(source_.at(first->where).line) + ")");
          continue;
        }
        if (value.IsNull() || (value.IsSequence() && value.size() == 0)) {
          error_at(value.IsNull() ? key : value, "expected a checklist in " + language + ", found " +
                                                     (value.IsNull() ? std::string("nothing") : "an empty list"));
          continue;
        }
        if (auto items = read_checklist_items(value, key)) {
          entries.push_back(Entry{Checklist{language, std::move(*items)}, key});
        }
      }
    } else {
      error_at(f, "expected a checklist (a list of items, or a map from language such as en-US to a list of items), "
                  "found " +
                      (f.value.IsMap() ? std::string("an empty map") : describe(f.value)));
      return {};
    }
    if (diagnostics_.size() != errors_before) return {};

    auto in_plan_language = std::find_if(entries.begin(), entries.end(),
                                         [&](const Entry& e) { return e.list.language == language_; });
    if (in_plan_language == entries.end()) {
      std::string found;
      for (const auto& e : entries) found += (found.empty() ? "" : ", ") + e.list.language;
      error_at(f, "expected a checklist in " + language_ +
                      " (the plan's language; set another with \"language:\"), found only " + found);
      return {};
    }
    std::rotate(entries.begin(), in_plan_language, in_plan_language + 1);  // the plan's language first
    auto items = [](std::size_t n) { return std::to_string(n) + (n == 1 ? " item" : " items"); };
    const std::size_t expected_size = entries.front().list.items.size();
    std::vector<Checklist> checklists;
    for (auto& e : entries) {
      if (e.list.items.size() != expected_size) {
        error_at(e.where, "expected " + items(expected_size) + " in " + e.list.language + ", as in " + language_ +
                              " (the plan's language), found " + items(e.list.items.size()));
      }
      checklists.push_back(std::move(e.list));
    }
    return checklists;
  }

  // The items of a checklist: a list of texts, or one text. nullopt after a mistake.
  std::optional<std::vector<std::string>> read_checklist_items(const YAML::Node& value, const YAML::Node& report_at) {
    if (!value.IsScalar() && !value.IsSequence()) {
      error_at(value, "expected a checklist item or a list of them, found " + describe(value));
      return std::nullopt;
    }
    const std::size_t errors_before = diagnostics_.size();
    std::vector<std::string> items;
    for (const YAML::Node& item : items_of(value)) {
      if (item.IsScalar() && !item.Scalar().empty()) {
        check_placeholders(item.Scalar(), item);
        items.push_back(item.Scalar());
      } else {
        std::string hint = item.IsMap() ? "; if a text contains \": \", put it in quotes" : "";
        error_at(item.IsNull() ? report_at : item,
                 "expected a checklist item (a text), found " + describe(item) + hint);
      }
    }
    if (diagnostics_.size() != errors_before) return std::nullopt;
    return items;
  }

  void read_escalation(const Field& f, Level level, const std::string& context, std::vector<EscalationStep>& ladder) {
    if (!f.value.IsSequence()) {
      error_at(f, "expected a list of escalation steps, each with after, and notify or raise_to, found " +
                      describe(f.value));
      return;
    }
    std::optional<std::chrono::seconds> previous_after;
    std::optional<int> raising_step;  // the step that raises the level, if any so far
    int index = 0;
    for (const YAML::Node& item : items_of(f.value)) {
      ++index;
      if (!item.IsMap()) {
        error_at(item_field(f.value, item),
                 "expected an escalation step (a map with after, and notify or raise_to), found " + describe(item));
        continue;
      }
      const std::string where = "escalation step " + std::to_string(index) + " of " + context;
      Fields fields = read_map(item, kEscalationKeys, "an escalation step key (" + join_or(kEscalationKeys) + ")");
      const std::size_t errors_before = diagnostics_.size();
      if (raising_step) {
        error_at(item, "expected the step that raises the level (step " + std::to_string(*raising_step) +
                           ") to be the last, found step " + std::to_string(index) + " after it");
      }
      EscalationStep step;
      if (const Field* after = require(fields, item, "after", where)) {
        if (auto duration = read_duration(*after)) {
          if (previous_after && *duration <= *previous_after) {
            error_at(*after, "expected a time later than the step before (" + format_duration(*previous_after) +
                                 "), found " + quote(after->value.Scalar()));
          } else {
            previous_after = *duration;
          }
          step.after = *duration;
        }
      }
      const Field* notify = find_set(fields, "notify");
      if (notify) {
        step.notify = read_audiences(*notify);
        if (notify->value.IsSequence() && notify->value.size() == 0) {
          error_at(*notify, "expected at least one audience, found an empty list");
        }
      }
      const Field* raise = find_set(fields, "raise_to");
      if (raise) {
        if (auto to = read_level_name(*raise)) {
          if (more_severe(*to, level)) {
            step.raise_to = *to;
            pending_raises_.push_back(PendingRaise{level, *to, raise->value});
            raising_step = index;
          } else if (level == Level::kI) {
            error_at(*raise, "expected no raise_to at level I, the most severe, found " + quote(level_name(*to)));
          } else {
            std::vector<std::string_view> higher;
            for (Level l : {Level::kI, Level::kII, Level::kIII}) {
              if (more_severe(l, level)) higher.push_back(level_name(l));
            }
            error_at(*raise, "expected a level more severe than " + std::string(level_name(level)) + " (" +
                                 join_or(higher) + "), found " + quote(level_name(*to)));
          }
        }
      }
      if (notify == nullptr && raise == nullptr) {
        error_at(item, "expected key \"notify\" or \"raise_to\" in " + where + ", found neither");
      }
      if (diagnostics_.size() == errors_before) ladder.push_back(std::move(step));
    }
  }

  // Every raise_to names a level the plan defines (known once all levels are read).
  // "level(III)" in a level's condition: replaced by level III's own condition (after
  // its own references are replaced). A reference to a level the plan does not define,
  // to the level itself or in a cycle is an error at the reference.
  void resolve_level_refs(Plan& plan) {
    auto rule_of = [&](int level) -> LevelRule* {
      for (auto& r : plan.levels) {
        if (static_cast<int>(r.level) == level) return &r;
      }
      return nullptr;
    };
    std::map<int, int> state;  // 1: being resolved, 2: done
    std::function<bool(LevelRule&)> resolve = [&](LevelRule& rule) -> bool {
      const int self = static_cast<int>(rule.level);
      if (state[self] == 2) return true;
      state[self] = 1;
      const YAML::Node& node = condition_nodes_[rule.level];
      bool ok = true;
      for (int ref : rule.condition.level_refs()) {
        const std::string name(level_name(static_cast<Level>(ref)));
        const std::size_t at = rule.condition_text.find("level(");
        auto where = source_.in_scalar(node, at == std::string::npos ? 0 : at);
        LevelRule* target = rule_of(ref);
        if (target == nullptr) {
          error(where, "expected a level that this plan defines in level(...), found \"" + name + "\" (the plan has no level " +
                           name + ")");
          ok = false;
        } else if (ref == self) {
          error(where, "expected another level in level(...), found this level's own \"" + name + "\"");
          ok = false;
        } else if (state[ref] == 1) {
          error(where, "expected level references without a cycle, found level(" + name + ") in level " +
                           std::string(level_name(rule.level)) + ", which level " + name + " refers back to");
          ok = false;
        } else if (!resolve(*target)) {
          ok = false;
        }
      }
      if (ok && !rule.condition.level_refs().empty()) {
        rule.condition = rule.condition.with_levels([&](int level) -> const rules::Expr* {
          LevelRule* target = rule_of(level);
          return target != nullptr && target->condition.has_root() ? &target->condition.root() : nullptr;
        });
      }
      state[self] = 2;
      return ok;
    };
    for (auto& rule : plan.levels) resolve(rule);
  }

  // What a condition may read depends on the plan's scope.
  void check_scope(Scope scope, const rules::Condition& condition, const YAML::Node& node) {
    if (!node) return;
    std::string text = node.IsScalar() ? node.Scalar() : std::string();
    auto at = [&](std::string_view needle) { return source_.in_scalar(node, std::min(text.find(needle), text.size())); };
    if (scope != Scope::kSensor) {
      for (const auto& a : condition.attributes()) {
        if (a.target != rules::Attribute::Target::kSensor) continue;
        error(at("sensor." + a.name), "expected a place attribute (place." + a.name + ") in a plan with scope: " +
                                          std::string(scope_name(scope)) + ", found sensor." + a.name +
                                          "; sensor attributes need scope: sensor");
        return;
      }
      return;
    }
    for (const auto& q : condition.quantities()) {
      if (q.starts_with(rules::kReportKeyPrefix)) {
        error(at("reports("), "expected no reports(...) in a plan with scope: sensor, found one; reports come from "
                              "people, not from a sensor (use scope: place or a level such as building)");
        return;
      }
    }
    std::function<bool(const rules::Expr&)> counts_many = [&](const rules::Expr& e) {
      if (e.kind == rules::Expr::Kind::kSensors && e.sensors.count > 1) return true;
      for (const auto& c : e.children) {
        if (counts_many(*c)) return true;
      }
      return false;
    };
    if (condition.has_root() && counts_many(condition.root())) {
      error(at(" of "), "expected at most \"1 of\" in a plan with scope: sensor (it watches one sensor), found more; "
                        "count sensors with scope: building or another place level");
    }
  }

  void check_raises() {
    std::vector<Level> declared = declared_levels_;
    std::sort(declared.begin(), declared.end(), more_severe);
    for (const PendingRaise& raise : pending_raises_) {
      if (std::find(declared.begin(), declared.end(), raise.to) != declared.end()) continue;
      std::vector<std::string_view> defined;
      for (Level l : declared) {
        if (more_severe(l, raise.from)) defined.push_back(level_name(l));
      }
      const std::string name(level_name(raise.to));
      error_at(raise.where, "expected a more severe level that this plan defines" +
                                (defined.empty() ? std::string() : " (" + join_or(defined) + ")") + ", found " +
                                quote(name) + " (the plan has no level " + name + ")");
    }
  }

  void read_resolve(const Field& f, ResolveRule& resolve) {
    if (!f.value.IsMap()) {
      error_at(f, "expected a map with for and, optionally, when (or manual: true), found " + describe(f.value));
      return;
    }
    Fields fields = read_map(f.value, kResolveKeys, "a resolve key (" + join_or(kResolveKeys) + ")");
    const std::size_t errors_before = diagnostics_.size();
    const Field* manual = find_set(fields, "manual");
    const Field* when = find_set(fields, "when");
    const Field* hold = find(fields, "for");  // "for:" with nothing after it is a mistake, not absent
    const std::optional<bool> only_by_hand = manual != nullptr ? read_bool(*manual) : std::optional<bool>(false);

    ResolveRule rule;
    rule.automatic = true;
    if (hold != nullptr) rule.hold_for = read_duration(*hold).value_or(std::chrono::seconds(0));
    if (when != nullptr) {
      resolve_node_ = when->value;
      if (auto condition = read_condition(*when)) {
        rule.condition = std::move(condition->first);
        rule.condition_text = std::move(condition->second);
      }
    }
    if (only_by_hand == true) {
      if (when != nullptr || hold != nullptr) {
        error_at(*manual, "expected either manual: true or for (with an optional when), found both");
      }
      rule = ResolveRule{};
    } else if (only_by_hand == false && hold == nullptr) {
      require(fields, f.value, "for", "resolve");
    }
    if (diagnostics_.size() == errors_before) resolve = std::move(rule);
  }

  // every (a duration of at least kMinRenotifyEvery) and, optionally, times. nullopt
  // after a mistake.
  std::optional<Renotify> read_renotify(const Field& f) {
    if (!f.value.IsMap()) {
      error_at(f, "expected a map with every and, optionally, times, found " + describe(f.value));
      return std::nullopt;
    }
    Fields fields = read_map(f.value, kRenotifyKeys, "a renotify key (" + join_or(kRenotifyKeys) + ")");
    const std::size_t errors_before = diagnostics_.size();
    Renotify renotify;
    // "every:" with nothing after it is a mistake, not absent (require finds it).
    if (const Field* every = require(fields, f.value, "every", "renotify")) {
      if (auto duration = read_duration(*every)) {
        if (*duration < kMinRenotifyEvery) {
          error_at(*every, "expected a duration of at least " + format_duration(kMinRenotifyEvery) +
                               " between reminders, found " + quote(every->value.Scalar()));
        }
        renotify.every = *duration;
      }
    }
    if (const Field* times = find_set(fields, "times")) {
      renotify.times = read_whole_number(*times, "a number of reminders", 1, kMaxRenotifyTimes).value_or(0);
    }
    if (diagnostics_.size() != errors_before) return std::nullopt;
    return renotify;
  }

  // A list of other plans' ids, or of maps with plan, scope and from_level.
  void read_inhibits(const Field& f, Plan& plan) {
    std::vector<std::pair<std::string, YAML::Node>> seen;  // for duplicates
    for (const YAML::Node& item : items_of(f.value)) {
      const Field entry = item_field(f.value, item);
      const std::size_t errors_before = diagnostics_.size();
      Inhibition inhibition;
      const Field* id_field = nullptr;
      Fields fields;
      if (item.IsMap()) {
        fields = read_map(item, kInhibitKeys, "an inhibits key (" + join_or(kInhibitKeys) + ")");
        id_field = require(fields, item, "plan", "the entry of inhibits");
        if (const Field* scope = find_set(fields, "scope")) {
          if (auto name = read_enum(*scope, kScopeNames, "a scope")) inhibition.scope = parse_place_level(*name);
        }
        if (const Field* from = find_set(fields, "from_level")) {
          inhibition.from_level = read_level_name(*from).value_or(Level::kIV);
        }
      } else if (item.IsScalar()) {
        id_field = &entry;
      } else {
        error_at(entry, "expected a plan id, or a map with plan, scope and from_level, found " + describe(item));
        continue;
      }
      if (id_field == nullptr) continue;
      if (auto id = read_string(*id_field, "a plan id")) {
        if (!is_plan_id(*id)) {
          error_at(*id_field, "expected a plan id (" + std::string(kPlanIdRule) + "), found " + quote(*id));
        } else if (*id == plan.id) {
          error_at(*id_field, "expected another plan's id, found " + quote(*id) + ", this plan's own");
        } else if (auto same = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == *id; });
                   same != seen.end()) {
          error_at(*id_field, "expected each plan once in inhibits, found " + quote(*id) + " again (first on line " +
                                  std::to_string(source_.at(same->second).line) + ")");
        } else {
          seen.emplace_back(*id, id_field->value);
        }
        inhibition.plan = std::move(*id);
      }
      if (diagnostics_.size() == errors_before) plan.inhibits.push_back(std::move(inhibition));
    }
  }

  std::string language_{kDefaultLanguage};
  std::vector<Level> declared_levels_;  // the levels the plan's "levels" map names
  std::map<Level, YAML::Node> condition_nodes_;  // each level's "when" value, for positions
  std::optional<YAML::Node> resolve_node_;       // resolve's "when" value
  std::vector<PendingRaise> pending_raises_;
};

}  // namespace

bool is_plan_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '_' || c == '-'));
    if (!ok) return false;
  }
  return true;
}

LoadResult load_plan(std::string_view yaml_text, std::string_view file_name) {
  // yaml-cpp skips a UTF-8 byte order mark without counting it in its marks; so do we.
  if (yaml_text.substr(0, 3) == "\xEF\xBB\xBF") yaml_text.remove_prefix(3);
  try {
    return Loader(yaml_text, file_name).load();
  } catch (const std::exception& e) {
    LoadResult result;
    result.diagnostics.push_back(
        Diagnostic{std::string(file_name), 0, 0, std::string("internal error while loading the plan: ") + e.what()});
    return result;
  } catch (...) {
    LoadResult result;
    result.diagnostics.push_back(Diagnostic{std::string(file_name), 0, 0, "internal error while loading the plan"});
    return result;
  }
}

}  // namespace lookout::plans
