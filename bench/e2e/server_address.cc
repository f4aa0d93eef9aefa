#include "bench/e2e/server_address.h"

#include <arpa/inet.h>

namespace spate::bench {

Result<sockaddr_in> ParseServerAddress(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t colon = url.rfind(':');
  if (scheme == std::string::npos || colon <= scheme) return Status::InvalidArgument(url);
  const std::string host = url.substr(scheme + 3, colon - scheme - 3);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(std::stoi(url.substr(colon + 1))));
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    return Status::InvalidArgument("not an IPv4 address: " + host);
  }
  return address;
}

}  // namespace spate::bench
