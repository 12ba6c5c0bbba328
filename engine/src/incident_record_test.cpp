#include "incident_record.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core_internal.h"

namespace lookout::engine::detail {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// The reader as it was before the plain reader (engine/src/core.cpp, kept verbatim): the
// oracle. Whatever it accepts, incident_from_store must read identically; whatever it
// rejects, incident_from_store must reject.
StatusOr<Incident> oracle_from_store(std::string_view text) {
  try {
    auto j = json::parse(text);
    Incident in;
    in.id = j.at("id").get<std::string>();
    in.plan_id = j.at("plan").get<std::string>();
    in.plan_version = j.at("plan_version").get<std::uint32_t>();
    auto place = PlacePath::parse(j.at("place").get<std::string>());
    if (!place.is_ok()) return Status::corruption("incident place: " + place.status().message());
    in.place = *place;
    // Records written before scopes existed watch their place.
    in.watch = j.contains("watch") ? j.at("watch").get<std::string>() : in.place.str();
    auto level = plans::parse_level(j.at("level").get<std::string>());
    if (!level) return Status::corruption("incident level");
    in.level = *level;
    in.state = j.at("state").get<std::string>();
    in.opened_at = from_ms(j.at("opened_ms").get<std::int64_t>());
    in.updated_at = from_ms(j.at("updated_ms").get<std::int64_t>());
    in.sensor_id = j.at("sensor").get<std::string>();
    in.quantity = j.at("quantity").get<std::string>();
    in.value = j.at("value").get<double>();
    in.unit = j.at("unit").get<std::string>();
    in.reading_time = from_ms(j.at("reading_ms").get<std::int64_t>());
    // Fields added with the incident lifecycle; older records lack them.
    in.acknowledged_at = from_ms(j.value("acknowledged_ms", std::int64_t{0}));
    in.acknowledged_by = j.value("acknowledged_by", std::string());
    in.resolved_at = from_ms(j.value("resolved_ms", std::int64_t{0}));
    in.resolved_by = j.value("resolved_by", std::string());
    in.reopened = j.value("reopened", std::uint32_t{0});
    for (const auto& a : j.at("alerts")) {
      auto al = plans::parse_level(a.at("level").get<std::string>());
      if (!al) return Status::corruption("incident alert level");
      in.alerts.push_back(SentAlert{a.at("identifier").get<std::string>(), from_ms(a.at("sent_ms").get<std::int64_t>()),
                                    a.at("msg_type").get<std::string>(), *al});
    }
    // Fields added with staffing and escalation; older records lack them.
    in.level_since = from_ms(j.value("level_since_ms", to_ms(in.updated_at)));
    in.escalation_next = j.value("escalation_next", std::uint32_t{0});
    in.renotified = j.value("renotified", std::uint32_t{0});
    if (auto e = j.value("escalated_to", std::string()); !e.empty()) {
      in.escalated_to = plans::parse_level(e);
      if (!in.escalated_to) return Status::corruption("incident escalated_to");
    }
    if (j.contains("search_level")) {
      for (const auto& [role, level] : j.at("search_level").items()) {
        int l = level.get<int>();
        if (l < 1 || l > 5) return Status::corruption("incident search level");
        in.search_level[role] = static_cast<PlaceLevel>(l);
      }
    }
    if (j.contains("unfilled")) in.unfilled = j.at("unfilled").get<std::set<std::string>>();
    if (j.contains("reopen_ms")) {
      for (const auto& t : j.at("reopen_ms")) in.reopen_times.push_back(from_ms(t.get<std::int64_t>()));
    }
    in.flapping = j.value("flapping", false);
    in.calm_since = from_ms(j.value("calm_since_ms", std::int64_t{0}));
    return in;
  } catch (const std::exception& e) {
    return Status::corruption(std::string("incident record: ") + e.what());
  }
}

// Every field of an incident, as text: two incidents are read identically when these
// are equal (doubles by their bits, so 0.0 and -0.0 differ).
std::string describe(const Incident& in) {
  std::string out;
  auto add = [&](std::string_view name, const std::string& v) { out.append(name).append("=").append(v).append("\n"); };
  auto t = [](Time x) { return std::to_string(x.time_since_epoch().count()); };
  add("id", in.id);
  add("plan", in.plan_id);
  add("plan_version", std::to_string(in.plan_version));
  add("place", in.place.str() + " (" + std::to_string(in.place.depth()) + " levels)");
  add("watch", in.watch);
  add("level", std::string(plans::level_name(in.level)));
  add("state", in.state);
  add("opened", t(in.opened_at));
  add("updated", t(in.updated_at));
  add("acknowledged", t(in.acknowledged_at) + " by " + in.acknowledged_by);
  add("resolved", t(in.resolved_at) + " by " + in.resolved_by);
  add("reopened", std::to_string(in.reopened));
  add("sensor", in.sensor_id);
  add("quantity", in.quantity);
  char bits[32];
  std::snprintf(bits, sizeof bits, "%016llx", static_cast<unsigned long long>(std::bit_cast<std::uint64_t>(in.value)));
  add("value", bits);
  add("unit", in.unit);
  add("reading", t(in.reading_time));
  for (const auto& a : in.alerts) {
    add("alert", a.identifier + " " + t(a.sent) + " " + a.msg_type + " " + std::string(plans::level_name(a.level)));
  }
  add("level_since", t(in.level_since));
  add("escalation_next", std::to_string(in.escalation_next));
  add("renotified", std::to_string(in.renotified));
  add("escalated_to", in.escalated_to ? std::string(plans::level_name(*in.escalated_to)) : "-");
  for (const auto& [role, level] : in.search_level) add("search_level", role + " " + std::to_string(static_cast<int>(level)));
  for (const auto& role : in.unfilled) add("unfilled", role);
  for (auto r : in.reopen_times) add("reopen", t(r));
  add("flapping", in.flapping ? "true" : "false");
  add("calm_since", t(in.calm_since));
  return out;
}

Time at_ms(std::int64_t ms) { return from_ms(ms); }

Incident full_incident() {
  Incident in;
  in.id = "inc-000042";
  in.plan_id = "residential-fire";
  in.plan_version = 7;
  in.place = *PlacePath::parse("xc/hl/qy/g03/b12");
  in.watch = "xc/hl/qy/g03/b12#smoke-b12-3f";
  in.level = plans::Level::kII;
  in.state = "acknowledged";
  in.opened_at = at_ms(1795310964000);
  in.updated_at = at_ms(1795311024123);
  in.acknowledged_at = at_ms(1795311000456);
  in.acknowledged_by = "张伟 \"duty\" coordinator\\hotline\n2nd line\tÅ";
  in.resolved_at = at_ms(1795312000000);
  in.resolved_by = "plan";
  in.reopened = 3;
  in.sensor_id = "smoke-b12-3f";
  in.quantity = "smoke";
  in.value = 0.1 + 0.2;
  in.unit = "/";
  in.reading_time = at_ms(1795310963999);
  in.alerts = {{"lookout@localhost.inc-000042.1", at_ms(1795310964000), "Alert", plans::Level::kIII},
               {"lookout@localhost.inc-000042.2", at_ms(1795310990000), "Update", plans::Level::kII}};
  in.level_since = at_ms(1795310990000);
  in.escalation_next = 2;
  in.renotified = 1;
  in.escalated_to = plans::Level::kII;
  in.search_level = {{"fire_warden", PlaceLevel::kGrid}, {"first_aid", PlaceLevel::kCommunity}};
  in.unfilled = {"doctor", "first_aid"};
  in.reopen_times = {at_ms(1795300000000), at_ms(1795305000000)};
  in.flapping = true;
  in.calm_since = at_ms(1795311500000);
  return in;
}

// A record as the first engines wrote it: none of the optional fields.
constexpr std::string_view kOldRecord =
    R"({"alerts":[{"identifier":"lookout@localhost.inc-000001.1","level":"III","msg_type":"Alert","sent_ms":1700000000000}],)"
    R"("id":"inc-000001","level":"III","opened_ms":1700000000000,"place":"xc/hl/qy/g03/b12","plan":"fire",)"
    R"("plan_version":1,"quantity":"smoke","reading_ms":1699999999000,"sensor":"s1","state":"open","unit":"/",)"
    R"("updated_ms":1700000005000,"value":0.6})";

TEST(IncidentRecord, AFullyPopulatedIncidentRoundTripsThroughThePlainReader) {
  const Incident in = full_incident();
  const std::string text = dump(incident_to_store(in));
  auto plain = incident_from_plain_record(text);
  ASSERT_TRUE(plain.has_value()) << text;
  EXPECT_EQ(describe(*plain), describe(in));
  auto read = incident_from_store(text);
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  EXPECT_EQ(describe(*read), describe(in));
  EXPECT_EQ(describe(*oracle_from_store(text)), describe(in));
}

TEST(IncidentRecord, DefaultsAndEdgeValuesRoundTrip) {
  Incident in;
  in.id = "inc-1";
  in.plan_id = "p";
  in.place = *PlacePath::parse("d");
  in.watch = "d";
  in.state = "closed";
  in.value = -1.5e-300;
  for (double v : {0.0, -0.0, -1.5e-300, 1e300, 123456789.125, -7.0, 5e-324, 9007199254740993.0}) {
    in.value = v;
    const std::string text = dump(incident_to_store(in));
    auto read = incident_from_store(text);
    ASSERT_TRUE(read.is_ok()) << text;
    EXPECT_EQ(describe(*read), describe(*oracle_from_store(text))) << text;
    EXPECT_EQ(std::bit_cast<std::uint64_t>(read->value), std::bit_cast<std::uint64_t>(v)) << text;
  }
}

TEST(IncidentRecord, AnOldRecordWithoutTheOptionalFieldsGetsTheirDefaults) {
  auto read = incident_from_store(kOldRecord);
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  EXPECT_TRUE(incident_from_plain_record(kOldRecord).has_value());
  EXPECT_EQ(read->watch, "xc/hl/qy/g03/b12");
  EXPECT_EQ(read->level_since, at_ms(1700000005000));  // its updated time
  EXPECT_EQ(read->acknowledged_at, Time{});
  EXPECT_EQ(read->acknowledged_by, "");
  EXPECT_EQ(read->resolved_at, Time{});
  EXPECT_EQ(read->reopened, 0u);
  EXPECT_EQ(read->escalation_next, 0u);
  EXPECT_EQ(read->renotified, 0u);
  EXPECT_FALSE(read->escalated_to.has_value());
  EXPECT_TRUE(read->search_level.empty());
  EXPECT_TRUE(read->unfilled.empty());
  EXPECT_TRUE(read->reopen_times.empty());
  EXPECT_FALSE(read->flapping);
  EXPECT_EQ(read->calm_since, Time{});
  ASSERT_EQ(read->alerts.size(), 1u);
  EXPECT_EQ(read->alerts[0].level, plans::Level::kIII);
  EXPECT_EQ(describe(*read), describe(*oracle_from_store(kOldRecord)));
}

// Valid records not in the engine's own form still read as before (the full reader
// takes them); those in its form with members reordered or spaced out, the plain one.
TEST(IncidentRecord, OtherValidFormsReadAsBefore) {
  const std::string canonical = dump(incident_to_store(full_incident()));
  json j = json::parse(canonical);
  std::vector<std::string> members;
  for (const auto& [k, v] : j.items()) members.push_back(json(k).dump() + " : " + dump(v));
  std::reverse(members.begin(), members.end());
  std::string reordered = "\r\n\t {  ";
  for (std::size_t i = 0; i < members.size(); ++i) reordered += (i ? " ,\n " : "") + members[i];
  reordered += " } \n";
  EXPECT_TRUE(incident_from_plain_record(reordered).has_value()) << reordered;

  std::string old(kOldRecord);
  auto with = [&](std::string_view from, std::string_view to) {
    std::string s = old;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  const std::vector<std::string> cases = {
      reordered,
      with(R"("sensor":"s1")", R"("sensor":"s\u0031")"),                        // \u escape
      with(R"("value":0.6)", R"("value":6e-1)"),                                 // exponent
      with(R"("plan_version":1)", R"("plan_version":1.0)"),                      // a float where an integer goes
      with(R"("plan_version":1)", R"("plan_version":true)"),                     // nlohmann converts it
      with(R"("opened_ms":1700000000000)", R"("opened_ms":1.7e12)"),
      with(R"("state":"open")", R"("state":"resolved","state":"open")"),        // repeated: the last counts
      with(R"("state":"open")", R"("state":"open","added_later":{"x":[1,null]})"),  // unknown member
      [&] {  // alerts as an object: the old reader iterates its values
        std::string s = with(R"("alerts":[{)", R"("alerts":{"a":{)");
        return s.replace(s.find("}],"), 3, "}},");
      }(),
      "\xEF\xBB\xBF" + old,                                                      // byte order mark
  };
  for (const auto& text : cases) {
    auto want = oracle_from_store(text);
    auto got = incident_from_store(text);
    ASSERT_EQ(got.is_ok(), want.is_ok()) << text << "\n" << (want.is_ok() ? got.status() : want.status()).to_string();
    if (want.is_ok()) {
      EXPECT_EQ(describe(*got), describe(*want)) << text;
    }
  }
  EXPECT_EQ(incident_from_store(cases[4])->plan_version, 1u);
  EXPECT_EQ(incident_from_store(cases[6])->state, "open");
}

TEST(IncidentRecord, EveryCorruptShapeIsRejected) {
  const std::string full = dump(incident_to_store(full_incident()));
  std::vector<std::string> bad = {
      "",
      " ",
      "not json",
      "[]",
      "null",
      "\"inc-1\"",
      "{}",
      full.substr(0, full.size() - 1),          // truncated
      full + "x",                               // trailing garbage
      full + "{}",
      std::string(kOldRecord).insert(1, ","),    // a stray comma
  };
  // Each required member missing.
  for (const char* name : {"id", "plan", "plan_version", "place", "level", "state", "opened_ms", "updated_ms", "sensor",
                           "quantity", "value", "unit", "reading_ms", "alerts"}) {
    json j = json::parse(full);
    j.erase(name);
    bad.push_back(dump(j));
  }
  // Wrong types and values.
  auto set = [&](const char* name, json v) {
    json j = json::parse(full);
    j[name] = std::move(v);
    bad.push_back(dump(j));
  };
  for (const char* name : {"id", "plan", "place", "level", "state", "sensor", "quantity", "unit", "watch",
                           "acknowledged_by", "resolved_by", "escalated_to"}) {
    set(name, 5);
    set(name, nullptr);
  }
  for (const char* name : {"plan_version", "opened_ms", "updated_ms", "value", "reading_ms", "acknowledged_ms",
                           "resolved_ms", "reopened", "level_since_ms", "escalation_next", "renotified",
                           "calm_since_ms"}) {
    set(name, "1");
    set(name, nullptr);
    set(name, json::array());
  }
  set("flapping", 1);
  set("flapping", "true");
  set("level", "V");
  set("level", "");
  set("escalated_to", "V");
  set("place", "xc//b12");
  set("place", "XC");
  set("alerts", 5);
  set("alerts", json::array({5}));
  set("alerts", json::array({json::object()}));
  set("alerts", json::parse(R"([{"identifier":"a","sent_ms":1,"msg_type":"Alert","level":"V"}])"));
  set("alerts", json::parse(R"([{"identifier":"a","sent_ms":"1","msg_type":"Alert","level":"I"}])"));
  set("alerts", json::parse(R"([{"identifier":1,"sent_ms":1,"msg_type":"Alert","level":"I"}])"));
  set("alerts", json::parse(R"([{"sent_ms":1,"msg_type":"Alert","level":"I"}])"));
  set("search_level", json::parse(R"({"fire_warden":0})"));
  set("search_level", json::parse(R"({"fire_warden":6})"));
  set("search_level", json::parse(R"({"fire_warden":"4"})"));
  set("unfilled", "doctor");
  set("unfilled", json::array({1}));
  set("reopen_ms", json::array({"1"}));
  for (const auto& text : bad) {
    ASSERT_FALSE(oracle_from_store(text).is_ok()) << "the oracle takes " << text;
    EXPECT_FALSE(incident_from_plain_record(text).has_value()) << text;
    auto read = incident_from_store(text);
    ASSERT_FALSE(read.is_ok()) << text;
    EXPECT_EQ(read.status().code(), Status::Code::kCorruption) << text;
    // The same error as before.
    EXPECT_EQ(read.status().message(), oracle_from_store(text).status().message()) << text;
  }
}

// Whether `text` holds a number of 9e12 or more (or less than -9e12): as a time in
// milliseconds it overflows from_ms's nanoseconds, which is undefined behaviour in the
// old reader as in the new one (UBSan says so). Such records are left out.
bool has_huge_number(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) continue;
    std::size_t end = i;
    while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.' ||
                                 text[end] == 'e' || text[end] == 'E' || text[end] == '+' || text[end] == '-')) {
      ++end;
    }
    if (!(std::fabs(std::strtod(text.substr(i, end - i).c_str(), nullptr)) < 9e12)) return true;
    i = end;
  }
  return false;
}

