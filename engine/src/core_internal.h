// Small helpers shared by the core's translation units (core.cpp, core_response.cpp).
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <string>

#include "lookout/base/clock.h"
#include "lookout/base/status.h"

namespace lookout::engine {
struct Assignment;
}

namespace lookout::engine::detail {

// JSON as stored and published: invalid UTF-8 is replaced, never thrown on.
inline std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

// A value for people to read (alert texts, timelines): ten significant digits, so the
// binary noise of arithmetic does not show (0.16999999999999998 reads 0.17).
inline std::string format_number(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 10);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

inline std::int64_t to_ms(Time t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline Time from_ms(std::int64_t ms) {
  return Time(std::chrono::duration_cast<Duration>(std::chrono::milliseconds(ms)));
}

// The dead-letter record of a rejected input (contract: original topic, payload
// truncated to `keep` bytes, reason), at `time` (CAP format).
// `original_size`: the payload's size as received when it was cut before (0: whole).
inline std::string dead_letter_record(const std::string& topic, const std::string& payload, std::string_view reason,
                                      std::size_t keep, const std::string& time, std::size_t original_size = 0) {
  const std::size_t size = std::max(payload.size(), original_size);
  const bool truncated = size > keep;
  return dump({{"topic", topic},
               {"payload", payload.size() > keep ? payload.substr(0, keep) : payload},
               {"payload_bytes", size},
               {"truncated", truncated},
               {"reason", reason},
               {"time", time}});
}

// An assignment's storage form (core_response.cpp).
nlohmann::json assignment_to_store(const Assignment& a);
StatusOr<Assignment> assignment_from_store(std::string_view text);

}  // namespace lookout::engine::detail
