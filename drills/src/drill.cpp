// The virtual-time drill runner (drill.h). The real Core runs on a ManualClock with a
// MemoryStore; a transport twin hands what the core publishes (alerts, assignments,
// notices, incident states) to the drill's record (recorder.h) and plays the staff's phones:
// each offered assignment gets the answer the scenario's behaviour rules draw, at the
// time they draw, published on the member's own responses topic like a real phone.
#include "lookout/drills/drill.h"

#include <date/tz.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <memory>
#include <set>

#include "lookout/base/time_format.h"
#include "lookout/drills/inputs.h"
#include "lookout/drills/recorder.h"
#include "lookout/engine/core.h"
#include "lookout/engine/store.h"

namespace lookout::drills {

using nlohmann::json;

namespace {

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
  Runner(const Scenario& scenario, const DrillOptions& options)
      : scenario_(scenario), tap_(options.tap), random_(options.seed.value_or(scenario.seed)), clock_(scenario.start),
        transport_([this](const engine::OutboundMessage& m) { seen(m); }),
        prefix_("lookout/v1/drill/" + scenario.id),
        recorder_(scenario, options.seed.value_or(scenario.seed), prefix_) {}

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
    for (const auto& input : build_inputs(scenario_, random_)) {
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
      recorder_.report_sent(input.at, r);
      core_->on_message({prefix_ + "/reports", j.dump(), 1, false, false});
      return;
    }
    const auto& stream = scenario_.streams[input.stream];
    if (input.kind == Input::Kind::kStatus) {
      core_->on_message({prefix_ + "/sensors/" + stream.sensor + "/status", input.value != 0 ? "offline" : "online", 1,
                         false, false});
      return;
    }
    recorder_.reading(input.at, input.stream, input.value);
    // Straight into the core's evaluation, as a decoded SenML record would go: encoding
    // and decoding JSON for a generated reading would be most of a drill's cost.
    core_->on_reading(stream.sensor, stream.quantity, stream.unit, input.value, t);
  }

  // What the core publishes, as it publishes it: into the record, and a new assignment
  // to the member's phone.
  void seen(const engine::OutboundMessage& m) {
    if (tap_) tap_(m.topic, m.payload);
    if (auto offer = recorder_.published(offset(), m.topic, m.payload)) play_phone(*offer);
  }

  // The member's phone: the answer the behaviour draws, at the time it draws, on the
  // member's own topic.
  void play_phone(const Recorder::Offer& offer) {
    if (unreachable_.count(offer.staff)) return;
    const auto* member = core_->staff().find(offer.staff);
    const std::string kind = member ? std::string(sensors::staff_kind_name(member->kind)) : "";
    auto answer = draw_answer(behaviour_for(scenario_, offer.staff, kind, offer.role), random_);
    if (!answer.answers) return;
    answer_at(answer.respond, offer.staff, offer.assignment, answer.declines ? "decline" : "accept");
    if (!answer.declines) answer_at(answer.respond + answer.travel, offer.staff, offer.assignment, "arrived");
  }

  void answer_at(Duration after, const std::string& staff, const std::string& assignment, const std::string& response) {
    clock_.schedule_after(after, [this, staff, assignment, response] {
      const auto* a = core_->assignment(assignment);
      // A phone does not answer an assignment that was taken back meanwhile.
      if (a == nullptr || a->state == "released" || a->state == "no_answer" || a->state == "declined") return;
      json j = {{"assignment", assignment}, {"response", response}, {"time", format_cap_time(clock_.now(), zone_)}};
      core_->on_message({prefix_ + "/staff/" + staff + "/responses", j.dump(), 1, false, false});
      settle();
    });
  }

  void finish() {
    Recorder::Lookups lookups;
    lookups.plan = [this](std::string_view id) -> const plans::Plan* {
      auto it = plans_.find(std::string(id));
      if (it == plans_.end()) {
        auto p = core_->plan(id);
        if (!p.is_ok()) return nullptr;
        it = plans_.emplace(std::string(id), p->plan).first;
      }
      return &it->second;
    };
    lookups.home = [this](std::string_view staff) -> std::optional<PlacePath> {
      const auto* m = core_->staff().find(staff);
      if (m == nullptr) return std::nullopt;
      return m->home;
    };
    report_ = recorder_.finish(lookups, core_->stats().messages);
  }

  const Scenario& scenario_;
  std::function<void(const std::string&, const std::string&)> tap_;
  Random random_;
  ManualClock clock_;
  engine::MemoryStore store_;
  DrillTransport transport_;
  std::deque<std::function<void()>> posted_;
  std::unique_ptr<engine::Core> core_;
  const date::time_zone* zone_ = nullptr;
  std::string prefix_;
  Recorder recorder_;
  DrillReport report_;
  std::set<std::string> unreachable_;
  std::map<std::string, plans::Plan> plans_;  // finish()'s lookups
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
  Runner runner(scenario, options);
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
