#include "monitor/http_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <memory>
#include <vector>

#include "common/logging.h"
#include "common/net.h"
#include "server/tls.h"

namespace spate::monitor {
namespace {

constexpr size_t kMaxRequestBytes = 64 * 1024;
constexpr size_t kMaxConnections = 64;
constexpr auto kIdleTimeout = std::chrono::seconds(30);

using Io = server::TlsConnection::Io;

struct Connection {
  int fd = -1;
  std::unique_ptr<server::TlsConnection> tls;  // HTTPS only
  bool want_write = false;                     // TLS needs the socket writable to go on
  std::string in;
  std::string out;
  size_t out_sent = 0;
  bool close_after_write = false;
  std::chrono::steady_clock::time_point last_active;
};

const char* StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Request Entity Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
  }
  return "Unknown";
}

std::string HttpDate() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Serialize(const HttpResponse& r, bool head, bool keep_alive) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + StatusText(r.status) + "\r\n";
  out += "Content-Type: " + r.content_type + "\r\n";
  if (r.content_type == "application/json") out += "Access-Control-Allow-Origin: *\r\n";
  out += "Date: " + HttpDate() + "\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (!head) out += r.body;
  return out;
}

// Moves what the socket (or TLS) has into c.in; false once the peer is gone or TLS failed.
bool ReadInput(Connection& c, char* buf, size_t size) {
  if (c.tls == nullptr) {
    ssize_t n = ::read(c.fd, buf, size);
    if (n > 0) {
      c.in.append(buf, static_cast<size_t>(n));
      return true;
    }
    return n < 0 && (errno == EAGAIN || errno == EINTR);
  }
  c.want_write = false;
  if (!c.tls->handshake_done()) {
    switch (c.tls->Handshake()) {
      case Io::kOk:
        break;
      case Io::kWantRead:
        return true;
      case Io::kWantWrite:
        c.want_write = true;
        return true;
      default:
        LOG_DEBUG("monitor: TLS handshake failed: %s", c.tls->error().c_str());
        return false;
    }
  }
  // Decrypted bytes OpenSSL holds do not show in poll: read until it wants the socket.
  while (c.in.size() <= kMaxRequestBytes) {
    Io io = Io::kOk;
    size_t n = c.tls->Read(buf, size, &io);
    if (n > 0) {
      c.in.append(buf, n);
      continue;
    }
    if (io == Io::kWantWrite) c.want_write = true;
    return io == Io::kWantRead || io == Io::kWantWrite;
  }
  return true;
}

// Sends what it can of c.out; false when the connection failed.
bool WriteOutput(Connection& c) {
  if (c.out.size() == c.out_sent) return true;
  const char* data = c.out.data() + c.out_sent;
  const size_t len = c.out.size() - c.out_sent;
  if (c.tls == nullptr) {
    ssize_t n = ::send(c.fd, data, len, MSG_NOSIGNAL);
    if (n > 0) c.out_sent += static_cast<size_t>(n);
    return n > 0 || errno == EAGAIN || errno == EINTR;
  }
  if (!c.tls->handshake_done()) return true;
  Io io = Io::kOk;
  size_t n = c.tls->Write(data, len, &io);
  c.out_sent += n;
  if (io == Io::kWantWrite) c.want_write = true;
  return n > 0 || io == Io::kWantWrite || io == Io::kWantRead;
}

short PollEvents(const Connection& c) {
  const bool tls_ready = c.tls == nullptr || c.tls->handshake_done();
  const bool output = c.out.size() > c.out_sent && tls_ready;
  return static_cast<short>(output || c.want_write ? POLLOUT : POLLIN);
}

void CloseConnection(Connection& c) {
  if (c.tls != nullptr) {
    c.tls->Shutdown();
    c.tls.reset();
  }
  ::close(c.fd);
}

}  // namespace

