#include "webhook/cluster/manifest_loader.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "webhook/common/json_fields.h"
#include "webhook/cluster/json_layout.h"
#include "webhook/cluster/yaml_documents.h"
#include "webhook/cluster/yaml_to_json.h"
#include "webhook/common/utf8.h"

namespace meshward::cluster {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kListSuffix = "List";

bool isManifestFileName(const fs::path& path) {
  const std::string extension = path.extension().string();
  return extension == ".yaml" || extension == ".yml" || extension == ".json";
}

bool isHidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name[0] == '.';
}

std::string jsonTypeName(const nlohmann::json& value) {
  if (value.is_array()) {
    return "a sequence";
  }
  if (value.is_null()) {
    return "null";
  }
  return "a scalar";
}

// Collects a document's objects, expanding List kinds. `item_lines` gives the line of each item
// when known.
class ManifestCollector {
 public:
  ManifestCollector(const std::string& file, const LoadOptions& options, std::vector<Manifest>& out)
      : file_(file), options_(options), out_(out) {}

  std::optional<Error> add(nlohmann::json document, int line, const std::vector<int>& item_lines) {
    if (!document.is_object()) {
      if (options_.lenient) {
        return std::nullopt;
      }
      return Error{where(line) + "document is " + jsonTypeName(document) + ", not a mapping"};
    }
    const std::string kind(meshward::stringMember(&document, "kind").value_or(""));
    const auto items = document.find("items");
    const bool is_list = kind.size() >= kListSuffix.size() && kind.ends_with(kListSuffix) && items != document.end() &&
                         items->is_array();
    if (!is_list) {
      out_.push_back(Manifest{std::move(document), file_, line});
      return std::nullopt;
    }
    const std::string item_kind = kind == kListSuffix ? "" : kind.substr(0, kind.size() - kListSuffix.size());
    const std::string api_version(meshward::stringMember(&document, "apiVersion").value_or(""));
    for (size_t index = 0; index < items->size(); ++index) {
      nlohmann::json& item = (*items)[index];
      const int item_line = index < item_lines.size() ? item_lines[index] : line;
      if (!item.is_object()) {
        if (options_.lenient) {
          continue;
        }
        return Error{where(item_line) + "item " + std::to_string(index) + " of " + kind + " is " +
                     jsonTypeName(item) + ", not a mapping"};
      }
      if (!item_kind.empty() && !item.contains("kind")) {
        item["kind"] = item_kind;
        if (!item.contains("apiVersion") && !api_version.empty()) {
          item["apiVersion"] = api_version;
        }
      }
      out_.push_back(Manifest{std::move(item), file_, item_line});
    }
    return std::nullopt;
  }

  std::string where(int line) const { return file_ + ":" + std::to_string(line) + ": "; }

 private:
  const std::string& file_;
  const LoadOptions& options_;
  std::vector<Manifest>& out_;
};

// "file:" before an error that starts with its "line:column: ", "file: " before one that has none.
Error inFile(const std::string& file, const std::string& error) {
  const bool positioned = !error.empty() && std::isdigit(static_cast<unsigned char>(error[0])) != 0;
  return Error{file + (positioned ? ":" : ": ") + error};
}

int lineOf(const YAML::Node& node) { return node.Mark().is_null() ? 1 : node.Mark().line + 1; }

std::vector<int> yamlItemLines(const YAML::Node& document) {
  std::vector<int> lines;
  if (!document.IsMap()) {
    return lines;
  }
  const YAML::Node items = document["items"];
  if (items && items.IsSequence()) {
    for (const YAML::Node& item : items) {
      lines.push_back(lineOf(item));
    }
  }
  return lines;
}

Result<std::vector<Manifest>> parseYaml(std::string_view text, const std::string& file, const LoadOptions& options) {
  const Result<std::vector<YAML::Node>> documents = loadYamlDocuments(std::string(text));
  if (!documents) {
    return inFile(file, documents.error());
  }
  std::vector<Manifest> manifests;
  ManifestCollector collector(file, options, manifests);
  for (const YAML::Node& document : *documents) {
    if (document.IsNull()) {
      continue;
    }
    Result<nlohmann::json> converted = yamlToJson(document);
    if (!converted) {
      return inFile(file, converted.error());
    }
    if (auto error = collector.add(std::move(*converted), lineOf(document), yamlItemLines(document))) {
      return *error;
    }
  }
  return manifests;
}

