#pragma once
// Every document of a YAML stream, parsed by yaml-cpp with its failure modes turned into error
// values: syntax errors, nesting deeper than yaml-cpp's 500-level guard, and a stray token such
// as ',' where a document should start, on which yaml-cpp 0.7's LoadAll loops forever while
// allocating memory (jbeder/yaml-cpp#1040).

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "webhook/common/result.h"

namespace meshward::cluster {

// Errors start with the 1-based "line:column: " of the problem when yaml-cpp knows it.
Result<std::vector<YAML::Node>> loadYamlDocuments(const std::string& text);

}  // namespace meshward::cluster
