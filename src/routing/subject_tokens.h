#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "routing/subject.h"

namespace spate::routing {

// Walks the tokens of a subject left to right without storing them. Splitting follows
// nats-server: "" is one empty token, "a." is "a" then "", "a..b" holds an empty middle token.
// The views point into the subject, which must outlive the cursor.
class TokenCursor {
 public:
  explicit TokenCursor(std::string_view subject) : rest_(subject) {}

  // Stores the next token in *token; false once every token has been returned.
  bool Next(std::string_view* token) {
    if (done_) return false;
    const size_t dot = rest_.find(kTokenSeparator);
    if (dot == std::string_view::npos) {
      *token = rest_;
      done_ = true;
    } else {
      *token = rest_.substr(0, dot);
      rest_.remove_prefix(dot + 1);
    }
    return true;
  }

 private:
  std::string_view rest_;
  bool done_ = false;
};

// The tokens of one subject as views into it, split as TokenCursor does. Up to kMaxTokens
// tokens live in an inline array (no allocation, as nats-server's [32]string); longer subjects
// spill into a vector. Not copyable: tokens() points into the object itself.
class SubjectTokens {
 public:
  explicit SubjectTokens(std::string_view subject) {
    TokenCursor cursor(subject);
    std::string_view token;
    while (cursor.Next(&token)) {
      if (token.empty()) has_empty_ = true;
      if (size_ < kMaxTokens) {
        inline_[size_] = token;
      } else {
        if (spill_.empty()) spill_.assign(inline_.begin(), inline_.end());
        spill_.push_back(token);
      }
      ++size_;
    }
  }
  SubjectTokens(const SubjectTokens&) = delete;
  SubjectTokens& operator=(const SubjectTokens&) = delete;

  std::span<const std::string_view> tokens() const {
    return size_ <= kMaxTokens ? std::span<const std::string_view>(inline_.data(), size_)
                               : std::span<const std::string_view>(spill_);
  }
  size_t size() const { return size_; }
  // True if some token is empty ("", ".a", "a.", "a..b"): such a subject is never valid.
  bool has_empty_token() const { return has_empty_; }

 private:
  std::array<std::string_view, kMaxTokens> inline_;
  std::vector<std::string_view> spill_;  // all tokens, once there are more than kMaxTokens
  size_t size_ = 0;
  bool has_empty_ = false;
};

inline bool IsSingleWildcard(std::string_view token) { return token == kSingleWildcard; }
inline bool IsFullWildcard(std::string_view token) { return token == kFullWildcard; }
inline bool IsWildcard(std::string_view token) {
  return token.size() == 1 && (token[0] == '*' || token[0] == '>');
}

}  // namespace spate::routing
