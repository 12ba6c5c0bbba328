#include "lookout/engine/cap.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lookout/base/time_format.h"

namespace lookout::cap {
namespace {

using nlohmann::json;

Time at(const char* iso) {
  auto t = parse_iso8601(iso);
  EXPECT_TRUE(t.is_ok()) << t.status().to_string();
  return t.is_ok() ? *t : Time{};
}

const date::time_zone* zone(const char* name) {
  auto z = find_time_zone(name);
  EXPECT_TRUE(z.is_ok()) << z.status().to_string();
  return z.is_ok() ? *z : nullptr;
}

const date::time_zone* shanghai() { return zone("Asia/Shanghai"); }
const date::time_zone* utc() { return zone("UTC"); }

// A square around a building, closed.
std::vector<Point> square() {
  return {{31.2300, 121.4730}, {31.2300, 121.4740}, {31.2310, 121.4740}, {31.2310, 121.4730}, {31.2300, 121.4730}};
}

// An alert with every element the model has, the way the engine sends a level-II fire.
Alert full_alert() {
  Alert a;
  a.identifier = "lookout.example.inc-20261121-0007.1";
  a.sender = "lookout.example";
  a.sent = at("2026-11-21T13:04:05Z");
  a.status = "Actual";
  a.msg_type = "Alert";
  a.source = "plan fire-residential";
  a.scope = "Public";
  a.note = "raised by sensor smoke-b12-3";
  a.incidents = {"inc-20261121-0007"};

  Info info;
  info.language = "zh-CN";
  info.categories = {"Fire"};
  info.event = "Residential fire";
  info.response_types = {"Evacuate", "Avoid"};
  info.urgency = "Immediate";
  info.severity = "Severe";
  info.certainty = "Observed";
  info.audience = "residents of building b12";
  info.effective = at("2026-11-21T13:04:05Z");
  info.expires = at("2026-11-21T15:04:05Z");
  info.sender_name = "Qingyuan community emergency office";
  info.headline = "Fire in building 12 (level II, orange)";
  info.description = "Smoke detected on floor 3.";
  info.instruction = "Leave by the stairs; do not use the lifts.";
  info.web = "https://lookout.example/incidents/inc-20261121-0007";
  info.contact = "+86 10 12345678";
  info.parameters = {{"warningLevel", "II"}, {"warningColor", "orange"}, {"plan", "fire-residential"},
                     {"planVersion", "2026-03"}};
  Area area;
  area.area_desc = "Building 12, grid 3, Qingyuan";
  area.polygons = {square()};
  area.circles = {{{31.2305, 121.4735}, 0.15}};
  area.geocodes = {{"lookout:place", "xc/hl/qy/g03/b12"}};
  info.areas = {area};
  a.infos = {info};
  return a;
}

// Each of `tags` appears, in this order.
void expect_in_order(const std::string& text, const std::vector<std::string>& tags) {
  std::size_t from = 0;
  for (const auto& tag : tags) {
    std::size_t at = text.find(tag, from);
    ASSERT_NE(at, std::string::npos) << tag << " missing or out of order in\n" << text;
    from = at + tag.size();
  }
}

// ---------------------------------------------------------------------------------
// reference()

TEST(CapReference, SenderIdentifierSentInTheZone) {
  Alert a = full_alert();
  EXPECT_EQ(reference(a, shanghai()),
            "lookout.example,lookout.example.inc-20261121-0007.1,2026-11-21T21:04:05+08:00");
  EXPECT_EQ(reference(a, utc()), "lookout.example,lookout.example.inc-20261121-0007.1,2026-11-21T13:04:05-00:00");
}

TEST(CapReference, NoZoneMeansUtc) {
  EXPECT_EQ(reference(full_alert(), nullptr),
            "lookout.example,lookout.example.inc-20261121-0007.1,2026-11-21T13:04:05-00:00");
}

TEST(CapReference, ReferencesItMakesPassValidation) {
  Alert first = full_alert();
  Alert update = full_alert();
  update.identifier = "lookout.example.inc-20261121-0007.2";
  update.msg_type = "Update";
  update.references = {reference(first, shanghai())};
  EXPECT_TRUE(validate(update).is_ok()) << validate(update).to_string();
}

// ---------------------------------------------------------------------------------
// to_json()

TEST(CapJson, FullAlertHasEveryElement) {
  Alert a = full_alert();
  ASSERT_TRUE(validate(a).is_ok()) << validate(a).to_string();
  const std::string text = to_json(a, shanghai());
  EXPECT_EQ(text.find('\n'), std::string::npos) << "compact";
  json j = json::parse(text);

  EXPECT_EQ(j["identifier"], "lookout.example.inc-20261121-0007.1");
  EXPECT_EQ(j["sender"], "lookout.example");
  EXPECT_EQ(j["sent"], "2026-11-21T21:04:05+08:00");
  EXPECT_EQ(j["status"], "Actual");
  EXPECT_EQ(j["msgType"], "Alert");
  EXPECT_EQ(j["source"], "plan fire-residential");
  EXPECT_EQ(j["scope"], "Public");
  EXPECT_EQ(j["note"], "raised by sensor smoke-b12-3");
  EXPECT_EQ(j["incidents"], "inc-20261121-0007");
  EXPECT_FALSE(j.contains("references"));
  EXPECT_FALSE(j.contains("restriction"));
  EXPECT_FALSE(j.contains("addresses"));

  ASSERT_TRUE(j["info"].is_array());
  ASSERT_EQ(j["info"].size(), 1u);
  const json& info = j["info"][0];
  EXPECT_EQ(info["language"], "zh-CN");
  EXPECT_EQ(info["category"], json::array({"Fire"}));
  EXPECT_EQ(info["event"], "Residential fire");
  EXPECT_EQ(info["responseType"], json::array({"Evacuate", "Avoid"}));
  EXPECT_EQ(info["urgency"], "Immediate");
  EXPECT_EQ(info["severity"], "Severe");
  EXPECT_EQ(info["certainty"], "Observed");
  EXPECT_EQ(info["audience"], "residents of building b12");
  EXPECT_EQ(info["effective"], "2026-11-21T21:04:05+08:00");
  EXPECT_EQ(info["expires"], "2026-11-21T23:04:05+08:00");
  EXPECT_EQ(info["senderName"], "Qingyuan community emergency office");
  EXPECT_EQ(info["headline"], "Fire in building 12 (level II, orange)");
  EXPECT_EQ(info["description"], "Smoke detected on floor 3.");
  EXPECT_EQ(info["instruction"], "Leave by the stairs; do not use the lifts.");
  EXPECT_EQ(info["web"], "https://lookout.example/incidents/inc-20261121-0007");
  EXPECT_EQ(info["contact"], "+86 10 12345678");
  EXPECT_EQ(info["parameter"], json::parse(R"([{"valueName":"warningLevel","value":"II"},
      {"valueName":"warningColor","value":"orange"},{"valueName":"plan","value":"fire-residential"},
      {"valueName":"planVersion","value":"2026-03"}])"));

  ASSERT_EQ(info["area"].size(), 1u);
  const json& area = info["area"][0];
  EXPECT_EQ(area["areaDesc"], "Building 12, grid 3, Qingyuan");
  EXPECT_EQ(area["polygon"],
            json::array({"31.23,121.473 31.23,121.474 31.231,121.474 31.231,121.473 31.23,121.473"}));
  EXPECT_EQ(area["circle"], json::array({"31.2305,121.4735 0.15"}));
  EXPECT_EQ(area["geocode"], json::parse(R"([{"valueName":"lookout:place","value":"xc/hl/qy/g03/b12"}])"));
}

TEST(CapJson, KeysComeInCapOrder) {
  expect_in_order(to_json(full_alert(), shanghai()),
                  {"\"identifier\"", "\"sender\"", "\"sent\"", "\"status\"", "\"msgType\"", "\"source\"",
                   "\"scope\"", "\"note\"", "\"incidents\"", "\"info\"", "\"language\"", "\"category\"",
                   "\"event\"", "\"responseType\"", "\"urgency\"", "\"severity\"", "\"certainty\"",
                   "\"audience\"", "\"effective\"", "\"expires\"", "\"senderName\"", "\"headline\"",
                   "\"description\"", "\"instruction\"", "\"web\"", "\"contact\"", "\"parameter\"",
                   "\"area\"", "\"areaDesc\"", "\"polygon\"", "\"circle\"", "\"geocode\""});
}

TEST(CapJson, TimesInUtcUseMinusZero) {
  json j = json::parse(to_json(full_alert(), utc()));
  EXPECT_EQ(j["sent"], "2026-11-21T13:04:05-00:00");
  EXPECT_EQ(j["info"][0]["effective"], "2026-11-21T13:04:05-00:00");
  EXPECT_EQ(j["info"][0]["expires"], "2026-11-21T15:04:05-00:00");
}

TEST(CapJson, ReferencesAndIncidentsAreSpaceSeparatedStrings) {
  Alert a = full_alert();
  a.msg_type = "Update";
  a.references = {"s,a.1,2026-11-21T21:04:05+08:00", "s,a.2,2026-11-21T21:14:05+08:00"};
  a.incidents = {"inc-1", "inc-2"};
  json j = json::parse(to_json(a, shanghai()));
  EXPECT_EQ(j["msgType"], "Update");
  EXPECT_EQ(j["references"], "s,a.1,2026-11-21T21:04:05+08:00 s,a.2,2026-11-21T21:14:05+08:00");
  EXPECT_EQ(j["incidents"], "inc-1 inc-2");
}

TEST(CapJson, EmptyOptionalElementsAreLeftOut) {
  Alert a;
  a.identifier = "x.1";
  a.sender = "x";
  a.sent = at("2026-11-21T13:04:05Z");
  a.status = "Test";
  a.msg_type = "Alert";
  Info info;
  info.language.clear();
  info.categories = {"Other"};
  info.event = "Test";
  info.urgency = "Unknown";
  info.severity = "Unknown";
  info.certainty = "Unknown";
  Area area;
  area.area_desc = "Everywhere";
  info.areas = {area};
  a.infos = {info};
  ASSERT_TRUE(validate(a).is_ok()) << validate(a).to_string();

  json j = json::parse(to_json(a, utc()));
  EXPECT_EQ(j, json::parse(R"({"identifier":"x.1","sender":"x","sent":"2026-11-21T13:04:05-00:00",
      "status":"Test","msgType":"Alert","scope":"Public",
      "info":[{"category":["Other"],"event":"Test","urgency":"Unknown","severity":"Unknown",
               "certainty":"Unknown","area":[{"areaDesc":"Everywhere"}]}]})"));

  a.infos.clear();
  EXPECT_FALSE(json::parse(to_json(a, utc())).contains("info"));
}

TEST(CapJson, CoordinatesWithoutNeedlessZerosToSixDecimals) {
  Alert a = full_alert();
  Area& area = a.infos[0].areas[0];
  area.polygons = {{{-33.8688, 151.2093}, {-33.86880049, 151.0}, {0.0, -0.0000001}, {-33.8688, 151.2093}}};
  area.circles = {{{1.123456789, -2.5}, 2.0}};
  json j = json::parse(to_json(a, utc()));
  EXPECT_EQ(j["info"][0]["area"][0]["polygon"][0], "-33.8688,151.2093 -33.8688,151 0,0 -33.8688,151.2093");
  EXPECT_EQ(j["info"][0]["area"][0]["circle"][0], "1.123457,-2.5 2");
}

TEST(CapJson, UnicodePassesThroughAndBrokenUtf8DoesNotThrow) {
  Alert a = full_alert();
  a.infos[0].headline = "火警 \"二级\"";
  a.infos[0].description = std::string("bad \xC3 byte");
  std::string text;
  ASSERT_NO_THROW(text = to_json(a, shanghai()));
  json j = json::parse(text);
  EXPECT_EQ(j["info"][0]["headline"], "火警 \"二级\"");
  EXPECT_EQ(j["info"][0]["description"], "bad \xEF\xBF\xBD byte");
}

// ---------------------------------------------------------------------------------
// to_xml()

TEST(CapXml, DeclarationAndNamespace) {
  const std::string xml = to_xml(full_alert(), shanghai());
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n",
                      0),
            0u)
      << xml;
  EXPECT_EQ(xml.substr(xml.size() - 9), "</alert>\n");
}

