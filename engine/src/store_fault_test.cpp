// Store faults, swept: one scenario (a fire with staff answering, a report, a
// coordinator's acknowledgement, a level raised, a silence, the resolve) is played with
// the store failing its Nth write, for every N the scenario makes. Whatever N:
//   - the alerts that go out are exactly those of the run without a fault (alerts
//     matter more than storage), and every report ends up receipted (its sender resends);
//   - health says the store is failing until the engine has written its state again,
//     then healthy (a coordinator's request whose write fails is refused whole instead:
//     nothing changed);
//   - an engine started afterwards on that store has the same incidents, assignments
//     and silences as the one that lived through the fault: nothing was lost.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lookout/base/time_format.h"
#include "lookout/engine/core.h"
#include "test_support.h"

namespace lookout::engine {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kSensors = R"(sensors:
  - {id: smk-12, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke]}
)";

constexpr const char* kRoster = R"(time_zone: Asia/Shanghai
staff:
  - {id: w-a, name: Wang A, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, on_call: always}
  - {id: w-b, name: Wang B, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, on_call: always}
  - {id: w-c, name: Wang C, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, on_call: always}
  - {id: c-g03, name: Grid Coordinator, roles: [coordinator], kind: grid_worker, home: xc/hl/qy/g03, on_call: always}
)";

constexpr const char* kFirePlan = R"(id: fire
title: Fire
places: ["xc/hl/qy/**"]
scope: building
levels:
  I:
    when: smoke >= 0.9
    alert: {category: Fire, event: Fire, headline: "FIRE in {place}", audience: [residents, grid_coordinators]}
    staff:
      - {role: fire_warden, count: 3, within: building, respond_within: 5m}
  II:
    when: smoke >= 0.3
    alert: {category: Fire, event: Fire, headline: "Fire alarm in {place}", audience: [residents, grid_coordinators]}
    staff:
      - {role: fire_warden, count: 2, within: building, respond_within: 5m}
)";

// Fails exactly its Nth write (1-based; 0: never).
class FaultStore final : public Store {
 public:
  explicit FaultStore(Store& inner) : inner_(inner) {}
  StatusOr<std::optional<std::string>> get(Table t, std::string_view k) override { return inner_.get(t, k); }
  Status write(const Batch& b) override {
    if (++writes == fail_at) return Status::io_error("injected fault (write " + std::to_string(writes) + ")");
    return inner_.write(b);
  }
  Status scan(Table t, std::string_view p, const std::function<bool(std::string_view, std::string_view)>& fn) override {
    return inner_.scan(t, p, fn);
  }
  int writes = 0;
  int fail_at = 0;

 private:
  Store& inner_;
};

struct Outcome {
  std::vector<std::string> alerts;  // "msgType level" in order
  int writes = 0;
  bool unhealthy_seen = false;
  // A coordinator's request whose write failed is refused whole (they are told, and
  // try again): nothing changed, so the store is not behind.
  bool silence_refused = false;
  bool healthy_at_end = false;
  std::string state_before;  // incidents, assignments, silences of the core that lived it
  std::string state_after;   // the same, of a core opened on the store afterwards
};

std::string state_of(const Core& core) {
  json j = json::object();
  for (const auto* in : core.incidents()) {
    json a = json::array();
    for (const auto* as : core.assignments(in->id)) a.push_back({as->id, as->staff, as->role, as->state});
    j[in->id] = {{"state", in->state},
                 {"level", plans::level_name(in->level)},
                 {"acknowledged_by", in->acknowledged_by},
                 {"resolved_by", in->resolved_by},
                 {"alerts", in->alerts.size()},
                 {"assignments", a}};
  }
  for (const auto* s : core.silences()) j["silence " + s->id] = s->created_by;
  return j.dump(1);
}

