// CAP 1.2 alerts: validation and the JSON and XML renderings (profile: docs/cap.md).
//
// Nothing here throws but std::bad_alloc: nlohmann::json is told to replace text that
// is not UTF-8 rather than throw, and the XML writer repairs such text itself. A null
// time zone renders times in UTC. The renderers write what they are given; callers
// check an alert with validate() first.
#include "lookout/engine/cap.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <string_view>

// date.h trips GCC 12's -Wmaybe-uninitialized inside the library itself.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <date/date.h>
#pragma GCC diagnostic pop

#include <nlohmann/json.hpp>

#include "lookout/base/time_format.h"

namespace lookout::cap {
namespace {

// ---------------------------------------------------------------------------------
// CAP 1.2 enumerations, in the order the standard lists them.

constexpr std::array<std::string_view, 5> kStatuses = {"Actual", "Exercise", "System", "Test", "Draft"};
constexpr std::array<std::string_view, 5> kMsgTypes = {"Alert", "Update", "Cancel", "Ack", "Error"};
constexpr std::array<std::string_view, 3> kScopes = {"Public", "Restricted", "Private"};
constexpr std::array<std::string_view, 12> kCategories = {
    "Geo", "Met", "Safety", "Security", "Rescue", "Fire",
    "Health", "Env", "Transport", "Infra", "CBRNE", "Other"};
constexpr std::array<std::string_view, 9> kResponseTypes = {
    "Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"};
constexpr std::array<std::string_view, 5> kUrgencies = {"Immediate", "Expected", "Future", "Past", "Unknown"};
constexpr std::array<std::string_view, 5> kSeverities = {"Extreme", "Severe", "Moderate", "Minor", "Unknown"};
constexpr std::array<std::string_view, 5> kCertainties = {"Observed", "Likely", "Possible", "Unlikely", "Unknown"};

constexpr std::string_view kNamespace = "urn:oasis:names:tc:emergency:cap:1.2";

template <std::size_t N>
bool is_one_of(std::string_view value, const std::array<std::string_view, N>& allowed) {
  for (std::string_view a : allowed) {
    if (value == a) return true;
  }
  return false;
}

template <std::size_t N>
std::string list(const std::array<std::string_view, N>& allowed) {
  std::string out;
  for (std::string_view a : allowed) {
    if (!out.empty()) out += ", ";
    out += a;
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Small text helpers.

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// A value quoted for an error message, cut short when long.
std::string in_quotes(std::string_view value) {
  constexpr std::size_t kMax = 80;
  if (value.size() <= kMax) return "\"" + std::string(value) + "\"";
  std::size_t cut = kMax;
  // Do not split a UTF-8 sequence: back up over continuation bytes.
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return "\"" + std::string(value.substr(0, cut)) + "...\"";
}

std::string indexed(std::string_view name, std::size_t i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}

// A number with at most `decimals` decimals and no needless trailing zeros, written
// the same whatever the C locale says ("31.2304", "121", "0.5").
std::string format_number(double value, int decimals = 6) {
  if (!std::isfinite(value)) return std::isnan(value) ? "nan" : (value < 0 ? "-inf" : "inf");
  std::array<char, 400> buf{};  // enough for any finite double in fixed notation
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value, std::chars_format::fixed, decimals);
  if (ec != std::errc()) return "nan";  // cannot happen with the buffer above
  std::string out(buf.data(), end);
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

std::string format_point(const Point& p) { return format_number(p.lat) + "," + format_number(p.lon); }

// CAP polygon: "lat,lon lat,lon ...".
std::string format_polygon(const std::vector<Point>& ring) {
  std::string out;
  for (const Point& p : ring) {
    if (!out.empty()) out += ' ';
    out += format_point(p);
  }
  return out;
}

// CAP circle: "lat,lon radius" (radius in km).
std::string format_circle(const Circle& c) { return format_point(c.center) + " " + format_number(c.radius_km); }

// CAP time: whole seconds with the zone's offset. No zone means UTC ("-00:00").
std::string cap_time(Time t, const date::time_zone* zone) {
  if (zone != nullptr) return format_cap_time(t, zone);
  return date::format("%Y-%m-%dT%H:%M:%S", std::chrono::floor<std::chrono::seconds>(t)) + "-00:00";
}

// CAP's whitespace-separated lists; an entry holding whitespace is put in double quotes.
std::string space_separated(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ' ';
    bool has_space = false;
    for (char c : item) has_space = has_space || is_ascii_space(c);
    out += has_space ? "\"" + item + "\"" : item;
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Validation.

// identifier and sender (and their copies inside references): non-empty, no
// whitespace, commas, '<' or '&', no control characters.
Status check_id_like(const std::string& where, std::string_view value) {
  if (value.empty()) return Status::invalid_argument(where + " is required and must not be empty");
  for (char c : value) {
    std::string_view what;
    if (is_ascii_space(c)) {
      what = "whitespace";
    } else if (c == ',') {
      what = "a comma";
    } else if (c == '<') {
      what = "'<'";
    } else if (c == '&') {
      what = "'&'";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      what = "a control character";
    }
    if (!what.empty()) {
      return Status::invalid_argument(where + " " + in_quotes(value) + " contains " + std::string(what) +
                                      "; CAP forbids spaces, commas, '<' and '&' in it");
    }
  }
  return Status::ok();
}

template <std::size_t N>
Status check_enum(const std::string& where, std::string_view value, const std::array<std::string_view, N>& allowed) {
  if (value.empty()) return Status::invalid_argument(where + " is required; expected one of " + list(allowed));
  if (!is_one_of(value, allowed)) {
    return Status::invalid_argument(where + " " + in_quotes(value) + " is not one of " + list(allowed));
  }
  return Status::ok();
}

Status check_required(const std::string& where, std::string_view value) {
  if (value.empty()) return Status::invalid_argument(where + " is required and must not be empty");
  return Status::ok();
}

// CAP's dateTime: "YYYY-MM-DDThh:mm:ss" then "+hh:mm" or "-hh:mm" (no "Z", no fractions).
bool is_cap_time(std::string_view s) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd+dd:dd";
  if (s.size() != kShape.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char want = kShape[i];
    if (want == 'd') {
      if (!is_ascii_digit(s[i])) return false;
    } else if (want == '+') {
      if (s[i] != '+' && s[i] != '-') return false;
    } else if (s[i] != want) {
      return false;
    }
  }
  return true;
}

Status check_reference(const std::string& where, std::string_view ref) {
  const std::string form_hint = " is not of the form sender,identifier,sent (e.g. "
                                "lookout.example,lookout.example.inc-1.1,2026-11-21T21:04:05+08:00)";
  std::size_t first = ref.find(',');
  std::size_t second = first == std::string_view::npos ? first : ref.find(',', first + 1);
  if (second == std::string_view::npos || ref.find(',', second + 1) != std::string_view::npos) {
    return Status::invalid_argument(where + " " + in_quotes(ref) + form_hint);
  }
  if (Status s = check_id_like(where + ".sender", ref.substr(0, first)); !s) return s;
  if (Status s = check_id_like(where + ".identifier", ref.substr(first + 1, second - first - 1)); !s) return s;
  std::string_view sent = ref.substr(second + 1);
  if (!is_cap_time(sent)) {
    return Status::invalid_argument(where + ".sent " + in_quotes(sent) +
                                    " is not a CAP time such as 2026-11-21T21:04:05+08:00");
  }
  return Status::ok();
}

// RFC 3066 language tag, as xs:language: "en-US", "zh-CN", "zh-Hans-CN".
bool is_language_tag(std::string_view tag) {
  std::size_t start = 0;
  bool first = true;
  while (true) {
    std::size_t end = tag.find('-', start);
    std::string_view part = tag.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (part.empty() || part.size() > 8) return false;
    for (char c : part) {
      if (!(is_ascii_alpha(c) || (!first && is_ascii_digit(c)))) return false;
    }
    if (end == std::string_view::npos) return true;
    start = end + 1;
    first = false;
  }
}

Status check_point(const std::string& where, const Point& p) {
  if (!(p.lat >= -90.0 && p.lat <= 90.0)) {
    return Status::invalid_argument(where + ".lat " + format_number(p.lat) + " is outside [-90, 90]");
  }
  if (!(p.lon >= -180.0 && p.lon <= 180.0)) {
    return Status::invalid_argument(where + ".lon " + format_number(p.lon) + " is outside [-180, 180]");
  }
  return Status::ok();
}

Status check_polygon(const std::string& where, const std::vector<Point>& ring) {
  if (ring.size() < 4) {
    return Status::invalid_argument(where + " has " + std::to_string(ring.size()) +
                                    " points; CAP needs at least 4, the last equal to the first");
  }
  for (std::size_t k = 0; k < ring.size(); ++k) {
    if (Status s = check_point(where + "[" + std::to_string(k) + "]", ring[k]); !s) return s;
  }
  const Point& a = ring.front();
  const Point& b = ring.back();
  if (a.lat != b.lat || a.lon != b.lon) {
    return Status::invalid_argument(where + " is not closed: its last point " + format_point(b) +
                                    " differs from its first " + format_point(a));
  }
  return Status::ok();
}

Status check_name_value(const std::string& where, const NameValue& nv) {
  return check_required(where + ".valueName", nv.first);
}

Status check_area(const std::string& where, const Area& area) {
  if (Status s = check_required(where + ".areaDesc", area.area_desc); !s) return s;
  for (std::size_t k = 0; k < area.polygons.size(); ++k) {
    if (Status s = check_polygon(where + "." + indexed("polygon", k), area.polygons[k]); !s) return s;
  }
  for (std::size_t k = 0; k < area.circles.size(); ++k) {
    const std::string circle = where + "." + indexed("circle", k);
    if (Status s = check_point(circle + ".center", area.circles[k].center); !s) return s;
    double r = area.circles[k].radius_km;
    if (!(std::isfinite(r) && r >= 0.0)) {
      return Status::invalid_argument(circle + ".radius " + format_number(r) +
                                      " must be a finite number of kilometres >= 0");
    }
  }
  for (std::size_t k = 0; k < area.geocodes.size(); ++k) {
    if (Status s = check_name_value(where + "." + indexed("geocode", k), area.geocodes[k]); !s) return s;
  }
  return Status::ok();
}

Status check_info(const std::string& where, const Info& info) {
  if (!info.language.empty() && !is_language_tag(info.language)) {
    return Status::invalid_argument(where + ".language " + in_quotes(info.language) +
                                    " is not a language tag such as en-US or zh-CN");
  }
  if (info.categories.empty()) {
    return Status::invalid_argument(where + ".category is required (at least one of " + list(kCategories) + ")");
  }
  for (std::size_t k = 0; k < info.categories.size(); ++k) {
    if (Status s = check_enum(where + "." + indexed("category", k), info.categories[k], kCategories); !s) return s;
  }
  if (Status s = check_required(where + ".event", info.event); !s) return s;
  for (std::size_t k = 0; k < info.response_types.size(); ++k) {
    const std::string name = where + "." + indexed("responseType", k);
    if (Status s = check_enum(name, info.response_types[k], kResponseTypes); !s) return s;
  }
  if (Status s = check_enum(where + ".urgency", info.urgency, kUrgencies); !s) return s;
  if (Status s = check_enum(where + ".severity", info.severity, kSeverities); !s) return s;
  if (Status s = check_enum(where + ".certainty", info.certainty, kCertainties); !s) return s;
  for (std::size_t k = 0; k < info.parameters.size(); ++k) {
    if (Status s = check_name_value(where + "." + indexed("parameter", k), info.parameters[k]); !s) return s;
  }
  for (std::size_t k = 0; k < info.areas.size(); ++k) {
    if (Status s = check_area(where + "." + indexed("area", k), info.areas[k]); !s) return s;
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------------
// JSON rendering (insertion-ordered, so keys come in CAP's element order).

using Json = nlohmann::ordered_json;

void put_optional(Json& object, const char* key, const std::string& value) {
  if (!value.empty()) object[key] = value;
}

Json name_values_json(const std::vector<NameValue>& items) {
  Json out = Json::array();
  for (const auto& [name, value] : items) out.push_back(Json{{"valueName", name}, {"value", value}});
  return out;
}

Json area_json(const Area& area) {
  Json out = Json::object();
  out["areaDesc"] = area.area_desc;
  if (!area.polygons.empty()) {
    Json polygons = Json::array();
    for (const auto& ring : area.polygons) polygons.push_back(format_polygon(ring));
    out["polygon"] = std::move(polygons);
  }
  if (!area.circles.empty()) {
    Json circles = Json::array();
    for (const Circle& c : area.circles) circles.push_back(format_circle(c));
    out["circle"] = std::move(circles);
  }
  if (!area.geocodes.empty()) out["geocode"] = name_values_json(area.geocodes);
  return out;
}

Json info_json(const Info& info, const date::time_zone* zone) {
  Json out = Json::object();
  put_optional(out, "language", info.language);
  out["category"] = info.categories;
  out["event"] = info.event;
  if (!info.response_types.empty()) out["responseType"] = info.response_types;
  out["urgency"] = info.urgency;
  out["severity"] = info.severity;
  out["certainty"] = info.certainty;
  put_optional(out, "audience", info.audience);
  if (info.effective) out["effective"] = cap_time(*info.effective, zone);
  if (info.expires) out["expires"] = cap_time(*info.expires, zone);
  put_optional(out, "senderName", info.sender_name);
  put_optional(out, "headline", info.headline);
  put_optional(out, "description", info.description);
  put_optional(out, "instruction", info.instruction);
  put_optional(out, "web", info.web);
  put_optional(out, "contact", info.contact);
  if (!info.parameters.empty()) out["parameter"] = name_values_json(info.parameters);
  if (!info.areas.empty()) {
    Json areas = Json::array();
    for (const Area& area : info.areas) areas.push_back(area_json(area));
    out["area"] = std::move(areas);
  }
  return out;
}

// ---------------------------------------------------------------------------------
// XML rendering.

// Appends `text` as XML 1.0 character data: the five markup characters escaped, CR
// kept as a reference (a parser would turn a raw one into LF), the C0 controls XML
// 1.0 forbids dropped, and bytes that are not UTF-8 (and U+FFFE/U+FFFF) replaced by
// U+FFFD. Valid UTF-8 passes through unchanged.
void append_escaped(std::string& out, std::string_view text) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    if (b0 < 0x80) {
      switch (b0) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        case '\r': out += "&#13;"; break;
        case '\t':
        case '\n': out += static_cast<char>(b0); break;
        default:
          if (b0 >= 0x20) out += static_cast<char>(b0);  // other C0 controls: dropped
      }
      ++i;
      continue;
    }
    // Multi-byte sequence: the lead byte gives the length and the range of the
    // second byte (which rules out overlong forms, surrogates and > U+10FFFF).
    std::size_t length = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      length = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      length = 3;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      length = 4;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    }
    bool valid = length != 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      valid = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
    }
    if (!valid) {
      out += kReplacement;
      ++i;
      continue;
    }
    std::string_view sequence = text.substr(i, length);
    // U+FFFE and U+FFFF are not XML characters.
    if (sequence == "\xEF\xBF\xBE" || sequence == "\xEF\xBF\xBF") {
      out += kReplacement;
    } else {
      out += sequence;
    }
    i += length;
  }
}

// Writes one element per line, indented two spaces a level.
class XmlWriter {
 public:
  XmlWriter() { out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"; }

  void open(std::string_view name, std::string_view attributes = {}) {
    indent();
    out_ += '<';
    out_ += name;
    if (!attributes.empty()) {
      out_ += ' ';
      out_ += attributes;
    }
    out_ += ">\n";
    ++depth_;
  }

  void close(std::string_view name) {
    --depth_;
    indent();
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }

  // Always written, even when empty (CAP's required elements).
  void element(std::string_view name, std::string_view text) {
    indent();
    out_ += '<';
    out_ += name;
    out_ += '>';
    append_escaped(out_, text);
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }

  void optional(std::string_view name, std::string_view text) {
    if (!text.empty()) element(name, text);
  }

  void name_value(std::string_view name, const NameValue& nv) {
    open(name);
    element("valueName", nv.first);
    element("value", nv.second);
    close(name);
  }

  std::string take() { return std::move(out_); }

 private:
  void indent() { out_.append(static_cast<std::size_t>(depth_) * 2, ' '); }

  std::string out_;
  int depth_ = 0;
};

void write_area(XmlWriter& xml, const Area& area) {
  xml.open("area");
  xml.element("areaDesc", area.area_desc);
  for (const auto& ring : area.polygons) xml.element("polygon", format_polygon(ring));
  for (const Circle& c : area.circles) xml.element("circle", format_circle(c));
  for (const NameValue& nv : area.geocodes) xml.name_value("geocode", nv);
  xml.close("area");
}

void write_info(XmlWriter& xml, const Info& info, const date::time_zone* zone) {
  xml.open("info");
  xml.optional("language", info.language);
  for (const std::string& category : info.categories) xml.element("category", category);
  xml.element("event", info.event);
  for (const std::string& response : info.response_types) xml.element("responseType", response);
  xml.element("urgency", info.urgency);
  xml.element("severity", info.severity);
  xml.element("certainty", info.certainty);
  xml.optional("audience", info.audience);
  if (info.effective) xml.element("effective", cap_time(*info.effective, zone));
  if (info.expires) xml.element("expires", cap_time(*info.expires, zone));
  xml.optional("senderName", info.sender_name);
  xml.optional("headline", info.headline);
  xml.optional("description", info.description);
  xml.optional("instruction", info.instruction);
  xml.optional("web", info.web);
  xml.optional("contact", info.contact);
  for (const NameValue& nv : info.parameters) xml.name_value("parameter", nv);
  for (const Area& area : info.areas) write_area(xml, area);
  xml.close("info");
}

}  // namespace

std::string reference(const Alert& earlier, const date::time_zone* zone) {
  return earlier.sender + "," + earlier.identifier + "," + cap_time(earlier.sent, zone);
}

Status validate(const Alert& alert) {
  if (Status s = check_id_like("identifier", alert.identifier); !s) return s;
  if (Status s = check_id_like("sender", alert.sender); !s) return s;
  if (Status s = check_enum("status", alert.status, kStatuses); !s) return s;
  if (Status s = check_enum("msgType", alert.msg_type, kMsgTypes); !s) return s;
  if (Status s = check_enum("scope", alert.scope, kScopes); !s) return s;
  if (alert.scope == "Restricted" && alert.restriction.empty()) {
    return Status::invalid_argument("restriction is required when scope is Restricted");
  }
  if (alert.scope == "Private" && alert.addresses.empty()) {
    return Status::invalid_argument("addresses is required when scope is Private");
  }
  if (alert.msg_type != "Alert" && alert.references.empty()) {
    return Status::invalid_argument("references is required when msgType is " + alert.msg_type +
                                    ": name the earlier message(s) as sender,identifier,sent");
  }
  for (std::size_t k = 0; k < alert.references.size(); ++k) {
    if (Status s = check_reference(indexed("references", k), alert.references[k]); !s) return s;
  }
  for (std::size_t k = 0; k < alert.incidents.size(); ++k) {
    const std::string& incident = alert.incidents[k];
    if (incident.empty()) return Status::invalid_argument(indexed("incidents", k) + " must not be empty");
    if (incident.find('"') != std::string::npos) {
      return Status::invalid_argument(indexed("incidents", k) + " " + in_quotes(incident) + " contains a double quote");
    }
  }
  for (std::size_t k = 0; k < alert.infos.size(); ++k) {
    if (Status s = check_info(indexed("info", k), alert.infos[k]); !s) return s;
  }
  return Status::ok();
}

std::string to_json(const Alert& alert, const date::time_zone* zone) {
  Json out = Json::object();
  out["identifier"] = alert.identifier;
  out["sender"] = alert.sender;
  out["sent"] = cap_time(alert.sent, zone);
  out["status"] = alert.status;
  out["msgType"] = alert.msg_type;
  put_optional(out, "source", alert.source);
  out["scope"] = alert.scope;
  put_optional(out, "restriction", alert.restriction);
  put_optional(out, "addresses", alert.addresses);
  put_optional(out, "note", alert.note);
  if (!alert.references.empty()) out["references"] = space_separated(alert.references);
  if (!alert.incidents.empty()) out["incidents"] = space_separated(alert.incidents);
  if (!alert.infos.empty()) {
    Json infos = Json::array();
    for (const Info& info : alert.infos) infos.push_back(info_json(info, zone));
    out["info"] = std::move(infos);
  }
  // Text that is not UTF-8 becomes U+FFFD instead of throwing.
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string to_xml(const Alert& alert, const date::time_zone* zone) {
  XmlWriter xml;
  xml.open("alert", "xmlns=\"" + std::string(kNamespace) + "\"");
  xml.element("identifier", alert.identifier);
  xml.element("sender", alert.sender);
  xml.element("sent", cap_time(alert.sent, zone));
  xml.element("status", alert.status);
  xml.element("msgType", alert.msg_type);
  xml.optional("source", alert.source);
  xml.element("scope", alert.scope);
  xml.optional("restriction", alert.restriction);
  xml.optional("addresses", alert.addresses);
  xml.optional("note", alert.note);
  if (!alert.references.empty()) xml.element("references", space_separated(alert.references));
  if (!alert.incidents.empty()) xml.element("incidents", space_separated(alert.incidents));
  for (const Info& info : alert.infos) write_info(xml, info, zone);
  xml.close("alert");
  return xml.take();
}

}  // namespace lookout::cap
