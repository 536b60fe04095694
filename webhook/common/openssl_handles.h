#pragma once
// Owning handles for the OpenSSL objects the server creates, and OpenSSL's error queue as text.

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace meshward {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free_all(bio); }
};
struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509StackFree {
  void operator()(STACK_OF(X509) * stack) const { sk_X509_pop_free(stack, X509_free); }
};

using BioHandle = std::unique_ptr<BIO, BioFree>;
using X509Handle = std::unique_ptr<X509, X509Free>;
using PkeyHandle = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509StackHandle = std::unique_ptr<STACK_OF(X509), X509StackFree>;

// Empties the calling thread's OpenSSL error queue and returns it as one line ("" when empty).
std::string takeOpensslErrors();

// The whole contents of a memory BIO.
std::string memoryBioText(BIO* bio);

}  // namespace meshward
