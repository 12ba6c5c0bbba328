// Silences: the create request, the storage form, the API rendering and matching.
// The model and its safety rules are described in lookout/engine/silence.h.
#include "lookout/engine/silence.h"

// date.h's parser trips GCC 12's -Wmaybe-uninitialized inside the library itself.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <date/tz.h>
#pragma GCC diagnostic pop

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>

#include "lookout/base/time_format.h"
#include "lookout/sensors/registry.h"

namespace lookout::engine {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using sensors::Shift;

constexpr std::array<std::string_view, 10> kRequestKeys = {"place", "sensor", "plan",      "hazard", "starts",
                                                           "ends",  "every",  "time_zone", "by",     "comment"};
const char* const kRequestKeyList = "place, sensor, plan, hazard, starts, ends, every, time_zone, by, comment";

const char* const kPlaceExpected = "expected a place pattern such as xc/hl/qy/g03/b12 or xc/hl/qy/**";
const char* const kSensorExpected = "expected a sensor id, 1 to 64 of A-Z a-z 0-9 _ . -";
const char* const kPlanExpected = "expected a plan id, a lowercase letter or digit then up to 63 of a-z 0-9 _ -";
const char* const kHazardExpected =
    "expected a hazard name as plans list them (e.g. fire, flood), a lowercase letter then up to 63 of a-z 0-9 _";
const char* const kTimeExpected = "expected ISO 8601 with an offset, e.g. 2026-11-24T09:00:00+08:00";
const char* const kEveryExpected = "expected weekly shifts such as \"tue 09:00-11:00; sat 09:00-12:00\"";
const char* const kZoneExpected = "expected an IANA time zone name such as Asia/Shanghai or UTC";
const char* const kByExpected = "expected who makes the silence, e.g. a user name";
const char* const kCommentExpected = "expected free text saying why the alerts are silenced";

// Epoch milliseconds a Time can hold (nanosecond ticks in 64 bits reach the year 2262).
constexpr std::int64_t kMaxEpochMs = 9'000'000'000'000;

std::string dump(const ordered_json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::int64_t to_ms(Time t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
Time from_ms(std::int64_t ms) { return Time(std::chrono::duration_cast<Duration>(std::chrono::milliseconds(ms))); }
// Times are kept to the millisecond so that the storage form reads back exactly.
Time to_whole_ms(Time t) { return from_ms(to_ms(t)); }

// A value as a JSON string, escaped and cut short when long: messages quote what they got,
// and what they got may be anything a client sent.
std::string quote(std::string_view value) {
  constexpr std::size_t kMaxQuoted = 80;
  std::string s(value);
  bool cut = false;
  if (s.size() > kMaxQuoted) {
    std::size_t end = kMaxQuoted;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;  // not inside a UTF-8 character
    s.resize(end);
    cut = true;
  }
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace) + (cut ? "..." : "");
}

// `t` as CAP writes it in `zone`; in UTC when there is no zone (format_cap_time needs one).
std::string format_time(Time t, const date::time_zone* zone) {
  if (zone != nullptr) return format_cap_time(t, zone);
  return date::format("%Y-%m-%dT%H:%M:%S", std::chrono::floor<std::chrono::seconds>(t)) + "-00:00";
}

const date::time_zone* zone_or_null(std::string_view name) {
  auto zone = find_time_zone(name);
  return zone.is_ok() ? *zone : nullptr;
}

bool is_plan_id(std::string_view id) {
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (id.empty() || id.size() > 64 || !lower_or_digit(id[0])) return false;
  return std::all_of(id.begin() + 1, id.end(), [&](char c) { return lower_or_digit(c) || c == '_' || c == '-'; });
}

bool is_hazard_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

bool has_control_character(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

// ---- The rules every silence keeps ---------------------------------------------------------
// Checked on a request and again on a stored record, so that a damaged record cannot turn
// into a silence the API would have refused. Messages name the key and what was expected.

Status check_matchers(const Silence& s) {
  if (!s.place.empty()) {
    auto pattern = PlacePattern::parse(s.place);
    if (!pattern.is_ok()) {
      return Status::invalid_argument("place: " + quote(s.place) + " is not a place pattern (" +
                                      pattern.status().message() + "); " + kPlaceExpected);
    }
  }
  if (!s.sensor.empty() && !sensors::is_valid_sensor_id(s.sensor)) {
    return Status::invalid_argument("sensor: " + quote(s.sensor) + " is not a sensor id; " + kSensorExpected);
  }
  if (!s.plan.empty() && !is_plan_id(s.plan)) {
    return Status::invalid_argument("plan: " + quote(s.plan) + " is not a plan id; " + kPlanExpected);
  }
  if (!s.hazard.empty() && !is_hazard_name(s.hazard)) {
    return Status::invalid_argument("hazard: " + quote(s.hazard) + " is not a hazard name; " + kHazardExpected);
  }
  if (s.place.empty() && s.sensor.empty() && s.plan.empty() && s.hazard.empty()) {
    return Status::invalid_argument(
        "no matcher: expected at least one of place, sensor, plan, hazard (a silence says which alerts it holds "
        "back; one that matched everything would hide every emergency)");
  }
  return Status::ok();
}

Status check_zone(std::string_view name) {
  auto zone = find_time_zone(name);
  if (!zone.is_ok()) return Status::invalid_argument("time_zone: " + zone.status().message());
  return Status::ok();
}

Status check_window(const Silence& s) {
  if (!s.ends && s.every.empty()) {
    return Status::invalid_argument(
        "ends, every: neither given; expected ends (a time) or every (weekly shifts): a silence that never ends "
        "would hide real emergencies forever");
  }
  if (s.ends && *s.ends <= s.starts) {
    const auto* zone = zone_or_null(s.time_zone);
    return Status::invalid_argument("ends: " + format_time(*s.ends, zone) + " is not after starts " +
                                    format_time(s.starts, zone) + "; expected an end later than the start");
  }
  return Status::ok();
}

Status check_author(std::string_view by) {
  if (std::all_of(by.begin(), by.end(), [](char c) { return c == ' ' || c == '\t'; })) {
    return Status::invalid_argument("by: empty; " + std::string(kByExpected));
  }
  if (by.size() > kMaxSilenceAuthorBytes) {
    return Status::invalid_argument("by: " + std::to_string(by.size()) + " bytes; " + kByExpected + ", at most " +
                                    std::to_string(kMaxSilenceAuthorBytes) + " bytes");
  }
  if (has_control_character(by)) {
    return Status::invalid_argument("by: " + quote(by) + " has control characters; " + kByExpected + " on one line");
  }
  return Status::ok();
}

Status check_comment(std::string_view comment) {
  if (comment.size() > kMaxSilenceCommentBytes) {
    return Status::invalid_argument("comment: " + std::to_string(comment.size()) + " bytes; " + kCommentExpected +
                                    ", at most " + std::to_string(kMaxSilenceCommentBytes) + " bytes");
  }
  return Status::ok();
}

Status check_shifts(const std::vector<Shift>& shifts) {
  for (const auto& shift : shifts) {
    const bool days_ok = shift.days != 0 && shift.days < (1u << 7);
    const bool times_ok = shift.start >= 0 && shift.start < Shift::kMinutesPerDay && shift.end >= 0 &&
                          shift.end <= Shift::kMinutesPerDay && shift.start != shift.end;
    if (!days_ok || !times_ok) return Status::invalid_argument("every: a shift with no days or bad times");
  }
  return Status::ok();
}

Status check_silence(const Silence& s) {
  for (const Status& st : {check_matchers(s), check_zone(s.time_zone), check_shifts(s.every), check_window(s),
                           check_author(s.created_by), check_comment(s.comment)}) {
    if (!st.is_ok()) return st;
  }
  return Status::ok();
}

// ---- The create request ----------------------------------------------------------------------

// The string under `key` when given. Anything but a string is refused, and so is an empty
// string unless `allow_empty`: "place": "" is more likely a client bug than a wish to match
// any place, and leaving the key out says that plainly.
StatusOr<std::optional<std::string>> string_key(const json& j, const char* key, std::string_view expected,
                                                bool allow_empty = false) {
  auto it = j.find(key);
  if (it == j.end()) return std::optional<std::string>();
  if (!it->is_string()) {
    return Status::invalid_argument(std::string(key) + ": a JSON " + it->type_name() + ", not a string; " +
                                    std::string(expected));
  }
  std::string value = it->get<std::string>();
  if (value.empty() && !allow_empty) {
    return Status::invalid_argument(std::string(key) + ": empty; " + std::string(expected) +
                                    ", or leave the key out");
  }
  return std::optional<std::string>(std::move(value));
}

StatusOr<std::optional<Time>> time_key(const json& j, const char* key) {
  auto text = string_key(j, key, kTimeExpected);
  if (!text.is_ok()) return text.status();
  if (!*text) return std::optional<Time>();
  auto t = parse_iso8601(**text);
  if (!t.is_ok()) return Status::invalid_argument(std::string(key) + ": " + t.status().message());
  return std::optional<Time>(to_whole_ms(*t));
}

StatusOr<Silence> parse_request(std::string_view text, Time now, std::string_view default_zone_name) {
  // nlohmann keeps the last of repeated keys without a word; a request with two `ends` is
  // refused instead of guessing which one was meant.
  std::set<std::string, std::less<>> seen;
  std::string repeated;
  json::parser_callback_t note_keys = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key && depth == 1 && parsed.is_string()) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!seen.insert(key).second && repeated.empty()) repeated = key;
    }
    return true;
  };
  json j;
  try {
    j = json::parse(text.begin(), text.end(), note_keys);
  } catch (const json::exception& e) {
    return Status::invalid_argument(std::string("the request is not JSON (") + e.what() +
                                    "); expected an object with keys " + kRequestKeyList);
  }
  if (!j.is_object()) {
    return Status::invalid_argument(std::string("the request is a JSON ") + j.type_name() +
                                    "; expected an object with keys " + kRequestKeyList);
  }
  if (!repeated.empty()) return Status::invalid_argument(repeated + ": given twice; expected each key once");
  for (const auto& item : j.items()) {
    if (std::find(kRequestKeys.begin(), kRequestKeys.end(), item.key()) == kRequestKeys.end()) {
      return Status::invalid_argument("unknown key " + quote(item.key()) + "; expected " + kRequestKeyList);
    }
  }

  Silence s;
  s.created_at = to_whole_ms(now);
  s.starts = s.created_at;

  struct Matcher {
    const char* key;
    const char* expected;
    std::string* field;
  };
  for (const Matcher& m : {Matcher{"place", kPlaceExpected, &s.place}, Matcher{"sensor", kSensorExpected, &s.sensor},
                           Matcher{"plan", kPlanExpected, &s.plan}, Matcher{"hazard", kHazardExpected, &s.hazard}}) {
    auto value = string_key(j, m.key, m.expected);
    if (!value.is_ok()) return value.status();
    if (*value) *m.field = std::move(**value);
  }

  auto starts = time_key(j, "starts");
  if (!starts.is_ok()) return starts.status();
  if (*starts) s.starts = **starts;
  auto ends = time_key(j, "ends");
  if (!ends.is_ok()) return ends.status();
  s.ends = *ends;

  auto every = string_key(j, "every", kEveryExpected);
  if (!every.is_ok()) return every.status();
  if (*every) {
    auto shifts = sensors::parse_shifts(**every);
    if (!shifts.is_ok()) return Status::invalid_argument("every: " + shifts.status().message());
    if (shifts->empty()) {
      return Status::invalid_argument("every: no shifts in " + quote(**every) + "; " + kEveryExpected);
    }
    s.every = std::move(*shifts);
  }

  auto zone = string_key(j, "time_zone", kZoneExpected);
  if (!zone.is_ok()) return zone.status();
  s.time_zone = *zone ? **zone : std::string(default_zone_name);

  auto by = string_key(j, "by", kByExpected);
  if (!by.is_ok()) return by.status();
  if (!*by) return Status::invalid_argument("by: missing; " + std::string(kByExpected));
  s.created_by = std::move(**by);

  auto comment = string_key(j, "comment", kCommentExpected, /*allow_empty=*/true);
  if (!comment.is_ok()) return comment.status();
  if (*comment) s.comment = std::move(**comment);

  // A silence over before it is made is a mistake (a wrong date or offset), not something to
  // store. Checked first: with starts defaulting to now, "already past" is the message that
  // explains it, rather than "not after starts".
  if (s.ends && *s.ends <= s.created_at) {
    const auto* zone_ptr = zone_or_null(s.time_zone);
    return Status::invalid_argument("ends: " + format_time(*s.ends, zone_ptr) + " is already past (now " +
                                    format_time(s.created_at, zone_ptr) + "); expected a time in the future");
  }
  if (Status st = check_silence(s); !st.is_ok()) return st;
  return s;
}

