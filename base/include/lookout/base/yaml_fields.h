// Reading a YAML file a person wrote (a plan, a drill scenario) strictly: every key is
// checked against the keys allowed there, and every mistake is collected as a
// Diagnostic "expected ..., found ..." at its line and column rather than stopping at
// the first. The pieces the loaders share:
//
//   - message text: quote(), join_or(), did_you_mean(), describe();
//   - positions: SourceText turns yaml-cpp's marks (byte offsets into the text) into
//     1-based lines and columns, columns counting characters (so that a Chinese
//     headline does not shift them), and maps an offset inside a scalar's value back
//     onto the file text;
//   - Field, one key: value pair of a map, and find() / find_set() over them;
//   - YamlFieldReader, a loader's base: the text, the file name, the diagnostics so far
//     and the readers of fields (read_map, require, read_string, read_duration, ...)
//     that report what they refuse.
//
// What a loader reads beyond that (its own keys, enums, ids) stays in the loader.
//
// Thread-safety: the free functions are pure; a SourceText can be shared once built; a
// YamlFieldReader belongs to one thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lookout/base/diagnostic.h"

namespace lookout {

// ---------------------------------------------------------------------------------
// Message text

// A value as messages quote it: "...", cut after 60 bytes (never inside a UTF-8
// character) with "..." added when longer.
std::string quote(std::string_view s);

// "a, b, c or d"; "a or b"; "a"; "" for no items.
std::string join_or(const std::vector<std::string_view>& items);

// `c` in lower case if it is an ASCII capital letter; any other byte unchanged.
char ascii_lower(char c);

// The candidate `word` is most likely a misspelling of: the one at the smallest edit
// distance (ignoring ASCII case, an adjacent transposition counting as one edit; the
// first of equals), if it is close enough: the same word, or at most one edit away for
// a word of 3 or 4 bytes, two for a longer one. Words shorter than 3 bytes only match
// themselves.
std::optional<std::string_view> closest(std::string_view word, const std::vector<std::string_view>& candidates);

// "; did you mean \"levels\"?" with the closest() candidate, written between `before`
// and `after` ("{" and "}" give "{place}"); "" when no candidate is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates,
                         std::string_view before = "", std::string_view after = "");

// How a node is named after "found": "nothing", "an empty text", its quoted text,
// "a list" or "a map".
std::string describe(const YAML::Node& node);

// ---------------------------------------------------------------------------------
// Positions in the file

// A place in a file: 1-based line, and 1-based column counting characters (UTF-8 lead
// bytes). Line 0: the whole file.
struct Position {
  int line = 0;
  int column = 0;
};

// A file's text, for turning byte offsets and yaml-cpp marks into Positions. Keeps a
// view of the text, which must outlive it.
class SourceText {
 public:
  explicit SourceText(std::string_view text);

  std::string_view text() const { return text_; }

  // The 0-based line holding byte `byte` (clamped to the text's size).
  std::size_t line_index(std::size_t byte) const;
  // The byte where 0-based line `index` starts (index < line_count()).
  std::size_t line_start(std::size_t index) const { return line_starts_[index]; }
  // Lines in the text: one more than its '\n's.
  std::size_t line_count() const { return line_starts_.size(); }

  // Characters (UTF-8 lead bytes) in bytes [from, to) of the text.
  int characters(std::size_t from, std::size_t to) const;

  // Where byte `byte` is (clamped to the text's size: one past the end is the end).
  Position at_byte(std::size_t byte) const;
  // Where a mark is: at its byte offset when it has one, else at its 0-based line and
  // column, else Position{} (the whole file).
  Position at(const YAML::Mark& mark) const;
  // Where a node starts.
  Position at(const YAML::Node& node) const { return at(node.Mark()); }

  // Where byte `offset` of a scalar's decoded value is in the file, mapped back through
  // quotes, escapes, block headers and line folding. Best effort: when the mapping is
  // lost (a tag, an anchor, an unknown escape) it is the scalar's start.
  Position in_scalar(const YAML::Node& scalar, std::size_t offset) const;

 private:
  std::optional<std::size_t> map_offset(std::size_t start, std::string_view value, std::size_t offset) const;
  std::pair<std::size_t, std::size_t> escape_length(std::size_t r) const;

  std::string_view text_;
  std::vector<std::size_t> line_starts_;  // the byte each line starts at
};

