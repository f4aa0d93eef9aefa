#include "server/client.h"

#include <openssl/rand.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>

#include "auth/base64url.h"
#include "common/logging.h"
#include "protocol/encoder.h"
#include "protocol/errors.h"
#include "server/account.h"
#include "server/loop_context.h"
#include "server/server.h"
#include "server/subscription.h"
#include "server/tls.h"

namespace spate::server {

const char* CloseReasonText(CloseReason reason) {
  switch (reason) {
    case CloseReason::kClientClosed:
      return "Client Closed";
    case CloseReason::kReadError:
      return "Read Error";
    case CloseReason::kWriteError:
      return "Write Error";
    case CloseReason::kProtocolViolation:
      return "Protocol Violation";
    case CloseReason::kAuthViolation:
      return "Authentication Failure";
    case CloseReason::kAuthTimeout:
      return "Authentication Timeout";
    case CloseReason::kStaleConnection:
      return "Stale Connection";
    case CloseReason::kSlowConsumerPending:
      return "Slow Consumer (Pending Bytes)";
    case CloseReason::kSlowConsumerDeadline:
      return "Slow Consumer (Write Deadline)";
    case CloseReason::kMaxConnections:
      return "Maximum Connections Exceeded";
    case CloseReason::kServerShutdown:
      return "Server Shutdown";
    case CloseReason::kMaxPayload:
      return "Maximum Message Payload Exceeded";
    case CloseReason::kTlsHandshakeError:
      return "TLS Handshake Failure";
    case CloseReason::kAuthExpired:
      return "Authentication Expired";
  }
  return "Unknown";
}

int64_t WallClockNs() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

Client::Client(Server& server, LoopContext& ctx, int fd, uint64_t id, std::string ip, int port,
               std::shared_ptr<const TlsContext> tls)
    : server_(server),
      ctx_(ctx),
      fd_(fd),
      id_(id),
      ip_(std::move(ip)),
      port_(port),
      account_(server.global_account()),
      created_(std::chrono::steady_clock::now()),
      start_ns_(WallClockNs()),
      parser_(protocol::ParserLimits{
          .max_control_line = static_cast<size_t>(server.options().max_control_line),
          .max_payload = static_cast<size_t>(server.options().max_payload)}),
      max_pending_(static_cast<size_t>(server.options().max_pending)),
      tls_context_(std::move(tls)),
      tls_(tls_context_ != nullptr ? TlsConnection::Create(*tls_context_, fd) : nullptr) {
  last_activity_ns_.store(start_ns_, std::memory_order_relaxed);
}

Client::~Client() = default;

std::string Client::Describe() const {
  return ip_ + ":" + std::to_string(port_) + " - cid:" + std::to_string(id_);
}

void Client::Start() {
  const RuntimeConfig& config = *ctx_.config;
  auth_required_ = config.auth_required();
  ApplyLimits();
  account_->num_connections.fetch_add(1, std::memory_order_relaxed);
  next_ping_ = created_ + config.options().ping_interval;
  LOG_DEBUG("%s - Client connection created", Describe().c_str());
  if (config.nonce_required()) {
    uint8_t raw[11];  // nats-server's nonce length, 15 characters once encoded
    if (RAND_bytes(raw, sizeof raw) != 1) {
      CloseNow(CloseReason::kServerShutdown);
      return;
    }
    nonce_ = auth::Base64UrlEncode(std::span<const uint8_t>(raw, sizeof raw));
  }
  if (tls_context_ != nullptr) {
    StartTls();
    return;
  }
  QueueProto(Server::ClientInfo(config, id_, ip_, nonce_));
  if (!ctx_.loop.Add(fd_, EPOLLIN | EPOLLRDHUP, this)) {
    CloseNow(CloseReason::kReadError);
    return;
  }
  ctx_.flush.Add(shared_from_this());
}

void Client::OnEvent(uint32_t events) {
  if (closing_) return;
  if (auth_pending_ && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
    // Gone while its login is checked: with reading paused the event would only repeat.
    CloseNow(CloseReason::kClientClosed);
    return;
  }
  if (tls_ != nullptr) {
    OnTlsEvent(events);
    return;
  }
  if (events & EPOLLIN) ReadOnce();
  if (closing_) return;
  if (events & EPOLLOUT) Flush();
  if ((events & (EPOLLERR | EPOLLHUP)) && !(events & EPOLLIN)) CloseNow(CloseReason::kClientClosed);
}

std::span<char> Client::ReadTarget() {
  if (in_len_ == 0) return {ctx_.read_buffer.get(), LoopContext::kReadBufferSize};
  // A frame is pending: read straight behind it, growing to what the parser said it needs.
  size_t want = std::max(in_len_ + 16 * 1024, parser_.needed());
  if (want > in_cap_) {
    size_t cap = std::max(want, in_cap_ * 2);
    std::unique_ptr<char[]> bigger(new char[cap]);
    std::memcpy(bigger.get(), in_buf_.get(), in_len_);
    in_buf_ = std::move(bigger);
    in_cap_ = cap;
  }
  return {in_buf_.get() + in_len_, in_cap_ - in_len_};
}

void Client::ReadOnce() {
  std::span<char> target = ReadTarget();
  ssize_t n = ::read(fd_, target.data(), target.size());
  if (n == 0) {
    CloseNow(CloseReason::kClientClosed);
    return;
  }
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    CloseNow(CloseReason::kReadError);
    return;
  }
  OnBytesRead(target, static_cast<size_t>(n));
}

