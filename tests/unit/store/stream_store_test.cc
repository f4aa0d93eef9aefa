// One suite over every StreamStore implementation (STYLE item 11).
#include "store/stream_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "store_test_util.h"

namespace spate::store {
namespace {

using test::FileStoreFactory;
using test::FileStoreIntervalFactory;
using test::MemStoreFactory;

constexpr int64_t kSecond = 1'000'000'000;

template <class Factory>
class StreamStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<StreamStore> Make(const StoreLimits& limits = {}) {
    return factory_.Make(limits);
  }
  // Appends and expects success; returns the sequence.
  static uint64_t Put(StreamStore& store, std::string_view subject, std::string_view payload = "x",
                      int64_t ts = kSecond) {
    Result<StreamSeq> seq = store.Append(subject, {}, payload, ts);
    EXPECT_TRUE(seq.ok()) << seq.status().message();
    return seq.ok() ? seq->value : 0;
  }
  static std::string SubjectAt(StreamStore& store, uint64_t seq) {
    Result<StoredMsg> msg = store.Load(StreamSeq{seq});
    return msg.ok() ? std::string(msg->subject()) : "<" + msg.status().message() + ">";
  }
  Factory factory_;
};

using StoreKinds = ::testing::Types<MemStoreFactory, FileStoreFactory, FileStoreIntervalFactory>;
TYPED_TEST_SUITE(StreamStoreTest, StoreKinds);

TYPED_TEST(StreamStoreTest, AppendAssignsSequencesAndLoadReturnsEveryPart) {
  auto store = this->Make();
  Result<StreamSeq> first = store->Append("orders.new", "NATS/1.0\r\nA: b\r\n\r\n", "hello", 7);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->value, 1u);
  EXPECT_EQ(this->Put(*store, "orders.paid"), 2u);

  Result<StoredMsg> msg = store->Load(StreamSeq{1});
  ASSERT_TRUE(msg.ok()) << msg.status().message();
  EXPECT_EQ(msg->seq().value, 1u);
  EXPECT_EQ(msg->timestamp_ns(), 7);
  EXPECT_EQ(msg->subject(), "orders.new");
  EXPECT_EQ(msg->headers(), "NATS/1.0\r\nA: b\r\n\r\n");
  EXPECT_EQ(msg->payload(), "hello");
}

TYPED_TEST(StreamStoreTest, EmptyPayloadAndHeadersRoundTrip) {
  auto store = this->Make();
  ASSERT_TRUE(store->Append("a", {}, {}, 1).ok());
  Result<StoredMsg> msg = store->Load(StreamSeq{1});
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(msg->headers(), "");
  EXPECT_EQ(msg->payload(), "");
}

TYPED_TEST(StreamStoreTest, LoadOfUnknownSequenceIsNotFound) {
  auto store = this->Make();
  EXPECT_EQ(store->Load(StreamSeq{1}).status().code(), Status::Code::kNotFound);
  this->Put(*store, "a");
  EXPECT_EQ(store->Load(StreamSeq{0}).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store->Load(StreamSeq{2}).status().code(), Status::Code::kNotFound);
}

TYPED_TEST(StreamStoreTest, AppendRefusesEmptySubject) {
  auto store = this->Make();
  EXPECT_FALSE(store->Append("", {}, "x", 1).ok());
  EXPECT_EQ(store->State().last_seq.value, 0u);
}

TYPED_TEST(StreamStoreTest, LoadNextHonoursLiteralAndWildcardFilters) {
  auto store = this->Make();
  this->Put(*store, "orders.new");     // 1
  this->Put(*store, "billing.due");    // 2
  this->Put(*store, "orders.paid");    // 3
  this->Put(*store, "orders.new.eu");  // 4
  auto next = [&](std::string_view filter, uint64_t start) -> uint64_t {
    Result<StoredMsg> msg = store->LoadNext(filter, StreamSeq{start});
    return msg.ok() ? msg->seq().value : 0;
  };
  EXPECT_EQ(next("orders.*", 1), 1u);
  EXPECT_EQ(next("orders.*", 2), 3u);
  EXPECT_EQ(next("orders.*", 4), 0u);
  EXPECT_EQ(next("orders.>", 4), 4u);
  EXPECT_EQ(next("billing.due", 1), 2u);
  EXPECT_EQ(next("billing.due", 3), 0u);
  EXPECT_EQ(next("*.due", 0), 2u);
  EXPECT_EQ(next(">", 2), 2u);
  EXPECT_EQ(next("", 3), 3u);
  EXPECT_EQ(next("nothing.here", 1), 0u);
  EXPECT_EQ(next(">", 5), 0u);
  EXPECT_EQ(store->LoadNext("x", StreamSeq{9}).status().code(), Status::Code::kNotFound);
}

