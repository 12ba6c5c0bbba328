// The core: turns inbound messages into decisions. It decodes readings, evaluates the
// active plans' rules, opens incidents, builds CAP alerts and queues everything it
// sends in the outbox, written in the same store batch as the state change it belongs
// to. It is plain deterministic C++: time from the Clock, storage through the Store,
// messages through the Transport, and completions handed back through `post`.
//
// Threading: every method runs on one thread at a time (the engine's strand); the core
// holds no locks. Transport completions are re-posted onto that thread with `post`.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lookout/base/clock.h"
#include "lookout/base/diagnostic.h"
#include "lookout/base/log_limiter.h"
#include "lookout/base/string_map.h"
#include "lookout/engine/cap.h"
#include "lookout/engine/silence.h"
#include "lookout/engine/staffing.h"
#include "lookout/engine/store.h"
#include "lookout/engine/transport.h"
#include "lookout/plans/plan.h"
#include "lookout/rules/evaluator.h"
#include "lookout/sensors/reading.h"
#include "lookout/sensors/registry.h"
#include "lookout/sensors/report.h"
#include "lookout/sensors/senml.h"
#include "lookout/sensors/staff.h"

namespace date { class time_zone; }

namespace lookout::engine {

struct CoreOptions {
  std::string topic_prefix = "lookout/v1";
  std::string sender = "lookout@localhost";        // CAP sender
  const date::time_zone* zone = nullptr;            // CAP times; nullptr: UTC
  bool cap_xml = false;                             // also publish CAP XML on alerts-xml/
  std::string alert_status = "Actual";              // CAP status of the alerts sent
  // Put before every incident and assignment id: a live drill's core uses "drill-", so
  // that its "drill-inc-000001" is never taken for a live incident, in the engine's log
  // or on a phone.
  std::string id_prefix;
  // A drill's id: every alert's CAP note names it, and assignments and notices say
  // "drill": true (with alert_status "Exercise"). Empty: live.
  std::string drill;
  sensors::SenmlLimits senml_limits;
  sensors::ReportLimits report_limits;
  std::size_t max_payload_bytes = 64 * 1024;        // any inbound topic
  std::size_t dead_letter_payload_bytes = 1024;     // payload kept in a dead-letter record
  Duration value_max_age = std::chrono::minutes(10);  // older values count as unknown
  std::size_t max_window_samples = 4096;              // per window, per plan and place
  Duration outbox_retry = std::chrono::seconds(2);    // after a failed publish
  // After a failed store write: how often the whole state held in memory (incidents,
  // assignments, silences, counters) is written again, until a write succeeds.
  Duration store_resync_retry = std::chrono::seconds(5);
  // An open incident's level goes down (an Update at the lower level) only when its
  // own level's condition no longer holds and the level has not changed for this long:
  // a value hovering at a threshold does not send an Update every reading.
  Duration level_down_hold = std::chrono::minutes(5);
  // Staff: how long a member has to answer an assignment when the plan's staff need
  // gives no respond_within; the window "fewest recent assignments" counts in; how
  // often a role nobody could fill is tried again (someone may have come on duty).
  Duration default_respond_within = std::chrono::minutes(5);
  Duration recent_assignments_window = std::chrono::hours(24);
  Duration staffing_retry = std::chrono::minutes(1);
  // Flap damping: an incident reopened this many times within flap_window is
  // "flapping": its resolve and reopen alerts are held back (recorded, not sent) until
  // it settles; the Cancel it owes goes out when it closes.
  int flap_reopens = 3;
  Duration flap_window = std::chrono::hours(1);
  // Assignments a member holds outside this core, counted against their capacity: a
  // live drill's core asks the live engine, so that a drill never takes a member a real
  // incident needs. Empty: none.
  std::function<int(std::string_view staff_id)> load_elsewhere;
};

// A plan as the engine holds it: the checked plan plus its stored version.
struct StoredPlan {
  plans::Plan plan;
  std::uint32_t version = 0;   // 1, 2, ...: assigned by the engine on apply
  std::string source;          // the YAML as applied
  std::string file;            // the file name it was applied from
  Time applied_at;
};

struct SentAlert {
  std::string identifier;
  Time sent;
  std::string msg_type;        // Alert, Update
  plans::Level level = plans::Level::kIV;
};

struct Incident {
  std::string id;              // inc-000001
  std::string plan_id;
  std::uint32_t plan_version = 0;
  PlacePath place;
  // What it watches: the place's path, or "<place>#<sensor>" for a plan with scope:
  // sensor. One open incident per plan and watch.
  std::string watch;
  plans::Level level = plans::Level::kIV;
  // open -> acknowledged -> (responding) -> resolved -> closed. Resolved incidents of a
  // plan with reopen_within stay "resolved" for that long (raised again, they reopen);
  // then, or at once without reopen_within, they are "closed".
  std::string state = "open";
  Time opened_at;
  Time updated_at;
  Time acknowledged_at{};
  std::string acknowledged_by;
  Time resolved_at{};
  std::string resolved_by;      // who resolved it, or "plan" when its resolve rule did
  std::uint32_t reopened = 0;   // times it was reopened
  // What raised it (the reading that made the condition true).
  std::string sensor_id;
  std::string quantity;
  double value = 0;
  std::string unit;
  Time reading_time;
  std::vector<SentAlert> alerts;
  // Escalation and reminders run from the time the current level was raised, while
  // nobody has acknowledged the incident: the next step of the level's ladder, and the
  // reminders sent at this level.
  Time level_since;
  std::uint32_t escalation_next = 0;
  std::uint32_t renotified = 0;
  // A level reached by the ladder's raise_to: the incident's conditions alone do not
  // lower it below this one (the escalation was a coordinator's decision by proxy).
  std::optional<plans::Level> escalated_to;
  // Staffing: per role, the hierarchy level searched now (widened when nobody is left
  // closer), and the roles nobody in the whole district could fill (coordinators told).
  std::map<std::string, PlaceLevel> search_level;
  std::set<std::string> unfilled;
  // Flap damping: when it reopened lately (at most flap_reopens kept), and whether it is
  // flapping now.
  std::vector<Time> reopen_times;
  bool flapping = false;
  // Since when the plan's resolve rule has held without a break (Time{}: it does not):
  // stored, so a restart keeps the time already counted towards `resolve: for`.
  Time calm_since{};
};

// A call to one staff member to fill one role of an incident. Its state moves
//   offered -> accepted -> arrived -> done          (the member's answers)
//   offered -> declined | no_answer                  (the slot goes to the next candidate)
//   offered | accepted | arrived -> released         (the incident resolved)
//   offered -> withdrawn                             (a coordinator took it back)
struct Assignment {
  std::string id;        // a-000001
  std::string incident;
  std::string role;
  std::string staff;     // the member's id
  PlacePath place;       // the incident's place
  plans::Level level = plans::Level::kIV;
  std::string state = "offered";
  std::string assigned_by;  // "engine" (ranked) or the coordinator who assigned by hand
  Time offered_at;
  Time respond_by;
  Time updated_at;
  std::string note;      // the member's last note
  // Holds a place at the incident: counts towards the role's count.
  bool holds_slot() const { return state == "offered" || state == "accepted" || state == "arrived" || state == "done"; }
  // Counts against the member's capacity.
  bool active() const { return state == "offered" || state == "accepted" || state == "arrived"; }
};

struct CoreStats {
  std::uint64_t messages = 0;          // inbound messages handled
  std::uint64_t readings = 0;          // SenML records accepted
  std::uint64_t readings_duplicate = 0;  // records seen before (same sensor, quantity, time, value): not evaluated again
  std::uint64_t dead_letters = 0;
  std::uint64_t alerts_sent = 0;       // CAP alerts queued (Alert + Update)
  std::uint64_t incidents_opened = 0;
  std::uint64_t store_errors = 0;
  std::uint64_t outbox_pending = 0;
  std::uint64_t unit_mismatches = 0;
  std::uint64_t plan_evaluations = 0;  // (reading, plan) pairs evaluated: what the rule index selected
  std::uint64_t reports = 0;            // new incident reports evaluated (rejected ones are dead letters)
  std::uint64_t reports_duplicate = 0;  // reports sent again with a known id: answered, not evaluated again
  std::uint64_t incidents_resolved = 0;
  std::uint64_t alerts_held_back = 0;  // by another plan's inhibits: recorded, not sent
  std::uint64_t alerts_silenced = 0;   // by a coordinator's silence: recorded, not sent
  std::uint64_t alerts_damped = 0;     // of a flapping incident: recorded, not sent
  std::uint64_t reminders = 0;         // alerts sent again to an unacknowledged incident
  std::uint64_t escalations = 0;       // ladder steps carried out
  std::uint64_t notices = 0;           // messages to staff on staff/<id>/notices
  std::uint64_t assignments_offered = 0;
  std::uint64_t assignments_accepted = 0;
  std::uint64_t assignments_declined = 0;
  std::uint64_t assignments_unanswered = 0;
  std::uint64_t responses = 0;         // staff responses taken (rejected ones are dead letters)
};

struct PlanSummary {
  std::string id;
  std::string title;
  std::uint32_t version = 0;
  std::string label;  // the author's version label
  Time applied_at;
  std::vector<std::string> levels;
  std::vector<std::string> places;
};

class Core {
 public:
  using Post = std::function<void(std::function<void()>)>;
  Core(CoreOptions options, Clock& clock, Store& store, Transport& transport, Post post);
  // Cancels every timer the core has set on the clock (the clock may outlive it).
  ~Core();
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // Loads plans, registries, open incidents, counters and the outbox from the store.
  // A stored record that cannot be read is kCorruption: the engine must not start on
  // a store it misreads.
  Status open();

