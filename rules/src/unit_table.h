// Private to lookout_rules: the unit table behind units.h, for messages that list the
// units a plan may use.
#pragma once

#include <string>

namespace lookout::rules::internal {

// "Cel, K, degF, m, cm, mm, /, %, ppm, %LEL, %RH, dB, lx, W, V, A, s, count"
const std::string& known_units_list();

}  // namespace lookout::rules::internal
