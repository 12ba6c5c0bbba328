#include "lookout/sensors/registry.h"

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "import_support.h"  // the storage form's document reader, for the oracle below

namespace lookout {
// Readable diagnostics in test failures.
void PrintTo(const Diagnostic& d, std::ostream* os) { *os << d.to_string(); }
}  // namespace lookout

namespace lookout::sensors {
namespace {

using ::testing::HasSubstr;

PlacePath P(std::string_view text) { return PlacePath::parse(text).value(); }

Diagnostic D(const std::string& file, int line, int column, const std::string& message) {
  return {file, line, column, message};
}

// The diagnostics of a file that must be rejected; checks that nothing was imported.
template <typename T>
Diagnostics errors(const ImportResult<T>& result) {
  EXPECT_FALSE(result.ok()) << "accepted";
  EXPECT_TRUE(result.items.empty());
  return result.diagnostics;
}

template <typename T>
void expect_ok(const ImportResult<T>& result) {
  EXPECT_TRUE(result.ok()) << to_string(result.diagnostics);
}

// ---- File names and encodings ---------------------------------------------------------------

TEST(RegistryImport, FormatComesFromTheExtension) {
  const std::string yaml = "places:\n  - path: xc\n";
  const std::string csv = "path\nxc\n";
  expect_ok(parse_places(yaml, "places.yaml"));
  expect_ok(parse_places(yaml, "dir.v2/places.YML"));
  expect_ok(parse_places(csv, "places.csv"));
  expect_ok(parse_places(csv, "PLACES.CSV"));
  for (const char* name : {"places.txt", "places", "places.csv/", "csv", "dir.csv/places", "places.json"}) {
    auto result = parse_places(csv, name);
    ASSERT_EQ(errors(result).size(), 1u) << name;
    EXPECT_EQ(result.diagnostics[0].line, 0);
    EXPECT_EQ(result.diagnostics[0].column, 0);
    EXPECT_THAT(result.diagnostics[0].message, HasSubstr("expected a name ending in .csv, .yaml or .yml")) << name;
  }
  EXPECT_EQ(
      errors(parse_sensors(csv, "sensors.xlsx")).at(0).message,
      "cannot tell the format from the file name \"sensors.xlsx\"; expected a name ending in .csv, .yaml or .yml");
}

TEST(RegistryImport, RejectsTextThatIsNotUtf8) {
  // "青云" in GBK, as a spreadsheet might save it.
  const std::string gbk = "path,name\nxc/hl/qy,Community \xC7\xE0\xD4\xC6\n";
  EXPECT_EQ(errors(parse_places(gbk, "p.csv")),
            Diagnostics{
                D("p.csv", 2, 20,
                  "byte 0xC7 is not UTF-8 text; expected the file saved as UTF-8 (in a spreadsheet: \"CSV UTF-8\")")});
  const std::string yaml = "places:\n  - path: xc\n    name: \xC7\xE0\n";
  EXPECT_EQ(errors(parse_places(yaml, "p.yaml")).at(0).line, 3);
  EXPECT_EQ(errors(parse_places(yaml, "p.yaml")).at(0).column, 11);
}

TEST(RegistryImport, ByteOrderMarkIsSkipped) {
  auto csv = parse_places("\xEF\xBB\xBFpath,name\nxc,X\n", "p.csv");
  expect_ok(csv);
  ASSERT_EQ(csv.items.size(), 1u);
  EXPECT_EQ(csv.items[0].path, P("xc"));
  // Columns on line 1 do not count it.
  EXPECT_EQ(errors(parse_places("\xEF\xBB\xBFname,path,name\n", "p.csv")),
            Diagnostics{D("p.csv", 1, 11, "column \"name\" appears twice in the header row; first as column 1")});
  expect_ok(parse_places("\xEF\xBB\xBFplaces:\n  - path: xc\n", "p.yaml"));
}

// ---- YAML places -------------------------------------------------------------------------------

const char* const kPlacesYaml = R"(# Places of Qingyun community
places:
  - path: xc/hl/qy
    name: Qingyun Community
    point: [39.9042, 116.4074]
    radius_m: 800
  - path: xc/hl/qy/g03
    name: Grid 3
    polygon:
      - [39.901, 116.401]
      - [39.901, 116.405]
      - [39.904, 116.405]
      - [39.901, 116.401]
    attributes:
      height_class: high_rise
      floors: 32
      managed: yes
  - path: xc/hl/qy/g03/b12
  - path: "xc/hl/qy/g03/b13"
    name: "青云 13号楼"
    point: [-33.5, -70.25]
    radius_m: 0
)";

TEST(PlacesYaml, ParsesEveryField) {
  auto result = parse_places(kPlacesYaml, "places.yaml");
  expect_ok(result);
  ASSERT_EQ(result.items.size(), 4u);

  const PlaceInfo& qy = result.items[0];
  EXPECT_EQ(qy.path, P("xc/hl/qy"));
  EXPECT_EQ(qy.name, "Qingyun Community");
  EXPECT_EQ(qy.point, (GeoPoint{39.9042, 116.4074}));
  EXPECT_EQ(qy.radius_m, 800);
  EXPECT_TRUE(qy.polygon.empty());
  EXPECT_TRUE(qy.attributes.empty());

  const PlaceInfo& g03 = result.items[1];
  EXPECT_EQ(g03.name, "Grid 3");
  EXPECT_FALSE(g03.point);
  ASSERT_EQ(g03.polygon.size(), 4u);
  EXPECT_EQ(g03.polygon[1], (GeoPoint{39.901, 116.405}));
  EXPECT_EQ(g03.polygon.front(), g03.polygon.back());
  // Scalars are kept as written, as text.
  EXPECT_EQ(g03.attributes,
            (std::map<std::string, std::string>{{"height_class", "high_rise"}, {"floors", "32"}, {"managed", "yes"}}));

  const PlaceInfo& b12 = result.items[2];
  EXPECT_EQ(b12.path, P("xc/hl/qy/g03/b12"));
  EXPECT_EQ(b12.name, "");
  EXPECT_FALSE(b12.point);

  const PlaceInfo& b13 = result.items[3];
  EXPECT_EQ(b13.name, "青云 13号楼");
  EXPECT_EQ(b13.point, (GeoPoint{-33.5, -70.25}));
  EXPECT_EQ(b13.radius_m, 0);
}

TEST(PlacesYaml, EmptyListImportsNothing) {
  for (const char* text : {"places: []\n", "places:\n", "# nothing yet\nplaces:\n"}) {
    auto result = parse_places(text, "p.yaml");
    expect_ok(result);
    EXPECT_TRUE(result.items.empty());
  }
}

TEST(PlacesYaml, FlowStyleAndColumnsInCharacters) {
  // Columns count characters, not bytes: "青云社区" is 4 columns.
  auto result = parse_places("places:\n  - {name: 青云社区, path: XC}\n", "p.yaml");
  EXPECT_EQ(errors(result),
            Diagnostics{D("p.yaml", 2, 24,
                          "place path \"XC\": segment 1 \"XC\" is not; expected 1 to 32 of a-z, 0-9, '_' or '-'")});
  expect_ok(parse_places("places: [{path: xc, point: [1, 2], radius_m: 5}]", "p.yaml"));
}

TEST(PlacesYaml, UnknownKeyIsATypo) {
  auto result = parse_places("places:\n  - path: xc/hl/qy\n    nmae: Qingyun\n", "p.yaml");
  EXPECT_EQ(errors(result),
            Diagnostics{D("p.yaml", 3, 5,
                          "unknown key \"nmae\" in this place; expected path, name, point, radius_m, polygon, "
                          "attributes")});
}

TEST(PlacesYaml, MissingPath) {
  auto result = parse_places("places:\n  - path: xc\n  - name: Qingyun\n    point: [1, 2]\n", "p.yaml");
  EXPECT_EQ(errors(result), Diagnostics{D("p.yaml", 3, 5, "this place has no path; expected e.g. path: xc/hl/qy/g03")});
}

TEST(PlacesYaml, BadPath) {
  EXPECT_EQ(
      errors(parse_places("places:\n  - path: xc/HL/qy\n", "p.yaml")),
      Diagnostics{D("p.yaml", 2, 11,
                    "place path \"xc/HL/qy\": segment 2 \"HL\" is not; expected 1 to 32 of a-z, 0-9, '_' or '-'")});
  EXPECT_EQ(errors(parse_places("places:\n  - path: [xc]\n", "p.yaml")),
            Diagnostics{D("p.yaml", 2, 11, "expected a place path like xc/hl/qy/g03, found a list of 1")});
  // An empty value has no position of its own: the key's is used.
  EXPECT_EQ(errors(parse_places("places:\n  - path:\n", "p.yaml")),
            Diagnostics{D("p.yaml", 2, 5, "expected a place path like xc/hl/qy/g03, found nothing")});
  EXPECT_EQ(errors(parse_places("places:\n  - path: a/b/c/d/e/f\n", "p.yaml")).at(0).message,
            "place path \"a/b/c/d/e/f\" has 6 levels; at most 5 (district/subdistrict/community/grid/building)");
}

TEST(PlacesYaml, DuplicatePath) {
  auto result = parse_places("places:\n  - path: xc/hl/qy\n  - path: xc/hl\n  - path: xc/hl/qy\n", "p.yaml");
  EXPECT_EQ(errors(result), Diagnostics{D("p.yaml", 4, 11, "place \"xc/hl/qy\" is listed twice; first on line 2")});
}

TEST(PlacesYaml, DuplicateKeyInOnePlace) {
  auto result = parse_places("places:\n  - path: xc\n    name: A\n    name: B\n", "p.yaml");
  EXPECT_EQ(errors(result),
            Diagnostics{D("p.yaml", 4, 5, "key \"name\" appears twice in this place; first on line 3")});
}

TEST(PlacesYaml, PointErrors) {
  // Latitude first: a swapped point is caught by the range.
  EXPECT_EQ(
      errors(parse_places("places:\n  - path: xc\n    point: [116.4, 39.9]\n", "p.yaml")),
      Diagnostics{D("p.yaml", 3, 13,
                    "latitude 116.4 is outside -90 to 90; expected degrees north, written before the longitude")});
  EXPECT_EQ(errors(parse_places("places:\n  - path: xc\n    point: [39.9, 200]\n", "p.yaml")),
            Diagnostics{D("p.yaml", 3, 19, "longitude 200 is outside -180 to 180; expected degrees east")});
  EXPECT_EQ(errors(parse_places("places:\n  - path: xc\n    point: [39.9]\n", "p.yaml")),
            Diagnostics{D("p.yaml", 3, 12, "expected a point [latitude, longitude], found a list of 1")});
  EXPECT_EQ(errors(parse_places("places:\n  - path: xc\n    point: 39.9 116.4\n", "p.yaml")),
            Diagnostics{D("p.yaml", 3, 12, "expected a point [latitude, longitude], found \"39.9 116.4\"")});
  EXPECT_EQ(errors(parse_places("places:\n  - path: xc\n    point: [north, 116]\n", "p.yaml")),
            Diagnostics{D("p.yaml", 3, 13, "expected a latitude in degrees (a number), found \"north\"")});
  EXPECT_EQ(errors(parse_places("places:\n  - path: xc\n    point: [1, .inf]\n", "p.yaml")),
            Diagnostics{D("p.yaml", 3, 16, "expected a longitude in degrees (a number), found \".inf\"")});
  // Both wrong: both reported.
  EXPECT_EQ(errors(parse_places("places:\n  - path: xc\n    point: [91, -181]\n", "p.yaml")).size(), 2u);
}

TEST(PlacesYaml, RadiusErrors) {
  EXPECT_EQ(errors(parse_places("places:\n  - path: xc\n    point: [1, 2]\n    radius_m: -5\n", "p.yaml")),
            Diagnostics{D("p.yaml", 4, 15, "radius_m is -5; expected a radius in metres, 0 or more")});
  EXPECT_EQ(errors(parse_places("places:\n  - path: xc\n    point: [1, 2]\n    radius_m: wide\n", "p.yaml")),
            Diagnostics{D("p.yaml", 4, 15, "expected a radius in metres (a number, 0 or more), found \"wide\"")});
  EXPECT_EQ(errors(parse_places("places:\n  - path: xc\n    radius_m: 50\n", "p.yaml")),
            Diagnostics{D("p.yaml", 3, 15,
                          "radius_m needs a point (the centre of the circle); expected point: [latitude, longitude]")});
  // A point that is given but wrong is reported once, not again as missing.
  EXPECT_EQ(errors(parse_places("places:\n  - path: xc\n    point: [1]\n    radius_m: 50\n", "p.yaml")).size(), 1u);
}

TEST(PlacesYaml, PolygonErrors) {
  EXPECT_EQ(errors(parse_places("places:\n  - path: xc\n    polygon: [[1, 1], [1, 2], [1, 1]]\n", "p.yaml")),
            Diagnostics{D("p.yaml", 3, 14,
                          "a polygon needs at least 4 points (a closed ring whose last point repeats the first), "
                          "found 3")});
  const char* open_ring = R"(places:
  - path: xc
    polygon:
      - [1, 1]
      - [1, 2]
      - [2, 2]
      - [2, 1]
)";
  EXPECT_EQ(errors(parse_places(open_ring, "p.yaml")),
            Diagnostics{D("p.yaml", 7, 9,
                          "the polygon is not closed: its last point [2, 1] must repeat its first point [1, 1]")});
  EXPECT_EQ(errors(parse_places("places:\n  - path: xc\n    polygon: [[1, 1], [1, 2], [1, 300], [1, 1]]\n", "p.yaml")),
            Diagnostics{D("p.yaml", 3, 35, "longitude 300 is outside -180 to 180; expected degrees east")});
  EXPECT_EQ(
      errors(parse_places("places:\n  - path: xc\n    polygon: {a: 1}\n", "p.yaml")),
      Diagnostics{D("p.yaml", 3, 14, "expected a polygon as a list of [latitude, longitude] points, found a map")});
}

