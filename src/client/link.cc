#include "client/link.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "client/errors.h"

namespace spate::client::detail {
namespace {

int RemainingMs(Link::Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Link::Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

Status Errno(const std::string& what) {
  return Status::IoError(what + ": " + std::strerror(errno));
}

// Waits for `events` on fd; false after the deadline.
bool PollUntil(int fd, short events, Link::Clock::time_point deadline) {
  pollfd p{fd, events, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, RemainingMs(deadline));
  } while (rc < 0 && errno == EINTR);
  return rc > 0;
}

}  // namespace

Link& Link::operator=(Link&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.fd_;
    tls_ = std::move(other.tls_);
    read_wants_write_ = other.read_wants_write_;
    write_wants_read_ = other.write_wants_read_;
    other.fd_ = -1;
  }
  return *this;
}

void Link::Close() {
  if (tls_) tls_->Shutdown();
  tls_.reset();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<size_t> Link::TlsOutcome(TlsStream::Io io, size_t n, const char* what) const {
  switch (io) {
    case TlsStream::Io::kOk:
      return n;
    case TlsStream::Io::kWantRead:
    case TlsStream::Io::kWantWrite:
      return size_t{0};
    case TlsStream::Io::kClosed:
      return Status::IoError("connection closed by the server");
    case TlsStream::Io::kError:
      break;
  }
  return TlsFailure(what);
}

Status Link::TlsFailure(const char* what) const {
  return Status::IoError(std::string("TLS ") + what + " failed: " + tls_->error());
}

Status Link::StartTls(const TlsContext& ctx, const std::string& host, Clock::time_point deadline) {
  SPATE_ASSIGN_OR_RETURN(tls_, TlsStream::Create(ctx, fd_, host));
  while (true) {
    switch (tls_->Handshake()) {
      case TlsStream::Io::kOk:
        return Status::Ok();
      case TlsStream::Io::kWantRead:
        if (!PollUntil(fd_, POLLIN, deadline)) return TimeoutError("TLS handshake");
        break;
      case TlsStream::Io::kWantWrite:
        if (!PollUntil(fd_, POLLOUT, deadline)) return TimeoutError("TLS handshake");
        break;
      case TlsStream::Io::kClosed:
        return Status::IoError("TLS handshake failed: connection closed by the server");
      case TlsStream::Io::kError:
        return TlsFailure("handshake");
    }
  }
}

Result<size_t> Link::Read(char* dst, size_t room) {
  if (!tls_) {
    const ssize_t n = ::recv(fd_, dst, room, 0);
    if (n > 0) return static_cast<size_t>(n);
    if (n == 0) return Status::IoError("connection closed by the server");
    if (errno == EAGAIN || errno == EINTR) return size_t{0};
    return Errno("read");
  }
  TlsStream::Io io;
  const size_t n = tls_->Read(dst, room, &io);
  read_wants_write_ = io == TlsStream::Io::kWantWrite;
  return TlsOutcome(io, n, "read");
}

Result<size_t> Link::Write(const iovec* iov, int count) {
  if (count <= 0) return size_t{0};
  if (!tls_) {
    msghdr mh{};
    mh.msg_iov = const_cast<iovec*>(iov);
    mh.msg_iovlen = static_cast<size_t>(count);
    const ssize_t sent = ::sendmsg(fd_, &mh, MSG_NOSIGNAL);
    if (sent >= 0) return static_cast<size_t>(sent);
    if (errno == EAGAIN || errno == EINTR) return size_t{0};
    return Errno("write");
  }
  TlsStream::Io io;
  const size_t n = tls_->Write(static_cast<const char*>(iov[0].iov_base), iov[0].iov_len, &io);
  write_wants_read_ = io == TlsStream::Io::kWantRead;
  return TlsOutcome(io, n, "write");
}

short Link::PollEvents(bool have_output) const {
  short events = POLLIN;
  // A TLS write waiting for a record from the server is not helped by POLLOUT (it would spin).
  if ((have_output && !write_wants_read_) || read_wants_write_) events |= POLLOUT;
  return events;
}

Status Link::WriteAllUntil(std::string_view bytes, Clock::time_point deadline) {
  while (!bytes.empty()) {
    iovec iov{const_cast<char*>(bytes.data()), bytes.size()};
    SPATE_ASSIGN_OR_RETURN(size_t n, Write(&iov, 1));
    if (n > 0) {
      bytes.remove_prefix(n);
      continue;
    }
    if (!PollUntil(fd_, PollEvents(true), deadline)) return TimeoutError("write");
  }
  return Status::Ok();
}

Status Link::ReadSomeUntil(char* dst, size_t room, size_t* n, Clock::time_point deadline) {
  while (true) {
    SPATE_ASSIGN_OR_RETURN(*n, Read(dst, room));
    if (*n > 0) return Status::Ok();
    if (!PollUntil(fd_, PollEvents(false), deadline)) return TimeoutError("read");
  }
}

}  // namespace spate::client::detail
