// Units of measure as SenML writes them (RFC 8428 section 12.1 and its registry),
// with the conversions plans need: temperatures (Cel, K, degF), lengths (m, cm, mm),
// fractions (%, /, ppm) and a few domain units (%LEL, %RH, dB, lx, W, V, A).
#pragma once

#include <optional>
#include <string_view>

namespace lookout::rules {

// True for a unit this engine knows (so a plan can be checked when it is loaded).
bool is_known_unit(std::string_view unit);

// `value` in unit `from`, expressed in unit `to`. Same unit (or both empty): the value.
// A value with no unit is taken to be in `to` already. Incompatible units: nullopt.
std::optional<double> convert(double value, std::string_view from, std::string_view to);

}  // namespace lookout::rules
