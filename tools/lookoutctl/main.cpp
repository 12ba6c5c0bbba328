// lookoutctl: the coordinators' command-line tool. `plan validate` works offline;
// everything else talks to a running engine over its admin API (docs/admin-api.md).
//
// Exit status: 0 success; 1 the request was refused or failed (invalid file, not
// found); 2 usage error; 3 no engine is running or reachable.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "http_client.h"
#include "acl.h"
#include "drill_command.h"
#include "plan_diff.h"
#include "lookout/plans/plan.h"
#include "lookout/sensors/staff.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace lookout;

namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;
constexpr int kNoEngine = 3;

struct Globals {
  std::string engine;    // admin API URL
  std::string token;
  std::string data_dir;  // where the engine wrote admin.json
  bool json_output = false;
};

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

// Finds the engine: flags, then environment, then <data_dir>/admin.json.
bool locate_engine(Globals& g, std::string& error) {
  if (g.engine.empty()) {
    if (const char* e = std::getenv("LOOKOUT_ENGINE")) g.engine = e;
  }
  if (g.token.empty()) {
    if (const char* t = std::getenv("LOOKOUT_TOKEN")) g.token = t;
  }
  if (!g.engine.empty() && !g.token.empty()) return true;
  auto file = fs::path(g.data_dir) / "admin.json";
  std::string text;
  if (!read_file(file.string(), text)) {
    error = "no engine is running: " + file.string() +
            " does not exist (start one with `lookout --data-dir " + g.data_dir +
            "`, or pass --engine URL and --token TOKEN)";
    return false;
  }
  try {
    auto j = json::parse(text);
    if (g.engine.empty()) g.engine = j.at("url").get<std::string>();
    if (g.token.empty()) g.token = j.at("token").get<std::string>();
  } catch (const std::exception& e) {
    error = file.string() + " is not readable: " + e.what();
    return false;
  }
  return true;
}

void print_diagnostics(const json& diagnostics) {
  for (const auto& d : diagnostics) std::cerr << d.value("text", d.dump()) << "\n";
}

// Calls the engine; prints errors itself. Returns the exit status and fills `reply`.
int call(Globals& g, const std::string& method, const std::string& target, const std::string& body, json& reply,
         const std::string& content_type = "application/yaml") {
  std::string error;
  if (!locate_engine(g, error)) {
    std::cerr << "lookoutctl: " << error << "\n";
    return kNoEngine;
  }
  auto r = ctl::http_request(g.engine, method, target, body, g.token, content_type);
  if (!r.is_ok()) {
    std::cerr << "lookoutctl: " << r.status().message() << "\n";
    return kNoEngine;
  }
  try {
    reply = json::parse(r->body);
  } catch (const std::exception&) {
    std::cerr << "lookoutctl: the engine answered " << r->status << " with a body that is not JSON\n";
    return kFailed;
  }
  if (r->status < 200 || r->status > 299) {
    if (g.json_output) {
      std::cout << reply.dump(2) << "\n";
    } else {
      std::cerr << "lookoutctl: " << reply.value("error", "the engine answered " + std::to_string(r->status)) << "\n";
      if (reply.contains("diagnostics")) print_diagnostics(reply["diagnostics"]);
    }
    return kFailed;
  }
  return kOk;
}

int plan_validate(const Globals& g, const std::vector<std::string>& files) {
  int status = kOk;
  json results = json::array();
  for (const auto& file : files) {
    std::string text;
    if (!read_file(file, text)) {
      std::cerr << file << ": cannot read the file\n";
      results.push_back({{"file", file}, {"ok", false}, {"error", "cannot read the file"}});
      status = kFailed;
      continue;
    }
    auto r = plans::load_plan(text, file);
    json entry = {{"file", file}, {"ok", r.plan.has_value()}};
    if (r.plan) {
      std::vector<std::string> levels;
      for (const auto& l : r.plan->levels) levels.emplace_back(plans::level_name(l.level));
      entry["plan"] = r.plan->id;
      entry["levels"] = levels;
      if (!g.json_output) {
        std::string joined;
        for (const auto& l : levels) joined += (joined.empty() ? "" : ", ") + l;
        std::cout << file << ": ok (plan " << r.plan->id << ", levels " << joined << ")\n";
      }
    } else {
      status = kFailed;
      json ds = json::array();
      for (const auto& d : r.diagnostics) {
        ds.push_back({{"file", d.file}, {"line", d.line}, {"column", d.column}, {"message", d.message}});
        if (!g.json_output) std::cerr << d.to_string() << "\n";
      }
      entry["diagnostics"] = ds;
    }
    results.push_back(entry);
  }
  if (g.json_output) std::cout << json{{"files", results}}.dump(2) << "\n";
  return status;
}

int plan_apply(Globals& g, const std::string& file) {
  std::string text;
  if (!read_file(file, text)) {
    std::cerr << "lookoutctl: cannot read " << file << "\n";
    return kFailed;
  }
  json reply;
  int rc = call(g, "POST", "/v1/plans?file=" + ctl::url_encode(file), text, reply);
  if (rc != kOk) return rc;
  if (g.json_output) {
    std::cout << reply.dump(2) << "\n";
  } else if (reply.value("unchanged", false)) {
    std::cout << file << ": unchanged (running version " << reply["version"] << ")\n";
  } else {
    std::cout << file << ": applied as version " << reply["version"] << "\n";
  }
  return kOk;
}

