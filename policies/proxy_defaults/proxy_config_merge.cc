#include "policies/proxy_defaults/proxy_config_merge.h"

#include <algorithm>
#include <optional>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

namespace meshward::policies {
namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string scalarText(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::string fieldLine(const ProxyConfigField& field, bool quote_name) {
  const std::string name = quote_name ? nlohmann::json(field.name).dump() : std::string(field.name);
  return name + ": " + field.value.dump();
}

std::optional<YAML::Node> parse(std::string_view text, std::string& problem) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::DeepRecursion&) {
    problem = "nested too deeply";
    return std::nullopt;
  } catch (const YAML::Exception& error) {
    problem = error.mark.is_null() ? error.msg
                                   : "line " + std::to_string(error.mark.line + 1) + ", column " +
                                         std::to_string(error.mark.column + 1) + ": " + error.msg;
    return std::nullopt;
  }
}

bool hasKey(const YAML::Node& map, const ProxyConfigField& field) {
  for (const auto& entry : map) {
    if (entry.first.IsScalar() && (entry.first.Scalar() == field.name || entry.first.Scalar() == field.proto_name)) {
      return true;
    }
  }
  return false;
}

std::string describeNode(const YAML::Node& node) {
  if (node.IsSequence()) {
    return "a list";
  }
  return "the plain value '" + node.Scalar() + "'";
}

// Skips spaces, comment lines and a "---" document start before the flow map's '{'.
std::size_t findFlowMapStart(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (isSpace(text[i])) {
      ++i;
    } else if (text.substr(i, 3) == "---") {
      i += 3;
    } else if (text[i] == '#') {
      const std::size_t line_end = text.find('\n', i);
      i = line_end == std::string_view::npos ? text.size() : line_end + 1;
    } else {
      return text[i] == '{' ? i : std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

// The quote that ends the quoted scalar opened at `open`: "..." escapes with a backslash,
// '...' by doubling the quote.
std::size_t findClosingQuote(std::string_view text, std::size_t open) {
  const char quote = text[open];
  for (std::size_t i = open + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;
      } else {
        return i;
      }
    }
  }
  return std::string_view::npos;
}

// The '}' that closes the '{' at `open`, skipping quoted scalars and comments.
std::size_t findFlowMapEnd(std::string_view text, std::size_t open) {
  int depth = 0;
  char previous_significant = '\0';
  for (std::size_t i = open; i < text.size(); ++i) {
    const char c = text[i];
    const bool scalar_start = previous_significant == '{' || previous_significant == '[' ||
                              previous_significant == ',' || previous_significant == ':' || previous_significant == '?';
    if ((c == '"' || c == '\'') && scalar_start) {
      i = findClosingQuote(text, i);
      if (i == std::string_view::npos) {
        return i;
      }
    } else if (c == '#' && i > 0 && isSpace(text[i - 1])) {
      i = text.find('\n', i);
      if (i == std::string_view::npos) {
        return i;
      }
      continue;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) {
        return c == '}' ? i : std::string_view::npos;
      }
    }
    if (!isSpace(c)) {
      previous_significant = text[i];
    }
  }
  return std::string_view::npos;
}

std::string appendBlockLines(std::string_view text, const YAML::Node& map,
                             const std::vector<const ProxyConfigField*>& missing) {
  int indent = 0;
  if (map.IsMap() && map.size() > 0) {
    indent = std::max(0, map.begin()->first.Mark().column);
  }
  std::string merged(text);
  if (!merged.empty() && merged.back() != '\n') {
    merged += '\n';
  }
  for (const ProxyConfigField* field : missing) {
    merged += std::string(static_cast<std::size_t>(indent), ' ') + fieldLine(*field, false) + "\n";
  }
  return merged;
}

