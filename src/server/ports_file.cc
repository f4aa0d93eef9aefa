#include "server/ports_file.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace spate::server {
namespace {

std::string JoinHostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

}  // namespace

std::string PortsFilePath(const std::string& dir, std::string_view executable, int pid) {
  size_t slash = executable.rfind('/');
  std::string_view base =
      slash == std::string_view::npos ? executable : executable.substr(slash + 1);
  return dir + "/" + std::string(base) + "_" + std::to_string(pid) + ".ports";
}

std::vector<std::string> ListenerUrls(std::string_view scheme, const std::string& host, int port) {
  const std::string prefix = std::string(scheme) + "://";
  std::vector<std::string> out;
  if (host != "0.0.0.0" && host != "::" && !host.empty()) {
    out.push_back(prefix + JoinHostPort(host, port));
    return out;
  }
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr) continue;
    char text[INET6_ADDRSTRLEN] = "";
    if (a->ifa_addr->sa_family == AF_INET) {
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, text,
                  sizeof text);
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr, text,
                  sizeof text);
    } else {
      continue;
    }
    out.push_back(prefix + JoinHostPort(text, port));
  }
  ::freeifaddrs(list);
  return out;
}

Status WritePortsFile(const std::string& path, const std::vector<std::string>& nats,
                      const std::vector<std::string>& monitoring) {
  nlohmann::ordered_json j;
  j["nats"] = nats;
  if (!monitoring.empty()) j["monitoring"] = monitoring;
  std::ofstream out(path, std::ios::trunc);
  out << j.dump();
  out.close();
  if (!out) return Status::IoError("Error writing ports file (" + path + ")");
  return Status::Ok();
}

}  // namespace spate::server
