#pragma once
// Adds missing fields to the text of a proxy.istio.io/config annotation (ProxyConfig written as
// block YAML, flow YAML or JSON) while keeping every character the user wrote: a block map gets
// new lines at its end, a flow or JSON map new entries before its closing brace.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace meshward::policies {

struct ProxyConfigField {
  std::string_view name;        // as Istio documents it: holdApplicationUntilProxyStarts
  std::string_view proto_name;  // the protobuf name Istio also accepts: hold_application_until_proxy_starts
  nlohmann::json value;         // a scalar: true, "30s"
};

struct ProxyConfigMerge {
  enum class Outcome {
    Unchanged,    // every field is already there (whatever its value)
    Merged,       // `text` holds the new annotation value
    InvalidYaml,  // `problem` holds the parser's message
    NotAMap,      // `problem` says what it is instead
    CannotMerge,  // a map, but adding lines would change its meaning; `problem` says why
  };

  Outcome outcome = Outcome::Unchanged;
  std::string text;
  std::vector<std::string> added;  // names of the fields added
  std::string problem;
};

ProxyConfigMerge mergeProxyConfig(std::string_view text, const std::vector<ProxyConfigField>& fields);

// The annotation value for a pod that has none: one block-style line per field.
std::string newProxyConfig(const std::vector<ProxyConfigField>& fields);

}  // namespace meshward::policies
