#pragma once
// One write(2) per HTTP response on a TLS connection. cpp-httplib writes a response's headers
// and its body with two SSL_write calls and has no hook between them, so each became its own
// TLS record and its own write(2) (with TCP_NODELAY, its own packet). holdResponse() puts a
// filter BIO in front of the connection's socket BIO (once per connection) and makes it keep
// what OpenSSL writes; flushResponse(), from cpp-httplib's logger (which runs after the body is
// written), sends it all with one write of the socket BIO. Outside a response, and for anything
// flushed by OpenSSL itself (alerts, close_notify), the filter writes straight through.
// Both are called on the connection's own thread; a null SSL (plain HTTP) is ignored.

#include <openssl/ssl.h>

namespace meshward::server {

void holdResponse(const SSL* ssl);
void flushResponse(const SSL* ssl);

// The filter on its own, for tests: a new filter BIO to push in front of another BIO, and its
// switch. A write failure of the held bytes is the flush's failure (BIO_flush returns <= 0).
BIO* newResponseCoalescingFilter();
bool setHolding(BIO* filter, bool holding);  // false when `filter` is not one

}  // namespace meshward::server
