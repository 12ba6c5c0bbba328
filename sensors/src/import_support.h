// Shared machinery of the registry importers (places, sensors, staff): positions in
// the text, diagnostics, the YAML and CSV readers that know where each value was, the
// import entry point (format by extension, UTF-8, byte-order mark, all or nothing) and
// the reader of the JSON storage form. Internal to lookout_sensors.
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <csv.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "lookout/base/yaml_document.h"
#include "lookout/sensors/registry.h"
#include "text_util.h"

namespace lookout::sensors::internal {

// ---- Positions and diagnostics -------------------------------------------------------

struct Where {
  int line = 0;    // 1-based; 0: the whole file
  int column = 0;  // 1-based, in characters; 0: the whole line
};

// Turns byte offsets (and yaml-cpp marks) into 1-based lines and character columns.
class TextIndex {
 public:
  explicit TextIndex(std::string_view text) : text_(text) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  Where at_offset(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    auto next = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    auto line = static_cast<std::size_t>(next - line_starts_.begin());  // >= 1
    std::size_t start = line_starts_[line - 1];
    int column = 1;
    for (std::size_t i = start; i < offset; ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;  // skip UTF-8 continuation bytes
    }
    return {static_cast<int>(line), column};
  }

  // yaml-cpp counts lines from 0 and columns in bytes from 0.
  Where at_mark(const YAML::Mark& mark) const {
    auto offset = offset_of(mark);
    return offset ? at_offset(*offset) : Where{};
  }

  // The byte offset of a yaml-cpp mark, if it is in the text.
  std::optional<std::size_t> offset_of(const YAML::Mark& mark) const {
    if (mark.line < 0 || static_cast<std::size_t>(mark.line) >= line_starts_.size() || mark.column < 0) return {};
    return line_starts_[static_cast<std::size_t>(mark.line)] + static_cast<std::size_t>(mark.column);
  }

  // Where byte `pos` of a value lies, the value (`value`) being written at byte
  // `start` of the text, possibly in quotes. Exact when the text holds the value as
  // is up to `pos` (unquoted, or quoted without escapes before `pos`); otherwise the
  // value's start, which is never wrong, only less precise.
  Where inside(std::size_t start, std::string_view value, std::size_t pos) const {
    if (start >= text_.size()) return at_offset(start);
    const std::size_t first = (text_[start] == '"' || text_[start] == '\'') ? start + 1 : start;
    pos = std::min(pos, value.size());
    if (text_.substr(first, pos) == value.substr(0, pos)) return at_offset(first + pos);
    return at_offset(start);
  }

 private:
  std::string_view text_;
  std::vector<std::size_t> line_starts_;
};

class Reporter {
 public:
  explicit Reporter(std::string_view file) : file_(file) {}
  void error(Where at, std::string message) { diagnostics_.push_back({file_, at.line, at.column, std::move(message)}); }
  bool clean() const { return diagnostics_.empty(); }
  std::size_t size() const { return diagnostics_.size(); }
  Diagnostics take() { return std::move(diagnostics_); }

 private:
  std::string file_;
  Diagnostics diagnostics_;
};

inline std::optional<PlacePath> check_place_path(const std::string& text, Where at, Reporter& r) {
  auto path = PlacePath::parse(text);
  if (!path) {
    r.error(at, path.status().message());
    return std::nullopt;
  }
  return std::move(path).value();
}

// Remembers the line where each path or id was first seen, to report repeats.
class Uniqueness {
 public:
  explicit Uniqueness(std::string noun) : noun_(std::move(noun)) {}
  void add(const std::string& key, Where at, Reporter& r) {
    auto [it, inserted] = first_line_.emplace(key, at.line);
    if (!inserted) {
      r.error(at, noun_ + " " + quote(key) + " is listed twice; first on line " + std::to_string(it->second));
    }
  }

 private:
  std::string noun_;
  std::map<std::string, int> first_line_;
};

// Splits `text` at any of `separators`, dropping empty pieces.
inline std::vector<std::string> split_any(std::string_view text, std::string_view separators) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find_first_of(separators, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

inline std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

inline std::string join(const std::vector<std::string_view>& words, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i) out += sep;
    out += words[i];
  }
  return out;
}