// ---- The storage form -------------------------------------------------------------------------

Status corrupt(std::string what) { return Status::corruption("stored silence: " + what); }

StatusOr<Silence> from_store(std::string_view text) {
  const json j = json::parse(text);
  if (!j.is_object()) return corrupt("not a JSON object");
  Silence s;
  auto read_string = [&](const char* key, std::string& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return corrupt("field \"" + std::string(key) + "\" must be a string");
    out = it->get<std::string>();
    return Status::ok();
  };
  auto read_time = [&](const char* key, Time& out) {
    auto it = j.find(key);
    const bool in_range =
        it != j.end() && it->is_number_integer() &&
        (it->is_number_unsigned() ? it->get<std::uint64_t>() <= static_cast<std::uint64_t>(kMaxEpochMs)
                                  : it->get<std::int64_t>() >= -kMaxEpochMs && it->get<std::int64_t>() <= kMaxEpochMs);
    if (!in_range) return corrupt("field \"" + std::string(key) + "\" must be epoch milliseconds");
    out = from_ms(it->get<std::int64_t>());
    return Status::ok();
  };
  for (const Status& st : {read_string("id", s.id), read_string("place", s.place), read_string("sensor", s.sensor),
                           read_string("plan", s.plan), read_string("hazard", s.hazard),
                           read_time("starts_ms", s.starts), read_string("time_zone", s.time_zone),
                           read_string("created_by", s.created_by), read_string("comment", s.comment),
                           read_time("created_ms", s.created_at)}) {
    if (!st.is_ok()) return st;
  }
  if (s.id.empty()) return corrupt("field \"id\" is empty");
  auto ends = j.find("ends_ms");
  if (ends == j.end()) return corrupt("field \"ends_ms\" is missing (null when the silence only recurs)");
  if (!ends->is_null()) {
    Time t;
    if (Status st = read_time("ends_ms", t); !st.is_ok()) return st;
    s.ends = t;
  }
  auto every = j.find("every");
  if (every == j.end() || !every->is_array()) return corrupt("field \"every\" must be an array of shifts");
  for (const auto& item : *every) {
    auto shift = sensors::shift_from_json(item.dump(-1, ' ', false, json::error_handler_t::replace));
    if (!shift.is_ok()) return corrupt("field \"every\": " + shift.status().message());
    s.every.push_back(*shift);
  }
  if (Status st = check_silence(s); !st.is_ok()) return corrupt(s.id + ": " + st.message());
  return s;
}

