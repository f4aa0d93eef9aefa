#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/assert.h"
#include "store/large_alloc.h"

namespace spate::store {

// A value that tells a hole by itself (all-zero bytes are a hole), so a slot is just the value:
// no flag, no padding, and an array of them can be written to disk and mapped back as it is.
template <class T>
concept SelfMarkingHole = std::is_trivially_copyable_v<T> && requires(const T& value) {
  { value.IsHole() } -> std::same_as<bool>;
};

namespace detail {
template <class T>
struct FlaggedSlot {
  T value{};
  bool live = false;
  bool IsLive() const { return live; }
  T& Value() { return value; }
  static FlaggedSlot Live(T v) { return FlaggedSlot{std::move(v), true}; }
};
template <class T>
struct PlainSlot {
  T value{};  // value-initialised: a hole
  bool IsLive() const { return !value.IsHole(); }
  T& Value() { return value; }
  static PlainSlot Live(T v) { return PlainSlot{v}; }
};
}  // namespace detail

// Per-sequence slots for one stream: slot i holds sequence first() + i. Appends come in
// increasing order, removals anywhere. A removed slot stays as a hole until it reaches either
// end, so the cost is one slot per sequence between the first and the last live message.
//
// Storage: fixed-size chunks of kChunkSlots slots (1.5 MiB for the FileStore's 24-byte slots),
// taken from AllocateLarge so that a big index is backed by huge pages (one page fault per
// 2 MiB: reloading a million-message index is dominated by faults otherwise). A small stream
// has a single chunk that starts small and doubles up to kChunkSlots, so it does not pay a
// full chunk. O(1) append, lookup and removal at either end; the front chunk is freed as soon
// as the front passes it.
// A big index can also start from chunks mapped from a file (Adopt: the FileStore's index
// snapshot), so reopening a stream neither zeroes nor copies memory for it. The mapping is
// read-only; a chunk of it is made writable (mprotect) the first time something may write to it
// (Remove, non-const Find), and the kernel then copies only the pages actually written. The last,
// partly filled chunk is made writable at once and appends go on in it.
// Chunks can be written out one at a time (the FileStore's index snapshot does, as they fill):
// each has a dirty flag, set by anything that writes to it, that the writer clears.
// Invariant: the first and last slots, if any, are live.
// Threading: not thread-safe; owned by the store's owner.
template <class T, size_t kChunkSlots = 65536>
class SeqIndex {
  static_assert((kChunkSlots & (kChunkSlots - 1)) == 0, "chunk size must be a power of two");

 public:
  using Slot = std::conditional_t<SelfMarkingHole<T>, detail::PlainSlot<T>, detail::FlaggedSlot<T>>;
  static constexpr size_t kSlotsPerChunk = kChunkSlots;
  static constexpr size_t kChunkBytes = kChunkSlots * sizeof(Slot);

  SeqIndex() = default;
  SeqIndex(const SeqIndex&) = delete;
  SeqIndex& operator=(const SeqIndex&) = delete;
  ~SeqIndex() { Clear(); }

  bool empty() const { return size_ == 0; }
  uint64_t size() const { return live_; }
  // First and last live sequence; 0 when empty.
  uint64_t first() const { return size_ == 0 ? 0 : base_; }
  uint64_t last() const { return size_ == 0 ? 0 : base_ + size_ - 1; }

  // `seq` must be greater than every sequence added before.
  void Add(uint64_t seq, T value) {
    if (size_ == 0) {
      base_ = seq;
    } else {
      SPATE_ASSERT(seq > last(), "seq index append out of order: last %llu new %llu",
                   static_cast<unsigned long long>(last()), static_cast<unsigned long long>(seq));
      for (uint64_t s = last() + 1; s < seq; ++s) {
        new (PushBack()) Slot{};
        AdjustHoles(head_ + size_ - 1, +1);
      }
    }
    new (PushBack()) Slot(Slot::Live(std::move(value)));
    ++live_;
  }

  // The caller may write through the pointer.
  T* Find(uint64_t seq) {
    if (size_ == 0 || seq < base_ || seq - base_ >= size_) return nullptr;
    Slot& slot = WritableAt(seq - base_);
    return slot.IsLive() ? &slot.Value() : nullptr;
  }
  const T* Find(uint64_t seq) const {
    if (size_ == 0 || seq < base_ || seq - base_ >= size_) return nullptr;
    const Slot& slot = At(seq - base_);
    return slot.IsLive() ? &slot.value : nullptr;
  }

