#include "webhook/cluster/manifest_loader.h"

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/cluster/scratch_directory.h"

namespace meshward::cluster {
namespace {

namespace fs = std::filesystem;

const std::string kCorpus = std::string(MESHWARD_SHARED_DIR) + "/corpus";

class ManifestLoaderTest : public ::testing::Test {
 protected:
  std::string write(const std::string& relative, const std::string& text) { return scratch_.write(relative, text); }

  Result<std::vector<Manifest>> load(const std::vector<std::string>& paths, const std::string& stdin_text = "",
                                     const LoadOptions& options = {}) {
    std::istringstream input(stdin_text);
    return loadManifests(paths, input, options);
  }

  testing::ScratchDirectory scratch_;
  const fs::path& root_ = scratch_.path();
};

std::vector<std::string> namesOf(const std::vector<Manifest>& manifests) {
  std::vector<std::string> names;
  for (const Manifest& manifest : manifests) {
    names.push_back(manifest.object["metadata"]["name"].get<std::string>());
  }
  return names;
}

TEST_F(ManifestLoaderTest, BytesThatAreNotUtf8AreAnErrorAtTheirLineAndColumn) {
  const std::string yaml = write("bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"caf\xE9\"}\n");
  const auto loaded = load({yaml});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error(), yaml + ":3:22: not UTF-8 (byte 0xE9): Kubernetes objects are UTF-8 text, and the API "
                                   "server refuses this input too");
  const std::string json = write("bad.json", "{\"apiVersion\": \"v1\", \"kind\": \"\xFF\"}");
  const auto from_json = load({json});
  ASSERT_FALSE(from_json.ok());
  EXPECT_NE(from_json.error().find(json + ":1:31: not UTF-8 (byte 0xFF)"), std::string::npos) << from_json.error();
  const auto from_stdin = load({"-"}, "kind: Pod\n\xC0\xAF: overlong\n");
  ASSERT_FALSE(from_stdin.ok());
  EXPECT_NE(from_stdin.error().find(":2:1: not UTF-8 (byte 0xC0)"), std::string::npos) << from_stdin.error();
  EXPECT_TRUE(load({write("good.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xC3\xA9}\n")}).ok());
}

TEST_F(ManifestLoaderTest, SplitsMultiDocumentYamlAndSkipsEmptyDocuments) {
  const std::string file = write("app.yaml",
                                 "# leading comment\n"
                                 "apiVersion: v1\n"
                                 "kind: Service\n"
                                 "metadata: {name: one}\n"
                                 "---\n"
                                 "---\n"
                                 "# only a comment\n"
                                 "---\n"
                                 "apiVersion: apps/v1\n"
                                 "kind: Deployment\n"
                                 "metadata: {name: two}\n");
  const Result<std::vector<Manifest>> loaded = load({file});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ(namesOf(*loaded), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ((*loaded)[0].file, file);
  EXPECT_EQ((*loaded)[0].line, 2);
  EXPECT_EQ((*loaded)[1].line, 9);
  EXPECT_EQ((*loaded)[1].object["kind"], "Deployment");
}

TEST_F(ManifestLoaderTest, ExpandsListKindsIntoItemsWithTheirLines) {
  const std::string file = write("list.yaml",
                                 "apiVersion: v1\n"
                                 "kind: List\n"
                                 "items:\n"
                                 "- apiVersion: v1\n"
                                 "  kind: Service\n"
                                 "  metadata: {name: a}\n"
                                 "- apiVersion: v1\n"
                                 "  kind: ConfigMap\n"
                                 "  metadata: {name: b}\n");
  const Result<std::vector<Manifest>> loaded = load({file});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].object["kind"], "Service");
  EXPECT_EQ((*loaded)[0].line, 4);
  EXPECT_EQ((*loaded)[1].object["kind"], "ConfigMap");
  EXPECT_EQ((*loaded)[1].line, 7);
}

TEST_F(ManifestLoaderTest, TypedListsGiveTheirItemsKindAndApiVersion) {
  const std::string file = write("pods.yaml",
                                 "apiVersion: v1\n"
                                 "kind: PodList\n"
                                 "items:\n"
                                 "- metadata: {name: p1}\n"
                                 "- kind: Pod\n"
                                 "  apiVersion: v1\n"
                                 "  metadata: {name: p2}\n");
  const Result<std::vector<Manifest>> loaded = load({file});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].object["kind"], "Pod");
  EXPECT_EQ((*loaded)[0].object["apiVersion"], "v1");
  EXPECT_EQ((*loaded)[1].object["metadata"]["name"], "p2");
}

TEST_F(ManifestLoaderTest, KeepsAKindEndingInListWithoutItemsAsOneObject) {
  const std::string file = write("allow.yaml", "apiVersion: example.com/v1\nkind: AllowList\nmetadata: {name: x}\n");
  const Result<std::vector<Manifest>> loaded = load({file});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].object["kind"], "AllowList");
}