// ---- Coordinates ---------------------------------------------------------------------

inline std::optional<std::string> latitude_problem(double lat) {
  if (lat >= -90 && lat <= 90) return std::nullopt;
  return "latitude " + format_number(lat) +
         " is outside -90 to 90; expected degrees north, written before the longitude";
}

inline std::optional<std::string> longitude_problem(double lon) {
  if (lon >= -180 && lon <= 180) return std::nullopt;
  return "longitude " + format_number(lon) + " is outside -180 to 180; expected degrees east";
}

inline bool check_latitude(double lat, Where at, Reporter& r) {
  auto problem = latitude_problem(lat);
  if (problem) r.error(at, *problem);
  return !problem;
}

inline bool check_longitude(double lon, Where at, Reporter& r) {
  auto problem = longitude_problem(lon);
  if (problem) r.error(at, *problem);
  return !problem;
}

// ---- YAML ------------------------------------------------------------------------------


class YamlFile {
 public:
  YamlFile(const TextIndex& index, Reporter& r) : index_(index), r_(r) {}

  Reporter& reporter() { return r_; }
  const TextIndex& index() const { return index_; }

  // Where `node` starts; yaml-cpp has no position for an empty (null) value, so the
  // caller gives one (usually its key).
  Where at(const YAML::Node& node, Where fallback) const {
    if (!node.IsDefined() || node.IsNull()) return fallback;
    Where w = index_.at_mark(node.Mark());
    return w.line == 0 ? fallback : w;
  }

