// Loading a drill scenario from YAML (format: docs/drills.md).
//
// Written like the plan loader (plans/src/plan.cpp), with the same strict-YAML readers
// (lookout/base/yaml_fields.h): yaml-cpp builds the node tree, and this file walks it,
// checking every key and collecting every problem rather than stopping at the first.
// Positions come from the nodes' marks (byte offsets), turned into 1-based lines and
// columns counting characters. A mistake inside a duration, a range or an `after`
// condition is reported at its character.
//
// Files the scenario names are read here, relative to the scenario's directory:
// registries and plans as text only (the runner imports them into the engine core,
// which reports their own mistakes), replay CSVs parsed into readings. A registry or
// plan written inline, as a YAML map inside the scenario, is cut out of the scenario's
// text with its lines and columns kept (everything before it blanked out), so the
// core's diagnostics about it point into the scenario file.
#include "lookout/drills/scenario.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <system_error>
#include <utility>

#include "lookout/base/duration.h"
#include "lookout/base/time_format.h"
#include "lookout/base/yaml_fields.h"
#include "lookout/rules/units.h"
#include "lookout/sensors/registry.h"
#include "lookout/sensors/report.h"
#include "lookout/sensors/staff.h"

namespace lookout::drills {

namespace {

// The value piece `index` of `script` gives at `t` (at or after the piece's start).
std::optional<double> piece_value(const std::vector<Segment>& script, std::size_t index, Duration t) {
  const Segment& piece = script[index];
  switch (piece.kind) {
    case Segment::Kind::kConstant: return piece.value;
    case Segment::Kind::kRamp: {
      const Duration elapsed = t - piece.at;
      if (piece.over <= Duration::zero() || elapsed >= piece.over) return piece.to;
      if (elapsed <= Duration::zero()) return piece.value;
      const double fraction = std::chrono::duration<double>(elapsed) / std::chrono::duration<double>(piece.over);
      return piece.value + (piece.to - piece.value) * fraction;
    }
    case Segment::Kind::kStuck:
      // The value the piece before had when the sensor got stuck.
      if (index == 0) return std::nullopt;
      return piece_value(script, index - 1, piece.at);
    case Segment::Kind::kSilent:
    case Segment::Kind::kOffline: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> script_value(const SensorStream& stream, Duration t) {
  const auto& script = stream.script;
  // The last piece that has started by `t`.
  auto after = std::upper_bound(script.begin(), script.end(), t,
                                [](Duration time, const Segment& piece) { return time < piece.at; });
  if (after == script.begin()) return std::nullopt;
  return piece_value(script, static_cast<std::size_t>(after - script.begin()) - 1, t);
}

namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------
// Small helpers (the strict-YAML ones are in lookout/base/yaml_fields.h)

// Drill ids follow the plan id rule (they name files and topics alike).
constexpr std::string_view kDrillIdRule = plans::kPlanIdRule;
bool is_drill_id(std::string_view id) { return plans::is_plan_id(id); }

// A SenML name as the condition language reads it: [A-Za-z0-9][A-Za-z0-9:./_-]*.
bool is_quantity_char(char c, bool first) {
  bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  return alnum || (!first && (c == ':' || c == '.' || c == '/' || c == '_' || c == '-'));
}

bool is_quantity_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!is_quantity_char(name[i], i == 0)) return false;
  }
  return true;
}

// A decimal number written as YAML and CSV write one: "0.15", "-3", "1e-3" (no hex,
// no inf or nan).
std::optional<double> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E')) return std::nullopt;
  }
  if (s.front() == '+') s.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// Whole seconds of a duration, for messages ("1h30m").
std::string format(Duration d) { return format_duration(std::chrono::duration_cast<std::chrono::seconds>(d)); }

// A zero offset ("0s", "0m", "0"); parse_duration() refuses zero, `at` needs it.
bool is_zero_duration(std::string_view text) {
  if (text == "0") return true;
  if (text.empty() || text.find_first_of("123456789") != std::string_view::npos ||
      text.find('0') == std::string_view::npos) {
    return false;
  }
  std::string ones(text);
  std::replace(ones.begin(), ones.end(), '0', '1');  // the same syntax, a length above zero
  return std::holds_alternative<std::chrono::seconds>(parse_duration(ones));
}

// Text of a file, or why it cannot be read.
std::optional<std::string> read_text_file(const fs::path& path, std::string& why) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) {
    why = "no such file";
    return std::nullopt;
  }
  if (fs::is_directory(status)) {
    why = "a directory, not a file";
    return std::nullopt;
  }
  // Not a device, pipe or socket: /dev/zero would never end, a pipe could wait forever.
  if (!fs::is_regular_file(status)) {
    why = "not a regular file";
    return std::nullopt;
  }
  constexpr std::uintmax_t kMaxBytes = 256 * 1024 * 1024;
  if (const auto size = fs::file_size(path, ec); !ec && size > kMaxBytes) {
    why = std::to_string(size) + " bytes, over the limit of " + std::to_string(kMaxBytes);
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = "cannot be opened (permissions?)";
    return std::nullopt;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    why = "a read error";
    return std::nullopt;
  }
  return text;
}

// A registry file's format comes from its extension (sensors/registry.h).
bool has_registry_extension(std::string_view name) {
  auto dot = name.rfind('.');
  auto slash = name.find_last_of("/\\");
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return false;
  std::string ext(name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(), ascii_lower);
  return ext == "csv" || ext == "yaml" || ext == "yml";
}

// ---------------------------------------------------------------------------------
// The loader

const std::vector<std::string_view> kScenarioKeys = {"drill",    "title",   "start",  "time_zone", "duration",
                                                     "seed",     "community", "plans", "roster",   "sensors",
                                                     "reports",  "staff_behaviour", "expect"};
const std::vector<std::string_view> kCommunityKeys = {"places", "sensors", "staff"};
const std::vector<std::string_view> kRosterKeys = {"staff", "away", "sick", "unreachable"};
const std::vector<std::string_view> kRosterKinds = {"away", "sick", "unreachable"};
const std::vector<std::string_view> kStreamKeys = {"sensor", "quantity", "unit", "every", "noise", "script", "replay"};
const std::vector<std::string_view> kPieceKeys = {"at", "constant", "ramp", "stuck", "silent", "offline"};
const std::vector<std::string_view> kPieceKinds = {"constant", "ramp", "stuck", "silent", "offline"};
const std::vector<std::string_view> kRampKeys = {"from", "to", "over"};
const std::vector<std::string_view> kReportKeys = {"at", "id", "category", "place", "source", "description"};
const std::vector<std::string_view> kReportSources = {"hotline", "resident", "grid_worker", "app", "sensor_gateway"};
const std::vector<std::string_view> kBehaviourKeys = {"role",    "kind",      "staff", "respond",
                                                      "decline", "no_answer", "travel"};
const std::vector<std::string_view> kExpectKinds = {"alert",    "accepted",         "assigned_within", "no_actual_alert",
                                                    "no_alert", "no_unfilled_role", "resolved_within"};
