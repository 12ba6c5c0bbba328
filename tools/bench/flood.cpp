// lookout-flood: floods a broker with malformed messages for the engine (ten kinds: broken
// JSON, unknown sensors, bad ids in topics, non-finite and far-future readings,
// oversized packs, incomplete reports, answers to nothing, bad UTF-8), with one real
// smoke reading in the middle (from --alarm-sensor, a quiet detector), and measures how
// long its alert takes to come back.
// Used by tools/bench/flood.sh (docs/benchmarks.md, "Flood of malformed input").
//
//   lookout-flood --broker tcp://127.0.0.1:1883 --count 1000000 --sensor smk-1 --alarm-sensor smk-2
//
// Prints one JSON line: {"sent", "seconds", "per_second", "alert_ms"}.
#include <mqtt/async_client.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <mutex>
#include <string>

namespace {

std::pair<std::string, std::string> bad_message(long i, const std::string& sensor) {
  static const std::string oversized(70 * 1024, '[');
  static const std::string long_string = "[{\"n\":\"smoke\",\"vs\":\"" + std::string(2000, 'x') + "\"}]";
  switch (i % 10) {
    case 0: return {"sensors/" + sensor, "{\"n\":\"smoke\",\"v\":"};
    case 1: return {"sensors/ghost-" + std::to_string(i % 100000), R"({"n":"smoke","v":0.9})"};
    case 2: return {"sensors/bad id!", R"({"n":"smoke","v":0.9})"};
    case 3: return {"sensors/" + sensor, R"({"n":"smoke","v":1e999})"};
    case 4: return {"sensors/" + sensor, R"({"n":"smoke","v":0.9,"t":4102444800})"};
    case 5: return {"sensors/" + sensor, oversized};
    case 6: return {"reports", R"({"id":"r-)" + std::to_string(i) + R"(","category":"fire"})"};
    case 7: return {"staff/nobody/responses", R"({"assignment":"a-999999","response":"accept"})"};
    case 8: return {"sensors/" + sensor, long_string};
    default: return {"sensors/" + sensor, "\xff\xfe not utf-8"};
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string broker = "tcp://127.0.0.1:1883";
  std::string prefix = "lookout/v1";
  std::string sensor = "smk-1";
  std::string alarm_sensor;
  long count = 1000000;
  CLI::App app{"lookout-flood: malformed input for the engine, and the time to a real alert in the middle"};
  app.add_option("--broker", broker, "MQTT broker URI");
  app.add_option("--prefix", prefix, "topic prefix");
  app.add_option("--sensor", sensor, "a registered smoke sensor, flooded with bad readings");
  app.add_option("--alarm-sensor", alarm_sensor, "the registered smoke sensor of the real reading (default: --sensor)");
  app.add_option("--count", count, "malformed messages to send");
  CLI11_PARSE(app, argc, argv);
  if (alarm_sensor.empty()) alarm_sensor = sensor;

  mqtt::create_options create(MQTTVERSION_3_1_1);
  create.set_max_buffered_messages(1000000);
  mqtt::async_client client(broker, "lookout-flood", create, nullptr);
  std::mutex mutex;
  std::condition_variable cv;
  bool alerted = false;
  std::chrono::steady_clock::time_point real_sent, alert_seen;
  client.set_message_callback([&](mqtt::const_message_ptr) {
    std::lock_guard lock(mutex);
    if (!alerted) {
      alerted = true;
      alert_seen = std::chrono::steady_clock::now();
      cv.notify_all();
    }
  });
  auto opts = mqtt::connect_options_builder().clean_session(true).max_inflight(1000).finalize();
  client.connect(opts)->wait();
  client.subscribe(prefix + "/alerts/#", 1)->wait();

  const auto start = std::chrono::steady_clock::now();
  std::deque<mqtt::delivery_token_ptr> window;  // at most 1000 publishes waiting for the broker
  for (long i = 0; i < count; ++i) {
    auto [topic, payload] = bad_message(i, sensor);
    window.push_back(client.publish(prefix + "/" + topic, payload.data(), payload.size(), 1, false));
    if (i == count / 2) {
      real_sent = std::chrono::steady_clock::now();
      std::string real = R"({"n":"smoke","u":"/","v":0.6})";
      window.push_back(client.publish(prefix + "/sensors/" + alarm_sensor, real.data(), real.size(), 1, false));
    }
    while (window.size() > 900) {
      window.front()->wait();
      window.pop_front();
    }
  }
  for (auto& t : window) t->wait();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  {
    std::unique_lock lock(mutex);
    cv.wait_for(lock, std::chrono::seconds(60), [&] { return alerted; });
  }
  const double alert_ms =
      alerted ? std::chrono::duration<double, std::milli>(alert_seen - real_sent).count() : -1.0;
  std::cout << "{\"sent\": " << count << ", \"seconds\": " << seconds << ", \"per_second\": "
            << static_cast<long>(count / seconds) << ", \"alert_ms\": " << alert_ms << "}" << std::endl;
  client.disconnect()->wait();
  return alerted ? 0 : 1;
}
