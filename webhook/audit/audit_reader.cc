#include "webhook/audit/audit_reader.h"

#include <exception>
#include <filesystem>
#include <system_error>
#include <utility>

#include "webhook/common/rfc3339.h"
#include "webhook/common/json_depth.h"

namespace meshward::audit {
namespace {

using nlohmann::json;

enum class FieldType { String, Boolean, Integer, Array, Object, ObjectOrNull };

std::string_view typeName(FieldType type) {
  switch (type) {
    case FieldType::String:
      return "a string";
    case FieldType::Boolean:
      return "a boolean";
    case FieldType::Integer:
      return "an integer";
    case FieldType::Array:
      return "an array";
    case FieldType::Object:
      return "an object";
    case FieldType::ObjectOrNull:
      return "an object or null";
  }
  return "a value";
}

bool hasType(const json& value, FieldType type) {
  switch (type) {
    case FieldType::String:
      return value.is_string();
    case FieldType::Boolean:
      return value.is_boolean();
    case FieldType::Integer:
      return value.is_number_integer();
    case FieldType::Array:
      return value.is_array();
    case FieldType::Object:
      return value.is_object();
    case FieldType::ObjectOrNull:
      return value.is_object() || value.is_null();
  }
  return false;
}

// Looks up members of one JSON object and remembers the first thing wrong with them, named
// by its path in the record ("findings[2].rule").
class FieldChecker {
 public:
  FieldChecker(const json& object, std::string path) : object_(object), path_(std::move(path)) {}

  // The member when present with the type; nullptr when absent (an error if required) or
  // of another type (always an error).
  const json* member(std::string_view key, FieldType type, bool required) {
    const auto found = object_.find(key);
    if (found == object_.end()) {
      if (required) {
        fail(name(key) + " is missing");
      }
      return nullptr;
    }
    if (!hasType(*found, type)) {
      fail(name(key) + " is not " + std::string(typeName(type)));
      return nullptr;
    }
    return &*found;
  }

  std::string string(std::string_view key, bool required = true) {
    const json* value = member(key, FieldType::String, required);
    return value == nullptr ? std::string() : value->get<std::string>();
  }

  void fail(std::string why) {
    if (!error_) {
      error_ = std::move(why);
    }
  }

  std::string name(std::string_view key) const { return path_.empty() ? std::string(key) : path_ + "." + std::string(key); }
  const std::optional<std::string>& error() const { return error_; }

