// Times as people and CAP read them.
#pragma once

#include <string>
#include <string_view>

#include "lookout/base/clock.h"
#include "lookout/base/status.h"

namespace date { class time_zone; }

namespace lookout {

// The IANA time zone named `name` ("Asia/Shanghai", "UTC"), from the system's tzdata.
StatusOr<const date::time_zone*> find_time_zone(std::string_view name);

// "2026-11-21T21:04:05+08:00": whole seconds with the zone's offset at that instant,
// as CAP 1.2 requires (UTC is written "-00:00", never "Z").
std::string format_cap_time(Time t, const date::time_zone* zone);

// RFC 3339 / ISO 8601 with an offset or "Z", fractions allowed:
// "2026-11-21T21:04:05+08:00", "2026-11-21T13:04:05.250Z".
StatusOr<Time> parse_iso8601(std::string_view text);

// Seconds since the epoch, with fractions, as SenML writes time.
double to_epoch_seconds(Time t);
Time from_epoch_seconds(double seconds);

}  // namespace lookout
