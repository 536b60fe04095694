#include "webhook/cluster/kube/kubeconfig.h"

#include <gtest/gtest.h>

#include "test/cluster/scratch_directory.h"

namespace meshward::cluster::kube {
namespace {

using meshward::testing::ScratchDirectory;

constexpr const char* kCaPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

// base64 of kCaPem
const std::string kCaData = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=";

std::string kubeconfig(const std::string& cluster, const std::string& user, const std::string& extra = "") {
  return "apiVersion: v1\nkind: Config\ncurrent-context: dev\n"
         "contexts:\n- name: dev\n  context: {cluster: kind, user: admin}\n"
         "- name: other\n  context: {cluster: kind}\n"
         "clusters:\n- name: kind\n  cluster:\n" +
         cluster + "users:\n- name: admin\n  user:\n" + user + extra;
}

TEST(Kubeconfig, ReadsTheCurrentContextWithInlineData) {
  const ScratchDirectory scratch;
  const std::string path = scratch.write(
      "config", kubeconfig("    server: https://127.0.0.1:6443\n    certificate-authority-data: " + kCaData + "\n",
                           "    token: abc123\n"));
  Result<ConnectionConfig> config = loadKubeconfig(path);
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->server.host, "127.0.0.1");
  EXPECT_EQ(config->server.port, 6443);
  EXPECT_EQ(config->ca_pem, kCaPem);
  EXPECT_EQ(config->token, "abc123");
  EXPECT_TRUE(config->token_file.empty());
  EXPECT_NE(config->description.find("context dev"), std::string::npos) << config->description;
}

TEST(Kubeconfig, ResolvesFilesRelativeToTheKubeconfig) {
  const ScratchDirectory scratch;
  scratch.write("certs/ca.pem", kCaPem);
  scratch.write("certs/client.pem", "CLIENT CERT");
  scratch.write("certs/client-key.pem", "CLIENT KEY");
  const std::string path = scratch.write(
      "kube/config", kubeconfig("    server: https://api.example.com:6443\n    certificate-authority: ../certs/ca.pem\n"
                                "    tls-server-name: kubernetes.default.svc\n",
                                "    client-certificate: ../certs/client.pem\n    client-key: ../certs/client-key.pem\n"
                                "    tokenFile: /var/run/token\n"));
  Result<ConnectionConfig> config = loadKubeconfig(path);
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->ca_pem, kCaPem);
  EXPECT_EQ(config->client_certificate_pem, "CLIENT CERT");
  EXPECT_EQ(config->client_key_pem, "CLIENT KEY");
  EXPECT_EQ(config->token_file, "/var/run/token");
  EXPECT_EQ(config->verifiedName(), "kubernetes.default.svc");
}

TEST(Kubeconfig, UsesANamedContext) {
  const ScratchDirectory scratch;
  const std::string path = scratch.write(
      "config", kubeconfig("    server: https://127.0.0.1:6443\n    certificate-authority-data: " + kCaData + "\n",
                           "    token: abc123\n"));
  Result<ConnectionConfig> config = loadKubeconfig(path, "other");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->token, "") << "context other names no user";
}

struct BadKubeconfig {
  std::string name;
  std::string text;
  std::string expected_error;
};

class KubeconfigErrors : public ::testing::TestWithParam<BadKubeconfig> {};

TEST_P(KubeconfigErrors, SayWhatIsWrong) {
  const ScratchDirectory scratch;
  const std::string path = scratch.write("config", GetParam().text);
  const Result<ConnectionConfig> config = loadKubeconfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().rfind("kubeconfig " + path, 0), 0u) << config.error();
  EXPECT_NE(config.error().find(GetParam().expected_error), std::string::npos) << config.error();
}

const std::string kServer = "    server: https://127.0.0.1:6443\n";
const std::string kCa = "    certificate-authority-data: " + kCaData + "\n";

INSTANTIATE_TEST_SUITE_P(
    Kubeconfig, KubeconfigErrors,
    ::testing::Values(
        BadKubeconfig{"SkipVerify",
                      kubeconfig(kServer + kCa + "    insecure-skip-tls-verify: true\n", "    token: t\n"),
                      "insecure-skip-tls-verify"},
        BadKubeconfig{"NoCa", kubeconfig(kServer, "    token: t\n"), "neither certificate-authority"},
        BadKubeconfig{"BadCaData", kubeconfig(kServer + "    certificate-authority-data: '***'\n", "    token: t\n"),
                      "not valid base64"},
        BadKubeconfig{"MissingCaFile",
                      kubeconfig(kServer + "    certificate-authority: nowhere.pem\n", "    token: t\n"),
                      "nowhere.pem"},
        BadKubeconfig{"HttpServer", kubeconfig("    server: http://127.0.0.1:8080\n" + kCa, "    token: t\n"),
                      "must start with https://"},
        BadKubeconfig{"Exec", kubeconfig(kServer + kCa, "    exec: {command: aws}\n"), "exec"},
        BadKubeconfig{"CertWithoutKey", kubeconfig(kServer + kCa, "    client-certificate-data: " + kCaData + "\n"),
                      "without its key"},
        BadKubeconfig{"NoCurrentContext", "apiVersion: v1\nkind: Config\nclusters: []\n", "no current-context"},
        BadKubeconfig{"UnknownContext", "current-context: nope\ncontexts: []\n", "no context named 'nope'"},
        BadKubeconfig{"UnknownCluster", "current-context: dev\ncontexts:\n- name: dev\n  context: {cluster: gone}\n",
                      "names cluster 'gone'"},
        BadKubeconfig{"NotYaml", "clusters: [\n", "kubeconfig"},
        BadKubeconfig{"NotAMapping", "- a\n- b\n", "not a kubeconfig"}),
    [](const ::testing::TestParamInfo<BadKubeconfig>& test) { return test.param.name; });

TEST(Kubeconfig, MissingFileIsAnError) {
  const Result<ConnectionConfig> config = loadKubeconfig("/nonexistent/kubeconfig");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().find("/nonexistent/kubeconfig"), std::string::npos) << config.error();
}

}  // namespace
}  // namespace meshward::cluster::kube