  // The MQTT topics the core needs (subscribe at QoS 1).
  std::vector<std::string> subscriptions() const;
  void on_message(const InboundMessage& message);
  // One reading of a registered sensor, already decoded: what on_message does for each
  // SenML record, without the JSON. For drills, whose inputs are generated (the SenML
  // round trip would be most of their cost). An unknown sensor is ignored (returns false).
  bool on_reading(std::string_view sensor_id, std::string_view quantity, std::string_view unit, double value, Time time);
  void on_connection(bool connected);

  // --- admin operations ---
  struct ApplyOutcome {
    std::uint32_t version = 0;
    bool unchanged = false;  // same text as the running version: no new version stored
  };
  // Checks and stores a plan and makes it live. On any problem nothing changes and
  // `diagnostics` (or the Status) says why.
  StatusOr<ApplyOutcome> apply_plan(std::string_view source, std::string_view file, Diagnostics& diagnostics);
  std::vector<PlanSummary> plans() const;
  // The running version (version 0) or a stored older one.
  StatusOr<StoredPlan> plan(std::string_view id, std::uint32_t version = 0);

  StatusOr<std::size_t> import_places(std::string_view text, std::string_view file, Diagnostics& diagnostics);
  StatusOr<std::size_t> import_sensors(std::string_view text, std::string_view file, Diagnostics& diagnostics);
  // The staff roster (docs/registries.md, "Staff roster"), all or nothing like the
  // other registries. Members without a time zone get the engine's.
  StatusOr<std::size_t> import_staff(std::string_view text, std::string_view file, Diagnostics& diagnostics);
  const sensors::PlaceRegistry& places() const { return places_; }
  const sensors::SensorRegistry& sensors() const { return sensors_; }
  const sensors::StaffRegistry& staff() const { return staff_; }
  // Takes a member out of the live roster without touching the store: a drill's
  // "away" or "sick" member.
  void withdraw_staff(std::string_view id);
  // Copies another core's registries (places, sensors, staff) into this one without
  // storing them: a live drill's core works on the live engine's community as it is
  // when the drill starts.
  void copy_registries(const Core& from);
  // The member's active assignments (offered, accepted, arrived).
  int active_assignments(std::string_view staff_id) const;

