// A deliberately simple evaluator of conditions with time, for the differential test
// of rules::Evaluator only (not linked into the library). It keeps every sample ever
// seen and, at every evaluation, recomputes every value and every window from all of
// them by brute force. Only "for" and hysteresis keep state, as the semantics require.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lookout/rules/condition.h"
#include "lookout/rules/evaluator.h"

namespace lookout::rules::testing {

class ReferenceEvaluator {
 public:
  ReferenceEvaluator(Condition condition, EvaluatorOptions options);

  bool observe(const Sample& sample, Time now);
  // As Evaluator::set_attributes: the attribute atoms' values from `now` on (when
  // started: advance(now) with the old ones, then an evaluation at now with the new).
  void set_attributes(const AttributeLookup& lookup, Time now);
  bool advance(Time now);
  bool truth() const { return truth_; }

 private:
  struct Stored {
    std::string quantity;
    double value = 0;
    std::string unit;
    Time time{};  // after clamping to the time of arrival
    std::uint64_t seq = 0;
    std::string sensor;
  };
  struct Since {
    bool has = false;
    Time since{};
  };

  void evaluate_at(Time t);
  bool eval(const Expr& e, Time t);
  std::optional<std::pair<double, bool>> operand(const Comparison& c, Time t) const;

  Condition condition_;
  EvaluatorOptions options_;
  std::vector<Stored> samples_;
  std::map<const Expr*, Since> for_state_;
  std::map<const Expr*, bool> raised_;
  AttributeLookup attributes_;
  bool started_ = false;
  bool truth_ = false;
  Time now_{};
};

}  // namespace lookout::rules::testing
