// FileStore's index snapshot (docs/formats/index_snapshot.md): the in-memory index, its tables
// written at Stop (and on Sync or Checkpoint every `snapshot_every`) and its slots a chunk at a
// time, so that Open reads two files instead of every block. It is only a cache: anything that
// does not match the block files makes Open scan them all.
#include <sys/mman.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/logging.h"
#include "store/crc32c.h"
#include "store/file_store.h"

namespace spate::store {
namespace {

constexpr uint32_t kSnapshotMagic = 0x58495053;  // "SPIX"
constexpr uint32_t kSnapshotVersion = 5;
constexpr uint32_t kFlagBlocksSynced = 1;  // the blocks were fsynced up to the covered bytes
using Slot = SeqIndex<MsgMeta>::Slot;
static_assert(sizeof(Slot) == sizeof(MsgMeta), "slots are the bare MsgMeta bytes");

// Streams the snapshot's tables to its file through one 1 MiB buffer, checksumming as it goes.
class Writer {
 public:
  explicit Writer(File* file) : file_(file), buf_(new char[kChunk]) {}
  template <class T>
  void Put(T value) {
    PutBytes(&value, sizeof(T));
  }
  void PutString(std::string_view s) {
    Put<uint16_t>(static_cast<uint16_t>(s.size()));
    PutBytes(s.data(), s.size());
  }
  void PutBytes(const void* data, size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      if (len_ == kChunk) Flush();
      const size_t take = std::min(n, kChunk - len_);
      std::memcpy(buf_.get() + len_, p, take);
      len_ += take;
      p += take;
      n -= take;
    }
  }
  // Writes the checksum of everything before it and the rest of the buffer.
  Status Finish() {
    const uint32_t crc = Crc32c(buf_.get(), len_, crc_);
    Put<uint32_t>(crc);
    Flush();
    return status_;
  }

 private:
  static constexpr size_t kChunk = 1 << 20;
  void Flush() {
    if (status_.ok()) status_ = file_->PWrite(written_, std::string_view(buf_.get(), len_));
    crc_ = Crc32c(buf_.get(), len_, crc_);
    written_ += len_;
    len_ = 0;
  }

  File* file_;
  std::unique_ptr<char[]> buf_;
  size_t len_ = 0;
  uint64_t written_ = 0;
  uint32_t crc_ = 0;
  Status status_;
};

// This boot of the machine (Linux); "" when unknown, which no snapshot matches.
const std::string& MachineBootId() {
  static const std::string kId = [] {
    std::string id;
    if (FILE* f = std::fopen("/proc/sys/kernel/random/boot_id", "r")) {
      char line[64] = {};
      if (std::fgets(line, sizeof line, f) != nullptr) id = line;
      std::fclose(f);
    }
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
    return id;
  }();
  return kId;
}

// Reads the snapshot's tables in chunks through one fixed buffer (never the size of the file),
// checksumming the bytes it hands out; crc() covers everything consumed so far.
class Reader {
 public:
  Reader(File* file, uint64_t limit) : file_(file), limit_(limit), buf_(new char[kChunk]) {}
  template <class T>
  bool Get(T* value) {
    const char* p = Take(sizeof(T));
    if (p == nullptr) return false;
    std::memcpy(value, p, sizeof(T));
    return true;
  }
  bool GetString(std::string* s) {
    uint16_t len;
    if (!Get(&len)) return false;
    const char* p = Take(len);
    if (p == nullptr) return false;
    s->assign(p, len);
    return true;
  }
  // The next n bytes (valid until the next call), or nullptr past the end.
  const char* Take(size_t n) {
    if (!Ensure(n)) return nullptr;
    const char* p = buf_.get() + pos_;
    pos_ += n;
    return p;
  }
  uint64_t position() const { return file_pos_ + pos_; }  // file offset of the next byte
  uint64_t remaining() const { return limit_ - position(); }
  uint32_t crc() {
    FoldCrc();
    return crc_;
  }

