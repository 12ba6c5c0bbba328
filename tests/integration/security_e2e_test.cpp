// Broker security end to end: a real Mosquitto that refuses anonymous clients, with a
// password file made by mosquitto_passwd and the ACL `lookoutctl acl generate` writes
// from the engine's registries; the real lookout binary logs in as its own user.
// Real MQTT clients then try what a stolen or misconfigured device would: a sensor
// publishing as another sensor, a staff member reading another's assignments or
// answering for them. Mosquitto drops such publishes silently, so each forbidden
// message is followed by an allowed one from the same client: once the engine has
// handled the allowed one, it would have handled the forbidden one first.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"
#include "lookout/engine/embedded_broker.h"
#include "mqtt_probe.h"
#include "process.h"

namespace lookout::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr auto kWait = 10s;
constexpr const char* kEngineUser = "lookout-engine";
constexpr const char* kEnginePassword = "engine-secret-4711";

// Broker users and their passwords (user names are the registry ids).
const std::vector<std::pair<std::string, std::string>> kUsers = {
    {"smk-1", "smk-1-pw"}, {"smk-2", "smk-2-pw"}, {"w-1", "w-1-pw"}, {"w-2", "w-2-pw"}};

constexpr const char* kPlaces = R"(places:
  - path: xc/hl/qy
    name: Qingyuan community
  - path: xc/hl/qy/g03/b12
    name: Building 12
  - path: xc/hl/qy/g01/b07
    name: Building 7
)";

constexpr const char* kSensors = R"(sensors:
  - {id: smk-1, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke]}
  - {id: smk-2, place: xc/hl/qy/g01/b07, kind: smoke_detector, quantities: [smoke]}
)";

constexpr const char* kStaff = R"(staff:
  - {id: w-1, name: Warden One, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, on_call: always}
  - {id: w-2, name: Warden Two, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g01/b07, on_call: always}
)";

constexpr const char* kFirePlan = R"(id: fire
title: Residential fire
places: ["xc/hl/qy/**"]
hazards: [fire]
levels:
  II:
    when: smoke >= 0.15 /
    alert:
      category: Fire
      event: Residential fire
      headline: "Fire alarm in {place_name}"
    staff:
      - {role: fire_warden, count: 1, within: building, respond_within: 120s}
)";

std::string smoke(double v) { return R"([{"n":"smoke","u":"/","v":)" + std::to_string(v) + "}]"; }

