// The staff roster: import from CSV or YAML, storage form (JSON), on-duty times and
// the in-memory registry. Formats: docs/registries.md, "Staff roster".
#include "lookout/sensors/staff.h"

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <charconv>

#include "import_support.h"
#include "lookout/base/time_format.h"

namespace lookout::sensors {

namespace {

using namespace internal;

constexpr std::array<std::string_view, 6> kKindNames = {"community_worker", "grid_worker",         "building_lead",
                                                        "volunteer",        "property_management", "outside_agency"};
constexpr std::array<std::string_view, 7> kDayNames = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::uint8_t kAllDays = 0x7F;
constexpr std::uint8_t kWeekdays = 0x1F;
constexpr std::uint8_t kWeekends = 0x60;

const char* const kDaysExpected =
    "expected mon, tue, wed, thu, fri, sat, sun, a range such as mon-fri, or daily, weekdays, weekends";
const char* const kShiftExample = "e.g. mon-fri 08:00-18:00";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// [start, end) of `text` without the blanks around it.
std::pair<std::size_t, std::size_t> trimmed(std::string_view text, std::size_t start, std::size_t end) {
  while (start < end && is_blank(text[start])) ++start;
  while (end > start && is_blank(text[end - 1])) --end;
  return {start, end};
}

// Pieces of `text` between `separator`s, trimmed, with their offsets; empty pieces
// dropped (a trailing separator is allowed).
std::vector<std::pair<std::size_t, std::string>> pieces(std::string_view text, char separator) {
  std::vector<std::pair<std::size_t, std::string>> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    auto [b, e] = trimmed(text, start, end);
    if (e > b) out.emplace_back(b, std::string(text.substr(b, e - b)));
    start = end + 1;
  }
  return out;
}

std::optional<int> day_index(std::string_view name) {
  const std::string l = lower(name);
  for (std::size_t i = 0; i < kDayNames.size(); ++i) {
    if (l == kDayNames[i]) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::string time_text(int minutes) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

// ---- Shifts -----------------------------------------------------------------------------

// A problem in a value, at byte `pos` of it.
struct ValueError {
  std::size_t pos = 0;
  std::string message;
};

// One day spec: mon, mon-fri, fri-mon (wraps past Sunday), daily, weekdays, weekends.
std::optional<std::uint8_t> parse_day_spec(std::string_view spec) {
  const std::string l = lower(spec);
  if (l == "daily") return kAllDays;
  if (l == "weekdays") return kWeekdays;
  if (l == "weekends") return kWeekends;
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) {
    auto d = day_index(spec);
    if (!d) return std::nullopt;
    return static_cast<std::uint8_t>(1u << *d);
  }
  auto [fb, fe] = trimmed(spec, 0, dash);
  auto [tb, te] = trimmed(spec, dash + 1, spec.size());
  auto from = day_index(spec.substr(fb, fe - fb));
  auto to = day_index(spec.substr(tb, te - tb));
  if (!from || !to) return std::nullopt;
  std::uint8_t mask = 0;
  for (int d = *from;; d = (d + 1) % 7) {
    mask = static_cast<std::uint8_t>(mask | (1u << d));
    if (d == *to) break;
  }
  return mask;
}

// Days written as day specs separated by commas ("mon-fri", "mon, wed, sat-sun"),
// at byte `base` of the value. Adds problems to `errors`.
std::uint8_t parse_days(std::string_view text, std::size_t base, std::vector<ValueError>& errors) {
  std::uint8_t days = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    auto [b, e] = trimmed(text, start, end);
    const std::string spec(text.substr(b, e - b));
    if (spec.empty()) {
      errors.push_back({base + b, "an empty day between commas; " + std::string(kDaysExpected)});
    } else if (auto mask = parse_day_spec(spec); !mask) {
      errors.push_back({base + b, "unknown day " + quote(spec) + "; " + kDaysExpected});
    } else if (days & *mask) {
      errors.push_back({base + b, "day " + quote(spec) + " repeats a day already given in this shift"});
    } else {
      days = static_cast<std::uint8_t>(days | *mask);
    }
    start = end + 1;
  }
  return days;
}

// H:MM or HH:MM; `allow_24` for an end time (24:00, the end of the day).
std::optional<int> parse_time_of_day(std::string_view text, bool allow_24) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() != colon + 3) return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i != colon && (text[i] < '0' || text[i] > '9')) return std::nullopt;
  }
  int h = 0, m = 0;
  std::from_chars(text.data(), text.data() + colon, h);
  std::from_chars(text.data() + colon + 1, text.data() + text.size(), m);
  if (m > 59) return std::nullopt;
  if (h < 24) return h * 60 + m;
  if (allow_24 && h == 24 && m == 0) return Shift::kMinutesPerDay;
  return std::nullopt;
}

// A start or end time of day at byte `base` of the value, or a problem.
std::optional<int> check_time(std::string_view text, std::size_t base, bool is_end, std::vector<ValueError>& errors) {
  auto t = parse_time_of_day(text, is_end);
  if (!t) {
    errors.push_back({base, std::string(is_end ? "end" : "start") + " time " + quote(text) +
                                " is not a time of day; expected HH:MM from 00:00 to " + (is_end ? "24:00" : "23:59")});
  }
  return t;
}

