#include "webhook/cli/version_command.h"

#include <sstream>

#include <gtest/gtest.h>

namespace meshward::cli {
namespace {

TEST(VersionCommand, FirstLineIsNameAndVersion) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(runVersionCommand({}, out, err), 0);
  const std::string text = out.str();
  EXPECT_EQ(text.substr(0, text.find('\n')), std::string("meshward ") + MESHWARD_VERSION);
  EXPECT_NE(text.find("built with g++"), std::string::npos) << text;
  EXPECT_EQ(err.str(), "");
}

TEST(VersionCommand, RejectsArguments) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(runVersionCommand({"--short"}, out, err), 2);
  EXPECT_EQ(out.str(), "");
  EXPECT_NE(err.str().find("takes no arguments"), std::string::npos);
}

}  // namespace
}  // namespace meshward::cli
