#include "lookout/engine/admin_server.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <date/tz.h>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <iterator>

#include "lookout/base/time_format.h"

namespace lookout::engine {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using nlohmann::json;

namespace {

struct Reply {
  http::status status = http::status::ok;
  json body;
};

Reply error_reply(http::status status, const std::string& message) { return {status, {{"error", message}}}; }

// True when the request's Authorization header carries the token. Compares SHA-256
// digests with OpenSSL's constant-time CRYPTO_memcmp, so neither the time taken nor an
// early mismatch tells a caller how much of a guess was right, or how long the token is.
bool authorized(std::string_view header, const std::string& token) {
  if (token.empty()) return false;
  const std::string expected = "Bearer " + token;
  unsigned char given_digest[SHA256_DIGEST_LENGTH];
  unsigned char expected_digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(header.data()), header.size(), given_digest);
  SHA256(reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), expected_digest);
  return CRYPTO_memcmp(given_digest, expected_digest, SHA256_DIGEST_LENGTH) == 0;
}

Reply status_reply(const Status& s) {
  http::status code = http::status::internal_server_error;
  switch (s.code()) {
    case Status::Code::kInvalidArgument: code = http::status::unprocessable_entity; break;
    case Status::Code::kNotFound: code = http::status::not_found; break;
    case Status::Code::kUnavailable:
    case Status::Code::kIoError: code = http::status::service_unavailable; break;
    default: break;
  }
  return error_reply(code, s.to_string());
}

json diagnostics_json(const Diagnostics& ds) {
  json out = json::array();
  for (const auto& d : ds) {
    out.push_back({{"file", d.file}, {"line", d.line}, {"column", d.column}, {"message", d.message},
                   {"text", d.to_string()}});
  }
  return out;
}

// "/v1/plans/fire?version=2" -> path "/v1/plans/fire", query {"version": "2"}.
void split_target(std::string_view target, std::string& path, std::map<std::string, std::string>& query) {
  auto q = target.find('?');
  path = std::string(target.substr(0, q));
  if (q == std::string_view::npos) return;
  auto rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    auto eq = pair.find('=');
    std::string key(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1));
    // Percent-decoding of the few characters file names use.
    std::string decoded;
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (value[i] == '%' && i + 2 < value.size()) {
        int v = 0;
        auto [p, ec] = std::from_chars(value.data() + i + 1, value.data() + i + 3, v, 16);
        if (ec == std::errc() && p == value.data() + i + 3) {
          decoded += static_cast<char>(v);
          i += 2;
          continue;
        }
      }
      decoded += value[i] == '+' ? ' ' : value[i];
    }
    query[key] = decoded;
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
}

// An acknowledge or resolve request: {"by": "...", "note": "..."}.
struct LifecycleRequest {
  std::string by;
  std::string note;
};

constexpr std::size_t kMaxByChars = 128;
constexpr std::size_t kMaxNoteChars = 1024;

