// lookout-sim: a building-sensor simulator for demos. It plays a residential-fire
// scenario as SenML over MQTT (ordinary readings from every sensor, then smoke and
// heat rising in one building, plus one malformed message) and prints the CAP alerts
// and dead letters the engine publishes, as they arrive.
#include <utility>

#include <CLI/CLI.hpp>
#include <mqtt/async_client.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

using nlohmann::json;

namespace {

std::atomic<bool> g_stop{false};
std::mutex g_print;

void print_line(const std::string& line) {
  std::lock_guard lock(g_print);
  std::cout << line << std::endl;
}

std::string param(const json& info, const std::string& name) {
  for (const auto& p : info.value("parameter", json::array())) {
    if (p.value("valueName", "") == name) return p.value("value", "");
  }
  return "";
}

void on_message(const std::string& prefix, mqtt::const_message_ptr msg) {
  const auto& topic = msg->get_topic();
  try {
    auto j = json::parse(msg->get_payload_str());
    if (topic.rfind(prefix + "/alerts/", 0) == 0) {
      const auto& info = j["info"][0];
      print_line("  ALERT  " + j.value("msgType", "") + "  level " + param(info, "warningLevel") + " (" +
                 param(info, "warningColor") + ")  " + info.value("headline", "") + "\n         place " +
                 topic.substr(prefix.size() + 8) + "  incident " + j.value("incidents", "") + "  sent " +
                 j.value("sent", "") + "\n         " + info.value("instruction", ""));
    } else if (topic == prefix + "/deadletter") {
      print_line("  DEAD LETTER  " + j.value("topic", "") + ": " + j.value("reason", ""));
    }
  } catch (const std::exception& e) {
    print_line("  (unreadable message on " + topic + ": " + e.what() + ")");
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string broker = "tcp://127.0.0.1:1883";
  std::string prefix = "lookout/v1";
  double run_for = 0;
  double step = 1.0;
  std::string smoke = "smk-b12-1", smoke2 = "smk-b12-2", heat = "tmp-b12-1", other = "smk-b07-1";
  CLI::App app{"lookout-sim: play a residential-fire scenario over MQTT and print the alerts"};
  app.add_option("--broker", broker, "MQTT broker URI");
  app.add_option("--prefix", prefix, "topic prefix");
  app.add_option("--for", run_for, "stop after this many seconds (0: until Ctrl-C)");
  app.add_option("--step", step, "seconds between rounds of readings");
  app.add_option("--smoke-sensor", smoke, "the smoke detector that sees the fire");
  app.add_option("--smoke-sensor-2", smoke2, "a second detector in the same building");
  app.add_option("--heat-sensor", heat, "the temperature sensor in the same building");
  app.add_option("--quiet-sensor", other, "a detector in another building (stays normal)");
  CLI11_PARSE(app, argc, argv);

  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });

  mqtt::create_options create(MQTTVERSION_3_1_1);
  create.set_max_buffered_messages(10000);
  mqtt::async_client client(broker, "lookout-sim-" + std::to_string(::getpid()), create, nullptr);
  client.set_message_callback([prefix](mqtt::const_message_ptr m) { on_message(prefix, m); });
  try {
    client.connect(mqtt::connect_options_builder().clean_session(true).finalize())->wait();
    client.subscribe(prefix + "/alerts/#", 1)->wait();
    client.subscribe(prefix + "/deadletter", 1)->wait();
  } catch (const mqtt::exception& e) {
    std::cerr << "lookout-sim: cannot reach the broker at " << broker << ": " << e.what() << "\n";
    return 1;
  }
  print_line("lookout-sim: fire scenario on " + broker + " (smoke at " + smoke + " from round 5, heat at " + heat +
             " from round 10)");

  std::mt19937 rng(42);
  std::uniform_real_distribution<double> noise(-0.005, 0.005);
  auto publish = [&](const std::string& sensor, const json& pack) {
    client.publish(prefix + "/sensors/" + sensor, pack.dump(), 1, false);
  };
  auto start = std::chrono::steady_clock::now();
  for (int round = 0; !g_stop; ++round) {
    double smoke_v = 0.015 + noise(rng);
    if (round >= 5) smoke_v = std::min(0.5, 0.02 + 0.03 * (round - 5));
    double temp_v = 23 + noise(rng) * 100;
    if (round >= 10) temp_v = std::min(78.0, 24.0 + 4 * (round - 10));
    publish(smoke, json::array({{{"bn", smoke + ":"}, {"n", "smoke"}, {"u", "/"}, {"v", smoke_v}}}));
    publish(smoke2, json::array({{{"n", "smoke"}, {"u", "/"}, {"v", round >= 8 ? smoke_v * 0.8 : 0.012}}}));
    publish(heat, json::array({{{"n", "temperature"}, {"u", "Cel"}, {"v", temp_v}}}));
    publish(other, json::array({{{"n", "smoke"}, {"u", "/"}, {"v", 0.01}}}));
    if (round == 3) {
      print_line("lookout-sim: sending one malformed reading (the engine dead-letters it and carries on)");
      client.publish(prefix + "/sensors/" + smoke, std::string("{\"n\":\"smoke\",\"v\":\"lots\"}"), 1, false);
    }
    if (round == 5 || round == 10) {
      char buf[128];
      std::snprintf(buf, sizeof buf, "lookout-sim: round %d: smoke %.2f, temperature %.0f Cel", round, smoke_v, temp_v);
      print_line(buf);
    }
    auto next = start + std::chrono::duration<double>(step * (round + 1));
    while (!g_stop && std::chrono::steady_clock::now() < next) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (run_for > 0 && std::chrono::steady_clock::now() - start >= std::chrono::duration<double>(run_for)) break;
  }
  try {
    client.disconnect()->wait_for(std::chrono::seconds(2));
  } catch (const mqtt::exception&) {
  }
  return 0;
}
