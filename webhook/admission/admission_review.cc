#include "webhook/admission/admission_review.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "webhook/common/json_depth.h"
#include "webhook/common/json_writer.h"

namespace meshward::admission {
namespace {

using nlohmann::json;

constexpr std::string_view kV1 = "admission.k8s.io/v1";
constexpr std::string_view kV1Beta1 = "admission.k8s.io/v1beta1";
constexpr std::array<std::string_view, 4> kOperations = {"CREATE", "UPDATE", "DELETE", "CONNECT"};

// Reads an optional string field; a present field of another type is an error.
bool readString(const json& parent, const char* key, std::string& out, std::string& error, const std::string& where) {
  auto found = parent.find(key);
  if (found == parent.end() || found->is_null()) {
    return true;
  }
  if (!found->is_string()) {
    error = where + "." + key + " must be a string";
    return false;
  }
  out = found->get<std::string>();
  return true;
}

// Moves the field out of `parent` (the parsed request is not read again).
bool readObjectField(json& parent, const char* key, json& out, std::string& error) {
  auto found = parent.find(key);
  if (found == parent.end() || found->is_null()) {
    out = nullptr;
    return true;
  }
  if (!found->is_object()) {
    error = std::string("request.") + key + " must be an object or null";
    return false;
  }
  out = std::move(*found);
  return true;
}

std::string base64(const std::string& bytes) {
  std::string encoded(4 * ((bytes.size() + 2) / 3), '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  encoded.resize(static_cast<size_t>(std::max(length, 0)));
  return encoded;
}

Result<AdmissionRequest> decodeRequest(json& document) {
  if (!document.is_object()) {
    return Error{"the body must be a JSON object (an AdmissionReview)"};
  }
  AdmissionRequest request;
  std::string error;
  std::string kind;
  if (!readString(document, "apiVersion", request.api_version, error, "AdmissionReview") ||
      !readString(document, "kind", kind, error, "AdmissionReview")) {
    return Error{error};
  }
  if (kind != "AdmissionReview") {
    return Error{"not an AdmissionReview: kind is '" + kind + "'"};
  }
  if (!isAdmissionApiVersion(request.api_version)) {
    return Error{"unsupported apiVersion '" + request.api_version + "': expected " + std::string(kV1) + " or " +
                 std::string(kV1Beta1)};
  }
  auto found = document.find("request");
  if (found == document.end() || !found->is_object()) {
    return Error{"AdmissionReview.request must be an object"};
  }
  json& body = *found;
  if (!readString(body, "uid", request.uid, error, "request")) {
    return Error{error};
  }
  if (request.uid.empty()) {
    return Error{"request.uid is missing"};
  }
  policies::RequestFacts& facts = request.facts;
  auto kind_field = body.find("kind");
  if (kind_field == body.end() || !kind_field->is_object()) {
    return Error{"request.kind must be an object {group, version, kind}"};
  }
  if (!readString(*kind_field, "group", facts.group, error, "request.kind") ||
      !readString(*kind_field, "version", facts.version, error, "request.kind") ||
      !readString(*kind_field, "kind", facts.kind, error, "request.kind")) {
    return Error{error};
  }
  if (facts.kind.empty()) {
    return Error{"request.kind.kind is missing"};
  }
  if (auto resource = body.find("resource"); resource != body.end() && !resource->is_null()) {
    if (!resource->is_object()) {
      return Error{"request.resource must be an object {group, version, resource}"};
    }
    if (!readString(*resource, "resource", request.resource, error, "request.resource")) {
      return Error{error};
    }
  }
  if (!readString(body, "subResource", request.sub_resource, error, "request") ||
      !readString(body, "namespace", facts.namespace_name, error, "request") ||
      !readString(body, "name", facts.name, error, "request") ||
      !readString(body, "operation", facts.operation, error, "request")) {
    return Error{error};
  }
  if (!isAdmissionOperation(facts.operation)) {
    return Error{"request.operation must be one of CREATE, UPDATE, DELETE, CONNECT; got '" + facts.operation + "'"};
  }
  if (auto user_info = body.find("userInfo"); user_info != body.end() && !user_info->is_null()) {
    if (!user_info->is_object()) {
      return Error{"request.userInfo must be an object"};
    }
    if (!readString(*user_info, "username", facts.user, error, "request.userInfo")) {
      return Error{error};
    }
    if (auto groups = user_info->find("groups"); groups != user_info->end() && !groups->is_null()) {
      if (!groups->is_array()) {
        return Error{"request.userInfo.groups must be a list of strings"};
      }
      for (const json& group : *groups) {
        if (!group.is_string()) {
          return Error{"request.userInfo.groups must be a list of strings"};
        }
        facts.groups.push_back(group.get<std::string>());
      }
    }
  }
  if (auto dry_run = body.find("dryRun"); dry_run != body.end() && !dry_run->is_null()) {
    if (!dry_run->is_boolean()) {
      return Error{"request.dryRun must be a boolean"};
    }
    facts.dry_run = dry_run->get<bool>();
  }
  if (!readObjectField(body, "object", request.object, error) ||
      !readObjectField(body, "oldObject", request.old_object, error)) {
    return Error{error};
  }
  const bool needs_object = facts.operation == "CREATE" || facts.operation == "UPDATE";
  if (needs_object && request.object.is_null()) {
    return Error{"request.object is missing for a " + facts.operation};
  }
  return request;
}

}  // namespace

bool isAdmissionApiVersion(std::string_view api_version) { return api_version == kV1 || api_version == kV1Beta1; }

bool isAdmissionOperation(std::string_view operation) {
  return std::find(kOperations.begin(), kOperations.end(), operation) != kOperations.end();
}

Result<AdmissionRequest> decodeAdmissionReview(std::string_view body) {
  if (body.empty()) {
    return Error{"empty body: expected an AdmissionReview"};
  }
  if (!jsonDepthWithin(body, kMaxJsonDepth)) {
    return Error{"JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"};
  }
  json document;
  try {
    document = json::parse(body.begin(), body.end());
  } catch (const json::exception& error) {
    return Error{std::string("malformed JSON: ") + error.what()};
  }
  return decodeRequest(document);
}

std::string encodeAdmissionResponse(const AdmissionRequest& request, const Decision& decision) {
  std::string out;
  out.reserve(256 + decision.message.size() + 160 * decision.warnings.size());
  JsonWriter writer(out);
  writer.beginObject().member("apiVersion", request.api_version).member("kind", "AdmissionReview").key("response");
  writer.beginObject().member("allowed", decision.allowed);
  if (!decision.audit_annotations.empty()) {
    writer.key("auditAnnotations").beginObject();
    for (const auto& [key, value] : decision.audit_annotations) {
      writer.member(key, value);
    }
    writer.endObject();
  }
  if (!decision.patch.empty()) {
    writer.member("patch", base64(decision.patchDocument().dump(-1, ' ', false, json::error_handler_t::replace)));
    writer.member("patchType", "JSONPatch");
  }
  if (!decision.allowed) {
    writer.key("status").beginObject();
    writer.member("code", std::int64_t{decision.status_code}).member("message", decision.message);
    writer.key("metadata").beginObject().endObject();
    writer.member("reason", decision.status_reason).member("status", "Failure");
    writer.endObject();
  }
  writer.member("uid", request.uid);
  if (!decision.warnings.empty()) {
    writer.key("warnings").beginArray();
    for (const std::string& warning : decision.warnings) {
      writer.value(warning);
    }
    writer.endArray();
  }
  writer.endObject().endObject();
  return out;
}

}  // namespace meshward::admission
