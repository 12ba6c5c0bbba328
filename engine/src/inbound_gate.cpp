// The inbound gate (inbound_gate.h).
#include "lookout/engine/inbound_gate.h"

namespace lookout::engine {

std::size_t InboundGate::admit(InboundMessage& message) {
  if (message.payload.size() > options_.max_payload_bytes) {
    message.original_size = message.payload.size();
    message.payload.resize(options_.keep_bytes);
    message.payload.shrink_to_fit();
  }
  const std::size_t bytes = message.payload.size() + message.topic.size() + sizeof(InboundMessage);
  std::lock_guard lock(mutex_);
  const bool flood = messages_ >= options_.max_messages || bytes_ + bytes > options_.max_bytes;
  const bool full = messages_ >= options_.hard_max_messages || bytes_ + bytes > options_.hard_max_bytes;
  auto it = waiting_.find(message.topic);
  const std::size_t of_topic = it == waiting_.end() ? 0 : it->second;
  if (full || (flood && of_topic >= options_.fair_share)) {
    ++shed_;
    return 0;
  }
  if (it == waiting_.end()) {
    waiting_.emplace(message.topic, 1);
  } else {
    ++it->second;
  }
  ++messages_;
  bytes_ += bytes;
  return bytes;
}

void InboundGate::release(const std::string& topic, std::size_t bytes) {
  std::lock_guard lock(mutex_);
  if (messages_ > 0) --messages_;
  bytes_ = bytes_ >= bytes ? bytes_ - bytes : 0;
  if (auto it = waiting_.find(topic); it != waiting_.end() && --it->second == 0) waiting_.erase(it);
}

std::size_t InboundGate::queued() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

std::uint64_t InboundGate::shed() const {
  std::lock_guard lock(mutex_);
  return shed_;
}

}  // namespace lookout::engine
