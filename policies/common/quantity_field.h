#pragma once
// A Kubernetes quantity read from untrusted JSON (a string, or a bare number as YAML allows):
// absent, a byte count, or a value Kubernetes would refuse, kept as written for messages.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace meshward::policies {

struct QuantityField {
  enum class State { Absent, Valid, Invalid };

  State state = State::Absent;
  std::int64_t bytes = 0;  // when Valid
  std::string text;        // as written; for a value of the wrong type, its JSON

  bool valid() const { return state == State::Valid; }
  bool invalid() const { return state == State::Invalid; }
};

// nullptr and JSON null read as Absent.
QuantityField readQuantityField(const nlohmann::json* value);

}  // namespace meshward::policies
