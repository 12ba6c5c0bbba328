#include "plan_diff.h"

#include <algorithm>
#include <map>

#include "lookout/base/duration.h"
#include "lookout/plans/plan.h"

namespace lookout::ctl {

namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

struct Edit {
  char kind;  // ' ', '-', '+'
  std::size_t a;  // line index in before (for ' ' and '-')
  std::size_t b;  // line index in after (for ' ' and '+')
};

// Longest common subsequence by dynamic programming: plans are a few hundred lines.
std::vector<Edit> diff_lines(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::uint32_t>> lcs(n + 1, std::vector<std::uint32_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::vector<Edit> edits;
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      edits.push_back({' ', i++, j++});
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      edits.push_back({'-', i++, j});  // removals before additions, as diff(1) shows them
    } else {
      edits.push_back({'+', i, j++});
    }
  }
  return edits;
}

// "fire_warden x2 within building, answer in 5m; grid_worker x1 ..."
std::string staff_text(const plans::LevelRule& r) {
  std::string s;
  for (const auto& n : r.staff) {
    s += (s.empty() ? "" : "; ") + n.role + " x" + std::to_string(n.count) + " within " +
         std::string(place_level_name(n.within)) + ", answer in " + format_duration(n.respond_within);
  }
  return s;
}

// "after 10m notify ...; after 20m raise to I"
std::string escalation_text(const plans::LevelRule& r) {
  std::string s;
  for (const auto& step : r.escalation) {
    s += (s.empty() ? "" : "; ") + std::string("after ") + format_duration(step.after);
    for (const auto& a : step.notify) s += " notify " + plans::audience_name(a);
    if (step.raise_to) s += " raise to " + std::string(plans::level_name(*step.raise_to));
  }
  return s;
}

// "by hand", or "when smoke < 0.05 / for 10m", or "after 10m with no level's condition"
std::string resolve_text(const plans::ResolveRule& r) {
  if (!r.automatic) return "by hand";
  if (r.condition) return "when " + r.condition->to_string() + " for " + format_duration(r.hold_for);
  return "after " + format_duration(r.hold_for) + " with no level's condition";
}

// "gas-leak (building, from II); smoke-detector-test (same_place, from IV)"
std::string inhibits_text(const plans::Plan& p) {
  std::string s;
  for (const auto& i : p.inhibits) {
    s += (s.empty() ? "" : "; ") + i.plan + " (" +
         (i.scope ? std::string(place_level_name(*i.scope)) : std::string("same_place")) + ", from " +
         std::string(plans::level_name(i.from_level)) + ")";
  }
  return s;
}

// "every 10m, at most 3 times per level"
std::string renotify_text(const plans::Plan& p) {
  if (!p.renotify) return "";
  return "every " + format_duration(p.renotify->every) + ", at most " + std::to_string(p.renotify->times) +
         " times per level";
}

}  // namespace

std::string unified_diff(std::string_view before, std::string_view after, const std::string& before_label,
                         const std::string& after_label) {
  auto a = lines_of(before);
  auto b = lines_of(after);
  auto edits = diff_lines(a, b);
  constexpr std::size_t kContext = 3;
  std::string out;
  std::size_t k = 0;
  while (k < edits.size()) {
    // Find the next change, then grow a hunk around it while changes are close.
    while (k < edits.size() && edits[k].kind == ' ') ++k;
    if (k == edits.size()) break;
    std::size_t start = k >= kContext ? k - kContext : 0;
    std::size_t end = k;
    while (end < edits.size()) {
      if (edits[end].kind != ' ') {
        ++end;
        continue;
      }
      std::size_t run = end;
      while (run < edits.size() && edits[run].kind == ' ') ++run;
      if (run == edits.size() || run - end > 2 * kContext) {
        end = std::min(edits.size(), end + kContext);
        break;
      }
      end = run;
    }
    std::size_t a_start = edits[start].a, b_start = edits[start].b, a_count = 0, b_count = 0;
    std::string body;
    for (std::size_t e = start; e < end; ++e) {
      const auto& ed = edits[e];
      std::string_view line = ed.kind == '+' ? b[ed.b] : a[ed.a];
      body += ed.kind;
      body += line;
      body += '\n';
      if (ed.kind != '+') ++a_count;
      if (ed.kind != '-') ++b_count;
    }
    if (out.empty()) out = "--- " + before_label + "\n+++ " + after_label + "\n";
    out += "@@ -" + std::to_string(a_count ? a_start + 1 : a_start) + "," + std::to_string(a_count) + " +" +
           std::to_string(b_count ? b_start + 1 : b_start) + "," + std::to_string(b_count) + " @@\n" + body;
    k = end;
  }
  return out;
}

