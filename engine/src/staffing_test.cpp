// Staffing: who is eligible for a slot, in what order, how the choice is described,
// and which coordinators and role members are found around a place.
#include "lookout/engine/staffing.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "lookout/base/time_format.h"

namespace lookout::engine {
namespace {

using sensors::StaffMember;
using sensors::StaffRegistry;

// "" is the root: the whole area.
PlacePath P(std::string_view text) { return text.empty() ? PlacePath() : PlacePath::parse(text).value(); }
Time T(std::string_view iso) { return parse_iso8601(iso).value(); }

// Monday 23 November 2026. The roster's time zone is Asia/Shanghai (UTC+8, no DST).
const Time kMonday10 = T("2026-11-23T02:00:00Z");   // Mon 10:00 Shanghai, 02:00 London
const Time kMonday18 = T("2026-11-23T10:00:00Z");   // Mon 18:00 Shanghai, 10:00 London
const Time kMonday22 = T("2026-11-23T14:00:00Z");   // Mon 22:00 Shanghai, 14:00 London
const Time kSaturday12 = T("2026-11-28T04:00:00Z");  // Sat 12:00 Shanghai

// One roster entry in YAML. `more` holds further "    key: value\n" lines; a member
// without shifts in `more` is on call at any time, and one without a name or kind gets
// its id as the name and kind grid_worker.
std::string member(std::string_view id, std::string_view roles, std::string_view home, std::string more = "") {
  std::string s = "  - id: " + std::string(id) + "\n";
  if (more.find("name:") == std::string::npos) s += "    name: " + std::string(id) + "\n";
  if (more.find("kind:") == std::string::npos) s += "    kind: grid_worker\n";
  s += "    roles: [" + std::string(roles) + "]\n";
  s += "    home: " + std::string(home) + "\n";
  if (more.find("shifts:") == std::string::npos && more.find("on_call:") == std::string::npos) {
    s += "    on_call: always\n";
  }
  return s + more;
}

StaffRegistry roster_of(std::initializer_list<std::string> members) {
  std::string text = "time_zone: Asia/Shanghai\nstaff:\n";
  for (const auto& m : members) text += m;
  auto parsed = sensors::parse_staff(text, "staff.yaml");
  EXPECT_TRUE(parsed.ok()) << to_string(parsed.diagnostics) << "\n" << text;
  StaffRegistry roster;
  for (auto& m : parsed.items) roster.upsert(std::move(m));
  return roster;
}

std::vector<std::string> ids(const std::vector<Candidate>& candidates) {
  std::vector<std::string> out;
  for (const auto& c : candidates) out.push_back(c.member->id);
  return out;
}

std::vector<std::string> ids(const std::vector<const StaffMember*>& members) {
  std::vector<std::string> out;
  for (const auto* m : members) out.push_back(m->id);
  return out;
}

const Candidate& find(const std::vector<Candidate>& candidates, std::string_view id) {
  for (const auto& c : candidates) {
    if (c.member->id == id) return c;
  }
  ADD_FAILURE() << id << " is not a candidate";
  static const Candidate kNone;
  return kNone;
}

CandidateQuery query(std::string role, std::string_view place, PlaceLevel within, Time now,
                     std::vector<std::string> skills = {}) {
  CandidateQuery q;
  q.role = std::move(role);
  q.skills = std::move(skills);
  q.place = P(place);
  q.within = within;
  q.now = now;
  return q;
}

// Assignment counts per member id; unlisted members have none.
struct FakeLoad {
  std::map<std::string, int, std::less<>> active;
  std::map<std::string, int, std::less<>> recent;
  std::vector<std::string> excluded;

