#include "webhook/common/tls_key_pair.h"

#include <gtest/gtest.h>

#include "test/server/server_test_support.h"
#include "webhook/common/small_file.h"

namespace meshward::server {
namespace {

using testing::ScratchDirectory;

TEST(TlsKeyPairTest, ParsesAMatchingPairWithItsExpiry) {
  auto generated = generateSelfSigned();
  ASSERT_TRUE(generated.ok()) << generated.error();
  auto pair = parseKeyPair(generated->cert_pem, generated->key_pem, "test");
  ASSERT_TRUE(pair.ok()) << pair.error();
  EXPECT_EQ(sk_X509_num((*pair)->chain.get()), 0);
  EXPECT_GT((*pair)->not_after_unix_seconds, static_cast<double>(std::time(nullptr)));
  EXPECT_NE((*pair)->subject.find("localhost"), std::string::npos) << (*pair)->subject;
}

TEST(TlsKeyPairTest, CertificatesAfterTheLeafBecomeTheChain) {
  auto generated = generateSelfSigned();
  ASSERT_TRUE(generated.ok()) << generated.error();
  auto pair = parseKeyPair(generated->cert_pem + generated->ca_pem, generated->key_pem, "test");
  ASSERT_TRUE(pair.ok()) << pair.error();
  EXPECT_EQ(sk_X509_num((*pair)->chain.get()), 1);
}

TEST(TlsKeyPairTest, RejectsAKeyFromAnotherPair) {
  auto first = generateSelfSigned();
  auto second = generateSelfSigned();
  ASSERT_TRUE(first.ok() && second.ok());
  auto pair = parseKeyPair(first->cert_pem, second->key_pem, "mixed.pem");
  ASSERT_FALSE(pair.ok());
  EXPECT_NE(pair.error().find("mixed.pem"), std::string::npos) << pair.error();
  EXPECT_NE(pair.error().find("does not match"), std::string::npos) << pair.error();
}

TEST(TlsKeyPairTest, RejectsGarbageAndEmptyInputs) {
  auto generated = generateSelfSigned();
  ASSERT_TRUE(generated.ok());
  EXPECT_FALSE(parseKeyPair("not a certificate", generated->key_pem, "x").ok());
  EXPECT_FALSE(parseKeyPair(generated->cert_pem, "not a key", "x").ok());
  EXPECT_FALSE(parseKeyPair("", "", "x").ok());
  std::string truncated = generated->cert_pem.substr(0, generated->cert_pem.size() / 2);
  EXPECT_FALSE(parseKeyPair(truncated, generated->key_pem, "x").ok());
}

TEST(TlsKeyPairTest, LoadsFilesAndNamesAMissingOne) {
  ScratchDirectory directory;
  const testing::PairFiles files = testing::writePair(directory, "one");
  auto pair = loadKeyPairFiles(files.cert_file, files.key_file);
  ASSERT_TRUE(pair.ok()) << pair.error();
  auto missing = loadKeyPairFiles(files.cert_file, (directory.path() / "absent.pem").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("absent.pem"), std::string::npos) << missing.error();
}

TEST(SmallFileTest, RefusesDirectoriesDevicesAndOversizedFiles) {
  ScratchDirectory directory;
  EXPECT_FALSE(readSmallFile(directory.path().string()).ok());
  EXPECT_FALSE(readSmallFile("/dev/zero").ok());
  const std::string big = directory.write("big", std::string(2048, 'x'));
  EXPECT_FALSE(readSmallFile(big, 1024).ok());
  auto fits = readSmallFile(big, 4096);
  ASSERT_TRUE(fits.ok()) << fits.error();
  EXPECT_EQ(fits->size(), 2048u);
}

}  // namespace
}  // namespace meshward::server
