// lookout-load: the load generator of the ingest and latency benchmarks
// (tools/bench/ingest.sh, tools/bench/latency.sh; docs/benchmarks.md, "Ingest and
// sensor-to-alert latency"). It simulates thousands of sensors publishing SenML over
// MQTT. It does not link the engine: it talks to it through the broker only, like a
// real sensor fleet.
//
//   lookout-load --mode registry --sensors 2000 --alert-sensors 1000 > sensors.yaml
//       the sensors the other modes use: lkb-000001... (background, at
//       lb/ld/bg/gGGG/bNNNNNN) and lka-000001... (one per alerting reading, each at a
//       place of its own, lb/ld/al/gGGG/bNNNNNN, so each opens exactly one incident and
//       its alert is told apart by its topic).
//   lookout-load --mode subscribe --broker URI --expect 200000 --qos 1 --ready-file F
//       a plain subscriber on <prefix>/sensors/# (the raw broker fan-through): touches
//       F once subscribed, counts what arrives until --expect messages or --idle
//       seconds without any, and prints {"received", "first_received", "last_received"}
//       (wall-clock seconds since the epoch) and the CPU seconds it used.
//   lookout-load --mode ingest --broker URI --sensors 2000 --count 200000 --qos 1
//       publishes --count readings spread over --sensors sensors as fast as the broker
//       takes them (at most --window publishes unacknowledged), every value below the
//       benchmark plan's threshold and every time distinct, so the engine's duplicate
//       filter drops none; prints {"sent", "first_publish", "last_publish", "seconds",
//       "per_second", "cpu_seconds"} (last_publish: when the last publish completed).
//   lookout-load --mode latency --broker URI --rate 5000 --seconds 20 --alert-every 100
//       readings at a fixed rate; every --alert-every-th one is an alerting reading (0.6)
//       of the next alert sensor; subscribes to <prefix>/alerts/# and matches each CAP
//       Alert to its reading by the place in its topic; prints the send-to-alert
//       latency percentiles (steady clock, this process), how many alerting readings
//       got no alert ("missing") and how many alert messages matched nothing or came
//       twice ("unexpected"). It also subscribes to the alert sensors' own topics and
//       times the same readings' trip through the broker alone ("hop_*"): the floor
//       under any subscriber's latency, measured in the same run.
//
// Payloads are SenML packs as the contract's example:
//   [{"bn":"lkb-000001","n":"smoke","u":"/","v":0.02,"t":1763762645.123456}]
#include <mqtt/async_client.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using steady = std::chrono::steady_clock;

double wall_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// CPU time this process used so far (user + system, every thread).
double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string sensor_id(char kind, long i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "lk%c-%06ld", kind, i);
  return buf;
}

// Background sensors at lb/ld/bg/..., alert sensors at lb/ld/al/...: 100 per grid.
std::string sensor_place(const char* group, long i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "lb/ld/%s/g%03ld/b%06ld", group, (i - 1) / 100, i);
  return buf;
}

std::string reading(const std::string& id, double value) {
  char buf[160];
  std::snprintf(buf, sizeof buf, R"([{"bn":"%s","n":"smoke","u":"/","v":%.2f,"t":%.6f}])", id.c_str(), value,
                wall_now());
  return buf;
}

// Publishes with at most `window` deliveries outstanding: Paho refuses publishes past
// its buffer, and an unbounded queue of tokens would only measure our own memory.
class Publisher {
 public:
  Publisher(const std::string& broker, const std::string& client_id, int qos, std::size_t window)
      : client_(broker, client_id, create_options(window), nullptr), qos_(qos), window_(window) {
    auto opts = mqtt::connect_options_builder()
                    .clean_session(true)
                    .max_inflight(static_cast<int>(window))
                    .keep_alive_interval(std::chrono::seconds(60))
                    .finalize();
    client_.connect(opts)->wait();
  }
  void publish(const std::string& topic, const std::string& payload) {
    window_tokens_.push_back(client_.publish(topic, payload.data(), payload.size(), qos_, false));
    while (window_tokens_.size() >= window_) {
      window_tokens_.front()->wait();
      window_tokens_.pop_front();
    }
  }
  void flush() {
    for (auto& t : window_tokens_) t->wait();
    window_tokens_.clear();
  }
  void disconnect() { client_.disconnect()->wait(); }