int simple_get(Globals& g, const std::string& target, const std::function<void(const json&)>& print) {
  json reply;
  int rc = call(g, "GET", target, "", reply);
  if (rc != kOk) return rc;
  if (g.json_output) {
    std::cout << reply.dump(2) << "\n";
  } else {
    print(reply);
  }
  return kOk;
}

int import_file(Globals& g, const std::string& what, const std::string& file) {
  std::string text;
  if (!read_file(file, text)) {
    std::cerr << "lookoutctl: cannot read " << file << "\n";
    return kFailed;
  }
  json reply;
  int rc = call(g, "POST", "/v1/" + what + "?file=" + ctl::url_encode(file),
                text, reply);
  if (rc != kOk) return rc;
  if (g.json_output) {
    std::cout << reply.dump(2) << "\n";
  } else {
    std::cout << file << ": imported " << reply["imported"] << " " << what << "\n";
  }
  return kOk;
}

// GET a plan (version 0: the running one). Returns the HTTP status, or -1 with the
// exit status in `rc` when the engine could not be asked.
int fetch_plan(Globals& g, const std::string& id, unsigned version, json& out, int& rc) {
  std::string error;
  if (!locate_engine(g, error)) {
    std::cerr << "lookoutctl: " << error << "\n";
    rc = kNoEngine;
    return -1;
  }
  std::string target = "/v1/plans/" + ctl::url_encode(id);
  if (version) target += "?version=" + std::to_string(version);
  auto r = ctl::http_request(g.engine, "GET", target, "", g.token);
  if (!r.is_ok()) {
    std::cerr << "lookoutctl: " << r.status().message() << "\n";
    rc = kNoEngine;
    return -1;
  }
  out = json::parse(r->body, nullptr, false);
  if (out.is_discarded()) {
    std::cerr << "lookoutctl: the engine answered with a body that is not JSON\n";
    rc = kFailed;
    return -1;
  }
  return r->status;
}

// plan diff FILE: the file against the running version. plan diff ID --version N
// [--to M]: two stored versions (M default: the running one).
int plan_diff(Globals& g, const std::string& target, unsigned version, unsigned to) {
  std::string before, after, before_label, after_label, id;
  int rc = kOk;
  json reply;
  if (version == 0) {
    if (!read_file(target, after)) {
      std::cerr << "lookoutctl: cannot read " << target << " (to compare stored versions: plan diff ID --version N)\n";
      return kFailed;
    }
    auto loaded = plans::load_plan(after, target);
    if (!loaded.plan) {
      for (const auto& d : loaded.diagnostics) std::cerr << d.to_string() << "\n";
      return kFailed;
    }
    id = loaded.plan->id;
    after_label = target;
    int status = fetch_plan(g, id, 0, reply, rc);
    if (status < 0) return rc;
    if (status == 404) {
      before_label = id + " (not in the engine: applying adds it as version 1)";
    } else if (status != 200) {
      std::cerr << "lookoutctl: " << reply.value("error", "the engine answered " + std::to_string(status)) << "\n";
      return kFailed;
    } else {
      before = reply["source"].get<std::string>();
      before_label = id + " version " + std::to_string(reply["version"].get<int>()) + " (running)";
    }
  } else {
    id = target;
    int status = fetch_plan(g, id, version, reply, rc);
    if (status < 0) return rc;
    if (status != 200) {
      std::cerr << "lookoutctl: " << reply.value("error", "the engine answered " + std::to_string(status)) << "\n";
      return kFailed;
    }
    before = reply["source"].get<std::string>();
    before_label = id + " version " + std::to_string(version);
    status = fetch_plan(g, id, to, reply, rc);
    if (status < 0) return rc;
    if (status != 200) {
      std::cerr << "lookoutctl: " << reply.value("error", "the engine answered " + std::to_string(status)) << "\n";
      return kFailed;
    }
    after = reply["source"].get<std::string>();
    after_label = id + " version " + std::to_string(reply["version"].get<int>()) + (to ? "" : " (running)");
  }
  auto changes = before.empty() ? std::vector<std::string>{"new plan"} : ctl::plan_changes(before, after);
  auto text = ctl::unified_diff(before, after, before_label, after_label);
  if (g.json_output) {
    std::cout << json{{"plan", id}, {"from", before_label}, {"to", after_label}, {"changed", !text.empty()},
                      {"changes", changes}, {"diff", text}}
                     .dump(2)
              << "\n";
    return kOk;
  }
  if (text.empty()) {
    std::cout << before_label << " and " << after_label << " are the same\n";
    return kOk;
  }
  std::cout << "changes from " << before_label << " to " << after_label << ":\n";
  for (const auto& c : changes) std::cout << "  " << c << "\n";
  if (changes.empty()) std::cout << "  (layout and comments only)\n";
  std::cout << "\n" << text;
  return kOk;
}

std::string pad(std::string s, std::size_t n) {
  if (s.size() < n) s.resize(n, ' ');
  return s;
}

// Who acknowledges or resolves: --by, else LOOKOUT_USER, else USER; "" when none.
std::string who(const std::string& by) {
  if (!by.empty()) return by;
  for (const char* name : {"LOOKOUT_USER", "USER"}) {
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') return v;
  }
  return {};
}

