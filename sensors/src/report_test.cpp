#include "lookout/sensors/report.h"

#include <chrono>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lookout/base/time_format.h"

namespace lookout::sensors {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::HasSubstr;

// 2026-11-21T13:00:00Z, i.e. 21:00:00 in +08:00.
const Time kNow = parse_iso8601("2026-11-21T13:00:00Z").value();

constexpr const char* kFull = R"({"id": "r-7781", "category": "fire", "place": "xc/hl/qy/g03/b12",
  "source": "hotline", "reporter": "Ms Wang, 3rd floor", "description": "smoke from the stairwell",
  "time": "2026-11-21T21:04:05+08:00"})";

// A payload that must be accepted.
Report ok(std::string_view payload, const ReportLimits& limits = {}) {
  auto r = decode_report(payload, kNow, limits);
  EXPECT_TRUE(r.ok()) << payload << "\n -> " << r.status.to_string();
  EXPECT_TRUE(r.status.is_ok());
  if (!r.ok()) return {};
  EXPECT_EQ(r.id, r.report->id);
  return *r.report;
}

// A payload that must be rejected: the result, checked to be kInvalidArgument.
ReportDecodeResult rejected(std::string_view payload, const ReportLimits& limits = {}) {
  auto r = decode_report(payload, kNow, limits);
  EXPECT_FALSE(r.ok()) << payload << " was accepted";
  EXPECT_FALSE(r.report.has_value());
  EXPECT_EQ(r.status.code(), Status::Code::kInvalidArgument) << r.status.to_string();
  return r;
}

// A report with the required fields and `extra` (",\"k\": v" pairs) appended.
std::string with(const std::string& extra) {
  return R"({"id": "r-1", "category": "fire", "place": "xc/hl/qy", "source": "app")" + extra + "}";
}

// A report with the required fields, `field` replaced by the JSON `value` (or left out
// when `value` is empty).
std::string replacing(const std::string& field, const std::string& value) {
  std::string out = "{";
  for (auto [k, v] : {std::pair<std::string, std::string>{"id", R"("r-1")"},
                      {"category", R"("fire")"},
                      {"place", R"("xc/hl/qy")"},
                      {"source", R"("app")"}}) {
    if (k == field) {
      if (value.empty()) continue;
      v = value;
    }
    if (out.size() > 1) out += ", ";
    out += "\"" + k + "\": " + v;
  }
  return out + "}";
}

// ---- Accepted -----------------------------------------------------------------------

TEST(ReportDecode, FullReport) {
  auto r = ok(kFull);
  EXPECT_EQ(r.id, "r-7781");
  EXPECT_EQ(r.category, "fire");
  EXPECT_EQ(r.place.str(), "xc/hl/qy/g03/b12");
  EXPECT_EQ(r.source, "hotline");
  EXPECT_EQ(r.reporter, "Ms Wang, 3rd floor");
  EXPECT_EQ(r.description, "smoke from the stairwell");
  EXPECT_TRUE(r.time_given);
  EXPECT_EQ(r.time, kNow + minutes(4) + seconds(5));
}

TEST(ReportDecode, OptionalFieldsMayBeLeftOutAndMissingTimeIsNow) {
  auto r = ok(with(""));
  EXPECT_EQ(r.id, "r-1");
  EXPECT_EQ(r.reporter, "");
  EXPECT_EQ(r.description, "");
  EXPECT_FALSE(r.time_given);
  EXPECT_EQ(r.time, kNow);
  // Empty free text is free text.
  auto e = ok(with(R"(, "reporter": "", "description": "")"));
  EXPECT_EQ(e.reporter, "");
}

TEST(ReportDecode, UnknownFieldsAreIgnored) {
  auto r = ok(with(R"(, "priority": 3, "extra": {"nested": [1, 2, {"deep": null}]}, "must_": true, "": "x")"));
  EXPECT_EQ(r.id, "r-1");
  EXPECT_EQ(r.category, "fire");
}

TEST(ReportDecode, EverySourceInTheContract) {
  for (const char* s : {"hotline", "resident", "grid_worker", "app", "sensor_gateway"}) {
    EXPECT_EQ(ok(replacing("source", std::string("\"") + s + "\"")).source, s);
  }
}

TEST(ReportDecode, FreeTextMayBeAnyUtf8) {
  auto r = ok(with(R"(, "reporter": "王女士", "description": "楼道有烟\n第二行 \u00e9 \ud83d\udd25")"));
  EXPECT_EQ(r.reporter, "王女士");
  EXPECT_EQ(r.description, "楼道有烟\n第二行 é 🔥");
}

// ---- The payload as a whole -----------------------------------------------------------

