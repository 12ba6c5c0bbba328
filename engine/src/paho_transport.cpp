#include "lookout/engine/paho_transport.h"

#include <arpa/inet.h>
#include <mqtt/async_client.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

namespace lookout::engine {

namespace {

// A Paho action listener for one operation: calls `fn` once, then deletes itself.
// Paho takes listeners by reference, so each operation gets its own heap object.
class OneShotListener final : public mqtt::iaction_listener {
 public:
  explicit OneShotListener(std::function<void(Status)> fn) : fn_(std::move(fn)) {}
  void on_success(const mqtt::token&) override { finish(Status::ok()); }
  void on_failure(const mqtt::token& tok) override {
    finish(Status::unavailable("MQTT operation failed (Paho code " + std::to_string(tok.get_return_code()) + ")"));
  }
  // Calls the function and deletes the listener; for operations Paho refused.
  void finish(Status s) {
    auto fn = std::move(fn_);
    delete this;
    if (fn) fn(std::move(s));
  }

 private:
  std::function<void(Status)> fn_;
};

}  // namespace

// The connect operation's listener. Paho keeps a pointer to it in the client's connect
// token and may call it again (automatic reconnection), so it lives as long as the
// client: never a one-shot listener here.
class ConnectListener final : public mqtt::iaction_listener {
 public:
  explicit ConnectListener(std::function<void(Status)> on_failure) : on_failure_(std::move(on_failure)) {}
  void on_success(const mqtt::token&) override {}
  void on_failure(const mqtt::token& tok) override {
    on_failure_(Status::unavailable("connect failed (Paho code " + std::to_string(tok.get_return_code()) + ")"));
  }

 private:
  std::function<void(Status)> on_failure_;
};

struct PahoTransport::Impl : std::enable_shared_from_this<Impl> {
  PahoTransportOptions options;
  std::unique_ptr<ConnectListener> connect_listener;
  std::unique_ptr<mqtt::async_client> client;
  mqtt::connect_options connect_options;
  std::vector<std::string> subscriptions;
  MessageHandler on_message;
  ConnectionHandler on_connection;
  std::atomic<bool> is_connected{false};
  std::atomic<bool> stopping{false};

  // Retrying the first connection (Paho's automatic reconnect only covers a lost one).
  std::mutex retry_mutex;
  std::condition_variable retry_cv;
  std::thread retry_thread;
  std::chrono::seconds retry_delay{1};

  void connect_async() {
    if (stopping) return;
    try {
      client->connect(connect_options, nullptr, *connect_listener);
    } catch (const mqtt::exception& e) {
      on_first_connect_failed(Status::unavailable(e.what()));
    }
  }

  void on_first_connect_failed(const Status& s) {
    if (stopping) return;
    spdlog::warn("MQTT: cannot connect to {} ({}); retrying in {}s", options.server_uri, s.message(), retry_delay.count());
    if (on_connection) on_connection(false, s.message());
    std::lock_guard lock(retry_mutex);
    if (retry_thread.joinable()) retry_thread.detach();
    auto delay = retry_delay;
    retry_delay = std::min(retry_delay * 2, options.reconnect_max);
    auto self = shared_from_this();
    retry_thread = std::thread([self, delay] {
      std::unique_lock lock(self->retry_mutex);
      if (self->retry_cv.wait_for(lock, delay, [&] { return self->stopping.load(); })) return;
      lock.unlock();
      self->connect_async();
    });
  }

