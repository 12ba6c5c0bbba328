#include "lookout/base/time_format.h"

#include <gtest/gtest.h>

namespace lookout {
namespace {

TEST(TimeFormat, CapTimeUsesZoneOffsetAndMinusZeroForUtc) {
  auto t = parse_iso8601("2026-11-21T13:04:05Z");
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  EXPECT_EQ(format_cap_time(*t, find_time_zone("Asia/Shanghai").value()), "2026-11-21T21:04:05+08:00");
  EXPECT_EQ(format_cap_time(*t, find_time_zone("UTC").value()), "2026-11-21T13:04:05-00:00");
  EXPECT_EQ(format_cap_time(*t, find_time_zone("America/St_Johns").value()), "2026-11-21T09:34:05-03:30");
}

TEST(TimeFormat, ParsesOffsetsAndFractions) {
  auto a = parse_iso8601("2026-11-21T21:04:05+08:00");
  auto b = parse_iso8601("2026-11-21T13:04:05.000Z");
  ASSERT_TRUE(a.is_ok());
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ(*a, *b);
  EXPECT_DOUBLE_EQ(to_epoch_seconds(*a), 1795266245.0);
  EXPECT_EQ(from_epoch_seconds(1795266245.5) - *a, std::chrono::milliseconds(500));
  EXPECT_EQ(from_epoch_seconds(1795266245.25) - *a, std::chrono::milliseconds(250));  // exact, not off by ~100 ns
  EXPECT_EQ(from_epoch_seconds(-1.5), Time{} - std::chrono::milliseconds(1500));
}

TEST(TimeFormat, RejectsNonTimesAndUnknownZones) {
  EXPECT_FALSE(parse_iso8601("yesterday").is_ok());
  EXPECT_FALSE(parse_iso8601("2026-11-21T21:04:05").is_ok());  // no offset
  EXPECT_FALSE(parse_iso8601("2026-11-21T21:04:05+08:00junk").is_ok());
  EXPECT_FALSE(find_time_zone("Mars/Olympus").is_ok());
}

}  // namespace
}  // namespace lookout