void Client::OnBytesRead(std::span<char> target, size_t n) {
  read_time_ns_ = WallClockNs();
  std::span<const char> data;
  if (in_len_ == 0) {
    data = {target.data(), n};
  } else {
    in_len_ += n;
    data = {in_buf_.get(), in_len_};
  }
  size_t consumed = ProcessInput(data);
  if (closing_) return;
  KeepPartialInput(data, consumed);
}

void Client::KeepPartialInput(std::span<const char> data, size_t consumed) {
  size_t rest = data.size() - consumed;
  bool from_scratch = data.data() != in_buf_.get();
  if (rest == 0) {
    in_len_ = 0;
    if (in_cap_ > 64 * 1024) {  // a big frame passed; do not keep its memory
      in_buf_.reset();
      in_cap_ = 0;
    }
    return;
  }
  if (from_scratch && rest > in_cap_) {
    in_cap_ = std::max<size_t>(rest, 4096);
    in_buf_.reset(new char[in_cap_]);
  }
  std::memmove(in_buf_.get(), data.data() + consumed, rest);
  in_len_ = rest;
}

size_t Client::ProcessInput(std::span<const char> data) {
  size_t offset = 0;
  protocol::ClientOp op;
  // While a login is checked elsewhere nothing after the CONNECT runs; the caller keeps it.
  while (offset < data.size() && !closing_ && !auth_pending_) {
    if (auth_required_ && !connect_received_ && data[offset] != 'C' && data[offset] != 'c') {
      // nats-server decides on the first byte: anything but CONNECT first is an auth failure.
      SendErrAndClose(protocol::kErrAuthViolation, CloseReason::kAuthViolation);
      break;
    }
    size_t used = 0;
    auto step = parser_.Next(data.subspan(offset), &used, &op);
    if (step == protocol::ClientParser::Step::kNeedMore) {
      offset += used;  // frames the parser skipped (a client's INFO or +OK)
      break;
    }
    if (step == protocol::ClientParser::Step::kError) {
      LOG_ERROR("%s - Client parser ERROR: %.*s", Describe().c_str(),
                static_cast<int>(parser_.error_detail().size()), parser_.error_detail().data());
      bool payload = parser_.error_text() == protocol::kErrMaxPayload;
      SendErrAndClose(parser_.error_text(),
                      payload ? CloseReason::kMaxPayload : CloseReason::kProtocolViolation);
      break;
    }
    offset += used;
    Dispatch(op);
  }
  return offset;
}

void Client::SendErrAndClose(std::string_view err, CloseReason reason) {
  if (!err.empty()) QueueProto(err);
  CloseNow(reason);
}

void Client::SendOk() { QueueProto(protocol::kOk); }

bool Client::QueueMsg(const ServerSubscription& sub, std::string_view subject,
                      std::string_view reply, std::string_view headers, std::string_view payload) {
  bool with_headers = !headers.empty() && wants_headers();
  char line[512];
  std::string long_line;
  char* line_ptr = line;
  size_t max = protocol::MsgLineMaxSize(subject, sub.sid, reply);
  if (max > sizeof line) {
    long_line.resize(max);
    line_ptr = long_line.data();
  }
  size_t line_len = protocol::EncodeMsgLine(line_ptr, subject, sub.sid, reply, with_headers,
                                            with_headers ? headers.size() : 0, payload.size());
  std::lock_guard lock(out_mu_);
  if (closed_.load(std::memory_order_relaxed)) return false;
  out_.Append({line_ptr, line_len});
  if (with_headers) out_.Append(headers);
  out_.Append(payload);
  out_.Append("\r\n");
  ++out_msgs_;
  out_bytes_ += headers.size() + payload.size();
  if (out_.size() > max_pending_ && !close_requested_.load(std::memory_order_relaxed)) {
    LOG_ERROR("%s - Slow Consumer Detected: MaxPending of %zu Exceeded", Describe().c_str(),
              max_pending_);
    RequestClose(CloseReason::kSlowConsumerPending);
    return false;
  }
  return true;
}