  static std::string describe(const YAML::Node& node) {
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null: return "nothing";
      case YAML::NodeType::Scalar: return quote(node.Scalar());
      case YAML::NodeType::Sequence: return "a list of " + std::to_string(node.size());
      case YAML::NodeType::Map: return "a map";
    }
    return "something else";
  }

  // The text of a scalar, or an error saying `expected`.
  std::optional<std::string> text(const YAML::Node& value, Where at, std::string_view expected) {
    if (value.IsScalar()) return value.Scalar();
    r_.error(at, "expected " + std::string(expected) + ", found " + describe(value));
    return std::nullopt;
  }

  std::optional<double> number(const YAML::Node& value, Where at, std::string_view expected) {
    if (value.IsScalar()) {
      if (auto d = internal::parse_finite_double(value.Scalar())) return d;
    }
    r_.error(at, "expected " + std::string(expected) + ", found " + describe(value));
    return std::nullopt;
  }

  // [latitude, longitude]
  std::optional<GeoPoint> point(const YAML::Node& value, Where at) {
    if (!value.IsSequence() || value.size() != 2) {
      r_.error(at, "expected a point [latitude, longitude], found " + describe(value));
      return std::nullopt;
    }
    auto lat = number(value[0], this->at(value[0], at), "a latitude in degrees (a number)");
    auto lon = number(value[1], this->at(value[1], at), "a longitude in degrees (a number)");
    if (!lat || !lon) return std::nullopt;
    bool ok = check_latitude(*lat, this->at(value[0], at), r_);
    ok = check_longitude(*lon, this->at(value[1], at), r_) && ok;
    if (!ok) return std::nullopt;
    return GeoPoint{*lat, *lon};
  }

  // Calls fn(key, key_at, value) for each entry of the map `node`, reporting keys
  // that are not plain text and keys given twice (`where_text`: "in this place").
  void for_each_entry(const YAML::Node& node, Where fallback, std::string_view where_text,
                      const std::function<void(const std::string&, Where, const YAML::Node&)>& fn) {
    std::map<std::string, int> seen;
    for (const auto& entry : node) {
      const YAML::Node key = entry.first;  // Nodes are handles: copies are cheap
      Where key_at = at(key, fallback);
      if (!key.IsScalar()) {
        r_.error(key_at, "expected a key (a name followed by ':'), found " + describe(key));
        continue;
      }
      auto [first, inserted] = seen.emplace(key.Scalar(), key_at.line);
      if (!inserted) {
        r_.error(key_at, "key " + quote(key.Scalar()) + " appears twice " + std::string(where_text) +
                             "; first on line " + std::to_string(first->second));
        continue;
      }
      fn(key.Scalar(), key_at, entry.second);
    }
  }

  // attributes: a map of names to text or numbers, all kept as text.
  std::map<std::string, std::string> attributes(const YAML::Node& value, Where at) {
    std::map<std::string, std::string> out;
    if (!value.IsMap()) {
      r_.error(at, "expected attributes as a map (name: value on each line), found " + describe(value));
      return out;
    }
    for_each_entry(value, at, "in these attributes", [&](const std::string& key, Where key_at, const YAML::Node& v) {
      if (key.empty()) {
        r_.error(key_at, "an attribute has an empty name; expected a name");
        return;
      }
      if (auto t = text(v, this->at(v, key_at), "a text or a number for attribute " + quote(key))) out[key] = *t;
    });
    return out;
  }

  std::optional<YAML::Node> load(std::string_view content, std::string_view list_key) {
    const std::string text(content);
    YAML::Node root;
    try {
      // Not YAML::LoadAll: it can loop forever on bad input (see yaml_document.h).
      auto doc = load_yaml_document(text);
      if (doc.outcome == YamlDocument::Outcome::kStuck) {
        std::string what = doc.where.pos >= 0 && static_cast<std::size_t>(doc.where.pos) < text.size()
                               ? "unexpected " + internal::describe_char(text[static_cast<std::size_t>(doc.where.pos)])
                               : "unexpected text";
        r_.error(index_.at_mark(doc.where), "this is not valid YAML: " + what);
        return std::nullopt;
      }
      if (doc.outcome == YamlDocument::Outcome::kSecondDocument) {
        r_.error(index_.at_mark(doc.where), "a second YAML document (after ---); expected one document per file");
        return std::nullopt;
      }
      root = doc.root;
    } catch (const YAML::Exception& e) {
      r_.error(index_.at_mark(e.mark), "this is not valid YAML: " + e.msg);
      return std::nullopt;
    }
    if (!root.IsDefined() || root.IsNull()) {
      r_.error({}, "the file is empty; expected \"" + std::string(list_key) + ":\" followed by a list");
      return std::nullopt;
    }
    return root;
  }

  // A top-level key other than the list's (e.g. a file-wide default), and what to do
  // with its value.
  struct TopKey {
    std::string_view name;
    std::function<void(Where key_at, const YAML::Node& value)> read;
  };

  // The list under `list_key` ("places", "sensors") in the top-level map; `others`
  // are the other keys the top-level map may have.
  std::optional<YAML::Node> top_list(const YAML::Node& root, std::string_view list_key,
                                     const std::vector<TopKey>& others = {}) {
    const Where root_at = at(root, {1, 1});
    const std::string key_text = "\"" + std::string(list_key) + "\"";
    std::string expected_keys = key_text;
    for (const auto& other : others) expected_keys += " or \"" + std::string(other.name) + "\"";
    if (!root.IsMap()) {
      r_.error(root_at, "expected a map with the key " + key_text + " at the top of the file, found " + describe(root));
      return std::nullopt;
    }
    std::optional<YAML::Node> list;
    bool found = false;
    for_each_entry(
        root, root_at, "at the top of the file", [&](const std::string& key, Where key_at, const YAML::Node& v) {
          if (key != list_key) {
            for (const auto& other : others) {
              if (key == other.name) return other.read(key_at, v);
            }
            r_.error(key_at, "unknown key " + quote(key) + " at the top of the file; expected " + expected_keys);
            return;
          }
          found = true;
          if (v.IsNull()) {
            list = YAML::Node(YAML::NodeType::Sequence);  // "places:" with nothing: an empty list
          } else if (v.IsSequence()) {
            list = v;
          } else {
            r_.error(at(v, key_at), "expected a list under " + key_text +
                                        " (one item per line, each starting with '- '), found " + describe(v));
          }
        });
    if (!found) {
      r_.error(root_at, "no " + key_text + " key; expected the file to start with " + std::string(list_key) + ":");
    }
    return list;
  }

 private:
  const TextIndex& index_;
  Reporter& r_;
};