TEST(ReportDecode, PayloadMustBeUtf8JsonObject) {
  for (const char* bad : {"", "not json", "{\"id\": \"r-1\"", "{\"id\": \"r-1\",}"}) {
    auto r = rejected(bad);
    EXPECT_THAT(r.status.message(), HasSubstr("not valid UTF-8 JSON")) << bad;
    EXPECT_EQ(r.id, "");
  }
  // Ill-formed UTF-8 inside a string: rejected by the JSON parser, before any field.
  auto u = rejected(with(", \"description\": \"bad \xC3\x28 byte\""));
  EXPECT_THAT(u.status.message(), HasSubstr("not valid UTF-8 JSON"));
  auto s = rejected(with(", \"description\": \"lone \\ud800 surrogate\""));
  EXPECT_THAT(s.status.message(), HasSubstr("not valid UTF-8 JSON"));

  EXPECT_THAT(rejected(R"([{"id": "r-1"}])").status.message(),
              HasSubstr("expected a report (a JSON object), found an array"));
  EXPECT_THAT(rejected(R"("r-1")").status.message(), HasSubstr("found a string"));
  EXPECT_THAT(rejected("42").status.message(), HasSubstr("found a number"));
  EXPECT_THAT(rejected("null").status.message(), HasSubstr("found null"));
  EXPECT_THAT(rejected("true").status.message(), HasSubstr("found a boolean"));
}

TEST(ReportDecode, DeepNestingIsHandledWithoutCrashing) {
  std::string deep = with(", \"x\": " + std::string(20000, '[') + std::string(20000, ']'));
  EXPECT_EQ(ok(deep).id, "r-1");
  std::string unbalanced = with(", \"x\": " + std::string(60000, '['));
  EXPECT_THAT(rejected(unbalanced).status.message(), HasSubstr("not valid UTF-8 JSON"));
}

TEST(ReportDecode, DuplicateFieldsAreRejected) {
  auto other = rejected(with(R"(, "place": "xc/hl/zz")"));
  EXPECT_EQ(other.status.message(), "field \"place\" appears more than once; expected it at most once");
  EXPECT_EQ(other.id, "r-1");  // the id is unambiguous: a rejected receipt can be sent
  auto id = rejected(with(R"(, "id": "r-2")"));
  EXPECT_EQ(id.status.message(), "field \"id\" appears more than once; expected it once");
  EXPECT_EQ(id.id, "");  // which id? none is answered
  // Nested objects may repeat their own keys: only the report's fields count.
  EXPECT_EQ(ok(with(R"(, "extra": {"id": 1}, "more": {"id": 2})")).id, "r-1");
}

// ---- id -------------------------------------------------------------------------------