// A shift whose start and end are known: the problem when they are the same.
std::optional<std::string> same_time_problem(int start, int end) {
  if (start != end) return std::nullopt;
  return "the shift starts and ends at " + time_text(start) +
         "; expected an end different from the start (a whole day is 00:00-24:00)";
}

// One shift written "DAYS HH:MM-HH:MM", at byte `base` of the value.
std::optional<Shift> parse_one_shift(std::string_view text, std::size_t base, std::vector<ValueError>& errors) {
  const std::size_t before = errors.size();
  const std::string prefix = "shift " + quote(text) + ": ";
  auto first_digit = text.find_first_of("0123456789");
  if (first_digit == std::string_view::npos) {
    errors.push_back({base, prefix + "no times; expected the days, then the start and end times, " + kShiftExample});
    return std::nullopt;
  }
  auto [db, de] = trimmed(text, 0, first_digit);
  if (de == db) {
    errors.push_back(
        {base, prefix + "no days; expected the days first, " + kShiftExample + " (or daily, weekdays, weekends)"});
    return std::nullopt;
  }
  Shift shift;
  shift.days = parse_days(text.substr(db, de - db), base + db, errors);
  for (auto i = before; i < errors.size(); ++i) errors[i].message = prefix + errors[i].message;

  // Times: "HH:MM-HH:MM", blanks allowed around the '-'.
  const std::string_view times = text.substr(first_digit);
  const std::size_t times_at = base + first_digit;
  auto dash = times.find('-');
  std::optional<int> start, end;
  if (dash == std::string_view::npos) {
    errors.push_back(
        {times_at, prefix + "expected a start and an end time, HH:MM-HH:MM, e.g. 08:00-18:00, found " + quote(times)});
  } else {
    auto [sb, se] = trimmed(times, 0, dash);
    auto [eb, ee] = trimmed(times, dash + 1, times.size());
    if (ee == eb) {
      errors.push_back({times_at + dash, prefix + "no end time after '-'; expected HH:MM-HH:MM, e.g. 08:00-18:00"});
    } else {
      std::vector<ValueError> time_errors;
      start = check_time(times.substr(sb, se - sb), times_at + sb, false, time_errors);
      end = check_time(times.substr(eb, ee - eb), times_at + eb, true, time_errors);
      for (auto& e : time_errors) errors.push_back({e.pos, prefix + e.message});
    }
  }
  if (start && end) {
    if (auto problem = same_time_problem(*start, *end)) errors.push_back({times_at, prefix + *problem});
    shift.start = *start;
    shift.end = *end;
  }
  if (errors.size() != before) return std::nullopt;
  return shift;
}

// Shifts separated by ';' (a trailing ';' is allowed).
std::vector<Shift> parse_shift_list(std::string_view text, std::vector<ValueError>& errors) {
  std::vector<Shift> out;
  for (const auto& [at, piece] : pieces(text, ';')) {
    if (auto shift = parse_one_shift(piece, at, errors)) out.push_back(*shift);
  }
  return out;
}

// ---- Values and where they are ------------------------------------------------------------

// A value read from the file: its text and where it is written.
struct Value {
  std::string text;
  Where at;                          // its start
  std::optional<std::size_t> start;  // its byte offset in the file, when known
  const TextIndex* index = nullptr;

  Where inside(std::size_t pos) const {
    if (!start || index == nullptr) return at;
    Where w = index->inside(*start, text, pos);
    return w.line == 0 ? at : w;
  }
};

Value yaml_value(const TextIndex& index, YamlFile& y, const YAML::Node& node, std::string text, Where fallback) {
  Value v{std::move(text), y.at(node, fallback), std::nullopt, &index};
  if (node.IsDefined() && !node.IsNull()) v.start = index.offset_of(node.Mark());
  return v;
}

Value csv_value(const TextIndex& index, const Cell& cell) { return {cell.text, cell.at, cell.offset, &index}; }

void report(const Value& v, const std::vector<ValueError>& errors, Reporter& r) {
  for (const auto& e : errors) r.error(v.inside(e.pos), e.message);
}

// ---- Checks shared by both formats ------------------------------------------------------------

bool check_staff_id(const std::string& id, Where at, Reporter& r) {
  if (is_valid_sensor_id(id)) return true;
  r.error(at, "staff id " + quote(id) + " is not valid; expected 1 to 64 of A-Z, a-z, 0-9, '_', '.', '-'");
  return false;
}

// A role or skill name at byte `pos` of `v`; `noun`: "role" or "skill". Adds it to
// `names` unless it is wrong or repeated.
void add_name(const Value& v, std::size_t pos, const std::string& name, std::string_view noun,
              std::vector<std::string>& names, Reporter& r) {
  if (!is_valid_role_name(name)) {
    std::string hint = name.find(',') != std::string::npos ? " (separate names with ';')" : "";
    r.error(v.inside(pos), std::string(noun) + " " + quote(name) +
                               " is not valid; expected a lower-case name: a letter, then up to 63 of a-z, 0-9, "
                               "'_', e.g. " +
                               (noun == "role" ? "fire_warden" : "first_aid") + hint);
    return;
  }
  if (std::find(names.begin(), names.end(), name) != names.end()) {
    r.error(v.inside(pos), std::string(noun) + " " + quote(name) + " is listed twice for this staff member");
    return;
  }
  names.push_back(name);
}

