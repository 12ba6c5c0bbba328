// lookoutctl drill run --live: plays a scenario over the real broker against the
// running engine (docs/drills.md, "Live drills").
//
//   1. checks the scenario against the engine (its sensors, its roster);
//   2. connects to the broker and subscribes to the drill's namespace before anything
//      can be published there (and to the engine's status, to notice it going away);
//   3. asks the engine to start the drill (POST /v1/drills): the engine runs it on a
//      core of its own, alerts Exercise, real staff get real assignments marked drill;
//   4. publishes the scenario's readings, sensor statuses and reports as the wall clock
//      reaches them, and records everything the engine publishes in the namespace
//      (drills/recorder.h, the same record as a virtual drill);
//   5. at the scenario's end (or on Ctrl-C, or when the engine goes offline) asks the
//      engine to stop it (open incidents are cancelled, staff released) and waits for
//      the drill's "ended" status, so that the record holds the Cancels;
//   6. checks the expectations and prints or writes the report.
// Real people answer the assignments: their real response times are in the report.
// --simulate-staff answers them as the scenario's staff_behaviour says instead (a
// rehearsal of the live path with nobody on the phones).
#include <mqtt/async_client.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <queue>
#include <set>

#include "drill_command.h"
#include "lookout/base/time_format.h"
#include "lookout/drills/inputs.h"
#include "lookout/drills/recorder.h"
#include "lookout/drills/report.h"
#include "lookout/drills/scenario.h"
#include "lookout/plans/plan.h"

namespace lookout::ctl {

namespace fs = std::filesystem;
using nlohmann::json;
using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

std::atomic<int> g_signal{0};
extern "C" void on_signal(int s) { g_signal = s; }

struct Message {
  std::string topic;
  std::string payload;
  SteadyTime received;
};

// The drill's MQTT link: what arrives is queued for the main thread.
class Link {
 public:
  Link(const std::string& uri, const std::string& client_id, const std::string& username, const std::string& password) {
    mqtt::create_options create(MQTTVERSION_3_1_1);
    create.set_max_buffered_messages(100000);
    client_ = std::make_unique<mqtt::async_client>(uri, client_id, create, nullptr);
    client_->set_message_callback([this](mqtt::const_message_ptr m) {
      std::lock_guard lock(mutex_);
      queue_.push_back({m->get_topic(), m->get_payload_str(), std::chrono::steady_clock::now()});
      cv_.notify_all();
    });
    auto opts = mqtt::connect_options_builder().clean_session(true).keep_alive_interval(std::chrono::seconds(20));
    if (!username.empty()) opts.user_name(username);
    if (!password.empty()) opts.password(password);
    client_->connect(opts.finalize())->wait_for(std::chrono::seconds(10));
    if (!client_->is_connected()) throw std::runtime_error("cannot connect to the broker at " + uri);
  }
  ~Link() {
    try {
      if (client_->is_connected()) client_->disconnect()->wait_for(std::chrono::seconds(2));
    } catch (...) {
    }
  }
  void subscribe(const std::string& topic) {
    if (!client_->subscribe(topic, 1)->wait_for(std::chrono::seconds(10))) {
      throw std::runtime_error("the broker did not confirm the subscription to " + topic);
    }
  }
  void publish(const std::string& topic, const std::string& payload) {
    client_->publish(topic, payload.data(), payload.size(), 1, false);
  }
  bool connected() const { return client_->is_connected(); }
  // Waits until a message is queued or `until`; returns what is queued.
  std::deque<Message> wait(SteadyTime until) {
    std::unique_lock lock(mutex_);
    cv_.wait_until(lock, until, [&] { return !queue_.empty(); });
    return std::exchange(queue_, {});
  }

 private:
  std::unique_ptr<mqtt::async_client> client_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Message> queue_;
};

std::string default_id(const std::string& scenario_id) {
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  auto text = format_cap_time(now, find_time_zone("UTC").value());  // 2026-11-21T19:30:00+00:00
  std::string compact;
  for (char c : text.substr(0, 19)) {
    if (c != '-' && c != ':') compact += c;
  }
  // Topic and id rule: [A-Za-z0-9_.-]{1,64}.
  std::string id = scenario_id.substr(0, 64 - 1 - compact.size()) + "-" + compact;
  return id;
}


}  // namespace

