#include "store/msg_block.h"

namespace spate::store {

Result<uint64_t> MsgBlock::Append(std::string_view records, bool* truncate_failed) {
  *truncate_failed = false;
  const uint64_t offset = size_;
  Status st = file_->PWrite(offset, records);
  if (!st.ok()) {
    BytesChanged();
    if (Status cut = file_->Truncate(offset); !cut.ok()) {
      *truncate_failed = true;
      return Status::IoError(st.message() + "; then cutting block " + std::to_string(index_) +
                             " back failed: " + cut.message());
    }
    return st;
  }
  size_ += records.size();
  return offset;
}

Status MsgBlock::Read(uint64_t offset, size_t length, std::string* out) const {
  SPATE_RETURN_IF_ERROR(
      ReadAheadCache::Shared().Read(*file_, read_version_, size_, offset, length, out));
  if (out->size() != length) {
    return Status::Corruption("block " + std::to_string(index_) + " offset " +
                              std::to_string(offset) + ": record runs past end of file");
  }
  return Status::Ok();
}

Status MsgBlock::Overwrite(uint64_t offset, std::string_view record) {
  BytesChanged();
  return file_->PWrite(offset, record);
}

Result<std::string> MsgBlock::ReadAll(uint64_t offset) const {
  SPATE_ASSIGN_OR_RETURN(uint64_t size, file_->Size());
  if (offset >= size) return std::string();
  std::string bytes(size - offset, '\0');
  SPATE_ASSIGN_OR_RETURN(size_t got, file_->PRead(offset, bytes.size(), bytes.data()));
  bytes.resize(got);
  return bytes;
}

}  // namespace spate::store
