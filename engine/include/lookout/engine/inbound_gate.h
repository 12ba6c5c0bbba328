// The inbound gate: bounds what the broker's messages may hold in memory while they wait
// for the engine's thread. The transport's callback (a Paho thread) admits a message
// before posting it to the strand and the strand releases it once handled.
//
// Oversized payloads are cut before they queue: a message over the core's limit is a
// dead letter whatever it holds, and the dead letter keeps only its first bytes.
//
// When the queue is full (messages or bytes) the message is shed: dropped and counted,
// never queued. Waiting instead is not possible: Paho C holds its client lock while it
// calls the message callback, and the engine's thread needs that lock to publish, so a
// waiting callback would stop the engine. Shedding happens only in a flood far beyond
// what the engine can handle (the limits hold 200,000 messages, 256 MiB); what it
// costs is bounded: reports are resent by their senders for want of a receipt, readings
// come again with the sensor's next sample (docs/durability.md).
//
// Thread-safety: admit() on transport threads, release() on the strand; all may run
// at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>

#include "lookout/engine/transport.h"

namespace lookout::engine {

struct InboundGateOptions {
  std::size_t max_messages = 200000;
  std::size_t max_bytes = 256 * 1024 * 1024;
  std::size_t max_payload_bytes = 64 * 1024;  // the core's limit: larger payloads are cut
  std::size_t keep_bytes = 1024;              // what a cut payload keeps (the dead letter's)
};

class InboundGate {
 public:
  explicit InboundGate(InboundGateOptions options = {}) : options_(options) {}
  // Cuts an oversized payload (InboundMessage::original_size tells the core), then takes
  // it if there is room. Returns the bytes to release() later, or 0 when it was shed.
  std::size_t admit(InboundMessage& message);
  void release(std::size_t bytes);
  std::size_t queued() const;
  std::uint64_t shed() const;  // messages dropped because the queue was full

 private:
  InboundGateOptions options_;
  mutable std::mutex mutex_;
  std::size_t messages_ = 0;
  std::size_t bytes_ = 0;
  std::uint64_t shed_ = 0;
};

}  // namespace lookout::engine