TEST(PlacesYaml, AttributeErrors) {
  EXPECT_EQ(
      errors(parse_places("places:\n  - path: xc\n    attributes: [a, b]\n", "p.yaml")),
      Diagnostics{D("p.yaml", 3, 17, "expected attributes as a map (name: value on each line), found a list of 2")});
  EXPECT_EQ(
      errors(parse_places("places:\n  - path: xc\n    attributes:\n      floors: [1, 2]\n      empty:\n", "p.yaml")),
      (Diagnostics{D("p.yaml", 4, 15, "expected a text or a number for attribute \"floors\", found a list of 2"),
                   D("p.yaml", 5, 7, "expected a text or a number for attribute \"empty\", found nothing")}));
  EXPECT_EQ(errors(parse_places("places:\n  - path: xc\n    attributes:\n      a: 1\n      a: 2\n", "p.yaml")),
            Diagnostics{D("p.yaml", 5, 7, "key \"a\" appears twice in these attributes; first on line 4")});
}

TEST(PlacesYaml, TopLevelErrors) {
  EXPECT_EQ(errors(parse_places("", "p.yaml")),
            Diagnostics{D("p.yaml", 0, 0, "the file is empty; expected \"places:\" followed by a list")});
  EXPECT_EQ(errors(parse_places("# only a comment\n", "p.yaml")).at(0).line, 0);
  EXPECT_EQ(errors(parse_places("- path: xc\n", "p.yaml")),
            Diagnostics{
                D("p.yaml", 1, 1, "expected a map with the key \"places\" at the top of the file, found a list of 1")});
  EXPECT_EQ(errors(parse_places("sensors:\n  - id: a\n", "p.yaml")),
            (Diagnostics{D("p.yaml", 1, 1, "unknown key \"sensors\" at the top of the file; expected \"places\""),
                         D("p.yaml", 1, 1, "no \"places\" key; expected the file to start with places:")}));
  EXPECT_EQ(errors(parse_places("places:\n  - path: xc\nversion: 2\n", "p.yaml")),
            Diagnostics{D("p.yaml", 3, 1, "unknown key \"version\" at the top of the file; expected \"places\"")});
  EXPECT_EQ(errors(parse_places("places: xc/hl\n", "p.yaml")),
            Diagnostics{D("p.yaml", 1, 9,
                          "expected a list under \"places\" (one item per line, each starting with '- '), found "
                          "\"xc/hl\"")});
  EXPECT_EQ(errors(parse_places("places:\n  - path: xc\n  - xc/hl\n", "p.yaml")),
            Diagnostics{
                D("p.yaml", 3, 5, "item 2 of places: expected a place (a map with path, name, ...), found \"xc/hl\"")});
  EXPECT_EQ(errors(parse_places("places:\n  - path: a\n---\nplaces:\n  - path: b\n", "p.yaml")),
            Diagnostics{D("p.yaml", 3, 1, "a second YAML document (after ---); expected one document per file")});
}

