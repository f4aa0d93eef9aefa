#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace spate::server {

// nats-server's ports file (`ports_file_dir`): `<dir>/<executable>_<pid>.ports`, holding the
// URLs the server can be reached at, e.g.
// {"nats":["nats://127.0.0.1:4222"],"monitoring":["http://127.0.0.1:8222"]}.
// Tools that start a server on random ports (-p -1) read it.
std::string PortsFilePath(const std::string& dir, std::string_view executable, int pid);

// The URLs of a listener: one for its host, or one per interface address when it listens on
// every address (0.0.0.0 or ::), as nats-server lists them.
std::vector<std::string> ListenerUrls(std::string_view scheme, const std::string& host, int port);

// Writes the file (the monitoring list is left out when empty).
Status WritePortsFile(const std::string& path, const std::vector<std::string>& nats,
                      const std::vector<std::string>& monitoring);

}  // namespace spate::server
