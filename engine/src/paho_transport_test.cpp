// What the Paho transport does around Paho: TCP_NODELAY on the sockets to the broker
// (Paho C 1.3.11 does not set it), found by the broker's port.
#include "lookout/engine/paho_transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace lookout::engine {
namespace {

// A listening socket on 127.0.0.1 (port chosen by the kernel) and a client connected to it.
struct Loopback {
  int listener = -1;
  int client = -1;
  int accepted = -1;
  int port = 0;
  Loopback() {
    listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(listener, 4), 0);
    socklen_t len = sizeof a;
    EXPECT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len), 0);
    port = ntohs(a.sin_port);
    client = ::socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    accepted = ::accept(listener, nullptr, nullptr);
  }
  ~Loopback() {
    for (int fd : {client, accepted, listener}) {
      if (fd >= 0) ::close(fd);
    }
  }
};

int nodelay(int fd) {
  int value = -1;
  socklen_t len = sizeof value;
  EXPECT_EQ(::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &len), 0);
  return value;
}

TEST(PahoTransport, SetsTcpNodelayOnlyOnSocketsConnectedToTheBrokersPort) {
  Loopback broker;
  Loopback other;
  ASSERT_EQ(nodelay(broker.client), 0);
  EXPECT_EQ(set_tcp_nodelay_towards_port(broker.port), 1);
  EXPECT_NE(nodelay(broker.client), 0);
  EXPECT_EQ(nodelay(broker.accepted), 0) << "the broker's own end (its peer is the client's port)";
  EXPECT_EQ(nodelay(other.client), 0);
}

TEST(PahoTransport, PortOfAServerUri) {
  EXPECT_EQ(mqtt_uri_port("tcp://127.0.0.1:41883"), 41883);
  EXPECT_EQ(mqtt_uri_port("mqtt://broker.example:1884"), 1884);
  EXPECT_EQ(mqtt_uri_port("tcp://broker.example"), 1883);
  EXPECT_EQ(mqtt_uri_port("ssl://broker.example"), 8883);
  EXPECT_EQ(mqtt_uri_port("mqtts://[::1]:8884"), 8884);
  EXPECT_EQ(mqtt_uri_port("tcp://[::1]"), 1883);
  EXPECT_EQ(mqtt_uri_port("tcp://host:notaport"), 1883);
  EXPECT_EQ(mqtt_uri_port("ws://host:8080/mqtt"), 8080);
}

}  // namespace
}  // namespace lookout::engine
