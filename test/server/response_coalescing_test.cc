#include "webhook/server/response_coalescing.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace meshward::server {
namespace {

// A sink BIO that records each write it is given, as a socket BIO would make each a write(2).
struct Sink {
  std::vector<std::string> writes;
  bool fail = false;
};

int sinkWrite(BIO* bio, const char* data, int length) {
  auto* sink = static_cast<Sink*>(BIO_get_data(bio));
  if (sink->fail) {
    return -1;
  }
  sink->writes.emplace_back(data, static_cast<std::size_t>(length));
  return length;
}

long sinkCtrl(BIO*, int command, long, void*) { return command == BIO_CTRL_FLUSH ? 1 : 0; }

int sinkCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

class ResponseCoalescingTest : public ::testing::Test {
 protected:
  ResponseCoalescingTest() {
    method_ = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "test sink");
    BIO_meth_set_write(method_, sinkWrite);
    BIO_meth_set_ctrl(method_, sinkCtrl);
    BIO_meth_set_create(method_, sinkCreate);
    BIO* sink = BIO_new(method_);
    BIO_set_data(sink, &sink_);
    filter_ = newResponseCoalescingFilter();
    BIO_push(filter_, sink);
  }
  ~ResponseCoalescingTest() override {
    BIO_free_all(filter_);
    BIO_meth_free(method_);
  }

  Sink sink_;
  BIO_METHOD* method_ = nullptr;
  BIO* filter_ = nullptr;
};

TEST_F(ResponseCoalescingTest, HoldsARecordsWritesUntilTheFlushAndSendsThemInOneWrite) {
  ASSERT_TRUE(setHolding(filter_, true));
  EXPECT_EQ(BIO_write(filter_, "headers", 7), 7);
  EXPECT_EQ(BIO_write(filter_, "body", 4), 4);
  EXPECT_TRUE(sink_.writes.empty());
  EXPECT_EQ(BIO_wpending(filter_), 11);

  ASSERT_TRUE(setHolding(filter_, false));
  EXPECT_EQ(BIO_flush(filter_), 1);
  EXPECT_EQ(sink_.writes, std::vector<std::string>{"headersbody"});
  EXPECT_EQ(BIO_wpending(filter_), 0);
}

TEST_F(ResponseCoalescingTest, WritesStraightThroughWhenNotHolding) {
  EXPECT_EQ(BIO_write(filter_, "alert", 5), 5);
  EXPECT_EQ(BIO_write(filter_, "close", 5), 5);
  EXPECT_EQ(sink_.writes, (std::vector<std::string>{"alert", "close"}));
}

TEST_F(ResponseCoalescingTest, AFlushWhileHoldingSendsWhatIsHeld) {
  // OpenSSL flushes its write BIO after an alert: what the response held goes out first.
  ASSERT_TRUE(setHolding(filter_, true));
  BIO_write(filter_, "response", 8);
  EXPECT_EQ(BIO_flush(filter_), 1);
  EXPECT_EQ(sink_.writes, std::vector<std::string>{"response"});
}

TEST_F(ResponseCoalescingTest, AFailedWriteOfTheHeldBytesIsTheFlushesFailure) {
  ASSERT_TRUE(setHolding(filter_, true));
  BIO_write(filter_, "response", 8);
  sink_.fail = true;
  setHolding(filter_, false);
  EXPECT_LE(BIO_flush(filter_), 0);
  EXPECT_EQ(BIO_wpending(filter_), 0) << "nothing is kept for a connection that cannot be written";
}

TEST(ResponseCoalescing, LeavesOtherBiosAndPlainConnectionsAlone) {
  BIO* memory = BIO_new(BIO_s_mem());
  EXPECT_FALSE(setHolding(memory, true));
  BIO_free(memory);
  holdResponse(nullptr);
  flushResponse(nullptr);
}

}  // namespace
}  // namespace meshward::server
