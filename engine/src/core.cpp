#include "lookout/engine/core.h"

#include <date/tz.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include "lookout/base/time_format.h"
#include "lookout/rules/units.h"
#include "core_internal.h"
#include "incident_record.h"

namespace lookout::engine {

using nlohmann::json;

namespace {

constexpr std::string_view kMetaIncidentSeq = "incident_seq";
constexpr std::string_view kMetaOutboxSeq = "outbox_seq";
constexpr std::string_view kMetaEventSeq = "event_seq";

using detail::dead_letter_record;
using detail::dump;
using detail::format_number;
using detail::from_ms;
using detail::to_ms;

// An incident's storage form, and reading it back fast: incident_record.cpp.
using detail::incident_from_store;
using detail::incident_to_store;

// `to = from`, without copying what is already equal: a watch keeps the last reading of
// each sensor and quantity, and the next one from the same sensor differs only in its
// value, time and perhaps unit (a PlacePath copy is its text and every segment).
// Whether reading `r` is evidence for `e`: it meets a comparison of `e` that is not
// under a "not" (a window comparison on its quantity counts as met).
bool supports(const rules::Expr& e, const sensors::Reading& r, bool negated = false) {
  auto meets = [&](const rules::Comparison& c) {
    if (c.quantity != r.quantity) return false;
    if (c.aggregate != rules::Aggregate::kLatest) return true;
    auto v = rules::convert(r.value, r.unit, c.unit);
    bool converted = !c.unit.empty() && !r.unit.empty() && r.unit != c.unit;
    return v && rules::satisfies(*v, c.op, c.threshold, converted);
  };
  switch (e.kind) {
    case rules::Expr::Kind::kCompare: return !negated && meets(e.compare);
    case rules::Expr::Kind::kSensors: return !negated && !e.sensors.offline && meets(e.sensors.compare);
    case rules::Expr::Kind::kNot: return supports(*e.children.front(), r, !negated);
    default: break;
  }
  for (const auto& child : e.children) {
    if (supports(*child, r, negated)) return true;
  }
  return false;
}

constexpr std::size_t kRecentReadings = 32;

}  // namespace

Core::Core(CoreOptions options, Clock& clock, Store& store, Transport& transport, Post post)
    : options_(std::move(options)),
      clock_(clock),
      store_(store),
      transport_(transport),
      post_(std::move(post)),
      zone_(options_.zone ? options_.zone : date::locate_zone("UTC")) {}

Core::~Core() {
  for (auto& [id, live] : live_) {
    for (auto& [key, watch] : live.watches) {
      if (watch.timer) clock_.cancel(*watch.timer);
    }
  }
  for (auto* timers : {&close_timers_, &assignment_timers_, &escalation_timers_, &renotify_timers_}) {
    for (auto& [id, timer] : *timers) clock_.cancel(timer);
  }
  if (retry_timer_) clock_.cancel(*retry_timer_);
  if (resync_timer_) clock_.cancel(*resync_timer_);
  if (staffing_timer_) clock_.cancel(*staffing_timer_);
}

std::vector<std::string> Core::subscriptions() const {
  return {topic("sensors/#"), topic("reports"), topic("staff/+/responses")};
}

// ---------------------------------------------------------------- start-up

Status Core::open() {
  auto read_counter = [&](std::string_view key, std::uint64_t& out) -> Status {
    auto v = store_.get(Table::kMeta, key);
    if (!v.is_ok()) return v.status();
    if (!v->has_value()) return Status::ok();
    auto& s = **v;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || p != s.data() + s.size()) return Status::corruption("meta " + std::string(key) + ": \"" + s + "\"");
    return Status::ok();
  };
  if (auto s = read_counter(kMetaIncidentSeq, next_incident_seq_); !s) return s;
  if (auto s = read_counter(kMetaOutboxSeq, next_outbox_seq_); !s) return s;
  if (auto s = read_counter(kMetaEventSeq, next_event_seq_); !s) return s;
  if (auto s = read_counter("assignment_seq", next_assignment_seq_); !s) return s;
  if (auto s = read_counter("silence_seq", next_silence_seq_); !s) return s;

  Status failure;
  auto fail = [&](Status s) {
    failure = std::move(s);
    return false;
  };
  auto s = store_.scan(Table::kPlaces, "", [&](std::string_view key, std::string_view value) {
    auto p = sensors::place_from_json(value);
    if (!p.is_ok()) return fail(p.status().with_context("stored place " + std::string(key)));
    places_.upsert(std::move(*p));
    return true;
  });
  if (!s) return s;
  if (!failure) return failure;
  s = store_.scan(Table::kSensors, "", [&](std::string_view key, std::string_view value) {
    auto p = sensors::sensor_from_json(value);
    if (!p.is_ok()) return fail(p.status().with_context("stored sensor " + std::string(key)));
    sensors_.upsert(std::move(*p));
    return true;
  });
  forget_routes();
  if (!s) return s;
  if (!failure) return failure;
  s = store_.scan(Table::kStaff, "", [&](std::string_view key, std::string_view value) {
    auto m = sensors::staff_from_json(value);
    if (!m.is_ok()) return fail(m.status().with_context("stored staff member " + std::string(key)));
    staff_.upsert(std::move(*m));
    return true;
  });
  if (!s) return s;
  if (!failure) return failure;
  if (auto ps = load_plans(); !ps) return ps;
  s = store_.scan(Table::kIncidents, "", [&](std::string_view key, std::string_view value) {
    auto in = incident_from_store(value);
    if (!in.is_ok()) return fail(in.status().with_context("stored incident " + std::string(key)));
    if (in->state == "open" || in->state == "acknowledged" || in->state == "responding") {
      mark_open(in->plan_id, in->watch, in->id);
    }
    // The table is read in key (= id) order: each goes last, without a search.
    incidents_.emplace_hint(incidents_.end(), in->id, std::move(*in));
    return true;
  });
  if (!s) return s;
  if (!failure) return failure;
  // Resolved incidents may still reopen for their plan's reopen_within; after it they close.
  std::vector<std::string> to_close;
  for (auto& [id, in] : incidents_) {
    if (in.state != "resolved") continue;
    const auto* plan = incident_plan(in);
    auto window = plan ? plan->plan.reopen_within : std::nullopt;
    if (window && in.resolved_at + *window > clock_.now()) {
      reopenable_[{in.plan_id, in.watch}] = id;
      schedule_close(in, in.resolved_at + *window);
    } else {
      to_close.push_back(id);
    }
  }
  for (const auto& id : to_close) close_incident(id);
  // Assignments: the active ones (their deadlines re-armed with the time left) and the
  // recent ones ("fewest recent assignments" counts them); older ones stay stored only.
  const auto now = clock_.now();
  s = store_.scan(Table::kAssignments, "", [&](std::string_view key, std::string_view value) {
    auto a = detail::assignment_from_store(value);
    if (!a.is_ok()) return fail(a.status().with_context("stored assignment " + std::string(key)));
    if (a->active() || a->offered_at + options_.recent_assignments_window > now) {
      if (a->state == "offered") {
        assignment_timers_[a->id] = clock_.schedule_at(a->respond_by, [this, id = a->id] { on_assignment_deadline(id); });
      }
      assignments_.emplace(a->id, std::move(*a));
    }
    return true;
  });
  if (!s) return s;
  if (!failure) return failure;
  s = store_.scan(Table::kSilences, "", [&](std::string_view key, std::string_view value) {
    auto silence = silence_from_json(value);
    if (!silence.is_ok()) return fail(silence.status().with_context("stored silence " + std::string(key)));
    silences_.emplace(silence->id, std::move(*silence));
    return true;
  });
  if (!s) return s;
  if (!failure) return failure;
  // Escalation ladders and reminders go on where they were, with the time they had
  // left (a step already due fires at once); staffing resumes once the engine runs.
  for (const auto& [key, id] : open_by_plan_place_) arm_incident_timers(incidents_.at(id));
  // An open incident whose resolve rule was counting: its watch comes back now (not at
  // the next reading), so the rule resolves it on time even if no reading comes.
  for (const auto& [key, id] : open_by_plan_place_) {
    const Incident& in = incidents_.at(id);
    auto live = live_.find(key.first);
    if (in.calm_since == Time{} || live == live_.end() || !live->second.resolver) continue;
    auto [it, created] = live->second.watches.try_emplace(key.second);
    if (!created) continue;
    const auto hash = key.second.find('#');
    init_watch(live->second, it->first, it->second, in.place,
               hash == std::string::npos ? std::string_view() : std::string_view(key.second).substr(hash + 1));
    it->second.timer_due = in.calm_since + live->second.hold_for;
    it->second.timer = clock_.schedule_at(it->second.timer_due, [this, plan = key.first, watch = key.second] {
      on_watch_timer(plan, watch);
    });
  }
  for (const auto& [key, id] : open_by_plan_place_) understaffed_.insert(id);
  if (!open_by_plan_place_.empty()) {
    staffing_timer_ = clock_.schedule_after(Duration::zero(), [this] {
      staffing_timer_.reset();
      staff_incidents();
    });
  }
  s = store_.scan(Table::kOutbox, "", [&](std::string_view key, std::string_view value) {
    std::uint64_t seq = 0;
    std::from_chars(key.data(), key.data() + key.size(), seq);
    try {
      auto j = json::parse(value);
      OutboundMessage m{j.at("topic").get<std::string>(), j.at("payload").get<std::string>(), j.at("qos").get<int>(),
                        j.at("retained").get<bool>()};
      outbox_.emplace(seq, PendingMessage{std::move(m), false});
      unsent_.insert(seq);
    } catch (const std::exception& e) {
      return fail(Status::corruption("stored outbox entry " + std::string(key) + ": " + e.what()));
    }
    return true;
  });
  if (!s) return s;
  if (!failure) return failure;
  spdlog::info(
      "store: {} plans, {} places, {} sensors, {} staff, {} incidents ({} open), {} assignments in play, {} silences, "
      "{} messages waiting in the outbox",
      plans_.size(), places_.size(), sensors_.size(), staff_.size(), incidents_.size(), open_by_plan_place_.size(),
      assignments_.size(), silences_.size(), outbox_.size());
  return Status::ok();
}

