#include "webhook/cli/audit_command.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <system_error>

#include <nlohmann/json.hpp>

#include "webhook/audit/audit_filter.h"
#include "webhook/audit/audit_reader.h"
#include "webhook/audit/audit_summary.h"
#include "webhook/audit/audit_text.h"
#include "webhook/audit/since_duration.h"
#include "webhook/cli/arguments.h"
#include "webhook/cli/commands.h"
#include "webhook/common/result.h"

namespace meshward::cli {
namespace {

constexpr const char* kAuditHelp = R"(Usage: meshward audit [--since DURATION] [--user U] [--rule ID] [--decision allowed|denied]
                      [--break-glass] [--no-rotated] [-o text|json] FILE...

Reviews meshward audit logs (one JSON record per line): one line per record, then totals by
rule and by user.

  FILE               an audit log, or "-" for standard input. The rotated files next to it
                     (FILE.N ... FILE.1) are read too, oldest first, then FILE itself; a file
                     named twice (e.g. by a shell glob FILE*) is read once.
  --no-rotated       read only the files named, not their rotated siblings
  --since DURATION   only records from the last DURATION: 30m, 24h, 7d, 1d12h
  --user U           only requests made by user U (exact match)
  --rule ID          only records in which rule ID reported a finding or was bypassed
  --decision D       only "allowed" or only "denied" requests
  --break-glass      only break-glass records, and list every bypass with its age, user,
                     reason and bypassed rules; bypasses older than 24h are flagged
                     "reconcile with Git" (the cluster still differs from what Git allows)
  -o, --output F     text (default) or json: {"records": [...], "summary": {...}}

A corrupt line is reported on stderr as FILE:LINE: skipped: WHY and the rest is still read.
Exit status: 0 when the files were read (even with skipped lines), 2 on a usage error or a
file that cannot be read.
)";

constexpr const char* kStdinName = "<stdin>";

const std::vector<FlagSpec> kAuditFlags = {
    {"--since", true, ""},        {"--user", true, ""},         {"--rule", true, ""},
    {"--decision", true, ""},     {"--break-glass", false, ""}, {"--no-rotated", false, ""},
    {"-o", true, "--output"},     {"--help", false, "-h"},
};

struct AuditOptions {
  audit::AuditFilter filter;
  bool json_output = false;
  bool list_break_glass = false;
  bool read_rotated = true;
  std::vector<std::string> files;
};

Result<AuditOptions> parseOptions(const ParsedArguments& arguments, std::chrono::system_clock::time_point now) {
  AuditOptions options;
  const std::string output = arguments.valueOr("-o", "text");
  if (output != "text" && output != "json") {
    return Error{"-o must be text or json, not \"" + output + "\""};
  }
  options.json_output = output == "json";
  if (const auto since = arguments.value("--since")) {
    const auto window = audit::parseSinceDuration(*since);
    if (!window) {
      return Error{"--since \"" + *since + "\" is not a duration such as 30m, 24h or 7d"};
    }
    options.filter.not_before = now - *window;
  }
  options.filter.user = arguments.value("--user");
  options.filter.rule = arguments.value("--rule");
  if (const auto decision = arguments.value("--decision")) {
    if (*decision != "allowed" && *decision != "denied") {
      return Error{"--decision must be allowed or denied, not \"" + *decision + "\""};
    }
    options.filter.allowed = *decision == "allowed";
  }
  options.filter.break_glass_only = arguments.has("--break-glass");
  options.list_break_glass = options.filter.break_glass_only;
  options.read_rotated = !arguments.has("--no-rotated");
  options.files = arguments.positional();
  if (options.files.empty()) {
    return Error{"no FILE given (use - for standard input)"};
  }
  return options;
}

struct Input {
  std::string name;
  std::unique_ptr<std::ifstream> file;  // null for standard input
};

std::string identity(const std::string& path) {
  std::error_code error;
  const std::filesystem::path canonical = std::filesystem::weakly_canonical(path, error);
  return error ? path : canonical.string();
}

Result<std::unique_ptr<std::ifstream>> openReadable(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error) {
    return Error{"cannot read " + path + ": " + error.message()};
  }
  if (std::filesystem::is_directory(status)) {
    return Error{"cannot read " + path + ": is a directory"};
  }
  errno = 0;
  auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!file->is_open()) {
    return Error{"cannot read " + path + ": " + (errno != 0 ? std::strerror(errno) : "cannot open")};
  }
  return file;
}

// Every file to read, in reading order, each opened once; the first unreadable one is an error.
Result<std::vector<Input>> openInputs(const AuditOptions& options) {
  std::vector<Input> inputs;
  std::set<std::string> seen;
  for (const std::string& named : options.files) {
    if (named == "-") {
      if (seen.insert(kStdinName).second) {
        inputs.push_back({kStdinName, nullptr});
      }
      continue;
    }
    std::vector<std::string> paths;
    if (options.read_rotated) {
      paths = audit::rotatedSiblingsOldestFirst(named);
    }
    paths.push_back(named);
    for (const std::string& path : paths) {
      if (!seen.insert(identity(path)).second) {
        continue;
      }
      auto file = openReadable(path);
      if (!file) {
        return Error{file.error()};
      }
      inputs.push_back({path, std::move(*file)});
    }
  }
  return inputs;
}

std::string dumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int usageError(std::ostream& err, const std::string& message) {
  err << "meshward audit: " << message << "\nRun 'meshward audit --help' for usage.\n";
  return 2;
}

}  // namespace

int runAuditCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err,
                    std::chrono::system_clock::time_point now) {
  const auto arguments = parseArguments(args, kAuditFlags);
  if (!arguments) {
    return usageError(err, arguments.error());
  }
  if (arguments->has("--help")) {
    out << kAuditHelp;
    return 0;
  }
  const auto options = parseOptions(*arguments, now);
  if (!options) {
    return usageError(err, options.error());
  }
  auto inputs = openInputs(*options);
  if (!inputs) {
    err << "meshward audit: " << inputs.error() << "\n";
    return 2;
  }

  audit::AuditSummary summary;
  bool first_record = true;
  const auto on_entry = [&](audit::AuditEntry&& entry) {
    if (!options->filter.matches(entry)) {
      return;
    }
    summary.add(entry);
    if (options->json_output) {
      out << (first_record ? "\n  " : ",\n  ") << dumpJson(entry.record);
    } else {
      out << audit::formatEntryLine(entry) << "\n";
    }
    first_record = false;
  };
  const auto on_skipped = [&](const audit::SkippedLine& skipped) {
    err << skipped.source << ":" << skipped.line << ": skipped: " << skipped.why << "\n";
    summary.addSkippedLine();
  };

  if (options->json_output) {
    out << "{\"records\": [";
  }
  for (Input& input : *inputs) {
    std::istream& stream = input.file ? static_cast<std::istream&>(*input.file) : in;
    audit::readAuditLines(stream, input.name, on_entry, on_skipped);
  }
  if (options->json_output) {
    out << (first_record ? "],\n" : "\n],\n") << "\"summary\": " << dumpJson(summary.toJson(now)) << "}\n";
  } else {
    audit::writeSummaryText(out, summary, now, options->list_break_glass);
  }
  if (summary.skippedLines() > 0) {
    err << "meshward audit: skipped " << summary.skippedLines() << " corrupt line"
        << (summary.skippedLines() == 1 ? "" : "s") << "\n";
  }
  return 0;
}

int runAudit(const std::vector<std::string>& args) {
  return runAuditCommand(args, std::cin, std::cout, std::cerr, std::chrono::system_clock::now());
}

}  // namespace meshward::cli
