// `lookoutctl acl generate`: a Mosquitto acl_file from the engine's registries, so that
// each sensor may publish only its own topics and each staff member read only their own
// assignments and notices and answer only as themselves (docs/security.md).
#pragma once

#include <string>
#include <vector>

#include "lookout/base/status.h"

namespace lookout::ctl {

struct AclOptions {
  std::string engine_user = "lookout-engine";     // the engine's mqtt_username: the whole tree
  std::string drill_user = "lookoutctl-drill";    // `drill run --live`: the drill namespace; empty: none
  std::vector<std::string> alert_gateway_users;   // SMS, loudspeakers, panels: read the alerts
  std::vector<std::string> reporter_users;        // hotline and resident app gateways: send reports
  // For the header comment only.
  std::string engine;        // where the registries were read (the admin API URL)
  std::string generated_at;  // when, as text (e.g. 2026-11-21T13:04:05Z)
};

// A broker user name (and topic level) Mosquitto can take as it is: not empty, no
// whitespace or control characters, no '+', '#' or '/'. Empty when it can; else why not.
std::string acl_name_problem(const std::string& name);

// The acl_file text for `topic_prefix` (e.g. "lookout/v1") with one user per sensor id
// and per staff id, plus the engine, drill, alert gateway and reporter users of
// `options`. Refused (invalid_argument, with a message naming the id) when an id or
// user name is unusable (acl_name_problem), when the prefix holds a wildcard or
// whitespace, or when one name would be two kinds of user (a sensor and a staff
// member, or either and a service user): one broker account would get both rights.
// Service users named more than once (a gateway that also sends reports) get the
// union of their rights in one section.
StatusOr<std::string> generate_acl(const std::string& topic_prefix, const std::vector<std::string>& sensor_ids,
                                   const std::vector<std::string>& staff_ids, const AclOptions& options);

}  // namespace lookout::ctl
