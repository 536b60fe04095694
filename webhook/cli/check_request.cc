#include "webhook/cli/check_request.h"

#include <chrono>

#include "policies/registry.h"
#include "webhook/common/ascii.h"

namespace meshward::cli {
namespace {

std::string guessedPlural(std::string_view kind) {
  std::string plural = asciiLowercase(kind);
  if (plural.ends_with("s") || plural.ends_with("x") || plural.ends_with("ch") || plural.ends_with("sh")) {
    return plural + "es";
  }
  if (plural.size() > 1 && plural.ends_with("y") && std::string_view("aeiou").find(plural[plural.size() - 2]) ==
                                                        std::string_view::npos) {
    return plural.substr(0, plural.size() - 1) + "ies";
  }
  return plural + "s";
}

}  // namespace

std::string resourceFor(std::string_view group, std::string_view kind) {
  for (const policies::Rule* rule : policies::allRules()) {
    for (const cluster::KindInfo& candidate : rule->metadata().kinds) {
      if (candidate.group == group && candidate.kind == kind) {
        return std::string(candidate.resource);
      }
    }
  }
  return guessedPlural(kind);
}

admission::AdmissionRequest checkRequestFor(const nlohmann::json& object, const cluster::ObjectKey& key,
                                            std::string uid, const CheckRequester& requester) {
  admission::AdmissionRequest request;
  request.api_version = "admission.k8s.io/v1";
  request.uid = std::move(uid);
  request.resource = resourceFor(key.group, key.kind);
  policies::RequestFacts& facts = request.facts;
  facts.operation = "CREATE";
  facts.group = key.group;
  facts.version = cluster::splitApiVersion(object.value("apiVersion", "")).version;
  facts.kind = key.kind;
  facts.namespace_name = key.namespace_name;
  facts.name = key.name;
  facts.user = requester.user;
  facts.groups = requester.groups;
  facts.now = requester.now;
  request.object = object;
  request.old_object = nullptr;
  return request;
}

}  // namespace meshward::cli
