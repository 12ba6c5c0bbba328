// Place and sensor registries: import from CSV (libcsv) or YAML (yaml-cpp), storage
// form (JSON), and the in-memory registries. Formats: docs/registries.md.
#include "lookout/sensors/registry.h"

#include "lookout/base/yaml_document.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <set>
#include <sstream>
#include <utility>

#include <csv.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "text_util.h"

namespace lookout::sensors {

bool is_valid_sensor_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
  });
}

namespace {

using internal::format_number;
using internal::quote;

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
    if (mark.line < 0 || static_cast<std::size_t>(mark.line) >= line_starts_.size() || mark.column < 0) return {};
    return at_offset(line_starts_[static_cast<std::size_t>(mark.line)] + static_cast<std::size_t>(mark.column));
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
  Diagnostics take() { return std::move(diagnostics_); }

 private:
  std::string file_;
  Diagnostics diagnostics_;
};

// ---- Checks shared by both formats ---------------------------------------------------

std::optional<PlacePath> check_place_path(const std::string& text, Where at, Reporter& r) {
  auto path = PlacePath::parse(text);
  if (!path) {
    r.error(at, path.status().message());
    return std::nullopt;
  }
  return std::move(path).value();
}

std::optional<std::string> latitude_problem(double lat) {
  if (lat >= -90 && lat <= 90) return std::nullopt;
  return "latitude " + format_number(lat) +
         " is outside -90 to 90; expected degrees north, written before the longitude";
}

std::optional<std::string> longitude_problem(double lon) {
  if (lon >= -180 && lon <= 180) return std::nullopt;
  return "longitude " + format_number(lon) + " is outside -180 to 180; expected degrees east";
}

bool check_latitude(double lat, Where at, Reporter& r) {
  auto problem = latitude_problem(lat);
  if (problem) r.error(at, *problem);
  return !problem;
}

bool check_longitude(double lon, Where at, Reporter& r) {
  auto problem = longitude_problem(lon);
  if (problem) r.error(at, *problem);
  return !problem;
}

bool check_radius(double radius, Where at, Reporter& r) {
  if (radius >= 0) return true;
  r.error(at, "radius_m is " + format_number(radius) + "; expected a radius in metres, 0 or more");
  return false;
}

std::string point_text(const GeoPoint& p) { return "[" + format_number(p.lat) + ", " + format_number(p.lon) + "]"; }

// A closed ring: at least 4 points, the last repeating the first.
void check_polygon_shape(const std::vector<GeoPoint>& ring, Where at_polygon, Where at_last, Reporter& r) {
  if (ring.size() < 4) {
    r.error(at_polygon, "a polygon needs at least 4 points (a closed ring whose last point repeats the first), found " +
                            std::to_string(ring.size()));
  } else if (ring.front() != ring.back()) {
    r.error(at_last, "the polygon is not closed: its last point " + point_text(ring.back()) +
                         " must repeat its first point " + point_text(ring.front()));
  }
}

bool check_sensor_id(const std::string& id, Where at, Reporter& r) {
  if (is_valid_sensor_id(id)) return true;
  r.error(at, "sensor id " + quote(id) + " is not valid; expected 1 to 64 of A-Z, a-z, 0-9, '_', '.', '-'");
  return false;
}

bool check_quantity(const std::string& name, Where at, Reporter& r) {
  if (internal::is_valid_senml_name(name)) return true;
  r.error(at, "quantity " + quote(name) +
                  " is not a SenML name; expected letters, digits and - : . / _ starting with a letter or digit, "
                  "e.g. smoke or temperature");
  return false;
}

bool check_kind(const std::string& kind, Where at, Reporter& r) {
  if (!kind.empty()) return true;
  r.error(at, "kind is empty; expected the kind of sensor, e.g. smoke_detector");
  return false;
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
std::vector<std::string> split_any(std::string_view text, std::string_view separators) {
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

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

std::string join(const std::vector<std::string_view>& words, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i) out += sep;
    out += words[i];
  }
  return out;
}

// ---- YAML ------------------------------------------------------------------------------


class YamlFile {
 public:
  YamlFile(const TextIndex& index, Reporter& r) : index_(index), r_(r) {}

  Reporter& reporter() { return r_; }

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

