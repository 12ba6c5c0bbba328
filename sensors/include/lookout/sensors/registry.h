// The place registry and the sensor registry: which sensor id is where and what it
// measures, and what each place is called and where it lies. A reading's place and
// kind come from here, never from the payload (shared/contract.md).
//
// Files: CSV (with a header row) or YAML, chosen by the file name's extension (.csv,
// .yaml, .yml). Every problem is reported with file, line, column and what was
// expected, and a file with any problem imports nothing (the caller keeps what it had).
// Formats: docs/registries.md.
//
// Thread-safety: the registries are plain values, used on the core's strand.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lookout/base/diagnostic.h"
#include "lookout/base/place.h"
#include "lookout/base/status.h"
#include "lookout/base/string_map.h"

namespace lookout::sensors {

struct GeoPoint {
  double lat = 0;  // WGS84 degrees, [-90, 90]
  double lon = 0;  // WGS84 degrees, [-180, 180]
  bool operator==(const GeoPoint&) const = default;
};

struct PlaceInfo {
  PlacePath path;
  std::string name;                   // display name; may be empty
  std::optional<GeoPoint> point;      // centre, if known
  double radius_m = 0;                // with `point`: a circle of this radius (0: a point)
  std::vector<GeoPoint> polygon;      // closed ring (first == last), at least 4 points, or empty
  std::map<std::string, std::string> attributes;  // e.g. height_class: high_rise
  bool operator==(const PlaceInfo&) const = default;
};

struct SensorInfo {
  std::string id;                     // [A-Za-z0-9_.-]{1,64}
  PlacePath place;
  std::string kind;                   // e.g. smoke_detector, gas_detector, water_level
  std::vector<std::string> quantities;  // SenML names it sends (smoke, temperature, ...)
  std::map<std::string, std::string> attributes;
  bool operator==(const SensorInfo&) const = default;
};

bool is_valid_sensor_id(std::string_view id);  // [A-Za-z0-9_.-]{1,64}; also staff and incident ids

template <typename T>
struct ImportResult {
  std::vector<T> items;      // empty when diagnostics is not
  Diagnostics diagnostics;   // every problem found, not just the first
  bool ok() const { return diagnostics.empty(); }
};

// Parse a places or sensors file. `file_name` picks the format by extension and is
// used in diagnostics. Duplicate ids/paths within one file are errors.
ImportResult<PlaceInfo> parse_places(std::string_view text, std::string_view file_name);
ImportResult<SensorInfo> parse_sensors(std::string_view text, std::string_view file_name);

// Storage form (JSON), round-trips exactly.
std::string to_json(const PlaceInfo& place);
std::string to_json(const SensorInfo& sensor);
StatusOr<PlaceInfo> place_from_json(std::string_view json);
StatusOr<SensorInfo> sensor_from_json(std::string_view json);

class PlaceRegistry {
 public:
  void upsert(PlaceInfo place);
  const PlaceInfo* find(const PlacePath& path) const;
  // The display name of `path`, else of its nearest named ancestor followed by the
  // rest of the path, else the path itself.
  std::string display_name(const PlacePath& path) const;
  std::size_t size() const { return places_.size(); }
  std::vector<const PlaceInfo*> all() const;  // sorted by path

 private:
  std::unordered_map<PlacePath, PlaceInfo> places_;
};

class SensorRegistry {
 public:
  void upsert(SensorInfo sensor);
  const SensorInfo* find(std::string_view id) const;
  std::size_t size() const { return sensors_.size(); }
  std::vector<const SensorInfo*> all() const;  // sorted by id

 private:
  StringMap<SensorInfo> sensors_;  // by id; all() sorts
};

}  // namespace lookout::sensors