TEST(ReportDecode, IdIsRequiredAndSyntaxChecked) {
  auto missing = rejected(replacing("id", ""));
  EXPECT_THAT(missing.status.message(), HasSubstr("field \"id\" is missing; expected"));
  EXPECT_EQ(missing.id, "");
  auto number = rejected(replacing("id", "7781"));
  EXPECT_EQ(number.status.message(), "field \"id\" must be a string, found a number");
  EXPECT_EQ(number.id, "");
  for (const char* bad : {R"("")", R"("r 1")", R"("r/1")", R"("r#1")", R"("r+1")", R"("火")", R"("r\n")"}) {
    auto r = rejected(replacing("id", bad));
    EXPECT_THAT(r.status.message(), HasSubstr("field \"id\"")) << bad;
    EXPECT_THAT(r.status.message(), HasSubstr("is not 1 to 64 of A-Z a-z 0-9 '_' '.' '-'")) << bad;
    EXPECT_EQ(r.id, "") << bad;
  }
  auto long_id = rejected(replacing("id", "\"" + std::string(65, 'x') + "\""));
  EXPECT_EQ(long_id.id, "");
  EXPECT_EQ(ok(replacing("id", "\"" + std::string(64, 'x') + "\"")).id, std::string(64, 'x'));
  EXPECT_EQ(ok(replacing("id", R"("App_2026.11-21.x")")).id, "App_2026.11-21.x");
}

TEST(ReportDecode, ARejectedReportWithAValidIdStillNamesIt) {
  auto r = rejected(replacing("source", R"("phone")"));
  EXPECT_EQ(r.id, "r-1");
  auto c = rejected(replacing("category", ""));
  EXPECT_EQ(c.id, "r-1");
}

// ---- category -----------------------------------------------------------------------

TEST(ReportDecode, CategoryIsRequiredAndSyntaxChecked) {
  EXPECT_THAT(rejected(replacing("category", "")).status.message(),
              HasSubstr("field \"category\" is missing; expected a category like \"fire\""));
  EXPECT_EQ(rejected(replacing("category", R"(["fire"])")).status.message(),
            "field \"category\" must be a string, found an array");
  for (const char* bad : {R"("")", R"("Fire")", R"("1fire")", R"("_fire")", R"("gas-smell")", R"("gas smell")",
                          R"("fire!")"}) {
    auto r = rejected(replacing("category", bad));
    EXPECT_THAT(r.status.message(), HasSubstr("field \"category\"")) << bad;
    EXPECT_THAT(r.status.message(), HasSubstr("is not a category")) << bad;
  }
  rejected(replacing("category", "\"a" + std::string(64, 'b') + "\""));  // 65
  EXPECT_EQ(ok(replacing("category", "\"a" + std::string(63, 'b') + "\"")).category.size(), 64u);
  for (const char* good : {"a", "gas_smell", "thrown_object", "x9", "fire_"}) {
    EXPECT_EQ(ok(replacing("category", std::string("\"") + good + "\"")).category, good);
  }
  EXPECT_TRUE(is_valid_report_category("fire"));
  EXPECT_FALSE(is_valid_report_category(""));
}

// ---- place ----------------------------------------------------------------------------

TEST(ReportDecode, PlaceIsRequiredAndMustBeAPlacePath) {
  EXPECT_THAT(rejected(replacing("place", "")).status.message(), HasSubstr("field \"place\" is missing"));
  EXPECT_EQ(rejected(replacing("place", R"({"path": "xc"})")).status.message(),
            "field \"place\" must be a string, found an object");
  for (const char* bad : {R"("")", R"("xc//qy")", R"("/xc")", R"("xc/")", R"("XC/hl")", R"("xc/hl/qy/g03/b12/r1")",
                          R"("xc/**")"}) {
    auto r = rejected(replacing("place", bad));
    EXPECT_THAT(r.status.message(), HasSubstr("field \"place\" is not a place: ")) << bad;
    EXPECT_EQ(r.id, "r-1");
  }
  auto huge = rejected(replacing("place", "\"" + std::string(5000, 'a') + "\""));
  EXPECT_THAT(huge.status.message(), HasSubstr("5000 bytes long"));
  EXPECT_LT(huge.status.message().size(), 200u);  // the message quotes it short
  EXPECT_EQ(ok(replacing("place", R"("xc")")).place.str(), "xc");
  std::string longest = "\"" + std::string(32, 'a') + "/" + std::string(32, 'b') + "/" + std::string(32, 'c') + "/" +
                        std::string(32, 'd') + "/" + std::string(32, 'e') + "\"";
  EXPECT_EQ(ok(replacing("place", longest)).place.depth(), 5u);
}

// ---- source ---------------------------------------------------------------------------

TEST(ReportDecode, SourceIsRequiredAndOneOfTheContractsSources) {
  EXPECT_THAT(rejected(replacing("source", "")).status.message(),
              HasSubstr("field \"source\" is missing; expected one of hotline, resident, grid_worker, app, "
                        "sensor_gateway"));
  EXPECT_EQ(rejected(replacing("source", "true")).status.message(),
            "field \"source\" must be a string, found a boolean");
  for (const char* bad : {R"("phone")", R"("Hotline")", R"("")", R"("app ")"}) {
    auto r = rejected(replacing("source", bad));
    EXPECT_THAT(r.status.message(),
                HasSubstr("field \"source\" must be one of hotline, resident, grid_worker, app, sensor_gateway, found"))
        << bad;
  }
}

// ---- reporter and description ---------------------------------------------------------

TEST(ReportDecode, FreeTextMustBeStringsWithinTheLimits) {
  EXPECT_EQ(rejected(with(R"(, "reporter": 12)")).status.message(),
            "field \"reporter\" must be a string, found a number");
  EXPECT_EQ(rejected(with(R"(, "description": ["a"])")).status.message(),
            "field \"description\" must be a string, found an array");
  auto null = rejected(with(R"(, "reporter": null)"));
  EXPECT_THAT(null.status.message(), HasSubstr("field \"reporter\" must be a string, found null; leave the field out"));
  EXPECT_EQ(null.id, "r-1");

  ReportLimits limits;  // defaults: 256 and 4096 bytes
  EXPECT_EQ(limits.max_reporter_bytes, 256u);
  EXPECT_EQ(limits.max_description_bytes, 4096u);
  EXPECT_EQ(ok(with(", \"reporter\": \"" + std::string(256, 'r') + "\"")).reporter.size(), 256u);
  EXPECT_EQ(rejected(with(", \"reporter\": \"" + std::string(257, 'r') + "\"")).status.message(),
            "field \"reporter\" is 257 bytes long; at most 256 are accepted");
  EXPECT_EQ(ok(with(", \"description\": \"" + std::string(4096, 'd') + "\"")).description.size(), 4096u);
  EXPECT_EQ(rejected(with(", \"description\": \"" + std::string(4097, 'd') + "\"")).status.message(),
            "field \"description\" is 4097 bytes long; at most 4096 are accepted");
  // Bytes, not characters: "王" is 3 bytes.
  limits.max_reporter_bytes = 5;
  EXPECT_THAT(rejected(with(R"(, "reporter": "王女")"), limits).status.message(), HasSubstr("6 bytes long"));
  limits.max_description_bytes = 0;
  EXPECT_THAT(rejected(with(R"(, "description": "x")"), limits).status.message(), HasSubstr("at most 0"));
}

// ---- time -----------------------------------------------------------------------------

TEST(ReportDecode, TimeIsIso8601WithAnOffset) {
  EXPECT_EQ(ok(with(R"(, "time": "2026-11-21T12:59:00Z")")).time, kNow - minutes(1));
  EXPECT_EQ(ok(with(R"(, "time": "2026-11-21T20:59:00+08:00")")).time, kNow - minutes(1));
  EXPECT_EQ(ok(with(R"(, "time": "2026-11-21T08:00:00-05:00")")).time, kNow);
  EXPECT_EQ(ok(with(R"(, "time": "2026-11-21T12:59:59.250Z")")).time, kNow - std::chrono::milliseconds(750));
  for (const char* bad : {R"("2026-11-21T21:04:05")", R"("2026-11-21")", R"("yesterday")", R"("")",
                          R"("2026-11-21 21:04:05+08:00")", R"("2026-13-01T00:00:00Z")",
                          R"("x026-11-21T00:00:00Z")"}) {
    auto r = rejected(with(std::string(", \"time\": ") + bad));
    EXPECT_THAT(r.status.message(), HasSubstr("field \"time\"")) << bad;
    EXPECT_THAT(r.status.message(), HasSubstr("is not a time; expected ISO 8601 with an offset")) << bad;
    EXPECT_EQ(r.id, "r-1");
  }
  EXPECT_EQ(rejected(with(R"(, "time": 1795266000)")).status.message(),
            "field \"time\" must be a string, found a number");
  EXPECT_THAT(rejected(with(R"(, "time": null)")).status.message(), HasSubstr("must be a string, found null"));
}

TEST(ReportDecode, TimeFarFromNowIsRejectedWithoutOverflow) {
  // Years a 64-bit nanosecond clock cannot hold: rejected by the year, not wrapped.
  for (const char* far : {"9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2263-01-01T00:00:00Z",
                          "1600-01-01T00:00:00+08:00"}) {
    auto r = rejected(with(std::string(", \"time\": \"") + far + "\""));
    EXPECT_THAT(r.status.message(), HasSubstr("expected a recent time")) << far;
  }
}

TEST(ReportDecode, TimeMustBeWithinTheWindowAroundNow) {
  // Defaults: 5 minutes ahead (clocks differ), 30 days back.
  EXPECT_EQ(ok(with(R"(, "time": "2026-11-21T13:05:00Z")")).time, kNow + minutes(5));
  auto ahead = rejected(with(R"(, "time": "2026-11-21T13:05:01Z")"));
  EXPECT_EQ(ahead.status.message(),
            "field \"time\" \"2026-11-21T13:05:01Z\" is 301 s after now; at most 300 s after now is accepted");
  EXPECT_EQ(ahead.id, "r-1");
  EXPECT_EQ(ok(with(R"(, "time": "2026-10-22T13:00:00Z")")).time, kNow - hours(24 * 30));
  auto old = rejected(with(R"(, "time": "2026-10-22T12:59:59Z")"));
  EXPECT_EQ(old.status.message(), "field \"time\" \"2026-10-22T12:59:59Z\" is 2592001 s before now; at most 2592000 s "
                                  "before now is accepted");
  ReportLimits tight;
  tight.max_future = seconds(0);
  tight.max_past = minutes(1);
  EXPECT_EQ(ok(with(R"(, "time": "2026-11-21T13:00:00Z")"), tight).time, kNow);
  rejected(with(R"(, "time": "2026-11-21T13:00:00.001Z")"), tight);
  rejected(with(R"(, "time": "2026-11-21T12:58:59Z")"), tight);
}

TEST(ReportDecode, FirstProblemIsReportedInFieldOrder) {
  // id, then category, place, source, reporter, description, time.
  auto r = rejected(R"({"id": "r-9", "category": "Fire", "place": "XC", "source": "x", "time": "never"})");
  EXPECT_THAT(r.status.message(), HasSubstr("field \"category\""));
  EXPECT_EQ(r.id, "r-9");
}

}  // namespace
}  // namespace lookout::sensors
