// lookoutctl drill run: plays a drill scenario against the plans in virtual time, with
// no engine or broker needed (like plan validate), and prints or writes its report.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lookout::ctl {

struct DrillArgs {
  std::string scenario;             // the scenario file
  std::optional<std::uint64_t> seed;  // default: the scenario's
  int runs = 1;                     // > 1: that many seeds from `seed` on, and a summary
  std::string out_dir;              // when set: the report as .md, .json and .html there
  bool json_output = false;         // print JSON instead of Markdown
};

// Exit status: 0 every expectation passed (in every run), 1 one failed, 2 the scenario,
// its plans or its registries do not load (the messages say where).
int drill_run(const DrillArgs& args);

}  // namespace lookout::ctl
