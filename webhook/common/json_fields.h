#pragma once
// Reading fields of untrusted Kubernetes JSON: a member of the wrong type reads as absent, so
// rules never throw on an object where a string was expected.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace meshward {

// The member `key` of `parent`, or nullptr when `parent` is not an object or has no such member.
const nlohmann::json* member(const nlohmann::json& parent, std::string_view key);
const nlohmann::json* member(const nlohmann::json* parent, std::string_view key);

// The member when it is an object / an array / a string; nullptr (or nullopt) otherwise.
const nlohmann::json* objectMember(const nlohmann::json* parent, std::string_view key);
const nlohmann::json* arrayMember(const nlohmann::json* parent, std::string_view key);
std::optional<std::string_view> stringMember(const nlohmann::json* parent, std::string_view key);

// "a string", "an object", "null"... for messages about values of the wrong type.
std::string describeJsonType(const nlohmann::json& value);

// One RFC 6901 reference token: '~' becomes "~0" and '/' becomes "~1".
std::string escapePointerToken(std::string_view token);

}  // namespace meshward
