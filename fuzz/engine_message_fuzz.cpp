// Fuzz target: the engine core's inbound messages (Core::on_message), end to end: SenML
// readings (sensors/<id>), sensor status (sensors/<id>/status), incident reports
// (reports) and staff responses (staff/<id>/responses, whose JSON is decoded only inside
// the core). Each input runs on a fresh core (in memory, virtual time, as
// engine/src/core_response_test.cpp sets one up) with a fire plan, a roster and an open
// incident whose assignments are offered, so that responses can reach real assignments.
//
// Input: up to kMaxMessages messages separated by "\n%%\n". In each, the first byte picks
// the topic (its low 2 bits the kind, the next 3 bits the sensor or staff id) and the
// rest is the payload. After each message, deliveries complete and time moves on (20 s,
// or 6 minutes when the selector has bit 0x20), so timers (no answer, reminders,
// escalation) run too.
//
// Checked: no crash, and every JSON message the core publishes is valid JSON.
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "lookout/base/time_format.h"
#include "lookout/engine/core.h"
#include "lookout/engine/store.h"
#include "test_support.h"  // engine/src: RecordingTransport, QueuedPoster

namespace {

using namespace lookout;
using namespace std::chrono_literals;

constexpr std::string_view kSeparator = "\n%%\n";
constexpr int kMaxMessages = 8;

constexpr const char* kSensors = R"(sensors:
  - {id: smk-12, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke, temperature]}
  - {id: smk-13, place: xc/hl/qy/g03/b13, kind: smoke_detector, quantities: [smoke]}
  - {id: smk-40, place: xc/hl/qy/g04/b40, kind: smoke_detector, quantities: [smoke]}
)";

constexpr const char* kRoster = R"(time_zone: Asia/Shanghai
staff:
  - {id: w-a, name: Wang A, roles: [fire_warden], kind: building_lead, home: xc/hl/qy/g03/b12, shifts: [daily 20:00-08:00]}
  - {id: w-b, name: Wang B, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, shifts: [daily 20:00-08:00]}
  - {id: w-day, name: Day Warden, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b12, shifts: [daily 08:00-20:00]}
  - {id: w-g1, name: Grid One, roles: [fire_warden], kind: volunteer, home: xc/hl/qy/g03/b07, shifts: [daily 20:00-08:00]}
  - {id: c-g03, name: Grid Coordinator, roles: [coordinator], kind: grid_worker, home: xc/hl/qy/g03, on_call: always}
  - {id: c-qy, name: Community Coordinator, roles: [coordinator], kind: community_worker, home: xc/hl/qy, on_call: always}
)";

// Levels raised by readings, by reports and by sensors going offline; escalation,
// reminders and an automatic resolve, so that the timers have work to do.
constexpr const char* kPlan = R"yaml(id: fire
title: Fire
hazards: [fire]
time_zone: Asia/Shanghai
places: ["xc/hl/qy/**"]
levels:
  I:
    when: smoke >= 0.9 or avg(temperature, 5m) > 80 Cel
    alert:
      category: Fire
      event: Fire
      headline: "FIRE in {place}"
      audience: [residents, grid_coordinators, community_coordinators]
    staff:
      - {role: fire_warden, count: 3, within: building, respond_within: 5m}
  II:
    when: smoke >= 0.3 for 1m or 2 of smoke >= 0.2 within 5m
    alert:
      category: Fire
      event: Fire
      headline: "Fire alarm in {place} ({value} {unit})"
      audience: [residents, grid_coordinators]
    staff:
      - {role: fire_warden, count: 2, within: building, respond_within: 5m}
    checklist:
      en-US: ["Go to {place}", "Knock on every door"]
    escalation:
      - {after: 10m, notify: community_coordinators}
      - {after: 20m, raise_to: I}
  III:
    when: reports(fire, 30m) >= 1 or offline(smoke_detector)
    alert:
      category: Fire
      event: Fire report
      headline: "Fire reported in {place}"
      audience: [grid_coordinators]
resolve:
  when: smoke < 0.05
  for: 10m
renotify:
  every: 5m
  times: 2