Status Core::load_plans() {
  std::vector<std::pair<std::string, std::uint32_t>> current;
  Status failure;
  auto s = store_.scan(Table::kPlans, "", [&](std::string_view key, std::string_view value) {
    try {
      auto j = json::parse(value);
      current.emplace_back(std::string(key), j.at("version").get<std::uint32_t>());
    } catch (const std::exception& e) {
      failure = Status::corruption("stored plan " + std::string(key) + ": " + e.what());
      return false;
    }
    return true;
  });
  if (!s) return s;
  if (!failure) return failure;
  for (const auto& [id, version] : current) {
    auto p = plan(id, version);
    if (!p.is_ok()) return p.status();
    plans_.insert_or_assign(id, std::move(*p));
  }
  rebuild_index();
  return Status::ok();
}

void Core::rebuild_index() {
  forget_routes();
  for (auto& [id, live] : live_) {
    for (auto& [place, watch] : live.watches) {
      if (watch.timer) clock_.cancel(*watch.timer);
    }
  }
  live_.clear();
  index_.clear();
  for (const auto& [id, sp] : plans_) add_live(id, sp);
}

void Core::add_live(const std::string& id, const StoredPlan& sp) {
  rules::EvaluatorOptions eo;
  eo.max_value_age = options_.value_max_age;
  eo.max_window_samples = options_.max_window_samples;
  // Calendar conditions ("during 22:00-06:00") read the plan's own time zone; the
  // loader has checked the name, so this only falls back to UTC on a host without it.
  auto zone = find_time_zone(sp.plan.time_zone);
  eo.time_zone = zone.is_ok() ? *zone : nullptr;
  forget_routes();
  auto& live = live_[id];
  live.stored = &sp;
  // Compiled once per plan version (apply_plan drops the old version's).
  std::vector<rules::Condition> conditions;
  for (const auto& rule : sp.plan.levels) conditions.push_back(rule.condition);
  live.levels = conditions.size();
  if (const auto& r = sp.plan.resolve; r.automatic) {
    // WHEN, or "not (L1 or L2 ...)": the canonical texts parse back to the same
    // conditions, so the resolver is compiled like any condition. Its "for FOR" is
    // counted by the core (check_resolve), so that a restart keeps what was counted.
    std::string calm;
    if (r.condition) {
      calm = "(" + r.condition->to_string() + ")";
    } else {
      for (const auto& rule : sp.plan.levels) calm += (calm.empty() ? "" : " or ") + ("(" + rule.condition.to_string() + ")");
      calm = "(not (" + calm + "))";
    }
    auto parsed = rules::Condition::parse(calm);
    if (auto* c = std::get_if<rules::Condition>(&parsed)) {
      conditions.push_back(*c);
      live.resolver = true;
      live.hold_for = r.hold_for;
    } else {
      spdlog::error("plan {}: its resolve rule does not compile ({}); incidents are resolved by hand", id,
                    std::get<rules::ParseError>(parsed).message);
    }
  }
  live.evaluator = shared_evaluator(conditions, eo);
  // Every quantity the levels or the resolve rule read (a resolve rule may read one no
  // level does: "resolve when temperature < 30 Cel" for a smoke plan).
  std::set<std::string> quantities;
  for (const auto& condition : conditions) {
    for (const auto& q : condition.quantities()) quantities.insert(q);
  }
  for (const auto& q : quantities) {
    auto& qi = index_[q];
    for (const auto& pattern : sp.plan.places) {
      auto prefix = pattern.literal_prefix();
      qi.by_prefix[prefix.str()].push_back(IndexEntry{&live, &pattern});
      qi.depths |= 1u << prefix.depth();
      live.index_keys.emplace_back(q, prefix.str());
    }
  }
}

std::shared_ptr<const rules::Evaluator> Core::shared_evaluator(const std::vector<rules::Condition>& conditions,
                                                               const rules::EvaluatorOptions& options) {
  // Every option is in the key below: an option added to EvaluatorOptions must be too.
  static_assert(sizeof(rules::EvaluatorOptions) == 4 * 8, "a new evaluator option must join the key");
  // Each part with its length first, so that no two different inputs give one key.
  std::string key;
  auto add = [&key](std::string_view part) {
    key += std::to_string(part.size());
    key += ':';
    key += part;
  };
  add(std::to_string(options.max_value_age.count()));
  add(std::to_string(options.max_window_samples));
  add(std::to_string(options.max_sensors));
  add(options.time_zone != nullptr ? options.time_zone->name() : std::string());
  for (const auto& c : conditions) add(c.to_string());
  auto it = evaluators_.find(key);
  if (it != evaluators_.end()) {
    if (auto shared = it->second.lock()) return shared;
  }
  auto made = std::make_shared<const rules::Evaluator>(conditions, options);
  if (evaluators_.size() >= 2 * live_.size() + 16) {
    std::erase_if(evaluators_, [](const auto& entry) { return entry.second.expired(); });
  }
  evaluators_.insert_or_assign(std::move(key), made);
  return made;
}

void Core::drop_live(std::string_view id) {
  auto it = live_.find(id);
  if (it == live_.end()) return;
  forget_routes();  // they point at its watches
  auto& live = it->second;
  for (auto& [place, watch] : live.watches) {
    if (watch.timer) clock_.cancel(*watch.timer);
  }
  for (const auto& [q, prefix] : live.index_keys) {
    auto qi = index_.find(q);
    if (qi == index_.end()) continue;
    auto& by_prefix = qi->second.by_prefix;
    if (auto bucket = by_prefix.find(prefix); bucket != by_prefix.end()) {
      std::erase_if(bucket->second, [&](const IndexEntry& e) { return e.plan == &live; });
      if (bucket->second.empty()) by_prefix.erase(bucket);
    }
    if (by_prefix.empty()) {
      index_.erase(qi);
      continue;
    }
    qi->second.depths = 0;
    for (const auto& [p, entries] : by_prefix) {
      auto depth = p.empty() ? 0 : std::count(p.begin(), p.end(), '/') + 1;
      qi->second.depths |= 1u << depth;
    }
  }
  live_.erase(it);
}

// ---------------------------------------------------------------- inbound

void Core::on_message(const InboundMessage& message) {
  ++stats_.messages;
  const std::string& prefix = options_.topic_prefix;
  std::string_view topic_text = message.topic;
  if (!topic_text.starts_with(prefix) || topic_text.substr(prefix.size(), 1) != "/") {
    dead_letter(message, "topic is outside the engine's prefix " + options_.topic_prefix);
    return;
  }
  if (const auto size = std::max(message.payload.size(), message.original_size); size > options_.max_payload_bytes) {
    dead_letter(message, "payload of " + std::to_string(size) + " bytes exceeds the limit of " +
                             std::to_string(options_.max_payload_bytes));
    return;
  }
  // sensors/<id> or sensors/<id>/status; anything else is not an input.
  std::string_view rest = topic_text.substr(prefix.size() + 1);
  constexpr std::string_view kSensors = "sensors/";
  if (rest.starts_with(kSensors)) {
    rest.remove_prefix(kSensors.size());
    auto slash = rest.find('/');
    std::string_view id = rest.substr(0, slash);
    bool status = slash != std::string_view::npos;
    if (!status || rest.substr(slash + 1) == "status") {
      if (!sensors::is_valid_sensor_id(id)) {
        dead_letter(message, "sensor id in the topic is not [A-Za-z0-9_.-]{1,64}");
        return;
      }
      if (status) {
        handle_sensor_status(id, message);
      } else {
        handle_readings(id, message);
      }
      return;
    }
  }
  if (rest == "reports") {
    handle_report(message);
    return;
  }
  // staff/<id>/responses
  constexpr std::string_view kStaff = "staff/";
  constexpr std::string_view kResponses = "/responses";
  if (rest.starts_with(kStaff) && rest.ends_with(kResponses) && rest.size() > kStaff.size() + kResponses.size()) {
    std::string_view id = rest.substr(kStaff.size(), rest.size() - kStaff.size() - kResponses.size());
    if (!sensors::is_valid_sensor_id(id)) {
      dead_letter(message, "staff id in the topic is not [A-Za-z0-9_.-]{1,64}");
      return;
    }
    handle_response(id, message);
    return;
  }
  dead_letter(message, "no input is accepted on this topic");
}

