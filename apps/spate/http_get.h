#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"

// A minimal HTTP/1.0 GET for the monitoring port (http://host:port/path): enough for the JSON
// endpoints of spate-server and nats-server, without pulling in an HTTP library. No TLS, no
// redirects, no keep-alive. Chunked bodies are decoded in case a server sends one anyway.
namespace spate::cli {

struct HttpResponse {
  int status = 0;
  std::string body;
};

// `url` is "http://host[:port][/path]" (port 80 by default). Any HTTP status is a success here;
// the caller decides what a 503 means. Errors: a bad URL, connect/read failures, the deadline.
Result<HttpResponse> HttpGet(std::string_view url, std::chrono::milliseconds timeout);

}  // namespace spate::cli
