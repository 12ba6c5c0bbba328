#include "text_util.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace lookout::sensors::internal {

namespace {
bool is_alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
}  // namespace

std::size_t find_bad_senml_name_char(std::string_view name) {
  if (name.empty() || !is_alnum(name[0])) return 0;
  for (std::size_t i = 1; i < name.size(); ++i) {
    char c = name[i];
    if (!is_alnum(c) && c != '-' && c != ':' && c != '.' && c != '/' && c != '_') return i;
  }
  return kNoPosition;
}

std::string describe_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7F) return std::string("'") + c + "'";
  if (u == ' ') return "a space";
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(u));
  return std::string("byte ") + buf;
}

std::string quote(std::string_view text, std::size_t max_chars) {
  if (text.size() <= max_chars) return "\"" + std::string(text) + "\"";
  // Cut on a UTF-8 character boundary.
  std::size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return "\"" + std::string(text.substr(0, cut)) + "...\"";
}

std::optional<double> parse_finite_double(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::general);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string format_number(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", value);
  return buf;
}

}  // namespace lookout::sensors::internal