TEST(PlacesYaml, StrayCommaIsAnErrorNotAHang) {
  // yaml-cpp 0.7's LoadAll never returns on these (jbeder/yaml-cpp#1040).
  EXPECT_EQ(errors(parse_places(",", "p.yaml")),
            Diagnostics{D("p.yaml", 1, 1, "this is not valid YAML: unexpected ','")});
  EXPECT_EQ(errors(parse_places("\n  ,place,kind\n", "p.yaml")),
            Diagnostics{D("p.yaml", 2, 3, "this is not valid YAML: unexpected ','")});
  EXPECT_EQ(errors(parse_sensors("id,place,kind,quantities\n", "s.yaml")).size(), 1u);
}

TEST(PlacesYaml, SyntaxError) {
  auto result = parse_places("places:\n  - path: xc\n    point: [1, 2\n  - path: xd\n", "p.yaml");
  ASSERT_EQ(errors(result).size(), 1u);
  EXPECT_EQ(result.diagnostics[0].file, "p.yaml");
  EXPECT_EQ(result.diagnostics[0].line, 4);
  EXPECT_THAT(result.diagnostics[0].message, HasSubstr("this is not valid YAML: "));
  result = parse_places("places:\n  - path: xc\n   name: bad indent\n", "p.yaml");
  ASSERT_EQ(errors(result).size(), 1u);
  EXPECT_EQ(result.diagnostics[0].line, 3);
  EXPECT_EQ(result.diagnostics[0].column, 4);
  EXPECT_EQ(result.diagnostics[0].message, "this is not valid YAML: end of sequence not found");
}

TEST(PlacesYaml, CollectsEveryProblem) {
  const char* text = R"(places:
  - path: xc/hl/qy
    nmae: Qingyun
  - path: xc/hl/qy
    point: [39.9, 416.4]
  - name: Nowhere
)";
  auto result = parse_places(text, "places.yaml");
  EXPECT_EQ(errors(result),
            (Diagnostics{
                D("places.yaml", 3, 5,
                  "unknown key \"nmae\" in this place; expected path, name, point, radius_m, polygon, attributes"),
                D("places.yaml", 4, 11, "place \"xc/hl/qy\" is listed twice; first on line 2"),
                D("places.yaml", 5, 19, "longitude 416.4 is outside -180 to 180; expected degrees east"),
                D("places.yaml", 6, 5, "this place has no path; expected e.g. path: xc/hl/qy/g03"),
            }));
  EXPECT_EQ(result.diagnostics[1].to_string(), "places.yaml:4:11: place \"xc/hl/qy\" is listed twice; first on line 2");
}

// ---- YAML sensors ------------------------------------------------------------------------------

TEST(SensorsYaml, ParsesEveryField) {
  const char* text = R"(sensors:
  - id: smoke-b12-3f
    place: xc/hl/qy/g03/b12
    kind: smoke_detector
    quantities: [smoke, temperature]
    attributes:
      floor: 3
      vendor: Acme
  - id: WL_07.river
    place: xc/hl
    kind: water_level
    quantities:
      - water_level
)";
  auto result = parse_sensors(text, "sensors.yml");
  expect_ok(result);
  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_EQ(result.items[0].id, "smoke-b12-3f");
  EXPECT_EQ(result.items[0].place, P("xc/hl/qy/g03/b12"));
  EXPECT_EQ(result.items[0].kind, "smoke_detector");
  EXPECT_EQ(result.items[0].quantities, (std::vector<std::string>{"smoke", "temperature"}));
  EXPECT_EQ(result.items[0].attributes, (std::map<std::string, std::string>{{"floor", "3"}, {"vendor", "Acme"}}));
  EXPECT_EQ(result.items[1].id, "WL_07.river");
  EXPECT_EQ(result.items[1].quantities, (std::vector<std::string>{"water_level"}));
}

