#include "lookout/base/clock.h"

namespace lookout {

Clock::TimerId ManualClock::schedule_at(Time when, Callback fn) {
  TimerId id = next_id_++;
  if (when < now_) when = now_;
  timers_.emplace(std::make_pair(when, id), std::move(fn));
  due_.emplace(id, when);
  return id;
}

void ManualClock::cancel(TimerId id) {
  auto it = due_.find(id);
  if (it == due_.end()) return;
  timers_.erase({it->second, id});
  due_.erase(it);
}

void ManualClock::advance_to(Time until) {
  if (until < now_) until = now_;
  while (!timers_.empty() && timers_.begin()->first.first <= until) {
    auto node = timers_.extract(timers_.begin());
    due_.erase(node.key().second);
    if (node.key().first > now_) now_ = node.key().first;
    node.mapped()();
  }
  now_ = until;
}

}  // namespace lookout
