// The messaging seam: MQTT in and out. The core never sees Paho; it is handed
// InboundMessages and asks the Transport to publish. PahoTransport is the real one.
//
// Threading: handlers are called on the transport's own threads (Paho's); receivers
// hand the work to the core's strand and return at once.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "lookout/base/status.h"

namespace lookout::engine {

struct InboundMessage {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retained = false;
  bool duplicate = false;
  // Set when the payload was cut before it was queued (InboundGate): its size as
  // received. 0: `payload` is whole.
  std::size_t original_size = 0;
};

struct OutboundMessage {
  std::string topic;
  std::string payload;
  int qos = 1;
  bool retained = false;
};

class Transport {
 public:
  using MessageHandler = std::function<void(InboundMessage)>;
  using ConnectionHandler = std::function<void(bool connected, std::string cause)>;
  using DeliveryHandler = std::function<void(Status)>;

  virtual ~Transport() = default;
  // Starts connecting (and keeps reconnecting with back-off); subscribes to
  // `subscriptions` at QoS 1 on every (re)connection. Handlers must be set here, before
  // the first connection, and stay valid until stop() returns.
  virtual Status start(std::vector<std::string> subscriptions, MessageHandler on_message,
                       ConnectionHandler on_connection) = 0;
  // Publishes; `on_done` (optional) is called once, on a transport thread, with OK
  // when the broker has the message (QoS >= 1) or it was written (QoS 0), or with the
  // error. Messages published while disconnected are buffered (bounded) and sent on
  // reconnection.
  virtual void publish(OutboundMessage message, DeliveryHandler on_done) = 0;
  // Publishes `final_message` (if it has a topic), then disconnects. Idempotent.
  virtual void stop(const OutboundMessage& final_message, std::chrono::milliseconds timeout) = 0;
  virtual bool connected() const = 0;
};

}  // namespace lookout::engine