TEST(SensorsYaml, MissingRequiredKeys) {
  auto result = parse_sensors("sensors:\n  - attributes: {a: 1}\n", "s.yaml");
  EXPECT_EQ(errors(result),
            (Diagnostics{
                D("s.yaml", 2, 5, "this sensor has no id; expected e.g. id: smoke-b12-3f"),
                D("s.yaml", 2, 5, "this sensor has no place; expected e.g. place: xc/hl/qy/g03/b12"),
                D("s.yaml", 2, 5, "this sensor has no kind; expected e.g. kind: smoke_detector"),
                D("s.yaml", 2, 5, "this sensor has no quantities; expected e.g. quantities: [smoke, temperature]"),
            }));
}

TEST(SensorsYaml, FieldErrors) {
  const char* text = R"(sensors:
  - id: smoke b12
    place: xc/hl/qy/g03/b12/r1/x
    kind: ""
    quantities: [smoke, "co 2", smoke]
    colour: red
  - id: gas-1
    place: xc
    kind: gas_detector
    quantities: []
)";
  auto result = parse_sensors(text, "s.yaml");
  EXPECT_EQ(
      errors(result),
      (Diagnostics{
          D("s.yaml", 2, 9, "sensor id \"smoke b12\" is not valid; expected 1 to 64 of A-Z, a-z, 0-9, '_', '.', '-'"),
          D("s.yaml", 3, 12,
            "place path \"xc/hl/qy/g03/b12/r1/x\" has 7 levels; at most 5 "
            "(district/subdistrict/community/grid/building)"),
          D("s.yaml", 4, 11, "kind is empty; expected the kind of sensor, e.g. smoke_detector"),
          D("s.yaml", 5, 25,
            "quantity \"co 2\" is not a SenML name; expected letters, digits and - : . / _ starting with a "
            "letter or digit, e.g. smoke or temperature"),
          D("s.yaml", 5, 33, "quantity \"smoke\" is listed twice for this sensor"),
          D("s.yaml", 6, 5, "unknown key \"colour\" in this sensor; expected id, place, kind, quantities, attributes"),
          D("s.yaml", 10, 17, "expected a list of at least one quantity, e.g. [smoke, temperature], found a list of 0"),
      }));
}

TEST(SensorsYaml, DuplicateId) {
  const char* text =
      "sensors:\n"
      "  - {id: s1, place: xc, kind: k, quantities: [smoke]}\n"
      "  - {id: s2, place: xc, kind: k, quantities: [smoke]}\n"
      "  - {id: s1, place: xc, kind: k, quantities: [co]}\n";
  EXPECT_EQ(errors(parse_sensors(text, "s.yaml")),
            Diagnostics{D("s.yaml", 4, 10, "sensor \"s1\" is listed twice; first on line 2")});
}

TEST(SensorsYaml, WrongTopLevelKey) {
  EXPECT_EQ(errors(parse_sensors("places:\n  - path: xc\n", "s.yaml")).at(0).message,
            "unknown key \"places\" at the top of the file; expected \"sensors\"");
}

// ---- CSV places --------------------------------------------------------------------------------

TEST(PlacesCsv, ParsesEveryColumn) {
  const char* text =
      "path,name,lat,lon,radius_m,polygon,height_class\n"
      "xc/hl/qy,Qingyun Community,39.9042,116.4074,800,,\n"
      "xc/hl/qy/g03,\"Grid 3, north\",,,,\"39.901 116.401;39.901 116.405; 39.904 116.405 ;39.901 116.401;\",\n"
      "xc/hl/qy/g03/b12,\"Building \"\"12\"\"\",,,,,high_rise\n";
  auto result = parse_places(text, "places.csv");
  expect_ok(result);
  ASSERT_EQ(result.items.size(), 3u);
  EXPECT_EQ(result.items[0].path, P("xc/hl/qy"));
  EXPECT_EQ(result.items[0].name, "Qingyun Community");
  EXPECT_EQ(result.items[0].point, (GeoPoint{39.9042, 116.4074}));
  EXPECT_EQ(result.items[0].radius_m, 800);
  EXPECT_TRUE(result.items[0].attributes.empty());   // empty cells are no attribute
  EXPECT_EQ(result.items[1].name, "Grid 3, north");  // a quoted comma
  EXPECT_FALSE(result.items[1].point);
  EXPECT_EQ(result.items[1].polygon,
            (std::vector<GeoPoint>{{39.901, 116.401}, {39.901, 116.405}, {39.904, 116.405}, {39.901, 116.401}}));
  EXPECT_EQ(result.items[2].name, "Building \"12\"");
  EXPECT_EQ(result.items[2].attributes, (std::map<std::string, std::string>{{"height_class", "high_rise"}}));
}

TEST(PlacesCsv, OnlyPathIsRequired) {
  auto result = parse_places("path\nxc\nxc/hl\n", "p.csv");
  expect_ok(result);
  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_EQ(result.items[1].path, P("xc/hl"));
  // Columns in any order; header only: nothing to import.
  expect_ok(parse_places("name,path\n", "p.csv"));
  result = parse_places("lon,path,lat\n116.4,xc,39.9\n", "p.csv");
  expect_ok(result);
  ASSERT_EQ(result.items.size(), 1u);
  EXPECT_EQ(result.items[0].point, (GeoPoint{39.9, 116.4}));
}

TEST(PlacesCsv, CrLfBlankLinesAndSpaces) {
  auto result = parse_places("path, name \r\n\r\n  xc/hl ,  Haidian  \r\n\r\n\"xc/hl/qy\",\" spaced \"\r\n", "p.csv");
  expect_ok(result);
  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_EQ(result.items[0].path, P("xc/hl"));  // unquoted: trimmed
  EXPECT_EQ(result.items[0].name, "Haidian");
  EXPECT_EQ(result.items[1].name, " spaced ");  // quoted: kept
  // Line numbers still count the blank lines.
  auto bad = parse_places("path\r\n\r\nxc\r\n\r\nXC\r\n", "p.csv");
  EXPECT_EQ(errors(bad).at(0).line, 5);
  EXPECT_EQ(bad.diagnostics[0].column, 1);
}

TEST(PlacesCsv, QuotedFieldOverSeveralLines) {
  auto result = parse_places("path,name\nxc,\"Line one\nline two\"\nXC,x\n", "p.csv");
  EXPECT_EQ(errors(result),
            Diagnostics{D("p.csv", 4, 1,
                          "place path \"XC\": segment 1 \"XC\" is not; expected 1 to 32 of a-z, 0-9, '_' or '-'")});
  result = parse_places("path,name\nxc,\"Line one\nline two\"\n", "p.csv");
  expect_ok(result);
  EXPECT_EQ(result.items.at(0).name, "Line one\nline two");
}