TEST(CapXml, ElementsInSchemaOrder) {
  Alert a = full_alert();
  a.msg_type = "Update";
  a.scope = "Restricted";
  a.restriction = "staff only";
  a.addresses = "ops@lookout.example";
  a.references = {"lookout.example,lookout.example.inc-20261121-0007.1,2026-11-21T21:04:05+08:00"};
  a.infos.push_back(a.infos[0]);
  a.infos[1].language = "en-US";
  ASSERT_TRUE(validate(a).is_ok()) << validate(a).to_string();
  const std::string xml = to_xml(a, shanghai());

  expect_in_order(xml, {"<identifier>lookout.example.inc-20261121-0007.1</identifier>",
                        "<sender>lookout.example</sender>", "<sent>2026-11-21T21:04:05+08:00</sent>",
                        "<status>Actual</status>", "<msgType>Update</msgType>",
                        "<source>plan fire-residential</source>", "<scope>Restricted</scope>",
                        "<restriction>staff only</restriction>", "<addresses>ops@lookout.example</addresses>",
                        "<note>raised by sensor smoke-b12-3</note>",
                        "<references>lookout.example,lookout.example.inc-20261121-0007.1,"
                        "2026-11-21T21:04:05+08:00</references>",
                        "<incidents>inc-20261121-0007</incidents>", "<info>", "<language>zh-CN</language>",
                        "<info>", "<language>en-US</language>", "</alert>"});
  const std::vector<std::string> info_order = {
      "<info>",
      "<language>zh-CN</language>",
      "<category>Fire</category>",
      "<event>Residential fire</event>",
      "<responseType>Evacuate</responseType>",
      "<responseType>Avoid</responseType>",
      "<urgency>Immediate</urgency>",
      "<severity>Severe</severity>",
      "<certainty>Observed</certainty>",
      "<audience>residents of building b12</audience>",
      "<effective>2026-11-21T21:04:05+08:00</effective>",
      "<expires>2026-11-21T23:04:05+08:00</expires>",
      "<senderName>Qingyuan community emergency office</senderName>",
      "<headline>Fire in building 12 (level II, orange)</headline>",
      "<description>Smoke detected on floor 3.</description>",
      "<instruction>Leave by the stairs; do not use the lifts.</instruction>",
      "<web>https://lookout.example/incidents/inc-20261121-0007</web>",
      "<contact>+86 10 12345678</contact>",
      "<parameter>\n      <valueName>warningLevel</valueName>\n      <value>II</value>\n    </parameter>",
      "<valueName>warningColor</valueName>",
      "<valueName>plan</valueName>",
      "<valueName>planVersion</valueName>",
      "<area>",
      "<areaDesc>Building 12, grid 3, Qingyuan</areaDesc>",
      "<polygon>31.23,121.473 31.23,121.474 31.231,121.474 31.231,121.473 31.23,121.473</polygon>",
      "<circle>31.2305,121.4735 0.15</circle>",
      "<geocode>\n        <valueName>lookout:place</valueName>\n        <value>xc/hl/qy/g03/b12</value>\n"
      "      </geocode>",
      "</area>",
      "</info>",
  };
  expect_in_order(xml, info_order);
}

