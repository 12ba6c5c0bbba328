#include "lookout/drills/report.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "lookout/base/time_format.h"

namespace lookout::drills {

namespace {

using nlohmann::ordered_json;

// ---------------------------------------------------------------------------------
// Shared helpers

std::int64_t whole_seconds(Duration d) { return std::chrono::floor<std::chrono::seconds>(d).count(); }

// "00:02" (hours may exceed 24).
std::string format_hours_minutes(Duration offset) {
  std::int64_t s = whole_seconds(offset);
  const bool negative = s < 0;
  if (negative) s = -s;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%02lld:%02lld", negative ? "-" : "", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60));
  return buf;
}

std::string optional_offset(const std::optional<Duration>& d, std::string_view none) {
  return d ? format_offset(*d) : std::string(none);
}

// The report's start in its own time zone, as CAP writes times. An unknown zone (the
// scenario loader refuses those, but a hand-built report may carry one) falls back to UTC.
std::string format_start(const DrillReport& report) {
  auto zone = find_time_zone(report.time_zone.empty() ? "UTC" : report.time_zone);
  if (!zone) zone = find_time_zone("UTC");
  if (zone) return format_cap_time(report.start, *zone);
  // No tzdata at all: UTC by hand.
  const auto secs = std::chrono::floor<std::chrono::seconds>(report.start);
  const auto day = std::chrono::floor<std::chrono::days>(secs);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss<std::chrono::seconds> hms{secs - day};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld-00:00", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long long>(hms.hours().count()), static_cast<long long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  return buf;
}

// "50%", "12.5%".
std::string format_percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", share * 100.0);
  std::string out = buf;
  if (out.size() > 2 && out.compare(out.size() - 2, 2, ".0") == 0) out.resize(out.size() - 2);
  return out + "%";
}

// "never" (as `never` spells it) when a role stayed unfilled; a drill that needed no
// staff was never short of any.
std::string fully_staffed_text(const DrillReport& report, std::string_view never) {
  if (report.fully_staffed) return format_offset(*report.fully_staffed);
  return report.roles.empty() ? std::string("no staff needed") : std::string(never);
}

int expectations_passed(const DrillReport& report) {
  return static_cast<int>(std::count_if(report.expectations.begin(), report.expectations.end(),
                                        [](const ExpectationResult& e) { return e.passed; }));
}

// "3 of 3 expectations met" / "1 of 3 expectations failed", and any Actual alert.
std::string verdict_detail(const DrillReport& report) {
  const int total = static_cast<int>(report.expectations.size());
  const int passed = expectations_passed(report);
  std::string out;
  if (total == 0) {
    out = "no expectations";
  } else if (passed == total) {
    out = std::to_string(passed) + " of " + std::to_string(total) + " expectations met";
  } else {
    out = std::to_string(total - passed) + " of " + std::to_string(total) + " expectations failed";
  }
  if (report.actual_alerts > 0) {
    out += ", " + std::to_string(report.actual_alerts) + (report.actual_alerts == 1 ? " alert" : " alerts") +
           " with CAP status Actual";
  }
  return out;
}

// How the drill was played: "virtual time", or live over the broker.
std::string mode_text(const DrillReport& report) {
  if (report.mode == "live") return "live (over the broker, against the running engine)";
  if (report.mode.empty() || report.mode == "virtual") return "virtual time";
  return report.mode;
}

// The median (nearest rank, as the summary's p50) of the answered assignments' times
// from offer to answer; none when nobody answered.
std::optional<Duration> median_answer(const DrillReport& report) {
  std::vector<Duration> values;
  for (const ResponseTime& r : report.responses) {
    if (r.answered_after) values.push_back(*r.answered_after);
  }
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  return values[(values.size() + 1) / 2 - 1];
}

// The member, and whether the assignment reached them (a live drill's unreachable ones).
std::string response_staff(const ResponseTime& r) { return r.staff + (r.delivered ? "" : " (not delivered)"); }

// "—" for an assignment nobody had answered when the drill ended.
std::string response_answer(const ResponseTime& r) { return r.answer.empty() ? std::string("—") : r.answer; }

std::string join_staff_role(const DrillEvent& e) {
  if (!e.staff.empty() && !e.role.empty()) return e.staff + " / " + e.role;
  return e.staff.empty() ? e.role : e.staff;
}

// "1-5, 8, 10-11".
std::string format_seeds(std::vector<std::uint64_t> seeds) {
  std::string out;
  for (std::size_t i = 0; i < seeds.size();) {
    std::size_t j = i;
    while (j + 1 < seeds.size() && seeds[j + 1] == seeds[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += std::to_string(seeds[i]);
    if (j > i) out += "-" + std::to_string(seeds[j]);
    i = j + 1;
  }
  return out;
}

template <typename Key>
std::vector<std::pair<Key, int>> weakest_first(const std::map<Key, int>& counts) {
  std::vector<std::pair<Key, int>> out(counts.begin(), counts.end());
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

std::string hour_range(int hour) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:00-%02d:00", hour, (hour + 1) % 24);
  return buf;
}

// ---------------------------------------------------------------------------------
// Markdown

// Free text in Markdown: table cells keep to one line, and nothing in a title or an
// evidence string turns into markup (no HTML tag, code span, emphasis or link; `>` only
// quotes at the start of a line, where free text never stands).
std::string md(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        break;
      case '\\':
      case '|':
      case '<':
      case '`':
      case '*':
      case '[':
      case ']':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------
// JSON

ordered_json seconds_json(Duration d) {
  if (d % std::chrono::seconds(1) == Duration::zero()) return whole_seconds(d);
  return std::chrono::duration<double>(d).count();
}

void put_offset(ordered_json& j, const std::string& name, const std::optional<Duration>& d) {
  j[name + "_seconds"] = d ? seconds_json(*d) : ordered_json(nullptr);
  j[name] = d ? ordered_json(format_offset(*d)) : ordered_json(nullptr);
}

std::string dump(const ordered_json& j) {
  return j.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

ordered_json stats_json(const DrillSummary::Stats& s) {
  ordered_json j;
  j["samples"] = s.samples;
  put_offset(j, "p50", s.p50);
  put_offset(j, "p90", s.p90);
  put_offset(j, "max", s.max);
  return j;
}

// ---------------------------------------------------------------------------------
// HTML

// Text and attribute values alike.
std::string esc(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// SVG coordinates: one decimal at most, so the output does not depend on printing noise.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string out = buf;
  if (out == "-0.0") return "0";
  if (out.size() > 2 && out.compare(out.size() - 2, 2, ".0") == 0) out.resize(out.size() - 2);
  return out;
}

struct LevelStyle {
  std::string_view fill;
  std::string_view text;
  std::string_view color_name;
};

std::optional<LevelStyle> level_style(std::string_view level) {
  if (level == "I") return LevelStyle{"#d32f2f", "#ffffff", "red"};
  if (level == "II") return LevelStyle{"#f57c00", "#212121", "orange"};
  if (level == "III") return LevelStyle{"#fbc02d", "#212121", "yellow"};
  if (level == "IV") return LevelStyle{"#1976d2", "#ffffff", "blue"};
  return std::nullopt;
}

// An alert event's CAP msgType: the first of Alert, Update, Cancel named as a word in its
// text ("Update: level I ..."), else "Alert".
std::string alert_msg_type(std::string_view text) {
  std::size_t best = std::string_view::npos;
  std::string_view found = "Alert";
  for (std::string_view word : {std::string_view("Alert"), std::string_view("Update"), std::string_view("Cancel")}) {
    for (std::size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
      const bool starts = at == 0 || !std::isalnum(static_cast<unsigned char>(text[at - 1]));
      const std::size_t end = at + word.size();
      const bool ends = end == text.size() || !std::isalnum(static_cast<unsigned char>(text[end]));
      if (starts && ends) {
        if (at < best) {
          best = at;
          found = word;
        }
        break;
      }
    }
  }
  return std::string(found);
}

bool is_assignment_kind(std::string_view kind) {
  return kind == "assigned" || kind == "accepted" || kind == "declined" || kind == "no_answer" ||
         kind == "arrived" || kind == "done" || kind == "released";
}

bool is_red_kind(std::string_view kind) {
  return kind == "escalated" || kind == "role_unfilled" || kind == "declined" || kind == "no_answer" ||
         kind == "dead_letter";
}

std::string level_pill(std::string_view level) {
  if (level.empty()) return "";
  if (auto style = level_style(level)) {
    return "<span class=\"pill\" style=\"background:" + std::string(style->fill) + ";color:" +
           std::string(style->text) + "\">" + esc(level) + "</span>";
  }
  return esc(level);
}

// The SVG timeline. Laid out on a 720-unit-wide viewBox drawn at least 640 px wide (the
// wrapper scrolls on a narrow phone), so its 16-unit text is never under 14 px.
class TimelineSvg {
 public:
  explicit TimelineSvg(const DrillReport& report) : report_(report) {
    span_ = report.duration > Duration::zero() ? report.duration : Duration(std::chrono::minutes(1));
    collect_incidents();
    collect_assignments();
  }

  std::string render() {
    double y = kAxisHeight;
    std::string body;
    body += section_caption(y, "Incidents: warning level over time");
    y += kCaptionHeight;
    if (incidents_.empty()) {
      body += note(y, "No incident was raised.");
      y += kNoteHeight;
    }
    for (const Incident& incident : incidents_) {
      body += incident_lane(incident, y);
      y += kIncidentLaneHeight;
    }
    body += section_caption(y, "Assignments: staff and role");
    y += kCaptionHeight;
    if (assignments_.empty()) {
      body += note(y, "No assignment was offered.");
      y += kNoteHeight;
    }
    for (const Assignment& a : assignments_) {
      body += assignment_lane(a, y);
      y += kAssignmentLaneHeight;
    }
    const double plot_bottom = y;
    y += 12;
    const std::string legend_svg = legend(y);
    y += legend_height();

    std::string out;
    out += "<svg class=\"timeline\" viewBox=\"0 0 " + num(kWidth) + " " + num(y) + "\" width=\"100%\"" +
           " role=\"img\" aria-labelledby=\"timeline-title\" font-family=\"system-ui, sans-serif\" font-size=\"16\">\n";
    out += "<title id=\"timeline-title\">Drill timeline: warning levels, alerts, assignments, escalations and "
           "unfilled roles over " + esc(format_offset(report_.duration)) + "</title>\n";
    out += "<rect x=\"0\" y=\"0\" width=\"" + num(kWidth) + "\" height=\"" + num(y) + "\" fill=\"#ffffff\"/>\n";
    out += axis(plot_bottom);
    out += body;
    out += legend_svg;
    out += "</svg>\n";
    return out;
  }

 private:
  static constexpr double kWidth = 720;
  static constexpr double kPad = 16;
  static constexpr double kAxisHeight = 34;
  static constexpr double kCaptionHeight = 30;
  static constexpr double kNoteHeight = 30;
  static constexpr double kIncidentLaneHeight = 140;
  static constexpr double kAssignmentLaneHeight = 50;
  static constexpr double kCharWidth = 8.6;  // rough width of one 16-unit character
  static constexpr std::string_view kRed = "#c62828";
  static constexpr std::string_view kInk = "#212121";
  static constexpr std::string_view kGrey = "#9e9e9e";

  struct Incident {
    std::string id;
    std::string place;
    std::vector<const LevelChange*> levels;
    std::vector<const DrillEvent*> events;
  };
  struct Assignment {
    std::string incident;
    std::string staff;
    std::string role;
    std::vector<const DrillEvent*> events;
  };

  void collect_incidents() {
    std::map<std::string, std::size_t> index;
    auto find = [&](const std::string& id, const std::string& place) -> Incident& {
      auto [it, inserted] = index.emplace(id, incidents_.size());
      if (inserted) incidents_.push_back(Incident{id, place, {}, {}});
      Incident& incident = incidents_[it->second];
      if (incident.place.empty()) incident.place = place;
      return incident;
    };
    for (const LevelChange& change : report_.levels) find(change.incident, change.place).levels.push_back(&change);
    for (const DrillEvent& e : report_.events) {
      if (e.incident.empty()) continue;
      if (e.kind == "alert" || e.kind == "escalated" || e.kind == "role_unfilled") {
        find(e.incident, e.place).events.push_back(&e);
      } else if (index.count(e.incident) == 0 && (e.kind == "resolved" || e.kind == "closed")) {
        find(e.incident, e.place);
      }
    }
  }

  void collect_assignments() {
    std::map<std::tuple<std::string, std::string, std::string>, std::size_t> index;
    for (const DrillEvent& e : report_.events) {
      if (!is_assignment_kind(e.kind) || e.staff.empty()) continue;
      auto [it, inserted] = index.emplace(std::make_tuple(e.incident, e.staff, e.role), assignments_.size());
      if (inserted) assignments_.push_back(Assignment{e.incident, e.staff, e.role, {}});
      assignments_[it->second].events.push_back(&e);
    }
  }

  double x_at(Duration at) const {
    const double share = std::clamp(std::chrono::duration<double>(at) / std::chrono::duration<double>(span_), 0.0, 1.0);
    return kPad + share * (kWidth - 2 * kPad);
  }

  // Text at `x` that stays inside the drawing: anchored at its start, or at its end near
  // the right edge.
  static std::string label(double x, double y, std::string_view text, std::string_view fill,
                           std::string_view extra = "") {
    const double width = static_cast<double>(text.size()) * kCharWidth;
    std::string anchor = "start";
    double at = x + 5;
    if (at + width > kWidth - 4) {
      anchor = "end";
      at = x - 5;
    }
    return "<text x=\"" + num(at) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\" fill=\"" +
           std::string(fill) + "\"" + std::string(extra) + ">" + esc(text) + "</text>\n";
  }

  std::string section_caption(double y, std::string_view text) const {
    return "<text x=\"" + num(kPad) + "\" y=\"" + num(y + 22) + "\" font-weight=\"700\" fill=\"" + std::string(kInk) +
           "\">" + esc(text) + "</text>\n";
  }

  std::string note(double y, std::string_view text) const {
    return "<text x=\"" + num(kPad) + "\" y=\"" + num(y + 20) + "\" fill=\"#616161\">" + esc(text) + "</text>\n";
  }

  std::string axis(double bottom) const {
    static constexpr std::array<std::int64_t, 16> kSteps = {60,    120,   300,    600,    900,    1800,
                                                            3600,  7200,  10800,  21600,  43200,  86400,
                                                            172800, 604800, 2592000, 31536000};
    const std::int64_t total = std::max<std::int64_t>(1, whole_seconds(span_));
    std::int64_t step = kSteps.back();
    for (std::int64_t s : kSteps) {
      if (total / s <= 8) {
        step = s;
        break;
      }
    }
    std::string out = "<g class=\"axis\">\n";
    out += "<line x1=\"" + num(kPad) + "\" y1=\"" + num(kAxisHeight - 4) + "\" x2=\"" + num(kWidth - kPad) +
           "\" y2=\"" + num(kAxisHeight - 4) + "\" stroke=\"#616161\"/>\n";
    for (std::int64_t t = 0; t <= total; t += step) {
      const Duration at = std::chrono::seconds(t);
      const double x = x_at(at);
      out += "<line x1=\"" + num(x) + "\" y1=\"" + num(kAxisHeight - 8) + "\" x2=\"" + num(x) + "\" y2=\"" +
             num(bottom) + "\" stroke=\"#e0e0e0\"/>\n";
      std::string anchor = "middle";
      if (x < kPad + 24) anchor = "start";
      if (x > kWidth - kPad - 24) anchor = "end";
      out += "<text x=\"" + num(anchor == "start" ? kPad : anchor == "end" ? kWidth - kPad : x) + "\" y=\"" +
             num(kAxisHeight - 12) + "\" text-anchor=\"" + anchor + "\" fill=\"#616161\">" +
             esc(format_hours_minutes(at)) + "</text>\n";
    }
    out += "</g>\n";
    return out;
  }

  std::string incident_lane(const Incident& incident, double y0) const {
    std::string out = "<g class=\"lane incident\">\n";
    std::string title = incident.id;
    if (!incident.place.empty()) title += " · " + incident.place;
    out += "<text x=\"" + num(kPad) + "\" y=\"" + num(y0 + 18) + "\" font-weight=\"600\" fill=\"" + std::string(kInk) +
           "\">" + esc(title) + "</text>\n";
    const double band_top = y0 + 62;
    const double band_height = 28;
    // The lane's extent, so that time without a level reads as "none".
    out += "<rect x=\"" + num(kPad) + "\" y=\"" + num(band_top) + "\" width=\"" + num(kWidth - 2 * kPad) +
           "\" height=\"" + num(band_height) + "\" fill=\"#f5f5f5\"/>\n";
    for (std::size_t i = 0; i < incident.levels.size(); ++i) {
      const LevelChange& change = *incident.levels[i];
      auto style = level_style(change.level);
      if (!style) continue;  // resolved, or a level this report does not know
      const Duration until = i + 1 < incident.levels.size() ? incident.levels[i + 1]->at : span_;
      const double x1 = x_at(change.at);
      const double x2 = x_at(until);
      if (x2 <= x1) continue;
      out += "<rect class=\"band level-" + esc(change.level) + "\" x=\"" + num(x1) + "\" y=\"" + num(band_top) +
             "\" width=\"" + num(x2 - x1) + "\" height=\"" + num(band_height) + "\" fill=\"" +
             std::string(style->fill) + "\"><title>Level " + esc(change.level) + " (" +
             std::string(style->color_name) + ") from " + esc(format_offset(change.at)) + " to " +
             esc(format_offset(until)) + "</title></rect>\n";
      if (x2 - x1 >= 30) {
        out += "<text x=\"" + num(x1 + 6) + "\" y=\"" + num(band_top + 20) + "\" font-weight=\"700\" fill=\"" +
               std::string(style->text) + "\">" + esc(change.level) + "</text>\n";
      }
    }
    // Alerts: a marker on the band's top edge with the msgType above, on two
    // alternating rows so that neighbours do not overwrite each other.
    int alert_row = 0;
    int red_row = 0;
    for (const DrillEvent* e : incident.events) {
      const double x = x_at(e->at);
      if (e->kind == "alert") {
        const std::string type = alert_msg_type(e->text);
        const double label_y = y0 + (alert_row % 2 == 0 ? 38 : 54);
        ++alert_row;
        out += "<g class=\"mark alert\"><title>" + esc(format_offset(e->at) + " " + e->text) + "</title>";
        out += "<path d=\"M" + num(x - 6) + " " + num(band_top - 10) + " L" + num(x + 6) + " " + num(band_top - 10) +
               " L" + num(x) + " " + num(band_top) + " Z\" fill=\"" + std::string(kInk) + "\"/>";
        out += "<line x1=\"" + num(x) + "\" y1=\"" + num(band_top) + "\" x2=\"" + num(x) + "\" y2=\"" +
               num(band_top + band_height) + "\" stroke=\"" + std::string(kInk) + "\" stroke-width=\"2\"/>\n";
        out += label(x, label_y, type, kInk);
        out += "</g>\n";
      } else {  // escalated, role_unfilled
        const bool unfilled = e->kind == "role_unfilled";
        std::string text = unfilled ? "unfilled" : "escalated";
        if (unfilled && !e->role.empty()) text += ": " + e->role;
        const double label_y = band_top + band_height + (red_row % 2 == 0 ? 20 : 37);
        ++red_row;
        out += "<g class=\"mark " + std::string(unfilled ? "role_unfilled" : "escalated") + "\"><title>" +
               esc(format_offset(e->at) + " " + e->kind + (e->text.empty() ? "" : ": " + e->text)) + "</title>";
        out += "<line x1=\"" + num(x) + "\" y1=\"" + num(band_top - 4) + "\" x2=\"" + num(x) + "\" y2=\"" +
               num(label_y + 2) + "\" stroke=\"" + std::string(kRed) + "\" stroke-width=\"3\"" +
               (unfilled ? " stroke-dasharray=\"5 3\"" : "") + "/>\n";
        out += label(x, label_y, text, kRed, " font-weight=\"700\"");
        out += "</g>\n";
      }
    }
    out += "</g>\n";
    return out;
  }

  std::string assignment_lane(const Assignment& a, double y0) const {
    std::string out = "<g class=\"lane assignment\">\n";
    std::string title = a.staff;
    if (!a.role.empty()) title += " · " + a.role;
    if (incidents_.size() > 1 && !a.incident.empty()) title += " · " + a.incident;
    out += "<text x=\"" + num(kPad) + "\" y=\"" + num(y0 + 16) + "\" fill=\"" + std::string(kInk) + "\">" +
           esc(title) + "</text>\n";
    const double cy = y0 + 34;
    // Waiting for an answer: thin grey; holding it (accepted or arrived): thick green.
    std::optional<Duration> offered, held, ended;
    for (const DrillEvent* e : a.events) {
      if (e->kind == "assigned" && !offered) offered = e->at;
      if ((e->kind == "accepted" || e->kind == "arrived") && !held && !ended) held = e->at;
      if ((e->kind == "declined" || e->kind == "no_answer" || e->kind == "done" || e->kind == "released") && !ended) {
        ended = e->at;
      }
    }
    const Duration first = offered ? *offered : a.events.front()->at;
    const Duration wait_end = held ? *held : ended ? *ended : span_;
    if (wait_end > first) {
      out += "<line x1=\"" + num(x_at(first)) + "\" y1=\"" + num(cy) + "\" x2=\"" + num(x_at(wait_end)) + "\" y2=\"" +
             num(cy) + "\" stroke=\"#bdbdbd\" stroke-width=\"2\"/>\n";
    }
    if (held) {
      const Duration hold_end = ended && *ended > *held ? *ended : span_;
      out += "<line x1=\"" + num(x_at(*held)) + "\" y1=\"" + num(cy) + "\" x2=\"" + num(x_at(hold_end)) +
             "\" y2=\"" + num(cy) + "\" stroke=\"#43a047\" stroke-width=\"5\"/>\n";
    }
    for (const DrillEvent* e : a.events) {
      out += mark(e->kind, x_at(e->at), cy, format_offset(e->at) + " " + e->kind + (e->text.empty() ? "" : ": " + e->text));
      if (e->kind == "declined" || e->kind == "no_answer") {
        out += label(x_at(e->at) + 4, cy + 6, e->kind == "declined" ? "declined" : "no answer", kRed);
      }
    }
    out += "</g>\n";
    return out;
  }

  // One assignment mark centred on (x, y); `tip` becomes its tooltip. `group` is the
  // class of the mark's group: "mark" on a lane, "key" in the legend.
  static std::string mark(std::string_view kind, double x, double y, const std::string& tip,
                          std::string_view group = "mark") {
    std::string shape;
    std::string cls(kind);
    if (kind == "assigned") {
      cls = "offered";
      shape = "<circle cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"6\" fill=\"#ffffff\" stroke=\"" +
              std::string(kInk) + "\" stroke-width=\"2\"/>";
    } else if (kind == "accepted") {
      shape = "<circle cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"7\" fill=\"#2e7d32\"/>";
    } else if (kind == "arrived") {
      shape = "<rect x=\"" + num(x - 6) + "\" y=\"" + num(y - 6) + "\" width=\"12\" height=\"12\" fill=\"#1b5e20\"/>";
    } else if (kind == "done") {
      shape = "<path d=\"M" + num(x) + " " + num(y - 8) + " L" + num(x + 8) + " " + num(y) + " L" + num(x) + " " +
              num(y + 8) + " L" + num(x - 8) + " " + num(y) + " Z\" fill=\"#1b5e20\" stroke=\"#ffffff\"/>";
    } else if (kind == "declined" || kind == "no_answer") {
      shape = "<path d=\"M" + num(x - 6) + " " + num(y - 6) + " L" + num(x + 6) + " " + num(y + 6) + " M" +
              num(x + 6) + " " + num(y - 6) + " L" + num(x - 6) + " " + num(y + 6) + "\" stroke=\"" +
              std::string(kRed) + "\" stroke-width=\"3\" stroke-linecap=\"round\" fill=\"none\"/>";
    } else if (kind == "released") {
      shape = "<rect x=\"" + num(x - 2) + "\" y=\"" + num(y - 9) + "\" width=\"4\" height=\"18\" fill=\"" +
              std::string(kGrey) + "\"/>";
    } else {
      return "";
    }
    return "<g class=\"" + std::string(group) + " " + esc(cls) + "\"><title>" + esc(tip) + "</title>" + shape +
           "</g>\n";
  }

  static constexpr int kLegendColumns = 3;
  static constexpr double kLegendRow = 28;
  static constexpr int kLegendItems = 12;

  static double legend_height() {
    return 26 + kLegendRow * ((kLegendItems + kLegendColumns - 1) / kLegendColumns) + 8;
  }

  std::string legend(double y0) const {
    std::string out = "<g class=\"legend\">\n";
    out += "<text x=\"" + num(kPad) + "\" y=\"" + num(y0 + 18) + "\" font-weight=\"700\" fill=\"" +
           std::string(kInk) + "\">Legend</text>\n";
    const double column = (kWidth - 2 * kPad) / kLegendColumns;
    int item = 0;
    auto place = [&](std::string_view text, auto&& draw) {
      const double x = kPad + column * (item % kLegendColumns);
      const double cy = y0 + 26 + kLegendRow * (item / kLegendColumns) + kLegendRow / 2;
      out += draw(x + 10, cy);
      out += "<text x=\"" + num(x + 26) + "\" y=\"" + num(cy + 5) + "\" fill=\"" + std::string(kInk) + "\">" +
             esc(text) + "</text>\n";
      ++item;
    };
    for (std::string_view level : {"I", "II", "III", "IV"}) {
      const LevelStyle style = *level_style(level);
      place("Level " + std::string(level) + " " + std::string(style.color_name), [&](double x, double cy) {
        return "<rect class=\"swatch level-" + std::string(level) + "\" x=\"" + num(x - 9) + "\" y=\"" + num(cy - 8) +
               "\" width=\"18\" height=\"16\" fill=\"" + std::string(style.fill) + "\"/>\n";
      });
    }
    place("alert (CAP msgType)", [&](double x, double cy) {
      return "<path d=\"M" + num(x - 6) + " " + num(cy - 6) + " L" + num(x + 6) + " " + num(cy - 6) + " L" + num(x) +
             " " + num(cy + 6) + " Z\" fill=\"" + std::string(kInk) + "\"/>\n";
    });
    place("offered", [&](double x, double cy) { return mark("assigned", x, cy, "offered", "key"); });
    place("accepted", [&](double x, double cy) { return mark("accepted", x, cy, "accepted", "key"); });
    place("arrived", [&](double x, double cy) { return mark("arrived", x, cy, "arrived", "key"); });
    place("done", [&](double x, double cy) { return mark("done", x, cy, "done", "key"); });
    place("declined / no answer", [&](double x, double cy) { return mark("declined", x, cy, "declined or no answer", "key"); });
    place("released", [&](double x, double cy) { return mark("released", x, cy, "released", "key"); });
    place("escalated / unfilled", [&](double x, double cy) {
      return "<line x1=\"" + num(x) + "\" y1=\"" + num(cy - 10) + "\" x2=\"" + num(x) + "\" y2=\"" + num(cy + 10) +
             "\" stroke=\"" + std::string(kRed) + "\" stroke-width=\"3\"/>\n";
    });
    out += "</g>\n";
    return out;
  }

  const DrillReport& report_;
  Duration span_{};
  std::vector<Incident> incidents_;
  std::vector<Assignment> assignments_;
};

constexpr std::string_view kStyle = R"css(
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#212121;background:#fafafa}
.wrap{max-width:1000px;margin:0 auto;padding:0 16px}
header.verdict{color:#fff;padding:16px 0}
header.passed{background:#2e7d32}
header.failed{background:#c62828}
h1{font-size:24px;line-height:1.25;margin:0 0 8px;overflow-wrap:anywhere}
h2{font-size:20px;margin:28px 0 10px}
.verdict-line{font-size:20px;font-weight:700;margin:0 0 10px}
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 14px;margin:0}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
.measures{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:10px 14px}
ul.expectations{list-style:none;margin:0;padding:0}
ul.expectations li{background:#fff;border:1px solid #e0e0e0;border-left:6px solid;border-radius:6px;padding:10px 14px;margin:0 0 10px}
ul.expectations li.pass{border-left-color:#2e7d32}
ul.expectations li.fail{border-left-color:#c62828}
.check{font-weight:700;margin-right:6px}
li.pass .check{color:#2e7d32}
li.fail .check{color:#c62828}
.exp-text{font-weight:600;overflow-wrap:anywhere}
.evidence{color:#424242;overflow-wrap:anywhere}
.line{color:#757575;font-size:14px}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;background:#fff;border:1px solid #e0e0e0;border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:15px}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #eeeeee;white-space:nowrap;vertical-align:top}
th{background:#f5f5f5;font-weight:600}
td.num{text-align:right}
td.text{white-space:normal;min-width:16em;overflow-wrap:anywhere}
.never,.red,.bad{color:#c62828;font-weight:700}
.pill{display:inline-block;min-width:2.2em;text-align:center;border-radius:4px;padding:0 6px;font-weight:700}
svg.timeline{display:block;width:100%;min-width:640px;height:auto}
footer{color:#616161;font-size:14px;padding:24px 0 32px}
)css";

}  // namespace

// -------------------------------------------------------------------------------------

std::string format_offset(Duration offset) {
  std::int64_t s = whole_seconds(offset);
  const bool negative = s < 0;
  if (negative) s = -s;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s%02lld:%02lld:%02lld", negative ? "-" : "", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

std::string to_markdown(const DrillReport& report) {
  std::string out;
  out += "# Drill report: " + md(report.title.empty() ? report.drill : report.title) + "\n\n";
  out += "- Drill: " + md(report.drill) + "\n";
  out += "- Mode: " + md(mode_text(report)) + "\n";
  if (!report.note.empty()) out += "- Note: " + md(report.note) + "\n";
  out += "- Scenario: " + md(report.scenario_file) + "\n";
  out += "- Seed: " + std::to_string(report.seed) + "\n";
  out += "- Start: " + format_start(report) + " (" + md(report.time_zone.empty() ? "UTC" : report.time_zone) + ")\n";
  out += "- Duration: " + format_offset(report.duration) + "\n\n";
  out += std::string("**") + (report.passed() ? "PASSED" : "FAILED") + "**: " + verdict_detail(report) + "\n\n";

  out += "## Expectations\n\n";
  if (report.expectations.empty()) {
    out += "None.\n\n";
  } else {
    out += "| | expectation | evidence |\n|---|---|---|\n";
    for (const ExpectationResult& e : report.expectations) {
      out += std::string("| ") + (e.passed ? "✔" : "✘") + " | " + md(e.text) + " | " + md(e.evidence) + " |\n";
    }
    out += "\n";
  }

  out += "## Measures\n\n| measure | value |\n|---|---|\n";
  out += "| Time to first alert | " + optional_offset(report.first_alert, "no alert") + " |\n";
  out += "| Time to fully staffed | " + fully_staffed_text(report, "**never**") + " |\n";
  out += "| Median time to answer | " + optional_offset(median_answer(report), "no answer") + " |\n";
  out += "| Readings sent | " + std::to_string(report.readings) + " |\n";
  out += "| Incident reports | " + std::to_string(report.reports) + " |\n";
  out += "| Alerts (CAP) | " + std::to_string(report.alerts) + " |\n";
  out += "| Alerts with status Actual | " + std::to_string(report.actual_alerts) + " |\n";
  out += "| Assignments | " + std::to_string(report.assignments) + " |\n";
  out += "| Dead letters | " + std::to_string(report.dead_letters) + " |\n\n";

  out += "## Roles\n\n";
  if (report.roles.empty()) {
    out += "No role was needed.\n\n";
  } else {
    out += "| incident | place | role | needed | accepted | filled at |\n|---|---|---|---:|---:|---|\n";
    for (const RoleOutcome& r : report.roles) {
      out += "| " + md(r.incident) + " | " + md(r.place) + " | " + md(r.role) + " | " + std::to_string(r.needed) +
             " | " + std::to_string(r.accepted) + " | " + optional_offset(r.filled_at, "**never**") + " |\n";
    }
    out += "\n";
  }

  out += "## Response times\n\n";
  if (report.responses.empty()) {
    out += "No assignment was made.\n\n";
  } else {
    out += "| staff | role | incident | offered at | answer | answered after | arrived after |\n"
           "|---|---|---|---|---|---|---|\n";
    for (const ResponseTime& r : report.responses) {
      out += "| " + md(response_staff(r)) + " | " + md(r.role) + " | " + md(r.incident) + " | " +
             format_offset(r.offered) + " | " + md(response_answer(r)) + " | " +
             optional_offset(r.answered_after, "—") + " | " + optional_offset(r.arrived_after, "—") + " |\n";
    }
    out += "\n";
  }

  out += "## Timeline\n\n";
  if (report.events.empty()) {
    out += "Nothing happened.\n";
  } else {
    out += "| time | kind | incident | level | staff / role | text |\n|---|---|---|---|---|---|\n";
    for (const DrillEvent& e : report.events) {
      out += "| " + format_offset(e.at) + " | " + md(e.kind) + " | " + md(e.incident) + " | " + md(e.level) + " | " +
             md(join_staff_role(e)) + " | " + md(e.text) + " |\n";
    }
  }
  return out;
}

std::string to_json(const DrillReport& report) {
  ordered_json j;
  j["drill"] = report.drill;
  j["mode"] = report.mode;
  j["note"] = report.note;
  j["title"] = report.title;
  j["scenario_file"] = report.scenario_file;
  j["seed"] = report.seed;
  j["start"] = format_start(report);
  j["time_zone"] = report.time_zone;
  put_offset(j, "duration", report.duration);
  j["passed"] = report.passed();
  j["expectations_passed"] = expectations_passed(report);
  j["expectations_total"] = report.expectations.size();

  ordered_json measures;
  put_offset(measures, "first_alert", report.first_alert);
  put_offset(measures, "fully_staffed", report.fully_staffed);
  put_offset(measures, "median_answer", median_answer(report));
  measures["readings"] = report.readings;
  measures["reports"] = report.reports;
  measures["alerts"] = report.alerts;
  measures["actual_alerts"] = report.actual_alerts;
  measures["assignments"] = report.assignments;
  measures["dead_letters"] = report.dead_letters;
  measures["engine_events"] = report.engine_events;
  j["measures"] = std::move(measures);

  ordered_json expectations = ordered_json::array();
  for (const ExpectationResult& e : report.expectations) {
    ordered_json x;
    x["text"] = e.text;
    x["line"] = e.line;
    x["passed"] = e.passed;
    x["evidence"] = e.evidence;
    expectations.push_back(std::move(x));
  }
  j["expectations"] = std::move(expectations);

  ordered_json roles = ordered_json::array();
  for (const RoleOutcome& r : report.roles) {
    ordered_json x;
    x["incident"] = r.incident;
    x["place"] = r.place;
    x["role"] = r.role;
    x["needed"] = r.needed;
    x["accepted"] = r.accepted;
    x["filled"] = r.filled_at.has_value();
    put_offset(x, "filled_at", r.filled_at);
    roles.push_back(std::move(x));
  }
  j["roles"] = std::move(roles);

  ordered_json responses = ordered_json::array();
  for (const ResponseTime& r : report.responses) {
    ordered_json x;
    x["assignment"] = r.assignment;
    x["incident"] = r.incident;
    x["role"] = r.role;
    x["staff"] = r.staff;
    x["delivered"] = r.delivered;
    put_offset(x, "offered", r.offered);
    x["answer"] = r.answer;
    put_offset(x, "answered_after", r.answered_after);
    put_offset(x, "arrived_after", r.arrived_after);
    responses.push_back(std::move(x));
  }
  j["responses"] = std::move(responses);

  ordered_json levels = ordered_json::array();
  for (const LevelChange& l : report.levels) {
    ordered_json x;
    put_offset(x, "at", l.at);
    x["incident"] = l.incident;
    x["place"] = l.place;
    x["level"] = l.level;
    levels.push_back(std::move(x));
  }
  j["levels"] = std::move(levels);

  ordered_json events = ordered_json::array();
  for (const DrillEvent& e : report.events) {
    ordered_json x;
    put_offset(x, "at", e.at);
    x["kind"] = e.kind;
    x["incident"] = e.incident;
    x["level"] = e.level;
    x["place"] = e.place;
    x["staff"] = e.staff;
    x["role"] = e.role;
    x["text"] = e.text;
    events.push_back(std::move(x));
  }
  j["events"] = std::move(events);
  return dump(j);
}

std::string to_html(const DrillReport& report) {
  const bool passed = report.passed();
  const std::string title = report.title.empty() ? report.drill : report.title;
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>Drill report: " + esc(title) + "</title>\n";
  out += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";

  // Header and verdict.
  out += std::string("<header class=\"verdict ") + (passed ? "passed" : "failed") + "\">\n<div class=\"wrap\">\n";
  out += "<h1>" + esc(title) + "</h1>\n";
  out += std::string("<p class=\"verdict-line\">") + (passed ? "✔ PASSED" : "✘ FAILED") + ": " +
         esc(verdict_detail(report)) + "</p>\n";
  out += "<dl class=\"facts\">\n";
  out += "<dt>Drill</dt><dd>" + esc(report.drill) + "</dd>\n";
  out += "<dt>Mode</dt><dd>" + esc(mode_text(report)) + "</dd>\n";
  if (!report.note.empty()) out += "<dt>Note</dt><dd>" + esc(report.note) + "</dd>\n";
  out += "<dt>Scenario</dt><dd>" + esc(report.scenario_file) + "</dd>\n";
  out += "<dt>Seed</dt><dd>" + std::to_string(report.seed) + "</dd>\n";
  out += "<dt>Start</dt><dd>" + esc(format_start(report)) + " (" +
         esc(report.time_zone.empty() ? "UTC" : report.time_zone) + ")</dd>\n";
  out += "<dt>Duration</dt><dd>" + format_offset(report.duration) + "</dd>\n";
  out += "</dl>\n</div>\n</header>\n<main class=\"wrap\">\n";

  // Expectations.
  out += "<section id=\"expectations\">\n<h2>Expectations</h2>\n";
  if (report.expectations.empty()) {
    out += "<p>None.</p>\n";
  } else {
    out += "<ul class=\"expectations\">\n";
    for (const ExpectationResult& e : report.expectations) {
      out += std::string("<li class=\"") + (e.passed ? "pass" : "fail") + "\"><div><span class=\"check\" aria-label=\"" +
             (e.passed ? "passed" : "failed") + "\">" + (e.passed ? "✔" : "✘") + "</span><span class=\"exp-text\">" +
             esc(e.text) + "</span></div>\n";
      out += "<div class=\"evidence\">" + esc(e.evidence) + "</div>";
      if (e.line > 0) out += "<div class=\"line\">scenario line " + std::to_string(e.line) + "</div>";
      out += "</li>\n";
    }
    out += "</ul>\n";
  }
  out += "</section>\n";

  // Measures.
  auto measure = [&](std::string_view name, const std::string& value_html) {
    out += "<dt>" + esc(name) + "</dt><dd>" + value_html + "</dd>\n";
  };
  out += "<section id=\"measures\">\n<h2>Measures</h2>\n<dl class=\"measures\">\n";
  measure("Time to first alert", report.first_alert ? format_offset(*report.first_alert) : "no alert");
  measure("Time to fully staffed", fully_staffed_text(report, "<strong class=\"never\">never</strong>"));
  const auto median = median_answer(report);
  measure("Median time to answer", median ? format_offset(*median) : "no answer");
  measure("Readings sent", std::to_string(report.readings));
  measure("Incident reports", std::to_string(report.reports));
  measure("Alerts (CAP)", std::to_string(report.alerts));
  measure("Alerts with status Actual", report.actual_alerts == 0
                                            ? std::string("0")
                                            : "<strong class=\"bad\">" + std::to_string(report.actual_alerts) + "</strong>");
  measure("Assignments", std::to_string(report.assignments));
  measure("Dead letters", std::to_string(report.dead_letters));
  measure("Engine events", std::to_string(report.engine_events));
  out += "</dl>\n</section>\n";

  // Timeline.
  out += "<section id=\"timeline\">\n<h2>Timeline</h2>\n<div class=\"scroll\">\n";
  out += TimelineSvg(report).render();
  out += "</div>\n</section>\n";

  // Roles.
  out += "<section id=\"roles\">\n<h2>Roles</h2>\n";
  if (report.roles.empty()) {
    out += "<p>No role was needed.</p>\n";
  } else {
    out += "<div class=\"scroll\">\n<table>\n<thead><tr><th>incident</th><th>place</th><th>role</th><th>needed</th>"
           "<th>accepted</th><th>filled at</th></tr></thead>\n<tbody>\n";
    for (const RoleOutcome& r : report.roles) {
      out += "<tr><td>" + esc(r.incident) + "</td><td>" + esc(r.place) + "</td><td>" + esc(r.role) +
             "</td><td class=\"num\">" + std::to_string(r.needed) + "</td><td class=\"num\">" +
             std::to_string(r.accepted) + "</td><td>" +
             (r.filled_at ? format_offset(*r.filled_at) : "<strong class=\"never\">never</strong>") + "</td></tr>\n";
    }
    out += "</tbody>\n</table>\n</div>\n";
  }
  out += "</section>\n";

  // Response times.
  out += "<section id=\"responses\">\n<h2>Response times</h2>\n";
  if (report.responses.empty()) {
    out += "<p>No assignment was made.</p>\n";
  } else {
    out += "<div class=\"scroll\">\n<table>\n<thead><tr><th>staff</th><th>role</th><th>incident</th>"
           "<th>offered at</th><th>answer</th><th>answered after</th><th>arrived after</th></tr></thead>\n<tbody>\n";
    for (const ResponseTime& r : report.responses) {
      out += "<tr><td>" + esc(response_staff(r)) + "</td><td>" + esc(r.role) + "</td><td>" + esc(r.incident) +
             "</td><td>" + format_offset(r.offered) + "</td><td" + (is_red_kind(r.answer) ? " class=\"red\"" : "") +
             ">" + esc(response_answer(r)) + "</td><td>" + optional_offset(r.answered_after, "—") + "</td><td>" +
             optional_offset(r.arrived_after, "—") + "</td></tr>\n";
    }
    out += "</tbody>\n</table>\n</div>\n";
  }
  out += "</section>\n";

  // Every event.
  out += "<section id=\"events\">\n<h2>Events</h2>\n";
  if (report.events.empty()) {
    out += "<p>Nothing happened.</p>\n";
  } else {
    out += "<div class=\"scroll\">\n<table>\n<thead><tr><th>time</th><th>kind</th><th>incident</th><th>level</th>"
           "<th>place</th><th>staff</th><th>role</th><th>text</th></tr></thead>\n<tbody>\n";
    for (const DrillEvent& e : report.events) {
      out += "<tr><td>" + format_offset(e.at) + "</td><td" + (is_red_kind(e.kind) ? " class=\"red\"" : "") + ">" +
             esc(e.kind) + "</td><td>" + esc(e.incident) + "</td><td>" + level_pill(e.level) + "</td><td>" +
             esc(e.place) + "</td><td>" + esc(e.staff) + "</td><td>" + esc(e.role) + "</td><td class=\"text\">" +
             esc(e.text) + "</td></tr>\n";
    }
    out += "</tbody>\n</table>\n</div>\n";
  }
  out += "</section>\n</main>\n";
  out += "<footer class=\"wrap\">Lookout drill report for " + esc(report.drill) + ", seed " +
         std::to_string(report.seed) + ". Every alert of a drill is CAP status Exercise; times are from the drill's "
         "start.</footer>\n";
  out += "</body>\n</html>\n";
  return out;
}

std::string to_markdown(const DrillSummary& summary) {
  std::string out;
  out += "# Drill summary: " + md(summary.title.empty() ? summary.drill : summary.title) + "\n\n";
  out += "- Drill: " + md(summary.drill) + "\n";
  out += "- Runs: " + std::to_string(summary.runs) + "\n";
  out += "- Seeds: " + (summary.seeds.empty() ? std::string("none") : format_seeds(summary.seeds)) + "\n";
  out += "- Passed: " + std::to_string(summary.runs_passed) + " of " + std::to_string(summary.runs) +
         (summary.runs > 0 ? " (" + format_percent(static_cast<double>(summary.runs_passed) / summary.runs) + ")" : "") +
         "\n";
  out += "- Fully staffed: " + std::to_string(summary.runs_fully_staffed) + " of " + std::to_string(summary.runs) +
         " runs\n\n";

  out += "## Times\n\n| measure | runs | p50 | p90 | max |\n|---|---:|---|---|---|\n";
  auto stats_row = [&](std::string_view name, const DrillSummary::Stats& s) {
    out += "| " + std::string(name) + " | " + std::to_string(s.samples) + " | " + optional_offset(s.p50, "-") + " | " +
           optional_offset(s.p90, "-") + " | " + optional_offset(s.max, "-") + " |\n";
  };
  stats_row("Time to first alert", summary.first_alert);
  stats_row("Time to fully staffed", summary.fully_staffed);
  out += "\n";

  out += "## Unfilled roles\n\n";
  if (summary.unfilled_role_probability.empty()) {
    out += "No role was left unfilled.\n\n";
  } else {
    out += "| role | runs with it unfilled |\n|---|---:|\n";
    std::vector<std::pair<std::string, double>> roles(summary.unfilled_role_probability.begin(),
                                                      summary.unfilled_role_probability.end());
    std::stable_sort(roles.begin(), roles.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [role, share] : roles) out += "| " + md(role) + " | " + format_percent(share) + " |\n";
    out += "\n";
  }

  out += "## Weakest places\n\n";
  if (summary.weakest_places.empty()) {
    out += "None.\n\n";
  } else {
    out += "| place | runs with an unfilled role |\n|---|---:|\n";
    for (const auto& [place, runs] : weakest_first(summary.weakest_places)) {
      out += "| " + md(place) + " | " + std::to_string(runs) + " |\n";
    }
    out += "\n";
  }

  out += "## Weakest hours\n\n";
  if (summary.weakest_hours.empty()) {
    out += "None.\n\n";
  } else {
    out += "| hour of the first alert | runs with an unfilled role |\n|---|---:|\n";
    for (const auto& [hour, runs] : weakest_first(summary.weakest_hours)) {
      out += "| " + hour_range(hour) + " | " + std::to_string(runs) + " |\n";
    }
    out += "\n";
  }

  out += "## Expectations\n\n";
  if (summary.expectation_passes.empty()) {
    out += "None.\n";
  } else {
    out += "| expectation | runs passed | rate |\n|---|---:|---:|\n";
    for (const auto& [text, runs] : summary.expectation_passes) {
      out += "| " + md(text) + " | " + std::to_string(runs) + " of " + std::to_string(summary.runs) + " | " +
             (summary.runs > 0 ? format_percent(static_cast<double>(runs) / summary.runs) : std::string("-")) + " |\n";
    }
  }
  return out;
}

std::string to_json(const DrillSummary& summary) {
  ordered_json j;
  j["drill"] = summary.drill;
  j["title"] = summary.title;
  j["runs"] = summary.runs;
  j["runs_passed"] = summary.runs_passed;
  j["pass_rate"] = summary.runs > 0 ? ordered_json(static_cast<double>(summary.runs_passed) / summary.runs)
                                    : ordered_json(nullptr);
  j["seeds"] = summary.seeds;
  j["first_alert"] = stats_json(summary.first_alert);
  j["fully_staffed"] = stats_json(summary.fully_staffed);
  j["runs_fully_staffed"] = summary.runs_fully_staffed;
  ordered_json roles = ordered_json::object();
  for (const auto& [role, share] : summary.unfilled_role_probability) roles[role] = share;
  j["unfilled_role_probability"] = std::move(roles);
  ordered_json places = ordered_json::array();
  for (const auto& [place, runs] : weakest_first(summary.weakest_places)) {
    places.push_back(ordered_json{{"place", place}, {"runs", runs}});
  }
  j["weakest_places"] = std::move(places);
  ordered_json hours = ordered_json::array();
  for (const auto& [hour, runs] : weakest_first(summary.weakest_hours)) {
    hours.push_back(ordered_json{{"hour", hour}, {"runs", runs}});
  }
  j["weakest_hours"] = std::move(hours);
  ordered_json passes = ordered_json::array();
  for (const auto& [text, runs] : summary.expectation_passes) {
    passes.push_back(ordered_json{{"text", text}, {"runs_passed", runs}});
  }
  j["expectation_passes"] = std::move(passes);
  return dump(j);
}

}  // namespace lookout::drills
