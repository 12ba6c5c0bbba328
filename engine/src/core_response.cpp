// The core's response to an incident once its alert is decided: who hears of it (the
// audiences of the plan as topics), which staff are called and how their answers move
// the incident on, the escalation ladder and reminders while nobody acknowledges, and
// coordinators' silences. Timers here are all derived from stored fields (a level's
// raise time, an assignment's deadline), so open() re-arms them with the time that was
// left (docs/incidents.md, "Time").
#include <date/tz.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core_internal.h"
#include "lookout/base/time_format.h"
#include "lookout/engine/core.h"
#include "lookout/rules/condition.h"

namespace lookout::engine {

using detail::dump;
using detail::format_number;
using detail::from_ms;
using detail::to_ms;
using nlohmann::json;

namespace {

constexpr std::string_view kMetaAssignmentSeq = "assignment_seq";
constexpr std::string_view kMetaSilenceSeq = "silence_seq";
constexpr std::size_t kMaxResponseNote = 1000;

bool is_active_state(std::string_view state) {
  return state == "open" || state == "acknowledged" || state == "responding";
}

// "community coordinators", "role fire_warden", "residents" for timelines.
std::string audience_words(const plans::Audience& a) {
  switch (a.kind) {
    case plans::Audience::Kind::kResidents: return "residents";
    case plans::Audience::Kind::kCoordinators: return std::string(place_level_name(a.level)) + " coordinators";
    case plans::Audience::Kind::kRole: return "role " + a.role;
  }
  return "?";
}

std::string join(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

}  // namespace

namespace detail {

nlohmann::json assignment_to_store(const Assignment& a) {
  return {{"id", a.id},
          {"incident", a.incident},
          {"role", a.role},
          {"staff", a.staff},
          {"place", a.place.str()},
          {"level", plans::level_name(a.level)},
          {"state", a.state},
          {"assigned_by", a.assigned_by},
          {"offered_ms", to_ms(a.offered_at)},
          {"respond_by_ms", to_ms(a.respond_by)},
          {"updated_ms", to_ms(a.updated_at)},
          {"note", a.note}};
}

StatusOr<Assignment> assignment_from_store(std::string_view text) {
  try {
    auto j = json::parse(text);
    Assignment a;
    a.id = j.at("id").get<std::string>();
    a.incident = j.at("incident").get<std::string>();
    a.role = j.at("role").get<std::string>();
    a.staff = j.at("staff").get<std::string>();
    auto place = PlacePath::parse(j.at("place").get<std::string>());
    if (!place.is_ok()) return Status::corruption("assignment place: " + place.status().message());
    a.place = *place;
    auto level = plans::parse_level(j.at("level").get<std::string>());
    if (!level) return Status::corruption("assignment level");
    a.level = *level;
    a.state = j.at("state").get<std::string>();
    a.assigned_by = j.at("assigned_by").get<std::string>();
    a.offered_at = from_ms(j.at("offered_ms").get<std::int64_t>());
    a.respond_by = from_ms(j.at("respond_by_ms").get<std::int64_t>());
    a.updated_at = from_ms(j.at("updated_ms").get<std::int64_t>());
    a.note = j.at("note").get<std::string>();
    return a;
  } catch (const std::exception& e) {
    return Status::corruption(std::string("assignment record: ") + e.what());
  }
}

}  // namespace detail

using detail::assignment_from_store;
using detail::assignment_to_store;

// ---------------------------------------------------------------- alerts and audiences

sensors::Reading Core::trigger_of(const Incident& in) {
  sensors::Reading r;
  r.sensor_id = in.sensor_id;
  r.place = in.place;
  r.quantity = in.quantity;
  r.value = in.value;
  r.unit = in.unit;
  r.time = in.reading_time;
  return r;
}

const plans::LevelRule* Core::rule_for(const StoredPlan& plan, plans::Level level) {
  for (const auto& r : plan.plan.levels) {
    if (r.level == level) return &r;
  }
  return nullptr;
}

std::string Core::send_alert(Batch& batch, Incident& in, const StoredPlan& plan, const plans::LevelRule& rule,
                             const std::string& msg_type, const sensors::Reading& reading, const std::string& note,
                             std::string_view kind, const std::string& cause) {
  auto alert = build_alert(in, plan, rule, msg_type, reading);
  if (!note.empty()) alert.note = alert.note.empty() ? note : alert.note + ": " + note;
  if (msg_type == "Cancel") {
    for (auto& info : alert.infos) {
      info.urgency = "Past";
      info.response_types = {"AllClear"};
    }
  }
  if (auto v = cap::validate(alert); !v) {
    spdlog::error("plan {} v{} produced an invalid CAP alert ({}); sending it anyway", plan.plan.id, plan.version,
                  v.message());
  }
  // Whoever heard of an earlier level hears of this message too: an Update down to II
  // or the Cancel reaches the community coordinators that level I told.
  std::vector<plans::Audience> audiences = rule.alert.audience;
  for (const auto& sent : in.alerts) {
    if (const auto* r = rule_for(plan, sent.level)) {
      for (const auto& a : r->alert.audience) {
        if (std::find(audiences.begin(), audiences.end(), a) == audiences.end()) audiences.push_back(a);
      }
    }
  }
  in.alerts.push_back(SentAlert{alert.identifier, alert.sent, msg_type, rule.level});
  ++stats_.alerts_sent;
  // The timeline says why before it says whom: the notices below add their own entries.
  add_event(batch, in, kind, cause, alert.identifier);
  const std::string cap_json = cap::to_json(alert, zone_);
  for (const auto& audience : audiences) {
    if (audience.kind == plans::Audience::Kind::kResidents) {
      enqueue(batch, OutboundMessage{topic("alerts/" + in.place.str()), cap_json, 1, false});
      if (options_.cap_xml) {
        enqueue(batch, OutboundMessage{topic("alerts-xml/" + in.place.str()), cap::to_xml(alert, zone_), 1, false});
      }
    } else {
      // A Cancel keeps the level's texts (CAP wants them), but a notice that says "FIRE:
      // evacuate now" when it is over would mislead: it says what ended, and why.
      std::string text = alert.infos.empty() ? std::string() : alert.infos.front().headline;
      if (msg_type == "Cancel") {
        text = fmt::format("All clear: {} at {} ({})", plan.plan.title, places_.display_name(in.place), note);
      }
      notify(batch, in, audience, msg_type == "Cancel" ? "all_clear" : "alert", text, cap_json);
    }
  }
  return alert.identifier;
}

std::vector<std::string> Core::notify(Batch& batch, const Incident& in, const plans::Audience& audience,
                                      std::string_view kind, const std::string& text, const std::string& alert_json) {
  const auto now = clock_.now();
  std::vector<const sensors::StaffMember*> members;
  std::string whom = audience_words(audience);
  if (audience.kind == plans::Audience::Kind::kResidents) {
    // The residents are told by the public alert on alerts/<place>, never one by one.
    return {};
  }
  if (audience.kind == plans::Audience::Kind::kRole) {
    members = role_members(staff_, audience.role, in.place, now);
  } else {
    // The coordinators of that level; a level with nobody in the roster passes the
    // notice up (someone must hear of it), and the timeline says so.
    int level = std::min<int>(static_cast<int>(audience.level), static_cast<int>(in.place.depth()));
    std::vector<std::string> skipped;
    for (; level >= 1; --level) {
      members = coordinators_of(staff_, in.place, static_cast<PlaceLevel>(level), now);
      if (!members.empty()) break;
      skipped.push_back(std::string(place_level_name(static_cast<PlaceLevel>(level))));
    }
    if (!skipped.empty() && !members.empty()) {
      whom = std::string(place_level_name(static_cast<PlaceLevel>(level))) + " coordinators (no coordinator at " +
             join(skipped) + " level)";
    }
  }
  std::vector<std::string> ids;
  json base = {{"incident", in.id},
               {"kind", kind},
               {"level", plans::level_name(in.level)},
               {"color", plans::level_color(in.level)},
               {"place", in.place.str()},
               {"place_name", places_.display_name(in.place)},
               {"plan", in.plan_id},
               {"text", text},
               {"time", format_cap_time(now, zone_)},
               {"drill", !options_.drill.empty() || options_.alert_status == "Exercise"}};
  if (!alert_json.empty()) base["alert"] = json::parse(alert_json, nullptr, false);
  for (const auto* m : members) {
    json notice = base;
    notice["to"] = m->id;
    enqueue(batch, OutboundMessage{topic("staff/" + m->id + "/notices"), dump(notice), 1, false});
    ids.push_back(m->id);
    ++stats_.notices;
  }
  if (ids.empty()) {
    add_event(batch, in, "notice_undelivered",
              std::string(kind) + " notice for " + whom + ": nobody in the roster to tell" +
                  (text.empty() ? "" : " (\"" + text + "\")"));
  } else {
    add_event(batch, in, "notified",
              std::string(kind) + " notice to " + whom + ": " + join(ids) + (text.empty() ? "" : " — " + text));
  }
  return ids;
}

std::string Core::held_back_by(const Incident& in, const StoredPlan& plan) {
  const auto now = clock_.now();
  SilenceTarget target{plan.plan.id, plan.plan.hazards, in.place, in.sensor_id};
  for (const auto& [id, silence] : silences_) {
    if (silence_in_effect(silence, now) && silence_matches(silence, target)) {
      return "silenced by " + describe(silence, zone_);
    }
  }
  if (const Incident* by = inhibitor(plan.plan.id, in.place)) {
    return fmt::format("held back: incident {} of plan {} (level {}) inhibits plan {} here", by->id, by->plan_id,
                       plans::level_name(by->level), plan.plan.id);
  }
  return {};
}

// ---------------------------------------------------------------- staff

std::vector<const Assignment*> Core::assignments(std::string_view incident) const {
  std::vector<const Assignment*> out;
  for (const auto& [id, a] : assignments_) {
    if (a.incident == incident) out.push_back(&a);
  }
  return out;
}

const Assignment* Core::assignment(std::string_view id) const {
  auto it = assignments_.find(id);
  return it == assignments_.end() ? nullptr : &it->second;
}

std::string Core::assignment_json(const Assignment& a, const StoredPlan* plan, std::string_view status) const {
  json instructions = json::array();
  if (plan != nullptr) {
    if (const auto* rule = rule_for(*plan, a.level); rule != nullptr && !rule->checklists.empty()) {
      const Incident* in = incident(a.incident);
      std::map<std::string, std::string> values = {{"place", a.place.str()},
                                                   {"place_name", places_.display_name(a.place)},
                                                   {"plan", plan->plan.id},
                                                   {"plan_title", plan->plan.title},
                                                   {"level", std::string(plans::level_name(a.level))},
                                                   {"level_color", std::string(plans::level_color(a.level))}};
      if (in != nullptr) {
        values["quantity"] = in->quantity;
        values["value"] = format_number(in->value);
        values["unit"] = in->unit;
        values["sensor"] = in->sensor_id;
        values["time"] = format_cap_time(in->reading_time, zone_);
      }
      for (const auto& item : rule->checklists.front().items) {
        instructions.push_back(plans::fill_placeholders(item, values));
      }
    }
  }
  return dump({{"assignment", a.id},
               {"incident", a.incident},
               {"role", a.role},
               {"place", a.place.str()},
               {"place_name", places_.display_name(a.place)},
               {"level", plans::level_name(a.level)},
               {"respond_by", format_cap_time(a.respond_by, zone_)},
               {"instructions", instructions},
               {"status", status},
               {"drill", !options_.drill.empty() || options_.alert_status == "Exercise"}});
}

void Core::put_assignment(Batch& batch, const Assignment& a) {
  batch.put(Table::kAssignments, a.id, dump(assignment_to_store(a)));
}

void Core::offer(Batch& batch, Incident& in, const StoredPlan& plan, const plans::LevelRule& rule,
                 const std::string& role, const sensors::StaffMember& member, Duration respond_within,
                 const std::string& why, std::string_view by) {
  const auto now = clock_.now();
  Assignment a;
  a.id = options_.id_prefix + "a-" + padded(next_assignment_seq_++, 6);
  batch.put(Table::kMeta, std::string(kMetaAssignmentSeq), std::to_string(next_assignment_seq_));
  a.incident = in.id;
  a.role = role;
  a.staff = member.id;
  a.place = in.place;
  a.level = rule.level;
  a.assigned_by = std::string(by);
  a.offered_at = now;
  a.respond_by = now + respond_within;
  a.updated_at = now;
  put_assignment(batch, a);
  enqueue(batch, OutboundMessage{topic("staff/" + member.id + "/assignments"), assignment_json(a, &plan, "offered"), 1,
                                 false});
  add_event(batch, in, "assigned",
            fmt::format("{} {} offered to {}: {}; respond by {}", a.id, role, member.id, why,
                        format_cap_time(a.respond_by, zone_)));
  ++stats_.assignments_offered;
  spdlog::info("{}: {} {} offered to {} ({})", in.id, a.id, role, member.id, why);
  assignment_timers_[a.id] = clock_.schedule_at(a.respond_by, [this, id = a.id] { on_assignment_deadline(id); });
  assignments_.emplace(a.id, std::move(a));
}

void Core::staff_incidents(std::string_view also) {
  if (!also.empty()) understaffed_.insert(std::string(also));
  if (staffing_) return;  // an offer's commit never starts another pass
  staffing_ = true;
  // Concurrent incidents compete for staff: the most severe is staffed first, then the
  // oldest. A red incident raised after a blue one still gets the nearest free wardens.
  // (Sorted as pointers, each incident looked up once: after a restart with 100k open
  // incidents, two map lookups per comparison made this pass most of a second.)
  std::vector<const Incident*> by_priority;
  by_priority.reserve(understaffed_.size());
  for (const auto& id : understaffed_) by_priority.push_back(&incidents_.at(id));
  std::sort(by_priority.begin(), by_priority.end(), [](const Incident* x, const Incident* y) {
    if (x->level != y->level) return plans::more_severe(x->level, y->level);
    if (x->opened_at != y->opened_at) return x->opened_at < y->opened_at;
    return x->id < y->id;
  });
  std::vector<std::string> order;
  order.reserve(by_priority.size());
  for (const Incident* in : by_priority) order.push_back(in->id);
  bool short_of_staff = false;
  for (const auto& id : order) {
    auto it = incidents_.find(id);
    if (it == incidents_.end() || !is_active_state(it->second.state) || !staff_incident(it->second)) {
      understaffed_.erase(id);
      continue;
    }
    if (!it->second.unfilled.empty()) short_of_staff = true;
  }
  staffing_ = false;
  // Nobody in the whole district for some role: try again in a while (a shift starts,
  // a member finishes another assignment, the roster is re-imported).
  if (short_of_staff && !staffing_timer_) {
    staffing_timer_ = clock_.schedule_after(options_.staffing_retry, [this] {
      staffing_timer_.reset();
      staff_incidents();
    });
  }
}

bool Core::staff_incident(Incident& in) {
  // Only an incident whose alert went out calls staff: one held back by a silence or an
  // inhibiting incident is recorded, not acted on (its alert going out staffs it).
  if (in.alerts.empty()) return false;
  const auto* plan = incident_plan(in);
  if (plan == nullptr) return false;
  const auto* rule = rule_for(*plan, in.level);
  if (rule == nullptr || rule->staff.empty()) return false;
  bool short_of_staff = false;
  const auto now = clock_.now();

  // Load of every member, once per incident: active assignments, recent ones, and who
  // was already asked for this incident (a member who declined is not asked again).
  std::map<std::string, int, std::less<>> active;
  std::map<std::string, int, std::less<>> recent;
  std::set<std::string, std::less<>> asked;
  for (const auto& [id, a] : assignments_) {
    if (a.active()) ++active[a.staff];
    if (a.offered_at + options_.recent_assignments_window > now) ++recent[a.staff];
    if (a.incident == in.id && a.state != "released") asked.insert(a.staff);
  }
  StaffLoad load;
  load.active = [&](std::string_view id) {
    auto f = active.find(id);
    return (f == active.end() ? 0 : f->second) + (options_.load_elsewhere ? options_.load_elsewhere(id) : 0);
  };
  load.recent = [&](std::string_view id) {
    auto f = recent.find(id);
    return f == recent.end() ? 0 : f->second;
  };
  load.excluded = [&](std::string_view id) { return asked.count(id) > 0; };

  Batch batch;
  bool changed = false;
  for (const auto& need : rule->staff) {
    int holding = 0;
    for (const auto& [id, a] : assignments_) {
      if (a.incident == in.id && a.role == need.role && a.holds_slot()) ++holding;
    }
    // Where to look: the need's part of the hierarchy, or wider when an earlier search
    // for the role (at another level of the incident) has already widened.
    PlaceLevel within = need.within;
    if (auto s = in.search_level.find(need.role); s != in.search_level.end() && s->second < within) {
      within = s->second;
    }
    // An incident at a grid searched "within the building" searches the grid itself: the
    // first widening then goes to the community, and says so.
    if (in.place.depth() > 0 && static_cast<std::size_t>(within) > in.place.depth()) {
      within = static_cast<PlaceLevel>(in.place.depth());
    }
    while (holding < need.count) {
      CandidateQuery query{need.role, need.skills, in.place, within, now};
      auto ranked = rank_candidates(query, staff_, load);
      if (!ranked.empty()) {
        const auto& best = ranked.front();
        Duration respond = need.respond_within.count() > 0 ? Duration(need.respond_within)
                                                           : options_.default_respond_within;
        offer(batch, in, *plan, *rule, need.role, *best.member, respond,
              fmt::format("{} of {} needed; {}", holding + 1, need.count, describe(best, query)), "engine");
        ++active[best.member->id];
        ++recent[best.member->id];
        asked.insert(best.member->id);
        ++holding;
        changed = true;
        continue;
      }
      const std::string missing =
          fmt::format("{} {} of {} still needed at {} (incident {}, level {})", need.role, need.count - holding,
                      need.count, places_.display_name(in.place), in.id, plans::level_name(in.level));
      if (within == PlaceLevel::kDistrict) {
        // Nobody left anywhere the engine may look: the coordinators must find someone.
        if (in.unfilled.insert(need.role).second) {
          add_event(batch, in, "role_unfilled",
                    missing + ": nobody on duty with the role and free capacity in the whole district");
          plans::Audience top{plans::Audience::Kind::kCoordinators, PlaceLevel::kDistrict, {}};
          notify(batch, in, top, "role_unfilled", missing + "; nobody is left to ask in the district", "");
          changed = true;
        }
        break;
      }
      // Nobody left in this part of the hierarchy: one level up, and its coordinators
      // hear which role is missing.
      const PlaceLevel from = within;
      within = static_cast<PlaceLevel>(static_cast<int>(within) - 1);
      in.search_level[need.role] = within;
      add_event(batch, in, "search_widened",
                fmt::format("{}: nobody left within the {}; looking in the {} {}", missing, place_level_name(from),
                            place_level_name(within),
                            in.place.truncated(std::min<std::size_t>(static_cast<std::size_t>(within), in.place.depth()))
                                .str()));
      plans::Audience up{plans::Audience::Kind::kCoordinators, within, {}};
      notify(batch, in, up, "role_missing",
             fmt::format("{}: nobody left within the {}; now asking the {}", missing, place_level_name(from),
                         place_level_name(within)),
             "");
      changed = true;
    }
    if (holding >= need.count && in.unfilled.erase(need.role) > 0) changed = true;
    if (holding < need.count) short_of_staff = true;
  }
  if (changed) {
    in.updated_at = now;
    put_incident(batch, in);
    commit(batch, "staffing of " + in.id);
  }
  return short_of_staff;
}

void Core::on_assignment_deadline(const std::string& id) {
  assignment_timers_.erase(id);
  auto it = assignments_.find(id);
  if (it == assignments_.end() || it->second.state != "offered") return;
  Assignment& a = it->second;
  const auto now = clock_.now();
  a.state = "no_answer";
  a.updated_at = now;
  ++stats_.assignments_unanswered;
  Batch batch;
  put_assignment(batch, a);
  const auto* plan = incidents_.count(a.incident) ? incident_plan(incidents_.at(a.incident)) : nullptr;
  enqueue(batch, OutboundMessage{topic("staff/" + a.staff + "/assignments"),
                                 assignment_json(a, plan, "expired"), 1, false});
  if (auto in = incidents_.find(a.incident); in != incidents_.end()) {
    add_event(batch, in->second, "assignment_no_answer",
              fmt::format("{} {}: {} did not answer by {}; asking the next candidate", a.id, a.role, a.staff,
                          format_cap_time(a.respond_by, zone_)));
  }
  spdlog::info("{}: {} did not answer {} in time", a.incident, a.staff, a.id);
  commit(batch, "assignment " + a.id);
  staff_incidents(a.incident);
}

void Core::release_assignments(Batch& batch, const Incident& in, const std::string& cause) {
  const auto* plan = incident_plan(in);
  for (auto& [id, a] : assignments_) {
    if (a.incident != in.id || !a.active()) continue;
    a.state = "released";
    a.updated_at = clock_.now();
    if (auto t = assignment_timers_.find(id); t != assignment_timers_.end()) {
      clock_.cancel(t->second);
      assignment_timers_.erase(t);
    }
    put_assignment(batch, a);
    enqueue(batch, OutboundMessage{topic("staff/" + a.staff + "/assignments"),
                                   assignment_json(a, plan, "released"), 1, false});
    add_event(batch, in, "assignment_released", fmt::format("{} {}: {} released: {}", a.id, a.role, a.staff, cause));
  }
}

StatusOr<std::string> Core::assign(std::string_view incident_id, std::string_view role, std::string_view staff_id,
                                   std::string_view by) {
  auto it = incidents_.find(incident_id);
  if (it == incidents_.end()) return Status::not_found("no incident \"" + std::string(incident_id) + "\"");
  Incident& in = it->second;
  if (!is_active_state(in.state)) {
    return Status::failed_precondition("incident " + in.id + " is " + in.state + ": nobody can be assigned to it");
  }
  if (!plans::is_role_name(role)) {
    return Status::invalid_argument("role \"" + std::string(role) + "\" is not [a-z][a-z0-9_]{0,63}");
  }
  const auto* member = staff_.find(staff_id);
  if (member == nullptr) return Status::not_found("no staff member \"" + std::string(staff_id) + "\" in the roster");
  for (const auto& [id, a] : assignments_) {
    if (a.incident == in.id && a.staff == member->id && a.active()) {
      return Status::failed_precondition(member->id + " already has assignment " + a.id + " (" + a.role + ", " +
                                         a.state + ") for " + in.id);
    }
  }
  const auto* plan = incident_plan(in);
  if (plan == nullptr) return Status::internal("the plan version of incident " + in.id + " cannot be read");
  const auto* rule = rule_for(*plan, in.level);
  if (rule == nullptr) return Status::internal("incident " + in.id + " has a level its plan does not define");
  Duration respond = options_.default_respond_within;
  for (const auto& need : rule->staff) {
    if (need.role == role && need.respond_within.count() > 0) respond = need.respond_within;
  }
  const std::string id = options_.id_prefix + "a-" + padded(next_assignment_seq_, 6);
  Batch batch;
  offer(batch, in, *plan, *rule, std::string(role), *member, respond,
        fmt::format("assigned by hand by {}{}", by, sensors::on_duty(*member, clock_.now()) ? "" : " (off duty now)"),
        by);
  in.updated_at = clock_.now();
  put_incident(batch, in);
  commit(batch, "assignment " + id);
  return id;
}

void Core::handle_response(std::string_view staff_id, const InboundMessage& message) {
  const auto* member = staff_.find(staff_id);
  if (member == nullptr) {
    dead_letter(message, "unknown staff member \"" + std::string(staff_id) + "\": not in the roster");
    return;
  }
  // Strict decoding: {"assignment", "response", "note"?, "time"?}, nothing else.
  std::string assignment_id;
  std::string response;
  std::string note;
  {
    auto j = json::parse(message.payload, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      dead_letter(message, "staff response: not a JSON object");
      return;
    }
    for (const auto& [key, value] : j.items()) {
      if (key == "assignment" || key == "response" || key == "note" || key == "time") {
        if (!value.is_string()) {
          dead_letter(message, "staff response: \"" + key + "\" must be a string");
          return;
        }
      } else {
        dead_letter(message, "staff response: unknown key \"" + key + "\" (expected assignment, response, note, time)");
        return;
      }
    }
    if (!j.contains("assignment") || !j.contains("response")) {
      dead_letter(message, "staff response: \"assignment\" and \"response\" are required");
      return;
    }
    assignment_id = j["assignment"].get<std::string>();
    response = j["response"].get<std::string>();
    if (j.contains("note")) note = j["note"].get<std::string>();
    if (j.contains("time") && !parse_iso8601(j["time"].get<std::string>()).is_ok()) {
      dead_letter(message, "staff response: \"time\" is not an ISO 8601 date-time with an offset");
      return;
    }
  }
  if (response != "accept" && response != "decline" && response != "arrived" && response != "done") {
    dead_letter(message, "staff response: \"response\" must be accept, decline, arrived or done, not \"" +
                             response.substr(0, 64) + "\"");
    return;
  }
  if (note.size() > kMaxResponseNote) {
    dead_letter(message, "staff response: \"note\" is longer than " + std::to_string(kMaxResponseNote) + " bytes");
    return;
  }
  auto it = assignments_.find(assignment_id);
  if (it == assignments_.end()) {
    dead_letter(message, "staff response: no current assignment \"" + assignment_id.substr(0, 64) + "\"");
    return;
  }
  Assignment& a = it->second;
  // Nobody speaks for someone else: the topic names who answers.
  if (a.staff != member->id) {
    dead_letter(message, "staff response: assignment " + a.id + " is not addressed to " + member->id +
                             "; a member answers only their own assignments, on their own topic");
    return;
  }
  // The same answer again (a QoS 1 redelivery, a double tap) changes nothing.
  const std::string target = response == "accept"    ? "accepted"
                             : response == "decline" ? "declined"
                             : response == "arrived" ? "arrived"
                                                     : "done";
  if (a.state == target) {
    spdlog::debug("{}: {} again from {}: already {}", a.id, response, member->id, a.state);
    return;
  }
  bool allowed = false;
  if (response == "accept") allowed = a.state == "offered";
  if (response == "decline") allowed = a.state == "offered" || a.state == "accepted";
  if (response == "arrived") allowed = a.state == "offered" || a.state == "accepted";
  if (response == "done") allowed = a.state == "accepted" || a.state == "arrived";
  if (!allowed) {
    std::string why = a.state == "no_answer"  ? "its deadline passed and it went to the next candidate"
                      : a.state == "released" ? "the incident was resolved and everyone released"
                      : a.state == "withdrawn" ? "a coordinator withdrew it"
                                               : "that answer does not follow \"" + a.state + "\"";
    dead_letter(message, "staff response: " + response + " for assignment " + a.id + " which is " + a.state + ": " + why);
    return;
  }
  auto in_it = incidents_.find(a.incident);
  if (in_it == incidents_.end()) {
    dead_letter(message, "staff response: the incident of assignment " + a.id + " is gone");
    return;
  }
  Incident& in = in_it->second;
  const auto now = clock_.now();
  ++stats_.responses;
  const std::string previous = a.state;
  a.state = target;
  a.updated_at = now;
  if (!note.empty()) a.note = note;
  if (previous == "offered") {
    if (auto t = assignment_timers_.find(a.id); t != assignment_timers_.end()) {
      clock_.cancel(t->second);
      assignment_timers_.erase(t);
    }
  }
  if (target == "accepted" || (target == "arrived" && previous == "offered")) ++stats_.assignments_accepted;
  if (target == "declined") ++stats_.assignments_declined;
  Batch batch;
  put_assignment(batch, a);
  add_event(batch, in, "assignment_" + target,
            fmt::format("{} {}: {} {}{}", a.id, a.role, member->id, target, note.empty() ? "" : " — \"" + note + "\""));
  if ((target == "accepted" || target == "arrived") && (in.state == "open" || in.state == "acknowledged")) {
    in.state = "responding";
    add_event(batch, in, "responding", member->id + " accepted " + a.role);
  }
  in.updated_at = now;
  put_incident(batch, in);
  spdlog::info("{}: {} {} {}", in.id, member->id, target, a.id);
  commit(batch, "assignment " + a.id);
  // A decline leaves a place to fill; done frees the member for other incidents.
  if (target == "declined") staff_incidents(in.id);
  if (target == "done") staff_incidents();
}

// ---------------------------------------------------------------- escalation and reminders

void Core::cancel_incident_timers(const std::string& id) {
  for (auto* timers : {&escalation_timers_, &renotify_timers_}) {
    if (auto t = timers->find(id); t != timers->end()) {
      clock_.cancel(t->second);
      timers->erase(t);
    }
  }
}

void Core::arm_incident_timers(const Incident& in) {
  cancel_incident_timers(in.id);
  // Both stop at acknowledgement. Nothing escalates a level nobody was told of (its
  // alert held back by a silence or an inhibiting incident).
  if (!is_active_state(in.state) || in.acknowledged_at != Time{} || in.alerts.empty()) return;
  if (in.alerts.back().msg_type == "Cancel" || in.alerts.back().level != in.level) return;
  const auto* plan = incident_plan(in);
  if (plan == nullptr) return;
  if (const auto* rule = rule_for(*plan, in.level); rule != nullptr && in.escalation_next < rule->escalation.size()) {
    Time due = in.level_since + rule->escalation[in.escalation_next].after;
    escalation_timers_[in.id] = clock_.schedule_at(due, [this, id = in.id] { on_escalation_timer(id); });
  }
  if (const auto& r = plan->plan.renotify; r && static_cast<int>(in.renotified) < r->times) {
    Time due = in.level_since + r->every * (in.renotified + 1);
    renotify_timers_[in.id] = clock_.schedule_at(due, [this, id = in.id] { on_renotify_timer(id); });
  }
}

Incident* Core::unacknowledged(const std::string& id) {
  auto it = incidents_.find(id);
  if (it == incidents_.end() || !is_active_state(it->second.state) || it->second.acknowledged_at != Time{}) {
    return nullptr;
  }
  return &it->second;
}

void Core::on_escalation_timer(const std::string& id) {
  escalation_timers_.erase(id);
  Incident* found = unacknowledged(id);
  if (found == nullptr) return;
  Incident& in = *found;
  const auto* plan = incident_plan(in);
  if (plan == nullptr) return;
  const auto* rule = rule_for(*plan, in.level);
  if (rule == nullptr || in.escalation_next >= rule->escalation.size()) return;
  const auto& step = rule->escalation[in.escalation_next];
  ++in.escalation_next;
  ++stats_.escalations;
  const auto now = clock_.now();
  const std::string why = fmt::format("not acknowledged {} after level {} was raised at {}",
                                      rules::format_duration(step.after), plans::level_name(in.level),
                                      format_cap_time(in.level_since, zone_));
  Batch batch;
  std::vector<std::string> whom;
  for (const auto& a : step.notify) whom.push_back(audience_words(a));
  add_event(batch, in, "escalated",
            why + (whom.empty() ? "" : "; notifying " + join(whom)) +
                (step.raise_to ? fmt::format("; raising to level {}", plans::level_name(*step.raise_to)) : ""));
  for (const auto& audience : step.notify) {
    if (audience.kind == plans::Audience::Kind::kResidents) {
      // The residents hear of it only through the public alert: it goes out again.
      if (const auto* rule = rule_for(*plan, in.level)) {
        auto alert = build_alert(in, *plan, *rule, "Update", trigger_of(in));
        alert.note = (alert.note.empty() ? "" : alert.note + ": ") + "Escalation: " + why;
        in.alerts.push_back(SentAlert{alert.identifier, alert.sent, "Update", in.level});
        ++stats_.alerts_sent;
        enqueue(batch, OutboundMessage{topic("alerts/" + in.place.str()), cap::to_json(alert, zone_), 1, false});
        if (options_.cap_xml) {
          enqueue(batch, OutboundMessage{topic("alerts-xml/" + in.place.str()), cap::to_xml(alert, zone_), 1, false});
        }
        add_event(batch, in, "notified", "escalation: the public alert sent again to the residents", alert.identifier);
      }
      continue;
    }
    notify(batch, in, audience, "escalation",
           fmt::format("Incident {} ({}, level {} {}) at {}: {}", in.id, plan->plan.title, plans::level_name(in.level),
                       plans::level_color(in.level), places_.display_name(in.place), why),
           "");
  }
  bool raised = false;
  if (step.raise_to && plans::more_severe(*step.raise_to, in.level)) {
    if (const auto* up = rule_for(*plan, *step.raise_to)) {
      in.level = *step.raise_to;
      in.escalated_to = *step.raise_to;
      in.level_since = now;
      in.escalation_next = 0;
      in.renotified = 0;
      send_alert(batch, in, *plan, *up, "Update", trigger_of(in), "Raised by the plan's escalation ladder: " + why,
                 "level_raised", "escalation ladder: " + why);
      raised = true;
    }
  }
  in.updated_at = now;
  put_incident(batch, in);
  spdlog::warn("escalated {}: {}", in.id, why);
  commit(batch, "incident " + in.id);
  arm_incident_timers(in);
  if (raised) staff_incidents(in.id);
}

void Core::on_renotify_timer(const std::string& id) {
  renotify_timers_.erase(id);
  Incident* found = unacknowledged(id);
  if (found == nullptr) return;
  Incident& in = *found;
  const auto* plan = incident_plan(in);
  if (plan == nullptr || !plan->plan.renotify) return;
  const auto* rule = rule_for(*plan, in.level);
  if (rule == nullptr) return;
  ++in.renotified;
  ++stats_.reminders;
  const std::string why = fmt::format("Reminder {} of {}: not acknowledged since level {} was raised at {}",
                                      in.renotified, plan->plan.renotify->times, plans::level_name(in.level),
                                      format_cap_time(in.level_since, zone_));
  Batch batch;
  send_alert(batch, in, *plan, *rule, "Update", trigger_of(in), why, "reminded", why);
  in.updated_at = clock_.now();
  put_incident(batch, in);
  commit(batch, "incident " + in.id);
  arm_incident_timers(in);
}

// ---------------------------------------------------------------- silences

StatusOr<std::string> Core::add_silence(std::string_view request_json) {
  auto parsed = parse_silence_request(request_json, clock_.now(), zone_->name());
  if (!parsed.is_ok()) return parsed.status();
  Silence silence = std::move(*parsed);
  silence.id = "s-" + padded(next_silence_seq_, 6);
  Batch batch;
  batch.put(Table::kSilences, silence.id, to_json(silence));
  batch.put(Table::kMeta, std::string(kMetaSilenceSeq), std::to_string(next_silence_seq_ + 1));
  if (auto s = store_.write(batch); !s.is_ok()) {
    ++stats_.store_errors;
    return s.with_context("storing the silence");
  }
  ++next_silence_seq_;
  spdlog::info("silence {} added: {}", silence.id, describe(silence, zone_));
  auto id = silence.id;
  silences_.emplace(id, std::move(silence));
  return id;
}

Status Core::remove_silence(std::string_view id, std::string_view by) {
  auto it = silences_.find(id);
  if (it == silences_.end()) return Status::not_found("no silence \"" + std::string(id) + "\"");
  Batch batch;
  batch.del(Table::kSilences, std::string(id));
  if (auto s = store_.write(batch); !s.is_ok()) {
    ++stats_.store_errors;
    return s.with_context("removing the silence");
  }
  spdlog::info("silence {} removed by {}", id, by);
  silences_.erase(it);
  return Status::ok();
}

std::vector<const Silence*> Core::silences() const {
  std::vector<const Silence*> out;
  for (const auto& [id, s] : silences_) out.push_back(&s);
  return out;
}

}  // namespace lookout::engine
