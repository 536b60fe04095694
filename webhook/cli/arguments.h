#pragma once
// A small strict command-line parser: declared flags only ("--flag VALUE", "--flag=VALUE",
// "-o VALUE", boolean "--flag"), repeated flags keep every value, the rest are positional.
// Anything undeclared or a missing value is an error value naming the flag.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/result.h"

namespace meshward::cli {

struct FlagSpec {
  std::string name;        // "--config" or "-o"
  bool takes_value = true;
  std::string alias;       // "--output" for "-o"; optional
};

class ParsedArguments {
 public:
  bool has(std::string_view flag) const;
  std::optional<std::string> value(std::string_view flag) const;  // last value given
  std::string valueOr(std::string_view flag, std::string fallback) const;
  std::vector<std::string> values(std::string_view flag) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend Result<ParsedArguments> parseArguments(const std::vector<std::string>&, const std::vector<FlagSpec>&);
  std::map<std::string, std::vector<std::string>, std::less<>> flags_;
  std::vector<std::string> positional_;
};

Result<ParsedArguments> parseArguments(const std::vector<std::string>& args, const std::vector<FlagSpec>& specs);

}  // namespace meshward::cli
