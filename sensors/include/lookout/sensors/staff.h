// The staff roster: who can be assigned to an incident, what they can do, where they
// are based and when they are on duty. The assignment logic reads it; coordinators
// maintain it as a CSV or YAML file (docs/registries.md, "Staff roster").
//
// Files follow the registry rules (registry.h): format by extension, UTF-8, every
// problem reported with file, line, column and what was expected, and a file with any
// problem imports nothing.
//
// On duty: a member is on duty at an instant when the local time in the member's
// time zone (IANA, via date::tz; daylight saving time included) falls in one of the
// member's weekly shifts, or always when the member is on call at any time. A member
// needs at least one shift or `on_call: always`: an empty roster entry never means
// "always available".
//
// Thread-safety: plain values, used on the core's strand.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lookout/base/clock.h"
#include "lookout/base/place.h"
#include "lookout/base/status.h"
#include "lookout/sensors/registry.h"

namespace lookout::sensors {

enum class StaffKind {
  kCommunityWorker,     // community_worker: community office staff
  kGridWorker,          // grid_worker: the grid's own worker (网格员)
  kBuildingLead,        // building_lead: a resident who leads one building (楼长)
  kVolunteer,           // volunteer
  kPropertyManagement,  // property_management: the property company's staff
  kOutsideAgency,       // outside_agency: fire brigade, police, utility, hospital liaison
};
std::string_view staff_kind_name(StaffKind kind);  // "grid_worker"
std::optional<StaffKind> parse_staff_kind(std::string_view name);
// "community_worker, grid_worker, ..." (for messages).
std::string staff_kind_names();

// One weekly shift, in the member's local time. It starts on each of `days` at
// `start` and ends at `end` the same day, or, when `end` is not after `start`, the
// next day: a shift 22:00-06:00 on fri covers Friday 22:00 to Saturday 06:00.
// On duty from `start` up to but not including `end`.
struct Shift {
  static constexpr int kMinutesPerDay = 24 * 60;
  std::uint8_t days = 0;  // the days it starts on: bit 0 Monday, ..., bit 6 Sunday
  int start = 0;          // minutes after local midnight, 0..1439
  int end = 0;            // minutes after local midnight, 0..1440 (24:00); never equal to start
  bool wraps() const { return end <= start; }
  bool operator==(const Shift&) const = default;
};

// "mon", ..., "sun" for day 0 (Monday) to 6 (Sunday).
std::string_view day_name(int day);
// "mon-fri 08:00-18:00": the days as runs (mon-fri, sat-sun, mon,wed) or "daily".
std::string format_shift(const Shift& shift);
// Shifts joined with "; ", as the CSV `shifts` cell writes them.
std::string format_shifts(const std::vector<Shift>& shifts);

// A shift's storage form, shared by every stored record that holds shifts (staff
// members, silences): {"days":["mon",...],"start":"08:00","end":"18:00"}, compact,
// keys in that order, days in week order, times exactly HH:MM (end up to 24:00).
std::string shift_to_json(const Shift& shift);
// Reads the storage form back; round-trips exactly with shift_to_json. Anything else
// (not an object, days missing, empty, not mon..sun or repeated, a time not HH:MM,
// start equal to end) is kCorruption with a message naming the problem, e.g.
// `a shift's day must be one of mon..sun, found "monday"`. Callers add which record.
// Keys other than days, start and end are ignored.
StatusOr<Shift> shift_from_json(std::string_view json);

struct StaffMember {
  std::string id;                   // [A-Za-z0-9_.-]{1,64}, as in staff/<id>/... topics
  std::string name;                 // as coordinators know the person; not empty
  std::vector<std::string> roles;   // role names [a-z][a-z0-9_]{0,63}, e.g. fire_warden
  std::vector<std::string> skills;  // same syntax, e.g. first_aid, electrician
  StaffKind kind = StaffKind::kCommunityWorker;
  PlacePath home;                 // the place the member is based at
  std::string time_zone = "UTC";  // IANA name the shifts are written in
  bool on_call_always = false;    // `on_call: always`: on duty at any time; no shifts
  std::vector<Shift> shifts;      // at least one unless on_call_always
  int capacity = 1;               // assignments at once, 1..99
  bool all_round = false;         // can take any general role
  std::string phone;              // optional, free text
  std::string contact;            // optional, free text (another way to reach them)
  std::map<std::string, std::string> attributes;
  bool operator==(const StaffMember&) const = default;
};

inline constexpr int kMaxStaffCapacity = 99;

// [a-z][a-z0-9_]{0,63}: role and skill names.
bool is_valid_role_name(std::string_view name);

// Parses a staff file. A member without a time zone gets the file's (YAML: a
// top-level `time_zone:` key), else `default_time_zone` (the engine passes its own
// time zone), which must be a known IANA name. Duplicate ids within one file are
// errors.
ImportResult<StaffMember> parse_staff(std::string_view text, std::string_view file_name,
                                      std::string_view default_time_zone = "UTC");

// Parses shifts written as in a CSV cell: "mon-fri 08:00-18:00; sat 09:00-12:00".
// For tests and tools; the message says what is wrong (no file position).
StatusOr<std::vector<Shift>> parse_shifts(std::string_view text);

// Storage form (JSON), round-trips exactly.
std::string to_json(const StaffMember& member);
StatusOr<StaffMember> staff_from_json(std::string_view json);

// Whether `member` is on duty at `t`: always when on_call_always, else when the local
// time in the member's time zone is within one of the shifts. False when the time
// zone is unknown (an imported or stored member always has a known one).
bool on_duty(const StaffMember& member, Time t);

class StaffRegistry {
 public:
  void upsert(StaffMember member);
  void erase(std::string_view id);
  const StaffMember* find(std::string_view id) const;
  std::size_t size() const { return members_.size(); }
  std::vector<const StaffMember*> all() const;  // sorted by id
  bool on_duty(const StaffMember& member, Time t) const { return sensors::on_duty(member, t); }

 private:
  std::map<std::string, StaffMember, std::less<>> members_;
};

}  // namespace lookout::sensors