int drill_run_live(const DrillArgs& args, const EngineCall& call) {
  if (args.runs > 1) {
    std::cerr << "lookoutctl: --runs repeats a drill in virtual time; a live drill runs once\n";
    return 2;
  }
  auto loaded = load_scenario_or_say_why(args.scenario);
  if (!loaded) return 2;
  const auto& scenario = *loaded;
  const std::uint64_t seed = args.seed.value_or(scenario.seed);
  const std::string id = args.id.empty() ? default_id(scenario.id) : args.id;

  // 1. The engine: where its topics are, and whether it has the scenario's sensors and staff.
  json status, sensor_list, staff_list;
  if (int rc = call("GET", "/v1/status", "", status); rc != 0) return rc;
  if (int rc = call("GET", "/v1/sensors", "", sensor_list); rc != 0) return rc;
  if (int rc = call("GET", "/v1/staff", "", staff_list); rc != 0) return rc;
  std::set<std::string> sensors;
  for (const auto& s : sensor_list.value("sensors", json::array())) sensors.insert(s.value("id", ""));
  std::map<std::string, PlacePath> homes;
  std::map<std::string, std::string> kinds;  // for --simulate-staff's behaviour rules by kind
  for (const auto& m : staff_list.value("staff", json::array())) {
    kinds[m.value("id", "")] = m.value("kind", "");
    auto home = PlacePath::parse(m.value("home", ""));
    if (home.is_ok()) homes.emplace(m.value("id", ""), *home);
  }
  int missing = 0;
  for (const auto& stream : scenario.streams) {
    if (!sensors.count(stream.sensor)) {
      std::cerr << scenario.file << ":" << stream.line << ": sensor \"" << stream.sensor
                << "\" is not in the engine's sensor registry (a live drill plays the engine's own sensors)\n";
      ++missing;
    }
  }
  if (missing) {
    std::cerr << "lookoutctl: nothing was started\n";
    return 2;
  }
  const std::string topic_prefix = status.value("topic_prefix", "lookout/v1");
  const std::string prefix = topic_prefix + "/drill/" + id;
  std::string broker = args.broker;
  if (broker.empty()) broker = status.value("broker_uri", "");
  if (broker.empty()) {
    std::cerr << "lookoutctl: which broker? pass --broker URI (the engine did not say)\n";
    return 2;
  }

  // 2. The link, subscribed before the drill exists.
  std::unique_ptr<Link> link;
  try {
    const char* password = std::getenv("LOOKOUT_MQTT_PASSWORD");
    link = std::make_unique<Link>(broker, "lookoutctl-drill-" + id, args.mqtt_username, password ? password : "");
    link->subscribe(prefix + "/#");
    link->subscribe(topic_prefix + "/engine/status");
  } catch (const std::exception& e) {
    std::cerr << "lookoutctl: " << e.what() << "\n";
    return 3;
  }

  // 3. Start.
  json request = {{"id", id},
                  {"scenario", scenario.id},
                  {"title", scenario.title},
                  {"by", args.by},
                  {"duration_s", std::chrono::duration<double>(scenario.duration).count()}};
  json away = json::array(), sick = json::array(), unreachable = json::array();
  for (const auto& c : scenario.roster_changes) {
    (c.kind == drills::RosterChange::Kind::kAway ? away : c.kind == drills::RosterChange::Kind::kSick ? sick : unreachable)
        .push_back(c.staff);
  }
  request["away"] = away;
  request["sick"] = sick;
  request["unreachable"] = unreachable;
  std::map<std::string, plans::Plan> plan_texts;  // for the report: the roles each level needs
  auto keep_plan = [&](const std::string& text, const std::string& file) {
    auto p = plans::load_plan(text, file);
    if (p.plan) plan_texts.emplace(p.plan->id, *p.plan);
  };
  if (!args.engine_plans) {
    json list = json::array();
    for (const auto& [file, text] : scenario.plans) {
      list.push_back({{"file", file}, {"text", text}});
      keep_plan(text, file);
    }
    request["plans"] = list;
  }
  json started;
  if (int rc = call("POST", "/v1/drills", request.dump(), started); rc != 0) {
    std::cerr << "lookoutctl: the engine did not start the drill\n";
    return rc == 1 ? 2 : rc;
  }
  if (args.engine_plans) {
    for (const auto& plan_id : started.value("plans", json::array())) {
      json p;
      if (call("GET", "/v1/plans/" + plan_id.get<std::string>(), "", p) == 0) {
        keep_plan(p.value("source", ""), p.value("file", ""));
      }
    }
  }
  const auto start_wall = std::chrono::system_clock::now();
  const auto start_steady = std::chrono::steady_clock::now();
  std::cerr << "drill " << id << " started: " << scenario.title << ", " << drills::format_offset(scenario.duration)
            << " on " << prefix << "/ (plans: " << started.value("plans", json::array()).dump() << ")\n"
            << "Ctrl-C ends it early (what is open is cancelled and everyone released).\n";

  auto previous_int = std::signal(SIGINT, on_signal);
  auto previous_term = std::signal(SIGTERM, on_signal);

  drills::Random random(seed);
  const auto inputs = drills::build_inputs(scenario, random);
  drills::Recorder recorder(scenario, seed, prefix);
  recorder.report().drill = id;
  recorder.report().mode = "live";
  recorder.report().start = std::chrono::time_point_cast<Duration>(start_wall);
  const date::time_zone* zone = find_time_zone("UTC").value();
  if (auto z = find_time_zone(scenario.time_zone); z.is_ok()) zone = *z;

  // Simulated phones (--simulate-staff): answers due at a steady time.
  struct Answer {
    SteadyTime due;
    std::string topic;
    std::string payload;
    bool operator>(const Answer& o) const { return due > o.due; }
  };
  std::priority_queue<Answer, std::vector<Answer>, std::greater<>> answers;
  std::set<std::string> unreachable_staff;
  for (const auto& c : scenario.roster_changes) {
    if (c.kind == drills::RosterChange::Kind::kUnreachable) unreachable_staff.insert(c.staff);
  }

  auto at_of = [&](SteadyTime t) { return std::chrono::duration_cast<Duration>(t - start_steady); };
  std::size_t printed = 0;
  bool ended = false;
  std::string note;
  auto take = [&](std::deque<Message> messages) {
    for (auto& m : messages) {
      if (m.topic == topic_prefix + "/engine/status") {
        if (m.payload == "offline" && note.empty()) note = "the engine went offline at " + drills::format_offset(at_of(m.received));
        continue;
      }
      if (m.topic == prefix + "/status") {
        auto j = json::parse(m.payload, nullptr, false);
        if (!j.is_discarded() && j.is_object() && j.value("state", "") == "ended") ended = true;
        continue;
      }
      auto offer = recorder.published(at_of(m.received), m.topic, m.payload);
      if (offer && args.simulate_staff && !unreachable_staff.count(offer->staff)) {
        auto a = drills::draw_answer(drills::behaviour_for(scenario, offer->staff, kinds[offer->staff], offer->role),
                                     random);
        if (a.answers) {
          const auto topic = prefix + "/staff/" + offer->staff + "/responses";
          auto payload = [&](const char* response) {
            return json{{"assignment", offer->assignment}, {"response", response}, {"note", "simulated by lookoutctl"}}
                .dump();
          };
          answers.push({m.received + a.respond, topic, payload(a.declines ? "decline" : "accept")});
          if (!a.declines) answers.push({m.received + a.respond + a.travel, topic, payload("arrived")});
        }
      }
    }
    const auto& events = recorder.report().events;
    for (; printed < events.size(); ++printed) {
      const auto& e = events[printed];
      std::cerr << "  " << drills::format_offset(e.at) << "  " << e.kind << (e.incident.empty() ? "" : " " + e.incident)
                << (e.level.empty() ? "" : " " + e.level) << (e.staff.empty() ? "" : " " + e.staff)
                << (e.role.empty() ? "" : " (" + e.role + ")") << (e.text.empty() ? "" : ": " + e.text) << "\n";
    }
  };

  // 4. Play.
  std::size_t next = 0;
  const auto end_at = start_steady + scenario.duration;
  while (true) {
    if (g_signal != 0 && note.empty()) {
      note = "stopped early at " + drills::format_offset(at_of(std::chrono::steady_clock::now())) + " (interrupted)";
    }
    if (!note.empty() || ended) break;
    auto now = std::chrono::steady_clock::now();
    if (now >= end_at && next == inputs.size()) break;
    while (next < inputs.size() && start_steady + inputs[next].at <= now) {
      const auto& input = inputs[next++];
      const auto wall = std::chrono::time_point_cast<Duration>(start_wall + input.at);
      if (input.kind == drills::Input::Kind::kReport) {
        const auto& r = scenario.reports[input.stream];
        json j = {{"id", r.id},         {"category", r.category},        {"place", r.place.str()},
                  {"source", r.source}, {"description", r.description}, {"time", format_cap_time(wall, zone)}};
        recorder.report_sent(input.at, r);
        link->publish(prefix + "/reports", j.dump());
        continue;
      }
      const auto& stream = scenario.streams[input.stream];
      if (input.kind == drills::Input::Kind::kStatus) {
        link->publish(prefix + "/sensors/" + stream.sensor + "/status", input.value != 0 ? "offline" : "online");
        continue;
      }
      json record = {{"n", stream.quantity},
                     {"v", input.value},
                     {"t", std::chrono::duration<double>(wall.time_since_epoch()).count()}};
      if (!stream.unit.empty()) record["u"] = stream.unit;
      recorder.reading(input.at, input.stream, input.value);
      link->publish(prefix + "/sensors/" + stream.sensor, record.dump());
    }
    while (!answers.empty() && answers.top().due <= now) {
      link->publish(answers.top().topic, answers.top().payload);
      answers.pop();
    }
    SteadyTime wake = end_at;
    if (next < inputs.size()) wake = std::min(wake, start_steady + inputs[next].at);
    if (!answers.empty()) wake = std::min(wake, answers.top().due);
    wake = std::min(wake, now + std::chrono::milliseconds(250));  // Ctrl-C, the link
    take(link->wait(wake));
    if (!link->connected() && note.empty()) note = "the connection to the broker was lost";
  }

  // 5. Stop, and wait for the drill's end to come through (the Cancels before it).
  json summary;
  int stop_rc = 0;
  if (!ended) {
    stop_rc = call("POST", "/v1/drills/" + id + "/stop", json{{"by", args.by.empty() ? "lookoutctl" : args.by}}.dump(),
                   summary);
    if (stop_rc != 0 && note.empty()) note = "the engine did not stop the drill (it ends it itself at its end time)";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (stop_rc == 0 && !ended && std::chrono::steady_clock::now() < deadline) {
      take(link->wait(std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(250))));
    }
  } else if (note.empty()) {
    note = "the engine ended the drill before its end";
  }
  std::signal(SIGINT, previous_int);
  std::signal(SIGTERM, previous_term);
  recorder.report().note = note;

  // 6. The report.
  drills::Recorder::Lookups lookups;
  lookups.plan = [&](std::string_view plan_id) -> const plans::Plan* {
    auto it = plan_texts.find(std::string(plan_id));
    return it == plan_texts.end() ? nullptr : &it->second;
  };
  lookups.home = [&](std::string_view staff) -> std::optional<PlacePath> {
    auto it = homes.find(std::string(staff));
    if (it == homes.end()) return std::nullopt;
    return it->second;
  };
  std::uint64_t engine_events = 0;
  if (summary.contains("stats")) engine_events = summary["stats"].value("messages", std::uint64_t{0});
  auto report = recorder.finish(lookups, engine_events);
  if (!args.out_dir.empty()) {
    std::error_code ec;
    fs::create_directories(args.out_dir, ec);
    if (ec) {
      std::cerr << "lookoutctl: cannot create " << args.out_dir << ": " << ec.message() << "\n";
      return 2;
    }
    if (!write_report_files((fs::path(args.out_dir) / id).string(), drills::to_markdown(report), drills::to_json(report),
                            drills::to_html(report))) {
      return 2;
    }
  }
  std::cout << (args.json_output ? drills::to_json(report) : drills::to_markdown(report));
  return report.passed() && note.empty() ? 0 : 1;
}

}  // namespace lookout::ctl
