#include "support/wire_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace spate::test {
namespace {

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

WireClient::~WireClient() { Close(); }

void WireClient::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool WireClient::Connect(int port, const std::string& host, std::chrono::milliseconds deadline) {
  Close();
  buffer_.clear();
  peer_closed_ = false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    error_ = "bad IPv4 address " + host;
    return false;
  }
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    error_ = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  if (receive_buffer_size_ > 0) {
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_size_, sizeof(receive_buffer_size_));
  }
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 && errno != EINPROGRESS) {
    error_ = std::string("connect: ") + std::strerror(errno);
    Close();
    return false;
  }
  pollfd pfd{fd_, POLLOUT, 0};
  const auto until = Clock::now() + deadline;
  if (poll(&pfd, 1, RemainingMs(until)) != 1) {
    error_ = "connect timed out";
    Close();
    return false;
  }
  int so_error = 0;
  socklen_t len = sizeof(so_error);
  getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so_error, &len);
  if (so_error != 0) {
    error_ = std::string("connect: ") + std::strerror(so_error);
    Close();
    return false;
  }
  return true;
}

bool WireClient::Send(std::string_view bytes, std::chrono::milliseconds deadline) {
  if (fd_ < 0) {
    error_ = "send on a closed client";
    return false;
  }
  const auto until = Clock::now() + deadline;
  while (!bytes.empty()) {
    const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd pfd{fd_, POLLOUT, 0};
      if (poll(&pfd, 1, RemainingMs(until)) != 1) {
        error_ = "send timed out";
        return false;
      }
      continue;
    }
    error_ = std::string("send: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool WireClient::ReadSome(Clock::time_point until) {
  if (fd_ < 0 || peer_closed_) return false;
  char chunk[64 * 1024];
  while (true) {
    const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<size_t>(n));
      return true;
    }
    if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE))) {
      peer_closed_ = true;
      return false;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      error_ = std::string("recv: ") + std::strerror(errno);
      peer_closed_ = true;
      return false;
    }
    pollfd pfd{fd_, POLLIN, 0};
    const int ready = poll(&pfd, 1, RemainingMs(until));
    if (ready == 0) return false;  // deadline
    if (ready < 0 && errno != EINTR) return false;
  }
}

std::optional<std::string> WireClient::ReadUntil(std::string_view delimiter,
                                                 std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  size_t searched = 0;
  while (true) {
    const size_t at = buffer_.find(delimiter, searched);
    if (at != std::string::npos) {
      std::string out = buffer_.substr(0, at + delimiter.size());
      Consume(out.size());
      return out;
    }
    searched = buffer_.size() >= delimiter.size() ? buffer_.size() - delimiter.size() + 1 : 0;
    if (!ReadSome(until)) return std::nullopt;
  }
}

std::optional<std::string> WireClient::ReadLine(std::chrono::milliseconds deadline) {
  return ReadUntil("\n", deadline);
}

std::optional<std::string> WireClient::ReadExactly(size_t n, std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  while (buffer_.size() < n) {
    if (!ReadSome(until)) return std::nullopt;
  }
  std::string out = buffer_.substr(0, n);
  Consume(n);
  return out;
}

bool WireClient::ExpectClosed(std::chrono::milliseconds deadline, std::string* unread) {
  const auto until = Clock::now() + deadline;
  while (!peer_closed_) {
    if (!ReadSome(until) && !peer_closed_) break;  // deadline
    if (unread == nullptr) buffer_.clear();        // keep memory flat while draining
  }
  if (unread != nullptr) *unread = buffer_;
  buffer_.clear();
  return peer_closed_;
}

}  // namespace spate::test
