// The condition language: a lexer that turns the text into tokens, a recursive-descent
// parser with one function per production, and a tree-walking evaluator.
//
// Grammar (this version):
//
//   condition  := or END
//   or         := and ("or" and)*
//   and        := unary ("and" unary)*
//   unary      := "not" unary | primary ["for" DURATION]
//   primary    := "(" or ")" | calendar | absence | comparison
//   absence    := "absent" "(" QUANTITY "," DURATION ")"   (only before "(")
//   calendar   := "during" TIME "-" TIME | "on" DAYS   (TIME-TIME is one word: 22:00-06:00)
//   TIME       := HH:MM, 00:00 to 23:59
//   DAYS       := "weekdays" | "weekends" | DAY ("," DAY)*    DAY := mon | tue | ... | sun
//   comparison := operand OP NUMBER [UNIT] ["clear" OP NUMBER [UNIT]]
//   operand    := QUANTITY | FUNCTION "(" QUANTITY "," DURATION ")"
//   FUNCTION   := avg | min | max | sum | count | rate     (only before "(")
//   DURATION   := a word such as 30s, 10m, 2h, 1d, 1h30m   (parse_duration)
//
// "for" and "clear" are keywords only where they are expected (after a comparison or
// a group), and "during" and "on" only where a comparison may start and no comparison
// operator follows, and "absent" only before "(", so quantities with those names still parse. Later constructs ("at least k
// of ...") become new productions.
#include "lookout/rules/condition.h"

#include "lookout/base/duration.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <system_error>

#include "lookout/rules/units.h"
#include "unit_table.h"

