#include "mqtt_probe.h"

#include <mqtt/async_client.h>

#include <stdexcept>

namespace lookout::testing {

MqttProbe::MqttProbe(const std::string& uri, const std::vector<std::string>& subscriptions, int mqtt_version,
                     const std::string& username, const std::string& password) {
  static int counter = 0;
  int version = mqtt_version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
  mqtt::create_options create(version);
  create.set_max_buffered_messages(100000);
  client_ = std::make_unique<mqtt::async_client>(
      uri, "probe-" + std::to_string(::getpid()) + "-" + std::to_string(++counter), create, nullptr);
  client_->set_message_callback([this](mqtt::const_message_ptr m) {
    std::lock_guard lock(mutex_);
    messages_.push_back({m->get_topic(), m->get_payload_str(), m->is_retained()});
    cv_.notify_all();
  });
  auto opts = mqtt::connect_options_builder().mqtt_version(version);
  if (version == MQTTVERSION_5) {
    opts.clean_start(true);
  } else {
    opts.clean_session(true);
  }
  if (!username.empty()) {
    opts.user_name(username);
    opts.password(password);
  }
  client_->connect(opts.finalize())->wait();
  for (const auto& s : subscriptions) client_->subscribe(s, 1)->wait();
}

MqttProbe::~MqttProbe() {
  try {
    if (client_->is_connected()) client_->disconnect()->wait_for(std::chrono::seconds(2));
  } catch (...) {
  }
}

void MqttProbe::publish(const std::string& topic, const std::string& payload, int qos, bool retained) {
  client_->publish(topic, payload.data(), payload.size(), qos, retained)->wait();
}

std::optional<ReceivedMessage> MqttProbe::wait_for(const std::string& prefix, std::chrono::milliseconds timeout,
                                                   std::size_t skip) {
  std::unique_lock lock(mutex_);
  std::optional<ReceivedMessage> found;
  cv_.wait_for(lock, timeout, [&] {
    std::size_t seen = 0;
    for (const auto& m : messages_) {
      if (m.topic.rfind(prefix, 0) == 0 && seen++ == skip) {
        found = m;
        return true;
      }
    }
    return false;
  });
  return found;
}

std::vector<ReceivedMessage> MqttProbe::received(const std::string& prefix) {
  std::lock_guard lock(mutex_);
  std::vector<ReceivedMessage> out;
  for (const auto& m : messages_) {
    if (m.topic.rfind(prefix, 0) == 0) out.push_back(m);
  }
  return out;
}

}  // namespace lookout::testing
