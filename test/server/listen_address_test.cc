#include "webhook/server/listen_address.h"

#include <gtest/gtest.h>

namespace meshward::server {
namespace {

TEST(ListenAddressTest, ParsesIpv4AndBracketedIpv6) {
  auto ipv4 = parseListenAddress("0.0.0.0:8443");
  ASSERT_TRUE(ipv4.ok()) << ipv4.error();
  EXPECT_EQ(ipv4->host, "0.0.0.0");
  EXPECT_EQ(ipv4->port, 8443);

  auto ipv6 = parseListenAddress("[::1]:9090");
  ASSERT_TRUE(ipv6.ok()) << ipv6.error();
  EXPECT_EQ(ipv6->host, "::1");
  EXPECT_EQ(ipv6->port, 9090);
  EXPECT_EQ(ipv6->text(), "[::1]:9090");

  auto any_port = parseListenAddress("localhost:0");
  ASSERT_TRUE(any_port.ok()) << any_port.error();
  EXPECT_EQ(any_port->port, 0);
}

TEST(ListenAddressTest, RejectsMalformedAddresses) {
  for (const char* bad : {"8443", ":8443", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536", "127.0.0.1:-1",
                          "::1:8443", "[::1:8443", "[]:8443", "127.0.0.1:84 43"}) {
    auto parsed = parseListenAddress(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_NE(parsed.error().find(bad), std::string::npos) << "the message quotes the input: " << parsed.error();
    }
  }
}

}  // namespace
}  // namespace meshward::server
