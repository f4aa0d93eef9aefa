#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "store/file_store.h"
#include "store/mem_store.h"
#include "store/stream_store.h"

namespace spate::store::test {

// A fresh directory, removed on destruction unless SPATE_TEST_KEEP_DIRS is set.
class ScratchDir {
 public:
  ScratchDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base ? base : "/tmp") + "/spate-store-XXXXXX";
    path_ = ::mkdtemp(templ.data()) ? templ : std::string();
  }
  ~ScratchDir() {
    if (!path_.empty() && std::getenv("SPATE_TEST_KEEP_DIRS") == nullptr) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Polls `cond` until it holds or `timeout` passes (tests never sleep for a fixed time).
template <class Cond>
bool WaitFor(Cond&& cond, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

struct MemStoreFactory {
  static constexpr bool kPersistent = false;
  std::unique_ptr<StreamStore> Make(const StoreLimits& limits = {}) {
    return std::make_unique<MemStore>(limits);
  }
  // Memory stores do not survive a restart; persistent-only tests skip themselves.
  std::unique_ptr<StreamStore> Reopen(std::unique_ptr<StreamStore>, const StoreLimits& = {}) {
    return nullptr;
  }
};

// FileStore with small blocks (so tests roll, compact and delete blocks) and sync always.
struct FileStoreFactory {
  static constexpr bool kPersistent = true;
  FileStoreOptions Options() const {
    FileStoreOptions options;
    options.dir = dir.path() + "/stream";
    options.block_size = 4096;
    options.compact_min_block_bytes = 0;
    options.sync = SyncMode::kAlways;
    return options;
  }
  std::unique_ptr<StreamStore> Make(const StoreLimits& limits = {}) {
    Result<std::unique_ptr<FileStore>> store = FileStore::Open(Options(), limits);
    if (!store.ok()) ADD_FAILURE() << store.status().message();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  std::unique_ptr<StreamStore> Reopen(std::unique_ptr<StreamStore> store,
                                      const StoreLimits& limits = {}) {
    if (store) {
      EXPECT_TRUE(store->Stop().ok());
    }
    store.reset();
    return Make(limits);
  }
  ScratchDir dir;
};

// FileStore with default blocks and interval sync.
struct FileStoreIntervalFactory : FileStoreFactory {
  FileStoreOptions Options() const {
    FileStoreOptions options = FileStoreFactory::Options();
    options.block_size = FileStoreOptions{}.block_size;
    options.compact_min_block_bytes = FileStoreOptions{}.compact_min_block_bytes;
    options.sync = SyncMode::kInterval;
    options.sync_interval = std::chrono::milliseconds(20);
    return options;
  }
  std::unique_ptr<StreamStore> Make(const StoreLimits& limits = {}) {
    Result<std::unique_ptr<FileStore>> store = FileStore::Open(Options(), limits);
    if (!store.ok()) ADD_FAILURE() << store.status().message();
    return store.ok() ? std::move(store).value() : nullptr;
  }
};

}  // namespace spate::store::test