const std::vector<std::string_view> kExpectKeys = {"alert",    "accepted",         "assigned_within", "no_actual_alert",
                                                   "no_alert", "no_unfilled_role", "resolved_within", "within",
                                                   "after",    "count"};
const std::vector<std::string_view> kLevelNames = {"I", "II", "III", "IV"};
const std::vector<std::string_view> kOperators = {">=", "<=", "==", ">", "<"};  // longest first
// The units the engine converts (rules/units.h), for "did you mean"; is_known_unit() decides.
const std::vector<std::string_view> kUnitNames = {"Cel", "K",    "degF", "m",  "cm", "mm", "/", "%", "ppm",
                                                  "%LEL", "%RH", "dB",   "lx", "W",  "V",  "A", "s", "count"};
const std::string kIdRule = "1 to 64 of A-Z, a-z, 0-9, '_', '.' or '-'";
const std::string kRoleRule = "1 to 64 of a-z, 0-9 or '_', starting with a letter";
constexpr std::size_t kMaxDescriptionBytes = 4096;  // as docs/reports.md
constexpr int kMaxCount = 999;
constexpr int kMinStartYear = 1971;  // keeps start and start + duration within Time's range
constexpr int kMaxStartYear = 2200;

// What a list of documents (registries, plans) holds.
enum class DocumentKind { kPlaces, kSensors, kStaff, kPlan };

std::string document_expected(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::kPlaces:
      return "a places registry (a file name such as places.yaml, or the registry written here as a map)";
    case DocumentKind::kSensors:
      return "a sensors registry (a file name such as sensors.yaml, or the registry written here as a map)";
    case DocumentKind::kStaff:
      return "a staff roster (a file name such as staff.yaml, or the roster written here as a map)";
    case DocumentKind::kPlan: return "a plan (a file name such as fire.yaml, or the plan written here as a map)";
  }
  return "a file name";
}

// The loader: the shared readers of fields (lookout/base/yaml_fields.h) and the
// scenario's own.
class Loader : private YamlFieldReader {
 public:
  Loader(std::string_view text, std::string_view file, std::string_view base_dir)
      : YamlFieldReader(text, file), base_dir_(base_dir) {}

  ScenarioLoad load() {
    auto root = load_document("a scenario (a map with drill, start, duration, community and plans)", "scenario");
    if (!root) return finish(std::nullopt);
    return finish(read_scenario(*root));
  }

 private:
  // ---- reporting

  // A problem in another file the scenario names (a replay CSV).
  void error_in(const std::string& file, Position p, std::string message) {
    diagnostics_.push_back(Diagnostic{file, p.line, p.column, std::move(message)});
  }

