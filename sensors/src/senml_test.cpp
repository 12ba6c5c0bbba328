#include "lookout/sensors/senml.h"

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lookout/base/time_format.h"

namespace lookout::sensors {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::HasSubstr;

const Time kNow = from_epoch_seconds(1.8e9);

// Both decoders must give the same result (records, or the same error) for any input.
void expect_agreement(std::string_view payload, const SenmlLimits& limits, Time now = kNow) {
  auto fast = decode_senml(payload, now, limits);
  auto general = internal::decode_senml_general(payload, now, limits);
  ASSERT_EQ(fast.is_ok(), general.is_ok()) << payload << "\n fast: " << fast.status().to_string()
                                           << "\n general: " << general.status().to_string();
  if (fast.is_ok()) {
    EXPECT_TRUE(fast.value() == general.value()) << payload;
  } else {
    EXPECT_EQ(fast.status().to_string(), general.status().to_string()) << payload;
  }
  // decode_senml_into with records left over from every earlier payload: nothing of
  // them may show through.
  static std::vector<SenmlRecord> reused;
  Status st = decode_senml_into(payload, now, reused, limits);
  ASSERT_EQ(st.is_ok(), general.is_ok()) << payload;
  if (st.is_ok()) {
    EXPECT_TRUE(reused == general.value()) << payload;
  } else {
    EXPECT_EQ(st.to_string(), general.status().to_string()) << payload;
    EXPECT_TRUE(reused.empty());
  }
}

// Every payload of these tests also checks that the common-shape scanner and the
// general decoder agree on it.
StatusOr<std::vector<SenmlRecord>> decode(std::string_view payload, const SenmlLimits& limits = {}) {
  expect_agreement(payload, limits);
  return decode_senml(payload, kNow, limits);
}

// Decodes a payload that must be accepted.
std::vector<SenmlRecord> ok(std::string_view payload, const SenmlLimits& limits = {}) {
  auto result = decode(payload, limits);
  EXPECT_TRUE(result.is_ok()) << payload << "\n -> " << result.status().to_string();
  if (!result) return {};
  return std::move(result).value();
}

// The message of a payload that must be rejected (kInvalidArgument).
std::string error(std::string_view payload, const SenmlLimits& limits = {}) {
  auto result = decode(payload, limits);
  EXPECT_FALSE(result.is_ok()) << payload << " was accepted";
  if (result) return "";
  EXPECT_EQ(result.status().code(), Status::Code::kInvalidArgument) << result.status().to_string();
  return result.status().message();
}

// ---- Shapes -------------------------------------------------------------------------

TEST(SenmlDecode, OneRecordAsAnObject) {
  auto recs = ok(R"({"n":"smoke","v":1})");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].name, "smoke");
  EXPECT_EQ(recs[0].local_name, "smoke");
  EXPECT_EQ(recs[0].quantity(), "smoke");
  EXPECT_EQ(recs[0].value, 1.0);
  EXPECT_FALSE(recs[0].bool_value);
  EXPECT_FALSE(recs[0].string_value);
  EXPECT_FALSE(recs[0].data_value);
  EXPECT_FALSE(recs[0].sum);
  EXPECT_EQ(recs[0].unit, "");
  EXPECT_EQ(recs[0].time, kNow);  // no time at all: now
  EXPECT_FALSE(recs[0].update_time);
}

TEST(SenmlDecode, OneRecordInAPack) {
  auto recs = ok(R"([{"n":"co","u":"ppm","v":35}])");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].name, "co");
  EXPECT_EQ(recs[0].unit, "ppm");
  EXPECT_EQ(recs[0].value, 35.0);
}

TEST(SenmlDecode, WhitespaceAroundTheDocumentIsFine) {
  EXPECT_EQ(ok(" \n\t[ {\"n\" : \"co\" , \"v\" : 1} ]\r\n ").size(), 1u);
}

// ---- RFC 8428 section 5 examples, times moved next to `now` --------------------------

TEST(SenmlDecode, Rfc8428SingleDatapoint) {  // 5.1.1
  auto recs = ok(R"([{"n":"urn:dev:ow:10e2073a01080063","u":"Cel","v":23.1}])");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].name, "urn:dev:ow:10e2073a01080063");
  EXPECT_EQ(recs[0].unit, "Cel");
  EXPECT_EQ(recs[0].value, 23.1);
  EXPECT_EQ(recs[0].time, kNow);
}

TEST(SenmlDecode, Rfc8428MultipleDatapoints) {  // 5.1.2
  auto recs = ok(R"([
    {"bn":"urn:dev:ow:10e2073a01080063:","n":"voltage","u":"V","v":120.1},
    {"n":"current","u":"A","v":1.2}
  ])");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].name, "urn:dev:ow:10e2073a01080063:voltage");
  EXPECT_EQ(recs[0].local_name, "voltage");
  EXPECT_EQ(recs[0].quantity(), "voltage");
  EXPECT_EQ(recs[0].unit, "V");
  EXPECT_EQ(recs[1].name, "urn:dev:ow:10e2073a01080063:current");
  EXPECT_EQ(recs[1].unit, "A");
  EXPECT_EQ(recs[1].value, 1.2);
}

