#include "routing/subject.h"

#include <algorithm>

#include "routing/subject_tokens.h"

namespace spate::routing {
namespace {

// The bytes nats-server's IsValidSubject refuses inside a token.
bool IsSubjectWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// Wildcard shape of a tokenised subject. Only whole-token wildcards count.
struct WildcardInfo {
  bool has_single = false;
  bool has_full = false;
  bool literal() const { return !has_single && !has_full; }
};

WildcardInfo Analyze(std::span<const std::string_view> tokens) {
  WildcardInfo info;
  for (std::string_view token : tokens) {
    if (IsSingleWildcard(token)) info.has_single = true;
    if (IsFullWildcard(token)) info.has_full = true;
  }
  return info;
}

}  // namespace

bool IsValidSubject(std::string_view subject, bool pedantic) {
  if (subject.empty()) return false;
  TokenCursor cursor(subject);
  std::string_view token;
  bool after_full_wildcard = false;
  while (cursor.Next(&token)) {
    if (token.empty() || after_full_wildcard) return false;
    if (IsFullWildcard(token)) after_full_wildcard = true;
    if (pedantic && std::any_of(token.begin(), token.end(), IsSubjectWhitespace)) return false;
  }
  return true;
}

bool IsValidLiteralSubject(std::string_view subject) {
  TokenCursor cursor(subject);
  std::string_view token;
  while (cursor.Next(&token)) {
    if (token.empty() || IsWildcard(token)) return false;
  }
  return true;
}

bool IsValidPublishSubject(std::string_view subject, bool pedantic) {
  return pedantic ? IsValidLiteralSubject(subject) : !subject.empty();
}

bool IsValidQueueName(std::string_view queue) {
  return !queue.empty() && queue.find_first_of(" \t\r\n") == std::string_view::npos;
}

bool SubjectIsLiteral(std::string_view subject) {
  TokenCursor cursor(subject);
  std::string_view token;
  while (cursor.Next(&token)) {
    if (IsWildcard(token)) return false;
  }
  return true;
}

bool SubjectMatchesFilter(std::string_view subject, std::string_view filter) {
  TokenCursor subject_tokens(subject);
  TokenCursor filter_tokens(filter);
  std::string_view want;
  std::string_view have;
  while (filter_tokens.Next(&want)) {
    if (!subject_tokens.Next(&have)) return false;  // filter is longer
    if (want.empty()) return false;
    if (IsFullWildcard(want)) return true;  // covers this token and every one after it
    if (have.empty() || IsFullWildcard(have)) return false;
    if (IsSingleWildcard(have)) {
      // A subject "*" stands for any token: only a filter "*" covers all of them.
      if (!IsSingleWildcard(want)) return false;
      continue;
    }
    if (!IsSingleWildcard(want) && want != have) return false;
  }
  return !subject_tokens.Next(&have);  // same number of tokens
}

bool SubjectsCollide(std::string_view a, std::string_view b) {
  if (a == b) return true;
  const SubjectTokens tokens_a(a);
  const SubjectTokens tokens_b(b);
  if (tokens_a.has_empty_token() || tokens_b.has_empty_token()) return false;
  const WildcardInfo info_a = Analyze(tokens_a.tokens());
  const WildcardInfo info_b = Analyze(tokens_b.tokens());
  if (info_a.literal() && info_b.literal()) return false;  // distinct literals
  if (info_a.literal()) return SubjectMatchesFilter(a, b);
  if (info_b.literal()) return SubjectMatchesFilter(b, a);

  // Both hold wildcards. Without '>' a filter matches exactly its own token count; with a
  // trailing '>' it matches that count or more. So the shorter one needs the '>'.
  const size_t size_a = tokens_a.size();
  const size_t size_b = tokens_b.size();
  if (size_a < size_b && !info_a.has_full) return false;
  if (size_b < size_a && !info_b.has_full) return false;
  // Over the common prefix, two tokens are compatible if either is a wildcard or they are equal.
  const size_t common = std::min(size_a, size_b);
  for (size_t i = 0; i < common; ++i) {
    const std::string_view x = tokens_a.tokens()[i];
    const std::string_view y = tokens_b.tokens()[i];
    if (!IsWildcard(x) && !IsWildcard(y) && x != y) return false;
  }
  return true;
}

}  // namespace spate::routing
