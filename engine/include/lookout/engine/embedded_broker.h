// A Mosquitto broker started as a child process on a free loopback port: the engine's
// embedded default when no broker is configured, and the real broker of every
// integration test. Stopped (SIGTERM, then SIGKILL) when the object is destroyed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include "lookout/base/status.h"

namespace lookout::engine {

struct EmbeddedBrokerOptions {
  std::string mosquitto = "mosquitto";  // program name or path
  std::string work_dir;                 // its config and log go here (created)
  int port = 0;                         // 0: pick a free loopback port
  std::chrono::milliseconds ready_timeout{10000};
  std::string extra_config;             // appended to the generated mosquitto.conf
};

class EmbeddedBroker {
 public:
  // Starts Mosquitto and waits until it accepts connections.
  static StatusOr<std::unique_ptr<EmbeddedBroker>> start(EmbeddedBrokerOptions options);
  ~EmbeddedBroker();
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  int port() const { return port_; }
  std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }
  // SIGKILL, no clean-up by the broker (for fault tests), then wait for it.
  void kill_hard();
  // Starts it again on the same port (after kill_hard or stop).
  Status restart();
  void stop();

 private:
  EmbeddedBroker() = default;
  Status launch();
  EmbeddedBrokerOptions options_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that nothing listens on right now.
StatusOr<int> find_free_loopback_port();

}  // namespace lookout::engine
