// Incident report decoding (shared/contract.md, "Incident report").
#include "lookout/sensors/report.h"

#include <array>
#include <chrono>
#include <exception>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "lookout/base/time_format.h"
#include "lookout/sensors/registry.h"
#include "json_util.h"
#include "text_util.h"

namespace lookout::sensors {

namespace {

using internal::describe;
using internal::quote;
using nlohmann::json;

constexpr std::array<std::string_view, 5> kSources = {"hotline", "resident", "grid_worker", "app", "sensor_gateway"};

// Years a report time may name at all. The window of max_past/max_future is checked
// afterwards; this bound only keeps the conversion to Time (int64 nanoseconds, years
// 1678 to 2262) from overflowing on "9999-01-01T00:00:00Z".
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2200;

Status field_error(std::string_view field, const std::string& what) {
  return Status::invalid_argument("field \"" + std::string(field) + "\" " + what);
}

std::string sources_text() {
  std::string out;
  for (auto s : kSources) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

// nlohmann's what() starts with "[json.exception.parse_error.101] "; drop that.
std::string parse_error_text(const std::exception& e) {
  std::string text = e.what();
  if (!text.empty() && text[0] == '[') {
    if (auto close = text.find("] "); close != std::string::npos) text.erase(0, close + 2);
  }
  return text;
}

// The first key that appears twice in the top-level object, found while parsing (the
// parsed document keeps only one of them; a report whose "place" could be either of
// two values must not be guessed at).
class DuplicateKeyFinder {
 public:
  bool on_event(int depth, json::parse_event_t event, const json& parsed) {
    if (event == json::parse_event_t::key && depth == 1 && !duplicate_ && parsed.is_string()) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!seen_.insert(key).second) duplicate_ = key;
    }
    return true;  // keep everything
  }
  const std::optional<std::string>& duplicate() const { return duplicate_; }

 private:
  std::set<std::string> seen_;
  std::optional<std::string> duplicate_;
};

// The string value of `field` in `doc`: nullopt (with `error` unset) when absent,
// nullopt with `error` set when present but not a string.
std::optional<std::string> string_field(const json& doc, std::string_view field, Status& error) {
  auto it = doc.find(field);
  if (it == doc.end()) return std::nullopt;
  if (!it->is_string()) {
    error = field_error(field, "must be a string, found " + describe(*it) +
                                   (it->is_null() ? "; leave the field out when there is nothing to send" : ""));
    return std::nullopt;
  }
  return it->get<std::string>();
}

// A required string field: missing is an error that says what was expected.
std::optional<std::string> required_field(const json& doc, std::string_view field, std::string_view example,
                                          Status& error) {
  auto value = string_field(doc, field, error);
  if (!value && error.is_ok()) error = field_error(field, "is missing; expected " + std::string(example));
  return value;
}

// An optional free-text field within `max_bytes`.
Status free_text(const json& doc, std::string_view field, std::size_t max_bytes, std::string& out) {
  Status error;
  auto value = string_field(doc, field, error);
  if (!error) return error;
  if (!value) return Status::ok();
  if (value->size() > max_bytes) {
    return field_error(field, "is " + std::to_string(value->size()) + " bytes long; at most " +
                                  std::to_string(max_bytes) + " are accepted");
  }
  // The JSON parser has checked UTF-8 already; this keeps the guarantee local.
  if (auto bad = internal::find_invalid_utf8(*value); bad != internal::kNoPosition) {
    return field_error(field, "is not valid UTF-8 (at byte " + std::to_string(bad + 1) + ")");
  }
  out = std::move(*value);
  return Status::ok();
}

// The year of an ISO 8601 date ("2026-..."), or -1 when the text does not start with
// four digits and a '-'.
int leading_year(std::string_view text) {
  if (text.size() < 5 || text[4] != '-') return -1;
  int year = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    year = year * 10 + (text[i] - '0');
  }
  return year;
}

std::string seconds_text(Duration d) {
  return internal::format_number(std::chrono::duration<double>(d).count()) + " s";
}

Status decode_time(const json& doc, Time now, const ReportLimits& limits, Report& report) {
  Status error;
  auto text = string_field(doc, "time", error);
  if (!error) return error;
  if (!text) {
    report.time = now;
    report.time_given = false;
    return Status::ok();
  }
  const std::string expected = "; expected ISO 8601 with an offset, e.g. 2026-11-21T21:04:05+08:00";
  int year = leading_year(*text);
  if (year < 0) return field_error("time", quote(*text) + " is not a time" + expected);
  if (year < kMinYear || year > kMaxYear) {
    return field_error("time", quote(*text) + " is in the year " + std::to_string(year) + "; expected a recent time");
  }
  auto parsed = parse_iso8601(*text);
  if (!parsed.is_ok()) return field_error("time", quote(*text) + " is not a time" + expected);
  const Time t = *parsed;
  if (t > now + limits.max_future) {
    return field_error("time", quote(*text) + " is " + seconds_text(t - now) + " after now; at most " +
                                   seconds_text(limits.max_future) + " after now is accepted");
  }
  if (t < now - limits.max_past) {
    return field_error("time", quote(*text) + " is " + seconds_text(now - t) + " before now; at most " +
                                   seconds_text(limits.max_past) + " before now is accepted");
  }
  report.time = t;
  report.time_given = true;
  return Status::ok();
}

