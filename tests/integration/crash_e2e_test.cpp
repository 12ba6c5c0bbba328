// Crash safety, end to end: the real lookout over a real Mosquitto, killed with SIGKILL
// at random moments while a burst of reports and readings comes in, and started again,
// cycle after cycle. An oracle (a separate MQTT client, like RocksDB's crash tests'
// expected-state file) records what the engine acknowledged to the world: receipts and
// alerts. After the last restart:
//   - every report has a receipt (senders resend reports that got none, as the contract
//     says), and every receipted report is stored: sent again, it gets the same receipt;
//   - every incident an alert was published for exists, and no incident is duplicated
//     (one Alert identifier per incident, one active incident per plan and place);
//   - every alert the store says was sent was published (the outbox drained: nothing
//     pending, each stored CAP identifier seen by the oracle).
// Timers across a SIGKILL are covered by response_e2e_test (escalation mid-restart).
//
// LOOKOUT_CRASH_CYCLES (default 20) and LOOKOUT_CRASH_SEED (default: the clock) set the
// run; tools/soak/crash.sh runs hundreds of cycles.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "engine_fixture.h"

namespace lookout::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kBuildings = 30;

std::string building(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "xc/hl/qy/g%02d/b%02d", i % 3 + 1, i);
  return buf;
}

std::string sensors_yaml() {
  std::string s = "sensors:\n";
  for (int i = 0; i < kBuildings; ++i) {
    s += "  - {id: smk-" + std::to_string(i) + ", place: " + building(i) +
         ", kind: smoke_detector, quantities: [smoke]}\n";
  }
  return s;
}

constexpr const char* kSmokePlan = R"(id: smoke
title: Smoke
places: ["xc/hl/qy/**"]
hazards: [fire]
levels:
  II:
    when: smoke >= 0.3 /
    alert:
      category: Fire
      event: Smoke
      headline: "Smoke in {place}"
      audience: [residents]
)";

constexpr const char* kReportPlan = R"(id: fire-reports
title: Fire reported
places: ["xc/hl/qy/**"]
scope: building
hazards: [fire]
levels:
  III:
    when: reports(fire, 2h) >= 1
    alert:
      category: Fire
      event: Fire reported
      headline: "Fire reported in {place}"
      audience: [residents]
)";

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

class CrashTest : public EngineFixture {
 protected:
  std::string report_json(int n) const {
    return json{{"id", "r-" + std::to_string(n)},
                {"category", "fire"},
                {"place", building(n % kBuildings)},
                {"source", "resident"},
                {"description", "smoke seen"}}
        .dump();
  }
};