  StaffLoad load() const {
    auto count = [](const std::map<std::string, int, std::less<>>& m) {
      return [&m](std::string_view id) {
        auto it = m.find(id);
        return it == m.end() ? 0 : it->second;
      };
    };
    return StaffLoad{count(active), count(recent), [this](std::string_view id) {
                       return std::find(excluded.begin(), excluded.end(), id) != excluded.end();
                     }};
  }
};

using Ids = std::vector<std::string>;

// ---- filters -----------------------------------------------------------------------------------

TEST(RankCandidates, OnlyMembersOnDutyInTheirOwnTimeZone) {
  auto roster = roster_of({
      member("day", "fire_warden", "xc/hl/qy/g03", "    shifts: [mon-fri 08:00-18:00]\n"),
      member("night", "fire_warden", "xc/hl/qy/g03", "    shifts: [daily 20:00-08:00]\n"),
      member("london", "fire_warden", "xc/hl/qy/g03",
             "    time_zone: Europe/London\n    shifts: [mon-fri 08:00-18:00]\n"),
      member("always", "fire_warden", "xc/hl/qy/g03"),
  });
  const StaffLoad none;
  EXPECT_EQ(ids(rank_candidates(query("fire_warden", "xc/hl/qy/g03", PlaceLevel::kGrid, kMonday10), roster, none)),
            (Ids{"always", "day"}));
  // 18:00 in Shanghai ends the day shift (the end is not included); it is 10:00 in London.
  EXPECT_EQ(ids(rank_candidates(query("fire_warden", "xc/hl/qy/g03", PlaceLevel::kGrid, kMonday18), roster, none)),
            (Ids{"always", "london"}));
  EXPECT_EQ(ids(rank_candidates(query("fire_warden", "xc/hl/qy/g03", PlaceLevel::kGrid, kMonday22), roster, none)),
            (Ids{"always", "london", "night"}));
  // The night shift runs on past midnight into Saturday morning.
  EXPECT_EQ(ids(rank_candidates(query("fire_warden", "xc/hl/qy/g03", PlaceLevel::kGrid, T("2026-11-27T23:30:00Z")),
                                roster, none)),
            (Ids{"always", "night"}));
}

TEST(RankCandidates, EveryRequiredSkillEvenForAllRoundWorkers) {
  auto roster = roster_of({
      member("both", "fire_warden", "xc/hl/qy/g03", "    skills: [first_aid, electrician]\n"),
      member("aid", "fire_warden", "xc/hl/qy/g03", "    skills: [first_aid]\n"),
      member("none", "fire_warden", "xc/hl/qy/g03"),
      member("round-aid", "", "xc/hl/qy/g03", "    all_round: true\n    skills: [first_aid]\n"),
      member("round", "", "xc/hl/qy/g03", "    all_round: true\n"),
  });
  const StaffLoad none;
  auto q = query("fire_warden", "xc/hl/qy/g03", PlaceLevel::kGrid, kMonday10, {"first_aid", "electrician"});
  EXPECT_EQ(ids(rank_candidates(q, roster, none)), (Ids{"both"}));
  q.skills = {"first_aid"};
  EXPECT_EQ(ids(rank_candidates(q, roster, none)), (Ids{"aid", "both", "round-aid"}));
  q.skills = {};
  EXPECT_EQ(ids(rank_candidates(q, roster, none)), (Ids{"aid", "both", "none", "round", "round-aid"}));
}

TEST(RankCandidates, OnlyMembersWithRoomForAnotherAssignment) {
  auto roster = roster_of({
      member("a", "fire_warden", "xc/hl/qy/g03"),
      member("b", "fire_warden", "xc/hl/qy/g03", "    capacity: 2\n"),
      member("c", "fire_warden", "xc/hl/qy/g03"),
  });
  FakeLoad f;
  f.active = {{"a", 1}, {"b", 1}};
  auto q = query("fire_warden", "xc/hl/qy/g03", PlaceLevel::kGrid, kMonday10);
  auto ranked = rank_candidates(q, roster, f.load());
  EXPECT_EQ(ids(ranked), (Ids{"c", "b"}));  // a is full; b has one of two
  EXPECT_EQ(find(ranked, "b").load, 1);
  EXPECT_EQ(find(ranked, "c").load, 0);
  f.active["b"] = 2;
  EXPECT_EQ(ids(rank_candidates(q, roster, f.load())), (Ids{"c"}));
}

TEST(RankCandidates, ExcludedMembersAreNotAskedAgain) {
  auto roster = roster_of({
      member("a", "fire_warden", "xc/hl/qy/g03"),
      member("b", "fire_warden", "xc/hl/qy/g03"),
  });
  auto q = query("fire_warden", "xc/hl/qy/g03", PlaceLevel::kGrid, kMonday10);
  FakeLoad f;
  f.excluded = {"a"};
  EXPECT_EQ(ids(rank_candidates(q, roster, f.load())), (Ids{"b"}));
  f.excluded = {"a", "b"};
  EXPECT_TRUE(rank_candidates(q, roster, f.load()).empty());
  // Empty functions: nothing active, nothing recent, nobody excluded.
  auto ranked = rank_candidates(q, roster, StaffLoad{});
  EXPECT_EQ(ids(ranked), (Ids{"a", "b"}));
  EXPECT_EQ(ranked[0].load, 0);
  EXPECT_EQ(ranked[0].recent, 0);
}

TEST(RankCandidates, RoleHoldersAndAllRoundWorkersOnly) {
  auto roster = roster_of({
      member("holder", "grid_worker, fire_warden", "xc/hl/qy/g03"),
      member("round", "volunteer", "xc/hl/qy/g03", "    all_round: true\n"),
      member("plain", "volunteer", "xc/hl/qy/g03"),
  });
  auto ranked = rank_candidates(query("fire_warden", "xc/hl/qy/g03", PlaceLevel::kGrid, kMonday10), roster, {});
  ASSERT_EQ(ids(ranked), (Ids{"holder", "round"}));
  EXPECT_TRUE(ranked[0].role_holder);
  EXPECT_FALSE(ranked[1].role_holder);
  // Holding the role itself makes an all-round worker a role holder.
  ranked = rank_candidates(query("volunteer", "xc/hl/qy/g03", PlaceLevel::kGrid, kMonday10), roster, {});
  ASSERT_EQ(ids(ranked), (Ids{"plain", "round"}));
  EXPECT_TRUE(ranked[0].role_holder);
  EXPECT_TRUE(ranked[1].role_holder);
}

// ---- scope and distance ------------------------------------------------------------------------

class ScopeTest : public ::testing::Test {
 protected:
  StaffRegistry roster_ = roster_of({
      member("b12", "fire_warden", "xc/hl/qy/g03/b12"),
      member("b07", "fire_warden", "xc/hl/qy/g03/b07"),
      member("g03", "fire_warden", "xc/hl/qy/g03"),
      member("g05", "fire_warden", "xc/hl/qy/g05/b01"),
      member("qy", "fire_warden", "xc/hl/qy", "    kind: community_worker\n"),
      member("dm", "fire_warden", "xc/hl/dm/g01"),
      member("xc", "fire_warden", "xc/ba"),
      member("other", "fire_warden", "yz/hl/qy/g03/b12"),
  });

