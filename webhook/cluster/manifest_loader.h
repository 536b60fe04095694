#pragma once
// Reads Kubernetes/Istio manifests from files, directories and stdin: multi-document YAML, JSON,
// and List kinds expanded into their items, each object remembering the file and line it came from.

#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/common/result.h"

namespace meshward::cluster {

struct Manifest {
  nlohmann::json object;  // always a JSON object
  std::string file;       // as given on the command line, "<stdin>" for "-"
  int line = 1;           // 1-based line where the document (or List item) starts
};

struct LoadOptions {
  // Strict (for the objects under check): a document that is not a mapping is an error.
  // Lenient (for --cluster-state folders, which may hold kustomize patches and the like): such
  // documents are skipped. Files that do not parse are errors either way.
  bool lenient = false;
};

enum class ManifestFormat { Yaml, Json };

inline constexpr std::string_view kStdinPath = "-";
inline constexpr std::string_view kStdinName = "<stdin>";

// Parses one file's text; errors read "file:line:col: message".
Result<std::vector<Manifest>> parseManifests(std::string_view text, const std::string& file, ManifestFormat format,
                                             const LoadOptions& options = {});

// Loads every path in order: a file, a directory (recursively, *.yaml *.yml *.json in sorted order,
// hidden entries skipped) or "-" for `standard_input`.
Result<std::vector<Manifest>> loadManifests(const std::vector<std::string>& paths, std::istream& standard_input,
                                            const LoadOptions& options = {});

// The same, reading "-" from std::cin.
Result<std::vector<Manifest>> loadManifests(const std::vector<std::string>& paths);

}  // namespace meshward::cluster