  std::vector<const Incident*> incidents() const;  // by id
  const Incident* incident(std::string_view id) const;
  // A coordinator acknowledges an open incident (kFailedPrecondition when it is not
  // open; kNotFound when there is none). `by` and `note` go into its timeline.
  Status acknowledge(std::string_view id, std::string_view by, std::string_view note);
  // A coordinator resolves an incident that is not resolved yet: CAP Cancel with
  // references to every earlier alert, timeline entry, retained state.
  Status resolve(std::string_view id, std::string_view by, std::string_view note);
  // The incident's timeline, oldest first: each entry is a JSON object with time_ms,
  // kind (opened, level_raised, level_lowered, acknowledged, resolved, reopened,
  // closed) and cause.
  StatusOr<std::vector<std::string>> timeline(std::string_view id);
  // The incident's assignments, oldest first.
  std::vector<const Assignment*> assignments(std::string_view incident) const;
  const Assignment* assignment(std::string_view id) const;
  // A coordinator assigns `staff` to `role` of an open incident by hand (no ranking,
  // no scope: the coordinator knows best), with the usual deadline. kNotFound for an
  // unknown incident or member; kFailedPrecondition when the incident is not open or
  // the member already has an assignment for it.
  StatusOr<std::string> assign(std::string_view incident, std::string_view role, std::string_view staff,
                               std::string_view by);

  // Silences (silence.h): created from an API request, listed, removed.
  StatusOr<std::string> add_silence(std::string_view request_json);
  Status remove_silence(std::string_view id, std::string_view by);
  std::vector<const Silence*> silences() const;

  CoreStats stats() const;
  // The core's clock: the wall clock live, virtual time in tests and drills.
  Time now() const { return clock_.now(); }
  bool store_healthy() const { return store_healthy_; }
  bool broker_connected() const { return connected_; }
  const CoreOptions& options() const { return options_; }

  // Topic helpers.
  std::string topic(std::string_view suffix) const { return options_.topic_prefix + "/" + std::string(suffix); }

