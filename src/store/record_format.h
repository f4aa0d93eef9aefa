#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// The record format of message block files. docs/formats/msg_block.md is the specification;
// change both together.
//
//   [u32 length][u64 seq_and_flags][i64 timestamp_ns][u16 subject_len][u32 header_len]
//   subject headers payload [u32 crc32c]
//
// Little-endian. `length` counts the whole record, itself and the checksum included. The CRC-32C
// covers every byte before it. seq_and_flags: bits 0..61 are a sequence, bit 63 marks a
// tombstone (the sequence was removed), bit 62 a floor (every sequence below it was removed).
namespace spate::store {

inline constexpr size_t kRecordHeaderSize = 4 + 8 + 8 + 2 + 4;
static_assert(kRecordHeaderSize == 26, "update docs/formats/msg_block.md too");
inline constexpr size_t kRecordChecksumSize = 4;
inline constexpr size_t kMinRecordSize = kRecordHeaderSize + kRecordChecksumSize;
static_assert(kMinRecordSize == 30, "update docs/formats/msg_block.md too");
inline constexpr uint64_t kTombstoneFlag = uint64_t{1} << 63;
inline constexpr uint64_t kFloorFlag = uint64_t{1} << 62;
inline constexpr uint64_t kSeqMask = kFloorFlag - 1;
inline constexpr size_t kMaxSubjectLen = UINT16_MAX;

enum class RecordKind : uint8_t { kMessage, kTombstone, kFloor };

// A decoded record: views into the bytes it was parsed from.
struct RecordView {
  RecordKind kind = RecordKind::kMessage;
  uint64_t seq = 0;
  int64_t timestamp_ns = 0;
  uint32_t length = 0;
  std::string_view subject;
  std::string_view headers;
  std::string_view payload;
};

inline size_t RecordSize(size_t subject, size_t headers, size_t payload) {
  return kMinRecordSize + subject + headers + payload;
}

// Appends one encoded record to `out`.
void EncodeRecord(RecordKind kind, uint64_t seq, int64_t timestamp_ns, std::string_view subject,
                  std::string_view headers, std::string_view payload, std::string* out);
// Encodes a tombstone of exactly `length` bytes (>= kMinRecordSize; the payload is zeros), used
// to overwrite an erased message in place.
void EncodeErasedRecord(uint64_t seq, int64_t timestamp_ns, uint32_t length, std::string* out);

enum class DecodeResult : uint8_t {
  kOk,
  kTruncated,    // fewer bytes than the header or the stated length: a torn tail, or garbage
  kImplausible,  // the header cannot describe a record (bad lengths or flags)
  kBadChecksum,  // lengths plausible, checksum wrong
};
// Decodes the record at the start of `bytes`.
DecodeResult DecodeRecord(std::string_view bytes, RecordView* out);
// Reads only the length field, if present and plausible (>= kMinRecordSize).
uint32_t PeekRecordLength(std::string_view bytes);

}  // namespace spate::store

namespace spate::store {

// After a bad record at `offset`, the offset of the next good record, or 0 if none follows:
// first where the bad record's own length field points (if plausible), else the first offset
// after it where a record decodes with a valid checksum.
uint64_t FindNextGoodRecord(std::string_view bytes, uint64_t offset);

}  // namespace spate::store
