// lookout-sim: a building-sensor simulator for demos. It plays a residential-fire
// scenario as SenML over MQTT (ordinary readings from every sensor, then smoke and
// heat rising in one building, plus one malformed message) and prints what the engine
// publishes, as it arrives: CAP alerts, dead letters, the staff's assignments and the
// coordinators' notices. With --staff-phones it also plays the staff's phones: the
// first fire warden asked declines, everyone else accepts and then arrives, each
// answering on their own responses topic (docs/incidents.md, "Staff").
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
#include <set>
#include <string>
#include <thread>
#include <vector>

using nlohmann::json;

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_round{0};  // the round of readings being played, for the staff's phones
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

// "2026-11-21T23:05:00+08:00" -> "23:05": the wall-clock time is all a phone shows.
std::string clock_time(const std::string& iso) { return iso.size() >= 16 ? iso.substr(11, 5) : iso; }

// One answer a staff member's phone sends: {"assignment","response","note"} on
// <prefix>/staff/<staff>/responses, in round `round` (after its readings).
struct Answer {
  int round = 0;
  std::string staff;
  std::string assignment;
  std::string response;  // accept, decline or arrived
  std::string note;
  std::string place_name;  // for the note sent on arrival
};

// The staff's phones: people answering the engine's offers a round or two later.
// The MQTT callback hands them each assignment message; the round loop collects the
// answers that are due and publishes them (one thread publishes, the other only plans).
class StaffPhones {
 public:
  // An assignment message for `staff`. A new offer gets its answer one round later: the
  // first fire warden asked (the building's, at level II) is away, everyone else
  // accepts. An expired or released assignment gets no further answers.
  void on_assignment(const std::string& staff, const json& a) {
    const std::string id = a.value("assignment", "");
    const std::string status = a.value("status", "");
    std::lock_guard lock(mutex_);
    if (status == "expired" || status == "released") {
      finished_.insert(id);
      return;
    }
    if (status != "offered" || !seen_.insert(id).second) return;  // QoS 1 may deliver twice
    Answer answer{g_round + 1, staff, id, "accept", "on my way", a.value("place_name", "")};
    if (a.value("role", "") == "fire_warden" && !warden_declined_) {
      warden_declined_ = true;
      answer.response = "decline";
      answer.note = "away tonight";
    }
    pending_.push_back(std::move(answer));
  }

  // The answers due by `round`, in the order they were planned. Whoever accepts
  // reports "arrived" two rounds later.
  std::vector<Answer> due(int round) {
    std::lock_guard lock(mutex_);
    std::vector<Answer> out, later;
    for (const auto& answer : pending_) {
      if (finished_.count(answer.assignment) > 0) continue;
      (answer.round <= round ? out : later).push_back(answer);
    }
    for (const auto& answer : out) {
      if (answer.response == "accept") {
        Answer arrived = answer;
        arrived.round = round + 2;
        arrived.response = "arrived";
        arrived.note = answer.place_name.empty() ? "on site" : "at " + answer.place_name;
        later.push_back(std::move(arrived));
      }
    }
    pending_ = std::move(later);
    return out;
  }

 private:
  std::mutex mutex_;
  std::set<std::string> seen_;      // offers already answered or planned
  std::set<std::string> finished_;  // expired or released: nothing more to say
  std::vector<Answer> pending_;
  bool warden_declined_ = false;
};

// The staff id in <prefix>/staff/<id>/<what>, or "" when the topic is not that.
std::string staff_of(const std::string& prefix, const std::string& topic, const std::string& what) {
  const std::string head = prefix + "/staff/", tail = "/" + what;
  if (topic.size() <= head.size() + tail.size() || topic.rfind(head, 0) != 0 ||
      topic.compare(topic.size() - tail.size(), tail.size(), tail) != 0) {
    return "";
  }
  return topic.substr(head.size(), topic.size() - head.size() - tail.size());
}

void on_message(const std::string& prefix, StaffPhones* phones, mqtt::const_message_ptr msg) {
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
    } else if (auto staff = staff_of(prefix, topic, "assignments"); !staff.empty()) {
      // "a-000001 → b12-wang: fire_warden at Building 12, level II, respond by 23:05 (offered)"
      const std::string status = j.value("status", "");
      print_line("  ASSIGNMENT  " + j.value("assignment", "") + " → " + staff + ": " + j.value("role", "") + " at " +
                 j.value("place_name", "") + ", level " + j.value("level", "") +
                 (status == "offered" ? ", respond by " + clock_time(j.value("respond_by", "")) : "") + " (" +
                 status + ")");
      if (phones != nullptr) phones->on_assignment(staff, j);
    } else if (auto to = staff_of(prefix, topic, "notices"); !to.empty()) {
      // Alerts, updates, cancels and ladder steps carry the alert's headline; the
      // staffing notices (role_missing, role_unfilled) say what is missing where.
      const std::string kind = j.value("kind", "");
      const bool staffing = kind == "role_missing" || kind == "role_unfilled";
      print_line("  NOTICE  → " + to + " (" + kind +
                 (staffing ? "" : ", " + j.value("incident", "") + " level " + j.value("level", "") + " " +
                                      j.value("color", "")) +
                 "): " + j.value("text", ""));
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
  bool staff_phones = false;
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
  app.add_flag("--staff-phones", staff_phones,
               "answer the assignments as the staff would: the first fire warden asked declines, the others "
               "accept a round later and arrive two rounds after that");
  CLI11_PARSE(app, argc, argv);

  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });

  mqtt::create_options create(MQTTVERSION_3_1_1);
  create.set_max_buffered_messages(10000);
  mqtt::async_client client(broker, "lookout-sim-" + std::to_string(::getpid()), create, nullptr);
  StaffPhones phones;
  StaffPhones* phones_used = staff_phones ? &phones : nullptr;
  client.set_message_callback([prefix, phones_used](mqtt::const_message_ptr m) { on_message(prefix, phones_used, m); });
  try {
    client.connect(mqtt::connect_options_builder().clean_session(true).finalize())->wait();
    client.subscribe(prefix + "/alerts/#", 1)->wait();
    client.subscribe(prefix + "/deadletter", 1)->wait();
    client.subscribe(prefix + "/staff/+/assignments", 1)->wait();
    client.subscribe(prefix + "/staff/+/notices", 1)->wait();
  } catch (const mqtt::exception& e) {
    std::cerr << "lookout-sim: cannot reach the broker at " << broker << ": " << e.what() << "\n";
    return 1;
  }
  print_line("lookout-sim: fire scenario on " + broker + " (smoke at " + smoke + " from round 5, heat at " + heat +
             " from round 10)");
  if (staff_phones) {
    print_line("lookout-sim: playing the staff's phones (the first fire warden asked declines, the others accept, "
               "then arrive)");
  }

  std::mt19937 rng(42);
  std::uniform_real_distribution<double> noise(-0.005, 0.005);
  auto publish = [&](const std::string& sensor, const json& pack) {
    client.publish(prefix + "/sensors/" + sensor, pack.dump(), 1, false);
  };
  auto start = std::chrono::steady_clock::now();
  for (int round = 0; !g_stop; ++round) {
    g_round = round;
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
    // The staff's answers due this round, each on the member's own responses topic.
    for (const auto& answer : phones.due(round)) {
      json response = {{"assignment", answer.assignment}, {"response", answer.response}, {"note", answer.note}};
      client.publish(prefix + "/staff/" + answer.staff + "/responses", response.dump(), 1, false);
      print_line("  ANSWER  " + answer.staff + " → " + answer.assignment + ": " + answer.response + " (\"" +
                 answer.note + "\")");
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