void Core::handle_readings(std::string_view sensor_id, const InboundMessage& message) {
  SensorRoutes* routes = routes_of(sensor_id);
  if (!routes) {
    dead_letter(message, "unknown sensor \"" + std::string(sensor_id) + "\": not in the sensor registry");
    return;
  }
  auto& records = records_scratch_;
  if (Status st = sensors::decode_senml_into(message.payload, clock_.now(), records, options_.senml_limits); !st) {
    dead_letter(message, "SenML: " + st.message());
    return;
  }
  const sensors::SensorInfo* sensor = routes->sensor;
  ReadingView reading;
  reading.sensor_id = sensor->id;
  reading.place = &sensor->place;
  reading.sensor_kind = sensor->kind;
  reading.source = sensor;
  for (const auto& r : records) {
    if (r.value) {
      reading.value = *r.value;
    } else if (r.bool_value) {
      reading.value = *r.bool_value ? 1.0 : 0.0;
    } else if (r.string_value) {
      ++stats_.readings;  // a text value: counted, but no condition reads text
      continue;
    } else {
      continue;  // a sum or data value alone: nothing a threshold reads
    }
    reading.quantity = r.quantity();
    reading.unit = r.unit;
    reading.time = r.time;
    // The same record again (QoS 1 redelivers what the engine took but had not
    // acknowledged when it stopped; gateways resend): once is enough.
    record_key_.assign(sensor->id).push_back('\x1f');
    record_key_.append(reading.quantity);
    auto last = last_record_.find(std::string_view(record_key_));
    if (last != last_record_.end() && last->second.first == reading.time && last->second.second == reading.value) {
      ++stats_.readings_duplicate;
      continue;
    }
    if (last == last_record_.end()) {
      last_record_.emplace(record_key_, std::pair{reading.time, reading.value});
    } else {
      last->second = {reading.time, reading.value};
    }
    ++stats_.readings;
    evaluate_sensor(*routes, reading);
  }
}

bool Core::on_reading(std::string_view sensor_id, std::string_view quantity, std::string_view unit, double value,
                      Time time) {
  SensorRoutes* routes = routes_of(sensor_id);
  if (routes == nullptr) return false;
  ++stats_.messages;
  ++stats_.readings;
  const sensors::SensorInfo& sensor = *routes->sensor;
  evaluate_sensor(*routes, ReadingView{sensor.id, &sensor.place, sensor.kind, quantity, unit, value, time, &sensor});
  return true;
}

void Core::handle_sensor_status(std::string_view sensor_id, const InboundMessage& message) {
  if (message.payload != "online" && message.payload != "offline") {
    dead_letter(message, "sensor status must be \"online\" or \"offline\"");
    return;
  }
  if (!sensors_.find(sensor_id)) {
    dead_letter(message, "unknown sensor \"" + std::string(sensor_id) + "\": not in the sensor registry");
    return;
  }
  const bool online = message.payload == "online";
  sensor_online_[std::string(sensor_id)] = online;
  // offline(KIND) reads a sensor's status as a sample of status_key(KIND): 1 offline.
  const auto* sensor = sensors_.find(sensor_id);
  sensors::Reading reading;
  reading.sensor_id = sensor->id;
  reading.place = sensor->place;
  reading.sensor_kind = sensor->kind;
  reading.quantity = rules::status_key(sensor->kind);
  reading.value = online ? 0 : 1;
  reading.time = clock_.now();
  evaluate(view_of(reading));
}

void Core::handle_report(const InboundMessage& message) {
  const auto now = clock_.now();
  auto decoded = sensors::decode_report(message.payload, now, options_.report_limits);
  const std::string& id = decoded.id;  // empty when the payload has no valid id

  // One id is one report: a copy of a stored report is answered with the receipt the
  // report got, whatever the copy holds, and not evaluated again.
  if (!id.empty()) {
    auto stored = store_.get(Table::kReports, id);
    if (!stored.is_ok()) {
      ++stats_.store_errors;
      if (store_healthy_) spdlog::error("store: reading report {} failed: {}", id, stored.status().to_string());
      store_healthy_ = false;
      schedule_resync();
      // Unknown whether it is a copy: it is taken as new (its receipt waits for the store).
    } else if (stored->has_value()) {
      try {
        auto record = json::parse(**stored);
        auto receipt =
            receipt_json(id, record.at("status").get<std::string>(), record.at("incident").get<std::string>(), "");
        ++stats_.reports_duplicate;
        spdlog::debug("report {} again: answered with its receipt", id);
        transport_.publish(OutboundMessage{topic("receipts/" + id), std::move(receipt), 1, false}, nullptr);
        return;
      } catch (const std::exception& e) {
        spdlog::error("store: the record of report {} cannot be read ({}); taking the report as new", id, e.what());
      }
    } else if (auto unstored = unstored_reports_.find(id); unstored != unstored_reports_.end()) {
      // Evaluated already, but its record was not stored: store it now, and only then
      // send the receipt. Not evaluated again.
      ++stats_.reports_duplicate;
      if (store_report(id, unstored->second.first, unstored->second.second)) unstored_reports_.erase(unstored);
      return;
    }
  }

  if (!decoded.ok()) {
    const std::string& reason = decoded.status.message();
    dead_letter(message, reason);
    // Nothing is stored for a rejected report: its receipt goes at once.
    if (!id.empty()) {
      transport_.publish(OutboundMessage{topic("receipts/" + id), receipt_json(id, "rejected", "", reason), 1, false},
                         nullptr);
    }
    return;
  }

  // A report is a reading of "#report:<category>" at its place (the key the rule
  // language's reports(CATEGORY, T) reads; a SenML name never starts with '#').
  const auto& report = *decoded.report;
  sensors::Reading reading;
  reading.sensor_id = report.id;
  reading.place = report.place;
  reading.sensor_kind = "report";
  reading.quantity = rules::report_key(report.category);
  reading.value = 1;
  reading.time = std::min(report.time, now);  // a little ahead (clock skew) counts as now
  ++stats_.reports;
  auto before = open_incidents_reading(reading.quantity, reading.place);
  evaluate(view_of(reading));
  auto after = open_incidents_reading(reading.quantity, reading.place);

  // The incident it belongs to: the open incident of the first plan (by id) reading
  // reports of this category here; "merged" when that incident was open before.
  std::string status = "accepted";
  std::string incident;
  if (!after.empty()) {
    incident = after.front().second;
    for (const auto& [plan_id, open_id] : before) {
      if (open_id == incident) status = "merged";
    }
  }
  json record = {{"id", report.id},
                 {"category", report.category},
                 {"place", report.place.str()},
                 {"source", report.source},
                 {"reporter", report.reporter},
                 {"description", report.description},
                 {"time_ms", to_ms(report.time)},
                 {"time_given", report.time_given},
                 {"received_ms", to_ms(now)},
                 {"status", status},
                 {"incident", incident}};
  spdlog::info("report {}: {} at {} from {}: {}{}", report.id, report.category, report.place.str(), report.source,
               status, incident.empty() ? "" : " (" + incident + ")");
  auto receipt = receipt_json(report.id, status, incident, "");
  auto stored_record = dump(record);
  if (!store_report(report.id, stored_record, receipt)) {
    // The sender gets no receipt and sends it again: then only the write is retried.
    constexpr std::size_t kMaxUnstoredReports = 1024;
    if (unstored_reports_.size() < kMaxUnstoredReports) {
      unstored_reports_.insert_or_assign(report.id, std::make_pair(std::move(stored_record), std::move(receipt)));
    }
  }
}

std::vector<std::pair<std::string, std::string>> Core::open_incidents_reading(std::string_view quantity,
                                                                              const PlacePath& place) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [plan_id, live] : live_) {
    bool reads = std::any_of(live.index_keys.begin(), live.index_keys.end(),
                             [&](const auto& key) { return key.first == quantity; });
    if (!reads) continue;
    const auto& patterns = live.stored->plan.places;
    bool here = std::any_of(patterns.begin(), patterns.end(), [&](const PlacePattern& p) { return p.matches(place); });
    if (!here) continue;
    // Plans with scope: sensor never read reports (the loader refuses it).
    const auto key = watch_key(live.stored->plan.scope, place, {});
    if (const std::string* open = open_incident(plan_id, key)) out.emplace_back(plan_id, *open);
  }
  return out;
}

std::string Core::receipt_json(std::string_view id, std::string_view status, std::string_view incident,
                               std::string_view reason) const {
  return dump({{"report", id}, {"status", status}, {"incident", incident}, {"reason", reason}});
}

bool Core::store_report(const std::string& id, const std::string& record, const std::string& receipt) {
  Batch batch;
  batch.put(Table::kReports, id, record);
  const std::uint64_t first_seq = next_outbox_seq_;
  enqueue(batch, OutboundMessage{topic("receipts/" + id), receipt, 1, false});
  return commit_or_drop(batch, first_seq, "report " + id);
}

void Core::dead_letter(const InboundMessage& message, std::string_view reason) {
  ++stats_.dead_letters;
  auto record = dead_letter_record(message.topic, message.payload, reason, options_.dead_letter_payload_bytes,
                                   format_cap_time(clock_.now(), zone_), message.original_size);
  // QoS 0: a dead letter is a diagnostic record, and under a flood of bad input waiting
  // for the broker's acknowledgement of each one (and Paho's bookkeeping of a thousand
  // in flight) made the engine dead-letter five times slower, so that a real alarm queued
  // behind the flood went out seconds late (docs/benchmarks.md, "Flood").
  transport_.publish(OutboundMessage{topic("deadletter"), std::move(record), 0, false}, nullptr);
  // Rate-limited: one line per second at most, with a count of what was not logged.
  if (auto held = dead_letter_log_.allow(clock_.now())) {
    spdlog::warn("dead letter: {} on {}{}", reason, message.topic,
                 *held ? fmt::format(" ({} more not logged)", *held) : "");
  }
}