std::optional<StaffKind> check_staff_kind(const Value& v, Reporter& r) {
  if (auto kind = parse_staff_kind(v.text)) return kind;
  r.error(v.at, v.text.empty() ? "kind is empty; expected one of " + staff_kind_names()
                               : "kind " + quote(v.text) + " is not known; expected one of " + staff_kind_names());
  return std::nullopt;
}

bool check_time_zone(const std::string& name, Where at, Reporter& r) {
  if (name.empty()) {
    r.error(at, "time_zone is empty; expected an IANA name such as Asia/Shanghai or UTC");
    return false;
  }
  auto zone = find_time_zone(name);
  if (!zone.is_ok()) r.error(at, zone.status().message());
  return zone.is_ok();
}

std::optional<int> check_capacity(const Value& v, Reporter& r) {
  const std::string text = trim(v.text);
  int n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) {
    r.error(v.at, "expected capacity as a whole number from 1 to " + std::to_string(kMaxStaffCapacity) +
                      " (how many assignments the member can take at once), found " + quote(v.text));
    return std::nullopt;
  }
  if (n < 1 || n > kMaxStaffCapacity) {
    r.error(v.at, "capacity " + text + " is out of range; expected 1 to " + std::to_string(kMaxStaffCapacity) +
                      " (how many assignments the member can take at once)");
    return std::nullopt;
  }
  return n;
}

std::optional<bool> check_bool(const Value& v, std::string_view key, Reporter& r) {
  const std::string l = lower(trim(v.text));
  if (l == "true" || l == "yes") return true;
  if (l == "false" || l == "no") return false;
  r.error(v.at, "expected " + std::string(key) + ": true or false, found " + quote(v.text));
  return std::nullopt;
}

bool check_on_call(const Value& v, Reporter& r) {
  if (lower(trim(v.text)) == "always") return true;
  r.error(v.at,
          "expected on_call: always (for a member who can be called at any time; otherwise give shifts), "
          "found " +
              quote(v.text));
  return false;
}

// What every member needs, whatever the format. `roles_at`, `shifts_at`: where the
// problem is shown. `roles_reported`, `duty_reported`: roles, or shifts or on_call,
// were given but wrong, and reported: not reported again as missing.
void check_member(const StaffMember& m, bool roles_reported, bool duty_reported, Where roles_at, Where shifts_at,
                  Reporter& r) {
  if (m.roles.empty() && !m.all_round && !roles_reported) {
    r.error(roles_at,
            "this staff member has no roles and is not all_round; expected at least one role, e.g. "
            "fire_warden, or all_round: true");
  }
  if (m.on_call_always && !m.shifts.empty()) {
    r.error(shifts_at, "this staff member has both shifts and on_call: always; expected one of them");
  } else if (!m.on_call_always && m.shifts.empty() && !duty_reported) {
    r.error(shifts_at, std::string("this staff member has no shifts; expected shifts, ") + kShiftExample +
                           ", or on_call: always for a member who can be called at any time");
  }
}

// The time zone of a member that gives none: the file's, else the default.
class DefaultZone {
 public:
  explicit DefaultZone(std::string_view fallback) : fallback_(fallback) {}
  void set_from_file(std::string name) { from_file_ = std::move(name); }
  // Empty (after reporting) when the fallback is unknown.
  std::string get(Where at, Reporter& r) {
    if (from_file_) return *from_file_;
    if (!fallback_ok_) {
      fallback_ok_ = find_time_zone(fallback_).is_ok();
      if (!*fallback_ok_) {
        r.error(at, "no time_zone given and the default " + quote(fallback_) +
                        " is not a known time zone; expected time_zone: with an IANA name such as Asia/Shanghai");
      }
    }
    return *fallback_ok_ ? fallback_ : std::string();
  }

 private:
  std::string fallback_;
  std::optional<std::string> from_file_;
  std::optional<bool> fallback_ok_;
};

// ---- YAML ------------------------------------------------------------------------------------

// roles: [a, b] or skills: [a, b].
void yaml_names(YamlFile& y, const TextIndex& index, const YAML::Node& v, Where at, std::string_view noun,
                std::vector<std::string>& out) {
  Reporter& r = y.reporter();
  const std::string example = noun == "role" ? "[fire_warden, first_aid]" : "[first_aid, electrician]";
  if (!v.IsSequence()) {
    r.error(at, "expected a list of " + std::string(noun) + "s, e.g. " + example + ", found " + YamlFile::describe(v));
    return;
  }
  for (const auto& item : v) {
    const Where item_at = y.at(item, at);
    auto t =
        y.text(item, item_at, "a " + std::string(noun) + " name such as " + example.substr(1, example.find(',') - 1));
    if (!t) continue;
    add_name(yaml_value(index, y, item, *t, item_at), 0, *t, noun, out, r);
  }
}

