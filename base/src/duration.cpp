// Durations: "30s", "10m", "2h", "1d", "1h30m" (see duration.h).
//
// The parser reads parts (digits, then a run of letters for the unit) left to right and
// stops at the first mistake, reporting where it is and what was expected there. The
// digits are read with a cap so that no number, however long, overflows.
#include "lookout/base/duration.h"

#include <array>
#include <cstdint>
#include <optional>
#include <utility>

namespace lookout {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

struct Unit {
  char letter;
  std::int64_t seconds;
};
// Largest first: the order parts must be written in.
constexpr std::array<Unit, 4> kUnits = {{{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}}};
constexpr std::string_view kUnitList = "a unit (d, h, m or s)";

// The index in kUnits of the unit written `word`, if it is one.
std::optional<std::size_t> unit_index(std::string_view word) {
  if (word.size() != 1) return std::nullopt;
  for (std::size_t k = 0; k < kUnits.size(); ++k) {
    if (kUnits[k].letter == word[0]) return k;
  }
  return std::nullopt;
}

// The unit letter a coordinator most likely meant by `word` ("min", "Hours", "S"); 'w'
// for weeks, which are written in days.
std::optional<char> meant_unit(std::string_view word) {
  std::string w;
  for (char c : word) w += lower(c);
  struct Alias {
    std::string_view word;
    char unit;
  };
  static constexpr Alias kAliases[] = {
      {"s", 's'},     {"sec", 's'},  {"secs", 's'},  {"second", 's'}, {"seconds", 's'}, {"m", 'm'},
      {"min", 'm'},   {"mins", 'm'}, {"minute", 'm'}, {"minutes", 'm'}, {"h", 'h'},      {"hr", 'h'},
      {"hrs", 'h'},   {"hour", 'h'}, {"hours", 'h'}, {"d", 'd'},       {"day", 'd'},     {"days", 'd'},
      {"w", 'w'},     {"wk", 'w'},   {"wks", 'w'},   {"week", 'w'},    {"weeks", 'w'},
  };
  for (const auto& a : kAliases) {
    if (a.word == w) return a.unit;
  }
  return std::nullopt;
}

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// What is at byte `i` of `text`, as "found ..." names it: end of duration, a space, a
// run of letters or of digits, or one (UTF-8) character.
std::string found_at(std::string_view text, std::size_t i) {
  if (i >= text.size()) return "end of duration";
  if (is_space(text[i])) return "a space";
  std::size_t end = i + 1;
  if (is_letter(text[i])) {
    while (end < text.size() && is_letter(text[end])) ++end;
  } else if (is_digit(text[i])) {
    while (end < text.size() && is_digit(text[end])) ++end;
  } else {
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
  }
  return quote(text.substr(i, end - i));
}

// "; write it without spaces: \"1h30m\"" when the text holds white space and is a
// duration without it, else nothing.
std::string space_hint(std::string_view text) {
  std::string joined;
  for (char c : text) {
    if (!is_space(c)) joined += c;
  }
  if (joined.size() == text.size() || !std::holds_alternative<std::chrono::seconds>(parse_duration(joined))) return {};
  return "; write it without spaces: " + quote(joined);
}

DurationError fail(std::size_t offset, std::string message) { return DurationError{offset, std::move(message)}; }

}  // namespace

std::variant<std::chrono::seconds, DurationError> parse_duration(std::string_view text) {
  constexpr std::string_view kExamples = "a duration such as 30s, 10m or 1h30m";
  if (text.empty()) return fail(0, "expected " + std::string(kExamples) + ", found nothing");

  const std::int64_t max = kMaxDuration.count();
  std::int64_t total = 0;
  bool too_long = false;
  std::optional<std::size_t> previous;  // index in kUnits of the last part's unit
  std::size_t i = 0;
  while (i < text.size()) {
    // The number.
    const std::size_t number_start = i;
    if (!is_digit(text[i])) {
      std::string message = previous ? "expected a number or end of duration, found " + found_at(text, i)
                                     : "expected " + std::string(kExamples) + ", found " + found_at(text, i);
      if (text[i] == '-' && !previous) {
        message += "; a duration cannot be negative";
      } else {
        message += space_hint(text);
      }
      return fail(i, std::move(message));
    }
    std::int64_t number = 0;
    for (; i < text.size() && is_digit(text[i]); ++i) {
      if (number <= max) number = number * 10 + (text[i] - '0');  // past max it is too long anyway
    }
    const std::string_view digits = text.substr(number_start, i - number_start);

    // The unit.
    const std::size_t unit_start = i;
    while (i < text.size() && is_letter(text[i])) ++i;
    const std::string_view word = text.substr(unit_start, i - unit_start);
    if (word.empty()) {
      std::string message = "expected " + std::string(kUnitList) + " after " + quote(digits) + ", found " +
                            found_at(text, unit_start);
      // "10 min": the unit after the spaces, if it is one.
      std::size_t next = unit_start;
      while (next < text.size() && is_space(text[next])) ++next;
      std::size_t next_end = next;
      while (next_end < text.size() && is_letter(text[next_end])) ++next_end;
      const auto meant = meant_unit(text.substr(next, next_end - next));
      if (unit_start < text.size() && (text[unit_start] == '.' || text[unit_start] == ',')) {
        message += "; use whole numbers of a smaller unit, e.g. \"90m\" rather than \"1.5h\"";
      } else if (next > unit_start && meant && *meant != 'w') {
        message += "; write " + quote(std::string(digits) + *meant);
      } else {
        message += space_hint(text);
      }
      return fail(unit_start, std::move(message));
    }
    const auto unit = unit_index(word);
    if (!unit) {
      std::string message = "expected " + std::string(kUnitList) + ", found " + quote(word);
      if (auto meant = meant_unit(word); meant == 'w') {
        message += "; write weeks as days, e.g. \"14d\"";
      } else if (meant) {
        message += "; write " + quote(std::string(digits) + *meant);
      } else if (word == "ms") {
        message += "; durations are whole seconds";
      }
      return fail(unit_start, std::move(message));
    }
    if (previous && *previous == *unit) {
      return fail(unit_start, "expected each unit once, found " + quote(word) + " again");
    }
    if (previous && *previous > *unit) {
      return fail(unit_start, "expected units from the largest to the smallest (d, h, m, s), found " + quote(word) +
                                  " after " + quote(std::string(1, kUnits[*previous].letter)));
    }
    previous = unit;

    const std::int64_t unit_seconds = kUnits[*unit].seconds;
    if (number > (max - total) / unit_seconds) {
      too_long = true;
    } else {
      total += number * unit_seconds;
    }
  }
  if (too_long || total > max) {
    return fail(0, "expected a duration of at most " + format_duration(kMaxDuration) + ", found " + quote(text));
  }
  if (total == 0) return fail(0, "expected a duration longer than zero, found " + quote(text));
  return std::chrono::seconds(total);
}

std::string format_duration(std::chrono::seconds duration) {
  const std::int64_t count = duration.count();
  if (count == 0) return "0s";
  std::string out = count < 0 ? "-" : "";
  // In unsigned arithmetic, so that the most negative count has a magnitude too.
  std::uint64_t magnitude = count < 0 ? 0 - static_cast<std::uint64_t>(count) : static_cast<std::uint64_t>(count);
  for (const Unit& u : kUnits) {
    const auto unit_seconds = static_cast<std::uint64_t>(u.seconds);
    if (magnitude >= unit_seconds) {
      out += std::to_string(magnitude / unit_seconds);
      out += u.letter;
      magnitude %= unit_seconds;
    }
  }
  return out;
}

}  // namespace lookout
