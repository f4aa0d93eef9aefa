// The I/O thread of a connection: connect and handshake, the read/parse/write loop, keepalive
// PINGs, and reconnect with resubscribe.
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstring>
#include <deque>
#include <nlohmann/json.hpp>
#include <random>

#include "client/connection_core.h"
#include "client/user_auth.h"
#include "protocol/client_encoder.h"

namespace spate::client::detail {
namespace {

using Clock = std::chrono::steady_clock;

Status Errno(const std::string& what) {
  return Status::IoError(what + ": " + std::strerror(errno));
}

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// A connected non-blocking TCP socket to host:port, or an error, within the deadline.
Result<int> DialTcp(const ServerUrl& url, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url.port);
  if (int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return Status::IoError("resolve " + url.host + ": " + ::gai_strerror(rc));
  }
  Status last = Status::IoError("no address for " + url.host);
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last = Errno("socket");
      continue;
    }
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = ::poll(&p, 1, RemainingMs(deadline));
      if (rc == 0) {
        ::close(fd);
        last = Status::Unavailable("timeout: connecting to " + url.HostPort());
        continue;
      }
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      errno = err;
      rc = err == 0 ? 0 : -1;
    }
    if (rc != 0) {
      last = Errno("connect " + url.HostPort());
      ::close(fd);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ::freeaddrinfo(found);
    return fd;
  }
  ::freeaddrinfo(found);
  return last;
}

// What the handshake needs from the server's first INFO.
struct HandshakeInfo {
  bool tls_required = false;
  bool tls_available = false;  // nats-server's allow_non_tls: TLS offered, not required
  std::string nonce;           // to sign when authenticating with a key
};

HandshakeInfo ParseHandshakeInfo(std::string_view json) {
  HandshakeInfo out;
  const nlohmann::json info = nlohmann::json::parse(json, nullptr, false);
  if (!info.is_object()) return out;
  auto flag = [&](const char* key) {
    auto it = info.find(key);
    return it != info.end() && it->is_boolean() && it->get<bool>();
  };
  out.tls_required = flag("tls_required");
  out.tls_available = flag("tls_available");
  if (auto it = info.find("nonce"); it != info.end() && it->is_string()) {
    out.nonce = it->get<std::string>();
  }
  return out;
}

}  // namespace

std::string ConnectionCore::ConnectJson(const ServerUrl& url, bool secure,
                                        const SignedAuth& signed_auth) const {
  nlohmann::json j = {{"verbose", false},
                      {"pedantic", false},
                      {"tls_required", secure},
                      {"lang", "cpp"},
                      {"version", "0.1.0"},
                      {"protocol", 1},
                      {"echo", !options_.no_echo},
                      {"headers", options_.headers},
                      {"no_responders", options_.headers}};
  if (!options_.name.empty()) j["name"] = options_.name;
  const std::string& user = url.user.empty() ? options_.user : url.user;
  const std::string& pass = url.user.empty() ? options_.password : url.password;
  const std::string& token = url.token.empty() ? options_.token : url.token;
  if (!user.empty()) {
    j["user"] = user;
    j["pass"] = pass;
  } else if (!token.empty()) {
    j["auth_token"] = token;
  }
  if (!signed_auth.empty()) {
    if (!signed_auth.jwt.empty()) j["jwt"] = signed_auth.jwt;
    if (!signed_auth.nkey.empty()) j["nkey"] = signed_auth.nkey;
    j["sig"] = signed_auth.sig;
  }
  return "CONNECT " + j.dump() + "\r\n";
}

void ConnectionCore::ProcessInfoLocked(std::string_view json) {
  const nlohmann::json info = nlohmann::json::parse(json, nullptr, false);
  if (!info.is_object()) return;
  if (auto it = info.find("max_payload"); it != info.end() && it->is_number_unsigned()) {
    max_payload_ = it->get<size_t>();
  }
  if (auto it = info.find("headers"); it != info.end() && it->is_boolean()) {
    server_headers_ = it->get<bool>();
  }
  if (auto it = info.find("connect_urls"); it != info.end() && it->is_array()) {
    for (const auto& u : *it) {
      if (!u.is_string()) continue;
      Result<ServerUrl> parsed = ParseServerUrl(u.get<std::string>());
      if (!parsed.ok()) continue;
      bool known = false;
      for (const ServerUrl& s : pool_) known |= s.HostPort() == parsed->HostPort();
      if (known) continue;
      parsed->implicit = true;
      pool_.push_back(std::move(*parsed));
    }
  }
}