ReportDecodeResult decode(std::string_view payload, Time now, const ReportLimits& limits) {
  ReportDecodeResult result;
  auto fail = [&result](Status s) {
    result.status = std::move(s);
    return std::move(result);
  };

  json doc;
  DuplicateKeyFinder duplicates;
  try {
    doc =
        json::parse(payload.begin(), payload.end(), [&duplicates](int depth, json::parse_event_t event, json& parsed) {
          return duplicates.on_event(depth, event, parsed);
        });
  } catch (const json::exception& e) {
    // Also covers ill-formed UTF-8 in strings and numbers too large for a double.
    return fail(Status::invalid_argument("the payload is not valid UTF-8 JSON: " + parse_error_text(e)));
  }
  if (!doc.is_object()) {
    return fail(Status::invalid_argument("expected a report (a JSON object), found " + describe(doc)));
  }
  // A duplicated "id" leaves no id to answer to; any other duplicate still has one.
  if (duplicates.duplicate() && *duplicates.duplicate() == "id") {
    return fail(field_error("id", "appears more than once; expected it once"));
  }

  Status error;
  auto id = required_field(doc, "id", "the report's id, [A-Za-z0-9_.-]{1,64}, e.g. \"r-7781\"", error);
  if (!error) return fail(error);
  if (!is_valid_sensor_id(*id)) {
    return fail(field_error("id", quote(*id) + " is not 1 to 64 of A-Z a-z 0-9 '_' '.' '-'"));
  }
  result.id = *id;
  if (duplicates.duplicate()) {
    return fail(field_error(*duplicates.duplicate(), "appears more than once; expected it at most once"));
  }

  Report report;
  report.id = *id;

  auto category = required_field(doc, "category", "a category like \"fire\"", error);
  if (!error) return fail(error);
  if (!is_valid_report_category(*category)) {
    return fail(field_error("category", quote(*category) +
                                            " is not a category; expected a lower-case letter, then up to 63 of "
                                            "a-z, 0-9 or '_', e.g. \"fire\" or \"gas_smell\""));
  }
  report.category = std::move(*category);

  auto place = required_field(doc, "place", "a place path like \"xc/hl/qy/g03/b12\"", error);
  if (!error) return fail(error);
  // Checked first so that the message quoting it stays short.
  constexpr std::size_t kMaxPlaceBytes = PlacePath::kMaxDepth * (PlacePath::kMaxSegmentLength + 1) - 1;
  if (place->size() > kMaxPlaceBytes) {
    return fail(field_error("place", quote(*place) + " is " + std::to_string(place->size()) +
                                         " bytes long; a place path has at most 5 segments of 32"));
  }
  auto path = PlacePath::parse(*place);
  if (!path.is_ok()) return fail(field_error("place", "is not a place: " + path.status().message()));
  report.place = std::move(*path);

  auto source = required_field(doc, "source", "one of " + sources_text(), error);
  if (!error) return fail(error);
  if (!is_valid_report_source(*source)) {
    return fail(field_error("source", "must be one of " + sources_text() + ", found " + quote(*source)));
  }
  report.source = std::move(*source);

  if (auto s = free_text(doc, "reporter", limits.max_reporter_bytes, report.reporter); !s) return fail(s);
  if (auto s = free_text(doc, "description", limits.max_description_bytes, report.description); !s) return fail(s);
  if (auto s = decode_time(doc, now, limits, report); !s) return fail(s);
  // Any other field is ignored: senders may add fields before the engine reads them.

  result.report = std::move(report);
  return result;
}

}  // namespace

bool is_valid_report_category(std::string_view category) {
  if (category.empty() || category.size() > 64) return false;
  if (category[0] < 'a' || category[0] > 'z') return false;
  for (char c : category) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool is_valid_report_source(std::string_view source) {
  for (auto s : kSources) {
    if (s == source) return true;
  }
  return false;
}

ReportDecodeResult decode_report(std::string_view json, Time now, const ReportLimits& limits) {
  try {
    return decode(json, now, limits);
  } catch (const std::exception& e) {
    // Not expected (types are checked before every access); never let it escape.
    ReportDecodeResult result;
    result.status = Status::internal(std::string("decoding a report: ") + e.what());
    return result;
  }
}

}  // namespace lookout::sensors
