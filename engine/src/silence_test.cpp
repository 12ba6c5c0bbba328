#include "lookout/engine/silence.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lookout/base/time_format.h"

namespace lookout::engine {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

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

// Friday 2026-11-20, 08:00 in Shanghai. 2026-11-24 is the Tuesday after.
const Time kNow = at("2026-11-20T00:00:00Z");

Silence parse_ok(const json& request, Time now = kNow) {
  auto s = parse_silence_request(request.dump(), now, "Asia/Shanghai");
  EXPECT_TRUE(s.is_ok()) << request.dump() << ": " << s.status().to_string();
  return s.is_ok() ? *s : Silence{};
}

Status parse_error(const std::string& text, Time now = kNow, std::string_view default_zone = "Asia/Shanghai") {
  auto s = parse_silence_request(text, now, default_zone);
  EXPECT_FALSE(s.is_ok()) << text << " was accepted";
  return s.status();
}

// The detector service every Tuesday morning of the example.
json tuesday_service() {
  return {{"place", "xc/hl/qy/g03/b12"},
          {"every", "tue 09:00-11:00"},
          {"time_zone", "Asia/Shanghai"},
          {"by", "wang"},
          {"comment", "detector service"}};
}

SilenceTarget target_at(const char* place, std::string sensor = "smoke-b12-3f", std::string plan = "building-fire",
                        std::vector<std::string> hazards = {"fire", "smoke"}) {
  SilenceTarget t;
  auto p = PlacePath::parse(place);
  EXPECT_TRUE(p.is_ok()) << p.status().to_string();
  if (p.is_ok()) t.place = *p;
  t.sensor = std::move(sensor);
  t.plan = std::move(plan);
  t.hazards = std::move(hazards);
  return t;
}

// ---- When ------------------------------------------------------------------------------------

TEST(SilenceTest, TuesdayMorningInShanghai) {
  Silence s = parse_ok(tuesday_service());
  ASSERT_EQ(s.every.size(), 1u);
  EXPECT_EQ(s.time_zone, "Asia/Shanghai");
  EXPECT_FALSE(s.ends.has_value());

  EXPECT_TRUE(silence_in_effect(s, at("2026-11-24T01:30:00Z")));         // Tue 09:30 local
  EXPECT_TRUE(silence_in_effect(s, at("2026-11-24T09:00:00+08:00")));    // the start is inside
  EXPECT_FALSE(silence_in_effect(s, at("2026-11-24T08:59:59+08:00")));
  EXPECT_TRUE(silence_in_effect(s, at("2026-11-24T10:59:59.999+08:00")));
  EXPECT_FALSE(silence_in_effect(s, at("2026-11-24T03:00:00Z")));        // 11:00 local: the end is outside
  EXPECT_FALSE(silence_in_effect(s, at("2026-11-25T01:30:00Z")));        // Wednesday
  EXPECT_FALSE(silence_in_effect(s, at("2026-11-23T01:30:00Z")));        // Monday
  // Tuesday 09:30 in UTC is 17:30 in Shanghai: the shift is read in the silence's zone.
  EXPECT_FALSE(silence_in_effect(s, at("2026-11-24T09:30:00Z")));
  EXPECT_TRUE(silence_in_effect(s, at("2026-12-01T01:30:00Z")));         // and every week after
  EXPECT_TRUE(silence_in_effect(s, at("2027-06-01T01:30:00Z")));

  s.id = "s-000003";
  EXPECT_EQ(describe(s),
            "s-000003 (place xc/hl/qy/g03/b12, every tue 09:00-11:00 Asia/Shanghai, by wang: detector service)");
}

TEST(SilenceTest, SameShiftInUtcIsADifferentInstant) {
  json request = tuesday_service();
  request["time_zone"] = "UTC";
  Silence s = parse_ok(request);
  EXPECT_FALSE(silence_in_effect(s, at("2026-11-24T01:30:00Z")));
  EXPECT_TRUE(silence_in_effect(s, at("2026-11-24T09:30:00Z")));
}

TEST(SilenceTest, TimeZoneDefaultsToTheEngines) {
  json request = tuesday_service();
  request.erase("time_zone");
  auto s = parse_silence_request(request.dump(), kNow, "Europe/Berlin");
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(s->time_zone, "Europe/Berlin");
  EXPECT_TRUE(silence_in_effect(*s, at("2026-11-24T08:30:00Z")));  // 09:30 CET
}

TEST(SilenceTest, OvernightShiftRunsPastMidnight) {
  Silence s =
      parse_ok({{"sensor", "gas-7"}, {"every", "fri 22:00-06:00"}, {"time_zone", "Asia/Shanghai"}, {"by", "li"}});
  EXPECT_TRUE(silence_in_effect(s, at("2026-11-20T23:00:00+08:00")));   // Friday night
  EXPECT_TRUE(silence_in_effect(s, at("2026-11-21T05:59:00+08:00")));   // Saturday morning
  EXPECT_FALSE(silence_in_effect(s, at("2026-11-21T06:00:00+08:00")));
  EXPECT_FALSE(silence_in_effect(s, at("2026-11-21T23:00:00+08:00")));  // Saturday night
}

TEST(SilenceTest, WindowStartsInclusiveEndsExclusive) {
  Silence s = parse_ok({{"place", "xc/hl/qy/g03/b12"},
                        {"starts", "2026-11-21T08:00:00+08:00"},
                        {"ends", "2026-11-21T12:00:00+08:00"},
                        {"by", "wang"}});
  const Time starts = at("2026-11-21T00:00:00Z");
  const Time ends = at("2026-11-21T04:00:00Z");
  EXPECT_EQ(s.starts, starts);
  ASSERT_TRUE(s.ends.has_value());
  EXPECT_EQ(*s.ends, ends);
  EXPECT_TRUE(s.every.empty());
  EXPECT_FALSE(silence_in_effect(s, starts - 1ms));
  EXPECT_TRUE(silence_in_effect(s, starts));
  EXPECT_TRUE(silence_in_effect(s, ends - 1ms));
  EXPECT_FALSE(silence_in_effect(s, ends));
  EXPECT_FALSE(silence_in_effect(s, ends + 24h));
}

TEST(SilenceTest, StartsDefaultsToNowKeptToTheMillisecond) {
  const Time now = kNow + 1234567ns;  // 1.234567 ms past
  Silence s = parse_ok({{"hazard", "flood"}, {"ends", "2026-11-20T12:00:00+08:00"}, {"by", "zhao"}}, now);
  EXPECT_EQ(s.created_at, kNow + 1ms);
  EXPECT_EQ(s.starts, s.created_at);
  EXPECT_TRUE(s.id.empty());
  EXPECT_TRUE(silence_in_effect(s, now));
  EXPECT_FALSE(silence_in_effect(s, kNow));  // before it was made
  EXPECT_EQ(describe(s), "silence (hazard flood, until 2026-11-20T04:00:00-00:00, by zhao)");
}

TEST(SilenceTest, WindowAndWeeklyShiftsTogether) {
  json request = tuesday_service();
  request["starts"] = "2026-11-23T00:00:00+08:00";
  request["ends"] = "2026-12-01T00:00:00+08:00";
  Silence s = parse_ok(request);
  EXPECT_TRUE(silence_in_effect(s, at("2026-11-24T01:30:00Z")));   // Tuesday in the window, in the shift
  EXPECT_FALSE(silence_in_effect(s, at("2026-11-24T04:00:00Z")));  // in the window, after the shift
  EXPECT_FALSE(silence_in_effect(s, at("2026-11-26T01:30:00Z")));  // Thursday in the window
  EXPECT_FALSE(silence_in_effect(s, at("2026-11-17T01:30:00Z")));  // the Tuesday before the window
  EXPECT_FALSE(silence_in_effect(s, at("2026-12-01T01:30:00Z")));  // the Tuesday after it ends
  s.id = "s-000004";
  EXPECT_EQ(describe(s),
            "s-000004 (place xc/hl/qy/g03/b12, every tue 09:00-11:00 Asia/Shanghai, from 2026-11-22T16:00:00-00:00, "
            "until 2026-11-30T16:00:00-00:00, by wang: detector service)");
}

TEST(SilenceTest, SeveralShifts) {
  Silence s = parse_ok({{"plan", "basement-flood"},
                        {"every", "mon-fri 08:00-09:00; sat 09:00-12:00"},
                        {"time_zone", "UTC"},
                        {"by", "wu"}});
  ASSERT_EQ(s.every.size(), 2u);
  EXPECT_TRUE(silence_in_effect(s, at("2026-11-20T08:30:00Z")));   // Friday
  EXPECT_FALSE(silence_in_effect(s, at("2026-11-21T08:30:00Z")));  // Saturday, before its shift
  EXPECT_TRUE(silence_in_effect(s, at("2026-11-21T11:00:00Z")));
  EXPECT_FALSE(silence_in_effect(s, at("2026-11-22T08:30:00Z")));  // Sunday
}

// ---- What ------------------------------------------------------------------------------------

TEST(SilenceTest, MatchesByEachMatcher) {
  const SilenceTarget target = target_at("xc/hl/qy/g03/b12");
  Silence s;
  s.place = "xc/hl/qy/g03/b12";
  EXPECT_TRUE(silence_matches(s, target));
  EXPECT_FALSE(silence_matches(s, target_at("xc/hl/qy/g03/b11")));

  s = Silence{};
  s.sensor = "smoke-b12-3f";
  EXPECT_TRUE(silence_matches(s, target));
  EXPECT_FALSE(silence_matches(s, target_at("xc/hl/qy/g03/b12", "smoke-b12-4f")));
  EXPECT_FALSE(silence_matches(s, target_at("xc/hl/qy/g03/b12", "")));  // a report has no sensor

  s = Silence{};
  s.plan = "building-fire";
  EXPECT_TRUE(silence_matches(s, target));
  EXPECT_FALSE(silence_matches(s, target_at("xc/hl/qy/g03/b12", "smoke-b12-3f", "gas-leak")));

  s = Silence{};
  s.hazard = "smoke";
  EXPECT_TRUE(silence_matches(s, target));  // any of the plan's hazards
  s.hazard = "flood";
  EXPECT_FALSE(silence_matches(s, target));
  EXPECT_FALSE(silence_matches(s, target_at("xc/hl/qy/g03/b12", "smoke-b12-3f", "building-fire", {})));
}

TEST(SilenceTest, EveryMatcherSetMustMatch) {
  Silence s;
  s.place = "xc/hl/qy/**";
  s.hazard = "fire";
  EXPECT_TRUE(silence_matches(s, target_at("xc/hl/qy/g03/b12")));
  EXPECT_FALSE(silence_matches(s, target_at("xc/hl/qy/g03/b12", "smoke-b12-3f", "building-fire", {"flood"})));
  EXPECT_FALSE(silence_matches(s, target_at("xc/hl/dm/g01/b01")));

  s.sensor = "smoke-b12-3f";
  s.plan = "building-fire";
  EXPECT_TRUE(silence_matches(s, target_at("xc/hl/qy/g03/b12")));
  EXPECT_FALSE(silence_matches(s, target_at("xc/hl/qy/g03/b12", "smoke-b12-3f", "other-plan")));
  EXPECT_FALSE(silence_matches(s, target_at("xc/hl/qy/g03/b12", "smoke-b12-9f")));
}

TEST(SilenceTest, PlacePatterns) {
  Silence s;
  s.place = "xc/hl/qy/**";
  EXPECT_TRUE(silence_matches(s, target_at("xc/hl/qy")));
  EXPECT_TRUE(silence_matches(s, target_at("xc/hl/qy/g03")));
  EXPECT_TRUE(silence_matches(s, target_at("xc/hl/qy/g03/b12")));
  EXPECT_FALSE(silence_matches(s, target_at("xc/hl/qz/g03/b12")));
  EXPECT_FALSE(silence_matches(s, target_at("xc/hl")));

  s.place = "xc/hl/qy";  // exactly the community, not what is inside it
  EXPECT_TRUE(silence_matches(s, target_at("xc/hl/qy")));
  EXPECT_FALSE(silence_matches(s, target_at("xc/hl/qy/g03/b12")));

  s.place = "xc/hl/*/g03/**";
  EXPECT_TRUE(silence_matches(s, target_at("xc/hl/qy/g03/b12")));
  EXPECT_TRUE(silence_matches(s, target_at("xc/hl/dm/g03")));
  EXPECT_FALSE(silence_matches(s, target_at("xc/hl/qy/g04/b12")));

  s.place = "**";
  EXPECT_TRUE(silence_matches(s, target_at("xc/hl/qy/g03/b12")));
}

TEST(SilenceTest, NoMatcherMatchesNothing) {
  Silence s;  // only a bug could make one; it must not hide every alert
  EXPECT_FALSE(silence_matches(s, target_at("xc/hl/qy/g03/b12")));
}

// ---- Refused requests --------------------------------------------------------------------------

struct Rejection {
  json request;
  std::string key;       // the message starts with it
  std::string expected;  // and says this
};

// A request (or record) with one key set or removed.
json with(json base, const char* key, json value) {
  base[key] = std::move(value);
  return base;
}
json without(json base, const char* key) {
  base.erase(key);
  return base;
}

TEST(SilenceTest, RefusesBadRequestsNamingTheKey) {
  const json window = {{"place", "xc/hl/qy/g03/b12"}, {"ends", "2026-11-21T12:00:00+08:00"}, {"by", "wang"}};
  const std::vector<Rejection> cases = {
      {with(window, "colour", "red"), "unknown key \"colour\"", "expected place, sensor, plan, hazard"},
      // Wrong types.
      {with(window, "place", 5), "place:", "a JSON number"},
      {with(window, "sensor", json::array({"a"})), "sensor:", "a JSON array"},
      {with(window, "plan", nullptr), "plan:", "a JSON null"},
      {with(window, "hazard", true), "hazard:", "a JSON boolean"},
      {with(window, "starts", 1795000000000), "starts:", "ISO 8601"},
      {with(window, "ends", json::object()), "ends:", "a JSON object"},
      {with(window, "every", 3), "every:", "weekly shifts"},
      {with(window, "time_zone", 8), "time_zone:", "IANA"},
      {with(window, "by", json::array()), "by:", "who makes the silence"},
      {with(window, "comment", 1), "comment:", "free text"},
      // Empty matchers: leave the key out instead.
      {with(window, "place", ""), "place:", "leave the key out"},
      {with(window, "sensor", ""), "sensor:", "leave the key out"},
      // Bad patterns and ids.
      {with(window, "place", "xc/**/qy"), "place:", "expected a place pattern"},
      {with(window, "place", "XC/hl"), "place:", "expected a place pattern"},
      {with(window, "place", "xc/hl/"), "place:", "expected a place pattern"},
      {with(window, "sensor", "smoke 3f"), "sensor:", "expected a sensor id"},
      {with(window, "sensor", std::string(65, 'a')), "sensor:", "expected a sensor id"},
      {with(window, "plan", "Building-Fire"), "plan:", "expected a plan id"},
      {with(window, "plan", "-fire"), "plan:", "expected a plan id"},
      {with(window, "plan", std::string(65, 'p')), "plan:", "expected a plan id"},
      {with(window, "hazard", "Fire"), "hazard:", "expected a hazard name"},
      {with(window, "hazard", "1fire"), "hazard:", "expected a hazard name"},
      {with(window, "hazard", "gas-leak"), "hazard:", "expected a hazard name"},
      // What and when.
      {without(window, "place"), "no matcher:", "at least one of place, sensor, plan, hazard"},
      {without(window, "ends"), "ends, every:", "a silence that never ends"},
      {with(window, "starts", "2026-11-21T12:00:00+08:00"), "ends:", "is not after starts"},
      {with(window, "starts", "2026-11-22T00:00:00+08:00"), "ends:", "is not after starts"},
      {with(window, "ends", "2026-11-19T12:00:00+08:00"), "ends:", "already past"},
      {with(window, "ends", "2026-11-20T08:00:00+08:00"), "ends:", "already past"},  // exactly now
      {with(window, "starts", "tomorrow"), "starts:", "ISO 8601"},
      {with(window, "starts", "2026-11-21T09:00:00"), "starts:", "with an offset"},
      {with(window, "ends", "2026-11-21 12:00"), "ends:", "ISO 8601"},
      {with(window, "every", "tuesday 09:00-11:00"), "every:", "unknown day"},
      {with(window, "every", "tue 09:00-09:00"), "every:", "an end different from the start"},
      {with(window, "every", "tue 9-11"), "every:", "expected"},
      {with(window, "every", " ; "), "every:", "no shifts"},
      {with(window, "time_zone", "Mars/Olympus_Mons"), "time_zone:", "IANA"},
      {with(window, "time_zone", ""), "time_zone:", "IANA"},
      // Who and why.
      {without(window, "by"), "by:", "missing"},
      {with(window, "by", "  "), "by:", "empty"},
      {with(window, "by", "wang\nroot"), "by:", "control characters"},
      {with(window, "by", std::string(129, 'w')), "by:", "at most 128 bytes"},
      {with(window, "comment", std::string(1001, 'c')), "comment:", "at most 1000 bytes"},
  };
  for (const auto& c : cases) {
    Status st = parse_error(c.request.dump());
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << c.request.dump();
    EXPECT_THAT(st.message(), StartsWith(c.key)) << c.request.dump();
    EXPECT_THAT(st.message(), HasSubstr(c.expected)) << c.request.dump();
  }
  // The limits themselves are fine.
  parse_ok(with(window, "comment", std::string(1000, 'c')));
  parse_ok(with(window, "by", std::string(128, 'w')));
  parse_ok(with(window, "sensor", std::string(64, 'a')));
  parse_ok(with(window, "comment", ""));
}

TEST(SilenceTest, RefusesWhatIsNotARequestObject) {
  const std::string valid_rest = R"("ends": "2026-11-21T12:00:00+08:00", "by": "wang")";
  Status st = parse_error("{\"place\": ");
  EXPECT_THAT(st.message(), HasSubstr("not JSON"));
  st = parse_error("[]");
  EXPECT_THAT(st.message(), HasSubstr("a JSON array; expected an object"));
  st = parse_error("");
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  st = parse_error(R"({"place": "xc/hl/qy", "place": "xc/hl/dm", )" + valid_rest + "}");
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), StartsWith("place: given twice"));
  // A key repeated inside a nested value is not a top-level key (and the value is refused for its type).
  st = parse_error(R"({"place": {"a": 1, "a": 2}, )" + valid_rest + "}");
  EXPECT_THAT(st.message(), StartsWith("place: a JSON object"));
}