std::string HttpServer::PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2])));
      i += 2;
    } else if (in[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

void HttpServer::ParseQuery(std::string_view query, std::map<std::string, std::string>* out) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
    out->emplace(std::move(key), std::move(value));
  }
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start(const std::string& host, int port, const server::TlsContext* tls) {
  tls_ = tls;
  SPATE_ASSIGN_OR_RETURN(Listener listener, ListenTcp(host, port, 128, "monitor"));
  listen_fd_ = listener.fd;
  port_ = listener.port;
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void HttpServer::Stop() {
  if (thread_.joinable()) {
    stop_.store(true);
    uint64_t one = 1;
    ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
    (void)ignored;
    thread_.join();
  }
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
  listen_fd_ = wake_fd_ = -1;
}

void HttpServer::Run() {
  std::vector<std::unique_ptr<Connection>> conns;
  std::vector<pollfd> fds;
  char buf[16 * 1024];
  int timeout_ms = 1000;
  while (!stop_.load()) {
    fds.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    fds.push_back({listen_fd_, static_cast<short>(conns.size() < kMaxConnections ? POLLIN : 0), 0});
    for (auto& c : conns) {
      fds.push_back({c->fd, PollEvents(*c), 0});
    }
    if (::poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) {
      LOG_ERROR("monitor: poll failed: %s", std::strerror(errno));
      break;
    }
    if (stop_.load()) break;
    auto now = std::chrono::steady_clock::now();
    for (size_t i = 0; i < conns.size(); ++i) {
      Connection& c = *conns[i];
      short re = fds[i + 2].revents;
      // A TLS handshake that waited for POLLOUT goes on through ReadInput too.
      if ((re & (POLLIN | POLLHUP | POLLERR)) || (c.want_write && (re & POLLOUT))) {
        const size_t before = c.in.size();
        if (!ReadInput(c, buf, sizeof buf)) {
          c.close_after_write = true;
          c.out.clear();
          c.out_sent = 0;
        } else if (c.in.size() > before) {
          c.last_active = now;
        }
      }
      // Handle one complete request at a time; pipelined ones wait for the response to go out.
      size_t end;
      if (c.out.size() == c.out_sent && !c.close_after_write &&
          (end = c.in.find("\r\n\r\n")) != std::string::npos) {
        std::string head = c.in.substr(0, end);
        c.in.erase(0, end + 4);
        c.out.clear();
        c.out_sent = 0;
        HttpRequest req;
        size_t line_end = head.find("\r\n");
        std::string line = head.substr(0, line_end);
        std::string headers = Lower(line_end == std::string::npos ? "" : head.substr(line_end));
        size_t sp1 = line.find(' ');
        size_t sp2 = line.rfind(' ');
        bool ok = sp1 != std::string::npos && sp2 > sp1;
        std::string target = ok ? line.substr(sp1 + 1, sp2 - sp1 - 1) : "";
        std::string version = ok ? line.substr(sp2 + 1) : "";
        bool keep_alive = version == "HTTP/1.1"
                              ? headers.find("\r\nconnection: close") == std::string::npos
                              : headers.find("\r\nconnection: keep-alive") != std::string::npos;
        HttpResponse resp;
        req.method = ok ? line.substr(0, sp1) : "";
        if (!ok || target.empty() || target[0] != '/') {
          resp = {400, "text/plain; charset=utf-8", "400 Bad Request"};
          keep_alive = false;
        } else if (req.method != "GET" && req.method != "HEAD") {
          resp = {405, "text/plain; charset=utf-8", "405 method not allowed\n"};
          keep_alive = false;  // a body may follow that we do not read
        } else {
          size_t q = target.find('?');
          req.path = PercentDecode(target.substr(0, q), false);
          if (q != std::string::npos)
            ParseQuery(std::string_view(target).substr(q + 1), &req.query);
          resp = handler_(req);
        }
        c.out = Serialize(resp, req.method == "HEAD", keep_alive);
        c.close_after_write = !keep_alive;
      } else if (c.in.size() > kMaxRequestBytes) {
        c.out = Serialize({413, "text/plain; charset=utf-8", "request too large\n"}, false, false);
        c.out_sent = 0;
        c.in.clear();
        c.close_after_write = true;
      }
      if (c.out.size() > c.out_sent) {
        const size_t before = c.out_sent;
        if (!WriteOutput(c)) {
          c.out.clear();
          c.out_sent = 0;
          c.close_after_write = true;
        } else if (c.out_sent > before) {
          c.last_active = now;
        }
      }
    }
    // A pipelined request already buffered must not wait for more input to arrive.
    timeout_ms = 1000;
    for (const auto& c : conns) {
      if (c->out.size() == c->out_sent && c->in.find("\r\n\r\n") != std::string::npos) {
        timeout_ms = 0;
      }
    }
    // Drop finished, failed and idle connections.
    for (size_t i = conns.size(); i-- > 0;) {
      Connection& c = *conns[i];
      bool flushed = c.out.size() == c.out_sent;
      if ((flushed && c.close_after_write) || now - c.last_active > kIdleTimeout) {
        CloseConnection(c);
        conns.erase(conns.begin() + static_cast<ptrdiff_t>(i));
      }
    }
    if (fds[1].revents & POLLIN) {
      for (;;) {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        auto c = std::make_unique<Connection>();
        c->fd = fd;
        if (tls_ != nullptr) {
          c->tls = server::TlsConnection::Create(*tls_, fd);
          if (c->tls == nullptr) {
            ::close(fd);
            continue;
          }
        }
        c->last_active = now;
        conns.push_back(std::move(c));
        if (conns.size() >= kMaxConnections) break;
      }
    }
  }
  for (auto& c : conns) CloseConnection(*c);
}

}  // namespace spate::monitor
