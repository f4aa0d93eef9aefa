#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

// A scripted NATS server for client tests: a loopback listener whose accepted connections the
// test drives byte by byte (send INFO/PONG/MSG, expect the client's lines, drop the link).
// Threading: use from the test thread only.
namespace spate::client::test {

using namespace std::chrono_literals;

class FakePeer {
 public:
  explicit FakePeer(int fd) : fd_(fd) {}
  ~FakePeer() { Close(); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Sends each byte in its own write (the client sees frames split everywhere).
  bool SendBytewise(std::string_view bytes) {
    for (char c : bytes) {
      if (!Send(std::string_view(&c, 1))) return false;
    }
    return true;
  }
  // Everything up to and including `delim`, or nullopt after the deadline or on EOF.
  std::optional<std::string> ReadUntil(std::string_view delim,
                                       std::chrono::milliseconds deadline = 3000ms) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (true) {
      if (size_t pos = buf_.find(delim); pos != std::string::npos) {
        std::string out = buf_.substr(0, pos + delim.size());
        buf_.erase(0, pos + delim.size());
        return out;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char tmp[4096];
      const ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
      if (n <= 0) return std::nullopt;
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }
  std::optional<std::string> ReadLine(std::chrono::milliseconds deadline = 3000ms) {
    return ReadUntil("\r\n", deadline);
  }
  // Reads lines until one starts with `prefix`; returns it (skipping PINGs etc. before it).
  std::optional<std::string> ReadLineStartingWith(std::string_view prefix,
                                                  std::chrono::milliseconds deadline = 3000ms) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
      auto line = ReadLine(std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now()));
      if (!line) return std::nullopt;
      if (line->starts_with(prefix)) return line;
    }
    return std::nullopt;
  }
  // INFO, then expects CONNECT and PING and answers PONG. Returns the CONNECT line.
  std::optional<std::string> Handshake(std::string info = std::string(kInfo)) {
    if (!Send("INFO " + info + "\r\n")) return std::nullopt;
    auto connect = ReadLine();
    if (!connect || !connect->starts_with("CONNECT ")) return std::nullopt;
    auto ping = ReadLine();
    if (!ping || *ping != "PING\r\n") return std::nullopt;
    if (!Send("PONG\r\n")) return std::nullopt;
    return connect;
  }
  // Answers the client's next PING (a Flush) with PONG; returns what came before it.
  std::optional<std::string> AnswerPing(std::chrono::milliseconds deadline = 3000ms) {
    auto upto = ReadUntil("PING\r\n", deadline);
    if (!upto || !Send("PONG\r\n")) return std::nullopt;
    return upto->substr(0, upto->size() - 6);
  }
  int fd() const { return fd_; }

  static constexpr std::string_view kInfo =
      R"({"server_id":"FAKE","version":"2.10.0","proto":1,"headers":true,"max_payload":1048576})";

 private:
  int fd_;
  std::string buf_;
};

class FakeServer {
 public:
  FakeServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, 16);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~FakeServer() { ::close(fd_); }
  int port() const { return port_; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  // The next client connection, or nullptr after the deadline.
  std::unique_ptr<FakePeer> Accept(std::chrono::milliseconds deadline = 3000ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(deadline.count())) <= 0) return nullptr;
    const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    return c < 0 ? nullptr : std::make_unique<FakePeer>(c);
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace spate::client::test