const char* state_at(const Silence& s, Time now) {
  if (s.ends && now >= *s.ends) return "expired";
  if (now < s.starts) return "pending";
  return silence_in_effect(s, now) ? "active" : "waiting";
}

}  // namespace

// ---- Public functions ---------------------------------------------------------------------------

StatusOr<Silence> parse_silence_request(std::string_view json_text, Time now, std::string_view default_zone_name) {
  try {
    return parse_request(json_text, now, default_zone_name);
  } catch (const std::exception& e) {
    // Every expected problem is reported above; this is a library surprise.
    return Status::invalid_argument(std::string("the request could not be read: ") + e.what());
  }
}

std::string to_json(const Silence& s) {
  ordered_json j;
  j["id"] = s.id;
  j["place"] = s.place;
  j["sensor"] = s.sensor;
  j["plan"] = s.plan;
  j["hazard"] = s.hazard;
  j["starts_ms"] = to_ms(s.starts);
  j["ends_ms"] = s.ends ? ordered_json(to_ms(*s.ends)) : ordered_json(nullptr);
  j["every"] = ordered_json::array();
  for (const auto& shift : s.every) j["every"].push_back(ordered_json::parse(sensors::shift_to_json(shift)));
  j["time_zone"] = s.time_zone;
  j["created_by"] = s.created_by;
  j["comment"] = s.comment;
  j["created_ms"] = to_ms(s.created_at);
  return dump(j);
}

