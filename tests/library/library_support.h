// The harness of the plan-library scenarios (library_scenarios_test.cpp,
// library_reports_test.cpp, library_watch_test.cpp): each plan is loaded from its
// file into the real engine core (MemoryStore, ManualClock, a recording transport),
// a small community with its sensors is registered, and inputs are played in virtual
// time. Each scenario is a table of steps (time offset, and a sensor reading, a
// sensor status, an incident report or a registry import) and the alerts expected
// (time offset, level, CAP msgType), in order.
//
// Everything here is in a named namespace and defined inline: the test files share
// one fixture type, as GoogleTest requires of the tests of one suite.
#pragma once

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lookout/base/time_format.h"
#include "lookout/engine/core.h"
#include "test_support.h"

namespace lookout::engine::library_test {

using namespace std::chrono_literals;
using nlohmann::json;

// --- the community ---------------------------------------------------------------

// Qingyuan community (xc/hl/qy) of Huilongguan subdistrict (xc/hl), Xicheng district
// (xc). Building 12 is an 18-floor high-rise of grid 3, Building 14 its neighbour;
// Building 7 is a low building of grid 1 (no height_class: the high-rise power plan
// ignores it).
// Dongjing (xc/hl/dj) is another community of the same subdistrict.
inline constexpr const char* kPlaces = R"(places:
  - path: xc
    name: Xicheng district
  - path: xc/hl
    name: Huilongguan subdistrict
  - path: xc/hl/qy
    name: Qingyuan community
  - path: xc/hl/qy/g03/b12
    name: Building 12
    point: [39.9042, 116.4074]
    radius_m: 40
    attributes:
      height_class: high_rise
      floors: 18
  - path: xc/hl/qy/g03/b14
    name: Building 14
  - path: xc/hl/qy/g01/b07
    name: Building 7
  - path: xc/hl/dj
    name: Dongjing community
)";

// mot-601 watches the flat of an older resident who lives alone (the lives_alone
// attribute); mot-902 is the same kind of sensor in a family's flat. met-gw-xc is the
// district's weather-warning gateway.
inline constexpr const char* kSensors = R"(sensors:
  - id: smk-301
    place: xc/hl/qy/g03/b12
    kind: smoke_detector
    quantities: [smoke, battery]
  - id: smk-1201
    place: xc/hl/qy/g03/b12
    kind: smoke_detector
    quantities: [smoke, battery]
  - id: heat-301
    place: xc/hl/qy/g03/b12
    kind: heat_detector
    quantities: [temperature, battery]
  - id: gas-301
    place: xc/hl/qy/g03/b12
    kind: gas_detector
    quantities: [gas_lel, co, battery]
  - id: wl-garage
    place: xc/hl/qy/g03/b12
    kind: water_level
    quantities: [water_level, battery]
  - id: lift-a
    place: xc/hl/qy/g03/b12
    kind: lift_monitor
    quantities: [elevator_stuck, battery]
  - id: lift-b
    place: xc/hl/qy/g03/b12
    kind: lift_monitor
    quantities: [elevator_stuck, battery]
  - id: watch-601
    place: xc/hl/qy/g03/b12
    kind: wearable
    quantities: [fall, heartbeat, battery]
  - id: watch-902
    place: xc/hl/qy/g03/b12
    kind: wearable
    quantities: [fall, heartbeat, battery]
  - id: mains-b12
    place: xc/hl/qy/g03/b12
    kind: mains_monitor
    quantities: [power, battery]
  - id: mains-b07
    place: xc/hl/qy/g01/b07
    kind: mains_monitor
    quantities: [power, battery]
  - id: mot-601
    place: xc/hl/qy/g03/b12
    kind: motion_sensor
    quantities: [motion, battery]
    attributes:
      lives_alone: "true"
  - id: mot-902
    place: xc/hl/qy/g03/b12
    kind: motion_sensor
    quantities: [motion, battery]
  - id: met-gw-xc
    place: xc
    kind: weather_gateway
    quantities: [met_warning_level]
)";

// --- scenario tables ---------------------------------------------------------------