TYPED_TEST(StreamStoreTest, LoadNextWithWildcardOverManyDistinctSubjects) {
  auto store = this->Make();
  for (int i = 0; i < 200; ++i) this->Put(*store, "kv." + std::to_string(i));
  this->Put(*store, "other.1");
  Result<StoredMsg> msg = store->LoadNext("kv.*", StreamSeq{150});
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(msg->subject(), "kv.149");
  msg = store->LoadNext("other.*", StreamSeq{1});
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(msg->seq().value, 201u);
}

TYPED_TEST(StreamStoreTest, LoadLastPerSubjectAndFilter) {
  auto store = this->Make();
  this->Put(*store, "kv.a", "1");
  this->Put(*store, "kv.b", "2");
  this->Put(*store, "kv.a", "3");
  this->Put(*store, "log.x", "4");
  Result<StoredMsg> last = store->LoadLast("kv.a");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->payload(), "3");
  EXPECT_EQ(store->LoadLast("kv.*")->seq().value, 3u);
  EXPECT_EQ(store->LoadLast(">")->seq().value, 4u);
  EXPECT_EQ(store->LoadLast("kv.c").status().code(), Status::Code::kNotFound);
  ASSERT_TRUE(store->Remove(StreamSeq{3}).ok());
  EXPECT_EQ(store->LoadLast("kv.a")->seq().value, 1u);
}

TYPED_TEST(StreamStoreTest, RemoveLeavesAGapThatStateReports) {
  auto store = this->Make();
  for (int i = 0; i < 5; ++i) this->Put(*store, "a");
  ASSERT_TRUE(store->Remove(StreamSeq{2}).ok());
  ASSERT_TRUE(store->Remove(StreamSeq{4}).ok());
  EXPECT_EQ(store->Remove(StreamSeq{4}).code(), Status::Code::kNotFound);
  EXPECT_EQ(store->Remove(StreamSeq{9}).code(), Status::Code::kNotFound);
  EXPECT_EQ(store->Load(StreamSeq{2}).status().code(), Status::Code::kNotFound);

  StreamState state = store->State({.include_deleted = true});
  EXPECT_EQ(state.msgs, 3u);
  EXPECT_EQ(state.first_seq.value, 1u);
  EXPECT_EQ(state.last_seq.value, 5u);
  EXPECT_EQ(state.num_deleted, 2u);
  ASSERT_EQ(state.deleted.size(), 2u);
  EXPECT_EQ(state.deleted[0].value, 2u);
  EXPECT_EQ(state.deleted[1].value, 4u);
  EXPECT_TRUE(store->State().deleted.empty());
}

TYPED_TEST(StreamStoreTest, RemovingTheFirstMessagesMovesFirstSeq) {
  auto store = this->Make();
  for (int i = 0; i < 3; ++i) this->Put(*store, "a", "x", (i + 1) * kSecond);
  ASSERT_TRUE(store->Remove(StreamSeq{1}).ok());
  StreamState state = store->State();
  EXPECT_EQ(state.first_seq.value, 2u);
  EXPECT_EQ(state.first_ts_ns, 2 * kSecond);
  EXPECT_EQ(state.num_deleted, 0u);
  ASSERT_TRUE(store->Remove(StreamSeq{2}).ok());
  ASSERT_TRUE(store->Remove(StreamSeq{3}).ok());
  state = store->State();
  EXPECT_EQ(state.msgs, 0u);
  EXPECT_EQ(state.first_seq.value, 4u);
  EXPECT_EQ(state.last_seq.value, 3u);
  EXPECT_EQ(this->Put(*store, "a"), 4u);
}

TYPED_TEST(StreamStoreTest, EraseRemovesLikeRemove) {
  auto store = this->Make();
  this->Put(*store, "a", "secret");
  this->Put(*store, "a", "public");
  ASSERT_TRUE(store->Erase(StreamSeq{1}).ok());
  EXPECT_EQ(store->Load(StreamSeq{1}).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store->Load(StreamSeq{2})->payload(), "public");
  EXPECT_EQ(store->Erase(StreamSeq{1}).code(), Status::Code::kNotFound);
  EXPECT_EQ(store->State().msgs, 1u);
}