  std::vector<Candidate> rank(std::string_view place, PlaceLevel within) {
    return rank_candidates(query("fire_warden", place, within, kMonday10), roster_, {});
  }
  std::map<std::string, int> distances(const std::vector<Candidate>& ranked) {
    std::map<std::string, int> out;
    for (const auto& c : ranked) out[c.member->id] = c.distance;
    return out;
  }
};

TEST_F(ScopeTest, WithinCutsTheIncidentsPlace) {
  const char* b12 = "xc/hl/qy/g03/b12";
  EXPECT_EQ(ids(rank(b12, PlaceLevel::kBuilding)), (Ids{"b12"}));
  // The community worker's home (xc/hl/qy) is above the grid: not within it.
  EXPECT_EQ(ids(rank(b12, PlaceLevel::kGrid)), (Ids{"b12", "b07", "g03"}));
  EXPECT_EQ(ids(rank(b12, PlaceLevel::kCommunity)), (Ids{"b12", "b07", "g03", "g05", "qy"}));
  EXPECT_EQ(ids(rank(b12, PlaceLevel::kSubdistrict)), (Ids{"b12", "b07", "g03", "g05", "qy", "dm"}));
  // The same building path in another district is not the same building.
  EXPECT_EQ(ids(rank(b12, PlaceLevel::kDistrict)), (Ids{"b12", "b07", "g03", "g05", "qy", "dm", "xc"}));
  EXPECT_EQ(distances(rank(b12, PlaceLevel::kDistrict)),
            (std::map<std::string, int>{
                {"b12", 0}, {"b07", 1}, {"g03", 1}, {"g05", 2}, {"qy", 2}, {"dm", 3}, {"xc", 4}}));
}

TEST_F(ScopeTest, AnIncidentAboveTheSearchLevelIsSearchedInItself) {
  // At a grid, searched within a building: the grid itself, everyone in it at distance 0.
  auto ranked = rank("xc/hl/qy/g03", PlaceLevel::kBuilding);
  EXPECT_EQ(ids(ranked), (Ids{"b07", "b12", "g03"}));
  EXPECT_EQ(distances(ranked), (std::map<std::string, int>{{"b07", 0}, {"b12", 0}, {"g03", 0}}));
  // A community worker is in scope once the search reaches the community: one level up
  // from a grid incident, two from a building incident.
  EXPECT_EQ(find(rank("xc/hl/qy/g03", PlaceLevel::kCommunity), "qy").distance, 1);
  EXPECT_EQ(find(rank("xc/hl/qy/g03/b12", PlaceLevel::kCommunity), "qy").distance, 2);
  // At a community searched within a grid: the whole community.
  EXPECT_EQ(ids(rank("xc/hl/qy", PlaceLevel::kGrid)), (Ids{"b07", "b12", "g03", "g05", "qy"}));
  // The whole area: everyone, all at distance 0.
  EXPECT_EQ(rank("", PlaceLevel::kGrid).size(), 8u);
}

// ---- order -------------------------------------------------------------------------------------

TEST(RankCandidates, OrderIsDistanceThenRoleHolderThenRecentThenLoadThenId) {
  auto roster = roster_of({
      member("far", "fire_warden", "xc/hl/qy/g05"),
      member("grid", "fire_warden", "xc/hl/qy/g03"),
      member("near-round", "", "xc/hl/qy/g03/b12", "    all_round: true\n"),
      member("near-busy", "fire_warden", "xc/hl/qy/g03/b12"),
      member("near-0-loaded", "fire_warden", "xc/hl/qy/g03/b12", "    capacity: 3\n"),
      member("near-b", "fire_warden", "xc/hl/qy/g03/b12", "    capacity: 3\n"),
      member("near-a", "fire_warden", "xc/hl/qy/g03/b12", "    capacity: 3\n"),
  });
  FakeLoad f;
  f.recent = {{"near-busy", 3}, {"near-0-loaded", 1}, {"near-a", 1}, {"near-b", 1}};
  f.active = {{"near-0-loaded", 2}, {"near-a", 1}, {"near-b", 1}};
  auto ranked = rank_candidates(query("fire_warden", "xc/hl/qy/g03/b12", PlaceLevel::kCommunity, kMonday10), roster,
                                f.load());
  // Role holders first, nearest first among them (then fewest recent, least loaded, id);
  // the all-round stand-in only after every role holder in the search, however near.
  EXPECT_EQ(ids(ranked), (Ids{"near-a", "near-b", "near-0-loaded", "near-busy", "grid", "far", "near-round"}));
  EXPECT_EQ(find(ranked, "near-busy").recent, 3);
  EXPECT_EQ(find(ranked, "near-0-loaded").load, 2);
  EXPECT_EQ(find(ranked, "grid").distance, 1);
  EXPECT_EQ(find(ranked, "far").distance, 2);
  // The same inputs give the same order.
  EXPECT_EQ(ids(rank_candidates(query("fire_warden", "xc/hl/qy/g03/b12", PlaceLevel::kCommunity, kMonday10), roster,
                                f.load())),
            ids(ranked));
}

// ---- describe ----------------------------------------------------------------------------------

TEST(Describe, SaysWhoWhereAndWhyInWords) {
  auto roster = roster_of({
      member("li-wei", "fire_warden", "xc/hl/qy/g03/b12", "    name: Li Wei\n    kind: building_lead\n"),
      member("li-na", "", "xc/hl/qy/g03/b12", "    name: Li Na\n    kind: volunteer\n    all_round: true\n"),
      member("zhang", "fire_warden", "xc/hl/qy/g03", "    name: Zhang Wei\n    capacity: 2\n"),
      member("wang", "fire_warden", "xc/hl/qy", "    name: Wang Fang\n    kind: community_worker\n"),
      member("chen", "fire_warden", "xc/hl/dm/g01", "    name: Chen Jie\n"),
      member("zhao", "fire_warden", "xc/ba", "    name: Zhao Lei\n    kind: outside_agency\n"),
  });
  FakeLoad f;
  f.recent = {{"li-wei", 2}};
  f.active = {{"zhang", 1}};
  auto q = query("fire_warden", "xc/hl/qy/g03/b12", PlaceLevel::kDistrict, kMonday10);
  auto ranked = rank_candidates(q, roster, f.load());
  ASSERT_EQ(ranked.size(), 6u);
  EXPECT_EQ(describe(find(ranked, "li-wei"), q),
            "Li Wei (building_lead, home xc/hl/qy/g03/b12): same building, on duty, 0 of 1 assignments, 2 recent");
  EXPECT_EQ(describe(find(ranked, "li-na"), q),
            "Li Na (volunteer, home xc/hl/qy/g03/b12): same building, all-round worker standing in for fire_warden, "
            "on duty, 0 of 1 assignments, 0 recent");
  EXPECT_EQ(describe(find(ranked, "zhang"), q),
            "Zhang Wei (grid_worker, home xc/hl/qy/g03): same grid, on duty, 1 of 2 assignments, 0 recent");
  EXPECT_EQ(describe(find(ranked, "wang"), q),
            "Wang Fang (community_worker, home xc/hl/qy): same community, on duty, 0 of 1 assignments, 0 recent");
  EXPECT_EQ(describe(find(ranked, "chen"), q),
            "Chen Jie (grid_worker, home xc/hl/dm/g01): same subdistrict, on duty, 0 of 1 assignments, 0 recent");
  EXPECT_EQ(describe(find(ranked, "zhao"), q),
            "Zhao Lei (outside_agency, home xc/ba): same district, on duty, 0 of 1 assignments, 0 recent");
}

TEST(Describe, NamesTheSharedLevelForAnyIncidentPlace) {
  auto roster = roster_of({
      member("li-wei", "fire_warden", "xc/hl/qy/g03/b12",
             "    name: Li Wei\n    kind: building_lead\n    shifts: [mon-fri 08:00-18:00]\n"),
  });
  // An incident at the grid: a home inside it is in the same grid.
  auto q = query("fire_warden", "xc/hl/qy/g03", PlaceLevel::kGrid, kMonday10);
  auto ranked = rank_candidates(q, roster, {});
  ASSERT_EQ(ranked.size(), 1u);
  EXPECT_EQ(describe(ranked[0], q),
            "Li Wei (building_lead, home xc/hl/qy/g03/b12): same grid, on duty, 0 of 1 assignments, 0 recent");
  // The whole area.
  q.place = PlacePath();
  EXPECT_EQ(describe(rank_candidates(q, roster, {}).at(0), q),
            "Li Wei (building_lead, home xc/hl/qy/g03/b12): same place, on duty, 0 of 1 assignments, 0 recent");
  // Built by hand: nothing in common, and described after the shift ended.
  Candidate far{roster.find("li-wei"), 5, true, 0, 0};
  auto elsewhere = query("fire_warden", "yz/ab/cd/g01/b01", PlaceLevel::kDistrict, kMonday22);
  EXPECT_EQ(describe(far, elsewhere),
            "Li Wei (building_lead, home xc/hl/qy/g03/b12): elsewhere, off duty, 0 of 1 assignments, 0 recent");
}

// ---- coordinators and role members -------------------------------------------------------------

class CoordinatorsTest : public ::testing::Test {
 protected:
  StaffRegistry roster_ = roster_of({
      member("c-night", "coordinator", "xc/hl/qy", "    shifts: [daily 20:00-08:00]\n"),
      member("c-day", "coordinator", "xc/hl/qy", "    shifts: [mon-fri 08:00-18:00]\n"),
      member("c-day2", "grid_worker, coordinator", "xc/hl/qy", "    shifts: [mon-fri 09:00-17:00]\n"),
      member("c-grid", "coordinator", "xc/hl/qy/g03", "    shifts: [mon-fri 08:00-18:00]\n"),
      member("c-sub", "coordinator", "xc/hl", "    shifts: [daily 20:00-08:00]\n"),
      member("duty", "duty_officer", "xc/hl/qy"),
      member("round", "", "xc/hl/qy", "    all_round: true\n"),
  });
  const PlacePath b12_ = P("xc/hl/qy/g03/b12");
};

TEST_F(CoordinatorsTest, OnDutyCoordinatorsOfTheLevel) {
  EXPECT_EQ(ids(coordinators_of(roster_, b12_, PlaceLevel::kCommunity, kMonday10)), (Ids{"c-day", "c-day2"}));
  EXPECT_EQ(ids(coordinators_of(roster_, b12_, PlaceLevel::kCommunity, kMonday22)), (Ids{"c-night"}));
  EXPECT_EQ(ids(coordinators_of(roster_, b12_, PlaceLevel::kGrid, kMonday10)), (Ids{"c-grid"}));
  // An incident at the community itself has community coordinators too.
  EXPECT_EQ(ids(coordinators_of(roster_, P("xc/hl/qy"), PlaceLevel::kCommunity, kMonday22)), (Ids{"c-night"}));
}

TEST_F(CoordinatorsTest, AllOfThemWhenNoneIsOnDuty) {
  // Saturday noon: neither the weekday nor the night coordinators are on duty.
  EXPECT_EQ(ids(coordinators_of(roster_, b12_, PlaceLevel::kCommunity, kSaturday12)),
            (Ids{"c-day", "c-day2", "c-night"}));
  EXPECT_EQ(ids(coordinators_of(roster_, b12_, PlaceLevel::kGrid, kMonday22)), (Ids{"c-grid"}));
  EXPECT_EQ(ids(coordinators_of(roster_, b12_, PlaceLevel::kSubdistrict, kMonday10)), (Ids{"c-sub"}));
}

TEST_F(CoordinatorsTest, NoneAtALevelWithoutCoordinators) {
  EXPECT_TRUE(coordinators_of(roster_, b12_, PlaceLevel::kDistrict, kMonday10).empty());
  EXPECT_TRUE(coordinators_of(roster_, b12_, PlaceLevel::kBuilding, kMonday10).empty());
  // Another grid of the same community has no grid coordinator.
  EXPECT_TRUE(coordinators_of(roster_, P("xc/hl/qy/g05"), PlaceLevel::kGrid, kMonday10).empty());
  // A place above the level has no coordinator of that level.
  EXPECT_TRUE(coordinators_of(roster_, P("xc/hl"), PlaceLevel::kCommunity, kMonday10).empty());
  EXPECT_TRUE(coordinators_of(StaffRegistry{}, b12_, PlaceLevel::kCommunity, kMonday10).empty());
}

TEST(RoleMembers, RoleHoldersOnDutyInThePlacesCommunity) {
  auto roster = roster_of({
      member("fw-qy", "fire_warden", "xc/hl/qy"),
      member("fw-g05", "fire_warden", "xc/hl/qy/g05/b01"),
      member("fw-b12", "grid_worker, fire_warden", "xc/hl/qy/g03/b12"),
      member("fw-day", "fire_warden", "xc/hl/qy/g03", "    shifts: [mon-fri 08:00-18:00]\n"),
      member("fw-dm", "fire_warden", "xc/hl/dm/g01"),
      member("fw-hl", "fire_warden", "xc/hl"),
      member("round", "", "xc/hl/qy/g03", "    all_round: true\n"),
      member("gw", "grid_worker", "xc/hl/qy/g03"),
  });
  const PlacePath b12 = P("xc/hl/qy/g03/b12");
  EXPECT_EQ(ids(role_members(roster, "fire_warden", b12, kMonday10)), (Ids{"fw-b12", "fw-day", "fw-g05", "fw-qy"}));
  EXPECT_EQ(ids(role_members(roster, "fire_warden", b12, kMonday22)), (Ids{"fw-b12", "fw-g05", "fw-qy"}));
  // A place above the community: the place itself.
  EXPECT_EQ(ids(role_members(roster, "fire_warden", P("xc/hl"), kMonday22)),
            (Ids{"fw-b12", "fw-dm", "fw-g05", "fw-hl", "fw-qy"}));
  EXPECT_EQ(ids(role_members(roster, "grid_worker", b12, kMonday10)), (Ids{"fw-b12", "gw"}));
  EXPECT_TRUE(role_members(roster, "coordinator", b12, kMonday10).empty());
}

}  // namespace
}  // namespace lookout::engine
