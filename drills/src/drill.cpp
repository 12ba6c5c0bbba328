// The virtual-time drill runner (drill.h). The real Core runs on a ManualClock with a
// MemoryStore; a transport twin reads what the core publishes (alerts, assignments,
// notices, incident states) into the drill's record and plays the staff's phones:
// each offered assignment gets the answer the scenario's behaviour rules draw, at the
// time they draw, published on the member's own responses topic like a real phone.
#include "lookout/drills/drill.h"

#include <date/tz.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <tuple>
#include <deque>
#include <functional>
#include <memory>
#include <set>

#include "lookout/base/time_format.h"
#include "lookout/engine/core.h"
#include "lookout/engine/store.h"
#include "lookout/rules/units.h"

namespace lookout::drills {

using nlohmann::json;

namespace {

// A small deterministic generator (splitmix64): the same seed gives the same draws on
// every platform and standard library, which std::uniform_*_distribution does not promise.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  Duration in(const DurationRange& r) {
    if (r.max <= r.min) return r.min;
    const auto span = static_cast<double>((r.max - r.min).count());
    return r.min + Duration(static_cast<Duration::rep>(uniform() * span));
  }

 private:
  std::uint64_t state_;
};

std::string number(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 10);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

// One input of the drill, at its time.
struct Input {
  Duration at{};
  enum class Kind { kReading, kStatus, kReport } kind = Kind::kReading;
  std::size_t stream = 0;  // kReading, kStatus: index in the scenario's streams; kReport: in its reports
  double value = 0;
};

bool meets(double value, std::string_view op, double threshold) {
  if (op == ">=") return value >= threshold;
  if (op == ">") return value > threshold;
  if (op == "<=") return value <= threshold;
  if (op == "<") return value < threshold;
  return value == threshold;
}

// Everything published, seen as it is published, and the drill's staff phones.
class DrillTransport final : public engine::Transport {
 public:
  using Publish = std::function<void(const engine::OutboundMessage&)>;
  explicit DrillTransport(Publish on_publish) : on_publish_(std::move(on_publish)) {}
  Status start(std::vector<std::string>, MessageHandler, ConnectionHandler) override { return Status::ok(); }
  void publish(engine::OutboundMessage message, DeliveryHandler on_done) override {
    on_publish_(message);
    if (on_done) done_.push_back(std::move(on_done));
  }
  void stop(const engine::OutboundMessage&, std::chrono::milliseconds) override {}
  bool connected() const override { return true; }
  // Deliveries complete after the core's call returns, like a broker's acknowledgement.
  void complete() {
    while (!done_.empty()) {
      auto fn = std::move(done_.front());
      done_.pop_front();
      fn(Status::ok());
    }
  }

 private:
  Publish on_publish_;
  std::deque<DeliveryHandler> done_;
};

class Runner {
 public:
  Runner(const Scenario& scenario, std::uint64_t seed)
      : scenario_(scenario), random_(seed), clock_(scenario.start),
        transport_([this](const engine::OutboundMessage& m) { seen(m); }) {
    report_.drill = scenario.id;
    report_.title = scenario.title;
    report_.scenario_file = scenario.file;
    report_.seed = seed;
    report_.start = scenario.start;
    report_.time_zone = scenario.time_zone;
    report_.duration = scenario.duration;
    prefix_ = "lookout/v1/drill/" + scenario.id;
  }