TEST(PlacesCsv, HeaderErrors) {
  EXPECT_EQ(errors(parse_places("name,lat,lon\nQingyun,1,2\n", "p.csv")),
            Diagnostics{D("p.csv", 1, 0,
                          "the header row has no \"path\" column; expected the columns "
                          "path,name,lat,lon,radius_m,polygon (required: path)")});
  EXPECT_EQ(errors(parse_places("path,name,path\n", "p.csv")),
            Diagnostics{D("p.csv", 1, 11, "column \"path\" appears twice in the header row; first as column 1")});
  EXPECT_EQ(errors(parse_places("path,,name\n", "p.csv")),
            Diagnostics{D("p.csv", 1, 6, "column 2 of the header row has no name; expected a column name")});
  EXPECT_EQ(errors(parse_places("path,Name\n", "p.csv")),
            Diagnostics{D("p.csv", 1, 6, "column \"Name\": column names are lower case; expected \"name\"")});
  EXPECT_EQ(errors(parse_places("path,name,lat\nxc,X,1\n", "p.csv")),
            Diagnostics{D("p.csv", 1, 11, "a \"lat\" column needs a \"lon\" column too")});
  EXPECT_EQ(
      errors(parse_places("", "p.csv")),
      Diagnostics{D("p.csv", 0, 0, "the file is empty; expected a header row: path,name,lat,lon,radius_m,polygon")});
  EXPECT_EQ(errors(parse_places("\r\n\n", "p.csv")).at(0).line, 0);
}

TEST(PlacesCsv, RowWithTheWrongNumberOfFields) {
  EXPECT_EQ(errors(parse_places("path,name,lat,lon\nxc,X,1\n", "p.csv")),
            Diagnostics{D("p.csv", 2, 7, "expected 4 fields, as in the header row, found 3")});
  EXPECT_EQ(errors(parse_places("path,name\nxc,X,1,2\n", "p.csv")),
            Diagnostics{D("p.csv", 2, 6, "expected 2 fields, as in the header row, found 4")});
  // The last line without a newline.
  EXPECT_EQ(errors(parse_places("path,name\nxc", "p.csv")),
            Diagnostics{D("p.csv", 2, 3, "expected 2 fields, as in the header row, found 1")});
}

TEST(PlacesCsv, CellErrors) {
  const char* text =
      "path,name,lat,lon,radius_m\n"  // 1
      ",Nameless,,,\n"                // 2
      "xc/hl/QY,Q,,,\n"               // 3
      "xc/a,A,abc,116.4,\n"           // 4
      "xc/b,B,39.9,,\n"               // 5
      "xc/c,C,-91,181,\n"             // 6
      "xc/d,D,,,25\n"                 // 7
      "xc/e,E,1,2,-3\n"               // 8
      "xc/a,A again,,,\n";            // 9
  auto result = parse_places(text, "p.csv");
  EXPECT_EQ(
      errors(result),
      (Diagnostics{
          D("p.csv", 2, 1, "path is empty; expected a place path like xc/hl/qy/g03"),
          D("p.csv", 3, 1,
            "place path \"xc/hl/QY\": segment 3 \"QY\" is not; expected 1 to 32 of a-z, 0-9, '_' or '-'"),
          D("p.csv", 4, 8, "expected a latitude in degrees (a number), found \"abc\""),
          D("p.csv", 5, 13, "lon is empty but lat is given; expected both (a point) or neither"),
          D("p.csv", 6, 8, "latitude -91 is outside -90 to 90; expected degrees north, written before the longitude"),
          D("p.csv", 6, 12, "longitude 181 is outside -180 to 180; expected degrees east"),
          D("p.csv", 7, 10, "radius_m needs a point (the centre of the circle); expected lat and lon on this row"),
          D("p.csv", 8, 12, "radius_m is -3; expected a radius in metres, 0 or more"),
          D("p.csv", 9, 1, "place \"xc/a\" is listed twice; first on line 4"),
      }));
}

TEST(PlacesCsv, PolygonErrors) {
  const char* text =
      "path,polygon\n"
      "xc/a,\"1 1;1 2;1 1\"\n"
      "xc/b,\"1 1;1 2;2 2;2 1\"\n"
      "xc/c,\"1 1;1,2;2 2;1 1\"\n"
      "xc/d,1 1;1 2;2 200;1 1\n"
      "xc/e,1 1;;2 2;1 1\n";
  auto result = parse_places(text, "p.csv");
  EXPECT_EQ(errors(result),
            (Diagnostics{
                D("p.csv", 2, 6,
                  "a polygon needs at least 4 points (a closed ring whose last point repeats the first), found 3"),
                D("p.csv", 3, 6, "the polygon is not closed: its last point [2, 1] must repeat its first point [1, 1]"),
                D("p.csv", 4, 6,
                  "polygon point 2: expected \"latitude longitude\" (two numbers separated by a space; points "
                  "separated by ';'), found \"1,2\""),
                D("p.csv", 5, 6, "polygon point 3: longitude 200 is outside -180 to 180; expected degrees east"),
                D("p.csv", 6, 6,
                  "polygon point 2: expected \"latitude longitude\" (two numbers separated by a space; points "
                  "separated by ';'), found \"\""),
            }));
}

TEST(PlacesCsv, MalformedQuotes) {
  EXPECT_EQ(errors(parse_places("path,name\nxc,Na\"me\n", "p.csv")),
            Diagnostics{D("p.csv", 2, 6,
                          "a quote inside a field that does not start with one; put the whole field in quotes and "
                          "write a quote inside it as two quotes (\"\")")});
  EXPECT_EQ(
      errors(parse_places("path,name\nxc,\"Name\"x\n", "p.csv")),
      Diagnostics{D("p.csv", 2, 10,
                    "unexpected 'x' after the closing quote of a field; expected a comma or the end of the line")});
  EXPECT_EQ(errors(parse_places("path,name\nxc,X\nxd,  \"Name\n\n", "p.csv")),
            Diagnostics{D("p.csv", 3, 6, "this quoted field has no closing quote; expected a \" at its end")});
}

TEST(PlacesCsv, ColumnsCountCharacters) {
  EXPECT_EQ(errors(parse_places("name,path\n青云社区,XC\n", "p.csv")).at(0),
            D("p.csv", 2, 6, "place path \"XC\": segment 1 \"XC\" is not; expected 1 to 32 of a-z, 0-9, '_' or '-'"));
}

// ---- CSV sensors -------------------------------------------------------------------------------

TEST(SensorsCsv, ParsesEveryColumn) {
  const char* text =
      "id,place,kind,quantities,vendor,floor\n"
      "smoke-b12-3f,xc/hl/qy/g03/b12,smoke_detector,smoke;temperature,\"Acme, Inc.\",3\n"
      "gas-b12-1,xc/hl/qy/g03/b12,gas_detector,\"gas_lel co\",,\n"
      "wl.7,xc/hl,water_level,\" water_level ; \",,\n";
  auto result = parse_sensors(text, "sensors.csv");
  expect_ok(result);
  ASSERT_EQ(result.items.size(), 3u);
  EXPECT_EQ(result.items[0].id, "smoke-b12-3f");
  EXPECT_EQ(result.items[0].place, P("xc/hl/qy/g03/b12"));
  EXPECT_EQ(result.items[0].kind, "smoke_detector");
  EXPECT_EQ(result.items[0].quantities, (std::vector<std::string>{"smoke", "temperature"}));
  EXPECT_EQ(result.items[0].attributes, (std::map<std::string, std::string>{{"vendor", "Acme, Inc."}, {"floor", "3"}}));
  EXPECT_EQ(result.items[1].quantities, (std::vector<std::string>{"gas_lel", "co"}));
  EXPECT_TRUE(result.items[1].attributes.empty());
  EXPECT_EQ(result.items[2].quantities, (std::vector<std::string>{"water_level"}));
}