// The full path of `program` on PATH, or "" (run() does not search PATH).
std::string on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class SecurityEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = make_temp_dir(std::string(info->test_suite_name()) + "-" + info->name());
    data_dir_ = dir_ + "/data";
    passwd_file_ = dir_ + "/mosquitto.passwd";
    acl_file_ = dir_ + "/mosquitto.acl";

    const auto mosquitto_passwd = on_path("mosquitto_passwd");
    ASSERT_FALSE(mosquitto_passwd.empty()) << "mosquitto_passwd is not on PATH (Debian: package mosquitto)";
    auto r = run({mosquitto_passwd, "-b", "-c", passwd_file_, kEngineUser, kEnginePassword}, 20s);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    for (const auto& [user, password] : kUsers) {
      r = run({mosquitto_passwd, "-b", passwd_file_, user, password}, 20s);
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }
    // Until lookoutctl has written the real ACL: the engine alone.
    write_text(acl_file_, std::string("user ") + kEngineUser + "\ntopic readwrite lookout/v1/#\n");

    // The embedded broker's configuration with authentication on top: later lines win.
    // "information" logs the reloads (SIGHUP) the test waits for.
    auto broker = engine::EmbeddedBroker::start({"mosquitto", dir_ + "/broker", 0, 10000ms,
                                                 "log_type information\nallow_anonymous false\npassword_file " +
                                                     passwd_file_ + "\nacl_file " + acl_file_ + "\n"});
    ASSERT_TRUE(broker.is_ok()) << broker.status().to_string();
    broker_ = std::move(*broker);
  }

  void TearDown() override {
    if (engine_.running()) engine_.terminate();
    broker_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  std::string broker_log() const { return read_text(dir_ + "/broker/mosquitto.log"); }

  // Starts lookout as the engine user with `password` (from LOOKOUT_MQTT_PASSWORD, the
  // user name from its configuration file) and waits until its admin API answers and,
  // with `wait_connected`, it is connected to the broker.
  void start_engine(const std::string& password, bool wait_connected) {
    write_text(dir_ + "/lookout.yaml", std::string("mqtt_username: ") + kEngineUser + "\n");
    std::vector<std::string> argv = {LOOKOUT_BIN,   "--config",    dir_ + "/lookout.yaml", "--broker",
                                     broker_->uri(), "--data-dir",  data_dir_,              "--admin-port",
                                     "0",            "--time-zone", "Asia/Shanghai",        "--sync-writes",
                                     "false"};
    engine_ = Child(argv, dir_ + "/engine.log", {"LOOKOUT_MQTT_PASSWORD=" + password});
    const auto deadline = Clock::now() + 20s;
    while (Clock::now() < deadline) {
      ASSERT_TRUE(engine_.running()) << "lookout exited at start:\n" << engine_.log();
      auto h = health();
      if (h.is_object() && (!wait_connected || h.value("broker", "") == "connected")) return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "lookout did not become ready:\n" << engine_.log();
  }

  // GET /health, or null while there is no engine answering.
  json health() {
    auto admin = json::parse(read_text(data_dir_ + "/admin.json"), nullptr, false);
    if (admin.is_discarded() || !admin.is_object()) return nullptr;
    auto r = ctl::http_request(admin["url"], "GET", "/health", "", "");
    if (!r.is_ok()) return nullptr;
    auto j = json::parse(r->body, nullptr, false);
    return j.is_discarded() ? json(nullptr) : j;
  }

  // "connected" or "disconnected" as /health says; "" without an answer.
  std::string broker_state() {
    auto h = health();
    return h.is_object() ? h.value("broker", "") : "";
  }

  RunResult ctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {LOOKOUTCTL_BIN, "--data-dir", data_dir_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }
  std::string file(const std::string& name, const std::string& text) {
    write_text(dir_ + "/" + name, text);
    return dir_ + "/" + name;
  }
  json ctl_json(const std::vector<std::string>& args) {
    auto with_json = args;
    with_json.push_back("--json");
    auto r = ctl(with_json);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto j = json::parse(r.out, nullptr, false);
    return j.is_discarded() ? json::object() : j;
  }
  json counters() { return ctl_json({"status"})["counters"]; }

  // Sends SIGHUP and waits until Mosquitto has reloaded its password and ACL files.
  void reload_broker() {
    const auto before = count_of(broker_log(), "Reloading config.");
    ASSERT_EQ(::kill(broker_->pid(), SIGHUP), 0);
    const auto deadline = Clock::now() + kWait;
    while (count_of(broker_log(), "Reloading config.") == before && Clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
    ASSERT_GT(count_of(broker_log(), "Reloading config."), before) << broker_log();
    // The reload runs on the broker's one thread right after that line, before it
    // reads from any socket again; a connection made after it sees the new files.
  }

  std::unique_ptr<MqttProbe> as(const std::string& user, const std::vector<std::string>& subscriptions) {
    for (const auto& [name, password] : kUsers) {
      if (name == user) return std::make_unique<MqttProbe>(broker_->uri(), subscriptions, 4, name, password);
    }
    ADD_FAILURE() << "no user " << user;
    return nullptr;
  }

  std::string dir_, data_dir_, passwd_file_, acl_file_;
  std::unique_ptr<engine::EmbeddedBroker> broker_;
  Child engine_;
};

TEST_F(SecurityEndToEnd, SensorsAndStaffReachOnlyTheirOwnTopics) {
  ASSERT_NO_FATAL_FAILURE(start_engine(kEnginePassword, true));
  for (const auto& [what, text] : {std::pair<std::string, std::string>{"places", kPlaces},
                                   {"sensors", kSensors},
                                   {"staff", kStaff}}) {
    auto r = ctl({what, "import", file(what + ".yaml", text)});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  auto applied = ctl({"plan", "apply", file("fire.yaml", kFirePlan)});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;

  // The ACL from the registries, written where the broker reads it, then reloaded.
  auto generated = ctl({"acl", "generate", "--out", acl_file_, "--alert-gateway-user", "sms-gw"});
  ASSERT_EQ(generated.exit_code, 0) << generated.out << generated.err;
  EXPECT_EQ(generated.out, "wrote " + acl_file_ +
                               ": 2 sensor(s), 2 staff member(s), topic prefix lookout/v1; reload Mosquitto to apply it\n");
  const auto acl = read_text(acl_file_);
  EXPECT_NE(acl.find("user smk-1\ntopic write lookout/v1/sensors/smk-1\n"), std::string::npos) << acl;
  EXPECT_NE(acl.find("user w-2\ntopic read lookout/v1/staff/w-2/assignments\n"), std::string::npos) << acl;
  EXPECT_NE(acl.find("user sms-gw\n"), std::string::npos) << acl;
  // Printed instead of written, the same rules (the header's time may differ).
  auto printed = ctl({"acl", "generate", "--alert-gateway-user", "sms-gw"});
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_EQ(printed.out.substr(printed.out.find("\nuser ")), acl.substr(acl.find("\nuser "))) << printed.out;
  ASSERT_NO_FATAL_FAILURE(reload_broker());

  // No credentials, or the wrong password: refused.
  EXPECT_THROW(MqttProbe(broker_->uri(), {}), std::exception);
  EXPECT_THROW(MqttProbe(broker_->uri(), {}, 4, "smk-1", "not-the-password"), std::exception);
  // The engine's connection survived the reload.
  EXPECT_EQ(broker_state(), "connected") << engine_.log();

  // A client with the engine's rights sees everything that really goes through.
  MqttProbe monitor(broker_->uri(), {"lookout/v1/#"}, 4, kEngineUser, kEnginePassword);
  auto w1 = as("w-1", {"lookout/v1/staff/w-1/assignments", "lookout/v1/staff/w-1/notices",
                       "lookout/v1/staff/w-2/assignments", "lookout/v1/alerts/#"});
  auto sensor = as("smk-1", {});
  ASSERT_TRUE(w1 && sensor);

  // smk-1 speaks for smk-2 (dropped), then for itself (an alert in its building).
  const auto before = counters();
  sensor->publish("lookout/v1/sensors/smk-2", smoke(0.4));
  sensor->publish("lookout/v1/sensors/smk-2/status", "offline");
  sensor->publish("lookout/v1/sensors/smk-1", smoke(0.4));
  auto alert = monitor.wait_for("lookout/v1/alerts/xc/hl/qy/g03/b12", kWait);
  ASSERT_TRUE(alert) << engine_.log();
  const std::string incident = json::parse(alert->payload)["incidents"];
  const auto after = counters();
  EXPECT_EQ(after["messages"].get<int>() - before["messages"].get<int>(), 1) << after;
  EXPECT_EQ(after["readings"].get<int>() - before["readings"].get<int>(), 1) << after;
  EXPECT_EQ(after["dead_letters"], before["dead_letters"]) << after;
  EXPECT_TRUE(monitor.received("lookout/v1/sensors/smk-2").empty());
  EXPECT_EQ(monitor.received("lookout/v1/sensors/smk-1").size(), 1u);
  EXPECT_TRUE(monitor.received("lookout/v1/alerts/xc/hl/qy/g01/b07").empty());
  auto incidents = ctl_json({"incidents", "list"})["incidents"];
  ASSERT_EQ(incidents.size(), 1u) << incidents;
  EXPECT_EQ(incidents[0]["place"], "xc/hl/qy/g03/b12");
  // Staff read the public alerts.
  EXPECT_TRUE(w1->wait_for("lookout/v1/alerts/xc/hl/qy/g03/b12", kWait));

  // w-1, the building's warden, gets its assignment; w-2 gets one by hand, which
  // w-1's subscription to w-2's topic never delivers.
  auto own = w1->wait_for("lookout/v1/staff/w-1/assignments", kWait);
  ASSERT_TRUE(own) << engine_.log();
  const std::string own_assignment = json::parse(own->payload)["assignment"];
  auto assigned = ctl({"incidents", "assign", incident, "--role", "fire_warden", "--staff", "w-2", "--by", "Li"});
  ASSERT_EQ(assigned.exit_code, 0) << assigned.out << assigned.err;
  auto other = monitor.wait_for("lookout/v1/staff/w-2/assignments", kWait);
  ASSERT_TRUE(other) << engine_.log();
  const std::string other_assignment = json::parse(other->payload)["assignment"];
  EXPECT_FALSE(w1->wait_for("lookout/v1/staff/w-2/", 500ms));

  // w-1 answers for w-2 (dropped), then for itself (accepted).
  const auto before_responses = counters();
  w1->publish("lookout/v1/staff/w-2/responses", json{{"assignment", other_assignment}, {"response", "accept"}}.dump());
  w1->publish("lookout/v1/staff/w-1/responses", json{{"assignment", own_assignment}, {"response", "accept"}}.dump());
  json shown;
  const auto deadline = Clock::now() + kWait;
  auto state_of = [&](const std::string& staff) {
    for (const auto& a : shown.value("assignments", json::array())) {
      if (a.value("staff", "") == staff) return a.value("state", "");
    }
    return std::string();
  };
  do {
    shown = ctl_json({"incidents", "show", incident});
    if (state_of("w-1") == "accepted") break;
    std::this_thread::sleep_for(100ms);
  } while (Clock::now() < deadline);
  EXPECT_EQ(state_of("w-1"), "accepted") << shown.dump(2);
  EXPECT_EQ(state_of("w-2"), "offered") << shown.dump(2);
  const auto after_responses = counters();
  EXPECT_EQ(after_responses["responses"].get<int>() - before_responses["responses"].get<int>(), 1) << after_responses;
  EXPECT_EQ(after_responses["messages"].get<int>() - before_responses["messages"].get<int>(), 1) << after_responses;
  EXPECT_EQ(after_responses["dead_letters"], before_responses["dead_letters"]) << after_responses;
  EXPECT_TRUE(monitor.received("lookout/v1/staff/w-2/responses").empty());

  // The password was given to the engine, never written to its log.
  EXPECT_EQ(engine_.log().find(kEnginePassword), std::string::npos);
}

TEST_F(SecurityEndToEnd, AnEngineWithTheWrongPasswordNeverConnects) {
  ASSERT_NO_FATAL_FAILURE(start_engine("wrong-password", false));
  // Its first attempt is refused at once; it keeps retrying, and stays disconnected.
  const auto deadline = Clock::now() + kWait;
  while (engine_.log().find("cannot connect") == std::string::npos && Clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_NE(engine_.log().find("cannot connect"), std::string::npos) << engine_.log();
  EXPECT_NE(broker_log().find("not authorised"), std::string::npos) << broker_log();
  EXPECT_EQ(broker_state(), "disconnected") << engine_.log();
  EXPECT_EQ(engine_.log().find("wrong-password"), std::string::npos) << "the password is in the log";
  EXPECT_TRUE(engine_.running());
}

}  // namespace
}  // namespace lookout::testing
