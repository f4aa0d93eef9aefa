// The TLS side of Client: handshake, reads through OpenSSL, and keeping every SSL call on the
// connection's own loop. Plain connections never come here.

#include <sys/socket.h>

#include "common/logging.h"
#include "server/client.h"
#include "server/loop_context.h"
#include "server/server.h"
#include "server/tls.h"

namespace spate::server {

void Client::StartTls() {
  if (tls_ == nullptr) {
    LOG_ERROR("%s - TLS handshake error: cannot create the TLS connection", Describe().c_str());
    CloseNow(CloseReason::kTlsHandshakeError);
    return;
  }
  if (!tls_context_->handshake_first()) {
    // nats-server's default: INFO in the clear, then the client starts the handshake. A fresh
    // socket's send buffer always takes the whole line.
    const std::string info = Server::ClientInfo(*ctx_.config, id_, ip_, nonce_);
    if (::send(fd_, info.data(), info.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(info.size())) {
      CloseNow(CloseReason::kWriteError);
      return;
    }
  }
  LOG_DEBUG("%s - Starting TLS client connection handshake", Describe().c_str());
  if (!ctx_.loop.Add(fd_, EPOLLIN | EPOLLRDHUP, this)) CloseNow(CloseReason::kReadError);
}

void Client::OnTlsEvent(uint32_t events) {
  if (!tls_->handshake_done()) {
    ContinueTlsHandshake();
    return;
  }
  // A read may also be what a stalled write waits for, and an error shows up as a failed read.
  ReadTls();
  if (closing_ || !(events & EPOLLOUT)) return;
  std::lock_guard lock(out_mu_);
  if (out_.empty()) {
    SetWriteInterest(false);  // the write TLS wanted (for a read) has gone out
  } else {
    FlushLocked();
  }
}

void Client::ContinueTlsHandshake() {
  const TlsConnection::Io io = tls_->Handshake();
  if (io == TlsConnection::Io::kWantRead || io == TlsConnection::Io::kWantWrite) {
    std::lock_guard lock(out_mu_);
    SetWriteInterest(io == TlsConnection::Io::kWantWrite);
    return;
  }
  if (io != TlsConnection::Io::kOk) {
    // A plain-text client lands here too: its CONNECT is not a TLS record.
    const std::string why = io == TlsConnection::Io::kClosed ? "EOF" : tls_->error();
    LOG_ERROR("%s - TLS handshake error: %s", Describe().c_str(), why.c_str());
    CloseNow(CloseReason::kTlsHandshakeError);
    return;
  }
  LOG_DEBUG("%s - TLS handshake complete", Describe().c_str());
  LOG_DEBUG("%s - %s", Describe().c_str(), tls_->Describe().c_str());
  tls_verified_ = tls_->peer_verified();
  tls_peer_names_ = tls_->PeerNames();
  // As nats-server: the auth and ping timers (both measured from created_) start now.
  created_ = std::chrono::steady_clock::now();
  next_ping_ = created_ + ctx_.config->options().ping_interval;
  {
    std::lock_guard lock(out_mu_);
    SetWriteInterest(false);
  }
  if (tls_context_->handshake_first()) {
    QueueProto(Server::ClientInfo(*ctx_.config, id_, ip_, nonce_));
  }
  Flush();
}

void Client::ReadTls() {
  // OpenSSL reads one record at a time (read_ahead is off), so what stays in the socket keeps
  // epoll firing; but the decrypted rest of a record that did not fit must be read now.
  size_t total = 0;
  for (;;) {
    std::span<char> target = ReadTarget();
    TlsConnection::Io io;
    const size_t n = tls_->Read(target.data(), target.size(), &io);
    if (n == 0) {
      if (io == TlsConnection::Io::kWantRead) break;
      if (io == TlsConnection::Io::kWantWrite) {  // TLS must send first (a key update reply)
        std::lock_guard lock(out_mu_);
        SetWriteInterest(true);
        break;
      }
      if (io == TlsConnection::Io::kClosed) {
        CloseNow(CloseReason::kClientClosed);
      } else {
        LOG_DEBUG("%s - TLS read error: %s", Describe().c_str(), tls_->error().c_str());
        CloseNow(CloseReason::kReadError);
      }
      return;
    }
    OnBytesRead(target, n);
    if (closing_) return;
    total += n;
    // Bound one event's work like a plain read does; level-triggered epoll brings us back.
    if (tls_->pending() == 0 && total >= LoopContext::kReadBufferSize) break;
  }
  if (tls_->write_wants_read()) Flush();
}

void Client::PostTlsFlush() {
  // One task however many loops deliver here before it runs; it flushes everything appended
  // before it clears the flag, and a later append posts again.
  if (tls_flush_posted_.exchange(true, std::memory_order_acq_rel)) return;
  auto self = shared_from_this();
  ctx_.loop.Post([self] {
    self->tls_flush_posted_.store(false, std::memory_order_release);
    if (!self->closing_) self->Flush();
  });
}

}  // namespace spate::server