TEST(SensorsCsv, EveryColumnIsRequired) {
  EXPECT_EQ(errors(parse_sensors("id,place,kind\ns1,xc,k\n", "s.csv")),
            Diagnostics{D("s.csv", 1, 0,
                          "the header row has no \"quantities\" column; expected the columns id,place,kind,quantities "
                          "(required: id,place,kind,quantities)")});
  EXPECT_EQ(errors(parse_sensors("ID,place,kind,quantities\n", "s.csv")).size(), 2u);  // "ID" and no "id"
}

TEST(SensorsCsv, CellErrors) {
  const char* text =
      "id,place,kind,quantities\n"             // 1
      "s/1,xc,smoke_detector,smoke\n"          // 2
      ",xc,smoke_detector,smoke\n"             // 3
      "s2,,smoke_detector,smoke\n"             // 4
      "s3,xc/,smoke_detector,smoke\n"          // 5
      "s4,xc,,smoke\n"                         // 6
      "s5,xc,smoke_detector,\n"                // 7
      "s6,xc,smoke_detector,\"smoke,co\"\n"    // 8
      "s7,xc,smoke_detector,smoke;co;smoke\n"  // 9
      "s2,xc,smoke_detector,co\n";             // 10
  auto result = parse_sensors(text, "s.csv");
  EXPECT_EQ(errors(result),
            (Diagnostics{
                D("s.csv", 2, 1, "sensor id \"s/1\" is not valid; expected 1 to 64 of A-Z, a-z, 0-9, '_', '.', '-'"),
                D("s.csv", 3, 1, "id is empty; expected a sensor id like smoke-b12-3f"),
                D("s.csv", 4, 4, "place is empty; expected a place path like xc/hl/qy/g03/b12"),
                D("s.csv", 5, 4, "place path \"xc/\": segment 2 is empty; expected 1 to 32 of a-z, 0-9, '_' or '-'"),
                D("s.csv", 6, 7, "kind is empty; expected the kind of sensor, e.g. smoke_detector"),
                D("s.csv", 7, 22, "quantities is empty; expected at least one, e.g. smoke;temperature"),
                D("s.csv", 8, 22,
                  "quantity \"smoke,co\" is not a SenML name; expected letters, digits and - : . / _ starting with a "
                  "letter or digit, e.g. smoke or temperature"),
                D("s.csv", 9, 22, "quantity \"smoke\" is listed twice for this sensor"),
                D("s.csv", 10, 1, "sensor \"s2\" is listed twice; first on line 4"),
            }));
}

// ---- Storage form (JSON) ---------------------------------------------------------------------

PlaceInfo full_place() {
  PlaceInfo place;
  place.path = P("xc/hl/qy/g03");
  place.name = "Grid 3 \"north\" 青云";
  place.point = GeoPoint{39.90423456789012, -116.4074};
  place.radius_m = 0.1;
  place.polygon = {{39.901, 116.401}, {39.901, 116.405}, {1e-9, -180}, {39.901, 116.401}};
  place.attributes = {{"height_class", "high_rise"}, {"note", "a\nb"}};
  return place;
}

TEST(RegistryJson, PlaceRoundTrips) {
  for (const PlaceInfo& place : {full_place(), PlaceInfo{P("xc"), "", std::nullopt, 0, {}, {}}}) {
    std::string json = to_json(place);
    auto back = place_from_json(json);
    ASSERT_TRUE(back.is_ok()) << back.status().to_string() << "\n" << json;
    EXPECT_EQ(*back, place) << json;
    EXPECT_EQ(to_json(*back), json);
  }
}

TEST(RegistryJson, PlacesFromAFileRoundTrip) {
  auto result = parse_places(kPlacesYaml, "places.yaml");
  ASSERT_TRUE(result.ok());
  for (const auto& place : result.items) {
    auto back = place_from_json(to_json(place));
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(*back, place);
  }
}

TEST(RegistryJson, PlaceStorageForm) {
  PlaceInfo place;
  place.path = P("xc/hl");
  place.name = "Haidian";
  place.point = GeoPoint{39.5, 116.25};
  place.radius_m = 100;
  place.attributes = {{"k", "v"}};
  EXPECT_EQ(to_json(place),
            R"({"path":"xc/hl","name":"Haidian","point":{"lat":39.5,"lon":116.25},"radius_m":100.0,"polygon":[],)"
            R"("attributes":{"k":"v"}})");
}

TEST(RegistryJson, SensorRoundTrips) {
  SensorInfo sensor{
      "smoke-b12-3f", P("xc/hl/qy/g03/b12"), "smoke_detector", {"smoke", "temperature"}, {{"floor", "3"}}};
  std::string json = to_json(sensor);
  EXPECT_EQ(json, R"({"id":"smoke-b12-3f","place":"xc/hl/qy/g03/b12","kind":"smoke_detector",)"
                  R"("quantities":["smoke","temperature"],"attributes":{"floor":"3"}})");
  auto back = sensor_from_json(json);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(*back, sensor);
  SensorInfo bare{"s", P("xc"), "k", {}, {}};
  EXPECT_EQ(sensor_from_json(to_json(bare)).value(), bare);
}

TEST(RegistryJson, MalformedPlaceIsCorruption) {
  for (const char* bad : {"",
                          "{",
                          "[]",
                          "null",
                          "\"xc\"",
                          R"({"name":"x"})",
                          R"({"path":5})",
                          R"({"path":"XC"})",
                          R"({"path":""})",
                          R"({"path":"xc","name":1})",
                          R"({"path":"xc","point":[1,2]})",
                          R"({"path":"xc","point":{"lat":91,"lon":0}})",
                          R"({"path":"xc","point":{"lat":1}})",
                          R"({"path":"xc","point":{"lat":"1","lon":2}})",
                          R"({"path":"xc","radius_m":-1})",
                          R"({"path":"xc","radius_m":"5"})",
                          R"({"path":"xc","radius_m":1e999})",
                          R"({"path":"xc","polygon":{}})",
                          R"({"path":"xc","polygon":[[1,1],[1,2],[1,1]]})",
                          R"({"path":"xc","polygon":[[1,1],[1,2],[2,2],[2,1]]})",
                          R"({"path":"xc","polygon":[[1,1,0],[1,2],[2,2],[1,1]]})",
                          R"({"path":"xc","polygon":[{"lat":1,"lon":1}]})",
                          R"({"path":"xc","attributes":[]})",
                          R"({"path":"xc","attributes":{"a":1}})",
                          "{\"path\":\"xc\",\"name\":\"\xff\"}"}) {
    auto result = place_from_json(bad);
    ASSERT_FALSE(result.is_ok()) << bad;
    EXPECT_EQ(result.status().code(), Status::Code::kCorruption) << bad;
    EXPECT_THAT(result.status().message(), HasSubstr("stored place: ")) << bad;
  }
  EXPECT_EQ(place_from_json(R"({"path":5})").status().message(),
            "stored place: field \"path\" must be a string, found number");
}

