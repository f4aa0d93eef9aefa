#include "store/seq_index.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>
#include <map>
#include <random>
#include <string>

namespace spate::store {
namespace {

// A value that marks holes itself (as the FileStore's MsgMeta does): zero `size` is a hole.
struct Plain {
  uint64_t tag = 0;
  uint32_t size = 0;
  uint32_t pad = 0;
  bool IsHole() const { return size == 0; }
};
static_assert(SelfMarkingHole<Plain>);
static_assert(!SelfMarkingHole<std::string>);

Plain PlainFor(uint64_t seq) { return Plain{seq * 7, static_cast<uint32_t>(seq % 1000 + 1), 0}; }

// Zeroed memory that stands in for a mapped file region (Adopt unmaps it); nullptr on failure.
void* MapZeros(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

// Writes slots for sequences first .. first + count - 1 into `slots`, leaving every slot i with
// i % hole_every == hole_at a hole (zero bytes); returns the model of what is live.
std::map<uint64_t, uint64_t> FillSlots(Plain* slots, uint64_t first, uint64_t count,
                                       uint64_t hole_every, uint64_t hole_at) {
  std::map<uint64_t, uint64_t> model;
  for (uint64_t i = 0; i < count; ++i) {
    if (i % hole_every == hole_at) continue;
    slots[i] = PlainFor(first + i);
    model[first + i] = first + i;
  }
  return model;
}

// Checks every observable answer of `index` against the model, over the whole sequence range.
template <class Index, class Model, class Same>
void ExpectMatches(const Index& index, const Model& model, uint64_t max_seq, Same same) {
  ASSERT_EQ(index.size(), model.size());
  ASSERT_EQ(index.empty(), model.empty());
  if (model.empty()) return;
  EXPECT_EQ(index.first(), model.begin()->first);
  EXPECT_EQ(index.last(), model.rbegin()->first);
  for (uint64_t seq = 0; seq <= max_seq + 1; ++seq) {
    auto it = model.find(seq);
    const auto* found = index.Find(seq);
    ASSERT_EQ(found != nullptr, it != model.end()) << "seq " << seq;
    if (found != nullptr) {
      ASSERT_TRUE(same(*found, it->second)) << "seq " << seq;
    }
    auto next = model.lower_bound(seq);
    ASSERT_EQ(index.NextLive(seq), next == model.end() ? 0 : next->first) << "seq " << seq;
    ASSERT_EQ(index.CountFrom(seq), static_cast<uint64_t>(std::distance(next, model.end())))
        << "seq " << seq;
  }
  uint64_t visited = 0;
  auto it = model.begin();
  index.ForEachFrom(0, [&](uint64_t seq, const auto&) {
    EXPECT_EQ(seq, it->first);
    ++it;
    ++visited;
    return true;
  });
  EXPECT_EQ(visited, model.size());
}

// Random appends (with gaps) and removals at both ends and in the middle, crossing many chunk
// boundaries (8-slot chunks), so that the small first chunk, its growth, full chunks and the
// freeing of chunks at both ends are all exercised.
TEST(SeqIndexTest, RandomOperationsMatchAMap) {
  std::mt19937_64 rng(42);
  SeqIndex<Plain, 8> plain;
  SeqIndex<std::string, 8> flagged;
  std::map<uint64_t, uint64_t> model;
  uint64_t next = 1;
  for (int step = 0; step < 4000; ++step) {
    const uint64_t dice = rng() % 10;
    if (dice < 6 || model.empty()) {
      next += rng() % 4 == 0 ? 1 + rng() % 20 : 0;  // sometimes a gap
      plain.Add(next, PlainFor(next));
      flagged.Add(next, std::to_string(next));
      model[next] = next;
      ++next;
    } else {
      auto it = model.begin();
      if (dice == 6) {
        it = std::prev(model.end());
      } else if (dice > 7) {
        std::advance(it, static_cast<long>(rng() % model.size()));
      }
      const uint64_t seq = it->first;
      EXPECT_EQ(plain.Remove(seq).tag, seq * 7);
      EXPECT_EQ(flagged.Remove(seq), std::to_string(seq));
      model.erase(it);
    }
    if (step % 97 == 0) {
      ExpectMatches(plain, model, next,
                    [](const Plain& p, uint64_t seq) { return p.tag == seq * 7; });
      ExpectMatches(flagged, model, next,
                    [](const std::string& s, uint64_t seq) { return s == std::to_string(seq); });
    }
  }
}

// An adopted read-only mapping behaves like slots added one by one: lookups, removals (which
// make a chunk writable first), appends after it and freeing the mapped chunks from the front.
TEST(SeqIndexTest, AdoptedMappingBehavesLikeAddedSlots) {
  constexpr size_t kChunk = 512;  // 512 x 16 bytes = 2 pages
  constexpr uint64_t kFirst = 100;
  constexpr uint64_t kCount = kChunk * 3 + 77;
  const size_t bytes = 4 * SeqIndex<Plain, kChunk>::kChunkBytes;
  void* region = MapZeros(bytes);
  ASSERT_NE(region, nullptr);
  auto* slots = static_cast<Plain*>(region);
  std::map<uint64_t, uint64_t> model = FillSlots(slots, kFirst, kCount, 5, 3);
  ASSERT_EQ(mprotect(region, bytes, PROT_READ), 0);  // as FileSystem::MapPrivate hands it out
  SeqIndex<Plain, kChunk> index;
  index.Adopt(kFirst, 0, region, bytes, kCount, model.size());
  auto same = [](const Plain& p, uint64_t seq) { return p.tag == seq * 7; };
  ExpectMatches(index, model, kFirst + kCount, same);

  for (uint64_t seq = kFirst + 10; seq < kFirst + 40; ++seq) {
    if (model.erase(seq) > 0) index.Remove(seq);
  }
  for (uint64_t seq = kFirst + kCount; seq < kFirst + kCount + kChunk * 2; ++seq) {
    index.Add(seq, PlainFor(seq));
    model[seq] = seq;
  }
  ExpectMatches(index, model, kFirst + kCount + kChunk * 2, same);
  // Drain from the front past every mapped chunk.
  while (model.size() > 5) {
    index.Remove(model.begin()->first);
    model.erase(model.begin());
  }
  ExpectMatches(index, model, kFirst + kCount + kChunk * 2, same);
  index.Clear();
  EXPECT_TRUE(index.empty());
}

// A region that reaches to the end of the last chunk its slots touch: that chunk is used where
// it is (no copy) and appends fill it up, then go on in chunks of the index's own.
TEST(SeqIndexTest, AdoptedRegionWithRoomTakesAppendsInPlace) {
  constexpr size_t kChunk = 512;
  constexpr uint64_t kFirst = 7;
  constexpr uint64_t kCount = kChunk * 2 + 100;
  using Index = SeqIndex<Plain, kChunk>;
  const size_t bytes = 3 * Index::kChunkBytes;
  void* region = MapZeros(bytes);
  ASSERT_NE(region, nullptr);
  auto* slots = static_cast<Plain*>(region);
  std::map<uint64_t, uint64_t> model = FillSlots(slots, kFirst, kCount, 7, 2);
  // The slots' pages read-only, as a file mapping; the rest of the last chunk writable.
  const size_t slot_pages = (kCount * sizeof(Plain) + 4095) / 4096 * 4096;
  ASSERT_EQ(mprotect(region, slot_pages, PROT_READ), 0);
  Index index;
  index.Adopt(kFirst, 0, region, bytes, kCount, model.size());
  auto same = [](const Plain& p, uint64_t seq) { return p.tag == seq * 7; };
  ExpectMatches(index, model, kFirst + kCount, same);
  // Fill the adopted last chunk and go past it.
  const uint64_t end = kFirst + 3 * kChunk + 50;
  for (uint64_t seq = kFirst + kCount; seq < end; ++seq) {
    index.Add(seq, PlainFor(seq));
    model[seq] = seq;
  }
  EXPECT_EQ(slots[kCount].tag, (kFirst + kCount) * 7) << "the append went into the region";
  ExpectMatches(index, model, end, same);
  EXPECT_EQ(index.CountFrom(kFirst + 1000),
            static_cast<uint64_t>(std::distance(model.lower_bound(kFirst + 1000), model.end())));
  while (model.size() > 3) {
    index.Remove(model.begin()->first);
    model.erase(model.begin());
  }
  ExpectMatches(index, model, end, same);
  index.Clear();
  EXPECT_TRUE(index.empty());
}

// Slots that start inside the first chunk (the front had passed part of it when it was written
// out): chunk origins line up with the slots, only the used bytes count, adopted chunks start
// clean and anything that writes to a chunk (append, removal) makes it dirty.
TEST(SeqIndexTest, AdoptedAtAnOffsetKeepsTheChunkGridAndTracksDirtyChunks) {
  constexpr size_t kChunk = 512;
  constexpr uint64_t kHead = 300;
  constexpr uint64_t kFirst = 1000;
  constexpr uint64_t kCount = kChunk * 2 + 40;  // positions 300 .. 1363: three chunks
  using Index = SeqIndex<Plain, kChunk>;
  const size_t bytes = 3 * Index::kChunkBytes;
  void* region = MapZeros(bytes);
  ASSERT_NE(region, nullptr);
  auto* slots = static_cast<Plain*>(region);
  for (uint64_t i = 0; i < kHead; ++i) slots[i] = Plain{1, 1, 0};  // stale bytes, not slots
  std::map<uint64_t, uint64_t> model = FillSlots(slots + kHead, kFirst, kCount, 9, 4);
  ASSERT_EQ(mprotect(region, bytes, PROT_READ), 0);
  Index index;
  index.Adopt(kFirst, kHead, region, bytes, kCount, model.size());
  auto same = [](const Plain& p, uint64_t seq) { return p.tag == seq * 7; };
  ExpectMatches(index, model, kFirst + kCount, same);
  ASSERT_EQ(index.num_chunks(), 3u);
  EXPECT_EQ(index.chunk_origin(0), kFirst - kHead);
  EXPECT_EQ(index.chunk_origin(2), kFirst - kHead + 2 * kChunk);
  EXPECT_EQ(index.chunk_used_bytes(0), Index::kChunkBytes);
  EXPECT_EQ(index.chunk_used_bytes(2), (kHead + kCount - 2 * kChunk) * sizeof(Plain));
  EXPECT_EQ(index.chunk_data(1), slots + kChunk);
  for (size_t c = 0; c < 3; ++c) EXPECT_FALSE(index.chunk_dirty(c)) << c;
  EXPECT_TRUE(index.has_mapped_chunks());

  index.Add(kFirst + kCount, PlainFor(kFirst + kCount));  // into the last chunk, in place
  model[kFirst + kCount] = kFirst + kCount;
  EXPECT_EQ(slots[kHead + kCount].tag, (kFirst + kCount) * 7);
  EXPECT_TRUE(index.chunk_dirty(2));
  index.MarkChunkClean(2);
  const uint64_t middle = kFirst - kHead + kChunk + 10;  // in chunk 1
  ASSERT_EQ(model.count(middle), 1u);
  index.Remove(middle);
  model.erase(middle);
  EXPECT_FALSE(index.chunk_dirty(0));
  EXPECT_TRUE(index.chunk_dirty(1));
  EXPECT_FALSE(index.chunk_dirty(2));
  ExpectMatches(index, model, kFirst + kCount + 1, same);
  // Appends past the region go into a new chunk of the index's own, dirty from the start.
  for (uint64_t seq = kFirst + kCount + 1; seq < kFirst - kHead + 3 * kChunk + 5; ++seq) {
    index.Add(seq, PlainFor(seq));
    model[seq] = seq;
  }
  ASSERT_EQ(index.num_chunks(), 4u);
  EXPECT_TRUE(index.chunk_dirty(3));
  EXPECT_EQ(index.chunk_used_bytes(3), 5 * sizeof(Plain));
  ExpectMatches(index, model, kFirst - kHead + 3 * kChunk + 5, same);
  // The front passes the first chunk: it goes, and chunk 0 is the next one, origin and all.
  while (model.begin()->first < kFirst - kHead + kChunk) {
    index.Remove(model.begin()->first);
    model.erase(model.begin());
  }
  ASSERT_EQ(index.num_chunks(), 3u);
  EXPECT_EQ(index.chunk_origin(0), kFirst - kHead + kChunk);
  EXPECT_TRUE(index.chunk_dirty(0));
  index.Clear();
  EXPECT_FALSE(index.has_mapped_chunks());
}

}  // namespace
}  // namespace spate::store
