// Transport over Eclipse Paho MQTT C++ 1.2 (async_client), with the known traps
// handled: callbacks set before connecting; subscriptions renewed on every connection;
// a sized buffer (Paho refuses publishes past 100 buffered messages otherwise, -12);
// no file persistence (the engine's own outbox is the durable copy); automatic
// reconnection with back-off, including when the first connection attempt fails;
// a retained last will on the engine status topic.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "lookout/engine/transport.h"

namespace lookout::engine {

struct PahoTransportOptions {
  std::string server_uri = "tcp://127.0.0.1:1883";  // tcp://, ssl://, mqtt://, mqtts://
  std::string client_id = "lookout-engine";
  int mqtt_version = 4;                 // 4: MQTT 3.1.1, 5: MQTT 5
  std::string username;
  std::string password;                 // never logged
  std::string ca_file;                  // TLS: trust store (PEM); empty: system default
  std::string cert_file;                // TLS client certificate (PEM), optional
  std::string key_file;                 // TLS client key (PEM), optional
  bool tls_verify = true;
  std::chrono::seconds keep_alive{20};
  std::chrono::seconds reconnect_min{1};
  std::chrono::seconds reconnect_max{30};
  int max_buffered = 100000;            // messages buffered while disconnected
  OutboundMessage will;                 // last will (topic empty: none)
  OutboundMessage birth;                // published on every connection (topic empty: none)
};

class PahoTransport final : public Transport {
 public:
  explicit PahoTransport(PahoTransportOptions options);
  ~PahoTransport() override;

  Status start(std::vector<std::string> subscriptions, MessageHandler on_message,
               ConnectionHandler on_connection) override;
  void publish(OutboundMessage message, DeliveryHandler on_done) override;
  void stop(const OutboundMessage& final_message, std::chrono::milliseconds timeout) override;
  bool connected() const override;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Paho C 1.3.11 (Debian bookworm) never sets TCP_NODELAY on its socket (an option for it
// came in 1.3.13: eclipse-paho/paho.mqtt.c#530), so a small publish can wait for Nagle's
// algorithm behind the broker's delayed acknowledgement: up to 40 ms an alert on
// loopback. Paho does not expose its socket, so after each connection the transport finds
// it among the process's TCP sockets by the broker's port and sets TCP_NODELAY on every
// one connected to that port. Returns how many it set. (The broker's side is Mosquitto's
// `set_tcp_nodelay true`, which the embedded broker sets.)
int set_tcp_nodelay_towards_port(int port);

// The port of an MQTT server URI (tcp://host:1883, ssl://host, mqtt://[::1]:1883), or
// the scheme's default (1883; 8883 for ssl:// and mqtts://).
int mqtt_uri_port(const std::string& server_uri);

}  // namespace lookout::engine
