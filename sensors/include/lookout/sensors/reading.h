// One decoded, registered sensor reading: what the rules see.
#pragma once

#include <optional>
#include <string>

#include "lookout/base/clock.h"
#include "lookout/base/place.h"

namespace lookout::sensors {

struct Reading {
  std::string sensor_id;
  PlacePath place;          // from the sensor registry
  std::string sensor_kind;  // from the sensor registry
  std::string quantity;     // SenML name (smoke, temperature, ...)
  double value = 0;         // v; vb as 1 (true) or 0 (false)
  std::optional<std::string> text;  // vs, when the reading is a string
  std::string unit;         // SenML unit as sent (Cel, %, ppm, ...), may be empty
  Time time;
};

}  // namespace lookout::sensors
