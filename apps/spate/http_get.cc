#include "http_get.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace spate::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct ParsedUrl {
  std::string host, port = "80", path = "/";
};

Result<ParsedUrl> ParseHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return Status::InvalidArgument("monitoring URL must start with http:// (got '" +
                                   std::string(url) + "')");
  }
  std::string_view rest = url.substr(kScheme.size());
  ParsedUrl out;
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    out.path = rest.substr(slash);
    rest = rest.substr(0, slash);
  }
  if (!rest.empty() && rest.front() == '[') {  // [::1]:8222
    const size_t close = rest.find(']');
    if (close == std::string_view::npos)
      return Status::InvalidArgument("bad URL " + std::string(url));
    out.host = rest.substr(1, close - 1);
    rest.remove_prefix(close + 1);
    if (rest.starts_with(":")) out.port = rest.substr(1);
  } else if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    out.host = rest.substr(0, colon);
    out.port = rest.substr(colon + 1);
  } else {
    out.host = rest;
  }
  if (out.host.empty()) return Status::InvalidArgument("no host in URL " + std::string(url));
  return out;
}

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits until `fd` is ready for `events` or the deadline passes.
Status WaitFd(int fd, short events, Clock::time_point deadline, std::string_view what) {
  pollfd p{fd, events, 0};
  while (true) {
    const int n = ::poll(&p, 1, RemainingMs(deadline));
    if (n > 0) return Status::Ok();
    if (n == 0) return Status::Unavailable("timeout: " + std::string(what));
    if (errno != EINTR) return Status::IoError(std::string(what) + ": " + std::strerror(errno));
  }
}

Result<int> Dial(const ParsedUrl& url, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &res); rc != 0) {
    return Status::InvalidArgument("cannot resolve " + url.host + ": " + ::gai_strerror(rc));
  }
  Status last = Status::Unavailable("no address for " + url.host);
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 || errno == EINPROGRESS) {
      Status s = WaitFd(fd, POLLOUT, deadline, "connecting to " + url.host + ":" + url.port);
      int err = 0;
      socklen_t len = sizeof(err);
      if (s.ok() && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
        ::freeaddrinfo(res);
        return fd;
      }
      last = s.ok() ? Status::Unavailable("connect to " + url.host + ":" + url.port + ": " +
                                          std::strerror(err))
                    : s;
    } else {
      last = Status::Unavailable("connect to " + url.host + ":" + url.port + ": " +
                                 std::strerror(errno));
    }
    ::close(fd);
  }
  ::freeaddrinfo(res);
  return last;
}

Result<std::string> DecodeChunked(std::string_view body) {
  std::string out;
  while (true) {
    const size_t eol = body.find("\r\n");
    if (eol == std::string_view::npos) return Status::Corruption("truncated chunked body");
    size_t size = 0;
    const auto [ptr, ec] = std::from_chars(body.data(), body.data() + eol, size, 16);
    if (ec != std::errc() || ptr == body.data()) return Status::Corruption("bad chunk size");
    body.remove_prefix(eol + 2);
    if (size == 0) return out;
    if (body.size() < size) return Status::Corruption("truncated chunk");
    out.append(body.substr(0, size));
    body.remove_prefix(std::min(body.size(), size + 2));
  }
}

Result<HttpResponse> ParseResponse(const std::string& raw) {
  const size_t head_end = raw.find("\r\n\r\n");
  if (!raw.starts_with("HTTP/") || head_end == std::string::npos) {
    return Status::Corruption("not an HTTP response");
  }
  HttpResponse r;
  const size_t sp = raw.find(' ');
  if (sp == std::string::npos || sp > head_end) return Status::Corruption("bad HTTP status line");
  std::from_chars(raw.data() + sp + 1, raw.data() + head_end, r.status);
  std::string head = raw.substr(0, head_end);
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view body(raw);
  body.remove_prefix(head_end + 4);
  if (head.find("transfer-encoding: chunked") != std::string::npos) {
    SPATE_ASSIGN_OR_RETURN(r.body, DecodeChunked(body));
  } else {
    r.body = body;
  }
  return r;
}

}  // namespace

Result<HttpResponse> HttpGet(std::string_view url, std::chrono::milliseconds timeout) {
  SPATE_ASSIGN_OR_RETURN(ParsedUrl parsed, ParseHttpUrl(url));
  const Clock::time_point deadline = Clock::now() + timeout;
  SPATE_ASSIGN_OR_RETURN(int fd, Dial(parsed, deadline));
  // HTTP/1.0 with Connection: close: the server ends the body by closing, so no Content-Length
  // bookkeeping is needed.
  const std::string request = "GET " + parsed.path + " HTTP/1.0\r\nHost: " + parsed.host + ":" +
                              parsed.port + "\r\nUser-Agent: spate\r\nConnection: close\r\n\r\n";
  size_t sent = 0;
  Status status;
  while (sent < request.size() && status.ok()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (errno == EAGAIN || errno == EINTR) {
      status = WaitFd(fd, POLLOUT, deadline, "sending the HTTP request");
    } else {
      status = Status::IoError(std::string("send: ") + std::strerror(errno));
    }
  }
  std::string raw;
  char buf[16384];
  while (status.ok()) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n > 0) {
      raw.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno == EAGAIN || errno == EINTR) {
      status = WaitFd(fd, POLLIN, deadline, "waiting for the HTTP response");
    } else {
      status = Status::IoError(std::string("recv: ") + std::strerror(errno));
    }
  }
  ::close(fd);
  if (!status.ok()) return status;
  return ParseResponse(raw);
}

}  // namespace spate::cli
