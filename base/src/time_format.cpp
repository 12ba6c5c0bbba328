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

namespace {

// date.h 3.0.1 has undefined behaviour on two malformed times (found by fuzz/): %T
// converts the seconds even when reading the time of day failed (an uninitialised long
// double), and %Ez negates the offset when reading its hours after a '-' failed
// (minutes::min()). So the text after the first 'T' (the one %F stops at) is checked
// first: every '-' is followed by a digit, and the time of day starts as %T reads it:
// 1-2 digits, ':', 1-2 digits, ':', a digit or '.'. Where this fails, the parse would
// fail too.
bool parse_is_safe(std::string_view s) {
  const auto t = s.find('T');
  if (t == std::string_view::npos) return true;  // the parse fails before %T
  s.remove_prefix(t + 1);
  for (auto minus = s.find('-'); minus != std::string_view::npos; minus = s.find('-', minus + 1)) {
    if (minus + 1 == s.size() || s[minus + 1] < '0' || s[minus + 1] > '9') return false;
  }
  auto digits = [&s] {
    std::size_t n = 0;
    while (n < 2 && n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
    s.remove_prefix(n);
    return n > 0;
  };
  auto colon = [&s] {
    if (s.empty() || s.front() != ':') return false;
    s.remove_prefix(1);
    return true;
  };
  return digits() && colon() && digits() && colon() && !s.empty() &&
         ((s.front() >= '0' && s.front() <= '9') || s.front() == '.');
}

}  // namespace

StatusOr<Time> parse_iso8601(std::string_view text) {
  std::string s(text);
  if (!parse_is_safe(s)) {
    return Status::invalid_argument("\"" + s + "\" is not a time; expected ISO 8601 with an offset, e.g. 2026-11-21T21:04:05+08:00");
  }
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
  // Time counts nanoseconds in 64 bits (years 1678 to 2261): converting a time outside
  // that would overflow (undefined behaviour; found by fuzz/).
  constexpr auto kLatest = std::chrono::duration_cast<std::chrono::microseconds>(Duration::max());
  constexpr auto kEarliest = std::chrono::duration_cast<std::chrono::microseconds>(Duration::min());
  if (tp.time_since_epoch() > kLatest || tp.time_since_epoch() < kEarliest) {
    return Status::invalid_argument("\"" + s + "\" is out of range; expected a time between the years 1678 and 2261");
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
