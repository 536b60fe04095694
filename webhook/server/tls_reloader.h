#pragma once
// Gives every new TLS handshake the current key pair (SSL_CTX_set_cert_cb) and replaces the
// pair when its files change. A bad new pair keeps the last good one (logged at warn and counted);
// connections keep the pair they handshook with, so a reload never drops a request.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <openssl/ssl.h>

#include "webhook/common/result.h"
#include "webhook/common/file_watcher.h"
#include "webhook/common/metrics.h"
#include "webhook/common/tls_key_pair.h"

namespace meshward::server {

class TlsReloader {
 public:
  // Loads the pair now (an error value when it is unusable) and polls both files every `interval`.
  static Result<std::unique_ptr<TlsReloader>> watchFiles(const std::string& cert_path, const std::string& key_path,
                                                         std::chrono::milliseconds interval, Metrics& metrics);

  // A pair that never changes (the generated self-signed one).
  static std::unique_ptr<TlsReloader> fixed(std::shared_ptr<const KeyPair> pair, Metrics& metrics);

  ~TlsReloader();
  TlsReloader(const TlsReloader&) = delete;
  TlsReloader& operator=(const TlsReloader&) = delete;

  // Makes every handshake on `context` use the current pair. The reloader must outlive the context.
  void attachTo(SSL_CTX& context);

  std::shared_ptr<const KeyPair> current() const { return pair_.load(); }

  // Re-reads the files; false (the previous pair kept) when the new pair is unusable.
  bool reload();

 private:
  TlsReloader(std::string cert_path, std::string key_path, Metrics& metrics);
  void install(std::shared_ptr<const KeyPair> pair);
  static int selectCertificate(SSL* ssl, void* reloader);

  const std::string cert_path_;
  const std::string key_path_;
  Metrics& metrics_;
  std::mutex reload_mutex_;
  std::atomic<std::shared_ptr<const KeyPair>> pair_;
  std::unique_ptr<FileWatcher> watcher_;
};

}  // namespace meshward::server
