#pragma once
// Shared by the server tests: generated certificate pairs written to files, HTTPS clients that
// trust a given CA, a raw TLS connection for byte-level tricks (slow clients, old protocol
// versions), and bounded waits on a condition.

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "test/cluster/scratch_directory.h"
#include "webhook/server/self_signed.h"

namespace meshward::server::testing {

using meshward::testing::ScratchDirectory;

// Polls `condition` every few milliseconds until it holds or `limit` passes; returns the last result.
inline bool waitUntil(const std::function<bool()>& condition,
                      std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return condition();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// A generated CA + serving pair whose PEMs are also files in a scratch directory.
struct PairFiles {
  SelfSignedCertificate pem;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

inline PairFiles writePair(const ScratchDirectory& directory, const std::string& name,
                           const SelfSignedOptions& options = {}) {
  auto generated = generateSelfSigned(options);
  if (!generated) {
    throw std::runtime_error(generated.error());
  }
  PairFiles files{*generated, "", "", ""};
  files.ca_file = directory.write(name + "-ca.pem", generated->ca_pem);
  files.cert_file = directory.write(name + "-cert.pem", generated->cert_pem);
  files.key_file = directory.write(name + "-key.pem", generated->key_pem);
  return files;
}

// An HTTPS client for 127.0.0.1:port that verifies the server against `ca_file` only.
inline std::unique_ptr<httplib::SSLClient> clientTrusting(int port, const std::string& ca_file,
                                                          const std::string& cert_file = "",
                                                          const std::string& key_file = "") {
  auto client = cert_file.empty() ? std::make_unique<httplib::SSLClient>("127.0.0.1", port)
                                  : std::make_unique<httplib::SSLClient>("127.0.0.1", port, cert_file, key_file);
  client->set_ca_cert_path(ca_file.c_str());
  client->enable_server_certificate_verification(true);
  client->set_tcp_nodelay(true);  // else Nagle + delayed ACK add ~40 ms per request
  client->set_connection_timeout(std::chrono::seconds(5));
  client->set_read_timeout(std::chrono::seconds(10));
  return client;
}

// A TLS connection driven byte by byte (no HTTP library in between). Verification is off: the
// tests using it are about the transport, and the other tests check the certificate.
class RawTlsConnection {
 public:
  struct Options {
    int max_version = 0;      // 0: OpenSSL's maximum
    const char* ciphers = nullptr;  // TLS 1.2 cipher list; nullptr: OpenSSL's default
  };

  explicit RawTlsConnection(int port) : RawTlsConnection(port, Options{}) {}

  RawTlsConnection(int port, const Options& options) {
    context_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_security_level(context_, 0);
    SSL_CTX_set_min_proto_version(context_, TLS1_VERSION);
    if (options.max_version != 0) {
      SSL_CTX_set_max_proto_version(context_, options.max_version);
    }
    if (options.ciphers != nullptr) {
      SSL_CTX_set_cipher_list(context_, options.ciphers);
    }
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      return;
    }
    ssl_ = SSL_new(context_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
    handshake_ok_ = SSL_connect(ssl_) == 1;
    ERR_clear_error();
  }

  ~RawTlsConnection() {
    if (ssl_ != nullptr) {
      SSL_free(ssl_);
    }
    if (fd_ >= 0) {
      ::close(fd_);
    }
    SSL_CTX_free(context_);
  }
  RawTlsConnection(const RawTlsConnection&) = delete;
  RawTlsConnection& operator=(const RawTlsConnection&) = delete;

  bool handshakeSucceeded() const { return handshake_ok_; }

  bool send(std::string_view bytes) {
    if (!handshake_ok_) {
      return false;
    }
    const int written = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    ERR_clear_error();
    return written == static_cast<int>(bytes.size());
  }

  // Reads until the peer closes (or 5 s pass without data); returns everything read.
  std::string readUntilClosed() {
    std::string received;
    char buffer[4096];
    while (handshake_ok_) {
      const int n = SSL_read(ssl_, buffer, sizeof(buffer));
      if (n <= 0) {
        break;
      }
      received.append(buffer, static_cast<std::size_t>(n));
    }
    ERR_clear_error();
    return received;
  }

 private:
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool handshake_ok_ = false;
};

}  // namespace meshward::server::testing