TEST(SenmlDecode, Rfc8428MultipleMeasurementsWithBaseTimeAndBaseUnit) {  // 5.1.3
  // The RFC's bt is 1.276020076001e+09; here it is 10 s before now.
  auto recs = ok(R"([
    {"bn":"urn:dev:ow:10e2073a0108006:","bt":1799999990,"bu":"A","bver":5,"n":"voltage","u":"V","v":120.1},
    {"n":"current","t":-5,"v":1.2},
    {"n":"current","t":-4,"v":1.3},
    {"n":"current","t":-3,"v":1.4},
    {"n":"current","t":-2,"v":1.5},
    {"n":"current","t":-1,"v":1.6},
    {"n":"current","v":1.7}
  ])");
  ASSERT_EQ(recs.size(), 7u);
  EXPECT_EQ(recs[0].name, "urn:dev:ow:10e2073a0108006:voltage");
  EXPECT_EQ(recs[0].unit, "V");  // u overrides bu
  EXPECT_EQ(recs[0].time, kNow - seconds(10));
  for (std::size_t i = 1; i < 7; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(recs[i].name, "urn:dev:ow:10e2073a0108006:current");
    EXPECT_EQ(recs[i].local_name, "current");
    EXPECT_EQ(recs[i].unit, "A");  // bu from record 1
    // bt + t is absolute (>= 2^28): 1799999990 - 5 .. 1799999990.
    EXPECT_EQ(recs[i].time, kNow - seconds(10) - seconds(6 - static_cast<int>(i)));
  }
  EXPECT_EQ(recs[6].value, 1.7);
}

TEST(SenmlDecode, Rfc8428CollectionOfResources) {  // 5.1.6, mixed value types
  auto recs = ok(R"([
    {"bn":"urn:dev:ow:10e2073a01080063:","n":"temp","u":"Cel","v":23.1},
    {"n":"label","vs":"Machine Room"},
    {"n":"open","vb":false},
    {"n":"nfc-reader","vd":"aGkgCg"}
  ])");
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[1].name, "urn:dev:ow:10e2073a01080063:label");
  EXPECT_EQ(recs[1].string_value, "Machine Room");
  EXPECT_FALSE(recs[1].value);
  EXPECT_EQ(recs[2].bool_value, false);
  EXPECT_EQ(recs[3].data_value, "aGkgCg");  // kept as written
  EXPECT_EQ(recs[3].unit, "");              // no bu: u of record 1 does not carry over
}

// ---- Base fields ---------------------------------------------------------------------

TEST(SenmlDecode, BaseNamePersistsUntilReplaced) {
  auto recs = ok(R"([
    {"bn":"b12/","n":"smoke","v":0},
    {"n":"temperature","v":21},
    {"bn":"b13/","n":"smoke","v":1},
    {"n":"door","vb":true}
  ])");
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].name, "b12/smoke");
  EXPECT_EQ(recs[1].name, "b12/temperature");
  EXPECT_EQ(recs[2].name, "b13/smoke");
  EXPECT_EQ(recs[3].name, "b13/door");
  EXPECT_EQ(recs[3].local_name, "door");
}

TEST(SenmlDecode, BaseNameAloneNamesTheRecord) {
  auto recs = ok(R"([{"bn":"urn:dev:mac:0024befffe804ff1","v":1},{"n":"","v":2}])");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].name, "urn:dev:mac:0024befffe804ff1");
  EXPECT_EQ(recs[0].local_name, "");
  EXPECT_EQ(recs[0].quantity(), "urn:dev:mac:0024befffe804ff1");  // falls back to the name
  EXPECT_EQ(recs[1].name, "urn:dev:mac:0024befffe804ff1");
}

TEST(SenmlDecode, EmptyBaseNameClearsIt) {
  auto recs = ok(R"([{"bn":"a:","n":"x","v":1},{"bn":"","n":"y","v":2}])");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].name, "y");
}

TEST(SenmlDecode, UnitOverridesBaseUnitAndBaseUnitPersists) {
  auto recs = ok(R"([
    {"bu":"Cel","n":"t1","v":20},
    {"n":"rh","u":"%RH","v":40},
    {"n":"t2","v":21},
    {"bu":"K","n":"t3","v":300},
    {"n":"plain","u":"","v":1}
  ])");
  ASSERT_EQ(recs.size(), 5u);
  EXPECT_EQ(recs[0].unit, "Cel");
  EXPECT_EQ(recs[1].unit, "%RH");
  EXPECT_EQ(recs[2].unit, "Cel");
  EXPECT_EQ(recs[3].unit, "K");
  EXPECT_EQ(recs[4].unit, "");  // an explicit u, even empty, overrides bu
}

TEST(SenmlDecode, BaseValueIsAddedToValue) {
  auto recs = ok(R"([
    {"bv":100,"n":"level","v":2.5},
    {"n":"level","v":-1},
    {"n":"label","vs":"x"},
    {"n":"total","s":3},
    {"bv":0,"n":"level","v":7}
  ])");
  ASSERT_EQ(recs.size(), 5u);
  EXPECT_EQ(recs[0].value, 102.5);
  EXPECT_EQ(recs[1].value, 99.0);  // bv persists
  EXPECT_FALSE(recs[2].value);     // bv does not make a value where there is none
  EXPECT_EQ(recs[2].string_value, "x");
  EXPECT_FALSE(recs[3].value);
  EXPECT_EQ(recs[4].value, 7.0);  // replaced
}

TEST(SenmlDecode, BaseSumIsAddedToSum) {
  auto recs = ok(R"([
    {"bs":1000,"n":"energy","u":"J","s":5},
    {"n":"energy","s":10,"v":3},
    {"bs":0,"n":"energy","s":1}
  ])");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].sum, 1005.0);
  EXPECT_FALSE(recs[0].value);  // a sum alone is a complete record
  EXPECT_EQ(recs[1].sum, 1010.0);
  EXPECT_EQ(recs[1].value, 3.0);  // bs does not touch v
  EXPECT_EQ(recs[2].sum, 1.0);
}

