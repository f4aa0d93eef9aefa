// Measures FileStore throughput in both durability modes, group commit, and reopen time of a
// 1,000,000-message stream with and without the index snapshot. Prints numbers; asserts nothing.
// Not a test (it is not registered with ctest): run build/bin/store_bench [dir] [messages], or
// build/bin/store_bench open STORE_DIR [rounds] to time opening an existing store (e.g. a
// stream's directory under a server's store_dir).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "store/file_store.h"
#include "store_test_util.h"

namespace spate::store {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::unique_ptr<FileStore> OpenOrDie(const FileStoreOptions& options) {
  Result<std::unique_ptr<FileStore>> store = FileStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "open %s: %s\n", options.dir.c_str(), store.status().message().c_str());
    std::exit(1);
  }
  return std::move(store).value();
}

const std::string kPayload(128, 'p');

void BlockingAppends(const std::string& dir, SyncMode mode, int count) {
  FileStoreOptions options{.dir = dir, .sync = mode};
  auto store = OpenOrDie(options);
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    if (!store->Append("bench.blocking", {}, kPayload, i).ok()) std::exit(1);
  }
  const double secs = Seconds(start);
  std::printf(
      "%-9s Append (one at a time, waits for durability): %8.0f msgs/s  (%d msgs, %llu fsyncs)\n",
      mode == SyncMode::kAlways ? "always" : "interval", count / secs, count,
      static_cast<unsigned long long>(store->stats().fsyncs.load()));
}

void PipelinedAppends(const std::string& dir, SyncMode mode, int count) {
  FileStoreOptions options{.dir = dir, .sync = mode};
  auto store = OpenOrDie(options);
  std::atomic<int> done{0};
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    Result<StreamSeq> seq =
        store->AppendAsync("bench.async", {}, kPayload, i, [&](StreamSeq, Status st) {
          if (!st.ok()) std::abort();
          done.fetch_add(1, std::memory_order_relaxed);
        });
    if (!seq.ok()) std::exit(1);
  }
  while (done.load() < count) std::this_thread::yield();
  const double secs = Seconds(start);
  std::printf(
      "%-9s AppendAsync (all in flight, acked when durable): %8.0f msgs/s  (%d msgs, %llu fsyncs, "
      "%.1f fsyncs per 1000 appends)\n",
      mode == SyncMode::kAlways ? "always" : "interval", count / secs, count,
      static_cast<unsigned long long>(store->stats().fsyncs.load()),
      1000.0 * static_cast<double>(store->stats().fsyncs.load()) / count);
}

void Reopen(const std::string& dir, int count, size_t payload_size) {
  const std::string payload(payload_size, 'r');
  FileStoreOptions options{.dir = dir, .sync = SyncMode::kInterval};
  {
    auto store = OpenOrDie(options);
    const auto start = Clock::now();
    for (int i = 0; i < count; ++i) {
      if (!store->AppendAsync("orders." + std::to_string(i % 1000), {}, payload, i, {}).ok()) {
        std::exit(1);
      }
    }
    std::printf("wrote %d msgs (%zu B payload, 1000 subjects) in %.2f s; ", count, payload_size,
                Seconds(start));
    const size_t blocks = store->num_blocks();
    const auto stop_start = Clock::now();
    if (!store->Stop().ok()) std::exit(1);
    std::printf("Stop (sync + index snapshot) %.0f ms; %zu blocks\n", Seconds(stop_start) * 1e3,
                blocks);
  }
  uint64_t disk = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) disk += entry.file_size();
  }
  std::printf("on disk: %.1f MiB (snapshot %.1f MiB)\n", disk / 1048576.0,
              std::filesystem::file_size(dir + "/index.snap") / 1048576.0);
  for (int round = 0; round < 3; ++round) {
    auto start = Clock::now();
    auto store = OpenOrDie(options);
    std::printf("reopen with snapshot:    %.0f ms (msgs %llu, snapshot used %llu)\n",
                Seconds(start) * 1e3, static_cast<unsigned long long>(store->State().msgs),
                static_cast<unsigned long long>(store->stats().snapshot_loads.load()));
    options.write_index_snapshot = false;  // keep the snapshot exactly as first written
  }
  std::filesystem::remove(dir + "/index.snap");
  for (int round = 0; round < 3; ++round) {
    auto start = Clock::now();
    auto store = OpenOrDie(options);
    std::printf("reopen without snapshot: %.0f ms (msgs %llu, full scan with checksums)\n",
                Seconds(start) * 1e3, static_cast<unsigned long long>(store->State().msgs));
  }
}

void OpenExisting(const std::string& dir, int rounds) {
  FileStoreOptions options{.dir = dir, .sync = SyncMode::kInterval, .write_index_snapshot = false};
  for (int round = 0; round < rounds; ++round) {
    const auto start = Clock::now();
    auto store = OpenOrDie(options);
    const double open_ms = Seconds(start) * 1e3;
    const StreamState state = store->State();
    std::printf("open %s: %.1f ms (msgs %llu, snapshot used %llu)\n", dir.c_str(), open_ms,
                static_cast<unsigned long long>(state.msgs),
                static_cast<unsigned long long>(store->stats().snapshot_loads.load()));
  }
}

}  // namespace
}  // namespace spate::store

int main(int argc, char** argv) {
  using namespace spate::store;
  if (argc > 2 && std::string_view(argv[1]) == "open") {
    OpenExisting(argv[2], argc > 3 ? std::atoi(argv[3]) : 5);
    return 0;
  }
  test::ScratchDir scratch;
  const std::string base = argc > 1 ? argv[1] : scratch.path();
  const int count = argc > 2 ? std::atoi(argv[2]) : 1'000'000;
  std::printf("directory: %s\n", base.c_str());
  if (std::getenv("STORE_BENCH_REOPEN_ONLY") == nullptr) {
    BlockingAppends(base + "/blocking-always", SyncMode::kAlways, 2000);
    BlockingAppends(base + "/blocking-interval", SyncMode::kInterval, 200000);
    PipelinedAppends(base + "/burst-always", SyncMode::kAlways, 1000);
    PipelinedAppends(base + "/async-always", SyncMode::kAlways, 200000);
    PipelinedAppends(base + "/async-interval", SyncMode::kInterval, 200000);
  }
  Reopen(base + "/reopen", count, 16);
  std::filesystem::remove_all(base + "/reopen");
  Reopen(base + "/reopen", count / 5, 1024);
  std::filesystem::remove_all(base + "/blocking-always");
  std::filesystem::remove_all(base + "/blocking-interval");
  std::filesystem::remove_all(base + "/async-always");
  std::filesystem::remove_all(base + "/burst-always");
  std::filesystem::remove_all(base + "/async-interval");
  std::filesystem::remove_all(base + "/reopen");
  return 0;
}
