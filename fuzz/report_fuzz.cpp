// Fuzz target: the incident report decoder (sensors/report.h), as it gets what hotlines,
// apps and gateways publish on lookout/v1/reports. Any input must give a report or a
// rejection, never a crash, and an accepted report must keep the promises of
// decode_report().
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "lookout/base/time_format.h"
#include "lookout/sensors/registry.h"
#include "lookout/sensors/report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lookout;
  static const Time kNow = parse_iso8601("2026-11-21T13:00:00Z").value();  // as report_test.cpp
  const sensors::ReportLimits limits;
  const auto result = sensors::decode_report(fuzz::as_text(data, size), kNow, limits);
  fuzz::check(!result.id.empty() || !result.ok(), "an accepted report has an id");
  fuzz::check(result.id.empty() || sensors::is_valid_sensor_id(result.id), "the id follows its rule", result.id);
  if (!result.ok()) {
    fuzz::check(result.status.code() == Status::Code::kInvalidArgument, "a rejection is kInvalidArgument",
                result.status.to_string());
    fuzz::check(!result.status.message().empty(), "a rejection says why");
    return 0;
  }
  const auto& r = *result.report;
  fuzz::check(result.status.is_ok(), "an accepted report has an OK status");
  fuzz::check(r.id == result.id, "the result's id is the report's");
  fuzz::check(sensors::is_valid_report_category(r.category), "the category follows its rule", r.category);
  fuzz::check(sensors::is_valid_report_source(r.source), "the source is one of the list", r.source);
  fuzz::check(!r.place.is_root(), "the place is never the root");
  fuzz::check(r.reporter.size() <= limits.max_reporter_bytes, "reporter within its limit");
  fuzz::check(r.description.size() <= limits.max_description_bytes, "description within its limit");
  fuzz::check(r.time_given || r.time == kNow, "no time given: now");
  fuzz::check(r.time >= kNow - limits.max_past && r.time <= kNow + limits.max_future, "time within the limits");
  return 0;
}
