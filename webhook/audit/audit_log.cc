#include "webhook/audit/audit_log.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

#include "webhook/audit/rotating_file_sink.h"

namespace meshward::audit {
namespace {

constexpr std::size_t kMaxDestinations = 2;  // the file and stdout

std::string_view whatHappened(LineOutcome outcome) {
  switch (outcome) {
    case LineOutcome::Written:
      return "written";
    case LineOutcome::Queued:
      return "queued";
    case LineOutcome::Failed:
      return "write failed";
    case LineOutcome::Dropped:
      return "dropped, its queue was full";
  }
  return "unknown";
}

}  // namespace

Result<std::unique_ptr<AuditLog>> AuditLog::open(const AuditLogOptions& options, Metrics* metrics) {
  if (options.max_file_bytes == 0) {
    return Error{"audit log " + options.file + ": max_file_bytes must be greater than 0"};
  }
  if (options.keep_files < 0) {
    return Error{"audit log " + options.file + ": keep_files must not be negative"};
  }
  if (options.max_queued == 0) {
    return Error{"audit log: the queue must hold at least one record"};
  }
  std::unique_ptr<AuditLog> log(new AuditLog(options.max_wait));
  if (!options.file.empty()) {
    auto sink = openAuditFile({options.file, options.max_file_bytes, options.keep_files});
    if (!sink) {
      return Error{sink.error()};
    }
    log->destinations_.push_back(
        std::make_unique<AuditDestination>("file", std::move(*sink), options.max_queued, metrics));
  }
  if (options.to_stdout) {
    auto sink = openStdoutSink();
    if (!sink) {
      return Error{sink.error()};
    }
    log->destinations_.push_back(
        std::make_unique<AuditDestination>("stdout", std::move(*sink), options.max_queued, metrics));
  }
  return log;
}

AuditLog::AuditLog(std::chrono::milliseconds max_wait) : max_wait_(max_wait) {}

AuditLog::~AuditLog() = default;

RecordOutcome AuditLog::write(std::string line) {
  line += '\n';
  std::array<AuditDestination::Submission, kMaxDestinations> submitted;
  bool queued = false;
  for (std::size_t i = 0; i < destinations_.size(); ++i) {
    submitted[i] = destinations_[i]->submit(line);
    queued = queued || submitted[i].outcome == LineOutcome::Queued;
  }
  const auto deadline = queued ? AuditDestination::Clock::now() + max_wait_ : AuditDestination::Clock::time_point();
  std::array<LineOutcome, kMaxDestinations> outcomes{};
  RecordOutcome record;
  for (std::size_t i = 0; i < destinations_.size(); ++i) {
    outcomes[i] = destinations_[i]->await(submitted[i], deadline);
    record.worst = std::max(record.worst, outcomes[i]);
    record.best = i == 0 ? outcomes[i] : std::min(record.best, outcomes[i]);
  }
  if (!record.reachedAny()) {
    for (std::size_t i = 0; i < destinations_.size(); ++i) {
      record.unreached += (i == 0 ? "" : ", ") + destinations_[i]->name() + ": " +
                          std::string(whatHappened(outcomes[i]));
    }
    line.pop_back();
    logUnreached(line, record.unreached);
  }
  return record;
}

void AuditLog::logUnreached(const std::string& line, const std::string& unreached) {
  const auto unlogged = unreached_log_.admit();
  if (!unlogged) {
    return;
  }
  if (*unlogged > 0) {
    spdlog::error("audit: {} more records reached no audit destination since the last one logged here; they are "
                  "counted, not logged (meshward_audit_write_errors_total, meshward_audit_dropped_total)",
                  *unlogged);
  }
  spdlog::error("audit: a record reached no audit destination ({}); here it is: {}", unreached, line);
}

void AuditLog::flush() {
  const auto deadline = AuditDestination::Clock::now() + AuditDestination::kDrainOnClose;
  for (const auto& destination : destinations_) {
    destination->flush(deadline);
  }
}

std::size_t AuditLog::backlog() const {
  std::size_t lines = 0;
  for (const auto& destination : destinations_) {
    lines += destination->backlog();
  }
  return lines;
}

std::uint64_t AuditLog::dropped() const {
  std::uint64_t lines = 0;
  for (const auto& destination : destinations_) {
    lines += destination->dropped();
  }
  return lines;
}

}  // namespace meshward::audit