  StatusOr<DrillReport> run(Diagnostics& diagnostics) {
    engine::CoreOptions o;
    o.topic_prefix = prefix_;
    o.sender = "lookout-drill@" + scenario_.id;
    o.alert_status = "Exercise";
    o.drill = scenario_.id;
    auto zone = find_time_zone(scenario_.time_zone);
    o.zone = zone.is_ok() ? *zone : nullptr;
    zone_ = o.zone;
    core_ = std::make_unique<engine::Core>(o, clock_, store_, transport_,
                                           [this](std::function<void()> fn) { posted_.push_back(std::move(fn)); });
    if (auto s = core_->open(); !s.is_ok()) return s;
    if (auto s = load_community(diagnostics); !s.is_ok()) return s;
    for (const auto& change : scenario_.roster_changes) {
      if (change.kind == RosterChange::Kind::kUnreachable) {
        unreachable_.insert(change.staff);
      } else {
        core_->withdraw_staff(change.staff);
      }
    }
    build_inputs();
    for (const auto& input : inputs_) {
      advance_to(input.at);
      feed(input);
      settle();
    }
    advance_to(scenario_.duration);
    finish();
    return std::move(report_);
  }

 private:
  Status load_community(Diagnostics& diagnostics) {
    auto load = [&](const auto& files, auto import) -> Status {
      for (const auto& [name, text] : files) {
        Diagnostics d;
        auto n = import(text, name, d);
        if (!n.is_ok()) {
          diagnostics.insert(diagnostics.end(), d.begin(), d.end());
          return n.status().with_context(name);
        }
      }
      return Status::ok();
    };
    if (auto s = load(scenario_.places, [&](auto& t, auto& n, auto& d) { return core_->import_places(t, n, d); }); !s.is_ok()) {
      return s;
    }
    if (auto s = load(scenario_.sensors, [&](auto& t, auto& n, auto& d) { return core_->import_sensors(t, n, d); }); !s.is_ok()) {
      return s;
    }
    if (auto s = load(scenario_.staff, [&](auto& t, auto& n, auto& d) { return core_->import_staff(t, n, d); }); !s.is_ok()) {
      return s;
    }
    for (const auto& [name, text] : scenario_.plans) {
      Diagnostics d;
      auto r = core_->apply_plan(text, name, d);
      if (!r.is_ok()) {
        diagnostics.insert(diagnostics.end(), d.begin(), d.end());
        return r.status().with_context(name);
      }
    }
    for (const auto& change : scenario_.roster_changes) {
      if (core_->staff().find(change.staff) == nullptr) {
        return Status::invalid_argument("roster change for \"" + change.staff + "\": no such member in the roster");
      }
    }
    for (const auto& stream : scenario_.streams) {
      if (core_->sensors().find(stream.sensor) == nullptr) {
        return Status::invalid_argument("stream for sensor \"" + stream.sensor + "\" (line " + std::to_string(stream.line) +
                                        "): no such sensor in the registry");
      }
    }
    return Status::ok();
  }

  // Every reading, status and report of the drill, in time order (then file order).
  void build_inputs() {
    for (std::size_t i = 0; i < scenario_.streams.size(); ++i) {
      const auto& stream = scenario_.streams[i];
      if (!stream.replayed.empty()) {
        for (const auto& [at, value] : stream.replayed) {
          if (at >= Duration::zero() && at <= scenario_.duration) inputs_.push_back({at, Input::Kind::kReading, i, value});
        }
        continue;
      }
      // Statuses: "offline" where an offline piece starts, "online" where a sensor that
      // was offline sends again (its status is what offline() reads).
      bool offline = false;
      for (const auto& piece : stream.script) {
        if (piece.kind == Segment::Kind::kOffline) {
          inputs_.push_back({piece.at, Input::Kind::kStatus, i, 1});
          offline = true;
        } else if (offline && piece.kind != Segment::Kind::kSilent) {
          inputs_.push_back({piece.at, Input::Kind::kStatus, i, 0});
          offline = false;
        }
      }
      std::optional<double> last;
      for (Duration t{}; t <= scenario_.duration; t += stream.every) {
        auto value = script_value(stream, t);
        if (!value) continue;
        bool stuck = false;
        for (const auto& piece : stream.script) {
          if (piece.at <= t) stuck = piece.kind == Segment::Kind::kStuck;
        }
        double v = *value;
        if (stuck && last) {
          v = *last;  // a stuck sensor repeats exactly what it last sent
        } else if (stream.noise > 0) {
          v += (random_.uniform() * 2 - 1) * stream.noise;
        }
        last = v;
        inputs_.push_back({t, Input::Kind::kReading, i, v});
      }
    }
    for (std::size_t i = 0; i < scenario_.reports.size(); ++i) {
      inputs_.push_back({scenario_.reports[i].at, Input::Kind::kReport, i, 0});
    }
    std::stable_sort(inputs_.begin(), inputs_.end(), [](const Input& a, const Input& b) { return a.at < b.at; });
  }