 private:
  static constexpr size_t kChunk = 1 << 20;
  static constexpr size_t kReadAhead = 16 << 10;
  void FoldCrc() {
    crc_ = Crc32c(buf_.get() + crc_from_, pos_ - crc_from_, crc_);
    crc_from_ = pos_;
  }
  bool Ensure(size_t n) {
    if (len_ - pos_ >= n) return true;
    if (n > kChunk || n > remaining()) return false;
    FoldCrc();
    std::memmove(buf_.get(), buf_.get() + pos_, len_ - pos_);
    file_pos_ += pos_;
    len_ -= pos_;
    pos_ = 0;
    crc_from_ = 0;
    // Small reads: the tables are usually a few KiB, and every byte read past them (the slot
    // array) would be read again.
    const size_t want = static_cast<size_t>(std::min<uint64_t>(
        {std::max<uint64_t>(n - len_, kReadAhead), kChunk - len_, limit_ - file_pos_ - len_}));
    Result<size_t> got = file_->PRead(file_pos_ + len_, want, buf_.get() + len_);
    if (!got.ok() || *got != want) return false;
    len_ += want;
    return len_ - pos_ >= n;
  }

  File* file_;
  uint64_t limit_;         // bytes before the trailer
  uint64_t file_pos_ = 0;  // file offset of buf_[0]
  std::unique_ptr<char[]> buf_;
  size_t len_ = 0;  // bytes in buf_
  size_t pos_ = 0;  // next byte to hand out
  size_t crc_from_ = 0;
  uint32_t crc_ = 0;
};

constexpr uint64_t kChunkSlots = SeqIndex<MsgMeta>::kSlotsPerChunk;
constexpr uint64_t kChunkBytes = SeqIndex<MsgMeta>::kChunkBytes;

// The snapshot file's tables, read and checksummed before anything is built from them.
struct SnapshotHeader {
  uint32_t flags = 0;
  std::string boot_id;
  uint64_t last_seq = 0, floor = 0;
  int64_t last_ts = 0;
  struct Block {
    uint32_t index = 0;
    uint64_t size = 0, live_msgs = 0, live_bytes = 0, first_record_seq = 0, floor = 0;
    uint64_t max_witness = 0;
    std::vector<uint64_t> targets;
  };
  std::vector<Block> blocks;
  std::unordered_map<uint64_t, uint32_t> removed;
  struct Subject {
    uint32_t id = 0;
    std::string name;
    uint64_t count = 0, first = 0, last = 0;  // live messages; first and last sequence
  };
  std::vector<Subject> subjects;
  uint64_t num_msgs = 0, num_bytes = 0, first_seq = 0, num_slots = 0;
  uint64_t origin = 0, first_chunk = 0;
  std::vector<std::pair<uint32_t, uint32_t>> chunks;  // bytes, crc
};

// "" if the header was read whole and its checksum matches, else why not. Every count is checked
// against the bytes left before anything is sized by it.
const char* ReadHeader(File* file, uint64_t size, SnapshotHeader* h) {
  if (size < 8) return "short file";
  uint32_t stored_crc = 0;
  Result<size_t> got = file->PRead(size - 4, 4, reinterpret_cast<char*>(&stored_crc));
  if (!got.ok() || *got != 4) return "short file";
  Reader r(file, size - 4);
  uint32_t magic, version;
  if (!r.Get(&magic) || magic != kSnapshotMagic || !r.Get(&version) ||
      version != kSnapshotVersion) {
    return "unknown format";
  }
  uint32_t num_blocks;
  if (!r.Get(&h->flags) || !r.GetString(&h->boot_id) || !r.Get(&h->last_seq) ||
      !r.Get(&h->last_ts) || !r.Get(&h->floor) || !r.Get(&num_blocks)) {
    return "truncated";
  }
  if (num_blocks > r.remaining() / 60) return "truncated";
  h->blocks.resize(num_blocks);
  for (SnapshotHeader::Block& b : h->blocks) {
    uint64_t num_targets;
    if (!r.Get(&b.index) || !r.Get(&b.size) || !r.Get(&b.live_msgs) || !r.Get(&b.live_bytes) ||
        !r.Get(&b.first_record_seq) || !r.Get(&b.floor) || !r.Get(&b.max_witness) ||
        !r.Get(&num_targets) || num_targets > r.remaining() / 8) {
      return "truncated";
    }
    b.targets.resize(num_targets);
    for (uint64_t& target : b.targets) {
      if (!r.Get(&target)) return "truncated";
    }
  }
  uint64_t num_removed;
  if (!r.Get(&num_removed) || num_removed > r.remaining() / 12) return "truncated";
  for (uint64_t i = 0; i < num_removed; ++i) {
    uint64_t seq;
    uint32_t block;
    if (!r.Get(&seq) || !r.Get(&block)) return "truncated";
    h->removed[seq] = block;
  }
  uint32_t num_subjects;
  if (!r.Get(&num_subjects) || num_subjects > r.remaining() / 30) return "truncated";
  h->subjects.resize(num_subjects);
  for (SnapshotHeader::Subject& s : h->subjects) {
    if (!r.Get(&s.id) || !r.GetString(&s.name) || !r.Get(&s.count) || !r.Get(&s.first) ||
        !r.Get(&s.last)) {
      return "truncated";
    }
  }
  uint32_t num_chunks;
  if (!r.Get(&h->num_msgs) || !r.Get(&h->num_bytes) || !r.Get(&h->first_seq) ||
      !r.Get(&h->num_slots) || !r.Get(&h->origin) || !r.Get(&h->first_chunk) ||
      !r.Get(&num_chunks) || num_chunks != r.remaining() / 8 || r.remaining() % 8 != 0) {
    return "truncated";
  }
  h->chunks.resize(num_chunks);
  for (auto& [bytes, crc] : h->chunks) {
    if (!r.Get(&bytes) || !r.Get(&crc)) return "truncated";
  }
  if (r.crc() != stored_crc) return "checksum mismatch";
  return "";
}

// "" if each chunk of the slot file reads back with its checksum and the first and last slots
// are live (the index's invariant), else why not. The chunks are read in pieces into a small
// buffer: reading through the mapping would fault in every page of it now (~7 ms per million
// slots on this kind of VM), while the index touches its pages later, as it uses them. Nothing
// else is checked per slot: the counts and each subject's first and last sequence come from
// the checksummed tables, written together with the slots from the same index.
const char* CheckChunks(File* file, const SnapshotHeader& h, uint64_t head, size_t from,
                        size_t to) {
  // Small pieces: the buffer is fresh memory, and a fresh page costs a fault.
  constexpr uint64_t kPiece = 2048;  // slots (48 KiB)
  std::unique_ptr<Slot[]> piece(new Slot[kPiece]);
  const uint64_t end = head + h.num_slots;  // slot positions in use: [head, end)
  for (size_t c = from; c < to; ++c) {
    const auto [chunk_bytes, chunk_crc] = h.chunks[c];
    const uint64_t chunk_at = (h.first_chunk + c) * kChunkBytes;
    const uint64_t slots = chunk_bytes / sizeof(Slot);
    uint32_t crc = 0;
    for (uint64_t at = 0; at < slots; at += kPiece) {
      const uint64_t n = std::min(kPiece, slots - at);
      Result<size_t> got = file->PRead(chunk_at + at * sizeof(Slot), n * sizeof(Slot),
                                       reinterpret_cast<char*>(piece.get()));
      if (!got.ok() || *got != n * sizeof(Slot)) return "slot file truncated";
      crc = Crc32c(piece.get(), n * sizeof(Slot), crc);
      const uint64_t pos0 = c * kChunkSlots + at;  // position of piece[0]
      for (uint64_t edge : {head, end - 1}) {
        if (edge >= pos0 && edge < pos0 + n && piece[edge - pos0].value.IsHole()) {
          return "bad message entry";
        }
      }
    }
    if (crc != chunk_crc) return "slot checksum mismatch";
  }
  return "";
}

// The chunks are independent (each has its checksum): a big index is checked in two halves at
// once, the second on a thread of its own (pread is safe from two threads).
const char* CheckSlots(File* file, const SnapshotHeader& h, uint64_t head) {
  const size_t n = h.chunks.size();
  if (n < 4) return CheckChunks(file, h, head, 0, n);
  const char* second = "";
  std::thread helper;
  try {
    helper = std::thread([&] { second = CheckChunks(file, h, head, n / 2, n); });
  } catch (const std::system_error&) {
    return CheckChunks(file, h, head, 0, n);  // no thread to be had: one pass
  }
  const char* first = CheckChunks(file, h, head, 0, n / 2);
  helper.join();
  return *first != '\0' ? first : second;
}

}  // namespace

