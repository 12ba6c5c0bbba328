// Staffing: who to ask when an incident needs people. Given one open slot (a role, the
// skills it needs, the incident's place) and the roster, it ranks the members who could
// take it, best first, and says in words why each was picked, for the incident timeline.
// It also finds the coordinators to tell at each level of the hierarchy and the members
// of a role around a place.
//
// "Near" follows the place hierarchy (district / subdistrict / community / grid /
// building), not geography: a member's distance is how many levels one has to climb
// from the incident's place to reach a place that also contains the member's home. Real
// role holders first (an all-round worker stands in only when no holder is left in the
// search); near people first among them, because they arrive first and know the
// building; then spreading the work (fewest recent assignments, then
// lowest current load); the id last, so that the same inputs always give the same order
// (drills replay and tests compare exactly).
//
// Pure and deterministic: no I/O and no clock reads. The instant for on-duty checks and
// every assignment count come from the caller (the core), through CandidateQuery::now
// and StaffLoad.
//
// Thread-safety: pure functions. The pointers returned point into the roster and stay
// valid until the roster is changed.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lookout/base/clock.h"
#include "lookout/base/place.h"
#include "lookout/sensors/staff.h"

namespace lookout::engine {

// What one open slot needs.
struct CandidateQuery {
  std::string role;                       // e.g. fire_warden
  std::vector<std::string> skills;        // every one required
  PlacePath place;                        // the incident's place
  PlaceLevel within = PlaceLevel::kGrid;  // search only members whose home lies in place cut to this level
  Time now;                               // for on-duty
};

struct Candidate {
  const sensors::StaffMember* member = nullptr;
  // Levels between the incident's place and the closest common ancestor with the
  // member's home: 0 same place (or home inside it), 1 same grid (for a building),
  // 2 same community, ...
  int distance = 0;
  bool role_holder = true;  // false: an all-round worker standing in for the role
  int load = 0;             // active assignments now
  int recent = 0;           // assignments in the recent window
};

// Supplied by the core, which owns the assignments. An empty function counts as 0
// (active, recent) or as "not excluded".
struct StaffLoad {
  std::function<int(std::string_view staff_id)> active;     // offered/accepted/arrived assignments now
  std::function<int(std::string_view staff_id)> recent;     // assignments offered in the recent window
  std::function<bool(std::string_view staff_id)> excluded;  // already asked for this incident, etc.
};

// Eligible members, best first. Eligible: on duty at now (sensors::on_duty), has the role
// or is all_round (StaffMember::all_round: an all-round worker can take any role), has every
// skill in query.skills (all_round does not waive skills), load < capacity, not excluded, and
// home within place.truncated(min(within depth, place.depth())) (the home is inside that subtree).
// A home above that cut (a community worker when searching one grid) is not within it.
// Order: role holders before all-round stand-ins (a stand-in only when no holder is left in
// the search), then distance ascending, then fewer recent, then lower load, then id
// (deterministic).
std::vector<Candidate> rank_candidates(const CandidateQuery& query, const sensors::StaffRegistry& roster,
                                       const StaffLoad& load);

// Why this candidate, for the incident timeline, e.g.
//   "Li Wei (building_lead, home xc/hl/qy/g03/b12): same building, on duty, 0 of 1 assignments, 2 recent"
//   "Li Na (volunteer, home xc/hl/qy/g03/b12): same building, all-round worker standing in for fire_warden, ..."
// The parenthesis holds the member's kind. The relation names the level of the closest
// common ancestor: "same building", "same grid", "same community", "same subdistrict",
// "same district", "elsewhere" (nothing in common), or "same place" when the incident's
// place is the whole area.
std::string describe(const Candidate& candidate, const CandidateQuery& query);

// The coordinators of `level` around `place`: members with role "coordinator" whose home is
// exactly place.truncated(level depth) (when place is at least that deep). On-duty ones when any
// is on duty, else all of them (someone must be told even at night); sorted by id. Empty when
// the roster has none at that level, or when place is shallower than `level`.
std::vector<const sensors::StaffMember*> coordinators_of(const sensors::StaffRegistry& roster, const PlacePath& place,
                                                         PlaceLevel level, Time now);

// The members with `role` (role holders only, not all-round) whose home lies within place's
// community (place cut to depth 3, or place itself when shallower), on duty at now; sorted by id.
std::vector<const sensors::StaffMember*> role_members(const sensors::StaffRegistry& roster, std::string_view role,
                                                      const PlacePath& place, Time now);

}  // namespace lookout::engine
