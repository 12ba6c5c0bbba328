// Test twins for the core's seams: a Transport that records what is published and
// completes deliveries when told, and a poster that queues work like a strand would.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "lookout/engine/transport.h"

namespace lookout::engine::testing {

class RecordingTransport final : public Transport {
 public:
  struct Published {
    OutboundMessage message;
    DeliveryHandler on_done;
  };
  Status start(std::vector<std::string> subscriptions, MessageHandler, ConnectionHandler) override {
    subscriptions_ = std::move(subscriptions);
    return Status::ok();
  }
  void publish(OutboundMessage message, DeliveryHandler on_done) override {
    published.push_back({std::move(message), std::move(on_done)});
  }
  void stop(const OutboundMessage&, std::chrono::milliseconds) override {}
  bool connected() const override { return true; }

  // Completes every delivery not yet completed with `status`.
  void complete_all(const Status& status = Status::ok()) {
    for (auto& p : published) {
      if (p.on_done) std::exchange(p.on_done, nullptr)(status);
    }
  }
  std::vector<OutboundMessage> on_topic_prefix(const std::string& prefix) const {
    std::vector<OutboundMessage> out;
    for (const auto& p : published) {
      if (p.message.topic.rfind(prefix, 0) == 0) out.push_back(p.message);
    }
    return out;
  }

  std::vector<Published> published;
  std::vector<std::string> subscriptions_;
};

// Work posted "to the strand", run when the test drains it.
class QueuedPoster {
 public:
  std::function<void(std::function<void()>)> poster() {
    return [this](std::function<void()> fn) { queue_.push_back(std::move(fn)); };
  }
  void drain() {
    while (!queue_.empty()) {
      auto fn = std::move(queue_.front());
      queue_.pop_front();
      fn();
    }
  }

 private:
  std::deque<std::function<void()>> queue_;
};

}  // namespace lookout::engine::testing
