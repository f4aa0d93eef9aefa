#include "common/net.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace spate {

Result<Listener> ListenTcp(const std::string& host, int port, int backlog, const char* what) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  const std::string port_str = std::to_string(port);
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port_str.c_str(), &hints, &res);
      rc != 0) {
    return Status::InvalidArgument(std::string("cannot resolve ") + what + " address " + host +
                                   ": " + ::gai_strerror(rc));
  }
  Listener out;
  int last_errno = 0;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, backlog) == 0) {
      out.fd = fd;
      break;
    }
    last_errno = errno;
    ::close(fd);
  }
  ::freeaddrinfo(res);
  if (out.fd < 0) {
    return Status::IoError(std::string("error listening on ") + what + " port: " + host + ":" +
                           port_str + ", " + std::strerror(last_errno));
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(out.fd, reinterpret_cast<sockaddr*>(&addr), &len);
  out.port = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                        : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  return out;
}

}  // namespace spate