  void advance_to(Duration offset) {
    clock_.advance_to(scenario_.start + offset);
    settle();
  }

  // Runs what the core posted and completes deliveries, until nothing is left.
  void settle() {
    for (;;) {
      transport_.complete();
      if (posted_.empty()) break;
      auto fn = std::move(posted_.front());
      posted_.pop_front();
      fn();
    }
  }

  Duration offset() const { return clock_.now() - scenario_.start; }

  void feed(const Input& input) {
    const Time t = scenario_.start + input.at;
    if (input.kind == Input::Kind::kReport) {
      const auto& r = scenario_.reports[input.stream];
      json j = {{"id", r.id},          {"category", r.category},         {"place", r.place.str()},
                {"source", r.source},  {"description", r.description},  {"time", format_cap_time(t, zone_)}};
      ++report_.reports;
      event("report", "", "", r.place.str(), "", "", r.category + " report " + r.id + " from " + r.source);
      core_->on_message({prefix_ + "/reports", j.dump(), 1, false, false});
      return;
    }
    const auto& stream = scenario_.streams[input.stream];
    if (input.kind == Input::Kind::kStatus) {
      core_->on_message({prefix_ + "/sensors/" + stream.sensor + "/status", input.value != 0 ? "offline" : "online", 1,
                         false, false});
      return;
    }
    ++report_.readings;
    first_readings_.push_back({input.at, input.stream, input.value});
    // Straight into the core's evaluation, as a decoded SenML record would go: encoding
    // and decoding JSON for a generated reading would be most of a drill's cost.
    core_->on_reading(stream.sensor, stream.quantity, stream.unit, input.value, t);
  }

  void event(std::string kind, std::string incident, std::string level, std::string place, std::string staff,
             std::string role, std::string text) {
    report_.events.push_back(DrillEvent{offset(), std::move(kind), std::move(incident), std::move(level),
                                        std::move(place), std::move(staff), std::move(role), std::move(text)});
  }

