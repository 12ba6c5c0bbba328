#include "acl.h"

#include <map>
#include <set>
#include <sstream>
#include <utility>

namespace lookout::ctl {

std::string acl_name_problem(const std::string& name) {
  if (name.empty()) return "it is empty";
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return "it contains whitespace or a control character";
    if (c == '+' || c == '#') return std::string("it contains '") + c + "', an MQTT wildcard";
    if (c == '/') return "it contains '/', which would make it more than one topic level";
    if (c == ':') return "it contains ':', which a Mosquitto password file cannot hold in a user name";
  }
  return {};
}

namespace {

// One `user` section: a comment saying who it is, then its topic lines.
struct Section {
  std::string user;
  std::string kind;  // "the engine", "sensor", ... (for messages)
  std::vector<std::string> comments;
  std::vector<std::string> topics;  // "read <topic>", "write <topic>", "readwrite <topic>"
};

class Builder {
 public:
  explicit Builder(std::string prefix) : prefix_(std::move(prefix)) {}

  // A service user: named more than once, it gets the union of its rights.
  Section& service(const std::string& user, const std::string& kind) {
    auto it = index_.find(user);
    if (it != index_.end()) {
      auto& s = sections_[it->second];
      if (s.kind != kind) s.kind += " and " + kind;
      return s;
    }
    return add(user, kind);
  }

  // A registry user: must not be anybody else. Returns nullptr (and fills `error`)
  // when it is; a repeat of the same id in the same registry is the same user.
  Section* registry(const std::string& user, const std::string& kind, std::string& error) {
    auto it = index_.find(user);
    if (it != index_.end()) {
      auto& s = sections_[it->second];
      if (s.kind == kind) return nullptr;
      error = (kind == "staff member" ? std::string("staff") : kind) + " id \"" + user + "\" is also " +
              article(s.kind) + ": one broker user cannot be both; rename one of them";
      return nullptr;
    }
    return &add(user, kind);
  }

  static void grant(Section& s, const std::string& access, const std::string& topic) {
    std::string line = access + " " + topic;
    for (const auto& t : s.topics) {
      if (t == line) return;
    }
    s.topics.push_back(std::move(line));
  }

  std::string topic(const std::string& rest) const { return prefix_ + "/" + rest; }
  const std::vector<Section>& sections() const { return sections_; }

 private:
  static std::string article(const std::string& kind) {
    if (kind.rfind("the ", 0) == 0) return kind;
    if (!kind.empty() && std::string("aeiou").find(kind[0]) != std::string::npos) return "an " + kind;
    return "a " + kind;
  }

  Section& add(const std::string& user, const std::string& kind) {
    index_[user] = sections_.size();
    sections_.push_back(Section{user, kind, {}, {}});
    return sections_.back();
  }

  std::string prefix_;
  std::vector<Section> sections_;
  std::map<std::string, std::size_t> index_;
};

Status check_name(const std::string& name, const std::string& what) {
  if (auto problem = acl_name_problem(name); !problem.empty()) {
    return Status::invalid_argument(what + " \"" + name + "\" cannot be a broker user name or topic level: " +
                                    problem);
  }
  return Status::ok();
}

}  // namespace