// ---------------------------------------------------------------- evaluation

Core::ReadingView Core::view_of(const sensors::Reading& reading) {
  return ReadingView{reading.sensor_id, &reading.place, reading.sensor_kind, reading.quantity,
                     reading.unit,      reading.value,  reading.time};
}

// A watch's kept readings are assigned only the strings that differ: they keep their
// capacity, so keeping a reading costs no allocation once they have grown.
void Core::copy_reading(sensors::Reading& to, const ReadingView& from, bool same_source, bool same_place) {
  if (!same_source) {
    if (to.sensor_id != from.sensor_id) to.sensor_id = from.sensor_id;
    if (to.quantity != from.quantity) to.quantity = from.quantity;
  }
  if (!same_place) {
    // (A place's text is usually longer than a string keeps in itself: comparing it
    // reads two more cache lines, the registry's and the kept copy's.)
    if (!(to.place == *from.place)) to.place = *from.place;
    if (to.sensor_kind != from.sensor_kind) to.sensor_kind = from.sensor_kind;
  }
  if (to.unit != from.unit) to.unit = from.unit;
  to.value = from.value;
  to.text.reset();
  to.time = from.time;
}

void Core::match_plans(const ReadingView& reading) {
  matched_.clear();
  auto q = index_.find(reading.quantity);
  if (q == index_.end()) return;
  const auto& qi = q->second;
  // The plans whose patterns match: look up each prefix of the place that some pattern
  // of this quantity is filed under (the root, then one segment, two, ...).
  std::string_view path = reading.place->str();
  const auto& segments = reading.place->segments();
  std::size_t end = 0;  // path.substr(0, end) is the prefix of d segments
  for (std::size_t d = 0;; ++d) {
    if (qi.depths & (1u << d)) {
      if (auto bucket = qi.by_prefix.find(path.substr(0, end)); bucket != qi.by_prefix.end()) {
        for (const auto& e : bucket->second) {
          if (e.pattern->matches(*reading.place)) matched_.push_back(e.plan);
        }
      }
    }
    if (d == segments.size() || (qi.depths >> (d + 1)) == 0) break;  // no deeper bucket to look in
    end = (d == 0 ? 0 : end + 1) + segments[d].size();  // the next segment, after its '/'
  }
  if (matched_.size() > 1) {
    // Once each (a plan may match by several patterns), in plan id order.
    std::sort(matched_.begin(), matched_.end(),
              [](const LivePlan* a, const LivePlan* b) { return a->stored->plan.id < b->stored->plan.id; });
    matched_.erase(std::unique(matched_.begin(), matched_.end()), matched_.end());
  }
}

Core::StringMap<Core::Watch>::iterator Core::watch_for(LivePlan& live, const ReadingView& reading) {
  const plans::Scope scope = live.stored->plan.scope;
  auto [it, created] = scope == plans::Scope::kPlace
                           ? live.watches.try_emplace(reading.place->str())
                           : live.watches.try_emplace(watch_key(scope, *reading.place, reading.sensor_id));
  if (created) {
    init_watch(live, it->first, it->second, plans::scope_place(scope, *reading.place),
               scope == plans::Scope::kSensor ? reading.sensor_id : std::string_view());
  }
  return it;
}

void Core::evaluate(const ReadingView& reading) {
  match_plans(reading);
  if (matched_.empty()) return;
  const auto now = clock_.now();
  const rules::Sample sample{reading.quantity, reading.value, reading.unit, reading.time, reading.sensor_id};
  for (LivePlan* live : matched_) {
    auto it = watch_for(*live, reading);
    feed(*live, it->first, it->second, reading, sample, now, live->evaluator->quantity_index(reading.quantity));
  }
}

Core::SensorRoutes* Core::routes_of(std::string_view sensor_id) {
  if (auto it = sensor_routes_.find(sensor_id); it != sensor_routes_.end()) return &it->second;
  const auto* sensor = sensors_.find(sensor_id);
  if (sensor == nullptr) return nullptr;  // not kept: an unknown id costs no memory
  auto& routes = sensor_routes_[sensor->id];
  routes.sensor = sensor;
  return &routes;
}

void Core::evaluate_sensor(SensorRoutes& routes, const ReadingView& reading) {
  const Route* route = nullptr;
  for (const auto& r : routes.routes) {
    if (r.quantity == reading.quantity) {
      route = &r;
      break;
    }
  }
  if (route == nullptr) {
    // The first reading of this quantity: find its plans and their watches once. A
    // quantity no plan reads is not kept (a sensor may send any names).
    if (index_.find(reading.quantity) == index_.end()) return;
    match_plans(reading);
    Route r{std::string(reading.quantity), static_cast<std::uint32_t>(routes.targets.size()),
            static_cast<std::uint32_t>(matched_.size())};
    for (LivePlan* live : matched_) {
      auto it = watch_for(*live, reading);
      routes.targets.push_back(RouteTarget{live, &it->second, &it->first, live->evaluator->quantity_index(reading.quantity)});
    }
    route = &routes.routes.emplace_back(std::move(r));
  }
  if (route->count == 0) return;
  const auto now = clock_.now();
  const rules::Sample sample{reading.quantity, reading.value, reading.unit, reading.time, reading.sensor_id};
  // By index: feeding never changes the routes (only plan and registry changes do).
  for (std::uint32_t i = route->first; i < route->first + route->count; ++i) {
    const RouteTarget& t = routes.targets[i];
    feed(*t.plan, *t.key, *t.watch, reading, sample, now, t.quantity);
  }
}

void Core::feed(LivePlan& live, const std::string& key, Watch& watch, const ReadingView& reading,
                const rules::Sample& sample, Time now, std::uint32_t quantity) {
  ++stats_.plan_evaluations;
  live.evaluator->observe(*watch.state, sample, now, quantity);
  auto same = std::find_if(watch.recent.begin(), watch.recent.end(), [&](const sensors::Reading& r) {
    return r.sensor_id == reading.sensor_id && r.quantity == reading.quantity;
  });
  watch.last_is_late = false;
  if (same != watch.recent.end()) {
    const auto i = static_cast<std::size_t>(same - watch.recent.begin());
    if (same->time <= reading.time) {
      Watch::Kept& k = watch.kept[i];
      copy_reading(*same, reading, true, k.same_source(reading.source, routes_epoch_));
      k.sensor = reading.source;
      k.epoch = routes_epoch_;
    } else {
      copy_reading(watch.late, reading);
      watch.last_is_late = true;
    }
    watch.last = i;
  } else if (watch.recent.size() < kRecentReadings) {
    copy_reading(watch.recent.emplace_back(), reading);
    watch.kept.push_back({watch.next_order++, reading.source, routes_epoch_});
    watch.last = watch.recent.size() - 1;
  } else {
    // Full: the oldest reading (by time, then by when it was taken in) makes room.
    std::size_t oldest = 0;
    for (std::size_t i = 1; i < watch.recent.size(); ++i) {
      const auto& r = watch.recent[i];
      const auto& o = watch.recent[oldest];
      if (r.time < o.time || (r.time == o.time && watch.kept[i].order < watch.kept[oldest].order)) oldest = i;
    }
    copy_reading(watch.recent[oldest], reading);
    watch.kept[oldest] = {watch.next_order++, reading.source, routes_epoch_};
    watch.last = oldest;
  }
  check(live, key, watch);
}

std::string Core::watch_key(plans::Scope scope, const PlacePath& place, std::string_view sensor) {
  if (scope == plans::Scope::kSensor) return place.str() + "#" + std::string(sensor);
  return plans::scope_place(scope, place).str();
}

rules::AttributeLookup Core::attribute_lookup(const Watch& watch) const {
  return [this, &watch](rules::Attribute::Target target, std::string_view name) -> std::optional<std::string> {
    if (target == rules::Attribute::Target::kSensor) {
      const auto* sensor = sensors_.find(watch.sensor);
      if (sensor == nullptr) return std::nullopt;
      auto it = sensor->attributes.find(std::string(name));
      if (it == sensor->attributes.end()) return std::nullopt;
      return it->second;
    }
    // The place, then its ancestors: a community's attribute holds for its buildings.
    for (PlacePath p = watch.place;; p = p.parent()) {
      if (const auto* info = places_.find(p)) {
        if (auto it = info->attributes.find(std::string(name)); it != info->attributes.end()) return it->second;
      }
      if (p.depth() == 0) return std::nullopt;
    }
  };
}

void Core::refresh_attributes() {
  const auto now = clock_.now();
  for (auto& [id, live] : live_) {
    for (auto& [key, watch] : live.watches) {
      // The change happens now: a "for" over an attribute counts from here. (advance()
      // only matters to a State that has not stepped yet.)
      live.evaluator->set_attributes(*watch.state, attribute_lookup(watch), now);
      live.evaluator->advance(*watch.state, now);
      check(live, key, watch);
    }
  }
}

