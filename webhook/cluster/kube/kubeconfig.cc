#include "webhook/cluster/kube/kubeconfig.h"

#include <filesystem>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/common/json_fields.h"
#include "webhook/cluster/kube/base64_decode.h"
#include "webhook/cluster/yaml_documents.h"
#include "webhook/cluster/yaml_to_json.h"
#include "webhook/common/small_file.h"

namespace meshward::cluster::kube {
namespace {

using meshward::arrayMember;
using meshward::member;
using meshward::objectMember;
using meshward::stringMember;

// The entry named `name` of a kubeconfig list (clusters, contexts, users), its `field` object.
const nlohmann::json* namedEntry(const nlohmann::json& config, std::string_view list, std::string_view name,
                                 std::string_view field) {
  const nlohmann::json* entries = arrayMember(&config, list);
  if (entries == nullptr) {
    return nullptr;
  }
  for (const nlohmann::json& entry : *entries) {
    if (stringMember(&entry, "name") == name) {
      return objectMember(&entry, field);
    }
  }
  return nullptr;
}

class KubeconfigReader {
 public:
  explicit KubeconfigReader(const std::string& path)
      : path_(path), directory_(std::filesystem::path(path).parent_path()) {}

  Error error(const std::string& message) const { return Error{"kubeconfig " + path_ + ": " + message}; }

  std::string resolve(std::string_view file) const {
    const std::filesystem::path given(file);
    return (given.is_absolute() || directory_.empty() ? given : directory_ / given).string();
  }

  // The PEM of `file_field` (a path) or `data_field` (base64), "" when neither is set.
  Result<std::string> pem(const nlohmann::json& section, std::string_view file_field, std::string_view data_field,
                          std::string_view what) const {
    if (const std::optional<std::string_view> data = stringMember(&section, data_field); data && !data->empty()) {
      std::optional<std::string> decoded = decodeBase64(*data);
      if (!decoded) {
        return error(std::string(data_field) + " of the " + std::string(what) + " is not valid base64");
      }
      return std::move(*decoded);
    }
    if (const std::optional<std::string_view> file = stringMember(&section, file_field); file && !file->empty()) {
      Result<std::string> text = meshward::readSmallFile(resolve(*file));
      if (!text) {
        return error(std::string(file_field) + ": " + text.error());
      }
      return std::move(*text);
    }
    return std::string();
  }