void Client::QueueProto(std::string_view bytes) {
  std::lock_guard lock(out_mu_);
  if (closed_.load(std::memory_order_relaxed)) return;
  out_.Append(bytes);
}

void Client::Flush() {
  // An SSL object is single-threaded: a TLS connection is written only on its own loop.
  if (tls_ != nullptr && !ctx_.loop.InLoopThread()) {
    PostTlsFlush();
    return;
  }
  std::lock_guard lock(out_mu_);
  FlushLocked();
}

void Client::FlushLocked() {
  if (closed_.load(std::memory_order_relaxed) || out_.empty()) return;
  ssize_t n;
  bool waits_for_input = false;
  if (tls_ == nullptr) {
    n = out_.WriteTo(fd_);
  } else {
    if (!tls_->handshake_done()) return;  // INFO (handshake_first) waits for the handshake
    n = out_.WriteTo(*tls_);
    waits_for_input = tls_->write_wants_read();
  }
  if (n < 0) {
    out_.Clear();
    RequestClose(CloseReason::kWriteError);
    return;
  }
  bool pending = !out_.empty();
  // As nats-server's write deadline bounds one flush of everything pending, ours bounds how long
  // output stays pending without the socket ever catching up: a reader that keeps falling
  // behind is cut off even while it makes some progress.
  if (!pending) {
    stalled_since_ = {};
  } else if (stalled_since_ == std::chrono::steady_clock::time_point{}) {
    stalled_since_ = std::chrono::steady_clock::now();
  }
  // A TLS write that waits for input resumes from ReadTls; EPOLLOUT would only spin.
  SetWriteInterest(pending && !waits_for_input);
}

void Client::SetWriteInterest(bool want_write) {
  if (want_write == write_armed_) return;
  write_armed_ = want_write;
  ctx_.loop.Modify(fd_, (read_paused_ ? 0u : EPOLLIN) | EPOLLRDHUP | (want_write ? EPOLLOUT : 0u),
                   this);
}

void Client::SetReadPaused(bool paused) {
  std::lock_guard lock(out_mu_);
  if (paused == read_paused_ || closed_.load(std::memory_order_relaxed)) return;
  read_paused_ = paused;
  ctx_.loop.Modify(fd_, (paused ? 0u : EPOLLIN) | EPOLLRDHUP | (write_armed_ ? EPOLLOUT : 0u),
                   this);
}

void Client::ResumeInput() {
  if (in_len_ > 0) {
    std::span<const char> data{in_buf_.get(), in_len_};
    size_t consumed = ProcessInput(data);
    if (closing_) return;
    KeepPartialInput(data, consumed);
  }
  SetReadPaused(false);
  // Bytes may have arrived meanwhile, and a TLS session may hold decrypted ones epoll can not
  // see: read once now.
  OnEvent(EPOLLIN);
}

void Client::RequestClose(CloseReason reason) {
  if (close_requested_.exchange(true)) return;
  auto self = shared_from_this();
  ctx_.loop.Post([self, reason] { self->CloseNow(reason); });
}

void Client::NotifyLameDuck() {
  auto self = shared_from_this();
  ctx_.loop.Post([self] {
    if (self->closing_ || !self->first_pong_sent_ || self->opts_.protocol < 1) return;
    self->QueueProto(Server::LameDuckInfo(*self->ctx_.config, self->id_, self->ip_));
    self->Flush();
  });
}

void Client::ForgetSubscription(const std::shared_ptr<ServerSubscription>& sub) {
  auto self = shared_from_this();
  ctx_.loop.Post([self, sub] {
    auto it = self->subs_.find(sub->sid);
    if (it != self->subs_.end() && it->second == sub) self->subs_.erase(it);
  });
}

