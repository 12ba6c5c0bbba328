// Running a drill in virtual time: the scenario is played against the real engine core
// (the same evaluation, incidents, assignment and escalation code as live) on a
// ManualClock with an in-memory store and no broker. Simulated staff answer their
// assignments as the scenario's behaviour rules say, with a random generator seeded from
// the scenario (or the caller): the same scenario and seed give the same report, byte
// for byte. Every alert is CAP status Exercise with the drill id in its note.
//
// The result (DrillReport) holds what happened, in time order, the levels over time,
// the measures a coordinator asks about (time to first alert, time to fully staffed,
// roles left unfilled) and each expectation with its evidence. report.h renders it.
//
// Thread-safety: run_drill depends only on its arguments, but it lowers the global log
// level while it runs (the core logs every incident): run drills one at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lookout/base/clock.h"
#include "lookout/base/diagnostic.h"
#include "lookout/base/status.h"
#include "lookout/drills/scenario.h"

namespace lookout::drills {

// One thing that happened, at `at` after the drill's start.
struct DrillEvent {
  Duration at{};
  // alert (CAP Alert/Update/Cancel: `text` is "msgType: headline"), report, assigned,
  // accepted, declined, no_answer, arrived, released, role_missing and role_unfilled
  // (a coordinator told that a role is missing; `staff` is the coordinator), escalated,
  // resolved, dead_letter
  std::string kind;
  std::string incident;
  std::string level;     // the incident's level then ("" when none)
  std::string place;
  std::string staff;     // assignments and answers
  std::string role;
  std::string text;
  bool operator==(const DrillEvent&) const = default;
};

// An incident's level from `at` on ("" once it is resolved).
struct LevelChange {
  Duration at{};
  std::string incident;
  std::string place;
  std::string level;
  bool operator==(const LevelChange&) const = default;
};

struct ExpectationResult {
  std::string text;      // Expectation::text
  int line = 0;
  bool passed = false;
  std::string evidence;  // what was seen: "level II alert at 00:02:30, 45s after smoke 0.16 at 00:01:45"
  bool operator==(const ExpectationResult&) const = default;
};

// One role of one incident: when it was filled (enough accepted), or never.
struct RoleOutcome {
  std::string incident;
  std::string place;
  std::string role;
  int needed = 0;
  int accepted = 0;            // most held at once (accepted, arrived or done)
  std::optional<Duration> filled_at;  // from the drill's start
  bool operator==(const RoleOutcome&) const = default;
};

// One assignment and how its member answered it: the response times a drill measures
// (a live drill's are real people's).
struct ResponseTime {
  std::string assignment;
  std::string incident;
  std::string role;
  std::string staff;
  Duration offered{};                      // from the drill's start
  // accepted (then maybe arrived, done), declined, no_answer (its deadline passed),
  // withdrawn, released (the incident ended before any answer), "" (no answer yet when
  // the drill ended)
  std::string answer;
  std::optional<Duration> answered_after;  // offer -> accept or decline
  std::optional<Duration> arrived_after;   // offer -> arrived
  bool delivered = true;                   // false: unreachable in a live drill
  bool operator==(const ResponseTime&) const = default;
};

struct DrillReport {
  std::string drill;           // the scenario id (virtual), the drill id (live)
  std::string mode = "virtual";  // or "live": played over the broker against the running engine
  std::string note;            // how a live drill ended when it did not run to its end, else ""
  std::string title;
  std::string scenario_file;
  std::uint64_t seed = 0;
  Time start;
  std::string time_zone;
  Duration duration{};
  std::vector<DrillEvent> events;       // time order, then the order they happened
  std::vector<LevelChange> levels;      // time order
  std::vector<RoleOutcome> roles;       // by incident, then role
  std::vector<ExpectationResult> expectations;
  std::vector<ResponseTime> responses;  // in the order offered
  // Measures, from the drill's start.
  std::optional<Duration> first_alert;
  std::optional<Duration> fully_staffed;  // every role of every incident filled (last filled_at)
  std::uint64_t readings = 0;             // SenML records sent to the engine
  std::uint64_t reports = 0;
  std::uint64_t alerts = 0;               // CAP messages
  std::uint64_t actual_alerts = 0;        // CAP status Actual: must be 0
  std::uint64_t assignments = 0;
  std::uint64_t dead_letters = 0;
  std::uint64_t engine_events = 0;        // everything the core handled (messages + timers)
  // Every expectation passed and no alert was Actual.
  bool passed() const;
};

struct DrillOptions {
  std::optional<std::uint64_t> seed;  // default: the scenario's
  // When set, sees every message the engine publishes during the drill (topic, payload),
  // as it publishes it: everything that would leave the engine on a broker.
  std::function<void(const std::string& topic, const std::string& payload)> tap;
};

// Runs the scenario. kInvalidArgument (with `diagnostics`) when its registries or plans
// do not load into the engine; the run itself never fails.
StatusOr<DrillReport> run_drill(const Scenario& scenario, const DrillOptions& options, Diagnostics& diagnostics);

// --runs N: the distributions over several seeds.
struct DrillSummary {
  std::string drill;
  std::string title;
  std::vector<std::uint64_t> seeds;
  struct Stats {
    int samples = 0;                    // runs where it happened
    std::optional<Duration> p50, p90, max;
    bool operator==(const Stats&) const = default;
  };
  Stats first_alert;
  Stats fully_staffed;
  int runs_fully_staffed = 0;
  // role -> share of runs in which some incident left it unfilled (0..1)
  std::map<std::string, double> unfilled_role_probability;
  // "xc/hl/qy/g03/b12" -> runs in which a role there stayed unfilled
  std::map<std::string, int> weakest_places;
  // local hour of the day (0..23) at the first alert -> runs with an unfilled role
  std::map<int, int> weakest_hours;
  // expectation text -> runs in which it passed
  std::vector<std::pair<std::string, int>> expectation_passes;
  int runs = 0;
  int runs_passed = 0;
};
DrillSummary summarize(const std::vector<DrillReport>& reports);

}  // namespace lookout::drills
