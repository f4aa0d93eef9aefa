#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "monitor/endpoints.h"

// The monitoring endpoints as system account requests ($SYS.REQ.SERVER.PING.<NAME> and
// $SYS.REQ.SERVER.<id>.<NAME>): the request body is empty or a JSON object with nats-server's
// option names (its ConnzEventOptions, JszEventOptions, ...), decoded into the same option
// structs the HTTP handlers fill, and answered by the same builders.
namespace spate::monitor {

// The endpoint names served, as in nats-server 2.9's subject tokens.
inline constexpr std::string_view kServerRequestNames[] = {
    "STATSZ",   "VARZ",  "SUBSZ",    "CONNZ", "ROUTEZ",
    "GATEWAYZ", "LEAFZ", "ACCOUNTZ", "JSZ",   "HEALTHZ"};

// nats-server's EventFilterOptions: a server answers only when every filter given matches it.
struct EventFilter {
  std::string server_name, cluster, host, domain;
  std::vector<std::string> tags;
  // Whether a server with this name and host (no cluster, tags or domain here) should answer.
  bool Matches(std::string_view name, std::string_view host) const;
};

// What a request gets: the endpoint's JSON (`data`), or an error as nats-server reports it
// (400: the body did not decode; 500: the endpoint failed), or nothing (`skip`: a filter did
// not match this server).
struct ServerRequestAnswer {
  Json data;
  int error_code = 0;
  std::string error;
  bool skip = false;
};

// Decodes `body` for endpoint `name` (not STATSZ, whose reply has its own shape) and runs it.
// Threading: blocks on loop snapshots; never call it on an event loop.
ServerRequestAnswer AnswerServerRequest(MonitorContext& ctx, std::string_view name,
                                        std::string_view body);

// A request's options; only the struct of the endpoint asked for is filled.
struct ServerRequestOptions {
  EventFilter filter;
  ConnzOptions connz;
  SubszOptions subsz;
  AccountzOptions accountz;
  HealthzOptions healthz;
  JszEndpointOptions jsz;
};
// The decoding alone (STATSZ uses it too): Go's encoding/json rules, as nats-server decodes
// them (unknown keys ignored, null leaves the default, a wrong type is an error naming the
// field). Returns the error text; empty when the body decoded.
std::string DecodeRequestOptions(std::string_view name, std::string_view body,
                                 ServerRequestOptions* out);

}  // namespace spate::monitor