TEST(SenmlDecode, BaseFieldsApplyToTheirOwnRecord) {
  auto recs = ok(R"({"bn":"x/","bt":-2,"bu":"m","bv":1,"bs":2,"n":"level","v":1,"s":1})");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].name, "x/level");
  EXPECT_EQ(recs[0].time, kNow - seconds(2));
  EXPECT_EQ(recs[0].unit, "m");
  EXPECT_EQ(recs[0].value, 2.0);
  EXPECT_EQ(recs[0].sum, 3.0);
}

// ---- Time ----------------------------------------------------------------------------

TEST(SenmlDecode, AbsoluteTime) {
  auto recs = ok(R"([{"n":"a","v":1,"t":1799999940},{"n":"b","v":1,"t":1800000000.25}])");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].time, kNow - minutes(1));
  EXPECT_EQ(recs[1].time, kNow + milliseconds(250));
}

TEST(SenmlDecode, RelativeTimeCountsFromNow) {
  auto recs = ok(R"([
    {"n":"a","v":1,"t":-30},
    {"n":"a","v":1,"t":0},
    {"n":"a","v":1,"t":12.5},
    {"bt":-60,"n":"a","v":1,"t":10},
    {"n":"a","v":1},
    {"bt":0,"n":"a","v":1}
  ])");
  ASSERT_EQ(recs.size(), 6u);
  EXPECT_EQ(recs[0].time, kNow - seconds(30));
  EXPECT_EQ(recs[1].time, kNow);
  EXPECT_EQ(recs[2].time, kNow + milliseconds(12500));
  EXPECT_EQ(recs[3].time, kNow - seconds(50));  // bt + t = -50
  EXPECT_EQ(recs[4].time, kNow - seconds(60));  // bt persists, t absent
  EXPECT_EQ(recs[5].time, kNow);
}

TEST(SenmlDecode, RelativeAbsoluteBoundaryIsTwoToThe28) {
  SenmlLimits wide;
  wide.max_future = hours(24 * 365 * 20);
  wide.max_past = hours(24 * 365 * 60);
  // 2^28 - 1 is still relative: now + 268435455 s.
  auto recs = ok(R"({"n":"a","v":1,"t":268435455})", wide);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].time, kNow + seconds(268435455));
  // 2^28 itself is absolute: 1978-07-04.
  recs = ok(R"({"n":"a","v":1,"t":268435456})", wide);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].time, from_epoch_seconds(268435456));
  // The sum of bt and t decides, not either alone.
  recs = ok(R"({"bt":268435456,"n":"a","v":1,"t":-1})", wide);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].time, kNow + seconds(268435455));
}

TEST(SenmlDecode, TimeWindowBoundariesAreInclusive) {
  EXPECT_EQ(ok(R"({"n":"a","v":1,"t":300})").at(0).time, kNow + minutes(5));
  EXPECT_EQ(ok(R"({"n":"a","v":1,"t":1800000300})").at(0).time, kNow + minutes(5));
  EXPECT_EQ(ok(R"({"n":"a","v":1,"t":-604800})").at(0).time, kNow - hours(24 * 7));
  EXPECT_EQ(ok(R"({"n":"a","v":1,"t":1799395200})").at(0).time, kNow - hours(24 * 7));
}

TEST(SenmlDecode, RejectsTimesOutsideTheWindow) {
  EXPECT_EQ(
      error(R"({"n":"a","v":1,"t":301})"),
      "record 1: the time (bt + t = 301, relative to now) is 301 s after now; at most 300 s after now is accepted");
  EXPECT_EQ(error(R"([{"n":"a","v":1},{"n":"a","v":1,"t":1800000301}])"),
            "record 2: the time (bt + t = 1800000301) is 301 s after now; at most 300 s after now is accepted");
  EXPECT_EQ(
      error(R"({"n":"a","v":1,"t":-604801})"),
      "record 1: the time (bt + t = -604801, relative to now) is 604801 s before now; at most 604800 s before now "
      "is accepted");
  EXPECT_THAT(error(R"({"n":"a","v":1,"t":1799395199})"), HasSubstr("604801 s before now"));
  // Absolute times far away, without overflowing anything on the way.
  EXPECT_THAT(error(R"({"n":"a","v":1,"t":1e300})"), HasSubstr("after now"));
  EXPECT_THAT(error(R"({"n":"a","v":1,"t":-1e300})"), HasSubstr("before now"));
  // The RFC's own 2010 timestamp is far in the past for a live engine.
  EXPECT_THAT(error(R"({"bt":1.276020076001e+09,"n":"a","v":1})"), HasSubstr("before now"));
}

TEST(SenmlDecode, CustomTimeWindow) {
  SenmlLimits limits;
  limits.max_future = seconds(0);
  limits.max_past = seconds(10);
  EXPECT_EQ(ok(R"({"n":"a","v":1})", limits).size(), 1u);
  EXPECT_EQ(ok(R"({"n":"a","v":1,"t":-10})", limits).size(), 1u);
  EXPECT_THAT(error(R"({"n":"a","v":1,"t":0.5})", limits), HasSubstr("at most 0 s after now"));
  EXPECT_THAT(error(R"({"n":"a","v":1,"t":-11})", limits), HasSubstr("at most 10 s before now"));
}