TEST(CapXml, TimesInUtc) {
  const std::string xml = to_xml(full_alert(), utc());
  EXPECT_NE(xml.find("<sent>2026-11-21T13:04:05-00:00</sent>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<expires>2026-11-21T15:04:05-00:00</expires>"), std::string::npos) << xml;
}

TEST(CapXml, EmptyOptionalElementsAreLeftOut) {
  Alert a = full_alert();
  a.source.clear();
  a.note.clear();
  a.incidents.clear();
  a.infos[0].audience.clear();
  a.infos[0].effective.reset();
  a.infos[0].web.clear();
  a.infos[0].parameters.clear();
  a.infos[0].areas[0].polygons.clear();
  const std::string xml = to_xml(a, shanghai());
  for (const char* tag : {"<source>", "<note>", "<incidents>", "<references>", "<restriction>", "<addresses>",
                          "<audience>", "<effective>", "<web>", "<parameter>", "<polygon>"}) {
    EXPECT_EQ(xml.find(tag), std::string::npos) << tag;
  }
  EXPECT_NE(xml.find("<scope>Public</scope>"), std::string::npos);
  EXPECT_NE(xml.find("<circle>"), std::string::npos);
}

TEST(CapXml, EscapesMarkupCharacters) {
  Alert a = full_alert();
  a.infos[0].headline = "Fire & smoke <b12> \"now\" it's";
  a.infos[0].areas[0].area_desc = "A&B";
  const std::string xml = to_xml(a, shanghai());
  EXPECT_NE(xml.find("<headline>Fire &amp; smoke &lt;b12&gt; &quot;now&quot; it&apos;s</headline>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<areaDesc>A&amp;B</areaDesc>"), std::string::npos) << xml;
}

