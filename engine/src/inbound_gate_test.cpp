// The inbound gate: oversized payloads cut before they queue; a full queue sheds (and
// counts) what comes until the engine has handled something.
#include "lookout/engine/inbound_gate.h"

#include <gtest/gtest.h>

namespace lookout::engine {
namespace {

TEST(InboundGate, CutsOversizedPayloadsAndSaysHowBigTheyWere) {
  InboundGate gate({10, 1 << 20, 100, 8});
  InboundMessage big{"lookout/v1/sensors/s", std::string(500, 'x'), 1, false, false};
  EXPECT_GT(gate.admit(big), 0u);
  EXPECT_EQ(big.payload.size(), 8u);
  EXPECT_EQ(big.original_size, 500u);
  InboundMessage small{"lookout/v1/sensors/s", "{}", 1, false, false};
  EXPECT_GT(gate.admit(small), 0u);
  EXPECT_EQ(small.payload, "{}");
  EXPECT_EQ(small.original_size, 0u);
  EXPECT_EQ(gate.queued(), 2u);
}

TEST(InboundGate, AFullQueueShedsUntilTheEngineHasHandledOne) {
  InboundGate gate({2, 1 << 20, 1000, 100});
  InboundMessage m{"t", "p", 1, false, false};
  const auto first = gate.admit(m);
  EXPECT_GT(gate.admit(m), 0u);
  EXPECT_EQ(gate.admit(m), 0u);  // full: shed
  EXPECT_EQ(gate.shed(), 1u);
  gate.release(first);           // the engine handled one
  EXPECT_GT(gate.admit(m), 0u);
  EXPECT_EQ(gate.queued(), 2u);
  EXPECT_EQ(gate.shed(), 1u);
}

TEST(InboundGate, BytesBoundTheQueueToo) {
  InboundGate gate({100, 2 * (sizeof(InboundMessage) + 10), 1000, 100});
  InboundMessage m{"t", "123456789", 1, false, false};  // 10 bytes + the message itself
  EXPECT_GT(gate.admit(m), 0u);
  EXPECT_GT(gate.admit(m), 0u);
  EXPECT_EQ(gate.admit(m), 0u);
}

}  // namespace
}  // namespace lookout::engine