StatusOr<Silence> silence_from_json(std::string_view text) {
  try {
    return from_store(text);
  } catch (const std::exception& e) {
    return corrupt(e.what());
  }
}

std::string to_api_json(const Silence& s, Time now, const date::time_zone* zone) {
  auto or_null = [](const std::string& v) { return v.empty() ? ordered_json(nullptr) : ordered_json(v); };
  ordered_json j;
  j["id"] = s.id;
  j["place"] = or_null(s.place);
  j["sensor"] = or_null(s.sensor);
  j["plan"] = or_null(s.plan);
  j["hazard"] = or_null(s.hazard);
  j["starts"] = format_time(s.starts, zone);
  j["ends"] = s.ends ? ordered_json(format_time(*s.ends, zone)) : ordered_json(nullptr);
  j["every"] = s.every.empty() ? ordered_json(nullptr) : ordered_json(sensors::format_shifts(s.every));
  j["time_zone"] = s.time_zone;
  j["created_by"] = s.created_by;
  j["comment"] = s.comment;
  j["created"] = format_time(s.created_at, zone);
  j["state"] = state_at(s, now);
  return dump(j);
}

bool silence_in_effect(const Silence& s, Time t) {
  if (t < s.starts) return false;
  if (s.ends && t >= *s.ends) return false;
  if (s.every.empty()) return true;
  // The same reading of weekly shifts as the staff roster's, so that "tue 09:00-11:00"
  // means one thing throughout the engine (local wall clock, overnight shifts included).
  sensors::StaffMember shifts_holder;
  shifts_holder.time_zone = s.time_zone;
  shifts_holder.shifts = s.every;
  return sensors::on_duty(shifts_holder, t);
}

