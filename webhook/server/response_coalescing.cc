#include "webhook/server/response_coalescing.h"

#include <algorithm>
#include <climits>
#include <string>

namespace meshward::server {
namespace {

struct Held {
  bool holding = false;
  std::string bytes;
};

Held* heldOf(BIO* filter) { return static_cast<Held*>(BIO_get_data(filter)); }

// Writes the held bytes to the next BIO; on a failure (the peer gone, the write timeout) they
// are dropped: the connection is as broken as if cpp-httplib's own write had failed.
bool drain(BIO* filter, Held& held) {
  BIO* next = BIO_next(filter);
  std::size_t offset = 0;
  while (offset < held.bytes.size()) {
    const std::size_t chunk = std::min<std::size_t>(held.bytes.size() - offset, INT_MAX);
    const int written = BIO_write(next, held.bytes.data() + offset, static_cast<int>(chunk));
    if (written <= 0) {
      held.bytes.clear();
      return false;
    }
    offset += static_cast<std::size_t>(written);
  }
  held.bytes.clear();
  return true;
}

int filterWrite(BIO* filter, const char* data, int length) {
  Held* held = heldOf(filter);
  BIO* next = BIO_next(filter);
  BIO_clear_retry_flags(filter);
  if (held == nullptr || next == nullptr || length < 0) {
    return -1;
  }
  if (held->holding) {
    held->bytes.append(data, static_cast<std::size_t>(length));
    return length;
  }
  if (!held->bytes.empty() && !drain(filter, *held)) {
    return -1;
  }
  const int written = BIO_write(next, data, length);
  BIO_copy_next_retry(filter);
  return written;
}

int filterRead(BIO* filter, char* out, int length) {
  BIO* next = BIO_next(filter);
  BIO_clear_retry_flags(filter);
  if (next == nullptr) {
    return -1;
  }
  const int read = BIO_read(next, out, length);
  BIO_copy_next_retry(filter);
  return read;
}

long filterCtrl(BIO* filter, int command, long number, void* pointer) {
  Held* held = heldOf(filter);
  BIO* next = BIO_next(filter);
  if (held == nullptr || next == nullptr) {
    return 0;
  }
  switch (command) {
    case BIO_CTRL_FLUSH:
      if (!held->bytes.empty() && !drain(filter, *held)) {
        return 0;
      }
      return BIO_ctrl(next, command, number, pointer);
    case BIO_CTRL_WPENDING:
      return static_cast<long>(held->bytes.size()) + BIO_ctrl(next, command, number, pointer);
    case BIO_CTRL_DUP:
      return 0;  // never duplicated: one filter per connection
    default:
      return BIO_ctrl(next, command, number, pointer);
  }
}

int filterCreate(BIO* filter) {
  BIO_set_data(filter, new Held());
  BIO_set_init(filter, 1);
  return 1;
}

int filterDestroy(BIO* filter) {
  delete heldOf(filter);
  BIO_set_data(filter, nullptr);
  BIO_set_init(filter, 0);
  return 1;
}

struct FilterMethod {
  int type = 0;
  BIO_METHOD* method = nullptr;
};

// Process-wide and immutable once made (OpenSSL's own BIO methods are built this way).
const FilterMethod& filterMethod() {
  static const FilterMethod made = [] {
    FilterMethod filter;
    filter.type = BIO_get_new_index() | BIO_TYPE_FILTER;
    filter.method = BIO_meth_new(filter.type, "meshward response coalescing");
    if (filter.method != nullptr) {
      BIO_meth_set_write(filter.method, filterWrite);
      BIO_meth_set_read(filter.method, filterRead);
      BIO_meth_set_ctrl(filter.method, filterCtrl);
      BIO_meth_set_create(filter.method, filterCreate);
      BIO_meth_set_destroy(filter.method, filterDestroy);
    }
    return filter;
  }();
  return made;
}

bool isFilter(BIO* bio) {
  return bio != nullptr && filterMethod().method != nullptr && BIO_method_type(bio) == filterMethod().type;
}

}  // namespace

BIO* newResponseCoalescingFilter() {
  const BIO_METHOD* method = filterMethod().method;
  return method == nullptr ? nullptr : BIO_new(method);
}

bool setHolding(BIO* filter, bool holding) {
  if (!isFilter(filter)) {
    return false;
  }
  heldOf(filter)->holding = holding;
  return true;
}

void holdResponse(const SSL* ssl) {
  // cpp-httplib hands requests a const SSL*; the connection, and this thread, own it.
  SSL* connection = const_cast<SSL*>(ssl);
  BIO* wbio = connection == nullptr ? nullptr : SSL_get_wbio(connection);
  if (wbio == nullptr) {
    return;
  }
  if (!isFilter(wbio)) {
    BIO* filter = newResponseCoalescingFilter();
    if (filter == nullptr) {
      return;  // without the filter the response is written as before
    }
    // The socket BIO is the read BIO too; SSL_set0_wbio releases the write slot's reference to
    // it, so the filter chain takes one of its own first.
    BIO_up_ref(wbio);
    BIO_push(filter, wbio);
    SSL_set0_wbio(connection, filter);
    wbio = filter;
  }
  setHolding(wbio, true);
}

void flushResponse(const SSL* ssl) {
  BIO* wbio = ssl == nullptr ? nullptr : SSL_get_wbio(ssl);
  if (setHolding(wbio, false)) {
    (void)BIO_flush(wbio);  // a failed write shows on the connection's next read, as before
  }
}

}  // namespace meshward::server