// One input at `at` after the start. By default a reading: `sensor` sends `quantity` =
// `value` `unit` (SenML). The helpers below build the other kinds.
struct Step {
  enum class Kind { kReading, kStatus, kReport, kSensors };
  Step(Duration at_, std::string sensor_, std::string quantity_, double value_, std::string unit_,
       Kind kind_ = Kind::kReading, std::string text_ = {}, std::optional<Duration> happened_ = std::nullopt)
      : at(at_), sensor(std::move(sensor_)), quantity(std::move(quantity_)), value(value_), unit(std::move(unit_)),
        kind(kind_), text(std::move(text_)), happened(happened_) {}
  Duration at;
  std::string sensor;    // the sensor; kReport: the report's id
  std::string quantity;  // a SenML name; kReport: the report's category
  double value = 0;
  std::string unit;      // "" for none
  Kind kind = Kind::kReading;
  std::string text;      // kStatus: "online" or "offline"; kReport: the place; kSensors: a sensor registry (YAML)
  std::optional<Duration> happened;  // kReport: its "time" (offset from the start); none: not sent
};

// One alert: sent at `at` after the start, at `level`, as `msg_type` (Alert, Update, Cancel).
struct Sent {
  Duration at;
  std::string level;
  std::string msg_type;
  bool operator==(const Sent&) const = default;
};

// "+3m0s", "+13h0m0s", "+2d6h0m0s".
inline std::string offset_text(Duration d) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  std::ostringstream out;
  out << "+";
  if (s >= 86400) out << s / 86400 << "d";
  if (s >= 3600) out << s % 86400 / 3600 << "h";
  out << s % 3600 / 60 << "m" << s % 60 << "s";
  return out.str();
}
inline void PrintTo(const Sent& s, std::ostream* os) {
  *os << "{" << offset_text(s.at) << " " << s.level << " " << s.msg_type << "}";
}

// A reading every `period` from `from`, taking the values in turn and starting again
// at the first when they run out, while the time is at most `to`.
inline std::vector<Step> every(Duration period, Duration from, Duration to, const std::string& sensor,
                               const std::string& quantity, std::initializer_list<double> values,
                               const std::string& unit = "") {
  std::vector<Step> out;
  std::vector<double> v(values);
  std::size_t i = 0;
  for (Duration t = from; t <= to; t += period, ++i) out.push_back({t, sensor, quantity, v[i % v.size()], unit});
  return out;
}

