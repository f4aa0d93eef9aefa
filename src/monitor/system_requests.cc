#include "monitor/system_requests.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "server/server.h"

namespace spate::monitor {
namespace {

// Reads typed fields out of a request's JSON object and keeps the first error, in the words
// of Go's encoding/json (which nats-server passes on as the error description).
class OptionsReader {
 public:
  OptionsReader(const Json& object, std::string go_type)
      : object_(object), go_type_(std::move(go_type)) {}

  void Bool(const char* key, bool* out) {
    if (const Json* v = Find(key)) {
      if (v->is_boolean()) {
        *out = v->get<bool>();
      } else {
        Mismatch(*v, key, "bool");
      }
    }
  }
  void Int(const char* key, int64_t* out, const char* type = "int") {
    if (const Json* v = Find(key)) {
      if (v->is_number_integer()) {
        *out = v->get<int64_t>();
      } else {
        Mismatch(*v, key, type);
      }
    }
  }
  void Uint(const char* key, uint64_t* out) {
    if (const Json* v = Find(key)) {
      if (v->is_number_unsigned() || (v->is_number_integer() && v->get<int64_t>() >= 0)) {
        *out = v->get<uint64_t>();
      } else {
        Mismatch(*v, key, "uint64");
      }
    }
  }
  void String(const char* key, std::string* out, const char* type = "string") {
    if (const Json* v = Find(key)) {
      if (v->is_string()) {
        *out = v->get<std::string>();
      } else {
        Mismatch(*v, key, type);
      }
    }
  }
  void Strings(const char* key, std::vector<std::string>* out) {
    if (const Json* v = Find(key)) {
      if (!v->is_array()) return Mismatch(*v, key, "[]string");
      out->clear();
      for (const Json& e : *v) {
        if (!e.is_string()) return Mismatch(e, key, "string");
        out->push_back(e.get<std::string>());
      }
    }
  }
  const std::string& error() const { return error_; }