 private:
  const json& object_;
  std::string path_;
  std::optional<std::string> error_;
};

std::vector<AuditFindingEntry> readFindings(const json* list, const std::string& path, bool with_action,
                                            FieldChecker& parent) {
  std::vector<AuditFindingEntry> findings;
  if (list == nullptr) {
    return findings;
  }
  for (std::size_t index = 0; index < list->size(); ++index) {
    const std::string element_path = path + "[" + std::to_string(index) + "]";
    const json& element = (*list)[index];
    if (!element.is_object()) {
      parent.fail(element_path + " is not an object");
      return findings;
    }
    FieldChecker fields(element, element_path);
    AuditFindingEntry finding;
    finding.rule = fields.string("rule");
    finding.code = fields.string("code");
    finding.action = fields.string("action", with_action);
    finding.message = fields.string("message");
    if (fields.error()) {
      parent.fail(*fields.error());
      return findings;
    }
    findings.push_back(std::move(finding));
  }
  return findings;
}

void checkStringArray(const json* list, const std::string& path, FieldChecker& parent) {
  if (list == nullptr) {
    return;
  }
  for (std::size_t index = 0; index < list->size(); ++index) {
    if (!(*list)[index].is_string()) {
      parent.fail(path + "[" + std::to_string(index) + "] is not a string");
      return;
    }
  }
}

void checkMutations(const json* list, FieldChecker& parent) {
  if (list == nullptr) {
    return;
  }
  for (std::size_t index = 0; index < list->size(); ++index) {
    const std::string element_path = "mutations[" + std::to_string(index) + "]";
    const json& element = (*list)[index];
    if (!element.is_object()) {
      parent.fail(element_path + " is not an object");
      return;
    }
    FieldChecker fields(element, element_path);
    fields.string("rule");
    fields.string("op");
    fields.string("path");
    if (fields.error()) {
      parent.fail(*fields.error());
      return;
    }
  }
}

std::optional<AuditBreakGlassEntry> readBreakGlass(const json* value, FieldChecker& parent) {
  if (value == nullptr || value->is_null()) {
    return std::nullopt;
  }
  FieldChecker fields(*value, "breakGlass");
  AuditBreakGlassEntry break_glass;
  break_glass.user = fields.string("user");
  break_glass.reason = fields.string("reason");
  break_glass.expires_text = fields.string("expires", false);
  if (!break_glass.expires_text.empty()) {
    break_glass.expires = parseRfc3339(break_glass.expires_text);
    if (!break_glass.expires) {
      fields.fail(fields.name("expires") + " is not an RFC 3339 time");
    }
  }
  break_glass.bypassed = readFindings(fields.member("bypassed", FieldType::Array, true), "breakGlass.bypassed",
                                      false, fields);
  if (fields.error()) {
    parent.fail(*fields.error());
    return std::nullopt;
  }
  return break_glass;
}

Result<json> parseJson(std::string_view line) {
  if (!jsonDepthWithin(line, kMaxAuditRecordDepth)) {
    return Error{"not an audit record: nested deeper than " + std::to_string(kMaxAuditRecordDepth) + " levels"};
  }
  try {
    return json::parse(line);
  } catch (const json::parse_error& error) {
    return Error{"not JSON (syntax error at byte " + std::to_string(error.byte) + ")"};
  } catch (const std::exception&) {
    return Error{"not JSON"};
  }
}

// Reads one line of at most kMaxAuditLineBytes into `line`; longer ones are consumed to their
// end and flagged. False at the end of the input.
bool readBoundedLine(std::streambuf& input, std::string& line, bool& too_long) {
  line.clear();
  too_long = false;
  bool read_any = false;
  for (;;) {
    const int c = input.sbumpc();
    if (c == std::char_traits<char>::eof()) {
      return read_any;
    }
    read_any = true;
    if (c == '\n') {
      return true;
    }
    if (line.size() < kMaxAuditLineBytes) {
      line.push_back(static_cast<char>(c));
    } else {
      too_long = true;
    }
  }
}

bool isBlank(std::string_view line) { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

}  // namespace

Result<AuditEntry> parseAuditRecord(std::string_view line) {
  Result<json> parsed = parseJson(line);
  if (!parsed) {
    return Error{parsed.error()};
  }
  if (!parsed->is_object()) {
    return Error{"not an audit record: not a JSON object"};
  }
  const json& record = *parsed;
  FieldChecker fields(record, "");
  AuditEntry entry;
  entry.time_text = fields.string("time");
  const std::string decision = fields.string("decision");
  entry.operation = fields.string("operation");
  entry.user = fields.string("user");
  if (const json* resource = fields.member("resource", FieldType::Object, true); resource != nullptr) {
    FieldChecker resource_fields(*resource, "resource");
    entry.kind = resource_fields.string("kind");
    resource_fields.string("group", false);
    resource_fields.string("version", false);
    resource_fields.string("resource", false);
    if (resource_fields.error()) {
      fields.fail(*resource_fields.error());
    }
  }
  entry.namespace_name = fields.string("namespace");
  entry.name = fields.string("name");
  entry.findings = readFindings(fields.member("findings", FieldType::Array, true), "findings", true, fields);
  entry.break_glass = readBreakGlass(fields.member("breakGlass", FieldType::ObjectOrNull, true), fields);
  entry.uid = fields.string("uid", false);
  fields.string("webhook", false);
  if (const json* dry_run = fields.member("dryRun", FieldType::Boolean, false); dry_run != nullptr) {
    entry.dry_run = dry_run->get<bool>();
  }
  checkStringArray(fields.member("groups", FieldType::Array, false), "groups", fields);
  checkMutations(fields.member("mutations", FieldType::Array, false), fields);
  fields.member("latencyMicros", FieldType::Integer, false);
  fields.string("policyHash", false);
  if (fields.error()) {
    return Error{*fields.error()};
  }
  if (decision != "allowed" && decision != "denied") {
    return Error{"decision is neither \"allowed\" nor \"denied\""};
  }
  entry.allowed = decision == "allowed";
  const auto time = parseRfc3339(entry.time_text);
  if (!time) {
    return Error{"time is not an RFC 3339 timestamp"};
  }
  entry.time = *time;
  entry.record = std::move(*parsed);
  return entry;
}

void readAuditLines(std::istream& in, const std::string& source, const std::function<void(AuditEntry&&)>& on_entry,
                    const std::function<void(const SkippedLine&)>& on_skipped) {
  std::streambuf* input = in.rdbuf();
  if (input == nullptr) {
    return;
  }
  std::string line;
  bool too_long = false;
  std::size_t line_number = 0;
  while (readBoundedLine(*input, line, too_long)) {
    ++line_number;
    if (too_long) {
      on_skipped({source, line_number, "line longer than " + std::to_string(kMaxAuditLineBytes) + " bytes"});
      continue;
    }
    if (isBlank(line)) {
      continue;
    }
    Result<AuditEntry> entry = parseAuditRecord(line);
    if (!entry) {
      on_skipped({source, line_number, entry.error()});
      continue;
    }
    on_entry(std::move(*entry));
  }
}

std::vector<std::string> rotatedSiblingsOldestFirst(const std::string& path) {
  constexpr int kMostRotatedFiles = 1000;
  std::vector<std::string> siblings;
  for (int index = 1; index <= kMostRotatedFiles; ++index) {
    std::string sibling = path + "." + std::to_string(index);
    std::error_code error;
    if (!std::filesystem::exists(sibling, error)) {
      break;
    }
    siblings.push_back(std::move(sibling));
  }
  return {siblings.rbegin(), siblings.rend()};
}

}  // namespace meshward::audit