inline std::string unknown_key_message(const std::string& key, std::string_view noun,
                                const std::vector<std::string_view>& keys) {
  return "unknown key " + quote(key) + " in this " + std::string(noun) + "; expected " + join(keys, ", ");
}

// ---- CSV -------------------------------------------------------------------------------

struct Cell {
  std::string text;
  Where at;
  std::size_t offset = 0;  // byte offset of the field's start (its opening quote, if quoted)
};

struct Row {
  std::vector<Cell> cells;
  Where end;  // just after the last field: where a missing field was expected
};

// Drives libcsv one byte at a time so that each field's position is known: a field
// starts after the previous field's terminator (skipping the blanks and empty lines
// libcsv skips) and ends at the byte during which libcsv reports it.
class CsvReader {
 public:
  CsvReader(std::string_view text, const TextIndex& index) : text_(text), index_(index) {}

  // False (after reporting) when the text is not well-formed CSV.
  bool read(Reporter& r, std::vector<Row>& rows) {
    csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
      r.error({}, "could not start the CSV reader");
      return false;
    }
    bool ok = true;
    for (cur_ = 0; cur_ < text_.size(); ++cur_) {
      if (csv_parse(&parser, text_.data() + cur_, 1, &CsvReader::on_field, &CsvReader::on_row, this) != 1) {
        r.error(index_.at_offset(cur_),
                text_[cur_] == '"'
                    ? "a quote inside a field that does not start with one; put the whole field in quotes and "
                      "write a quote inside it as two quotes (\"\")"
                    : "unexpected " + internal::describe_char(text_[cur_]) +
                          " after the closing quote of a field; expected a comma or the end of the line");
        ok = false;
        break;
      }
    }
    if (ok && csv_fini(&parser, &CsvReader::on_field, &CsvReader::on_row, this) != 0) {
      r.error(index_.at_offset(field_start()), "this quoted field has no closing quote; expected a \" at its end");
      ok = false;
    }
    csv_free(&parser);
    if (ok) rows = std::move(rows_);
    return ok;
  }

 private:
  std::size_t field_start() const {
    std::size_t start = field_from_;
    while (start < cur_ && start < text_.size() &&
           (text_[start] == ' ' || text_[start] == '\t' || text_[start] == '\r' || text_[start] == '\n')) {
      ++start;
    }
    return start;
  }

  static void on_field(void* data, std::size_t len, void* self_ptr) {
    auto& self = *static_cast<CsvReader*>(self_ptr);
    std::string text = (data != nullptr && len > 0) ? std::string(static_cast<const char*>(data), len) : std::string();
    const std::size_t start = self.field_start();
    self.row_.cells.push_back({std::move(text), self.index_.at_offset(start), start});
    self.field_from_ = self.cur_ + 1;
  }

  static void on_row(int, void* self_ptr) {
    auto& self = *static_cast<CsvReader*>(self_ptr);
    self.row_.end = self.index_.at_offset(self.cur_);
    self.rows_.push_back(std::move(self.row_));
    self.row_ = Row{};
    self.field_from_ = self.cur_ + 1;
  }

  std::string_view text_;
  const TextIndex& index_;
  std::size_t cur_ = 0;         // the byte being fed to libcsv
  std::size_t field_from_ = 0;  // just after the last terminator
  Row row_;
  std::vector<Row> rows_;
};