uint64_t FileStore::ChunkNumber(size_t chunk) const {
  return (index().chunk_origin(chunk) - slots_origin_) / kChunkSlots;
}

bool FileStore::SlotGridFits() const {
  if (!slots_grid_) return false;
  const uint64_t origin = index().chunk_origin(0);
  return origin >= slots_origin_ && (origin - slots_origin_) % kChunkSlots == 0;
}

Status FileStore::ResetSlotGrid() {
  // The file's pages may back adopted chunks, which a truncate would take away (SIGBUS). An
  // index that adopted chunks keeps their grid, so this does not happen; refuse if it does.
  if (index().has_mapped_chunks()) {
    return Status::Internal("index chunks off the slot file's grid while mapped from it");
  }
  if (slots_file_ == nullptr) {
    SPATE_ASSIGN_OR_RETURN(slots_file_, fs_->OpenFile(SlotsPath(), /*create=*/true));
  }
  SPATE_RETURN_IF_ERROR(TruncateIfNotEmpty(*slots_file_));
  slots_grid_ = true;
  slots_origin_ = index().chunk_origin(0);
  written_chunks_.clear();
  listed_first_ = listed_end_ = 0;  // the snapshot on disk is no good now
  return Status::Ok();
}

void FileStore::ForgetSlotFile() {
  slots_file_.reset();
  slots_grid_ = false;
  written_chunks_.clear();
  listed_first_ = listed_end_ = 0;
  (void)fs_->RemoveFile(SlotsPath());
}