  // Removes `seq` (which must be live) and returns its value.
  T Remove(uint64_t seq) {
    Slot& slot = WritableAt(seq - base_);
    SPATE_ASSERT(slot.IsLive(), "removing a hole at seq %llu",
                 static_cast<unsigned long long>(seq));
    T value = std::move(slot.Value());
    slot = Slot{};
    --live_;
    AdjustHoles(head_ + (seq - base_), +1);
    while (size_ > 0 && !At(0).IsLive()) PopFront();
    while (size_ > 0 && !At(size_ - 1).IsLive()) PopBack();
    return value;
  }

  void Clear() {
    for (size_t i = 0; i < size_; ++i) At(i).~Slot();
    for (size_t i = 0; i < chunks_.size(); ++i) FreeChunk(i);
    chunks_.clear();
    kinds_.clear();
    holes_.clear();
    dirty_.clear();
    chunk_slots_ = 0;
    head_ = 0;
    size_ = 0;
    live_ = 0;
  }

  // Takes over `count` slots for sequences first_seq.. that lie in `region`, a page-aligned
  // private mapping (mmap MAP_PRIVATE, read-only or not) of `region_bytes`, laid out as whole
  // chunks: the first slot is slot `head` of the first chunk. The index unmaps the chunks as the
  // front passes them and the rest at Clear; the last chunk, if partly filled, takes appends
  // where it is (made writable). The index must be empty; slots must be valid (holes are zero
  // bytes) with live ones at both ends; `live` is how many are live. The adopted chunks are
  // clean. Only for self-marking slots, whose bytes are the value.
  void Adopt(uint64_t first_seq, uint64_t head, void* region, size_t region_bytes, uint64_t count,
             uint64_t live) requires SelfMarkingHole<T> {
    SPATE_ASSERT(size_ == 0 && chunks_.empty(), "adopting into a non-empty seq index");
    static_assert(kChunkSlots * sizeof(Slot) % 4096 == 0, "mapped chunks must be whole pages");
    const uint64_t end = head + count;
    const size_t num = count == 0 ? 0 : static_cast<size_t>((end + kChunkSlots - 1) / kChunkSlots);
    SPATE_ASSERT(head < kChunkSlots && region_bytes >= num * kChunkBytes,
                 "adopted region too small for its slots");
    auto* slots = static_cast<Slot*>(region);
    for (size_t i = 0; i < num; ++i) {
      chunks_.push_back(slots + i * kChunkSlots);
      kinds_.push_back(ChunkKind::kMappedReadOnly);
      holes_.push_back(kUnknownHoles);  // counted on first need: reopening stays one pass
      dirty_.push_back(0);
    }
    if (end % kChunkSlots != 0) {
      if (mprotect(chunks_.back(), kChunkBytes, PROT_READ | PROT_WRITE) != 0) {
        SPATE_ASSERT(false, "seq index: cannot make a mapped chunk writable");
      }
      kinds_.back() = ChunkKind::kMappedWritable;
    }
    if (region_bytes > num * kChunkBytes) {
      munmap(static_cast<char*>(region) + num * kChunkBytes, region_bytes - num * kChunkBytes);
    }
    if (count == 0) return;
    chunk_slots_ = kChunkSlots;
    head_ = head;
    base_ = first_seq;
    size_ = count;
    live_ = live;
  }

  // --- Chunk by chunk, for writing the index out (only while it is not empty). ---
  // Chunk c holds sequences chunk_origin(c) .. chunk_origin(c) + kChunkSlots - 1; its bytes
  // before the first slot in use and after the last are stale, not holes.
  size_t num_chunks() const { return chunks_.size(); }
  uint64_t chunk_origin(size_t c) const { return base_ - head_ + c * kChunkSlots; }
  const void* chunk_data(size_t c) const { return chunks_[c]; }
  // Bytes from the chunk's start to the end of its last slot in use.
  size_t chunk_used_bytes(size_t c) const {
    return static_cast<size_t>(std::min<uint64_t>(head_ + size_ - c * kChunkSlots, kChunkSlots) *
                               sizeof(Slot));
  }
  bool chunk_dirty(size_t c) const { return dirty_[c] != 0; }
  void MarkChunkClean(size_t c) { dirty_[c] = 0; }
  bool has_mapped_chunks() const {
    return std::any_of(kinds_.begin(), kinds_.end(),
                       [](ChunkKind k) { return k != ChunkKind::kOwned; });
  }