Status ConnectionCore::StartTls(Link& link, const ServerUrl& url, Clock::time_point deadline) {
  if (!tls_ctx_) {
    // The server asked for TLS the user did not configure: system roots, default settings.
    SPATE_ASSIGN_OR_RETURN(tls_ctx_, TlsContext::Create(options_.tls));
  }
  Status s = link.StartTls(*tls_ctx_, url.host, deadline);
  if (s.code() == Status::Code::kIoError) {
    return Status::IoError(s.message() + " (server " + url.HostPort() + ")");
  }
  return s;
}

Status ConnectionCore::Handshake(const ServerUrl& url, Link* out) {
  const auto deadline = Clock::now() + options_.connect_timeout;
  SPATE_ASSIGN_OR_RETURN(int fd, DialTcp(url, deadline));
  Link link(fd);  // closes the socket on every error return
  rbuf_.Clear();
  const bool client_wants_tls = options_.tls.required || options_.tls.handshake_first || url.tls;
  // The server must be configured for it too: it then sends INFO over TLS.
  if (options_.tls.handshake_first) SPATE_RETURN_IF_ERROR(StartTls(link, url, deadline));
  bool got_info = false;
  bool sent_connect = false;
  std::string nonce;
  while (true) {
    protocol::ServerOp op;
    size_t used = 0;
    const auto step =
        parser_.Next({rbuf_.data.data() + rbuf_.begin, rbuf_.end - rbuf_.begin}, &used, &op);
    if (step == protocol::ServerParser::Step::kError) {
      return Status::IoError("protocol error from " + url.HostPort() + ": " +
                             std::string(parser_.error_detail()));
    }
    if (step == protocol::ServerParser::Step::kNeedMore) {
      rbuf_.Compact(parser_.needed());
      size_t n = 0;
      SPATE_RETURN_IF_ERROR(link.ReadSomeUntil(rbuf_.data.data() + rbuf_.end,
                                               rbuf_.data.size() - rbuf_.end, &n, deadline));
      rbuf_.end += n;
      continue;
    }
    rbuf_.begin += used;
    if (const auto* info = std::get_if<protocol::InfoOp>(&op)) {
      const bool first = !got_info;
      got_info = true;
      {
        std::lock_guard lock(mu_);
        ProcessInfoLocked(info->json);
      }
      if (first) {
        const HandshakeInfo hi = ParseHandshakeInfo(info->json);
        nonce = hi.nonce;
        if (!link.secure() && client_wants_tls && !hi.tls_required && !hi.tls_available) {
          return Status::Unavailable("TLS required by the client, but server " + url.HostPort() +
                                     " does not offer it");
        }
        if (!link.secure() && (client_wants_tls || hi.tls_required)) {
          // Nothing else comes in plain text: the server now waits for our ClientHello.
          rbuf_.Clear();
          SPATE_RETURN_IF_ERROR(StartTls(link, url, deadline));
        }
      }
    } else if (!got_info) {
      return Status::IoError("server did not start with INFO");
    } else if (std::holds_alternative<protocol::PongOp>(op)) {
      break;
    } else if (const auto* err = std::get_if<protocol::ErrOp>(&op)) {
      return Status::Unavailable("server refused the connection: " + std::string(err->text));
    } else if (std::holds_alternative<protocol::PingOp>(op)) {
      SPATE_RETURN_IF_ERROR(link.WriteAllUntil("PONG\r\n", deadline));
    }
    if (got_info && !sent_connect) {
      SPATE_ASSIGN_OR_RETURN(SignedAuth signed_auth, SignNonce(options_, nonce));
      SPATE_RETURN_IF_ERROR(
          link.WriteAllUntil(ConnectJson(url, link.secure(), signed_auth) + "PING\r\n", deadline));
      sent_connect = true;
    }
  }
  *out = std::move(link);
  return Status::Ok();
}

std::string ConnectionCore::ResubscribeLocked() const {
  std::string out;
  for (const auto& [sid, sub] : subs_) {
    protocol::AppendSub(&out, sub->subject, sub->queue, sid);
    if (sub->max > 0) protocol::AppendUnsub(&out, sid, sub->max - sub->delivered);
  }
  return out;
}

Status ConnectionCore::HandleOp(const protocol::ServerOp& op) {
  std::lock_guard lock(mu_);
  if (std::holds_alternative<protocol::PingOp>(op)) {
    AppendOutLocked("PONG\r\n");
  } else if (std::holds_alternative<protocol::PongOp>(op)) {
    pings_out_ = 0;
    if (!pongs_.empty()) {
      if (auto w = pongs_.front()) {
        w->done = true;
        cv_.notify_all();
      }
      pongs_.pop_front();
    }
  } else if (const auto* info = std::get_if<protocol::InfoOp>(&op)) {
    ProcessInfoLocked(info->json);
  } else if (const auto* err = std::get_if<protocol::ErrOp>(&op)) {
    Status s = Status::Unavailable("server error: " + std::string(err->text));
    ReportErrorLocked(s);
    if (err->text.starts_with("Stale Connection")) return s;
  }
  return Status::Ok();
}

