#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/file_system.h"

namespace spate::store {

// Wraps another FileSystem and fails chosen operations, for tests (LevelDB's fault injection
// env, nats-server's mockWriteErr). Counts every file write and sync so tests can assert on
// group commit. Arm a fault with Fail*At(n): the n-th such operation from now fails (1 = next).
// Threading: every member is safe from any thread.
class FaultInjectionFileSystem final : public FileSystem {
 public:
  explicit FaultInjectionFileSystem(FileSystem* base = FileSystem::Posix()) : base_(base) {}

  // The n-th PWrite fails without writing.
  void FailWriteAt(uint64_t n) { fail_write_at_ = writes_.load() + n; }
  // The n-th PWrite writes the first half of its data, then fails.
  void ShortWriteAt(uint64_t n) { short_write_at_ = writes_.load() + n; }
  // The n-th file Sync fails (directory syncs are not counted).
  void FailSyncAt(uint64_t n) { fail_sync_at_ = syncs_.load() + n; }
  // Every Sync takes at least this long (to model a disk, so that group commit has
  // something to group).
  void SetSyncDelay(std::chrono::microseconds delay) { sync_delay_us_ = delay.count(); }

  uint64_t writes() const { return writes_.load(); }
  uint64_t syncs() const { return syncs_.load(); }

  Result<std::shared_ptr<File>> OpenFile(const std::string& path, bool create) override;
  Result<std::shared_ptr<File>> OpenDir(const std::string& path) override {
    return base_->OpenDir(path);
  }
  Status CreateDirs(const std::string& path) override { return base_->CreateDirs(path); }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    return base_->ListDir(path);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    return base_->Rename(from, to);
  }
  Status RemoveFile(const std::string& path) override { return base_->RemoveFile(path); }
  bool Exists(const std::string& path) override { return base_->Exists(path); }

 private:
  friend class FaultInjectionFile;
  FileSystem* base_;
  std::atomic<uint64_t> writes_{0};
  std::atomic<uint64_t> syncs_{0};
  std::atomic<uint64_t> fail_write_at_{0};
  std::atomic<uint64_t> short_write_at_{0};
  std::atomic<uint64_t> fail_sync_at_{0};
  std::atomic<int64_t> sync_delay_us_{0};
};

}  // namespace spate::store
