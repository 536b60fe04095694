#include "webhook/server/policy_reloader.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "test/server/server_test_support.h"
#include "webhook/server/metrics_impl.h"

namespace meshward::server {
namespace {

using testing::ScratchDirectory;
using testing::waitUntil;

constexpr auto kInterval = std::chrono::milliseconds(20);

// Replaces the file in one step (as kubectl and ConfigMap updates do), so no poll sees it half written.
void replaceFile(const ScratchDirectory& directory, const std::string& name, const std::string& text) {
  const std::string staged = directory.write(name + ".staged", text);
  std::filesystem::rename(staged, directory.path() / name);
}

class PolicyReloaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = directory_.write("policy.yaml", "meshRootNamespace: first-root\n");
    auto initial = policies::loadPolicyFile(path_);
    ASSERT_TRUE(initial.ok()) << initial.error();
    store_ = std::make_unique<PolicyStore>(std::make_shared<const policies::Policy>(std::move(*initial)));
  }

  std::string rootNamespace() const { return store_->current()->mesh.root_namespace; }

  ScratchDirectory directory_;
  std::string path_;
  std::unique_ptr<PolicyStore> store_;
  MetricsImpl metrics_;
};

TEST_F(PolicyReloaderTest, AGoodEditReplacesThePolicy) {
  PolicyReloader reloader(path_, *store_, metrics_, kInterval);
  replaceFile(directory_, "policy.yaml", "meshRootNamespace: second-root\n");
  // The reloader swaps the policy, then counts the reload: wait for both.
  EXPECT_TRUE(waitUntil([&] { return rootNamespace() == "second-root" && metrics_.policyReloads(true) >= 1; }));
}

TEST_F(PolicyReloaderTest, ABadEditKeepsThePreviousPolicyAndIsCounted) {
  PolicyReloader reloader(path_, *store_, metrics_, kInterval);
  const auto before = store_->current();
  replaceFile(directory_, "policy.yaml", "meshRootNamespace: x\nnoSuchKey: 1\n");
  ASSERT_TRUE(waitUntil([&] { return metrics_.policyReloads(false) >= 1; }));
  EXPECT_EQ(store_->current(), before);
  EXPECT_EQ(rootNamespace(), "first-root");

  replaceFile(directory_, "policy.yaml", "meshRootNamespace: fixed-root\n");
  EXPECT_TRUE(waitUntil([&] { return rootNamespace() == "fixed-root"; }));
}

TEST_F(PolicyReloaderTest, ReloadReportsTheOutcome) {
  PolicyReloader reloader(path_, *store_, metrics_, std::chrono::hours(1));
  EXPECT_TRUE(reloader.reload());
  directory_.write("policy.yaml", "rules: [\n");
  EXPECT_FALSE(reloader.reload());
  EXPECT_EQ(metrics_.policyReloads(true), 1u);
  EXPECT_EQ(metrics_.policyReloads(false), 1u);
}

}  // namespace
}  // namespace meshward::server
