#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/jetstream_config.h"
#include "common/status.h"

namespace spate::client {

class Connection;
class JetStream;
class OrderedConsumer;
namespace detail {
struct JetStreamState;
struct WatchQueue;
}  // namespace detail

// Key-value buckets on JetStream, as nats.go lays them out: bucket "b" is the stream "KV_b" on
// subjects "$KV.b.>", a key is the subject "$KV.b.<key>", a revision is a stream sequence and a
// delete or purge is a marker message with the header "KV-Operation: DEL" / "PURGE" (a purge also
// carries "Nats-Rollup: sub", which drops the key's older revisions).

enum class KvOp : uint8_t { kPut, kDelete, kPurge };

struct KvEntry {
  std::string bucket;
  std::string key;
  std::string value;
  uint64_t revision = 0;
  Timestamp created;
  uint64_t delta = 0;  // watchers: how many newer messages the watch still has to deliver
  KvOp operation = KvOp::kPut;
};

struct KvConfig {
  std::string bucket;
  std::string description;
  int history = 1;  // revisions kept per key, 1..64
  Nanos ttl{0};     // 0: values never expire
  int32_t max_value_size = -1;
  int64_t max_bytes = -1;
  StorageType storage = StorageType::kFile;
  int replicas = 1;
};

inline constexpr std::string_view kKeyNotFoundText = "key not found";
inline constexpr std::string_view kKeyExistsText = "key exists";
inline constexpr std::string_view kBucketNotFoundText = "bucket not found";
// Get/History of a key that has no value (never written, deleted or purged).
inline bool IsKeyNotFound(const Status& s) {
  return s.code() == Status::Code::kNotFound && s.message().starts_with(kKeyNotFoundText);
}
// Create of a key that has a value.
inline bool IsKeyExists(const Status& s) {
  return s.code() == Status::Code::kAlreadyExists && s.message().starts_with(kKeyExistsText);
}

// nats.go's rules: keys of [-/_=.a-zA-Z0-9] not starting or ending with '.'; buckets of
// [a-zA-Z0-9_-].
bool IsValidKey(std::string_view key);
bool IsValidBucketName(std::string_view bucket);

// Updates of a bucket (or the keys matching a pattern), in order. First the current values
// (last per key, or every kept revision with include_history), then a "no more initial values"
// marker (an empty optional), then live updates. Backed by an ordered consumer.
// Threading: Next() from one thread at a time; entries are queued by the dispatcher thread.
class KvWatcher {
 public:
  ~KvWatcher();
  KvWatcher(const KvWatcher&) = delete;
  KvWatcher& operator=(const KvWatcher&) = delete;

  // The next entry, or nullopt for the initial-values marker; IsTimeout when none came in time.
  // On the connection's I/O thread (an inline handler) it fails at once with IoThreadError():
  // entries come in through that thread, so waiting there would stall the connection.
  Result<std::optional<KvEntry>> Next(std::chrono::milliseconds timeout);
  void Stop();

 private:
  friend class KeyValue;
  KvWatcher() = default;
  std::shared_ptr<detail::WatchQueue> queue_;
  std::unique_ptr<OrderedConsumer> consumer_;
  const Connection* conn_ = nullptr;
};

struct KvWatchOptions {
  bool include_history = false;  // every kept revision, not just the last per key
  bool ignore_deletes = false;   // no delete/purge markers
  bool meta_only = false;        // no values (headers_only)
};

// A handle on one bucket (copies share it). The JetStream context's Connection must outlive it.
// Threading: every method may be called from any thread.
class KeyValue {
 public:
  const std::string& bucket() const { return bucket_; }

  // Returns the new revision.
  Result<uint64_t> Put(std::string_view key, std::string_view value);
  // Only when the key has no value: never written, or its last revision is a delete or purge
  // marker (then the marker's revision is the expected one). IsKeyExists() otherwise.
  Result<uint64_t> Create(std::string_view key, std::string_view value);
  // Only when the key's last revision is `revision` (ApiError 10071 otherwise).
  Result<uint64_t> Update(std::string_view key, std::string_view value, uint64_t revision);
  // The current value; IsKeyNotFound() when there is none. Uses Direct Get when the bucket
  // allows it, else STREAM.MSG.GET.
  Result<KvEntry> Get(std::string_view key);
  // A delete marker: the key reads as not found, its history stays.
  Status Delete(std::string_view key);
  // A purge marker that also drops every older revision of the key.
  Status Purge(std::string_view key);
  // Keys that have a value (markers excluded).
  Result<std::vector<std::string>> Keys();
  // Every kept revision of the key, oldest first (markers included); IsKeyNotFound() if none.
  Result<std::vector<KvEntry>> History(std::string_view key);
  // `keys`: a key or a pattern with '*' / '>' (">" watches everything).
  Result<std::unique_ptr<KvWatcher>> Watch(std::string_view keys, KvWatchOptions options = {});
  Result<std::unique_ptr<KvWatcher>> WatchAll(KvWatchOptions options = {}) {
    return Watch(">", options);
  }

 private:
  friend class JetStream;
  Result<KvEntry> GetAny(std::string_view key);  // markers included
  Result<uint64_t> PutMarker(std::string_view key, KvOp op);
  std::string Subject(std::string_view key) const { return prefix_ + std::string(key); }
  std::shared_ptr<detail::JetStreamState> js_;
  std::string bucket_;
  std::string stream_;  // "KV_<bucket>"
  std::string prefix_;  // "$KV.<bucket>."
  bool direct_ = false;
};

}  // namespace spate::client
