#include "webhook/cluster/kube/tls_stream.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "webhook/common/openssl_handles.h"

namespace meshward::cluster::kube {
namespace {

constexpr auto kPollSlice = std::chrono::milliseconds(100);  // when there is no stop descriptor

enum class Readiness { Ready, TimedOut, Stopped, Failed };

// Waits for `events` on `socket` until `deadline` or a stop.
Readiness waitForSocket(int socket, short events, Deadline deadline, const StopSignal& stop) {
  while (true) {
    if (stop.requested()) {
      return Readiness::Stopped;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return Readiness::TimedOut;
    }
    auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) + std::chrono::milliseconds(1);
    if (stop.descriptor() < 0) {
      remaining = std::min<std::chrono::milliseconds>(remaining, kPollSlice);
    }
    pollfd descriptors[2] = {{socket, events, 0}, {stop.descriptor(), POLLIN, 0}};
    const int count = stop.descriptor() >= 0 ? 2 : 1;
    const int ready = ::poll(descriptors, static_cast<nfds_t>(count), static_cast<int>(remaining.count()));
    if (ready < 0 && errno != EINTR) {
      return Readiness::Failed;
    }
    if (ready > 0 && count == 2 && (descriptors[1].revents & POLLIN) != 0) {
      return Readiness::Stopped;
    }
    if (ready > 0 && descriptors[0].revents != 0) {
      return Readiness::Ready;
    }
  }
}

std::optional<Error> readinessError(Readiness readiness, const std::string& what) {
  switch (readiness) {
    case Readiness::Ready:
      return std::nullopt;
    case Readiness::TimedOut:
      return Error{what + " timed out"};
    case Readiness::Stopped:
      return Error{what + " interrupted: shutting down"};
    case Readiness::Failed:
      break;
  }
  return Error{what + " failed: " + std::strerror(errno)};
}

bool isIpAddress(const std::string& text) {
  in6_addr ipv6{};
  in_addr ipv4{};
  return ::inet_pton(AF_INET, text.c_str(), &ipv4) == 1 || ::inet_pton(AF_INET6, text.c_str(), &ipv6) == 1;
}

// Connects one resolved address; the socket, or -1 with `error` set.
int connectAddress(const addrinfo& address, Deadline deadline, const StopSignal& stop, std::string& error) {
  const int socket =
      ::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, address.ai_protocol);
  if (socket < 0) {
    error = std::strerror(errno);
    return -1;
  }
  int yes = 1;
  ::setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  if (::connect(socket, address.ai_addr, address.ai_addrlen) != 0 && errno != EINPROGRESS) {
    error = std::strerror(errno);
    ::close(socket);
    return -1;
  }
  if (std::optional<Error> failed = readinessError(waitForSocket(socket, POLLOUT, deadline, stop), "connecting")) {
    error = failed->message;
    ::close(socket);
    return -1;
  }
  int socket_error = 0;
  socklen_t length = sizeof(socket_error);
  if (::getsockopt(socket, SOL_SOCKET, SO_ERROR, &socket_error, &length) != 0 || socket_error != 0) {
    error = std::strerror(socket_error != 0 ? socket_error : errno);
    ::close(socket);
    return -1;
  }
  return socket;
}

std::string hostPort(const ApiServerAddress& server) {
  const bool ipv6 = server.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + server.host + "]" : server.host) + ":" + std::to_string(server.port);
}

}  // namespace

Result<std::unique_ptr<TlsStream>> TlsStream::connect(std::shared_ptr<const TlsClientContext> context,
                                                      const ApiServerAddress& server, const std::string& verified_name,
                                                      Deadline deadline, const StopSignal& stop) {
  const std::string peer = hostPort(server);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  const std::string port = std::to_string(server.port);
  const int resolved = ::getaddrinfo(server.host.c_str(), port.c_str(), &hints, &addresses);
  if (resolved != 0) {
    return Error{"cannot resolve " + server.host + ": " + ::gai_strerror(resolved)};
  }
  std::string error = "no address";
  int socket = -1;
  for (const addrinfo* address = addresses; address != nullptr && socket < 0; address = address->ai_next) {
    socket = connectAddress(*address, deadline, stop, error);
  }
  ::freeaddrinfo(addresses);
  if (socket < 0) {
    return Error{"cannot connect to " + peer + ": " + error};
  }
  std::unique_ptr<TlsStream> stream(new TlsStream(std::move(context), socket, stop));
  stream->peer_ = peer;
  if (std::optional<Error> failed = stream->handshake(verified_name, deadline)) {
    return *failed;
  }
  return stream;
}

