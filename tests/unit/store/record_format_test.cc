#include "store/record_format.h"

#include <gtest/gtest.h>

#include "store/crc32c.h"

namespace spate::store {
namespace {

TEST(Crc32cTest, KnownValues) {
  // RFC 3720 (iSCSI) test vectors.
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
}

TEST(Crc32cTest, HardwareAndPortableAgree) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 31));
  for (size_t len : {0u, 1u, 7u, 8u, 9u, 63u, 1000u}) {
    EXPECT_EQ(Crc32c(data.data(), len), Crc32cPortable(data.data(), len)) << len;
  }
  EXPECT_EQ(Crc32c(std::string_view("6789"), Crc32c(std::string_view("12345"))),
            Crc32c(std::string_view("123456789")));
}

// Inputs of three lanes and more take the interleaved path: every length around the lane
// boundaries, odd alignments and a running CRC must give the portable result.
TEST(Crc32cTest, LongInputsAgreeWithPortable) {
  std::string data(3 * 3 * 4096 + 100, '\0');
  uint32_t x = 12345;
  for (char& c : data) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 16);
  }
  for (size_t len : {12287u, 12288u, 12289u, 12295u, 24575u, 24576u, 24583u, 36864u, 36964u}) {
    for (size_t offset : {0u, 1u, 5u}) {
      if (offset + len > data.size()) continue;
      EXPECT_EQ(Crc32c(data.data() + offset, len), Crc32cPortable(data.data() + offset, len))
          << len << " at " << offset;
    }
  }
  const uint32_t head = Crc32c(data.data(), 777);
  EXPECT_EQ(Crc32c(data.data() + 777, 30000, head), Crc32cPortable(data.data(), 30777));
}

TEST(RecordFormatTest, MessageRoundTrips) {
  std::string bytes;
  EncodeRecord(RecordKind::kMessage, 42, -5, "orders.new", "NATS/1.0\r\n\r\n", "hi", &bytes);
  EXPECT_EQ(bytes.size(), RecordSize(10, 12, 2));
  RecordView record;
  ASSERT_EQ(DecodeRecord(bytes, &record), DecodeResult::kOk);
  EXPECT_EQ(record.kind, RecordKind::kMessage);
  EXPECT_EQ(record.seq, 42u);
  EXPECT_EQ(record.timestamp_ns, -5);
  EXPECT_EQ(record.subject, "orders.new");
  EXPECT_EQ(record.headers, "NATS/1.0\r\n\r\n");
  EXPECT_EQ(record.payload, "hi");
}

TEST(RecordFormatTest, TombstoneFloorAndErasedRecords) {
  std::string bytes;
  EncodeRecord(RecordKind::kTombstone, 7, 0, {}, {}, {}, &bytes);
  EncodeRecord(RecordKind::kFloor, 9, 0, {}, {}, {}, &bytes);
  EncodeErasedRecord(3, 0, 64, &bytes);
  RecordView record;
  ASSERT_EQ(DecodeRecord(bytes, &record), DecodeResult::kOk);
  EXPECT_EQ(record.kind, RecordKind::kTombstone);
  EXPECT_EQ(record.seq, 7u);
  EXPECT_EQ(record.length, kMinRecordSize);
  ASSERT_EQ(DecodeRecord(std::string_view(bytes).substr(30), &record), DecodeResult::kOk);
  EXPECT_EQ(record.kind, RecordKind::kFloor);
  EXPECT_EQ(record.seq, 9u);
  ASSERT_EQ(DecodeRecord(std::string_view(bytes).substr(60), &record), DecodeResult::kOk);
  EXPECT_EQ(record.kind, RecordKind::kTombstone);
  EXPECT_EQ(record.length, 64u);
}

TEST(RecordFormatTest, DamageIsClassified) {
  std::string bytes;
  EncodeRecord(RecordKind::kMessage, 1, 0, "a", {}, "payload", &bytes);
  RecordView record;
  EXPECT_EQ(DecodeRecord(std::string_view(bytes).substr(0, 10), &record), DecodeResult::kTruncated);
  EXPECT_EQ(DecodeRecord(std::string_view(bytes).substr(0, bytes.size() - 1), &record),
            DecodeResult::kTruncated);
  std::string flipped = bytes;
  flipped[kRecordHeaderSize + 1] ^= 1;
  EXPECT_EQ(DecodeRecord(flipped, &record), DecodeResult::kBadChecksum);
  std::string bad_length = bytes;
  bad_length[0] = 3;
  EXPECT_EQ(DecodeRecord(bad_length, &record), DecodeResult::kImplausible);
}

TEST(RecordFormatTest, FindNextGoodRecordSkipsDamage) {
  std::string bytes;
  EncodeRecord(RecordKind::kMessage, 1, 0, "a", {}, "first", &bytes);
  const size_t second = bytes.size();
  EncodeRecord(RecordKind::kMessage, 2, 0, "a", {}, "second", &bytes);
  bytes[3] = 0x7F;  // first record's length field is now implausibly large
  EXPECT_EQ(FindNextGoodRecord(bytes, 0), second);
  EXPECT_EQ(FindNextGoodRecord(bytes.substr(0, second), 0), 0u);
}

}  // namespace
}  // namespace spate::store
