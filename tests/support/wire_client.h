#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace spate::test {

// A raw TCP client for exact protocol bytes. Reads are buffered; every read takes a deadline and
// returns std::nullopt (or false) when it passes, so a test fails instead of hanging.
// Threading: use from one thread.
class WireClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultDeadline{5000};

  WireClient() = default;
  ~WireClient();
  WireClient(const WireClient&) = delete;
  WireClient& operator=(const WireClient&) = delete;

  // Sets SO_RCVBUF before connecting (a small window makes a slow consumer quickly).
  void set_receive_buffer_size(int bytes) { receive_buffer_size_ = bytes; }

  [[nodiscard]] bool Connect(int port, const std::string& host = "127.0.0.1",
                             std::chrono::milliseconds deadline = kDefaultDeadline);
  // Writes all of `bytes` (waiting for the socket to drain, up to the deadline).
  [[nodiscard]] bool Send(std::string_view bytes,
                          std::chrono::milliseconds deadline = kDefaultDeadline);
  void Close();

  // One line including its "\r\n" (or a bare "\n" terminator, returned as received).
  std::optional<std::string> ReadLine(std::chrono::milliseconds deadline = kDefaultDeadline);
  std::optional<std::string> ReadExactly(size_t n,
                                         std::chrono::milliseconds deadline = kDefaultDeadline);
  // Everything up to and including the first `delimiter`.
  std::optional<std::string> ReadUntil(std::string_view delimiter,
                                       std::chrono::milliseconds deadline = kDefaultDeadline);
  // True once the peer closes (EOF or reset) within the deadline. Bytes that arrive before the
  // close are discarded and returned through `unread` when given (a slow consumer has plenty).
  [[nodiscard]] bool ExpectClosed(std::chrono::milliseconds deadline = kDefaultDeadline,
                                  std::string* unread = nullptr);

  // Lower level, for transcript runners: wait for at least one more chunk (false on deadline or
  // when the peer has closed), look at what is buffered, consume a prefix of it.
  bool ReadSome(std::chrono::steady_clock::time_point until);
  std::string_view buffered() const { return buffer_; }
  void Consume(size_t n) { buffer_.erase(0, n); }

  bool connected() const { return fd_ >= 0; }
  bool peer_closed() const { return peer_closed_; }
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  int receive_buffer_size_ = 0;
  bool peer_closed_ = false;
  std::string buffer_;
  std::string error_;
};

}  // namespace spate::test
