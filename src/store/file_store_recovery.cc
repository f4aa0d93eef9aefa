// FileStore::Open's recovery: find the blocks, load the index snapshot if it fits, scan what it
// does not cover, cut torn tails and report corrupt records.
#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "store/file_store.h"

namespace spate::store {
namespace {

// "<digits>.blk" -> index; 0 if the name is not a block file.
uint32_t ParseBlockName(const std::string& name) {
  constexpr std::string_view kSuffix = ".blk";
  if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) return 0;
  uint64_t index = 0;
  for (size_t i = 0; i < name.size() - kSuffix.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    index = index * 10 + static_cast<uint64_t>(name[i] - '0');
    if (index > UINT32_MAX) return 0;
  }
  return static_cast<uint32_t>(index);
}

}  // namespace

Status FileStore::Recover() {
  const std::string msgs_dir = options_.dir + "/msgs";
  SPATE_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(msgs_dir));
  for (const std::string& name : names) {
    if (name.ends_with(".tmp")) {
      // A compaction that did not finish; the block it was replacing is still intact.
      SPATE_RETURN_IF_ERROR(fs_->RemoveFile(msgs_dir + "/" + name));
      recovery_changed_dir_ = true;
      continue;
    }
    const uint32_t index = ParseBlockName(name);
    if (index == 0) continue;
    SPATE_ASSIGN_OR_RETURN(std::shared_ptr<File> file,
                           fs_->OpenFile(BlockPath(index), /*create=*/false));
    SPATE_ASSIGN_OR_RETURN(uint64_t size, file->Size());
    blocks_[index] = std::make_unique<MsgBlock>(index, BlockPath(index), std::move(file), size);
  }

  std::map<uint32_t, uint64_t> covered;
  SPATE_ASSIGN_OR_RETURN(bool from_snapshot, LoadIndexSnapshot(&covered));
  if (from_snapshot) stats_.snapshot_loads.fetch_add(1, std::memory_order_relaxed);
  for (auto& [index, block] : blocks_) {
    auto it = covered.find(index);
    const uint64_t from = it == covered.end() ? 0 : it->second;
    SPATE_RETURN_IF_ERROR(ScanBlock(block.get(), from, index == blocks_.rbegin()->first));
  }
  if (blocks_.empty()) {
    SPATE_ASSIGN_OR_RETURN(active_, CreateBlock(1));
    recovery_changed_dir_ = true;
  } else {
    active_ = blocks_.rbegin()->second.get();
  }
  for (const auto& [index, block] : blocks_) compact_candidates_.push_back(index);
  return Status::Ok();
}

Status FileStore::ScanBlock(MsgBlock* block, uint64_t from, bool is_last) {
  // Only what the snapshot does not cover is read; `pos` is relative to `from`.
  SPATE_ASSIGN_OR_RETURN(std::string bytes, block->ReadAll(from));
  if (!bytes.empty()) ++writes_since_snapshot_;  // the snapshot on disk does not cover these
  uint64_t pos = 0;
  while (pos < bytes.size()) {
    RecordView record;
    if (DecodeRecord(std::string_view(bytes).substr(pos), &record) == DecodeResult::kOk) {
      ApplyRecord(block, from + pos, record);
      pos += record.length;
      continue;
    }
    const uint64_t next = FindNextGoodRecord(bytes, pos);
    char line[160];
    if (next != 0) {
      std::snprintf(line, sizeof line,
                    "block %u offset %" PRIu64 ": corrupt record (%" PRIu64
                    " bytes) skipped; recovery continues at offset %" PRIu64,
                    block->index(), from + pos, next - pos, from + next);
      Report(line);
      stats_.corrupt_records.fetch_add(1, std::memory_order_relaxed);
      pos = next;
      continue;
    }
    // Nothing valid follows: a write that did not complete. Cut it off so appends continue
    // from the last good record.
    std::snprintf(line, sizeof line,
                  "block %u%s: incomplete tail of %" PRIu64 " bytes at offset %" PRIu64
                  " truncated",
                  block->index(), is_last ? "" : " (not the last block)",
                  static_cast<uint64_t>(bytes.size()) - pos, from + pos);
    Report(line);
    stats_.truncated_tails.fetch_add(1, std::memory_order_relaxed);
    SPATE_RETURN_IF_ERROR(block->file()->Truncate(from + pos));
    block->BytesChanged();
    SPATE_RETURN_IF_ERROR(block->file()->Sync());
    bytes.resize(pos);
    break;
  }
  block->set_size(from + bytes.size());
  return Status::Ok();
}

void FileStore::ApplyRecord(MsgBlock* block, uint64_t offset, const RecordView& record) {
  switch (record.kind) {
    case RecordKind::kMessage: {
      if (record.seq <= last_seq() || record.seq < floor_ || record.seq == 0) {
        char line[128];
        std::snprintf(line, sizeof line,
                      "block %u offset %" PRIu64 ": message seq %" PRIu64 " out of order; ignored",
                      block->index(), offset, record.seq);
        Report(line);
        return;
      }
      MsgMeta meta{.timestamp_ns = record.timestamp_ns,
                   .location = Location(block->index(), offset),
                   .subject_id = SubjectIndex::kNoSubject,
                   .stored_size = static_cast<uint32_t>(StoredSize(
                       record.subject.size(), record.headers.size(), record.payload.size()))};
      RestoreMsg(record.seq, meta, record.subject);
      block->live_msgs++;
      block->live_bytes += record.length;
      if (block->first_record_seq == 0) block->first_record_seq = record.seq;
      block->max_witness = std::max(block->max_witness, record.seq);
      return;
    }
    case RecordKind::kTombstone: {
      block->tombstone_targets.push_back(record.seq);
      block->max_witness = std::max(block->max_witness, record.seq);
      RestoreLastSeq(record.seq, record.timestamp_ns);
      const MsgMeta* meta = index().Find(record.seq);
      if (meta == nullptr) return;
      const uint32_t target_block = BlockOf(meta->location);
      RestoreRemove(record.seq);
      removed_present_[record.seq] = target_block;
      return;
    }
    case RecordKind::kFloor: {
      block->floor = std::max(block->floor, record.seq);
      block->max_witness = std::max(block->max_witness, record.seq - 1);
      floor_ = std::max(floor_, record.seq);
      RestoreFloor(record.seq);
      RestoreLastSeq(record.seq - 1, record.timestamp_ns);
      return;
    }
  }
}

}  // namespace spate::store