// days: mon-fri, or a list of day specs. Nothing (after reporting) when wrong.
std::optional<std::uint8_t> yaml_days(YamlFile& y, const TextIndex& index, const YAML::Node& v, Where at) {
  Reporter& r = y.reporter();
  std::vector<ValueError> errors;
  if (v.IsScalar()) {
    Value value = yaml_value(index, y, v, v.Scalar(), at);
    auto days = parse_days(value.text, 0, errors);
    report(value, errors, r);
    if (!errors.empty()) return std::nullopt;
    return days;
  }
  if (!v.IsSequence() || v.size() == 0) {
    r.error(at, "expected the days, e.g. mon-fri or [mon, wed, fri], found " + YamlFile::describe(v));
    return std::nullopt;
  }
  std::uint8_t days = 0;
  bool ok = true;
  for (const auto& item : v) {
    const Where item_at = y.at(item, at);
    auto t = y.text(item, item_at, "a day such as mon, or a range such as mon-fri");
    if (!t) {
      ok = false;
      continue;
    }
    Value value = yaml_value(index, y, item, *t, item_at);
    errors.clear();
    auto mask = parse_days(value.text, 0, errors);
    if (errors.empty() && (days & mask)) {
      errors.push_back({0, "day " + quote(*t) + " repeats a day already given in this shift"});
    }
    report(value, errors, r);
    ok = ok && errors.empty();
    days = static_cast<std::uint8_t>(days | mask);
  }
  if (!ok) return std::nullopt;
  return days;
}

// A shift written as a map: {days: mon-fri, start: "08:00", end: "18:00"}.
std::optional<Shift> yaml_shift_map(YamlFile& y, const TextIndex& index, const YAML::Node& item, Where item_at) {
  Reporter& r = y.reporter();
  Shift shift;
  bool ok = true, has_days = false, has_start = false, has_end = false;
  std::optional<int> start, end;
  Where times_at = item_at;
  y.for_each_entry(item, item_at, "in this shift", [&](const std::string& key, Where key_at, const YAML::Node& v) {
    const Where at = y.at(v, key_at);
    if (key == "days") {
      has_days = true;
      if (auto days = yaml_days(y, index, v, at)) {
        shift.days = *days;
      } else {
        ok = false;
      }
    } else if (key == "start" || key == "end") {
      const bool is_end = key == "end";
      (is_end ? has_end : has_start) = true;
      auto t = y.text(v, at, is_end ? "an end time HH:MM, e.g. 18:00" : "a start time HH:MM, e.g. 08:00");
      if (!t) {
        ok = false;
        return;
      }
      std::vector<ValueError> errors;
      auto time = check_time(*t, 0, is_end, errors);
      report(yaml_value(index, y, v, *t, at), errors, r);
      (is_end ? end : start) = time;
      if (!time) ok = false;
      if (is_end) times_at = at;
    } else {
      r.error(key_at, "unknown key " + quote(key) + " in this shift; expected days, start, end");
      ok = false;
    }
  });
  if (!has_days) r.error(item_at, "this shift has no days; expected e.g. days: mon-fri");
  if (!has_start) r.error(item_at, "this shift has no start; expected e.g. start: \"08:00\"");
  if (!has_end) r.error(item_at, "this shift has no end; expected e.g. end: \"18:00\"");
  if (!has_days || !start || !end || !ok) return std::nullopt;
  if (auto problem = same_time_problem(*start, *end)) {
    r.error(times_at, *problem);
    return std::nullopt;
  }
  shift.start = *start;
  shift.end = *end;
  return shift;
}

// shifts: a list of "DAYS HH:MM-HH:MM" texts or {days, start, end} maps, or one text
// with shifts separated by ';' as in CSV.
std::vector<Shift> yaml_shifts(YamlFile& y, const TextIndex& index, const YAML::Node& v, Where at) {
  Reporter& r = y.reporter();
  std::vector<Shift> out;
  auto from_text = [&](const YAML::Node& node, Where node_at) {
    Value value = yaml_value(index, y, node, node.Scalar(), node_at);
    std::vector<ValueError> errors;
    auto shifts = parse_shift_list(value.text, errors);
    if (errors.empty() && shifts.empty()) {
      errors.push_back(
          {0, std::string("an empty shift; expected the days, then the start and end times, ") + kShiftExample});
    }
    report(value, errors, r);
    out.insert(out.end(), shifts.begin(), shifts.end());
  };
  if (v.IsScalar()) {
    from_text(v, at);
    return out;
  }
  if (!v.IsSequence()) {
    r.error(at,
            std::string("expected a list of shifts, each like mon-fri 08:00-18:00, found ") + YamlFile::describe(v));
    return out;
  }
  for (const auto& item : v) {
    const Where item_at = y.at(item, at);
    if (item.IsScalar()) {
      from_text(item, item_at);
    } else if (item.IsMap()) {
      if (auto shift = yaml_shift_map(y, index, item, item_at)) out.push_back(*shift);
    } else {
      r.error(item_at, std::string("expected a shift such as mon-fri 08:00-18:00, or {days: mon-fri, start: "
                                   "\"08:00\", end: \"18:00\"}, found ") +
                           YamlFile::describe(item));
    }
  }
  return out;
}

