// What kind of JSON value was found, for messages ("expected ..., found an array").
// Internal to lookout_sensors; shared by the SenML and report decoders.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace lookout::sensors::internal {

inline std::string describe(const nlohmann::json& j) {
  using nlohmann::json;
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    case json::value_t::binary:
    case json::value_t::discarded: break;
  }
  return "an unsupported value";
}

}  // namespace lookout::sensors::internal