TEST(CapXml, DropsForbiddenControlsAndRepairsBrokenUtf8) {
  Alert a = full_alert();
  a.infos[0].description = std::string("bell\x07 nul") + '\0' + "!\x1B" + " tab\tline\ncr\r";
  a.infos[0].instruction = "火警 \xC3( \xED\xA0\x80 \xEF\xBF\xBF ok";
  const std::string xml = to_xml(a, shanghai());
  EXPECT_NE(xml.find("<description>bell nul! tab\tline\ncr&#13;</description>"), std::string::npos) << xml;
  // Valid UTF-8 kept; a truncated sequence, an encoded surrogate and U+FFFF become U+FFFD.
  EXPECT_NE(xml.find("<instruction>火警 \xEF\xBF\xBD( \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD ok</instruction>"),
            std::string::npos)
      << xml;
}

TEST(CapXml, WellFormedForXmllintWhenInstalled) {
  const char* xmllint = "/usr/bin/xmllint";
  if (!std::filesystem::exists(xmllint)) GTEST_SKIP() << "xmllint not installed";
  Alert a = full_alert();
  a.infos[0].headline = "Fire & smoke <b12> \"now\" it's \x01";
  a.infos[0].description = "bad \xC3 byte";
  const std::filesystem::path path =
      std::filesystem::path(::testing::TempDir()) / ("lookout_cap_test_" + std::to_string(::getpid()) + ".xml");
  {
    std::ofstream out(path, std::ios::binary);
    out << to_xml(a, shanghai());
  }
  const std::string command = std::string(xmllint) + " --noout '" + path.string() + "' 2>&1";
  int rc = std::system(command.c_str());
  std::filesystem::remove(path);
  EXPECT_EQ(rc, 0) << command;
}

