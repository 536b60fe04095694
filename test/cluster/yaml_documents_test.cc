#include "webhook/cluster/yaml_documents.h"

#include <string>

#include <gtest/gtest.h>

namespace meshward::cluster {
namespace {

TEST(YamlDocuments, ReturnsEveryDocumentIncludingEmptyOnes) {
  const Result<std::vector<YAML::Node>> documents = loadYamlDocuments("a: 1\n---\n---\n# nothing\n---\n- x\n");
  ASSERT_TRUE(documents.ok()) << documents.error();
  ASSERT_EQ(documents->size(), 4u);
  EXPECT_TRUE((*documents)[0].IsMap());
  EXPECT_TRUE((*documents)[1].IsNull());
  EXPECT_TRUE((*documents)[2].IsNull());
  EXPECT_TRUE((*documents)[3].IsSequence());
  EXPECT_TRUE(loadYamlDocuments("").value().empty());
}

TEST(YamlDocuments, StrayTokenWhereADocumentStartsIsAnErrorNotAnEndlessLoop) {
  for (const std::string text : {",", "&anchor ,", "!tag ,", "... ,"}) {
    SCOPED_TRACE(text);
    const Result<std::vector<YAML::Node>> documents = loadYamlDocuments(text);
    ASSERT_FALSE(documents.ok());
    EXPECT_NE(documents.error().find("unexpected token where a YAML document should start"), std::string::npos)
        << documents.error();
  }
  const Result<std::vector<YAML::Node>> later = loadYamlDocuments("a: b\n---\n,\n");
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().rfind("3:1: ", 0), 0u) << later.error();
}

TEST(YamlDocuments, ReportsSyntaxErrorsWithTheirPosition) {
  const Result<std::vector<YAML::Node>> documents = loadYamlDocuments("a: 1\nb: [x\n");
  ASSERT_FALSE(documents.ok());
  EXPECT_EQ(documents.error(), "3:1: end of sequence flow not found");
}

TEST(YamlDocuments, NestingBeyondYamlCppsGuardIsAnError) {
  const Result<std::vector<YAML::Node>> documents =
      loadYamlDocuments(std::string(100000, '[') + std::string(100000, ']'));
  ASSERT_FALSE(documents.ok());
  EXPECT_NE(documents.error().find("nested more than 500 levels deep"), std::string::npos) << documents.error();
  EXPECT_TRUE(loadYamlDocuments(std::string(400, '[') + std::string(400, ']')).ok());
}

}  // namespace
}  // namespace meshward::cluster
