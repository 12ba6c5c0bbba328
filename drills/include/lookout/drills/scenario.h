// Drill scenarios: what a drill plays against the plans, and what it expects of them.
// A scenario is a YAML file (format: docs/drills.md): when it starts and in which time
// zone, the community it runs in (places, sensors, the staff roster, and changes to the
// roster for the drill: who is away, sick or unreachable), the plans, the sensor
// streams as scripts (constant, step, ramp, noise, a stuck or silent sensor, replay from
// a CSV), incident reports at given times, how staff behave (response delays, chance to
// decline or not to answer, travel time, by role or kind of staff), and expectations.
//
// Loading is strict like plans (plans/plan.h): every problem is reported with
// file:line:column and what was expected, and a scenario with any problem is refused
// whole. Files a scenario names (plans, registries, replay CSVs) are read relative to
// the scenario file's directory.
//
// Thread-safety: a Scenario is an immutable value once loaded.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lookout/base/clock.h"
#include "lookout/base/diagnostic.h"
#include "lookout/base/place.h"
#include "lookout/plans/plan.h"

namespace lookout::drills {

// A duration drawn at random for each event, uniformly in [min, max] (min == max: fixed).
// Written "30s" or "30s..3m".
struct DurationRange {
  Duration min{};
  Duration max{};
  bool operator==(const DurationRange&) const = default;
};

// One piece of a sensor's script, in effect from `at` (offset from the drill's start)
// until the next piece.
struct Segment {
  enum class Kind {
    kConstant,  // `value` (a step is a constant piece after another)
    kRamp,      // linearly from `value` to `to` over `over`, then stays at `to`
    kStuck,     // keeps sending the last value sent, without noise (a stuck sensor)
    kSilent,    // sends nothing (a dead battery, a cut cable)
    kOffline,   // publishes its status "offline" once, then sends nothing
  };
  Duration at{};
  Kind kind = Kind::kConstant;
  double value = 0;
  double to = 0;
  Duration over{};
  bool operator==(const Segment&) const = default;
};

// One sensor's readings during the drill: scripted, or replayed from a CSV of real
// readings (columns: seconds from the start or an ISO 8601 time, value; a header line).
struct SensorStream {
  std::string sensor;    // a sensor id in the scenario's sensor registry
  std::string quantity;  // SenML name, e.g. smoke
  std::string unit;      // SenML unit, may be empty
  Duration every = std::chrono::seconds(30);  // reading interval of a script
  double noise = 0;      // uniform noise in [-noise, +noise] added to each scripted value
  std::vector<Segment> script;  // ordered by `at`; empty with replay
  std::string replay;    // path of the CSV (resolved against the scenario's directory); empty with script
  // Replayed readings as loaded: offset from the start, value.
  std::vector<std::pair<Duration, double>> replayed;
  int line = 0;          // where the stream is written, for the report
};

// An incident report sent during the drill (docs/reports.md).
struct ScriptedReport {
  Duration at{};
  std::string id;        // unique within the scenario
  std::string category;
  PlacePath place;
  std::string source = "resident";
  std::string description;
};

// A change to the roster for the drill only.
struct RosterChange {
  std::string staff;     // a member of the roster
  enum class Kind {
    kAway,          // not available: taken out of the roster for the drill
    kSick,          // the same, for another reason (the report says which)
    kUnreachable,   // stays in the roster, never answers
  };
  Kind kind = Kind::kAway;
};

// How staff answer their assignments. A rule applies to the members it matches (every
// matcher given must match; none given: everybody); the first matching rule wins.
struct StaffBehaviour {
  std::string role;      // matcher: the assignment's role
  std::string kind;      // matcher: the member's kind (grid_worker, volunteer, ...)
  std::string staff;     // matcher: one member
  DurationRange respond{std::chrono::seconds(30), std::chrono::minutes(2)};  // time to answer
  double decline = 0;    // chance to decline, 0..1
  double no_answer = 0;  // chance never to answer, 0..1 (decline + no_answer <= 1)
  DurationRange travel{std::chrono::minutes(3), std::chrono::minutes(10)};   // accept -> arrived
  int line = 0;
};

// What the drill must show. Each is checked against what the engine did, and the report
// gives the evidence either way.
struct Expectation {
  enum class Kind {
    // An alert at `level` or more severe within `within` of `after` (the drill's start,
    // or the first reading of `after_quantity` meeting `after_op after_value`).
    kAlertWithin,
    // At least `count` assignments for `role` accepted within `within` of the first alert.
    kAcceptedWithin,
    // Every assignment went to a member whose home is within `place`.
    kAssignedWithin,
    // No alert with CAP status Actual was emitted (always true of a drill; stated so that
    // the report proves it).
    kNoActualAlert,
    // No alert at all (a noise scenario: cooking smoke must raise nothing).
    kNoAlert,
    // No role of any incident was left unfilled (role_unfilled never happened).
    kNoUnfilledRole,
    // The incident resolved (by the plan's resolve rule) within `within` of the start.
    kResolvedWithin,
  };
  Kind kind = Kind::kNoActualAlert;
  plans::Level level = plans::Level::kIV;
  std::string role;
  int count = 1;
  Duration within{};             // left out in the file: the drill's duration
  std::string after_quantity;    // empty: the drill's start
  std::string after_op;          // >=, >, <=, <, ==
  double after_value = 0;
  PlacePath place;
  // A short canonical text, for the report: "alert II within 60s after smoke >= 0.15",
  // "accepted 2 fire_warden within 5m", "no unfilled role" (docs/drills.md, "expect").
  std::string text;
  int line = 0;
  int column = 0;
};

struct Scenario {
  std::string id;                // [a-z0-9][a-z0-9_-]{0,63}: the drill id
  std::string title;
  std::string file;              // as given to load_scenario
  Time start;                    // ISO 8601 with offset in the file
  std::string time_zone = "UTC"; // IANA: the engine's zone for the drill (CAP times, defaults)
  Duration duration{};           // how long the drill runs, > 0
  std::uint64_t seed = 1;        // default seed (lookoutctl --seed overrides)
  // The community: registry files or inline YAML texts, as `lookoutctl places|sensors|
  // staff import` takes them (text, and the name used in diagnostics).
  std::vector<std::pair<std::string, std::string>> places;   // (name, text)
  std::vector<std::pair<std::string, std::string>> sensors;
  std::vector<std::pair<std::string, std::string>> staff;
  std::vector<std::pair<std::string, std::string>> plans;    // (file name, YAML text)
  std::vector<RosterChange> roster_changes;
  std::vector<SensorStream> streams;
  std::vector<ScriptedReport> reports;
  std::vector<StaffBehaviour> behaviour;  // first match wins; the last rule is the default
  std::vector<Expectation> expectations;
};

struct ScenarioLoad {
  std::optional<Scenario> scenario;  // set exactly when diagnostics is empty
  Diagnostics diagnostics;
};

// Parses and checks a scenario. `file_name` appears in diagnostics; files the scenario
// names are read relative to `base_dir` (the scenario file's directory).
ScenarioLoad load_scenario(std::string_view yaml_text, std::string_view file_name, std::string_view base_dir);
// Reads the file, then load_scenario() with its directory.
ScenarioLoad load_scenario_file(const std::string& path);

// The value a script gives at offset `t` before noise (nullopt: silent or offline then;
// kStuck gives the value of the piece before it).
std::optional<double> script_value(const SensorStream& stream, Duration t);

}  // namespace lookout::drills
