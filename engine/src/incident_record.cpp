#include "incident_record.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "core_internal.h"

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

// A cursor over JSON text that reads only what it reads exactly as nlohmann::json does:
// each method returns false at anything else (the caller then gives the record to the
// full reader), never an error of its own.
class PlainJson {
 public:
  explicit PlainJson(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  // Skips JSON whitespace, then takes `c` if it is next.
  bool eat(char c) {
    skip_ws();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool at_end() {
    skip_ws();
    return p_ == end_;
  }

  // A member name without escapes (the names the engine writes), then the ':'.
  bool key(std::string_view& out) {
    if (!eat('"')) return false;
    const char* start = p_;
    while (p_ != end_ && *p_ != '"') {
      const auto c = static_cast<unsigned char>(*p_);
      if (c < 0x20 || c == '\\' || c >= 0x80) return false;
      ++p_;
    }
    if (p_ == end_) return false;
    out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    return eat(':');
  }

  // A string of well-formed UTF-8 (as nlohmann checks it) with no control characters;
  // escapes but \u are decoded, a \u escape is not taken.
  bool string(std::string& out) {
    if (!eat('"')) return false;
    out.clear();
    const char* run = p_;  // the start of the bytes not yet copied to `out`
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out.append(run, p_);
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c < 0x80 && c != '\\') {
        ++p_;
        continue;
      }
      if (c >= 0x80) {
        const std::size_t n = utf8_sequence(p_);
        if (n == 0) return false;
        p_ += n;
        continue;
      }
      // An escape.
      out.append(run, p_);
      if (++p_ == end_) return false;
      switch (*p_) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        default: return false;  // \u, or not an escape at all
      }
      run = ++p_;
    }
    return false;
  }

  // An integer of at most 18 digits, no fraction or exponent: what nlohmann keeps as an
  // integer and converts to any integer type unchanged.
  bool integer(std::int64_t& out) {
    skip_ws();
    const char* start = p_;
    const bool negative = p_ != end_ && *p_ == '-';
    if (negative) ++p_;
    const char* digits = p_;
    if (p_ == end_ || !is_digit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (p_ - digits > 18) return false;
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E' || is_digit(*p_))) return false;
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(start, p_, v);
    if (ec != std::errc() || end != p_) return false;
    out = v;
    return true;
  }

  // Any JSON number as nlohmann converts it to a double: an integer (at most 18 digits)
  // exactly converted, else the correctly rounded value of the text (as strtod gives it).
  bool number(double& out) {
    skip_ws();
    const char* start = p_;
    if (std::int64_t i = 0; integer(i)) {
      out = static_cast<double>(i);
      return true;
    }
    p_ = start;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_ || !is_digit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    bool is_float = false;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !is_digit(*p_)) return false;
      while (p_ != end_ && is_digit(*p_)) ++p_;
      is_float = true;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !is_digit(*p_)) return false;
      while (p_ != end_ && is_digit(*p_)) ++p_;
      is_float = true;
    }
    if (!is_float) return false;  // an integer of more than 18 digits
    double d = 0;
    auto [end, ec] = std::from_chars(start, p_, d);
    if (ec != std::errc() || end != p_ || !std::isfinite(d)) return false;
    out = d;
    return true;
  }

  bool boolean(bool& out) {
    skip_ws();
    auto literal = [&](std::string_view word) {
      if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
      p_ += word.size();
      return true;
    };
    if (literal("true")) {
      out = true;
      return true;
    }
    if (literal("false")) {
      out = false;
      return true;
    }
    return false;
  }

  // Calls `element` for each element of an array; false if it is not one or an element
  // is not taken.
  template <typename Fn>
  bool array(Fn&& element) {
    if (!eat('[')) return false;
    if (eat(']')) return true;
    do {
      if (!element()) return false;
    } while (eat(','));
    return eat(']');
  }

  // Calls `member(name)` for each member of an object, after its name and ':'.
  template <typename Fn>
  bool object(Fn&& member) {
    if (!eat('{')) return false;
    if (eat('}')) return true;
    do {
      std::string_view name;
      if (!key(name) || !member(name)) return false;
    } while (eat(','));
    return eat('}');
  }

 private:
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  void skip_ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  // The length of the well-formed UTF-8 sequence at `p` (a byte >= 0x80), or 0
  // (RFC 3629, the ranges nlohmann's lexer accepts).
  std::size_t utf8_sequence(const char* p) const {
    const auto avail = static_cast<std::size_t>(end_ - p);
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(p[i]); };
    auto in = [&](std::size_t i, unsigned lo, unsigned hi) { return i < avail && byte(i) >= lo && byte(i) <= hi; };
    const unsigned c = byte(0);
    if (c >= 0xC2 && c <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
    if (c == 0xE0) return in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xED) return in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xF0) return in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    if (c == 0xF4) return in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    return 0;
  }

  const char* p_;
  const char* end_;
};

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