// Joins step lists; the runner plays them in time order (stable: same time, as listed).
inline std::vector<Step> steps(std::initializer_list<std::vector<Step>> parts) {
  std::vector<Step> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  std::stable_sort(out.begin(), out.end(), [](const Step& a, const Step& b) { return a.at < b.at; });
  return out;
}
inline std::vector<Step> at(Duration t, const std::string& sensor, const std::string& quantity, double value,
                            const std::string& unit = "") {
  return {{t, sensor, quantity, value, unit}};
}
// `sensor` publishes "online" or "offline" on its status topic (its MQTT last will).
inline std::vector<Step> status(Duration t, const std::string& sensor, const std::string& online_or_offline) {
  return {Step(t, sensor, "", 0, "", Step::Kind::kStatus, online_or_offline)};
}
// An incident report on lookout/v1/reports (docs/reports.md), from a resident, about
// `place`; `happened`, when given, is its "time" (else the engine's time counts).
inline std::vector<Step> report(Duration t, const std::string& id, const std::string& category,
                                const std::string& place, std::optional<Duration> happened = std::nullopt) {
  return {Step(t, id, category, 0, "", Step::Kind::kReport, place, happened)};
}
// The sensor registry imports `yaml` (lookoutctl sensors import): rows replace the
// sensors with the same id.
inline std::vector<Step> import_sensors(Duration t, const std::string& yaml) {
  return {Step(t, "", "", 0, "", Step::Kind::kSensors, yaml)};
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::filesystem::path library_file(const std::string& plan_id) {
  return std::filesystem::path(LOOKOUT_PLAN_LIBRARY_DIR) / (plan_id + ".yaml");
}

// Plans that have scenarios; every plan of the library must be among them.
inline const std::set<std::string>& plans_with_scenarios() {
  static const std::set<std::string> ids = {
      // library_scenarios_test.cpp
      "residential-fire", "gas-leak", "basement-flooding", "lift-entrapment", "elderly-fall", "high-rise-power-outage",
      // library_watch_test.cpp
      "elderly-no-activity", "severe-weather-relay", "weather-gateway-silent",
      // library_reports_test.cpp
      "thrown-objects", "public-health-cluster", "flood-reports"};
  return ids;
}

class LibraryScenario : public ::testing::Test {
 protected:
  LibraryScenario() : start_(parse_iso8601("2026-11-21T13:00:00Z").value()), clock_(start_) {}

  // Loads the plan from its library file into a fresh core, plays `script` and lets
  // virtual time run on to `until`; returns the alerts sent, in order.
  std::vector<Sent> run(const std::string& plan_id, const std::vector<Step>& script, Duration until) {
    return run_plans({plan_id}, script, until);
  }

  // The same with several plans loaded together (plans_alerted_ says whose each alert is).
  std::vector<Sent> run_plans(const std::vector<std::string>& plan_ids, const std::vector<Step>& script,
                              Duration until) {
    CoreOptions options;
    options.sender = "lookout@qy.example";
    options.zone = find_time_zone("Asia/Shanghai").value();
    zone_ = options.zone;
    core_ = std::make_unique<Core>(options, clock_, store_, transport_, poster_.poster());
    EXPECT_TRUE(core_->open().is_ok());
    Diagnostics d;
    EXPECT_TRUE(core_->import_places(kPlaces, "places.yaml", d).is_ok()) << to_string(d);
    EXPECT_TRUE(core_->import_sensors(kSensors, "sensors.yaml", d).is_ok()) << to_string(d);
    for (const auto& plan_id : plan_ids) {
      auto file = library_file(plan_id);
      auto applied = core_->apply_plan(read_text(file), file.filename().string(), d);
      EXPECT_TRUE(applied.is_ok()) << applied.status().to_string() << to_string(d);
      EXPECT_TRUE(d.empty()) << to_string(d);
      EXPECT_TRUE(plans_with_scenarios().count(plan_id)) << plan_id << " is missing from plans_with_scenarios()";
    }

    for (const auto& s : script) {
      EXPECT_LE(s.at, until) << "a step after the end of the scenario";
      clock_.advance_to(start_ + s.at);
      play(s);
    }
    clock_.advance_to(start_ + until);

    EXPECT_EQ(core_->stats().dead_letters, 0u) << "a step the engine refused";
    EXPECT_EQ(core_->stats().unit_mismatches, 0u);
    std::vector<Sent> out;
    for (const auto& m : transport_.on_topic_prefix("lookout/v1/alerts/")) {
      auto alert = json::parse(m.payload);
      auto sent = parse_iso8601(alert["sent"].get<std::string>());
      EXPECT_TRUE(sent.is_ok());
      std::string level;
      std::string plan;
      for (const auto& p : alert["info"][0]["parameter"]) {
        if (p["valueName"] == "warningLevel") level = p["value"].get<std::string>();
        if (p["valueName"] == "plan") plan = p["value"].get<std::string>();
      }
      out.push_back({*sent - start_, level, alert["msgType"].get<std::string>()});
      alerts_.push_back(alert);
      plans_alerted_.push_back(plan);
      places_alerted_.insert(m.topic.substr(std::string("lookout/v1/alerts/").size()));
    }
    return out;
  }

  // The receipts published for report `id`, in order (their JSON payloads).
  std::vector<std::string> receipts(const std::string& id) const {
    std::vector<std::string> out;
    for (const auto& m : transport_.on_topic_prefix("lookout/v1/receipts/" + id)) {
      if (m.topic == "lookout/v1/receipts/" + id) out.push_back(m.payload);
    }
    return out;
  }

  Time start_;
  ManualClock clock_;
  MemoryStore store_;
  testing::RecordingTransport transport_;
  testing::QueuedPoster poster_;
  std::unique_ptr<Core> core_;
  const date::time_zone* zone_ = nullptr;
  std::vector<json> alerts_;                // the CAP alerts, in order
  std::vector<std::string> plans_alerted_;  // the plan of each alert, in order
  std::set<std::string> places_alerted_;

 private:
  void play(const Step& s) {
    switch (s.kind) {
      case Step::Kind::kReading: {
        json record = {{"n", s.quantity}, {"v", s.value}};
        if (!s.unit.empty()) record["u"] = s.unit;
        core_->on_message({"lookout/v1/sensors/" + s.sensor, json::array({record}).dump(), 1, false, false});
        break;
      }
      case Step::Kind::kStatus:
        core_->on_message({"lookout/v1/sensors/" + s.sensor + "/status", s.text, 1, false, false});
        break;
      case Step::Kind::kReport: {
        json r = {{"id", s.sensor}, {"category", s.quantity}, {"place", s.text}, {"source", "resident"}};
        if (s.happened) r["time"] = format_cap_time(start_ + *s.happened, zone_);
        core_->on_message({"lookout/v1/reports", r.dump(), 1, false, false});
        break;
      }
      case Step::Kind::kSensors: {
        Diagnostics d;
        EXPECT_TRUE(core_->import_sensors(s.text, "sensors.yaml", d).is_ok()) << to_string(d);
        break;
      }
    }
  }
};

using Expected = std::vector<Sent>;
inline const Expected kQuiet;

}  // namespace lookout::engine::library_test
