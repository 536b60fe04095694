#include "webhook/server/tls_reloader.h"

#include <spdlog/spdlog.h>

namespace meshward::server {

TlsReloader::TlsReloader(std::string cert_path, std::string key_path, Metrics& metrics)
    : cert_path_(std::move(cert_path)), key_path_(std::move(key_path)), metrics_(metrics) {}

TlsReloader::~TlsReloader() { watcher_.reset(); }

Result<std::unique_ptr<TlsReloader>> TlsReloader::watchFiles(const std::string& cert_path,
                                                             const std::string& key_path,
                                                             std::chrono::milliseconds interval, Metrics& metrics) {
  std::unique_ptr<TlsReloader> reloader(new TlsReloader(cert_path, key_path, metrics));
  // Watch before the first load: a change in between then triggers a (serialised) reload.
  TlsReloader* self = reloader.get();
  reloader->watcher_ = std::make_unique<FileWatcher>(std::vector<std::string>{cert_path, key_path}, interval,
                                                     [self] { self->reload(); });
  std::lock_guard lock(reloader->reload_mutex_);
  auto pair = loadKeyPairFiles(cert_path, key_path);
  if (!pair) {
    return Error{"TLS: " + pair.error()};
  }
  reloader->install(std::move(*pair));
  return reloader;
}

std::unique_ptr<TlsReloader> TlsReloader::fixed(std::shared_ptr<const KeyPair> pair, Metrics& metrics) {
  std::unique_ptr<TlsReloader> reloader(new TlsReloader("", "", metrics));
  reloader->install(std::move(pair));
  return reloader;
}

void TlsReloader::attachTo(SSL_CTX& context) { SSL_CTX_set_cert_cb(&context, &TlsReloader::selectCertificate, this); }

bool TlsReloader::reload() {
  if (cert_path_.empty()) {
    return true;
  }
  std::lock_guard lock(reload_mutex_);
  auto pair = loadKeyPairFiles(cert_path_, key_path_);
  if (!pair) {
    spdlog::warn("TLS reload failed, still serving the previous certificate: {}", pair.error());
    metrics_.recordTlsReload(false);
    return false;
  }
  spdlog::info("TLS certificate reloaded: {} (expires at unix time {:.0f})", (*pair)->subject,
               (*pair)->not_after_unix_seconds);
  install(std::move(*pair));
  metrics_.recordTlsReload(true);
  return true;
}

void TlsReloader::install(std::shared_ptr<const KeyPair> pair) {
  metrics_.setCertificateExpiry(pair->not_after_unix_seconds);
  pair_.store(std::move(pair));
}

int TlsReloader::selectCertificate(SSL* ssl, void* reloader) {
  const std::shared_ptr<const KeyPair> pair = static_cast<TlsReloader*>(reloader)->current();
  if (!pair || !useKeyPair(ssl, *pair)) {
    return 0;
  }
  return 1;
}

}  // namespace meshward::server