  // What the core publishes, as it publishes it.
  void seen(const engine::OutboundMessage& m) {
    std::string_view topic = m.topic;
    if (!topic.starts_with(prefix_ + "/")) return;
    topic.remove_prefix(prefix_.size() + 1);
    auto j = json::parse(m.payload, nullptr, false);
    if (topic.starts_with("alerts/")) {
      if (j.is_discarded()) return;
      ++report_.alerts;
      if (j.value("status", "") == "Actual") ++report_.actual_alerts;
      std::string level;
      std::string headline;
      if (j.contains("info") && !j["info"].empty()) {
        headline = j["info"][0].value("headline", "");
        for (const auto& p : j["info"][0].value("parameter", json::array())) {
          if (p.value("valueName", "") == "warningLevel") level = p.value("value", "");
        }
      }
      std::string incident = j.contains("incidents") ? j["incidents"].get<std::string>() : "";
      const std::string msg_type = j.value("msgType", "");
      if (msg_type != "Cancel" && !report_.first_alert) report_.first_alert = offset();
      alert_times_.push_back({offset(), level, msg_type});
      event("alert", incident, level, std::string(topic.substr(7)), "", "", msg_type + ": " + headline);
    } else if (topic.starts_with("staff/") && topic.ends_with("/assignments")) {
      if (j.is_discarded()) return;
      const std::string staff(topic.substr(6, topic.size() - 6 - 12));
      const std::string status = j.value("status", "");
      const std::string id = j.value("assignment", "");
      const std::string incident = j.value("incident", "");
      const std::string role = j.value("role", "");
      const std::string kind = status == "offered" ? "assigned" : status == "expired" ? "no_answer" : status;
      event(kind, incident, j.value("level", ""), j.value("place", ""), staff, role,
            kind == "assigned" ? "respond by " + j.value("respond_by", "") : "");
      if (status == "offered") {
        ++report_.assignments;
        assigned_[id] = {incident, role, staff};
        play_phone(id, staff, role);
      } else if (status == "released" && held_.erase(id) > 0) {
        --holding_[{incident, role}];
      }
    } else if (topic.starts_with("staff/") && topic.ends_with("/notices")) {
      if (j.is_discarded()) return;
      const std::string kind = j.value("kind", "");
      if (kind == "alert" || kind == "all_clear") return;  // the alert itself is recorded once
      event(kind == "escalation" ? "escalated" : kind, j.value("incident", ""), j.value("level", ""),
            j.value("place", ""), std::string(topic.substr(6, topic.size() - 6 - 8)), "", j.value("text", ""));
    } else if (topic.starts_with("incidents/")) {
      if (j.is_discarded()) return;
      const std::string id = j.value("id", "");
      const std::string state = j.value("state", "");
      const std::string level = state == "resolved" || state == "closed" ? "" : j.value("level", "");
      // A change of level, or the end ("" once resolved): the level lanes of the report.
      auto [last, first_seen] = incident_levels_.try_emplace(id, level);
      if (first_seen || last->second != level) {
        report_.levels.push_back({offset(), id, j.value("place", ""), level});
        if (level.empty()) {
          event("resolved", id, "", j.value("place", ""), "", "", "resolved by " + j.value("resolved_by", ""));
        }
        last->second = level;
      }
      incident_places_[id] = j.value("place", "");
      incident_plans_[id] = j.value("plan", "");
      if (!level.empty()) {
        auto& reached = incident_reached_[id];
        reached.insert(level);
      }
    } else if (topic == "deadletter") {
      ++report_.dead_letters;
      event("dead_letter", "", "", "", "", "", j.is_discarded() ? "" : j.value("reason", ""));
    }
  }

  const StaffBehaviour& behaviour_of(const std::string& staff, const std::string& role) const {
    static const StaffBehaviour kDefault;
    const auto* member = core_->staff().find(staff);
    const std::string kind = member ? std::string(sensors::staff_kind_name(member->kind)) : "";
    for (const auto& b : scenario_.behaviour) {
      if (!b.role.empty() && b.role != role) continue;
      if (!b.kind.empty() && b.kind != kind) continue;
      if (!b.staff.empty() && b.staff != staff) continue;
      return b;
    }
    return kDefault;
  }

  // The member's phone: the answer the behaviour draws, at the time it draws, on the
  // member's own topic.
  void play_phone(const std::string& assignment, const std::string& staff, const std::string& role) {
    if (unreachable_.count(staff)) return;
    const auto& b = behaviour_of(staff, role);
    const double u = random_.uniform();
    const Duration respond = random_.in(b.respond);
    if (u < b.no_answer) return;
    const bool decline = u < b.no_answer + b.decline;
    const Duration travel = random_.in(b.travel);
    answer_at(respond, staff, assignment, decline ? "decline" : "accept");
    if (!decline) answer_at(respond + travel, staff, assignment, "arrived");
  }