Outcome play(int fail_at) {
  ManualClock clock(parse_iso8601("2026-11-21T15:00:00Z").value());
  MemoryStore memory;
  FaultStore store(memory);
  testing::RecordingTransport transport;
  testing::QueuedPoster poster;
  CoreOptions o;
  o.zone = find_time_zone("Asia/Shanghai").value();
  Outcome out;
  {
    Core core(o, clock, store, transport, poster.poster());
    EXPECT_TRUE(core.open().is_ok());
    core.on_connection(true);
    Diagnostics d;
    EXPECT_TRUE(core.import_sensors(kSensors, "sensors.yaml", d).is_ok());
    EXPECT_TRUE(core.import_staff(kRoster, "staff.yaml", d).is_ok());
    EXPECT_TRUE(core.apply_plan(kFirePlan, "fire.yaml", d).is_ok()) << to_string(d);
    const int setup_writes = store.writes;
    store.fail_at = fail_at == 0 ? 0 : setup_writes + fail_at;

    auto settle = [&] {
      transport.complete_all();
      poster.drain();
      out.unhealthy_seen |= !core.store_healthy();
    };
    auto send = [&](const std::string& topic, const std::string& payload) {
      core.on_message({"lookout/v1/" + topic, payload, 1, false, false});
      settle();
    };
    auto offered = [&](const std::string& staff) {
      std::string id;
      for (const auto* in : core.incidents()) {
        for (const auto* a : core.assignments(in->id)) {
          if (a->staff == staff && a->state == "offered") id = a->id;
        }
      }
      return id;
    };
    auto receipts = [&](const std::string& report) {
      int n = 0;
      for (const auto& p : transport.published) n += p.message.topic == "lookout/v1/receipts/" + report;
      return n;
    };

    send("sensors/smk-12", R"({"n":"smoke","v":0.4})");   // II: w-a and w-b offered
    clock.advance(30s);
    send("staff/w-a/responses", json{{"assignment", offered("w-a")}, {"response", "accept"}}.dump());
    send("staff/w-b/responses", json{{"assignment", offered("w-b")}, {"response", "decline"}}.dump());  // w-c next
    const std::string report =
        R"({"id":"r-1","category":"fire","place":"xc/hl/qy/g03/b12","source":"resident","description":"smoke"})";
    send("reports", report);
    for (int i = 0; i < 3 && receipts("r-1") == 0; ++i) send("reports", report);  // the sender resends
    EXPECT_GE(receipts("r-1"), 1) << "fail_at " << fail_at;
    const std::string incident = core.incidents().front()->id;
    EXPECT_TRUE(core.acknowledge(incident, "Coordinator Li", "on my way").is_ok());
    settle();
    clock.advance(1min);
    send("sensors/smk-12", R"({"n":"smoke","v":0.95})");  // I: Update, a third warden
    auto silence = core.add_silence(
        R"({"place":"xc/hl/qy/g01/**","ends":"2026-11-22T08:00:00+08:00","by":"Coordinator Li","comment":"works"})");
    if (!silence.is_ok()) {
      EXPECT_EQ(silence.status().code(), Status::Code::kIoError) << silence.status().to_string();
      EXPECT_TRUE(core.silences().empty());
      out.silence_refused = true;
    }
    settle();
    send("staff/w-c/responses", json{{"assignment", offered("w-c")}, {"response", "accept"}}.dump());
    clock.advance(10min);
    settle();
    EXPECT_TRUE(core.resolve(incident, "Coordinator Li", "out").is_ok());
    settle();
    // Time for the resync of a write that failed last.
    clock.advance(o.store_resync_retry);
    settle();

    for (const auto& p : transport.published) {
      if (!p.message.topic.starts_with("lookout/v1/alerts/")) continue;
      auto cap = json::parse(p.message.payload);
      std::string level;
      for (const auto& prm : cap["info"][0]["parameter"]) {
        if (prm["valueName"] == "warningLevel") level = prm["value"];
      }
      out.alerts.push_back(cap["msgType"].get<std::string>() + " " + level);
    }
    out.writes = store.writes - setup_writes;
    out.healthy_at_end = core.store_healthy();
    out.state_before = state_of(core);
  }
  // A new engine on the same store.
  Core again(o, clock, memory, transport, poster.poster());
  EXPECT_TRUE(again.open().is_ok());

  out.state_after = state_of(again);
  return out;
}

TEST(StoreFaults, EveryWriteOfAScenarioMayFailAndNothingIsLost) {
  const Outcome clean = play(0);
  ASSERT_GE(clean.writes, 10);
  EXPECT_FALSE(clean.unhealthy_seen);
  EXPECT_EQ(clean.alerts, (std::vector<std::string>{"Alert II", "Update I", "Cancel I"}));
  EXPECT_EQ(clean.state_after, clean.state_before);
  for (int n = 1; n <= clean.writes; ++n) {
    SCOPED_TRACE("the store fails write " + std::to_string(n) + " of " + std::to_string(clean.writes));
    const Outcome faulty = play(n);
    EXPECT_EQ(faulty.alerts, clean.alerts);
    EXPECT_TRUE(faulty.unhealthy_seen || faulty.silence_refused);
    EXPECT_TRUE(faulty.healthy_at_end);
    EXPECT_EQ(faulty.state_after, faulty.state_before);
  }
}

}  // namespace
}  // namespace lookout::engine
