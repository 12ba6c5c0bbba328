#include "lookout/base/clock.h"

#include <gtest/gtest.h>

#include <vector>

namespace lookout {
namespace {

using namespace std::chrono_literals;

TEST(ManualClock, FiresTimersInTimeOrderWithNowAtDueTime) {
  ManualClock clock(Time{} + 100s);
  std::vector<std::pair<int, Time>> fired;
  clock.schedule_after(30s, [&] { fired.emplace_back(3, clock.now()); });
  clock.schedule_after(10s, [&] { fired.emplace_back(1, clock.now()); });
  clock.schedule_after(10s, [&] { fired.emplace_back(2, clock.now()); });
  clock.advance(20s);
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0].first, 1);
  EXPECT_EQ(fired[1].first, 2);
  EXPECT_EQ(fired[0].second, Time{} + 110s);
  EXPECT_EQ(clock.now(), Time{} + 120s);
  clock.advance(10s);
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[2].second, Time{} + 130s);
}

TEST(ManualClock, CancelAndTimersScheduledByCallbacks) {
  ManualClock clock;
  int count = 0;
  auto id = clock.schedule_after(5s, [&] { ++count; });
  clock.cancel(id);
  clock.cancel(id);  // no-op
  clock.schedule_after(1s, [&] { clock.schedule_after(1s, [&] { count += 10; }); });
  clock.advance(5s);
  EXPECT_EQ(count, 10);
  EXPECT_EQ(clock.pending_timers(), 0u);
}

TEST(ManualClock, PastDueTimerFiresOnNextAdvanceNeverBackwards) {
  ManualClock clock(Time{} + 50s);
  bool fired = false;
  clock.schedule_at(Time{} + 10s, [&] { fired = true; });
  clock.advance_to(Time{} + 40s);  // earlier than now: time does not go back
  EXPECT_TRUE(fired);
  EXPECT_EQ(clock.now(), Time{} + 50s);
}

}  // namespace
}  // namespace lookout
