// Place and sensor registries: import from CSV (libcsv) or YAML (yaml-cpp), storage
// form (JSON), and the in-memory registries. Formats: docs/registries.md.
#include "lookout/sensors/registry.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <utility>

#include "import_support.h"
#include "lookout/base/plain_json.h"
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

// The importers' shared machinery (import_support.h).
using namespace internal;

// ---- Checks shared by both formats ---------------------------------------------------

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


// ---- Reading a stored sensor without a JSON document -------------------------------------
//
// Every stored sensor is read when the engine starts; nlohmann::json's document (a
// std::map per object) was most of that time. The plain reader (lookout/base/plain_json.h)
// takes the records as to_json writes them (members in any order, plain ASCII member
// names, no \u escapes) straight into the SensorInfo; anything else goes to the full
// reader, which decides, with its errors.

// The sensor in `text` if it is a valid record in the plain form (each member once,
// none unknown), else nullopt: then the full reader says what it is.
std::optional<SensorInfo> sensor_from_plain_json(std::string_view text) {
  PlainJson in(text);
  SensorInfo sensor;
  std::string place, key;
  unsigned seen = 0;
  auto once = [&](unsigned b) {
    if ((seen & b) != 0) return false;  // twice: the full reader keeps the last
    seen |= b;
    return true;
  };
  bool ok = in.object([&](std::string_view name) {
    if (name == "id") return once(1) && in.string(sensor.id);
    if (name == "place") return once(2) && in.string(place);
    if (name == "kind") return once(4) && in.string(sensor.kind);
    if (name == "quantities") {
      return once(8) && in.array([&] { return in.string(sensor.quantities.emplace_back()); });
    }
    if (name == "attributes") {
      return once(16) && in.object([&](std::string_view attribute) {
        auto [it, added] = sensor.attributes.try_emplace(std::string(attribute));
        return added && in.string(it->second);
      });
    }
    return false;
  });
  if (!ok || !in.at_end() || (seen & 7) != 7 || !is_valid_sensor_id(sensor.id)) return std::nullopt;
  auto path = PlacePath::parse(place);
  if (!path.is_ok()) return std::nullopt;
  sensor.place = std::move(*path);
  return sensor;
}

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
  if (auto plain = sensor_from_plain_json(text)) return std::move(*plain);
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
  std::sort(out.begin(), out.end(), [](const SensorInfo* a, const SensorInfo* b) { return a->id < b->id; });
  return out;
}

}  // namespace lookout::sensors