namespace lookout::rules {

std::string_view to_string(CompareOp op) {
  switch (op) {
    case CompareOp::kLess: return "<";
    case CompareOp::kLessEqual: return "<=";
    case CompareOp::kGreater: return ">";
    case CompareOp::kGreaterEqual: return ">=";
    case CompareOp::kEqual: return "==";
    case CompareOp::kNotEqual: return "!=";
  }
  return "?";
}

std::string_view to_string(Aggregate a) {
  switch (a) {
    case Aggregate::kLatest: return "";
    case Aggregate::kAvg: return "avg";
    case Aggregate::kMin: return "min";
    case Aggregate::kMax: return "max";
    case Aggregate::kSum: return "sum";
    case Aggregate::kCount: return "count";
    case Aggregate::kRate: return "rate";
  }
  return "";
}

std::optional<Duration> parse_duration(std::string_view text) {
  auto parsed = lookout::parse_duration(text);
  if (const auto* seconds = std::get_if<std::chrono::seconds>(&parsed)) return Duration(*seconds);
  return std::nullopt;
}

std::string format_duration(Duration d) {
  return lookout::format_duration(std::chrono::duration_cast<std::chrono::seconds>(d));
}

namespace {

// ---------------------------------------------------------------------------------
// Lexer

enum class TokenKind {
  kWord,    // a run of [A-Za-z0-9:./_%-]: quantity names, units, keywords
  kNumber,  // a decimal literal not glued to a word character
  kOp,      // < <= > >= == !=
  kLParen,
  kRParen,
  kComma,    // the "," between a window function's arguments
  kInvalid,  // anything else (a run of other punctuation, "=>", "&&", non-ASCII text)
  kEnd,      // end of the text; its offset is the text's length
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;
  std::size_t offset = 0;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
// SenML name characters.
bool is_name_char(char c) {
  return is_alpha(c) || is_digit(c) || c == ':' || c == '.' || c == '/' || c == '_' || c == '-';
}
// Characters of a word token: name characters and '%' (units such as %LEL).
bool is_word_char(char c) { return is_name_char(c) || c == '%'; }
bool is_op_char(char c) { return c == '<' || c == '>' || c == '=' || c == '!'; }

// The length of the decimal literal at the start of `s` ([+-]? digits [. digits] or
// [+-]? . digits, then an optional exponent), or 0 when there is none.
std::size_t scan_number(std::string_view s) {
  std::size_t i = 0;
  auto digits_from = [&](std::size_t j) {
    while (j < s.size() && is_digit(s[j])) ++j;
    return j;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t int_end = digits_from(i);
  bool has_digits = int_end > i;
  i = int_end;
  if (i < s.size() && s[i] == '.') {
    std::size_t frac_end = digits_from(i + 1);
    if (frac_end > i + 1) has_digits = true;
    if (has_digits) i = frac_end;
  }
  if (!has_digits) return 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    std::size_t exp_end = digits_from(j);
    if (exp_end > j) i = exp_end;
  }
  return i;
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  std::size_t p = 0;
  const std::size_t n = text.size();
  auto run = [&](std::size_t from, auto pred) {
    while (from < n && pred(text[from])) ++from;
    return from;
  };
  while (true) {
    p = run(p, is_space);
    if (p >= n) break;
    const char c = text[p];
    Token t;
    t.offset = p;
    std::size_t end = p + 1;
    if (c == '(') {
      t.kind = TokenKind::kLParen;
    } else if (c == ')') {
      t.kind = TokenKind::kRParen;
    } else if (c == ',') {
      t.kind = TokenKind::kComma;
    } else if (is_op_char(c)) {
      end = run(p, is_op_char);
      std::string_view op = text.substr(p, end - p);
      bool valid = op == "<" || op == "<=" || op == ">" || op == ">=" || op == "==" || op == "!=";
      t.kind = valid ? TokenKind::kOp : TokenKind::kInvalid;
    } else if (std::size_t len = scan_number(text.substr(p)); len > 0) {
      end = p + len;
      if (end < n && is_word_char(text[end])) {
        // "57Cel", "1.2.3", "30s": one word, not a number followed by something.
        end = run(end, is_word_char);
        t.kind = TokenKind::kWord;
      } else {
        t.kind = TokenKind::kNumber;
      }
    } else if (is_word_char(c)) {
      end = run(p, is_word_char);
      t.kind = TokenKind::kWord;
    } else {
      end = run(
          p, [](char ch) {
            return !is_space(ch) && !is_word_char(ch) && !is_op_char(ch) && ch != '(' && ch != ')' && ch != ',';
          });
      t.kind = TokenKind::kInvalid;
    }
    t.text = text.substr(p, end - p);
    tokens.push_back(t);
    p = end;
  }
  tokens.push_back(Token{TokenKind::kEnd, {}, n});
  return tokens;
}

// ---------------------------------------------------------------------------------
// Parser

bool is_keyword(std::string_view w) { return w == "and" || w == "or" || w == "not"; }
// Words that may follow a threshold and so are never taken for its unit.
bool is_suffix_keyword(std::string_view w) { return w == "for" || w == "clear" || w == "within"; }
bool is_calendar_keyword(std::string_view w) { return w == "during" || w == "on"; }

constexpr std::string_view kDayNames[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::string_view kTimeRangeExpected = "a time range HH:MM-HH:MM such as 22:00-06:00";
constexpr std::string_view kTimeExpected = "a time of day HH:MM from 00:00 to 23:59";
constexpr std::string_view kDaysExpected =
    "\"weekdays\", \"weekends\" or days of the week such as mon,tue,fri (mon, tue, wed, thu, fri, sat, sun)";

// "HH:MM" (two digits each) as minutes after midnight; nullopt when it is not one.
std::optional<int> parse_time_of_day(std::string_view t) {
  if (t.size() != 5 || t[2] != ':' || !is_digit(t[0]) || !is_digit(t[1]) || !is_digit(t[3]) || !is_digit(t[4])) {
    return std::nullopt;
  }
  int h = (t[0] - '0') * 10 + (t[1] - '0');
  int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::string format_time_of_day(int minutes) {
  std::string out = "00:00";
  out[0] = static_cast<char>('0' + minutes / 600);
  out[1] = static_cast<char>('0' + minutes / 60 % 10);
  out[3] = static_cast<char>('0' + minutes % 60 / 10);
  out[4] = static_cast<char>('0' + minutes % 10);
  return out;
}

std::optional<int> to_day(std::string_view w) {
  for (int i = 0; i < 7; ++i) {
    if (w == kDayNames[i]) return i;
  }
  return std::nullopt;
}

std::optional<Aggregate> to_aggregate(std::string_view w) {
  if (w == "avg") return Aggregate::kAvg;
  if (w == "min") return Aggregate::kMin;
  if (w == "max") return Aggregate::kMax;
  if (w == "sum") return Aggregate::kSum;
  if (w == "count") return Aggregate::kCount;
  if (w == "rate") return Aggregate::kRate;
  return std::nullopt;
}

constexpr std::string_view kDurationExpected = "a duration such as 30s, 10m, 2h, 1d or 1h30m (1s to 365d)";
constexpr std::string_view kOpExpected = "a comparison operator (<, <=, >, >=, ==, !=)";

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_quantity_name(std::string_view w) {
  if (w.empty() || !(is_alpha(w[0]) || is_digit(w[0]))) return false;
  return std::all_of(w.begin(), w.end(), is_name_char);
}

// Report categories and attribute names: [a-z][a-z0-9_]{0,63}.
bool is_lower_name(std::string_view w) {
  if (w.empty() || w.size() > 64 || !(w[0] >= 'a' && w[0] <= 'z')) return false;
  return std::all_of(w.begin(), w.end(), [](char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_'; });
}

std::optional<int> to_level(std::string_view w) {
  if (w == "I") return 1;
  if (w == "II") return 2;
  if (w == "III") return 3;
  if (w == "IV") return 4;
  return std::nullopt;
}
constexpr std::string_view kLevelNames[5] = {"", "I", "II", "III", "IV"};

// How a token is named in "found ..." (quoted, long tokens shortened).
std::string describe(const Token& t) {
  if (t.kind == TokenKind::kEnd) return "end of condition";
  constexpr std::size_t kMax = 40;
  std::string_view text = t.text;
  std::string suffix;
  if (text.size() > kMax) {
    std::size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
    text = text.substr(0, cut);
    suffix = "...";
  }
  return "\"" + std::string(text) + suffix + "\"";
}

std::optional<CompareOp> to_op(std::string_view s) {
  if (s == "<") return CompareOp::kLess;
  if (s == "<=") return CompareOp::kLessEqual;
  if (s == ">") return CompareOp::kGreater;
  if (s == ">=") return CompareOp::kGreaterEqual;
  if (s == "==") return CompareOp::kEqual;
  if (s == "!=") return CompareOp::kNotEqual;
  return std::nullopt;
}

// A decimal literal as the lexer scans it; nullopt when it is out of double's range.
std::optional<double> to_double(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);  // from_chars takes no '+'
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

using ExprPtr = std::shared_ptr<const Expr>;

// An and/or node; operands of the same kind are spliced in, so "(a and b) and c" and
// "a and b and c" give the same tree (and to_string() can drop the parentheses).
ExprPtr make_nary(Expr::Kind kind, std::vector<ExprPtr> operands) {
  if (operands.size() == 1) return operands.front();
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  for (auto& op : operands) {
    if (op->kind == kind) {
      e->children.insert(e->children.end(), op->children.begin(), op->children.end());
    } else {
      e->children.push_back(std::move(op));
    }
  }
  return e;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  // The whole condition, or nullptr with error() set.
  ExprPtr parse_condition() {
    if (peek().kind == TokenKind::kEnd) {
      fail(peek(), "a condition such as \"smoke >= 0.15\"");
      return nullptr;
    }
    ExprPtr e = parse_or();
    if (!e) return nullptr;
    if (peek().kind != TokenKind::kEnd) {
      fail_connective(peek(), "end of condition");
      return nullptr;
    }
    return e;
  }

  const ParseError& error() const { return error_; }

 private:
  static constexpr int kMaxNesting = 64;  // "not"s and parentheses inside each other

  const Token& peek(std::size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  const Token& next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool at_keyword(std::string_view kw) const { return peek().kind == TokenKind::kWord && peek().text == kw; }

  void fail(const Token& at, std::string_view expected, std::string_view hint = {}) {
    fail_at(at.offset, "expected " + std::string(expected) + ", found " + describe(at), hint);
  }
  void fail_at(std::size_t offset, std::string message, std::string_view hint = {}) {
    error_.offset = offset;
    error_.message = std::move(message);
    if (!hint.empty()) {
      error_.message += "; ";
      error_.message += hint;
    }
  }
  // After a complete operand: the next token should join another one (or close).
  void fail_connective(const Token& at, std::string_view closer) {
    std::string hint;
    std::string lower = lowercase(at.text);
    if (at.text == "&&" || at.text == "&") {
      hint = "write \"and\"";
    } else if (at.text == "||" || at.text == "|") {
      hint = "write \"or\"";
    } else if (at.kind == TokenKind::kWord && is_keyword(lower)) {
      hint = "keywords are lowercase: \"" + lower + "\"";
    } else if (at.kind == TokenKind::kWord && !is_suffix_keyword(at.text) &&
               (peek(1).kind == TokenKind::kOp || is_calendar_keyword(at.text))) {
      hint = "join comparisons with \"and\" or \"or\"";
    }
    fail(at, "\"and\", \"or\" or " + std::string(closer), hint);
  }

  // or := and ("or" and)*
  ExprPtr parse_or() {
    std::vector<ExprPtr> operands;
    while (true) {
      ExprPtr e = parse_and();
      if (!e) return nullptr;
      operands.push_back(std::move(e));
      if (!at_keyword("or")) break;
      next();
    }
    return make_nary(Expr::Kind::kOr, std::move(operands));
  }

  // and := unary ("and" unary)*
  ExprPtr parse_and() {
    std::vector<ExprPtr> operands;
    while (true) {
      ExprPtr e = parse_unary();
      if (!e) return nullptr;
      operands.push_back(std::move(e));
      if (!at_keyword("and")) break;
      next();
    }
    return make_nary(Expr::Kind::kAnd, std::move(operands));
  }

  // unary := "not" unary | primary ["for" DURATION]
  ExprPtr parse_unary() {
    if (at_keyword("not")) {
      if (!enter()) return nullptr;
      next();
      ExprPtr result;
      if (ExprPtr operand = parse_unary()) {
        auto e = std::make_shared<Expr>();
        e->kind = Expr::Kind::kNot;
        e->children.push_back(std::move(operand));
        result = std::move(e);
      }
      --depth_;
      return result;
    }
    ExprPtr e = parse_primary();
    if (!e || !at_keyword("for")) return e;
    next();
    std::optional<Duration> d = parse_duration_token();
    if (!d) return nullptr;
    auto f = std::make_shared<Expr>();
    f->kind = Expr::Kind::kFor;
    f->duration = *d;
    f->children.push_back(std::move(e));
    return f;
  }

  // One more "not" or "(" inside the others; false (error set) when too deep.
  bool enter() {
    if (depth_ >= kMaxNesting) {
      fail_at(peek().offset, "expected at most " + std::to_string(kMaxNesting) +
                                 " \"not\"s and parentheses inside each other, found more");
      return false;
    }
    ++depth_;
    return true;
  }

  // primary := "(" or ")" | calendar | absence | comparison
  ExprPtr parse_primary() {
    if (peek().kind != TokenKind::kLParen) {
      if (peek().kind == TokenKind::kWord && is_calendar_keyword(peek().text) && peek(1).kind != TokenKind::kOp) {
        return parse_calendar();
      }
      if (peek().kind == TokenKind::kWord && peek().text == "absent" && peek(1).kind == TokenKind::kLParen) {
        return parse_absence();
      }
      if (peek().kind == TokenKind::kWord && peek().text == "level" && peek(1).kind == TokenKind::kLParen) {
        return parse_level();
      }
      if (peek().kind == TokenKind::kWord && peek().text == "offline" && peek(1).kind == TokenKind::kLParen) {
        return parse_sensors(1, false);
      }
      if (peek().kind == TokenKind::kNumber && peek(1).kind == TokenKind::kWord && peek(1).text == "of") {
        return parse_counted_sensors();
      }
      if (peek().kind == TokenKind::kWord && peek().text == "any" && peek(1).kind == TokenKind::kWord &&
          (peek(2).kind == TokenKind::kOp || (peek(1).text == "offline" && peek(2).kind == TokenKind::kLParen))) {
        next();  // "any"
        return parse_sensors(1, true);
      }
      if (peek().kind == TokenKind::kWord && (peek().text.starts_with("place.") || peek().text.starts_with("sensor."))) {
        return parse_attribute();
      }
      return parse_comparison();
    }
    if (!enter()) return nullptr;
    ExprPtr result;
    const Token& open = next();
    ++open_parens_;
    ExprPtr inner = parse_or();
    --open_parens_;
    if (inner) {
      if (peek().kind == TokenKind::kRParen) {
        next();
        result = std::move(inner);
      } else if (peek().kind == TokenKind::kEnd) {
        // Unbalanced: point at the "(" that is never closed.
        fail_at(open.offset, "expected \")\" to close this \"(\", found end of condition");
      } else {
        fail_connective(peek(), "\")\"");
      }
    }
    --depth_;
    return result;
  }

  // A ")" closing a function-like construct: consumed, or false with the error set.
  bool expect_rparen() {
    if (peek().kind != TokenKind::kRParen) {
      fail(peek(), "\")\"");
      return false;
    }
    next();
    return true;
  }

  std::optional<Duration> parse_duration_token() {
    const Token& t = peek();
    std::optional<Duration> d = t.kind == TokenKind::kWord ? parse_duration(t.text) : std::nullopt;
    if (!d) {
      fail(t, kDurationExpected);
      return std::nullopt;
    }
    next();
    return d;
  }

  // FUNCTION "(" QUANTITY "," DURATION ")", the function's name being next.
  bool parse_window(Comparison& c) {
    c.aggregate = *to_aggregate(next().text);
    next();  // "("
    const Token& q = peek();
    if (q.kind != TokenKind::kWord || is_keyword(q.text) || !is_quantity_name(q.text)) {
      fail(q, "a quantity name");
      return false;
    }
    c.quantity = std::string(q.text);
    next();
    if (peek().kind != TokenKind::kComma) {
      fail(peek(), "\",\" and the window's length, e.g. \"avg(" + c.quantity + ", 5m)\"");
      return false;
    }
    next();
    std::optional<Duration> w = parse_duration_token();
    if (!w) return false;
    c.window = *w;
    if (!expect_rparen()) return false;
    return true;
  }

  // absence := "absent" "(" QUANTITY "," DURATION ")", the "absent" being next.
  ExprPtr parse_absence() {
    next();  // "absent"
    next();  // "("
    Absence a;
    const Token& q = peek();
    if (q.kind != TokenKind::kWord || is_keyword(q.text) || !is_quantity_name(q.text)) {
      fail(q, "a quantity name");
      return nullptr;
    }
    a.quantity = std::string(q.text);
    next();
    if (peek().kind != TokenKind::kComma) {
      fail(peek(), "\",\" and how long without a reading, e.g. \"absent(" + a.quantity + ", 12h)\"");
      return nullptr;
    }
    next();
    const Token& d = peek();
    if (d.kind == TokenKind::kNumber && peek(1).kind == TokenKind::kWord && parse_duration(std::string(d.text) + std::string(peek(1).text))) {
      fail(d, kDurationExpected, "write the duration as one word: \"" + std::string(d.text) + std::string(peek(1).text) + "\"");
      return nullptr;
    }
    std::optional<Duration> w = parse_duration_token();
    if (!w) return nullptr;
    a.window = *w;
    if (!expect_rparen()) return nullptr;
    const Token& after = peek();
    if (after.kind == TokenKind::kOp) {
      fail(after, "\"and\", \"or\", \"for\" or " + std::string(open_parens_ > 0 ? "\")\"" : "end of condition"),
           "absent(...) is true or false by itself and takes no comparison");
      return nullptr;
    }
    if (after.kind == TokenKind::kWord && is_known_unit(after.text)) {
      fail_at(after.offset, "expected no unit after absent(...) (it measures no value), found \"" + std::string(after.text) + "\"");
      return nullptr;
    }
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Kind::kAbsent;
    e->absence = std::move(a);
    return e;
  }

  // level := "level" "(" LEVEL ")", the "level" being next.
  ExprPtr parse_level() {
    next();  // "level"
    next();  // "("
    const Token& l = peek();
    std::optional<int> level = l.kind == TokenKind::kWord ? to_level(l.text) : std::nullopt;
    if (!level) {
      fail(l, "a warning level (I, II, III or IV)");
      return nullptr;
    }
    next();
    if (!expect_rparen()) return nullptr;
    if (!no_comparison_after("level(...)")) return nullptr;
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Kind::kLevel;
    e->level = *level;
    return e;
  }

  // After an atom that is true or false by itself: no operator and no unit may follow.
  bool no_comparison_after(std::string_view what) {
    const Token& after = peek();
    if (after.kind == TokenKind::kOp) {
      fail(after, "\"and\", \"or\", \"for\" or " + std::string(open_parens_ > 0 ? "\")\"" : "end of condition"),
           std::string(what) + " is true or false by itself and takes no comparison");
      return false;
    }
    if (after.kind == TokenKind::kWord && is_known_unit(after.text)) {
      fail_at(after.offset, "expected no unit after " + std::string(what) + " (it measures no value), found \"" +
                                std::string(after.text) + "\"");
      return false;
    }
    return true;
  }

  // counted := INTEGER "of" sensors, the number being next.
  ExprPtr parse_counted_sensors() {
    const Token& n = next();
    auto value = to_double(n.text);
    if (!value || *value < 1 || *value > 1000 || std::floor(*value) != *value) {
      fail_at(n.offset, "expected a whole number of sensors from 1 to 1000 before \"of\", found " + describe(n));
      return nullptr;
    }
    next();  // "of"
    return parse_sensors(static_cast<int>(*value), false);
  }

  // sensors := (QUANTITY OP NUMBER [UNIT] | "offline" "(" KIND ")") ["within" DURATION]
  ExprPtr parse_sensors(int count, bool any) {
    Confirmation c;
    c.count = count;
    c.any = any;
    if (peek().kind == TokenKind::kWord && peek().text == "offline" && peek(1).kind == TokenKind::kLParen) {
      next();  // "offline"
      next();  // "("
      const Token& k = peek();
      if (k.kind != TokenKind::kWord || !is_quantity_name(k.text)) {
        fail(k, "a kind of sensor as in the sensor registry, e.g. smoke_detector");
        return nullptr;
      }
      c.offline = true;
      c.kind = std::string(k.text);
      c.compare.quantity = status_key(k.text);
      c.compare.op = CompareOp::kEqual;
      c.compare.threshold = 1;
      next();
      if (!expect_rparen()) return nullptr;
      if (!no_comparison_after("offline(...)")) return nullptr;
    } else {
      const Token& q = peek();
      if (q.kind != TokenKind::kWord || is_keyword(q.text) || !is_quantity_name(q.text)) {
        fail(q, "a comparison such as \"smoke >= 0.08\" or offline(KIND) after \"" +
                    std::string(any ? "any" : "of") + "\"");
        return nullptr;
      }
      if ((to_aggregate(q.text) || q.text == "reports" || q.text == "absent") && peek(1).kind == TokenKind::kLParen) {
        fail(q, "a quantity compared by its latest reading, e.g. \"smoke >= 0.08\"",
             "each sensor's own readings are compared; windows and absent() are not counted per sensor");
        return nullptr;
      }
      c.compare.quantity = std::string(q.text);
      next();
      if (!parse_threshold(c.compare.op, c.compare.threshold)) return nullptr;
      if (!parse_unit(c.compare.unit)) return nullptr;
      if (at_keyword("clear")) {
        fail(peek(), "\"within\", \"and\", \"or\" or end of condition",
             "a hysteresis (clear) is not counted per sensor");
        return nullptr;
      }
    }
    if (at_keyword("within")) {
      next();
      std::optional<Duration> w = parse_duration_token();
      if (!w) return nullptr;
      c.within = *w;
    }
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Kind::kSensors;
    e->sensors = std::move(c);
    return e;
  }

  // reports := "reports" "(" CATEGORY "," DURATION ")", into a count window on report_key(CATEGORY).
  bool parse_reports(Comparison& c) {
    next();  // "reports"
    next();  // "("
    const Token& cat = peek();
    if (cat.kind != TokenKind::kWord || !is_lower_name(cat.text)) {
      fail(cat, "a report category (1 to 64 of a-z, 0-9 and '_', starting with a letter), e.g. fire");
      return false;
    }
    c.quantity = report_key(cat.text);
    next();
    if (peek().kind != TokenKind::kComma) {
      fail(peek(), "\",\" and the window's length, e.g. \"reports(" + std::string(cat.text) + ", 10m)\"");
      return false;
    }
    next();
    std::optional<Duration> w = parse_duration_token();
    if (!w) return false;
    c.window = *w;
    c.aggregate = Aggregate::kCount;
    if (!expect_rparen()) return false;
    return true;
  }

  // attribute := ("place." | "sensor.") NAME [OP VALUE], the word being next.
  ExprPtr parse_attribute() {
    const Token& w = next();
    Attribute a;
    std::size_t dot = w.text.find('.');
    a.target = w.text.substr(0, dot) == "place" ? Attribute::Target::kPlace : Attribute::Target::kSensor;
    std::string_view name = w.text.substr(dot + 1);
    if (!is_lower_name(name)) {
      fail_at(w.offset + dot + 1, "expected an attribute name (1 to 64 of a-z, 0-9 and '_', starting with a letter), found \"" +
                                      std::string(name) + "\"");
      return nullptr;
    }
    a.name = std::string(name);
    if (peek().kind != TokenKind::kOp) {
      a.bare = true;
    } else {
      a.op = *to_op(next().text);
      const Token& v = peek();
      const bool ordered = a.op != CompareOp::kEqual && a.op != CompareOp::kNotEqual;
      if (ordered ? v.kind != TokenKind::kNumber : (v.kind != TokenKind::kNumber && v.kind != TokenKind::kWord)) {
        fail(v, ordered ? "a number (<, <=, > and >= compare numbers)" : "a value: a word such as high_rise, or a number");
        return nullptr;
      }
      if (v.kind == TokenKind::kWord && (is_keyword(v.text) || is_suffix_keyword(v.text))) {
        fail(v, "a value: a word such as high_rise, or a number");
        return nullptr;
      }
      a.value = std::string(v.text);
      next();
    }
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Kind::kAttribute;
    e->attribute = std::move(a);
    return e;
  }

  // calendar := "during" TIME "-" TIME | "on" DAYS
  ExprPtr parse_calendar() {
    Calendar cal;
    if (next().text == "during") {
      cal.kind = Calendar::Kind::kDuring;
      const Token& t = peek();
      if (t.kind != TokenKind::kWord) {
        fail(t, kTimeRangeExpected);
        return nullptr;
      }
      std::size_t dash = t.text.find('-');
      std::string_view start_text = t.text.substr(0, dash);
      std::optional<int> start = parse_time_of_day(start_text);
      if (!start) {
        fail_at(t.offset, "expected " + std::string(kTimeExpected) + ", found \"" + std::string(start_text) + "\"");
        return nullptr;
      }
      if (dash == std::string_view::npos) {
        fail_at(t.offset + t.text.size(), "expected \"-\" and the end time right after \"" + std::string(start_text) +
                                              "\" (as in \"22:00-06:00\"), found " +
                                              (peek(1).kind == TokenKind::kEnd ? "end of condition" : "a space"));
        return nullptr;
      }
      std::string_view end_text = t.text.substr(dash + 1);
      std::size_t end_offset = t.offset + dash + 1;
      std::optional<int> end = parse_time_of_day(end_text);
      if (!end) {
        fail_at(end_offset, "expected " + std::string(kTimeExpected) + ", found \"" + std::string(end_text) + "\"");
        return nullptr;
      }
      if (*end == *start) {
        fail_at(end_offset, "expected an end time other than the start time " + std::string(start_text) + ", found \"" +
                                std::string(end_text) + "\"; for the whole day leave \"during\" out");
        return nullptr;
      }
      next();
      cal.start_minute = *start;
      cal.end_minute = *end;
    } else {
      cal.kind = Calendar::Kind::kOn;
      const Token& t = peek();
      if (t.kind == TokenKind::kWord && (t.text == "weekdays" || t.text == "weekends")) {
        cal.days = t.text == "weekdays" ? kWeekdays : kWeekends;
        next();
      } else {
        while (true) {
          const Token& d = peek();
          std::optional<int> day = d.kind == TokenKind::kWord ? to_day(d.text) : std::nullopt;
          if (!day) {
            std::string hint;
            std::string lower = lowercase(d.text);
            if (d.kind == TokenKind::kWord && (to_day(lower) || lower == "weekdays" || lower == "weekends")) {
              hint = "days are lowercase: \"" + lower + "\"";
            }
            fail(d, kDaysExpected, hint);
            return nullptr;
          }
          next();
          cal.days |= 1u << *day;
          if (peek().kind != TokenKind::kComma) break;
          next();
        }
      }
    }
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Kind::kCalendar;
    e->calendar = cal;
    return e;
  }

  // OP NUMBER: into op and threshold.
  bool parse_threshold(CompareOp& op_out, double& threshold_out, bool after_function_name = false) {
    const Token& op = peek();
    auto parsed_op = op.kind == TokenKind::kOp ? to_op(op.text) : std::nullopt;
    if (!parsed_op) {
      std::string hint;
      if (after_function_name && op.kind == TokenKind::kLParen) {
        hint = "window functions are avg, min, max, sum, count and rate";
      }
      fail(op, kOpExpected, hint);
      return false;
    }
    next();
    op_out = *parsed_op;

    const Token& num = peek();
    if (num.kind != TokenKind::kNumber) {
      std::string hint;
      if (std::size_t len = scan_number(num.text); len > 0 && is_known_unit(num.text.substr(len))) {
        hint = "put a space between the number and its unit: \"" + std::string(num.text.substr(0, len)) + " " +
               std::string(num.text.substr(len)) + "\"";
      }
      fail(num, "a number", hint);
      return false;
    }
    auto value = to_double(num.text);
    if (!value) {
      fail(num, "a number within the range of a double (about 1e-308 to 1e308 in size)");
      return false;
    }
    next();
    threshold_out = *value;
    return true;
  }

  // An optional unit after a threshold: a word that is not a keyword. Into `unit`
  // (left empty when there is none); false with the error set.
  bool parse_unit(std::string& unit_out) {
    const Token& unit = peek();
    if (unit.kind != TokenKind::kWord || is_keyword(unit.text) || is_suffix_keyword(unit.text)) return true;
    if (is_known_unit(unit.text)) {
      unit_out = std::string(unit.text);
      next();
      return true;
    }
    if (is_keyword(lowercase(unit.text)) || peek(1).kind == TokenKind::kOp || is_calendar_keyword(unit.text)) {
      // "smoke > 1 AND co > 2", "smoke > 1 co > 2": a missing connective, not a unit.
      fail_connective(unit, open_parens_ > 0 ? "\")\"" : "end of condition");
      return false;
    }
    fail(unit, "a unit (" + internal::known_units_list() + ")");
    return false;
  }

  // comparison := operand OP NUMBER [UNIT] ["clear" OP NUMBER [UNIT]]
  ExprPtr parse_comparison() {
    const Token& q = peek();
    if (q.kind != TokenKind::kWord || is_keyword(q.text) || !is_quantity_name(q.text)) {
      std::string hint;
      if (q.kind == TokenKind::kNumber) hint = "write the quantity first, e.g. \"smoke >= 0.15\"";
      fail(q, "a quantity name, \"not\" or \"(\"", hint);
      return nullptr;
    }
    Comparison c;
    if (q.text == "reports" && peek(1).kind == TokenKind::kLParen) {
      if (!parse_reports(c)) return nullptr;
    } else if (to_aggregate(q.text) && peek(1).kind == TokenKind::kLParen) {
      if (!parse_window(c)) return nullptr;
    } else {
      next();
      c.quantity = std::string(q.text);
    }
    if (!parse_threshold(c.op, c.threshold, c.aggregate == Aggregate::kLatest)) return nullptr;
    std::size_t unit_offset = peek().offset;
    if (!parse_unit(c.unit)) return nullptr;
    if (c.aggregate == Aggregate::kCount && !c.unit.empty() && c.unit != "count") {
      fail_at(unit_offset, std::string("expected no unit or \"count\" after a ") +
                               (c.quantity.starts_with(kReportKeyPrefix) ? "reports(...)" : "count(...)") +
                               " threshold, found \"" + c.unit + "\"");
      return nullptr;
    }

    if (at_keyword("clear")) {
      next();
      ClearThreshold clear;
      if (!parse_threshold(clear.op, clear.threshold)) return nullptr;
      std::size_t clear_unit_offset = peek().offset;
      std::string clear_unit;
      if (!parse_unit(clear_unit)) return nullptr;
      if (!clear_unit.empty() && clear_unit != c.unit) {
        fail_at(clear_unit_offset,
                c.unit.empty() ? "expected no unit (the raise threshold has none), found \"" + clear_unit + "\""
                               : "expected \"" + c.unit + "\" (the raise threshold's unit) or no unit, found \"" +
                                     clear_unit + "\"");
        return nullptr;
      }
      c.clear = clear;
    }

    auto e = std::make_shared<Expr>();
    e->kind = Expr::Kind::kCompare;
    e->compare = std::move(c);
    return e;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;        // "not"s and "("s being parsed, innermost included
  int open_parens_ = 0;  // "("s being parsed
  ParseError error_;
};

// ---------------------------------------------------------------------------------
// Evaluation and printing


bool eval(const Expr& e, const ValueLookup& lookup, int* unit_mismatches) {
  switch (e.kind) {
    case Expr::Kind::kCompare: {
      const Comparison& c = e.compare;
      if (c.aggregate != Aggregate::kLatest) return false;  // a window is unknown without time
      std::optional<Value> v = lookup(c.quantity);
      // No reading, or a reading that is not a number: unknown, so false.
      if (!v || !std::isfinite(v->value)) return false;
      double x = v->value;
      if (!c.unit.empty() && !v->unit.empty() && v->unit != c.unit) {
        std::optional<double> converted = convert(v->value, v->unit, c.unit);
        if (!converted) {
          if (unit_mismatches != nullptr) ++*unit_mismatches;
          return false;
        }
        return satisfies(*converted, c.op, c.threshold, true);
      }
      return satisfies(x, c.op, c.threshold, false);
    }
    case Expr::Kind::kAnd:
      return std::all_of(e.children.begin(), e.children.end(),
                         [&](const auto& child) { return eval(*child, lookup, unit_mismatches); });
    case Expr::Kind::kOr:
      return std::any_of(e.children.begin(), e.children.end(),
                         [&](const auto& child) { return eval(*child, lookup, unit_mismatches); });
    case Expr::Kind::kNot: return !eval(*e.children.front(), lookup, unit_mismatches);
    case Expr::Kind::kFor: return false;  // not known to have held for any time
    case Expr::Kind::kCalendar: return false;  // no clock
    case Expr::Kind::kAbsent: return false;    // no history
    case Expr::Kind::kSensors: return false;   // no sensors
    case Expr::Kind::kAttribute: return false; // no registry
    case Expr::Kind::kLevel: return false;     // not substituted
  }
  return false;
}

void collect_quantities(const Expr& e, std::vector<std::string>& out) {
  if (e.kind == Expr::Kind::kCompare) out.push_back(e.compare.quantity);
  if (e.kind == Expr::Kind::kAbsent) out.push_back(e.absence.quantity);
  if (e.kind == Expr::Kind::kSensors) out.push_back(e.sensors.compare.quantity);
  for (const auto& child : e.children) collect_quantities(*child, out);
}

void collect_attributes(const Expr& e, std::vector<Attribute>& out) {
  if (e.kind == Expr::Kind::kAttribute) out.push_back(e.attribute);
  for (const auto& child : e.children) collect_attributes(*child, out);
}

void collect_levels(const Expr& e, std::vector<int>& out) {
  if (e.kind == Expr::Kind::kLevel) out.push_back(e.level);
  for (const auto& child : e.children) collect_levels(*child, out);
}

bool has_sensors(const Expr& e) {
  if (e.kind == Expr::Kind::kSensors) return true;
  if (e.kind == Expr::Kind::kAttribute && e.attribute.target == Attribute::Target::kSensor) return true;
  return std::any_of(e.children.begin(), e.children.end(), [](const auto& child) { return has_sensors(*child); });
}

// A copy of `e` with every level reference replaced by `level(n)` (kept when null).
ExprPtr substitute_levels(const ExprPtr& e, const std::function<const Expr*(int)>& level) {
  if (e->kind == Expr::Kind::kLevel) {
    const Expr* target = level(e->level);
    if (target == nullptr) return e;
    return std::make_shared<Expr>(*target);
  }
  if (e->children.empty()) return e;
  auto copy = std::make_shared<Expr>(*e);
  for (auto& child : copy->children) child = substitute_levels(child, level);
  return copy;
}

// Whether the condition needs the stateful evaluator (its truth depends on time, on
// the history of readings, on which sensor sent them or on the registries).
bool has_time(const Expr& e) {
  if (e.kind == Expr::Kind::kFor || e.kind == Expr::Kind::kCalendar || e.kind == Expr::Kind::kAbsent ||
      e.kind == Expr::Kind::kSensors || e.kind == Expr::Kind::kAttribute) {
    return true;
  }
  if (e.kind == Expr::Kind::kCompare) return e.compare.aggregate != Aggregate::kLatest || e.compare.clear.has_value();
  return std::any_of(e.children.begin(), e.children.end(), [](const auto& child) { return has_time(*child); });
}

// Binding strength: or < and < not < for < comparison.
int precedence(Expr::Kind kind) {
  switch (kind) {
    case Expr::Kind::kOr: return 1;
    case Expr::Kind::kAnd: return 2;
    case Expr::Kind::kNot: return 3;
    case Expr::Kind::kFor: return 4;
    case Expr::Kind::kCompare:
    case Expr::Kind::kCalendar:
    case Expr::Kind::kAbsent:
    case Expr::Kind::kSensors:
    case Expr::Kind::kAttribute:
    case Expr::Kind::kLevel: return 5;
  }
  return 5;
}

std::string format_number(double v) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back as v
  if (ec != std::errc()) return "0";
  return std::string(buf, ptr);
}

// `e` as text; parenthesised when it binds less tightly than `min_precedence`.
void print(const Expr& e, int min_precedence, std::string& out) {
  bool parens = precedence(e.kind) < min_precedence;
  if (parens) out += '(';
  switch (e.kind) {
    case Expr::Kind::kCompare: {
      const Comparison& c = e.compare;
      if (c.aggregate == Aggregate::kLatest) {
        out += c.quantity;
      } else if (c.quantity.starts_with(kReportKeyPrefix)) {
        out += "reports(";
        out += std::string_view(c.quantity).substr(kReportKeyPrefix.size());
        out += ", ";
        out += format_duration(c.window);
        out += ')';
      } else {
        out += to_string(c.aggregate);
        out += '(';
        out += c.quantity;
        out += ", ";
        out += format_duration(c.window);
        out += ')';
      }
      auto threshold = [&](CompareOp op, double value) {
        out += ' ';
        out += to_string(op);
        out += ' ';
        out += format_number(value);
        if (!c.unit.empty()) {
          out += ' ';
          out += c.unit;
        }
      };
      threshold(c.op, c.threshold);
      if (c.clear) {
        out += " clear";
        threshold(c.clear->op, c.clear->threshold);
      }
      break;
    }
    case Expr::Kind::kCalendar: {
      const Calendar& cal = e.calendar;
      if (cal.kind == Calendar::Kind::kDuring) {
        out += "during ";
        out += format_time_of_day(cal.start_minute);
        out += '-';
        out += format_time_of_day(cal.end_minute);
      } else if (cal.days == kWeekdays) {
        out += "on weekdays";
      } else if (cal.days == kWeekends) {
        out += "on weekends";
      } else {
        out += "on ";
        bool first = true;
        for (int i = 0; i < 7; ++i) {
          if ((cal.days & (1u << i)) == 0) continue;
          if (!first) out += ',';
          out += kDayNames[i];
          first = false;
        }
      }
      break;
    }
    case Expr::Kind::kAbsent:
      out += "absent(";
      out += e.absence.quantity;
      out += ", ";
      out += format_duration(e.absence.window);
      out += ')';
      break;
    case Expr::Kind::kSensors: {
      const Confirmation& c = e.sensors;
      if (c.any) {
        out += "any ";
      } else if (!(c.offline && c.count == 1)) {
        out += std::to_string(c.count);
        out += " of ";
      }
      if (c.offline) {
        out += "offline(";
        out += c.kind;
        out += ')';
      } else {
        out += c.compare.quantity;
        out += ' ';
        out += to_string(c.compare.op);
        out += ' ';
        out += format_number(c.compare.threshold);
        if (!c.compare.unit.empty()) {
          out += ' ';
          out += c.compare.unit;
        }
      }
      if (c.within != Duration::zero()) {
        out += " within ";
        out += format_duration(c.within);
      }
      break;
    }
    case Expr::Kind::kAttribute: {
      const Attribute& a = e.attribute;
      out += to_string(a.target);
      out += '.';
      out += a.name;
      if (!a.bare) {
        out += ' ';
        out += to_string(a.op);
        out += ' ';
        out += a.value;
      }
      break;
    }
    case Expr::Kind::kLevel:
      out += "level(";
      out += kLevelNames[e.level];
      out += ')';
      break;
    case Expr::Kind::kFor:
      print(*e.children.front(), precedence(Expr::Kind::kCompare), out);
      out += " for ";
      out += format_duration(e.duration);
      break;
    case Expr::Kind::kNot:
      out += "not ";
      print(*e.children.front(), precedence(Expr::Kind::kNot), out);
      break;
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr: {
      // Operands of the same kind (only in hand-built trees) keep their parentheses,
      // so the text parses back to the same tree.
      const char* joiner = e.kind == Expr::Kind::kAnd ? " and " : " or ";
      for (std::size_t i = 0; i < e.children.size(); ++i) {
        if (i > 0) out += joiner;
        print(*e.children[i], precedence(e.kind) + 1, out);
      }
      break;
    }
  }
  if (parens) out += ')';
}

}  // namespace

std::string report_key(std::string_view category) { return std::string(kReportKeyPrefix) + std::string(category); }
std::string status_key(std::string_view sensor_kind) { return std::string(kStatusKeyPrefix) + std::string(sensor_kind); }

std::string_view to_string(Attribute::Target t) { return t == Attribute::Target::kPlace ? "place" : "sensor"; }

bool attribute_holds(const Attribute& a, const std::optional<std::string>& value) {
  if (!value) return false;
  if (a.bare) return *value == "true" || *value == "yes" || *value == "1";
  auto number = [](std::string_view text) -> std::optional<double> {
    if (text.empty() || scan_number(text) != text.size()) return std::nullopt;
    return to_double(text);
  };
  std::optional<double> have = number(*value);
  std::optional<double> want = number(a.value);
  if (have && want) return satisfies(*have, a.op, *want, false);
  if (a.op == CompareOp::kEqual) return *value == a.value;
  if (a.op == CompareOp::kNotEqual) return *value != a.value;
  return false;  // an ordered comparison of something that is not a number
}

std::variant<Condition, ParseError> Condition::parse(std::string_view text) {
  Parser parser(tokenize(text));
  ExprPtr root = parser.parse_condition();
  if (!root) return parser.error();
  Condition c;
  c.root_ = std::move(root);
  c.finish();
  return c;
}

void Condition::finish() {
  quantities_.clear();
  attributes_.clear();
  level_refs_.clear();
  collect_quantities(*root_, quantities_);
  std::sort(quantities_.begin(), quantities_.end());
  quantities_.erase(std::unique(quantities_.begin(), quantities_.end()), quantities_.end());
  collect_attributes(*root_, attributes_);
  collect_levels(*root_, level_refs_);
  std::sort(level_refs_.begin(), level_refs_.end());
  level_refs_.erase(std::unique(level_refs_.begin(), level_refs_.end()), level_refs_.end());
  uses_time_ = has_time(*root_);
}

Condition Condition::with_levels(const std::function<const Expr*(int level)>& level) const {
  if (!root_) return *this;
  Condition c;
  c.root_ = substitute_levels(root_, level);
  c.finish();
  return c;
}

bool Condition::uses_sensors() const { return root_ && has_sensors(*root_); }

bool Condition::evaluate(const ValueLookup& lookup, int* unit_mismatches) const {
  if (!root_ || !lookup) return false;
  return eval(*root_, lookup, unit_mismatches);
}

std::string Condition::to_string() const {
  std::string out;
  if (root_) print(*root_, 0, out);
  return out;
}

}  // namespace lookout::rules
