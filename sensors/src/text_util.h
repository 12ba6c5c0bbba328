// Small text helpers shared by the SenML decoder and the registry importers.
// Internal to lookout_sensors (not installed with the public headers).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "lookout/base/utf8.h"

namespace lookout::sensors::internal {

inline constexpr std::size_t kNoPosition = std::string_view::npos;

// RFC 8428 4.5.1: a resolved SenML name uses only A-Z a-z 0-9 - : . / _ and starts
// with a letter or a digit. Returns the index of the first offending character, or
// kNoPosition when `name` is a valid (non-empty) name. An empty name returns 0.
std::size_t find_bad_senml_name_char(std::string_view name);
inline bool is_valid_senml_name(std::string_view name) { return find_bad_senml_name_char(name) == kNoPosition; }

// Index of the first byte that does not belong to well-formed UTF-8, or kNoPosition
// (lookout/base/utf8.h).
using lookout::find_invalid_utf8;

// `c` written for a message: 'x', or a hex byte for control and non-ASCII bytes.
std::string describe_char(char c);

// "\"text\"", cut to a readable length for messages.
std::string quote(std::string_view text, std::size_t max_chars = 60);

// A double parsed from the whole of `text` (decimal, optional exponent; no '+', no
// hex, no inf/nan), or nullopt.
std::optional<double> parse_finite_double(std::string_view text);

// `value` written for a message without trailing zeros: 91, -180.5, 1e+300.
std::string format_number(double value);

}  // namespace lookout::sensors::internal
