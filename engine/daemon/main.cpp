// lookout: the engine daemon. Wires the core to its edges (store, broker, clock,
// admin API) on one io_context and one strand, and shuts down cleanly on SIGINT or
// SIGTERM (status "offline" published, store closed).
#include <utility>  // before Boost 1.74's Asio under C++20

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include "lookout/base/time_format.h"
#include "lookout/engine/admin_server.h"
#include "lookout/engine/asio_clock.h"
#include "lookout/engine/config.h"
#include "lookout/engine/core.h"
#include "lookout/engine/embedded_broker.h"
#include "lookout/engine/inbound_gate.h"
#include "lookout/engine/live_drills.h"
#include "lookout/engine/paho_transport.h"
#include "lookout/engine/rocks_store.h"

namespace fs = std::filesystem;
using namespace lookout;
using namespace lookout::engine;

namespace {

constexpr const char* kConfigHelp = R"(
Configuration file (YAML, --config FILE); flags given on the command line win:
  broker: tcp://host:1883     MQTT broker URI (tcp://, ssl://); empty or absent: start
                              an embedded Mosquitto on a free loopback port
  mosquitto: mosquitto        program used for the embedded broker
  client_id: lookout-engine   MQTT client id (keep it stable: the broker keeps the
                              engine's session and queued messages under it)
  mqtt_version: 4             4 (MQTT 3.1.1) or 5
  mqtt_username / mqtt_password   broker credentials (password also from the
                              environment variable LOOKOUT_MQTT_PASSWORD)
  tls_ca_file / tls_cert_file / tls_key_file / tls_verify   TLS for ssl:// brokers
  data_dir: ./var             store, embedded broker files, admin.json
  topic_prefix: lookout/v1    prefix of every topic
  sender: lookout@localhost   CAP sender
  time_zone: UTC              IANA time zone of CAP times (e.g. Asia/Shanghai)
  cap_xml: false              also publish CAP XML on <prefix>/alerts-xml/<place>
  admin_address: 127.0.0.1    admin API address (keep it on loopback)
  admin_port: 8470            admin API port (0: any free port)
  admin_token: ""             admin API token; empty: a random one per start
  sync_writes: true           fsync the store's log on every write
  log_level: info             trace, debug, info, warn, error
  log_format: text            text, or json (one JSON object per line)

The engine writes <data_dir>/admin.json (mode 0600) with the admin API's URL and
token; lookoutctl reads it from there. Full reference: docs/configuration.md.
)";

std::string random_token() {
  std::random_device rd;
  std::string out;
  const char* hex = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) out += hex[rd() % 16];
  return out;
}

// %* in a pattern: the log message as a JSON string (quoted and escaped), so that
// every line of --log-format json is one valid JSON object whatever the message holds.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    auto text = nlohmann::json(std::string(msg.payload.data(), msg.payload.size()))
                    .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessageFlag>(); }
};

void setup_logging(const EngineConfig& c) {
  auto logger = spdlog::stderr_color_mt("lookout");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(c.log_level));
  if (c.log_format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","message":%*})");
    spdlog::set_formatter(std::move(formatter));
  } else {
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  }
}

