// /subsz: the subscription index's counters, and optionally the subscriptions themselves.
#include <algorithm>

#include "monitor/endpoints.h"
#include "routing/subject.h"
#include "server/client.h"
#include "server/server.h"

namespace spate::monitor {
namespace {
constexpr int64_t kDefaultSubListSize = 1024;  // nats-server's DefaultSubListSize
}  // namespace

std::optional<HttpResponse> ParseSubszQuery(const HttpRequest& req, SubszOptions* o) {
  if (auto err = DecodeBool(req, "subs", &o->subs)) return err;
  if (auto err = DecodeInt(req, "offset", &o->offset)) return err;
  if (auto err = DecodeInt(req, "limit", &o->limit)) return err;
  o->test = req.Get("test");
  o->account = req.Get("acc");
  return std::nullopt;
}

HttpResponse HandleSubsz(MonitorContext& ctx, const HttpRequest& req) {
  SubszOptions o;
  if (auto err = ParseSubszQuery(req, &o)) return *err;
  return ToHttp(req, BuildSubsz(ctx, o));
}

EndpointResult BuildSubsz(MonitorContext& ctx, const SubszOptions& o) {
  const bool subs = o.subs;
  const std::string& test = o.test;
  const std::string& acc = o.account;
  const int64_t offset = std::max<int64_t>(o.offset, 0);
  const int64_t limit = o.limit <= 0 ? kDefaultSubListSize : o.limit;
  if (!test.empty() && !routing::IsValidLiteralSubject(test)) {
    return EndpointResult::Error(400,
                                 "invalid test subject, must be valid publish subject: " + test);
  }

  SnapshotOptions options;
  options.with_connections = subs;
  options.with_subs = subs;
  auto loops = SnapshotLoops(ctx.server, options, kSnapshotTimeout);
  if (!loops) return EndpointResult::Error(503, "timed out collecting subscription state");
  const SublistStats stats = ComputeSublistStats(ctx.server, *loops);

  Json j;
  if (subs) {
    j["server_id"] = ctx.server.server_id();
    j["now"] = FormatTime(server::WallClockNs());
  }
  const Json stats_json = stats.ToJson();
  for (auto it = stats_json.begin(); it != stats_json.end(); ++it) j[it.key()] = it.value();
  EndpointResult r;
  if (!subs) {
    r.body = std::move(j);
    return r;
  }

  struct Row {
    const server::SubscriptionInfo* sub;
    const server::ConnectionInfo* conn;
  };
  std::vector<Row> rows;
  for (const LoopSnapshot& loop : *loops) {
    for (const server::ConnectionInfo& c : loop.connections) {
      if (!acc.empty() && c.account != acc) continue;
      for (const server::SubscriptionInfo& s : c.subs) {
        if (!test.empty() && !routing::SubjectMatchesFilter(test, s.subject)) continue;
        rows.push_back({&s, &c});
      }
    }
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.conn->cid != b.conn->cid) return a.conn->cid < b.conn->cid;
    return a.sub->subject < b.sub->subject;
  });
  size_t lo = std::min<size_t>(static_cast<size_t>(offset), rows.size());
  size_t hi = std::min<size_t>(static_cast<size_t>(offset + limit), rows.size());
  Json list = Json::array();
  for (size_t i = lo; i < hi; ++i) {
    const Row& r = rows[i];
    Json d;
    d["account"] = r.conn->account;
    d["subject"] = r.sub->subject;
    if (!r.sub->queue.empty()) d["qgroup"] = r.sub->queue;
    d["sid"] = r.sub->sid;
    d["msgs"] = r.sub->msgs;
    if (r.sub->max != 0) d["max"] = r.sub->max;
    d["cid"] = r.conn->cid;
    list.push_back(std::move(d));
  }
  // As nats-server, "total" is the size of the returned page.
  j["total"] = list.size();
  j["offset"] = offset;
  j["limit"] = limit;
  if (!list.empty()) j["subscriptions_list"] = std::move(list);
  r.body = std::move(j);
  return r;
}

}  // namespace spate::monitor
