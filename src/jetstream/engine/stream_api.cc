// The $JS.API handlers for the account and its streams.
#include "common/logging.h"
#include "jetstream/engine/account_jetstream.h"
#include "jetstream/engine/consumer.h"
#include "jetstream/json_codec.h"
#include "routing/subject.h"

namespace spate::jetstream {

namespace rt = response_type;
using Json = nlohmann::ordered_json;

namespace {

constexpr int kStreamNamesLimit = 1024;  // JSApiNamesLimit
constexpr int kStreamListLimit = 256;    // JSApiListLimit

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  if (i < in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// Parses an optional request body: empty is an empty object; anything else must be an object.
std::optional<nlohmann::json> ParseBody(std::string_view body) {
  if (body.empty()) return nlohmann::json::object();
  nlohmann::json j = ParseJson(body);
  if (!j.is_object()) return std::nullopt;
  return j;
}

Json Error(std::string_view type, ApiErrorId id, std::initializer_list<ApiErrorArg> args = {}) {
  return MakeApiErrorResponse(type, MakeApiError(id, args));
}

}  // namespace

Json AccountJetStream::AccountInfoResponse() {
  AccountInfo info;
  JetStreamUsage u = Usage();
  info.totals.memory = u.memory;
  info.totals.storage = u.storage;
  info.totals.streams = u.streams;
  info.totals.consumers = u.consumers;
  info.totals.limits.max_memory = env_.account_storage.max_memory;
  info.totals.limits.max_storage = env_.account_storage.max_store;
  info.totals.limits.max_streams = env_.max_streams;
  info.totals.limits.max_consumers = env_.max_consumers;
  if (env_.account_limits.max_ack_pending > 0) {
    info.totals.limits.max_ack_pending = env_.account_limits.max_ack_pending;
  }
  info.totals.limits.max_bytes_required = env_.account_limits.max_bytes_required;
  info.domain = env_.domain;
  info.api_total = u.api_total;
  info.api_errors = u.api_errors;
  return MakeApiResponse(rt::kAccountInfo, EncodeAccountInfo(info));
}

Json AccountJetStream::StreamCreate(std::string_view name, std::string_view body) {
  ApiResult<StreamConfig> req = DecodeStreamConfig(body);
  if (!req.ok()) return MakeApiErrorResponse(rt::kStreamCreate, req.error());
  std::lock_guard lock(mu_);
  std::vector<StreamConfig> others;
  for (auto& [n, s] : streams_) others.push_back(s->config());
  ApiResult<StreamConfig> cfg =
      CheckStreamCreate(name, *req, env_.limits, env_.account_limits, others);
  if (!cfg.ok()) return MakeApiErrorResponse(rt::kStreamCreate, cfg.error());
  if (cfg->num_replicas > 1)
    return Error(rt::kStreamCreate, ApiErrorId::kStreamReplicasNotSupported);
  if (auto it = streams_.find(cfg->name); it != streams_.end()) {
    if (it->second->config() == *cfg) return MakeStreamCreateResponse(it->second->Info({}), false);
    return Error(rt::kStreamCreate, ApiErrorId::kStreamNameExist);
  }
  if (env_.max_streams >= 0 && streams_.size() >= static_cast<size_t>(env_.max_streams)) {
    return Error(rt::kStreamCreate, ApiErrorId::kMaximumStreamsLimit);
  }
  std::vector<std::vector<std::string>> subjects;
  for (const auto& o : others) subjects.push_back(o.subjects);
  if (ApiStatus st = CheckSubjectsOverlap(cfg->subjects, subjects); !IsOk(st)) {
    return MakeApiErrorResponse(rt::kStreamCreate, std::get<ApiError>(st));
  }
  // A stream that reserves more than the server may store is refused up front (the reservations
  // of every stream with max_bytes count), as nats-server does.
  const bool memory = cfg->storage == StorageType::kMemory;
  // (Only this account's reservations count against the server's limit: an approximation
  // while accounts are few.)
  const int64_t account_limit = env_.account_storage.max(memory);
  const int64_t server_limit = env_.server_storage.max(memory);
  if ((account_limit >= 0 || server_limit >= 0) && cfg->max_bytes > 0) {
    int64_t reserved = cfg->max_bytes;
    for (const auto& o : others) {
      if ((o.storage == StorageType::kMemory) == memory && o.max_bytes > 0) reserved += o.max_bytes;
    }
    if ((account_limit >= 0 && reserved > account_limit) ||
        (server_limit >= 0 && reserved > server_limit)) {
      return Error(rt::kStreamCreate, memory ? ApiErrorId::kMemoryResourcesExceeded
                                             : ApiErrorId::kStorageResourcesExceeded);
    }
  }
  auto stream = std::make_shared<Stream>(env_, *cfg, server::WallClockNs(), StreamDir(cfg->name));
  if (Status st = stream->Open(true); !st.ok()) {
    (void)stream->Delete();
    return Error(rt::kStreamCreate, ApiErrorId::kStreamCreate, {{"err", st.message()}});
  }
  stream->Subscribe();
  streams_[cfg->name] = stream;
  LOG_DEBUG("Created stream '%s > %s'", env_.account->name().c_str(), cfg->name.c_str());
  return MakeStreamCreateResponse(stream->Info({}), true);
}

Json AccountJetStream::StreamUpdate(std::string_view name, std::string_view body) {
  ApiResult<StreamConfig> req = DecodeStreamConfig(body);
  if (!req.ok()) return MakeApiErrorResponse(rt::kStreamUpdate, req.error());
  std::lock_guard lock(mu_);
  if (req->name != name) {
    // nats-server checks the name against the subject before looking the stream up.
    return Error(rt::kStreamUpdate, ApiErrorId::kStreamMismatch);
  }
  auto it = streams_.find(std::string(name));
  if (it == streams_.end()) return Error(rt::kStreamUpdate, ApiErrorId::kStreamNotFound);
  std::vector<StreamConfig> others;
  std::vector<std::vector<std::string>> subjects;
  for (auto& [n, s] : streams_) {
    if (n == name) continue;
    others.push_back(s->config());
    subjects.push_back(others.back().subjects);
  }
  ApiResult<StreamConfig> cfg =
      CheckStreamUpdate(name, it->second->config(), *req, env_.limits, env_.account_limits, others);
  if (!cfg.ok()) return MakeApiErrorResponse(rt::kStreamUpdate, cfg.error());
  if (cfg->num_replicas > 1)
    return Error(rt::kStreamUpdate, ApiErrorId::kStreamReplicasNotSupported);
  if (ApiStatus st = CheckSubjectsOverlap(cfg->subjects, subjects); !IsOk(st)) {
    return MakeApiErrorResponse(rt::kStreamUpdate, std::get<ApiError>(st));
  }
  if (ApiStatus st = it->second->Update(*cfg); !IsOk(st)) {
    return MakeApiErrorResponse(rt::kStreamUpdate, std::get<ApiError>(st));
  }
  return MakeApiResponse(rt::kStreamUpdate, EncodeStreamInfo(it->second->Info({})));
}

Json AccountJetStream::StreamInfoResponse(std::string_view name, std::string_view body) {
  auto j = ParseBody(body);
  if (!j) return MakeStreamInfoErrorResponse(MakeApiError(ApiErrorId::kInvalidJSON));
  StreamInfoOptions opts;
  JsonObjectReader r(*j);
  r.Read("deleted_details", &opts.deleted_details);
  r.Read("subjects_filter", &opts.subjects_filter);
  if (!r.ok()) return MakeStreamInfoErrorResponse(MakeApiError(ApiErrorId::kInvalidJSON));
  std::shared_ptr<Stream> s = Find(name);
  if (s == nullptr) return MakeStreamInfoErrorResponse(MakeApiError(ApiErrorId::kStreamNotFound));
  StreamInfo info = s->Info(opts);
  int total = static_cast<int>(info.state.subjects.size());
  return MakeStreamInfoResponse(info, opts.subjects_filter.empty() ? 0 : total, 0,
                                opts.subjects_filter.empty() ? 0 : 100000);
}

Json AccountJetStream::StreamDelete(std::string_view name) {
  std::shared_ptr<Stream> s;
  {
    std::lock_guard lock(mu_);
    auto it = streams_.find(std::string(name));
    if (it == streams_.end()) return Error(rt::kStreamDelete, ApiErrorId::kStreamNotFound);
    s = std::move(it->second);
    streams_.erase(it);
  }
  if (Status st = s->Delete(); !st.ok()) {
    return Error(rt::kStreamDelete, ApiErrorId::kStreamDelete, {{"err", st.message()}});
  }
  Json out = MakeApiResponse(rt::kStreamDelete, Json::object());
  out["success"] = true;
  return out;
}

namespace {

struct PageRequest {
  int offset = 0;
  std::string subject;
  bool ok = true;
};

PageRequest ParsePage(std::string_view body) {
  PageRequest p;
  auto j = ParseBody(body);
  if (!j) {
    p.ok = false;
    return p;
  }
  JsonObjectReader r(*j);
  int64_t offset = 0;
  r.Read("offset", &offset);
  r.Read("subject", &p.subject);
  p.ok = r.ok();
  p.offset = static_cast<int>(std::max<int64_t>(offset, 0));
  return p;
}

bool MatchesSubjectFilter(const StreamConfig& cfg, std::string_view filter) {
  if (filter.empty()) return true;
  for (const auto& s : cfg.subjects) {
    if (routing::SubjectsCollide(s, filter)) return true;
  }
  return false;
}

}  // namespace

Json AccountJetStream::StreamNames(std::string_view body) {
  PageRequest page = ParsePage(body);
  if (!page.ok) return Error(rt::kStreamNames, ApiErrorId::kInvalidJSON);
  std::vector<std::string> names;
  for (auto& s : Streams()) {
    if (MatchesSubjectFilter(s->config(), page.subject)) names.push_back(s->name());
  }
  Json out = MakeApiResponse(rt::kStreamNames, Json::object());
  out["total"] = names.size();
  out["offset"] = page.offset;
  out["limit"] = kStreamNamesLimit;
  Json list = Json::array();
  for (size_t i = static_cast<size_t>(page.offset);
       i < names.size() && list.size() < static_cast<size_t>(kStreamNamesLimit); ++i) {
    list.push_back(names[i]);
  }
  out["streams"] = std::move(list);
  return out;
}

Json AccountJetStream::StreamList(std::string_view body) {
  PageRequest page = ParsePage(body);
  if (!page.ok) return Error(rt::kStreamList, ApiErrorId::kInvalidJSON);
  std::vector<std::shared_ptr<Stream>> streams;
  for (auto& s : Streams()) {
    if (MatchesSubjectFilter(s->config(), page.subject)) streams.push_back(s);
  }
  Json out = MakeApiResponse(rt::kStreamList, Json::object());
  out["total"] = streams.size();
  out["offset"] = page.offset;
  out["limit"] = kStreamListLimit;
  Json list = Json::array();
  for (size_t i = static_cast<size_t>(page.offset);
       i < streams.size() && list.size() < static_cast<size_t>(kStreamListLimit); ++i) {
    list.push_back(EncodeStreamInfo(streams[i]->Info({})));
  }
  out["streams"] = std::move(list);
  return out;
}

Json AccountJetStream::StreamPurge(std::string_view name, std::string_view body) {
  auto j = ParseBody(body);
  if (!j) return Error(rt::kStreamPurge, ApiErrorId::kInvalidJSON);
  PurgeRequest req;
  JsonObjectReader r(*j);
  r.Read("filter", &req.filter);
  r.Read("seq", &req.seq);
  r.Read("keep", &req.keep);
  if (!r.ok()) return Error(rt::kStreamPurge, ApiErrorId::kInvalidJSON);
  std::shared_ptr<Stream> s = Find(name);
  if (s == nullptr) return Error(rt::kStreamPurge, ApiErrorId::kStreamNotFound);
  if (req.seq > 0 && req.keep > 0) return Error(rt::kStreamPurge, ApiErrorId::kBadRequest);
  ApiResult<uint64_t> n = s->Purge(req);
  if (!n.ok()) return MakeApiErrorResponse(rt::kStreamPurge, n.error());
  Json out = MakeApiResponse(rt::kStreamPurge, Json::object());
  out["success"] = true;
  out["purged"] = *n;
  return out;
}

Json AccountJetStream::StreamMsgGet(std::string_view name, std::string_view body) {
  auto j = ParseBody(body);
  if (!j || body.empty()) return Error(rt::kStreamMsgGet, ApiErrorId::kInvalidJSON);
  MsgGetRequest req;
  JsonObjectReader r(*j);
  r.Read("seq", &req.seq);
  r.Read("last_by_subj", &req.last_by_subject);
  r.Read("next_by_subj", &req.next_by_subject);
  if (!r.ok()) return Error(rt::kStreamMsgGet, ApiErrorId::kInvalidJSON);
  int forms = (req.seq > 0 && req.next_by_subject.empty() ? 1 : 0) +
              (!req.last_by_subject.empty() ? 1 : 0) + (!req.next_by_subject.empty() ? 1 : 0);
  if (forms != 1) return Error(rt::kStreamMsgGet, ApiErrorId::kBadRequest);
  std::shared_ptr<Stream> s = Find(name);
  if (s == nullptr) return Error(rt::kStreamMsgGet, ApiErrorId::kStreamNotFound);
  ApiResult<store::StoredMsg> m = s->GetMsg(req);
  if (!m.ok()) return MakeApiErrorResponse(rt::kStreamMsgGet, m.error());
  Json msg;
  msg["subject"] = m->subject();
  msg["seq"] = m->seq().value;
  if (!m->headers().empty()) msg["hdrs"] = Base64(m->headers());
  if (!m->payload().empty()) msg["data"] = Base64(m->payload());
  msg["time"] = FormatTime(m->timestamp_ns());
  Json out = MakeApiResponse(rt::kStreamMsgGet, Json::object());
  out["message"] = std::move(msg);
  return out;
}

Json AccountJetStream::StreamMsgDelete(std::string_view name, std::string_view body) {
  auto j = ParseBody(body);
  if (!j || body.empty()) return Error(rt::kStreamMsgDelete, ApiErrorId::kInvalidJSON);
  uint64_t seq = 0;
  bool no_erase = false;
  JsonObjectReader r(*j);
  r.Read("seq", &seq);
  r.Read("no_erase", &no_erase);
  if (!r.ok()) return Error(rt::kStreamMsgDelete, ApiErrorId::kInvalidJSON);
  std::shared_ptr<Stream> s = Find(name);
  if (s == nullptr) return Error(rt::kStreamMsgDelete, ApiErrorId::kStreamNotFound);
  if (ApiStatus st = s->DeleteMsg(seq, no_erase); !IsOk(st)) {
    return MakeApiErrorResponse(rt::kStreamMsgDelete, std::get<ApiError>(st));
  }
  Json out = MakeApiResponse(rt::kStreamMsgDelete, Json::object());
  out["success"] = true;
  return out;
}

}  // namespace spate::jetstream