TEST(SenmlDecode, UpdateTime) {
  auto recs = ok(R"({"n":"heartbeat","vb":true,"ut":60})");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].update_time, Duration(seconds(60)));
  EXPECT_EQ(ok(R"({"n":"a","v":1,"ut":0.5})").at(0).update_time, Duration(milliseconds(500)));
  EXPECT_EQ(error(R"({"n":"a","v":1,"ut":-1})"),
            "record 1: field \"ut\" must be a number of seconds from 0 to 315360000, found -1");
  EXPECT_THAT(error(R"({"n":"a","v":1,"ut":1e20})"), HasSubstr("field \"ut\" must be a number of seconds"));
}

// ---- Values --------------------------------------------------------------------------

TEST(SenmlDecode, EachValueKind) {
  auto recs = ok(R"([
    {"n":"smoke","v":0.12},
    {"n":"door","vb":true},
    {"n":"state","vs":"normal"},
    {"n":"blob","vd":"AQID"},
    {"n":"energy","s":12},
    {"n":"flow","v":1,"s":12},
    {"n":"big","v":18446744073709551615},
    {"n":"neg","v":-5}
  ])");
  ASSERT_EQ(recs.size(), 8u);
  EXPECT_EQ(recs[0].value, 0.12);
  EXPECT_EQ(recs[1].bool_value, true);
  EXPECT_EQ(recs[2].string_value, "normal");
  EXPECT_EQ(recs[3].data_value, "AQID");
  EXPECT_EQ(recs[4].sum, 12.0);
  EXPECT_FALSE(recs[4].value);
  EXPECT_EQ(recs[5].value, 1.0);
  EXPECT_EQ(recs[5].sum, 12.0);
  EXPECT_EQ(recs[6].value, 18446744073709551615.0);
  EXPECT_EQ(recs[7].value, -5.0);
}

TEST(SenmlDecode, StringValuesKeepUnicode) {
  auto recs = ok(R"({"n":"note","vs":"三楼 \u00e9 \ud83d\ude92"})");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].string_value, "三楼 \xC3\xA9 \xF0\x9F\x9A\x92");
}

TEST(SenmlDecode, RejectsMoreThanOneValue) {
  EXPECT_EQ(error(R"({"n":"a","v":1,"vs":"x"})"),
            "record 1: has both \"v\" and \"vs\"; expected exactly one of v, vb, vs, vd");
  EXPECT_EQ(error(R"([{"n":"a","v":1},{"n":"a","vb":true,"vd":"AQID"}])"),
            "record 2: has both \"vb\" and \"vd\"; expected exactly one of v, vb, vs, vd");
  EXPECT_THAT(error(R"({"n":"a","v":1,"vb":false,"vs":"x","vd":"AQID","s":1})"), HasSubstr("has both"));
}

TEST(SenmlDecode, RejectsARecordWithNeitherValueNorSum) {
  EXPECT_EQ(error(R"({"n":"a"})"), "record 1: has no value; expected one of v, vb, vs, vd, or a sum s");
  EXPECT_EQ(error(R"([{"bn":"a","bv":1,"bs":2},{"n":"b","v":1}])"),
            "record 1: has no value; expected one of v, vb, vs, vd, or a sum s");
}

TEST(SenmlDecode, RejectsNumbersThatAreNotFinite) {
  // nlohmann refuses to parse an overflowing literal, so it never becomes inf.
  EXPECT_THAT(error(R"({"n":"a","v":1e999})"), HasSubstr("not valid UTF-8 JSON"));
  EXPECT_THAT(error(R"({"n":"a","v":-1e400})"), HasSubstr("number overflow"));
  EXPECT_THAT(error(R"({"n":"a","v":NaN})"), HasSubstr("not valid UTF-8 JSON"));
  EXPECT_THAT(error(R"({"n":"a","v":Infinity})"), HasSubstr("not valid UTF-8 JSON"));
  // Finite parts whose resolved sum is not.
  EXPECT_EQ(error(R"({"bv":1e308,"n":"a","v":1e308})"),
            "record 1: field \"v\" plus the base value bv is not a finite number");
  EXPECT_EQ(error(R"({"bs":-1e308,"n":"a","s":-1e308})"),
            "record 1: field \"s\" plus the base sum bs is not a finite number");
  EXPECT_EQ(error(R"({"bt":1e308,"n":"a","v":1,"t":1e308})"),
            "record 1: field \"t\" plus the base time bt is not a finite number");
}

TEST(SenmlDecode, RejectsDataValuesThatAreNotBase64Url) {
  EXPECT_EQ(error(R"({"n":"a","vd":"AQ=="})"),
            "record 1: field \"vd\" must be base64url text without padding (A-Z a-z 0-9 - _), found \"AQ==\"");
  EXPECT_THAT(error(R"({"n":"a","vd":"a+b/"})"), HasSubstr("base64url"));
  EXPECT_THAT(error(R"({"n":"a","vd":"AQIDB"})"), HasSubstr("base64url"));  // 5 characters: impossible
  EXPECT_EQ(ok(R"({"n":"a","vd":""})").at(0).data_value, "");
  EXPECT_EQ(ok(R"({"n":"a","vd":"-_8"})").at(0).data_value, "-_8");
}

// ---- Names ---------------------------------------------------------------------------

TEST(SenmlDecode, AcceptsEveryNameCharacter) {
  auto recs = ok(R"({"n":"Az09-:./_","v":1})");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].name, "Az09-:./_");
  EXPECT_EQ(ok(R"({"n":"9lives","v":1})").at(0).name, "9lives");
}

TEST(SenmlDecode, RejectsAnEmptyName) {
  EXPECT_EQ(error(R"({"v":1})"), "record 1: has no name; expected \"n\", or \"bn\" in this or an earlier record");
  EXPECT_EQ(error(R"([{"n":"a","v":1},{"n":"","v":1}])"),
            "record 2: has no name; expected \"n\", or \"bn\" in this or an earlier record");
}

