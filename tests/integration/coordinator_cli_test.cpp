// End to end, the coordinators' surface for silences and hand assignments: the real
// lookout binary over a real Mosquitto, driven with the real lookoutctl and the admin
// API. (How silences and assignments change what the engine sends is tested with the
// engine's flows; these cover the commands and the API.)
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <ctime>
#include <optional>
#include <utility>
#include <vector>

#include "engine_fixture.h"
#include "http_client.h"

namespace lookout::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr auto kWait = 10s;

constexpr const char* kSensors = R"(sensors:
  - id: smk-b12-1
    place: xc/hl/qy/g03/b12
    kind: smoke_detector
    quantities: [smoke]
)";

constexpr const char* kPlaces = R"(places:
  - path: xc/hl/qy
    name: Qingyuan community
  - path: xc/hl/qy/g03/b12
    name: Building 12
)";

constexpr const char* kStaff = R"(staff:
  - id: w-zhang
    name: 张伟
    roles: [grid_worker, fire_warden]
    kind: grid_worker
    home: xc/hl/qy/g03
    on_call: always
  - id: duty-qy
    name: Duty officer
    roles: [duty_officer]
    kind: community_worker
    home: xc/hl/qy
    on_call: always
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
)";

// `from_now` ahead of the wall clock, as ISO 8601 in UTC ("2026-11-21T13:04:05+00:00").
std::string iso_in(std::chrono::seconds from_now) {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + from_now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
  return buf;
}

class CoordinatorCli : public EngineFixture {
 protected:
  // lookoutctl with extra environment (LOOKOUT_USER, USER).
  RunResult ctl_env(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    std::vector<std::string> argv = {LOOKOUTCTL_BIN, "--data-dir", data_dir_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, std::chrono::seconds(60), env);
  }
  // A raw admin API call with the engine's token (or `token`).
  ctl::HttpResponse api(const std::string& method, const std::string& target, const std::string& body,
                        std::optional<std::string> token = std::nullopt) {
    auto admin = json::parse(read_text(data_dir_ + "/admin.json"));
    auto r = ctl::http_request(admin["url"], method, target, body, token ? *token : admin["token"].get<std::string>());
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? *r : ctl::HttpResponse{};
  }
  static std::string error_of(const ctl::HttpResponse& r) {
    auto j = json::parse(r.body, nullptr, false);
    return j.is_object() ? j.value("error", "") : "";
  }
  // The silence with `id` in `silence list --json`, or null.
  json listed(const std::string& id) {
    auto list = ctl({"silence", "list", "--json"});
    EXPECT_EQ(list.exit_code, 0) << list.out << list.err;
    const auto reply = json::parse(list.out);
    for (const auto& s : reply["silences"]) {
      if (s["id"] == id) return s;
    }
    return nullptr;
  }
};

