#include "webhook/cluster/kube/in_cluster_config.h"

#include <gtest/gtest.h>

#include "test/cluster/scratch_directory.h"

namespace meshward::cluster::kube {
namespace {

using meshward::testing::ScratchDirectory;

TEST(InClusterConfig, ReadsTheServiceAccount) {
  const ScratchDirectory scratch;
  scratch.write("token", "projected-token\n");
  scratch.write("ca.crt", "CA PEM");
  const InClusterEnvironment environment{"10.96.0.1", "443", scratch.path().string()};
  Result<std::optional<ConnectionConfig>> config = loadInClusterConfig(environment);
  ASSERT_TRUE(config.ok()) << config.error();
  ASSERT_TRUE(config->has_value());
  const ConnectionConfig& connection = **config;
  EXPECT_EQ(connection.server.url(), "https://10.96.0.1:443");
  EXPECT_EQ(connection.ca_pem, "CA PEM");
  EXPECT_EQ(connection.token_file, scratch.path().string() + "/token") << "a file, so rotation is picked up";
  EXPECT_TRUE(connection.token.empty());
}

TEST(InClusterConfig, BracketsAnIpv6ServiceHost) {
  const ScratchDirectory scratch;
  scratch.write("token", "t");
  scratch.write("ca.crt", "CA PEM");
  Result<std::optional<ConnectionConfig>> config =
      loadInClusterConfig(InClusterEnvironment{"fd00:10:96::1", "443", scratch.path().string()});
  ASSERT_TRUE(config.ok()) << config.error();
  ASSERT_TRUE(config->has_value());
  EXPECT_EQ((*config)->server.host, "fd00:10:96::1");
}

TEST(InClusterConfig, OutsideAClusterThereIsNone) {
  const ScratchDirectory scratch;
  scratch.write("ca.crt", "CA PEM");
  for (const InClusterEnvironment& environment : {InClusterEnvironment{"", "443", scratch.path().string()},
                                                  InClusterEnvironment{"10.96.0.1", "", scratch.path().string()},
                                                  InClusterEnvironment{"10.96.0.1", "443", scratch.path().string()}}) {
    Result<std::optional<ConnectionConfig>> config = loadInClusterConfig(environment);
    ASSERT_TRUE(config.ok()) << config.error();
    EXPECT_FALSE(config->has_value()) << "no token file, or no service host or port";
  }
}

TEST(InClusterConfig, UnusableSettingsAreErrors) {
  const ScratchDirectory scratch;
  scratch.write("token", "t");
  const Result<std::optional<ConnectionConfig>> no_ca =
      loadInClusterConfig(InClusterEnvironment{"10.96.0.1", "443", scratch.path().string()});
  ASSERT_FALSE(no_ca.ok());
  EXPECT_NE(no_ca.error().find("ca.crt"), std::string::npos) << no_ca.error();
  scratch.write("ca.crt", "CA PEM");
  const Result<std::optional<ConnectionConfig>> bad_port =
      loadInClusterConfig(InClusterEnvironment{"10.96.0.1", "https", scratch.path().string()});
  ASSERT_FALSE(bad_port.ok());
  EXPECT_NE(bad_port.error().find("port"), std::string::npos) << bad_port.error();
}

}  // namespace
}  // namespace meshward::cluster::kube