TEST(SilenceTest, RefusesAnUnknownDefaultTimeZone) {
  Status st = parse_error(without(tuesday_service(), "time_zone").dump(), kNow, "Nowhere/Atlantis");
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(st.message(), StartsWith("time_zone:"));
  EXPECT_THAT(st.message(), HasSubstr("Nowhere/Atlantis"));
}

TEST(SilenceTest, AcceptsAStartInThePastAndEveryKey) {
  Silence s = parse_ok({{"place", "xc/hl/qy/**"},
                        {"sensor", "smoke-b12-3f"},
                        {"plan", "building-fire"},
                        {"hazard", "fire"},
                        {"starts", "2026-11-19T08:00:00+08:00"},
                        {"ends", "2026-11-30T08:00:00.250+08:00"},
                        {"every", "daily 00:00-24:00"},
                        {"time_zone", "UTC"},
                        {"by", "wang"},
                        {"comment", "整栋楼检修 \"phase 2\""}});
  EXPECT_EQ(s.place, "xc/hl/qy/**");
  EXPECT_EQ(s.sensor, "smoke-b12-3f");
  EXPECT_EQ(s.plan, "building-fire");
  EXPECT_EQ(s.hazard, "fire");
  EXPECT_EQ(s.starts, at("2026-11-19T00:00:00Z"));
  EXPECT_EQ(*s.ends, at("2026-11-30T00:00:00.250Z"));
  EXPECT_EQ(s.every, (std::vector<sensors::Shift>{{0x7F, 0, 24 * 60}}));
  EXPECT_EQ(s.created_by, "wang");
  EXPECT_EQ(s.comment, "整栋楼检修 \"phase 2\"");
  EXPECT_EQ(s.created_at, kNow);
  EXPECT_TRUE(silence_in_effect(s, kNow));
}