TEST(RegistryJson, MalformedSensorIsCorruption) {
  for (const char* bad :
       {"", "{}", "[1]", R"({"id":"a b","place":"xc","kind":"k"})", R"({"id":"s","place":"xc"})",
        R"({"id":"s","place":"X","kind":"k"})", R"({"id":"s","place":"xc","kind":"k","quantities":"q"})",
        R"({"id":"s","place":"xc","kind":"k","quantities":[1]})",
        R"({"id":"s","place":"xc","kind":"k","attributes":{"a":null}})"}) {
    auto result = sensor_from_json(bad);
    ASSERT_FALSE(result.is_ok()) << bad;
    EXPECT_EQ(result.status().code(), Status::Code::kCorruption) << bad;
  }
  EXPECT_EQ(sensor_from_json(R"({"id":"s","place":"xc"})").status().message(),
            "stored sensor: field \"kind\" is missing");
}

TEST(RegistryJson, UnknownStoredFieldsAreIgnored) {
  auto place = place_from_json(R"({"path":"xc","name":"X","added_later":true})");
  ASSERT_TRUE(place.is_ok());
  EXPECT_EQ(place->name, "X");
}

// ---- The examples in docs/registries.md ------------------------------------------------------------

#ifdef LOOKOUT_DOCS_DIR
TEST(RegistryDocs, ExamplesAreAccepted) {
  std::ifstream in(std::string(LOOKOUT_DOCS_DIR) + "/registries.md");
  ASSERT_TRUE(in) << "cannot read docs/registries.md";
  std::stringstream buffer;
  buffer << in.rdbuf();
  // The places and sensors sections: those before the staff roster (staff_test.cpp
  // checks that one).
  const std::string doc = buffer.str().substr(0, buffer.str().find("\n## Staff roster"));
  int checked = 0;
  for (std::string fence : {"```yaml\n", "```csv\n"}) {
    for (auto start = doc.find(fence); start != std::string::npos; start = doc.find(fence, start)) {
      start += fence.size();
      const auto end = doc.find("```", start);
      ASSERT_NE(end, std::string::npos);
      const std::string example = doc.substr(start, end - start);
      const bool csv = fence == "```csv\n";
      const bool places = csv ? example.rfind("path", 0) == 0 : example.find("places:") != std::string::npos;
      const std::string file = std::string(places ? "places" : "sensors") + (csv ? ".csv" : ".yaml");
      Diagnostics diagnostics =
          places ? parse_places(example, file).diagnostics : parse_sensors(example, file).diagnostics;
      EXPECT_TRUE(diagnostics.empty()) << example << "\n" << to_string(diagnostics);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 4);
}
#endif

// ---- Registries ----------------------------------------------------------------------------------

TEST(SensorIds, Validity) {
  EXPECT_TRUE(is_valid_sensor_id("a"));
  EXPECT_TRUE(is_valid_sensor_id("Smoke_B12.3f-x"));
  EXPECT_TRUE(is_valid_sensor_id(std::string(64, 'x')));
  EXPECT_FALSE(is_valid_sensor_id(std::string(65, 'x')));
  EXPECT_FALSE(is_valid_sensor_id(""));
  for (const char* bad : {"a/b", "a b", "a+b", "a#", "青云", "a\n"}) EXPECT_FALSE(is_valid_sensor_id(bad)) << bad;
}

TEST(PlaceRegistry, UpsertFindAll) {
  PlaceRegistry registry;
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_EQ(registry.find(P("xc")), nullptr);
  registry.upsert({P("xc/hl/qy"), "Qingyun", std::nullopt, 0, {}, {}});
  registry.upsert({P("xc/hl"), "Haidian", std::nullopt, 0, {}, {}});
  registry.upsert({P("xc/hl-2"), "", std::nullopt, 0, {}, {}});
  registry.upsert({P("xc/hl/qy"), "Qingyun Community", GeoPoint{1, 2}, 5, {}, {}});  // replaces
  EXPECT_EQ(registry.size(), 3u);
  ASSERT_NE(registry.find(P("xc/hl/qy")), nullptr);
  EXPECT_EQ(registry.find(P("xc/hl/qy"))->name, "Qingyun Community");
  EXPECT_EQ(registry.find(P("xc/hl/qy"))->radius_m, 5);
  std::vector<std::string> paths;
  for (const PlaceInfo* p : registry.all()) paths.push_back(p->path.str());
  EXPECT_EQ(paths, (std::vector<std::string>{"xc/hl", "xc/hl-2", "xc/hl/qy"}));
}

TEST(PlaceRegistry, DisplayName) {
  PlaceRegistry registry;
  registry.upsert({P("xc/hl/qy/g03"), "Grid 3", std::nullopt, 0, {}, {}});
  EXPECT_EQ(registry.display_name(P("xc/hl/qy/g03")), "Grid 3");
  EXPECT_EQ(registry.display_name(P("xc/hl/qy/g03/b12")), "Grid 3 / b12");
  EXPECT_EQ(registry.display_name(P("xc/hl/qy")), "xc/hl/qy");  // nothing named above it
  EXPECT_EQ(registry.display_name(P("xc/hl/qy/g04/b1")), "xc/hl/qy/g04/b1");

  registry.upsert({P("xc/hl/qy"), "Qingyun", std::nullopt, 0, {}, {}});
  registry.upsert({P("xc/hl/qy/g04"), "", std::nullopt, 0, {}, {}});  // known but unnamed
  EXPECT_EQ(registry.display_name(P("xc/hl/qy/g04/b1")), "Qingyun / g04 / b1");
  EXPECT_EQ(registry.display_name(P("xc/hl/qy/g03/b12")), "Grid 3 / b12");  // the nearest wins

  registry.upsert({P("xc/hl/qy/g03/b12"), "Building 12", std::nullopt, 0, {}, {}});
  EXPECT_EQ(registry.display_name(P("xc/hl/qy/g03/b12")), "Building 12");
  EXPECT_EQ(registry.display_name(PlacePath()), "");
}

TEST(SensorRegistry, UpsertFindAll) {
  SensorRegistry registry;
  registry.upsert({"s2", P("xc"), "k", {"smoke"}, {}});
  registry.upsert({"S1", P("xc/hl"), "k", {"co"}, {}});
  registry.upsert({"s2", P("xc/hl/qy"), "k2", {"co"}, {}});
  EXPECT_EQ(registry.size(), 2u);
  ASSERT_NE(registry.find("s2"), nullptr);
  EXPECT_EQ(registry.find("s2")->place, P("xc/hl/qy"));
  EXPECT_EQ(registry.find("s3"), nullptr);
  auto all = registry.all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]->id, "S1");
  EXPECT_EQ(all[1]->id, "s2");
}

// ---- Stored sensors: the plain reader against the document reader ----------------------------