void Core::check(LivePlan& live, const std::string& key, Watch& watch) {
  const auto& sp = *live.stored;
  const auto& evaluator = *live.evaluator;
  const auto& state = *watch.state;
  // Levels are ordered most severe first: the first that holds is the level.
  for (std::size_t i = 0; i < live.levels; ++i) {
    if (!evaluator.truth(state, i)) continue;
    bool current_holds = false;
    if (const std::string* open = open_incident_of(sp.plan.id, key, watch)) {
      const auto level = incidents_.at(*open).level;
      for (std::size_t j = 0; j < live.levels; ++j) {
        if (sp.plan.levels[j].level == level) current_holds = evaluator.truth(state, j);
      }
    }
    raise(sp, sp.plan.levels[i], key, watch, current_holds);
    break;
  }
  check_resolve(live, key, watch);
  auto now = clock_.now();
  std::optional<Time> next = evaluator.next_change(state, now);  // of every level and the resolve rule
  if (live.resolver) {
    if (watch.calm_since && open_incident_of(sp.plan.id, key, watch) != nullptr) {
      Time due = *watch.calm_since + live.hold_for;
      if (!next || due < *next) next = due;
    }
  }
  if (!next) return;
  if (watch.timer) {
    if (watch.timer_due <= *next) return;  // it wakes earlier anyway and re-arms then
    clock_.cancel(*watch.timer);
  }
  watch.timer_due = *next;
  // By name, not by pointer: the plan may have been re-applied by the time it fires.
  watch.timer = clock_.schedule_at(*next, [this, id = sp.plan.id, key] { on_watch_timer(id, key); });
}

void Core::init_watch(LivePlan& live, const std::string& key, Watch& watch, const PlacePath& place,
                      std::string_view sensor) {
  watch.place = place;
  watch.sensor = std::string(sensor);
  // Every level (and the resolve rule) gets its state now, so each sees every sample
  // from here on.
  watch.state = live.evaluator->new_state();
  live.evaluator->set_attributes(*watch.state, attribute_lookup(watch), clock_.now());  // a new State: kept for its first step
  if (live.resolver) {
    // After a restart: the time already counted towards the resolve rule goes on.
    if (const std::string* open = open_incident(live.stored->plan.id, key)) {
      const Time since = incidents_.at(*open).calm_since;
      if (since != Time{}) watch.calm_since = since;
    }
  }
}

void Core::check_resolve(LivePlan& live, const std::string& key, Watch& watch) {
  if (!live.resolver) return;
  const auto& sp = *live.stored;
  const auto now = clock_.now();
  bool calm = live.evaluator->truth(*watch.state, live.levels);
  if (calm) {
    watch.calm_seen = true;
  } else if (!watch.calm_seen && watch.calm_since) {
    // Restored after a restart, the rule's state is blank (every value unknown) until
    // readings come: meanwhile calm means that no level's condition holds.
    calm = true;
    for (std::size_t i = 0; i < live.levels; ++i) {
      if (live.evaluator->truth(*watch.state, i)) calm = false;
    }
  }
  if (!calm) {
    watch.calm_since.reset();
  } else if (!watch.calm_since) {
    watch.calm_since = now;
  }
  const std::string* open = open_incident_of(sp.plan.id, key, watch);
  if (open == nullptr) return;
  Incident& in = incidents_.at(*open);
  if (watch.calm_since && now - *watch.calm_since >= live.hold_for) {
    const auto& rule = sp.plan.resolve;
    resolve_incident(in, "plan",
                     rule.condition ? "\"" + rule.condition_text + "\" held for " + rules::format_duration(rule.hold_for)
                                    : "no level's condition held for " + rules::format_duration(rule.hold_for));
    return;
  }
  const Time since = watch.calm_since.value_or(Time{});
  if (in.calm_since != since) {
    // Only the record: the published state does not carry it.
    in.calm_since = since;
    Batch batch;
    batch.put(Table::kIncidents, in.id, dump(incident_to_store(in)));
    commit(batch, "incident " + in.id);
  }
}

void Core::on_watch_timer(std::string_view plan_id, std::string_view key) {
  auto live = live_.find(plan_id);
  if (live == live_.end()) return;
  auto it = live->second.watches.find(key);
  if (it == live->second.watches.end()) return;
  auto& watch = it->second;
  watch.timer.reset();
  auto now = clock_.now();
  live->second.evaluator->advance(*watch.state, now);
  check(live->second, it->first, watch);
}

void Core::raise(const StoredPlan& sp, const plans::LevelRule& rule, const std::string& watch_key, const Watch& watch,
                 bool current_holds) {
  // The reading to name in the alert: the latest one that meets the level's condition.
  // Of equal times, the one taken in first.
  const sensors::Reading* trigger = nullptr;
  if (rule.condition.has_root()) {
    std::uint64_t trigger_order = 0;
    for (std::size_t i = 0; i < watch.recent.size(); ++i) {
      const auto& r = watch.recent[i];
      const std::uint64_t order = watch.kept[i].order;
      if ((trigger == nullptr || r.time > trigger->time || (r.time == trigger->time && order < trigger_order)) &&
          supports(rule.condition.root(), r)) {
        trigger = &r;
        trigger_order = order;
      }
    }
  }
  if (trigger == nullptr) trigger = &watch.last_reading();
  const sensors::Reading& reading = *trigger;
  auto now = clock_.now();
  auto key = std::make_pair(sp.plan.id, watch_key);
  const std::string* open = open_incident(key.first, key.second);
  Incident* incident = nullptr;
  std::string msg_type = "Update";
  std::string kind;
  bool owed = false;  // the same level, whose alert was held back and may go now
  Batch batch;
  if (open == nullptr) {
    if (auto again = reopenable_.find(key); again != reopenable_.end()) {
      // Raised again within the plan's reopen_within: the same incident goes on.
      incident = &incidents_.at(again->second);
      reopenable_.erase(again);
      if (auto t = close_timers_.find(incident->id); t != close_timers_.end()) {
        clock_.cancel(t->second);
        close_timers_.erase(t);
      }
      incident->state = "open";
      incident->level = rule.level;
      incident->resolved_at = Time{};
      incident->resolved_by.clear();
      incident->acknowledged_at = Time{};  // a reopened incident needs acknowledging again
      incident->acknowledged_by.clear();
      incident->escalated_to.reset();
      incident->search_level.clear();
      incident->unfilled.clear();
      ++incident->reopened;
      // Flap damping: reopened flap_reopens times within flap_window, it is flapping.
      auto& times = incident->reopen_times;
      times.push_back(now);
      times.erase(std::remove_if(times.begin(), times.end(), [&](Time t) { return t + options_.flap_window <= now; }),
                  times.end());
      while (times.size() > static_cast<std::size_t>(std::max(1, options_.flap_reopens))) times.erase(times.begin());
      incident->flapping = static_cast<int>(times.size()) >= options_.flap_reopens;
      mark_open(key.first, key.second, incident->id);
      kind = "reopened";
    } else {
      Incident in;
      in.id = options_.id_prefix + "inc-" + padded(next_incident_seq_++, 6);
      in.plan_id = sp.plan.id;
      in.plan_version = sp.version;
      in.place = watch.place;
      in.watch = watch_key;
      in.level = rule.level;
      in.opened_at = now;
      batch.put(Table::kMeta, std::string(kMetaIncidentSeq), std::to_string(next_incident_seq_));
      incident = &incidents_.emplace(in.id, std::move(in)).first->second;
      mark_open(key.first, key.second, incident->id);
      ++stats_.incidents_opened;
      msg_type = "Alert";
      kind = "opened";
    }
  } else {
    incident = &incidents_.at(*open);
    if (rule.level == incident->level) {
      // Further readings join the open incident. Its alert may still be owed: held back
      // while a silence or another plan's incident held it.
      const auto& alerts = incident->alerts;
      if (!alerts.empty() && alerts.back().msg_type != "Cancel" && alerts.back().level == incident->level) return;
      owed = true;
      kind = "alert_released";
    } else {
      // A more severe level is news; a less severe one only once the incident's own
      // level no longer holds, and never below a level the escalation ladder raised.
      if (!plans::more_severe(rule.level, incident->level)) {
        if (current_holds) return;
        if (incident->escalated_to && plans::more_severe(*incident->escalated_to, rule.level)) return;
        // Down only once the level has stood for level_down_hold: no seesaw at a threshold.
        if (!incident->alerts.empty() && now - incident->alerts.back().sent < options_.level_down_hold) return;
      }
      kind = plans::more_severe(rule.level, incident->level) ? "level_raised" : "level_lowered";
      incident->level = rule.level;
    }
  }
  if (!owed) {
    incident->level_since = now;
    incident->escalation_next = 0;
    incident->renotified = 0;
  }
  incident->updated_at = now;
  incident->sensor_id = reading.sensor_id;
  incident->quantity = reading.quantity;
  incident->value = reading.value;
  incident->unit = reading.unit;
  incident->reading_time = reading.time;

  // The plan the incident started with stays its plan (versions are immutable).
  const StoredPlan* plan = incident->plan_version == sp.version ? &sp : incident_plan(*incident);
  if (plan == nullptr) plan = &sp;
  const plans::LevelRule* level_rule = rule_for(*plan, rule.level);
  if (level_rule == nullptr) level_rule = &rule;

  std::string cause =
      fmt::format("{} {} {} from sensor {} at {} met \"{}\" (plan {} v{})", reading.quantity, format_number(reading.value),
                  reading.unit, reading.sensor_id, reading.place.str(), level_rule->condition_text, plan->plan.id,
                  plan->version);
  // A coordinator's silence or another plan's open incident ("inhibits") may hold the
  // alert back: the incident and its timeline still record it, only nothing is sent.
  if (auto held = held_back_by(*incident, *plan); !held.empty()) {
    if (owed) return;  // recorded when it was first held back
    ++(held.starts_with("silenced") ? stats_.alerts_silenced : stats_.alerts_held_back);
    add_event(batch, *incident, kind, cause + "; alert " + held);
    put_incident(batch, *incident);
    spdlog::info("{} {}: level {} at {}, alert {}", kind, incident->id, plans::level_name(rule.level),
                 incident->place.str(), held);
    commit(batch, "incident " + incident->id);
    return;
  }
  if (owed) cause += "; sent now: nothing holds its alert back any more";

  // A flapping incident's receivers were never told it resolved (its Cancel was held
  // back), so its reopening at the same level tells them nothing new.
  if (kind == "reopened" && incident->flapping && !incident->alerts.empty() &&
      incident->alerts.back().msg_type != "Cancel" && incident->alerts.back().level == incident->level) {
    ++stats_.alerts_damped;
    add_event(batch, *incident, kind,
              fmt::format("{}; no alert: flapping (reopened {} times within {}), still alerted", cause,
                          incident->reopen_times.size(),
                          rules::format_duration(options_.flap_window)));
    put_incident(batch, *incident);
    commit(batch, "incident " + incident->id);
    arm_incident_timers(*incident);
    staff_incidents(incident->id);
    return;
  }

  // An incident whose earlier alerts were all held back has nothing to update yet.
  if (incident->alerts.empty()) msg_type = "Alert";
  send_alert(batch, *incident, *plan, *level_rule, msg_type, reading, "", kind, cause);
  put_incident(batch, *incident);
  spdlog::info("{} {}: level {} ({}) at {} — {}", kind, incident->id, plans::level_name(rule.level),
               plans::level_color(rule.level), incident->place.str(), cause);
  commit(batch, "incident " + incident->id);
  arm_incident_timers(*incident);
  staff_incidents(incident->id);
}

