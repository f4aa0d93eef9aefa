// Inline delivery allocates nothing per message. This binary replaces the global operator new
// with one that counts per thread, so it is kept apart from client_test.
#include <cstdlib>
#include <new>

#include "unit/client/client_fixture.h"

namespace {
thread_local uint64_t t_allocations = 0;
}  // namespace

// malloc and free underneath, the pair ASan expects; g++ does not see that they match.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  ++t_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace spate::client::test {
namespace {

using namespace std::chrono_literals;

constexpr int kMessages = 5000;

// kMessages HMSGs of 128 payload bytes on sid 1, then a PING.
std::string Burst() {
  const std::string block = "NATS/1.0\r\nA: 1\r\n\r\n";
  const std::string payload(128, 'x');
  std::string frame = "HMSG data 1 " + std::to_string(block.size()) + " " +
                      std::to_string(block.size() + payload.size()) + "\r\n" + block + payload +
                      "\r\n";
  std::string burst;
  for (int i = 0; i < kMessages; ++i) burst += frame;
  return burst + "PING\r\n";
}

class InlineAllocTest : public ClientTest {};

// Allocations on the I/O thread between the second message's handler and the last one's: the
// first may set things up (the sid's cache entry).
TEST_F(InlineAllocTest, InlineDeliveryAllocatesNothingPerMessage) {
  Connect();
  int count = 0;
  uint64_t at_second = 0, at_last = 0;
  size_t header_bytes = 0;
  auto sub = conn_->SubscribeInline("data", [&](const MsgView& m) {
    ++count;
    header_bytes += m.headers.Get("A").value_or("").size() + m.data.size();
    if (count == 2) at_second = t_allocations;
    if (count == kMessages) at_last = t_allocations;
  });
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(peer_->ReadLineStartingWith("SUB ").has_value());
  ASSERT_TRUE(peer_->Send(Burst()));
  EXPECT_EQ(peer_->ReadLineStartingWith("PONG"), "PONG\r\n");
  ASSERT_EQ(count, kMessages);
  EXPECT_EQ(header_bytes, kMessages * 129u);
  EXPECT_EQ(at_last - at_second, 0u)
      << "allocations on the I/O thread for " << kMessages - 2 << " messages";
}

// The counter works: the copying path allocates on the I/O thread for every message.
TEST_F(InlineAllocTest, OrdinaryDeliveryAllocatesPerMessage) {
  Connect();
  std::atomic<int> count{0};
  auto sub = conn_->Subscribe("data", [&](const Msg&) { ++count; });
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(peer_->ReadLineStartingWith("SUB ").has_value());
  uint64_t on_io_thread = 0;
  auto probe =
      conn_->SubscribeInline("probe", [&](const MsgView&) { on_io_thread = t_allocations; });
  ASSERT_TRUE(probe.ok());
  ASSERT_TRUE(peer_->ReadLineStartingWith("SUB ").has_value());
  ASSERT_TRUE(peer_->Send("MSG probe 2 0\r\n\r\nMSG probe 2 0\r\n\r\nPING\r\n"));
  EXPECT_EQ(peer_->ReadLineStartingWith("PONG"), "PONG\r\n");
  const uint64_t before = on_io_thread;
  std::string burst = Burst();
  burst.insert(burst.size() - 6, "MSG probe 2 0\r\n\r\n");
  ASSERT_TRUE(peer_->Send(burst));
  EXPECT_EQ(peer_->ReadLineStartingWith("PONG"), "PONG\r\n");
  EXPECT_GE(on_io_thread - before, static_cast<uint64_t>(kMessages));
  ASSERT_TRUE(WaitFor([&] { return count == kMessages; }, 5000ms));
}

}  // namespace
}  // namespace spate::client::test