TEST(SenmlDecode, RejectsNamesWithCharactersOutsideTheSet) {
  EXPECT_EQ(
      error(R"({"n":"smoke level","v":1})"),
      "record 1: the name (bn + n) \"smoke level\" has a space at position 6; names use only A-Z a-z 0-9 - : . / _ "
      "(RFC 8428 4.5.1)");
  EXPECT_THAT(error(R"({"n":"a;b","v":1})"), HasSubstr("has ';' at position 2"));
  EXPECT_THAT(error(R"({"n":"温度","v":1})"), HasSubstr("must start with a letter or a digit"));
  EXPECT_THAT(error(R"({"n":"t温","v":1})"), HasSubstr("has byte 0xE6 at position 2"));
  EXPECT_THAT(error(R"({"n":"a\u0000b","v":1})"), HasSubstr("has byte 0x00 at position 2"));
  for (const char* bad : {"-a", ":a", ".a", "/a", "_a"}) {
    EXPECT_THAT(error(std::string(R"({"n":")") + bad + R"(","v":1})"), HasSubstr("must start with a letter or a digit"))
        << bad;
  }
}

TEST(SenmlDecode, TheRuleAppliesToTheResolvedName) {
  // n alone would be bad, bn + n is fine.
  EXPECT_EQ(ok(R"({"bn":"dev","n":"-temp","v":1})").at(0).name, "dev-temp");
  // bn + n bad though each part could start a name.
  EXPECT_THAT(error(R"({"bn":"dev ","n":"temp","v":1})"), HasSubstr("\"dev temp\" has a space at position 4"));
  EXPECT_THAT(error(R"({"bn":"_dev","n":"temp","v":1})"), HasSubstr("must start with a letter or a digit"));
}

// ---- Fields: types, versions, extensions ----------------------------------------------

TEST(SenmlDecode, RejectsAFieldOfTheWrongType) {
  EXPECT_EQ(error(R"([{"n":"a","v":1},{"n":"a","v":"1"}])"), "record 2: field \"v\" must be a number, found a string");
  struct Case {
    const char* record;
    const char* message;
  };
  const Case cases[] = {
      {R"({"bn":1,"n":"a","v":1})", "record 1: field \"bn\" must be a string, found a number"},
      {R"({"bt":"now","n":"a","v":1})", "record 1: field \"bt\" must be a number, found a string"},
      {R"({"bu":["Cel"],"n":"a","v":1})", "record 1: field \"bu\" must be a string, found an array"},
      {R"({"bv":true,"n":"a","v":1})", "record 1: field \"bv\" must be a number, found a boolean"},
      {R"({"bs":{},"n":"a","v":1})", "record 1: field \"bs\" must be a number, found an object"},
      {R"({"bver":"10","n":"a","v":1})", "record 1: field \"bver\" must be a positive integer, found a string"},
      {R"({"n":null,"v":1})", "record 1: field \"n\" must be a string, found null"},
      {R"({"n":"a","u":1,"v":1})", "record 1: field \"u\" must be a string, found a number"},
      {R"({"n":"a","v":null})", "record 1: field \"v\" must be a number, found null"},
      {R"({"n":"a","vs":1})", "record 1: field \"vs\" must be a string, found a number"},
      {R"({"n":"a","vb":1})", "record 1: field \"vb\" must be a boolean (true or false), found a number"},
      {R"({"n":"a","vb":"true"})", "record 1: field \"vb\" must be a boolean (true or false), found a string"},
      {R"({"n":"a","vd":[1]})", "record 1: field \"vd\" must be a string, found an array"},
      {R"({"n":"a","s":"5"})", "record 1: field \"s\" must be a number, found a string"},
      {R"({"n":"a","v":1,"t":"2026-11-21T21:04:05Z"})", "record 1: field \"t\" must be a number, found a string"},
      {R"({"n":"a","v":1,"ut":false})", "record 1: field \"ut\" must be a number, found a boolean"},
  };
  for (const auto& c : cases) EXPECT_EQ(error(c.record), c.message) << c.record;
}

TEST(SenmlDecode, BaseVersion) {
  EXPECT_EQ(ok(R"({"bver":10,"n":"a","v":1})").size(), 1u);
  EXPECT_EQ(ok(R"({"bver":1,"n":"a","v":1})").size(), 1u);
  EXPECT_EQ(ok(R"({"bver":10.0,"n":"a","v":1})").size(), 1u);
  EXPECT_EQ(error(R"([{"n":"a","v":1},{"bver":11,"n":"a","v":1}])"),
            "record 2: field \"bver\" is 11; this decoder understands SenML versions up to 10");
  EXPECT_EQ(error(R"({"bver":0,"n":"a","v":1})"), "record 1: field \"bver\" must be a positive integer, found 0");
  EXPECT_EQ(error(R"({"bver":10.5,"n":"a","v":1})"), "record 1: field \"bver\" must be a positive integer, found 10.5");
  EXPECT_THAT(error(R"({"bver":-3,"n":"a","v":1})"), HasSubstr("must be a positive integer"));
}

TEST(SenmlDecode, IgnoresUnknownFields) {
  auto recs = ok(R"([{"n":"a","v":1,"lookout":{"x":[1,{"y":null}]},"_x":"x","ext":7,"x_y":"z","":1}])");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].value, 1.0);
}

