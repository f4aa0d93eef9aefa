#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/strong_id.h"
#include "store/store_limits.h"
#include "store/stored_msg.h"

namespace spate::store {

struct StreamState {
  uint64_t msgs = 0;
  uint64_t bytes = 0;     // sum of StoredSize() over live messages
  StreamSeq first_seq{};  // first live message, or last_seq + 1 when empty
  int64_t first_ts_ns = 0;
  StreamSeq last_seq{};  // highest sequence ever assigned (survives purge and removal)
  int64_t last_ts_ns = 0;
  uint64_t num_deleted = 0;  // gaps between first_seq and last_seq
  uint64_t num_subjects = 0;
  std::vector<StreamSeq> deleted;  // filled only when asked for (StateOptions::include_deleted)
};

struct StateOptions {
  bool include_deleted = false;
};

struct SubjectState {
  uint64_t msgs = 0;
  StreamSeq first_seq{};
  StreamSeq last_seq{};
};

// Runs when an appended message meets the store's durability condition, with Ok, or with the
// I/O error that prevented it. May run inline (before AppendAsync returns) or on a store-owned
// thread (FileStore's sync thread): post the result to your own loop rather than touching loop
// state from it.
using DurableCallback = std::function<void(StreamSeq seq, Status status)>;

// Storage of one stream: messages keyed by a sequence the store assigns, a per-subject index,
// and the stream's limits.
//
// Threading: every method is called from the stream's owner (one loop or stream worker), never
// concurrently. Only DurableCallbacks run elsewhere.
//
// Replication: every method that changes state takes all its inputs as arguments (timestamps
// and `now` are passed in, the store never reads a clock) and gives the same result on the same
// prior state, so each call can be a Raft log entry replayed on every replica. Sequences are
// assigned deterministically (last_seq + 1).
//
// Filters: "" and ">" match every subject; otherwise NATS wildcards ('*', '>') as in
// routing::SubjectMatchesFilter.
class StreamStore {
 public:
  virtual ~StreamStore() = default;

  // Stores a message and returns its sequence once the durability condition holds (FileStore
  // with sync always: after the fdatasync covering it). Refusals by limits: see AppendRefusal.
  virtual Result<StreamSeq> Append(std::string_view subject, std::string_view headers,
                                   std::string_view payload, int64_t timestamp_ns) = 0;
  // Same, without waiting: the message is stored (FileStore: written to the OS) and its sequence
  // returned; `on_durable` runs later, exactly once, iff this returns a sequence. An event loop
  // submits many of these and sends PubAcks from the callbacks.
  virtual Result<StreamSeq> AppendAsync(std::string_view subject, std::string_view headers,
                                        std::string_view payload, int64_t timestamp_ns,
                                        DurableCallback on_durable) = 0;

  // NotFound if `seq` was never stored or is gone.
  virtual Result<StoredMsg> Load(StreamSeq seq) = 0;
  // First message with sequence >= start whose subject matches `filter`; NotFound if none.
  virtual Result<StoredMsg> LoadNext(std::string_view filter, StreamSeq start) = 0;
  // Last message whose subject matches `filter`; NotFound if none.
  virtual Result<StoredMsg> LoadLast(std::string_view filter) = 0;

  // Removes one message (a tombstone in FileStore). NotFound if absent.
  virtual Status Remove(StreamSeq seq) = 0;
  // Removes one message and overwrites its bytes on disk (FileStore) so they cannot be recovered.
  virtual Status Erase(StreamSeq seq) = 0;
  // Removes every message; last_seq is kept and first_seq becomes last_seq + 1. Returns the count.
  virtual Result<uint64_t> Purge() = 0;
  // Removes messages matching `filter` with sequence < `up_to` (0: no bound), keeping the newest
  // `keep` matching messages (0: keep none). nats-server's PurgeEx. Returns the count.
  virtual Result<uint64_t> PurgeFiltered(std::string_view filter, StreamSeq up_to,
                                         uint64_t keep) = 0;
  // Removes every message with sequence < `seq`; if `seq` is past the end, the next Append gets
  // `seq`. Returns the count.
  virtual Result<uint64_t> Compact(StreamSeq seq) = 0;
  // Removes messages from the front whose timestamp is <= now - max_age. The owner calls it
  // periodically. Returns the count.
  virtual Result<uint64_t> ExpireOlderThan(int64_t now_ns) = 0;
  // Applies new limits, removing from the front what the new limits no longer allow.
  virtual Status UpdateLimits(const StoreLimits& limits) = 0;

  virtual StreamState State(const StateOptions& options = {}) const = 0;
  // Per-subject counts for subjects matching `filter`.
  virtual std::map<std::string, SubjectState> SubjectsState(std::string_view filter) const = 0;
  // Number of messages with sequence >= start whose subject matches `filter`.
  virtual uint64_t NumPending(std::string_view filter, StreamSeq start) const = 0;
  // For callers that keep counts derived from the store up to date themselves (a consumer's
  // pending count): RemovalCount() grows by one with every message removed, and
  // AnyRemovedSince(count, seq) tells whether a message with sequence >= seq was removed since
  // RemovalCount() was `count` (true also when the store can no longer tell).
  virtual uint64_t RemovalCount() const = 0;
  virtual bool AnyRemovedSince(uint64_t count, uint64_t seq) const = 0;

  // Makes everything stored so far durable (FileStore: fdatasync now).
  virtual Status Sync() = 0;
  // Whether writing what makes the next open fast is due (FileStore: the index snapshot, every
  // `snapshot_every` after changes), and writing it. The owner checks periodically, so that a
  // restart after a crash has little to scan.
  virtual bool CheckpointDue() const { return false; }
  virtual Status Checkpoint() { return Status::Ok(); }
  // Flushes, writes what makes the next open fast, and releases files and threads. Every
  // pending DurableCallback has run when it returns. Further calls fail with Unavailable.
  virtual Status Stop() = 0;
};

// Maps an Append error to the limit that refused the message (kNone for any other error).
AppendRefusal AppendRefusalOf(const Status& status);

}  // namespace spate::store