bool silence_matches(const Silence& s, const SilenceTarget& target) {
  if (s.place.empty() && s.sensor.empty() && s.plan.empty() && s.hazard.empty()) return false;
  if (!s.place.empty()) {
    auto pattern = PlacePattern::parse(s.place);
    if (!pattern.is_ok() || !pattern->matches(target.place)) return false;
  }
  if (!s.sensor.empty() && s.sensor != target.sensor) return false;
  if (!s.plan.empty() && s.plan != target.plan) return false;
  if (!s.hazard.empty() &&
      std::find(target.hazards.begin(), target.hazards.end(), s.hazard) == target.hazards.end()) {
    return false;
  }
  return true;
}

std::string describe(const Silence& s, const date::time_zone* zone) {
  std::vector<std::string> parts;
  if (!s.place.empty()) parts.push_back("place " + s.place);
  if (!s.sensor.empty()) parts.push_back("sensor " + s.sensor);
  if (!s.plan.empty()) parts.push_back("plan " + s.plan);
  if (!s.hazard.empty()) parts.push_back("hazard " + s.hazard);
  if (!s.every.empty()) parts.push_back("every " + sensors::format_shifts(s.every) + " " + s.time_zone);
  // The start is worth saying only when it is not simply "from when it was made".
  if (s.starts != s.created_at) parts.push_back("from " + format_time(s.starts, zone));
  if (s.ends) parts.push_back("until " + format_time(*s.ends, zone));
  parts.push_back("by " + s.created_by + (s.comment.empty() ? "" : ": " + s.comment));
  std::string out = s.id.empty() ? "silence" : s.id;
  out += " (";
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out + ")";
}

}  // namespace lookout::engine
