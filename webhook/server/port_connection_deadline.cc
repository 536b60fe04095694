#include "webhook/server/port_connection_deadline.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>

#include <spdlog/spdlog.h>

namespace meshward::server {
namespace {

constexpr std::chrono::milliseconds kLongestScanInterval{250};

std::optional<int> localPort(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return std::nullopt;
  }
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  }
  return std::nullopt;
}

bool isListening(int fd) {
  int listening = 0;
  socklen_t length = sizeof(listening);
  return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0 && listening != 0;
}

std::optional<ino_t> socketInode(int fd) {
  struct stat status {};
  if (::fstat(fd, &status) != 0 || !S_ISSOCK(status.st_mode)) {
    return std::nullopt;
  }
  return status.st_ino;
}

}  // namespace

PortConnectionDeadline::PortConnectionDeadline(std::chrono::milliseconds budget, Metrics& metrics)
    : budget_(budget), metrics_(metrics) {}

PortConnectionDeadline::~PortConnectionDeadline() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void PortConnectionDeadline::watch(int port) {
  if (!thread_.joinable()) {
    thread_ = std::thread([this, port] { run(port); });
  }
}

std::uint64_t PortConnectionDeadline::connectionsTimedOut() const {
  const std::lock_guard lock(mutex_);
  return timed_out_;
}

void PortConnectionDeadline::run(int port) {
  const auto interval = std::min(kLongestScanInterval, std::max(budget_ / 4, std::chrono::milliseconds(1)));
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    scan(port);
    lock.lock();
  }
}

void PortConnectionDeadline::scan(int port) {
  DIR* descriptors = ::opendir("/proc/self/fd");
  if (descriptors == nullptr) {
    return;
  }
  const auto now = Clock::now();
  std::set<ino_t> open;
  while (const dirent* entry = ::readdir(descriptors)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == ::dirfd(descriptors)) {
      continue;
    }
    const std::optional<ino_t> inode = socketInode(static_cast<int>(fd));
    if (!inode || localPort(static_cast<int>(fd)) != port || isListening(static_cast<int>(fd))) {
      continue;
    }
    open.insert(*inode);
    Connection& connection = connections_.try_emplace(*inode, Connection{now}).first->second;
    // The inode is read again right before the shutdown, so a descriptor closed and reused in
    // between is left alone.
    if (!connection.shut_down && now - connection.first_seen >= budget_ &&
        socketInode(static_cast<int>(fd)) == inode) {
      // Counted before the shutdown, so whoever sees the connection end also sees the count.
      metrics_.recordConnectionTimedOut();
      {
        const std::lock_guard lock(mutex_);
        ++timed_out_;
      }
      ::shutdown(static_cast<int>(fd), SHUT_RDWR);
      connection.shut_down = true;
      spdlog::warn("closed a connection to port {} that was open for {} ms without finishing its request "
                   "(meshward_connections_timed_out_total)",
                   port, budget_.count());
    }
  }
  ::closedir(descriptors);
  std::erase_if(connections_, [&open](const auto& entry) { return !open.contains(entry.first); });
}

}  // namespace meshward::server