// Column names of a header row, and the rules for them.
class CsvHeader {
 public:
  // `known`: the columns with a meaning; `required`: those that must be present.
  bool read(const Row& header, const std::vector<std::string_view>& known,
            const std::vector<std::string_view>& required, Reporter& r) {
    bool ok = true;
    std::map<std::string, std::size_t> first;
    for (std::size_t i = 0; i < header.cells.size(); ++i) {
      const Cell& cell = header.cells[i];
      const std::string name = trim(cell.text);
      if (name.empty()) {
        r.error(cell.at, "column " + std::to_string(i + 1) + " of the header row has no name; expected a column name");
        ok = false;
        continue;
      }
      if (auto [it, inserted] = first.emplace(name, i); !inserted) {
        r.error(cell.at, "column " + quote(name) + " appears twice in the header row; first as column " +
                             std::to_string(it->second + 1));
        ok = false;
        continue;
      }
      for (auto k : known) {
        if (name != k && name.size() == k.size() && std::equal(name.begin(), name.end(), k.begin(), [](char a, char b) {
              return std::tolower(static_cast<unsigned char>(a)) == b;
            })) {
          r.error(cell.at,
                  "column " + quote(name) + ": column names are lower case; expected \"" + std::string(k) + "\"");
          ok = false;
        }
      }
      columns_[name] = i;
    }
    for (auto k : required) {
      if (!columns_.count(std::string(k))) {
        r.error({header_line(header), 0}, "the header row has no \"" + std::string(k) +
                                              "\" column; expected the columns " + join(known, ",") +
                                              " (required: " + join(required, ",") + ")");
        ok = false;
      }
    }
    count_ = header.cells.size();
    return ok;
  }

  static int header_line(const Row& row) { return row.cells.empty() ? row.end.line : row.cells.front().at.line; }

  std::optional<std::size_t> column(std::string_view name) const {
    auto it = columns_.find(std::string(name));
    if (it == columns_.end()) return std::nullopt;
    return it->second;
  }
  const std::map<std::string, std::size_t>& columns() const { return columns_; }
  std::size_t count() const { return count_; }

  // False (after reporting) when `row` has a different number of fields.
  bool fits(const Row& row, Reporter& r) const {
    if (row.cells.size() == count_) return true;
    Where at = row.cells.size() > count_ ? row.cells[count_].at : row.end;
    r.error(at, "expected " + std::to_string(count_) + " fields, as in the header row, found " +
                    std::to_string(row.cells.size()));
    return false;
  }

 private:
  std::map<std::string, std::size_t> columns_;
  std::size_t count_ = 0;
};

// Reads rows[0] as the header; false when the file has none or it is wrong.
inline bool read_csv(std::string_view text, const TextIndex& index, Reporter& r, std::vector<Row>& rows,
              const std::vector<std::string_view>& known, const std::vector<std::string_view>& required,
              CsvHeader& header) {
  CsvReader reader(text, index);
  if (!reader.read(r, rows)) return false;
  if (rows.empty()) {
    r.error({}, "the file is empty; expected a header row: " + join(known, ","));
    return false;
  }
  return header.read(rows[0], known, required, r);
}

inline std::optional<double> csv_number(const Cell& cell, std::string_view expected, Reporter& r) {
  auto d = internal::parse_finite_double(trim(cell.text));
  if (!d) r.error(cell.at, "expected " + std::string(expected) + ", found " + quote(cell.text));
  return d;
}

// ---- Import entry points ---------------------------------------------------------------

enum class Format { kCsv, kYaml };

inline std::optional<Format> format_of(std::string_view file_name) {
  auto dot = file_name.rfind('.');
  auto slash = file_name.find_last_of("/\\");
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return std::nullopt;
  std::string ext(file_name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == "csv") return Format::kCsv;
  if (ext == "yaml" || ext == "yml") return Format::kYaml;
  return std::nullopt;
}