TYPED_TEST(StreamStoreTest, StateCountsBytesTimesAndSubjects) {
  auto store = this->Make();
  ASSERT_TRUE(store->Append("a.b", "hh", "ppp", 10).ok());
  ASSERT_TRUE(store->Append("c", {}, "", 20).ok());
  StreamState state = store->State();
  EXPECT_EQ(state.msgs, 2u);
  EXPECT_EQ(state.bytes, StoredSize(3, 2, 3) + StoredSize(1, 0, 0));
  EXPECT_EQ(state.first_seq.value, 1u);
  EXPECT_EQ(state.first_ts_ns, 10);
  EXPECT_EQ(state.last_seq.value, 2u);
  EXPECT_EQ(state.last_ts_ns, 20);
  EXPECT_EQ(state.num_subjects, 2u);
  EXPECT_EQ(state.num_deleted, 0u);
}

TYPED_TEST(StreamStoreTest, EmptyStoreState) {
  auto store = this->Make();
  StreamState state = store->State();
  EXPECT_EQ(state.msgs, 0u);
  EXPECT_EQ(state.first_seq.value, 1u);
  EXPECT_EQ(state.last_seq.value, 0u);
  EXPECT_EQ(state.num_subjects, 0u);
}

TYPED_TEST(StreamStoreTest, PurgeRemovesEverythingButKeepsTheSequence) {
  auto store = this->Make();
  for (int i = 0; i < 10; ++i) this->Put(*store, i % 2 ? "a" : "b");
  Result<uint64_t> purged = store->Purge();
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 10u);
  StreamState state = store->State();
  EXPECT_EQ(state.msgs, 0u);
  EXPECT_EQ(state.bytes, 0u);
  EXPECT_EQ(state.first_seq.value, 11u);
  EXPECT_EQ(state.last_seq.value, 10u);
  EXPECT_EQ(state.num_subjects, 0u);
  EXPECT_EQ(this->Put(*store, "a"), 11u);
  EXPECT_EQ(*store->Purge(), 1u);
  EXPECT_EQ(*store->Purge(), 0u);
}

TYPED_TEST(StreamStoreTest, PurgeFilteredBySubject) {
  auto store = this->Make();
  for (int i = 0; i < 6; ++i) this->Put(*store, i % 2 ? "orders.a" : "orders.b");  // b: 1,3,5
  Result<uint64_t> purged = store->PurgeFiltered("orders.b", {}, 0);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 3u);
  EXPECT_EQ(store->State().msgs, 3u);
  EXPECT_EQ(store->SubjectsState(">").count("orders.b"), 0u);
  EXPECT_EQ(*store->PurgeFiltered("nothing", {}, 0), 0u);
}

TYPED_TEST(StreamStoreTest, PurgeFilteredKeepsNewestPerSubject) {
  auto store = this->Make();
  for (int i = 0; i < 9; ++i) this->Put(*store, "kv." + std::to_string(i % 3));
  Result<uint64_t> purged = store->PurgeFiltered("kv.*", {}, 1);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 6u);
  std::map<std::string, SubjectState> subjects = store->SubjectsState("kv.*");
  ASSERT_EQ(subjects.size(), 3u);
  EXPECT_EQ(subjects["kv.0"].msgs, 1u);
  EXPECT_EQ(subjects["kv.0"].first_seq.value, 7u);
  EXPECT_EQ(subjects["kv.2"].last_seq.value, 9u);
}

TYPED_TEST(StreamStoreTest, PurgeFilteredUpToSequence) {
  auto store = this->Make();
  for (int i = 0; i < 6; ++i) this->Put(*store, i % 2 ? "x.a" : "x.b");  // x.b: 1,3,5
  EXPECT_EQ(*store->PurgeFiltered("x.b", StreamSeq{4}, 0), 2u);          // 1 and 3
  EXPECT_EQ(store->SubjectsState("x.b")["x.b"].first_seq.value, 5u);
  // Over all subjects, up_to compacts.
  EXPECT_EQ(*store->PurgeFiltered(">", StreamSeq{5}, 0), 2u);  // 2 and 4
  EXPECT_EQ(store->State().first_seq.value, 5u);
}

TYPED_TEST(StreamStoreTest, PurgeAllKeepingNewestMessages) {
  auto store = this->Make();
  for (int i = 0; i < 10; ++i) this->Put(*store, i % 2 ? "a" : "b");
  ASSERT_TRUE(store->Remove(StreamSeq{9}).ok());
  EXPECT_EQ(*store->PurgeFiltered("", {}, 3), 6u);  // keeps 7, 8, 10
  StreamState state = store->State();
  EXPECT_EQ(state.msgs, 3u);
  EXPECT_EQ(state.first_seq.value, 7u);
}

