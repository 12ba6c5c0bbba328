// Fuzz target: the plan loader (plans/plan.h), as it gets the YAML a coordinator writes
// (lookoutctl plan apply, the admin API). Any text must give a plan or diagnostics,
// never a crash; a plan that loads must compile as the engine compiles it
// (Core::add_live: an evaluator per level and the resolve rule from canonical texts).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include "fuzz_support.h"
#include "lookout/base/time_format.h"
#include "lookout/plans/plan.h"
#include "lookout/rules/evaluator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lookout;
  const auto result = plans::load_plan(fuzz::as_text(data, size), "fuzz.yaml");
  fuzz::check(result.plan.has_value() == result.diagnostics.empty(), "a plan exactly when there are no diagnostics");
  for (const auto& d : result.diagnostics) {
    fuzz::check(!d.message.empty(), "a diagnostic says what is wrong");
    fuzz::check(!d.message.starts_with("internal error"),
                "no internal error (an exception caught by the last resort)", d.to_string());
  }
  if (!result.plan) return 0;
  const plans::Plan& plan = *result.plan;
  fuzz::check(plans::is_plan_id(plan.id), "the id follows its rule", plan.id);
  fuzz::check(!plan.places.empty() && !plan.levels.empty(), "places and levels are never empty");

  rules::EvaluatorOptions options;
  auto zone = find_time_zone(plan.time_zone);
  fuzz::check(zone.is_ok(), "the time zone was checked", plan.time_zone);
  options.time_zone = zone.value();
  std::string calm;
  for (const auto& rule : plan.levels) {
    fuzz::check(rule.condition.has_root() && rule.condition.level_refs().empty(), "level conditions are resolved");
    const rules::Evaluator evaluator(rule.condition, options);
    (void)evaluator.new_state();
    calm += (calm.empty() ? "" : " or ") + ("(" + rule.condition.to_string() + ")");
  }
  if (plan.resolve.automatic) {
    calm = plan.resolve.condition ? "(" + plan.resolve.condition->to_string() + ")" : "(not (" + calm + "))";
    auto parsed = rules::Condition::parse(calm);
    if (const auto* error = std::get_if<rules::ParseError>(&parsed)) {
      fuzz::check(false, "the resolve rule compiles as the engine builds it", calm + "  ->  " + error->message);
    }
  }
  std::map<std::string, std::string> values = {{"place", "xc/hl/qy"}, {"value", "0.5"}, {"level", "II"}};
  for (const auto& rule : plan.levels) {
    for (const auto& text : rule.alert.texts) (void)plans::fill_placeholders(text.headline, values);
  }
  return 0;
}