// ---------------------------------------------------------------------------------
// Fields of a map

// One key: value pair of a YAML map.
struct Field {
  std::string name;
  YAML::Node key;
  YAML::Node value;
};
using Fields = std::vector<Field>;  // in file order

// The field named `name`, or nullptr.
const Field* find(const Fields& fields, std::string_view name);

// An optional key that is present with a value ("owner:" with nothing after it counts
// as absent), or nullptr.
const Field* find_set(const Fields& fields, std::string_view name);

// ---------------------------------------------------------------------------------
// The base of a strict loader

// Holds what every strict loader needs while it walks one file: the text and its
// positions (source_), the file name the diagnostics name (file_) and the diagnostics
// found so far (diagnostics_), and reads fields, reporting each mistake as a
// diagnostic at the node it concerns. A loader derives from it, reads the document
// with load_document(), walks it with the readers, and then sorts and hands out
// diagnostics_ as it sees fit.
class YamlFieldReader {
 public:
  YamlFieldReader(const YamlFieldReader&) = delete;
  YamlFieldReader& operator=(const YamlFieldReader&) = delete;
  virtual ~YamlFieldReader() = default;

 protected:
  // `text` must outlive the reader; `file` names it in every diagnostic.
  YamlFieldReader(std::string_view text, std::string_view file);

  // ---- the document

  // The root of the text's only YAML document, or nullopt after reporting why there is
  // none to read: a syntax error, an empty file ("expected <expected>, found an empty
  // file") or a character the parser cannot go past. A second document is reported
  // ("expected one <noun> per file, ...") and the first one returned.
  std::optional<YAML::Node> load_document(std::string_view expected, std::string_view noun);

  // ---- reporting

  void error(Position p, std::string message);
  void error_at(const YAML::Node& node, std::string message);
  // At a field's value, or at its key when the value is empty (yaml-cpp marks an empty
  // value where the next token starts).
  void error_at(const Field& f, std::string message);
  // The line a node starts on.
  int line_of(const YAML::Node& node) const;

  // Where byte `offset` of a scalar's value is, for the readers' messages inside a
  // scalar (read_duration). SourceText::in_scalar unless a loader maps differently.
  virtual Position position_in_scalar(const YAML::Node& scalar, std::size_t offset) const;

  // ---- readers of fields

  // The pairs of a map whose keys are in `allowed`, in file order. A key that is not a
  // text or not allowed ("expected <expected>, found ...; did you mean ...?") and a key
  // seen twice ("expected each <noun> once, found ... again (first on line N)") are
  // reported and left out.
  Fields read_map(const YAML::Node& map, const std::vector<std::string_view>& allowed, const std::string& expected,
                  std::string_view noun = "key");

  // A key that must be there; reported at the map when it is not ("expected key
  // \"name\" in <context>, found none").
  const Field* require(const Fields& fields, const YAML::Node& map, std::string_view name, std::string_view context);

  // A non-empty text; anything else is reported as "expected <what>, found ...".
  std::optional<std::string> read_string(const Field& f, std::string_view what);

  // A whole number from `min` to `max` (0 <= min <= max), written with digits only; `what`
  // names it in the message ("a number of people").
  std::optional<int> read_whole_number(const Field& f, std::string_view what, int min, int max);

  // The name of an IANA time zone the system knows ("Asia/Shanghai", "UTC").
  std::optional<std::string> read_time_zone(const Field& f);

  // A duration longer than zero such as 10m (lookout/base/duration.h); a mistake inside
  // it is reported at its character.
  std::optional<std::chrono::seconds> read_duration(const Field& f);

  // `part` of a scalar (all of it, or a piece starting at byte `part_offset` of its
  // value) as a duration; a mistake is reported at its character in the scalar.
  std::optional<std::chrono::seconds> parse_duration_in(const YAML::Node& scalar, std::string_view part,
                                                        std::size_t part_offset);

  // The items of a list; any other value stands for a list of one.
  static std::vector<YAML::Node> items_of(const YAML::Node& value);

  // A list item as a Field, for the readers of fields; an empty item is reported at its
  // list.
  static Field item_field(const YAML::Node& list, const YAML::Node& item) { return Field{"", list, item}; }

  SourceText source_;
  std::string file_;
  Diagnostics diagnostics_;
};

}  // namespace lookout
