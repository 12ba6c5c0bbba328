#include "lookout/base/yaml_fields.h"

#include <algorithm>
#include <charconv>
#include <system_error>
#include <variant>

#include "lookout/base/duration.h"
#include "lookout/base/time_format.h"
#include "lookout/base/yaml_document.h"

namespace lookout {

// ---------------------------------------------------------------------------------
// Message text

std::string quote(std::string_view s) {
  constexpr std::size_t kMax = 60;
  std::string suffix;
  if (s.size() > kMax) {
    std::size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
    s = s.substr(0, cut);
    suffix = "...";
  }
  return "\"" + std::string(s) + suffix + "\"";
}

std::string join_or(const std::vector<std::string_view>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

namespace {

// Edit distance, ignoring case, with adjacent transpositions costing one.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = ascii_lower(a[i - 1]) == ascii_lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && ascii_lower(a[i - 1]) == ascii_lower(b[j - 2]) &&
          ascii_lower(a[i - 2]) == ascii_lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string_view> closest(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::optional<std::string_view> best;
  std::size_t best_distance = std::string_view::npos;
  for (auto c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  bool close = best_distance == 0 || (word.size() >= 3 && best_distance <= (word.size() <= 4 ? 1u : 2u));
  return close ? best : std::nullopt;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates,
                         std::string_view before, std::string_view after) {
  auto best = closest(word, candidates);
  if (!best) return {};
  return "; did you mean " + quote(std::string(before) + std::string(*best) + std::string(after)) + "?";
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return node.Scalar().empty() ? "an empty text" : quote(node.Scalar());
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Undefined: break;
  }
  return "nothing";
}

// ---------------------------------------------------------------------------------
// Positions in the file

SourceText::SourceText(std::string_view text) : text_(text) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_starts_.push_back(i + 1);
  }
}

std::size_t SourceText::line_index(std::size_t byte) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), std::min(byte, text_.size()));
  return static_cast<std::size_t>(it - line_starts_.begin()) - 1;
}

int SourceText::characters(std::size_t from, std::size_t to) const {
  int n = 0;
  for (std::size_t i = from; i < to && i < text_.size(); ++i) {
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++n;  // count UTF-8 lead bytes only
  }
  return n;
}

Position SourceText::at_byte(std::size_t byte) const {
  byte = std::min(byte, text_.size());
  const std::size_t index = line_index(byte);
  return Position{static_cast<int>(index) + 1, characters(line_starts_[index], byte) + 1};
}

Position SourceText::at(const YAML::Mark& mark) const {
  if (mark.pos >= 0) return at_byte(static_cast<std::size_t>(mark.pos));
  if (mark.line >= 0) return Position{mark.line + 1, mark.column + 1};
  return Position{};
}

Position SourceText::in_scalar(const YAML::Node& scalar, std::size_t offset) const {
  const YAML::Mark mark = scalar.Mark();
  if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text_.size()) return at(mark);
  auto start = static_cast<std::size_t>(mark.pos);
  auto raw = map_offset(start, scalar.Scalar(), offset);
  return at_byte(raw.value_or(start));
}

