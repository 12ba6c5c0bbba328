#include "lookout/base/log_limiter.h"

#include <gtest/gtest.h>

namespace lookout {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(LogLimiter, OneLinePerIntervalWithTheCountHeldBack) {
  LogLimiter limiter(seconds(1));
  const Time t0 = Time{} + seconds(1000);
  auto first = limiter.allow(t0);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, 0u);
  for (int i = 1; i <= 5; ++i) EXPECT_FALSE(limiter.allow(t0 + milliseconds(100 * i)).has_value());
  auto next = limiter.allow(t0 + seconds(1));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 5u);
  auto after = limiter.allow(t0 + seconds(5));
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(*after, 0u);
}

TEST(LogLimiter, TheFirstLineComesWhateverTheClockSays) {
  LogLimiter limiter(seconds(1));
  EXPECT_TRUE(limiter.allow(Time{}).has_value());  // a virtual clock may start at the epoch
  EXPECT_FALSE(limiter.allow(Time{}).has_value());
}

}  // namespace
}  // namespace lookout