// ---- Storage -------------------------------------------------------------------------------------

Silence full_silence() {
  Silence s = parse_ok({{"place", "xc/hl/qy/g03/**"},
                        {"sensor", "smoke-b12-3f"},
                        {"plan", "building-fire"},
                        {"hazard", "fire"},
                        {"starts", "2026-11-21T08:00:00.125+08:00"},
                        {"ends", "2026-12-21T08:00:00+08:00"},
                        {"every", "tue 09:00-11:00; fri,sun 22:00-06:00; sat 18:00-24:00"},
                        {"time_zone", "Asia/Shanghai"},
                        {"by", "wang"},
                        {"comment", "检修 \"smoke\" detectors\nline two"}},
                       kNow + 789us);
  s.id = "s-000012";
  return s;
}

TEST(SilenceTest, StorageFormRoundTrips) {
  for (Silence s : {full_silence(), parse_ok(tuesday_service())}) {
    s.id = s.id.empty() ? "s-000001" : s.id;
    const std::string stored = to_json(s);
    auto back = silence_from_json(stored);
    ASSERT_TRUE(back.is_ok()) << back.status().to_string() << "\n" << stored;
    EXPECT_EQ(*back, s) << stored;
    EXPECT_EQ(to_json(*back), stored);
  }
  const json j = json::parse(to_json(full_silence()));
  EXPECT_EQ(j["id"], "s-000012");
  EXPECT_EQ(j["starts_ms"], 1795219200125);  // 2026-11-21T00:00:00.125Z
  EXPECT_EQ(j["created_ms"], 1795132800000);
  EXPECT_EQ(j["every"][1], json::parse(R"({"days": ["fri", "sun"], "start": "22:00", "end": "06:00"})"));
  EXPECT_EQ(j["every"][2]["end"], "24:00");
  EXPECT_TRUE(json::parse(to_json(parse_ok(tuesday_service())))["ends_ms"].is_null());
}

