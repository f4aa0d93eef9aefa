#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "store/seq_index.h"
#include "store/stream_store.h"
#include "store/subject_index.h"

namespace spate::store {

// What a store keeps in memory per live message, whatever the medium.
// Its bytes are also the FileStore index snapshot's slot format (little-endian hosts only).
struct MsgMeta {
  int64_t timestamp_ns = 0;
  uint64_t location = 0;  // the medium's own address (FileStore: block and offset)
  uint32_t subject_id = SubjectIndex::kNoSubject;
  uint32_t stored_size = 0;  // StoredSize() of the message; never 0 for a message
  bool IsHole() const { return stored_size == 0; }
};
static_assert(sizeof(MsgMeta) == 24 && std::is_trivially_copyable_v<MsgMeta>);

// The semantics shared by MemStore and FileStore: sequence assignment, the sequence and subject
// indexes, filters, purge/compact/expiry, limits and State. A medium supplies how to write,
// read and persist removals through the hooks below, so both stores behave identically by
// construction (and one typed test suite checks both).
//
// Every state change goes through a hook before the index changes; if the hook fails, the
// index is untouched and the error is returned.
// Threading: as StreamStore (owner thread only).
class IndexedStore : public StreamStore {
 public:
  explicit IndexedStore(const StoreLimits& limits) : limits_(limits) {}

  Result<StreamSeq> Append(std::string_view subject, std::string_view headers,
                           std::string_view payload, int64_t timestamp_ns) override;
  Result<StreamSeq> AppendAsync(std::string_view subject, std::string_view headers,
                                std::string_view payload, int64_t timestamp_ns,
                                DurableCallback on_durable) override;
  Result<StoredMsg> Load(StreamSeq seq) override;
  Result<StoredMsg> LoadNext(std::string_view filter, StreamSeq start) override;
  Result<StoredMsg> LoadLast(std::string_view filter) override;
  Status Remove(StreamSeq seq) override;
  Status Erase(StreamSeq seq) override;
  Result<uint64_t> Purge() override;
  Result<uint64_t> PurgeFiltered(std::string_view filter, StreamSeq up_to, uint64_t keep) override;
  Result<uint64_t> Compact(StreamSeq seq) override;
  Result<uint64_t> ExpireOlderThan(int64_t now_ns) override;
  Status UpdateLimits(const StoreLimits& limits) override;
  StreamState State(const StateOptions& options = {}) const override;
  std::map<std::string, SubjectState> SubjectsState(std::string_view filter) const override;
  uint64_t NumPending(std::string_view filter, StreamSeq start) const override;
  uint64_t RemovalCount() const override { return removals_; }
  bool AnyRemovedSince(uint64_t count, uint64_t seq) const override;

  const StoreLimits& limits() const { return limits_; }

 protected:
  // --- Hooks for the medium. ---
  // Refuses writes once the medium has failed (Ok otherwise).
  virtual Status CheckWritable() const { return Status::Ok(); }
  // Stores the message; returns its location.
  virtual Result<uint64_t> WriteMsg(uint64_t seq, std::string_view subject,
                                    std::string_view headers, std::string_view payload,
                                    int64_t timestamp_ns) = 0;
  virtual Status ReadMsg(uint64_t seq, const MsgMeta& meta, StoredMsg* out) = 0;
  // Makes the removal of `seqs` (live, ascending) durable; `erase` also destroys the bytes.
  virtual Status PersistRemovals(std::span<const uint64_t> seqs, bool erase) = 0;
  // Makes "every sequence below `floor` is removed" durable (implies last_seq >= floor - 1).
  // `implied_by_append`: the floor is the discard-old trim right after an append, under the same
  // limits; a medium may defer writing it until its next write (or sync), because re-applying
  // the limits at open removes the same messages if it never got written.
  virtual Status PersistFloor(uint64_t floor, bool implied_by_append) = 0;
  // Called after the index dropped a message (the medium releases what it holds for it).
  virtual void OnRemoved(uint64_t seq, const MsgMeta& meta) = 0;
  // Called after a write whose durability a caller may wait for: arranges for `on_durable` to run
  // when everything written so far is durable (inline is allowed).
  virtual void OnWritten(StreamSeq seq, DurableCallback on_durable) = 0;
  // Blocks until everything written so far is durable; Ok if it is already.
  virtual Status WaitDurable() = 0;
  // Called at the end of every public method that changed state, when the index is consistent
  // again (FileStore compacts blocks here).
  virtual void AfterChange() {}
  // Called after every stored message, once the index holds it.
  virtual void AfterAppend() {}

