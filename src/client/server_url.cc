#include <charconv>

#include "client/options.h"

namespace spate::client {

std::string ServerUrl::HostPort() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<ServerUrl> ParseServerUrl(std::string_view url) {
  ServerUrl out;
  std::string_view rest = url;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  if (const size_t scheme = rest.find("://"); scheme != std::string_view::npos) {
    const std::string_view name = rest.substr(0, scheme);
    if (name == "tls") {
      out.tls = true;
    } else if (name != "nats") {
      return Status::InvalidArgument("unsupported URL scheme in '" + std::string(url) +
                                     "' (nats:// or tls://)");
    }
    rest.remove_prefix(scheme + 3);
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view auth = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    if (const size_t colon = auth.find(':'); colon != std::string_view::npos) {
      out.user = auth.substr(0, colon);
      out.password = auth.substr(colon + 1);
    } else {
      out.token = auth;
    }
  }
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("bad IPv6 host in '" + std::string(url) + "'");
    }
    out.host = rest.substr(1, close - 1);
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Status::InvalidArgument("bad URL '" + std::string(url) + "'");
      port_text = rest.substr(1);
    }
  } else if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    out.host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
  } else {
    out.host = rest;
  }
  if (out.host.empty()) return Status::InvalidArgument("no host in '" + std::string(url) + "'");
  if (!port_text.empty()) {
    int port = 0;
    const auto [ptr, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port <= 0 ||
        port > 65535) {
      return Status::InvalidArgument("bad port in '" + std::string(url) + "'");
    }
    out.port = port;
  }
  return out;
}

}  // namespace spate::client
