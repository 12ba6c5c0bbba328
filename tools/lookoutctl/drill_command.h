// lookoutctl drill run: plays a drill scenario against the plans in virtual time, with
// no engine or broker needed (like plan validate), or with --live over the real broker
// against the running engine (live_drill.cpp), and prints or writes its report.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lookout/drills/scenario.h"

namespace lookout::ctl {

struct DrillArgs {
  std::string scenario;             // the scenario file
  std::optional<std::uint64_t> seed;  // default: the scenario's
  int runs = 1;                     // > 1: that many seeds from `seed` on, and a summary
  std::string out_dir;              // when set: the report as .md, .json and .html there
  bool json_output = false;         // print JSON instead of Markdown
  // --live
  bool live = false;
  std::string id;                   // the drill id; default <scenario id>-<UTC yyyymmddThhmmss>
  std::string by;                   // who runs it (the engine's log and timelines)
  std::string broker;               // MQTT broker URI; default: the engine's (admin.json)
  std::string mqtt_username;        // password from LOOKOUT_MQTT_PASSWORD
  bool engine_plans = false;        // drill the engine's running plans instead of the scenario's
  bool simulate_staff = false;      // answer assignments as the scenario's staff_behaviour says
};

// Calls the engine's admin API: the exit status (0, or 1 refused / 3 no engine, the
// error already printed) and the reply's JSON body.
using EngineCall =
    std::function<int(const std::string& method, const std::string& target, const std::string& body, nlohmann::json& reply)>;

// Exit status: 0 every expectation passed (in every run), 1 one failed, 2 the scenario,
// its plans or its registries do not load (the messages say where).
int drill_run(const DrillArgs& args);

// drill run --live. Exit status as drill_run, and 3 when no engine is reachable.
int drill_run_live(const DrillArgs& args, const EngineCall& call);

// Loads the scenario file; on any error prints every diagnostic and returns nullopt.
std::optional<drills::Scenario> load_scenario_or_say_why(const std::string& path);

// Writes the report as <base>.md, .json and .html; false (said on stderr) on failure.
bool write_report_files(const std::string& base, const std::string& markdown, const std::string& json,
                        const std::string& html);

}  // namespace lookout::ctl