TYPED_TEST(StreamStoreTest, CompactRemovesEverythingBelow) {
  auto store = this->Make();
  for (int i = 0; i < 10; ++i) this->Put(*store, "a");
  Result<uint64_t> removed = store->Compact(StreamSeq{4});
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 3u);
  EXPECT_EQ(store->State().first_seq.value, 4u);
  EXPECT_EQ(*store->Compact(StreamSeq{2}), 0u);
  EXPECT_EQ(store->State().msgs, 7u);
}

TYPED_TEST(StreamStoreTest, CompactPastTheEndMovesTheNextSequence) {
  auto store = this->Make();
  for (int i = 0; i < 3; ++i) this->Put(*store, "a");
  EXPECT_EQ(*store->Compact(StreamSeq{100}), 3u);
  StreamState state = store->State();
  EXPECT_EQ(state.msgs, 0u);
  EXPECT_EQ(state.first_seq.value, 100u);
  EXPECT_EQ(state.last_seq.value, 99u);
  EXPECT_EQ(this->Put(*store, "a"), 100u);
}

TYPED_TEST(StreamStoreTest, SubjectsStateFiltersAndCounts) {
  auto store = this->Make();
  this->Put(*store, "orders.new");
  this->Put(*store, "orders.new");
  this->Put(*store, "orders.paid");
  this->Put(*store, "billing.x");
  std::map<std::string, SubjectState> all = store->SubjectsState(">");
  EXPECT_EQ(all.size(), 3u);
  std::map<std::string, SubjectState> orders = store->SubjectsState("orders.*");
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders["orders.new"].msgs, 2u);
  EXPECT_EQ(orders["orders.new"].first_seq.value, 1u);
  EXPECT_EQ(orders["orders.new"].last_seq.value, 2u);
  EXPECT_EQ(store->SubjectsState("billing.x").size(), 1u);
  EXPECT_TRUE(store->SubjectsState("nope").empty());
}

TYPED_TEST(StreamStoreTest, NumPendingCountsFromStartWithFilter) {
  auto store = this->Make();
  for (int i = 0; i < 10; ++i) this->Put(*store, i % 2 ? "q.odd" : "q.even");  // even: 1,3,5,7,9
  EXPECT_EQ(store->NumPending(">", StreamSeq{1}), 10u);
  EXPECT_EQ(store->NumPending("", StreamSeq{4}), 7u);
  EXPECT_EQ(store->NumPending("q.even", StreamSeq{4}), 3u);
  EXPECT_EQ(store->NumPending("q.*", StreamSeq{10}), 1u);
  EXPECT_EQ(store->NumPending("q.*", StreamSeq{11}), 0u);
  ASSERT_TRUE(store->Remove(StreamSeq{5}).ok());
  EXPECT_EQ(store->NumPending("q.even", StreamSeq{4}), 2u);
  EXPECT_EQ(store->NumPending(">", StreamSeq{4}), 6u);
}

TYPED_TEST(StreamStoreTest, MaxMsgsDiscardOldDropsTheOldest) {
  auto store = this->Make({.max_msgs = 3});
  for (int i = 0; i < 5; ++i) this->Put(*store, "a");
  StreamState state = store->State();
  EXPECT_EQ(state.msgs, 3u);
  EXPECT_EQ(state.first_seq.value, 3u);
  EXPECT_EQ(state.last_seq.value, 5u);
}