TEST_F(ManifestLoaderTest, ReadsJsonObjectsAndJsonLists) {
  const std::string single = write("single.json", R"({"apiVersion": "v1", "kind": "Namespace",
    "metadata": {"name": "mesh", "labels": {"emoji": "\ud83d\ude00"}}})");
  const std::string list = write("list.json",
                                 "{\n"
                                 "  \"apiVersion\": \"v1\",\n"
                                 "  \"kind\": \"List\",\n"
                                 "  \"items\": [\n"
                                 "    {\"apiVersion\": \"v1\", \"kind\": \"Service\",\n"
                                 "     \"metadata\": {\"name\": \"s1\"}},\n"
                                 "    {\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": {\"name\": \"s2\"}}"
                                 "\n"
                                 "  ]\n"
                                 "}\n");
  const Result<std::vector<Manifest>> loaded = load({single, list});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  ASSERT_EQ(loaded->size(), 3u);
  EXPECT_EQ((*loaded)[0].object["metadata"]["labels"]["emoji"], "\xF0\x9F\x98\x80");
  EXPECT_EQ((*loaded)[0].line, 1);
  EXPECT_EQ(namesOf(*loaded), (std::vector<std::string>{"mesh", "s1", "s2"}));
  EXPECT_EQ((*loaded)[1].line, 5);
  EXPECT_EQ((*loaded)[2].line, 7);
  EXPECT_EQ((*loaded)[2].file, list);
}

TEST_F(ManifestLoaderTest, WalksDirectoriesInSortedOrderSkippingHiddenAndOtherFiles) {
  const std::string object = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: NAME}\n";
  auto named = [&](const std::string& name) {
    std::string text = object;
    return text.replace(text.find("NAME"), 4, name);
  };
  write("b.yaml", named("b"));
  write("a/z.yml", named("a-z"));
  write("a/c.json", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a-c"}})");
  write("c.txt", "not: [a manifest");
  write(".git/config.yaml", "broken: [");
  write("a/.hidden.yaml", named("hidden"));
  write("values.yaml.orig", "broken: [");
  const Result<std::vector<Manifest>> loaded = load({root_.string()});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(namesOf(*loaded), (std::vector<std::string>{"a-c", "a-z", "b"}));
  EXPECT_EQ((*loaded)[1].file, (root_ / "a/z.yml").string());
}

TEST_F(ManifestLoaderTest, ReadsStandardInputForDash) {
  const std::string file = write("file.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-file}\n");
  const Result<std::vector<Manifest>> yaml =
      load({"-", file}, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-stdin}\n");
  ASSERT_TRUE(yaml.ok()) << yaml.error();
  EXPECT_EQ(namesOf(*yaml), (std::vector<std::string>{"from-stdin", "from-file"}));
  EXPECT_EQ((*yaml)[0].file, "<stdin>");

  const Result<std::vector<Manifest>> json =
      load({"-"}, R"(  {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"json-\u00e9"}})");
  ASSERT_TRUE(json.ok()) << json.error();
  EXPECT_EQ(namesOf(*json), (std::vector<std::string>{"json-\xC3\xA9"}));
}

TEST_F(ManifestLoaderTest, ReportsYamlSyntaxErrorsWithFileLineAndColumn) {
  const std::string file = write("bad.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n");
  const Result<std::vector<Manifest>> loaded = load({file});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().rfind(file + ":", 0), 0u) << loaded.error();
  EXPECT_NE(loaded.error().find("end of sequence flow not found"), std::string::npos) << loaded.error();
}

TEST_F(ManifestLoaderTest, ReportsJsonSyntaxErrorsWithFileLineAndColumn) {
  const std::string file = write("bad.json", "{\n  \"kind\": \"Service\",\n  \"metadata\": {\"name\": x}\n}\n");
  const Result<std::vector<Manifest>> loaded = load({file});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().rfind(file + ":3:24: ", 0), 0u) << loaded.error();
  EXPECT_EQ(loaded.error().find("json.exception"), std::string::npos) << loaded.error();
}

TEST_F(ManifestLoaderTest, ReportsConversionErrorsWithTheFile) {
  const std::string file = write("dup.yaml", "kind: A\nkind: B\n");
  const Result<std::vector<Manifest>> loaded = load({file});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error(), file + ":2:1: duplicate mapping key \"kind\"");
}

TEST_F(ManifestLoaderTest, RejectsDocumentsThatAreNotMappingsUnlessLenient) {
  const std::string file = write("patch.yaml",
                                 "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kept}\n"
                                 "---\n"
                                 "- op: add\n  path: /metadata/labels\n");
  const Result<std::vector<Manifest>> strict = load({file});
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error(), file + ":5: document is a sequence, not a mapping");

  const Result<std::vector<Manifest>> lenient = load({file}, "", LoadOptions{.lenient = true});
  ASSERT_TRUE(lenient.ok()) << lenient.error();
  EXPECT_EQ(namesOf(*lenient), (std::vector<std::string>{"kept"}));

  const std::string scalar = write("scalar.yaml", "just text\n");
  const Result<std::vector<Manifest>> scalar_loaded = load({scalar});
  ASSERT_FALSE(scalar_loaded.ok());
  EXPECT_EQ(scalar_loaded.error(), scalar + ":1: document is a scalar, not a mapping");
}