  void answer_at(Duration after, const std::string& staff, const std::string& assignment, const std::string& response) {
    clock_.schedule_after(after, [this, staff, assignment, response] {
      const auto* a = core_->assignment(assignment);
      // A phone does not answer an assignment that was taken back meanwhile.
      if (a == nullptr || a->state == "released" || a->state == "no_answer" || a->state == "declined") return;
      json j = {{"assignment", assignment}, {"response", response}, {"time", format_cap_time(clock_.now(), zone_)}};
      const auto& [incident, role, who] = assigned_[assignment];
      const std::string kind = response == "accept" ? "accepted" : response == "decline" ? "declined" : response;
      event(kind, incident, incident_levels_[incident], incident_places_[incident], staff, role, "");
      if ((kind == "accepted" || (kind == "arrived" && a->state == "offered")) && held_.insert(assignment).second) {
        int& n = ++holding_[{incident, role}];
        auto& best = most_held_[{incident, role}];
        best = std::max(best, n);
        filled_times_[{incident, role}].push_back({offset(), n});
      }
      core_->on_message({prefix_ + "/staff/" + staff + "/responses", j.dump(), 1, false, false});
      settle();
    });
  }

  // The roles each incident needed (the most any level it reached asked for), and when
  // enough were held at once.
  void tally_roles() {
    for (const auto& [incident, levels] : incident_reached_) {
      auto plan = core_->plan(incident_plans_[incident]);
      if (!plan.is_ok()) continue;
      std::map<std::string, int> needed;
      for (const auto& rule : plan->plan.levels) {
        if (!levels.count(std::string(plans::level_name(rule.level)))) continue;
        for (const auto& need : rule.staff) needed[need.role] = std::max(needed[need.role], need.count);
      }
      for (const auto& [role, count] : needed) {
        RoleOutcome r{incident, incident_places_[incident], role, count, most_held_[{incident, role}], std::nullopt};
        for (const auto& [at, n] : filled_times_[{incident, role}]) {
          if (n >= count) {
            r.filled_at = at;
            break;
          }
        }
        report_.roles.push_back(std::move(r));
      }
    }
    std::optional<Duration> last;
    bool all = !report_.roles.empty();
    for (const auto& r : report_.roles) {
      if (!r.filled_at) all = false;
      else if (!last || *r.filled_at > *last) last = r.filled_at;
    }
    if (all) report_.fully_staffed = last;
  }

  std::string at_text(Duration d) const {
    auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
    return buf;
  }