std::vector<std::string> plan_changes(std::string_view before, std::string_view after) {
  auto a = plans::load_plan(before, "before");
  auto b = plans::load_plan(after, "after");
  if (!a.plan || !b.plan) {
    return {std::string(!a.plan ? "the earlier version" : "the new version") + " does not load; compare the text"};
  }
  const auto& pa = *a.plan;
  const auto& pb = *b.plan;
  std::vector<std::string> out;
  auto changed = [&](const std::string& what, const std::string& x, const std::string& y) {
    if (x != y) out.push_back(what + ": " + (x.empty() ? "(none)" : x) + " -> " + (y.empty() ? "(none)" : y));
  };
  changed("title", pa.title, pb.title);
  changed("version label", pa.version, pb.version);
  changed("owner", pa.owner, pb.owner);
  auto places = [](const plans::Plan& p) {
    std::string s;
    for (const auto& pat : p.places) s += (s.empty() ? "" : ", ") + pat.str();
    return s;
  };
  changed("places", places(pa), places(pb));
  changed("scope", std::string(plans::scope_name(pa.scope)), std::string(plans::scope_name(pb.scope)));
  changed("time zone", pa.time_zone, pb.time_zone);
  changed("resolve", resolve_text(pa.resolve), resolve_text(pb.resolve));
  changed("inhibits", inhibits_text(pa), inhibits_text(pb));
  changed("reopen within", pa.reopen_within ? format_duration(*pa.reopen_within) : "",
          pb.reopen_within ? format_duration(*pb.reopen_within) : "");
  changed("renotify", renotify_text(pa), renotify_text(pb));
  std::map<std::string, const plans::LevelRule*> la, lb;
  for (const auto& r : pa.levels) la[std::string(plans::level_name(r.level))] = &r;
  for (const auto& r : pb.levels) lb[std::string(plans::level_name(r.level))] = &r;
  for (const auto& name : {"I", "II", "III", "IV"}) {
    auto x = la.find(name);
    auto y = lb.find(name);
    std::string level = std::string("level ") + name;
    if (x == la.end() && y == lb.end()) continue;
    if (x == la.end()) {
      out.push_back(level + ": added, when " + y->second->condition.to_string());
      continue;
    }
    if (y == lb.end()) {
      out.push_back(level + ": removed");
      continue;
    }
    const auto& rx = *x->second;
    const auto& ry = *y->second;
    changed(level + " condition", rx.condition.to_string(), ry.condition.to_string());
    changed(level + " event", rx.alert.event, ry.alert.event);
    changed(level + " category", rx.alert.category, ry.alert.category);
    changed(level + " response", rx.alert.response_type, ry.alert.response_type);
    std::size_t n = std::max(rx.alert.texts.size(), ry.alert.texts.size());
    for (std::size_t i = 0; i < n; ++i) {
      const auto* tx = i < rx.alert.texts.size() ? &rx.alert.texts[i] : nullptr;
      const auto* ty = i < ry.alert.texts.size() ? &ry.alert.texts[i] : nullptr;
      std::string lang = (ty ? ty->language : tx->language);
      changed(level + " headline (" + lang + ")", tx ? tx->headline : "", ty ? ty->headline : "");
      if ((tx ? tx->description : "") != (ty ? ty->description : "") ||
          (tx ? tx->instruction : "") != (ty ? ty->instruction : "")) {
        out.push_back(level + " description or instruction (" + lang + "): changed");
      }
    }
    changed(level + " staff", staff_text(rx), staff_text(ry));
    changed(level + " escalation", escalation_text(rx), escalation_text(ry));
  }
  return out;
}

}  // namespace lookout::ctl
