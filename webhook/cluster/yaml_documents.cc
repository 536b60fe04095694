#include "webhook/cluster/yaml_documents.h"

#include <optional>
#include <sstream>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include "webhook/common/utf8.h"

namespace meshward::cluster {
namespace {

std::string position(const YAML::Mark& mark) {
  if (mark.is_null()) {
    return "";
  }
  return std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": ";
}

// Remembers where the last document started and ignores everything else.
class DocumentStarts final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { last_start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  YAML::Mark last_start = YAML::Mark::null_mark();
};

bool samePosition(const YAML::Mark& a, const YAML::Mark& b) { return a.pos == b.pos && a.line == b.line; }

// Walks the documents without building nodes; a document that starts where the previous one
// started means the parser consumed nothing and would go on forever.
std::optional<Error> findStalledDocument(const std::string& text) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentStarts starts;
  std::optional<YAML::Mark> previous;
  while (parser.HandleNextDocument(starts)) {
    if (previous && samePosition(*previous, starts.last_start)) {
      return Error{position(starts.last_start) + "unexpected token where a YAML document should start"};
    }
    previous = starts.last_start;
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<YAML::Node>> loadYamlDocuments(const std::string& text) {
  try {
    if (std::optional<Error> stalled = findStalledDocument(text)) {
      return *stalled;
    }
    return YAML::LoadAll(text);
  } catch (const YAML::DeepRecursion& error) {
    return Error{position(error.mark) + "nested more than " + std::to_string(error.depth()) + " levels deep"};
  } catch (const YAML::Exception& error) {
    return Error{position(error.mark) + printableUtf8(error.msg)};
  }
}

}  // namespace meshward::cluster
