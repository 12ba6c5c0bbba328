// Staffing: ranking members for an open slot, and finding coordinators and role members
// (see staffing.h for the contract).
#include "lookout/engine/staffing.h"

#include <algorithm>
#include <cstddef>
#include <tuple>

namespace lookout::engine {
namespace {

constexpr std::string_view kCoordinatorRole = "coordinator";
constexpr std::size_t kCommunityDepth = static_cast<std::size_t>(PlaceLevel::kCommunity);

bool has(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool has_all(const std::vector<std::string>& names, const std::vector<std::string>& wanted) {
  return std::all_of(wanted.begin(), wanted.end(), [&](const std::string& w) { return has(names, w); });
}

// How many leading segments two places share: the depth of their closest common ancestor.
std::size_t common_depth(const PlacePath& a, const PlacePath& b) {
  const auto& sa = a.segments();
  const auto& sb = b.segments();
  std::size_t n = 0;
  while (n < sa.size() && n < sb.size() && sa[n] == sb[n]) ++n;
  return n;
}

// The relation between the incident's place and a member's home, named by the level of
// their closest common ancestor, which is `distance` levels above the place.
std::string relation(const PlacePath& place, int distance) {
  if (place.is_root()) return "same place";
  const int depth = static_cast<int>(place.depth()) - distance;
  if (depth <= 0) return "elsewhere";
  const int clamped = std::min(depth, static_cast<int>(PlacePath::kMaxDepth));
  return "same " + std::string(place_level_name(static_cast<PlaceLevel>(clamped)));
}

}  // namespace

std::vector<Candidate> rank_candidates(const CandidateQuery& query, const sensors::StaffRegistry& roster,
                                       const StaffLoad& load) {
  // An incident shallower than the search level (at a grid, searched within its
  // building) is searched in the place itself: there is no deeper place to cut to.
  const std::size_t cut = std::min(static_cast<std::size_t>(query.within), query.place.depth());
  const PlacePath scope = query.place.truncated(cut);

  std::vector<Candidate> out;
  for (const sensors::StaffMember* m : roster.all()) {
    // Cheap checks first; on_duty resolves the member's time zone.
    if (!m->home.is_within(scope)) continue;
    const bool role_holder = has(m->roles, query.role);
    if (!role_holder && !m->all_round) continue;
    // Skills are what the slot physically needs (first aid, an electrician's licence):
    // being all-round lets a member take the role, not do what they were never trained for.
    if (!has_all(m->skills, query.skills)) continue;
    if (load.excluded && load.excluded(m->id)) continue;
    const int active = load.active ? load.active(m->id) : 0;
    if (active >= m->capacity) continue;
    if (!sensors::on_duty(*m, query.now)) continue;

    Candidate c;
    c.member = m;
    c.distance = static_cast<int>(query.place.depth() - common_depth(query.place, m->home));
    c.role_holder = role_holder;
    c.load = active;
    c.recent = load.recent ? load.recent(m->id) : 0;
    out.push_back(c);
  }
  std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
    // Role holders first (!role_holder false sorts first): an all-round worker stands in
    // only when no holder of the role is left in the part of the hierarchy searched, so a
    // community worker nearby does not take a doctor's place from a doctor further away.
    return std::forward_as_tuple(!a.role_holder, a.distance, a.recent, a.load, a.member->id) <
           std::forward_as_tuple(!b.role_holder, b.distance, b.recent, b.load, b.member->id);
  });
  return out;
}

std::string describe(const Candidate& candidate, const CandidateQuery& query) {
  const sensors::StaffMember* m = candidate.member;
  if (m == nullptr) return "no staff member";
  std::string s = m->name;
  s += " (";
  s += sensors::staff_kind_name(m->kind);
  s += ", home ";
  s += m->home.is_root() ? "the whole area" : m->home.str();
  s += "): ";
  s += relation(query.place, candidate.distance);
  if (!candidate.role_holder) s += ", all-round worker standing in for " + query.role;
  // Checked again rather than assumed: a Candidate may be described later or built by hand.
  s += sensors::on_duty(*m, query.now) ? ", on duty, " : ", off duty, ";
  s += std::to_string(candidate.load) + " of " + std::to_string(m->capacity) + " assignments, ";
  s += std::to_string(candidate.recent) + " recent";
  return s;
}

std::vector<const sensors::StaffMember*> coordinators_of(const sensors::StaffRegistry& roster, const PlacePath& place,
                                                         PlaceLevel level, Time now) {
  const auto depth = static_cast<std::size_t>(level);
  if (place.depth() < depth) return {};
  const PlacePath at = place.truncated(depth);
  std::vector<const sensors::StaffMember*> all;
  std::vector<const sensors::StaffMember*> on;
  for (const sensors::StaffMember* m : roster.all()) {  // sorted by id
    if (m->home != at || !has(m->roles, kCoordinatorRole)) continue;
    all.push_back(m);
    if (sensors::on_duty(*m, now)) on.push_back(m);
  }
  // Someone at each level must hear about the incident even at night: with nobody on
  // duty, every coordinator of the level is told.
  return on.empty() ? all : on;
}

std::vector<const sensors::StaffMember*> role_members(const sensors::StaffRegistry& roster, std::string_view role,
                                                      const PlacePath& place, Time now) {
  const PlacePath community = place.truncated(kCommunityDepth);
  std::vector<const sensors::StaffMember*> out;
  for (const sensors::StaffMember* m : roster.all()) {  // sorted by id
    if (m->home.is_within(community) && has(m->roles, role) && sensors::on_duty(*m, now)) out.push_back(m);
  }
  return out;
}

}  // namespace lookout::engine