 private:
  static mqtt::create_options create_options(std::size_t window) {
    mqtt::create_options create(MQTTVERSION_3_1_1);
    create.set_max_buffered_messages(static_cast<int>(window * 2 + 1000));
    return create;
  }
  mqtt::async_client client_;
  int qos_;
  std::size_t window_;
  std::deque<mqtt::delivery_token_ptr> window_tokens_;
};

std::string unique_client_id(const std::string& role) {
  return "lookout-load-" + role + "-" + std::to_string(::getpid());
}

int run_registry(long sensors, long alert_sensors) {
  std::cout << "# generated by lookout-load --mode registry\nsensors:\n";
  for (long i = 1; i <= sensors; ++i) {
    std::cout << "  - {id: " << sensor_id('b', i) << ", place: " << sensor_place("bg", i)
              << ", kind: smoke_detector, quantities: [smoke]}\n";
  }
  for (long i = 1; i <= alert_sensors; ++i) {
    std::cout << "  - {id: " << sensor_id('a', i) << ", place: " << sensor_place("al", i)
              << ", kind: smoke_detector, quantities: [smoke]}\n";
  }
  return std::cout.good() ? 0 : 1;
}

int run_subscribe(const std::string& broker, const std::string& prefix, int qos, long expect, double idle,
                  const std::string& ready_file) {
  mqtt::create_options create(MQTTVERSION_3_1_1);
  mqtt::async_client client(broker, unique_client_id("raw"), create, nullptr);
  std::atomic<long> received{0};
  std::atomic<double> first{0}, last{0};
  client.set_message_callback([&](mqtt::const_message_ptr) {
    const double now = wall_now();
    if (received.fetch_add(1, std::memory_order_relaxed) == 0) first = now;
    last = now;
  });
  auto opts = mqtt::connect_options_builder().clean_session(true).keep_alive_interval(std::chrono::seconds(60)).finalize();
  client.connect(opts)->wait();
  client.subscribe(prefix + "/sensors/#", qos)->wait();
  if (!ready_file.empty()) std::ofstream(ready_file) << "ready\n";
  const auto started = steady::now();
  auto last_change = steady::now();
  long seen = 0;
  while (received < expect) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const long n = received;
    const auto now = steady::now();
    if (n != seen) {
      seen = n;
      last_change = now;
    }
    const auto quiet = std::chrono::duration<double>(now - (n > 0 ? last_change : started)).count();
    if (quiet > (n > 0 ? idle : 120.0)) break;  // nothing more is coming
  }
  std::printf("{\"received\": %ld, \"first_received\": %.6f, \"last_received\": %.6f, \"cpu_seconds\": %.3f}\n",
              received.load(), first.load(), last.load(), cpu_seconds());
  client.disconnect()->wait();
  return 0;
}

int run_ingest(const std::string& broker, const std::string& prefix, int qos, long sensors, long count,
               std::size_t window) {
  Publisher pub(broker, unique_client_id("ingest"), qos, window);
  std::vector<std::string> ids, topics;
  for (long i = 1; i <= sensors; ++i) {
    ids.push_back(sensor_id('b', i));
    topics.push_back(prefix + "/sensors/" + ids.back());
  }
  const double first_publish = wall_now();
  const auto start = steady::now();
  for (long i = 0; i < count; ++i) {
    const auto s = static_cast<std::size_t>(i % sensors);
    pub.publish(topics[s], reading(ids[s], 0.01 + 0.01 * static_cast<double>(i % 10)));
  }
  pub.flush();
  const double seconds = std::chrono::duration<double>(steady::now() - start).count();
  const double last_publish = wall_now();
  std::printf(
      "{\"sent\": %ld, \"qos\": %d, \"sensors\": %ld, \"first_publish\": %.6f, \"last_publish\": %.6f, "
      "\"seconds\": %.3f, \"per_second\": %.0f, \"cpu_seconds\": %.3f}\n",
      count, qos, sensors, first_publish, last_publish, seconds, count / seconds, cpu_seconds());
  pub.disconnect();
  return 0;
}

// Nearest rank: the smallest value with at least q of the values at or below it.
double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return -1;
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

struct Percentiles {
  std::size_t n = 0;
  double p50 = -1, p99 = -1, p999 = -1, max = -1;
};

