#include "store/record_format.h"

#include "store/crc32c.h"

namespace spate::store {
namespace {

template <class T>
void Put(std::string* out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // little-endian hosts only
  out->append(bytes, sizeof(T));
}
template <class T>
T Get(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

uint64_t SeqField(RecordKind kind, uint64_t seq) {
  switch (kind) {
    case RecordKind::kMessage:
      return seq;
    case RecordKind::kTombstone:
      return seq | kTombstoneFlag;
    case RecordKind::kFloor:
      return seq | kFloorFlag;
  }
  return seq;
}

void AppendChecksum(std::string* out, size_t start) {
  Put<uint32_t>(out, Crc32c(out->data() + start, out->size() - start));
}

}  // namespace

void EncodeRecord(RecordKind kind, uint64_t seq, int64_t timestamp_ns, std::string_view subject,
                  std::string_view headers, std::string_view payload, std::string* out) {
  const size_t start = out->size();
  Put<uint32_t>(out,
                static_cast<uint32_t>(RecordSize(subject.size(), headers.size(), payload.size())));
  Put<uint64_t>(out, SeqField(kind, seq));
  Put<int64_t>(out, timestamp_ns);
  Put<uint16_t>(out, static_cast<uint16_t>(subject.size()));
  Put<uint32_t>(out, static_cast<uint32_t>(headers.size()));
  out->append(subject).append(headers).append(payload);
  AppendChecksum(out, start);
}

void EncodeErasedRecord(uint64_t seq, int64_t timestamp_ns, uint32_t length, std::string* out) {
  const size_t start = out->size();
  Put<uint32_t>(out, length);
  Put<uint64_t>(out, SeqField(RecordKind::kTombstone, seq));
  Put<int64_t>(out, timestamp_ns);
  Put<uint16_t>(out, 0);
  Put<uint32_t>(out, 0);
  out->append(length - kMinRecordSize, '\0');
  AppendChecksum(out, start);
}

uint32_t PeekRecordLength(std::string_view bytes) {
  if (bytes.size() < 4) return 0;
  const uint32_t length = Get<uint32_t>(bytes.data());
  return length >= kMinRecordSize ? length : 0;
}

DecodeResult DecodeRecord(std::string_view bytes, RecordView* out) {
  if (bytes.size() < kRecordHeaderSize) return DecodeResult::kTruncated;
  const char* p = bytes.data();
  const uint32_t length = Get<uint32_t>(p);
  const uint64_t seq_field = Get<uint64_t>(p + 4);
  const int64_t timestamp_ns = Get<int64_t>(p + 12);
  const uint16_t subject_len = Get<uint16_t>(p + 20);
  const uint32_t header_len = Get<uint32_t>(p + 22);
  if (length < kMinRecordSize) return DecodeResult::kImplausible;
  if (uint64_t{subject_len} + header_len + kMinRecordSize > length) {
    return DecodeResult::kImplausible;
  }
  const bool tombstone = seq_field & kTombstoneFlag;
  const bool floor = seq_field & kFloorFlag;
  if (tombstone && floor) return DecodeResult::kImplausible;
  if ((tombstone || floor) && (subject_len != 0 || header_len != 0)) {
    return DecodeResult::kImplausible;
  }
  if (!tombstone && !floor && subject_len == 0) return DecodeResult::kImplausible;
  if (length > bytes.size()) return DecodeResult::kTruncated;
  const uint32_t stored = Get<uint32_t>(p + length - kRecordChecksumSize);
  if (Crc32c(p, length - kRecordChecksumSize) != stored) return DecodeResult::kBadChecksum;

  out->kind =
      tombstone ? RecordKind::kTombstone : (floor ? RecordKind::kFloor : RecordKind::kMessage);
  out->seq = seq_field & kSeqMask;
  out->timestamp_ns = timestamp_ns;
  out->length = length;
  const char* body = p + kRecordHeaderSize;
  out->subject = {body, subject_len};
  out->headers = {body + subject_len, header_len};
  out->payload = {body + subject_len + header_len,
                  length - kMinRecordSize - subject_len - header_len};
  return DecodeResult::kOk;
}

}  // namespace spate::store

namespace spate::store {

uint64_t FindNextGoodRecord(std::string_view bytes, uint64_t offset) {
  RecordView record;
  const uint32_t length = PeekRecordLength(bytes.substr(offset));
  if (length > 0 && offset + length < bytes.size() &&
      DecodeRecord(bytes.substr(offset + length), &record) == DecodeResult::kOk) {
    return offset + length;
  }
  for (uint64_t at = offset + 1; at + kMinRecordSize <= bytes.size(); ++at) {
    if (DecodeRecord(bytes.substr(at), &record) == DecodeResult::kOk) return at;
  }
  return 0;
}

}  // namespace spate::store
