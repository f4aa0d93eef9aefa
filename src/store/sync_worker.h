#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "store/file_system.h"
#include "store/latency_histogram.h"
#include "store/store_stats.h"
#include "store/stream_store.h"

namespace spate::store {

enum class SyncMode : uint8_t {
  kAlways,    // an append is durable after the fdatasync that covers it (group commit)
  kInterval,  // an append is durable once written to the OS; fdatasync runs periodically
};

// The sync thread of one FileStore: group commit. The owner writes records to the OS, marks the
// files it wrote as dirty and, in kAlways mode, queues a callback per append. The thread takes
// everything queued, runs one fdatasync per dirty file, and completes the whole batch; appends
// that arrive meanwhile form the next batch (LevelDB's BuildBatchGroup, STYLE item 13).
//
// A failed sync is sticky: the page cache may have dropped the unsynced data, and a later
// successful fsync would not bring it back, so every pending and later wait fails with the same
// error and the store refuses writes until it is reopened (and recovery decides what survived).
//
// Threading: MarkDirty/AddWaiter/WaitAll/Failure from the owner; callbacks run on the thread.
// Lock: mu_ is a leaf; callbacks run without it.
class SyncWorker {
 public:
  // `fsync_latency`: where each fdatasync's duration is recorded (may be null; shared).
  SyncWorker(SyncMode mode, std::chrono::nanoseconds interval, StoreStats* stats,
             LatencyHistogram* fsync_latency = nullptr);
  ~SyncWorker();
  SyncWorker(const SyncWorker&) = delete;
  SyncWorker& operator=(const SyncWorker&) = delete;

  // Records that `file` holds data written since its last sync.
  void MarkDirty(const std::shared_ptr<File>& file);
  // Runs `callback` once every write made before this call is synced (or failed).
  void AddWaiter(StreamSeq seq, DurableCallback callback);
  // Blocks until every write made before this call is synced.
  Status WaitAll();
  // Ok, or the sticky sync failure.
  Status Failure() const;
  // Syncs what is dirty (unless `sync_dirty` is false), completes every waiter and joins the
  // thread. Idempotent.
  Status Stop(bool sync_dirty = true);

 private:
  void Run();
  bool HasWork() const;  // requires mu_

  const SyncMode mode_;
  const std::chrono::nanoseconds interval_;
  StoreStats* stats_;
  LatencyHistogram* fsync_latency_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;                             // the thread waits here
  std::condition_variable done_cv_;                             // WaitAll waits here
  std::vector<std::shared_ptr<File>> dirty_;                    // guarded by mu_
  std::vector<std::pair<StreamSeq, DurableCallback>> waiters_;  // guarded by mu_
  uint64_t written_epoch_ = 0;  // bumped by every MarkDirty; guarded by mu_
  uint64_t synced_epoch_ = 0;   // guarded by mu_
  uint64_t wanted_epoch_ = 0;   // a WaitAll wants this synced now; guarded by mu_
  Status failure_;              // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  std::thread thread_;
};

}  // namespace spate::store
