// The admin API: HTTP/1.1 with JSON bodies on loopback (Boost.Beast). lookoutctl and,
// later, the coordinators' dashboard use it. Every request but GET /health needs
// "Authorization: Bearer <token>". Endpoints: docs/admin-api.md.
//
// Threading: all sockets run on the core's strand, so handlers call the Core directly.
#pragma once

#include <utility>

#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <string>

#include "lookout/base/status.h"
#include "lookout/engine/asio_clock.h"
#include "lookout/engine/core.h"
#include "lookout/engine/inbound_gate.h"
#include "lookout/engine/live_drills.h"

namespace lookout::engine {

struct AdminServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 8470;  // 0: any free port
  std::string token;           // required bearer token (never logged)
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  std::string broker_uri;      // reported by /v1/status (lookoutctl drill run --live connects there)
  const InboundGate* inbound_gate = nullptr;  // reported by /v1/status (inbound_queued, inbound_shed)
};

class AdminServer {
 public:
  // `drills` (optional): the live drills, for /v1/drills.
  AdminServer(Strand strand, Core& core, AdminServerOptions options, LiveDrills* drills = nullptr);
  ~AdminServer();
  Status start();   // binds and listens
  void stop();
  unsigned short port() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace lookout::engine