// An id as one path segment: '/' is encoded too.
std::string path_segment(const std::string& id) {
  std::string segment;
  for (char c : ctl::url_encode(id)) segment += c == '/' ? std::string("%2F") : std::string(1, c);
  return segment;
}

// incidents ack|resolve ID: POST /v1/incidents/ID/ack|resolve {"by", "note"}.
int change_incident(Globals& g, const std::string& action, const std::string& id, const std::string& by_flag,
                    const std::string& note) {
  std::string by = who(by_flag);
  if (by.find_first_not_of(" \t") == std::string::npos) {
    std::cerr << "lookoutctl: who " << (action == "ack" ? "acknowledges" : "resolves")
              << " it? Pass --by NAME (or set LOOKOUT_USER)\n";
    return kUsage;
  }
  json body = {{"by", by}};
  if (!note.empty()) body["note"] = note;
  json reply;
  int rc = call(g, "POST", "/v1/incidents/" + path_segment(id) + "/" + action, body.dump(), reply, "application/json");
  if (rc != kOk) return rc;
  if (g.json_output) {
    std::cout << reply.dump(2) << "\n";
  } else {
    std::cout << reply.value("id", id) << " " << (action == "ack" ? "acknowledged" : "resolved") << " by " << by
              << "; it is now " << reply.value("state", "?") << "\n";
  }
  return kOk;
}

// incidents assign ID --role R --staff S: POST /v1/incidents/ID/assign {"role", "staff", "by"}.
int assign_incident(Globals& g, const std::string& id, const std::string& role, const std::string& staff,
                    const std::string& by_flag) {
  std::string by = who(by_flag);
  if (by.find_first_not_of(" \t") == std::string::npos) {
    std::cerr << "lookoutctl: who assigns? Pass --by NAME (or set LOOKOUT_USER)\n";
    return kUsage;
  }
  json reply;
  int rc = call(g, "POST", "/v1/incidents/" + path_segment(id) + "/assign",
                json{{"role", role}, {"staff", staff}, {"by", by}}.dump(), reply, "application/json");
  if (rc != kOk) return rc;
  if (g.json_output) {
    std::cout << reply.dump(2) << "\n";
    return kOk;
  }
  std::string name = reply.contains("staff_name") && reply["staff_name"].is_string()
                         ? reply["staff_name"].get<std::string>() + " (" + staff + ")"
                         : staff;
  std::cout << reply.value("assignment", "?") << ": " << role << " at " << id << " offered to " << name << " by "
            << by;
  if (reply.contains("respond_by")) std::cout << "; respond by " << reply["respond_by"].get<std::string>();
  std::cout << "\n";
  return kOk;
}

// silence add: POST /v1/silences with the request as the engine reads it (only the keys given).
struct SilenceRequest {
  std::string place, sensor, plan, hazard, starts, ends, every, time_zone, comment, by;
};

int add_silence(Globals& g, const SilenceRequest& in) {
  std::string by = who(in.by);
  if (by.find_first_not_of(" \t") == std::string::npos) {
    std::cerr << "lookoutctl: who silences these alerts? Pass --by NAME (or set LOOKOUT_USER)\n";
    return kUsage;
  }
  json body = json::object();
  for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"place", &in.place},
                                   {"sensor", &in.sensor},
                                   {"plan", &in.plan},
                                   {"hazard", &in.hazard},
                                   {"starts", &in.starts},
                                   {"ends", &in.ends},
                                   {"every", &in.every},
                                   {"time_zone", &in.time_zone},
                                   {"comment", &in.comment}}) {
    if (!value->empty()) body[key] = *value;
  }
  body["by"] = by;
  json reply;
  int rc = call(g, "POST", "/v1/silences", body.dump(), reply, "application/json");
  if (rc != kOk) return rc;
  if (g.json_output) {
    std::cout << reply.dump(2) << "\n";
  } else {
    std::cout << reply.value("silence", "?") << " added by " << by << "\n";
  }
  return kOk;
}