  ExpectationResult check(const Expectation& e) {
    ExpectationResult r{e.text, e.line, false, ""};
    switch (e.kind) {
      case Expectation::Kind::kAlertWithin: {
        Duration from{};
        std::string from_text = "the start";
        if (!e.after_quantity.empty()) {
          bool found = false;
          for (const auto& [at, stream, value] : first_readings_) {
            const auto& s = scenario_.streams[stream];
            if (s.quantity == e.after_quantity && meets(value, e.after_op, e.after_value)) {
              from = at;
              from_text = s.quantity + " " + number(value) + " from " + s.sensor + " at " + at_text(at);
              found = true;
              break;
            }
          }
          if (!found) {
            r.evidence = "no reading met " + e.after_quantity + " " + e.after_op + " " + number(e.after_value);
            return r;
          }
        }
        for (const auto& [at, level, msg_type] : alert_times_) {
          if (at < from || msg_type == "Cancel") continue;
          auto l = plans::parse_level(level);
          if (!l || plans::more_severe(e.level, *l)) continue;
          r.passed = at - from <= e.within;
          r.evidence = "level " + level + " alert at " + at_text(at) + ", " + at_text(at - from) + " after " + from_text;
          return r;
        }
        r.evidence = "no alert at level " + std::string(plans::level_name(e.level)) + " or above after " + from_text;
        return r;
      }
      case Expectation::Kind::kAcceptedWithin: {
        if (!report_.first_alert) {
          r.evidence = "no alert, so nobody was called";
          return r;
        }
        int n = 0;
        std::optional<Duration> nth;
        for (const auto& ev : report_.events) {
          if (ev.kind == "accepted" && ev.role == e.role && ev.at <= *report_.first_alert + e.within) {
            if (++n == e.count) nth = ev.at;
          }
        }
        r.passed = n >= e.count;
        r.evidence = std::to_string(n) + " " + e.role + " accepted within " + at_text(e.within) + " of the first alert" +
                     (nth ? " (enough at " + at_text(*nth) + ")" : "");
        return r;
      }
      case Expectation::Kind::kAssignedWithin: {
        std::vector<std::string> outside;
        for (const auto& ev : report_.events) {
          if (ev.kind != "assigned") continue;
          const auto* m = core_->staff().find(ev.staff);
          const bool inside = m && m->home.depth() >= e.place.depth() && m->home.truncated(e.place.depth()) == e.place;
          if (!inside) outside.push_back(ev.staff + (m ? " (home " + m->home.str() + ")" : ""));
        }
        r.passed = outside.empty();
        r.evidence = outside.empty() ? "every assignment went to a member based in " + e.place.str()
                                     : "assigned outside " + e.place.str() + ": " + join(outside);
        return r;
      }
      case Expectation::Kind::kNoActualAlert:
        r.passed = report_.actual_alerts == 0;
        r.evidence = std::to_string(report_.alerts) + " alerts, " + std::to_string(report_.actual_alerts) +
                     " with status Actual";
        return r;
      case Expectation::Kind::kNoAlert:
        r.passed = report_.alerts == 0;
        r.evidence = report_.alerts == 0 ? "no alert" : std::to_string(report_.alerts) + " alerts, the first at " +
                                                            at_text(*report_.first_alert);
        return r;
      case Expectation::Kind::kNoUnfilledRole: {
        std::vector<std::string> unfilled;
        for (const auto& role : report_.roles) {
          if (!role.filled_at) {
            unfilled.push_back(role.role + " at " + role.place + " (" + std::to_string(role.accepted) + " of " +
                               std::to_string(role.needed) + ")");
          }
        }
        r.passed = unfilled.empty();
        r.evidence = unfilled.empty() ? std::to_string(report_.roles.size()) +
                                            (report_.roles.size() == 1 ? " role, filled" : " roles, all filled")
                                      : "unfilled: " + join(unfilled);
        return r;
      }
      case Expectation::Kind::kResolvedWithin: {
        std::vector<std::string> open;
        std::optional<Duration> last;
        for (const auto& [id, places] : incident_places_) {
          std::optional<Duration> resolved;
          for (const auto& ev : report_.events) {
            if (ev.kind == "resolved" && ev.incident == id) resolved = ev.at;
          }
          if (!resolved || *resolved > e.within) open.push_back(id);
          else if (!last || *resolved > *last) last = resolved;
        }
        r.passed = open.empty() && !incident_places_.empty();
        r.evidence = incident_places_.empty() ? "no incident"
                     : open.empty()           ? "every incident resolved, the last at " + at_text(*last)
                                              : "not resolved within " + at_text(e.within) + ": " + join(open);
        return r;
      }
    }
    return r;
  }

  static std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
  }

  void finish() {
    tally_roles();
    for (const auto& e : scenario_.expectations) report_.expectations.push_back(check(e));
    report_.engine_events = core_->stats().messages;
  }

  const Scenario& scenario_;
  Random random_;
  ManualClock clock_;
  engine::MemoryStore store_;
  DrillTransport transport_;
  std::deque<std::function<void()>> posted_;
  std::unique_ptr<engine::Core> core_;
  const date::time_zone* zone_ = nullptr;
  std::string prefix_;
  DrillReport report_;
  std::vector<Input> inputs_;
  std::set<std::string> unreachable_;
  // Readings sent, for "after the first reading meeting ..." (offset, stream, value).
  std::vector<std::tuple<Duration, std::size_t, double>> first_readings_;
  std::vector<std::tuple<Duration, std::string, std::string>> alert_times_;  // offset, level, msgType
  std::map<std::string, std::tuple<std::string, std::string, std::string>> assigned_;  // id -> incident, role, staff
  std::set<std::string> held_;  // assignments accepted and not released
  std::map<std::pair<std::string, std::string>, int> holding_;    // (incident, role) -> held now
  std::map<std::pair<std::string, std::string>, int> most_held_;
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<Duration, int>>> filled_times_;
  std::map<std::string, std::string> incident_levels_;  // id -> its level now ("" resolved)
  std::map<std::string, std::string> incident_places_;
  std::map<std::string, std::string> incident_plans_;
  std::map<std::string, std::set<std::string>> incident_reached_;
};