TEST(SilenceTest, BadRecordIsCorruption) {
  const json good = json::parse(to_json(full_silence()));
  ASSERT_TRUE(silence_from_json(good.dump()).is_ok());
  auto with_every = [&](const char* every) { return with(good, "every", json::parse(every)).dump(); };
  std::vector<std::string> bad = {"", "{", "[]", "\"s-000001\"", "null"};
  for (const char* key : {"id", "place", "sensor", "plan", "hazard", "starts_ms", "ends_ms", "every", "time_zone",
                          "created_by", "comment", "created_ms"}) {
    bad.push_back(without(good, key).dump());
  }
  bad.push_back(with(good, "id", "").dump());
  bad.push_back(with(good, "id", 12).dump());
  bad.push_back(with(good, "place", "xc/**/qy").dump());
  bad.push_back(with(good, "sensor", "no spaces allowed").dump());
  bad.push_back(with(good, "plan", "Plan").dump());
  bad.push_back(with(good, "hazard", "Fire").dump());
  bad.push_back(with(good, "starts_ms", "1795219200125").dump());
  bad.push_back(with(good, "starts_ms", 1.5).dump());
  bad.push_back(with(good, "starts_ms", 9'100'000'000'000).dump());
  bad.push_back(with(good, "ends_ms", "soon").dump());
  bad.push_back(with(good, "ends_ms", good["starts_ms"]).dump());  // not after starts
  bad.push_back(with(good, "every", "tue 09:00-11:00").dump());
  bad.push_back(with(good, "every", json::array({1})).dump());
  bad.push_back(with_every(R"([{"days": [], "start": "09:00", "end": "11:00"}])"));
  bad.push_back(with_every(R"([{"days": ["tuesday"], "start": "09:00", "end": "11:00"}])"));
  bad.push_back(with_every(R"([{"days": ["tue", "tue"], "start": "09:00", "end": "11:00"}])"));
  bad.push_back(with_every(R"([{"days": ["tue"], "start": "24:00", "end": "11:00"}])"));
  bad.push_back(with_every(R"([{"days": ["tue"], "start": "09:00", "end": "25:00"}])"));
  bad.push_back(with_every(R"([{"days": ["tue"], "start": "9:00", "end": "11:00"}])"));
  bad.push_back(with_every(R"([{"days": ["tue"], "start": "09:00", "end": "09:00"}])"));
  bad.push_back(with_every(R"([{"days": ["tue"], "start": "09:00"}])"));
  bad.push_back(with(good, "time_zone", "Mars/Olympus_Mons").dump());
  bad.push_back(with(good, "created_by", "").dump());
  bad.push_back(with(good, "comment", std::string(1001, 'c')).dump());
  // No matcher; neither an end nor shifts.
  bad.push_back(with(with(with(with(good, "place", ""), "sensor", ""), "plan", ""), "hazard", "").dump());
  bad.push_back(with(with(good, "ends_ms", nullptr), "every", json::array()).dump());
  for (const auto& text : bad) {
    auto s = silence_from_json(text);
    ASSERT_FALSE(s.is_ok()) << text;
    EXPECT_EQ(s.status().code(), Status::Code::kCorruption) << text << ": " << s.status().to_string();
    EXPECT_THAT(s.status().message(), StartsWith("stored silence")) << text;
  }  // A damaged shift: the message says where and what.
  auto every_message = [&](const char* every) { return silence_from_json(with_every(every)).status().message(); };
  EXPECT_THAT(every_message(R"([{"days": ["tuesday"], "start": "09:00", "end": "11:00"}])"),
              StartsWith(R"(stored silence: field "every": a shift's day must be one of mon..sun, found "tuesday")"));
  EXPECT_THAT(every_message(R"([{"days": ["tue", "tue"], "start": "09:00", "end": "11:00"}])"),
              HasSubstr(R"(repeats the day "tue")"));
  EXPECT_THAT(every_message(R"([{"days": ["tue"], "start": "9:00", "end": "11:00"}])"),
              HasSubstr(R"("start" must be a time HH:MM)"));
  EXPECT_THAT(every_message("[1]"), HasSubstr("a shift must be an object"));
}