Status FileStore::WriteIndexChunk(size_t chunk) {
  const size_t bytes = index().chunk_used_bytes(chunk);
  const char* data = static_cast<const char*>(index().chunk_data(chunk));
  const uint64_t number = ChunkNumber(chunk);
  written_chunks_.erase(number);  // if the write fails half-way, the file holds nothing usable
  SPATE_RETURN_IF_ERROR(slots_file_->PWrite(number * kChunkBytes, std::string_view(data, bytes)));
  written_chunks_[number] = {static_cast<uint32_t>(bytes), Crc32c(data, bytes)};
  mutable_index().MarkChunkClean(chunk);
  return Status::Ok();
}

void FileStore::ReleaseDeadChunks() {
  const SeqIndex<MsgMeta>& idx = index();
  if (!idx.empty() && !SlotGridFits()) return;  // the file starts over at the next write
  const uint64_t first = idx.empty() ? 0 : ChunkNumber(0);
  const uint64_t end = idx.empty() ? 0 : first + idx.num_chunks();
  for (auto it = written_chunks_.begin(); it != written_chunks_.end();) {
    const uint64_t n = it->first;
    if ((n >= first && n < end) || (n >= listed_first_ && n < listed_end_)) {
      ++it;
      continue;
    }
    (void)slots_file_->PunchHole(n * kChunkBytes, kChunkBytes);
    it = written_chunks_.erase(it);
  }
}

void FileStore::WriteFullIndexChunks() {
  const SeqIndex<MsgMeta>& idx = index();
  // The space of chunks the front has passed goes back as they go (snapshots may be far apart),
  // but for those the snapshot on disk lists.
  ReleaseDeadChunks();
  if (idx.num_chunks() < 2) return;
  if (!SlotGridFits() && !ResetSlotGrid().ok()) return;  // the snapshot will say so
  // Only chunks the file does not hold whole: a chunk written before and changed since by a
  // removal is written again at the next snapshot, not at every removal.
  for (size_t c = 0; c + 1 < idx.num_chunks(); ++c) {
    auto it = written_chunks_.find(ChunkNumber(c));
    if (!idx.chunk_dirty(c) || (it != written_chunks_.end() && it->second.bytes == kChunkBytes)) {
      continue;
    }
    if (Status st = WriteIndexChunk(c); !st.ok()) {
      LOG_WARN("file store %s: writing an index chunk failed (%s); left for the snapshot",
               options_.dir.c_str(), st.message().c_str());
      return;
    }
  }
}

Status FileStore::WriteIndexSnapshot() {
  SPATE_RETURN_IF_ERROR(FlushPendingFloor());
  const bool blocks_synced = options_.sync == SyncMode::kAlways;
  // Unchanged since the snapshot on disk (a restart with no writes): it is still exact, and
  // rewriting it would make every clean stop cost a full index write. Unless it came from a
  // Checkpoint, which does not claim synced blocks where this one would.
  if (snapshot_on_disk_ && writes_since_snapshot_ == 0 && snapshot_synced_ == blocks_synced) {
    return Status::Ok();
  }
  // The snapshot may only claim what is on disk. With sync: always everything written is made
  // durable first (already, but for the last group commit), so the snapshot holds across a
  // machine crash. With a sync interval the blocks are left to the OS, as every write is in
  // that mode: the snapshot records this boot of the machine and Open trusts it only within the
  // same boot, where the page cache still holds the blocks; after a reboot it scans them.
  if (blocks_synced) SPATE_RETURN_IF_ERROR(syncer_->WaitAll());
  return WriteSnapshot(blocks_synced);
}

