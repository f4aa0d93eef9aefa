#pragma once

#include <map>
#include <memory>
#include <string>

#include "monitor/http_server.h"
#include "monitor/process_stats.h"
#include "server/server.h"

namespace spate::monitor {

// The HTTP monitoring listener (nats-server's -m / http_port): /varz /connz /subsz /routez
// /gatewayz /leafz /accountz /healthz, an index page at /, and /metrics (Prometheus text).
// Lifecycle: attached to the Server before Start (Server::AttachMonitor); the server starts it
// once its loops run and stops it first on shutdown.
// Threading: everything here runs on the HTTP thread; see endpoints.h for how it reads stats.
class Monitor : public server::ServerExtension {
 public:
  explicit Monitor(server::Server& server);
  ~Monitor() override;

  Status Start() override;
  void Stop() override;
  int port() const { return http_.port(); }

 private:
  HttpResponse Handle(const HttpRequest& req);

  server::Server& server_;
  std::unique_ptr<server::TlsContext> tls_;  // https_port: the client TLS certificate
  HttpServer http_;
  std::map<std::string, uint64_t> request_counts_;  // HTTP thread only
  ProcessStats process_;
};

}  // namespace spate::monitor
