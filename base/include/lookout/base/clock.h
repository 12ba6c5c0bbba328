// The clock seam. The core never reads the wall clock or sleeps: it asks its Clock for
// the time and for timers. Live, the clock is the wall clock on the engine's strand
// (engine/asio_clock.h); in tests and drills it is a ManualClock that jumps.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <utility>

namespace lookout {

using Time = std::chrono::system_clock::time_point;
using Duration = std::chrono::system_clock::duration;

// Thread-safety: a Clock is used from one thread (the core's strand) only.
class Clock {
 public:
  using TimerId = std::uint64_t;
  using Callback = std::function<void()>;

  virtual ~Clock() = default;
  virtual Time now() const = 0;
  // Runs `fn` once, on the core's thread, at `when` or as soon after as possible (at
  // once, but never re-entrantly, when `when` is already past).
  virtual TimerId schedule_at(Time when, Callback fn) = 0;
  TimerId schedule_after(Duration delay, Callback fn) { return schedule_at(now() + delay, std::move(fn)); }
  // Cancelling a timer that has fired or was cancelled is a no-op.
  virtual void cancel(TimerId id) = 0;
};

// Virtual time for tests and drills: time moves only when told to, and timers fire in
// time order (then in the order they were scheduled) as it passes them.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Time start = Time{}) : now_(start) {}
  Time now() const override { return now_; }
  TimerId schedule_at(Time when, Callback fn) override;
  void cancel(TimerId id) override;
  // Moves time forward to `until` (never backwards), firing every timer due on the way
  // with now() equal to its due time. Timers scheduled by callbacks fire too if due.
  void advance_to(Time until);
  void advance(Duration by) { advance_to(now_ + by); }
  std::size_t pending_timers() const { return timers_.size(); }

 private:
  Time now_;
  TimerId next_id_ = 1;
  std::map<std::pair<Time, TimerId>, Callback> timers_;
  std::map<TimerId, Time> due_;
};

}  // namespace lookout
