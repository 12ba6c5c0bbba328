#include "http_client.h"

#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace lookout::ctl {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

StatusOr<HttpResponse> http_request(const std::string& url, const std::string& method, const std::string& target,
                                    const std::string& body, const std::string& token, const std::string& content_type) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return Status::invalid_argument("engine URL \"" + url + "\" must start with http://");
  auto hostport = url.substr(scheme.size());
  if (auto slash = hostport.find('/'); slash != std::string::npos) hostport.resize(slash);
  auto colon = hostport.rfind(':');
  if (colon == std::string::npos) return Status::invalid_argument("engine URL \"" + url + "\" has no port");
  auto host = hostport.substr(0, colon);
  auto port = hostport.substr(colon + 1);
  try {
    net::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(30));
    beast::error_code ec;
    auto endpoints = resolver.resolve(host, port, ec);
    if (ec) return Status::unavailable("cannot resolve " + host + ": " + ec.message());
    stream.connect(endpoints, ec);
    if (ec) return Status::unavailable("no engine answers at " + url + " (" + ec.message() + ")");
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "lookoutctl");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (!body.empty()) {
      req.set(http::field::content_type, content_type);
      req.body() = body;
    }
    req.prepare_payload();
    http::write(stream, req, ec);
    if (ec) return Status::unavailable("sending to " + url + ": " + ec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(stream, buffer, parser, ec);
    if (ec) return Status::unavailable("reading the answer from " + url + ": " + ec.message());
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return HttpResponse{static_cast<int>(parser.get().result_int()), parser.get().body()};
  } catch (const std::exception& e) {
    return Status::unavailable(std::string("talking to the engine at ") + url + ": " + e.what());
  }
}

std::string url_encode(const std::string& text) {
  std::string out;
  const char* hex = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace lookout::ctl
