#include "webhook/cluster/kube/bearer_token.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "test/cluster/scratch_directory.h"

namespace meshward::cluster::kube {
namespace {

using meshward::testing::ScratchDirectory;

TEST(BearerToken, AFixedTokenStaysTheSame) {
  BearerToken token("fixed", "");
  EXPECT_EQ(token.current(), "fixed");
  token.invalidate();
  EXPECT_EQ(token.current(), "fixed");
  EXPECT_EQ(BearerToken("", "").current(), "");
}

TEST(BearerToken, ATokenFileIsReadAgainWhenItChanges) {
  const ScratchDirectory scratch;
  const std::string file = scratch.write("token", "first\n");
  BearerToken token("ignored", file);
  EXPECT_EQ(token.current(), "first");
  // The kubelet swaps projected tokens through a new file (a new inode), so a rotation is seen
  // even within the same second and at the same size.
  scratch.write("token.new", "second");
  std::filesystem::rename(scratch.path() / "token.new", file);
  EXPECT_EQ(token.current(), "second");
}

TEST(BearerToken, KeepsTheLastTokenWhileTheFileIsMissing) {
  const ScratchDirectory scratch;
  const std::string file = scratch.write("token", "kept");
  BearerToken token("", file);
  EXPECT_EQ(token.current(), "kept");
  std::filesystem::remove(file);
  EXPECT_EQ(token.current(), "kept");
  scratch.write("token", "back");
  EXPECT_EQ(token.current(), "back");
}

}  // namespace
}  // namespace meshward::cluster::kube