  // First live sequence >= start, or 0.
  uint64_t NextLive(uint64_t start) const {
    if (size_ == 0) return 0;
    if (start < base_) return base_;
    for (uint64_t i = start - base_; i < size_; ++i) {
      if (At(i).IsLive()) return base_ + i;
    }
    return 0;
  }
  // Last live sequence <= at, or 0.
  uint64_t PrevLive(uint64_t at) const {
    if (size_ == 0 || at < base_) return 0;
    uint64_t i = std::min<uint64_t>(at - base_, size_ - 1);
    for (;; --i) {
      if (At(i).IsLive()) return base_ + i;
      if (i == 0) return 0;
    }
  }

  // How many live sequences are >= start. Consumers ask this for every delivery (the pending
  // count in the ack subject), so it must not walk the slots: without holes it is arithmetic;
  // with holes it sums per-chunk hole counts and scans at most half of one chunk, and only when
  // that chunk has holes.
  uint64_t CountFrom(uint64_t start) const {
    if (size_ == 0 || start > last()) return 0;
    if (start <= base_) return live_;
    const uint64_t span = last() - start + 1;
    const uint64_t holes = size_ - live_;
    if (holes == 0) return span;
    const uint64_t pos = head_ + (start - base_);
    const size_t chunk = pos / kChunkSlots;
    uint64_t before = 0;
    for (size_t c = 0; c < chunk; ++c) before += ChunkHoles(c);
    if (const uint64_t in_chunk = ChunkHoles(chunk); in_chunk > 0) {
      const auto [lo, hi] = UsedRange(chunk);
      before +=
          pos - lo <= hi - pos ? ScanHoles(chunk, lo, pos) : in_chunk - ScanHoles(chunk, pos, hi);
    }
    return span - (holes - before);
  }

  // Calls fn(seq, value) for live slots with seq >= start in order until fn returns false.
  template <class Fn>
  void ForEachFrom(uint64_t start, Fn&& fn) const {
    if (size_ == 0) return;
    for (uint64_t i = start < base_ ? 0 : start - base_; i < size_; ++i) {
      const Slot& slot = At(i);
      if (slot.IsLive() && !fn(base_ + i, slot.value)) return;
    }
  }
  // Calls fn(seq) for every hole between first() and last().
  template <class Fn>
  void ForEachHole(Fn&& fn) const {
    for (uint64_t i = 0; i < size_; ++i) {
      if (!At(i).IsLive()) fn(base_ + i);
    }
  }

 private:
  static constexpr size_t kFirstChunkSlots = 16;

  // Slot i counted from the first one; chunks other than a lone small one hold kChunkSlots.
  Slot& At(uint64_t i) {
    const uint64_t pos = head_ + i;
    return chunks_[pos / kChunkSlots][pos % kChunkSlots];
  }
  const Slot& At(uint64_t i) const { return const_cast<SeqIndex*>(this)->At(i); }
  Slot& WritableAt(uint64_t i) {
    const uint64_t pos = head_ + i;
    const size_t chunk = pos / kChunkSlots;
    dirty_[chunk] = 1;
    if (kinds_[chunk] == ChunkKind::kMappedReadOnly) {
      if (mprotect(chunks_[chunk], kChunkSlots * sizeof(Slot), PROT_READ | PROT_WRITE) != 0) {
        SPATE_ASSERT(false, "seq index: cannot make a mapped chunk writable");
      }
      kinds_[chunk] = ChunkKind::kMappedWritable;
    }
    return chunks_[chunk][pos % kChunkSlots];
  }

  // Raw memory for one more slot at the back (the caller constructs it).
  Slot* PushBack() {
    const uint64_t pos = head_ + size_;
    if (chunks_.empty()) {
      chunk_slots_ = kFirstChunkSlots;
      chunks_.push_back(NewChunk(chunk_slots_));
      kinds_.push_back(ChunkKind::kOwned);
      holes_.push_back(0);
      dirty_.push_back(1);
      head_ = 0;
    } else if (chunk_slots_ < kChunkSlots && pos == chunk_slots_) {
      // The lone small chunk is full up to its end: double it (or slide the slots to its
      // start when the front half is free), so a small stream stays in one small chunk.
      const size_t new_slots = head_ >= chunk_slots_ / 2 ? chunk_slots_ : chunk_slots_ * 2;
      Slot* moved = NewChunk(new_slots);
      for (size_t i = 0; i < size_; ++i) {
        Slot& from = At(i);
        new (&moved[i]) Slot{std::move(from)};
        from.~Slot();
      }
      FreeChunk(0);
      chunks_[0] = moved;
      chunk_slots_ = new_slots;
      head_ = 0;
    } else if (pos == chunks_.size() * kChunkSlots) {
      chunks_.push_back(NewChunk(kChunkSlots));
      kinds_.push_back(ChunkKind::kOwned);
      holes_.push_back(0);
      dirty_.push_back(1);
    }
    dirty_[(head_ + size_) / kChunkSlots] = 1;
    Slot* slot = &At(size_);
    ++size_;
    return slot;
  }

