#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/large_alloc.h"

namespace spate::store {

// Subject -> the live sequences stored under it, so that last-per-subject, first-per-subject,
// max_msgs_per_subject and literal-filter lookups cost a hash lookup and a binary search instead
// of a scan. Subjects get small integer ids, which the stores keep per message (4 bytes instead
// of the subject string). An id is freed when its subject's last message goes.
//
// Per subject, sequences sit in a sorted vector. Removing the oldest advances a head index;
// removing any other marks it (high bit) and the vector is compacted when marks outnumber live
// entries, so every operation is amortised O(log n) and exact (no callbacks into the store).
// Threading: not thread-safe; owned by the store's owner.
class SubjectIndex {
 public:
  static constexpr uint32_t kNoSubject = UINT32_MAX;

  // Registers a message. Returns the subject's id.
  uint32_t Add(std::string_view subject, uint64_t seq);
  // `id` must come from Intern or Add and still be registered or just interned.
  void AddWithId(uint32_t id, uint64_t seq);
  // Bulk restore without building the sequence lists (a big stream reopens without touching
  // 8 bytes per message): RestoreDeferred gives a subject's messages up to `up_to` by count and
  // first/last sequence, and `loader` is run once, by the first method that needs the lists
  // (Remove, NextAtOrAfter, CountAtOrAfter, Seqs), to replay every one of those (id, seq) in
  // increasing order. Add/AddWithId of later sequences, Count, First, Last work without it.
  using DeferredAdd = std::function<void(uint32_t id, uint64_t seq)>;
  void DeferLists(std::function<void(const DeferredAdd&)> loader);
  void RestoreDeferred(uint32_t id, uint64_t count, uint64_t first, uint64_t last);
  // Id for `subject`, creating an entry with no messages if needed. An entry left without
  // messages by the caller is not freed until Remove or Clear; use for bulk restore only.
  uint32_t Intern(std::string_view subject);
  // Intern with a given id, for restoring ids kept on disk: `id` must be above every id the index
  // has handed out, and the ids skipped become free. False if `subject` is registered already.
  bool InternAt(std::string_view subject, uint32_t id);
  // Unregisters a message; `seq` must be registered under `id`.
  void Remove(uint32_t id, uint64_t seq);
  void Clear();

  uint32_t Find(std::string_view subject) const;  // kNoSubject if absent
  const std::string& Name(uint32_t id) const { return *entries_[id].name; }
  uint64_t Count(uint32_t id) const { return entries_[id].live; }
  uint64_t First(uint32_t id) const;                          // 0 if none
  uint64_t Last(uint32_t id) const;                           // 0 if none
  uint64_t NextAtOrAfter(uint32_t id, uint64_t start) const;  // 0 if none
  uint64_t CountAtOrAfter(uint32_t id, uint64_t start) const;
  // Live sequences of `id`, oldest first.
  std::vector<uint64_t> Seqs(uint32_t id) const;
  size_t num_subjects() const { return by_name_.size(); }

  // Calls fn(id) for every subject with messages, in no particular order.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    for (const auto& [name, id] : by_name_) {
      if (entries_[id].live > 0) fn(id);
    }
  }

 private:
  static constexpr uint64_t kRemovedBit = uint64_t{1} << 63;
  // A busy subject holds millions of sequences: big vectors get huge pages (large_alloc.h).
  using SeqVector = std::vector<uint64_t, LargeAllocator<uint64_t>>;
  struct Entry {
    const std::string* name = nullptr;  // the key in by_name_ (node keys are stable)
    SeqVector seqs;                     // sorted; removed entries carry kRemovedBit
    size_t head = 0;                    // seqs[head] is the oldest live entry
    uint64_t live = 0;
    uint64_t marked = 0;  // entries after head carrying kRemovedBit
    // Messages restored with RestoreDeferred and not yet in `seqs` (they precede all of it).
    uint64_t deferred = 0;
    uint64_t deferred_first = 0;
    uint64_t deferred_last = 0;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  void Normalize(Entry& entry);
  // Runs the deferred loader if there is one; const because lookups may need it.
  void LoadDeferred() const;
  size_t LowerBound(const Entry& entry, uint64_t seq) const;

  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> by_name_;
  std::vector<Entry> entries_;
  std::vector<uint32_t> free_ids_;
  std::function<void(const DeferredAdd&)> loader_;  // set while lists are deferred
};

}  // namespace spate::store