TEST(SenmlDecode, RejectsUnknownMustUnderstandFields) {
  EXPECT_EQ(error(R"([{"n":"a","v":1},{"n":"a","v":1,"rt_":"x"}])"),
            "record 2: field \"rt_\" ends in '_' and so must be understood (RFC 8428 4.4), but is not supported");
  EXPECT_THAT(error(R"({"n":"a","v":1,"_":true})"), HasSubstr("field \"_\" ends in '_'"));
  // Even on a record that would otherwise be rejected for something else later.
  EXPECT_THAT(error(R"({"bn_":"x","v":1})"), HasSubstr("field \"bn_\" ends in '_'"));
  // A long unknown label is cut short in the message.
  const std::string label = std::string(500, 'x') + "_";
  EXPECT_EQ(error("{\"n\":\"a\",\"v\":1,\"" + label + "\":1}"),
            "record 1: field \"" + std::string(60, 'x') +
                "...\" ends in '_' and so must be understood (RFC 8428 4.4), but is not supported");
}

TEST(SenmlDecode, RejectsAFieldGivenTwice) {
  EXPECT_EQ(error(R"([{"n":"a","v":1},{"n":"a","v":1,"v":2}])"),
            "record 2: field \"v\" appears more than once; expected it at most once");
  EXPECT_EQ(error(R"({"n":"a","v":1,"n":"b"})"),
            "record 1: field \"n\" appears more than once; expected it at most once");
  // Repeated keys deeper down, inside an ignored extension, are not the record's fields.
  EXPECT_EQ(ok(R"({"n":"a","v":1,"ext":{"k":1,"k":2}})").size(), 1u);
  // The same field in different records is normal.
  EXPECT_EQ(ok(R"([{"n":"a","v":1},{"n":"a","v":2}])").size(), 2u);
}

// ---- The document as a whole ------------------------------------------------------------

TEST(SenmlDecode, RejectsWhatIsNotJson) {
  for (const char* bad : {"", " ", "{", "[{\"n\":\"a\",\"v\":1}", "[{\"n\":\"a\",\"v\":1},]", "{'n':'a'}", "nul",
                          "[{\"n\":\"a\",\"v\":1}] trailing", "[{\"n\":\"a\",\"v\":01}]"}) {
    EXPECT_THAT(error(bad), HasSubstr("the payload is not valid UTF-8 JSON: ")) << bad;
  }
  EXPECT_THAT(error("{"), HasSubstr("parse error at line 1, column 2"));
}

TEST(SenmlDecode, RejectsWhatIsNotUtf8) {
  EXPECT_THAT(error("[{\"n\":\"a\",\"v\":1,\"vs\":\"\xff\"}]"), HasSubstr("ill-formed UTF-8"));
  EXPECT_THAT(error("[{\"n\":\"a\",\"v\":1,\"vs\":\"\xC0\xAF\"}]"), HasSubstr("not valid UTF-8 JSON"));  // overlong '/'
  EXPECT_THAT(error("[{\"n\":\"a\",\"v\":1,\"x\":\"\xED\xA0\x80\"}]"), HasSubstr("not valid UTF-8 JSON"));  // surrogate
  EXPECT_THAT(error(R"({"n":"a","vs":"\ud800"})"), HasSubstr("not valid UTF-8 JSON"));  // lone escaped surrogate
}

TEST(SenmlDecode, RejectsADocumentThatIsNeitherArrayNorObject) {
  const std::string expected = "expected a SenML pack (a JSON array of records) or one record (a JSON object), found ";
  EXPECT_EQ(error("42"), expected + "a number");
  EXPECT_EQ(error("\"smoke\""), expected + "a string");
  EXPECT_EQ(error("null"), expected + "null");
  EXPECT_EQ(error("true"), expected + "a boolean");
}

TEST(SenmlDecode, RejectsAnEmptyPack) {
  EXPECT_EQ(error("[]"), "the SenML pack is empty; expected at least one record");
  EXPECT_EQ(error(" [ ] "), "the SenML pack is empty; expected at least one record");
}

TEST(SenmlDecode, RejectsARecordThatIsNotAnObject) {
  EXPECT_EQ(error(R"([{"n":"a","v":1},5])"), "record 2: expected an object (a SenML record), found a number");
  EXPECT_EQ(error(R"([[{"n":"a","v":1}]])"), "record 1: expected an object (a SenML record), found an array");
  EXPECT_EQ(error(R"([{"n":"a","v":1},{"n":"b","v":2},null])"),
            "record 3: expected an object (a SenML record), found null");
}

TEST(SenmlDecode, AnEmptyObjectIsARecordWithoutNameOrValue) {
  EXPECT_THAT(error("{}"), HasSubstr("record 1: has no name"));
}

TEST(SenmlDecode, RejectsTheWholePackForOneBadRecord) {
  auto result = decode(R"([{"n":"a","v":1},{"n":"b","v":2},{"n":"c","v":"x"}])");
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.status().message(), "record 3: field \"v\" must be a number, found a string");
}

TEST(SenmlDecode, DeepNestingIsRejectedWithoutCrashing) {
  std::string deep(20000, '[');
  deep += std::string(20000, ']');
  EXPECT_EQ(error(deep), "record 1: expected an object (a SenML record), found an array");
  std::string unbalanced(30000, '[');
  EXPECT_THAT(error(unbalanced), HasSubstr("not valid UTF-8 JSON"));
  std::string nested_ext = R"({"n":"a","v":1,"ext":)" + std::string(10000, '[') + std::string(10000, ']') + "}";
  EXPECT_EQ(ok(nested_ext).size(), 1u);
}

// ---- Limits ----------------------------------------------------------------------------

