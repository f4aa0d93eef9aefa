#include "store/subject_index.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace spate::store {
namespace {

TEST(SubjectIndexTest, TracksCountFirstAndLast) {
  SubjectIndex index;
  const uint32_t a = index.Add("a", 1);
  index.Add("b", 2);
  EXPECT_EQ(index.Add("a", 3), a);
  EXPECT_EQ(index.Count(a), 2u);
  EXPECT_EQ(index.First(a), 1u);
  EXPECT_EQ(index.Last(a), 3u);
  EXPECT_EQ(index.num_subjects(), 2u);
}

TEST(SubjectIndexTest, RemovalsAnywhereKeepAnswersExact) {
  SubjectIndex index;
  uint32_t id = 0;
  for (uint64_t seq = 1; seq <= 100; ++seq) id = index.Add("s", seq);
  for (uint64_t seq = 2; seq <= 99; seq += 2) index.Remove(id, seq);  // odd ones and 100 stay
  EXPECT_EQ(index.Count(id), 51u);
  EXPECT_EQ(index.NextAtOrAfter(id, 50), 51u);
  EXPECT_EQ(index.CountAtOrAfter(id, 90), 6u);  // 91 93 95 97 99 100
  index.Remove(id, 1);
  index.Remove(id, 100);
  EXPECT_EQ(index.First(id), 3u);
  EXPECT_EQ(index.Last(id), 99u);
  std::vector<uint64_t> seqs = index.Seqs(id);
  ASSERT_EQ(seqs.size(), 49u);
  EXPECT_EQ(seqs.front(), 3u);
}

TEST(SubjectIndexTest, LastRemovalFreesTheSubject) {
  SubjectIndex index;
  const uint32_t a = index.Add("a", 1);
  index.Remove(a, 1);
  EXPECT_EQ(index.Find("a"), SubjectIndex::kNoSubject);
  EXPECT_EQ(index.num_subjects(), 0u);
  EXPECT_EQ(index.Add("b", 2), a);  // the id is reused
}

}  // namespace
}  // namespace spate::store

namespace spate::store {
namespace {

// Deferred lists (a reopened snapshot): counts and first/last answer at once, later appends
// work, and the first lookup that needs the lists replays the deferred sequences before them.
TEST(SubjectIndexTest, DeferredListsLoadOnFirstNeed) {
  SubjectIndex index;
  const uint32_t a = index.Intern("a");
  const uint32_t b = index.Intern("b");
  index.RestoreDeferred(a, 3, 1, 5);  // a: 1 3 5
  index.RestoreDeferred(b, 2, 2, 4);  // b: 2 4
  int loads = 0;
  index.DeferLists([&](const SubjectIndex::DeferredAdd& add) {
    ++loads;
    for (uint64_t seq = 1; seq <= 5; ++seq) add(seq % 2 ? a : b, seq);
  });
  EXPECT_EQ(index.Count(a), 3u);
  EXPECT_EQ(index.First(a), 1u);
  EXPECT_EQ(index.Last(b), 4u);
  index.AddWithId(a, 7);
  EXPECT_EQ(index.Last(a), 7u);
  EXPECT_EQ(index.Count(a), 4u);
  EXPECT_EQ(loads, 0);
  EXPECT_EQ(index.NextAtOrAfter(a, 4), 5u);
  EXPECT_EQ(loads, 1);
  EXPECT_EQ(index.Seqs(a), (std::vector<uint64_t>{1, 3, 5, 7}));
  index.Remove(b, 2);
  EXPECT_EQ(index.First(b), 4u);
  EXPECT_EQ(index.CountAtOrAfter(a, 2), 3u);
  EXPECT_EQ(loads, 1);
}

// Ids restored as they were on disk: the skipped ones are free and handed out next, never twice.
TEST(SubjectIndexTest, InternAtRestoresIdsAndFreesTheGaps) {
  SubjectIndex index;
  ASSERT_TRUE(index.InternAt("a", 0));
  ASSERT_TRUE(index.InternAt("b", 3));
  ASSERT_TRUE(index.InternAt("c", 7));
  EXPECT_FALSE(index.InternAt("b", 9)) << "a subject has one id";
  index.AddWithId(3, 10);
  index.AddWithId(7, 11);
  EXPECT_EQ(index.Find("b"), 3u);
  EXPECT_EQ(index.Name(7), "c");
  std::set<uint32_t> fresh;
  for (const char* name : {"d", "e", "f", "g", "h", "i"}) fresh.insert(index.Add(name, 20));
  EXPECT_EQ(fresh, (std::set<uint32_t>{1, 2, 4, 5, 6, 8})) << "the gaps, then the next new id";
  EXPECT_EQ(index.Count(3), 1u);
  EXPECT_EQ(index.Last(7), 11u);
}

}  // namespace
}  // namespace spate::store
