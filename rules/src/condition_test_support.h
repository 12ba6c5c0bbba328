// Helpers shared by the rules tests: parse a condition that must parse, or one that
// must not, reporting a failure (not crashing) either way.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <string_view>
#include <variant>

#include "lookout/rules/condition.h"
#include "lookout/rules/evaluator.h"

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

// Evaluator tests count time in seconds after T0 (1000 h after the epoch: 16:00 UTC).
inline const Time T0 = Time{} + std::chrono::hours(1000);
inline Time at_s(double seconds) { return T0 + std::chrono::nanoseconds(std::llround(seconds * 1e9)); }

// An evaluator and one state, fed with (quantity, value, seconds after T0, unit).
struct Stream {
  explicit Stream(std::string_view text, EvaluatorOptions options = {})
      : eval(parse_ok(text), options), state(eval.new_state()) {}
  bool at(double seconds) { return eval.advance(*state, at_s(seconds)); }
  bool feed(std::string_view q, double v, double seconds, std::string_view unit = "") {
    Time t = at_s(seconds);
    return eval.observe(*state, Sample{q, v, unit, t, "s1"}, t);
  }
  // When the truth may next change, as time after T0.
  std::optional<Duration> next(double seconds) {
    auto n = eval.next_change(*state, at_s(seconds));
    if (!n) return std::nullopt;
    return *n - T0;
  }
  Evaluator eval;
  Evaluator::StatePtr state;
};

}  // namespace lookout::rules::testing
