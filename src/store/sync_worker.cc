#include "store/sync_worker.h"

#include <algorithm>

namespace spate::store {

SyncWorker::SyncWorker(SyncMode mode, std::chrono::nanoseconds interval, StoreStats* stats,
                       LatencyHistogram* fsync_latency)
    : mode_(mode),
      interval_(interval),
      stats_(stats),
      fsync_latency_(fsync_latency),
      thread_([this] { Run(); }) {}

SyncWorker::~SyncWorker() { (void)Stop(); }

void SyncWorker::MarkDirty(const std::shared_ptr<File>& file) {
  std::lock_guard lock(mu_);
  ++written_epoch_;
  if (std::find(dirty_.begin(), dirty_.end(), file) == dirty_.end()) dirty_.push_back(file);
  if (mode_ == SyncMode::kAlways) work_cv_.notify_one();
}

void SyncWorker::AddWaiter(StreamSeq seq, DurableCallback callback) {
  {
    std::lock_guard lock(mu_);
    if (failure_.ok()) {
      waiters_.emplace_back(seq, std::move(callback));
      work_cv_.notify_one();
      return;
    }
  }
  callback(seq, Failure());
}

Status SyncWorker::WaitAll() {
  std::unique_lock lock(mu_);
  const uint64_t target = written_epoch_;
  if (synced_epoch_ >= target || !failure_.ok()) return failure_;
  wanted_epoch_ = std::max(wanted_epoch_, target);
  work_cv_.notify_one();
  done_cv_.wait(lock, [&] { return synced_epoch_ >= target || !failure_.ok(); });
  return failure_;
}

Status SyncWorker::Failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

bool SyncWorker::HasWork() const {
  // After a failure nothing is synced any more; only waiters remain to be failed.
  if (!failure_.ok()) return !waiters_.empty();
  return !waiters_.empty() || wanted_epoch_ > synced_epoch_ ||
         (mode_ == SyncMode::kAlways && !dirty_.empty());
}

void SyncWorker::Run() {
  std::unique_lock lock(mu_);
  auto next_periodic = std::chrono::steady_clock::now() + interval_;
  while (true) {
    if (mode_ == SyncMode::kAlways) {
      work_cv_.wait(lock, [&] { return stopping_ || HasWork(); });
    } else {
      work_cv_.wait_until(lock, next_periodic, [&] { return stopping_ || HasWork(); });
      if (std::chrono::steady_clock::now() >= next_periodic) {
        next_periodic = std::chrono::steady_clock::now() + interval_;
      }
    }
    std::vector<std::shared_ptr<File>> files;
    files.swap(dirty_);
    std::vector<std::pair<StreamSeq, DurableCallback>> batch;
    batch.swap(waiters_);
    const uint64_t target = written_epoch_;
    const bool stop = stopping_;
    Status status = failure_;
    lock.unlock();

    if (status.ok()) {
      for (const std::shared_ptr<File>& file : files) {
        const auto started = std::chrono::steady_clock::now();
        status = file->Sync();
        if (fsync_latency_ != nullptr) {
          fsync_latency_->Record(std::chrono::steady_clock::now() - started);
        }
        stats_->fsyncs.fetch_add(1, std::memory_order_relaxed);
        if (!status.ok()) break;
      }
    }
    files.clear();  // a removed block's file closes here, off the owner's thread

    lock.lock();
    if (status.ok()) {
      synced_epoch_ = std::max(synced_epoch_, target);
    } else if (failure_.ok()) {
      failure_ = status;
    }
    done_cv_.notify_all();
    lock.unlock();
    for (auto& [seq, callback] : batch) callback(seq, status);
    lock.lock();
    if (stop && !HasWork() && (dirty_.empty() || !failure_.ok())) return;
  }
}

Status SyncWorker::Stop(bool sync_dirty) {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return failure_;
    stopping_ = true;
    if (sync_dirty) {
      wanted_epoch_ = written_epoch_;
    } else {
      dirty_.clear();
    }
    work_cv_.notify_one();
  }
  thread_.join();
  return Failure();
}

}  // namespace spate::store
