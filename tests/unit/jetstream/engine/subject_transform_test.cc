#include "jetstream/engine/subject_transform.h"

#include <gtest/gtest.h>

namespace spate::jetstream {
namespace {

std::string Map(std::string_view src, std::string_view dest, std::string_view subject) {
  auto t = SubjectTransform::Make(src, dest);
  if (!t) return "<invalid>";
  auto out = t->Apply(subject);
  return out ? *out : "<no match>";
}

TEST(SubjectTransformTest, WildcardsByPosition) {
  EXPECT_EQ(Map("orders.*.*", "out.$2.$1", "orders.eu.new"), "out.new.eu");
  EXPECT_EQ(Map("orders.*.*", "out.{{wildcard(2)}}.{{wildcard(1)}}", "orders.eu.new"),
            "out.new.eu");
  EXPECT_EQ(Map("orders.*", "x.$1", "orders.eu.new"), "<no match>");
  EXPECT_EQ(Map("orders.*", "x.$1", "billing.eu"), "<no match>");
}

TEST(SubjectTransformTest, FullWildcardCarriesTheRest) {
  EXPECT_EQ(Map("orders.>", "archive.orders.>", "orders.eu.new.1"), "archive.orders.eu.new.1");
  EXPECT_EQ(Map(">", "copy.>", "a.b"), "copy.a.b");
  EXPECT_EQ(Map("", "copy.>", "a.b"), "copy.a.b");
  EXPECT_EQ(Map("orders.>", "archive.>", "orders"), "<no match>");
}

TEST(SubjectTransformTest, PartitionIsStableFnv1aOfTheTokens) {
  // FNV-1a 32 of "eu" is 0x0f2b7c3e... whatever it is, it is the same for the same token and
  // within range.
  std::string a = Map("orders.*", "p.{{partition(10,1)}}", "orders.eu");
  std::string b = Map("orders.*", "p.{{partition(10,1)}}", "orders.eu");
  EXPECT_EQ(a, b);
  ASSERT_EQ(a.substr(0, 2), "p.");
  int n = std::stoi(a.substr(2));
  EXPECT_GE(n, 0);
  EXPECT_LT(n, 10);
  // FNV-1a("a") = 0xe40c292c = 3826002220; mod 7 = 3826002220 % 7.
  EXPECT_EQ(Map("k.*", "{{partition(7,1)}}", "k.a"), std::to_string(3826002220u % 7));
}

TEST(SubjectTransformTest, SplitAndSliceFunctions) {
  EXPECT_EQ(Map("k.*", "{{split(1,-)}}", "k.-a--b-c-"), "a.b.c");
  EXPECT_EQ(Map("k.*", "{{splitfromleft(1,2)}}", "k.abcdef"), "ab.cdef");
  EXPECT_EQ(Map("k.*", "{{splitfromright(1,2)}}", "k.abcdef"), "abcd.ef");
  EXPECT_EQ(Map("k.*", "{{slicefromleft(1,2)}}", "k.abcde"), "ab.cd.e");
  EXPECT_EQ(Map("k.*", "{{slicefromright(1,2)}}", "k.abcde"), "a.bc.de");
  EXPECT_EQ(Map("k.*", "{{left(1,2)}}.{{right(1,2)}}", "k.abcde"), "ab.de");
}

TEST(SubjectTransformTest, InvalidMappingsAreRefused) {
  EXPECT_EQ(Map("orders.*", "x.$2", "orders.a"), "<invalid>");
  EXPECT_EQ(Map("orders.*", "x.{{nope(1)}}", "orders.a"), "<invalid>");
}

}  // namespace
}  // namespace spate::jetstream