TEST(SenmlLimits, PayloadBytesAreCheckedBeforeParsing) {
  SenmlLimits limits;
  const std::string payload = R"({"n":"a","v":1})";  // 15 bytes
  limits.max_payload_bytes = payload.size();
  EXPECT_EQ(ok(payload, limits).size(), 1u);
  limits.max_payload_bytes = payload.size() - 1;
  EXPECT_EQ(error(payload, limits), "the payload is 15 bytes; at most 14 are accepted");
  // Checked first: even garbage gets this message.
  EXPECT_EQ(error(std::string(100, '{'), limits), "the payload is 100 bytes; at most 14 are accepted");
  // The default: 64 KiB.
  std::string big = R"({"n":"a","v":1,"pad":")" + std::string(64 * 1024, 'x') + "\"}";
  EXPECT_THAT(error(big), HasSubstr("at most 65536 are accepted"));
}

TEST(SenmlLimits, RecordCount) {
  SenmlLimits limits;
  limits.max_records = 3;
  EXPECT_EQ(ok(R"([{"n":"a","v":1},{"n":"a","v":1},{"n":"a","v":1}])", limits).size(), 3u);
  EXPECT_EQ(error(R"([{"n":"a","v":1},{"n":"a","v":1},{"n":"a","v":1},{"n":"a","v":1}])", limits),
            "the SenML pack has 4 records; at most 3 are accepted");
  // The default: 1000.
  std::string pack = "[";
  for (int i = 0; i < 1001; ++i) pack += std::string(i ? "," : "") + R"({"n":"a","v":1})";
  pack += "]";
  EXPECT_EQ(error(pack), "the SenML pack has 1001 records; at most 1000 are accepted");
  pack = pack.substr(0, pack.size() - 1 - 16) + "]";  // 1000 records
  EXPECT_EQ(ok(pack).size(), 1000u);
}

TEST(SenmlLimits, StringLengths) {
  SenmlLimits limits;
  limits.max_string_bytes = 8;
  EXPECT_EQ(ok(R"({"n":"abcdefgh","u":"abcdefgh","vs":"abcdefgh"})", limits).size(), 1u);
  EXPECT_EQ(error(R"({"n":"abcdefghi","v":1})", limits),
            "record 1: field \"n\" is 9 bytes long; at most 8 are accepted");
  for (const char* field : {"bn", "bu", "u", "vs", "vd"}) {
    std::string payload = std::string(R"({"n":"a","v":1,")") + field + R"(":"AAAAAAAAA"})";
    if (std::string(field) == "vs" || std::string(field) == "vd")
      payload = std::string(R"({"n":"a",")") + field + R"(":"AAAAAAAAA"})";
    EXPECT_EQ(error(payload, limits),
              std::string("record 1: field \"") + field + "\" is 9 bytes long; at most 8 are accepted")
        << payload;
  }
  // Bytes, not characters: "温度温" is 9 bytes.
  EXPECT_THAT(error(R"({"n":"a","vs":"温度温"})", limits), HasSubstr("is 9 bytes long"));
  // The resolved name too: bn and n each fit, together they do not.
  EXPECT_EQ(error(R"({"bn":"abcde","n":"fghij","v":1})", limits),
            "record 1: the name (bn + n) is 10 bytes long; at most 8 are accepted");
}

TEST(SenmlLimits, ErrorsNeverThrow) {
  // A sampling of hostile inputs: decode_senml returns a Status for each.
  for (std::string_view payload :
       {std::string_view("\0", 1), std::string_view("[\"\\u"), std::string_view("{\"n\":\"a\",\"v\":1e-999999}"),
        std::string_view("[{\"n\":\"a\",\"v\":-0}]"), std::string_view("\xEF\xBB\xBF{\"n\":\"a\",\"v\":1}"),
        std::string_view("{\"n\":\"a\",\"v\":123456789012345678901234567890}")}) {
    EXPECT_NO_THROW({
      auto r = decode(payload);
      (void)r;
    }) << payload;
  }
}

// ---------------------------------------------------------------- the common shapes

TEST(SenmlCommonShape, WhatSensorsSendTakesTheScannersPath) {
  for (std::string_view p : {
           R"([{"n":"smoke","v":0.03}])",
           R"({"n":"temperature","u":"Cel","v":23.5})",
           R"( [ {"bn":"urn:dev:ow:10e2073a01080063:","bt":1.8e9,"bu":"Cel","n":"t","v":23.1},
                 {"n":"t","t":10,"v":23.4}, {"n":"door","vb":true}, {"n":"fw","vs":"1.2.3"} ] )",
           R"([{"n":"count","s":-12,"ut":60}, {"n":"blob","vd":"AAEC"}])",
       }) {
    EXPECT_TRUE(internal::senml_common_shape(p)) << p;
    auto records = decode(p);
    EXPECT_TRUE(records.is_ok()) << p << " " << records.status().to_string();
  }
}

TEST(SenmlCommonShape, ReusedRecordsKeepNothingOfTheLastPayload) {
  std::vector<SenmlRecord> out;
  ASSERT_TRUE(decode_senml_into(R"([{"bn":"dev:","n":"a","vs":"x","u":"m","ut":5},{"n":"b","vd":"AAEC","s":3}])", kNow, out));
  ASSERT_EQ(out.size(), 2u);
  ASSERT_TRUE(decode_senml_into(R"([{"n":"c","v":2}])", kNow, out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].name, "c");
  EXPECT_EQ(out[0].unit, "");
  EXPECT_EQ(out[0].value, 2.0);
  EXPECT_FALSE(out[0].string_value || out[0].data_value || out[0].sum || out[0].update_time || out[0].bool_value);
  EXPECT_FALSE(decode_senml_into(R"([{"n":"c","v":"2"}])", kNow, out));
  EXPECT_TRUE(out.empty());
}