// Send -> receive, in ms, of the alerting readings received (nearest rank).
Percentiles percentiles(const std::vector<std::atomic<std::int64_t>>& sent_ns,
                        const std::vector<std::atomic<std::int64_t>>& received_ns) {
  std::vector<double> ms;
  for (std::size_t j = 1; j < received_ns.size(); ++j) {
    const auto r = received_ns[j].load();
    if (r != 0) ms.push_back(static_cast<double>(r - sent_ns[j].load()) / 1e6);
  }
  std::sort(ms.begin(), ms.end());
  Percentiles p;
  p.n = ms.size();
  if (!ms.empty()) {
    p.p50 = percentile(ms, 0.50);
    p.p99 = percentile(ms, 0.99);
    p.p999 = percentile(ms, 0.999);
    p.max = ms.back();
  }
  return p;
}

int run_latency(const std::string& broker, const std::string& prefix, int qos, long sensors, double rate,
                double seconds, long alert_every, double drain, std::size_t window) {
  const long total = std::lround(rate * seconds);
  const long alerting = alert_every > 0 ? total / alert_every : 0;
  const auto slots = static_cast<std::size_t>(alerting) + 1;  // alert sensor j at [j]
  // When each alerting reading was published, came back from the broker to a plain
  // subscriber (the broker's own hop, the floor of any latency) and came out as an alert.
  std::vector<std::atomic<std::int64_t>> sent_ns(slots), hop_ns(slots), alert_ns(slots);
  for (std::size_t j = 0; j < slots; ++j) sent_ns[j] = hop_ns[j] = alert_ns[j] = 0;
  std::atomic<long> matched{0}, unexpected{0};
  const auto epoch = steady::now();
  auto since_epoch = [&epoch](steady::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t - epoch).count();
  };

  // The listener: its own connection, so publishing never waits behind it.
  mqtt::create_options create(MQTTVERSION_3_1_1);
  mqtt::async_client listener(broker, unique_client_id("alerts"), create, nullptr);
  const std::string alert_prefix = prefix + "/alerts/lb/ld/al/";
  const std::string hop_prefix = prefix + "/sensors/lka-";
  listener.set_message_callback([&](mqtt::const_message_ptr msg) {
    const auto now = since_epoch(steady::now());
    const std::string& topic = msg->get_topic();
    if (topic.compare(0, hop_prefix.size(), hop_prefix) == 0) {
      const long index = std::strtol(topic.c_str() + hop_prefix.size(), nullptr, 10);
      if (index >= 1 && index <= alerting) hop_ns[static_cast<std::size_t>(index)] = now;
      return;
    }
    long index = -1;
    if (topic.compare(0, alert_prefix.size(), alert_prefix) == 0) {
      const auto b = topic.rfind("/b");
      if (b != std::string::npos) index = std::strtol(topic.c_str() + b + 2, nullptr, 10);
    }
    std::string type;
    try {
      type = nlohmann::json::parse(msg->get_payload_str()).value("msgType", "");
    } catch (const std::exception&) {
    }
    if (index < 1 || index > alerting || type != "Alert") {
      ++unexpected;
      return;
    }
    std::int64_t zero = 0;
    if (alert_ns[static_cast<std::size_t>(index)].compare_exchange_strong(zero, now)) {
      ++matched;
    } else {
      ++unexpected;  // a second alert for one reading
    }
  });
  auto lopts = mqtt::connect_options_builder().clean_session(true).keep_alive_interval(std::chrono::seconds(60)).finalize();
  listener.connect(lopts)->wait();
  listener.subscribe(prefix + "/alerts/#", 1)->wait();
  // The alert sensors' own topics (at QoS 1, as the engine subscribes), a hundred a request.
  for (long j = 1; j <= alerting; j += 100) {
    auto filters = std::make_shared<mqtt::string_collection>();
    mqtt::iasync_client::qos_collection qoss;
    for (long k = j; k < j + 100 && k <= alerting; ++k) {
      filters->push_back(prefix + "/sensors/" + sensor_id('a', k));
      qoss.push_back(1);
    }
    listener.subscribe(filters, qoss)->wait();
  }

  Publisher pub(broker, unique_client_id("latency"), qos, window);
  std::vector<std::string> ids, topics;
  for (long i = 1; i <= sensors; ++i) {
    ids.push_back(sensor_id('b', i));
    topics.push_back(prefix + "/sensors/" + ids.back());
  }
  const auto interval = std::chrono::duration<double>(1.0 / rate);
  const auto start = steady::now();
  long next_alert = 1, background = 0;
  for (long i = 0; i < total; ++i) {
    const auto due = start + std::chrono::duration_cast<steady::duration>(interval * static_cast<double>(i));
    if (steady::now() < due) std::this_thread::sleep_until(due);
    if (alert_every > 0 && i % alert_every == alert_every - 1 && next_alert <= alerting) {
      const auto id = sensor_id('a', next_alert);
      const auto payload = reading(id, 0.6);
      sent_ns[static_cast<std::size_t>(next_alert)] = since_epoch(steady::now());
      pub.publish(prefix + "/sensors/" + id, payload);
      ++next_alert;
    } else {
      const auto s = static_cast<std::size_t>(background++ % sensors);
      pub.publish(topics[s], reading(ids[s], 0.01 + 0.01 * static_cast<double>(i % 10)));
    }
  }
  pub.flush();
  const double send_seconds = std::chrono::duration<double>(steady::now() - start).count();
  const auto drain_until = steady::now() + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(drain));
  while (matched < alerting && steady::now() < drain_until) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a late duplicate would show up here

  const auto alert = percentiles(sent_ns, alert_ns);
  const auto hop = percentiles(sent_ns, hop_ns);
  std::printf(
      "{\"rate\": %.0f, \"qos\": %d, \"sent\": %ld, \"send_seconds\": %.3f, \"achieved_rate\": %.0f, "
      "\"alerting\": %ld, \"matched\": %zu, \"missing\": %ld, \"unexpected\": %ld, \"p50_ms\": %.3f, "
      "\"p99_ms\": %.3f, \"p999_ms\": %.3f, \"max_ms\": %.3f, \"hop_received\": %zu, \"hop_p50_ms\": %.3f, "
      "\"hop_p99_ms\": %.3f, \"hop_p999_ms\": %.3f, \"hop_max_ms\": %.3f}\n",
      rate, qos, total, send_seconds, total / send_seconds, alerting, alert.n,
      alerting - static_cast<long>(alert.n), unexpected.load(), alert.p50, alert.p99, alert.p999, alert.max, hop.n,
      hop.p50, hop.p99, hop.p999, hop.max);
  pub.disconnect();
  listener.disconnect()->wait();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode;
  std::string broker = "tcp://127.0.0.1:1883";
  std::string prefix = "lookout/v1";
  std::string ready_file;
  int qos = 1;
  long sensors = 2000, alert_sensors = 0, count = 200000, expect = 0, alert_every = 100;
  double rate = 5000, seconds = 20, idle = 5, drain = 10;
  std::size_t window = 100;  // Paho C keeps outstanding publishes in lists: more is slower here
  CLI::App app{"lookout-load: simulated sensors for the ingest and latency benchmarks"};
  app.add_option("--mode", mode, "registry, subscribe, ingest or latency")
      ->required()
      ->check(CLI::IsMember({"registry", "subscribe", "ingest", "latency"}));
  app.add_option("--broker", broker, "MQTT broker URI");
  app.add_option("--prefix", prefix, "topic prefix");
  app.add_option("--qos", qos, "QoS of the readings (subscribe: of the subscription)")->check(CLI::Range(0, 1));
  app.add_option("--sensors", sensors, "background sensors lkb-000001...")->check(CLI::PositiveNumber);
  app.add_option("--alert-sensors", alert_sensors, "registry: alert sensors lka-000001...")->check(CLI::NonNegativeNumber);
  app.add_option("--count", count, "ingest: readings to publish")->check(CLI::PositiveNumber);
  app.add_option("--window", window, "publishes outstanding at most")->check(CLI::PositiveNumber);
  app.add_option("--expect", expect, "subscribe: messages to wait for")->check(CLI::NonNegativeNumber);
  app.add_option("--idle", idle, "subscribe: give up after this many seconds with no message");
  app.add_option("--ready-file", ready_file, "subscribe: written once subscribed");
  app.add_option("--rate", rate, "latency: readings per second")->check(CLI::PositiveNumber);
  app.add_option("--seconds", seconds, "latency: how long to send")->check(CLI::PositiveNumber);
  app.add_option("--alert-every", alert_every, "latency: every K-th reading alerts (needs rate*seconds/K alert sensors)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--drain", drain, "latency: seconds to wait for the last alerts");
  CLI11_PARSE(app, argc, argv);

  try {
    if (mode == "registry") return run_registry(sensors, alert_sensors);
    if (mode == "subscribe") return run_subscribe(broker, prefix, qos, expect, idle, ready_file);
    if (mode == "ingest") return run_ingest(broker, prefix, qos, sensors, count, window);
    return run_latency(broker, prefix, qos, sensors, rate, seconds, alert_every, drain, window);
  } catch (const mqtt::exception& e) {
    std::cerr << "lookout-load: " << e.what() << "\n";
    return 1;
  }
}