std::vector<StaffMember> staff_from_yaml(YamlFile& y, const TextIndex& index, std::string_view text,
                                         DefaultZone& zone) {
  Reporter& r = y.reporter();
  std::vector<StaffMember> out;
  auto root = y.load(text, "staff");
  if (!root) return out;
  std::vector<YamlFile::TopKey> others = {{"time_zone", [&](Where key_at, const YAML::Node& v) {
                                             const Where at = y.at(v, key_at);
                                             auto t = y.text(v, at, "a time zone (an IANA name such as Asia/Shanghai)");
                                             if (t && check_time_zone(*t, at, r)) zone.set_from_file(*t);
                                           }}};
  auto list = y.top_list(*root, "staff", others);
  if (!list) return out;

  static const std::vector<std::string_view> kKeys = {"id",        "name",      "roles",   "skills",    "kind",
                                                      "home",      "time_zone", "shifts",  "on_call",   "capacity",
                                                      "all_round", "phone",     "contact", "attributes"};
  const Where list_at = y.at(*list, {1, 1});
  Uniqueness unique("staff member");
  std::size_t n = 0;
  for (const auto& item : *list) {
    ++n;
    const Where item_at = y.at(item, list_at);
    if (!item.IsMap()) {
      r.error(item_at, "item " + std::to_string(n) +
                           " of staff: expected a staff member (a map with id, name, ...), found " +
                           YamlFile::describe(item));
      continue;
    }
    StaffMember m;
    bool has_id = false, has_name = false, has_kind = false, has_home = false, has_zone = false;
    bool roles_reported = false, duty_reported = false;
    Where roles_at = item_at, shifts_at = item_at;
    y.for_each_entry(item, item_at, "in this staff member",
                     [&](const std::string& key, Where key_at, const YAML::Node& v) {
                       const Where at = y.at(v, key_at);
                       if (key == "id") {
                         has_id = true;
                         auto t = y.text(v, at, "a staff id like w-zhang");
                         if (t && check_staff_id(*t, at, r)) {
                           m.id = *t;
                           unique.add(*t, at, r);
                         }
                       } else if (key == "name") {
                         has_name = true;
                         auto t = y.text(v, at, "the member's name");
                         if (t && trim(*t).empty()) r.error(at, "name is empty; expected the member's name");
                         if (t) m.name = *t;
                       } else if (key == "roles") {
                         roles_at = key_at;
                         const std::size_t before = r.size();
                         yaml_names(y, index, v, at, "role", m.roles);
                         roles_reported = r.size() != before;
                       } else if (key == "skills") {
                         yaml_names(y, index, v, at, "skill", m.skills);
                       } else if (key == "kind") {
                         has_kind = true;
                         auto t = y.text(v, at, "the kind of staff member, one of " + staff_kind_names());
                         if (t) {
                           if (auto kind = check_staff_kind(yaml_value(index, y, v, *t, at), r)) m.kind = *kind;
                         }
                       } else if (key == "home") {
                         has_home = true;
                         auto t = y.text(v, at, "a place path like xc/hl/qy/g03");
                         if (t) {
                           if (auto path = check_place_path(*t, at, r)) m.home = *path;
                         }
                       } else if (key == "time_zone") {
                         has_zone = true;
                         auto t = y.text(v, at, "a time zone (an IANA name such as Asia/Shanghai)");
                         if (t && check_time_zone(*t, at, r)) m.time_zone = *t;
                       } else if (key == "shifts") {
                         shifts_at = key_at;
                         const std::size_t before = r.size();
                         m.shifts = yaml_shifts(y, index, v, at);
                         duty_reported = duty_reported || r.size() != before;
                       } else if (key == "on_call") {
                         auto t = y.text(v, at, "on_call: always");
                         if (t && check_on_call(yaml_value(index, y, v, *t, at), r)) {
                           m.on_call_always = true;
                         } else {
                           duty_reported = true;
                         }
                       } else if (key == "capacity") {
                         auto t = y.text(v, at, "a whole number from 1 to 99");
                         if (t) {
                           if (auto c = check_capacity(yaml_value(index, y, v, *t, at), r)) m.capacity = *c;
                         }
                       } else if (key == "all_round") {
                         auto t = y.text(v, at, "true or false");
                         if (t) {
                           if (auto b = check_bool(yaml_value(index, y, v, *t, at), "all_round", r)) m.all_round = *b;
                         }
                       } else if (key == "phone") {
                         if (auto t = y.text(v, at, "a phone number (text)")) m.phone = *t;
                       } else if (key == "contact") {
                         if (auto t = y.text(v, at, "how else to reach the member (text)")) m.contact = *t;
                       } else if (key == "attributes") {
                         m.attributes = y.attributes(v, at);
                       } else {
                         r.error(key_at, unknown_key_message(key, "staff member", kKeys));
                       }
                     });
    if (!has_id) r.error(item_at, "this staff member has no id; expected e.g. id: w-zhang");
    if (!has_name) r.error(item_at, "this staff member has no name; expected e.g. name: Zhang Wei");
    if (!has_kind) r.error(item_at, "this staff member has no kind; expected e.g. kind: grid_worker");
    if (!has_home) r.error(item_at, "this staff member has no home; expected e.g. home: xc/hl/qy/g03");
    if (!has_zone) m.time_zone = zone.get(item_at, r);
    check_member(m, roles_reported, duty_reported, roles_at, shifts_at, r);
    out.push_back(std::move(m));
  }
  return out;
}

// ---- CSV ---------------------------------------------------------------------------------------

