#include "webhook/cli/arguments.h"

namespace meshward::cli {

bool ParsedArguments::has(std::string_view flag) const { return flags_.find(flag) != flags_.end(); }

std::optional<std::string> ParsedArguments::value(std::string_view flag) const {
  auto found = flags_.find(flag);
  if (found == flags_.end() || found->second.empty()) {
    return std::nullopt;
  }
  return found->second.back();
}

std::string ParsedArguments::valueOr(std::string_view flag, std::string fallback) const {
  return value(flag).value_or(std::move(fallback));
}

std::vector<std::string> ParsedArguments::values(std::string_view flag) const {
  auto found = flags_.find(flag);
  return found == flags_.end() ? std::vector<std::string>{} : found->second;
}

Result<ParsedArguments> parseArguments(const std::vector<std::string>& args, const std::vector<FlagSpec>& specs) {
  ParsedArguments parsed;
  auto findSpec = [&](std::string_view name) -> const FlagSpec* {
    for (const FlagSpec& spec : specs) {
      if (spec.name == name || (!spec.alias.empty() && spec.alias == name)) {
        return &spec;
      }
    }
    return nullptr;
  };
  bool only_positional = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_positional || arg == "-" || arg.empty() || arg[0] != '-') {
      parsed.positional_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    std::string name = arg;
    std::optional<std::string> inline_value;
    if (const size_t equals = arg.find('='); arg.rfind("--", 0) == 0 && equals != std::string::npos) {
      name = arg.substr(0, equals);
      inline_value = arg.substr(equals + 1);
    }
    const FlagSpec* spec = findSpec(name);
    if (spec == nullptr) {
      return Error{"unknown flag " + name};
    }
    auto& values = parsed.flags_[spec->name];
    if (!spec->takes_value) {
      if (inline_value) {
        return Error{"flag " + name + " takes no value"};
      }
      values.push_back("true");
      continue;
    }
    if (inline_value) {
      values.push_back(*inline_value);
    } else if (i + 1 < args.size()) {
      values.push_back(args[++i]);
    } else {
      return Error{"flag " + name + " needs a value"};
    }
  }
  return parsed;
}

}  // namespace meshward::cli