// ---- API form ------------------------------------------------------------------------------------

TEST(SilenceTest, ApiFormAndStates) {
  Silence window = parse_ok({{"place", "xc/hl/qy/g03/b12"},
                             {"starts", "2026-11-21T08:00:00+08:00"},
                             {"ends", "2026-11-21T12:00:00+08:00"},
                             {"by", "wang"},
                             {"comment", "pumping out the basement"}});
  window.id = "s-000001";
  const auto* shanghai = zone("Asia/Shanghai");
  auto api = [&](const Silence& s, const char* now) { return json::parse(to_api_json(s, at(now), shanghai)); };

  const json j = api(window, "2026-11-20T00:00:00Z");
  EXPECT_EQ(j, json::parse(R"({
    "id": "s-000001", "place": "xc/hl/qy/g03/b12", "sensor": null, "plan": null, "hazard": null,
    "starts": "2026-11-21T08:00:00+08:00", "ends": "2026-11-21T12:00:00+08:00", "every": null,
    "time_zone": "Asia/Shanghai", "created_by": "wang", "comment": "pumping out the basement",
    "created": "2026-11-20T08:00:00+08:00", "state": "pending"})"));
  EXPECT_EQ(api(window, "2026-11-21T00:00:00Z")["state"], "active");  // starts inclusive
  EXPECT_EQ(api(window, "2026-11-21T03:59:59Z")["state"], "active");
  EXPECT_EQ(api(window, "2026-11-21T04:00:00Z")["state"], "expired");  // ends exclusive

  json request = tuesday_service();
  request["ends"] = "2026-12-01T00:00:00+08:00";
  Silence weekly = parse_ok(request);
  weekly.id = "s-000002";
  EXPECT_EQ(api(weekly, "2026-11-24T01:30:00Z")["state"], "active");
  EXPECT_EQ(api(weekly, "2026-11-24T03:00:00Z")["state"], "waiting");
  EXPECT_EQ(api(weekly, "2026-11-25T01:30:00Z")["state"], "waiting");
  EXPECT_EQ(api(weekly, "2026-12-01T01:30:00Z")["state"], "expired");
  EXPECT_EQ(api(weekly, "2026-11-24T01:30:00Z")["every"], "tue 09:00-11:00");

  weekly.starts = at("2026-11-22T00:00:00Z");
  EXPECT_EQ(api(weekly, "2026-11-21T00:00:00Z")["state"], "pending");

  // Without a zone the times are written in UTC.
  const json utc = json::parse(to_api_json(window, at("2026-11-21T01:00:00Z"), nullptr));
  EXPECT_EQ(utc["starts"], "2026-11-21T00:00:00-00:00");
  EXPECT_EQ(utc["state"], "active");
}

}  // namespace
}  // namespace lookout::engine