// Characters (code points) in UTF-8 text; the JSON parser has checked it is valid.
std::size_t utf8_chars(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Control characters would end up in the timeline and in CAP XML, where most of them
// are not allowed; a note may have line breaks and tabs.
bool has_control(std::string_view s, bool allow_line_breaks) {
  for (unsigned char c : s) {
    if (allow_line_breaks && (c == '\n' || c == '\r' || c == '\t')) continue;
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

// What is wrong with a `by` (who did it), or "" when it is fine.
std::string check_by(const std::string& by) {
  if (by.find_first_not_of(" \t") == std::string::npos) return "\"by\" must name someone (it is blank)";
  if (utf8_chars(by) > kMaxByChars) return "\"by\" is longer than " + std::to_string(kMaxByChars) + " characters";
  if (has_control(by, false)) return "\"by\" must not contain control characters";
  return {};
}

// Checks the body; returns what is wrong with it, or "" when it is fine.
std::string parse_lifecycle(const std::string& body, LifecycleRequest& out) {
  const std::string shape = R"(expected {"by": "who", "note": "optional text"})";
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return "the body is not JSON (or not UTF-8): " + shape;
  if (!j.is_object()) return "the body must be a JSON object: " + shape;
  for (const auto& [key, value] : j.items()) {
    if (key != "by" && key != "note") return "unknown field \"" + key + "\": " + shape;
  }
  auto by = j.find("by");
  if (by == j.end()) return "\"by\" is required: who acknowledges or resolves the incident";
  if (!by->is_string()) return "\"by\" must be a string";
  out.by = by->get<std::string>();
  if (auto problem = check_by(out.by); !problem.empty()) return problem;
  if (auto note = j.find("note"); note != j.end() && !note->is_null()) {
    if (!note->is_string()) return "\"note\" must be a string";
    out.note = note->get<std::string>();
    if (utf8_chars(out.note) > kMaxNoteChars) {
      return "\"note\" is longer than " + std::to_string(kMaxNoteChars) + " characters";
    }
    if (has_control(out.note, true)) return "\"note\" must not contain control characters other than line breaks and tabs";
  }
  return {};
}

// A manual assignment: {"role": "...", "staff": "...", "by": "..."}.
struct AssignRequest {
  std::string role;
  std::string staff;
  std::string by;
};

std::string parse_assign(const std::string& body, AssignRequest& out) {
  const std::string shape = R"(expected {"role": "fire_warden", "staff": "member id", "by": "who"})";
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return "the body is not JSON (or not UTF-8): " + shape;
  if (!j.is_object()) return "the body must be a JSON object: " + shape;
  for (const auto& [key, value] : j.items()) {
    if (key != "role" && key != "staff" && key != "by") return "unknown field \"" + key + "\": " + shape;
  }
  for (auto [key, field] : {std::pair<const char*, std::string*>{"role", &out.role}, {"staff", &out.staff},
                            {"by", &out.by}}) {
    auto it = j.find(key);
    if (it == j.end()) return "\"" + std::string(key) + "\" is required: " + shape;
    if (!it->is_string()) return "\"" + std::string(key) + "\" must be a string";
    *field = it->get<std::string>();
  }
  if (out.role.empty()) return "\"role\" must name a role of the incident's plan (it is empty)";
  if (out.staff.empty()) return "\"staff\" must be a staff member's id (it is empty)";
  return check_by(out.by);
}

// Who removes a silence: ?by=NAME, else a JSON body {"by": "..."}.
std::string parse_remover(const std::map<std::string, std::string>& query, const std::string& body, std::string& by) {
  const std::string shape = R"(expected ?by=NAME or a body {"by": "who"})";
  if (auto q = query.find("by"); q != query.end()) {
    by = q->second;
  } else if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    return "\"by\" is required: who removes the silence; " + shape;
  } else {
    auto j = json::parse(body, nullptr, false);
    if (j.is_discarded()) return "the body is not JSON (or not UTF-8): " + shape;
    if (!j.is_object()) return "the body must be a JSON object: " + shape;
    for (const auto& [key, value] : j.items()) {
      if (key != "by") return "unknown field \"" + key + "\": " + shape;
    }
    auto it = j.find("by");
    if (it == j.end()) return "\"by\" is required: who removes the silence; " + shape;
    if (!it->is_string()) return "\"by\" must be a string";
    by = it->get<std::string>();
  }
  return check_by(by);
}

// A coordinator's change refused by the core: 400 invalid, 404 not found, 409 not now.
Reply change_refused(const Status& s) {
  http::status code = http::status::internal_server_error;
  switch (s.code()) {
    case Status::Code::kInvalidArgument: code = http::status::bad_request; break;
    case Status::Code::kNotFound: code = http::status::not_found; break;
    case Status::Code::kFailedPrecondition:
    case Status::Code::kAlreadyExists: code = http::status::conflict; break;
    case Status::Code::kUnavailable:
    case Status::Code::kIoError: code = http::status::service_unavailable; break;
    default: break;
  }
  return error_reply(code, s.to_string());
}

// The incident states GET /v1/incidents?state= accepts; "active" is every state in
// which the incident still needs attention.
bool state_matches(std::string_view filter, std::string_view state) {
  if (filter == "active") return state == "open" || state == "acknowledged" || state == "responding";
  return filter == state;
}
constexpr std::string_view kStateFilters[] = {"open", "acknowledged", "responding", "resolved", "closed", "active"};

}  // namespace

struct AdminServer::Impl : std::enable_shared_from_this<Impl> {
  Strand strand;
  Core& core;
  AdminServerOptions options;
  LiveDrills* drills;
  tcp::acceptor acceptor;

  Impl(Strand s, Core& c, AdminServerOptions o, LiveDrills* d)
      : strand(s), core(c), options(std::move(o)), drills(d), acceptor(s) {}

  class Session : public std::enable_shared_from_this<Session> {
   public:
    Session(std::shared_ptr<Impl> server, tcp::socket socket) : server_(std::move(server)), stream_(std::move(socket)) {}
    void start() { do_read(); }

   private:
    void do_read() {
      parser_.emplace();
      parser_->body_limit(server_->options.max_body_bytes);
      stream_.expires_after(std::chrono::seconds(30));
      http::async_read(stream_, buffer_, *parser_,
                       net::bind_executor(server_->strand, [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         self->on_read(ec);
                       }));
    }
    void on_read(beast::error_code ec) {
      if (ec == http::error::end_of_stream || ec == net::error::operation_aborted) return close();
      if (ec) {
        if (ec == http::error::body_limit) {
          Reply r = error_reply(http::status::payload_too_large, "request body exceeds the limit");
          return write(r, false);
        }
        return close();
      }
      auto req = parser_->release();
      Reply reply = server_->handle(req);
      write(reply, req.keep_alive());
    }
    void write(const Reply& reply, bool keep_alive) {
      auto res = std::make_shared<http::response<http::string_body>>(reply.status, 11);
      res->set(http::field::server, "lookout");
      res->set(http::field::content_type, "application/json");
      res->keep_alive(keep_alive);
      res->body() = reply.body.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
      res->prepare_payload();
      http::async_write(stream_, *res,
                        net::bind_executor(server_->strand, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                          if (ec || !res->keep_alive()) return self->close();
                          self->do_read();
                        }));
    }
    void close() {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    std::shared_ptr<Impl> server_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
  };

  void do_accept() {
    acceptor.async_accept(net::bind_executor(strand, [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (!ec) std::make_shared<Session>(self, std::move(socket))->start();
      self->do_accept();
    }));
  }

  Reply handle(const http::request<http::string_body>& req) {
    std::string path;
    std::map<std::string, std::string> query;
    split_target(std::string_view(req.target().data(), req.target().size()), path, query);
    auto method = req.method();
    if (path == "/health" && method == http::verb::get) return health();
    auto auth = req[http::field::authorization];
    if (!authorized(std::string_view(auth.data(), auth.size()), options.token)) {
      return error_reply(http::status::unauthorized, "missing or wrong admin token (Authorization: Bearer <token>)");
    }
    const std::string plans_prefix = "/v1/plans/";
    if (path == "/v1/status" && method == http::verb::get) return status();
    if (path == "/v1/plans" && method == http::verb::get) return list_plans();
    if (path == "/v1/plans" && method == http::verb::post) return apply_plan(req.body(), query["file"]);
    if (path.rfind(plans_prefix, 0) == 0 && method == http::verb::get) {
      std::uint32_t version = 0;
      if (auto v = query.find("version"); v != query.end()) {
        auto [p, ec] = std::from_chars(v->second.data(), v->second.data() + v->second.size(), version);
        if (ec != std::errc() || version == 0) return error_reply(http::status::bad_request, "version must be 1 or more");
      }
      return show_plan(path.substr(plans_prefix.size()), version);
    }
    if (path == "/v1/places" && method == http::verb::post) return import(req.body(), query["file"], &Core::import_places);
    if (path == "/v1/sensors" && method == http::verb::post) {
      return import(req.body(), query["file"], &Core::import_sensors);
    }
    if (path == "/v1/staff" && method == http::verb::post) return import(req.body(), query["file"], &Core::import_staff);
    if (path == "/v1/places" && method == http::verb::get) return list_places();
    if (path == "/v1/sensors" && method == http::verb::get) return list_sensors();
    if (path == "/v1/staff" && method == http::verb::get) return list_staff();
    const std::string incidents_prefix = "/v1/incidents/";
    if (path == "/v1/incidents" && method == http::verb::get) {
      auto state = query.find("state");
      return list_incidents(state == query.end() ? std::string() : state->second);
    }
    if (path.rfind(incidents_prefix, 0) == 0 && method == http::verb::get) {
      return show_incident(path.substr(incidents_prefix.size()));
    }
    if (path.rfind(incidents_prefix, 0) == 0 && method == http::verb::post) {
      // /v1/incidents/ID/ack, /v1/incidents/ID/resolve
      auto rest = path.substr(incidents_prefix.size());
      auto slash = rest.rfind('/');
      if (slash != std::string::npos && slash > 0) {
        auto id = rest.substr(0, slash);
        auto action = rest.substr(slash + 1);
        if (action == "ack") return change_incident(id, req.body(), &Core::acknowledge);
        if (action == "resolve") return change_incident(id, req.body(), &Core::resolve);
        if (action == "assign") return assign(id, req.body());
      }
    }
    const std::string silences_prefix = "/v1/silences/";
    if (path == "/v1/silences" && method == http::verb::get) return list_silences();
    if (path == "/v1/silences" && method == http::verb::post) return add_silence(req.body());
    if (path.rfind(silences_prefix, 0) == 0 && path.size() > silences_prefix.size() &&
        method == http::verb::delete_) {
      return remove_silence(path.substr(silences_prefix.size()), query, req.body());
    }
    if (path == "/v1/drills" || path.rfind("/v1/drills/", 0) == 0) return drill_request(path, method, req.body());
    return error_reply(http::status::not_found, "no endpoint " + std::string(req.method_string()) + " " + path);
  }

  // /v1/drills: GET the running ones, POST to start one; /v1/drills/ID: GET one;
  // /v1/drills/ID/stop: POST {"by"} to end it.
  Reply drill_request(const std::string& path, http::verb method, const std::string& body) {
    if (drills == nullptr) return error_reply(http::status::not_found, "this engine runs no live drills");
    auto as_json = [](const StatusOr<std::string>& r) -> Reply {
      if (!r.is_ok()) return change_refused(r.status());
      return {http::status::ok, json::parse(*r)};
    };
    if (path == "/v1/drills" && method == http::verb::get) return {http::status::ok, {{"drills", json::parse(drills->list_json())}}};
    if (path == "/v1/drills" && method == http::verb::post) {
      Diagnostics diagnostics;
      auto r = drills->start(body, diagnostics);
      if (!r.is_ok()) {
        auto reply = change_refused(r.status());
        if (!diagnostics.empty()) reply.body["diagnostics"] = diagnostics_json(diagnostics);
        return reply;
      }
      return {http::status::created, json::parse(*r)};
    }
    std::string rest = path.substr(std::string_view("/v1/drills/").size());
    const auto slash = rest.find('/');
    const std::string id = rest.substr(0, slash);
    if (slash == std::string::npos && method == http::verb::get) return as_json(drills->info_json(id));
    if (slash != std::string::npos && rest.substr(slash + 1) == "stop" && method == http::verb::post) {
      std::string by;
      if (!body.empty()) {
        auto j = json::parse(body, nullptr, false);
        if (j.is_discarded() || !j.is_object() || (j.contains("by") && !j["by"].is_string())) {
          return error_reply(http::status::bad_request, "the body must be a JSON object: {\"by\": \"who ends the drill\"}");
        }
        by = j.value("by", "");
      }
      return as_json(drills->stop(id, by));
    }
    return error_reply(http::status::not_found, "no endpoint " + path);
  }

  std::string time_text(Time t) const {
    return format_cap_time(t, core.options().zone ? core.options().zone : date::locate_zone("UTC"));
  }

  Reply health() {
    bool ok = core.broker_connected() && core.store_healthy();
    return {http::status::ok,
            {{"status", ok ? "ok" : "degraded"},
             {"broker", core.broker_connected() ? "connected" : "disconnected"},
             {"store", core.store_healthy() ? "ok" : "failing"}}};
  }

  Reply status() {
    auto s = core.stats();
    auto h = health();
    h.body["counters"] = {{"messages", s.messages},           {"readings", s.readings},
                          {"readings_duplicate", s.readings_duplicate},
                          {"dead_letters", s.dead_letters},   {"alerts_sent", s.alerts_sent},
                          {"incidents_opened", s.incidents_opened}, {"store_errors", s.store_errors},
                          {"outbox_pending", s.outbox_pending}, {"unit_mismatches", s.unit_mismatches},
                          {"plan_evaluations", s.plan_evaluations}, {"reports", s.reports},
                          {"reports_duplicate", s.reports_duplicate}, {"incidents_resolved", s.incidents_resolved},
                          {"alerts_held_back", s.alerts_held_back}, {"alerts_silenced", s.alerts_silenced},
                          {"alerts_damped", s.alerts_damped},   {"reminders", s.reminders},
                          {"escalations", s.escalations},       {"notices", s.notices},
                          {"assignments_offered", s.assignments_offered},
                          {"assignments_accepted", s.assignments_accepted},
                          {"assignments_declined", s.assignments_declined},
                          {"assignments_unanswered", s.assignments_unanswered},
                          {"responses", s.responses}};
    h.body["plans"] = core.plans().size();
    h.body["places"] = core.places().size();
    h.body["sensors"] = core.sensors().size();
    h.body["staff"] = core.staff().size();
    std::size_t open = 0;
    for (const auto* in : core.incidents()) open += in->state != "closed";
    h.body["open_incidents"] = open;
    h.body["drills_running"] = drills ? drills->running() : 0;
    h.body["counters"]["inbound_queued"] = options.inbound_gate ? options.inbound_gate->queued() : 0;
    h.body["counters"]["inbound_shed"] = options.inbound_gate ? options.inbound_gate->shed() : 0;
    h.body["topic_prefix"] = core.options().topic_prefix;
    h.body["broker_uri"] = options.broker_uri;
    return h;
  }

  json plan_json(const PlanSummary& p) const {
    return {{"id", p.id},         {"title", p.title},       {"version", p.version}, {"label", p.label},
            {"applied", time_text(p.applied_at)}, {"levels", p.levels}, {"places", p.places}};
  }

  Reply list_plans() {
    json out = json::array();
    for (const auto& p : core.plans()) out.push_back(plan_json(p));
    return {http::status::ok, {{"plans", out}}};
  }

  Reply apply_plan(const std::string& body, std::string file) {
    if (file.empty()) file = "<request>";
    Diagnostics diagnostics;
    auto r = core.apply_plan(body, file, diagnostics);
    if (!r.is_ok()) {
      auto reply = status_reply(r.status());
      if (!diagnostics.empty()) reply.body["diagnostics"] = diagnostics_json(diagnostics);
      return reply;
    }
    return {http::status::ok, {{"version", r->version}, {"unchanged", r->unchanged}}};
  }

  Reply show_plan(const std::string& id, std::uint32_t version) {
    auto p = core.plan(id, version);
    if (!p.is_ok()) return status_reply(p.status());
    PlanSummary s{p->plan.id, p->plan.title, p->version, p->plan.version, p->applied_at, {}, {}};
    for (const auto& r : p->plan.levels) s.levels.emplace_back(plans::level_name(r.level));
    for (const auto& pl : p->plan.places) s.places.push_back(pl.str());
    auto body = plan_json(s);
    body["file"] = p->file;
    body["source"] = p->source;
    body["owner"] = p->plan.owner;
    body["hazards"] = p->plan.hazards;
    json levels = json::array();
    for (const auto& r : p->plan.levels) {
      levels.push_back({{"level", plans::level_name(r.level)},
                        {"color", plans::level_color(r.level)},
                        {"when", r.condition.to_string()},
                        {"event", r.alert.event}});
    }
    body["rules"] = levels;
    return {http::status::ok, body};
  }

  using ImportFn = StatusOr<std::size_t> (Core::*)(std::string_view, std::string_view, Diagnostics&);
  Reply import(const std::string& body, std::string file, ImportFn import_fn) {
    if (file.empty()) return error_reply(http::status::bad_request, "the file query parameter (name.csv or name.yaml) is required");
    Diagnostics diagnostics;
    auto r = (core.*import_fn)(body, file, diagnostics);
    if (!r.is_ok()) {
      auto reply = status_reply(r.status());
      if (!diagnostics.empty()) reply.body["diagnostics"] = diagnostics_json(diagnostics);
      return reply;
    }
    return {http::status::ok, {{"imported", *r}}};
  }

  Reply list_places() {
    json out = json::array();
    for (const auto* p : core.places().all()) {
      json j = json::parse(sensors::to_json(*p));
      out.push_back(j);
    }
    return {http::status::ok, {{"places", out}}};
  }

  Reply list_sensors() {
    json out = json::array();
    for (const auto* s : core.sensors().all()) out.push_back(json::parse(sensors::to_json(*s)));
    return {http::status::ok, {{"sensors", out}}};
  }

  Reply list_staff() {
    json out = json::array();
    for (const auto* m : core.staff().all()) out.push_back(json::parse(sensors::to_json(*m)));
    return {http::status::ok, {{"staff", out}}};
  }

  json incident_summary(const Incident& in) const {
    json out = {{"id", in.id},
                {"plan", in.plan_id},
                {"plan_version", in.plan_version},
                {"place", in.place.str()},
                {"place_name", core.places().display_name(in.place)},
                {"level", plans::level_name(in.level)},
                {"color", plans::level_color(in.level)},
                {"state", in.state},
                {"opened", time_text(in.opened_at)},
                {"updated", time_text(in.updated_at)}};
    // The lifecycle, when it has happened (kept after a reopen: the last acknowledgement).
    if (!in.acknowledged_by.empty()) {
      out["acknowledged_by"] = in.acknowledged_by;
      out["acknowledged_at"] = time_text(in.acknowledged_at);
    }
    if (!in.resolved_by.empty()) {
      out["resolved_by"] = in.resolved_by;
      out["resolved_at"] = time_text(in.resolved_at);
    }
    if (in.reopened > 0) out["reopened"] = in.reopened;
    return out;
  }

  Reply list_incidents(const std::string& state) {
    if (!state.empty() && std::find(std::begin(kStateFilters), std::end(kStateFilters), state) == std::end(kStateFilters)) {
      std::string allowed;
      for (auto s : kStateFilters) allowed += (allowed.empty() ? "" : ", ") + std::string(s);
      return error_reply(http::status::bad_request, "unknown state \"" + state + "\" (one of " + allowed + ")");
    }
    json out = json::array();
    for (const auto* in : core.incidents()) {
      if (state.empty() || state_matches(state, in->state)) out.push_back(incident_summary(*in));
    }
    return {http::status::ok, {{"incidents", out}}};
  }

  // POST /v1/incidents/ID/ack and /resolve. Like every handler this runs on the core's
  // strand (the sessions' handlers are bound to it), so it calls the Core directly.
  using LifecycleFn = Status (Core::*)(std::string_view, std::string_view, std::string_view);
  Reply change_incident(const std::string& id, const std::string& body, LifecycleFn fn) {
    LifecycleRequest request;
    if (auto problem = parse_lifecycle(body, request); !problem.empty()) {
      return error_reply(http::status::bad_request, problem);
    }
    auto s = (core.*fn)(id, request.by, request.note);
    if (!s.is_ok()) {
      http::status code = http::status::internal_server_error;
      if (s.code() == Status::Code::kNotFound) code = http::status::not_found;
      if (s.code() == Status::Code::kFailedPrecondition) code = http::status::conflict;
      return error_reply(code, s.to_string());
    }
    const auto* in = core.incident(id);
    if (!in) return error_reply(http::status::internal_server_error, "incident \"" + id + "\" vanished");
    return {http::status::ok, incident_summary(*in)};
  }

  // One assignment as GET /v1/incidents/ID lists it. The API is authenticated: the
  // member's name may be shown (null when the member has left the roster since).
  json assignment_summary(const Assignment& a) const {
    const auto* member = core.staff().find(a.staff);
    return {{"id", a.id},
            {"role", a.role},
            {"staff", a.staff},
            {"staff_name", member ? json(member->name) : json(nullptr)},
            {"state", a.state},
            {"level", plans::level_name(a.level)},
            {"assigned_by", a.assigned_by},
            {"offered", time_text(a.offered_at)},
            {"respond_by", time_text(a.respond_by)},
            {"updated", time_text(a.updated_at)},
            {"note", a.note}};
  }

  // POST /v1/incidents/ID/assign {"role", "staff", "by"}: a coordinator assigns by hand.
  Reply assign(const std::string& id, const std::string& body) {
    AssignRequest request;
    if (auto problem = parse_assign(body, request); !problem.empty()) {
      return error_reply(http::status::bad_request, problem);
    }
    auto r = core.assign(id, request.role, request.staff, request.by);
    if (!r.is_ok()) return change_refused(r.status());
    json out = {{"assignment", *r}};
    if (const auto* a = core.assignment(*r)) {
      auto summary = assignment_summary(*a);
      summary.erase("id");
      out.update(summary);
      out["incident"] = a->incident;
    }
    return {http::status::created, out};
  }

  const date::time_zone* zone() const { return core.options().zone ? core.options().zone : date::locate_zone("UTC"); }

  Reply list_silences() {
    json out = json::array();
    const Time now = core.now();
    for (const auto* s : core.silences()) out.push_back(json::parse(to_api_json(*s, now, zone())));
    return {http::status::ok, {{"silences", out}}};
  }

  // POST /v1/silences: the request as parse_silence_request reads it (silence.h).
  Reply add_silence(const std::string& body) {
    auto r = core.add_silence(body);
    if (!r.is_ok()) return change_refused(r.status());
    return {http::status::created, {{"silence", *r}}};
  }

  // DELETE /v1/silences/ID?by=NAME (or a body {"by": "NAME"}).
  Reply remove_silence(const std::string& id, const std::map<std::string, std::string>& query,
                       const std::string& body) {
    std::string by;
    if (auto problem = parse_remover(query, body, by); !problem.empty()) {
      return error_reply(http::status::bad_request, problem);
    }
    if (auto s = core.remove_silence(id, by); !s.is_ok()) return change_refused(s);
    return {http::status::ok, {{"removed", id}}};
  }

  Reply show_incident(const std::string& id) {
    const auto* in = core.incident(id);
    if (!in) return error_reply(http::status::not_found, "no incident \"" + id + "\"");
    auto body = incident_summary(*in);
    body["trigger"] = {{"sensor", in->sensor_id}, {"quantity", in->quantity}, {"value", in->value},
                       {"unit", in->unit},        {"time", time_text(in->reading_time)}};
    json alerts = json::array();
    for (const auto& a : in->alerts) {
      alerts.push_back({{"identifier", a.identifier}, {"sent", time_text(a.sent)}, {"msgType", a.msg_type},
                        {"level", plans::level_name(a.level)}});
    }
    body["alerts"] = alerts;
    json assignments = json::array();
    for (const auto* a : core.assignments(id)) assignments.push_back(assignment_summary(*a));
    body["assignments"] = std::move(assignments);
    // The timeline as stored, with each entry's time_ms as text like every other time.
    // A store that cannot be read costs the timeline, not the incident.
    auto events = core.timeline(id);
    if (events.is_ok()) {
      json timeline = json::array();
      for (const auto& text : *events) {
        auto e = json::parse(text, nullptr, false);
        if (!e.is_object()) continue;
        if (auto ms = e.find("time_ms"); ms != e.end() && ms->is_number_integer()) {
          e["time"] = time_text(Time(std::chrono::duration_cast<Duration>(std::chrono::milliseconds(ms->get<std::int64_t>()))));
          e.erase("time_ms");
        }
        timeline.push_back(std::move(e));
      }
      body["timeline"] = std::move(timeline);
    } else {
      body["timeline_error"] = events.status().to_string();
    }
    return {http::status::ok, body};
  }
};

AdminServer::AdminServer(Strand strand, Core& core, AdminServerOptions options, LiveDrills* drills)
    : impl_(std::make_shared<Impl>(strand, core, std::move(options), drills)) {}

AdminServer::~AdminServer() { stop(); }

Status AdminServer::start() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.address, ec);
  if (ec) return Status::invalid_argument("admin address \"" + impl_->options.address + "\": " + ec.message());
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::unavailable("admin API cannot listen on " + impl_->options.address + ":" +
                               std::to_string(impl_->options.port) + ": " + ec.message());
  }
  impl_->do_accept();
  return Status::ok();
}

void AdminServer::stop() {
  beast::error_code ec;
  if (impl_->acceptor.is_open()) impl_->acceptor.close(ec);
}

unsigned short AdminServer::port() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

}  // namespace lookout::engine
