#include "jetstream/subject_mapping.h"

#include <gtest/gtest.h>

namespace spate::jetstream {
namespace {

TEST(SubjectMappingTest, DestinationRules) {
  EXPECT_TRUE(IsValidMappingDestination(""));
  EXPECT_TRUE(IsValidMappingDestination("orders.new"));
  EXPECT_TRUE(IsValidMappingDestination("orders.>"));
  EXPECT_TRUE(IsValidMappingDestination("orders.{{wildcard(1)}}"));
  EXPECT_TRUE(IsValidMappingDestination("p.{{ Partition(3, 1, 2) }}"));
  EXPECT_TRUE(IsValidMappingDestination("x.{{SplitFromLeft(1,2)}}"));
  EXPECT_FALSE(IsValidMappingDestination("orders..new"));
  EXPECT_FALSE(IsValidMappingDestination("orders.>.new"));
  EXPECT_FALSE(IsValidMappingDestination("orders.{{explode(1)}}"));
  EXPECT_FALSE(IsValidMappingDestination("orders.a b"));
}

TEST(SubjectMappingTest, TransformNeedsMatchingWildcards) {
  EXPECT_TRUE(IsValidTransform("orders.*", "archive.{{wildcard(1)}}"));
  EXPECT_TRUE(IsValidTransform("orders.*.*", "archive.$2.$1"));
  EXPECT_TRUE(IsValidTransform("", "archive.>"));  // empty source means ">"
  EXPECT_TRUE(IsValidTransform("orders.>", "archive.>"));
  EXPECT_TRUE(IsValidTransform("orders.new", "archive.new"));
  EXPECT_TRUE(IsValidTransform("anything", ""));  // no destination: no transform
  EXPECT_FALSE(IsValidTransform("orders.*", "archive.{{wildcard(2)}}"));
  EXPECT_FALSE(IsValidTransform("orders.new", "archive.$1"));
  EXPECT_FALSE(IsValidTransform("orders.>", "archive.new"));
  EXPECT_FALSE(IsValidTransform("orders.new", "archive.>"));
  EXPECT_FALSE(IsValidTransform("orders.*", "archive.*"));
  EXPECT_FALSE(IsValidTransform("orders..x", "archive"));
}

}  // namespace
}  // namespace spate::jetstream
