// FileStore block compaction: rewrite a sealed block without its removed messages and the
// tombstones nobody needs any more, or delete it when nothing in it is needed.
//
// Safety argument: a record may be dropped only when its absence cannot resurrect a message or
// lose the last sequence after a crash:
// - a removed message's record: its removal (tombstone or floor) is made durable first
//   (SyncWorker::WaitAll) and the new file replaces the old one atomically (rename + dir fsync);
// - a tombstone: only when its target's record no longer exists in any block;
// - a floor: only when no other block holds a record below it, or a higher floor exists;
// - the record proving last_seq: kept (as a tombstone for last_seq) if no other block proves it.
// The index snapshot is removed before any rewrite, since it stores block offsets.
#include <cinttypes>

#include "common/logging.h"
#include "store/file_store.h"

namespace spate::store {

void FileStore::RunCompactions() {
  if (compact_candidates_.empty() || failed_ || syncer_ == nullptr) return;
  std::vector<uint32_t> candidates;
  candidates.swap(compact_candidates_);
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (uint32_t index : candidates) {
    MsgBlock* block = FindBlock(index);
    if (block == nullptr || block == active_) continue;
    const bool hollow =
        block->size() >= options_.compact_min_block_bytes &&
        static_cast<double>(block->live_bytes) <
            options_.compact_below_live_fraction * static_cast<double>(block->size());
    if (block->live_msgs > 0 && !hollow) continue;
    if (Status st = CompactBlock(block); !st.ok()) {
      // Not fatal: the block stays as it was and is tried again after the next removal in it.
      LOG_ERROR("file store %s: compacting block %u failed: %s", options_.dir.c_str(), index,
                st.message().c_str());
    }
  }
}

bool FileStore::TombstoneNeeded(uint64_t target, uint32_t rewritten_block) const {
  auto it = removed_present_.find(target);
  return it != removed_present_.end() && it->second != rewritten_block;
}

bool FileStore::FloorNeeded(uint64_t floor, uint32_t holder) const {
  if (floor < floor_) return false;  // a higher floor elsewhere covers it
  for (const auto& [index, block] : blocks_) {
    if (index != holder && block->first_record_seq != 0 && block->first_record_seq < floor) {
      return true;
    }
  }
  return false;
}

bool FileStore::LastSeqWitnessNeeded(uint32_t holder) const {
  for (const auto& [index, block] : blocks_) {
    if (index != holder && block->max_witness >= last_seq()) return false;
  }
  return true;
}

void FileStore::ForgetRemovedIn(uint32_t block_index) {
  for (auto it = removed_present_.begin(); it != removed_present_.end();) {
    it = it->second == block_index ? removed_present_.erase(it) : std::next(it);
  }
}

Status FileStore::CompactBlock(MsgBlock* block) {
  // Every removal that makes dropping records safe must be on disk first.
  SPATE_RETURN_IF_ERROR(FlushPendingFloor());
  SPATE_RETURN_IF_ERROR(syncer_->WaitAll());
  SPATE_RETURN_IF_ERROR(InvalidateSnapshot());
  SPATE_ASSIGN_OR_RETURN(std::string bytes, block->ReadAll());
  bytes.resize(std::min<uint64_t>(bytes.size(), block->size()));

  std::string out;
  std::vector<std::pair<uint64_t, uint64_t>> moved;  // seq -> new offset
  std::vector<uint64_t> kept_targets;
  uint64_t first_record_seq = 0;
  uint64_t kept_floor = 0;
  uint64_t max_witness = 0;
  uint64_t offset = 0;
  while (offset < bytes.size()) {
    RecordView record;
    if (DecodeRecord(std::string_view(bytes).substr(offset), &record) != DecodeResult::kOk) {
      // Known to recovery already (reported there); nothing in the index points into it.
      const uint64_t next = FindNextGoodRecord(bytes, offset);
      if (next == 0) break;
      offset = next;
      continue;
    }
    const std::string_view raw = std::string_view(bytes).substr(offset, record.length);
    bool keep = false;
    switch (record.kind) {
      case RecordKind::kMessage: {
        const MsgMeta* meta = index().Find(record.seq);
        keep = meta != nullptr && meta->location == Location(block->index(), offset);
        if (keep) {
          moved.emplace_back(record.seq, out.size());
          if (first_record_seq == 0) first_record_seq = record.seq;
          max_witness = std::max(max_witness, record.seq);
        }
        break;
      }
      case RecordKind::kTombstone:
        keep = TombstoneNeeded(record.seq, block->index());
        if (keep) {
          kept_targets.push_back(record.seq);
          max_witness = std::max(max_witness, record.seq);
        }
        break;
      case RecordKind::kFloor:
        keep = record.seq == block->floor && kept_floor == 0 &&
               FloorNeeded(record.seq, block->index());
        if (keep) {
          kept_floor = record.seq;
          max_witness = std::max(max_witness, record.seq - 1);
        }
        break;
    }
    if (keep) out.append(raw);
    offset += record.length;
  }
  if (max_witness < last_seq() && block->max_witness >= last_seq() &&
      LastSeqWitnessNeeded(block->index())) {
    EncodeRecord(RecordKind::kTombstone, last_seq(), last_ts_ns(), {}, {}, {}, &out);
    max_witness = last_seq();
  }

  if (out.empty()) return DeleteBlock(block);

  const std::string tmp = block->path() + ".tmp";
  SPATE_ASSIGN_OR_RETURN(std::shared_ptr<File> file, fs_->OpenFile(tmp, /*create=*/true));
  SPATE_RETURN_IF_ERROR(TruncateIfNotEmpty(*file));
  SPATE_RETURN_IF_ERROR(file->PWrite(0, out));
  SPATE_RETURN_IF_ERROR(file->Sync());
  SPATE_RETURN_IF_ERROR(fs_->Rename(tmp, block->path()));
  SPATE_RETURN_IF_ERROR(msgs_dir_->Sync());

  block->Replace(std::move(file), out.size());
  for (const auto& [seq, new_offset] : moved) {
    mutable_index().Find(seq)->location = Location(block->index(), new_offset);
  }
  ForgetRemovedIn(block->index());
  block->tombstone_targets = std::move(kept_targets);
  block->first_record_seq = first_record_seq;
  block->floor = kept_floor;
  block->max_witness = max_witness;
  stats_.blocks_compacted.fetch_add(1, std::memory_order_relaxed);
  return Status::Ok();
}

Status FileStore::DeleteBlock(MsgBlock* block) {
  SPATE_RETURN_IF_ERROR(InvalidateSnapshot());
  SPATE_RETURN_IF_ERROR(fs_->RemoveFile(block->path()));
  SPATE_RETURN_IF_ERROR(msgs_dir_->Sync());
  const uint32_t index = block->index();
  ForgetRemovedIn(index);
  blocks_.erase(index);
  stats_.blocks_compacted.fetch_add(1, std::memory_order_relaxed);
  return Status::Ok();
}

}  // namespace spate::store