  // --- For recovery: change the index without persisting anything. ---
  void RestoreMsg(uint64_t seq, const MsgMeta& meta, std::string_view subject);
  void RestoreMsgWithSubjectId(uint64_t seq, const MsgMeta& meta);  // meta.subject_id interned
  bool RestoreRemove(uint64_t seq);                                 // false if absent
  void RestoreFloor(uint64_t floor);
  void RestoreLastSeq(uint64_t last_seq, int64_t last_ts_ns);
  // Takes over mapped chunks holding `count` slots for sequences first_seq.., the first at slot
  // `head` of the first chunk (SeqIndex::Adopt) on an empty index, whose `live` messages hold
  // `bytes`. The caller has validated every slot and
  // registered each subject's count and first/last sequence (SubjectIndex::RestoreDeferred); the
  // per-subject sequence lists are built from the slots when first needed.
  void RestoreAdopted(uint64_t first_seq, uint64_t head, void* region, size_t region_bytes,
                      uint64_t count, uint64_t live, uint64_t bytes);
  void ResetIndex();  // back to empty, e.g. after a half-read snapshot
  // Removes what the limits do not allow, persisting it (used after recovery and by updates).
  Status EnforceAllLimits();

  const SeqIndex<MsgMeta>& index() const { return index_; }
  SeqIndex<MsgMeta>& mutable_index() { return index_; }
  SubjectIndex& subjects() { return subjects_; }
  uint64_t last_seq() const { return last_seq_; }
  uint64_t live_bytes() const { return bytes_; }
  int64_t last_ts_ns() const { return last_ts_ns_; }
  void set_stopped() { stopped_ = true; }
  bool stopped() const { return stopped_; }

 private:
  Result<StreamSeq> StoreMsg(std::string_view subject, std::string_view headers,
                             std::string_view payload, int64_t timestamp_ns);
  Status CheckAppendAllowed(std::string_view subject, uint64_t size) const;
  // Removes what the limits no longer allow after appending to `subject_id`.
  Status EnforceLimitsAfterAppend(uint32_t subject_id);
  Status TrimFront(bool implied_by_append);
  Status RemoveSeqs(std::vector<uint64_t> seqs, bool erase);
  Result<uint64_t> ApplyFloor(uint64_t floor, bool implied_by_append = false);
  void DropFromIndex(uint64_t seq);
  uint64_t FirstSeq() const { return index_.empty() ? last_seq_ + 1 : index_.first(); }
  Status CheckOpen() const;
  // Subject ids matching `filter` (for wildcard filters).
  std::vector<uint32_t> MatchingSubjects(std::string_view filter) const;
  Result<StoredMsg> LoadAt(uint64_t seq);

  StoreLimits limits_;
  SeqIndex<MsgMeta> index_;
  SubjectIndex subjects_;
  uint64_t bytes_ = 0;
  uint64_t last_seq_ = 0;
  int64_t last_ts_ns_ = 0;
  bool stopped_ = false;
  // The last kRemovalLog removed sequences, removal number i at [i % kRemovalLog]: enough to
  // answer AnyRemovedSince across the few removals (work-queue acks) between two deliveries.
  static constexpr uint64_t kRemovalLog = 64;
  uint64_t removals_ = 0;
  std::array<uint64_t, kRemovalLog> removed_{};
};

// True for "" and ">": the filter matches every subject.
bool IsMatchAll(std::string_view filter);

}  // namespace spate::store
