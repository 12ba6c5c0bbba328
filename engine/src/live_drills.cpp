// Live drills (live_drills.h).
#include "lookout/engine/live_drills.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <mutex>
#include <set>

#include "core_internal.h"
#include "lookout/base/time_format.h"
#include "lookout/engine/store.h"
#include "lookout/sensors/reading.h"

namespace lookout::engine {

using nlohmann::json;
using detail::dump;

namespace {

// Whether a session is still there: checked (under the mutex) before a delivery
// completion reaches its core, and (on the strand) before a posted task runs.
struct Alive {
  std::mutex mutex;
  bool alive = true;
};

std::vector<std::string> string_list(const json& j, std::string_view key, std::string& error) {
  std::vector<std::string> out;
  if (!j.contains(key)) return out;
  const auto& v = j.at(std::string(key));
  if (!v.is_array()) {
    error = "\"" + std::string(key) + "\" must be a list of staff ids";
    return out;
  }
  for (const auto& item : v) {
    if (!item.is_string()) {
      error = "\"" + std::string(key) + "\" must be a list of staff ids";
      return {};
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

// Everything a drill's core publishes goes through here: only its own namespace, only
// Exercise alerts, nothing to unreachable members. Retained topics are remembered so
// that the drill's end can clear them.
class LiveDrills::GuardTransport final : public Transport {
 public:
  GuardTransport(Transport& inner, std::string prefix, std::set<std::string> unreachable, std::shared_ptr<Alive> alive)
      : inner_(inner), prefix_(std::move(prefix)), unreachable_(std::move(unreachable)), alive_(std::move(alive)) {}

  Status start(std::vector<std::string>, MessageHandler, ConnectionHandler) override { return Status::ok(); }
  void stop(const OutboundMessage&, std::chrono::milliseconds) override {}
  bool connected() const override { return inner_.connected(); }

  void publish(OutboundMessage message, DeliveryHandler on_done) override {
    if (auto why = refuse(message); !why.empty()) {
      ++refused_;
      spdlog::error("drill guard: not publishing on {}: {} (a defect: please report it)", message.topic, why);
      if (on_done) on_done(Status::ok());  // dropped for good: nothing to retry
      return;
    }
    if (addressed_to_unreachable(message.topic)) {
      // The phone is dead: the member gets nothing and the core sees no answer. The
      // drill's observer (lookoutctl) still sees what would have gone, under
      // <drill prefix>/undelivered/..., where no phone listens.
      ++undelivered_;
      message.topic = prefix_ + "/undelivered/" + message.topic.substr(prefix_.size() + 1);
    }
    if (message.retained && !message.payload.empty()) retained_.insert(message.topic);
    inner_.publish(std::move(message), [alive = alive_, on_done = std::move(on_done)](Status s) {
      if (!on_done) return;
      std::lock_guard lock(alive->mutex);
      if (alive->alive) on_done(std::move(s));
    });
  }

  bool unreachable(std::string_view staff) const { return unreachable_.count(std::string(staff)) > 0; }
  const std::set<std::string>& retained() const { return retained_; }
  std::uint64_t refused() const { return refused_; }
  std::uint64_t undelivered() const { return undelivered_; }

 private:
  std::string refuse(const OutboundMessage& m) const {
    if (!m.topic.starts_with(prefix_ + "/")) return "outside the drill's namespace " + prefix_;
    std::string_view rest = std::string_view(m.topic).substr(prefix_.size() + 1);
    if (rest.starts_with("alerts/") || rest.starts_with("alerts-xml/")) {
      if (rest.starts_with("alerts-xml/")) {
        if (m.payload.find("<status>Exercise</status>") == std::string::npos) return "a CAP alert that is not Exercise";
      } else {
        auto j = json::parse(m.payload, nullptr, false);
        if (j.is_discarded() || !j.is_object() || j.value("status", "") != "Exercise") {
          return "a CAP alert that is not Exercise";
        }
      }
    }
    return "";
  }

  bool addressed_to_unreachable(std::string_view topic) const {
    std::string_view rest = topic.substr(prefix_.size() + 1);
    if (!rest.starts_with("staff/")) return false;
    rest.remove_prefix(6);
    return unreachable(rest.substr(0, rest.find('/')));
  }

  Transport& inner_;
  std::string prefix_;
  std::set<std::string> unreachable_;
  std::shared_ptr<Alive> alive_;
  std::set<std::string> retained_;
  std::uint64_t refused_ = 0;
  std::uint64_t undelivered_ = 0;
};

struct LiveDrills::Session {
  std::string id;
  std::string scenario;
  std::string title;
  std::string by;
  std::string prefix;
  Time started;
  Time ends;
  std::vector<std::string> plans;
  std::vector<std::string> away;
  std::vector<std::string> unreachable;
  std::shared_ptr<Alive> alive = std::make_shared<Alive>();
  MemoryStore store;
  std::unique_ptr<GuardTransport> transport;
  std::unique_ptr<Core> core;
  std::optional<Clock::TimerId> end_timer;
  std::uint64_t refused_responses = 0;
};

LiveDrills::LiveDrills(Core& live, Clock& clock, Transport& transport, Core::Post post, LiveDrillOptions options)
    : live_(live), clock_(clock), transport_(transport), post_(std::move(post)), options_(options),
      root_(live.options().topic_prefix + "/drill") {}

LiveDrills::~LiveDrills() {
  for (auto& [id, s] : sessions_) {
    if (s->end_timer) clock_.cancel(*s->end_timer);
    std::lock_guard lock(s->alive->mutex);
    s->alive->alive = false;
  }
}

std::vector<std::string> LiveDrills::subscriptions() const {
  return {root_ + "/+/sensors/#", root_ + "/+/reports", root_ + "/+/staff/+/responses"};
}

bool LiveDrills::owns(std::string_view topic) const {
  return topic.starts_with(root_) && topic.size() > root_.size() && topic[root_.size()] == '/';
}

void LiveDrills::drill_dead_letter(std::string_view drill_id, const InboundMessage& message, std::string_view reason) {
  const auto& o = live_.options();
  // Valid drill id: its own dead-letter topic; else (a topic nobody could have meant)
  // the namespace's.
  std::string topic = sensors::is_valid_sensor_id(drill_id) ? root_ + "/" + std::string(drill_id) + "/deadletter"
                                                           : root_ + "/deadletter";
  transport_.publish({topic,
                      detail::dead_letter_record(message.topic, message.payload, reason, o.dead_letter_payload_bytes,
                                                 format_cap_time(clock_.now(), o.zone), message.original_size),
                      0, false},  // QoS 0, as the live core's (Core::dead_letter)
                     nullptr);
  if (auto held = dead_letter_log_.allow(clock_.now())) {
    spdlog::warn("drill dead letter: {} on {}{}", reason, message.topic,
                 *held ? fmt::format(" ({} more not logged)", *held) : "");
  }
}

void LiveDrills::on_message(const InboundMessage& message) {
  if (!owns(message.topic)) return;
  std::string_view rest = std::string_view(message.topic).substr(root_.size() + 1);
  const auto slash = rest.find('/');
  const std::string_view id = rest.substr(0, slash);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    drill_dead_letter(id, message, "no drill \"" + std::string(id) + "\" is running");
    return;
  }
  Session& s = *it->second;
  std::string_view inner = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  if (inner.starts_with("staff/") && inner.ends_with("/responses")) {
    auto staff = inner.substr(6, inner.size() - 6 - 10);
    if (s.transport->unreachable(staff)) {
      ++s.refused_responses;
      drill_dead_letter(id, message, "staff " + std::string(staff) + " is unreachable in this drill");
      return;
    }
  }
  s.core->on_message(message);
}

void LiveDrills::on_connection(bool connected) {
  connected_ = connected;
  for (auto& [id, s] : sessions_) s->core->on_connection(connected);
}

StatusOr<std::string> LiveDrills::start(std::string_view request_json, Diagnostics& diagnostics) {
  auto j = json::parse(request_json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::invalid_argument("the drill request is not a JSON object");
  const std::string id = j.value("id", "");
  if (!sensors::is_valid_sensor_id(id)) {
    return Status::invalid_argument("drill id \"" + id + "\": expected [A-Za-z0-9_.-]{1,64}");
  }
  if (sessions_.count(id)) return Status::already_exists("drill \"" + id + "\" is already running");
  if (sessions_.size() >= options_.max_drills) {
    return Status::failed_precondition(std::to_string(sessions_.size()) + " drills are running, the most at once");
  }
  const json duration = j.value("duration_s", json());
  if (!duration.is_number() || duration.get<double>() <= 0 ||
      duration.get<double>() > std::chrono::duration<double>(options_.max_duration).count()) {
    return Status::invalid_argument("\"duration_s\": expected seconds, more than 0 and at most " +
                                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(options_.max_duration).count()));
  }
  std::string error;
  auto away = string_list(j, "away", error);
  auto sick = string_list(j, "sick", error);
  auto unreachable = string_list(j, "unreachable", error);
  if (!error.empty()) return Status::invalid_argument(error);
  away.insert(away.end(), sick.begin(), sick.end());
  for (const auto* list : {&away, &unreachable}) {
    for (const auto& staff : *list) {
      if (live_.staff().find(staff) == nullptr) {
        return Status::invalid_argument("roster change for \"" + staff + "\": no such member in the engine's roster");
      }
    }
  }

  auto s = std::make_unique<Session>();
  s->id = id;
  s->scenario = j.value("scenario", "");
  s->title = j.value("title", "");
  s->by = j.value("by", "");
  s->prefix = root_ + "/" + id;
  s->started = clock_.now();
  s->ends = s->started + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(duration.get<double>())) +
            options_.grace;
  s->away = away;
  s->unreachable = unreachable;
  s->transport = std::make_unique<GuardTransport>(transport_, s->prefix,
                                                  std::set<std::string>(unreachable.begin(), unreachable.end()),
                                                  s->alive);
  CoreOptions o = live_.options();
  o.topic_prefix = s->prefix;
  o.alert_status = "Exercise";
  o.drill = id;
  o.id_prefix = "drill-";
  o.load_elsewhere = [&live = live_](std::string_view staff) { return live.active_assignments(staff); };
  auto alive = s->alive;
  auto post = [post = post_, alive](std::function<void()> fn) {
    post([alive, fn = std::move(fn)] {
      if (alive->alive) fn();  // on the strand, like the session's end: no lock needed
    });
  };
  s->core = std::make_unique<Core>(o, clock_, s->store, *s->transport, post);
  if (auto st = s->core->open(); !st.is_ok()) return st;
  s->core->copy_registries(live_);

  // The plans: the request's, or the engine's running ones. All or nothing.
  std::vector<std::pair<std::string, std::string>> plans;  // (file, text)
  if (j.contains("plans") && !j["plans"].is_null()) {
    if (!j["plans"].is_array()) return Status::invalid_argument("\"plans\" must be a list of {file, text}");
    for (const auto& p : j["plans"]) {
      if (!p.is_object() || !p.value("text", json()).is_string()) {
        return Status::invalid_argument("\"plans\" must be a list of {file, text}");
      }
      plans.emplace_back(p.value("file", "plan.yaml"), p["text"].get<std::string>());
    }
  }
  if (plans.empty()) {
    for (const auto& summary : live_.plans()) {
      auto stored = live_.plan(summary.id);
      if (!stored.is_ok()) return stored.status();
      plans.emplace_back(stored->file.empty() ? summary.id + ".yaml" : stored->file, stored->source);
    }
  }
  if (plans.empty()) return Status::failed_precondition("no plan to drill: the request names none and the engine runs none");
  for (const auto& [file, text] : plans) {
    Diagnostics d;
    auto applied = s->core->apply_plan(text, file, d);
    if (!applied.is_ok()) {
      diagnostics.insert(diagnostics.end(), d.begin(), d.end());
      return applied.status().with_context(file);
    }
  }
  for (const auto& summary : s->core->plans()) s->plans.push_back(summary.id);
  for (const auto& staff : away) s->core->withdraw_staff(staff);
  s->core->on_connection(connected_ || transport_.connected());
  s->end_timer = clock_.schedule_at(s->ends, [this, id] { end(id, "engine", "its end time passed", true); });

  auto info = summary_json(*s, "running");
  // Retained while it runs: a phone that comes online mid-drill learns of it.
  s->transport->publish({s->prefix + "/status", info, 1, true}, nullptr);
  spdlog::info("drill {} started ({} plans, ends by {}){}", id, s->plans.size(), format_cap_time(s->ends, o.zone),
               s->by.empty() ? "" : " by " + s->by);
  sessions_.emplace(id, std::move(s));
  return info;
}

std::string LiveDrills::summary_json(const Session& s, std::string_view state) const {
  const auto& zone = live_.options().zone;
  const auto stats = s.core->stats();
  json incidents = json::array();
  for (const auto* in : s.core->incidents()) {
    incidents.push_back({{"id", in->id}, {"plan", in->plan_id}, {"place", in->place.str()},
                         {"level", plans::level_name(in->level)}, {"state", in->state}});
  }
  return dump({{"drill", s.id},
               {"state", state},
               {"scenario", s.scenario},
               {"title", s.title},
               {"by", s.by},
               {"prefix", s.prefix},
               {"started", format_cap_time(s.started, zone)},
               {"ends", format_cap_time(s.ends, zone)},
               {"plans", s.plans},
               {"away", s.away},
               {"unreachable", s.unreachable},
               {"incidents", incidents},
               {"stats",
                {{"messages", stats.messages},
                 {"readings", stats.readings},
                 {"reports", stats.reports},
                 {"alerts", stats.alerts_sent},
                 {"incidents_opened", stats.incidents_opened},
                 {"assignments_offered", stats.assignments_offered},
                 {"assignments_accepted", stats.assignments_accepted},
                 {"assignments_declined", stats.assignments_declined},
                 {"assignments_unanswered", stats.assignments_unanswered},
                 {"dead_letters", stats.dead_letters},
                 {"undelivered", s.transport->undelivered()},
                 {"refused_responses", s.refused_responses},
                 {"guard_refused", s.transport->refused()}}}});
}

StatusOr<std::string> LiveDrills::stop(std::string_view id, std::string_view by) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return Status::not_found("no drill \"" + std::string(id) + "\" is running");
  return end(it->first, by.empty() ? "lookoutctl" : by, "stopped", false);
}

std::string LiveDrills::end(std::string id, std::string_view by, std::string_view reason, bool from_timer) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return "";
  Session& s = *it->second;
  if (from_timer) {
    s.end_timer.reset();
  } else if (s.end_timer) {
    clock_.cancel(*s.end_timer);
  }
  // Whatever is still open resolves: a Cancel (Exercise) to everyone told, and every
  // member released, so that nobody goes on running to a drill that is over.
  for (const auto* in : s.core->incidents()) {
    if (in->state == "resolved" || in->state == "closed") continue;
    (void)s.core->resolve(in->id, by, "the drill ended (" + std::string(reason) + ")");
  }
  // The end, then the retained messages cleared (the incidents' states and the status):
  // the broker keeps nothing of a drill that is over. Published after the Cancels and
  // releases the resolves above handed to the transport, so subscribers see them first.
  auto summary = summary_json(s, "ended");
  transport_.publish({s.prefix + "/status", summary, 1, false}, nullptr);
  auto retained = s.transport->retained();
  retained.insert(s.prefix + "/status");
  for (const auto& topic : retained) transport_.publish({topic, "", 1, true}, nullptr);
  spdlog::info("drill {} ended by {}: {}", id, by, reason);
  {
    std::lock_guard lock(s.alive->mutex);
    s.alive->alive = false;
  }
  sessions_.erase(it);
  return summary;
}

void LiveDrills::end_all(std::string_view reason) {
  while (!sessions_.empty()) end(sessions_.begin()->first, "engine", reason, false);
}

std::string LiveDrills::list_json() const {
  json out = json::array();
  for (const auto& [id, s] : sessions_) out.push_back(json::parse(summary_json(*s, "running")));
  return dump(out);
}

StatusOr<std::string> LiveDrills::info_json(std::string_view id) const {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return Status::not_found("no drill \"" + std::string(id) + "\" is running");
  return summary_json(*it->second, "running");
}

std::size_t LiveDrills::running() const { return sessions_.size(); }

const Core* LiveDrills::core(std::string_view id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second->core.get();
}

}  // namespace lookout::engine
