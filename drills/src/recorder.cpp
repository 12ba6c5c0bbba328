// The drill's record (recorder.h).
#include "lookout/drills/recorder.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace lookout::drills {

using nlohmann::json;

namespace {

std::string number(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 10);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

bool meets(double value, std::string_view op, double threshold) {
  if (op == ">=") return value >= threshold;
  if (op == ">") return value > threshold;
  if (op == "<=") return value <= threshold;
  if (op == "<") return value < threshold;
  return value == threshold;
}

std::string at_text(Duration d) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// An assignment in this state holds its place at the incident (counts towards the role).
bool holds(std::string_view state) { return state == "accepted" || state == "arrived" || state == "done"; }

}  // namespace

Recorder::Recorder(const Scenario& scenario, std::uint64_t seed, std::string prefix)
    : scenario_(scenario), prefix_(std::move(prefix)) {
  report_.drill = scenario.id;
  report_.title = scenario.title;
  report_.scenario_file = scenario.file;
  report_.seed = seed;
  report_.start = scenario.start;
  report_.time_zone = scenario.time_zone;
  report_.duration = scenario.duration;
}

void Recorder::event(Duration at, std::string kind, std::string incident, std::string level, std::string place,
                     std::string staff, std::string role, std::string text) {
  report_.events.push_back(DrillEvent{at, std::move(kind), std::move(incident), std::move(level), std::move(place),
                                      std::move(staff), std::move(role), std::move(text)});
}

void Recorder::reading(Duration at, std::size_t stream, double value) {
  ++report_.readings;
  sent_readings_.emplace_back(at, stream, value);
}

void Recorder::report_sent(Duration at, const ScriptedReport& r) {
  ++report_.reports;
  event(at, "report", "", "", r.place.str(), "", "", r.category + " report " + r.id + " from " + r.source);
}

void Recorder::moved(Duration at, const std::string& id, const std::string& state, bool record) {
  auto it = assigned_.find(id);
  if (it == assigned_.end() || it->second.state == state) return;
  auto& a = it->second;
  const bool held_before = holds(a.state);
  const bool held_now = holds(state);
  a.state = state;
  if (record) {
    event(at, state, a.incident, incident_levels_[a.incident], incident_places_[a.incident], a.staff, a.role, "");
  }
  const std::pair key{a.incident, a.role};
  if (!held_before && held_now) {
    int n = ++holding_[key];
    most_held_[key] = std::max(most_held_[key], n);
    filled_times_[key].emplace_back(at, n);
  } else if (held_before && !held_now) {
    --holding_[key];
  }
  respond(at, id, state);
}

void Recorder::respond(Duration at, const std::string& id, const std::string& state) {
  auto index = response_index_.find(id);
  if (index == response_index_.end()) return;
  ResponseTime& r = report_.responses[index->second];
  const Duration since = at - r.offered;
  // The first decisive outcome is the answer; what follows it does not change it (a
  // decline after an accept stays "accepted"). Arrived or done straight from offered
  // accepted on the way.
  if (r.answer.empty()) {
    if (state == "accepted" || state == "arrived" || state == "done") {
      r.answer = "accepted";
      r.answered_after = since;
    } else if (state == "declined") {
      r.answer = "declined";
      r.answered_after = since;
    } else if (state == "no_answer" || state == "withdrawn" || state == "released") {
      r.answer = state;
    }
  }
  if (state == "arrived" && !r.arrived_after) r.arrived_after = since;
}