std::vector<StaffMember> staff_from_csv(std::string_view text, const TextIndex& index, Reporter& r, DefaultZone& zone) {
  static const std::vector<std::string_view> kKnown = {"id",        "name",      "roles",  "skills",  "kind",
                                                       "home",      "time_zone", "shifts", "on_call", "capacity",
                                                       "all_round", "phone",     "contact"};
  static const std::vector<std::string_view> kRequired = {"id", "name", "roles", "kind", "home", "shifts"};
  std::vector<StaffMember> out;
  std::vector<Row> rows;
  CsvHeader header;
  if (!read_csv(text, index, r, rows, kKnown, kRequired, header)) return out;

  auto col = [&](std::string_view name) { return header.column(name); };
  const std::size_t id_col = *col("id"), name_col = *col("name"), roles_col = *col("roles");
  const std::size_t kind_col = *col("kind"), home_col = *col("home"), shifts_col = *col("shifts");
  const auto skills_col = col("skills"), zone_col = col("time_zone"), on_call_col = col("on_call");
  const auto capacity_col = col("capacity"), all_round_col = col("all_round");
  const auto phone_col = col("phone"), contact_col = col("contact");
  std::vector<std::pair<std::string, std::size_t>> attribute_cols;
  for (const auto& [name, c] : header.columns()) {
    if (std::find(kKnown.begin(), kKnown.end(), name) == kKnown.end()) attribute_cols.emplace_back(name, c);
  }

  auto names = [&](const Cell& cell, std::string_view noun, std::vector<std::string>& into) {
    const Value v = csv_value(index, cell);
    for (const auto& [at, name] : pieces(cell.text, ';')) add_name(v, at, name, noun, into, r);
  };
  auto filled = [&](const Row& row, std::optional<std::size_t> c) -> const Cell* {
    if (!c || trim(row.cells[*c].text).empty()) return nullptr;
    return &row.cells[*c];
  };

  Uniqueness unique("staff member");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const Row& row = rows[i];
    if (!header.fits(row, r)) continue;
    StaffMember m;
    const Cell& id = row.cells[id_col];
    if (id.text.empty()) {
      r.error(id.at, "id is empty; expected a staff id like w-zhang");
    } else if (check_staff_id(id.text, id.at, r)) {
      m.id = id.text;
      unique.add(id.text, id.at, r);
    }
    const Cell& name = row.cells[name_col];
    if (trim(name.text).empty()) r.error(name.at, "name is empty; expected the member's name");
    m.name = name.text;
    const std::size_t before_roles = r.size();
    names(row.cells[roles_col], "role", m.roles);
    const bool roles_reported = r.size() != before_roles;
    if (skills_col) names(row.cells[*skills_col], "skill", m.skills);
    if (auto kind = check_staff_kind(csv_value(index, row.cells[kind_col]), r)) m.kind = *kind;
    const Cell& home = row.cells[home_col];
    if (home.text.empty()) {
      r.error(home.at, "home is empty; expected a place path like xc/hl/qy/g03");
    } else if (auto path = check_place_path(home.text, home.at, r)) {
      m.home = *path;
    }
    if (const Cell* c = filled(row, zone_col)) {
      if (check_time_zone(trim(c->text), c->at, r)) m.time_zone = trim(c->text);
    } else {
      m.time_zone = zone.get(row.cells[id_col].at, r);
    }
    const Cell& shifts = row.cells[shifts_col];
    const Value shifts_value = csv_value(index, shifts);
    std::vector<ValueError> errors;
    m.shifts = parse_shift_list(shifts.text, errors);
    report(shifts_value, errors, r);
    bool duty_reported = !errors.empty();
    if (const Cell* c = filled(row, on_call_col)) {
      m.on_call_always = check_on_call(csv_value(index, *c), r);
      duty_reported = duty_reported || !m.on_call_always;
    }
    if (const Cell* c = filled(row, capacity_col)) {
      if (auto n = check_capacity(csv_value(index, *c), r)) m.capacity = *n;
    }
    if (const Cell* c = filled(row, all_round_col)) {
      if (auto b = check_bool(csv_value(index, *c), "all_round", r)) m.all_round = *b;
    }
    if (phone_col) m.phone = row.cells[*phone_col].text;
    if (contact_col) m.contact = row.cells[*contact_col].text;
    for (const auto& [attr, c] : attribute_cols) {
      if (!row.cells[c].text.empty()) m.attributes[attr] = row.cells[c].text;
    }
    check_member(m, roles_reported, duty_reported, row.cells[roles_col].at, shifts.at, r);
    out.push_back(std::move(m));
  }
  return out;
}

// ---- JSON storage -------------------------------------------------------------------------------