Status ConnectionCore::RunConnected(Link& link) {
  std::deque<std::string> writing;  // chunks taken from out_, written with sendmsg (iovec)
  size_t written_in_first = 0;
  auto next_ping = Clock::now() + options_.ping_interval;
  pings_out_ = 0;
  // Moves out_ to the chunks being written; writing_unsent_ counts them until written.
  auto take_out_locked = [&] {
    if (out_.empty()) return;
    writing_unsent_ += out_.size();
    writing.push_back(std::move(out_));
    out_.clear();
  };
  while (true) {
    bool closing = false;
    {
      std::lock_guard lock(mu_);
      closing = close_requested_;
      take_out_locked();
    }
    if (closing) {  // best effort: what was published before Close() goes out
      const auto deadline = Clock::now() + std::chrono::milliseconds(500);
      if (!writing.empty()) writing.front().erase(0, written_in_first);
      for (const std::string& chunk : writing) {
        if (!link.WriteAllUntil(chunk, deadline).ok()) break;
      }
      return ClosedError();
    }
    // Parse what is buffered (left over from the handshake, or just read).
    while (true) {
      protocol::ServerOp op;
      size_t used = 0;
      const auto step =
          parser_.Next({rbuf_.data.data() + rbuf_.begin, rbuf_.end - rbuf_.begin}, &used, &op);
      if (step == protocol::ServerParser::Step::kError) {
        WakeReceivers();
        return Status::IoError("protocol error: " + std::string(parser_.error_detail()));
      }
      if (step == protocol::ServerParser::Step::kNeedMore) {
        rbuf_.Compact(parser_.needed());
        break;
      }
      rbuf_.begin += used;  // the views stay valid: only Compact() moves bytes
      if (const auto* m = std::get_if<protocol::MsgOp>(&op)) {
        DeliverMsg(*m);
        if (close_requested_) break;  // an inline handler called Close()
      } else if (Status handled = HandleOp(op); !handled.ok()) {
        WakeReceivers();
        return handled;
      }
    }
    WakeReceivers();
    if (close_requested_) continue;
    {
      std::lock_guard lock(mu_);
      take_out_locked();
    }
    // Write what we can.
    size_t sent_total = 0;
    while (!writing.empty()) {
      iovec iov[64];
      int n = 0;
      for (size_t i = 0; i < writing.size() && n < 64; ++i, ++n) {
        const size_t skip = i == 0 ? written_in_first : 0;
        iov[n].iov_base = writing[i].data() + skip;
        iov[n].iov_len = writing[i].size() - skip;
      }
      SPATE_ASSIGN_OR_RETURN(const size_t written, link.Write(iov, n));
      if (written == 0) break;
      sent_total += written;
      auto sent = static_cast<ssize_t>(written);
      while (sent > 0) {
        const size_t left = writing.front().size() - written_in_first;
        if (static_cast<size_t>(sent) >= left) {
          sent -= static_cast<ssize_t>(left);
          writing.pop_front();
          written_in_first = 0;
        } else {
          written_in_first += static_cast<size_t>(sent);
          sent = 0;
        }
      }
    }
    if (sent_total > 0) {
      std::lock_guard lock(mu_);
      writing_unsent_ -= sent_total;
      if (blocked_publishers_ > 0) cv_.notify_all();
    }
    // Keepalive.
    const auto now = Clock::now();
    if (now >= next_ping) {
      next_ping = now + options_.ping_interval;
      std::lock_guard lock(mu_);
      if (++pings_out_ > options_.max_pings_outstanding) {
        return Status::Unavailable("stale connection: no PONG to " +
                                   std::to_string(options_.max_pings_outstanding) + " PINGs");
      }
      pongs_.push_back(nullptr);
      AppendOutLocked("PING\r\n");
      continue;
    }
    {
      std::lock_guard lock(mu_);
      if (!out_.empty()) continue;  // published while we wrote: write that first
      io_polling_ = true;
    }
    // Bytes TLS decrypted already do not make the socket readable: take them without waiting.
    const bool buffered = link.HasBufferedInput();
    pollfd fds[2] = {{link.fd(), link.PollEvents(!writing.empty()), 0}, {wake_fd_, POLLIN, 0}};
    const int timeout = buffered ? 0 : std::max(1, RemainingMs(next_ping));
    const int polled = ::poll(fds, 2, timeout);
    const int poll_errno = errno;
    {
      std::lock_guard lock(mu_);
      io_polling_ = false;
    }
    if (polled < 0 && poll_errno != EINTR) {
      errno = poll_errno;
      return Errno("poll");
    }
    if (fds[1].revents & POLLIN) {
      uint64_t v;
      [[maybe_unused]] ssize_t r = ::read(wake_fd_, &v, sizeof(v));
    }
    const bool readable = (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0 ||
                          (link.read_waits_for_write() && (fds[0].revents & POLLOUT) != 0);
    if (buffered || readable) {
      if (rbuf_.end == rbuf_.data.size()) rbuf_.Compact(0);
      SPATE_ASSIGN_OR_RETURN(
          const size_t n, link.Read(rbuf_.data.data() + rbuf_.end, rbuf_.data.size() - rbuf_.end));
      rbuf_.end += n;
    }
  }
}

bool ConnectionCore::ReconnectLoop() {
  std::mt19937_64 rng{std::random_device{}()};
  for (int pass = 1; options_.max_reconnect_attempts < 0 || pass <= options_.max_reconnect_attempts;
       ++pass) {
    // Wait first: the server just lost is most likely still down.
    auto wait = options_.reconnect_wait * (1LL << std::min(pass - 1, 20));
    if (wait > options_.max_reconnect_wait) wait = options_.max_reconnect_wait;
    if (options_.reconnect_jitter.count() > 0) {
      wait += std::chrono::milliseconds(rng() % (options_.reconnect_jitter.count() + 1));
    }
    std::vector<ServerUrl> pool;
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, wait, [&] { return close_requested_.load(); })) return false;
      pool = pool_;
    }
    for (const ServerUrl& url : pool) {
      Link link;
      if (!Handshake(url, &link).ok()) {
        std::lock_guard lock(mu_);
        if (close_requested_) return false;
        continue;
      }
      std::lock_guard lock(mu_);
      if (close_requested_) return false;
      ++reconnects_;
      connected_server_ = url.HostPort();
      out_ = ResubscribeLocked() + reconnect_buf_;
      reconnect_buf_.clear();
      reconnect_buf_.shrink_to_fit();
      status_ = ConnectionStatus::kConnected;
      if (options_.reconnected) PostEventLocked([this] { options_.reconnected(*owner_); });
      link_ = std::move(link);
      return true;
    }
  }
  return false;
}