  // Where byte `offset` of a scalar's value is in the file: exact for plain and quoted
  // scalars written on one line without escapes (durations, ranges, conditions), the
  // scalar's start otherwise (simpler than SourceText::in_scalar, which maps through
  // escapes and folded lines).
  Position position_in_scalar(const YAML::Node& scalar, std::size_t offset) const override {
    const std::string_view text = source_.text();
    const YAML::Mark mark = scalar.Mark();
    if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text.size()) return source_.at(mark);
    std::size_t start = static_cast<std::size_t>(mark.pos);
    if (text[start] == '"' || text[start] == '\'') ++start;
    const std::string& value = scalar.Scalar();
    offset = std::min(offset, value.size());
    if (text.substr(start, offset) != std::string_view(value).substr(0, offset)) return source_.at(mark);
    return source_.at_byte(start + offset);
  }

  ScenarioLoad finish(std::optional<Scenario> scenario) {
    // This file's problems in the order of the file; those of the files it names (replay
    // CSVs) after them, as found.
    std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [&](const Diagnostic& a, const Diagnostic& b) {
      const bool a_here = a.file == file_;
      const bool b_here = b.file == file_;
      if (a_here != b_here) return a_here;
      return a_here && std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    ScenarioLoad result;
    result.diagnostics = std::move(diagnostics_);
    if (result.diagnostics.empty()) result.scenario = std::move(scenario);
    return result;
  }

  // ---- readers of the scenario's own values

  static std::string keys_of(std::string_view what, const std::vector<std::string_view>& keys) {
    return std::string(what) + " (" + join_or(keys) + ")";
  }

  // The maps of a list (`what` names one item: "a sensor stream"); anything else in the
  // list is an error. A list is required: a single map is not taken for a list of one.
  std::vector<YAML::Node> read_list_of_maps(const Field& f, const std::string& what) {
    std::vector<YAML::Node> maps;
    if (!f.value.IsSequence()) {
      error_at(f, "expected a list of " + what + ", found " + describe(f.value));
      return maps;
    }
    for (const YAML::Node& item : items_of(f.value)) {
      if (item.IsMap()) {
        maps.push_back(item);
      } else {
        error_at(item_field(f.value, item), "expected " + what + " (a map), found " + describe(item));
      }
    }
    return maps;
  }

  std::optional<bool> read_true(const Field& f) {
    auto text = read_string(f, "true");
    if (!text) return std::nullopt;
    if (*text == "true") return true;
    if (*text == "false") {
      error_at(f, "expected true, found \"false\"; leave the key out instead");
    } else {
      error_at(f, "expected true, found " + quote(*text));
    }
    return std::nullopt;
  }

  std::optional<double> read_number(const Field& f, std::string_view what) {
    auto text = read_string(f, what);
    if (!text) return std::nullopt;
    if (auto number = parse_number(*text)) return number;
    error_at(f, "expected " + std::string(what) + ", found " + quote(*text));
    return std::nullopt;
  }

  // A chance from 0 to 1 (decline, no_answer).
  std::optional<double> read_chance(const Field& f) {
    const std::string what = "a chance from 0 to 1";
    auto text = read_string(f, what);
    if (!text) return std::nullopt;
    auto number = parse_number(*text);
    if (!number || *number < 0 || *number > 1) {
      std::string hint;
      if (text->size() > 1 && text->back() == '%') {
        if (parse_number(std::string_view(*text).substr(0, text->size() - 1))) hint = "; write a share: 20% is 0.2";
      }
      error_at(f, "expected " + what + ", found " + quote(*text) + hint);
      return std::nullopt;
    }
    return number;
  }

  // A time from the drill's start: a duration, or zero ("0s").
  std::optional<Duration> read_offset(const Field& f) {
    auto text = read_string(f, "a time from the drill's start such as 0s, 90s or 5m");
    if (!text) return std::nullopt;
    return parse_part(f.value, *text, 0, true);
  }

  // Part of a scalar (all of it, or one side of a range) as a duration; `part_offset`
  // is where it starts in the scalar, for positions.
  std::optional<Duration> parse_part(const YAML::Node& scalar, std::string_view part, std::size_t part_offset,
                                     bool zero_allowed) {
    if (zero_allowed && is_zero_duration(part)) return Duration::zero();
    return parse_duration_in(scalar, part, part_offset);
  }

  // "30s" (always that long) or "1m..5m" (from 1m to 5m); zero is allowed.
  std::optional<DurationRange> read_range(const Field& f) {
    const std::string what = "a time such as 30s, or a range such as 1m..5m";
    auto text = read_string(f, what);
    if (!text) return std::nullopt;
    const std::size_t dots = text->find("..");
    if (dots == std::string::npos) {
      auto d = parse_part(f.value, *text, 0, true);
      if (!d) return std::nullopt;
      return DurationRange{*d, *d};
    }
    const std::string_view all(*text);
    auto min = parse_part(f.value, all.substr(0, dots), 0, true);
    auto max = parse_part(f.value, all.substr(dots + 2), dots + 2, true);
    if (!min || !max) return std::nullopt;
    if (*min > *max) {
      error_at(f, "expected the shorter time first in a range (A..B with A at most B), found " + quote(*text));
      return std::nullopt;
    }
    return DurationRange{*min, *max};
  }

  // A role name such as fire_warden.
  std::optional<std::string> read_role(const Field& f) {
    const std::string expected = "a role name (" + kRoleRule + ")";
    auto name = read_string(f, expected);
    if (!name) return std::nullopt;
    if (plans::is_role_name(*name)) return name;
    std::string fixed;
    for (char c : *name) fixed += c == ' ' || c == '-' ? '_' : ascii_lower(c);
    const std::string hint = plans::is_role_name(fixed) ? "; did you mean " + quote(fixed) + "?" : std::string();
    error_at(f, "expected " + expected + ", found " + quote(*name) + hint);
    return std::nullopt;
  }

  // A sensor, staff or report id.
  std::optional<std::string> read_id(const Field& f, std::string_view what) {
    const std::string expected = std::string(what) + " (" + kIdRule + ")";
    auto id = read_string(f, expected);
    if (!id) return std::nullopt;
    if (sensors::is_valid_sensor_id(*id)) return id;
    error_at(f, "expected " + expected + ", found " + quote(*id));
    return std::nullopt;
  }

  std::optional<PlacePath> read_place(const Field& f) {
    auto text = read_string(f, "a place path such as xc/hl/qy/g03/b12");
    if (!text) return std::nullopt;
    auto place = PlacePath::parse(*text);
    if (!place.is_ok()) {
      std::string fixed(*text);
      std::transform(fixed.begin(), fixed.end(), fixed.begin(), ascii_lower);
      const std::string hint =
          fixed != *text && PlacePath::parse(fixed).is_ok() ? "; did you mean " + quote(fixed) + "?" : std::string();
      error_at(f, place.status().message() + hint);
      return std::nullopt;
    }
    return std::move(place).value();
  }

  // An offset that must fall within the drill (when its duration is known).
  void check_within_drill(const Field& f, Duration at) {
    if (duration_ && at >= *duration_) {
      error_at(f, "expected a time before the end of the drill (duration " + format(*duration_) + "), found " +
                      quote(f.value.Scalar()));
    }
  }

  // ---- the scenario

  std::optional<Scenario> read_scenario(const YAML::Node& root) {
    if (!root.IsMap()) {
      error_at(root, "expected a scenario (a map with drill, start, duration, community and plans), found " +
                         describe(root));
      return std::nullopt;
    }
    Fields fields = read_map(root, kScenarioKeys, keys_of("a scenario key", kScenarioKeys));
    Scenario scenario;
    scenario.file = file_;

    if (const Field* f = require(fields, root, "drill", "the scenario")) {
      if (auto id = read_string(*f, "a drill id")) {
        if (is_drill_id(*id)) {
          scenario.id = *id;
        } else {
          error_at(*f, "expected a drill id (" + std::string(kDrillIdRule) + "), found " + quote(*id));
        }
      }
    }
    if (const Field* f = find_set(fields, "title")) scenario.title = read_string(*f, "a title").value_or("");
    if (const Field* f = require(fields, root, "start", "the scenario")) read_start(*f, scenario);
    if (const Field* f = find_set(fields, "time_zone")) {
      if (auto zone = read_time_zone(*f)) scenario.time_zone = std::move(*zone);
    }
    if (const Field* f = require(fields, root, "duration", "the scenario")) {
      duration_ = read_duration(*f);
      scenario.duration = duration_.value_or(Duration::zero());
    }
    if (const Field* f = find_set(fields, "seed")) {
      const std::string expected = "a seed (a whole number from 0 to 18446744073709551615)";
      if (auto text = read_string(*f, expected)) {
        std::uint64_t seed = 0;
        auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), seed);
        if (ec != std::errc() || end != text->data() + text->size()) {
          error_at(*f, "expected " + expected + ", found " + quote(*text));
        } else {
          scenario.seed = seed;
        }
      }
    }
    if (const Field* f = require(fields, root, "community", "the scenario")) read_community(*f, scenario);
    if (const Field* f = require(fields, root, "plans", "the scenario")) {
      read_documents(*f, DocumentKind::kPlan, true, scenario.plans);
    }
    if (const Field* f = find_set(fields, "roster")) read_roster(*f, scenario);
    const Field* streams = find_set(fields, "sensors");
    const Field* reports = find_set(fields, "reports");
    if (streams != nullptr) read_streams(*streams, scenario);
    if (reports != nullptr) read_reports(*reports, scenario);
    auto empty_list = [](const Field* f) { return f == nullptr || (f->value.IsSequence() && f->value.size() == 0); };
    if (empty_list(streams) && empty_list(reports)) {
      error_at(root, "expected key \"sensors\" or \"reports\" in the scenario (something for the plans to react to), "
                     "found neither");
    }
    if (const Field* f = find_set(fields, "staff_behaviour")) read_behaviour(*f, scenario);
    if (scenario.behaviour.empty() || !is_catch_all(scenario.behaviour.back())) {
      scenario.behaviour.push_back(StaffBehaviour{});  // everybody no rule matches: the defaults
    }
    if (const Field* f = find_set(fields, "expect")) read_expectations(*f, scenario);
    return scenario;
  }

  void read_start(const Field& f, Scenario& scenario) {
    const std::string expected = "a start time in ISO 8601 with its offset, such as 2026-11-21T23:00:00+08:00";
    auto text = read_string(f, expected);
    if (!text) return;
    auto start = parse_iso8601(*text);
    if (!start.is_ok()) {
      std::string hint;
      if (text->size() == 19 && (*text)[10] == 'T') hint = "; add the offset, e.g. " + *text + "+08:00";
      error_at(f, "expected " + expected + ", found " + quote(*text) + hint);
      return;
    }
    int year = 0;
    std::from_chars(text->data(), text->data() + std::min<std::size_t>(4, text->size()), year);
    if (year < kMinStartYear || year > kMaxStartYear) {
      error_at(f, "expected a start time in the years " + std::to_string(kMinStartYear) + " to " +
                      std::to_string(kMaxStartYear) + ", found " + quote(*text));
      return;
    }
    start_ = *start;
    scenario.start = *start;
  }

  // ---- community and plans: files or inline maps, read as text

  void read_community(const Field& f, Scenario& scenario) {
    if (!f.value.IsMap()) {
      error_at(f, "expected a map with the community's sensors registry and, optionally, places and staff, found " +
                      describe(f.value));
      return;
    }
    Fields fields = read_map(f.value, kCommunityKeys, keys_of("a community key", kCommunityKeys));
    if (const Field* places = find_set(fields, "places")) {
      read_documents(*places, DocumentKind::kPlaces, false, scenario.places);
    }
    if (const Field* sensors = require(fields, f.value, "sensors", "community")) {
      read_documents(*sensors, DocumentKind::kSensors, true, scenario.sensors);
    }
    if (const Field* staff = find_set(fields, "staff")) {
      read_documents(*staff, DocumentKind::kStaff, false, scenario.staff);
    }
  }

  // One document or a list of them; `required`: an empty list is an error.
  void read_documents(const Field& f, DocumentKind kind, bool required,
                      std::vector<std::pair<std::string, std::string>>& out) {
    if (f.value.IsSequence() && f.value.size() == 0) {
      if (required) error_at(f, "expected at least one " + document_expected(kind).substr(2) + ", found an empty list");
      return;
    }
    if (f.value.IsNull()) {
      error_at(f, "expected " + document_expected(kind) + ", found nothing");
      return;
    }
    for (const YAML::Node& item : items_of(f.value)) {
      if (auto doc = read_document(item_field(f.value, item), kind)) out.push_back(std::move(*doc));
    }
  }

  // (name, text) of a file the scenario names, or of a document written inline.
  std::optional<std::pair<std::string, std::string>> read_document(const Field& f, DocumentKind kind) {
    if (f.value.IsMap()) return std::pair(inline_name(), inline_text(f.value));
    auto path = read_string(f, document_expected(kind));
    if (!path) return std::nullopt;
    if (path->find('\n') != std::string::npos) {
      error_at(f, "expected " + document_expected(kind) + ", found a text of several lines");
      return std::nullopt;
    }
    if (kind != DocumentKind::kPlan && !has_registry_extension(*path)) {
      error_at(f, "expected a file name ending in .csv, .yaml or .yml (it gives the registry's format), found " +
                      quote(*path));
      return std::nullopt;
    }
    auto resolved = resolve(*path);
    auto text = read_file_at(f, *path, resolved);
    if (!text) return std::nullopt;
    return std::pair(resolved, std::move(*text));
  }

  // A path from the scenario, relative to its directory unless absolute.
  std::string resolve(const std::string& path) const {
    const fs::path p(path);
    if (p.is_absolute() || base_dir_.empty()) return p.lexically_normal().string();
    return (fs::path(base_dir_) / p).lexically_normal().string();
  }

  std::optional<std::string> read_file_at(const Field& f, const std::string& written, const std::string& resolved) {
    std::string why;
    auto text = read_text_file(resolved, why);
    if (!text) {
      error_at(f, "expected a file that can be read, found " + quote(written) + " (" + resolved + ": " + why + ")");
    }
    return text;
  }

  // Inline documents are named after the scenario file; registries need a YAML name.
  std::string inline_name() const {
    return has_registry_extension(file_) && !file_.ends_with(".csv") ? file_ : file_ + ".yaml";
  }

  // The text of a map written inside the scenario, at the same lines and columns as in
  // the scenario (the lines before it empty, the text before it on its line blanked).
  std::string inline_text(const YAML::Node& map) const {
    const std::string_view text = source_.text();
    const YAML::Mark mark = map.Mark();
    if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text.size() || text[mark.pos] == '&' ||
        text[mark.pos] == '!' || text[mark.pos] == '*') {
      return YAML::Dump(map) + "\n";  // an anchor or a tag: positions are lost
    }
    const auto start = static_cast<std::size_t>(mark.pos);
    const std::size_t line = source_.line_index(start);
    const std::size_t end = text[start] == '{' ? flow_end(start) : block_end(start);
    std::string out(line, '\n');
    out.append(static_cast<std::size_t>(source_.characters(source_.line_start(line), start)), ' ');
    out.append(text.substr(start, end - start));
    out += '\n';
    return out;
  }

  // Just past the '}' that closes the flow map opening at `start`.
  std::size_t flow_end(std::size_t start) const {
    const std::string_view text = source_.text();
    int depth = 0;
    char previous = '{';  // the last character other than white space
    for (std::size_t i = start; i < text.size(); ++i) {
      const char c = text[i];
      if ((c == '"' || c == '\'') && (previous == '{' || previous == '[' || previous == ',' || previous == ':')) {
        for (++i; i < text.size(); ++i) {  // a quoted scalar
          if (c == '"' && text[i] == '\\') {
            ++i;
          } else if (text[i] == c) {
            if (c == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
              ++i;
            } else {
              break;
            }
          }
        }
      } else if (c == '#' && i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
        while (i < text.size() && text[i] != '\n') ++i;  // a comment
        continue;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') previous = c;
    }
    return text.size();
  }

  // Where the block map whose first key is at `start` ends: at the first line after it
  // with content indented less than that key.
  std::size_t block_end(std::size_t start) const {
    const std::string_view text = source_.text();
    const std::size_t first_line = source_.line_index(start);
    const std::size_t indent = start - source_.line_start(first_line);
    for (std::size_t line = first_line + 1; line < source_.line_count(); ++line) {
      const std::size_t from = source_.line_start(line);
      std::size_t i = from;
      while (i < text.size() && text[i] == ' ') ++i;
      if (i >= text.size() || text[i] == '\n' || text[i] == '\r' || text[i] == '#') continue;  // blank or comment
      if (i - from < indent) return from;
    }
    return text.size();
  }

  // ---- roster changes

  void read_roster(const Field& f, Scenario& scenario) {
    std::vector<std::pair<std::string, YAML::Node>> seen;
    int index = 0;
    for (const YAML::Node& item : read_list_of_maps(f, "roster changes (each staff with away, sick or unreachable)")) {
      ++index;
      const std::string where = "roster change " + std::to_string(index);
      Fields fields = read_map(item, kRosterKeys, keys_of("a roster change key", kRosterKeys));
      const std::size_t errors_before = diagnostics_.size();
      RosterChange change;
      if (const Field* staff = require(fields, item, "staff", where)) {
        if (auto id = read_id(*staff, "a staff id")) {
          auto same = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == *id; });
          if (same != seen.end()) {
            error_at(*staff, "expected each staff member once in roster, found " + quote(*id) +
                                 " again (first on line " + std::to_string(line_of(same->second)) + ")");
          } else {
            seen.emplace_back(*id, staff->value);
          }
          change.staff = std::move(*id);
        }
      }
      const Field* chosen = nullptr;
      for (const Field& field : fields) {
        if (std::find(kRosterKinds.begin(), kRosterKinds.end(), field.name) == kRosterKinds.end()) continue;
        if (chosen != nullptr) {
          error_at(field.key, "expected one of away, sick or unreachable in " + where + ", found both " + chosen->name +
                                  " and " + field.name);
          continue;
        }
        chosen = &field;
        read_true(field);
        change.kind = field.name == "away"   ? RosterChange::Kind::kAway
                      : field.name == "sick" ? RosterChange::Kind::kSick
                                             : RosterChange::Kind::kUnreachable;
      }
      if (chosen == nullptr) {
        error_at(item, "expected one of away, sick or unreachable (as \"away: true\") in " + where + ", found none");
      }
      if (diagnostics_.size() == errors_before) scenario.roster_changes.push_back(std::move(change));
    }
  }

  // ---- sensor streams

  void read_streams(const Field& f, Scenario& scenario) {
    std::vector<std::pair<std::string, YAML::Node>> seen;  // "sensor quantity"
    int index = 0;
    for (const YAML::Node& item : read_list_of_maps(f, "sensor streams (each with sensor, quantity, and script or replay)")) {
      ++index;
      const std::string where = "sensor stream " + std::to_string(index);
      Fields fields = read_map(item, kStreamKeys, keys_of("a sensor stream key", kStreamKeys));
      const std::size_t errors_before = diagnostics_.size();
      SensorStream stream;
      stream.line = line_of(item);
      const Field* sensor = require(fields, item, "sensor", where);
      if (sensor != nullptr) stream.sensor = read_id(*sensor, "a sensor id").value_or("");
      if (const Field* quantity = require(fields, item, "quantity", where)) {
        const std::string expected =
            "a quantity name such as smoke (letters, digits and : . / _ -, starting with a letter or digit)";
        if (auto name = read_string(*quantity, expected)) {
          if (is_quantity_name(*name)) {
            if (std::find(stream_quantities_.begin(), stream_quantities_.end(), *name) == stream_quantities_.end()) {
              stream_quantities_.push_back(*name);
            }
            stream.quantity = std::move(*name);
          } else {
            error_at(*quantity, "expected " + expected + ", found " + quote(*name));
          }
        }
      }
      if (const Field* unit = find_set(fields, "unit")) {
        const std::string expected = "a unit (" + join_or(kUnitNames) + ")";
        if (auto name = read_string(*unit, expected)) {
          if (rules::is_known_unit(*name)) {
            stream.unit = std::move(*name);
          } else {
            error_at(*unit, "expected " + expected + ", found " + quote(*name) + did_you_mean(*name, kUnitNames));
          }
        }
      }
      const Field* every = find_set(fields, "every");
      if (every != nullptr) {
        if (auto d = read_duration(*every)) stream.every = *d;
      }
      const Field* noise = find_set(fields, "noise");
      if (noise != nullptr) {
        if (auto n = read_number(*noise, "a noise amplitude (a number, 0 or more)")) {
          if (*n < 0) {
            error_at(*noise, "expected a noise amplitude (a number, 0 or more), found " + quote(noise->value.Scalar()));
          }
          stream.noise = *n;
        }
      }
      const Field* script = find(fields, "script");
      const Field* replay = find(fields, "replay");
      if (script != nullptr && replay != nullptr) {
        const Field* second = script->key.Mark().pos > replay->key.Mark().pos ? script : replay;
        error_at(second->key, "expected either script or replay in " + where + ", found both");
      } else if (script != nullptr) {
        read_script(*script, stream);
      } else if (replay != nullptr) {
        for (const Field* only_script : {every, noise}) {
          if (only_script != nullptr) {
            error_at(only_script->key, "expected no " + only_script->name +
                                           " with replay (the CSV's readings are sent as they are), found one");
          }
        }
        read_replay(*replay, stream);
      } else {
        error_at(item, "expected key \"script\" or \"replay\" in " + where + ", found neither");
      }
      if (sensor != nullptr && !stream.sensor.empty() && !stream.quantity.empty()) {
        const std::string key = stream.sensor + " " + stream.quantity;
        auto same = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == key; });
        if (same != seen.end()) {
          error_at(*sensor, "expected each sensor and quantity once in sensors, found " + stream.sensor + " " +
                                stream.quantity + " again (first on line " + std::to_string(line_of(same->second)) +
                                ")");
        } else {
          seen.emplace_back(key, sensor->value);
        }
      }
      if (diagnostics_.size() == errors_before) scenario.streams.push_back(std::move(stream));
    }
  }

  void read_script(const Field& f, SensorStream& stream) {
    if (f.value.IsSequence() && f.value.size() == 0) {
      error_at(f, "expected at least one script piece (such as {at: 0s, constant: 0.01}), found an empty list");
      return;
    }
    std::optional<Duration> previous_at;
    bool broken = false;  // a piece before had a mistake: do not judge pieces by it
    int index = 0;
    for (const YAML::Node& item : read_list_of_maps(f, "script pieces (each with at and one of " +
                                                           join_or(kPieceKinds) + ")")) {
      ++index;
      const std::string where = "script piece " + std::to_string(index);
      Fields fields = read_map(item, kPieceKeys, keys_of("a script piece key", kPieceKeys));
      const std::size_t errors_before = diagnostics_.size();
      Segment piece;
      bool at_known = false;
      if (const Field* at = require(fields, item, "at", where)) {
        if (auto offset = read_offset(*at)) {
          piece.at = *offset;
          if (previous_at && *offset <= *previous_at) {
            error_at(*at, "expected a time later than the piece before (" + format(*previous_at) + "), found " +
                              quote(at->value.Scalar()));
          } else {
            check_within_drill(*at, *offset);
          }
          previous_at = *offset;
          at_known = true;
        }
      }
      const Field* kind = nullptr;
      for (const Field& field : fields) {
        if (std::find(kPieceKinds.begin(), kPieceKinds.end(), field.name) == kPieceKinds.end()) continue;
        if (kind != nullptr) {
          error_at(field.key, "expected one of " + join_or(kPieceKinds) + " in " + where + ", found both " +
                                  kind->name + " and " + field.name);
          continue;
        }
        kind = &field;
      }
      if (kind == nullptr) {
        error_at(item, "expected one of " + join_or(kPieceKinds) + " in " + where + ", found none");
      } else {
        // The value the sensor has just before this piece, from the pieces before (when
        // they are known; otherwise the piece is checked on its own).
        const bool known = !broken && at_known;
        read_piece(*kind, known ? script_value(stream, piece.at) : std::optional<double>(0), piece);
      }
      if (diagnostics_.size() == errors_before) {
        stream.script.push_back(piece);
      } else {
        broken = true;
      }
    }
  }

  void read_piece(const Field& f, std::optional<double> before, Segment& piece) {
    if (f.name == "constant") {
      piece.kind = Segment::Kind::kConstant;
      if (auto v = read_number(f, "a value (a number)")) piece.value = *v;
    } else if (f.name == "ramp") {
      piece.kind = Segment::Kind::kRamp;
      read_ramp(f, before, piece);
    } else if (f.name == "stuck") {
      piece.kind = Segment::Kind::kStuck;
      if (read_true(f) && !before) {
        error_at(f.key, "expected a constant or ramp piece before stuck (a stuck sensor keeps sending its last "
                        "value), found none");
      }
    } else {
      piece.kind = f.name == "silent" ? Segment::Kind::kSilent : Segment::Kind::kOffline;
      read_true(f);
    }
  }

  void read_ramp(const Field& f, std::optional<double> before, Segment& piece) {
    if (!f.value.IsMap()) {
      error_at(f, "expected a ramp (a map with to and over, and optionally from), found " + describe(f.value));
      return;
    }
    Fields fields = read_map(f.value, kRampKeys, keys_of("a ramp key", kRampKeys));
    if (const Field* from = find_set(fields, "from")) {
      if (auto v = read_number(*from, "a value to start from (a number)")) piece.value = *v;
    } else if (before) {
      piece.value = *before;
    } else {
      error_at(f.value, "expected key \"from\" in the ramp (no value before it to start from), found none");
    }
    if (const Field* to = require(fields, f.value, "to", "the ramp")) {
      if (auto v = read_number(*to, "a value to ramp to (a number)")) piece.to = *v;
    }
    if (const Field* over = require(fields, f.value, "over", "the ramp")) {
      if (auto d = read_duration(*over)) piece.over = *d;
    }
  }

  // A CSV of real readings: a header line, then "time,value" lines; the time is seconds
  // from the drill's start or an ISO 8601 time with its offset.
  void read_replay(const Field& f, SensorStream& stream) {
    auto path = read_string(f, "a CSV file name such as readings.csv");
    if (!path) return;
    stream.replay = resolve(*path);
    auto text = read_file_at(f, *path, stream.replay);
    if (!text) return;
    parse_replay(stream.replay, *text, stream);
  }

  void parse_replay(const std::string& name, std::string_view text, SensorStream& stream) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    const std::size_t errors_before = diagnostics_.size();
    bool header_seen = false;
    std::optional<std::pair<Duration, int>> previous;  // offset and line
    int line_number = 0;
    std::size_t from = 0;
    while (from < text.size()) {
      std::size_t eol = text.find('\n', from);
      if (eol == std::string_view::npos) eol = text.size();
      std::string_view line = text.substr(from, eol - from);
      from = eol + 1;
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      // The cells, trimmed and unquoted, with their 1-based columns.
      std::vector<std::pair<std::string_view, int>> cells;
      std::size_t cell_start = 0;
      while (true) {
        std::size_t comma = line.find(',', cell_start);
        std::string_view cell = line.substr(cell_start, comma == std::string_view::npos ? std::string_view::npos
                                                                                          : comma - cell_start);
        std::size_t lead = 0;
        while (lead < cell.size() && (cell[lead] == ' ' || cell[lead] == '\t')) ++lead;
        cell.remove_prefix(lead);
        while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t')) cell.remove_suffix(1);
        int column = 1;
        for (std::size_t i = 0; i < cell_start + lead; ++i) {
          if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++column;
        }
        if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') {
          cell = cell.substr(1, cell.size() - 2);
          ++column;
        }
        cells.emplace_back(cell, column);
        if (comma == std::string_view::npos) break;
        cell_start = comma + 1;
      }
      auto csv_error = [&](int column, std::string message) {
        error_in(name, Position{line_number, column}, std::move(message));
      };
      if (!header_seen) {
        header_seen = true;
        if (cells.size() != 2) {
          csv_error(1, "expected a header line with two columns (such as time,value), found " +
                           std::to_string(cells.size()) + (cells.size() == 1 ? " column" : " columns"));
        } else if (parse_number(cells[0].first) || parse_iso8601(cells[0].first).is_ok()) {
          csv_error(1, "expected a header line first (such as time,value), found a reading");
        }
        continue;
      }
      if (cells.size() != 2) {
        csv_error(1, "expected two values (time, value), found " + std::to_string(cells.size()));
        continue;
      }
      const auto [time_text, time_column] = cells[0];
      const auto [value_text, value_column] = cells[1];
      std::optional<Duration> offset;
      if (auto seconds = parse_number(time_text)) {
        if (*seconds < 0) {
          csv_error(time_column, "expected seconds from the drill's start (0 or more), found " + quote(time_text));
        } else if (duration_ && *seconds >= std::chrono::duration<double>(*duration_).count()) {
          csv_error(time_column, "expected a time before the end of the drill (duration " + format(*duration_) +
                                     "), found " + quote(time_text) + " seconds");
        } else {
          offset = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(*seconds));
        }
      } else if (auto time = parse_iso8601(time_text); time.is_ok()) {
        if (start_) {
          const Duration d = *time - *start_;
          if (d < Duration::zero()) {
            csv_error(time_column, "expected a time at or after the drill's start, found " + quote(time_text));
          } else if (duration_ && d >= *duration_) {
            csv_error(time_column, "expected a time before the end of the drill (duration " + format(*duration_) +
                                       "), found " + quote(time_text));
          } else {
            offset = d;
          }
        }
      } else {
        csv_error(time_column, "expected seconds from the drill's start (such as 90) or an ISO 8601 time with its "
                               "offset, found " +
                                   quote(time_text));
      }
      if (offset && previous && *offset <= previous->first) {
        csv_error(time_column, "expected times in increasing order, found " + quote(time_text) +
                                   " after the reading on line " + std::to_string(previous->second));
        offset.reset();
      }
      auto value = parse_number(value_text);
      if (!value) csv_error(value_column, "expected a value (a number), found " + quote(value_text));
      if (offset) previous = std::pair(*offset, line_number);
      if (offset && value) stream.replayed.emplace_back(*offset, *value);
    }
    if (diagnostics_.size() == errors_before && stream.replayed.empty()) {
      error_in(name, Position{std::max(line_number, 1), 1},
               header_seen ? "expected at least one reading after the header, found none"
                           : "expected a header line and readings (time,value), found an empty file");
    }
  }

  // ---- reports

  void read_reports(const Field& f, Scenario& scenario) {
    std::vector<std::pair<std::string, YAML::Node>> seen;
    int index = 0;
    for (const YAML::Node& item : read_list_of_maps(f, "reports (each with at, id, category and place)")) {
      ++index;
      const std::string where = "report " + std::to_string(index);
      Fields fields = read_map(item, kReportKeys, keys_of("a report key", kReportKeys));
      const std::size_t errors_before = diagnostics_.size();
      ScriptedReport report;
      if (const Field* at = require(fields, item, "at", where)) {
        if (auto offset = read_offset(*at)) {
          report.at = *offset;
          check_within_drill(*at, *offset);
        }
      }
      if (const Field* id = require(fields, item, "id", where)) {
        if (auto text = read_id(*id, "a report id")) {
          auto same = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == *text; });
          if (same != seen.end()) {
            error_at(*id, "expected each report id once, found " + quote(*text) + " again (first on line " +
                              std::to_string(line_of(same->second)) + ")");
          } else {
            seen.emplace_back(*text, id->value);
          }
          report.id = std::move(*text);
        }
      }
      if (const Field* category = require(fields, item, "category", where)) {
        const std::string expected = "a report category (a lower-case letter, then up to 63 of a-z, 0-9 or '_')";
        if (auto text = read_string(*category, expected)) {
          if (sensors::is_valid_report_category(*text)) {
            report.category = std::move(*text);
          } else {
            std::string fixed;
            for (char c : *text) fixed += c == ' ' || c == '-' ? '_' : ascii_lower(c);
            const std::string hint =
                sensors::is_valid_report_category(fixed) ? "; did you mean " + quote(fixed) + "?" : std::string();
            error_at(*category, "expected " + expected + ", found " + quote(*text) + hint);
          }
        }
      }
      if (const Field* place = require(fields, item, "place", where)) {
        if (auto path = read_place(*place)) report.place = std::move(*path);
      }
      if (const Field* source = find_set(fields, "source")) {
        const std::string expected = "a report source (" + join_or(kReportSources) + ")";
        if (auto text = read_string(*source, expected)) {
          if (sensors::is_valid_report_source(*text)) {
            report.source = std::move(*text);
          } else {
            error_at(*source, "expected " + expected + ", found " + quote(*text) + did_you_mean(*text, kReportSources));
          }
        }
      }
      if (const Field* description = find_set(fields, "description")) {
        if (auto text = read_string(*description, "a description (a text)")) {
          if (text->size() > kMaxDescriptionBytes) {
            error_at(*description, "expected a description of at most " + std::to_string(kMaxDescriptionBytes) +
                                       " bytes, found " + std::to_string(text->size()));
          }
          report.description = std::move(*text);
        }
      }
      if (diagnostics_.size() == errors_before) scenario.reports.push_back(std::move(report));
    }
    std::stable_sort(scenario.reports.begin(), scenario.reports.end(),
                     [](const ScriptedReport& a, const ScriptedReport& b) { return a.at < b.at; });
  }

  // ---- staff behaviour

  static bool is_catch_all(const StaffBehaviour& rule) {
    return rule.role.empty() && rule.kind.empty() && rule.staff.empty();
  }

  void read_behaviour(const Field& f, Scenario& scenario) {
    std::optional<int> catch_all_line;  // a rule for everybody so far
    int index = 0;
    for (const YAML::Node& item : read_list_of_maps(f, "staff behaviour rules (each with respond, decline, ...)")) {
      ++index;
      Fields fields = read_map(item, kBehaviourKeys, keys_of("a staff behaviour key", kBehaviourKeys));
      const std::size_t errors_before = diagnostics_.size();
      StaffBehaviour rule;
      rule.line = line_of(item);
      if (catch_all_line) {
        error_at(item, "expected no rule after the rule for everybody (line " + std::to_string(*catch_all_line) +
                           "), found one that would never apply");
      }
      if (const Field* role = find_set(fields, "role")) rule.role = read_role(*role).value_or("");
      if (const Field* kind = find_set(fields, "kind")) {
        const std::string expected = "a kind of staff (" + sensors::staff_kind_names() + ")";
        if (auto text = read_string(*kind, expected)) {
          if (sensors::parse_staff_kind(*text)) {
            rule.kind = std::move(*text);
          } else {
            std::vector<std::string_view> names;
            for (auto k : {sensors::StaffKind::kCommunityWorker, sensors::StaffKind::kGridWorker,
                           sensors::StaffKind::kBuildingLead, sensors::StaffKind::kVolunteer,
                           sensors::StaffKind::kPropertyManagement, sensors::StaffKind::kOutsideAgency}) {
              names.push_back(sensors::staff_kind_name(k));
            }
            error_at(*kind, "expected " + expected + ", found " + quote(*text) + did_you_mean(*text, names));
          }
        }
      }
      if (const Field* staff = find_set(fields, "staff")) rule.staff = read_id(*staff, "a staff id").value_or("");
      if (const Field* respond = find_set(fields, "respond")) {
        if (auto range = read_range(*respond)) rule.respond = *range;
      }
      if (const Field* travel = find_set(fields, "travel")) {
        if (auto range = read_range(*travel)) rule.travel = *range;
      }
      const Field* decline = find_set(fields, "decline");
      const Field* no_answer = find_set(fields, "no_answer");
      std::optional<double> decline_chance = decline != nullptr ? read_chance(*decline) : std::optional<double>(0);
      std::optional<double> no_answer_chance =
          no_answer != nullptr ? read_chance(*no_answer) : std::optional<double>(0);
      if (decline_chance && no_answer_chance) {
        rule.decline = *decline_chance;
        rule.no_answer = *no_answer_chance;
        if (*decline_chance + *no_answer_chance > 1 + 1e-9) {
          const Field* later = decline->key.Mark().pos > no_answer->key.Mark().pos ? decline : no_answer;
          error_at(*later, "expected decline and no_answer to add up to at most 1, found " +
                               decline->value.Scalar() + " + " + no_answer->value.Scalar());
        }
      }
      if (is_catch_all(rule) && diagnostics_.size() == errors_before && !catch_all_line) catch_all_line = rule.line;
      if (diagnostics_.size() == errors_before) scenario.behaviour.push_back(std::move(rule));
    }
  }

  // ---- expectations

  void read_expectations(const Field& f, Scenario& scenario) {
    std::optional<int> no_alert_line;
    std::optional<int> alerting_line;  // an expectation that needs an alert
    int index = 0;
    for (const YAML::Node& item : read_list_of_maps(f, "expectations (each one of " + join_or(kExpectKinds) + ")")) {
      ++index;
      const std::string where = "expectation " + std::to_string(index);
      Fields fields = read_map(item, kExpectKeys, keys_of("an expectation key", kExpectKeys));
      const std::size_t errors_before = diagnostics_.size();
      const Field* kind = nullptr;
      for (const Field& field : fields) {
        if (std::find(kExpectKinds.begin(), kExpectKinds.end(), field.name) == kExpectKinds.end()) continue;
        if (kind != nullptr) {
          error_at(field.key, "expected one expectation per list item, found both " + kind->name + " and " +
                                  field.name + "; write each as its own item");
          continue;
        }
        kind = &field;
      }
      if (kind == nullptr) {
        error_at(item, "expected one of " + join_or(kExpectKinds) + " in " + where + ", found none");
        continue;
      }
      Expectation e;
      const Position at = source_.at(kind->key);
      e.line = at.line;
      e.column = at.column;
      read_expectation(*kind, fields, e);
      if (diagnostics_.size() != errors_before) continue;
      if (e.kind == Expectation::Kind::kNoAlert) {
        no_alert_line = e.line;
      } else if (e.kind == Expectation::Kind::kAlertWithin || e.kind == Expectation::Kind::kAcceptedWithin) {
        alerting_line = e.line;
      }
      if (no_alert_line && alerting_line) {
        error_at(kind->key, "expected expectations that can all pass, found no_alert (line " +
                                std::to_string(*no_alert_line) + ") with an expectation that needs an alert (line " +
                                std::to_string(*alerting_line) + ")");
        continue;
      }
      scenario.expectations.push_back(std::move(e));
    }
  }

  // The keys other than the kind an expectation of `kind` takes.
  static std::vector<std::string_view> extra_keys(std::string_view kind) {
    if (kind == "alert") return {"within", "after"};
    if (kind == "accepted") return {"count", "within"};
    return {};
  }

  void read_expectation(const Field& kind, const Fields& fields, Expectation& e) {
    const auto allowed = extra_keys(kind.name);
    for (const Field& field : fields) {
      if (&field == &kind || std::find(kExpectKinds.begin(), kExpectKinds.end(), field.name) != kExpectKinds.end()) {
        continue;
      }
      if (std::find(allowed.begin(), allowed.end(), field.name) == allowed.end()) {
        error_at(field.key, "expected " + (allowed.empty() ? "nothing else" : join_or(allowed)) + " with " +
                                kind.name + ", found " + quote(field.name));
      }
    }
    // within: as written, or (left out) the rest of the drill.
    std::string within_text;
    auto read_within = [&] {
      e.within = duration_.value_or(Duration::zero());
      if (const Field* within = find_set(fields, "within")) {
        if (auto d = read_duration(*within)) {
          e.within = *d;
          within_text = " within " + within->value.Scalar();
        }
      }
    };
    if (kind.name == "alert") {
      e.kind = Expectation::Kind::kAlertWithin;
      const std::string expected = "a warning level (" + join_or(kLevelNames) + ")";
      if (auto text = read_string(kind, expected)) {
        if (auto level = plans::parse_level(*text)) {
          e.level = *level;
        } else {
          error_at(kind, "expected " + expected + ", found " + quote(*text) + did_you_mean(*text, kLevelNames));
        }
      }
      read_within();
      std::string after_text;
      if (const Field* after = find_set(fields, "after")) after_text = read_after(*after, e);
      e.text = "alert " + std::string(plans::level_name(e.level)) + within_text + after_text;
    } else if (kind.name == "accepted") {
      e.kind = Expectation::Kind::kAcceptedWithin;
      e.role = read_role(kind).value_or("");
      if (const Field* count = find_set(fields, "count")) {
        e.count = read_whole_number(*count, "a number of people", 1, kMaxCount).value_or(1);
      }
      read_within();
      e.text = "accepted " + (e.count > 1 ? std::to_string(e.count) + " " : std::string()) + e.role + within_text;
    } else if (kind.name == "assigned_within") {
      e.kind = Expectation::Kind::kAssignedWithin;
      if (auto place = read_place(kind)) e.place = std::move(*place);
      e.text = "assigned within " + e.place.str();
    } else if (kind.name == "resolved_within") {
      e.kind = Expectation::Kind::kResolvedWithin;
      if (auto d = read_duration(kind)) e.within = *d;
      e.text = "resolved within " + (kind.value.IsScalar() ? kind.value.Scalar() : std::string());
    } else {
      read_true(kind);
      e.kind = kind.name == "no_actual_alert" ? Expectation::Kind::kNoActualAlert
               : kind.name == "no_alert"      ? Expectation::Kind::kNoAlert
                                              : Expectation::Kind::kNoUnfilledRole;
      e.text = kind.name;
      std::replace(e.text.begin(), e.text.end(), '_', ' ');
    }
  }

  // "start", or "QUANTITY OP NUMBER": the first reading of a stream of QUANTITY that
  // meets it. Returns the text for Expectation::text ("" for the start).
  std::string read_after(const Field& f, Expectation& e) {
    const std::string expected = "\"start\" or a condition on a sensor stream such as \"smoke >= 0.15\"";
    auto text = read_string(f, expected);
    if (!text || *text == "start") return {};
    const std::string_view s(*text);
    std::size_t i = 0;
    while (i < s.size() && is_quantity_char(s[i], i == 0)) ++i;
    if (i == 0) {
      error_at(f, "expected " + expected + ", found " + quote(s));
      return {};
    }
    const std::string quantity(s.substr(0, i));
    while (i < s.size() && s[i] == ' ') ++i;
    std::string_view op;
    for (auto candidate : kOperators) {
      if (s.substr(i, candidate.size()) == candidate) {
        op = candidate;
        break;
      }
    }
    if (op.empty()) {
      std::string_view found = s.substr(i, s.find(' ', i) == std::string_view::npos ? std::string_view::npos
                                                                                      : s.find(' ', i) - i);
      error(position_in_scalar(f.value, i), "expected an operator (" + join_or(kOperators) + ") after " +
                                               quote(quantity) + ", found " +
                                               (found.empty() ? std::string("nothing") : quote(found)));
      return {};
    }
    i += op.size();
    while (i < s.size() && s[i] == ' ') ++i;
    const std::string_view number = s.substr(i);
    auto value = parse_number(number);
    if (!value) {
      error(position_in_scalar(f.value, i),
            "expected a number (in the stream's own unit, written without it), found " +
                (number.empty() ? std::string("nothing") : quote(number)));
      return {};
    }
    const std::vector<std::string_view> quantities(stream_quantities_.begin(), stream_quantities_.end());
    if (std::find(quantities.begin(), quantities.end(), quantity) == quantities.end()) {
      if (quantities.empty()) {
        error_at(f, "expected \"start\" (the scenario has no sensor streams to wait for), found " + quote(s));
      } else {
        error(position_in_scalar(f.value, 0), "expected a quantity a sensor stream sends (" + join_or(quantities) +
                                                  "), found " + quote(quantity) + did_you_mean(quantity, quantities));
      }
      return {};
    }
    e.after_quantity = quantity;
    e.after_op = std::string(op);
    e.after_value = *value;
    return " after " + quantity + " " + std::string(op) + " " + std::string(number);
  }

  std::string base_dir_;
  std::optional<Time> start_;
  std::optional<Duration> duration_;
  std::vector<std::string> stream_quantities_;  // of every stream, in the order written
};

}  // namespace

ScenarioLoad load_scenario(std::string_view yaml_text, std::string_view file_name, std::string_view base_dir) {
  // yaml-cpp skips a UTF-8 byte order mark without counting it in its marks; so do we.
  if (yaml_text.substr(0, 3) == "\xEF\xBB\xBF") yaml_text.remove_prefix(3);
  try {
    return Loader(yaml_text, file_name, base_dir).load();
  } catch (const std::exception& e) {
    ScenarioLoad result;
    result.diagnostics.push_back(Diagnostic{std::string(file_name), 0, 0,
                                            std::string("internal error while loading the scenario: ") + e.what()});
    return result;
  } catch (...) {
    ScenarioLoad result;
    result.diagnostics.push_back(Diagnostic{std::string(file_name), 0, 0, "internal error while loading the scenario"});
    return result;
  }
}

ScenarioLoad load_scenario_file(const std::string& path) {
  std::string why;
  auto text = read_text_file(path, why);
  if (!text) {
    ScenarioLoad result;
    result.diagnostics.push_back(Diagnostic{path, 0, 0, "expected a scenario file that can be read, found " + why});
    return result;
  }
  return load_scenario(*text, path, fs::path(path).parent_path().string());
}

}  // namespace lookout::drills