// The reader of a stored sensor as it was before the plain reader (registry.cpp, kept
// verbatim): the oracle. What it accepts, sensor_from_json must read identically; what
// it rejects, sensor_from_json must reject with the same error.
StatusOr<SensorInfo> oracle_sensor_from_json_impl(std::string_view text) {
  using namespace internal;
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
StatusOr<SensorInfo> oracle_sensor_from_json(std::string_view json_text) {
  try {
    return oracle_sensor_from_json_impl(json_text);
  } catch (const std::exception& e) {
    return Status::corruption(std::string("stored sensor: ") + e.what());
  }
}

void expect_read_as_before(const std::string& text) {
  auto want = oracle_sensor_from_json(text);
  auto got = sensor_from_json(text);
  ASSERT_EQ(got.is_ok(), want.is_ok()) << text << "\n" << (want.is_ok() ? got.status() : want.status()).to_string();
  if (want.is_ok()) {
    ASSERT_EQ(*got, *want) << text;
  } else {
    ASSERT_EQ(got.status().code(), Status::Code::kCorruption) << text;
    ASSERT_EQ(got.status().message(), want.status().message()) << text;
  }
}

const SensorInfo kFullSensor{"smoke-b12.3F_x",
                             P("xc/hl/qy/g03/b12"),
                             "smoke \"detector\"\\青云\n\tÅ",
                             {"smoke", "temperature", "smoke"},
                             {{"floor", "3"}, {"说明", "a/b\r\n"}, {"", ""}}};

TEST(RegistryJson, StoredSensorsInOtherValidFormsReadAsBefore) {
  EXPECT_EQ(sensor_from_json(to_json(kFullSensor)).value(), kFullSensor);
  for (const std::string& text : {
           to_json(kFullSensor),
           std::string(R"( {"kind" : "k","attributes":{ "b":"2" , "a":"1"},"quantities":[ ],"place":"xc","id":"s"} )"),
           std::string("\r\n\t{\"id\":\"s\",\"place\":\"xc\",\"kind\":\"k\"}\n"),  // without the optional members
           std::string(R"({"id":"s","place":"xc","kind":"k\u00e9","quantities":["\ud83d\ude00"]})"),
           std::string(R"({"id":"s","place":"xc","kind":"k","kind":"k2"})"),                 // the last counts
           std::string(R"({"id":"s","place":"xc","kind":"k","attributes":{"a":"1","a":"2"}})"),
           std::string(R"({"id":"s","place":"xc","kind":"k","added_later":[1,{"x":null}]})"),  // unknown
           std::string(R"({"id":"s","place":"xc","kind":"k","quantities":null})"),
           std::string("\xEF\xBB\xBF{\"id\":\"s\",\"place\":\"xc\",\"kind\":\"k\"}"),  // byte order mark
       }) {
    expect_read_as_before(text);
  }
  EXPECT_EQ(sensor_from_json(R"({"id":"s","place":"xc","kind":"k","kind":"k2"})")->kind, "k2");
  EXPECT_EQ(sensor_from_json(R"({"id":"s","place":"xc","kind":"k","attributes":{"a":"1","a":"2"}})")->attributes.at("a"),
            "2");
}

// Records made by mutating valid ones (members replaced by other JSON values, removed,
// repeated, reordered, added; bytes inserted, removed or changed).
TEST(RegistryJson, StoredSensorsReadExactlyAsTheDocumentReaderDid) {
  const std::vector<std::string> seeds = {to_json(kFullSensor), to_json(SensorInfo{"s", P("xc"), "k", {}, {}})};
  const std::vector<std::string> values = {
      "null", "true", "0", "-1", "1.5", "\"\"", "\"s\"", "\"a b\"", "\"xc\"", "\"xc/hl\"", "\"XC\"", "\"xc//b\"",
      R"("s\u0031")", R"("\ud83d")", R"("a\nb\"c")", R"("\x")", "\"\xC3\xA9\"", "\"\xC3\"", "\"\xED\xA0\x80\"",
      "\"\xF0\x9F\x98\x80\"", "\"tab\tin\"", "[]", R"(["smoke"])", R"(["a","a"])", R"(["a",1])", "[null]", "{}",
      R"({"a":"1"})", R"({"a":1})", R"({"a":"1","a":"2"})", R"({"a":"1","b":null})", R"({"\u0061":"x"})",
      R"({"é":"ü"})", "[[1]]"};
  const std::vector<std::string> names = {"id", "place", "kind", "quantities", "attributes", "extra", "ID", "id "};
  const std::string bytes = "{}[]\":,.-0123456789tn \\\t\n\x01\x7f\x80\xC3\xA9\xFF";

  std::mt19937 rng(20261122);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  auto space = [&] {
    static const char* ws[] = {"", "", "", " ", "\n", "\t ", "\r\n"};
    return std::string(ws[pick(7)]);
  };
  std::size_t accepted = 0, rejected = 0;
  constexpr int kRecords = 20000;
  for (int n = 0; n < kRecords; ++n) {
    auto j = nlohmann::ordered_json::parse(seeds[pick(seeds.size())]);
    std::vector<std::pair<std::string, std::string>> members;
    for (const auto& [k, v] : j.items()) members.emplace_back(k, v.dump());
    for (std::size_t e = 1 + pick(3); e-- > 0 && !members.empty();) {
      switch (pick(6)) {
        case 0:
        case 1: members[pick(members.size())].second = values[pick(values.size())]; break;
        case 2: members.erase(members.begin() + static_cast<std::ptrdiff_t>(pick(members.size()))); break;
        case 3: {
          auto m = members[pick(members.size())];
          if (pick(2)) m.second = values[pick(values.size())];
          members.insert(members.begin() + static_cast<std::ptrdiff_t>(pick(members.size() + 1)), m);
          break;
        }
        case 4:
          members.insert(members.begin() + static_cast<std::ptrdiff_t>(pick(members.size() + 1)),
                         {names[pick(names.size())], values[pick(values.size())]});
          break;
        case 5: std::shuffle(members.begin(), members.end(), rng); break;
      }
    }
    std::string text = space() + "{";
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i) text += space() + "," + space();
      text += nlohmann::json(members[i].first).dump() + space() + ":" + space() + members[i].second;
    }
    text += space() + "}" + space();
    if (pick(4) == 0) {
      for (std::size_t k = 1 + pick(2); k-- > 0;) {
        const std::size_t at = pick(text.size());
        switch (pick(3)) {
          case 0: text.erase(at, 1); break;
          case 1: text.insert(at, 1, bytes[pick(bytes.size())]); break;
          case 2: text[at] = bytes[pick(bytes.size())]; break;
        }
      }
    }
    ASSERT_NO_FATAL_FAILURE(expect_read_as_before(text));
    (oracle_sensor_from_json(text).is_ok() ? accepted : rejected)++;
  }
  EXPECT_GT(accepted, kRecords / 10u);  // the mutations reach both sides
  EXPECT_GT(rejected, kRecords / 10u);
}

}  // namespace
}  // namespace lookout::sensors