// Everything both importers do first: the extension, UTF-8, a byte-order mark.
template <typename T, typename FromCsv, typename FromYaml>
ImportResult<T> import(std::string_view text, std::string_view file_name, FromCsv from_csv, FromYaml from_yaml) {
  ImportResult<T> result;
  Reporter r(file_name);
  try {
    auto format = format_of(file_name);
    if (!format) {
      r.error({}, "cannot tell the format from the file name " + quote(file_name) +
                      "; expected a name ending in .csv, .yaml or .yml");
      result.diagnostics = r.take();
      return result;
    }
    // Spreadsheet programs often put a UTF-8 byte-order mark first; it is not content.
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    const TextIndex index(text);
    if (auto bad = internal::find_invalid_utf8(text); bad != internal::kNoPosition) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(text[bad])));
      r.error(index.at_offset(bad), std::string("byte ") + hex +
                                        " is not UTF-8 text; expected the file saved as UTF-8 (in a spreadsheet: "
                                        "\"CSV UTF-8\")");
      result.diagnostics = r.take();
      return result;
    }
    if (*format == Format::kCsv) {
      result.items = from_csv(text, index, r);
    } else {
      YamlFile yaml(index, r);
      result.items = from_yaml(yaml, text);
    }
  } catch (const std::exception& e) {
    // Not expected; a file must never take the engine down.
    r.error({}, std::string("internal error while reading the file: ") + e.what());
  }
  if (!r.clean()) result.items.clear();
  result.diagnostics = r.take();
  return result;
}

// ---- JSON storage ----------------------------------------------------------------------

using nlohmann::json;
using nlohmann::ordered_json;

inline std::string dump(const ordered_json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

inline ordered_json attributes_json(const std::map<std::string, std::string>& attributes) {
  ordered_json out = ordered_json::object();
  for (const auto& [k, v] : attributes) out[k] = v;
  return out;
}

// Reading the storage form: any deviation is corruption, reported with what was found.
class StoredReader {
 public:
  explicit StoredReader(std::string noun) : noun_(std::move(noun)) {}

  Status corrupt(const std::string& what) const { return Status::corruption("stored " + noun_ + ": " + what); }

  StatusOr<json> parse(std::string_view text) const {
    json j = json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded()) return corrupt("not valid JSON");
    if (!j.is_object()) return corrupt("expected a JSON object, found " + std::string(j.type_name()));
    return j;
  }

  Status string_field(const json& j, const char* key, bool required, std::string& out) const {
    auto it = j.find(key);
    if (it == j.end()) return required ? corrupt(std::string("field \"") + key + "\" is missing") : Status::ok();
    if (!it->is_string()) {
      return corrupt(std::string("field \"") + key + "\" must be a string, found " + it->type_name());
    }
    out = it->get<std::string>();
    return Status::ok();
  }

  static std::optional<double> finite(const json& j) {
    if (!j.is_number()) return std::nullopt;
    double d = j.get<double>();
    if (!std::isfinite(d)) return std::nullopt;
    return d;
  }

  // {"lat": .., "lon": ..} for a place's point, [lat, lon] in a polygon.
  Status point(const json& j, bool as_pair, const std::string& what, GeoPoint& out) const {
    std::optional<double> lat, lon;
    if (as_pair && j.is_array() && j.size() == 2) {
      lat = finite(j[0]);
      lon = finite(j[1]);
    } else if (!as_pair && j.is_object() && j.size() == 2 && j.contains("lat") && j.contains("lon")) {
      lat = finite(j["lat"]);
      lon = finite(j["lon"]);
    }
    if (!lat || !lon) {
      return corrupt(what + " must be " +
                     (as_pair ? "[latitude, longitude]" : "{\"lat\": latitude, \"lon\": longitude}") +
                     " in degrees, found " + j.dump());
    }
    if (*lat < -90 || *lat > 90 || *lon < -180 || *lon > 180) {
      return corrupt(what + " has a latitude or longitude out of range: " + j.dump());
    }
    out = GeoPoint{*lat, *lon};
    return Status::ok();
  }

  Status attributes(const json& j, std::map<std::string, std::string>& out) const {
    auto it = j.find("attributes");
    if (it == j.end()) return Status::ok();
    if (!it->is_object()) {
      return corrupt(std::string("field \"attributes\" must be an object, found ") + it->type_name());
    }
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) return corrupt("attribute " + quote(k) + " must be a string, found " + v.type_name());
      out[k] = v.get<std::string>();
    }
    return Status::ok();
  }

 private:
  std::string noun_;
};
}  // namespace lookout::sensors::internal