cap::Alert Core::build_alert(const Incident& incident, const StoredPlan& sp, const plans::LevelRule& rule,
                             const std::string& msg_type, const sensors::Reading& reading) const {
  auto now = clock_.now();
  cap::Alert a;
  a.identifier = options_.sender + "." + incident.id + "." + std::to_string(incident.alerts.size() + 1);
  a.sender = options_.sender;
  a.sent = now;
  a.status = options_.alert_status;
  a.msg_type = msg_type;
  a.scope = "Public";
  // A drill's every alert names the drill (and is status Exercise: options_.alert_status).
  if (!options_.drill.empty()) a.note = "Drill " + options_.drill;
  for (const auto& earlier : incident.alerts) {
    a.references.push_back(options_.sender + "," + earlier.identifier + "," + format_cap_time(earlier.sent, zone_));
  }
  a.incidents.push_back(incident.id);

  std::map<std::string, std::string> values = {
      {"place", incident.place.str()},
      {"place_name", places_.display_name(incident.place)},
      {"plan", sp.plan.id},
      {"plan_title", sp.plan.title},
      {"level", std::string(plans::level_name(rule.level))},
      {"level_color", std::string(plans::level_color(rule.level))},
      {"quantity", reading.quantity},
      {"value", format_number(reading.value)},
      {"unit", reading.unit},
      {"sensor", reading.sensor_id},
      {"time", format_cap_time(reading.time, zone_)},
  };
  cap::Area area;
  area.area_desc = places_.display_name(incident.place);
  area.geocodes.emplace_back("lookout:place", incident.place.str());
  if (const auto* info = places_.find(incident.place)) {
    if (info->polygon.size() >= 4) {
      std::vector<cap::Point> ring;
      for (const auto& p : info->polygon) ring.push_back({p.lat, p.lon});
      area.polygons.push_back(std::move(ring));
    }
    if (info->point) area.circles.push_back({{info->point->lat, info->point->lon}, info->radius_m / 1000.0});
  }
  for (const auto& text : rule.alert.texts) {
    cap::Info info;
    info.language = text.language;
    info.categories = {rule.alert.category};
    info.event = rule.alert.event;
    info.response_types = {rule.alert.response_type};
    info.urgency = rule.alert.urgency;
    info.severity = std::string(plans::cap_severity(rule.level));
    info.certainty = rule.alert.certainty;
    info.sender_name = sp.plan.owner;
    info.headline = plans::fill_placeholders(text.headline, values);
    info.description = plans::fill_placeholders(text.description, values);
    info.instruction = plans::fill_placeholders(text.instruction, values);
    info.parameters = {{"warningLevel", std::string(plans::level_name(rule.level))},
                       {"warningColor", std::string(plans::level_color(rule.level))},
                       {"plan", sp.plan.id},
                       {"planVersion", std::to_string(sp.version)}};
    info.areas.push_back(area);
    a.infos.push_back(std::move(info));
  }
  return a;
}

// ---------------------------------------------------------------- incident lifecycle

const Incident* Core::inhibitor(std::string_view plan_id, const PlacePath& place) const {
  for (const auto& [other_id, other] : plans_) {
    for (const auto& inhibition : other.plan.inhibits) {
      if (inhibition.plan != plan_id) continue;
      for (auto it = open_by_plan_place_.lower_bound({other_id, std::string()});
           it != open_by_plan_place_.end() && it->first.first == other_id; ++it) {
        const Incident& in = incidents_.at(it->second);
        if (plans::more_severe(inhibition.from_level, in.level)) continue;  // not severe enough yet
        bool shared = false;
        if (!inhibition.scope) {
          shared = in.place == place;
        } else {
          const auto depth = static_cast<std::size_t>(*inhibition.scope);
          shared = in.place.depth() >= depth && place.depth() >= depth &&
                   in.place.truncated(depth) == place.truncated(depth);
        }
        if (shared) return &in;
      }
    }
  }
  return nullptr;
}

const StoredPlan* Core::incident_plan(const Incident& incident) {
  if (auto it = plans_.find(incident.plan_id); it != plans_.end() && it->second.version == incident.plan_version) {
    return &it->second;
  }
  auto key = std::make_pair(incident.plan_id, incident.plan_version);
  if (auto it = older_plans_.find(key); it != older_plans_.end()) return &it->second;
  auto p = plan(incident.plan_id, incident.plan_version);
  if (!p.is_ok()) {
    spdlog::error("incident {}: version {} of plan {} cannot be read: {}", incident.id, incident.plan_version,
                  incident.plan_id, p.status().to_string());
    return nullptr;
  }
  return &older_plans_.emplace(key, std::move(*p)).first->second;
}

void Core::add_event(Batch& batch, const Incident& incident, std::string_view kind, const std::string& cause,
                     std::string_view alert) {
  json event = {{"time_ms", to_ms(clock_.now())},
                {"kind", kind},
                {"level", plans::level_name(incident.level)},
                {"cause", cause}};
  if (!alert.empty()) event["alert"] = alert;
  batch.put(Table::kEvents, incident.id + "/" + padded(next_event_seq_++, 12), dump(event));
  batch.put(Table::kMeta, std::string(kMetaEventSeq), std::to_string(next_event_seq_));
}

void Core::put_incident(Batch& batch, const Incident& incident) {
  enqueue(batch, OutboundMessage{topic("incidents/" + incident.id), incident_json(incident), 1, true});
  batch.put(Table::kIncidents, incident.id, dump(incident_to_store(incident)));
}

Status Core::acknowledge(std::string_view id, std::string_view by, std::string_view note) {
  auto it = incidents_.find(id);
  if (it == incidents_.end()) return Status::not_found("no incident \"" + std::string(id) + "\"");
  Incident& in = it->second;
  // Staff accepting makes an incident "responding" but does not acknowledge it: that
  // is a coordinator's word, and it stops the escalation ladder and the reminders.
  if (in.acknowledged_at != Time{}) {
    return Status::failed_precondition("incident " + in.id + " is already acknowledged by " + in.acknowledged_by);
  }
  if (in.state != "open" && in.state != "responding") {
    return Status::failed_precondition("incident " + in.id + " is " + in.state + ", not open: nothing to acknowledge");
  }
  if (in.state == "open") in.state = "acknowledged";
  cancel_incident_timers(in.id);
  in.acknowledged_at = clock_.now();
  in.acknowledged_by = std::string(by);
  in.updated_at = in.acknowledged_at;
  Batch batch;
  add_event(batch, in, "acknowledged",
            "acknowledged by " + std::string(by) + (note.empty() ? "" : ": " + std::string(note)));
  put_incident(batch, in);
  spdlog::info("acknowledged {} by {}", in.id, by);
  commit(batch, "incident " + in.id);
  return Status::ok();
}

Status Core::resolve(std::string_view id, std::string_view by, std::string_view note) {
  auto it = incidents_.find(id);
  if (it == incidents_.end()) return Status::not_found("no incident \"" + std::string(id) + "\"");
  Incident& in = it->second;
  if (in.state == "resolved" || in.state == "closed") {
    return Status::failed_precondition("incident " + in.id + " is already " + in.state);
  }
  resolve_incident(in, by, "resolved by " + std::string(by) + (note.empty() ? "" : ": " + std::string(note)));
  return Status::ok();
}