namespace {

enum class Style { kPlain, kSingleQuoted, kDoubleQuoted, kBlock };

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

// Walks the raw text of a scalar (starting at `start`, its mark) and its decoded value
// side by side up to decoded byte `offset`; returns the raw byte there, or nullopt when
// the two cannot be matched (tags, anchors, unusual escapes).
std::optional<std::size_t> SourceText::map_offset(std::size_t start, std::string_view value,
                                                  std::size_t offset) const {
  Style style = Style::kPlain;
  std::size_t r = start;
  switch (text_[start]) {
    case '"':
      style = Style::kDoubleQuoted;
      ++r;
      break;
    case '\'':
      style = Style::kSingleQuoted;
      ++r;
      break;
    case '|':
    case '>': {
      style = Style::kBlock;  // the content starts on the line after the header
      std::size_t eol = text_.find('\n', start);
      if (eol == std::string_view::npos) return std::nullopt;
      r = eol + 1;
      break;
    }
    case '!':
    case '&':
    case '*': return std::nullopt;
    default: break;
  }
  std::size_t i = 0;
  if (style == Style::kBlock) {  // indentation (and leading blank lines) on both sides
    while (r < text_.size() && is_space(text_[r])) ++r;
    while (i < value.size() && is_space(value[i])) ++i;
  }
  while (i < offset && i < value.size()) {
    if (r >= text_.size()) return std::nullopt;
    const char c = text_[r];
    if (style == Style::kDoubleQuoted && c == '\\') {
      auto [raw_len, value_len] = escape_length(r);
      if (raw_len == 0) return std::nullopt;
      r += raw_len;
      i += value_len;
      continue;
    }
    if (style == Style::kSingleQuoted && c == '\'' && r + 1 < text_.size() && text_[r + 1] == '\'') {
      r += 2;  // '' stands for '
      i += 1;
      continue;
    }
    if (is_space(c) && is_space(value[i])) {
      // Line folding and indentation: a run of white space in the file is a run of
      // white space in the value, of whatever length.
      std::size_t run_end = i;
      while (run_end < value.size() && is_space(value[run_end])) ++run_end;
      if (offset < run_end) return r;
      i = run_end;
      while (r < text_.size() && is_space(text_[r])) ++r;
      continue;
    }
    if (c != value[i]) return std::nullopt;
    ++r;
    ++i;
  }
  return r;
}

// For the escape sequence at raw byte r (a '\' in a double-quoted scalar): how many raw
// bytes it spans and how many value bytes it stands for; {0, 0} if unknown.
std::pair<std::size_t, std::size_t> SourceText::escape_length(std::size_t r) const {
  if (r + 1 >= text_.size()) return {0, 0};
  auto utf8_length = [](unsigned long cp) -> std::size_t {
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  };
  auto hex = [&](std::size_t digits) -> std::pair<std::size_t, std::size_t> {
    if (r + 2 + digits > text_.size()) return {0, 0};
    unsigned long cp = 0;
    for (std::size_t k = 0; k < digits; ++k) {
      char h = text_[r + 2 + k];
      int v = h >= '0' && h <= '9'   ? h - '0'
              : h >= 'a' && h <= 'f' ? h - 'a' + 10
              : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                     : -1;
      if (v < 0) return {0, 0};
      cp = cp * 16 + static_cast<unsigned long>(v);
    }
    return {2 + digits, utf8_length(cp)};
  };
  switch (text_[r + 1]) {
    case 'x': return hex(2);
    case 'u': return hex(4);
    case 'U': return hex(8);
    case 'N':
    case '_': return {2, 2};  // U+0085, U+00A0
    case 'L':
    case 'P': return {2, 3};  // U+2028, U+2029
    case '\r':
    case '\n': {  // an escaped line break joins the lines
      std::size_t k = r + 1;
      if (text_[k] == '\r' && k + 1 < text_.size() && text_[k + 1] == '\n') ++k;
      ++k;
      while (k < text_.size() && (text_[k] == ' ' || text_[k] == '\t')) ++k;
      return {k - r, 0};
    }
    default: return {2, 1};
  }
}

// ---------------------------------------------------------------------------------
// Fields of a map

const Field* find(const Fields& fields, std::string_view name) {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const Field* find_set(const Fields& fields, std::string_view name) {
  const Field* f = find(fields, name);
  return f != nullptr && !f->value.IsNull() ? f : nullptr;
}

// ---------------------------------------------------------------------------------
// The base of a strict loader

YamlFieldReader::YamlFieldReader(std::string_view text, std::string_view file) : source_(text), file_(file) {}

std::optional<YAML::Node> YamlFieldReader::load_document(std::string_view expected, std::string_view noun) {
  YamlDocument doc;
  try {
    // Not YAML::LoadAll: it can loop forever on bad input (see yaml_document.h).
    doc = load_yaml_document(std::string(source_.text()));
  } catch (const YAML::Exception& e) {
    // load_yaml_document's own errors ("expected UTF-8 text, ...") say what they are.
    std::string message = e.msg.rfind("expected ", 0) == 0 ? e.msg : "expected valid YAML, found a syntax error: " + e.msg;
    if (e.msg == "illegal map value") message += " (if a text contains \": \", put it in quotes)";
    error(source_.at(e.mark), std::move(message));
    return std::nullopt;
  }
  switch (doc.outcome) {
    case YamlDocument::Outcome::kEmpty:
      error(Position{}, "expected " + std::string(expected) + ", found an empty file");
      return std::nullopt;
    case YamlDocument::Outcome::kStuck:
      error(source_.at(doc.where), "expected valid YAML, found a character the YAML reader cannot go past");
      return std::nullopt;
    case YamlDocument::Outcome::kSecondDocument:
      error(source_.at(doc.where), "expected one " + std::string(noun) + " per file, found a second YAML document");
      break;
    case YamlDocument::Outcome::kOne: break;
  }
  return doc.root;
}

void YamlFieldReader::error(Position p, std::string message) {
  diagnostics_.push_back(Diagnostic{file_, p.line, p.column, std::move(message)});
}

void YamlFieldReader::error_at(const YAML::Node& node, std::string message) {
  error(source_.at(node), std::move(message));
}

void YamlFieldReader::error_at(const Field& f, std::string message) {
  error_at(f.value.IsNull() ? f.key : f.value, std::move(message));
}

int YamlFieldReader::line_of(const YAML::Node& node) const { return source_.at(node).line; }

Position YamlFieldReader::position_in_scalar(const YAML::Node& scalar, std::size_t offset) const {
  return source_.in_scalar(scalar, offset);
}

Fields YamlFieldReader::read_map(const YAML::Node& map, const std::vector<std::string_view>& allowed,
                                 const std::string& expected, std::string_view noun) {
  Fields fields;
  for (auto it = map.begin(); it != map.end(); ++it) {
    YAML::Node key = it->first;
    if (!key.IsScalar()) {
      error_at(key, "expected " + expected + ", found " + describe(key));
      continue;
    }
    std::string name = key.Scalar();
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      error_at(key, "expected " + expected + ", found " + quote(name) + did_you_mean(name, allowed));
    } else if (const Field* first = find(fields, name)) {
      error_at(key, "expected each " + std::string(noun) + " once, found " + quote(name) + " again (first on line " +
                        std::to_string(line_of(first->key)) + ")");
    } else {
      fields.push_back(Field{std::move(name), key, it->second});
    }
  }
  return fields;
}

const Field* YamlFieldReader::require(const Fields& fields, const YAML::Node& map, std::string_view name,
                                      std::string_view context) {
  const Field* f = find(fields, name);
  if (f == nullptr) {
    error_at(map, "expected key \"" + std::string(name) + "\" in " + std::string(context) + ", found none");
  }
  return f;
}

std::optional<std::string> YamlFieldReader::read_string(const Field& f, std::string_view what) {
  if (!f.value.IsScalar() || f.value.Scalar().empty()) {
    error_at(f, "expected " + std::string(what) + ", found " + describe(f.value));
    return std::nullopt;
  }
  return f.value.Scalar();
}

std::optional<int> YamlFieldReader::read_whole_number(const Field& f, std::string_view what, int min, int max) {
  const std::string expected =
      std::string(what) + " (a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ")";
  auto text = read_string(f, expected);
  if (!text) return std::nullopt;
  int number = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), number);
  if (ec != std::errc() || end != text->data() + text->size() || (*text)[0] == '-' || number < min ||
      number > max) {
    error_at(f, "expected " + expected + ", found " + quote(*text));
    return std::nullopt;
  }
  return number;
}

