#pragma once
// Where audit bytes go, written without ever blocking: a descriptor of a regular file, a pipe
// or FIFO, a terminal or a socket. A pipe nobody reads makes write() take nothing instead of
// holding the caller; the destination's writer thread then waits for room with awaitWritable().

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "webhook/common/result.h"

namespace meshward::audit {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Called before the first byte of each line (a rotating file rotates here).
  virtual void startLine(std::size_t /*bytes*/) {}
  // Takes what it can of `data` without blocking: the bytes taken (0 when it would block), or
  // -1 when the descriptor failed (the bytes are lost).
  virtual long write(std::string_view data) = 0;
  // Waits up to `timeout` for room; false when there is still none.
  virtual bool awaitWritable(std::chrono::milliseconds timeout) = 0;
  // Makes what was written durable (fsync for a file); called at shutdown.
  virtual void sync() {}
};

// A descriptor the sink owns (closed with it). Sockets are written with MSG_DONTWAIT, anything
// else is expected to be opened O_NONBLOCK by the caller (a regular file never blocks anyway).
class DescriptorSink : public AuditSink {
 public:
  explicit DescriptorSink(int fd);
  ~DescriptorSink() override;
  DescriptorSink(const DescriptorSink&) = delete;
  DescriptorSink& operator=(const DescriptorSink&) = delete;

  long write(std::string_view data) override;
  bool awaitWritable(std::chrono::milliseconds timeout) override;
  void sync() override;

 protected:
  int fd_;
  bool socket_;
};

// The process's stdout, reopened as its own non-blocking open file description where it is a
// pipe, FIFO or terminal (so that O_NONBLOCK touches nobody else's view of it); dup'ed where it
// is a regular file or a socket.
Result<std::unique_ptr<AuditSink>> openStdoutSink();

}  // namespace meshward::audit
