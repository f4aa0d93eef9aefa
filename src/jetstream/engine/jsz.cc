// The JetStream report of the monitoring endpoint /jsz (and /varz's "jetstream" section), with
// nats-server's field names and order.
#include <sys/statvfs.h>
#include <unistd.h>

#include "jetstream/engine/consumer.h"
#include "jetstream/engine/jetstream.h"
#include "jetstream/json_codec.h"

namespace spate::jetstream {

using Json = nlohmann::ordered_json;

namespace {

// nats-server's dynamic limits when none is configured: 75% of the memory, and the space
// available where the store lives.
int64_t EffectiveMaxMemory(int64_t configured) {
  if (configured >= 0) return configured;
  long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page / 4 * 3 : 0;
}

int64_t EffectiveMaxStore(int64_t configured, const std::string& dir) {
  if (configured >= 0) return configured;
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) != 0) return 0;
  return static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
}

}  // namespace

Json JetStream::ConfigJson() const {
  Json c;
  c["max_memory"] = EffectiveMaxMemory(options_.max_memory);
  c["max_storage"] = EffectiveMaxStore(options_.max_store, store_dir_);
  c["store_dir"] = store_dir_;
  if (!options_.domain.empty()) c["domain"] = options_.domain;
  return c;
}

Json JetStream::JszJson(const JszOptions& opts) {
  Json j;
  j["config"] = ConfigJson();
  JetStreamUsage u;
  int64_t reserved_memory = 0, reserved_store = 0;
  Json details = Json::array();
  for (AccountJetStream* a : Accounts()) {
    Json acc = a->JszAccountJson(opts);
    u += a->Usage();
    reserved_memory += acc["reserved_memory"].get<int64_t>();
    reserved_store += acc["reserved_storage"].get<int64_t>();
    details.push_back(std::move(acc));
  }
  j["memory"] = u.memory;
  j["storage"] = u.storage;
  j["reserved_memory"] = reserved_memory;
  j["reserved_storage"] = reserved_store;
  j["accounts"] = details.size();
  j["ha_assets"] = 0;
  j["api"] = {{"total", u.api_total}, {"errors", u.api_errors}};
  j["streams"] = u.streams;
  j["consumers"] = u.consumers;
  j["messages"] = u.messages;
  j["bytes"] = u.bytes;
  if (opts.accounts) j["account_details"] = std::move(details);
  return j;
}

Json AccountJetStream::JszAccountJson(const JszOptions& opts) {
  JetStreamUsage u = Usage();
  int64_t reserved_memory = 0, reserved_store = 0;
  std::vector<std::shared_ptr<Stream>> streams = Streams();
  for (auto& s : streams) {
    StreamConfig c = s->config();
    if (c.max_bytes > 0) (s->is_memory() ? reserved_memory : reserved_store) += c.max_bytes;
  }
  Json acc;
  acc["name"] = env_.account->name();
  acc["id"] = env_.account->name();
  acc["memory"] = u.memory;
  acc["storage"] = u.storage;
  acc["reserved_memory"] = reserved_memory;
  acc["reserved_storage"] = reserved_store;
  acc["accounts"] = 0;
  acc["ha_assets"] = 0;
  acc["api"] = {{"total", u.api_total}, {"errors", u.api_errors}};
  if (opts.streams) {
    Json details = Json::array();
    for (auto& s : streams) {
      StreamInfo info = s->Info({});
      Json d;
      d["name"] = s->name();
      d["created"] = FormatTime(info.created);
      if (info.cluster) d["cluster"] = EncodeClusterInfo(*info.cluster);
      if (opts.config) d["config"] = EncodeStreamConfig(info.config);
      Json full = EncodeStreamInfo(info);
      d["state"] = full["state"];
      if (opts.consumers) {
        Json cons = Json::array();
        std::lock_guard lock(s->mutex());
        for (auto& [n, c] : s->consumers()) {
          Json ci = EncodeConsumerInfo(c->Info(nullptr));
          if (!opts.config) ci.erase("config");
          cons.push_back(std::move(ci));
        }
        d["consumer_detail"] = std::move(cons);
      }
      details.push_back(std::move(d));
    }
    acc["stream_detail"] = std::move(details);
  }
  return acc;
}

}  // namespace spate::jetstream