// silence list, as text: one line per silence.
void print_silences(const json& reply) {
  if (reply["silences"].empty()) {
    std::cout << "no silences\n";
    return;
  }
  auto text = [](const json& s, const char* key) {
    auto it = s.find(key);
    return it != s.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  for (const auto& s : reply["silences"]) {
    std::string matchers;
    for (const char* key : {"place", "sensor", "plan", "hazard"}) {
      if (auto v = text(s, key); !v.empty()) matchers += (matchers.empty() ? "" : ", ") + std::string(key) + " " + v;
    }
    std::string when;
    if (text(s, "state") == "pending") when = "from " + text(s, "starts");
    if (auto ends = text(s, "ends"); !ends.empty()) when += (when.empty() ? "" : " ") + std::string("until ") + ends;
    if (auto every = text(s, "every"); !every.empty()) {
      when += (when.empty() ? "" : ", ") + std::string("every ") + every + " (" + text(s, "time_zone") + ")";
    }
    std::cout << pad(text(s, "id"), 10) << pad(text(s, "state"), 9) << pad(matchers, 30) << "  " << pad(when, 40)
              << "  by " << text(s, "created_by");
    if (auto comment = text(s, "comment"); !comment.empty()) std::cout << ": " << comment;
    std::cout << "\n";
  }
}

// silence remove ID: DELETE /v1/silences/ID {"by"}.
int remove_silence(Globals& g, const std::string& id, const std::string& by_flag) {
  std::string by = who(by_flag);
  if (by.find_first_not_of(" \t") == std::string::npos) {
    std::cerr << "lookoutctl: who removes the silence? Pass --by NAME (or set LOOKOUT_USER)\n";
    return kUsage;
  }
  json reply;
  int rc = call(g, "DELETE", "/v1/silences/" + path_segment(id), json{{"by", by}}.dump(), reply, "application/json");
  if (rc != kOk) return rc;
  if (g.json_output) {
    std::cout << reply.dump(2) << "\n";
  } else {
    std::cout << reply.value("removed", id) << " removed by " << by << "\n";
  }
  return kOk;
}

// incidents show ID, as text: the summary, the alerts, the assignments and the timeline.
void print_incident(const json& in) {
  std::cout << in["id"].get<std::string>() << ": level " << in["level"].get<std::string>() << " ("
            << in["color"].get<std::string>() << "), " << in["state"].get<std::string>() << ", plan "
            << in["plan"].get<std::string>() << " v" << in["plan_version"] << "\nplace "
            << in["place"].get<std::string>() << " (" << in["place_name"].get<std::string>() << ")\nopened "
            << in["opened"].get<std::string>() << "\n";
  if (in.contains("acknowledged_by")) {
    std::cout << "acknowledged by " << in["acknowledged_by"].get<std::string>() << " at "
              << in.value("acknowledged_at", "?") << "\n";
  }
  if (in.contains("resolved_by")) {
    std::cout << "resolved by " << in["resolved_by"].get<std::string>() << " at " << in.value("resolved_at", "?")
              << "\n";
  }
  if (in.contains("reopened")) std::cout << "reopened " << in["reopened"] << " time(s)\n";
  std::cout << "trigger: " << in["trigger"]["quantity"].get<std::string>() << " " << in["trigger"]["value"] << " "
            << in["trigger"]["unit"].get<std::string>() << " from " << in["trigger"]["sensor"].get<std::string>()
            << " at " << in["trigger"]["time"].get<std::string>() << "\nalerts:\n";
  for (const auto& a : in["alerts"]) {
    std::cout << "  " << a["sent"].get<std::string>() << "  " << pad(a["msgType"].get<std::string>(), 7) << " level "
              << pad(a["level"].get<std::string>(), 4) << a["identifier"].get<std::string>() << "\n";
  }
  if (in.contains("assignments")) {
    std::cout << "assignments:" << (in["assignments"].empty() ? " none\n" : "\n");
    for (const auto& a : in["assignments"]) {
      std::string staff = a.value("staff", "?");
      if (a.contains("staff_name") && a["staff_name"].is_string()) {
        staff = a["staff_name"].get<std::string>() + " (" + staff + ")";
      }
      std::string state = a.value("state", "?");
      std::cout << "  " << pad(a.value("id", "?"), 10) << pad(a.value("role", "?"), 16) << pad(staff, 28)
                << pad(state, 10);
      if (state == "offered") std::cout << "respond by " << a.value("respond_by", "?");
      else std::cout << "since " << a.value("updated", "?");
      if (auto by = a.value("assigned_by", ""); !by.empty() && by != "engine") {
        std::cout << "  (assigned by " << by << ")";
      }
      if (auto note = a.value("note", ""); !note.empty()) std::cout << "  note: " << note;
      std::cout << "\n";
    }
  }
  if (in.contains("timeline")) {
    std::cout << "timeline:\n";
    for (const auto& e : in["timeline"]) {
      std::string head = "  " + e.value("time", "?") + "  " + pad(e.value("kind", "?"), 21) + pad(e.value("level", ""), 4);
      // A note's further lines stay in the cause column.
      std::string cause;
      for (char c : e.value("cause", "")) {
        if (c == '\r') continue;
        cause += c;
        if (c == '\n') cause += std::string(head.size(), ' ');
      }
      std::cout << head << cause << "\n";
    }
  } else {
    std::cout << "timeline: not available (" << in.value("timeline_error", "the engine sent none") << ")\n";
  }
}

// One line per member: id, kind, home, when on duty (in the member's time zone), roles.
void print_staff(const json& reply) {
  if (reply["staff"].empty()) std::cout << "no staff registered\n";
  for (const auto& item : reply["staff"]) {
    auto m = sensors::staff_from_json(item.dump());
    if (!m.is_ok()) {
      std::cout << item.value("id", "?") << ": " << m.status().message() << "\n";
      continue;
    }
    std::string duty = m->on_call_always ? "on call always" : sensors::format_shifts(m->shifts);
    std::string roles;
    for (const auto& r : m->roles) roles += (roles.empty() ? "" : ",") + r;
    if (m->all_round) roles += roles.empty() ? "all-round" : " (all-round)";
    std::cout << pad(m->id, 16) << pad(std::string(sensors::staff_kind_name(m->kind)), 20) << pad(m->home.str(), 20)
              << duty << " (" << m->time_zone << ")  " << roles << "  " << m->name << "\n";
  }
}

// The ids of a registry listing ({"sensors": [{"id": ...}, ...]}).
std::vector<std::string> ids_of(const json& reply, const char* key) {
  std::vector<std::string> ids;
  if (!reply.contains(key) || !reply[key].is_array()) return ids;
  for (const auto& item : reply[key]) {
    if (item.is_object() && item.contains("id") && item["id"].is_string()) ids.push_back(item["id"].get<std::string>());
  }
  return ids;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// acl generate: the registries over the admin API, a Mosquitto acl_file out
// (docs/security.md). Written to a temporary file and renamed, so that a broker
// reloading meanwhile never reads half a file.
int acl_generate(Globals& g, const std::string& out, ctl::AclOptions options) {
  json status, sensors, staff;
  int rc = call(g, "GET", "/v1/status", "", status);
  if (rc == kOk) rc = call(g, "GET", "/v1/sensors", "", sensors);
  if (rc == kOk) rc = call(g, "GET", "/v1/staff", "", staff);
  if (rc != kOk) return rc;
  if (!status.contains("topic_prefix") || !status["topic_prefix"].is_string()) {
    std::cerr << "lookoutctl: the engine did not say its topic prefix (GET /v1/status has no topic_prefix)\n";
    return kFailed;
  }
  const std::string prefix = status["topic_prefix"].get<std::string>();
  const auto sensor_ids = ids_of(sensors, "sensors");
  const auto staff_ids = ids_of(staff, "staff");
  options.engine = g.engine;
  options.generated_at = utc_now();
  auto acl = ctl::generate_acl(prefix, sensor_ids, staff_ids, options);
  if (!acl.is_ok()) {
    std::cerr << "lookoutctl: cannot generate the ACL: " << acl.status().message() << "\n";
    return kFailed;
  }
  if (!out.empty()) {
    const std::string tmp = out + ".tmp";
    {
      std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
      file << *acl;
      file.close();
      if (!file) {
        std::cerr << "lookoutctl: cannot write " << tmp << "\n";
        return kFailed;
      }
    }
    std::error_code ec;
    fs::rename(tmp, out, ec);
    if (ec) {
      std::cerr << "lookoutctl: cannot write " << out << ": " << ec.message() << "\n";
      fs::remove(tmp, ec);
      return kFailed;
    }
  }
  if (g.json_output) {
    json j = {{"topic_prefix", prefix}, {"sensors", sensor_ids.size()}, {"staff", staff_ids.size()},
              {"engine_user", options.engine_user}};
    if (out.empty()) {
      j["acl"] = *acl;
    } else {
      j["file"] = out;
    }
    std::cout << j.dump(2) << "\n";
  } else if (out.empty()) {
    std::cout << *acl;
  } else {
    std::cout << "wrote " << out << ": " << sensor_ids.size() << " sensor(s), " << staff_ids.size()
              << " staff member(s), topic prefix " << prefix << "; reload Mosquitto to apply it\n";
  }
  return kOk;
}

}  // namespace

int main(int argc, char** argv) {
  Globals g;
  g.data_dir = std::getenv("LOOKOUT_DATA_DIR") ? std::getenv("LOOKOUT_DATA_DIR") : "./var";
  CLI::App app{"lookoutctl: manage a Lookout engine (plans, registries, incidents, silences)"};
  app.footer(
      "The engine is found from --engine/--token, else LOOKOUT_ENGINE/LOOKOUT_TOKEN, else the admin.json\n"
      "the engine wrote in its data directory (--data-dir, LOOKOUT_DATA_DIR, default ./var).\n"
      "Exit status: 0 success, 1 refused or failed, 2 usage error, 3 no engine reachable.");
  app.require_subcommand(1);
  // Global options may come after the subcommand too (lookoutctl plan list --json):
  // subcommands created below inherit this.
  app.fallthrough();
  app.add_option("--engine", g.engine, "admin API URL, e.g. http://127.0.0.1:8470");
  app.add_option("--token", g.token, "admin API token");
  app.add_option("--data-dir", g.data_dir, "the engine's data directory (for admin.json)");
  app.add_flag("--json", g.json_output, "print JSON for scripts");

  int rc = kOk;
  // drill run: offline, like plan validate.
  ctl::DrillArgs drill_args;
  auto* drill = app.add_subcommand("drill", "drills: run plans against scenarios");
  drill->require_subcommand(1);
  auto* drill_run_cmd = drill->add_subcommand(
      "run", "play a scenario in virtual time against its plans (no engine needed); non-zero exit when an "
             "expectation fails (1) or the scenario does not load (2)");
  drill_run_cmd->add_option("scenario", drill_args.scenario, "scenario file (YAML, docs/drills.md)")
      ->required()
      ->check(CLI::ExistingFile);
  drill_run_cmd->add_option("--seed", drill_args.seed, "random seed for noise and staff behaviour (default: the scenario's)");
  drill_run_cmd->add_option("--runs", drill_args.runs, "repeat with this many seeds and report the distributions")
      ->check(CLI::Range(1, 100000));
  drill_run_cmd->add_option("--out", drill_args.out_dir, "write the report here as .md, .json and .html");
  drill_run_cmd->add_flag("--live", drill_args.live,
                          "play it over the broker against the running engine, in real time: real staff get real "
                          "assignments marked drill, every alert is Exercise");
  drill_run_cmd->add_option("--id", drill_args.id, "--live: the drill id (default <scenario>-<UTC time>)");
  drill_run_cmd->add_option("--by", drill_args.by, "--live: who runs the drill (default: $LOOKOUT_USER, else $USER)");
  drill_run_cmd->add_option("--broker", drill_args.broker, "--live: MQTT broker URI (default: the engine's)");
  drill_run_cmd->add_option("--mqtt-username", drill_args.mqtt_username,
                            "--live: broker user name (password from LOOKOUT_MQTT_PASSWORD)");
  drill_run_cmd->add_flag("--engine-plans", drill_args.engine_plans,
                          "--live: drill the plans the engine runs instead of the scenario's");
  drill_run_cmd->add_flag("--simulate-staff", drill_args.simulate_staff,
                          "--live: answer assignments as the scenario's staff_behaviour says (a rehearsal with "
                          "nobody on the phones)");
  drill_run_cmd->callback([&] {
    drill_args.json_output = g.json_output;
    if (!drill_args.live) {
      rc = ctl::drill_run(drill_args);
      return;
    }
    drill_args.by = who(drill_args.by);
    rc = ctl::drill_run_live(drill_args, [&](const std::string& method, const std::string& target,
                                             const std::string& body, json& reply) {
      return call(g, method, target, body, reply, "application/json");
    });
  });

  auto* drill_list_cmd = drill->add_subcommand("list", "the live drills the engine runs now");
  drill_list_cmd->callback([&] {
    rc = simple_get(g, "/v1/drills", [](const json& r) {
      if (r["drills"].empty()) std::cout << "no live drill is running\n";
      for (const auto& d : r["drills"]) {
        std::cout << pad(d["drill"].get<std::string>(), 40) << " started " << d["started"].get<std::string>()
                  << ", ends by " << d["ends"].get<std::string>() << ", " << d["incidents"].size() << " incident(s)"
                  << (d["by"].get<std::string>().empty() ? "" : ", run by " + d["by"].get<std::string>()) << "\n";
      }
    });
  });
  std::string drill_stop_id, drill_stop_by;
  auto* drill_stop_cmd = drill->add_subcommand(
      "stop", "end a live drill now: its open incidents are cancelled (Exercise) and its staff released");
  drill_stop_cmd->add_option("id", drill_stop_id, "drill id (drill list shows them)")->required();
  drill_stop_cmd->add_option("--by", drill_stop_by, "who (default: $LOOKOUT_USER, else $USER)");
  drill_stop_cmd->callback([&] {
    json reply;
    rc = call(g, "POST", "/v1/drills/" + ctl::url_encode(drill_stop_id) + "/stop",
              json{{"by", who(drill_stop_by)}}.dump(), reply, "application/json");
    if (rc != kOk) return;
    if (g.json_output) {
      std::cout << reply.dump(2) << "\n";
    } else {
      std::cout << "drill " << reply["drill"].get<std::string>() << " ended: " << reply["stats"]["alerts"]
                << " alert(s), " << reply["stats"]["assignments_offered"] << " assignment(s) offered, "
                << reply["stats"]["assignments_accepted"] << " accepted\n";
    }
  });

  auto* plan = app.add_subcommand("plan", "contingency plans");
  plan->require_subcommand(1);
  std::vector<std::string> validate_files;
  auto* validate = plan->add_subcommand("validate", "check plan files without an engine; non-zero exit on any error");
  validate->add_option("files", validate_files, "plan files (YAML)")->required()->check(CLI::ExistingFile);
  validate->callback([&] { rc = plan_validate(g, validate_files); });

  std::string apply_file;
  auto* apply = plan->add_subcommand("apply", "check and store a plan in the engine; it takes effect at once");
  apply->add_option("file", apply_file, "plan file (YAML)")->required()->check(CLI::ExistingFile);
  apply->callback([&] { rc = plan_apply(g, apply_file); });

  auto* list = plan->add_subcommand("list", "the plans the engine runs");
  list->callback([&] {
    rc = simple_get(g, "/v1/plans", [](const json& r) {
      if (r["plans"].empty()) std::cout << "no plans applied\n";
      for (const auto& p : r["plans"]) {
        std::string levels;
        for (const auto& l : p["levels"]) levels += (levels.empty() ? "" : ",") + l.get<std::string>();
        std::cout << pad(p["id"].get<std::string>(), 24) << " v" << pad(std::to_string(p["version"].get<int>()), 4)
                  << pad(levels, 14) << p["title"].get<std::string>() << "  (applied " << p["applied"].get<std::string>()
                  << ")\n";
      }
    });
  });

  std::string show_id;
  unsigned show_version = 0;
  auto* show = plan->add_subcommand("show", "one plan: summary and source");
  show->add_option("id", show_id, "plan id")->required();
  show->add_option("--version", show_version, "an older stored version (default: the running one)");
  show->callback([&] {
    std::string target = "/v1/plans/" + ctl::url_encode(show_id);
    if (show_version) target += "?version=" + std::to_string(show_version);
    rc = simple_get(g, target, [](const json& p) {
      std::cout << p["id"].get<std::string>() << " version " << p["version"] << ": " << p["title"].get<std::string>()
                << "\napplied " << p["applied"].get<std::string>() << " from " << p["file"].get<std::string>() << "\n";
      for (const auto& r : p["rules"]) {
        std::cout << "  level " << pad(r["level"].get<std::string>(), 4) << "(" << r["color"].get<std::string>()
                  << ") when " << r["when"].get<std::string>() << "\n";
      }
      std::cout << "---\n" << p["source"].get<std::string>();
    });
  });

  std::string diff_target;
  unsigned diff_version = 0, diff_to = 0;
  auto* diff = plan->add_subcommand(
      "diff", "what changes: a plan FILE against the running version, or ID --version N [--to M] between stored versions");
  diff->add_option("plan", diff_target, "a plan file, or a plan id with --version")->required();
  diff->add_option("--version", diff_version, "the stored version to compare from (with a plan id)");
  diff->add_option("--to", diff_to, "the stored version to compare to (default: the running one)");
  diff->callback([&] { rc = plan_diff(g, diff_target, diff_version, diff_to); });

  for (std::string what : {"places", "sensors", "staff"}) {
    auto* cmd = app.add_subcommand(what, what == "places"    ? "the place registry"
                                         : what == "sensors" ? "the sensor registry"
                                                             : "the staff roster: who can be assigned, and when");
    cmd->require_subcommand(1);
    auto file = std::make_shared<std::string>();
    auto* import = cmd->add_subcommand("import", "import " + what + " from a CSV or YAML file (all or nothing)");
    import->add_option("file", *file, "CSV or YAML file")->required()->check(CLI::ExistingFile);
    import->callback([&, what, file] { rc = import_file(g, what, *file); });
    auto* ls = cmd->add_subcommand("list", "list the registered " + what);
    ls->callback([&, what] {
      rc = simple_get(g, "/v1/" + what, [what](const json& r) {
        if (what == "staff") return print_staff(r);
        for (const auto& item : r[what]) {
          if (what == "places") {
            std::cout << pad(item["path"].get<std::string>(), 28) << item.value("name", "") << "\n";
          } else {
            std::cout << pad(item["id"].get<std::string>(), 20) << pad(item["place"].get<std::string>(), 28)
                      << item["kind"].get<std::string>() << "\n";
          }
        }
      });
    });
  }

  auto* incidents = app.add_subcommand("incidents", "live incidents: list, show, acknowledge, resolve, assign");
  incidents->require_subcommand(1);
  std::string list_state;
  auto* ilist = incidents->add_subcommand("list", "all incidents (id, level, color, state, plan, place)");
  ilist->add_option("--state", list_state, "only incidents in this state; active: open, acknowledged or responding")
      ->check(CLI::IsMember({"open", "acknowledged", "responding", "resolved", "closed", "active"}));
  ilist->callback([&] {
    std::string target = "/v1/incidents";
    if (!list_state.empty()) target += "?state=" + ctl::url_encode(list_state);
    rc = simple_get(g, target, [](const json& r) {
      if (r["incidents"].empty()) std::cout << "no incidents\n";
      for (const auto& in : r["incidents"]) {
        std::cout << pad(in["id"].get<std::string>(), 12) << pad(in["level"].get<std::string>(), 4)
                  << pad(in["color"].get<std::string>(), 8) << pad(in["state"].get<std::string>(), 14)
                  << pad(in["plan"].get<std::string>(), 20) << in["place"].get<std::string>() << "  ("
                  << in["place_name"].get<std::string>() << ", opened " << in["opened"].get<std::string>() << ")\n";
      }
    });
  });
  std::string incident_id;
  auto* ishow =
      incidents->add_subcommand("show", "one incident: the alerts sent for it, its assignments and its timeline");
  ishow->add_option("id", incident_id, "incident id")->required();
  ishow->callback([&] { rc = simple_get(g, "/v1/incidents/" + ctl::url_encode(incident_id), print_incident); });

  // ack and resolve: who did it goes into the timeline (and, on resolve, the CAP Cancel's note).
  for (std::string action : {"ack", "resolve"}) {
    auto id = std::make_shared<std::string>();
    auto by = std::make_shared<std::string>();
    auto note = std::make_shared<std::string>();
    auto* cmd = incidents->add_subcommand(
        action, action == "ack" ? "acknowledge an open incident: someone is on it"
                                : "resolve an incident: sends the CAP Cancel (all clear) referring to its alerts");
    cmd->add_option("id", *id, "incident id, e.g. inc-000001")->required();
    cmd->add_option("--by", *by, "who (up to 128 characters); default: $LOOKOUT_USER, else $USER");
    cmd->add_option("--note", *note, "why, for the timeline (up to 1024 characters)");
    cmd->footer(action == "ack" ? "Refused (exit 1) when the incident is not open, e.g. already acknowledged."
                                : "Refused (exit 1) when the incident is already resolved or closed.");
    cmd->callback([&, action, id, by, note] { rc = change_incident(g, action, *id, *by, *note); });
  }

  std::string assign_id, assign_role, assign_staff, assign_by;
  auto* iassign = incidents->add_subcommand(
      "assign", "assign a staff member to a role of an open incident by hand (no ranking; the member is notified)");
  iassign->add_option("id", assign_id, "incident id, e.g. inc-000001")->required();
  iassign->add_option("--role", assign_role, "the role to fill, e.g. fire_warden")->required();
  iassign->add_option("--staff", assign_staff, "the staff member's id in the roster, e.g. w-zhang")->required();
  iassign->add_option("--by", assign_by, "who assigns (up to 128 characters); default: $LOOKOUT_USER, else $USER");
  iassign->footer(
      "The member gets the assignment with the usual deadline to answer. Refused (exit 1) when the incident\n"
      "or the member does not exist, the incident is not open, or the member already has an assignment for it.");
  iassign->callback([&] { rc = assign_incident(g, assign_id, assign_role, assign_staff, assign_by); });

  auto* silence =
      app.add_subcommand("silence", "hold back alerts for a while (maintenance, a known cause): add, list, remove");
  silence->require_subcommand(1);
  SilenceRequest silence_request;
  auto* sadd = silence->add_subcommand(
      "add", "add a silence: alerts it matches are recorded, not sent, while it is in effect");
  sadd->add_option("--place", silence_request.place, "a place or pattern, e.g. xc/hl/qy/g03/b12 or xc/hl/qy/**");
  sadd->add_option("--sensor", silence_request.sensor, "a sensor id");
  sadd->add_option("--plan", silence_request.plan, "a plan id");
  sadd->add_option("--hazard", silence_request.hazard, "a hazard as plans name it, e.g. fire");
  sadd->add_option("--starts", silence_request.starts, "when it starts, ISO 8601 with offset (default: now)");
  sadd->add_option("--ends", silence_request.ends,
                   "when it ends, ISO 8601 with offset, e.g. 2026-11-21T18:00:00+08:00");
  sadd->add_option("--every", silence_request.every, "weekly shifts it is in effect, e.g. \"tue 09:00-11:00\"");
  sadd->add_option("--time-zone", silence_request.time_zone, "IANA time zone for --every (default: the engine's)");
  sadd->add_option("--comment", silence_request.comment, "why (up to 1000 bytes)");
  sadd->add_option("--by", silence_request.by, "who (up to 128 bytes); default: $LOOKOUT_USER, else $USER");
  sadd->footer(
      "A silence names at least one of --place, --sensor, --plan, --hazard (all given must match), and ends\n"
      "(--ends) or recurs (--every): one that would hold back every alert, or forever, is refused (exit 1).");
  sadd->callback([&] { rc = add_silence(g, silence_request); });

  auto* slist = silence->add_subcommand("list", "the silences (id, state, matchers, when, by, comment)");
  slist->footer("state: pending (not started), active (holding alerts back now), waiting (recurring, between its\n"
                "shifts) or expired.");
  slist->callback([&] { rc = simple_get(g, "/v1/silences", print_silences); });

  std::string remove_id, remove_by;
  auto* sremove = silence->add_subcommand("remove", "remove a silence: matching alerts are sent again from now on");
  sremove->add_option("id", remove_id, "silence id, e.g. s-000001")->required();
  sremove->add_option("--by", remove_by, "who (up to 128 characters); default: $LOOKOUT_USER, else $USER");
  sremove->footer("Refused (exit 1) when there is no such silence.");
  sremove->callback([&] { rc = remove_silence(g, remove_id, remove_by); });

  auto* acl = app.add_subcommand("acl", "broker access control: a Mosquitto ACL from the registries");
  acl->require_subcommand(1);
  std::string acl_out;
  ctl::AclOptions acl_options;
  auto* acl_generate_cmd = acl->add_subcommand(
      "generate", "print (or --out FILE) a Mosquitto acl_file: each sensor publishes only its own topics, each staff "
                  "member reads only their own assignments and notices and answers only as themselves");
  acl_generate_cmd->add_option("--out", acl_out, "write it to FILE (replaced whole) instead of printing it")
      ->type_name("FILE");
  acl_generate_cmd->add_option("--engine-user", acl_options.engine_user, "the engine's broker user (its mqtt_username)")
      ->type_name("NAME")
      ->capture_default_str();
  acl_generate_cmd->add_option("--drill-user", acl_options.drill_user,
                               "the broker user of `drill run --live` (the drill namespace); \"\": none")
      ->type_name("NAME")
      ->capture_default_str();
  acl_generate_cmd->add_option("--alert-gateway-user", acl_options.alert_gateway_users,
                               "a user that reads the alerts (SMS, loudspeakers, panels); repeatable")
      ->type_name("NAME");
  acl_generate_cmd->add_option("--reporter-user", acl_options.reporter_users,
                               "a user that sends reports and reads receipts (hotline, resident app); repeatable")
      ->type_name("NAME");
  acl_generate_cmd->footer(
      "Broker user names are the sensor ids and staff ids of the engine's registries, plus the users above.\n"
      "Use the file as acl_file, with a password_file (mosquitto_passwd) and allow_anonymous false, and\n"
      "generate it again whenever the registries change (docs/security.md). Refused (exit 1) when an id\n"
      "cannot be a broker user name (whitespace, '+', '#', '/', ':') or is two kinds of user.");
  acl_generate_cmd->callback([&] { rc = acl_generate(g, acl_out, acl_options); });

  app.add_subcommand("status", "engine health and counters")->callback([&] {
    rc = simple_get(g, "/v1/status", [](const json& s) {
      std::cout << "engine: " << s["status"].get<std::string>() << "  (broker " << s["broker"].get<std::string>()
                << ", store " << s["store"].get<std::string>() << ")\n"
                << "plans " << s["plans"] << ", places " << s["places"] << ", sensors " << s["sensors"]
                << ", staff " << s.value("staff", 0) << ", open incidents " << s["open_incidents"] << "\n";
      for (const auto& [k, v] : s["counters"].items()) std::cout << "  " << pad(k, 24) << v << "\n";
    });
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return rc;
}
