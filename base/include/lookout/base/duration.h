// Durations as coordinators write them in plans and conditions: "30s", "10m", "2h", "1d", "1h30m".
//
// A duration is one or more parts, each a whole number immediately followed by a unit:
//
//     d  days (of 24 hours)     h  hours     m  minutes     s  seconds
//
// with no spaces, units from the largest to the smallest and each at most once
// ("1d12h", "1h30m", "90m", "2m30s"; not "30m1h", "1h 30m", "1.5h" or "10 min"). The
// total must be more than zero and at most kMaxDuration.
//
// Shared by the plan loader (escalation, resolve, respond_within) and the rule
// language ("for 30s", windows), so both read durations the same way.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace lookout {

// The longest duration accepted: 365 days. Longer makes no sense in a plan, and it keeps
// any time point plus a duration far from overflow.
inline constexpr std::chrono::seconds kMaxDuration{365LL * 24 * 60 * 60};

struct DurationError {
  std::size_t offset = 0;  // byte offset into the text where it went wrong
  std::string message;     // "expected a unit (d, h, m or s), found \"min\"; write \"10m\""
};

// Parses a whole text as a duration (surrounding white space is not allowed either).
std::variant<std::chrono::seconds, DurationError> parse_duration(std::string_view text);

// The canonical text of a duration: its parts from days to seconds, zero parts left
// out ("1h30m", "45s", "1d"); "0s" for zero, a leading "-" when negative.
// parse_duration(format_duration(d)) == d for every d in (0, kMaxDuration].
std::string format_duration(std::chrono::seconds duration);

}  // namespace lookout