// Records made by mutating valid ones (members replaced by other JSON values, removed,
// repeated, reordered, added; bytes inserted, removed or changed): the new reader
// accepts exactly what the oracle accepts and reads it identically.
TEST(IncidentRecord, ReadsEveryRecordExactlyAsTheOldReaderDid) {
  const std::vector<std::string> seeds = {dump(incident_to_store(full_incident())), std::string(kOldRecord)};
  const std::vector<std::string> values = {
      "null", "true", "false", "0", "1", "-1", "7", "-0", "4294967295", "4294967296", "-4294967296", "1.5", "2.0",
      "1e3", "1E+2", "-2.5e-3", "1e400", "-1e400", "1e-400", "0.1", "123456789012345678", "-123456789012345678",
      "1234567890123456789", "99999999999999999999", "9223372036854775807", "-9223372036854775808",
      "18446744073709551615", "01", "1.", ".5", "+1", "\"\"", "\"x\"", "\"III\"", "\"I\"", "\"IV\"", "\"V\"",
      "\"open\"", "\"d/c1/b2\"", "\"d//b\"", "\"D\"", R"("\u00e9")", R"("caf\u00e9")", R"("\ud83d\ude00")",
      R"("\ud83d")", R"("a\nb\"c\\d\/e")", R"("\x")", "\"\xC3\xA9\"", "\"\xC3\"", "\"\xED\xA0\x80\"",
      "\"\xF4\x90\x80\x80\"", "\"\xE2\x82\xAC\"", "\"\xF0\x9F\x98\x80\"", "\"tab\tin\"", "[]", "[1]", "[1,2]",
      "[-5,1700000000000]", "[1.5]", R"(["a","b","a"])", R"(["a",1])", "{}", R"({"r":3})", R"({"r":0})",
      R"({"r":6})", R"({"r":true})", R"({"r":2.5})", R"({"r":"3"})", R"({"r":1,"q":5})", R"({"r":1,"r":2})",
      R"({"r":9,"r":2})", R"({"\u0072":2})", R"([{"identifier":"a","sent_ms":1,"msg_type":"Alert","level":"II"}])",
      R"([{"identifier":"a","sent_ms":1,"msg_type":"Alert","level":"X"}])",
      R"([{"identifier":"a","sent_ms":1,"msg_type":"Alert"}])",
      R"([{"identifier":"a","sent_ms":1,"msg_type":"Alert","level":"II","extra":1}])",
      R"([{"identifier":"a","identifier":"b","sent_ms":1.0,"msg_type":"Alert","level":"II"}])",
      R"({"k":{"identifier":"a","sent_ms":1,"msg_type":"Alert","level":"II"}})",
      R"([{"level":"I","msg_type":"Update","sent_ms":-3,"identifier":"z"},{"identifier":"b","sent_ms":2,"msg_type":"Alert","level":"IV"}])",
      "[[1]]", "{\"a\":[]}"};
  const std::vector<std::string> names = {
      "acknowledged_by", "acknowledged_ms", "alerts", "calm_since_ms", "escalated_to", "escalation_next", "flapping",
      "id", "level", "level_since_ms", "opened_ms", "place", "plan", "plan_version", "quantity", "reading_ms",
      "renotified", "reopen_ms", "reopened", "resolved_by", "resolved_ms", "search_level", "sensor", "state",
      "unfilled", "unit", "updated_ms", "value", "watch", "extra", "Id", "id "};
  const std::string bytes = "{}[]\":,.-+0123456789eEtrufalsn \\\t\n\x01\x7f\x80\xC3\xA9\xFF";

  std::mt19937 rng(20261122);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  auto space = [&] {
    static const char* ws[] = {"", "", "", " ", "\n", "\t ", "\r\n"};
    return std::string(ws[pick(7)]);
  };
  std::size_t accepted = 0, plain = 0, rejected = 0, left_out = 0;
  constexpr int kRecords = 20000;
  for (int n = 0; n < kRecords; ++n) {
    // The seed as a list of members: name, value text.
    json j = json::parse(seeds[pick(seeds.size())]);
    std::vector<std::pair<std::string, std::string>> members;
    for (const auto& [k, v] : j.items()) members.emplace_back(k, dump(v));
    const std::size_t edits = 1 + pick(3);
    for (std::size_t e = 0; e < edits && !members.empty(); ++e) {
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
      text += json(members[i].first).dump() + space() + ":" + space() + members[i].second;
    }
    text += space() + "}" + space();
    if (pick(4) == 0) {  // and a byte or two
      for (std::size_t k = 1 + pick(2); k-- > 0;) {
        const std::size_t at = pick(text.size());
        switch (pick(3)) {
          case 0: text.erase(at, 1); break;
          case 1: text.insert(at, 1, bytes[pick(bytes.size())]); break;
          case 2: text[at] = bytes[pick(bytes.size())]; break;
        }
      }
    }

    if (has_huge_number(text)) {
      ++left_out;
      continue;
    }
    auto want = oracle_from_store(text);
    auto got = incident_from_store(text);
    auto fast = incident_from_plain_record(text);
    ASSERT_EQ(got.is_ok(), want.is_ok()) << text << "\n" << (want.is_ok() ? got.status() : want.status()).to_string();
    if (want.is_ok()) {
      ++accepted;
      ASSERT_EQ(describe(*got), describe(*want)) << text;
    } else {
      ++rejected;
      ASSERT_EQ(got.status().code(), Status::Code::kCorruption) << text;
      ASSERT_EQ(got.status().message(), want.status().message()) << text;
    }
    if (fast) {
      ++plain;
      ASSERT_TRUE(want.is_ok()) << "the plain reader takes what the oracle rejects: " << text;
      ASSERT_EQ(describe(*fast), describe(*want)) << text;
    }
  }
  // The mutations reach both sides (not a timing: counts of a fixed seed).
  EXPECT_GT(accepted, kRecords / 10);
  EXPECT_GT(plain, kRecords / 20);
  EXPECT_GT(rejected, kRecords / 10);
  std::printf("%d records: %zu accepted (%zu by the plain reader), %zu rejected, %zu left out\n", kRecords, accepted,
              plain, rejected, left_out);
}

}  // namespace
}  // namespace lookout::engine::detail