std::optional<Duration> percentile(std::vector<Duration> values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  // Nearest rank: the smallest value with at least p of the samples at or below it.
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::min(values.size(), std::max<std::size_t>(rank, 1)) - 1];
}

DrillSummary::Stats stats_of(const std::vector<Duration>& values) {
  DrillSummary::Stats s;
  s.samples = static_cast<int>(values.size());
  s.p50 = percentile(values, 0.5);
  s.p90 = percentile(values, 0.9);
  s.max = percentile(values, 1.0);
  return s;
}

}  // namespace

bool DrillReport::passed() const {
  // A drill that emitted an Actual alert has failed, whatever it expected.
  return actual_alerts == 0 &&
         std::all_of(expectations.begin(), expectations.end(), [](const auto& e) { return e.passed; });
}

StatusOr<DrillReport> run_drill(const Scenario& scenario, const DrillOptions& options, Diagnostics& diagnostics) {
  // The report is a drill's output: the core's line per incident, assignment and
  // answer would drown it (and slow a drill of a million readings). Errors still show.
  const auto level = spdlog::get_level();
  spdlog::set_level(std::max(level, spdlog::level::err));
  Runner runner(scenario, options.seed.value_or(scenario.seed));
  auto report = runner.run(diagnostics);
  spdlog::set_level(level);
  return report;
}

DrillSummary summarize(const std::vector<DrillReport>& reports) {
  DrillSummary s;
  if (reports.empty()) return s;
  s.drill = reports.front().drill;
  s.title = reports.front().title;
  s.runs = static_cast<int>(reports.size());
  std::vector<Duration> first;
  std::vector<Duration> staffed;
  std::map<std::string, int> unfilled_runs;
  std::map<std::string, int> passes;
  std::vector<std::string> order;
  auto found_zone = find_time_zone(reports.front().time_zone);
  const date::time_zone* zone = found_zone.is_ok() ? *found_zone : nullptr;
  for (const auto& r : reports) {
    s.seeds.push_back(r.seed);
    if (r.passed()) ++s.runs_passed;
    if (r.first_alert) first.push_back(*r.first_alert);
    if (r.fully_staffed) {
      staffed.push_back(*r.fully_staffed);
      ++s.runs_fully_staffed;
    }
    std::set<std::string> roles;
    std::set<std::string> places;
    for (const auto& role : r.roles) {
      if (role.filled_at) continue;
      roles.insert(role.role);
      places.insert(role.place);
    }
    for (const auto& role : roles) ++unfilled_runs[role];
    for (const auto& place : places) ++s.weakest_places[place];
    if (!roles.empty() && r.first_alert) {
      const Time t = r.start + *r.first_alert;
      int hour = 0;
      if (zone != nullptr) {
        auto local = date::make_zoned(zone, std::chrono::time_point_cast<std::chrono::seconds>(t)).get_local_time();
        hour = static_cast<int>(date::make_time(local - date::floor<date::days>(local)).hours().count());
      }
      ++s.weakest_hours[hour];
    }
    for (const auto& e : r.expectations) {
      if (!passes.count(e.text)) order.push_back(e.text);
      passes[e.text] += e.passed ? 1 : 0;
    }
  }
  s.first_alert = stats_of(first);
  s.fully_staffed = stats_of(staffed);
  for (const auto& [role, n] : unfilled_runs) s.unfilled_role_probability[role] = static_cast<double>(n) / s.runs;
  for (const auto& text : order) s.expectation_passes.emplace_back(text, passes[text]);
  return s;
}

}  // namespace lookout::drills
