#include "monitor/monitor.h"

#include "common/logging.h"
#include "monitor/endpoints.h"
#include "monitor/json_format.h"
#include "server/tls.h"

namespace spate::monitor {

Monitor::Monitor(server::Server& server)
    : server_(server), http_([this](const HttpRequest& req) { return Handle(req); }) {}

Monitor::~Monitor() { Stop(); }

Status Monitor::Start() {
  const server::ServerOptions& o = server_.options();
  // As nats-server: the monitor listens on http_host, defaulting to the client host.
  std::string host = o.http_host.empty() ? o.host : o.http_host;
  const bool secure = o.https_port != 0;
  const int configured = secure ? o.https_port : o.http_port;
  int port = configured == server::kRandomPort ? 0 : configured;
  if (secure) {
    // As nats-server: the client TLS certificate, without asking browsers for one of theirs.
    server::TlsOptions tls = o.tls;
    tls.verify = tls.verify_and_map = tls.handshake_first = false;
    SPATE_ASSIGN_OR_RETURN(tls_, server::TlsContext::Create(tls));
  }
  SPATE_RETURN_IF_ERROR(http_.Start(host, port, tls_.get()));
  LOG_INFO("Starting %s monitor on %s", secure ? "https" : "http",
           JoinHostPort(host, http_.port()).c_str());
  return Status::Ok();
}

void Monitor::Stop() { http_.Stop(); }

HttpResponse Monitor::Handle(const HttpRequest& req) {
  using HandlerFn = HttpResponse (*)(MonitorContext&, const HttpRequest&);
  static const std::map<std::string, HandlerFn> kRoutes = {
      {"/", HandleRoot},
      {"/varz", HandleVarz},
      {"/connz", HandleConnz},
      {"/subsz", HandleSubsz},
      {"/subscriptionsz", HandleSubsz},
      {"/routez", HandleRoutez},
      {"/gatewayz", HandleGatewayz},
      {"/leafz", HandleLeafz},
      {"/accountz", HandleAccountz},
      {"/healthz", HandleHealthz},
      {"/jsz", HandleJsz},
      {"/metrics", HandleMetrics},
  };
  auto it = kRoutes.find(req.path);
  if (it == kRoutes.end()) return TextResponse(404, "404 page not found\n");
  // Counted before the handler runs, so /varz sees its own request (as nats-server).
  ++request_counts_[it->first == "/subscriptionsz" ? "/subsz" : it->first];
  MonitorContext ctx{server_, request_counts_, process_};
  return it->second(ctx, req);
}

}  // namespace spate::monitor