std::pair<int, int> lineAndColumn(std::string_view text, size_t byte_offset) {
  int line = 1;
  int column = 1;
  for (size_t i = 0; i < std::min(byte_offset, text.size()); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// nlohmann's message without its "[json.exception...] parse error at line L, column C: " prefix.
std::string jsonErrorMessage(const nlohmann::json::parse_error& error) {
  const std::string message = error.what();
  const size_t column = message.find("column ");
  const size_t separator = column == std::string::npos ? column : message.find(": ", column);
  return printableUtf8(separator == std::string::npos ? message : message.substr(separator + 2));
}

Result<std::vector<Manifest>> parseJson(std::string_view text, const std::string& file, const LoadOptions& options) {
  std::vector<Manifest> manifests;
  if (std::all_of(text.begin(), text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; })) {
    return manifests;
  }
  const JsonLayout layout = scanJsonLayout(text);
  const int max_depth = YamlConversionLimits{}.max_depth;
  if (layout.max_depth > max_depth) {
    return Error{file + ":1: nested more than " + std::to_string(max_depth) + " levels deep"};
  }
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    const auto [line, column] = lineAndColumn(text, error.byte == 0 ? 0 : error.byte - 1);
    return Error{file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + jsonErrorMessage(error)};
  }
  ManifestCollector collector(file, options, manifests);
  if (auto error = collector.add(std::move(document), 1, layout.item_lines)) {
    return *error;
  }
  return manifests;
}

ManifestFormat formatOfStdin(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == '{' ? ManifestFormat::Json : ManifestFormat::Yaml;
}

ManifestFormat formatOfFile(const fs::path& path) {
  return path.extension() == ".json" ? ManifestFormat::Json : ManifestFormat::Yaml;
}

Result<std::string> readFile(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) {
    return Error{path + ": cannot open: " + std::strerror(errno)};
  }
  std::string text((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
  if (stream.bad()) {
    return Error{path + ": cannot read: " + std::strerror(errno)};
  }
  return text;
}

// The manifest files under `directory`, sorted, skipping hidden files and directories.
Result<std::vector<std::string>> listManifestFiles(const std::string& directory) {
  std::vector<std::string> files;
  std::error_code error;
  fs::recursive_directory_iterator entries(directory, fs::directory_options::none, error);
  for (; !error && entries != fs::recursive_directory_iterator(); entries.increment(error)) {
    const fs::directory_entry& entry = *entries;
    if (isHidden(entry.path())) {
      if (entry.is_directory(error)) {
        entries.disable_recursion_pending();
      }
      error.clear();
      continue;
    }
    if (entry.is_regular_file(error) && isManifestFileName(entry.path())) {
      files.push_back(entry.path().string());
    }
    error.clear();
  }
  if (error) {
    return Error{directory + ": " + error.message()};
  }
  std::sort(files.begin(), files.end());
  return files;
}

void append(std::vector<Manifest>& all, std::vector<Manifest>&& more) {
  all.insert(all.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

Result<std::vector<Manifest>> loadFile(const std::string& path, const LoadOptions& options) {
  Result<std::string> text = readFile(path);
  if (!text) {
    return Error{text.error()};
  }
  return parseManifests(*text, path, formatOfFile(path), options);
}

}  // namespace

Result<std::vector<Manifest>> parseManifests(std::string_view text, const std::string& file, ManifestFormat format,
                                             const LoadOptions& options) {
  if (const std::optional<std::string> bad = describeInvalidUtf8(text)) {
    return Error{file + ":" + *bad + ": Kubernetes objects are UTF-8 text, and the API server refuses this input too"};
  }
  try {
    return format == ManifestFormat::Json ? parseJson(text, file, options) : parseYaml(text, file, options);
  } catch (const std::exception& error) {
    return Error{file + ": " + printableUtf8(error.what())};
  }
}

Result<std::vector<Manifest>> loadManifests(const std::vector<std::string>& paths, std::istream& standard_input,
                                            const LoadOptions& options) {
  std::vector<Manifest> all;
  for (const std::string& path : paths) {
    if (path == kStdinPath) {
      const std::string text((std::istreambuf_iterator<char>(standard_input)), std::istreambuf_iterator<char>());
      if (standard_input.bad()) {
        return Error{std::string(kStdinName) + ": cannot read"};
      }
      Result<std::vector<Manifest>> parsed =
          parseManifests(text, std::string(kStdinName), formatOfStdin(text), options);
      if (!parsed) {
        return parsed;
      }
      append(all, std::move(*parsed));
      continue;
    }
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (error || !fs::exists(status)) {
      return Error{path + ": " + (error ? error.message() : "no such file or directory")};
    }
    std::vector<std::string> files = {path};
    if (fs::is_directory(status)) {
      Result<std::vector<std::string>> listed = listManifestFiles(path);
      if (!listed) {
        return Error{listed.error()};
      }
      files = std::move(*listed);
    }
    for (const std::string& file : files) {
      Result<std::vector<Manifest>> loaded = loadFile(file, options);
      if (!loaded) {
        return loaded;
      }
      append(all, std::move(*loaded));
    }
  }
  return all;
}

Result<std::vector<Manifest>> loadManifests(const std::vector<std::string>& paths) {
  return loadManifests(paths, std::cin, {});
}

}  // namespace meshward::cluster
