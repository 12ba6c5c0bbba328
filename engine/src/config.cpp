#include "lookout/engine/config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "lookout/base/time_format.h"

namespace lookout::engine {

Diagnostics load_config_file(const std::string& path, EngineConfig& c) {
  Diagnostics out;
  std::ifstream in(path);
  if (!in) return {{path, 0, 0, "cannot read the configuration file"}};
  std::stringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    return {{path, e.mark.line + 1, e.mark.column + 1, "not valid YAML: " + e.msg}};
  }
  if (!root || root.IsNull()) return out;
  if (!root.IsMap()) return {{path, root.Mark().line + 1, root.Mark().column + 1, "expected a mapping of settings"}};

  auto str = [&](std::string* field) {
    return [&out, &path, field](const YAML::Node& n) {
      if (!n.IsScalar()) {
        out.push_back({path, n.Mark().line + 1, n.Mark().column + 1, "expected a text value"});
        return;
      }
      *field = n.Scalar();
    };
  };
  auto boolean = [&](bool* field) {
    return [&out, &path, field](const YAML::Node& n) {
      bool v = false;
      if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
        out.push_back({path, n.Mark().line + 1, n.Mark().column + 1, "expected true or false"});
        return;
      }
      *field = v;
    };
  };
  auto integer = [&](int* field) {
    return [&out, &path, field](const YAML::Node& n) {
      int v = 0;
      if (!n.IsScalar() || !YAML::convert<int>::decode(n, v)) {
        out.push_back({path, n.Mark().line + 1, n.Mark().column + 1, "expected a whole number"});
        return;
      }
      *field = v;
    };
  };
  const std::map<std::string, std::function<void(const YAML::Node&)>> keys = {
      {"broker", str(&c.broker)},
      {"mosquitto", str(&c.mosquitto)},
      {"client_id", str(&c.client_id)},
      {"mqtt_version", integer(&c.mqtt_version)},
      {"mqtt_username", str(&c.mqtt_username)},
      {"mqtt_password", str(&c.mqtt_password)},
      {"tls_ca_file", str(&c.tls_ca_file)},
      {"tls_cert_file", str(&c.tls_cert_file)},
      {"tls_key_file", str(&c.tls_key_file)},
      {"tls_verify", boolean(&c.tls_verify)},
      {"data_dir", str(&c.data_dir)},
      {"topic_prefix", str(&c.topic_prefix)},
      {"sender", str(&c.sender)},
      {"time_zone", str(&c.time_zone)},
      {"cap_xml", boolean(&c.cap_xml)},
      {"admin_address", str(&c.admin_address)},
      {"admin_port", integer(&c.admin_port)},
      {"admin_token", str(&c.admin_token)},
      {"sync_writes", boolean(&c.sync_writes)},
      {"log_level", str(&c.log_level)},
      {"log_format", str(&c.log_format)},
  };
  for (const auto& kv : root) {
    auto key = kv.first.as<std::string>("");
    auto it = keys.find(key);
    if (it == keys.end()) {
      std::string known;
      for (const auto& [k, _] : keys) known += (known.empty() ? "" : ", ") + k;
      out.push_back({path, kv.first.Mark().line + 1, kv.first.Mark().column + 1,
                     "unknown setting \"" + key + "\"; expected one of " + known});
      continue;
    }
    it->second(kv.second);
  }
  return out;
}

Diagnostics check_config(const EngineConfig& c) {
  Diagnostics out;
  auto bad = [&](std::string msg) { out.push_back({"configuration", 0, 0, std::move(msg)}); };
  if (c.mqtt_version != 4 && c.mqtt_version != 5) bad("mqtt_version must be 4 (MQTT 3.1.1) or 5");
  if (c.admin_port < 0 || c.admin_port > 65535) bad("admin_port must be 0 to 65535");
  if (c.log_format != "text" && c.log_format != "json") bad("log_format must be text or json");
  static const char* levels[] = {"trace", "debug", "info", "warn", "error"};
  if (std::find(std::begin(levels), std::end(levels), c.log_level) == std::end(levels)) {
    bad("log_level must be trace, debug, info, warn or error");
  }
  if (!find_time_zone(c.time_zone).is_ok()) bad("time_zone \"" + c.time_zone + "\" is not an IANA time zone");
  if (c.topic_prefix.empty() || c.topic_prefix.back() == '/' || c.topic_prefix.find_first_of("#+") != std::string::npos) {
    bad("topic_prefix must be non-empty, without a trailing '/', '#' or '+'");
  }
  if (c.sender.empty() || c.sender.find_first_of(" ,<&") != std::string::npos) {
    bad("sender must be non-empty without spaces, commas, '<' or '&' (CAP 1.2)");
  }
  if (c.data_dir.empty()) bad("data_dir must not be empty");
  return out;
}

}  // namespace lookout::engine
