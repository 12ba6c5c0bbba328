// Silences: a coordinator's decision that alerts about some place, sensor, plan or
// hazard are not to be sent for a while, e.g. every Tuesday 09:00-11:00 Asia/Shanghai
// while a building's smoke detectors are serviced, or until tonight while a flooded
// basement is being pumped out.
//
// A silenced condition is still evaluated and recorded by the engine (incidents open,
// timelines show it); only the sending is held back. This module is the model only:
// the request parser, the storage form, the API rendering and the two questions the
// engine asks — is this silence in effect at t, and does it match this alert.
//
// Safety rules, enforced when a request is parsed:
//   - a silence names at least one matcher; one that matched everything by omission
//     would hide every alert;
//   - a silence ends (`ends`) or recurs (`every`); one that is on forever would hide
//     real emergencies long after the reason for it is gone.
//
// Times are kept to the millisecond (the storage form writes epoch milliseconds), so a
// stored silence reads back exactly as it was created.
//
// Thread-safety: values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lookout/base/clock.h"
#include "lookout/base/place.h"
#include "lookout/base/status.h"
#include "lookout/sensors/staff.h"

namespace date { class time_zone; }

namespace lookout::engine {

struct Silence {
  std::string id;  // s-000001, assigned by the engine (empty in a request)
  // What it matches; at least one is set, and every one set must match.
  std::string place;   // a pattern as PlacePattern::parse takes it ("xc/hl/qy/g03/b12", "xc/hl/qy/**"); empty: any
  std::string sensor;  // a sensor id; empty: any
  std::string plan;    // a plan id; empty: any
  std::string hazard;  // a hazard name as plans list them (fire, flood...); empty: any
  // When: an absolute window [starts, ends) — starts defaults to the creation time — and/or
  // weekly recurring shifts in time_zone ("tue 09:00-11:00"). A silence needs `ends` or `every`
  // (a silence that never ends is refused: it would hide real emergencies forever).
  Time starts{};
  std::optional<Time> ends;
  std::vector<sensors::Shift> every;
  std::string time_zone = "UTC";  // IANA, for `every`
  std::string created_by;         // required, who made it
  std::string comment;            // why (free text, optional, <= 1000 bytes)
  Time created_at{};
  bool operator==(const Silence&) const = default;
};

inline constexpr std::size_t kMaxSilenceCommentBytes = 1000;
inline constexpr std::size_t kMaxSilenceAuthorBytes = 128;

// What an alert is about, to match silences against.
struct SilenceTarget {
  std::string plan;
  std::vector<std::string> hazards;
  PlacePath place;
  std::string sensor;  // the sensor that triggered it; may be empty (a report)
};

// Parses a create request (JSON object from the admin API): keys place, sensor, plan, hazard,
// starts, ends (ISO 8601 with offset, via parse_iso8601), every ("tue 09:00-11:00; ..." as
// parse_shifts takes it), time_zone (IANA, default `default_zone_name`), by (required), comment.
// Strict: unknown or repeated keys, wrong types, empty matchers, bad pattern/ids (sensor ids
// [A-Za-z0-9_.-]{1,64}; plan ids [a-z0-9][a-z0-9_-]{0,63}; hazard [a-z][a-z0-9_]{0,63}), no matcher,
// neither ends nor every, ends not after starts, ends already past at `now`, unknown time zone:
// kInvalidArgument with a message naming the key and what was expected. starts defaults to now;
// created_at = now. The id is left empty for the engine to assign.
StatusOr<Silence> parse_silence_request(std::string_view json_text, Time now, std::string_view default_zone_name);

// Storage form; round-trips exactly (times as epoch milliseconds).
std::string to_json(const Silence& silence);
// kCorruption on a bad record: not JSON, a field missing or of the wrong type, or a silence
// the request parser would not have produced (no matcher, no end, a bad pattern...).
StatusOr<Silence> silence_from_json(std::string_view text);

// For the API and lookoutctl: id, the matchers (null when unset), starts/ends formatted with
// format_cap_time in `zone` (UTC when null), every as format_shifts text (null when not recurring),
// time_zone, created_by, comment, created, and "state":
//   "pending"  before starts;
//   "active"   in effect at now: inside the window and, if recurring, inside a shift now;
//   "waiting"  recurring, inside the window but outside its shifts now;
//   "expired"  ends passed.
std::string to_api_json(const Silence& silence, Time now, const date::time_zone* zone);

// Whether the silence holds alerts back at `t`: starts <= t < ends (no `ends`: no upper bound)
// and, when it recurs, t falls in one of its shifts in its time zone (as sensors::on_duty
// reads staff shifts). False for a recurring silence whose time zone is unknown.
bool silence_in_effect(const Silence& silence, Time t);

// Whether the silence is about `target`: every matcher set matches (place pattern over the
// target's place, sensor and plan equal, hazard among the target's hazards). A silence with
// no matcher matches nothing: it can only come from a bug, and must not hide every alert.
bool silence_matches(const Silence& silence, const SilenceTarget& target);

// "s-000003 (place xc/hl/qy/g03/b12, every tue 09:00-11:00 Asia/Shanghai, by wang: detector service)"
// for timelines.
// Times in `zone` (the engine's, so a timeline reads in one zone); nullptr: UTC.
std::string describe(const Silence& silence, const date::time_zone* zone = nullptr);

}  // namespace lookout::engine