StatusOr<std::vector<std::string>> stored_names(const StoredReader& in, const json& j, const char* key,
                                                std::string_view noun) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end()) return out;
  if (!it->is_array())
    return in.corrupt(std::string("field \"") + key + "\" must be an array, found " + it->type_name());
  for (const auto& v : *it) {
    if (!v.is_string() || !is_valid_role_name(v.get<std::string>())) {
      return in.corrupt(std::string("a ") + std::string(noun) + " must be a name like fire_warden, found " + v.dump());
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

// "HH:MM" exactly, as the storage form writes it; 24:00 only for an end.
std::optional<int> stored_time_of_day(std::string_view text, bool is_end) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (std::size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (m > 59) return std::nullopt;
  if (h < 24) return h * 60 + m;
  if (is_end && h == 24 && m == 0) return Shift::kMinutesPerDay;
  return std::nullopt;
}

// A stored value for a message: compact JSON, cut short when long.
std::string found(const json& j) {
  constexpr std::size_t kMaxShown = 80;
  std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() <= kMaxShown) return s;
  std::size_t end = kMaxShown;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;  // not inside a UTF-8 character
  return s.substr(0, end) + "...";
}

StatusOr<Shift> shift_from_json_impl(std::string_view text) {
  auto corrupt = [](const std::string& what) { return Status::corruption(what); };
  const json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return corrupt("a shift is not valid JSON");
  if (!j.is_object()) {
    return corrupt(R"(a shift must be an object {"days": ["mon", ...], "start": "HH:MM", "end": "HH:MM"}, found )" +
                   found(j));
  }
  auto days = j.find("days");
  if (days == j.end()) return corrupt("a shift has no field \"days\"");
  if (!days->is_array() || days->empty()) {
    return corrupt("a shift's \"days\" must be a non-empty array of mon..sun, found " + found(*days));
  }
  Shift shift;
  for (const auto& d : *days) {
    auto it = d.is_string() ? std::find(kDayNames.begin(), kDayNames.end(), d.get_ref<const std::string&>())
                            : kDayNames.end();
    if (it == kDayNames.end()) return corrupt("a shift's day must be one of mon..sun, found " + found(d));
    const auto bit = static_cast<std::uint8_t>(1u << (it - kDayNames.begin()));
    if (shift.days & bit) return corrupt("a shift repeats the day " + found(d));
    shift.days = static_cast<std::uint8_t>(shift.days | bit);
  }
  for (const bool is_end : {false, true}) {
    const char* key = is_end ? "end" : "start";
    auto value = j.find(key);
    if (value == j.end()) return corrupt(std::string("a shift has no field \"") + key + "\"");
    auto minutes = value->is_string() ? stored_time_of_day(value->get_ref<const std::string&>(), is_end) : std::nullopt;
    if (!minutes) {
      return corrupt(std::string("a shift's \"") + key + "\" must be a time HH:MM from 00:00 to " +
                     (is_end ? "24:00" : "23:59") + ", found " + found(*value));
    }
    (is_end ? shift.end : shift.start) = *minutes;
  }
  if (shift.start == shift.end) {
    return corrupt("a shift starts and ends at " + time_text(shift.start) +
                   "; expected an end different from the start");
  }
  return shift;
}

StatusOr<StaffMember> staff_from_json_impl(std::string_view text) {
  StoredReader in("staff member");
  auto parsed = in.parse(text);
  if (!parsed) return parsed.status();
  const json& j = *parsed;
  StaffMember m;
  if (Status st = in.string_field(j, "id", true, m.id); !st) return st;
  if (!is_valid_sensor_id(m.id)) return in.corrupt("id " + quote(m.id) + " is not a valid staff id");
  if (Status st = in.string_field(j, "name", true, m.name); !st) return st;
  auto roles = stored_names(in, j, "roles", "role");
  if (!roles) return roles.status();
  m.roles = std::move(*roles);
  auto skills = stored_names(in, j, "skills", "skill");
  if (!skills) return skills.status();
  m.skills = std::move(*skills);
  std::string kind;
  if (Status st = in.string_field(j, "kind", true, kind); !st) return st;
  auto k = parse_staff_kind(kind);
  if (!k) return in.corrupt("kind " + quote(kind) + " is not known");
  m.kind = *k;
  std::string home;
  if (Status st = in.string_field(j, "home", true, home); !st) return st;
  auto path = PlacePath::parse(home);
  if (!path) return in.corrupt(path.status().message());
  m.home = *path;
  if (Status st = in.string_field(j, "time_zone", true, m.time_zone); !st) return st;
  if (auto z = find_time_zone(m.time_zone); !z.is_ok()) return in.corrupt(z.status().message());
  auto on_call = j.find("on_call_always");
  if (on_call == j.end() || !on_call->is_boolean()) return in.corrupt("field \"on_call_always\" must be true or false");
  m.on_call_always = on_call->get<bool>();
  auto shifts = j.find("shifts");
  if (shifts == j.end() || !shifts->is_array()) return in.corrupt("field \"shifts\" must be an array");
  for (const auto& s : *shifts) {
    auto shift = shift_from_json(s.dump(-1, ' ', false, json::error_handler_t::replace));
    if (!shift) return in.corrupt(shift.status().message());
    m.shifts.push_back(*shift);
  }
  if (m.shifts.empty() != m.on_call_always) {
    return in.corrupt("a staff member has either shifts or on_call_always, and not both");
  }
  auto capacity = j.find("capacity");
  if (capacity == j.end() || !capacity->is_number_integer() || capacity->get<long long>() < 1 ||
      capacity->get<long long>() > kMaxStaffCapacity) {
    return in.corrupt("field \"capacity\" must be a whole number from 1 to 99");
  }
  m.capacity = capacity->get<int>();
  auto all_round = j.find("all_round");
  if (all_round == j.end() || !all_round->is_boolean()) return in.corrupt("field \"all_round\" must be true or false");
  m.all_round = all_round->get<bool>();
  if (Status st = in.string_field(j, "phone", false, m.phone); !st) return st;
  if (Status st = in.string_field(j, "contact", false, m.contact); !st) return st;
  if (Status st = in.attributes(j, m.attributes); !st) return st;
  return m;
}

}  // namespace

// ---- Public functions ---------------------------------------------------------------------------

std::string_view staff_kind_name(StaffKind kind) { return kKindNames.at(static_cast<std::size_t>(kind)); }

