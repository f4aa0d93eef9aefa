// The I/O thread of a connection: connect and handshake, the read/parse/write loop, keepalive
// PINGs, and reconnect with resubscribe.
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <deque>
#include <nlohmann/json.hpp>
#include <random>

#include "client/connection_core.h"
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

// Writes all of `bytes` to a non-blocking socket before the deadline.
Status WriteAll(int fd, std::string_view bytes, Clock::time_point deadline) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return Errno("write");
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, RemainingMs(deadline)) == 0) return Status::Unavailable("timeout: write");
  }
  return Status::Ok();
}

// Reads what is available into the buffer; waits up to the deadline for the first byte.
Status ReadSome(int fd, ReadBuffer& buf, Clock::time_point deadline) {
  while (true) {
    if (buf.end == buf.data.size()) buf.Compact(0);
    const ssize_t n = ::recv(fd, buf.data.data() + buf.end, buf.data.size() - buf.end, 0);
    if (n > 0) {
      buf.end += static_cast<size_t>(n);
      return Status::Ok();
    }
    if (n == 0) return Status::IoError("connection closed by the server");
    if (errno != EAGAIN && errno != EINTR) return Errno("read");
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, RemainingMs(deadline)) == 0) return Status::Unavailable("timeout: read");
  }
}

}  // namespace