TYPED_TEST(StreamStoreTest, MaxMsgsDiscardNewRefusesWithItsOwnError) {
  auto store = this->Make({.max_msgs = 2, .discard = DiscardPolicy::kNew});
  this->Put(*store, "a");
  this->Put(*store, "a");
  Result<StreamSeq> refused = store->Append("a", {}, "x", 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(AppendRefusalOf(refused.status()), AppendRefusal::kMaxMsgs);
  EXPECT_EQ(refused.status().message(), kErrMaxMsgs);
  EXPECT_EQ(store->State().last_seq.value, 2u);
  ASSERT_TRUE(store->Remove(StreamSeq{1}).ok());
  EXPECT_EQ(this->Put(*store, "a"), 3u);
}

TYPED_TEST(StreamStoreTest, MaxBytesDiscardOldDropsTheOldest) {
  const uint64_t one = StoredSize(1, 0, 10);
  auto store = this->Make({.max_bytes = one * 3});
  for (int i = 0; i < 4; ++i) this->Put(*store, "a", "0123456789");
  StreamState state = store->State();
  EXPECT_EQ(state.msgs, 3u);
  EXPECT_EQ(state.bytes, one * 3);
  EXPECT_EQ(state.first_seq.value, 2u);
}

TYPED_TEST(StreamStoreTest, MaxBytesDiscardNewRefuses) {
  const uint64_t one = StoredSize(1, 0, 10);
  auto store = this->Make({.max_bytes = one * 2, .discard = DiscardPolicy::kNew});
  this->Put(*store, "a", "0123456789");
  this->Put(*store, "a", "0123456789");
  Result<StreamSeq> refused = store->Append("a", {}, "0123456789", 1);
  EXPECT_EQ(AppendRefusalOf(refused.status()), AppendRefusal::kMaxBytes);
  EXPECT_EQ(store->State().msgs, 2u);
}

TYPED_TEST(StreamStoreTest, MessageLargerThanMaxBytesIsRefusedEvenWithDiscardOld) {
  auto store = this->Make({.max_bytes = 20});
  Result<StreamSeq> refused = store->Append("a", {}, std::string(100, 'x'), 1);
  EXPECT_EQ(AppendRefusalOf(refused.status()), AppendRefusal::kMaxBytes);
}

TYPED_TEST(StreamStoreTest, MaxMsgSizeRefuses) {
  auto store = this->Make({.max_msg_size = StoredSize(1, 0, 4)});
  EXPECT_TRUE(store->Append("a", {}, "1234", 1).ok());
  Result<StreamSeq> refused = store->Append("a", {}, "12345", 1);
  EXPECT_EQ(AppendRefusalOf(refused.status()), AppendRefusal::kMaxMsgSize);
  EXPECT_EQ(AppendRefusalOf(Status::IoError("disk")), AppendRefusal::kNone);
}

TYPED_TEST(StreamStoreTest, MaxMsgsPerSubjectKeepsTheNewest) {
  auto store = this->Make({.max_msgs_per_subject = 2});
  for (int i = 0; i < 4; ++i) this->Put(*store, "kv.a", std::to_string(i));  // 1..4
  this->Put(*store, "kv.b");                                                 // 5
  for (int i = 4; i < 6; ++i) this->Put(*store, "kv.a", std::to_string(i));  // 6, 7
  std::map<std::string, SubjectState> subjects = store->SubjectsState(">");
  EXPECT_EQ(subjects["kv.a"].msgs, 2u);
  EXPECT_EQ(subjects["kv.a"].first_seq.value, 6u);
  EXPECT_EQ(subjects["kv.b"].msgs, 1u);
  StreamState state = store->State();
  EXPECT_EQ(state.msgs, 3u);
  EXPECT_EQ(state.first_seq.value, 5u);
  EXPECT_EQ(store->LoadLast("kv.a")->payload(), "5");
}

TYPED_TEST(StreamStoreTest, MaxMsgsPerSubjectDiscardsOldEvenUnderDiscardNew) {
  auto store = this->Make({.max_msgs_per_subject = 1, .discard = DiscardPolicy::kNew});
  this->Put(*store, "kv.a", "1");
  this->Put(*store, "kv.a", "2");
  EXPECT_EQ(store->State().msgs, 1u);
  EXPECT_EQ(store->LoadLast("kv.a")->payload(), "2");
}

TYPED_TEST(StreamStoreTest, DiscardNewPerSubjectRefuses) {
  auto store = this->Make(
      {.max_msgs_per_subject = 1, .discard = DiscardPolicy::kNew, .discard_new_per_subject = true});
  this->Put(*store, "kv.a", "1");
  Result<StreamSeq> refused = store->Append("kv.a", {}, "2", 1);
  EXPECT_EQ(AppendRefusalOf(refused.status()), AppendRefusal::kMaxMsgsPerSubject);
  EXPECT_EQ(this->Put(*store, "kv.b"), 2u);
}

TYPED_TEST(StreamStoreTest, ExpireOlderThanRemovesFromTheFront) {
  auto store = this->Make({.max_age_ns = 10 * kSecond});
  for (int i = 1; i <= 5; ++i) this->Put(*store, "a", "x", i * kSecond);
  Result<uint64_t> expired = store->ExpireOlderThan(13 * kSecond);  // cutoff 3s: 1, 2, 3
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(*expired, 3u);
  StreamState state = store->State();
  EXPECT_EQ(state.first_seq.value, 4u);
  EXPECT_EQ(state.first_ts_ns, 4 * kSecond);
  EXPECT_EQ(*store->ExpireOlderThan(13 * kSecond), 0u);
  EXPECT_EQ(*store->ExpireOlderThan(100 * kSecond), 2u);
  EXPECT_EQ(store->State().first_seq.value, 6u);
}

TYPED_TEST(StreamStoreTest, ExpireWithoutMaxAgeDoesNothing) {
  auto store = this->Make();
  this->Put(*store, "a", "x", 1);
  EXPECT_EQ(*store->ExpireOlderThan(1000 * kSecond), 0u);
}

TYPED_TEST(StreamStoreTest, UpdateLimitsTrimsWhatNoLongerFits) {
  auto store = this->Make();
  for (int i = 0; i < 6; ++i) this->Put(*store, i % 2 ? "a" : "b");
  ASSERT_TRUE(store->UpdateLimits({.max_msgs = 4, .max_msgs_per_subject = 1}).ok());
  StreamState state = store->State();
  EXPECT_EQ(state.msgs, 2u);  // per subject first: 5 (b) and 6 (a)
  EXPECT_EQ(state.first_seq.value, 5u);
  ASSERT_TRUE(store->UpdateLimits({.max_msgs = 1}).ok());
  EXPECT_EQ(store->State().first_seq.value, 6u);
}

TYPED_TEST(StreamStoreTest, AppendAsyncReportsDurability) {
  auto store = this->Make();
  std::atomic<int> done{0};
  std::atomic<uint64_t> last_seq{0};
  for (int i = 0; i < 50; ++i) {
    Result<StreamSeq> seq = store->AppendAsync("a", {}, "x", 1, [&](StreamSeq s, Status st) {
      EXPECT_TRUE(st.ok()) << st.message();
      last_seq.store(std::max(last_seq.load(), s.value));
      done.fetch_add(1);
    });
    ASSERT_TRUE(seq.ok());
    EXPECT_EQ(seq->value, static_cast<uint64_t>(i + 1));
  }
  EXPECT_TRUE(test::WaitFor([&] { return done.load() == 50; }));
  EXPECT_EQ(last_seq.load(), 50u);
  EXPECT_TRUE(store->Sync().ok());
}

TYPED_TEST(StreamStoreTest, RefusedAsyncAppendNeverCallsBack) {
  auto store = this->Make({.max_msgs = 1, .discard = DiscardPolicy::kNew});
  this->Put(*store, "a");
  bool called = false;
  EXPECT_FALSE(store->AppendAsync("a", {}, "x", 1, [&](StreamSeq, Status) { called = true; }).ok());
  ASSERT_TRUE(store->Stop().ok());
  EXPECT_FALSE(called);
}

TYPED_TEST(StreamStoreTest, StoppedStoreRefusesWork) {
  auto store = this->Make();
  this->Put(*store, "a");
  ASSERT_TRUE(store->Stop().ok());
  EXPECT_EQ(store->Append("a", {}, "x", 1).status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(store->Load(StreamSeq{1}).status().code(), Status::Code::kUnavailable);
}

TYPED_TEST(StreamStoreTest, ManyMessagesInterleavedRemovalsStayConsistent) {
  auto store = this->Make();
  for (int i = 0; i < 1000; ++i) this->Put(*store, "s." + std::to_string(i % 7), std::to_string(i));
  for (uint64_t seq = 3; seq <= 1000; seq += 3) ASSERT_TRUE(store->Remove(StreamSeq{seq}).ok());
  StreamState state = store->State();
  EXPECT_EQ(state.msgs, 1000u - 333u);
  uint64_t seen = 0;
  for (uint64_t seq = 1;;) {
    Result<StoredMsg> msg = store->LoadNext("s.*", StreamSeq{seq});
    if (!msg.ok()) break;
    EXPECT_NE(msg->seq().value % 3, 0u);
    EXPECT_EQ(msg->payload(), std::to_string(msg->seq().value - 1));
    ++seen;
    seq = msg->seq().value + 1;
  }
  EXPECT_EQ(seen, state.msgs);
  uint64_t by_subject = 0;
  for (const auto& [name, ss] : store->SubjectsState(">")) by_subject += ss.msgs;
  EXPECT_EQ(by_subject, state.msgs);
}

}  // namespace
}  // namespace spate::store