StatusOr<std::string> generate_acl(const std::string& topic_prefix, const std::vector<std::string>& sensor_ids,
                                   const std::vector<std::string>& staff_ids, const AclOptions& options) {
  if (topic_prefix.empty()) return Status::invalid_argument("the engine's topic prefix is empty");
  for (char c : topic_prefix) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '+' || c == '#') {
      return Status::invalid_argument("the engine's topic prefix \"" + topic_prefix +
                                      "\" contains whitespace, a control character or an MQTT wildcard");
    }
  }
  if (auto s = check_name(options.engine_user, "engine user"); !s.is_ok()) return s;
  if (!options.drill_user.empty()) {
    if (auto s = check_name(options.drill_user, "drill user"); !s.is_ok()) return s;
  }
  for (const auto& u : options.alert_gateway_users) {
    if (auto s = check_name(u, "alert gateway user"); !s.is_ok()) return s;
  }
  for (const auto& u : options.reporter_users) {
    if (auto s = check_name(u, "reporter user"); !s.is_ok()) return s;
  }
  for (const auto& id : sensor_ids) {
    if (auto s = check_name(id, "sensor id"); !s.is_ok()) return s;
  }
  for (const auto& id : staff_ids) {
    if (auto s = check_name(id, "staff id"); !s.is_ok()) return s;
  }

  Builder b(topic_prefix);
  {
    auto& s = b.service(options.engine_user, "the engine");
    s.comments.push_back("The engine (its mqtt_username): everything under the prefix.");
    Builder::grant(s, "readwrite", b.topic("#"));
  }
  if (!options.drill_user.empty()) {
    auto& s = b.service(options.drill_user, "drill runner");
    s.comments.push_back("The live drill runner (`lookoutctl drill run --live --mqtt-username " + options.drill_user +
                         "`):");
    s.comments.push_back("plays scenarios in the drill namespace and watches the engine's status.");
    Builder::grant(s, "readwrite", b.topic("drill/#"));
    Builder::grant(s, "read", b.topic("engine/status"));
  }
  for (const auto& u : options.alert_gateway_users) {
    auto& s = b.service(u, "alert gateway");
    s.comments.push_back("Alert gateway (SMS, loudspeakers, building panels): reads the CAP alerts.");
    Builder::grant(s, "read", b.topic("alerts/#"));
    Builder::grant(s, "read", b.topic("alerts-xml/#"));
  }
  for (const auto& u : options.reporter_users) {
    auto& s = b.service(u, "reporter gateway");
    s.comments.push_back("Reporter gateway (hotline, resident app): sends reports, reads their receipts.");
    Builder::grant(s, "write", b.topic("reports"));
    Builder::grant(s, "read", b.topic("receipts/#"));
  }
  std::string error;
  for (const auto& id : sensor_ids) {
    auto* s = b.registry(id, "sensor", error);
    if (!error.empty()) return Status::invalid_argument(error);
    if (s == nullptr) continue;
    Builder::grant(*s, "write", b.topic("sensors/" + id));
    Builder::grant(*s, "write", b.topic("sensors/" + id + "/status"));
  }
  for (const auto& id : staff_ids) {
    auto* s = b.registry(id, "staff member", error);
    if (!error.empty()) return Status::invalid_argument(error);
    if (s == nullptr) continue;
    for (const char* ns : {"", "drill/+/"}) {
      const std::string base = std::string(ns) + "staff/" + id + "/";
      Builder::grant(*s, "read", b.topic(base + "assignments"));
      Builder::grant(*s, "read", b.topic(base + "notices"));
      Builder::grant(*s, "write", b.topic(base + "responses"));
    }
    Builder::grant(*s, "read", b.topic("alerts/#"));
  }

  std::size_t sensors = 0, staff = 0;
  for (const auto& s : b.sections()) {
    sensors += s.kind == "sensor";
    staff += s.kind == "staff member";
  }

  std::ostringstream out;
  out << "# Mosquitto ACL for Lookout, generated by `lookoutctl acl generate`";
  if (!options.generated_at.empty()) out << " at " << options.generated_at;
  out << "\n";
  if (!options.engine.empty()) out << "# from the registries of the engine at " << options.engine << "\n";
  out << "# topic prefix " << topic_prefix << ": " << sensors << " sensor(s), " << staff << " staff member(s), "
      << b.sections().size() << " user(s) in all.\n"
      << "# Do not edit: generate it again whenever the sensor registry or the staff roster\n"
      << "# changes, then reload Mosquitto (SIGHUP, or `systemctl reload mosquitto`).\n"
      << "#\n"
      << "# Use it in mosquitto.conf together with a password file, anonymous clients refused:\n"
      << "#   allow_anonymous false\n"
      << "#   password_file /etc/mosquitto/lookout.passwd\n"
      << "#   acl_file /etc/mosquitto/lookout.acl\n"
      << "# and give every user below a password with mosquitto_passwd (-c creates the file):\n"
      << "#   mosquitto_passwd -c /etc/mosquitto/lookout.passwd " << options.engine_user << "\n"
      << "#   mosquitto_passwd /etc/mosquitto/lookout.passwd <user>\n"
      << "# User names: the engine's mqtt_username (" << options.engine_user
      << "), each sensor's id, each staff member's id,\n"
      << "# and the service users named when this file was generated. A sensor may publish only its\n"
      << "# own readings and status; a staff member reads only their own assignments and notices and\n"
      << "# answers only as themselves. Mosquitto drops a publish a user may not make without telling\n"
      << "# the client, and delivers nothing a user may not read. See docs/security.md.\n";
  std::string last_kind;
  for (const auto& s : b.sections()) {
    out << "\n";
    if (s.kind == "sensor" || s.kind == "staff member") {
      if (s.kind != last_kind) {
        out << (s.kind == "sensor"
                    ? "# Sensors: each publishes its readings and its status (its last will), nothing else.\n\n"
                    : "# Staff: each reads their own assignments and notices, live and in live drills, answers\n"
                      "# only on their own responses topic, and reads the public alerts.\n\n");
      }
    } else {
      for (const auto& c : s.comments) out << "# " << c << "\n";
    }
    last_kind = s.kind;
    out << "user " << s.user << "\n";
    for (const auto& t : s.topics) out << "topic " << t << "\n";
  }
  return out.str();
}

}  // namespace lookout::ctl