void Core::resolve_incident(Incident& in, std::string_view by, const std::string& cause) {
  const auto now = clock_.now();
  mark_closed(in.plan_id, in.watch);
  understaffed_.erase(in.id);
  cancel_incident_timers(in.id);
  in.state = "resolved";
  in.resolved_at = now;
  in.resolved_by = std::string(by);
  in.updated_at = now;
  ++stats_.incidents_resolved;

  Batch batch;
  release_assignments(batch, in, "the incident is resolved");
  // The Cancel alert: the same texts, all clear, referring to every earlier message.
  const auto* plan = incident_plan(in);
  if (plan) {
    const plans::LevelRule* rule = rule_for(*plan, in.level);
    if (rule == nullptr && !plan->plan.levels.empty()) rule = &plan->plan.levels.back();
    // Nothing to cancel when every alert of the incident was held back (or cancelled).
    const bool alerted = !in.alerts.empty() && in.alerts.back().msg_type != "Cancel";
    if (rule != nullptr && alerted && in.flapping) {
      ++stats_.alerts_damped;
      add_event(batch, in, "resolved",
                cause + "; Cancel held back: the incident is flapping (reopened " +
                    std::to_string(in.reopen_times.size()) + " times within " +
                    rules::format_duration(options_.flap_window) + "); it goes out when the incident closes");
    } else if (rule != nullptr && alerted) {
      send_alert(batch, in, *plan, *rule, "Cancel", trigger_of(in), cause, "resolved", cause);
    } else {
      add_event(batch, in, "resolved", cause);
    }
  } else {
    spdlog::error("incident {}: its plan version cannot be read; resolved without a Cancel alert", in.id);
    add_event(batch, in, "resolved", cause);
  }
  auto window = plan ? plan->plan.reopen_within : std::nullopt;
  if (window) {
    reopenable_[{in.plan_id, in.watch}] = in.id;
    schedule_close(in, now + *window);
  } else {
    in.state = "closed";
    add_event(batch, in, "closed", "resolved, and the plan does not reopen incidents");
  }
  put_incident(batch, in);
  spdlog::info("resolved {} ({}): {}", in.id, by, cause);
  commit(batch, "incident " + in.id);
  staff_incidents();  // the released staff may be wanted elsewhere
}

void Core::schedule_close(const Incident& incident, Time at) {
  if (auto t = close_timers_.find(incident.id); t != close_timers_.end()) clock_.cancel(t->second);
  close_timers_[incident.id] = clock_.schedule_at(at, [this, id = incident.id] { close_incident(id); });
}

void Core::close_incident(const std::string& id) {
  close_timers_.erase(id);
  auto it = incidents_.find(id);
  if (it == incidents_.end() || it->second.state != "resolved") return;
  Incident& in = it->second;
  if (auto r = reopenable_.find({in.plan_id, in.watch}); r != reopenable_.end() && r->second == in.id) {
    reopenable_.erase(r);
  }
  in.state = "closed";
  in.updated_at = clock_.now();
  Batch batch;
  // The Cancel a flapping incident held back goes out now that it has settled.
  if (in.flapping && !in.alerts.empty() && in.alerts.back().msg_type != "Cancel") {
    in.flapping = false;
    const auto* plan = incident_plan(in);
    const plans::LevelRule* rule = plan ? rule_for(*plan, in.level) : nullptr;
    if (rule != nullptr) {
      const std::string why = "settled: not raised again within the plan's reopen_within after flapping";
      send_alert(batch, in, *plan, *rule, "Cancel", trigger_of(in), why, "all_clear", why);
    }
  }
  add_event(batch, in, "closed", "not raised again within the plan's reopen_within");
  put_incident(batch, in);
  commit(batch, "incident " + in.id);
}

StatusOr<std::vector<std::string>> Core::timeline(std::string_view id) {
  if (!incidents_.count(std::string(id))) return Status::not_found("no incident \"" + std::string(id) + "\"");
  std::vector<std::string> out;
  auto s = store_.scan(Table::kEvents, std::string(id) + "/", [&](std::string_view, std::string_view value) {
    out.emplace_back(value);
    return true;
  });
  if (!s) return s;
  return out;
}

std::string Core::incident_json(const Incident& in) const {
  // Staff ids and roles only: names and phone numbers stay in the roster.
  json assignment_list = json::array();
  for (const auto* a : assignments(in.id)) {
    assignment_list.push_back({{"assignment", a->id},
                               {"role", a->role},
                               {"staff", a->staff},
                               {"state", a->state},
                               {"respond_by", format_cap_time(a->respond_by, zone_)}});
  }
  json alerts = json::array();
  for (const auto& a : in.alerts) {
    alerts.push_back({{"identifier", a.identifier},
                      {"sent", format_cap_time(a.sent, zone_)},
                      {"msgType", a.msg_type},
                      {"level", plans::level_name(a.level)}});
  }
  return dump({{"id", in.id},
               {"plan", in.plan_id},
               {"plan_version", in.plan_version},
               {"place", in.place.str()},
               {"place_name", places_.display_name(in.place)},
               {"level", plans::level_name(in.level)},
               {"color", plans::level_color(in.level)},
               {"state", in.state},
               {"opened", format_cap_time(in.opened_at, zone_)},
               {"updated", format_cap_time(in.updated_at, zone_)},
               {"acknowledged_by", in.acknowledged_by},
               {"acknowledged", in.acknowledged_by.empty() ? "" : format_cap_time(in.acknowledged_at, zone_)},
               {"resolved_by", in.resolved_by},
               {"resolved", in.resolved_by.empty() ? "" : format_cap_time(in.resolved_at, zone_)},
               {"reopened", in.reopened},
               {"trigger",
                {{"sensor", in.sensor_id},
                 {"quantity", in.quantity},
                 {"value", in.value},
                 {"unit", in.unit},
                 {"time", format_cap_time(in.reading_time, zone_)}}},
               {"alerts", alerts},
               {"assignments", assignment_list},
               {"escalation_steps_done", in.escalation_next},
               {"reminders", in.renotified},
               {"unfilled_roles", in.unfilled},
               {"flapping", in.flapping}});
}

// ---------------------------------------------------------------- outbox

void Core::enqueue(Batch& batch, OutboundMessage message) {
  std::uint64_t seq = next_outbox_seq_++;
  json j = {{"topic", message.topic}, {"payload", message.payload}, {"qos", message.qos}, {"retained", message.retained}};
  batch.put(Table::kOutbox, padded(seq, 20), dump(j));
  batch.put(Table::kMeta, std::string(kMetaOutboxSeq), std::to_string(next_outbox_seq_));
  outbox_.emplace(seq, PendingMessage{std::move(message), false});
  unsent_.insert(unsent_.end(), seq);
}

void Core::commit(Batch& batch, std::string_view what) {
  auto s = store_.write(batch);
  if (!s.is_ok()) {
    ++stats_.store_errors;
    if (store_healthy_) spdlog::error("store: writing {} failed: {}; alerting anyway", what, s.to_string());
    store_healthy_ = false;
    // Not stored, so not retried after a restart: send now, drop from the outbox once
    // delivered without touching the store. The state it changed is written again by
    // the resync.
    schedule_resync();
  }
  flush_outbox();
}

void Core::schedule_resync() {
  if (resync_timer_) return;
  resync_timer_ = clock_.schedule_after(options_.store_resync_retry, [this] {
    resync_timer_.reset();
    resync();
  });
}

void Core::resync() {
  // Everything the store must hold, as it is in memory now: what the failed writes
  // changed is in here (their timeline entries are not: the timeline misses them).
  Batch batch;
  for (const auto& [id, in] : incidents_) batch.put(Table::kIncidents, id, dump(incident_to_store(in)));
  for (const auto& [id, a] : assignments_) batch.put(Table::kAssignments, id, dump(detail::assignment_to_store(a)));
  for (const auto& [id, silence] : silences_) batch.put(Table::kSilences, id, to_json(silence));
  std::vector<std::string> removed;  // silences removed while writes failed
  (void)store_.scan(Table::kSilences, "", [&](std::string_view key, std::string_view) {
    if (!silences_.count(key)) removed.emplace_back(key);
    return true;
  });
  for (const auto& id : removed) batch.del(Table::kSilences, id);
  batch.put(Table::kMeta, std::string(kMetaIncidentSeq), std::to_string(next_incident_seq_));
  batch.put(Table::kMeta, std::string(kMetaEventSeq), std::to_string(next_event_seq_));
  batch.put(Table::kMeta, std::string(kMetaOutboxSeq), std::to_string(next_outbox_seq_));
  batch.put(Table::kMeta, "assignment_seq", std::to_string(next_assignment_seq_));
  batch.put(Table::kMeta, "silence_seq", std::to_string(next_silence_seq_));
  if (auto s = store_.write(batch); !s.is_ok()) {
    ++stats_.store_errors;
    spdlog::warn("store: still failing ({}); trying again in {} s", s.to_string(),
                 std::chrono::duration_cast<std::chrono::seconds>(options_.store_resync_retry).count());
    store_healthy_ = false;
    schedule_resync();
    return;
  }
  if (!store_healthy_) spdlog::info("store: writes succeed again; the state in memory is stored again");
  store_healthy_ = true;
}

bool Core::commit_or_drop(Batch& batch, std::uint64_t first_seq, std::string_view what) {
  auto s = store_.write(batch);
  if (!s.is_ok()) {
    ++stats_.store_errors;
    if (store_healthy_) spdlog::error("store: writing {} failed: {}; its messages are not sent", what, s.to_string());
    store_healthy_ = false;
    // Queued by this batch only (sequences grow): never sent, never stored.
    outbox_.erase(outbox_.lower_bound(first_seq), outbox_.end());
    unsent_.erase(unsent_.lower_bound(first_seq), unsent_.end());
    stats_.outbox_pending = outbox_.size();
    schedule_resync();
    return false;
  }
  flush_outbox();
  return true;
}