// ---------------------------------------------------------------------------------
// validate()

TEST(CapValidate, FullAlertIsValid) { EXPECT_TRUE(validate(full_alert()).is_ok()) << validate(full_alert()).to_string(); }

TEST(CapValidate, AnAlertNeedsNoInfo) {
  Alert a = full_alert();
  a.infos.clear();
  EXPECT_TRUE(validate(a).is_ok());
}

TEST(CapValidate, EveryEnumerationValueIsAccepted) {
  for (const char* v : {"Actual", "Exercise", "System", "Test", "Draft"}) {
    Alert a = full_alert();
    a.status = v;
    EXPECT_TRUE(validate(a).is_ok()) << v;
  }
  for (const char* v : {"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
                        "CBRNE", "Other"}) {
    Alert a = full_alert();
    a.infos[0].categories = {v};
    EXPECT_TRUE(validate(a).is_ok()) << v;
  }
  for (const char* v :
       {"Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"}) {
    Alert a = full_alert();
    a.infos[0].response_types = {v};
    EXPECT_TRUE(validate(a).is_ok()) << v;
  }
  for (const char* v : {"Immediate", "Expected", "Future", "Past", "Unknown"}) {
    Alert a = full_alert();
    a.infos[0].urgency = v;
    EXPECT_TRUE(validate(a).is_ok()) << v;
  }
  for (const char* v : {"Extreme", "Severe", "Moderate", "Minor", "Unknown"}) {
    Alert a = full_alert();
    a.infos[0].severity = v;
    EXPECT_TRUE(validate(a).is_ok()) << v;
  }
  for (const char* v : {"Observed", "Likely", "Possible", "Unlikely", "Unknown"}) {
    Alert a = full_alert();
    a.infos[0].certainty = v;
    EXPECT_TRUE(validate(a).is_ok()) << v;
  }
}

TEST(CapValidate, UpdateAndCancelWithReferences) {
  Alert first = full_alert();
  Alert update = full_alert();
  update.identifier = "lookout.example.inc-20261121-0007.2";
  update.msg_type = "Update";
  update.references = {reference(first, shanghai())};
  ASSERT_TRUE(validate(update).is_ok()) << validate(update).to_string();

  Alert cancel = full_alert();
  cancel.identifier = "lookout.example.inc-20261121-0007.3";
  cancel.msg_type = "Cancel";
  cancel.references = {reference(first, shanghai()), reference(update, utc())};
  EXPECT_TRUE(validate(cancel).is_ok()) << validate(cancel).to_string();
  EXPECT_NE(to_xml(cancel, shanghai())
                .find("<references>lookout.example,lookout.example.inc-20261121-0007.1,2026-11-21T21:04:05+08:00 "
                      "lookout.example,lookout.example.inc-20261121-0007.2,2026-11-21T13:04:05-00:00</references>"),
            std::string::npos);
}

