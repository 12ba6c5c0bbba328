// Helpers shared by the rules tests: parse a condition that must parse, or one that
// must not, reporting a failure (not crashing) either way.
#pragma once

#include <gtest/gtest.h>

#include <string_view>
#include <variant>

#include "lookout/rules/condition.h"

namespace lookout::rules::testing {

inline Condition parse_ok(std::string_view text) {
  auto result = Condition::parse(text);
  if (auto* err = std::get_if<ParseError>(&result)) {
    ADD_FAILURE() << "\"" << text << "\" at " << err->offset << ": " << err->message;
    return Condition();
  }
  return std::get<Condition>(std::move(result));
}

inline ParseError parse_error(std::string_view text) {
  auto result = Condition::parse(text);
  if (std::holds_alternative<Condition>(result)) {
    ADD_FAILURE() << "\"" << text << "\" parsed as " << std::get<Condition>(result).to_string();
    return {};
  }
  return std::get<ParseError>(result);
}

}  // namespace lookout::rules::testing