 private:
  struct PendingMessage {
    OutboundMessage message;
    bool in_flight = false;
  };
  // One plan watching one place: the evaluation state of each of its levels (fed
  // every sample the plan reads at that place), the last reading, and the timer that
  // wakes it when a condition may change with no new reading ("for 30s", windows).
  struct Watch {
    PlacePath place;     // where it watches: the input's place cut to the plan's scope
    std::string sensor;  // scope: sensor only: the sensor it watches
    rules::Evaluator::StatePtr state;  // of LivePlan::evaluator: every level and the resolve rule
    // The latest reading of each (sensor, quantity) seen here, at most kRecentReadings:
    // an alert names the reading that met the condition, not merely the last one
    // (a clean detector may have reported after the smoking one).
    std::vector<sensors::Reading> recent;
    // Parallel to `recent`, what the watch knows of how each entry was taken in.
    struct Kept {
      // When (from next_order), so that ties go to the entry taken in first wherever it
      // sits: a full list's oldest entry is overwritten in place by a new (sensor,
      // quantity), not erased and appended (which moved up to 31 readings and allocated
      // their strings anew at every reading of a building with more sensors than entries).
      std::uint64_t order = 0;
      // The registry entry its place and kind were copied from and the routes_epoch_ then
      // (nullptr: not from the registry), so that the next reading of the same sensor
      // need not compare them again (see copy_reading()).
      const void* sensor = nullptr;
      std::uint64_t epoch = 0;
      bool same_source(const void* s, std::uint64_t e) const { return s != nullptr && sensor == s && epoch == e; }
    };
    std::vector<Kept> kept;
    std::uint64_t next_order = 0;
    // The reading received last (named when none in `recent` meets the condition): the
    // entry of `recent` it updated, or, for a reading older than its pair's entry (which
    // `recent` does not take) and for a watch that has had none (restored after a
    // restart), `late`.
    std::size_t last = 0;
    bool last_is_late = true;
    sensors::Reading late;
    const sensors::Reading& last_reading() const { return last_is_late ? late : recent[last]; }
    // Since when the resolve rule has held; `calm_seen`: it has held on its own since the
    // watch was created (a watch restored after a restart starts from the incident's
    // stored calm_since with blank condition state).
    std::optional<Time> calm_since;
    bool calm_seen = false;
    std::optional<Clock::TimerId> timer;
    Time timer_due;
    // open_incident_of()'s answer for this watch, good while open_epoch_ is still
    // `open_epoch` (0: never asked).
    std::uint64_t open_epoch = 0;
    const std::string* open = nullptr;
  };
  // String-keyed hash maps that are looked up by string_view, without building a key.
  using StringHash = lookout::StringHash;
  template <typename V>
  using StringMap = lookout::StringMap<V>;
  // The running version of one plan, compiled once when it is applied (or loaded): one
  // evaluator per level (parallel to the plan's levels) and its watches by place.
  struct LivePlan {
    const StoredPlan* stored = nullptr;  // in plans_
    // The plan's level conditions (parallel to the plan's levels) and, when the plan
    // resolves automatically, its resolve rule after them ("(WHEN)", or without WHEN
    // "(not (LEVEL1 or LEVEL2 ...))"; the core counts its FOR), compiled into one
    // evaluator: a reading is one observe and one step for all of them. Plans with the
    // same conditions and options (a library plan applied by many communities) share
    // one (evaluators_).
    std::shared_ptr<const rules::Evaluator> evaluator;
    std::size_t levels = 0;  // the evaluator's conditions 0 .. levels - 1
    bool resolver = false;   // the resolve rule is its condition `levels`
    Duration hold_for{};  // how long the resolver must hold (the core counts it: calm_since)
    StringMap<Watch> watches;  // watch key (Incident::watch) -> watch
    std::vector<std::pair<std::string, std::string>> index_keys;  // (quantity, prefix) it is indexed under
  };
  // A registered sensor's way to the watches its readings feed: for each quantity it has
  // sent that some plan reads, the (plan, watch) pairs the rule index gives for its
  // place, in plan id order. Found once, on the sensor's first reading of the
  // quantity, and kept until the plans or the sensor registry change (forget_routes()),
  // so a reading costs one lookup by sensor id instead of the registry lookup, the
  // index's prefix lookups, the pattern tests and the watch lookup.
  struct RouteTarget {
    LivePlan* plan = nullptr;
    Watch* watch = nullptr;            // a node of plan->watches: stays where it is
    const std::string* key = nullptr;  // its key there
    std::uint32_t quantity = rules::Evaluator::kNoQuantity;  // the route's in plan->evaluator (quantity_index())
  };
  struct Route {
    std::string quantity;
    std::uint32_t first = 0;  // its targets: SensorRoutes::targets[first, first + count)
    std::uint32_t count = 0;
  };
  struct SensorRoutes {
    const sensors::SensorInfo* sensor = nullptr;  // in sensors_
    std::vector<Route> routes;
    std::vector<RouteTarget> targets;
  };
  // The rule index. A reading at place P can only match a place pattern whose literal
  // prefix (the segments before the first wildcard) is P or one of P's ancestors, so
  // for each quantity the patterns are filed under their literal prefix and a reading
  // looks up at most P's depth + 1 prefixes, then tests only the patterns found there.
  struct IndexEntry {
    LivePlan* plan = nullptr;
    const PlacePattern* pattern = nullptr;  // in plan->stored->plan.places
  };
  struct QuantityIndex {
    StringMap<std::vector<IndexEntry>> by_prefix;  // literal prefix ("" for the root) -> entries
    std::uint32_t depths = 0;                      // bit d: some prefix here has d segments
  };

