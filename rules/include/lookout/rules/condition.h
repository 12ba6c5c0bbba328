// Conditions: the rule language of contingency plans (docs/plans.md).
//
// This first version covers comparisons of a quantity against a threshold, with an
// optional unit, combined with and / or / not and parentheses:
//
//     smoke >= 0.15
//     temperature > 57 Cel and smoke > 0.05
//     gas_lel >= 10 %LEL or (co > 50 ppm and not door == 1)
//
// The language grows (durations, hysteresis, windows, spatial confirmation, absence,
// reports, calendars) in later versions; its parser is a recursive-descent parser over
// a token stream so that each construct adds a production, not a rewrite.
//
// A Condition is compiled once, when a plan is loaded, and evaluated many times.
// Thread-safety: immutable after parse; evaluate() is const and re-entrant.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lookout::rules {

enum class CompareOp { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };
std::string_view to_string(CompareOp op);  // "<", "<=", ...

struct Comparison {
  std::string quantity;   // SenML name: [A-Za-z0-9][A-Za-z0-9:./_-]*
  CompareOp op = CompareOp::kGreaterEqual;
  double threshold = 0;
  std::string unit;       // as written ("Cel", "%LEL", "ppm"); empty when none
};

struct Expr {
  enum class Kind { kCompare, kAnd, kOr, kNot };
  Kind kind = Kind::kCompare;
  Comparison compare;                          // kCompare
  std::vector<std::shared_ptr<const Expr>> children;  // kAnd/kOr: >= 2; kNot: 1
};

struct ParseError {
  std::size_t offset = 0;   // byte offset into the condition text where it went wrong
  std::string message;      // "expected a comparison operator (<, <=, >, >=, ==, !=), found \"=>\""
};

// The value a quantity has for one evaluation, in the reading's own unit.
struct Value {
  double value = 0;
  std::string unit;  // may be empty
};
// Looks up the current value of a quantity (nullopt: unknown, which makes every
// comparison on it false).
using ValueLookup = std::function<std::optional<Value>(std::string_view quantity)>;

class Condition {
 public:
  static std::variant<Condition, ParseError> parse(std::string_view text);

  // Evaluates with values from `lookup`. A comparison whose unit cannot be converted
  // from the value's unit is false (and counted in `unit_mismatches`, if given).
  bool evaluate(const ValueLookup& lookup, int* unit_mismatches = nullptr) const;

  // Every quantity the condition reads, sorted, without duplicates: the rule index
  // uses it so that a reading costs work only for rules that read its quantity.
  const std::vector<std::string>& quantities() const { return quantities_; }
  // Canonical text (normalised spacing, minimal parentheses); parse(to_string()) gives
  // an equal condition.
  std::string to_string() const;
  const Expr& root() const { return *root_; }

 private:
  std::shared_ptr<const Expr> root_;
  std::vector<std::string> quantities_;
};

}  // namespace lookout::rules
