// The engine's configuration: one YAML file plus command-line flags, flags winning.
// Every key and flag: docs/configuration.md and `lookout --help`.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "lookout/base/diagnostic.h"

namespace lookout::engine {

struct EngineConfig {
  // Broker. Empty: start an embedded Mosquitto on a free loopback port.
  std::string broker;
  std::string mosquitto = "mosquitto";   // program for the embedded broker
  std::string client_id = "lookout-engine";
  int mqtt_version = 4;                  // 4 (3.1.1) or 5
  std::string mqtt_username;
  std::string mqtt_password;             // or LOOKOUT_MQTT_PASSWORD; never logged
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  bool tls_verify = true;

  std::string data_dir = "./var";        // store, embedded broker, admin endpoint file
  std::string topic_prefix = "lookout/v1";
  std::string sender = "lookout@localhost";  // CAP sender
  std::string time_zone = "UTC";             // IANA name, for CAP times and calendars
  bool cap_xml = false;

  std::string admin_address = "127.0.0.1";
  int admin_port = 8470;                 // 0: any free port
  std::string admin_token;               // empty: a random one, written to <data_dir>/admin.json

  bool sync_writes = true;
  std::string log_level = "info";        // trace debug info warn error
  std::string log_format = "text";       // text or json
};

// Reads the YAML configuration file into `config` (keys left out keep their values).
// Problems are returned as diagnostics with file:line:column.
Diagnostics load_config_file(const std::string& path, EngineConfig& config);

// Checks values that a file or flags may set wrongly (version, log level, ...).
Diagnostics check_config(const EngineConfig& config);

}  // namespace lookout::engine