  void handle_readings(std::string_view sensor_id, const InboundMessage& message);
  void handle_sensor_status(std::string_view sensor_id, const InboundMessage& message);
  // An incident report (docs/reports.md): decoded, de-duplicated by id, evaluated as a
  // "#report:<category>" reading, stored, and answered with a receipt once stored.
  void handle_report(const InboundMessage& message);
  // A staff response on staff/<staff_id>/responses: only for the member's own
  // assignments; anything else is a dead letter with the reason.
  void handle_response(std::string_view staff_id, const InboundMessage& message);
  // The incidents open now at `place` for the plans that read `quantity` there, by
  // plan id (plans in id order).
  std::vector<std::pair<std::string, std::string>> open_incidents_reading(std::string_view quantity,
                                                                          const PlacePath& place) const;
  // Receipts for report `id`; sent only once the report is stored (or, when
  // rejected, at once: nothing is stored).
  std::string receipt_json(std::string_view id, std::string_view status, std::string_view incident,
                           std::string_view reason) const;
  // Writes a report's record with its receipt queued in the outbox, and sends the
  // receipt only if the write succeeded. Returns whether it did.
  bool store_report(const std::string& id, const std::string& record, const std::string& receipt);
  // Commits `batch` whose outbox entries from sequence `first_seq` on may be sent only
  // once it is stored: on a store failure they are dropped, not sent (unlike commit()).
  bool commit_or_drop(Batch& batch, std::uint64_t first_seq, std::string_view what);
  void dead_letter(const InboundMessage& message, std::string_view reason);
  // A numeric reading as evaluate() reads it: views of the sensor registry's and the
  // decoded record's strings, so nothing is copied for a reading no plan keeps.
  struct ReadingView {
    std::string_view sensor_id;
    const PlacePath* place = nullptr;
    std::string_view sensor_kind;
    std::string_view quantity;
    std::string_view unit;
    double value = 0;
    Time time{};
    // The registry entry `place` and `sensor_kind` belong to (a SensorInfo), nullptr
    // when they are not a registered sensor's (reports, drills' own readings).
    const void* source = nullptr;
  };
  static ReadingView view_of(const sensors::Reading& reading);
  // Copies a reading into one a watch keeps, assigning only the strings that differ.
  // `same_source`: `to` already has from's sensor id and quantity; `same_place`: and its
  // place and sensor kind (copied from the same registry entry since the registry last
  // changed), so not even comparing them is needed.
  static void copy_reading(sensors::Reading& to, const ReadingView& from, bool same_source = false,
                           bool same_place = false);
  // Feeds a reading to every watch it reaches, found through the rule index.
  void evaluate(const ReadingView& reading);
  // The same for a registered sensor's reading, through its routes (sensor_routes_).
  // It feeds the route's watches by pointer: nothing a reading sets off (check(),
  // raise(), resolving, staffing, commits) may apply a plan or change the sensor
  // registry, which would drop the routes and their watches under it.
  void evaluate_sensor(SensorRoutes& routes, const ReadingView& reading);
  // The sensor's routes, found by its id (one lookup for the registry and the routes);
  // nullptr when the sensor is not registered.
  SensorRoutes* routes_of(std::string_view sensor_id);
  // The plans whose place patterns match the reading's place and read its quantity,
  // into matched_, in plan id order, each once.
  void match_plans(const ReadingView& reading);
  // The plan's watch that `reading` feeds, created (with its evaluation state) on the
  // first reading there.
  StringMap<Watch>::iterator watch_for(LivePlan& live, const ReadingView& reading);
  // One reading for one watch: its evaluation, its kept readings, then check().
  // `quantity`: the sample's quantity_index() in live.evaluator.
  void feed(LivePlan& live, const std::string& key, Watch& watch, const ReadingView& reading,
            const rules::Sample& sample, Time now, std::uint32_t quantity);
  // Drops every sensor's routes and their table: the plans or the sensor registry
  // changed. Call it on every change of sensors_: the routes point at its entries, and
  // so do the kept readings' Watch::Source, which stop matching as routes_epoch_ moves
  // (an entry may have moved, or now be another sensor's).
  void forget_routes() {
    ++routes_epoch_;
    if (!sensor_routes_.empty()) StringMap<SensorRoutes>().swap(sensor_routes_);
  }
  std::uint64_t routes_epoch_ = 1;
  // Raises the most severe level whose condition holds, then re-arms the watch's timer.
  void check(LivePlan& live, const std::string& key, Watch& watch);
  // The plan's resolve rule for an open incident at the watch: counts how long it has
  // held (stored with the incident) and resolves the incident once it held long enough.
  void check_resolve(LivePlan& live, const std::string& key, Watch& watch);
  // Gives a new watch its evaluation states (and a restored resolve count).
  void init_watch(LivePlan& live, const std::string& key, Watch& watch, const PlacePath& place,
                  std::string_view sensor);
  void on_watch_timer(std::string_view plan_id, std::string_view key);
  // The watch an input at `place` from `sensor` feeds in a plan with `scope`: its key,
  // and the place it watches.
  static std::string watch_key(plans::Scope scope, const PlacePath& place, std::string_view sensor);
  // The registry attributes a watch's conditions read ("place.height_class": the place,
  // then its ancestors; "sensor.lives_alone": the watched sensor).
  rules::AttributeLookup attribute_lookup(const Watch& watch) const;
  // A parsed registry file: on any error, `diagnostics` and nothing changes; else every
  // record goes into `table` under key(record) in one batch, then to `apply`.
  template <typename T, typename Key, typename Apply>
  StatusOr<std::size_t> import_records(sensors::ImportResult<T> result, std::string_view what, Table table, Key key,
                                       Apply apply, Diagnostics& diagnostics);
  // Re-reads every watch's attributes after a registry import, and re-checks it.
  void refresh_attributes();
  // Compiles the running version of plan `id` (in plans_) and adds it to the index.
  void add_live(const std::string& id, const StoredPlan& stored);
  // The evaluator of `conditions` with `options`: the one compiled before when a plan
  // still uses it (evaluators_), else a new one.
  std::shared_ptr<const rules::Evaluator> shared_evaluator(const std::vector<rules::Condition>& conditions,
                                                           const rules::EvaluatorOptions& options);
  // Takes plan `id` out of the index and drops its evaluators, watches and timers.
  void drop_live(std::string_view id);
  // Opens, reopens or changes the level of the incident of (plan, watch key). A lower
  // level than the incident's is taken only when `current_holds` is false (the
  // incident's own level no longer holds).
  void raise(const StoredPlan& plan, const plans::LevelRule& rule, const std::string& key, const Watch& watch,
             bool current_holds);
  // The open incident (of another plan) whose `inhibits` holds back alerts of plan
  // `plan_id` at `place`, or nullptr.
  const Incident* inhibitor(std::string_view plan_id, const PlacePath& place) const;
  // Resolves an open incident: Cancel alert, timeline, retained state; then closes it
  // or keeps it reopenable for the plan's reopen_within.
  void resolve_incident(Incident& incident, std::string_view by, const std::string& cause);
  void close_incident(const std::string& id);
  void schedule_close(const Incident& incident, Time at);
  // The plan version an incident started with (versions are immutable): the running
  // one, or an older one read once from the store and kept. nullptr (logged) when it
  // cannot be read.
  const StoredPlan* incident_plan(const Incident& incident);
  void add_event(Batch& batch, const Incident& incident, std::string_view kind, const std::string& cause,
                 std::string_view alert = {});
  // Queues the incident's record and retained state in `batch`.
  void put_incident(Batch& batch, const Incident& incident);
  cap::Alert build_alert(const Incident& incident, const StoredPlan& plan, const plans::LevelRule& rule,
                         const std::string& msg_type, const sensors::Reading& reading) const;
  std::string incident_json(const Incident& incident) const;

