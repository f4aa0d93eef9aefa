#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "common/status.h"

namespace spate::server {
class TlsContext;
}

namespace spate::monitor {

struct HttpRequest {
  std::string method;
  std::string path;                          // percent-decoded, without the query
  std::map<std::string, std::string> query;  // decoded; the first value of a repeated key wins
  // The query value of `key`, or "" when absent (as Go's url.Values.Get).
  std::string Get(const std::string& key) const {
    auto it = query.find(key);
    return it == query.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// A small HTTP/1.1 server for the monitoring endpoints: GET and HEAD, keep-alive or close,
// plain or over TLS (https_port), one thread running poll() over the listener and its
// connections. Requests are handled one
// at a time on that thread, so a handler may block (for a bounded time) without touching the
// message path.
// Lifecycle: Start() binds and spawns the thread; Stop() (or the destructor) joins it.
class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  explicit HttpServer(Handler handler) : handler_(std::move(handler)) {}
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (port 0: any free port) and starts serving; with `tls` (which must outlive
  // the server) every connection speaks HTTPS.
  Status Start(const std::string& host, int port, const server::TlsContext* tls = nullptr);
  void Stop();
  int port() const { return port_; }

  // Parses "a=1&b=x%20y" into `out` (exposed for tests).
  static void ParseQuery(std::string_view query, std::map<std::string, std::string>* out);
  static std::string PercentDecode(std::string_view in, bool plus_is_space);

 private:
  void Run();

  Handler handler_;
  const server::TlsContext* tls_ = nullptr;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace spate::monitor