Status FileStore::WriteSnapshot(bool blocks_synced) {
  SPATE_RETURN_IF_ERROR(FlushPendingFloor());
  const std::string& boot_id = options_.boot_id.empty() ? MachineBootId() : options_.boot_id;

  // The slots first: every chunk the file does not hold as it is now. Usually that is the
  // last one only; the full ones were written as they filled.
  const SeqIndex<MsgMeta>& idx = index();
  if (!idx.empty()) {
    if (!SlotGridFits()) {
      if (Status st = ResetSlotGrid(); !st.ok()) {
        LOG_WARN("file store %s: no index snapshot (%s)", options_.dir.c_str(),
                 st.message().c_str());
        return InvalidateSnapshot();
      }
    }
    for (size_t c = 0; c < idx.num_chunks(); ++c) {
      auto it = written_chunks_.find(ChunkNumber(c));
      if (idx.chunk_dirty(c) || it == written_chunks_.end() ||
          it->second.bytes != idx.chunk_used_bytes(c)) {
        SPATE_RETURN_IF_ERROR(WriteIndexChunk(c));
      }
    }
  }

  const std::string tmp = SnapshotPath() + ".tmp";
  SPATE_ASSIGN_OR_RETURN(std::shared_ptr<File> file, fs_->OpenFile(tmp, /*create=*/true));
  SPATE_RETURN_IF_ERROR(TruncateIfNotEmpty(*file));
  Writer w(file.get());
  w.Put<uint32_t>(kSnapshotMagic);
  w.Put<uint32_t>(kSnapshotVersion);
  w.Put<uint32_t>(blocks_synced ? kFlagBlocksSynced : 0);
  w.PutString(boot_id);
  w.Put<uint64_t>(last_seq());
  w.Put<int64_t>(last_ts_ns());
  w.Put<uint64_t>(floor_);
  w.Put<uint32_t>(static_cast<uint32_t>(blocks_.size()));
  for (const auto& [index, block] : blocks_) {
    w.Put<uint32_t>(index);
    w.Put<uint64_t>(block->size());
    w.Put<uint64_t>(block->live_msgs);
    w.Put<uint64_t>(block->live_bytes);
    w.Put<uint64_t>(block->first_record_seq);
    w.Put<uint64_t>(block->floor);
    w.Put<uint64_t>(block->max_witness);
    w.Put<uint64_t>(block->tombstone_targets.size());
    for (uint64_t target : block->tombstone_targets) w.Put<uint64_t>(target);
  }
  w.Put<uint64_t>(removed_present_.size());
  for (const auto& [seq, block] : removed_present_) {
    w.Put<uint64_t>(seq);
    w.Put<uint32_t>(block);
  }
  // The slots carry the in-memory subject ids, so the table gives each subject with its id,
  // ascending (Open hands the same ids out again).
  std::vector<uint32_t> ids;
  subjects().ForEach([&](uint32_t id) { ids.push_back(id); });
  std::sort(ids.begin(), ids.end());
  w.Put<uint32_t>(static_cast<uint32_t>(ids.size()));
  for (uint32_t id : ids) {
    w.Put<uint32_t>(id);
    w.PutString(subjects().Name(id));
    w.Put<uint64_t>(subjects().Count(id));
    w.Put<uint64_t>(subjects().First(id));
    w.Put<uint64_t>(subjects().Last(id));
  }
  w.Put<uint64_t>(idx.size());
  w.Put<uint64_t>(live_bytes());
  w.Put<uint64_t>(idx.first());
  w.Put<uint64_t>(idx.empty() ? 0 : idx.last() - idx.first() + 1);
  w.Put<uint64_t>(idx.empty() ? 0 : slots_origin_);
  w.Put<uint64_t>(idx.empty() ? 0 : ChunkNumber(0));
  const size_t num_chunks = idx.empty() ? 0 : idx.num_chunks();
  w.Put<uint32_t>(static_cast<uint32_t>(num_chunks));
  for (size_t c = 0; c < num_chunks; ++c) {
    const WrittenChunk& written = written_chunks_.at(ChunkNumber(c));
    w.Put<uint32_t>(written.bytes);
    w.Put<uint32_t>(written.crc);
  }
  SPATE_RETURN_IF_ERROR(w.Finish());
  // No fsync of the snapshot, its slots or its directory: it is a cache, checked by its
  // checksums (a snapshot torn by a crash is refused and the blocks are scanned), and fsyncing
  // 24 MiB made a clean stop of a million-message stream take a second. InvalidateSnapshot,
  // which must outlive a crash, still syncs the directory.
  SPATE_RETURN_IF_ERROR(fs_->Rename(tmp, SnapshotPath()));
  snapshot_on_disk_ = true;
  snapshot_synced_ = blocks_synced;
  writes_since_snapshot_ = 0;
  last_snapshot_ = std::chrono::steady_clock::now();
  listed_first_ = num_chunks == 0 ? 0 : ChunkNumber(0);
  listed_end_ = num_chunks == 0 ? 0 : listed_first_ + num_chunks;
  ReleaseDeadChunks();
  return Status::Ok();
}