  // --- response: alerts to audiences, staff, escalation (core_response.cpp) ---
  // Sends the level's alert of `incident` (msg_type Alert/Update/Cancel) to the
  // level's audiences: the public CAP alert on alerts/<place> for residents, a notice
  // with the alert to each coordinator or role member. The timeline gets entry `kind`
  // with `cause` and the CAP identifier first, then whom the notices reached. Returns
  // the CAP identifier.
  std::string send_alert(Batch& batch, Incident& incident, const StoredPlan& plan, const plans::LevelRule& rule,
                         const std::string& msg_type, const sensors::Reading& reading, const std::string& note,
                         std::string_view kind, const std::string& cause);
  // Sends a notice (JSON) to the staff an audience names at the incident's place, and
  // records whom in the timeline. Coordinators of a level with nobody in the roster are
  // looked for one level up. Returns the ids notified.
  std::vector<std::string> notify(Batch& batch, const Incident& incident, const plans::Audience& audience,
                                  std::string_view kind, const std::string& text, const std::string& alert_json);
  // The reading an incident was raised on, rebuilt from its record.
  static sensors::Reading trigger_of(const Incident& incident);
  // The level rule of `plan` for `level` (nullptr when the plan has none).
  static const plans::LevelRule* rule_for(const StoredPlan& plan, plans::Level level);
  // Why the incident's alerts may not be sent now: a silence or an inhibiting
  // incident ("" when nothing holds them back).
  std::string held_back_by(const Incident& incident, const StoredPlan& plan);
  // The staffing pass over the incidents short of staff (and `also`, an incident whose
  // needs just changed), most severe first, then oldest: each gets offers for its
  // level's roles not yet held.
  void staff_incidents(std::string_view also = {});
  // Returns whether the incident is still short of staff after its pass.
  bool staff_incident(Incident& incident);
  void offer(Batch& batch, Incident& incident, const StoredPlan& plan, const plans::LevelRule& rule,
             const std::string& role, const sensors::StaffMember& member, Duration respond_within,
             const std::string& why, std::string_view by);
  std::string assignment_json(const Assignment& a, const StoredPlan* plan, std::string_view status) const;
  void put_assignment(Batch& batch, const Assignment& a);
  void on_assignment_deadline(const std::string& id);
  // Releases every active assignment of the incident (it resolved).
  void release_assignments(Batch& batch, const Incident& incident, const std::string& cause);
  // (Re)arms the incident's escalation and reminder timers from its record.
  void arm_incident_timers(const Incident& incident);
  void cancel_incident_timers(const std::string& id);
  // The incident `id` while nobody has acknowledged it (open or responding): what the
  // ladder and the reminders act on; else nullptr.
  Incident* unacknowledged(const std::string& id);
  void on_escalation_timer(const std::string& id);
  void on_renotify_timer(const std::string& id);
  // Adds `message` to the outbox within `batch`; sent once the batch is committed.
  void enqueue(Batch& batch, OutboundMessage message);
  // Commits `batch` and sends what it queued. On a store failure the messages are
  // sent anyway (an alert matters more than its record) and the store marked degraded.
  void commit(Batch& batch, std::string_view what);
  void flush_outbox();
  void on_delivered(std::uint64_t seq, Status status);
  // A write failed: what it held is in memory only. Arms a timer that writes every
  // incident, assignment and silence and the counters again (resync()), until it works.
  void schedule_resync();
  void resync();
  void rebuild_index();
  Status load_plans();