void Core::on_connection(bool connected) {
  connected_ = connected;
  if (connected) {
    // Paho resends what it had in flight itself; anything we still hold goes again.
    for (auto& [seq, pending] : outbox_) {
      pending.in_flight = false;
      unsent_.insert(unsent_.end(), seq);
    }
    flush_outbox();
  }
}

void Core::flush_outbox() {
  stats_.outbox_pending = outbox_.size();
  // In sequence order; a publish that fails at once (its callback run before publish
  // returns) goes back into unsent_ for the retry, not into this pass.
  for (const std::uint64_t s : std::exchange(unsent_, {})) {
    auto it = outbox_.find(s);
    if (it == outbox_.end() || it->second.in_flight) continue;
    it->second.in_flight = true;
    transport_.publish(it->second.message, [this, s](Status status) {
      post_([this, s, status = std::move(status)]() mutable { on_delivered(s, std::move(status)); });
    });
  }
}

void Core::on_delivered(std::uint64_t seq, Status status) {
  auto it = outbox_.find(seq);
  if (it == outbox_.end()) return;
  if (!status.is_ok()) {
    it->second.in_flight = false;
    unsent_.insert(seq);
    if (!retry_timer_) {
      retry_timer_ = clock_.schedule_after(options_.outbox_retry, [this] {
        retry_timer_.reset();
        flush_outbox();
      });
    }
    return;
  }
  outbox_.erase(it);
  unsent_.erase(seq);
  stats_.outbox_pending = outbox_.size();
  Batch batch;
  batch.del(Table::kOutbox, padded(seq, 20));
  // Not synced: two of the three disk syncs an alert cost were these deletes (the alert's
  // and its incident state's). Lost at a power failure, the entry is published again
  // after the restart, and receivers drop it by its identity (docs/durability.md).
  batch.set_sync(false);
  if (auto s = store_.write(batch); !s.is_ok()) {
    // Delivered but still stored: it is sent again after a restart (at least once;
    // receivers drop duplicates by CAP identifier).
    ++stats_.store_errors;
    store_healthy_ = false;
    schedule_resync();
  }
}

// ---------------------------------------------------------------- admin

StatusOr<Core::ApplyOutcome> Core::apply_plan(std::string_view source, std::string_view file,
                                              Diagnostics& diagnostics) {
  auto loaded = plans::load_plan(source, file);
  if (!loaded.plan) {
    diagnostics = std::move(loaded.diagnostics);
    return Status::invalid_argument("the plan has " + std::to_string(diagnostics.size()) +
                                    " error(s); nothing was changed");
  }
  auto& plan = *loaded.plan;
  std::uint32_t version = 1;
  if (auto it = plans_.find(plan.id); it != plans_.end()) {
    if (it->second.source == source) return ApplyOutcome{it->second.version, true};
    version = it->second.version + 1;
  }
  auto now = clock_.now();
  json meta = {{"id", plan.id}, {"version", version}, {"title", plan.title}, {"applied_ms", to_ms(now)}};
  json stored = {{"id", plan.id},
                 {"version", version},
                 {"file", file},
                 {"applied_ms", to_ms(now)},
                 {"source", source}};
  Batch batch;
  batch.put(Table::kPlans, plan.id, dump(meta));
  batch.put(Table::kPlanVersions, plan.id + "/" + padded(version, 8), dump(stored));
  if (auto s = store_.write(batch); !s.is_ok()) {
    ++stats_.store_errors;
    return s.with_context("storing plan " + plan.id);
  }
  StoredPlan sp{std::move(plan), version, std::string(source), std::string(file), now};
  auto id = sp.plan.id;
  // The new version's conditions start from a clean slate: states belong to evaluators.
  // The old version's evaluator is held until the new one is made, so that a version
  // with the same conditions reuses it rather than compiling them again.
  std::shared_ptr<const rules::Evaluator> previous;
  if (auto old = live_.find(id); old != live_.end()) previous = old->second.evaluator;
  drop_live(id);
  const auto& running = plans_.insert_or_assign(id, std::move(sp)).first->second;
  add_live(id, running);
  spdlog::info("plan {} version {} applied from {}", id, version, file);
  return ApplyOutcome{version, false};
}

std::vector<PlanSummary> Core::plans() const {
  std::vector<PlanSummary> out;
  for (const auto& [id, sp] : plans_) {
    PlanSummary s{id, sp.plan.title, sp.version, sp.plan.version, sp.applied_at, {}, {}};
    for (const auto& r : sp.plan.levels) s.levels.emplace_back(plans::level_name(r.level));
    for (const auto& p : sp.plan.places) s.places.push_back(p.str());
    out.push_back(std::move(s));
  }
  return out;
}

StatusOr<StoredPlan> Core::plan(std::string_view id, std::uint32_t version) {
  if (version == 0) {
    auto it = plans_.find(id);
    if (it == plans_.end()) return Status::not_found("no plan \"" + std::string(id) + "\"");
    return it->second;
  }
  auto key = std::string(id) + "/" + padded(version, 8);
  auto v = store_.get(Table::kPlanVersions, key);
  if (!v.is_ok()) return v.status();
  if (!v->has_value()) {
    return Status::not_found("no version " + std::to_string(version) + " of plan \"" + std::string(id) + "\"");
  }
  try {
    auto j = json::parse(**v);
    StoredPlan sp;
    sp.version = version;
    sp.source = j.at("source").get<std::string>();
    sp.file = j.at("file").get<std::string>();
    sp.applied_at = from_ms(j.at("applied_ms").get<std::int64_t>());
    auto loaded = plans::load_plan(sp.source, sp.file);
    if (!loaded.plan) {
      return Status::corruption("stored plan " + key + " no longer loads: " + to_string(loaded.diagnostics));
    }
    sp.plan = std::move(*loaded.plan);
    return sp;
  } catch (const std::exception& e) {
    return Status::corruption("stored plan " + key + ": " + e.what());
  }
}

template <typename T, typename Key, typename Apply>
StatusOr<std::size_t> Core::import_records(sensors::ImportResult<T> result, std::string_view what, Table table, Key key,
                                           Apply apply, Diagnostics& diagnostics) {
  if (!result.ok()) {
    diagnostics = std::move(result.diagnostics);
    return Status::invalid_argument("the " + std::string(what) + " file has " + std::to_string(diagnostics.size()) +
                                    " error(s); nothing was imported");
  }
  Batch batch;
  for (const auto& item : result.items) batch.put(table, key(item), sensors::to_json(item));
  if (auto s = store_.write(batch); !s.is_ok()) {
    ++stats_.store_errors;
    return s.with_context("storing " + std::string(what));
  }
  const std::size_t n = result.items.size();
  for (auto& item : result.items) apply(std::move(item));
  return n;
}

StatusOr<std::size_t> Core::import_places(std::string_view text, std::string_view file, Diagnostics& diagnostics) {
  auto n = import_records(
      sensors::parse_places(text, file), "places", Table::kPlaces, [](const auto& p) { return p.path.str(); },
      [this](sensors::PlaceInfo p) { places_.upsert(std::move(p)); }, diagnostics);
  if (n.is_ok()) refresh_attributes();  // "place.height_class" may read what just changed
  return n;
}

StatusOr<std::size_t> Core::import_sensors(std::string_view text, std::string_view file, Diagnostics& diagnostics) {
  forget_routes();  // they point at the registry's entries, and a sensor may move
  auto n = import_records(
      sensors::parse_sensors(text, file), "sensors", Table::kSensors, [](const auto& s) { return s.id; },
      [this](sensors::SensorInfo s) { sensors_.upsert(std::move(s)); }, diagnostics);
  if (n.is_ok()) refresh_attributes();  // "sensor.lives_alone" likewise
  return n;
}

StatusOr<std::size_t> Core::import_staff(std::string_view text, std::string_view file, Diagnostics& diagnostics) {
  auto n = import_records(
      sensors::parse_staff(text, file, zone_->name()), "staff", Table::kStaff, [](const auto& m) { return m.id; },
      [this](sensors::StaffMember m) { staff_.upsert(std::move(m)); }, diagnostics);
  if (n.is_ok()) staff_incidents();  // roles nobody could fill may be filled now
  return n;
}

std::vector<const Incident*> Core::incidents() const {
  std::vector<const Incident*> out;
  for (const auto& [id, in] : incidents_) out.push_back(&in);
  return out;
}

const Incident* Core::incident(std::string_view id) const {
  auto it = incidents_.find(id);
  return it == incidents_.end() ? nullptr : &it->second;
}

void Core::withdraw_staff(std::string_view id) {
  staff_.erase(id);
}

void Core::copy_registries(const Core& from) {
  places_ = from.places_;
  forget_routes();
  sensors_ = from.sensors_;
  staff_ = from.staff_;
  refresh_attributes();
}

int Core::active_assignments(std::string_view staff_id) const {
  int n = 0;
  for (const auto& [id, a] : assignments_) {
    if (a.staff == staff_id && a.active()) ++n;
  }
  return n;
}

CoreStats Core::stats() const {
  auto s = stats_;
  s.outbox_pending = outbox_.size();
  s.unit_mismatches = 0;
  for (const auto& [id, live] : live_) {
    // The levels' comparisons only: the default resolve rule repeats them.
    for (const auto& [place, watch] : live.watches) {
      for (std::size_t i = 0; i < live.levels; ++i) s.unit_mismatches += live.evaluator->unit_mismatches(*watch.state, i);
    }
  }
  return s;
}

}  // namespace lookout::engine
