// Fuzz target: the silence request parser (engine/silence.h), as the admin API gets
// POST /v1/silences from lookoutctl and the dashboard. Any body must give a silence or
// kInvalidArgument, never a crash; a silence must keep the safety rules (a matcher, an
// end or a recurrence) and round-trip through its storage form exactly.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "lookout/base/time_format.h"
#include "lookout/engine/silence.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lookout;
  static const Time kNow = parse_iso8601("2026-11-21T13:00:00Z").value();
  static const date::time_zone* const kZone = find_time_zone("Asia/Shanghai").value();
  auto parsed = engine::parse_silence_request(fuzz::as_text(data, size), kNow, "Asia/Shanghai");
  if (!parsed.is_ok()) {
    fuzz::check(parsed.status().code() == Status::Code::kInvalidArgument, "a rejection is kInvalidArgument",
                parsed.status().to_string());
    // The last resort's message, not a repeated key echoed at the start of another one.
    const std::string& message = parsed.status().message();
    fuzz::check(!message.starts_with("the request could not be read: ") ||
                    message.ends_with(": given twice; expected each key once"),
                "no library surprise (an exception caught by the last resort)", message);
    return 0;
  }
  engine::Silence& s = parsed.value();
  fuzz::check(s.id.empty(), "a request has no id yet");
  s.id = "s-000001";  // as the engine assigns it before storing
  fuzz::check(!s.place.empty() || !s.sensor.empty() || !s.plan.empty() || !s.hazard.empty(), "at least one matcher");
  fuzz::check(s.ends.has_value() || !s.every.empty(), "an end or a recurrence");
  fuzz::check(!s.ends || *s.ends > s.starts, "ends after starts");
  fuzz::check(!s.created_by.empty(), "who made it");
  const std::string stored = engine::to_json(s);
  auto back = engine::silence_from_json(stored);
  fuzz::check(back.is_ok(), "a stored silence reads back", stored + "  ->  " + back.status().to_string());
  fuzz::check(back.value() == s, "a silence round-trips through its storage form",
              stored + "  ->  " + engine::to_json(back.value()));
  (void)engine::silence_in_effect(s, kNow);
  (void)engine::to_api_json(s, kNow, kZone);
  (void)engine::describe(s, kZone);
  engine::SilenceTarget target;
  target.plan = "fire";
  target.hazards = {"fire"};
  target.place = PlacePath::parse("xc/hl/qy/g03/b12").value();
  target.sensor = "smk-12";
  (void)engine::silence_matches(s, target);
  return 0;
}
