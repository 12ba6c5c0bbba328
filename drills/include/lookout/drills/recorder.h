// The drill's record: builds a DrillReport from what the engine publishes in the
// drill's namespace (alerts, assignments, notices, incident states, dead letters) and
// from what the drill sent it (readings, reports). It reads only messages, never the
// engine's memory, so the virtual runner (which sees the core's publishes directly) and
// a live drill (which sees them on the broker) record the same way.
//
// Staff answers are read from the incident states the engine publishes after every
// answer (their assignments' states): what the engine took, not what a phone sent.
//
// Thread-safety: one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "lookout/drills/drill.h"
#include "lookout/drills/scenario.h"

namespace lookout::drills {

class Recorder {
 public:
  // `prefix`: the drill's topic prefix, e.g. "lookout/v1/drill/fire-night-2026". The
  // report's header (drill, title, file, seed, start, zone, duration) is filled from the
  // scenario; the caller may change it through report().
  Recorder(const Scenario& scenario, std::uint64_t seed, std::string prefix);

  DrillReport& report() { return report_; }

  // The drill sent a reading of stream `stream` (an index in the scenario's streams).
  void reading(Duration at, std::size_t stream, double value);
  // The drill sent report `r`.
  void report_sent(Duration at, const ScriptedReport& r);

  struct Offer {
    std::string assignment;
    std::string staff;
    std::string role;
  };
  // A message the engine published, `at` after the drill's start. Topics outside the
  // prefix are ignored. Returns the offer when it was a new assignment.
  std::optional<Offer> published(Duration at, std::string_view topic, std::string_view payload);

  // What finish() needs beyond the messages: a plan by id (the roles each level needs)
  // and a member's home (for "assigned within").
  struct Lookups {
    std::function<const plans::Plan*(std::string_view plan_id)> plan;
    std::function<std::optional<PlacePath>(std::string_view staff)> home;
  };
  // Tallies the roles, checks the expectations and returns the report.
  DrillReport finish(const Lookups& lookups, std::uint64_t engine_events);

 private:
  void event(Duration at, std::string kind, std::string incident, std::string level, std::string place,
             std::string staff, std::string role, std::string text);
  // Assignment `id` is in `state` now: its answer (when `record` names one) goes into the
  // events, the role's holders are counted and its response time is taken.
  void moved(Duration at, const std::string& id, const std::string& state, bool record);
  // The response time of assignment `id`, which moved to `state` at `at`.
  void respond(Duration at, const std::string& id, const std::string& state);
  void tally_roles(const Lookups& lookups);
  ExpectationResult check(const Expectation& e, const Lookups& lookups) const;

  const Scenario& scenario_;
  std::string prefix_;
  DrillReport report_;
  // Readings sent, for "after the first reading meeting ..." (offset, stream, value).
  std::vector<std::tuple<Duration, std::size_t, double>> sent_readings_;
  std::vector<std::tuple<Duration, std::string, std::string>> alert_times_;  // offset, level, msgType
  struct Assigned {
    std::string incident, role, staff;
    std::string state = "offered";
  };
  std::map<std::string, Assigned> assigned_;  // assignment id -> what it is, its state as last seen
  std::map<std::string, std::size_t> response_index_;  // assignment id -> its index in report_.responses
  std::map<std::pair<std::string, std::string>, int> holding_;  // (incident, role) -> held now
  std::map<std::pair<std::string, std::string>, int> most_held_;
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<Duration, int>>> filled_times_;
  std::map<std::string, std::string> incident_levels_;  // id -> its level now ("" resolved)
  std::map<std::string, std::string> incident_places_;
  std::map<std::string, std::string> incident_plans_;
  std::map<std::string, std::set<std::string>> incident_reached_;
};

}  // namespace lookout::drills
