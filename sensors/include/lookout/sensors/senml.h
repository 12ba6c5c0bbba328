// SenML (RFC 8428) JSON decoding with base-field resolution.
//
// Input: one SenML pack (a JSON array of records) or one record (a JSON object), as
// sensors publish on lookout/v1/sensors/<sensor_id>. Output: resolved records, each
// self-contained (RFC 8428 section 4.6): base name prepended, base time added, base
// unit applied, base value / base sum added, relative times turned absolute.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lookout/base/clock.h"
#include "lookout/base/status.h"

namespace lookout::sensors {

// Limits on what comes from outside; anything beyond is rejected, not truncated.
struct SenmlLimits {
  std::size_t max_payload_bytes = 64 * 1024;
  std::size_t max_records = 1000;
  std::size_t max_string_bytes = 1024;     // names, units, string and data values
  Duration max_future = std::chrono::minutes(5);   // reading time later than now + this: rejected
  Duration max_past = std::chrono::hours(24 * 7);  // reading time earlier than now - this: rejected
};

struct SenmlRecord {
  std::string name;        // resolved name: bn + n (RFC 8428 4.5.1 characters, non-empty)
  std::string local_name;  // n as written in the record (may be empty when bn alone names it)
  std::optional<double> value;            // v (+ bv)
  std::optional<bool> bool_value;         // vb
  std::optional<std::string> string_value;  // vs
  std::optional<std::string> data_value;    // vd (base64url text, kept as written)
  std::optional<double> sum;              // s (+ bs)
  std::string unit;        // u, else bu, else empty
  Time time;               // absolute: bt + t; relative (< 2^28) counts from `now`; absent = now
  std::optional<Duration> update_time;  // ut

  // The quantity a plan reads: local_name when present, else the resolved name.
  const std::string& quantity() const { return local_name.empty() ? name : local_name; }

  bool operator==(const SenmlRecord&) const = default;
};

// Decodes `payload` received at `now`. Every rejection is kInvalidArgument with a
// message naming the record (1-based) and field and what was expected, e.g.
// "record 2: field \"v\" must be a number, found a string". Rejected as a whole when:
// not UTF-8 JSON; not an array or object; empty pack; a record not an object; a field
// of the wrong type; an unknown field ending in '_' (must-understand, 4.4); bver
// greater than 10; a resolved name empty or with characters outside 4.5.1; more than
// one of v/vb/vs/vd; neither a value nor a sum; a number not finite; a time outside
// [now - max_past, now + max_future]; any limit in `limits` exceeded.
// Unknown fields not ending in '_' are ignored, as RFC 8428 says.
StatusOr<std::vector<SenmlRecord>> decode_senml(std::string_view payload, Time now, const SenmlLimits& limits = {});

// The same into `out` (replacing what it held): a caller that keeps `out` from one
// payload to the next reuses its records' strings, so decoding allocates nothing in the
// steady state. On an error `out` is empty.
Status decode_senml_into(std::string_view payload, Time now, std::vector<SenmlRecord>& out,
                         const SenmlLimits& limits = {});

namespace internal {
// For differential tests. decode_senml() reads payloads of the common shape (flat
// records with the known labels, each once; printable-ASCII strings without escapes;
// numbers; booleans) with a scanner that builds no JSON document, and hands everything
// else to the general decoder; the two must agree on every input.
StatusOr<std::vector<SenmlRecord>> decode_senml_general(std::string_view payload, Time now,
                                                        const SenmlLimits& limits = {});
// Whether decode_senml() takes the scanner's path for `payload`.
bool senml_common_shape(std::string_view payload, const SenmlLimits& limits = {});
}  // namespace internal

}  // namespace lookout::sensors
