// Incident reports (shared/contract.md, "Incident report"), as hotlines, resident
// apps, grid workers and gateways publish them on lookout/v1/reports:
//
//   {"id": "r-7781", "category": "fire", "place": "xc/hl/qy/g03/b12",
//    "source": "hotline", "reporter": "free text", "description": "free text",
//    "time": "2026-11-21T21:04:05+08:00"}
//
// The decoder checks every field and says which one is wrong and what was expected.
// It is pure: the engine decides what a decoded report does (docs/reports.md).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "lookout/base/clock.h"
#include "lookout/base/place.h"
#include "lookout/base/status.h"

namespace lookout::sensors {

// Limits on what comes from outside; anything beyond is rejected, not truncated.
struct ReportLimits {
  std::size_t max_reporter_bytes = 256;
  std::size_t max_description_bytes = 4096;
  Duration max_future = std::chrono::minutes(5);     // a time later than now + this: rejected
  Duration max_past = std::chrono::hours(24 * 30);   // a time earlier than now - this: rejected
};

struct Report {
  std::string id;           // chosen by the sender: [A-Za-z0-9_.-]{1,64}
  std::string category;     // [a-z][a-z0-9_]{0,63}, e.g. fire, gas_smell, thrown_object
  PlacePath place;          // never the root
  std::string source;       // hotline | resident | grid_worker | app | sensor_gateway
  std::string reporter;     // free text, may be empty
  std::string description;  // free text, may be empty
  Time time;                // when it happened, as sent; `now` when not sent
  bool time_given = false;  // false: the payload had no "time"
};

struct ReportDecodeResult {
  std::optional<Report> report;  // set when the payload is a valid report
  // The report's id whenever the payload had a valid one, also when another field is
  // wrong (so a "rejected" receipt can be sent to receipts/<id>); empty otherwise.
  std::string id;
  // OK with `report`, else kInvalidArgument naming the field and what was expected,
  // e.g. "field \"source\" must be one of hotline, resident, ..., found \"phone\"".
  Status status;
  bool ok() const { return report.has_value(); }
};

// True for a category as reports and plans write it: [a-z][a-z0-9_]{0,63}.
bool is_valid_report_category(std::string_view category);
// True for one of the sources the contract lists.
bool is_valid_report_source(std::string_view source);

// Decodes `json`, received at `now`. Rejected when: not UTF-8 JSON; not a JSON object;
// a field appears twice; `id`, `category`, `place` or `source` is missing; a known
// field has the wrong type (every field is a JSON string; null is not accepted: leave
// an optional field out instead); `id`, `category`, `place` or `source` breaks its
// rule above; `reporter` or `description` is longer than its limit; `time` is not
// ISO 8601 with an offset ("Z" included) or is more than `limits.max_future` after or
// `limits.max_past` before `now`. Unknown fields are ignored, so senders may add
// fields before the engine knows them (forward compatible).
ReportDecodeResult decode_report(std::string_view json, Time now, const ReportLimits& limits = {});

}  // namespace lookout::sensors
