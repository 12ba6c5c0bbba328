// The inbound gate: oversized payloads cut before they queue; beyond the first limit only
// topics with little waiting get in (a flooding source is shed, a quiet one is not);
// beyond the second, everything is shed (and counted) until the engine handles something.
#include "lookout/engine/inbound_gate.h"

#include <gtest/gtest.h>

#include <string>

namespace lookout::engine {
namespace {

InboundMessage message(std::string topic, std::string payload = "p") {
  return InboundMessage{std::move(topic), std::move(payload), 1, false, false};
}

TEST(InboundGate, CutsOversizedPayloadsAndSaysHowBigTheyWere) {
  InboundGate gate({.max_messages = 10, .max_bytes = 1 << 20, .max_payload_bytes = 100, .keep_bytes = 8});
  auto big = message("lookout/v1/sensors/s", std::string(500, 'x'));
  EXPECT_GT(gate.admit(big), 0u);
  EXPECT_EQ(big.payload.size(), 8u);
  EXPECT_EQ(big.original_size, 500u);
  auto small = message("lookout/v1/sensors/s", "{}");
  EXPECT_GT(gate.admit(small), 0u);
  EXPECT_EQ(small.payload, "{}");
  EXPECT_EQ(small.original_size, 0u);
  EXPECT_EQ(gate.queued(), 2u);
}

TEST(InboundGate, AFullQueueShedsUntilTheEngineHasHandledOne) {
  InboundGate gate({.max_messages = 2, .fair_share = 1, .hard_max_messages = 2});
  auto m = message("t");
  const auto first = gate.admit(m);
  EXPECT_GT(gate.admit(m), 0u);
  auto other = message("another topic");
  EXPECT_EQ(gate.admit(m), 0u);      // full: shed
  EXPECT_EQ(gate.admit(other), 0u);  // whatever its topic
  EXPECT_EQ(gate.shed(), 2u);
  gate.release("t", first);          // the engine handled one
  EXPECT_GT(gate.admit(m), 0u);
  EXPECT_EQ(gate.queued(), 2u);
  EXPECT_EQ(gate.shed(), 2u);
}

TEST(InboundGate, BytesBoundTheQueueToo) {
  const std::size_t one = sizeof(InboundMessage) + 10;  // "t" + 9 bytes, and the message itself
  InboundGate gate({.max_messages = 100, .max_bytes = 2 * one, .fair_share = 0, .hard_max_bytes = 3 * one});
  auto m = message("t", "123456789");
  EXPECT_GT(gate.admit(m), 0u);
  EXPECT_GT(gate.admit(m), 0u);
  EXPECT_EQ(gate.admit(m), 0u);  // over the first byte limit, and its topic has its share
}

// A flood from one sensor's topic fills the first limit; then that topic is shed, while
// a quiet detector's alarm and a storm of other sources still get in, up to the second
// limit.
TEST(InboundGate, BeyondTheFirstLimitAFloodingTopicIsShedAndQuietOnesAreNot) {
  InboundGate gate({.max_messages = 100, .fair_share = 2, .hard_max_messages = 150});
  auto flood = message("lookout/v1/sensors/broken");
  for (int i = 0; i < 100; ++i) ASSERT_GT(gate.admit(flood), 0u) << i;
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(gate.admit(flood), 0u);
  EXPECT_EQ(gate.shed(), 1000u);

  auto alarm = message("lookout/v1/sensors/smk-7", R"({"n":"smoke","v":0.6})");
  EXPECT_GT(gate.admit(alarm), 0u);
  EXPECT_GT(gate.admit(alarm), 0u);  // its share is 2 while the flood waits
  EXPECT_EQ(gate.admit(alarm), 0u);

  // A storm: many sources, one message each, until the second limit.
  int admitted = 0;
  for (int i = 0; i < 100; ++i) {
    auto m = message("lookout/v1/sensors/s" + std::to_string(i));
    if (gate.admit(m) > 0) ++admitted;
  }
  EXPECT_EQ(admitted, 150 - 102);
  EXPECT_EQ(gate.queued(), 150u);

  // The engine works through the flood: below the first limit, everything gets in again.
  for (int i = 0; i < 60; ++i) gate.release("lookout/v1/sensors/broken", 1);
  EXPECT_GT(gate.admit(flood), 0u);
}

TEST(InboundGate, ATopicsShareIsFreedAsTheEngineHandlesItsMessages) {
  InboundGate gate({.max_messages = 0, .fair_share = 1, .hard_max_messages = 10});
  auto m = message("lookout/v1/sensors/a");
  const auto bytes = gate.admit(m);
  ASSERT_GT(bytes, 0u);
  EXPECT_EQ(gate.admit(m), 0u);
  gate.release(m.topic, bytes);
  EXPECT_GT(gate.admit(m), 0u);
}

}  // namespace
}  // namespace lookout::engine