std::optional<std::string> YamlFieldReader::read_time_zone(const Field& f) {
  const std::string expected = "an IANA time zone such as Asia/Shanghai or UTC";
  auto name = read_string(f, expected);
  if (!name) return std::nullopt;
  if (find_time_zone(*name).is_ok()) return name;
  error_at(f, "expected " + expected + ", found " + quote(*name));
  return std::nullopt;
}

std::optional<std::chrono::seconds> YamlFieldReader::read_duration(const Field& f) {
  auto text = read_string(f, "a duration such as 30s, 10m or 1h30m");
  if (!text) return std::nullopt;
  return parse_duration_in(f.value, *text, 0);
}

std::optional<std::chrono::seconds> YamlFieldReader::parse_duration_in(const YAML::Node& scalar,
                                                                       std::string_view part,
                                                                       std::size_t part_offset) {
  auto parsed = parse_duration(part);
  if (auto* err = std::get_if<DurationError>(&parsed)) {
    error(position_in_scalar(scalar, part_offset + err->offset), err->message);
    return std::nullopt;
  }
  return std::get<std::chrono::seconds>(parsed);
}

std::vector<YAML::Node> YamlFieldReader::items_of(const YAML::Node& value) {
  std::vector<YAML::Node> items;
  if (value.IsSequence()) {
    for (auto it = value.begin(); it != value.end(); ++it) items.push_back(*it);
  } else {
    items.push_back(value);
  }
  return items;
}

}  // namespace lookout