  void PopFront() {
    if (!At(0).IsLive()) AdjustHoles(head_, -1);
    At(0).~Slot();
    ++base_;
    ++head_;
    --size_;
    if (size_ == 0) {
      BecameEmpty();
    } else if (head_ == kChunkSlots) {
      FreeChunk(0);
      chunks_.erase(chunks_.begin());
      kinds_.erase(kinds_.begin());
      holes_.erase(holes_.begin());
      dirty_.erase(dirty_.begin());
      head_ = 0;
    }
  }

  void PopBack() {
    if (!At(size_ - 1).IsLive()) AdjustHoles(head_ + size_ - 1, -1);
    At(size_ - 1).~Slot();
    --size_;
    if (size_ == 0) {
      BecameEmpty();
    } else if (chunks_.size() > 1 && head_ + size_ <= (chunks_.size() - 1) * kChunkSlots) {
      FreeChunk(chunks_.size() - 1);
      chunks_.pop_back();
      kinds_.pop_back();
      holes_.pop_back();
      dirty_.pop_back();
    }
  }

  // A stream that keeps emptying and refilling (a work queue) keeps its one chunk.
  void BecameEmpty() {
    if (chunks_.size() == 1 && kinds_[0] == ChunkKind::kOwned) {
      head_ = 0;
    } else {
      Clear();
    }
  }

  // Hole counts per chunk, over the slots in use (between first() and last()).
  static constexpr uint32_t kUnknownHoles = std::numeric_limits<uint32_t>::max();
  void AdjustHoles(uint64_t pos, int delta) {
    uint32_t& n = holes_[pos / kChunkSlots];
    if (n != kUnknownHoles) n = static_cast<uint32_t>(static_cast<int64_t>(n) + delta);
  }
  std::pair<uint64_t, uint64_t> UsedRange(size_t chunk) const {
    return {std::max<uint64_t>(head_, chunk * kChunkSlots),
            std::min<uint64_t>(head_ + size_, (chunk + 1) * kChunkSlots)};
  }
  uint64_t ScanHoles(size_t chunk, uint64_t from, uint64_t to) const {
    uint64_t n = 0;
    for (uint64_t pos = from; pos < to; ++pos) n += !chunks_[chunk][pos % kChunkSlots].IsLive();
    return n;
  }
  uint64_t ChunkHoles(size_t chunk) const {
    if (holes_[chunk] == kUnknownHoles) {
      const auto [lo, hi] = UsedRange(chunk);
      holes_[chunk] = static_cast<uint32_t>(ScanHoles(chunk, lo, hi));
    }
    return holes_[chunk];
  }

  static Slot* NewChunk(size_t slots) {
    return static_cast<Slot*>(AllocateLarge(slots * sizeof(Slot)));
  }
  void FreeChunk(size_t i) {
    if (kinds_[i] != ChunkKind::kOwned) {
      munmap(chunks_[i], kChunkSlots * sizeof(Slot));
    } else {
      FreeLarge(chunks_[i], chunk_slots_ * sizeof(Slot));
    }
  }

  std::vector<Slot*> chunks_;
  enum class ChunkKind : uint8_t { kOwned, kMappedReadOnly, kMappedWritable };
  std::vector<ChunkKind> kinds_;         // per chunk: ours, or a piece of an adopted mapping
  mutable std::vector<uint32_t> holes_;  // per chunk: holes in use, or kUnknownHoles
  std::vector<uint8_t> dirty_;           // per chunk: written to since MarkChunkClean
  size_t chunk_slots_ = 0;  // slots per chunk: below kChunkSlots only while there is one chunk
  uint64_t head_ = 0;       // position of the first slot in chunks_[0]
  uint64_t size_ = 0;       // slots from first() to last(), holes included
  uint64_t base_ = 0;       // sequence of the first slot
  uint64_t live_ = 0;
};

}  // namespace spate::store