std::optional<StaffKind> parse_staff_kind(std::string_view name) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (name == kKindNames[i]) return static_cast<StaffKind>(i);
  }
  return std::nullopt;
}

std::string staff_kind_names() {
  std::string out;
  for (auto k : kKindNames) out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}

std::string_view day_name(int day) { return kDayNames.at(static_cast<std::size_t>(day)); }

std::string format_shift(const Shift& shift) {
  std::string days;
  if (shift.days == kAllDays) {
    days = "daily";
  } else {
    for (int d = 0; d < 7;) {
      if (!(shift.days & (1u << d))) {
        ++d;
        continue;
      }
      int last = d;
      while (last + 1 < 7 && (shift.days & (1u << (last + 1)))) ++last;
      if (!days.empty()) days += ",";
      days += day_name(d);
      if (last > d) days += "-" + std::string(day_name(last));
      d = last + 1;
    }
  }
  return days + " " + time_text(shift.start) + "-" + time_text(shift.end);
}

std::string format_shifts(const std::vector<Shift>& shifts) {
  std::string out;
  for (const auto& s : shifts) out += (out.empty() ? "" : "; ") + format_shift(s);
  return out;
}

std::string shift_to_json(const Shift& shift) {
  ordered_json days = ordered_json::array();
  for (int d = 0; d < 7; ++d) {
    if (shift.days & (1u << d)) days.push_back(std::string(day_name(d)));
  }
  const ordered_json j = {{"days", days}, {"start", time_text(shift.start)}, {"end", time_text(shift.end)}};
  return dump(j);
}

StatusOr<Shift> shift_from_json(std::string_view json_text) {
  try {
    return shift_from_json_impl(json_text);
  } catch (const std::exception& e) {
    return Status::corruption(std::string("a shift could not be read: ") + e.what());
  }
}

bool is_valid_role_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

ImportResult<StaffMember> parse_staff(std::string_view text, std::string_view file_name,
                                      std::string_view default_time_zone) {
  DefaultZone zone(default_time_zone);
  return import <StaffMember>(
      text, file_name,
      [&](std::string_view t, const TextIndex& index, Reporter& r) { return staff_from_csv(t, index, r, zone); },
      [&](YamlFile& y, std::string_view t) { return staff_from_yaml(y, y.index(), t, zone); });
}

StatusOr<std::vector<Shift>> parse_shifts(std::string_view text) {
  std::vector<ValueError> errors;
  auto shifts = parse_shift_list(text, errors);
  if (!errors.empty()) {
    std::string message;
    for (const auto& e : errors) message += (message.empty() ? "" : "; ") + e.message;
    return Status::invalid_argument(message);
  }
  return shifts;
}

std::string to_json(const StaffMember& m) {
  ordered_json j;
  j["id"] = m.id;
  j["name"] = m.name;
  j["roles"] = m.roles;
  j["skills"] = m.skills;
  j["kind"] = std::string(staff_kind_name(m.kind));
  j["home"] = m.home.str();
  j["time_zone"] = m.time_zone;
  j["on_call_always"] = m.on_call_always;
  j["shifts"] = ordered_json::array();
  for (const auto& s : m.shifts) j["shifts"].push_back(ordered_json::parse(shift_to_json(s)));
  j["capacity"] = m.capacity;
  j["all_round"] = m.all_round;
  j["phone"] = m.phone;
  j["contact"] = m.contact;
  j["attributes"] = attributes_json(m.attributes);
  return dump(j);
}

StatusOr<StaffMember> staff_from_json(std::string_view json_text) {
  try {
    return staff_from_json_impl(json_text);
  } catch (const std::exception& e) {
    return Status::corruption(std::string("stored staff member: ") + e.what());
  }
}

bool on_duty(const StaffMember& member, Time t) {
  if (member.on_call_always) return true;
  auto zone = find_time_zone(member.time_zone);
  if (!zone.is_ok()) return false;
  const auto local = (*zone)->to_local(std::chrono::floor<std::chrono::seconds>(t));
  const auto day = std::chrono::floor<date::days>(local);
  const int today = static_cast<int>(date::weekday(day).iso_encoding()) - 1;  // 0: Monday
  const int yesterday = (today + 6) % 7;
  const auto second = (local - day).count();  // of the local day (wall clock)
  for (const auto& s : member.shifts) {
    const long long start = s.start * 60LL, end = s.end * 60LL;
    if (!s.wraps()) {
      if ((s.days & (1u << today)) && second >= start && second < end) return true;
    } else {
      if ((s.days & (1u << today)) && second >= start) return true;   // tonight's part
      if ((s.days & (1u << yesterday)) && second < end) return true;  // the part after midnight
    }
  }
  return false;
}

void StaffRegistry::upsert(StaffMember member) {
  std::string key = member.id;
  members_.insert_or_assign(std::move(key), std::move(member));
}

void StaffRegistry::erase(std::string_view id) {
  if (auto it = members_.find(id); it != members_.end()) members_.erase(it);
}

const StaffMember* StaffRegistry::find(std::string_view id) const {
  auto it = members_.find(id);
  return it == members_.end() ? nullptr : &it->second;
}

std::vector<const StaffMember*> StaffRegistry::all() const {
  std::vector<const StaffMember*> out;
  out.reserve(members_.size());
  for (const auto& [id, m] : members_) out.push_back(&m);
  return out;
}

}  // namespace lookout::sensors
