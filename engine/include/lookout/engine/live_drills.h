// Live drills: a scenario played over the real broker against the running engine
// (docs/drills.md, "Live drills"). lookoutctl publishes the simulated sensors and
// reports under <prefix>/drill/<drill_id>/...; the engine runs each drill on a core of
// its own, and real staff get real assignments there, marked as drill.
//
// A drill can never emit an Actual alert or touch a live incident, by construction:
//   - its core is a separate Core with its own in-memory store, whose topic prefix is
//     the drill's and whose alert status is Exercise (the drill id in every CAP note);
//   - it sees only the messages under its own prefix (the live core never sees them:
//     its subscriptions do not reach into drill/), so live readings never join a drill
//     incident and drill readings never join a live one;
//   - everything it publishes passes a guard that drops (and logs as a defect) any
//     message outside the drill's prefix and any alert whose status is not Exercise;
//   - it works on a copy of the live registries taken at its start, and counts every
//     member's live assignments against their capacity: a drill never takes a member a
//     real incident holds (a real incident may take a member a drill holds).
// Its store is memory only: a drill does not outlive an engine restart (lookoutctl
// reports it as interrupted), and nothing of it is left in the live store.
//
// Members the scenario makes "unreachable" stay in the drill's roster, but their
// assignments and notices are not delivered (they go to <drill prefix>/undelivered/...,
// for the drill's record, where no phone listens) and their responses are refused: the
// drill sees the silence a dead phone gives.
//
// A drill ends when lookoutctl stops it, or on its own at its end time (its duration
// plus `grace`, for a lookoutctl that went away): its open incidents are resolved
// (CAP Cancel, staff released), "ended" goes out on <drill prefix>/status and every
// retained message it left is cleared.
//
// Threading: like the Core, every method runs on the engine's strand.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lookout/base/clock.h"
#include "lookout/base/diagnostic.h"
#include "lookout/base/status.h"
#include "lookout/engine/core.h"
#include "lookout/engine/transport.h"

namespace lookout::engine {

struct LiveDrillOptions {
  std::size_t max_drills = 4;                        // running at once
  Duration max_duration = std::chrono::hours(24);    // a drill's scripted length, at most
  Duration grace = std::chrono::minutes(10);         // after its duration, the engine ends it itself
};

class LiveDrills {
 public:
  // `live`: the engine's core (its options, registries, plans, staff load). `post`: the
  // engine's strand.
  LiveDrills(Core& live, Clock& clock, Transport& transport, Core::Post post, LiveDrillOptions options = {});
  ~LiveDrills();
  LiveDrills(const LiveDrills&) = delete;
  LiveDrills& operator=(const LiveDrills&) = delete;

  // The topics drills are played on (subscribe at QoS 1, next to the live core's).
  std::vector<std::string> subscriptions() const;
  // Whether `topic` is in the drill namespace (<prefix>/drill/...): such messages go to
  // on_message, never to the live core.
  bool owns(std::string_view topic) const;
  // A message in the drill namespace: to its drill's core; for a drill that is not
  // running (or a topic that is no input), a dead letter on <prefix>/drill/<id>/deadletter.
  void on_message(const InboundMessage& message);
  void on_connection(bool connected);

  // Starts a drill from a request (JSON, docs/admin-api.md "POST /v1/drills"):
  //   {"id", "scenario", "title", "by", "duration_s", "plans": [{"file", "text"}],
  //    "away": [...], "sick": [...], "unreachable": [...]}
  // Without plans the drill runs the engine's running plans. Returns the drill as
  // info_json() shows it. kInvalidArgument (with `diagnostics` for a plan) or
  // kAlreadyExists / kResourceExhausted: nothing starts.
  StatusOr<std::string> start(std::string_view request_json, Diagnostics& diagnostics);
  // Ends a running drill (kNotFound when there is none): its summary, as JSON.
  StatusOr<std::string> stop(std::string_view id, std::string_view by);
  // Ends every running drill (the engine is shutting down).
  void end_all(std::string_view reason);
  // The running drills, as a JSON array of info_json() objects.
  std::string list_json() const;
  StatusOr<std::string> info_json(std::string_view id) const;
  std::size_t running() const;
  // A running drill's core (tests, admin): nullptr when there is none.
  const Core* core(std::string_view id) const;

 private:
  struct Session;
  class GuardTransport;
  std::string summary_json(const Session& s, std::string_view state) const;
  // Ends drill `id` (resolving what is open) and returns its summary.
  std::string end(std::string id, std::string_view by, std::string_view reason, bool from_timer);
  void drill_dead_letter(std::string_view drill_id, const InboundMessage& message, std::string_view reason);

  Core& live_;
  Clock& clock_;
  Transport& transport_;
  Core::Post post_;
  LiveDrillOptions options_;
  std::string root_;  // <prefix>/drill
  std::map<std::string, std::unique_ptr<Session>, std::less<>> sessions_;
  bool connected_ = false;
  LogLimiter dead_letter_log_;
};

}  // namespace lookout::engine
