#include "incident_record.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "core_internal.h"
#include "lookout/base/plain_json.h"

namespace lookout::engine::detail {

using nlohmann::json;

json incident_to_store(const Incident& in) {
  json search = json::object();
  for (const auto& [role, level] : in.search_level) search[role] = static_cast<int>(level);
  json reopens = json::array();
  for (auto t : in.reopen_times) reopens.push_back(to_ms(t));
  json alerts = json::array();
  for (const auto& a : in.alerts) {
    alerts.push_back({{"identifier", a.identifier},
                      {"sent_ms", to_ms(a.sent)},
                      {"msg_type", a.msg_type},
                      {"level", plans::level_name(a.level)}});
  }
  return {{"id", in.id},
          {"plan", in.plan_id},
          {"plan_version", in.plan_version},
          {"place", in.place.str()},
          {"watch", in.watch},
          {"level", plans::level_name(in.level)},
          {"state", in.state},
          {"opened_ms", to_ms(in.opened_at)},
          {"updated_ms", to_ms(in.updated_at)},
          {"sensor", in.sensor_id},
          {"quantity", in.quantity},
          {"value", in.value},
          {"unit", in.unit},
          {"reading_ms", to_ms(in.reading_time)},
          {"acknowledged_ms", to_ms(in.acknowledged_at)},
          {"acknowledged_by", in.acknowledged_by},
          {"resolved_ms", to_ms(in.resolved_at)},
          {"resolved_by", in.resolved_by},
          {"reopened", in.reopened},
          {"alerts", alerts},
          {"level_since_ms", to_ms(in.level_since)},
          {"escalation_next", in.escalation_next},
          {"renotified", in.renotified},
          {"escalated_to", in.escalated_to ? std::string(plans::level_name(*in.escalated_to)) : std::string()},
          {"search_level", search},
          {"unfilled", in.unfilled},
          {"reopen_ms", reopens},
          {"flapping", in.flapping},
          {"calm_since_ms", to_ms(in.calm_since)}};
}

namespace {

// The full reader: the record parsed into a nlohmann::json document, then each field
// taken from it. It reads any valid record and gives the errors.
StatusOr<Incident> incident_from_json_document(std::string_view text) {
  try {
    auto j = json::parse(text);
    Incident in;
    in.id = j.at("id").get<std::string>();
    in.plan_id = j.at("plan").get<std::string>();
    in.plan_version = j.at("plan_version").get<std::uint32_t>();
    auto place = PlacePath::parse(j.at("place").get<std::string>());
    if (!place.is_ok()) return Status::corruption("incident place: " + place.status().message());
    in.place = *place;
    // Records written before scopes existed watch their place.
    in.watch = j.contains("watch") ? j.at("watch").get<std::string>() : in.place.str();
    auto level = plans::parse_level(j.at("level").get<std::string>());
    if (!level) return Status::corruption("incident level");
    in.level = *level;
    in.state = j.at("state").get<std::string>();
    in.opened_at = from_ms(j.at("opened_ms").get<std::int64_t>());
    in.updated_at = from_ms(j.at("updated_ms").get<std::int64_t>());
    in.sensor_id = j.at("sensor").get<std::string>();
    in.quantity = j.at("quantity").get<std::string>();
    in.value = j.at("value").get<double>();
    in.unit = j.at("unit").get<std::string>();
    in.reading_time = from_ms(j.at("reading_ms").get<std::int64_t>());
    // Fields added with the incident lifecycle; older records lack them.
    in.acknowledged_at = from_ms(j.value("acknowledged_ms", std::int64_t{0}));
    in.acknowledged_by = j.value("acknowledged_by", std::string());
    in.resolved_at = from_ms(j.value("resolved_ms", std::int64_t{0}));
    in.resolved_by = j.value("resolved_by", std::string());
    in.reopened = j.value("reopened", std::uint32_t{0});
    for (const auto& a : j.at("alerts")) {
      auto al = plans::parse_level(a.at("level").get<std::string>());
      if (!al) return Status::corruption("incident alert level");
      in.alerts.push_back(SentAlert{a.at("identifier").get<std::string>(), from_ms(a.at("sent_ms").get<std::int64_t>()),
                                    a.at("msg_type").get<std::string>(), *al});
    }
    // Fields added with staffing and escalation; older records lack them.
    in.level_since = from_ms(j.value("level_since_ms", to_ms(in.updated_at)));
    in.escalation_next = j.value("escalation_next", std::uint32_t{0});
    in.renotified = j.value("renotified", std::uint32_t{0});
    if (auto e = j.value("escalated_to", std::string()); !e.empty()) {
      in.escalated_to = plans::parse_level(e);
      if (!in.escalated_to) return Status::corruption("incident escalated_to");
    }
    if (j.contains("search_level")) {
      for (const auto& [role, level] : j.at("search_level").items()) {
        int l = level.get<int>();
        if (l < 1 || l > 5) return Status::corruption("incident search level");
        in.search_level[role] = static_cast<PlaceLevel>(l);
      }
    }
    if (j.contains("unfilled")) in.unfilled = j.at("unfilled").get<std::set<std::string>>();
    if (j.contains("reopen_ms")) {
      for (const auto& t : j.at("reopen_ms")) in.reopen_times.push_back(from_ms(t.get<std::int64_t>()));
    }
    in.flapping = j.value("flapping", false);
    in.calm_since = from_ms(j.value("calm_since_ms", std::int64_t{0}));
    return in;
  } catch (const std::exception& e) {
    return Status::corruption(std::string("incident record: ") + e.what());
  }
}

// ---------------------------------------------------------------- the plain reader

using lookout::PlainJson;  // lookout/base/plain_json.h

// The members of a record, in the order incident_to_store writes them (by name).
enum Member : unsigned {
  kAcknowledgedBy, kAcknowledgedMs, kAlerts, kCalmSinceMs, kEscalatedTo, kEscalationNext, kFlapping, kId, kLevel,
  kLevelSinceMs, kOpenedMs, kPlace, kPlan, kPlanVersion, kQuantity, kReadingMs, kRenotified, kReopenMs, kReopened,
  kResolvedBy, kResolvedMs, kSearchLevel, kSensor, kState, kUnfilled, kUnit, kUpdatedMs, kValue, kWatch, kMembers
};
constexpr std::array<std::string_view, kMembers> kMemberNames = {
    "acknowledged_by", "acknowledged_ms", "alerts",     "calm_since_ms", "escalated_to", "escalation_next",
    "flapping",        "id",              "level",      "level_since_ms", "opened_ms",   "place",
    "plan",            "plan_version",    "quantity",   "reading_ms",    "renotified",   "reopen_ms",
    "reopened",        "resolved_by",     "resolved_ms", "search_level", "sensor",       "state",
    "unfilled",        "unit",            "updated_ms", "value",         "watch"};
constexpr std::uint64_t bit(Member m) { return std::uint64_t{1} << m; }
// What the full reader requires (.at()); the others have defaults.
constexpr std::uint64_t kRequired = bit(kId) | bit(kPlan) | bit(kPlanVersion) | bit(kPlace) | bit(kLevel) |
                                    bit(kState) | bit(kOpenedMs) | bit(kUpdatedMs) | bit(kSensor) | bit(kQuantity) |
                                    bit(kValue) | bit(kUnit) | bit(kReadingMs) | bit(kAlerts);

// The member called `name`, looked for from `hint` on (the next in the written order).
std::optional<Member> find_member(std::string_view name, unsigned hint) {
  for (unsigned i = 0; i < kMembers; ++i) {
    const unsigned m = (hint + i) % kMembers;
    if (kMemberNames[m] == name) return static_cast<Member>(m);
  }
  return std::nullopt;
}

bool read_time(PlainJson& in, Time& out) {
  std::int64_t ms = 0;
  if (!in.integer(ms)) return false;
  out = from_ms(ms);
  return true;
}

bool read_u32(PlainJson& in, std::uint32_t& out) {
  std::int64_t v = 0;
  if (!in.integer(v) || v < 0 || v > std::numeric_limits<std::uint32_t>::max()) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}

bool read_level(PlainJson& in, std::string& scratch, plans::Level& out) {
  if (!in.string(scratch)) return false;
  auto level = plans::parse_level(scratch);
  if (!level) return false;
  out = *level;
  return true;
}

bool read_alert(PlainJson& in, std::string& scratch, SentAlert& out) {
  unsigned seen = 0;  // identifier, sent_ms, msg_type, level
  bool ok = in.object([&](std::string_view name) {
    auto once = [&](unsigned b) {
      if ((seen & b) != 0) return false;
      seen |= b;
      return true;
    };
    if (name == "identifier") return once(1) && in.string(out.identifier);
    if (name == "sent_ms") return once(2) && read_time(in, out.sent);
    if (name == "msg_type") return once(4) && in.string(out.msg_type);
    if (name == "level") return once(8) && read_level(in, scratch, out.level);
    return false;
  });
  return ok && seen == 15;
}

}  // namespace

std::optional<Incident> incident_from_plain_record(std::string_view text) {
  PlainJson in(text);
  Incident out;
  std::string place, scratch;
  std::uint64_t seen = 0;
  unsigned hint = 0;
  bool ok = in.object([&](std::string_view name) {
    auto m = find_member(name, hint);
    if (!m || (seen & bit(*m)) != 0) return false;  // unknown, or twice (the full reader keeps the last)
    seen |= bit(*m);
    hint = *m + 1;
    switch (*m) {
      case kAcknowledgedBy: return in.string(out.acknowledged_by);
      case kAcknowledgedMs: return read_time(in, out.acknowledged_at);
      case kAlerts:
        return in.array([&] {
          SentAlert a;
          if (!read_alert(in, scratch, a)) return false;
          out.alerts.push_back(std::move(a));
          return true;
        });
      case kCalmSinceMs: return read_time(in, out.calm_since);
      case kEscalatedTo:
        if (!in.string(scratch)) return false;
        if (scratch.empty()) return true;
        out.escalated_to = plans::parse_level(scratch);
        return out.escalated_to.has_value();
      case kEscalationNext: return read_u32(in, out.escalation_next);
      case kFlapping: return in.boolean(out.flapping);
      case kId: return in.string(out.id);
      case kLevel: return read_level(in, scratch, out.level);
      case kLevelSinceMs: return read_time(in, out.level_since);
      case kOpenedMs: return read_time(in, out.opened_at);
      case kPlace: return in.string(place);
      case kPlan: return in.string(out.plan_id);
      case kPlanVersion: return read_u32(in, out.plan_version);
      case kQuantity: return in.string(out.quantity);
      case kReadingMs: return read_time(in, out.reading_time);
      case kRenotified: return read_u32(in, out.renotified);
      case kReopenMs:
        return in.array([&] {
          Time t;
          if (!read_time(in, t)) return false;
          out.reopen_times.push_back(t);
          return true;
        });
      case kReopened: return read_u32(in, out.reopened);
      case kResolvedBy: return in.string(out.resolved_by);
      case kResolvedMs: return read_time(in, out.resolved_at);
      case kSearchLevel:
        return in.object([&](std::string_view role) {
          std::int64_t l = 0;
          if (!in.integer(l) || l < 1 || l > 5) return false;
          return out.search_level.try_emplace(std::string(role), static_cast<PlaceLevel>(l)).second;
        });
      case kSensor: return in.string(out.sensor_id);
      case kState: return in.string(out.state);
      case kUnfilled:
        return in.array([&] {
          if (!in.string(scratch)) return false;
          out.unfilled.insert(scratch);
          return true;
        });
      case kUnit: return in.string(out.unit);
      case kUpdatedMs: return read_time(in, out.updated_at);
      case kValue: return in.number(out.value);
      case kWatch: return in.string(out.watch);
      case kMembers: break;
    }
    return false;
  });
  if (!ok || !in.at_end() || (seen & kRequired) != kRequired) return std::nullopt;
  auto path = PlacePath::parse(place);
  if (!path.is_ok()) return std::nullopt;
  out.place = std::move(*path);
  if ((seen & bit(kWatch)) == 0) out.watch = out.place.str();
  // As the full reader: its default is the updated time in milliseconds.
  if ((seen & bit(kLevelSinceMs)) == 0) out.level_since = from_ms(to_ms(out.updated_at));
  return out;
}

StatusOr<Incident> incident_from_store(std::string_view text) {
  if (auto in = incident_from_plain_record(text)) return std::move(*in);
  return incident_from_json_document(text);
}

}  // namespace lookout::engine::detail