// The value of -c/--config on the command line ("-c F", "--config F", "--config=F").
std::string config_file_argument(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if ((a == "-c" || a == "--config") && i + 1 < argc) return argv[i + 1];
    if (a.rfind("--config=", 0) == 0) return std::string(a.substr(9));
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  // The configuration file first, flags on top: CLI11 writes a bound field only when
  // its flag is given, so loading the file before parsing makes the flags win.
  EngineConfig config;
  std::string config_file = config_file_argument(argc, argv);
  if (!config_file.empty()) {
    if (auto diagnostics = load_config_file(config_file, config); !diagnostics.empty()) {
      std::cerr << to_string(diagnostics);
      return 2;
    }
  }
  CLI::App app{"lookout: the Lookout early-warning engine (MQTT in, CAP alerts out)"};
  app.footer(kConfigHelp);
  app.add_option("-c,--config", config_file, "configuration file (YAML)");
  app.add_option("--broker", config.broker, "MQTT broker URI; empty: embedded Mosquitto");
  app.add_option("--data-dir", config.data_dir, "data directory (store, admin.json)");
  app.add_option("--admin-port", config.admin_port, "admin API port (0: any free port)");
  app.add_option("--time-zone", config.time_zone, "IANA time zone for CAP times");
  app.add_option("--sender", config.sender, "CAP sender");
  app.add_option("--topic-prefix", config.topic_prefix, "topic prefix");
  app.add_option("--client-id", config.client_id, "MQTT client id");
  app.add_option("--mqtt-version", config.mqtt_version, "4 (MQTT 3.1.1) or 5");
  app.add_flag("--cap-xml", config.cap_xml, "also publish CAP XML");
  app.add_option("--log-level", config.log_level, "trace, debug, info, warn, error");
  app.add_option("--log-format", config.log_format, "text or json");
  app.add_option("--mosquitto", config.mosquitto, "program for the embedded broker");
  app.add_option("--sync-writes", config.sync_writes, "fsync the store log on every write (true/false)");
  CLI11_PARSE(app, argc, argv);

  if (const char* pw = std::getenv("LOOKOUT_MQTT_PASSWORD"); pw && config.mqtt_password.empty()) {
    config.mqtt_password = pw;
  }
  if (auto diagnostics = check_config(config); !diagnostics.empty()) {
    std::cerr << to_string(diagnostics);
    return 2;
  }
  setup_logging(config);

  std::error_code ec;
  fs::create_directories(config.data_dir, ec);
  if (ec) {
    spdlog::critical("cannot create the data directory {}: {}", config.data_dir, ec.message());
    return 1;
  }
  auto store = RocksStore::open((fs::path(config.data_dir) / "store").string(), {config.sync_writes, true});
  if (!store.is_ok()) {
    spdlog::critical("refusing to start: {}", store.status().to_string());
    return 1;
  }

  std::unique_ptr<EmbeddedBroker> embedded;
  std::string broker_uri = config.broker;
  if (broker_uri.empty()) {
    auto b = EmbeddedBroker::start({config.mosquitto, (fs::path(config.data_dir) / "broker").string(), 0,
                                    std::chrono::milliseconds(10000), ""});
    if (!b.is_ok()) {
      spdlog::critical("no broker configured and the embedded one failed: {}", b.status().to_string());
      return 1;
    }
    embedded = std::move(*b);
    broker_uri = embedded->uri();
    spdlog::info("embedded Mosquitto listening on {} (pid {})", broker_uri, embedded->pid());
  }

  boost::asio::io_context io(1);
  Strand strand = boost::asio::make_strand(io);
  AsioClock clock(strand);

  PahoTransportOptions topts;
  topts.server_uri = broker_uri;
  topts.client_id = config.client_id;
  topts.mqtt_version = config.mqtt_version;
  topts.username = config.mqtt_username;
  topts.password = config.mqtt_password;
  topts.ca_file = config.tls_ca_file;
  topts.cert_file = config.tls_cert_file;
  topts.key_file = config.tls_key_file;
  topts.tls_verify = config.tls_verify;
  topts.will = {config.topic_prefix + "/engine/status", "offline", 1, true};
  topts.birth = {config.topic_prefix + "/engine/status", "online", 1, true};
  PahoTransport transport(topts);

  CoreOptions copts;
  copts.topic_prefix = config.topic_prefix;
  copts.sender = config.sender;
  copts.zone = find_time_zone(config.time_zone).value();
  copts.cap_xml = config.cap_xml;
  auto post = [strand](std::function<void()> fn) { boost::asio::post(strand, std::move(fn)); };
  Core core(copts, clock, **store, transport, post);
  if (auto s = core.open(); !s.is_ok()) {
    spdlog::critical("refusing to start: the store in {} cannot be read: {}", config.data_dir, s.to_string());
    return 1;
  }

  // What waits for the strand is bounded (inbound_gate.h): a flood beyond the limits is
  // shed and counted, never an unbounded queue.
  InboundGateOptions gate_options;
  gate_options.max_payload_bytes = copts.max_payload_bytes;
  gate_options.keep_bytes = copts.dead_letter_payload_bytes;
  InboundGate gate(gate_options);

  // Live drills: their own cores, in the drill namespace; never the live core's inputs.
  LiveDrills drills(core, clock, transport, post);

  std::string token = config.admin_token.empty() ? random_token() : config.admin_token;
  AdminServerOptions admin_options;
  admin_options.address = config.admin_address;
  admin_options.port = static_cast<unsigned short>(config.admin_port);
  admin_options.token = token;
  admin_options.broker_uri = broker_uri;
  admin_options.inbound_gate = &gate;
  AdminServer admin(strand, core, admin_options, &drills);
  if (auto s = admin.start(); !s.is_ok()) {
    spdlog::critical("{}", s.to_string());
    return 1;
  }
  std::string admin_url = "http://" + config.admin_address + ":" + std::to_string(admin.port());
  auto admin_file = fs::path(config.data_dir) / "admin.json";
  {
    auto tmp = admin_file.string() + ".tmp";
    std::ofstream out(tmp, std::ios::trunc);
    ::chmod(tmp.c_str(), 0600);
    out << nlohmann::json{{"url", admin_url}, {"token", token}, {"broker", broker_uri}, {"pid", ::getpid()}}.dump(2)
        << "\n";
    out.close();
    fs::rename(tmp, admin_file, ec);
  }

  auto subscriptions = core.subscriptions();
  for (auto& topic : drills.subscriptions()) subscriptions.push_back(std::move(topic));
  auto s = transport.start(
      subscriptions,
      [&core, &drills, &gate, strand](InboundMessage m) {
        const auto bytes = gate.admit(m);
        if (bytes == 0) {  // shed: the queue is full (counted; /v1/status shows it)
          // Logged at the 1st, 2nd, 4th, 8th... shed message: a flood gives a few lines.
          const auto shed = gate.shed();
          if ((shed & (shed - 1)) == 0) spdlog::warn("overloaded: the inbound queue is full; {} messages shed so far", shed);
          return;
        }
        boost::asio::post(strand, [&core, &drills, &gate, bytes, m = std::move(m)] {
          if (drills.owns(m.topic)) {
            drills.on_message(m);
          } else {
            core.on_message(m);
          }
          gate.release(m.topic, bytes);
        });
      },
      [&core, &drills, strand](bool connected, std::string) {
        boost::asio::post(strand, [&core, &drills, connected] {
          core.on_connection(connected);
          drills.on_connection(connected);
        });
      });
  if (!s.is_ok()) {
    spdlog::critical("{}", s.to_string());
    return 1;
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    spdlog::info("signal {}: shutting down", signal);
    drills.end_all("the engine shut down");
    admin.stop();
    io.stop();
  });
  spdlog::info("lookout ready: broker {}, admin API {}, data in {}", broker_uri, admin_url, config.data_dir);
  std::cout << "lookout ready: broker " << broker_uri << " admin " << admin_url << std::endl;

  io.run();

  transport.stop({config.topic_prefix + "/engine/status", "offline", 1, true}, std::chrono::milliseconds(2000));
  fs::remove(admin_file, ec);
  spdlog::info("stopped");
  return 0;
}
