// A cursor over JSON text for records the engine wrote itself: it reads what it reads
// exactly as nlohmann::json would, and returns false at anything else, never an error of
// its own. The caller then hands the text to the full (nlohmann) reader, which decides,
// with its errors. Used where a document per record was most of the cost: reading the
// store at start-up (engine/src/incident_record.cpp, sensors' sensor_from_json).
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace lookout {

class PlainJson {
 public:
  explicit PlainJson(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  // Skips JSON whitespace, then takes `c` if it is next.
  bool eat(char c) {
    skip_ws();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool at_end() {
    skip_ws();
    return p_ == end_;
  }

  // A member name without escapes (the names the engine writes), then the ':'.
  bool key(std::string_view& out) {
    if (!eat('"')) return false;
    const char* start = p_;
    while (p_ != end_ && *p_ != '"') {
      const auto c = static_cast<unsigned char>(*p_);
      if (c < 0x20 || c == '\\' || c >= 0x80) return false;
      ++p_;
    }
    if (p_ == end_) return false;
    out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    return eat(':');
  }

  // A string of well-formed UTF-8 (as nlohmann checks it) with no control characters;
  // escapes but \u are decoded, a \u escape is not taken.
  bool string(std::string& out) {
    if (!eat('"')) return false;
    out.clear();
    const char* run = p_;  // the start of the bytes not yet copied to `out`
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out.append(run, p_);
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c < 0x80 && c != '\\') {
        ++p_;
        continue;
      }
      if (c >= 0x80) {
        const std::size_t n = utf8_sequence(p_);
        if (n == 0) return false;
        p_ += n;
        continue;
      }
      // An escape.
      out.append(run, p_);
      if (++p_ == end_) return false;
      switch (*p_) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        default: return false;  // \u, or not an escape at all
      }
      run = ++p_;
    }
    return false;
  }

  // An integer of at most 18 digits, no fraction or exponent: what nlohmann keeps as an
  // integer and converts to any integer type unchanged.
  bool integer(std::int64_t& out) {
    skip_ws();
    const char* start = p_;
    const bool negative = p_ != end_ && *p_ == '-';
    if (negative) ++p_;
    const char* digits = p_;
    if (p_ == end_ || !is_digit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (p_ - digits > 18) return false;
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E' || is_digit(*p_))) return false;
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(start, p_, v);
    if (ec != std::errc() || end != p_) return false;
    out = v;
    return true;
  }

  // Any JSON number as nlohmann converts it to a double: an integer (at most 18 digits)
  // exactly converted, else the correctly rounded value of the text (as strtod gives it).
  bool number(double& out) {
    skip_ws();
    const char* start = p_;
    if (std::int64_t i = 0; integer(i)) {
      out = static_cast<double>(i);
      return true;
    }
    p_ = start;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_ || !is_digit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    bool is_float = false;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !is_digit(*p_)) return false;
      while (p_ != end_ && is_digit(*p_)) ++p_;
      is_float = true;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !is_digit(*p_)) return false;
      while (p_ != end_ && is_digit(*p_)) ++p_;
      is_float = true;
    }
    if (!is_float) return false;  // an integer of more than 18 digits
    double d = 0;
    auto [end, ec] = std::from_chars(start, p_, d);
    if (ec != std::errc() || end != p_ || !std::isfinite(d)) return false;
    out = d;
    return true;
  }

  bool boolean(bool& out) {
    skip_ws();
    auto literal = [&](std::string_view word) {
      if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
      p_ += word.size();
      return true;
    };
    if (literal("true")) {
      out = true;
      return true;
    }
    if (literal("false")) {
      out = false;
      return true;
    }
    return false;
  }

  // Calls `element` for each element of an array; false if it is not one or an element
  // is not taken.
  template <typename Fn>
  bool array(Fn&& element) {
    if (!eat('[')) return false;
    if (eat(']')) return true;
    do {
      if (!element()) return false;
    } while (eat(','));
    return eat(']');
  }

  // Calls `member(name)` for each member of an object, after its name and ':'.
  template <typename Fn>
  bool object(Fn&& member) {
    if (!eat('{')) return false;
    if (eat('}')) return true;
    do {
      std::string_view name;
      if (!key(name) || !member(name)) return false;
    } while (eat(','));
    return eat('}');
  }

 private:
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  void skip_ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  // The length of the well-formed UTF-8 sequence at `p` (a byte >= 0x80), or 0
  // (RFC 3629, the ranges nlohmann's lexer accepts).
  std::size_t utf8_sequence(const char* p) const {
    const auto avail = static_cast<std::size_t>(end_ - p);
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(p[i]); };
    auto in = [&](std::size_t i, unsigned lo, unsigned hi) { return i < avail && byte(i) >= lo && byte(i) <= hi; };
    const unsigned c = byte(0);
    if (c >= 0xC2 && c <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
    if (c == 0xE0) return in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xED) return in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xF0) return in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    if (c == 0xF4) return in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    return 0;
  }

  const char* p_;
  const char* end_;
};

}  // namespace lookout