void Client::Tick(std::chrono::steady_clock::time_point now) {
  if (closing_) return;
  if (tls_ != nullptr && !tls_->handshake_done()) {
    if (now - created_ > tls_context_->handshake_timeout()) {
      LOG_ERROR("%s - TLS handshake timeout", Describe().c_str());
      CloseNow(CloseReason::kTlsHandshakeError);
    }
    return;  // as nats-server, the auth and ping timers start after the handshake
  }
  const ServerOptions& o = ctx_.config->options();
  if (auth_expires_ns_ != 0 && WallClockNs() >= auth_expires_ns_) {
    SendErrAndClose("-ERR 'User Authentication Expired'\r\n", CloseReason::kAuthExpired);
    return;
  }
  if (auth_required_ && !connect_received_ && now - created_ > o.auth.timeout) {
    SendErrAndClose(protocol::kErrAuthTimeout, CloseReason::kAuthTimeout);
    return;
  }
  {
    std::lock_guard lock(out_mu_);
    if (!out_.empty() && stalled_since_ != std::chrono::steady_clock::time_point{} &&
        now - stalled_since_ > o.write_deadline) {
      LOG_ERROR("%s - Slow Consumer Detected: WriteDeadline of %lldms Exceeded", Describe().c_str(),
                static_cast<long long>(o.write_deadline.count()));
      out_.Clear();
      RequestClose(CloseReason::kSlowConsumerDeadline);
      return;
    }
  }
  if (now >= next_ping_) {
    next_ping_ = now + o.ping_interval;
    if (pings_out_ + 1 > o.max_pings_out) {
      SendErrAndClose(protocol::kErrStaleConnection, CloseReason::kStaleConnection);
      return;
    }
    ++pings_out_;
    ping_sent_ = now;
    QueueProto(protocol::kPing);
    ctx_.flush.Add(shared_from_this());
  }
}

void Client::RemoveAllSubscriptions() {
  for (auto& [sid, sub] : subs_) account_->subs().Remove(sub.get());
  subs_.clear();  // breaks the client <-> subscription cycle
}

void Client::Snapshot(bool with_subs, ConnectionInfo* out) {
  out->cid = id_;
  out->ip = ip_;
  out->port = port_;
  out->start_ns = start_ns_;
  out->last_activity_ns = std::max(start_ns_, last_activity_ns_.load(std::memory_order_relaxed));
  out->rtt_ns = rtt_ns_;
  out->in_msgs = in_msgs_;
  out->in_bytes = in_bytes_;
  out->num_subs = static_cast<uint32_t>(subs_.size());
  out->name = opts_.name;
  out->lang = opts_.lang;
  out->version = opts_.version;
  out->account = account_->name();
  out->authorized_user = auth_user_;
  {
    std::lock_guard lock(out_mu_);
    out->pending_bytes = out_.size();
    out->out_msgs = out_msgs_;
    out->out_bytes = out_bytes_;
  }
  out->subs.clear();
  if (!with_subs) return;
  out->subs.reserve(subs_.size());
  for (const auto& [sid, sub] : subs_) {
    out->subs.push_back({sub->subject, sub->queue, sid,
                         sub->delivered.load(std::memory_order_relaxed),
                         sub->max.load(std::memory_order_relaxed)});
  }
}

void Client::CloseNow(CloseReason reason) {
  if (closing_) return;
  closing_ = true;
  close_requested_.store(true);
  if (server_.keeps_closed_connections()) {
    ConnectionInfo info;
    Snapshot(/*with_subs=*/true, &info);
    info.stop_ns = WallClockNs();
    info.reason = CloseReasonText(reason);
    server_.RecordClosedConnection(std::move(info));
  }
  std::optional<ConnectionInfo> disconnect;  // for the observer; taken before out_ is cleared
  if (connect_reported_) {
    disconnect.emplace();
    Snapshot(/*with_subs=*/false, &*disconnect);
    disconnect->stop_ns = WallClockNs();
    disconnect->reason = CloseReasonText(reason);
  }
  server_.CountClose(reason);
  RemoveAllSubscriptions();
  ctx_.loop.Remove(fd_);
  {
    std::lock_guard lock(out_mu_);
    if (tls_ == nullptr) {
      if (!out_.empty()) out_.WriteTo(fd_);  // best effort: a final -ERR, never blocking
    } else {
      if (!out_.empty() && tls_->handshake_done()) out_.WriteTo(*tls_);
      tls_->Shutdown();
    }
    out_.Clear();
    closed_.store(true, std::memory_order_release);
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
  }
  account_->num_connections.fetch_sub(1, std::memory_order_relaxed);
  if (disconnect) server_.connection_observer()->OnClientDisconnect(ctx_, std::move(*disconnect));
  LOG_DEBUG("%s - Client connection closed: %s", Describe().c_str(), CloseReasonText(reason));
  server_.OnClientClosed(*this);
}

}  // namespace spate::server