TEST(CapValidate, RestrictedAndPrivateWithTheirElements) {
  Alert a = full_alert();
  a.scope = "Restricted";
  a.restriction = "emergency staff only";
  EXPECT_TRUE(validate(a).is_ok());
  Alert b = full_alert();
  b.scope = "Private";
  b.addresses = "ops@lookout.example \"duty desk\"";
  EXPECT_TRUE(validate(b).is_ok());
}

struct Rejection {
  const char* name;
  std::function<void(Alert&)> mutate;
  const char* message;  // the whole message, or a part of it
};

void PrintTo(const Rejection& r, std::ostream* os) { *os << r.name; }

Area& area0(Alert& a) { return a.infos[0].areas[0]; }

const std::vector<Rejection>& rejections() {
  static const std::vector<Rejection> all = {
      {"IdentifierEmpty", [](Alert& a) { a.identifier.clear(); }, "identifier is required"},
      {"IdentifierSpace", [](Alert& a) { a.identifier = "a b"; }, "identifier \"a b\" contains whitespace"},
      {"IdentifierTab", [](Alert& a) { a.identifier = "a\tb"; }, "contains whitespace"},
      {"IdentifierComma", [](Alert& a) { a.identifier = "a,b"; }, "identifier \"a,b\" contains a comma"},
      {"IdentifierLess", [](Alert& a) { a.identifier = "a<b"; }, "identifier \"a<b\" contains '<'"},
      {"IdentifierAmpersand", [](Alert& a) { a.identifier = "a&b"; }, "identifier \"a&b\" contains '&'"},
      {"SenderEmpty", [](Alert& a) { a.sender.clear(); }, "sender is required"},
      {"SenderSpace", [](Alert& a) { a.sender = "lookout example"; }, "sender \"lookout example\" contains whitespace"},
      {"SenderComma", [](Alert& a) { a.sender = "a,b"; }, "sender \"a,b\" contains a comma"},
      {"SenderLess", [](Alert& a) { a.sender = "<x"; }, "sender \"<x\" contains '<'"},
      {"SenderAmpersand", [](Alert& a) { a.sender = "x&"; }, "sender \"x&\" contains '&'"},
      {"StatusMissing", [](Alert& a) { a.status.clear(); },
       "status is required; expected one of Actual, Exercise, System, Test, Draft"},
      {"StatusUnknown", [](Alert& a) { a.status = "Live"; },
       "status \"Live\" is not one of Actual, Exercise, System, Test, Draft"},
      {"StatusWrongCase", [](Alert& a) { a.status = "actual"; }, "status \"actual\" is not one of"},
      {"MsgTypeMissing", [](Alert& a) { a.msg_type.clear(); }, "msgType is required"},
      {"MsgTypeUnknown", [](Alert& a) { a.msg_type = "Resolve"; },
       "msgType \"Resolve\" is not one of Alert, Update, Cancel, Ack, Error"},
      {"ScopeMissing", [](Alert& a) { a.scope.clear(); }, "scope is required"},
      {"ScopeUnknown", [](Alert& a) { a.scope = "Everyone"; },
       "scope \"Everyone\" is not one of Public, Restricted, Private"},
      {"RestrictedWithoutRestriction", [](Alert& a) { a.scope = "Restricted"; },
       "restriction is required when scope is Restricted"},
      {"PrivateWithoutAddresses", [](Alert& a) { a.scope = "Private"; },
       "addresses is required when scope is Private"},
      {"UpdateWithoutReferences", [](Alert& a) { a.msg_type = "Update"; },
       "references is required when msgType is Update"},
      {"CancelWithoutReferences", [](Alert& a) { a.msg_type = "Cancel"; },
       "references is required when msgType is Cancel"},
      {"AckWithoutReferences", [](Alert& a) { a.msg_type = "Ack"; }, "references is required when msgType is Ack"},
      {"ErrorWithoutReferences", [](Alert& a) { a.msg_type = "Error"; },
       "references is required when msgType is Error"},
      {"ReferenceTwoParts",
       [](Alert& a) {
         a.msg_type = "Update";
         a.references = {"s,2026-11-21T21:04:05+08:00"};
       },
       "references[0] \"s,2026-11-21T21:04:05+08:00\" is not of the form sender,identifier,sent"},
      {"ReferenceFourParts",
       [](Alert& a) {
         a.msg_type = "Update";
         a.references = {"s,a.1,2026-11-21T21:04:05+08:00", "s,a,1,2026-11-21T21:04:05+08:00"};
       },
       "references[1] \"s,a,1,2026-11-21T21:04:05+08:00\" is not of the form sender,identifier,sent"},
      {"ReferenceEmptySender",
       [](Alert& a) {
         a.msg_type = "Cancel";
         a.references = {",a.1,2026-11-21T21:04:05+08:00"};
       },
       "references[0].sender is required"},
      {"ReferenceIdentifierWithSpace",
       [](Alert& a) {
         a.msg_type = "Cancel";
         a.references = {"s,a 1,2026-11-21T21:04:05+08:00"};
       },
       "references[0].identifier \"a 1\" contains whitespace"},
      {"ReferenceSentWithZ",
       [](Alert& a) {
         a.msg_type = "Update";
         a.references = {"s,a.1,2026-11-21T13:04:05Z"};
       },
       "references[0].sent \"2026-11-21T13:04:05Z\" is not a CAP time"},
      {"ReferenceSentNotATime",
       [](Alert& a) {
         a.msg_type = "Update";
         a.references = {"s,a.1,yesterday"};
       },
       "references[0].sent \"yesterday\" is not a CAP time"},
      {"IncidentEmpty", [](Alert& a) { a.incidents = {"inc-1", ""}; }, "incidents[1] must not be empty"},
      {"IncidentWithQuote", [](Alert& a) { a.incidents = {"inc\"1"}; }, "incidents[0] \"inc\"1\" contains a double quote"},
      {"LanguageNotATag", [](Alert& a) { a.infos[0].language = "Chinese (simplified)"; },
       "info[0].language \"Chinese (simplified)\" is not a language tag"},
      {"CategoryMissing", [](Alert& a) { a.infos[0].categories.clear(); }, "info[0].category is required"},
      {"CategoryUnknown", [](Alert& a) { a.infos[0].categories = {"Fire", "Flood"}; },
       "info[0].category[1] \"Flood\" is not one of Geo, Met, Safety, Security, Rescue, Fire, Health, Env, "
       "Transport, Infra, CBRNE, Other"},
      {"EventMissing", [](Alert& a) { a.infos[0].event.clear(); }, "info[0].event is required"},
      {"ResponseTypeUnknown", [](Alert& a) { a.infos[0].response_types = {"Run"}; },
       "info[0].responseType[0] \"Run\" is not one of Shelter, Evacuate, Prepare, Execute, Avoid, Monitor, "
       "Assess, AllClear, None"},
      {"UrgencyMissing", [](Alert& a) { a.infos[0].urgency.clear(); }, "info[0].urgency is required"},
      {"UrgencyUnknown",
       [](Alert& a) {
         a.infos.push_back(a.infos[0]);
         a.infos[1].urgency = "Soon";
       },
       "info[1].urgency \"Soon\" is not one of Immediate, Expected, Future, Past, Unknown"},
      {"SeverityMissing", [](Alert& a) { a.infos[0].severity.clear(); }, "info[0].severity is required"},
      {"SeverityUnknown", [](Alert& a) { a.infos[0].severity = "II"; },
       "info[0].severity \"II\" is not one of Extreme, Severe, Moderate, Minor, Unknown"},
      {"CertaintyMissing", [](Alert& a) { a.infos[0].certainty.clear(); }, "info[0].certainty is required"},
      {"CertaintyVeryLikely", [](Alert& a) { a.infos[0].certainty = "Very Likely"; },
       "info[0].certainty \"Very Likely\" is not one of Observed, Likely, Possible, Unlikely, Unknown"},
      {"ParameterWithoutName", [](Alert& a) { a.infos[0].parameters.push_back({"", "x"}); },
       "info[0].parameter[4].valueName is required"},
      {"AreaDescMissing", [](Alert& a) { area0(a).area_desc.clear(); }, "info[0].area[0].areaDesc is required"},
      {"PolygonTooFewPoints",
       [](Alert& a) { area0(a).polygons = {{{31.0, 121.0}, {31.1, 121.0}, {31.0, 121.0}}}; },
       "info[0].area[0].polygon[0] has 3 points; CAP needs at least 4"},
      {"PolygonNotClosed",
       [](Alert& a) {
         auto ring = square();
         ring.back() = {31.2301, 121.4730};
         area0(a).polygons.push_back(ring);
       },
       "info[0].area[0].polygon[1] is not closed: its last point 31.2301,121.473 differs from its first "
       "31.23,121.473"},
      {"PolygonLatitudeOutOfRange",
       [](Alert& a) { area0(a).polygons = {{{31.0, 121.0}, {91.0, 121.0}, {31.0, 122.0}, {31.0, 121.0}}}; },
       "info[0].area[0].polygon[0][1].lat 91 is outside [-90, 90]"},
      {"PolygonLongitudeOutOfRange",
       [](Alert& a) { area0(a).polygons = {{{31.0, 121.0}, {31.1, 180.5}, {31.0, 122.0}, {31.0, 121.0}}}; },
       "info[0].area[0].polygon[0][1].lon 180.5 is outside [-180, 180]"},
      {"PolygonNaN",
       [](Alert& a) {
         area0(a).polygons = {{{31.0, 121.0}, {std::nan(""), 121.0}, {31.0, 122.0}, {31.0, 121.0}}};
       },
       "info[0].area[0].polygon[0][1].lat nan is outside [-90, 90]"},
      {"CircleLatitudeOutOfRange", [](Alert& a) { area0(a).circles = {{{-90.5, 0.0}, 1.0}}; },
       "info[0].area[0].circle[0].center.lat -90.5 is outside [-90, 90]"},
      {"CircleLongitudeOutOfRange", [](Alert& a) { area0(a).circles = {{{0.0, -181.0}, 1.0}}; },
       "info[0].area[0].circle[0].center.lon -181 is outside [-180, 180]"},
      {"CircleNegativeRadius", [](Alert& a) { area0(a).circles = {{{31.0, 121.0}, -0.5}}; },
       "info[0].area[0].circle[0].radius -0.5 must be a finite number of kilometres >= 0"},
      {"CircleInfiniteRadius", [](Alert& a) { area0(a).circles = {{{31.0, 121.0}, HUGE_VAL}}; },
       "info[0].area[0].circle[0].radius inf must be"},
      {"GeocodeWithoutName", [](Alert& a) { area0(a).geocodes = {{"", "xc/hl"}}; },
       "info[0].area[0].geocode[0].valueName is required"},
      {"SecondAreaWithoutDesc",
       [](Alert& a) {
         a.infos[0].areas.push_back(Area{});
       },
       "info[0].area[1].areaDesc is required"},
  };
  return all;
}