 private:
  std::string path_;
  std::filesystem::path directory_;
};

Result<nlohmann::json> parseKubeconfig(const std::string& path, const KubeconfigReader& reader) {
  Result<std::string> text = meshward::readSmallFile(path);
  if (!text) {
    return Error{"kubeconfig " + text.error()};
  }
  Result<std::vector<YAML::Node>> documents = loadYamlDocuments(*text);
  if (!documents) {
    return reader.error(documents.error());
  }
  if (documents->size() != 1) {
    return reader.error("expected one YAML document, found " + std::to_string(documents->size()));
  }
  Result<nlohmann::json> config = yamlToJson(documents->front());
  if (!config) {
    return reader.error(config.error());
  }
  if (!config->is_object()) {
    return reader.error("not a kubeconfig (the document is not a mapping)");
  }
  return config;
}

std::optional<Error> readCluster(const nlohmann::json& cluster, std::string_view cluster_name,
                                 const KubeconfigReader& reader, ConnectionConfig& connection) {
  const std::string named = "cluster '" + std::string(cluster_name) + "'";
  const nlohmann::json* skip = member(&cluster, "insecure-skip-tls-verify");
  if (skip != nullptr && *skip == true) {
    return reader.error(named +
                        " sets insecure-skip-tls-verify; meshward always verifies the API server's "
                        "certificate: give certificate-authority or certificate-authority-data instead");
  }
  if (stringMember(&cluster, "proxy-url")) {
    return reader.error(named + " sets proxy-url, which meshward does not support");
  }
  const std::optional<std::string_view> server = stringMember(&cluster, "server");
  if (!server || server->empty()) {
    return reader.error(named + " has no server");
  }
  Result<ApiServerAddress> address = parseServerUrl(*server);
  if (!address) {
    return reader.error(named + ": " + address.error());
  }
  connection.server = std::move(*address);
  connection.tls_server_name = std::string(stringMember(&cluster, "tls-server-name").value_or(""));
  Result<std::string> ca = reader.pem(cluster, "certificate-authority", "certificate-authority-data", named);
  if (!ca) {
    return Error{ca.error()};
  }
  if (ca->empty()) {
    return reader.error(named +
                        " has neither certificate-authority nor certificate-authority-data; meshward "
                        "always verifies the API server's certificate");
  }
  connection.ca_pem = std::move(*ca);
  return std::nullopt;
}

std::optional<Error> readUser(const nlohmann::json& user, std::string_view user_name, const KubeconfigReader& reader,
                              ConnectionConfig& connection) {
  const std::string named = "user '" + std::string(user_name) + "'";
  for (const std::string_view plugin : {"exec", "auth-provider"}) {
    if (member(&user, plugin) != nullptr) {
      return reader.error(named + " uses " + std::string(plugin) +
                          ", which meshward does not run; give it a token, tokenFile or client certificate");
    }
  }
  connection.token = std::string(stringMember(&user, "token").value_or(""));
  if (const std::optional<std::string_view> token_file = stringMember(&user, "tokenFile");
      token_file && !token_file->empty()) {
    connection.token_file = reader.resolve(*token_file);
  }
  Result<std::string> certificate = reader.pem(user, "client-certificate", "client-certificate-data", named);
  if (!certificate) {
    return Error{certificate.error()};
  }
  Result<std::string> key = reader.pem(user, "client-key", "client-key-data", named);
  if (!key) {
    return Error{key.error()};
  }
  if (certificate->empty() != key->empty()) {
    return reader.error(named + " gives a client certificate without its key, or a key without its certificate");
  }
  connection.client_certificate_pem = std::move(*certificate);
  connection.client_key_pem = std::move(*key);
  return std::nullopt;
}

}  // namespace

Result<ConnectionConfig> loadKubeconfig(const std::string& path, std::string_view context) {
  const KubeconfigReader reader(path);
  Result<nlohmann::json> config = parseKubeconfig(path, reader);
  if (!config) {
    return Error{config.error()};
  }
  std::string context_name(context);
  if (context_name.empty()) {
    context_name = std::string(stringMember(&*config, "current-context").value_or(""));
    if (context_name.empty()) {
      return reader.error("no current-context");
    }
  }
  const nlohmann::json* context_entry = namedEntry(*config, "contexts", context_name, "context");
  if (context_entry == nullptr) {
    return reader.error("no context named '" + context_name + "'");
  }
  const std::string cluster_name(stringMember(context_entry, "cluster").value_or(""));
  const nlohmann::json* cluster = namedEntry(*config, "clusters", cluster_name, "cluster");
  if (cluster == nullptr) {
    return reader.error("context '" + context_name + "' names cluster '" + cluster_name + "', which is not defined");
  }
  ConnectionConfig connection;
  if (std::optional<Error> failed = readCluster(*cluster, cluster_name, reader, connection)) {
    return *failed;
  }
  const std::string user_name(stringMember(context_entry, "user").value_or(""));
  if (!user_name.empty()) {
    const nlohmann::json* user = namedEntry(*config, "users", user_name, "user");
    if (user == nullptr) {
      return reader.error("context '" + context_name + "' names user '" + user_name + "', which is not defined");
    }
    if (std::optional<Error> failed = readUser(*user, user_name, reader, connection)) {
      return *failed;
    }
  }
  connection.description = "kubeconfig " + path + " (context " + context_name + ")";
  return connection;
}

}  // namespace meshward::cluster::kube