  void on_connected(const std::string& cause) {
    is_connected = true;
    retry_delay = options.reconnect_min;
    spdlog::info("MQTT: connected to {}{}", options.server_uri, cause.empty() ? "" : " (" + cause + ")");
    const int nodelay = set_tcp_nodelay_towards_port(mqtt_uri_port(options.server_uri));
    spdlog::debug("MQTT: TCP_NODELAY set on {} socket(s) to the broker", nodelay);
    // Subscribe on every connection: the broker may have no session for us (first
    // connection, session expired, broker restarted without persistence).
    for (const auto& topic : subscriptions) {
      try {
        client->subscribe(topic, 1);
      } catch (const mqtt::exception& e) {
        spdlog::error("MQTT: subscribing to {} failed: {}", topic, e.what());
      }
    }
    if (!options.birth.topic.empty()) {
      try {
        client->publish(mqtt::make_message(options.birth.topic, options.birth.payload, options.birth.qos,
                                           options.birth.retained));
      } catch (const mqtt::exception& e) {
        spdlog::error("MQTT: publishing {} failed: {}", options.birth.topic, e.what());
      }
    }
    if (on_connection) on_connection(true, cause);
  }
};

PahoTransport::PahoTransport(PahoTransportOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->options = std::move(options);
  impl_->retry_delay = impl_->options.reconnect_min;
}

PahoTransport::~PahoTransport() { stop(OutboundMessage{}, std::chrono::milliseconds(1000)); }

Status PahoTransport::start(std::vector<std::string> subscriptions, MessageHandler on_message,
                            ConnectionHandler on_connection) {
  auto& im = *impl_;
  const auto& o = im.options;
  im.subscriptions = std::move(subscriptions);
  im.on_message = std::move(on_message);
  im.on_connection = std::move(on_connection);
  try {
    mqtt::create_options create(o.mqtt_version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1);
    create.set_max_buffered_messages(o.max_buffered);
    create.set_send_while_disconnected(true, true);
    im.client = std::make_unique<mqtt::async_client>(o.server_uri, o.client_id, create, nullptr);

    auto builder = mqtt::connect_options_builder()
                       .mqtt_version(o.mqtt_version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1)
                       .keep_alive_interval(o.keep_alive)
                       .automatic_reconnect(o.reconnect_min, o.reconnect_max)
                       .max_inflight(1000);
    if (o.mqtt_version == 5) {
      builder.clean_start(false);
      builder.properties(mqtt::properties{{mqtt::property::SESSION_EXPIRY_INTERVAL, 7 * 24 * 3600}});
    } else {
      builder.clean_session(false);
    }
    if (!o.username.empty()) builder.user_name(o.username);
    if (!o.password.empty()) builder.password(o.password);
    if (!o.will.topic.empty()) {
      builder.will(mqtt::message(o.will.topic, o.will.payload, o.will.qos, o.will.retained));
    }
    bool tls = o.server_uri.rfind("ssl://", 0) == 0 || o.server_uri.rfind("mqtts://", 0) == 0;
    if (tls) {
      auto ssl = mqtt::ssl_options_builder().enable_server_cert_auth(o.tls_verify).verify(o.tls_verify);
      if (!o.ca_file.empty()) ssl.trust_store(o.ca_file);
      if (!o.cert_file.empty()) ssl.key_store(o.cert_file);
      if (!o.key_file.empty()) ssl.private_key(o.key_file);
      builder.ssl(ssl.finalize());
    }
    im.connect_options = builder.finalize();

    // Callbacks before connecting: setting them later races Paho's own threads.
    std::weak_ptr<Impl> weak = impl_;
    im.client->set_connected_handler([weak](const std::string& cause) {
      if (auto self = weak.lock()) self->on_connected(cause);
    });
    im.client->set_connection_lost_handler([weak](const std::string& cause) {
      auto self = weak.lock();
      if (!self) return;
      self->is_connected = false;
      if (!self->stopping) spdlog::warn("MQTT: connection lost ({}); reconnecting", cause.empty() ? "no reason given" : cause);
      if (self->on_connection) self->on_connection(false, cause);
    });
    im.client->set_message_callback([weak](mqtt::const_message_ptr msg) {
      auto self = weak.lock();
      if (!self || !self->on_message) return;
      self->on_message(InboundMessage{msg->get_topic(), msg->get_payload_str(), msg->get_qos(), msg->is_retained(),
                                      msg->is_duplicate()});
    });
  } catch (const mqtt::exception& e) {
    return Status::invalid_argument(std::string("MQTT client for ") + o.server_uri + ": " + e.what());
  }
  std::weak_ptr<Impl> weak_self = impl_;
  im.connect_listener = std::make_unique<ConnectListener>([weak_self](Status s) {
    if (auto self = weak_self.lock()) self->on_first_connect_failed(s);
  });
  im.connect_async();
  return Status::ok();
}

void PahoTransport::publish(OutboundMessage message, DeliveryHandler on_done) {
  auto& im = *impl_;
  if (!im.client) {
    if (on_done) on_done(Status::failed_precondition("transport not started"));
    return;
  }
  auto* listener = new OneShotListener(std::move(on_done));
  try {
    im.client->publish(mqtt::make_message(message.topic, message.payload, message.qos, message.retained), nullptr,
                       *listener);
  } catch (const mqtt::exception& e) {
    // Paho did not take the message, so the listener will not be called: call it here.
    spdlog::debug("MQTT: publish to {} refused: {}", message.topic, e.what());
    listener->finish(Status::unavailable(std::string("MQTT publish refused: ") + e.what()));
  }
}

void PahoTransport::stop(const OutboundMessage& final_message, std::chrono::milliseconds timeout) {
  auto& im = *impl_;
  if (im.stopping.exchange(true)) return;
  {
    std::lock_guard lock(im.retry_mutex);
    im.retry_cv.notify_all();
  }
  if (im.retry_thread.joinable()) im.retry_thread.join();
  if (!im.client) return;
  try {
    if (!final_message.topic.empty() && im.client->is_connected()) {
      im.client->publish(mqtt::make_message(final_message.topic, final_message.payload, final_message.qos,
                                            final_message.retained))
          ->wait_for(timeout);
      spdlog::debug("MQTT: final message published");
    }
    if (im.client->is_connected()) im.client->disconnect()->wait_for(timeout);
    spdlog::debug("MQTT: disconnected");
  } catch (const mqtt::exception& e) {
    spdlog::warn("MQTT: while disconnecting: {}", e.what());
  }
  im.is_connected = false;
}

bool PahoTransport::connected() const { return impl_->is_connected; }

int mqtt_uri_port(const std::string& server_uri) {
  const bool tls = server_uri.rfind("ssl://", 0) == 0 || server_uri.rfind("mqtts://", 0) == 0;
  const int fallback = tls ? 8883 : 1883;
  auto scheme = server_uri.find("://");
  std::string_view rest(server_uri);
  if (scheme != std::string::npos) rest.remove_prefix(scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  auto bracket = rest.rfind(']');  // [::1]:1883
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || (bracket != std::string_view::npos && colon < bracket)) return fallback;
  int port = 0;
  auto digits = rest.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || port <= 0 || port > 65535) return fallback;
  return port;
}

int set_tcp_nodelay_towards_port(int port) {
  int set = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = -1;
    const auto name = entry.path().filename().string();
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc()) continue;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    int type = 0;
    socklen_t type_len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0 || type != SOCK_STREAM) continue;
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof peer;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    int peer_port = -1;
    if (peer.ss_family == AF_INET) peer_port = ntohs(reinterpret_cast<const sockaddr_in*>(&peer)->sin_port);
    if (peer.ss_family == AF_INET6) peer_port = ntohs(reinterpret_cast<const sockaddr_in6*>(&peer)->sin6_port);
    if (peer_port != port) continue;
    const int one = 1;
    if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0) ++set;
  }
  return set;
}

}  // namespace lookout::engine
