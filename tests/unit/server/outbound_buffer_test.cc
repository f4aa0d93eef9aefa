#include "server/outbound_buffer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace spate::server {
namespace {

class SocketPair {
 public:
  SocketPair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds_), 0); }
  ~SocketPair() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int writer() const { return fds_[0]; }
  std::string ReadAll() {
    std::string out;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fds_[1], buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fds_[2];
};

TEST(OutboundBufferTest, AppendsAcrossChunksAndWritesInOrder) {
  OutboundBuffer buf;
  std::string big(OutboundBuffer::kChunkSize * 2 + 123, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  buf.Append("MSG a 1 3\r\n");
  buf.Append(big);
  buf.Append("\r\n");
  EXPECT_EQ(buf.size(), 11 + big.size() + 2);
  SocketPair sp;
  std::string got;
  while (!buf.empty()) {
    ASSERT_GE(buf.WriteTo(sp.writer()), 0);
    got += sp.ReadAll();
  }
  EXPECT_EQ(got, "MSG a 1 3\r\n" + big + "\r\n");
}

TEST(OutboundBufferTest, PartialWriteKeepsTheRest) {
  OutboundBuffer buf;
  SocketPair sp;
  int small = 4096;
  ::setsockopt(sp.writer(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  std::string data(1 << 20, 'q');
  buf.Append(data);
  ssize_t n = buf.WriteTo(sp.writer());
  ASSERT_GT(n, 0);
  ASSERT_LT(static_cast<size_t>(n), data.size()) << "socket buffer should have filled";
  EXPECT_EQ(buf.size(), data.size() - static_cast<size_t>(n));
  std::string got = sp.ReadAll();
  while (!buf.empty()) {
    ASSERT_GE(buf.WriteTo(sp.writer()), 0);
    got += sp.ReadAll();
  }
  EXPECT_EQ(got, data);
}

TEST(OutboundBufferTest, ClearReleasesEverything) {
  OutboundBuffer buf;
  buf.Append(std::string(100000, 'z'));
  buf.Clear();
  EXPECT_TRUE(buf.empty());
  EXPECT_EQ(buf.size(), 0u);
  buf.Append("x");
  EXPECT_EQ(buf.size(), 1u);
}

}  // namespace
}  // namespace spate::server
