// Fuzz target: the condition language (rules/condition.h), as plans write it after
// `when:`. Any text must parse or give a ParseError, never crash. A condition that
// parses must keep the promises of condition.h: its canonical text parses back to the
// same condition (the engine relies on it for resolve rules), and it compiles into an
// Evaluator (rules/evaluator.h) that can be fed and moved in time.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "fuzz_support.h"
#include "lookout/base/time_format.h"
#include "lookout/rules/condition.h"
#include "lookout/rules/evaluator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lookout;
  using namespace std::chrono_literals;
  const auto text = fuzz::as_text(data, size);
  auto parsed = rules::Condition::parse(text);
  if (const auto* error = std::get_if<rules::ParseError>(&parsed)) {
    fuzz::check(error->offset <= text.size(), "a parse error's offset lies within the text");
    fuzz::check(!error->message.empty(), "a parse error says why");
    return 0;
  }
  const auto& condition = std::get<rules::Condition>(parsed);
  fuzz::check(condition.has_root(), "a parsed condition has a root");

  // Canonical text: parse(to_string()) gives an equal condition.
  const std::string canonical = condition.to_string();
  auto again = rules::Condition::parse(canonical);
  if (const auto* error = std::get_if<rules::ParseError>(&again)) {
    fuzz::check(false, "the canonical text parses back", canonical + "  ->  " + error->message);
  }
  const auto& reparsed = std::get<rules::Condition>(again);
  fuzz::check(reparsed.to_string() == canonical, "the canonical text is a fixed point",
              canonical + "  ->  " + reparsed.to_string());
  fuzz::check(reparsed.quantities() == condition.quantities(), "the canonical text reads the same inputs", canonical);
  fuzz::check(reparsed.uses_time() == condition.uses_time(), "the canonical text uses time alike", canonical);

  // Level references replaced by a plain comparison, as the plan loader does.
  static const auto kLevelTarget = std::get<rules::Condition>(rules::Condition::parse("smoke >= 0.1"));
  const rules::Condition resolved = condition.with_levels([](int) { return &kLevelTarget.root(); });
  fuzz::check(resolved.level_refs().empty(), "with_levels leaves no level reference");

  // Stateless evaluation: every quantity at 1 (no unit).
  (void)condition.evaluate([](std::string_view) { return std::optional<rules::Value>(rules::Value{1, ""}); });

  // Stateful evaluation in the plan's zone, as the engine compiles plans.
  rules::EvaluatorOptions options;
  options.max_window_samples = 64;
  options.max_sensors = 8;
  static const date::time_zone* const kZone = find_time_zone("Asia/Shanghai").value();
  options.time_zone = kZone;
  const rules::Evaluator evaluator(resolved, options);
  auto state = evaluator.new_state();
  evaluator.set_attributes(*state, [](rules::Attribute::Target, std::string_view name) -> std::optional<std::string> {
    if (name.size() % 2 == 0) return std::nullopt;
    return std::string(name.size() % 3 == 0 ? "high_rise" : "18");
  }, Time{});
  static const Time kStart = parse_iso8601("2026-11-21T21:04:05+08:00").value();
  Time now = kStart;
  const char* const sensors[] = {"s-1", "s-2", "s-3"};
  int i = 0;
  for (const auto& q : resolved.quantities()) {
    for (int k = 0; k < 3; ++k, ++i) {
      rules::Sample sample;
      sample.quantity = q;
      sample.value = (i % 4 == 3) ? std::nan("") : 0.5 * i - 1;
      sample.unit = (i % 5 == 4) ? "Cel" : "";
      sample.time = now - std::chrono::seconds(i % 7);
      sample.sensor = sensors[i % 3];
      (void)evaluator.observe(*state, sample, now);
      now += 17s;
    }
  }
  for (int step = 0; step < 4; ++step) {
    auto next = evaluator.next_change(*state, now);
    fuzz::check(!next || *next >= now, "next_change is not in the past");
    now = next ? *next : now + 1h;
    (void)evaluator.advance(*state, now);
  }
  (void)evaluator.truth(*state);
  (void)evaluator.state_bytes(*state);
  (void)evaluator.unit_mismatches(*state);
  return 0;
}