TEST_F(CrashTest, KilledAtRandomMomentsItLosesNothingItAcknowledged) {
  const int cycles = env_int("LOOKOUT_CRASH_CYCLES", 20);
  const auto seed = static_cast<std::uint32_t>(
      env_int("LOOKOUT_CRASH_SEED", static_cast<int>(std::chrono::system_clock::now().time_since_epoch().count() % 100000)));
  SCOPED_TRACE("LOOKOUT_CRASH_SEED=" + std::to_string(seed));
  std::mt19937 random(seed);

  ASSERT_NO_FATAL_FAILURE(start_engine());
  ASSERT_EQ(ctl({"sensors", "import", file("sensors.yaml", sensors_yaml())}).exit_code, 0);
  ASSERT_EQ(ctl({"plan", "apply", file("smoke.yaml", kSmokePlan)}).exit_code, 0);
  ASSERT_EQ(ctl({"plan", "apply", file("reports.yaml", kReportPlan)}).exit_code, 0);

  // The oracle: everything the engine told the world, across every restart.
  MqttProbe oracle(broker_->uri(), {"lookout/v1/receipts/#", "lookout/v1/alerts/#"});
  MqttProbe sender(broker_->uri(), {});
  int next_report = 0;
  int resent = 0;  // reports that had no receipt when the engine was killed
  auto receipted = [&] {
    std::map<std::string, json> first;  // report id -> its first receipt
    for (const auto& m : oracle.received("lookout/v1/receipts/")) {
      auto j = json::parse(m.payload);
      first.emplace(j["report"].get<std::string>(), j);
    }
    return first;
  };
  // A sender resends what got no receipt (after a restart, as a real one would).
  auto resend_unreceipted = [&] {
    auto have = receipted();
    for (int n = 0; n < next_report; ++n) {
      if (!have.count("r-" + std::to_string(n))) {
        sender.publish("lookout/v1/reports", report_json(n));
        ++resent;
      }
    }
  };

  for (int cycle = 0; cycle < cycles; ++cycle) {
    if (cycle > 0) {
      ASSERT_NO_FATAL_FAILURE(start_engine());
    }
    resend_unreceipted();
    // A burst: reports at new ids, readings around the threshold, for a random time.
    const auto burst = std::chrono::milliseconds(100 + random() % 900);
    const auto until = std::chrono::steady_clock::now() + burst;
    while (std::chrono::steady_clock::now() < until) {
      sender.publish("lookout/v1/reports", report_json(next_report++));
      const int s = static_cast<int>(random() % kBuildings);
      const double v = (random() % 100) / 200.0;  // 0 .. 0.495
      sender.publish(sensor_topic("smk-" + std::to_string(s)), R"({"n":"smoke","u":"/","v":)" + std::to_string(v) + "}");
      std::this_thread::sleep_for(3ms);  // a few hundred messages a second: a busy evening
    }
    engine_.kill_hard();
  }

  // The last start: let it drain what the broker held for it, and resend until every
  // report has its receipt.
  ASSERT_NO_FATAL_FAILURE(start_engine());
  for (int attempt = 0; attempt < 20 && receipted().size() < static_cast<std::size_t>(next_report); ++attempt) {
    resend_unreceipted();
    std::this_thread::sleep_for(500ms);
  }
  auto first = receipted();
  ASSERT_EQ(first.size(), static_cast<std::size_t>(next_report)) << "reports without a receipt after resending";
  for (const auto& [id, r] : first) EXPECT_NE(r["status"], "rejected") << r.dump();

  // Every receipted report is stored: sent again, the same receipt.
  const auto seen_before = oracle.received("lookout/v1/receipts/").size();
  for (int n = 0; n < next_report; ++n) sender.publish("lookout/v1/reports", report_json(n));
  ASSERT_TRUE(oracle.wait_for("lookout/v1/receipts/", 30s, seen_before + next_report - 1));
  auto all = oracle.received("lookout/v1/receipts/");
  for (std::size_t i = seen_before; i < all.size(); ++i) {
    auto again = json::parse(all[i].payload);
    const auto& original = first.at(again["report"].get<std::string>());
    EXPECT_EQ(again["status"], original["status"]) << again.dump() << " vs " << original.dump();
    EXPECT_EQ(again["incident"], original["incident"]) << again.dump() << " vs " << original.dump();
  }

  // The outbox drained.
  auto status = json::parse(ctl({"status", "--json"}).out);
  EXPECT_EQ(status["counters"]["outbox_pending"], 0);

  // Alerts: every incident an alert named exists; one Alert identifier per incident;
  // every alert the store lists was published.
  std::map<std::string, std::set<std::string>> alert_ids;  // incident -> identifiers of msgType Alert
  std::set<std::string> published;                         // every CAP identifier seen
  for (const auto& m : oracle.received("lookout/v1/alerts/")) {
    auto cap = json::parse(m.payload);
    published.insert(cap["identifier"].get<std::string>());
    if (cap["msgType"] == "Alert") alert_ids[cap["incidents"].get<std::string>()].insert(cap["identifier"]);
  }
  ASSERT_FALSE(alert_ids.empty());
  for (const auto& [incident, ids] : alert_ids) EXPECT_EQ(ids.size(), 1u) << incident << " was alerted as new twice";
  auto list = json::parse(ctl({"incidents", "list", "--json"}).out)["incidents"];
  std::set<std::string> stored;
  std::set<std::pair<std::string, std::string>> active;
  for (const auto& in : list) {
    stored.insert(in["id"].get<std::string>());
    if (in["state"] != "closed" && in["state"] != "resolved") {
      EXPECT_TRUE(active.insert({in["plan"].get<std::string>(), in["place"].get<std::string>()}).second) << "two active incidents of " << in["plan"] << " at "
                                                                   << in["place"];
    }
    auto shown = ctl({"incidents", "show", in["id"].get<std::string>(), "--json"});
    ASSERT_EQ(shown.exit_code, 0);
    const auto shown_json = json::parse(shown.out);  // alive for the loop (a temporary's member would not be)
    for (const auto& a : shown_json["alerts"]) {
      EXPECT_TRUE(published.count(a["identifier"].get<std::string>()))
          << in["id"] << ": stored alert " << a["identifier"] << " was never published";
    }
  }
  for (const auto& [incident, ids] : alert_ids) EXPECT_TRUE(stored.count(incident)) << incident << " was alerted but is gone";
  std::cout << "[ crash    ] " << cycles << " SIGKILLs, " << next_report << " reports (" << resent
            << " sent again for want of a receipt), " << stored.size()
            << " incidents, seed " << seed << "\n";
}

}  // namespace
}  // namespace lookout::testing