TlsStream::~TlsStream() {
  if (ssl_ != nullptr) {
    SSL_free(ssl_);
  }
  ::close(socket_);
}

std::optional<Error> TlsStream::handshake(const std::string& verified_name, Deadline deadline) {
  ssl_ = SSL_new(context_->context());
  if (ssl_ == nullptr || SSL_set_fd(ssl_, socket_) != 1) {
    return Error{"TLS with " + peer_ + ": " + meshward::takeOpensslErrors()};
  }
  bool named = false;
  if (isIpAddress(verified_name)) {
    named = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), verified_name.c_str()) == 1;
  } else {
    named =
        SSL_set_tlsext_host_name(ssl_, verified_name.c_str()) == 1 && SSL_set1_host(ssl_, verified_name.c_str()) == 1;
  }
  if (!named) {
    return Error{"TLS with " + peer_ + ": cannot verify against the name '" + verified_name + "'"};
  }
  while (true) {
    ERR_clear_error();
    const int result = SSL_connect(ssl_);
    if (result == 1) {
      return std::nullopt;
    }
    const int ssl_error = SSL_get_error(ssl_, result);
    if (ssl_error == SSL_ERROR_WANT_READ || ssl_error == SSL_ERROR_WANT_WRITE) {
      if (std::optional<Error> failed = waitFor(ssl_error, deadline)) {
        return Error{"TLS handshake with " + peer_ + ": " + failed->message};
      }
      continue;
    }
    const long verification = SSL_get_verify_result(ssl_);
    if (verification != X509_V_OK) {
      return Error{"TLS handshake with " + peer_ + " failed: the API server's certificate is not trusted (" +
                   X509_verify_cert_error_string(verification) + "; expected name '" + verified_name + "')"};
    }
    const std::string details = meshward::takeOpensslErrors();
    return Error{"TLS handshake with " + peer_ +
                 " failed: " + (details.empty() ? std::string("the connection was closed") : details)};
  }
}

std::optional<Error> TlsStream::waitFor(int ssl_error, Deadline deadline) const {
  const short events = ssl_error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN;
  return readinessError(waitForSocket(socket_, events, deadline, stop_), "waiting for " + peer_);
}

std::optional<Error> TlsStream::writeAll(std::string_view bytes, Deadline deadline) {
  while (!bytes.empty()) {
    ERR_clear_error();
    const int written = SSL_write(ssl_, bytes.data(), static_cast<int>(std::min<std::size_t>(bytes.size(), 1 << 20)));
    if (written > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(written));
      continue;
    }
    const int ssl_error = SSL_get_error(ssl_, written);
    if (ssl_error == SSL_ERROR_WANT_READ || ssl_error == SSL_ERROR_WANT_WRITE) {
      if (std::optional<Error> failed = waitFor(ssl_error, deadline)) {
        return failed;
      }
      continue;
    }
    const std::string details = meshward::takeOpensslErrors();
    return Error{"writing to " + peer_ + " failed" + (details.empty() ? std::string() : ": " + details)};
  }
  return std::nullopt;
}

Result<std::size_t> TlsStream::readSome(char* buffer, std::size_t capacity, Deadline deadline) {
  while (true) {
    ERR_clear_error();
    const int read = SSL_read(ssl_, buffer, static_cast<int>(std::min<std::size_t>(capacity, 1 << 20)));
    if (read > 0) {
      return static_cast<std::size_t>(read);
    }
    const int ssl_error = SSL_get_error(ssl_, read);
    if (ssl_error == SSL_ERROR_ZERO_RETURN) {
      return std::size_t{0};
    }
    if (ssl_error == SSL_ERROR_WANT_READ || ssl_error == SSL_ERROR_WANT_WRITE) {
      if (std::optional<Error> failed = waitFor(ssl_error, deadline)) {
        return *failed;
      }
      continue;
    }
    if (ssl_error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
      return Error{"reading from " + peer_ +
                   " failed: " + (errno != 0 ? std::string(std::strerror(errno)) : std::string("connection reset"))};
    }
    const std::string details = meshward::takeOpensslErrors();
    return Error{"reading from " + peer_ + " failed" + (details.empty() ? std::string() : ": " + details)};
  }
}

}  // namespace meshward::cluster::kube