class CapValidateRejects : public ::testing::TestWithParam<Rejection> {};

TEST_P(CapValidateRejects, NamingTheElement) {
  Alert a = full_alert();
  ASSERT_TRUE(validate(a).is_ok());
  GetParam().mutate(a);
  Status s = validate(a);
  ASSERT_FALSE(s.is_ok()) << "accepted: " << to_json(a, nullptr);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find(GetParam().message), std::string::npos)
      << "message: " << s.message() << "\nexpected to contain: " << GetParam().message;
}

INSTANTIATE_TEST_SUITE_P(Cap, CapValidateRejects, ::testing::ValuesIn(rejections()),
                         [](const ::testing::TestParamInfo<Rejection>& info) { return std::string(info.param.name); });

TEST(CapValidate, ZeroRadiusAndPolygonEdgesOfTheWorldAreFine) {
  Alert a = full_alert();
  area0(a).circles = {{{-90.0, 180.0}, 0.0}};
  area0(a).polygons = {{{-90.0, -180.0}, {90.0, -180.0}, {90.0, 180.0}, {-90.0, -180.0}}};
  EXPECT_TRUE(validate(a).is_ok()) << validate(a).to_string();
}

TEST(CapValidate, ALongValueIsCutInTheMessage) {
  Alert a = full_alert();
  a.status = std::string(500, 'x');
  Status s = validate(a);
  ASSERT_FALSE(s.is_ok());
  EXPECT_LT(s.message().size(), 200u) << s.message();
}

}  // namespace
}  // namespace lookout::cap