  // The list under `list_key` ("places", "sensors") in the top-level map.
  std::optional<YAML::Node> top_list(const YAML::Node& root, std::string_view list_key) {
    const Where root_at = at(root, {1, 1});
    const std::string key_text = "\"" + std::string(list_key) + "\"";
    if (!root.IsMap()) {
      r_.error(root_at, "expected a map with the key " + key_text + " at the top of the file, found " + describe(root));
      return std::nullopt;
    }
    std::optional<YAML::Node> list;
    bool found = false;
    for_each_entry(
        root, root_at, "at the top of the file", [&](const std::string& key, Where key_at, const YAML::Node& v) {
          if (key != list_key) {
            r_.error(key_at, "unknown key " + quote(key) + " at the top of the file; expected " + key_text);
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

std::string unknown_key_message(const std::string& key, std::string_view noun,
                                const std::vector<std::string_view>& keys) {
  return "unknown key " + quote(key) + " in this " + std::string(noun) + "; expected " + join(keys, ", ");
}

std::vector<PlaceInfo> places_from_yaml(YamlFile& y, std::string_view text) {
  Reporter& r = y.reporter();
  std::vector<PlaceInfo> out;
  auto root = y.load(text, "places");
  if (!root) return out;
  auto list = y.top_list(*root, "places");
  if (!list) return out;

  static const std::vector<std::string_view> kKeys = {"path", "name", "point", "radius_m", "polygon", "attributes"};
  const Where list_at = y.at(*list, {1, 1});
  Uniqueness unique("place");
  std::size_t index = 0;
  for (const auto& item : *list) {
    ++index;
    const Where item_at = y.at(item, list_at);
    if (!item.IsMap()) {
      r.error(item_at, "item " + std::to_string(index) +
                           " of places: expected a place (a map with path, name, ...), found " +
                           YamlFile::describe(item));
      continue;
    }
    PlaceInfo place;
    bool has_path = false, has_point = false;
    std::optional<Where> radius_at;
    y.for_each_entry(item, item_at, "in this place", [&](const std::string& key, Where key_at, const YAML::Node& v) {
      const Where at = y.at(v, key_at);
      if (key == "path") {
        has_path = true;
        auto t = y.text(v, at, "a place path like xc/hl/qy/g03");
        auto path = t ? check_place_path(*t, at, r) : std::nullopt;
        if (path) {
          place.path = *path;
          unique.add(path->str(), at, r);
        }
      } else if (key == "name") {
        if (auto t = y.text(v, at, "a display name")) place.name = *t;
      } else if (key == "point") {
        has_point = true;
        place.point = y.point(v, at);
      } else if (key == "radius_m") {
        radius_at = at;
        auto d = y.number(v, at, "a radius in metres (a number, 0 or more)");
        if (d && check_radius(*d, at, r)) place.radius_m = *d;
      } else if (key == "polygon") {
        if (!v.IsSequence()) {
          r.error(at, "expected a polygon as a list of [latitude, longitude] points, found " + YamlFile::describe(v));
          return;
        }
        bool points_ok = true;
        Where last_at = at;
        for (const auto& p : v) {
          last_at = y.at(p, at);
          auto gp = y.point(p, last_at);
          if (gp) place.polygon.push_back(*gp);
          points_ok = points_ok && gp.has_value();
        }
        if (points_ok) check_polygon_shape(place.polygon, at, last_at, r);
      } else if (key == "attributes") {
        place.attributes = y.attributes(v, at);
      } else {
        r.error(key_at, unknown_key_message(key, "place", kKeys));
      }
    });
    if (!has_path) r.error(item_at, "this place has no path; expected e.g. path: xc/hl/qy/g03");
    if (radius_at && !has_point) {
      r.error(*radius_at, "radius_m needs a point (the centre of the circle); expected point: [latitude, longitude]");
    }
    out.push_back(std::move(place));
  }
  return out;
}

std::vector<SensorInfo> sensors_from_yaml(YamlFile& y, std::string_view text) {
  Reporter& r = y.reporter();
  std::vector<SensorInfo> out;
  auto root = y.load(text, "sensors");
  if (!root) return out;
  auto list = y.top_list(*root, "sensors");
  if (!list) return out;

  static const std::vector<std::string_view> kKeys = {"id", "place", "kind", "quantities", "attributes"};
  const Where list_at = y.at(*list, {1, 1});
  Uniqueness unique("sensor");
  std::size_t index = 0;
  for (const auto& item : *list) {
    ++index;
    const Where item_at = y.at(item, list_at);
    if (!item.IsMap()) {
      r.error(item_at, "item " + std::to_string(index) +
                           " of sensors: expected a sensor (a map with id, place, ...), found " +
                           YamlFile::describe(item));
      continue;
    }
    SensorInfo sensor;
    bool has_id = false, has_place = false, has_kind = false, has_quantities = false;
    y.for_each_entry(item, item_at, "in this sensor", [&](const std::string& key, Where key_at, const YAML::Node& v) {
      const Where at = y.at(v, key_at);
      if (key == "id") {
        has_id = true;
        auto t = y.text(v, at, "a sensor id like smoke-b12-3f");
        if (t && check_sensor_id(*t, at, r)) {
          sensor.id = *t;
          unique.add(*t, at, r);
        }
      } else if (key == "place") {
        has_place = true;
        auto t = y.text(v, at, "a place path like xc/hl/qy/g03/b12");
        if (t) {
          if (auto path = check_place_path(*t, at, r)) sensor.place = *path;
        }
      } else if (key == "kind") {
        has_kind = true;
        auto t = y.text(v, at, "the kind of sensor, e.g. smoke_detector");
        if (t && check_kind(*t, at, r)) sensor.kind = *t;
      } else if (key == "quantities") {
        has_quantities = true;
        if (!v.IsSequence() || v.size() == 0) {
          r.error(at, "expected a list of at least one quantity, e.g. [smoke, temperature], found " +
                          YamlFile::describe(v));
          return;
        }
        std::set<std::string> seen;
        for (const auto& q : v) {
          const Where q_at = y.at(q, at);
          auto t = y.text(q, q_at, "a quantity name (a SenML name such as smoke)");
          if (!t || !check_quantity(*t, q_at, r)) continue;
          if (!seen.insert(*t).second) {
            r.error(q_at, "quantity " + quote(*t) + " is listed twice for this sensor");
            continue;
          }
          sensor.quantities.push_back(*t);
        }
      } else if (key == "attributes") {
        sensor.attributes = y.attributes(v, at);
      } else {
        r.error(key_at, unknown_key_message(key, "sensor", kKeys));
      }
    });
    if (!has_id) r.error(item_at, "this sensor has no id; expected e.g. id: smoke-b12-3f");
    if (!has_place) r.error(item_at, "this sensor has no place; expected e.g. place: xc/hl/qy/g03/b12");
    if (!has_kind) r.error(item_at, "this sensor has no kind; expected e.g. kind: smoke_detector");
    if (!has_quantities) {
      r.error(item_at, "this sensor has no quantities; expected e.g. quantities: [smoke, temperature]");
    }
    out.push_back(std::move(sensor));
  }
  return out;
}

// ---- CSV -------------------------------------------------------------------------------

struct Cell {
  std::string text;
  Where at;
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
    self.row_.cells.push_back({std::move(text), self.index_.at_offset(self.field_start())});
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
bool read_csv(std::string_view text, const TextIndex& index, Reporter& r, std::vector<Row>& rows,
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

std::optional<double> csv_number(const Cell& cell, std::string_view expected, Reporter& r) {
  auto d = internal::parse_finite_double(trim(cell.text));
  if (!d) r.error(cell.at, "expected " + std::string(expected) + ", found " + quote(cell.text));
  return d;
}

// "lat lon;lat lon;..." (a trailing ';' is allowed).
std::optional<std::vector<GeoPoint>> csv_polygon(const Cell& cell, Reporter& r) {
  std::vector<GeoPoint> ring;
  std::vector<std::string> pieces;
  std::string_view text = cell.text;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    pieces.push_back(trim(text.substr(start, end - start)));
    start = end + 1;
  }
  if (pieces.size() > 1 && pieces.back().empty()) pieces.pop_back();
  bool ok = true;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    auto numbers = split_any(pieces[i], " \t");
    std::optional<double> lat, lon;
    if (numbers.size() == 2) {
      lat = internal::parse_finite_double(numbers[0]);
      lon = internal::parse_finite_double(numbers[1]);
    }
    const std::string which = "polygon point " + std::to_string(i + 1) + ": ";
    if (!lat || !lon) {
      r.error(cell.at, which +
                           "expected \"latitude longitude\" (two numbers separated by a space; points separated by "
                           "';'), found " +
                           quote(pieces[i]));
      ok = false;
      continue;
    }
    auto lat_problem = latitude_problem(*lat), lon_problem = longitude_problem(*lon);
    if (lat_problem) r.error(cell.at, which + *lat_problem);
    if (lon_problem) r.error(cell.at, which + *lon_problem);
    if (lat_problem || lon_problem) {
      ok = false;
      continue;
    }
    ring.push_back({*lat, *lon});
  }
  if (!ok) return std::nullopt;
  return ring;
}

std::vector<PlaceInfo> places_from_csv(std::string_view text, const TextIndex& index, Reporter& r) {
  static const std::vector<std::string_view> kKnown = {"path", "name", "lat", "lon", "radius_m", "polygon"};
  std::vector<PlaceInfo> out;
  std::vector<Row> rows;
  CsvHeader header;
  if (!read_csv(text, index, r, rows, kKnown, {"path"}, header)) return out;

  const auto path_col = header.column("path");
  const auto name_col = header.column("name");
  const auto lat_col = header.column("lat");
  const auto lon_col = header.column("lon");
  const auto radius_col = header.column("radius_m");
  const auto polygon_col = header.column("polygon");
  if (lat_col.has_value() != lon_col.has_value()) {
    const Cell& present = rows[0].cells[lat_col ? *lat_col : *lon_col];
    r.error(present.at, std::string("a \"") + (lat_col ? "lat" : "lon") + "\" column needs a \"" +
                            (lat_col ? "lon" : "lat") + "\" column too");
    return out;
  }
  std::vector<std::pair<std::string, std::size_t>> attribute_cols;
  for (const auto& [name, col] : header.columns()) {
    if (std::find(kKnown.begin(), kKnown.end(), name) == kKnown.end()) attribute_cols.emplace_back(name, col);
  }

  Uniqueness unique("place");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const Row& row = rows[i];
    if (!header.fits(row, r)) continue;
    PlaceInfo place;
    const Cell& path_cell = row.cells[*path_col];
    if (path_cell.text.empty()) {
      r.error(path_cell.at, "path is empty; expected a place path like xc/hl/qy/g03");
    } else if (auto path = check_place_path(path_cell.text, path_cell.at, r)) {
      place.path = *path;
      unique.add(path->str(), path_cell.at, r);
    }
    if (name_col) place.name = row.cells[*name_col].text;

    bool point_ok = true;
    if (lat_col) {
      const Cell& lat_cell = row.cells[*lat_col];
      const Cell& lon_cell = row.cells[*lon_col];
      const bool has_lat = !trim(lat_cell.text).empty(), has_lon = !trim(lon_cell.text).empty();
      if (has_lat != has_lon) {
        const Cell& empty = has_lat ? lon_cell : lat_cell;
        r.error(empty.at, std::string(has_lat ? "lon" : "lat") + " is empty but " + (has_lat ? "lat" : "lon") +
                              " is given; expected both (a point) or neither");
        point_ok = false;
      } else if (has_lat) {
        auto lat = csv_number(lat_cell, "a latitude in degrees (a number)", r);
        auto lon = csv_number(lon_cell, "a longitude in degrees (a number)", r);
        bool ok = lat && check_latitude(*lat, lat_cell.at, r);
        ok = lon && check_longitude(*lon, lon_cell.at, r) && ok;
        if (ok) place.point = GeoPoint{*lat, *lon};
        point_ok = ok;
      }
    }
    if (radius_col && !trim(row.cells[*radius_col].text).empty()) {
      const Cell& cell = row.cells[*radius_col];
      auto d = csv_number(cell, "a radius in metres (a number, 0 or more)", r);
      if (d && check_radius(*d, cell.at, r)) place.radius_m = *d;
      if (!place.point && point_ok) {
        r.error(cell.at, "radius_m needs a point (the centre of the circle); expected lat and lon on this row");
      }
    }
    if (polygon_col && !trim(row.cells[*polygon_col].text).empty()) {
      const Cell& cell = row.cells[*polygon_col];
      if (auto ring = csv_polygon(cell, r)) {
        check_polygon_shape(*ring, cell.at, cell.at, r);
        place.polygon = std::move(*ring);
      }
    }
    for (const auto& [name, col] : attribute_cols) {
      if (!row.cells[col].text.empty()) place.attributes[name] = row.cells[col].text;
    }
    out.push_back(std::move(place));
  }
  return out;
}

std::vector<SensorInfo> sensors_from_csv(std::string_view text, const TextIndex& index, Reporter& r) {
  static const std::vector<std::string_view> kKnown = {"id", "place", "kind", "quantities"};
  std::vector<SensorInfo> out;
  std::vector<Row> rows;
  CsvHeader header;
  if (!read_csv(text, index, r, rows, kKnown, kKnown, header)) return out;

  const std::size_t id_col = *header.column("id"), place_col = *header.column("place");
  const std::size_t kind_col = *header.column("kind"), quantities_col = *header.column("quantities");
  std::vector<std::pair<std::string, std::size_t>> attribute_cols;
  for (const auto& [name, col] : header.columns()) {
    if (std::find(kKnown.begin(), kKnown.end(), name) == kKnown.end()) attribute_cols.emplace_back(name, col);
  }

  Uniqueness unique("sensor");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const Row& row = rows[i];
    if (!header.fits(row, r)) continue;
    SensorInfo sensor;
    const Cell& id = row.cells[id_col];
    if (id.text.empty()) {
      r.error(id.at, "id is empty; expected a sensor id like smoke-b12-3f");
    } else if (check_sensor_id(id.text, id.at, r)) {
      sensor.id = id.text;
      unique.add(id.text, id.at, r);
    }
    const Cell& place = row.cells[place_col];
    if (place.text.empty()) {
      r.error(place.at, "place is empty; expected a place path like xc/hl/qy/g03/b12");
    } else if (auto path = check_place_path(place.text, place.at, r)) {
      sensor.place = *path;
    }
    const Cell& kind = row.cells[kind_col];
    if (check_kind(kind.text, kind.at, r)) sensor.kind = kind.text;
    const Cell& quantities = row.cells[quantities_col];
    auto names = split_any(quantities.text, "; \t");
    if (names.empty()) {
      r.error(quantities.at, "quantities is empty; expected at least one, e.g. smoke;temperature");
    }
    std::set<std::string> seen;
    for (const auto& q : names) {
      if (!check_quantity(q, quantities.at, r)) continue;
      if (!seen.insert(q).second) {
        r.error(quantities.at, "quantity " + quote(q) + " is listed twice for this sensor");
        continue;
      }
      sensor.quantities.push_back(q);
    }
    for (const auto& [name, col] : attribute_cols) {
      if (!row.cells[col].text.empty()) sensor.attributes[name] = row.cells[col].text;
    }
    out.push_back(std::move(sensor));
  }
  return out;
}

// ---- Import entry points ---------------------------------------------------------------

enum class Format { kCsv, kYaml };

std::optional<Format> format_of(std::string_view file_name) {
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

std::string dump(const ordered_json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

ordered_json attributes_json(const std::map<std::string, std::string>& attributes) {
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

StatusOr<PlaceInfo> place_from_json_impl(std::string_view text) {
  StoredReader in("place");
  auto parsed = in.parse(text);
  if (!parsed) return parsed.status();
  const json& j = *parsed;
  PlaceInfo place;
  std::string path;
  if (Status st = in.string_field(j, "path", true, path); !st) return st;
  auto p = PlacePath::parse(path);
  if (!p) return in.corrupt(p.status().message());
  place.path = *p;
  if (Status st = in.string_field(j, "name", false, place.name); !st) return st;
  if (auto it = j.find("point"); it != j.end() && !it->is_null()) {
    GeoPoint gp;
    if (Status st = in.point(*it, false, "field \"point\"", gp); !st) return st;
    place.point = gp;
  }
  if (auto it = j.find("radius_m"); it != j.end()) {
    auto r = StoredReader::finite(*it);
    if (!r || *r < 0) return in.corrupt("field \"radius_m\" must be a number, 0 or more, found " + it->dump());
    place.radius_m = *r;
  }
  if (auto it = j.find("polygon"); it != j.end()) {
    if (!it->is_array()) return in.corrupt(std::string("field \"polygon\" must be an array, found ") + it->type_name());
    for (std::size_t i = 0; i < it->size(); ++i) {
      GeoPoint gp;
      if (Status st = in.point((*it)[i], true, "polygon point " + std::to_string(i + 1), gp); !st) return st;
      place.polygon.push_back(gp);
    }
    if (!place.polygon.empty() && (place.polygon.size() < 4 || place.polygon.front() != place.polygon.back())) {
      return in.corrupt("field \"polygon\" is not a closed ring of at least 4 points");
    }
  }
  if (Status st = in.attributes(j, place.attributes); !st) return st;
  return place;
}

StatusOr<SensorInfo> sensor_from_json_impl(std::string_view text) {
  StoredReader in("sensor");
  auto parsed = in.parse(text);
  if (!parsed) return parsed.status();
  const json& j = *parsed;
  SensorInfo sensor;
  if (Status st = in.string_field(j, "id", true, sensor.id); !st) return st;
  if (!is_valid_sensor_id(sensor.id)) return in.corrupt("id " + quote(sensor.id) + " is not a valid sensor id");
  std::string place;
  if (Status st = in.string_field(j, "place", true, place); !st) return st;
  auto p = PlacePath::parse(place);
  if (!p) return in.corrupt(p.status().message());
  sensor.place = *p;
  if (Status st = in.string_field(j, "kind", true, sensor.kind); !st) return st;
  if (auto it = j.find("quantities"); it != j.end()) {
    if (!it->is_array()) {
      return in.corrupt(std::string("field \"quantities\" must be an array, found ") + it->type_name());
    }
    for (const auto& q : *it) {
      if (!q.is_string()) return in.corrupt(std::string("a quantity must be a string, found ") + q.type_name());
      sensor.quantities.push_back(q.get<std::string>());
    }
  }
  if (Status st = in.attributes(j, sensor.attributes); !st) return st;
  return sensor;
}

}  // namespace

ImportResult<PlaceInfo> parse_places(std::string_view text, std::string_view file_name) {
  return import <PlaceInfo>(text, file_name, places_from_csv, places_from_yaml);
}

ImportResult<SensorInfo> parse_sensors(std::string_view text, std::string_view file_name) {
  return import <SensorInfo>(text, file_name, sensors_from_csv, sensors_from_yaml);
}

std::string to_json(const PlaceInfo& place) {
  ordered_json j;
  j["path"] = place.path.str();
  j["name"] = place.name;
  j["point"] = place.point ? ordered_json{{"lat", place.point->lat}, {"lon", place.point->lon}} : ordered_json(nullptr);
  j["radius_m"] = place.radius_m;
  j["polygon"] = ordered_json::array();
  for (const auto& p : place.polygon) j["polygon"].push_back({p.lat, p.lon});
  j["attributes"] = attributes_json(place.attributes);
  return dump(j);
}

std::string to_json(const SensorInfo& sensor) {
  ordered_json j;
  j["id"] = sensor.id;
  j["place"] = sensor.place.str();
  j["kind"] = sensor.kind;
  j["quantities"] = sensor.quantities;
  j["attributes"] = attributes_json(sensor.attributes);
  return dump(j);
}

StatusOr<PlaceInfo> place_from_json(std::string_view json_text) {
  try {
    return place_from_json_impl(json_text);
  } catch (const std::exception& e) {
    return Status::corruption(std::string("stored place: ") + e.what());
  }
}

StatusOr<SensorInfo> sensor_from_json(std::string_view json_text) {
  try {
    return sensor_from_json_impl(json_text);
  } catch (const std::exception& e) {
    return Status::corruption(std::string("stored sensor: ") + e.what());
  }
}

// ---- Registries --------------------------------------------------------------------------

void PlaceRegistry::upsert(PlaceInfo place) {
  PlacePath key = place.path;
  places_.insert_or_assign(std::move(key), std::move(place));
}

const PlaceInfo* PlaceRegistry::find(const PlacePath& path) const {
  auto it = places_.find(path);
  return it == places_.end() ? nullptr : &it->second;
}

std::string PlaceRegistry::display_name(const PlacePath& path) const {
  // From the place itself up to the root: the first with a name, then the segments
  // below it, e.g. "Grid 3 / b12".
  for (std::size_t depth = path.depth() + 1; depth-- > 0;) {
    const PlaceInfo* place = find(path.truncated(depth));
    if (place == nullptr || place->name.empty()) continue;
    std::string out = place->name;
    for (std::size_t i = depth; i < path.depth(); ++i) out += " / " + path.segments()[i];
    return out;
  }
  return path.str();
}

std::vector<const PlaceInfo*> PlaceRegistry::all() const {
  std::vector<const PlaceInfo*> out;
  out.reserve(places_.size());
  for (const auto& [path, place] : places_) out.push_back(&place);
  std::sort(out.begin(), out.end(), [](const PlaceInfo* a, const PlaceInfo* b) { return a->path < b->path; });
  return out;
}

void SensorRegistry::upsert(SensorInfo sensor) {
  std::string key = sensor.id;
  sensors_.insert_or_assign(std::move(key), std::move(sensor));
}

const SensorInfo* SensorRegistry::find(std::string_view id) const {
  auto it = sensors_.find(id);
  return it == sensors_.end() ? nullptr : &it->second;
}

std::vector<const SensorInfo*> SensorRegistry::all() const {
  std::vector<const SensorInfo*> out;
  out.reserve(sensors_.size());
  for (const auto& [id, sensor] : sensors_) out.push_back(&sensor);
  return out;
}

}  // namespace lookout::sensors
