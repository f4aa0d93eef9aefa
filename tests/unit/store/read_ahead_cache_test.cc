#include "store/read_ahead_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace spate::store {
namespace {

// A file in memory that counts its reads.
class CountingFile final : public File {
 public:
  explicit CountingFile(std::string bytes) : bytes_(std::move(bytes)) {}
  Status PWrite(uint64_t offset, std::string_view data) override {
    if (bytes_.size() < offset + data.size()) bytes_.resize(offset + data.size());
    bytes_.replace(offset, data.size(), data);
    return Status::Ok();
  }
  Result<size_t> PRead(uint64_t offset, size_t size, char* out) override {
    ++reads;
    if (offset >= bytes_.size()) return size_t{0};
    const size_t n = std::min(size, bytes_.size() - offset);
    bytes_.copy(out, n, offset);
    return n;
  }
  Status Sync() override { return Status::Ok(); }
  Status Truncate(uint64_t size) override {
    bytes_.resize(size);
    return Status::Ok();
  }
  Result<uint64_t> Size() override { return bytes_.size(); }
  const std::string& bytes() const { return bytes_; }
  int reads = 0;

 private:
  std::string bytes_;
};

std::string Pattern(size_t n, char salt) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + salt) % 26);
  return s;
}

constexpr size_t kWindow = ReadAheadCache::kWindowBytes;

TEST(ReadAheadCacheTest, ReadsInOrderCostOneFileReadPerWindow) {
  ReadAheadCache cache;
  CountingFile file(Pattern(3 * kWindow, 1));
  const uint64_t version = ReadAheadCache::NewVersion();
  std::string out;
  for (uint64_t offset = 0; offset + 100 <= file.bytes().size(); offset += 100) {
    ASSERT_TRUE(cache.Read(file, version, file.bytes().size(), offset, 100, &out).ok());
    ASSERT_EQ(out, file.bytes().substr(offset, 100)) << "offset " << offset;
  }
  // A record crossing a window's end starts a new window: about one read per window.
  EXPECT_LE(file.reads, 4);
  EXPECT_GE(file.reads, 3);
}

TEST(ReadAheadCacheTest, ANewVersionNeverSeesTheOldBytes) {
  ReadAheadCache cache;
  CountingFile file(Pattern(4096, 2));
  uint64_t version = ReadAheadCache::NewVersion();
  std::string out;
  ASSERT_TRUE(cache.Read(file, version, 4096, 0, 64, &out).ok());
  ASSERT_TRUE(file.PWrite(100, "CHANGED").ok());
  // Same version: served from the window read before the change.
  ASSERT_TRUE(cache.Read(file, version, 4096, 100, 7, &out).ok());
  EXPECT_NE(out, "CHANGED");
  version = ReadAheadCache::NewVersion();
  ASSERT_TRUE(cache.Read(file, version, 4096, 100, 7, &out).ok());
  EXPECT_EQ(out, "CHANGED");
}

TEST(ReadAheadCacheTest, LongRecordsAndTheEndOfTheFile) {
  ReadAheadCache cache;
  CountingFile file(Pattern(2 * kWindow, 3));
  const uint64_t version = ReadAheadCache::NewVersion();
  std::string out;
  // Longer than half a window: read directly, every time.
  ASSERT_TRUE(cache.Read(file, version, 2 * kWindow, 10, kWindow, &out).ok());
  EXPECT_EQ(out, file.bytes().substr(10, kWindow));
  ASSERT_TRUE(cache.Read(file, version, 2 * kWindow, 10, kWindow, &out).ok());
  EXPECT_EQ(file.reads, 2);
  // Past the end: what there is, for the caller to judge.
  ASSERT_TRUE(cache.Read(file, version, 2 * kWindow, 2 * kWindow - 5, 20, &out).ok());
  EXPECT_EQ(out, file.bytes().substr(2 * kWindow - 5));
  // The file grew after a window was read up to its old end: the new bytes are read.
  const uint64_t old_size = file.bytes().size();
  ASSERT_TRUE(file.PWrite(old_size, "tail").ok());
  ASSERT_TRUE(cache.Read(file, version, old_size + 4, old_size, 4, &out).ok());
  EXPECT_EQ(out, "tail");
}

TEST(ReadAheadCacheTest, ManyFilesShareTheBoundedWindows) {
  ReadAheadCache cache;
  std::vector<std::unique_ptr<CountingFile>> files;
  std::vector<uint64_t> versions;
  for (size_t i = 0; i < ReadAheadCache::kWindows * 2; ++i) {
    files.push_back(std::make_unique<CountingFile>(Pattern(1000, static_cast<char>(i))));
    versions.push_back(ReadAheadCache::NewVersion());
  }
  std::string out;
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < files.size(); ++i) {
      ASSERT_TRUE(cache.Read(*files[i], versions[i], 1000, 500, 10, &out).ok());
      ASSERT_EQ(out, files[i]->bytes().substr(500, 10));
    }
  }
  // Twice as many files as windows, visited in turn: every visit misses (LRU), none is wrong.
  for (const auto& f : files) EXPECT_EQ(f->reads, 2);
  // The most recent ones are still there.
  const size_t last = files.size() - 1;
  ASSERT_TRUE(cache.Read(*files[last], versions[last], 1000, 510, 10, &out).ok());
  EXPECT_EQ(files[last]->reads, 2);
}

}  // namespace
}  // namespace spate::store
