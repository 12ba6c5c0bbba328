// One log line per interval at most for something that can repeat without end (dead
// letters under a flood of bad input), with a count of what was held back.
//
//   if (auto held = limiter.allow(clock.now())) spdlog::warn("... ({} more not logged)", *held);
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "lookout/base/clock.h"

namespace lookout {

class LogLimiter {
 public:
  explicit LogLimiter(Duration interval = std::chrono::seconds(1)) : interval_(interval) {}

  // When a line may be logged at `now`: how many were held back since the last one.
  // Otherwise nullopt, and this one is counted as held back.
  std::optional<std::uint64_t> allow(Time now) {
    if (logged_once_ && now - last_ < interval_) {
      ++held_back_;
      return std::nullopt;
    }
    logged_once_ = true;
    last_ = now;
    const auto held = held_back_;
    held_back_ = 0;
    return held;
  }

 private:
  Duration interval_;
  bool logged_once_ = false;
  Time last_{};
  std::uint64_t held_back_ = 0;
};

}  // namespace lookout
