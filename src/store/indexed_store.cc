#include "store/indexed_store.h"

#include <algorithm>
#include <cstddef>
#include <unordered_map>
#include <utility>

#include "common/logging.h"
#include "routing/subject.h"

namespace spate::store {

bool IsMatchAll(std::string_view filter) { return filter.empty() || filter == ">"; }

AppendRefusal AppendRefusalOf(const Status& status) {
  if (status.ok()) return AppendRefusal::kNone;
  const std::string& m = status.message();
  if (status.code() == Status::Code::kUnavailable) {
    if (m == kErrMaxMsgs) return AppendRefusal::kMaxMsgs;
    if (m == kErrMaxBytes) return AppendRefusal::kMaxBytes;
    if (m == kErrMaxMsgsPerSubject) return AppendRefusal::kMaxMsgsPerSubject;
  }
  if (status.code() == Status::Code::kInvalidArgument && m == kErrMaxMsgSize) {
    return AppendRefusal::kMaxMsgSize;
  }
  return AppendRefusal::kNone;
}

Status IndexedStore::CheckOpen() const {
  if (stopped_) return Status::Unavailable("store is stopped");
  return Status::Ok();
}

Status IndexedStore::CheckAppendAllowed(std::string_view subject, uint64_t size) const {
  if (limits_.max_msg_size > 0 && size > limits_.max_msg_size) {
    return Status::InvalidArgument(std::string(kErrMaxMsgSize));
  }
  if (limits_.max_bytes > 0 && size > limits_.max_bytes) {
    return Status::Unavailable(std::string(kErrMaxBytes));
  }
  if (limits_.discard != DiscardPolicy::kNew) return Status::Ok();
  if (limits_.max_msgs > 0 && index_.size() >= limits_.max_msgs) {
    return Status::Unavailable(std::string(kErrMaxMsgs));
  }
  if (limits_.max_bytes > 0 && bytes_ + size > limits_.max_bytes) {
    return Status::Unavailable(std::string(kErrMaxBytes));
  }
  if (limits_.discard_new_per_subject && limits_.max_msgs_per_subject > 0) {
    const uint32_t id = subjects_.Find(subject);
    if (id != SubjectIndex::kNoSubject && subjects_.Count(id) >= limits_.max_msgs_per_subject) {
      return Status::Unavailable(std::string(kErrMaxMsgsPerSubject));
    }
  }
  return Status::Ok();
}

Result<StreamSeq> IndexedStore::StoreMsg(std::string_view subject, std::string_view headers,
                                         std::string_view payload, int64_t timestamp_ns) {
  SPATE_RETURN_IF_ERROR(CheckOpen());
  SPATE_RETURN_IF_ERROR(CheckWritable());
  if (subject.empty()) return Status::InvalidArgument("empty subject");
  const uint64_t size = StoredSize(subject.size(), headers.size(), payload.size());
  if (size > UINT32_MAX) return Status::InvalidArgument(std::string(kErrMaxMsgSize));
  SPATE_RETURN_IF_ERROR(CheckAppendAllowed(subject, size));

  const uint64_t seq = last_seq_ + 1;
  SPATE_ASSIGN_OR_RETURN(uint64_t location, WriteMsg(seq, subject, headers, payload, timestamp_ns));
  MsgMeta meta{.timestamp_ns = timestamp_ns,
               .location = location,
               .subject_id = SubjectIndex::kNoSubject,
               .stored_size = static_cast<uint32_t>(size)};
  RestoreMsg(seq, meta, subject);
  last_ts_ns_ = timestamp_ns;

  // The message is stored whatever happens below: a failure to persist a limit removal is
  // logged and the stream is over its limit until the next append or restart re-applies it.
  if (Status st = EnforceLimitsAfterAppend(std::as_const(index_).Find(seq)->subject_id); !st.ok()) {
    LOG_ERROR("store: enforcing limits after seq %llu failed: %s",
              static_cast<unsigned long long>(seq), st.message().c_str());
  }
  AfterAppend();
  return StreamSeq{seq};
}

Result<StreamSeq> IndexedStore::Append(std::string_view subject, std::string_view headers,
                                       std::string_view payload, int64_t timestamp_ns) {
  SPATE_ASSIGN_OR_RETURN(StreamSeq seq, StoreMsg(subject, headers, payload, timestamp_ns));
  SPATE_RETURN_IF_ERROR(WaitDurable());
  return seq;
}

Result<StreamSeq> IndexedStore::AppendAsync(std::string_view subject, std::string_view headers,
                                            std::string_view payload, int64_t timestamp_ns,
                                            DurableCallback on_durable) {
  SPATE_ASSIGN_OR_RETURN(StreamSeq seq, StoreMsg(subject, headers, payload, timestamp_ns));
  OnWritten(seq, std::move(on_durable));
  return seq;
}

void IndexedStore::RestoreMsg(uint64_t seq, const MsgMeta& meta, std::string_view subject) {
  MsgMeta m = meta;
  m.subject_id = subjects_.Add(subject, seq);
  index_.Add(seq, m);
  bytes_ += m.stored_size;
  if (seq > last_seq_) {
    last_seq_ = seq;
    last_ts_ns_ = meta.timestamp_ns;
  }
}

void IndexedStore::RestoreMsgWithSubjectId(uint64_t seq, const MsgMeta& meta) {
  subjects_.AddWithId(meta.subject_id, seq);
  index_.Add(seq, meta);
  bytes_ += meta.stored_size;
  if (seq > last_seq_) {
    last_seq_ = seq;
    last_ts_ns_ = meta.timestamp_ns;
  }
}

bool IndexedStore::RestoreRemove(uint64_t seq) {
  if (std::as_const(index_).Find(seq) == nullptr) return false;
  DropFromIndex(seq);
  return true;
}

void IndexedStore::RestoreFloor(uint64_t floor) {
  while (!index_.empty() && index_.first() < floor) DropFromIndex(index_.first());
  if (floor > 0 && last_seq_ < floor - 1) last_seq_ = floor - 1;
}

void IndexedStore::RestoreLastSeq(uint64_t last_seq, int64_t last_ts_ns) {
  if (last_seq > last_seq_) last_seq_ = last_seq;
  if (last_ts_ns > last_ts_ns_) last_ts_ns_ = last_ts_ns;
}

void IndexedStore::RestoreAdopted(uint64_t first_seq, uint64_t head, void* region,
                                  size_t region_bytes, uint64_t count, uint64_t live,
                                  uint64_t bytes) {
  index_.Adopt(first_seq, head, region, region_bytes, count, live);
  bytes_ += bytes;
  if (count > 0) {
    const uint64_t last = first_seq + count - 1;
    subjects_.DeferLists([this, last](const SubjectIndex::DeferredAdd& add) {
      const SeqIndex<MsgMeta>& index = index_;  // const: reading must not unprotect chunks
      index.ForEachFrom(0, [&](uint64_t seq, const MsgMeta& meta) {
        if (seq > last) return false;
        add(meta.subject_id, seq);
        return true;
      });
    });
    if (last > last_seq_) {
      last_seq_ = last;
      last_ts_ns_ = std::as_const(index_).Find(last)->timestamp_ns;
    }
  }
}

void IndexedStore::ResetIndex() {
  removals_ += kRemovalLog + 1;  // whatever was derived from the old index is stale
  index_.Clear();
  subjects_.Clear();
  bytes_ = 0;
  last_seq_ = 0;
  last_ts_ns_ = 0;
}

void IndexedStore::DropFromIndex(uint64_t seq) {
  // The subject index first: a deferred load (RestoreAdopted) reads the seq index.
  subjects_.Remove(index_.Find(seq)->subject_id, seq);
  MsgMeta meta = index_.Remove(seq);
  bytes_ -= meta.stored_size;
  removed_[removals_++ % kRemovalLog] = seq;
  OnRemoved(seq, meta);
}

Status IndexedStore::RemoveSeqs(std::vector<uint64_t> seqs, bool erase) {
  if (seqs.empty()) return Status::Ok();
  std::sort(seqs.begin(), seqs.end());
  SPATE_RETURN_IF_ERROR(PersistRemovals(seqs, erase));
  for (uint64_t seq : seqs) DropFromIndex(seq);
  AfterChange();
  return Status::Ok();
}

Result<uint64_t> IndexedStore::ApplyFloor(uint64_t floor, bool implied_by_append) {
  SPATE_RETURN_IF_ERROR(PersistFloor(floor, implied_by_append));
  const uint64_t before = index_.size();
  RestoreFloor(floor);
  AfterChange();
  return before - index_.size();
}

Status IndexedStore::TrimFront(bool implied_by_append) {
  // Find how far the front must go, then persist it as one floor.
  uint64_t msgs = index_.size();
  uint64_t bytes = bytes_;
  uint64_t floor = 0;
  index_.ForEachFrom(0, [&](uint64_t seq, const MsgMeta& meta) {
    const bool over = (limits_.max_msgs > 0 && msgs > limits_.max_msgs) ||
                      (limits_.max_bytes > 0 && bytes > limits_.max_bytes);
    if (!over) return false;
    --msgs;
    bytes -= meta.stored_size;
    floor = seq + 1;
    return true;
  });
  if (floor == 0) return Status::Ok();
  return ApplyFloor(floor, implied_by_append).status();
}

Status IndexedStore::EnforceLimitsAfterAppend(uint32_t subject_id) {
  if (limits_.max_msgs_per_subject > 0 &&
      subjects_.Count(subject_id) > limits_.max_msgs_per_subject) {
    std::vector<uint64_t> seqs = subjects_.Seqs(subject_id);
    seqs.resize(seqs.size() - limits_.max_msgs_per_subject);
    SPATE_RETURN_IF_ERROR(RemoveSeqs(std::move(seqs), /*erase=*/false));
  }
  return TrimFront(/*implied_by_append=*/true);
}

Status IndexedStore::EnforceAllLimits() {
  if (limits_.max_msgs_per_subject > 0) {
    std::vector<uint64_t> over;
    subjects_.ForEach([&](uint32_t id) {
      if (subjects_.Count(id) <= limits_.max_msgs_per_subject) return;
      std::vector<uint64_t> seqs = subjects_.Seqs(id);
      over.insert(over.end(), seqs.begin(),
                  seqs.end() - static_cast<std::ptrdiff_t>(limits_.max_msgs_per_subject));
    });
    SPATE_RETURN_IF_ERROR(RemoveSeqs(std::move(over), /*erase=*/false));
  }
  return TrimFront(/*implied_by_append=*/false);
}

Status IndexedStore::UpdateLimits(const StoreLimits& limits) {
  SPATE_RETURN_IF_ERROR(CheckOpen());
  limits_ = limits;
  return EnforceAllLimits();
}

Result<StoredMsg> IndexedStore::LoadAt(uint64_t seq) {
  const MsgMeta* meta = std::as_const(index_).Find(seq);
  if (meta == nullptr) return Status::NotFound("no message found");
  StoredMsg msg;
  SPATE_RETURN_IF_ERROR(ReadMsg(seq, *meta, &msg));
  return msg;
}

Result<StoredMsg> IndexedStore::Load(StreamSeq seq) {
  SPATE_RETURN_IF_ERROR(CheckOpen());
  return LoadAt(seq.value);
}

std::vector<uint32_t> IndexedStore::MatchingSubjects(std::string_view filter) const {
  std::vector<uint32_t> ids;
  if (routing::SubjectIsLiteral(filter)) {
    if (uint32_t id = subjects_.Find(filter); id != SubjectIndex::kNoSubject) ids.push_back(id);
    return ids;
  }
  subjects_.ForEach([&](uint32_t id) {
    if (IsMatchAll(filter) || routing::SubjectMatchesFilter(subjects_.Name(id), filter)) {
      ids.push_back(id);
    }
  });
  return ids;
}

Result<StoredMsg> IndexedStore::LoadNext(std::string_view filter, StreamSeq start) {
  SPATE_RETURN_IF_ERROR(CheckOpen());
  uint64_t found = 0;
  if (IsMatchAll(filter)) {
    found = index_.NextLive(start.value);
  } else if (routing::SubjectIsLiteral(filter)) {
    const uint32_t id = subjects_.Find(filter);
    if (id != SubjectIndex::kNoSubject) found = subjects_.NextAtOrAfter(id, start.value);
  } else if (subjects_.num_subjects() * 8 < index_.size()) {
    // Few subjects: ask each matching subject for its next sequence.
    for (uint32_t id : MatchingSubjects(filter)) {
      const uint64_t next = subjects_.NextAtOrAfter(id, start.value);
      if (next != 0 && (found == 0 || next < found)) found = next;
    }
  } else {
    // Many subjects: walk the messages, deciding each subject once.
    std::unordered_map<uint32_t, bool> verdicts;
    index_.ForEachFrom(start.value, [&](uint64_t seq, const MsgMeta& meta) {
      auto [it, inserted] = verdicts.try_emplace(meta.subject_id, false);
      if (inserted) {
        it->second = routing::SubjectMatchesFilter(subjects_.Name(meta.subject_id), filter);
      }
      if (!it->second) return true;
      found = seq;
      return false;
    });
  }
  if (found == 0) return Status::NotFound("no message found");
  return LoadAt(found);
}

Result<StoredMsg> IndexedStore::LoadLast(std::string_view filter) {
  SPATE_RETURN_IF_ERROR(CheckOpen());
  uint64_t found = 0;
  if (IsMatchAll(filter)) {
    found = index_.last();
  } else {
    for (uint32_t id : MatchingSubjects(filter)) found = std::max(found, subjects_.Last(id));
  }
  if (found == 0) return Status::NotFound("no message found");
  return LoadAt(found);
}

Status IndexedStore::Remove(StreamSeq seq) {
  SPATE_RETURN_IF_ERROR(CheckOpen());
  if (std::as_const(index_).Find(seq.value) == nullptr) return Status::NotFound("no message found");
  return RemoveSeqs({seq.value}, /*erase=*/false);
}

Status IndexedStore::Erase(StreamSeq seq) {
  SPATE_RETURN_IF_ERROR(CheckOpen());
  if (std::as_const(index_).Find(seq.value) == nullptr) return Status::NotFound("no message found");
  return RemoveSeqs({seq.value}, /*erase=*/true);
}

Result<uint64_t> IndexedStore::Purge() {
  SPATE_RETURN_IF_ERROR(CheckOpen());
  return ApplyFloor(last_seq_ + 1);
}

Result<uint64_t> IndexedStore::Compact(StreamSeq seq) {
  SPATE_RETURN_IF_ERROR(CheckOpen());
  if (seq.value <= FirstSeq() && seq.value <= last_seq_ + 1) return uint64_t{0};
  return ApplyFloor(seq.value);
}

Result<uint64_t> IndexedStore::PurgeFiltered(std::string_view filter, StreamSeq up_to,
                                             uint64_t keep) {
  SPATE_RETURN_IF_ERROR(CheckOpen());
  if (IsMatchAll(filter)) {
    // Over the whole stream, `keep` counts messages, not messages per subject (nats-server).
    if (up_to.value > 1) return Compact(up_to);
    if (keep == 0) return Purge();
    if (index_.size() <= keep) return uint64_t{0};
    uint64_t seq = index_.last();
    for (uint64_t kept = 1; kept < keep; ++kept) seq = index_.PrevLive(seq - 1);
    return Compact(StreamSeq{seq});
  }
  std::vector<uint64_t> doomed;
  for (uint32_t id : MatchingSubjects(filter)) {
    std::vector<uint64_t> seqs = subjects_.Seqs(id);
    if (up_to.value > 0) {
      seqs.erase(std::lower_bound(seqs.begin(), seqs.end(), up_to.value), seqs.end());
    }
    // `keep` applies per subject, counted from the subject's newest message.
    const uint64_t total = subjects_.Count(id);
    const uint64_t after = total - seqs.size();  // newest messages already kept by up_to
    if (keep > after) {
      const uint64_t more = std::min<uint64_t>(keep - after, seqs.size());
      seqs.resize(seqs.size() - more);
    }
    doomed.insert(doomed.end(), seqs.begin(), seqs.end());
  }
  const uint64_t count = doomed.size();
  SPATE_RETURN_IF_ERROR(RemoveSeqs(std::move(doomed), /*erase=*/false));
  return count;
}

Result<uint64_t> IndexedStore::ExpireOlderThan(int64_t now_ns) {
  SPATE_RETURN_IF_ERROR(CheckOpen());
  if (limits_.max_age_ns <= 0) return uint64_t{0};
  const int64_t cutoff = now_ns - limits_.max_age_ns;
  uint64_t floor = 0;
  // Timestamps follow sequence order (the owner assigns both), so expiry stops at the first
  // message young enough to keep.
  index_.ForEachFrom(0, [&](uint64_t seq, const MsgMeta& meta) {
    if (meta.timestamp_ns > cutoff) return false;
    floor = seq + 1;
    return true;
  });
  if (floor == 0) return uint64_t{0};
  return ApplyFloor(floor);
}

StreamState IndexedStore::State(const StateOptions& options) const {
  StreamState state;
  state.msgs = index_.size();
  state.bytes = bytes_;
  state.first_seq = StreamSeq{FirstSeq()};
  state.last_seq = StreamSeq{last_seq_};
  state.last_ts_ns = last_ts_ns_;
  if (!index_.empty()) {
    state.first_ts_ns = index_.Find(index_.first())->timestamp_ns;
    state.num_deleted = (index_.last() - index_.first() + 1) - index_.size();
  }
  state.num_subjects = subjects_.num_subjects();
  if (options.include_deleted) {
    index_.ForEachHole([&](uint64_t seq) { state.deleted.push_back(StreamSeq{seq}); });
  }
  return state;
}

std::map<std::string, SubjectState> IndexedStore::SubjectsState(std::string_view filter) const {
  std::map<std::string, SubjectState> out;
  for (uint32_t id : MatchingSubjects(filter)) {
    out[subjects_.Name(id)] = SubjectState{.msgs = subjects_.Count(id),
                                           .first_seq = StreamSeq{subjects_.First(id)},
                                           .last_seq = StreamSeq{subjects_.Last(id)}};
  }
  return out;
}

bool IndexedStore::AnyRemovedSince(uint64_t count, uint64_t seq) const {
  if (removals_ - count > kRemovalLog) return true;
  for (uint64_t i = count; i < removals_; ++i) {
    if (removed_[i % kRemovalLog] >= seq) return true;
  }
  return false;
}

uint64_t IndexedStore::NumPending(std::string_view filter, StreamSeq start) const {
  if (IsMatchAll(filter)) return index_.CountFrom(start.value);
  uint64_t count = 0;
  for (uint32_t id : MatchingSubjects(filter)) count += subjects_.CountAtOrAfter(id, start.value);
  return count;
}

}  // namespace spate::store