TEST(SenmlCommonShape, AnythingElseGoesToTheGeneralDecoder) {
  for (std::string_view p : {
           R"([{"n":"sm\u006fke","v":0.03}])",      // an escape
           "[{\"n\":\"caf\xc3\xa9\",\"v\":1}]",  // non-ASCII
           R"([{"bver":10,"n":"a","v":1}])",          // bver
           R"([{"n":"a","v":1,"x":2}])",              // an extension label
           R"([{"n":"a","v":1,"x_":2}])",             // must-understand
           R"([{"n":"a","v":1,"v":2}])",              // duplicate
           R"([{"n":"a","v":"1"}])",                  // wrong type
           R"([{"n":"a","v":01}])",                   // leading zero
           R"([{"n":"a","v":1e999}])",                // out of range
           R"([{"n":"a","v":18446744073709551616}])", // beyond 64-bit integers
           R"([{"n":"a","v":[1]}])",                  // nested
           R"([])", R"([{"n":"a","v":1},])", R"([{"n":"a","v":1}] x)", "\xef\xbb\xbf[{\"n\":\"a\",\"v\":1}]",
       }) {
    EXPECT_FALSE(internal::senml_common_shape(p)) << p;
    (void)decode(p);  // and both agree on it
  }
  SenmlLimits two;
  two.max_records = 2;
  EXPECT_TRUE(internal::senml_common_shape(R"([{"n":"a","v":1},{"n":"b","v":2}])", two));
  EXPECT_FALSE(internal::senml_common_shape(R"([{"n":"a","v":1},{"n":"b","v":2},{"n":"c","v":3}])", two));
  SenmlLimits short_strings;
  short_strings.max_string_bytes = 3;
  EXPECT_FALSE(internal::senml_common_shape(R"([{"n":"abcd","v":1}])", short_strings));
  (void)decode(R"([{"n":"abcd","v":1}])", short_strings);
}

TEST(SenmlCommonShape, NumbersReadAsTheGeneralDecoderReadsThem) {
  for (std::string_view v : {"0", "-0", "1", "-1", "0.1", "-0.0", "1e2", "1E+2", "1e-2", "2.5e-3", "123456789012345678",
                             "9007199254740993", "-9223372036854775808", "18446744073709551615", "1.7976931348623157e308",
                             "4.9e-324", "2.2250738585072011e-308", "1e-400", "0.30000000000000004", "1801234567.125"}) {
    for (std::string_view field : {"v", "s", "bv", "bs", "t", "bt", "ut"}) {
      std::string p = R"([{"n":"a",")" + std::string(field) + "\":" + std::string(v) +
                      (field == "v" || field == "s" ? "" : R"(,"v":1)") + "}]";
      expect_agreement(p, {});
    }
  }
}

// Random payloads near the common shape (known and unknown labels, every value type,
// odd numbers and spacing, duplicates, escapes), then byte mutations of them: both
// decoders must agree on every one. Deterministic (fixed seed).
TEST(SenmlCommonShape, AgreesWithTheGeneralDecoderOnRandomPayloads) {
  std::mt19937_64 rng(20261122);
  auto pick = [&](auto const& options) { return options[rng() % std::size(options)]; };
  const std::string_view labels[] = {"n", "v", "u", "t", "s", "bn", "bu", "bt", "bv", "bs", "vb", "vs", "vd", "ut", "bver", "x", "x_", ""};
  const std::string_view values[] = {"0", "-0", "1", "0.5", "-2.25e1", "1e308", "1e309", "1801234567", "1799999000.5", "268435455",
                                     "12", "\"a\"", "\"temp\"", "\"urn:dev:1:\"", "\"Cel\"", "\"\"", "\"a b\"", "\"AAEC\"",
                                     "\"x\\u0041\"", "true", "false", "null", "[]", "{}", "01", "1.", ".5", "-", "+1", "1e", "10"};
  const std::string_view spaces[] = {"", "", "", " ", "\n", "\t ", "\r\n"};
  int common = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string p;
    const bool pack = rng() % 8 != 0;
    const int records = pack ? 1 + static_cast<int>(rng() % 4) : 1;
    if (pack) p += "[";
    for (int r = 0; r < records; ++r) {
      p += pick(spaces);
      p += "{";
      const int fields = static_cast<int>(rng() % 5);
      for (int f = 0; f < fields; ++f) {
        if (f) p += ",";
        p += pick(spaces);
        p += "\"" + std::string(f == 0 && rng() % 3 ? std::string_view("n") : pick(labels)) + "\"";
        p += std::string(pick(spaces)) + ":" + std::string(pick(spaces));
        p += pick(values);
        p += pick(spaces);
      }
      p += "}";
      if (r + 1 < records) p += ",";
    }
    if (pack) p += "]";
    common += internal::senml_common_shape(p) ? 1 : 0;
    expect_agreement(p, {});
    for (int m = 0; m < 3 && !p.empty(); ++m) {
      std::string q = p;
      const std::size_t at = rng() % q.size();
      switch (rng() % 3) {
        case 0: q.erase(at, 1); break;
        case 1: q.insert(at, 1, pick(std::string_view("{}[],:\"0-.e \\x\xc3"))); break;
        default: q[at] = static_cast<char>(rng() % 256); break;
      }
      expect_agreement(q, {});
    }
  }
  EXPECT_GT(common, 400) << "the generator should often make payloads of the common shape";
}

}  // namespace
}  // namespace lookout::sensors
