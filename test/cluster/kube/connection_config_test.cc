#include "webhook/cluster/kube/connection_config.h"

#include <gtest/gtest.h>

#include "webhook/cluster/kube/base64_decode.h"
#include "webhook/cluster/kube/url_encoding.h"

namespace meshward::cluster::kube {
namespace {

TEST(ParseServerUrl, ReadsHostPortAndPath) {
  Result<ApiServerAddress> plain = parseServerUrl("https://api.example.com");
  ASSERT_TRUE(plain.ok()) << plain.error();
  EXPECT_EQ(plain->host, "api.example.com");
  EXPECT_EQ(plain->port, 443);
  EXPECT_EQ(plain->base_path, "");

  Result<ApiServerAddress> full = parseServerUrl("https://10.0.0.1:6443/k8s/clusters/c-1/");
  ASSERT_TRUE(full.ok()) << full.error();
  EXPECT_EQ(full->host, "10.0.0.1");
  EXPECT_EQ(full->port, 6443);
  EXPECT_EQ(full->base_path, "/k8s/clusters/c-1");
  EXPECT_EQ(full->url(), "https://10.0.0.1:6443/k8s/clusters/c-1");

  Result<ApiServerAddress> ipv6 = parseServerUrl("https://[fd00::1]:8443");
  ASSERT_TRUE(ipv6.ok()) << ipv6.error();
  EXPECT_EQ(ipv6->host, "fd00::1");
  EXPECT_EQ(ipv6->port, 8443);
  EXPECT_EQ(ipv6->url(), "https://[fd00::1]:8443");
}

TEST(ParseServerUrl, RefusesWhatIsNotAnHttpsServer) {
  for (const char* url : {"http://api.example.com", "api.example.com:6443", "https://", "https://:6443",
                          "https://host:0", "https://host:70000", "https://host:port", "https://user@host",
                          "https://host/path?query", "https://[::1", "https://[::1]x", "https://host:"}) {
    const Result<ApiServerAddress> address = parseServerUrl(url);
    EXPECT_FALSE(address.ok()) << url;
    EXPECT_NE(address.error().find(url), std::string::npos) << address.error();
  }
}

TEST(ConnectionConfig, VerifiesTheTlsServerNameWhenGiven) {
  ConnectionConfig config;
  config.server.host = "10.0.0.1";
  EXPECT_EQ(config.verifiedName(), "10.0.0.1");
  config.tls_server_name = "kubernetes.default.svc";
  EXPECT_EQ(config.verifiedName(), "kubernetes.default.svc");
}

TEST(DecodeBase64, DecodesPaddedTextAndIgnoresWhitespace) {
  EXPECT_EQ(decodeBase64("aGVsbG8="), "hello");
  EXPECT_EQ(decodeBase64("aGVs\nbG8h"), "hello!");
  EXPECT_EQ(decodeBase64("aGk="), "hi");
  EXPECT_EQ(decodeBase64("aA=="), "h");
  EXPECT_EQ(decodeBase64(""), "");
  EXPECT_FALSE(decodeBase64("a").has_value());
  EXPECT_FALSE(decodeBase64("aGk=x").has_value());
  EXPECT_FALSE(decodeBase64("a===").has_value());
  EXPECT_FALSE(decodeBase64("aGk*").has_value());
}

TEST(EncodeQueryValue, KeepsUnreservedCharactersOnly) {
  EXPECT_EQ(encodeQueryValue("abc-1.2_3~"), "abc-1.2_3~");
  EXPECT_EQ(encodeQueryValue("eyJ2Ijoi+/=="), "eyJ2Ijoi%2B%2F%3D%3D");
  EXPECT_EQ(encodeQueryValue("a b&c"), "a%20b%26c");
}

}  // namespace
}  // namespace meshward::cluster::kube
