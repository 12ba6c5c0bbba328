// The live Clock: the wall clock, with timers on the core's strand. This is the one
// place where the engine reads the system clock for its decisions.
#pragma once

#include <utility>  // before Boost 1.74's Asio under C++20 (asio/awaitable.hpp needs it)

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/system_timer.hpp>

#include <map>
#include <memory>

#include "lookout/base/clock.h"

namespace lookout::engine {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

class AsioClock final : public Clock {
 public:
  explicit AsioClock(Strand strand) : strand_(std::move(strand)) {}
  ~AsioClock() override;
  Time now() const override;
  TimerId schedule_at(Time when, Callback fn) override;
  void cancel(TimerId id) override;
  std::size_t pending_timers() const { return timers_.size(); }

 private:
  Strand strand_;
  TimerId next_id_ = 1;
  std::map<TimerId, std::unique_ptr<boost::asio::system_timer>> timers_;
};

}  // namespace lookout::engine
