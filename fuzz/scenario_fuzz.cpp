// Fuzz target: the drill scenario loader (drills/scenario.h), from text. Any text must
// give a scenario or diagnostics, never a crash. Files the scenario names are read
// relative to drills/scenarios/ of the source tree, so the seed scenarios load whole.
//
// Inputs that name device or kernel files (/dev/, /proc/, /sys/) are skipped: reading
// /dev/zero or /dev/stdin would hang the fuzzer, not find a bug in the parser (the loader
// reads any file a scenario names; fuzz/README.md says more).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "lookout/drills/scenario.h"

#ifndef LOOKOUT_FUZZ_SCENARIO_DIR
#error "LOOKOUT_FUZZ_SCENARIO_DIR must name drills/scenarios of the source tree"
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lookout;
  using namespace std::chrono_literals;
  const std::string_view text = fuzz::as_text(data, size);
  for (std::string_view device : {"dev/", "proc/", "sys/", "dev\\", "proc\\", "sys\\"}) {
    if (text.find(device) != std::string_view::npos) return 0;
  }
  const auto result = drills::load_scenario(text, "fuzz.yaml", LOOKOUT_FUZZ_SCENARIO_DIR);
  fuzz::check(result.scenario.has_value() == result.diagnostics.empty(),
              "a scenario exactly when there are no diagnostics");
  for (const auto& d : result.diagnostics) {
    fuzz::check(!d.message.empty(), "a diagnostic says what is wrong");
    fuzz::check(!d.message.starts_with("internal error"),
                "no internal error (an exception caught by the last resort)", d.to_string());
  }
  if (!result.scenario) return 0;
  const auto& s = *result.scenario;
  fuzz::check(s.duration > Duration::zero(), "a drill lasts");
  for (const auto& stream : s.streams) {
    for (Duration t : {Duration::zero(), Duration(1min), s.duration / 2, s.duration}) {
      (void)drills::script_value(stream, t);
    }
  }
  return 0;
}