TEST_F(ManifestLoaderTest, RejectsListItemsThatAreNotMappings) {
  const std::string file = write("list.yaml", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: A\n- 7\n");
  const Result<std::vector<Manifest>> strict = load({file});
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error(), file + ":6: item 1 of List is a scalar, not a mapping");
  const Result<std::vector<Manifest>> lenient = load({file}, "", LoadOptions{.lenient = true});
  ASSERT_TRUE(lenient.ok()) << lenient.error();
  EXPECT_EQ(lenient->size(), 1u);
}

TEST_F(ManifestLoaderTest, ReportsMissingPaths) {
  const std::string missing = (root_ / "nope.yaml").string();
  const Result<std::vector<Manifest>> loaded = load({missing});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error(), missing + ": No such file or directory");
}

TEST_F(ManifestLoaderTest, HundredThousandLevelsOfNestingIsAnErrorNotACrash) {
  const std::string deep_yaml = write("deep.yaml", "spec: " + std::string(100000, '[') + std::string(100000, ']'));
  const Result<std::vector<Manifest>> yaml = load({deep_yaml});
  ASSERT_FALSE(yaml.ok());
  EXPECT_NE(yaml.error().find("levels deep"), std::string::npos) << yaml.error();

  std::string block;
  for (int level = 0; level < 100000; ++level) {
    block += "- ";
  }
  const Result<std::vector<Manifest>> block_yaml = load({write("block.yaml", block + "x\n")});
  ASSERT_FALSE(block_yaml.ok());
  EXPECT_NE(block_yaml.error().find("levels deep"), std::string::npos) << block_yaml.error();

  const std::string deep_json =
      write("deep.json", "{\"spec\": " + std::string(100000, '[') + std::string(100000, ']') + "}");
  const Result<std::vector<Manifest>> json = load({deep_json});
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error(), deep_json + ":1: nested more than 200 levels deep");
}

TEST_F(ManifestLoaderTest, NestingWithinTheLimitLoads) {
  const std::string nested = write("nested.yaml", "spec: " + std::string(150, '[') + std::string(150, ']'));
  const Result<std::vector<Manifest>> loaded = load({nested});
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->size(), 1u);
}

TEST(ManifestLoaderCorpus, LoadsEveryCorpusFileExceptTheKnownBadOne) {
  const std::string known_bad = kCorpus + "/other-meshes/linkerd/policy-examples/ipfamilies-policy.yml";
  size_t files = 0;
  size_t objects = 0;
  for (const char* folder : {"istio-samples", "istio-analyzers", "gitops", "other-meshes", "istio-crds"}) {
    for (const auto& entry : fs::recursive_directory_iterator(kCorpus + "/" + folder)) {
      const std::string path = entry.path().string();
      const std::string extension = entry.path().extension().string();
      if (!entry.is_regular_file() || (extension != ".yaml" && extension != ".yml" && extension != ".json") ||
          path == known_bad) {
        continue;
      }
      std::istringstream no_input;
      const Result<std::vector<Manifest>> loaded = loadManifests({path}, no_input);
      EXPECT_TRUE(loaded.ok()) << loaded.error();
      ++files;
      objects += loaded.ok() ? loaded->size() : 0;
    }
  }
  EXPECT_GT(files, 200u);
  EXPECT_GT(objects, files);
}

TEST(ManifestLoaderCorpus, TheKnownBadFileFailsWithFileAndLine) {
  const std::string known_bad = kCorpus + "/other-meshes/linkerd/policy-examples/ipfamilies-policy.yml";
  std::istringstream no_input;
  const Result<std::vector<Manifest>> loaded = loadManifests({known_bad}, no_input);
  ASSERT_FALSE(loaded.ok());
  ASSERT_EQ(loaded.error().rfind(known_bad + ":", 0), 0u) << loaded.error();
  const std::string position = loaded.error().substr(known_bad.size() + 1);
  EXPECT_GT(std::stoi(position), 1) << loaded.error();
}

TEST(ManifestLoaderCorpus, LoadsAWholeCorpusFolderInSortedOrder) {
  std::istringstream no_input;
  const Result<std::vector<Manifest>> loaded = loadManifests({kCorpus + "/istio-samples"}, no_input);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  ASSERT_FALSE(loaded->empty());
  for (size_t i = 1; i < loaded->size(); ++i) {
    EXPECT_LE((*loaded)[i - 1].file, (*loaded)[i].file);
  }
}

}  // namespace
}  // namespace meshward::cluster