void ConnectionCore::IoMain() {
  // OpenSSL writes to the socket with write(), not send(MSG_NOSIGNAL): a server gone away would
  // raise SIGPIPE and kill the application. Blocked here, it stays pending on this thread only.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  // Initial connect: each server once, no waiting.
  Status last = Status::Unavailable("no server");
  Link link;
  std::vector<ServerUrl> pool;
  {
    std::lock_guard lock(mu_);
    pool = pool_;
  }
  for (const ServerUrl& url : pool) {
    last = Handshake(url, &link);
    if (last.ok()) {
      std::lock_guard lock(mu_);
      connected_server_ = url.HostPort();
      break;
    }
  }
  {
    std::lock_guard lock(mu_);
    if (!link.valid()) {
      connect_result_ = last;
      status_ = ConnectionStatus::kClosed;
      io_done_ = true;
      dispatch_stop_ = true;
      tasks_cv_.notify_all();
      cv_.notify_all();
      return;
    }
    status_ = ConnectionStatus::kConnected;
    cv_.notify_all();
  }
  link_ = std::move(link);
  while (true) {
    Status why = RunConnected(link_);
    link_.Close();
    std::unique_lock lock(mu_);
    out_.clear();
    writing_unsent_ = 0;
    FailWaitersLocked(Status::Unavailable("connection lost: " + why.message()), false);
    if (close_requested_) break;
    connected_server_.clear();
    if (options_.disconnected) {
      PostEventLocked([this, why] { options_.disconnected(*owner_, why); });
    }
    if (!options_.allow_reconnect) break;
    status_ = ConnectionStatus::kReconnecting;
    lock.unlock();
    if (!ReconnectLoop()) break;
  }
  inline_subs_.clear();  // their handlers may hold what the user wants released at close
  std::lock_guard lock(mu_);
  status_ = ConnectionStatus::kClosed;
  connected_server_.clear();
  FailWaitersLocked(ClosedError(), true);
  if (options_.closed) PostEventLocked([this] { options_.closed(*owner_); });
  io_done_ = true;
  dispatch_stop_ = true;
  tasks_cv_.notify_all();
  cv_.notify_all();
}

}  // namespace spate::client::detail