Result<bool> FileStore::LoadIndexSnapshot(std::map<uint32_t, uint64_t>* covered) {
  const std::string path = SnapshotPath();
  (void)fs_->RemoveFile(path + ".tmp");
  if (!fs_->Exists(path)) {
    ForgetSlotFile();
    return false;
  }
  // Undoes whatever was restored, so that the full scan starts from an empty index.
  auto reject = [&](const char* why) -> Result<bool> {
    ResetIndex();
    LOG_WARN("file store %s: index snapshot not used (%s); scanning all blocks",
             options_.dir.c_str(), why);
    ForgetSlotFile();
    SPATE_RETURN_IF_ERROR(fs_->RemoveFile(path));
    return false;
  };
  SPATE_ASSIGN_OR_RETURN(std::shared_ptr<File> file, fs_->OpenFile(path, /*create=*/false));
  SPATE_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  SnapshotHeader h;
  if (const char* error = ReadHeader(file.get(), size, &h); *error != '\0') return reject(error);
  const std::string& this_boot = options_.boot_id.empty() ? MachineBootId() : options_.boot_id;
  if (!(h.flags & kFlagBlocksSynced) && (h.boot_id.empty() || h.boot_id != this_boot)) {
    return reject("written before the machine restarted, over blocks that were not synced");
  }
  // Every block the snapshot knows must exist with at least the bytes it saw; blocks after the
  // last one it knows are new and get scanned from their start.
  std::map<uint32_t, uint64_t> sizes;
  for (const SnapshotHeader::Block& b : h.blocks) {
    MsgBlock* block = FindBlock(b.index);
    if (block == nullptr || block->size() < b.size) return reject("block files changed");
    sizes[b.index] = b.size;
  }
  const uint32_t last_known = sizes.empty() ? 0 : sizes.rbegin()->first;
  for (const auto& [index, block] : blocks_) {
    if (index <= last_known && sizes.count(index) == 0) return reject("block files changed");
  }
  // The slots: chunk i of the table is chunk number first_chunk + i of the slot file, and the
  // first slot is at position `head` of the first chunk.
  const uint64_t chunk0_seq = h.origin + h.first_chunk * kChunkSlots;
  const uint64_t head = h.first_seq - chunk0_seq;
  const uint64_t num_chunks = h.chunks.size();
  if ((h.num_slots == 0) != (h.num_msgs == 0) || (h.num_slots == 0) != (num_chunks == 0)) {
    return reject("bad message count");
  }
  if (h.num_slots > 0) {
    if (h.first_seq == 0 || h.first_seq < chunk0_seq || head >= kChunkSlots ||
        h.first_seq + h.num_slots - 1 > h.last_seq || h.num_slots > num_chunks * kChunkSlots ||
        (head + h.num_slots + kChunkSlots - 1) / kChunkSlots != num_chunks ||
        h.first_chunk > (uint64_t{1} << 40)) {
      return reject("bad message count");
    }
    for (uint64_t c = 0; c < num_chunks; ++c) {
      const uint64_t used = std::min(head + h.num_slots - c * kChunkSlots, kChunkSlots);
      if (h.chunks[c].first != used * sizeof(Slot)) return reject("bad chunk table");
    }
  }
  // Subject ids as they were: ascending, each above the last (the ones skipped are free).
  uint64_t counted = 0;
  uint32_t next_id = 0;
  for (const SnapshotHeader::Subject& s : h.subjects) {
    if (s.id < next_id || s.id > h.num_slots + h.subjects.size() + (1u << 20) || s.count == 0 ||
        s.first < h.first_seq || s.first > s.last || s.last - h.first_seq >= h.num_slots ||
        s.count > s.last - s.first + 1) {
      return reject("bad subject table");
    }
    next_id = s.id + 1;
    counted += s.count;
  }
  if (counted != h.num_msgs || h.num_msgs > h.num_slots) return reject("bad message count");

  // The index takes the slot file's chunks as they are: private mappings, placed in a range of
  // whole index chunks so that the last, partly filled chunk takes appends where it is (the rest
  // of it is anonymous memory).
  std::shared_ptr<File> slots;
  void* region = nullptr;
  size_t region_bytes = 0;
  auto unmap = [&] {
    if (region != nullptr) munmap(region, region_bytes);
    region = nullptr;
  };
  if (num_chunks > 0) {
    Result<std::shared_ptr<File>> opened = fs_->OpenFile(SlotsPath(), /*create=*/false);
    if (!opened.ok()) return reject("no slot file");
    slots = *std::move(opened);
    region_bytes = static_cast<size_t>(num_chunks * kChunkBytes);
    region = mmap(nullptr, region_bytes, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region == MAP_FAILED) {
      region = nullptr;
      return reject("cannot map the slots");
    }
    // Checked before mapping: a mapping past the file's end faults (SIGBUS) when touched.
    SPATE_ASSIGN_OR_RETURN(uint64_t slots_size, slots->Size());
    const uint64_t needed = (h.first_chunk + num_chunks - 1) * kChunkBytes + h.chunks.back().first;
    if (slots_size < needed) {
      unmap();
      return reject("slot file truncated");
    }
    for (uint64_t c = 0; c < num_chunks; ++c) {
      if (!slots
               ->MapPrivate((h.first_chunk + c) * kChunkBytes, h.chunks[c].first,
                            static_cast<char*>(region) + c * kChunkBytes)
               .ok()) {
        unmap();
        return reject("cannot map the slots");
      }
    }
  }
  // Nothing is used before every chunk's checksum has matched.
  if (const char* error = num_chunks == 0 ? "" : CheckSlots(slots.get(), h, head); *error != '\0') {
    unmap();
    return reject(error);
  }
  for (const SnapshotHeader::Subject& s : h.subjects) {
    if (!subjects().InternAt(s.name, s.id)) {
      unmap();
      return reject("duplicate subject");
    }
    subjects().RestoreDeferred(s.id, s.count, s.first, s.last);
  }
  RestoreAdopted(h.first_seq, head, region, region_bytes, h.num_slots, h.num_msgs, h.num_bytes);
  // Commit: block accounting, removal bookkeeping, sequence state, the slot file's contents.
  for (SnapshotHeader::Block& b : h.blocks) {
    MsgBlock* block = FindBlock(b.index);
    block->live_msgs = b.live_msgs;
    block->live_bytes = b.live_bytes;
    block->first_record_seq = b.first_record_seq;
    block->floor = b.floor;
    block->max_witness = b.max_witness;
    block->tombstone_targets = std::move(b.targets);
  }
  removed_present_ = std::move(h.removed);
  floor_ = h.floor;
  RestoreLastSeq(h.last_seq, h.last_ts);
  *covered = std::move(sizes);
  if (num_chunks > 0) {
    slots_file_ = std::move(slots);
    slots_grid_ = true;
    slots_origin_ = h.origin;
    for (uint64_t c = 0; c < num_chunks; ++c) {
      written_chunks_[h.first_chunk + c] = {h.chunks[c].first, h.chunks[c].second};
    }
    listed_first_ = h.first_chunk;
    listed_end_ = h.first_chunk + num_chunks;
    chunks_seen_ = num_chunks;
  }
  snapshot_on_disk_ = true;
  snapshot_synced_ = (h.flags & kFlagBlocksSynced) != 0;
  writes_since_snapshot_ = 0;
  return true;
}

}  // namespace spate::store