TEST_F(CoordinatorCli, SilenceAddListAndRemoveWithLookoutctl) {
  ASSERT_NO_FATAL_FAILURE(start_engine());

  auto empty = ctl({"silence", "list"});
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(empty.out, "no silences\n");

  // A weekly silence for a building's detector service: the id is printed.
  auto weekly = ctl({"silence", "add", "--place", "xc/hl/qy/g03/b12", "--every", "tue 09:00-11:00", "--time-zone",
                     "Asia/Shanghai", "--comment", "detector service", "--by", "Coordinator Wang"});
  ASSERT_EQ(weekly.exit_code, 0) << weekly.out << weekly.err;
  EXPECT_EQ(weekly.out, "s-000001 added by Coordinator Wang\n");

  // Until a given time, for a plan; --by from LOOKOUT_USER; --json for scripts.
  const std::string ends = iso_in(2h);
  auto until = ctl_env({"silence", "add", "--plan", "fire", "--hazard", "fire", "--ends", ends, "--json"},
                       {"LOOKOUT_USER=duty-li"});
  ASSERT_EQ(until.exit_code, 0) << until.out << until.err;
  EXPECT_EQ(json::parse(until.out), json({{"silence", "s-000002"}}));

  // Starting later: pending.
  auto later = ctl({"silence", "add", "--sensor", "smk-b12-1", "--starts", iso_in(1h), "--ends", iso_in(3h), "--by",
                    "Li"});
  ASSERT_EQ(later.exit_code, 0) << later.out << later.err;
  EXPECT_NE(later.out.find("s-000003"), std::string::npos) << later.out;

  // Refused: with the engine's reason, exit 1, nothing stored.
  auto no_matcher = ctl({"silence", "add", "--ends", ends, "--by", "Li"});
  EXPECT_EQ(no_matcher.exit_code, 1);
  EXPECT_NE(no_matcher.err.find("no matcher: expected at least one of place, sensor, plan, hazard"), std::string::npos)
      << no_matcher.err;
  auto no_end = ctl({"silence", "add", "--place", "xc/hl/qy/**", "--by", "Li"});
  EXPECT_EQ(no_end.exit_code, 1);
  EXPECT_NE(no_end.err.find("ends, every: neither given"), std::string::npos) << no_end.err;
  auto past = ctl({"silence", "add", "--place", "xc/hl/qy/**", "--ends", "2020-01-01T00:00:00+08:00", "--by", "Li"});
  EXPECT_EQ(past.exit_code, 1);
  EXPECT_NE(past.err.find("is already past"), std::string::npos) << past.err;
  auto bad_every = ctl({"silence", "add", "--place", "xc/hl/qy/**", "--every", "tuesday mornings", "--by", "Li"});
  EXPECT_EQ(bad_every.exit_code, 1);
  EXPECT_NE(bad_every.err.find("every:"), std::string::npos) << bad_every.err;
  auto bad_zone = ctl({"silence", "add", "--place", "xc", "--every", "tue 09:00-11:00", "--time-zone", "Mars/Olympus",
                       "--by", "Li"});
  EXPECT_EQ(bad_zone.exit_code, 1);
  EXPECT_NE(bad_zone.err.find("time_zone:"), std::string::npos) << bad_zone.err;
  // --json: the engine's error as JSON on stdout, still exit 1.
  auto no_end_json = ctl({"silence", "add", "--place", "xc", "--by", "Li", "--json"});
  EXPECT_EQ(no_end_json.exit_code, 1);
  EXPECT_NE(json::parse(no_end_json.out).value("error", "").find("neither given"), std::string::npos)
      << no_end_json.out;
  // Nobody to name: a usage error, nothing sent.
  auto nobody = ctl_env({"silence", "add", "--place", "xc", "--ends", ends}, {"LOOKOUT_USER=", "USER="});
  EXPECT_EQ(nobody.exit_code, 2);
  EXPECT_NE(nobody.err.find("--by"), std::string::npos) << nobody.err;

  auto list = ctl({"silence", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto silences = json::parse(list.out)["silences"];
  ASSERT_EQ(silences.size(), 3u) << list.out;
  const auto& s1 = silences[0];
  EXPECT_EQ(s1["id"], "s-000001");
  EXPECT_EQ(s1["place"], "xc/hl/qy/g03/b12");
  EXPECT_TRUE(s1["sensor"].is_null());
  EXPECT_EQ(s1["every"], "tue 09:00-11:00");
  EXPECT_EQ(s1["time_zone"], "Asia/Shanghai");
  EXPECT_TRUE(s1["ends"].is_null());
  EXPECT_EQ(s1["created_by"], "Coordinator Wang");
  EXPECT_EQ(s1["comment"], "detector service");
  // Active on a Tuesday morning in Shanghai, waiting otherwise.
  EXPECT_TRUE(s1["state"] == "waiting" || s1["state"] == "active") << s1;
  EXPECT_TRUE(s1["created"].get<std::string>().ends_with("+08:00")) << s1;  // the engine's time zone
  const auto& s2 = silences[1];
  EXPECT_EQ(s2["plan"], "fire");
  EXPECT_EQ(s2["hazard"], "fire");
  EXPECT_TRUE(s2["place"].is_null());
  EXPECT_TRUE(s2["every"].is_null());
  EXPECT_FALSE(s2["ends"].is_null());
  EXPECT_EQ(s2["created_by"], "duty-li");
  EXPECT_EQ(s2["state"], "active");
  EXPECT_EQ(silences[2]["sensor"], "smk-b12-1");
  EXPECT_EQ(silences[2]["state"], "pending");

  auto text = ctl({"silence", "list"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("s-000001"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("place xc/hl/qy/g03/b12"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("every tue 09:00-11:00 (Asia/Shanghai)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("by Coordinator Wang: detector service"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("plan fire, hazard fire"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("until "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("pending"), std::string::npos) << text.out;

  // Removed once; the second time there is nothing to remove.
  auto removed = ctl({"silence", "remove", "s-000001", "--by", "Coordinator Wang"});
  ASSERT_EQ(removed.exit_code, 0) << removed.out << removed.err;
  EXPECT_EQ(removed.out, "s-000001 removed by Coordinator Wang\n");
  EXPECT_TRUE(listed("s-000001").is_null());
  auto again = ctl({"silence", "remove", "s-000001", "--by", "Coordinator Wang"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("no silence \"s-000001\""), std::string::npos) << again.err;
  auto removed_json = ctl_env({"silence", "remove", "s-000002", "--json"}, {"LOOKOUT_USER=duty-li"});
  ASSERT_EQ(removed_json.exit_code, 0) << removed_json.out << removed_json.err;
  EXPECT_EQ(json::parse(removed_json.out), json({{"removed", "s-000002"}}));
  auto no_remover = ctl_env({"silence", "remove", "s-000003"}, {"LOOKOUT_USER=", "USER="});
  EXPECT_EQ(no_remover.exit_code, 2);
  EXPECT_FALSE(listed("s-000003").is_null());

  // A silence survives a restart of the engine.
  EXPECT_EQ(stop_engine(), 0) << engine_.log();
  ASSERT_NO_FATAL_FAILURE(start_engine());
  auto kept = listed("s-000003");
  ASSERT_FALSE(kept.is_null());
  EXPECT_EQ(kept["state"], "pending");
  auto next = ctl({"silence", "add", "--sensor", "smk-b12-1", "--ends", ends, "--by", "Li"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_NE(next.out.find("s-000004"), std::string::npos) << next.out;  // ids are not reused

  EXPECT_EQ(ctl({"silence", "--help"}).exit_code, 0);
  EXPECT_EQ(ctl({"silence", "add", "--help"}).exit_code, 0);
  EXPECT_EQ(ctl({"silence"}).exit_code, 2);
}

TEST_F(CoordinatorCli, SilenceApiAnswersWithStatusCodesAndReasons) {
  ASSERT_NO_FATAL_FAILURE(start_engine());
  const std::string ends = iso_in(1h);
  auto created = api("POST", "/v1/silences", json{{"place", "xc/hl/qy/**"}, {"ends", ends}, {"by", "Li"}}.dump());
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json::parse(created.body), json({{"silence", "s-000001"}}));

  for (const auto& [body, why] : std::vector<std::pair<std::string, std::string>>{
           {"not json", "not JSON"},
           {R"({"place": "xc", "ends": ")" + ends + R"("})", "by: missing"},
           {R"({"place": "xc", "ends": ")" + ends + R"(", "by": "Li", "until": "later"})", "unknown key \"until\""},
           {R"({"place": "XC!", "ends": ")" + ends + R"(", "by": "Li"})", "place:"},
           {R"({"place": "xc", "ends": "tomorrow", "by": "Li"})", "ends:"},
       }) {
    auto r = api("POST", "/v1/silences", body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_NE(error_of(r).find(why), std::string::npos) << body << " -> " << r.body;
  }

  auto list = api("GET", "/v1/silences", "");
  EXPECT_EQ(list.status, 200);
  ASSERT_EQ(json::parse(list.body)["silences"].size(), 1u) << list.body;
  EXPECT_EQ(json::parse(list.body)["silences"][0]["state"], "active");

  // DELETE: who removes it, from the query or a body.
  auto no_by = api("DELETE", "/v1/silences/s-000001", "");
  EXPECT_EQ(no_by.status, 400);
  EXPECT_NE(error_of(no_by).find("\"by\" is required"), std::string::npos) << no_by.body;
  auto blank = api("DELETE", "/v1/silences/s-000001?by=%20", "");
  EXPECT_EQ(blank.status, 400);
  EXPECT_NE(error_of(blank).find("must name someone"), std::string::npos) << blank.body;
  auto stray = api("DELETE", "/v1/silences/s-000001", R"({"by": "Li", "why": "done"})");
  EXPECT_EQ(stray.status, 400);
  EXPECT_NE(error_of(stray).find("unknown field \"why\""), std::string::npos) << stray.body;
  auto unknown = api("DELETE", "/v1/silences/s-000009?by=Li", "");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(error_of(unknown).find("no silence \"s-000009\""), std::string::npos) << unknown.body;
  auto removed = api("DELETE", "/v1/silences/s-000001?by=Coordinator+Li", "");
  EXPECT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(json::parse(removed.body), json({{"removed", "s-000001"}}));
  auto created2 = api("POST", "/v1/silences", json{{"sensor", "smk-1"}, {"ends", ends}, {"by", "Li"}}.dump());
  ASSERT_EQ(created2.status, 201) << created2.body;
  auto by_body = api("DELETE", "/v1/silences/s-000002", R"({"by": "Li"})");
  EXPECT_EQ(by_body.status, 200) << by_body.body;
  EXPECT_TRUE(json::parse(api("GET", "/v1/silences", "").body)["silences"].empty());

  // The token is needed for each of them.
  EXPECT_EQ(api("GET", "/v1/silences", "", "wrong").status, 401);
  EXPECT_EQ(api("POST", "/v1/silences", created.body, "wrong").status, 401);
  EXPECT_EQ(api("DELETE", "/v1/silences/s-000001?by=Li", "", "wrong").status, 401);
  // A method the path does not have.
  EXPECT_EQ(api("PUT", "/v1/silences", "{}").status, 404);
}

TEST_F(CoordinatorCli, IncidentsAssignByHandAndShowListsTheAssignments) {
  ASSERT_NO_FATAL_FAILURE(start_engine());
  ASSERT_EQ(ctl({"sensors", "import", file("sensors.yaml", kSensors)}).exit_code, 0);
  ASSERT_EQ(ctl({"places", "import", file("places.yaml", kPlaces)}).exit_code, 0);
  ASSERT_EQ(ctl({"staff", "import", file("staff.yaml", kStaff)}).exit_code, 0);
  ASSERT_EQ(ctl({"plan", "apply", file("fire.yaml", kFirePlan)}).exit_code, 0);

  // No such incident: refused clearly.
  auto missing = ctl({"incidents", "assign", "inc-999999", "--role", "fire_warden", "--staff", "w-zhang", "--by", "Li"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no incident \"inc-999999\""), std::string::npos) << missing.err;
  auto missing_json = ctl({"incidents", "assign", "inc-999999", "--role", "fire_warden", "--staff", "w-zhang", "--by",
                           "Li", "--json"});
  EXPECT_EQ(missing_json.exit_code, 1);
  EXPECT_NE(json::parse(missing_json.out).value("error", "").find("no incident"), std::string::npos)
      << missing_json.out;
  // Options missing: usage errors.
  EXPECT_EQ(ctl({"incidents", "assign", "inc-000001", "--staff", "w-zhang", "--by", "Li"}).exit_code, 2);
  EXPECT_EQ(ctl({"incidents", "assign", "inc-000001", "--role", "fire_warden", "--by", "Li"}).exit_code, 2);

  MqttProbe probe(broker_->uri(), {"lookout/v1/alerts/#", "lookout/v1/staff/#"});
  probe.publish(sensor_topic("smk-b12-1"), R"([{"n":"smoke","u":"/","v":0.2}])");
  auto alert = probe.wait_for("lookout/v1/alerts/xc/hl/qy/g03/b12", kWait);
  ASSERT_TRUE(alert) << engine_.log();
  const std::string id = json::parse(alert->payload)["incidents"];

  auto assigned = ctl({"incidents", "assign", id, "--role", "fire_warden", "--staff", "w-zhang", "--by", "Coordinator Li"});
  ASSERT_EQ(assigned.exit_code, 0) << assigned.out << assigned.err;
  EXPECT_NE(assigned.out.find("a-000001: fire_warden at " + id + " offered to 张伟 (w-zhang) by Coordinator Li"),
            std::string::npos)
      << assigned.out;
  EXPECT_NE(assigned.out.find("respond by "), std::string::npos) << assigned.out;
  // The member is told, like for any assignment.
  auto offer = probe.wait_for("lookout/v1/staff/w-zhang/assignments", kWait);
  ASSERT_TRUE(offer) << engine_.log();
  EXPECT_EQ(json::parse(offer->payload)["assignment"], "a-000001");
  EXPECT_EQ(json::parse(offer->payload)["role"], "fire_warden");

  auto second = ctl_env({"incidents", "assign", id, "--role", "duty_officer", "--staff", "duty-qy", "--json"},
                        {"LOOKOUT_USER=duty-li"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  auto a2 = json::parse(second.out);
  EXPECT_EQ(a2["assignment"], "a-000002");
  EXPECT_EQ(a2["incident"], id);
  EXPECT_EQ(a2["staff"], "duty-qy");
  EXPECT_EQ(a2["staff_name"], "Duty officer");
  EXPECT_EQ(a2["state"], "offered");
  EXPECT_EQ(a2["assigned_by"], "duty-li");

  // Refusals, each with the engine's reason.
  auto twice = ctl({"incidents", "assign", id, "--role", "grid_worker", "--staff", "w-zhang", "--by", "Li"});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("w-zhang already has assignment a-000001"), std::string::npos) << twice.err;
  auto stranger = ctl({"incidents", "assign", id, "--role", "fire_warden", "--staff", "w-nobody", "--by", "Li"});
  EXPECT_EQ(stranger.exit_code, 1);
  EXPECT_NE(stranger.err.find("no staff member \"w-nobody\""), std::string::npos) << stranger.err;
  auto bad_role = ctl({"incidents", "assign", id, "--role", "Fire Warden", "--staff", "duty-qy", "--by", "Li"});
  EXPECT_EQ(bad_role.exit_code, 1);
  EXPECT_NE(bad_role.err.find("role \"Fire Warden\""), std::string::npos) << bad_role.err;
  auto nobody = ctl_env({"incidents", "assign", id, "--role", "fire_warden", "--staff", "duty-qy"},
                        {"LOOKOUT_USER=", "USER="});
  EXPECT_EQ(nobody.exit_code, 2);
  EXPECT_NE(nobody.err.find("--by"), std::string::npos) << nobody.err;

  // incidents show: the assignments, between the alerts and the timeline.
  auto show = ctl({"incidents", "show", id, "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  auto shown = json::parse(show.out);
  ASSERT_EQ(shown["assignments"].size(), 2u) << show.out;
  const auto& a1 = shown["assignments"][0];
  EXPECT_EQ(a1["id"], "a-000001");
  EXPECT_EQ(a1["role"], "fire_warden");
  EXPECT_EQ(a1["staff"], "w-zhang");
  EXPECT_EQ(a1["staff_name"], "张伟");
  EXPECT_EQ(a1["state"], "offered");
  EXPECT_EQ(a1["assigned_by"], "Coordinator Li");
  EXPECT_EQ(a1["level"], "II");
  EXPECT_EQ(a1["note"], "");
  for (const char* key : {"offered", "respond_by", "updated"}) {
    EXPECT_TRUE(a1[key].get<std::string>().ends_with("+08:00")) << key << ": " << a1;
  }
  auto text = ctl({"incidents", "show", id});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  auto alerts_at = text.out.find("alerts:");
  auto assignments_at = text.out.find("assignments:");
  auto timeline_at = text.out.find("timeline:");
  ASSERT_NE(assignments_at, std::string::npos) << text.out;
  EXPECT_LT(alerts_at, assignments_at) << text.out;
  EXPECT_LT(assignments_at, timeline_at) << text.out;
  EXPECT_NE(text.out.find("a-000001  fire_warden     张伟 (w-zhang)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("offered   respond by " + a1["respond_by"].get<std::string>()), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("Duty officer (duty-qy)"), std::string::npos) << text.out;

  // The API: a bad body is 400 with the reason; a closed incident is 409.
  const std::string target = "/v1/incidents/" + id + "/assign";
  for (const auto& [body, why] : std::vector<std::pair<std::string, std::string>>{
           {"[]", "JSON object"},
           {R"({"role": "fire_warden", "staff": "duty-qy"})", "\"by\" is required"},
           {R"({"role": "fire_warden", "staff": 7, "by": "Li"})", "\"staff\" must be a string"},
           {R"({"role": "fire_warden", "staff": "duty-qy", "by": "Li", "urgent": true})", "unknown field \"urgent\""},
       }) {
    auto r = api("POST", target, body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_NE(error_of(r).find(why), std::string::npos) << body << " -> " << r.body;
  }
  auto resolved = ctl({"incidents", "resolve", id, "--by", "Li"});
  ASSERT_EQ(resolved.exit_code, 0) << resolved.err;
  auto late = api("POST", target, R"({"role": "fire_warden", "staff": "duty-qy", "by": "Li"})");
  EXPECT_EQ(late.status, 409) << late.body;
  auto late_ctl = ctl({"incidents", "assign", id, "--role", "fire_warden", "--staff", "duty-qy", "--by", "Li"});
  EXPECT_EQ(late_ctl.exit_code, 1);
  EXPECT_NE(late_ctl.err.find("nobody can be assigned to it"), std::string::npos) << late_ctl.err;

  // The counters the staffing and silences add.
  auto status = ctl({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto counters = json::parse(status.out)["counters"];
  EXPECT_EQ(counters["assignments_offered"], 2);
  for (const char* key : {"alerts_silenced", "alerts_damped", "reminders", "escalations", "notices",
                          "assignments_accepted", "assignments_declined", "assignments_unanswered", "responses"}) {
    EXPECT_TRUE(counters.contains(key)) << key;
  }
  EXPECT_EQ(ctl({"incidents", "assign", "--help"}).exit_code, 0);
}

}  // namespace
}  // namespace lookout::testing
