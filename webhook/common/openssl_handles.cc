#include "webhook/common/openssl_handles.h"

#include <openssl/err.h>

namespace meshward {

std::string takeOpensslErrors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!text.empty()) {
      text += "; ";
    }
    text += buffer;
  }
  return text;
}

std::string memoryBioText(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  if (length <= 0 || data == nullptr) {
    return {};
  }
  return std::string(data, static_cast<std::size_t>(length));
}

}  // namespace meshward
