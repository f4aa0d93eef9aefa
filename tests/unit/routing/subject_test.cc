#include "routing/subject.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "routing/subject_tokens.h"
#include "trie_test_support.h"

namespace spate::routing {
namespace {

using test_support::Cat;
using namespace std::string_literals;  // for subjects holding NUL

struct SubjectCase {
  std::string subject;
  bool plain;     // pedantic=false: what nats-server accepts in SUB
  bool pedantic;  // pedantic=true: nats-server's IsValidSubject (adds whitespace)
};

TEST(IsValidSubjectTest, FollowsNatsServerRules) {
  const SubjectCase cases[] = {
      {"foo", true, true},
      {"foo.bar", true, true},
      {"foo.bar.baz", true, true},
      {"*", true, true},
      {">", true, true},
      {"foo.*", true, true},
      {"*.bar", true, true},
      {"foo.>", true, true},
      {"*.>", true, true},
      {"*.*.*", true, true},
      {"foo.*.bar.>", true, true},
      // Wildcard characters inside longer tokens are literal bytes.
      {"foo*", true, true},
      {"foo*.bar", true, true},
      {"a>b", true, true},
      {"foo.>x", true, true},
      {"foo.>>", true, true},
      {"foo.**.bar", true, true},
      {"$JS.API.STREAM.INFO.ORDERS", true, true},
      {"_INBOX.abc123", true, true},
      {"\xff.bar", true, true},   // not UTF-8: accepted
      {"foo\0bar"s, true, true},  // NUL: accepted
      {"foo\x01"
       "bar",
       true, true},  // other control bytes: accepted
      // Empty subject and empty tokens.
      {"", false, false},
      {".", false, false},
      {"..", false, false},
      {".foo", false, false},
      {"foo.", false, false},
      {"foo..bar", false, false},
      {"foo.bar.", false, false},
      {"*.", false, false},
      // '>' only as the last token.
      {">.foo", false, false},
      {"foo.>.bar", false, false},
      {"foo.>.>", false, false},
      {">.>", false, false},
      {">.*", false, false},
      // Whitespace inside tokens: only the pedantic form refuses it. From the wire nats-server
      // sees '\f' (its argument splitter cuts at space, tab, CR and LF) and accepts it in SUB.
      {"foo\fbar", true, false},
      {"foo bar", true, false},
      {"foo\tbar", true, false},
      {"foo.\r", true, false},
      {"foo.\n", true, false},
      {" ", true, false},
      {"foo. .bar", true, false},
      {"foo.\f", true, false},
  };
  for (const SubjectCase& c : cases) {
    EXPECT_EQ(IsValidSubject(c.subject), c.plain) << "'" << c.subject << "' non-pedantic";
    EXPECT_EQ(IsValidSubject(c.subject, /*pedantic=*/false), c.plain) << "'" << c.subject << "'";
    EXPECT_EQ(IsValidSubject(c.subject, /*pedantic=*/true), c.pedantic)
        << "'" << c.subject << "' pedantic";
  }
}

struct LiteralCase {
  std::string subject;
  bool valid;
};

TEST(IsValidLiteralSubjectTest, RefusesWildcardsAndEmptyTokens) {
  const LiteralCase cases[] = {
      {"foo", true},       {"foo.bar", true},  {"foo*", true},       {"a>b", true},
      {"foo.*bar", true},  {"foo.>bar", true}, {"_INBOX.x.y", true}, {"foo bar", true},
      {"foo\fbar", true},  {"", false},        {"*", false},         {">", false},
      {"foo.*", false},    {"foo.>", false},   {"*.foo", false},     {"foo.*.bar", false},
      {"foo..bar", false}, {".foo", false},    {"foo.", false},      {".", false},
  };
  for (const LiteralCase& c : cases) {
    EXPECT_EQ(IsValidLiteralSubject(c.subject), c.valid) << "'" << c.subject << "'";
  }
}

TEST(IsValidPublishSubjectTest, OnlyPedanticClientsAreChecked) {
  // nats-server does not check a non-pedantic client's PUB subject.
  for (std::string_view subject : {"foo", "foo.*", "foo.>", ">", "foo..bar", "foo.", ".foo"}) {
    EXPECT_TRUE(IsValidPublishSubject(subject, /*pedantic=*/false)) << subject;
  }
  EXPECT_FALSE(IsValidPublishSubject("", /*pedantic=*/false));

  const LiteralCase pedantic_cases[] = {
      {"foo", true},       {"foo.bar", true}, {"foo*", true},  {"foo\fbar", true},
      {"foo.*", false},    {"foo.>", false},  {"*", false},    {">", false},
      {"foo..bar", false}, {"foo.", false},   {".foo", false}, {"", false},
  };
  for (const LiteralCase& c : pedantic_cases) {
    EXPECT_EQ(IsValidPublishSubject(c.subject, /*pedantic=*/true), c.valid)
        << "'" << c.subject << "'";
  }
}

TEST(IsValidQueueNameTest, OnlyEmptyOrSplitBytesAreRefused) {
  const LiteralCase cases[] = {
      {"q", true},     {"workers", true}, {"q.*", true},  {"q.>", true},
      {"*", true},     {">", true},       {"a..b", true}, {".", true},
      {"_sys_", true}, {"q\fx", true},    {"", false},    {"q w", false},
      {"q\tw", false}, {"q\r", false},    {"\nq", false}, {" ", false},
  };
  for (const LiteralCase& c : cases) {
    EXPECT_EQ(IsValidQueueName(c.subject), c.valid) << "'" << c.subject << "'";
  }
}

TEST(SubjectIsLiteralTest, WholeTokenWildcardsOnly) {
  EXPECT_TRUE(SubjectIsLiteral("foo"));
  EXPECT_TRUE(SubjectIsLiteral("foo.bar"));
  EXPECT_TRUE(SubjectIsLiteral("foo*"));
  EXPECT_TRUE(SubjectIsLiteral("a>b.c"));
  EXPECT_TRUE(SubjectIsLiteral(""));
  EXPECT_TRUE(SubjectIsLiteral("foo..bar"));  // not valid, but has no wildcard
  EXPECT_FALSE(SubjectIsLiteral("*"));
  EXPECT_FALSE(SubjectIsLiteral(">"));
  EXPECT_FALSE(SubjectIsLiteral("foo.*"));
  EXPECT_FALSE(SubjectIsLiteral("foo.>"));
  EXPECT_FALSE(SubjectIsLiteral("*.foo"));
  EXPECT_FALSE(SubjectIsLiteral("foo.*.bar"));
}

struct FilterCase {
  std::string_view subject;
  std::string_view filter;
  bool matches;
};

TEST(SubjectMatchesFilterTest, Table) {
  const FilterCase cases[] = {
      // Literal subjects.
      {"foo.bar", "foo.bar", true},
      {"foo.bar", "foo.baz", false},
      {"foo.bar", "foo.*", true},
      {"foo.bar", "*.bar", true},
      {"foo.bar", "*.*", true},
      {"foo.bar", "*", false},
      {"foo.bar", ">", true},
      {"foo.bar", "foo.>", true},
      {"foo.bar", "*.>", true},
      {"foo.bar", "foo.bar.>", false},
      {"foo.bar", "foo", false},
      {"foo", "foo.bar", false},
      {"foo", "foo.>", false},
      {"foo", "*", true},
      {"foo", ">", true},
      {"foo.bar.baz", "foo.*", false},
      {"foo.bar.baz", "foo.>", true},
      {"foo.bar.baz", "foo.*.baz", true},
      {"foo.bar.baz", "*.*.>", true},
      {"foo.bar", "bar.*", false},
      {"foo*", "foo*", true},
      {"foo*", "foo.*", false},
      {"foobar", "foo*", false},  // "foo*" is a literal token
      // Subjects holding wildcards: subset semantics.
      {"foo.*", "foo.*", true},
      {"foo.*", "*.*", true},
      {"foo.*", ">", true},
      {"foo.*", "foo.>", true},
      {"foo.*", "foo.bar", false},
      {"*.bar", "foo.*", false},
      {"foo.>", "foo.>", true},
      {"foo.>", ">", true},
      {"foo.>", "foo.*", false},
      {"foo.>", "foo.bar", false},
      {"foo.>", "*.>", true},
      {">", ">", true},
      {">", "*", false},
      // Empty tokens never match, except under a '>' reached first (as nats-server).
      {"foo..bar", "foo.*.bar", false},
      {"foo.bar", "foo..bar", false},
      {"foo..bar", "foo.>", true},
      {"", "foo", false},
  };
  for (const FilterCase& c : cases) {
    EXPECT_EQ(SubjectMatchesFilter(c.subject, c.filter), c.matches)
        << "'" << c.subject << "' vs filter '" << c.filter << "'";
  }
}

struct CollideCase {
  std::string_view a;
  std::string_view b;
  bool collide;
};

TEST(SubjectsCollideTest, Table) {
  const CollideCase cases[] = {
      {"foo.bar", "foo.bar", true},
      {"foo.bar", "foo.baz", false},
      {"foo", "foo.bar", false},
      {"foo.*", "foo.bar", true},
      {"foo.bar", "foo.*", true},
      {"foo.*", "foo.bar.baz", false},
      {"foo.>", "foo.bar.baz", true},
      {"foo.>", "foo", false},
      {"foo.*", "foo.>", true},
      {"foo.*", "bar.*", false},
      {"*.bar", "foo.*", true},
      {"foo.*", "foo.*.*", false},
      {"foo.*.>", "foo.*", false},
      {"foo.>", "*.*.*", true},
      {"foo.*", "*.bar.>", false},
      {"foo.*.baz", "*.bar.*", true},
      {"foo.*.baz", "*.bar.qux", false},
      {"a.b.>", "a.>", true},
      {"a.>", "b.>", false},
      {"*.*", "*.*.*", false},
      {"*", "foo.bar", false},
      {"*", ">", true},
      {">", "foo", true},
      {">", "foo.*", true},
      {">", ">", true},
      {"*.>", "foo", false},
      {"*.>", "foo.bar", true},
      {"foo*", "foo.*", false},
      {"foo*.*", "foo*.bar", true},
      // nats-server tests only a token's first byte here and says true; no literal subject
      // matches both, because "*x" is a literal token.
      {"a.*x.*", "a.b.*", false},
  };
  for (const CollideCase& c : cases) {
    EXPECT_EQ(SubjectsCollide(c.a, c.b), c.collide) << "'" << c.a << "' vs '" << c.b << "'";
    EXPECT_EQ(SubjectsCollide(c.b, c.a), c.collide) << "'" << c.b << "' vs '" << c.a << "'";
  }
}

TEST(SubjectTokensTest, SplitsLikeNatsServer) {
  const SubjectTokens empty("");
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_TRUE(empty.has_empty_token());

  const SubjectTokens trailing("a.");
  ASSERT_EQ(trailing.size(), 2u);
  EXPECT_EQ(trailing.tokens()[0], "a");
  EXPECT_EQ(trailing.tokens()[1], "");
  EXPECT_TRUE(trailing.has_empty_token());

  const SubjectTokens three("foo.*.>");
  ASSERT_EQ(three.size(), 3u);
  EXPECT_EQ(three.tokens()[1], "*");
  EXPECT_FALSE(three.has_empty_token());
}

TEST(SubjectTokensTest, SpillsPastMaxTokens) {
  std::string subject = "t0";
  for (size_t i = 1; i < kMaxTokens + 8; ++i) subject += Cat(".t", i);
  const SubjectTokens tokens(subject);
  ASSERT_EQ(tokens.size(), kMaxTokens + 8);
  for (size_t i = 0; i < tokens.size(); ++i) {
    EXPECT_EQ(tokens.tokens()[i], Cat("t", i));
  }
}

}  // namespace
}  // namespace spate::routing
