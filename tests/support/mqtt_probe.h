// A real MQTT client for tests: publishes like a sensor and records everything it
// receives on its subscriptions, with waits that end as soon as the message arrives.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mqtt { class async_client; }

namespace lookout::testing {

struct ReceivedMessage {
  std::string topic;
  std::string payload;
  bool retained = false;
};

class MqttProbe {
 public:
  // Connects (MQTT 3.1.1, or 5 with mqtt_version 5) and subscribes at QoS 1; with a
  // user name, as that broker user. Throws (mqtt::exception) when the broker refuses.
  MqttProbe(const std::string& uri, const std::vector<std::string>& subscriptions, int mqtt_version = 4,
            const std::string& username = "", const std::string& password = "");
  ~MqttProbe();
  void publish(const std::string& topic, const std::string& payload, int qos = 1, bool retained = false);
  // The first message received (since construction) whose topic starts with
  // `topic_prefix`, skipping the first `skip` such messages; nullopt after `timeout`.
  std::optional<ReceivedMessage> wait_for(const std::string& topic_prefix, std::chrono::milliseconds timeout,
                                          std::size_t skip = 0);
  std::vector<ReceivedMessage> received(const std::string& topic_prefix);

 private:
  std::unique_ptr<mqtt::async_client> client_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<ReceivedMessage> messages_;
};

}  // namespace lookout::testing
