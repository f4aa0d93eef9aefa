// KeyValue: buckets as streams, keys as subjects (the layout nats.go uses).
#include "client/key_value.h"

#include "client/jetstream.h"
#include "client/jetstream_state.h"

namespace spate::client {
namespace {

constexpr int kMaxHistory = 64;
constexpr auto kDefaultDuplicateWindow = std::chrono::minutes(2);

Status KeyNotFound(std::string_view key) {
  return Status::NotFound(std::string(kKeyNotFoundText) + ": '" + std::string(key) + "'");
}

Status BadKey(std::string_view key) {
  return Status::InvalidArgument("invalid key '" + std::string(key) + "'");
}

KvOp OpOf(const Headers& h) {
  const std::optional<std::string_view> op = h.Get("KV-Operation");
  if (!op) return KvOp::kPut;
  if (*op == "DEL") return KvOp::kDelete;
  if (*op == "PURGE") return KvOp::kPurge;
  return KvOp::kPut;
}

}  // namespace

bool IsValidKey(std::string_view key) {
  if (key.empty() || key.front() == '.' || key.back() == '.') return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '/' || c == '_' || c == '=' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool IsValidBucketName(std::string_view bucket) {
  if (bucket.empty()) return false;
  for (char c : bucket) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Result<KeyValue> JetStream::CreateKeyValue(const KvConfig& config) {
  if (!IsValidBucketName(config.bucket)) {
    return Status::InvalidArgument("invalid bucket name '" + config.bucket + "'");
  }
  if (config.history < 1 || config.history > kMaxHistory) {
    return Status::InvalidArgument("history must be 1.." + std::to_string(kMaxHistory));
  }
  StreamConfig s;
  s.name = "KV_" + config.bucket;
  s.description = config.description;
  s.subjects = {"$KV." + config.bucket + ".>"};
  s.max_msgs_per_subject = config.history;
  s.max_bytes = config.max_bytes;
  s.max_age = config.ttl;
  s.max_msg_size = config.max_value_size;
  s.storage = config.storage;
  s.num_replicas = config.replicas;
  s.allow_rollup = true;
  s.deny_delete = true;
  s.allow_direct = true;
  s.discard = DiscardPolicy::kNew;
  s.duplicate_window = kDefaultDuplicateWindow;
  if (config.ttl.count() > 0 && config.ttl < s.duplicate_window) s.duplicate_window = config.ttl;
  SPATE_RETURN_IF_ERROR(AddStream(s).status());
  return GetKeyValue(config.bucket);
}

Result<KeyValue> JetStream::GetKeyValue(std::string_view bucket) {
  if (!IsValidBucketName(bucket)) {
    return Status::InvalidArgument("invalid bucket name '" + std::string(bucket) + "'");
  }
  Result<StreamInfo> info = GetStreamInfo("KV_" + std::string(bucket));
  if (!info.ok()) {
    if (IsApiError(info.status(), kErrStreamNotFound)) {
      return Status::NotFound(std::string(kBucketNotFoundText) + ": '" + std::string(bucket) + "'");
    }
    return info.status();
  }
  if (info->config.max_msgs_per_subject < 1) {
    return Status::NotFound(std::string(kBucketNotFoundText) + ": '" + std::string(bucket) +
                            "' (stream is not a bucket)");
  }
  KeyValue kv;
  kv.js_ = state_;
  kv.bucket_ = std::string(bucket);
  kv.stream_ = "KV_" + kv.bucket_;
  kv.prefix_ = "$KV." + kv.bucket_ + ".";
  kv.direct_ = info->config.allow_direct;
  return kv;
}

Status JetStream::DeleteKeyValue(std::string_view bucket) {
  if (!IsValidBucketName(bucket)) {
    return Status::InvalidArgument("invalid bucket name '" + std::string(bucket) + "'");
  }
  return DeleteStream("KV_" + std::string(bucket));
}

Result<uint64_t> KeyValue::Put(std::string_view key, std::string_view value) {
  if (!IsValidKey(key)) return BadKey(key);
  SPATE_ASSIGN_OR_RETURN(PubAck ack, JetStream(js_).Publish(Subject(key), value));
  return ack.seq;
}

Result<uint64_t> KeyValue::Update(std::string_view key, std::string_view value, uint64_t revision) {
  if (!IsValidKey(key)) return BadKey(key);
  PubOptions o;
  o.expected_last_subject_seq = revision;
  SPATE_ASSIGN_OR_RETURN(PubAck ack, JetStream(js_).Publish(Subject(key), value, o));
  return ack.seq;
}

Result<uint64_t> KeyValue::Create(std::string_view key, std::string_view value) {
  Result<uint64_t> rev = Update(key, value, 0);
  if (rev.ok() || !IsApiError(rev.status(), kErrStreamWrongLastSequence)) return rev;
  // The key has a last revision; if it is a delete or purge marker the key counts as absent, and
  // the marker's revision is what the server expects.
  Result<KvEntry> last = GetAny(key);
  if (last.ok() && last->operation != KvOp::kPut) return Update(key, value, last->revision);
  if (last.ok()) {
    return Status::AlreadyExists(std::string(kKeyExistsText) + ": '" + std::string(key) + "'");
  }
  return last.status();
}

Result<KvEntry> KeyValue::GetAny(std::string_view key) {
  if (!IsValidKey(key)) return BadKey(key);
  JetStream js(js_);
  Result<StoredMsg> m =
      direct_ ? js.DirectGetLastMsg(stream_, Subject(key)) : js.GetLastMsg(stream_, Subject(key));
  if (!m.ok()) {
    if (IsApiError(m.status(), kErrNoMessageFound)) return KeyNotFound(key);
    return m.status();
  }
  KvEntry e;
  e.bucket = bucket_;
  e.key = std::string(key);
  e.value = std::move(m->data);
  e.revision = m->seq;
  e.created = m->time;
  e.operation = OpOf(m->headers);
  return e;
}

Result<KvEntry> KeyValue::Get(std::string_view key) {
  SPATE_ASSIGN_OR_RETURN(KvEntry e, GetAny(key));
  if (e.operation != KvOp::kPut) return KeyNotFound(key);
  return e;
}

Result<uint64_t> KeyValue::PutMarker(std::string_view key, KvOp op) {
  if (!IsValidKey(key)) return BadKey(key);
  Headers h;
  h.Add("KV-Operation", op == KvOp::kDelete ? "DEL" : "PURGE");
  if (op == KvOp::kPurge) h.Add("Nats-Rollup", "sub");
  SPATE_ASSIGN_OR_RETURN(PubAck ack, JetStream(js_).Publish(Subject(key), h, ""));
  return ack.seq;
}

Status KeyValue::Delete(std::string_view key) { return PutMarker(key, KvOp::kDelete).status(); }
Status KeyValue::Purge(std::string_view key) { return PutMarker(key, KvOp::kPurge).status(); }

}  // namespace spate::client
