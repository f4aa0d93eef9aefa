// /connz: open connections from loop snapshots, closed ones from the server's ring.
#include <algorithm>
#include <functional>
#include <set>

#include "monitor/endpoints.h"
#include "server/client.h"
#include "server/server.h"

namespace spate::monitor {
namespace {

using server::ConnectionInfo;

using State = ConnzOptions::State;

constexpr int64_t kDefaultConnListSize = 1024;  // nats-server's DefaultConnListSize

Json SubDetailJson(const server::SubscriptionInfo& s, uint64_t cid) {
  Json d;
  d["subject"] = s.subject;
  if (!s.queue.empty()) d["qgroup"] = s.queue;
  d["sid"] = s.sid;
  d["msgs"] = s.msgs;
  if (s.max != 0) d["max"] = s.max;
  d["cid"] = cid;
  return d;
}

Json ConnJson(const ConnectionInfo& c, int64_t now, bool subs, bool subs_detail, bool auth) {
  const bool closed = c.stop_ns != 0;
  const int64_t end = closed ? c.stop_ns : now;
  Json j;
  j["cid"] = c.cid;
  j["kind"] = "Client";
  j["type"] = "nats";
  j["ip"] = c.ip;
  j["port"] = c.port;
  j["start"] = FormatTime(c.start_ns);
  j["last_activity"] = FormatTime(c.last_activity_ns);
  if (closed) {
    j["stop"] = FormatTime(c.stop_ns);
    j["reason"] = c.reason;
  }
  j["rtt"] = FormatRtt(c.rtt_ns);
  j["uptime"] = FormatUptime(end - c.start_ns);
  j["idle"] = FormatUptime(end - c.last_activity_ns);
  j["pending_bytes"] = c.pending_bytes;
  j["in_msgs"] = c.in_msgs;
  j["out_msgs"] = c.out_msgs;
  j["in_bytes"] = c.in_bytes;
  j["out_bytes"] = c.out_bytes;
  j["subscriptions"] = c.num_subs;
  if (!c.name.empty()) j["name"] = c.name;
  if (!c.lang.empty()) j["lang"] = c.lang;
  if (!c.version.empty()) j["version"] = c.version;
  if (auth && !c.authorized_user.empty()) j["authorized_user"] = c.authorized_user;
  if (auth && c.account != "$G") j["account"] = c.account;
  if (!c.subs.empty() && subs_detail) {
    Json list = Json::array();
    for (const auto& s : c.subs) list.push_back(SubDetailJson(s, c.cid));
    j["subscriptions_list_detail"] = std::move(list);
  } else if (!c.subs.empty() && subs) {
    Json list = Json::array();
    for (const auto& s : c.subs) list.push_back(s.subject);
    j["subscriptions_list"] = std::move(list);
  }
  return j;
}

// nats-server's sort options: the key, and whether it sorts descending.
using Less = std::function<bool(const ConnectionInfo*, const ConnectionInfo*)>;
std::optional<Less> SortBy(const std::string& sort, int64_t now) {
  auto desc = [](auto key) -> Less {
    return [key](const ConnectionInfo* a, const ConnectionInfo* b) { return key(*a) > key(*b); };
  };
  auto asc = [](auto key) -> Less {
    return [key](const ConnectionInfo* a, const ConnectionInfo* b) { return key(*a) < key(*b); };
  };
  if (sort.empty() || sort == "cid" || sort == "start") {
    return asc([](const ConnectionInfo& c) { return c.cid; });
  }
  if (sort == "subs") return desc([](const ConnectionInfo& c) { return c.num_subs; });
  if (sort == "pending") return desc([](const ConnectionInfo& c) { return c.pending_bytes; });
  if (sort == "msgs_to") return desc([](const ConnectionInfo& c) { return c.out_msgs; });
  if (sort == "msgs_from") return desc([](const ConnectionInfo& c) { return c.in_msgs; });
  if (sort == "bytes_to") return desc([](const ConnectionInfo& c) { return c.out_bytes; });
  if (sort == "bytes_from") return desc([](const ConnectionInfo& c) { return c.in_bytes; });
  if (sort == "last") return desc([](const ConnectionInfo& c) { return c.last_activity_ns; });
  if (sort == "idle") {
    return desc([now](const ConnectionInfo& c) { return now - c.last_activity_ns; });
  }
  if (sort == "uptime") {
    return asc(
        [now](const ConnectionInfo& c) { return (c.stop_ns != 0 ? c.stop_ns : now) - c.start_ns; });
  }
  if (sort == "stop") return desc([](const ConnectionInfo& c) { return c.stop_ns; });
  if (sort == "reason") return asc([](const ConnectionInfo& c) { return c.reason; });
  if (sort == "rtt") return desc([](const ConnectionInfo& c) { return c.rtt_ns; });
  return std::nullopt;
}

}  // namespace

std::optional<HttpResponse> ParseConnzQuery(const HttpRequest& req, ConnzOptions* o) {
  o->sort = req.Get("sort");
  if (auto err = DecodeBool(req, "auth", &o->auth)) return err;
  o->subs_detail = [&] {
    std::string v = req.Get("subs");
    std::transform(v.begin(), v.end(), v.begin(), ::tolower);
    return v == "detail";
  }();
  if (!o->subs_detail) {
    if (auto err = DecodeBool(req, "subs", &o->subs)) return err;
  }
  int64_t cid = 0;
  if (auto err = DecodeInt(req, "offset", &o->offset)) return err;
  if (auto err = DecodeInt(req, "limit", &o->limit)) return err;
  if (auto err = DecodeInt(req, "cid", &cid, /*is_unsigned=*/true)) return err;
  o->cid = static_cast<uint64_t>(cid);
  if (std::string s = req.Get("state"); !s.empty()) {
    std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    if (s == "open") {
      o->state = State::kOpen;
    } else if (s == "closed") {
      o->state = State::kClosed;
    } else if (s == "any" || s == "all") {
      o->state = State::kAll;
    } else {
      return TextResponse(400, "Error decoding state for " + req.Get("state"));
    }
  }
  o->account = req.Get("acc");
  o->user = req.Get("user");
  return std::nullopt;
}

EndpointResult BuildConnz(MonitorContext& ctx, const ConnzOptions& o) {
  const std::string& sort = o.sort;
  const bool subs = o.subs, subs_detail = o.subs_detail;
  const State state = o.state;
  const int64_t now = server::WallClockNs();
  auto less = SortBy(sort, now);
  if (!less) return EndpointResult::Error(400, "invalid sorting option: " + sort);
  if ((sort == "stop" || sort == "reason") && state != State::kClosed) {
    return EndpointResult::Error(400, "sort by " + sort + " only valid on closed connections");
  }
  const int64_t offset = std::max<int64_t>(o.offset, 0);
  int64_t limit = o.limit <= 0 ? kDefaultConnListSize : o.limit;
  if (o.cid > 0) limit = 1;

  std::vector<ConnectionInfo> conns;
  if (state != State::kClosed) {
    SnapshotOptions options;
    options.with_subs = subs || subs_detail;
    options.cid = o.cid;
    auto loops = SnapshotLoops(ctx.server, options, kSnapshotTimeout);
    if (!loops) return EndpointResult::Error(503, "timed out collecting connection state");
    for (auto& loop : *loops) {
      for (auto& c : loop.connections) conns.push_back(std::move(c));
    }
  }
  if (state != State::kOpen) {
    for (auto& c : ctx.server.ClosedConnections()) {
      if (o.cid > 0 && c.cid != o.cid) continue;
      if (!subs && !subs_detail) c.subs.clear();
      conns.push_back(std::move(c));
    }
  }
  std::vector<const ConnectionInfo*> selected;
  for (const auto& c : conns) {
    if (!o.account.empty() && c.account != o.account) continue;
    if (!o.user.empty() && c.authorized_user != o.user) continue;
    selected.push_back(&c);
  }
  // nats-server's total counts before the cid filter; ours counts what matched the filters.
  size_t total = selected.size();
  std::sort(selected.begin(), selected.end(),
            [](const ConnectionInfo* a, const ConnectionInfo* b) { return a->cid < b->cid; });
  std::stable_sort(selected.begin(), selected.end(), *less);

  size_t lo = std::min<size_t>(static_cast<size_t>(offset), selected.size());
  size_t hi = std::min<size_t>(static_cast<size_t>(offset + limit), selected.size());
  Json list = Json::array();
  for (size_t i = lo; i < hi; ++i) {
    list.push_back(ConnJson(*selected[i], now, subs, subs_detail, o.auth));
  }
  Json j;
  j["server_id"] = ctx.server.server_id();
  j["now"] = FormatTime(now);
  j["num_connections"] = list.size();
  j["total"] = total;
  j["offset"] = offset;
  j["limit"] = limit;
  j["connections"] = std::move(list);
  EndpointResult r;
  r.body = std::move(j);
  return r;
}

HttpResponse HandleConnz(MonitorContext& ctx, const HttpRequest& req) {
  ConnzOptions o;
  if (auto err = ParseConnzQuery(req, &o)) return *err;
  return ToHttp(req, BuildConnz(ctx, o));
}

}  // namespace spate::monitor
