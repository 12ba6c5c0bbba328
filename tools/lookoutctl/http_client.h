// A small blocking HTTP/1.1 client (Boost.Beast) for lookoutctl and the tests.
#pragma once

#include <map>
#include <string>

#include "lookout/base/status.h"

namespace lookout::ctl {

struct HttpResponse {
  int status = 0;
  std::string body;
};

// `url` is "http://host:port"; `target` the path and query. Connection failures are
// kUnavailable with a message naming the address.
StatusOr<HttpResponse> http_request(const std::string& url, const std::string& method, const std::string& target,
                                    const std::string& body, const std::string& token,
                                    const std::string& content_type = "application/json");

std::string url_encode(const std::string& text);

}  // namespace lookout::ctl