 private:
  const Json* Find(const char* key) const {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  // "json: cannot unmarshal string into Go struct field ConnzEventOptions.auth of type bool"
  void Mismatch(const Json& v, const char* key, const char* type) {
    if (!error_.empty()) return;
    std::string what;
    if (v.is_number()) {
      what = "number " + v.dump();
    } else if (v.is_boolean()) {
      what = "bool";
    } else if (v.is_string()) {
      what = "string";
    } else if (v.is_array()) {
      what = "array";
    } else {
      what = "object";
    }
    error_ = "json: cannot unmarshal " + what + " into Go struct field " + go_type_ + "." + key +
             " of type " + type;
  }

  const Json& object_;
  const std::string go_type_;
  std::string error_;
};

std::string GoTypeName(std::string_view name) {
  // nats-server's option types: "ConnzEventOptions", "JszEventOptions", ...
  std::string t(name.substr(0, 1));
  for (char c : name.substr(1)) t.push_back(static_cast<char>(std::tolower(c)));
  return t + "EventOptions";
}

// Go's words for a body that is not JSON; the common cases, else a generic description.
std::string SyntaxError(std::string_view body, const nlohmann::json::parse_error& e) {
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "unexpected end of JSON input";
  if (e.byte >= 1 && e.byte <= body.size()) {
    const char c = body[e.byte - 1];
    if (e.byte - 1 == first) {
      return std::string("invalid character '") + c + "' looking for beginning of value";
    }
    if (std::isprint(static_cast<unsigned char>(c))) {
      return std::string("invalid character '") + c + "' in JSON request";
    }
  }
  return "unexpected end of JSON input";
}

}  // namespace

bool EventFilter::Matches(std::string_view name, std::string_view host_name) const {
  if (!server_name.empty() && name.find(server_name) == std::string_view::npos) return false;
  if (!host.empty() && host_name.find(host) == std::string_view::npos) return false;
  // No cluster, tags or JetStream domain here: a filter on any of them matches nothing.
  return cluster.empty() && tags.empty() && domain.empty();
}

std::string DecodeRequestOptions(std::string_view name, std::string_view body,
                                 ServerRequestOptions* out) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return "";
  Json j;
  try {
    j = Json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    return SyntaxError(body, e);
  }
  const std::string go_type = GoTypeName(name);
  if (j.is_null()) return "";
  if (!j.is_object()) {
    return std::string("json: cannot unmarshal ") +
           (j.is_array()     ? "array"
            : j.is_string()  ? "string"
            : j.is_boolean() ? "bool"
                             : "number") +
           " into Go value of type server." + go_type;
  }
  OptionsReader r(j, go_type);
  EventFilter& f = out->filter;
  r.String("server_name", &f.server_name);
  r.String("cluster", &f.cluster);
  r.String("host", &f.host);
  r.Strings("tags", &f.tags);
  r.String("domain", &f.domain);
  if (name == "CONNZ") {
    ConnzOptions& o = out->connz;
    r.String("sort", &o.sort, "server.SortOpt");
    r.Bool("auth", &o.auth);
    r.Bool("subscriptions", &o.subs);
    r.Bool("subscriptions_detail", &o.subs_detail);
    r.Int("offset", &o.offset);
    r.Int("limit", &o.limit);
    r.Uint("cid", &o.cid);
    int64_t state = 0;
    r.Int("state", &state, "server.ConnState");
    o.state = state == 1   ? ConnzOptions::State::kClosed
              : state == 2 ? ConnzOptions::State::kAll
                           : ConnzOptions::State::kOpen;
    r.String("user", &o.user);
    r.String("acc", &o.account);
  } else if (name == "SUBSZ") {
    SubszOptions& o = out->subsz;
    r.Int("offset", &o.offset);
    r.Int("limit", &o.limit);
    r.Bool("subscriptions", &o.subs);
    r.String("account", &o.account);
    r.String("test", &o.test);
  } else if (name == "ACCOUNTZ") {
    r.String("account", &out->accountz.account);
  } else if (name == "HEALTHZ") {
    HealthzOptions& o = out->healthz;
    r.Bool("js-enabled", &o.js_enabled);
    r.Bool("js-enabled-only", &o.js_enabled_only);
    r.Bool("js-server-only", &o.js_server_only);
    r.Bool("details", &o.details);
  } else if (name == "JSZ") {
    JszEndpointOptions& o = out->jsz;
    std::string account;
    bool leader_only = false;
    int64_t offset = 0, limit = 0;
    r.String("account", &account);
    r.Bool("accounts", &o.accounts);
    r.Bool("streams", &o.streams);
    r.Bool("consumer", &o.consumers);
    r.Bool("config", &o.config);
    r.Bool("leader_only", &leader_only);
    r.Int("offset", &offset);
    r.Int("limit", &limit);
  }
  return r.error();
}

ServerRequestAnswer AnswerServerRequest(MonitorContext& ctx, std::string_view name,
                                        std::string_view body) {
  ServerRequestAnswer answer;
  ServerRequestOptions o;
  if (std::string err = DecodeRequestOptions(name, body, &o); !err.empty()) {
    answer.error_code = 400;
    answer.error = std::move(err);
    return answer;
  }
  const server::ServerOptions& opts = ctx.server.options();
  if (!o.filter.Matches(ctx.server.server_name(), opts.host)) {
    answer.skip = true;
    return answer;
  }
  EndpointResult r;
  if (name == "VARZ") {
    r.body = BuildVarz(ctx);
  } else if (name == "CONNZ") {
    r = BuildConnz(ctx, o.connz);
  } else if (name == "SUBSZ") {
    r = BuildSubsz(ctx, o.subsz);
  } else if (name == "ROUTEZ") {
    r.body = BuildRoutez(ctx);
  } else if (name == "GATEWAYZ") {
    r.body = BuildGatewayz(ctx);
  } else if (name == "LEAFZ") {
    r.body = BuildLeafz(ctx);
  } else if (name == "ACCOUNTZ") {
    r = BuildAccountz(ctx, o.accountz);
  } else if (name == "JSZ") {
    r.body = BuildJsz(ctx, o.jsz);
  } else if (name == "HEALTHZ") {
    r = BuildHealthz(ctx, o.healthz);
  } else {
    r = EndpointResult::Error(500, "unknown request " + std::string(name));
  }
  if (!r.error.empty()) {
    answer.error_code = 500;  // as nats-server: whatever the endpoint's own status would be
    answer.error = std::move(r.error);
    return answer;
  }
  answer.data = std::move(r.body);
  return answer;
}

}  // namespace spate::monitor