reopen_within: 1h
)yaml";

constexpr std::array<std::string_view, 8> kSensorIds = {"smk-12", "smk-13", "smk-40", "smk-99",
                                                         "",       "a b",    "smk-12/x", "S.M_K-1"};
constexpr std::array<std::string_view, 8> kStaffIds = {"w-a", "w-b", "w-day", "w-g1", "c-g03", "c-qy", "nobody", ""};

std::string topic_for(std::uint8_t selector) {
  const std::string prefix = "lookout/v1/";
  const std::size_t id = (selector >> 2) & 7;
  switch (selector & 3) {
    case 0:
      return prefix + "sensors/" + std::string(kSensorIds[id]);
    case 1:
      return prefix + "sensors/" + std::string(kSensorIds[id]) + "/status";
    case 2:
      // Mostly the reports topic; the high bit sends it outside the engine's prefix.
      return (selector & 0x80) ? "lookout/v2/reports" : prefix + "reports";
    default:
      return prefix + "staff/" + std::string(kStaffIds[id]) + "/responses";
  }
}

void check_published(const engine::testing::RecordingTransport& transport) {
  // LOOKOUT_FUZZ_VERBOSE=1: print what the core published (to see what an input did).
  static const bool verbose = std::getenv("LOOKOUT_FUZZ_VERBOSE") != nullptr;
  for (const auto& p : transport.published) {
    if (verbose) std::fprintf(stderr, "%s %.300s\n", p.message.topic.c_str(), p.message.payload.c_str());
    if (p.message.topic.find("/alerts-xml/") != std::string::npos) continue;
    fuzz::check(nlohmann::json::accept(p.message.payload), "the core publishes valid JSON",
                p.message.topic + ": " + p.message.payload.substr(0, 200));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = [] {
    spdlog::set_level(spdlog::level::off);
    return true;
  }();
  (void)quiet;
  static const Time kStart = parse_iso8601("2026-11-21T15:00:00Z").value();  // 23:00 in Shanghai: night shift

  ManualClock clock(kStart);
  engine::MemoryStore store;
  engine::testing::RecordingTransport transport;
  engine::testing::QueuedPoster poster;
  engine::CoreOptions options;
  options.zone = find_time_zone("Asia/Shanghai").value();
  options.cap_xml = true;
  engine::Core core(options, clock, store, transport, poster.poster());
  fuzz::check(core.open().is_ok(), "a fresh core opens");
  Diagnostics d;
  fuzz::check(core.import_sensors(kSensors, "sensors.yaml", d).is_ok(), "the sensors import", to_string(d));
  fuzz::check(core.import_staff(kRoster, "staff.yaml", d).is_ok(), "the roster imports", to_string(d));
  fuzz::check(core.apply_plan(kPlan, "fire.yaml", d).is_ok(), "the plan applies", to_string(d));
  // An open incident at II with two assignments offered (a-000001, a-000002).
  core.on_message({"lookout/v1/sensors/smk-12", R"({"n":"smoke","v":0.5})", 1, false, false});
  clock.advance(70s);
  core.on_message({"lookout/v1/sensors/smk-12", R"({"n":"smoke","v":0.5})", 1, false, false});
  transport.complete_all();
  poster.drain();

  std::string_view rest = fuzz::as_text(data, size);
  for (int n = 0; n < kMaxMessages && !rest.empty(); ++n) {
    const auto end = rest.find(kSeparator);
    std::string_view message = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + kSeparator.size());
    if (message.empty()) continue;
    const auto selector = static_cast<std::uint8_t>(message.front());
    message.remove_prefix(1);
    core.on_message({topic_for(selector), std::string(message), 1, false, (selector & 0x40) != 0});
    transport.complete_all();
    poster.drain();
    clock.advance(selector & 0x20 ? 6min : 20s);
    transport.complete_all();
    poster.drain();
  }
  // Past the deadline to answer an offer and the first reminder. (Inputs reach the
  // escalation ladder by moving time with their messages: 6 minutes each with bit 0x20.)
  clock.advance(6min);
  transport.complete_all();
  poster.drain();
  check_published(transport);
  return 0;
}