std::optional<std::string> insertFlowEntries(std::string_view text, const YAML::Node& map,
                                             const std::vector<const ProxyConfigField*>& missing, bool json) {
  const std::size_t open = findFlowMapStart(text);
  const std::size_t close = open == std::string_view::npos ? open : findFlowMapEnd(text, open);
  if (close == std::string_view::npos) {
    return std::nullopt;
  }
  std::size_t insert_at = close;
  while (insert_at > open + 1 && isSpace(text[insert_at - 1])) {
    --insert_at;
  }
  const std::size_t line_start = text.rfind('\n', insert_at == 0 ? 0 : insert_at - 1);
  const std::string_view last_line =
      text.substr(line_start == std::string_view::npos ? 0 : line_start + 1,
                  insert_at - (line_start == std::string_view::npos ? 0 : line_start + 1));
  const bool after_comment = last_line.find('#') != std::string_view::npos;
  if (after_comment) {
    insert_at = close;
  }
  const bool multi_line = text.substr(open, close - open).find('\n') != std::string_view::npos;
  std::string separator = ", ";
  if (multi_line && !after_comment) {
    const std::size_t indent = last_line.find_first_not_of(" \t");
    separator = ",\n" + std::string(last_line.substr(0, indent == std::string_view::npos ? 0 : indent));
  }
  std::string entries;
  bool first = map.size() == 0 || text[insert_at - 1] == ',';
  for (const ProxyConfigField* field : missing) {
    if (!first) {
      entries += separator;
    } else if (text[insert_at - 1] == ',') {
      entries += " ";
    }
    first = false;
    entries += fieldLine(*field, json);
  }
  return std::string(text.substr(0, insert_at)) + entries + std::string(text.substr(insert_at));
}

// The merged text must parse to the same map plus exactly the added fields.
bool verify(std::string_view merged, const YAML::Node& original, const std::vector<const ProxyConfigField*>& missing,
            bool json) {
  if (json && !nlohmann::json::accept(merged)) {
    return false;
  }
  std::string problem;
  const std::optional<YAML::Node> parsed = parse(merged, problem);
  if (!parsed || !parsed->IsMap() || parsed->size() != original.size() + missing.size()) {
    return false;
  }
  const YAML::Node& map = *parsed;
  for (const ProxyConfigField* field : missing) {
    const YAML::Node value = map[std::string(field->name)];
    if (!value.IsScalar() || value.Scalar() != scalarText(field->value)) {
      return false;
    }
  }
  for (const auto& entry : original) {
    if (entry.first.IsScalar() && !map[entry.first.Scalar()].IsDefined()) {
      return false;
    }
  }
  return true;
}

}  // namespace

ProxyConfigMerge mergeProxyConfig(std::string_view text, const std::vector<ProxyConfigField>& fields) {
  ProxyConfigMerge result;
  std::optional<YAML::Node> root = parse(text, result.problem);
  if (!root) {
    result.outcome = ProxyConfigMerge::Outcome::InvalidYaml;
    return result;
  }
  if (!root->IsNull() && !root->IsMap()) {
    result.outcome = ProxyConfigMerge::Outcome::NotAMap;
    result.problem = describeNode(*root);
    return result;
  }
  std::vector<const ProxyConfigField*> missing;
  for (const ProxyConfigField& field : fields) {
    if (root->IsNull() || !hasKey(*root, field)) {
      missing.push_back(&field);
      result.added.emplace_back(field.name);
    }
  }
  if (missing.empty()) {
    return result;
  }
  const bool json = nlohmann::json::accept(text);
  std::optional<std::string> merged;
  if (root->IsMap() && root->Style() == YAML::EmitterStyle::Flow) {
    merged = insertFlowEntries(text, *root, missing, json);
  } else {
    merged = appendBlockLines(text, *root, missing);
  }
  if (!merged || !verify(*merged, *root, missing, json)) {
    result.outcome = ProxyConfigMerge::Outcome::CannotMerge;
    result.problem = "its layout does not allow appending fields without changing what it means";
    return result;
  }
  result.outcome = ProxyConfigMerge::Outcome::Merged;
  result.text = std::move(*merged);
  return result;
}

std::string newProxyConfig(const std::vector<ProxyConfigField>& fields) {
  std::string text;
  for (const ProxyConfigField& field : fields) {
    text += fieldLine(field, false) + "\n";
  }
  return text;
}

}  // namespace meshward::policies
