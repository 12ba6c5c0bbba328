#include "lookout/base/time_format.h"

// date.h's parser trips GCC 12's -Wmaybe-uninitialized inside the library itself.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <date/date.h>
#include <date/tz.h>
#pragma GCC diagnostic pop

#include <cmath>
#include <sstream>

namespace lookout {

StatusOr<const date::time_zone*> find_time_zone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception& e) {
    return Status::invalid_argument("unknown time zone \"" + std::string(name) +
                                    "\"; expected an IANA name such as Asia/Shanghai or UTC");
  }
}

std::string format_cap_time(Time t, const date::time_zone* zone) {
  auto secs = std::chrono::floor<std::chrono::seconds>(t);
  auto info = zone->get_info(secs);
  auto local = date::local_seconds{secs.time_since_epoch() + info.offset};
  std::string out = date::format("%Y-%m-%dT%H:%M:%S", local);
  auto off = std::chrono::duration_cast<std::chrono::minutes>(info.offset).count();
  char buf[8];
  if (off == 0) return out + "-00:00";
  char sign = off < 0 ? '-' : '+';
  off = std::abs(off);
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, static_cast<int>(off / 60), static_cast<int>(off % 60));
  return out + buf;
}

StatusOr<Time> parse_iso8601(std::string_view text) {
  std::string s(text);
  std::istringstream in(s);
  date::sys_time<std::chrono::microseconds> tp;
  std::string fmt;
  if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) {
    in >> date::parse("%FT%T", tp);
    if (!in.fail()) {
      char z = 0;
      in >> z;
    }
  } else {
    in >> date::parse("%FT%T%Ez", tp);
  }
  if (in.fail() || (in.peek() != std::char_traits<char>::eof())) {
    return Status::invalid_argument("\"" + s + "\" is not a time; expected ISO 8601 with an offset, e.g. 2026-11-21T21:04:05+08:00");
  }
  return Time(std::chrono::duration_cast<Duration>(tp.time_since_epoch()));
}

double to_epoch_seconds(Time t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

Time from_epoch_seconds(double seconds) {
  // Whole seconds and the fraction apart: a double holding ~1.8e9 s cannot carry
  // nanoseconds, so converting it in one go loses up to ~100 ns.
  double whole = std::floor(seconds);
  auto fraction = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds - whole));
  return Time(std::chrono::seconds(static_cast<std::int64_t>(whole))) + fraction;
}

}  // namespace lookout