std::string ConnectionCore::ConnectJson(const ServerUrl& url) const {
  nlohmann::json j = {{"verbose", false},
                      {"pedantic", false},
                      {"tls_required", false},
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

Status ConnectionCore::Handshake(const ServerUrl& url, int* fd_out) {
  const auto deadline = Clock::now() + options_.connect_timeout;
  SPATE_ASSIGN_OR_RETURN(int fd, DialTcp(url, deadline));
  rbuf_.Clear();
  auto fail = [&](Status s) {
    ::close(fd);
    return s;
  };
  bool got_info = false;
  bool sent_connect = false;
  while (true) {
    protocol::ServerOp op;
    size_t used = 0;
    const auto step =
        parser_.Next({rbuf_.data.data() + rbuf_.begin, rbuf_.end - rbuf_.begin}, &used, &op);
    if (step == protocol::ServerParser::Step::kError) {
      return fail(Status::IoError("protocol error from " + url.HostPort() + ": " +
                                  std::string(parser_.error_detail())));
    }
    if (step == protocol::ServerParser::Step::kNeedMore) {
      rbuf_.Compact(parser_.needed());
      if (Status s = ReadSome(fd, rbuf_, deadline); !s.ok()) return fail(s);
      continue;
    }
    rbuf_.begin += used;
    if (const auto* info = std::get_if<protocol::InfoOp>(&op)) {
      {
        std::lock_guard lock(mu_);
        ProcessInfoLocked(info->json);
      }
      got_info = true;
    } else if (!got_info) {
      return fail(Status::IoError("server did not start with INFO"));
    } else if (std::holds_alternative<protocol::PongOp>(op)) {
      break;
    } else if (const auto* err = std::get_if<protocol::ErrOp>(&op)) {
      return fail(Status::Unavailable("server refused the connection: " + std::string(err->text)));
    } else if (std::holds_alternative<protocol::PingOp>(op)) {
      if (Status s = WriteAll(fd, "PONG\r\n", deadline); !s.ok()) return fail(s);
    }
    if (got_info && !sent_connect) {
      if (Status s = WriteAll(fd, ConnectJson(url) + "PING\r\n", deadline); !s.ok()) return fail(s);
      sent_connect = true;
    }
  }
  *fd_out = fd;
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

void ConnectionCore::DeliverLocked(const protocol::MsgOp& m) {
  uint64_t sid = 0;
  std::from_chars(m.sid.data(), m.sid.data() + m.sid.size(), sid);
  auto it = subs_.find(sid);
  if (it == subs_.end()) return;  // unsubscribed meanwhile
  std::shared_ptr<SubState> sub = it->second;
  const uint64_t delivered = ++sub->delivered;
  if (sub->max > 0 && delivered >= sub->max) RemoveSubLocked(*sub);

  Msg msg;
  msg.subject = m.subject;
  msg.reply = m.reply;
  msg.data = m.payload;
  if (m.has_headers) {
    msg.has_headers = true;
    Result<Headers> h = Headers::Parse(m.headers);
    if (h.ok()) {
      msg.headers = std::move(*h);
    } else {
      ReportErrorLocked(
          Status::Corruption("bad headers on '" + msg.subject + "': " + h.status().message()));
    }
  }

  if (sub->request_mux) {
    auto req = requests_.find(msg.subject.substr(resp_prefix_.size()));
    if (req == requests_.end()) return;  // timed out already
    req->second->done = true;
    req->second->msg = std::move(msg);
    requests_.erase(req);
    cv_.notify_all();
    return;
  }
  const size_t bytes = msg.data.size();  // payload bytes, as NextMsg and the dispatcher count
  if (sub->pending_msgs + 1 > options_.pending_msgs_limit ||
      sub->pending_bytes + bytes > options_.pending_bytes_limit) {
    sub->dropped++;
    if (!sub->slow_reported) {
      sub->slow_reported = true;
      ReportErrorLocked(Status::Unavailable("slow consumer: messages dropped on '" + sub->subject +
                                            "' (sid " + std::to_string(sid) + ")"));
    }
    return;
  }
  sub->pending_msgs++;
  sub->pending_bytes += bytes;
  if (sub->sync) {
    sub->msgs.push_back(std::move(msg));
    cv_.notify_all();
  } else {
    DispatchTask task;
    task.sub = sub;
    task.msg = std::move(msg);
    task.bytes = bytes;
    tasks_.push_back(std::move(task));
    tasks_cv_.notify_one();
  }
}

Status ConnectionCore::HandleOp(const protocol::ServerOp& op) {
  std::lock_guard lock(mu_);
  if (const auto* m = std::get_if<protocol::MsgOp>(&op)) {
    DeliverLocked(*m);
  } else if (std::holds_alternative<protocol::PingOp>(op)) {
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

Status ConnectionCore::RunConnected(int fd) {
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
        if (!WriteAll(fd, chunk, deadline).ok()) break;
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
        return Status::IoError("protocol error: " + std::string(parser_.error_detail()));
      }
      if (step == protocol::ServerParser::Step::kNeedMore) {
        rbuf_.Compact(parser_.needed());
        break;
      }
      rbuf_.begin += used;
      SPATE_RETURN_IF_ERROR(HandleOp(op));
    }
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
      msghdr mh{};
      mh.msg_iov = iov;
      mh.msg_iovlen = static_cast<size_t>(n);
      ssize_t sent = ::sendmsg(fd, &mh, MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno == EAGAIN || errno == EINTR) break;
        return Errno("write");
      }
      sent_total += static_cast<size_t>(sent);
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
    pollfd fds[2] = {{fd, static_cast<short>(POLLIN | (writing.empty() ? 0 : POLLOUT)), 0},
                     {wake_fd_, POLLIN, 0}};
    const int timeout = std::max(1, RemainingMs(next_ping));
    if (::poll(fds, 2, timeout) < 0 && errno != EINTR) return Errno("poll");
    if (fds[1].revents & POLLIN) {
      uint64_t v;
      [[maybe_unused]] ssize_t r = ::read(wake_fd_, &v, sizeof(v));
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (rbuf_.end == rbuf_.data.size()) rbuf_.Compact(0);
      const ssize_t n = ::recv(fd, rbuf_.data.data() + rbuf_.end, rbuf_.data.size() - rbuf_.end, 0);
      if (n > 0) {
        rbuf_.end += static_cast<size_t>(n);
      } else if (n == 0) {
        return Status::IoError("connection closed by the server");
      } else if (errno != EAGAIN && errno != EINTR) {
        return Errno("read");
      }
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
      if (cv_.wait_for(lock, wait, [&] { return close_requested_; })) return false;
      pool = pool_;
    }
    for (const ServerUrl& url : pool) {
      int fd = -1;
      if (!Handshake(url, &fd).ok()) {
        std::lock_guard lock(mu_);
        if (close_requested_) return false;
        continue;
      }
      std::lock_guard lock(mu_);
      if (close_requested_) {
        ::close(fd);
        return false;
      }
      ++reconnects_;
      connected_server_ = url.HostPort();
      out_ = ResubscribeLocked() + reconnect_buf_;
      reconnect_buf_.clear();
      reconnect_buf_.shrink_to_fit();
      status_ = ConnectionStatus::kConnected;
      if (options_.reconnected) PostEventLocked([this] { options_.reconnected(*owner_); });
      active_fd_ = fd;
      return true;
    }
  }
  return false;
}

void ConnectionCore::IoMain() {
  // Initial connect: each server once, no waiting.
  Status last = Status::Unavailable("no server");
  int fd = -1;
  std::vector<ServerUrl> pool;
  {
    std::lock_guard lock(mu_);
    pool = pool_;
  }
  for (const ServerUrl& url : pool) {
    last = Handshake(url, &fd);
    if (last.ok()) {
      std::lock_guard lock(mu_);
      connected_server_ = url.HostPort();
      break;
    }
    fd = -1;
  }
  {
    std::lock_guard lock(mu_);
    if (fd < 0) {
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
  active_fd_ = fd;
  while (true) {
    Status why = RunConnected(active_fd_);
    ::close(active_fd_);
    active_fd_ = -1;
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