  CoreOptions options_;
  Clock& clock_;
  Store& store_;
  Transport& transport_;
  Post post_;
  const date::time_zone* zone_;

  std::map<std::string, StoredPlan, std::less<>> plans_;
  std::map<std::pair<std::string, std::uint32_t>, StoredPlan> older_plans_;  // incident_plan()'s cache
  // plan id -> its compiled running version (node-based: IndexEntry points into it).
  std::map<std::string, LivePlan, std::less<>> live_;
  // quantity -> QuantityIndex: a reading costs work only for the plans that read its
  // quantity at a place pattern that can match its place.
  StringMap<QuantityIndex> index_;
  // Compiled evaluators by what they were compiled from (the conditions' canonical
  // texts and the options): an Evaluator is immutable, so plans that differ only in
  // places, alerts or staffing share one, and it stays in cache however many plans
  // use it. Expired entries are swept as plans are applied.
  std::map<std::string, std::weak_ptr<const rules::Evaluator>, std::less<>> evaluators_;
  std::vector<LivePlan*> matched_;     // match_plans()'s result: the plans one reading selects
  // Sensor id -> its routes; bounded by the registry and the quantities the plans read.
  StringMap<SensorRoutes> sensor_routes_;
  std::vector<sensors::SenmlRecord> records_scratch_;  // handle_readings()'s decoded records, reused
  // The last record taken from each (sensor, quantity): "<sensor>\x1f<quantity>" -> (time,
  // value). A QoS 1 redelivery (or a gateway's resend) of the same record is not counted
  // twice by a window. Bounded by the registry: one entry per sensor and quantity.
  StringMap<std::pair<Time, double>> last_record_;
  std::string record_key_;             // handle_readings()'s scratch key
  sensors::PlaceRegistry places_;
  sensors::SensorRegistry sensors_;
  sensors::StaffRegistry staff_;
  std::map<std::string, Incident, std::less<>> incidents_;
  // (plan id, watch key) maps, looked up by views per reading without copying either.
  struct PlanWatchLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      const std::string_view a1 = a.first, b1 = b.first;
      if (a1 != b1) return a1 < b1;
      return std::string_view(a.second) < std::string_view(b.second);
    }
  };
  using PlanWatchView = std::pair<std::string_view, std::string_view>;
  // Not noexcept on purpose: libstdc++ then keeps each node's hash, so a search that
  // misses (most readings' watches have no open incident) does not hash the keys of
  // the nodes it passes again (measured: about 500 instructions a reading at 10k open
  // incidents of another plan).
  struct PlanWatchHash {
    using is_transparent = void;
    template <typename P>
    std::size_t operator()(const P& p) const {
      const std::size_t a = std::hash<std::string_view>()(std::string_view(p.first));
      const std::size_t b = std::hash<std::string_view>()(std::string_view(p.second));
      return a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
    }
  };
  struct PlanWatchEqual {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::string_view(a.first) == std::string_view(b.first) &&
             std::string_view(a.second) == std::string_view(b.second);
    }
  };
  // Open incidents: (plan, watch key) -> incident, in order (a restart re-arms them in
  // this order; an inhibition walks one plan's), and the same hashed: every reading
  // asks whether its watch has one, and a tree of a storm's 100k incidents cost about
  // a microsecond a search. Changed only through mark_open() and mark_closed().
  std::map<std::pair<std::string, std::string>, std::string, PlanWatchLess> open_by_plan_place_;
  std::unordered_map<std::pair<std::string, std::string>, std::string, PlanWatchHash, PlanWatchEqual> open_index_;
  // Counts the changes to the open incidents: a watch's cached answer (Watch::open) is
  // good while this has not moved. (A value of open_index_ stays where it is until it is
  // erased, which moves it.)
  std::uint64_t open_epoch_ = 1;
  void mark_open(const std::string& plan, const std::string& watch, const std::string& incident) {
    open_by_plan_place_[{plan, watch}] = incident;
    open_index_[{plan, watch}] = incident;
    ++open_epoch_;
  }
  void mark_closed(const std::string& plan, const std::string& watch) {
    open_by_plan_place_.erase(std::make_pair(plan, watch));
    open_index_.erase(std::make_pair(plan, watch));
    ++open_epoch_;
  }
  // The id of the watch's open incident, nullptr when it has none.
  const std::string* open_incident(std::string_view plan, std::string_view watch) const {
    auto it = open_index_.find(PlanWatchView(plan, watch));
    return it == open_index_.end() ? nullptr : &it->second;
  }
  // The same for a watch of `plan` under `key`, asked at every reading: the watch keeps
  // the answer until an incident opens or closes anywhere, so a reading hashes neither
  // string in the common case (about 320 instructions a reading, two searches).
  const std::string* open_incident_of(std::string_view plan, std::string_view key, Watch& watch) const {
    if (watch.open_epoch != open_epoch_) {
      watch.open = open_incident(plan, key);
      watch.open_epoch = open_epoch_;
    }
    return watch.open;
  }
  // Resolved incidents that may still reopen: (plan, watch key) -> incident.
  std::map<std::pair<std::string, std::string>, std::string, PlanWatchLess> reopenable_;
  std::map<std::string, Clock::TimerId, std::less<>> close_timers_;  // incident -> its closing
  std::unordered_map<std::string, bool> sensor_online_;
  std::map<std::string, Assignment, std::less<>> assignments_;  // active ones, and recent ones (ranking)
  std::map<std::string, Clock::TimerId, std::less<>> assignment_timers_;  // offered -> its deadline
  std::map<std::string, Clock::TimerId, std::less<>> escalation_timers_;  // incident -> next ladder step
  std::map<std::string, Clock::TimerId, std::less<>> renotify_timers_;    // incident -> next reminder
  std::optional<Clock::TimerId> staffing_timer_;  // retry for roles nobody could fill
  bool staffing_ = false;                          // staff_incidents() is running
  std::set<std::string> understaffed_;             // open incidents that may need offers
  std::map<std::string, Silence, std::less<>> silences_;

  std::map<std::uint64_t, PendingMessage> outbox_;
  // The outbox entries to publish at the next flush (not in flight), by sequence: a
  // flush visits these only, not every entry still waiting for its acknowledgement (a
  // storm's thousands while the broker is slow or away made each commit walk them all).
  std::set<std::uint64_t> unsent_;
  std::uint64_t next_outbox_seq_ = 1;
  std::uint64_t next_incident_seq_ = 1;
  std::uint64_t next_event_seq_ = 1;
  std::uint64_t next_assignment_seq_ = 1;
  std::uint64_t next_silence_seq_ = 1;
  std::optional<Clock::TimerId> retry_timer_;
  std::optional<Clock::TimerId> resync_timer_;
  bool connected_ = false;
  bool store_healthy_ = true;
  CoreStats stats_;
  LogLimiter dead_letter_log_;
  // Reports evaluated whose record could not be stored (id -> record, receipt): a
  // resend retries the write without evaluating them again. Memory only, bounded.
  StringMap<std::pair<std::string, std::string>> unstored_reports_;
};

}  // namespace lookout::engine