std::optional<Recorder::Offer> Recorder::published(Duration at, std::string_view topic, std::string_view payload) {
  if (!topic.starts_with(prefix_) || topic.size() <= prefix_.size() || topic[prefix_.size()] != '/') return std::nullopt;
  topic.remove_prefix(prefix_.size() + 1);
  // A live drill's messages to an unreachable member: recorded, not delivered.
  const bool undelivered = topic.starts_with("undelivered/");
  if (undelivered) topic.remove_prefix(12);
  auto j = json::parse(payload, nullptr, false);
  if (j.is_discarded() && topic != "deadletter") return std::nullopt;
  if (topic.starts_with("alerts/")) {
    ++report_.alerts;
    if (j.value("status", "") == "Actual") ++report_.actual_alerts;
    std::string level;
    std::string headline;
    if (j.contains("info") && j["info"].is_array() && !j["info"].empty()) {
      headline = j["info"][0].value("headline", "");
      for (const auto& p : j["info"][0].value("parameter", json::array())) {
        if (p.value("valueName", "") == "warningLevel") level = p.value("value", "");
      }
    }
    std::string incident = j.value("incidents", "");
    const std::string msg_type = j.value("msgType", "");
    if (msg_type != "Cancel" && !report_.first_alert) report_.first_alert = at;
    alert_times_.emplace_back(at, level, msg_type);
    event(at, "alert", incident, level, std::string(topic.substr(7)), "", "", msg_type + ": " + headline);
  } else if (topic.starts_with("staff/") && topic.ends_with("/assignments")) {
    const std::string staff(topic.substr(6, topic.size() - 6 - 12));
    const std::string status = j.value("status", "");
    const std::string id = j.value("assignment", "");
    const std::string incident = j.value("incident", "");
    const std::string role = j.value("role", "");
    const std::string kind = status == "offered" ? "assigned" : status == "expired" ? "no_answer" : status;
    std::string text = kind == "assigned" ? "respond by " + j.value("respond_by", "") : "";
    if (undelivered) text += std::string(text.empty() ? "" : "; ") + "not delivered: unreachable in this drill";
    event(at, kind, incident, j.value("level", ""), j.value("place", ""), staff, role, text);
    if (status == "offered") {
      ++report_.assignments;
      assigned_[id] = Assigned{incident, role, staff, "offered"};
      // Its response time, in the order offered (one per assignment, should an offer be
      // published again).
      if (response_index_.try_emplace(id, report_.responses.size()).second) {
        ResponseTime r;
        r.assignment = id;
        r.incident = incident;
        r.role = role;
        r.staff = staff;
        r.offered = at;
        r.delivered = !undelivered;
        report_.responses.push_back(std::move(r));
      }
      if (undelivered) return std::nullopt;
      return Offer{id, staff, role};
    }
    moved(at, id, kind, false);
  } else if (topic.starts_with("staff/") && topic.ends_with("/notices")) {
    const std::string kind = j.value("kind", "");
    if (kind == "alert" || kind == "all_clear" || undelivered) return std::nullopt;  // the alert itself is recorded once
    event(at, kind == "escalation" ? "escalated" : kind, j.value("incident", ""), j.value("level", ""),
          j.value("place", ""), std::string(topic.substr(6, topic.size() - 6 - 8)), "", j.value("text", ""));
  } else if (topic.starts_with("incidents/")) {
    if (!j.is_object()) return std::nullopt;  // a retained state being cleared
    const std::string id = j.value("id", "");
    const std::string state = j.value("state", "");
    const std::string level = state == "resolved" || state == "closed" ? "" : j.value("level", "");
    // A change of level, or the end ("" once resolved): the level lanes of the report.
    auto [last, first_seen] = incident_levels_.try_emplace(id, level);
    if (first_seen || last->second != level) {
      report_.levels.push_back({at, id, j.value("place", ""), level});
      if (level.empty()) event(at, "resolved", id, "", j.value("place", ""), "", "", "resolved by " + j.value("resolved_by", ""));
      last->second = level;
    }
    incident_places_[id] = j.value("place", "");
    incident_plans_[id] = j.value("plan", "");
    if (!level.empty()) incident_reached_[id].insert(level);
    // The members' answers, as the engine took them.
    for (const auto& a : j.value("assignments", json::array())) {
      const std::string state_now = a.value("state", "");
      // Deadlines and releases are recorded from the assignment messages themselves.
      const bool answer = state_now == "accepted" || state_now == "declined" || state_now == "arrived" ||
                          state_now == "done" || state_now == "withdrawn";
      moved(at, a.value("assignment", ""), state_now, answer);
    }
  } else if (topic == "deadletter") {
    ++report_.dead_letters;
    event(at, "dead_letter", "", "", "", "", "", j.is_discarded() ? "" : j.value("reason", ""));
  }
  return std::nullopt;
}

void Recorder::tally_roles(const Lookups& lookups) {
  for (const auto& [incident, levels] : incident_reached_) {
    const plans::Plan* plan = lookups.plan ? lookups.plan(incident_plans_[incident]) : nullptr;
    if (plan == nullptr) continue;
    std::map<std::string, int> needed;
    for (const auto& rule : plan->levels) {
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

ExpectationResult Recorder::check(const Expectation& e, const Lookups& lookups) const {
  ExpectationResult r{e.text, e.line, false, ""};
  switch (e.kind) {
    case Expectation::Kind::kAlertWithin: {
      Duration from{};
      std::string from_text = "the start";
      if (!e.after_quantity.empty()) {
        bool found = false;
        for (const auto& [at, stream, value] : sent_readings_) {
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
        auto home = lookups.home ? lookups.home(ev.staff) : std::nullopt;
        const bool inside = home && home->depth() >= e.place.depth() && home->truncated(e.place.depth()) == e.place;
        if (!inside) outside.push_back(ev.staff + (home ? " (home " + home->str() + ")" : ""));
      }
      r.passed = outside.empty();
      r.evidence = outside.empty() ? "every assignment went to a member based in " + e.place.str()
                                   : "assigned outside " + e.place.str() + ": " + join(outside);
      return r;
    }
    case Expectation::Kind::kNoActualAlert:
      r.passed = report_.actual_alerts == 0;
      r.evidence =
          std::to_string(report_.alerts) + " alerts, " + std::to_string(report_.actual_alerts) + " with status Actual";
      return r;
    case Expectation::Kind::kNoAlert:
      r.passed = report_.alerts == 0;
      r.evidence = report_.alerts == 0 ? "no alert"
                                       : std::to_string(report_.alerts) + " alerts, the first at " +
                                             (report_.first_alert ? at_text(*report_.first_alert) : "?");
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
      for (const auto& [id, place] : incident_places_) {
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

DrillReport Recorder::finish(const Lookups& lookups, std::uint64_t engine_events) {
  tally_roles(lookups);
  for (const auto& e : scenario_.expectations) report_.expectations.push_back(check(e, lookups));
  report_.engine_events = engine_events;
  return std::move(report_);
}

}  // namespace lookout::drills
