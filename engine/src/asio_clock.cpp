#include "lookout/engine/asio_clock.h"

#include <boost/asio/bind_executor.hpp>

namespace lookout::engine {

AsioClock::~AsioClock() {
  for (auto& [id, timer] : timers_) timer->cancel();
}

Time AsioClock::now() const { return std::chrono::system_clock::now(); }

Clock::TimerId AsioClock::schedule_at(Time when, Callback fn) {
  TimerId id = next_id_++;
  auto timer = std::make_unique<boost::asio::system_timer>(strand_, when);
  timer->async_wait(boost::asio::bind_executor(strand_, [this, id, fn = std::move(fn)](boost::system::error_code ec) {
    if (ec == boost::asio::error::operation_aborted) return;  // cancelled: not an error
    timers_.erase(id);
    fn();
  }));
  timers_.emplace(id, std::move(timer));
  return id;
}

void AsioClock::cancel(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  it->second->cancel();
  timers_.erase(it);
}

}  // namespace lookout::engine
