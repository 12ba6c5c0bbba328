// The inbound gate: bounds what the broker's messages may hold in memory while they wait
// for the engine's thread. The transport's callback (a Paho thread) admits a message
// before posting it to the strand and the strand releases it once handled.
//
// Oversized payloads are cut before they queue: a message over the core's limit is a
// dead letter whatever it holds, and the dead letter keeps only its first bytes.
//
// The queue has two limits. Up to the first (10,000 messages or 16 MiB) every message is
// queued. Beyond it — a flood — a message is queued only if fewer than `fair_share`
// messages of its topic are waiting, up to the second limit (200,000 messages or
// 256 MiB); anything else is shed: dropped and counted, never queued. A sensor can only
// publish on its own topic (docs/security.md), so a flooding source fills its share
// and is shed, while a quiet detector's alarm still gets in, behind at most the first
// limit's worth of flood (about a second of the engine's work on bad input on a 2-core
// machine; docs/benchmarks.md). A storm of many sources (a district losing power) is
// many quiet topics: it is queued up to the second limit. The first limit also keeps
// the engine's memory near flat under a flood from a few sources.
//
// Waiting instead of shedding is not possible: Paho C holds its client lock while it
// calls the message callback, and the engine's thread needs that lock to publish, so a
// waiting callback would stop the engine. What shedding costs is bounded: reports are
// resent by their senders for want of a receipt, readings come again with the sensor's
// next sample (docs/durability.md).
//
// Thread-safety: admit() on transport threads, release() on the strand; all may run
// at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "lookout/engine/transport.h"

namespace lookout::engine {

struct InboundGateOptions {
  // Every message is queued while fewer than these wait...
  std::size_t max_messages = 10000;
  std::size_t max_bytes = 16 * 1024 * 1024;
  // ...then only a message whose topic has fewer than `fair_share` waiting, while fewer
  // than these wait; then nothing.
  std::size_t fair_share = 4;
  std::size_t hard_max_messages = 200000;
  std::size_t hard_max_bytes = 256 * 1024 * 1024;
  std::size_t max_payload_bytes = 64 * 1024;  // the core's limit: larger payloads are cut
  std::size_t keep_bytes = 1024;              // what a cut payload keeps (the dead letter's)
};

class InboundGate {
 public:
  explicit InboundGate(InboundGateOptions options = {}) : options_(options) {}
  // Cuts an oversized payload (InboundMessage::original_size tells the core), then takes
  // it if there is room. Returns the bytes to release() later, or 0 when it was shed.
  std::size_t admit(InboundMessage& message);
  // The engine has handled a message admit() took: its topic and admit()'s bytes.
  void release(const std::string& topic, std::size_t bytes);
  std::size_t queued() const;
  std::uint64_t shed() const;  // messages dropped because the queue was full

 private:
  InboundGateOptions options_;
  mutable std::mutex mutex_;
  std::size_t messages_ = 0;
  std::size_t bytes_ = 0;
  std::uint64_t shed_ = 0;
  std::unordered_map<std::string, std::size_t> waiting_;  // per topic
};

}  // namespace lookout::engine
