#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

// Byte-level helpers shared by ClientParser and ServerParser. Internal to protocol/: positions are
// offsets into the caller's input, nothing is copied and nothing allocates.
namespace spate::protocol::wire {

inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }

enum class NameMatch : uint8_t { kYes, kPartial, kNo };

// Compares the bytes at in[pos...] with `name` (upper-case letters and symbols), ignoring the case
// of letters. kPartial: the input ends before the name does, and what is there matches.
inline NameMatch MatchName(std::string_view in, size_t pos, std::string_view name) {
  for (size_t i = 0; i < name.size(); ++i) {
    if (pos + i >= in.size()) return NameMatch::kPartial;
    char c = in[pos + i];
    char want = name[i];
    // For a letter, c | 0x20 equals the lower-case letter only for its two cases.
    bool letter = want >= 'A' && want <= 'Z';
    if (letter ? (c | 0x20) != (want | 0x20) : c != want) return NameMatch::kNo;
  }
  return NameMatch::kYes;
}

inline size_t SkipBlanks(std::string_view in, size_t pos) {
  while (pos < in.size() && IsBlank(in[pos])) ++pos;
  return pos;
}

inline size_t SaturatingAdd(size_t a, size_t b) {
  size_t sum = a + b;
  return sum < a ? SIZE_MAX : sum;
}

// A control line's argument and where the line ends.
struct Line {
  size_t arg_begin = 0;
  size_t arg_end = 0;  // excludes the "\r\n" or "\n"
  size_t next = 0;     // first byte after the '\n'
  std::string_view Arg(std::string_view in) const {
    return in.substr(arg_begin, arg_end - arg_begin);
  }
};

enum class LineStatus : uint8_t { kComplete, kNeedMore, kTooLong };

// Which byte before the '\n' is left out of the argument.
enum class CrRule : uint8_t {
  kBeforeNewline,  // a '\r' right before the '\n'
  // nats-server's client parser (as it behaves when a line arrives in one read): once a '\r'
  // was seen anywhere after the argument's first byte, the byte before the '\n' is left out,
  // whatever it is. "SUB a q 1\r6\n" subscribes sid 1 in queue q.
  kAnywhere,
};

// Finds the '\n' that ends a control line whose argument starts at `arg_begin`. The search starts
// at `search_from` (>= arg_begin): nats-server takes the first byte after the blanks as part of
// the argument without looking at it, so the client parser passes arg_begin + 1 there.
// kTooLong when the argument is, or is bound to become, longer than `max_arg`; the verdict does
// not depend on how the input was split.
inline LineStatus ScanLine(std::string_view in, size_t arg_begin, size_t search_from,
                           size_t max_arg, CrRule cr_rule, Line* line) {
  // A '\n' past this window would make the argument at least max_arg + 1 bytes long.
  size_t window_end = SaturatingAdd(arg_begin, SaturatingAdd(max_arg, 2));
  size_t end = window_end < in.size() ? window_end : in.size();
  // True if a '\r' lies in [search_from, limit).
  auto has_cr_before = [&](size_t limit) {
    if (limit <= search_from) return false;
    if (in[limit - 1] == '\r') return true;
    return cr_rule == CrRule::kAnywhere &&
           std::memchr(in.data() + search_from, '\r', limit - 1 - search_from) != nullptr;
  };
  if (search_from < end) {
    const void* nl = std::memchr(in.data() + search_from, '\n', end - search_from);
    if (nl != nullptr) {
      size_t pos = static_cast<size_t>(static_cast<const char*>(nl) - in.data());
      size_t arg_end = has_cr_before(pos) ? pos - 1 : pos;
      if (arg_end - arg_begin > max_arg) return LineStatus::kTooLong;
      *line = Line{arg_begin, arg_end, pos + 1};
      return LineStatus::kComplete;
    }
  }
  if (in.size() >= window_end) return LineStatus::kTooLong;
  // The argument will be at least this long, whatever comes next.
  size_t partial = in.size() - arg_begin;
  if (has_cr_before(in.size())) --partial;
  return partial > max_arg ? LineStatus::kTooLong : LineStatus::kNeedMore;
}

// nats-server's size rule: 1 to 9 decimal digits, nothing else. -1 when the text breaks it.
inline int64_t ParseSize(std::string_view digits) {
  if (digits.empty() || digits.size() > 9) return -1;
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

// Splits `arg` into at most N fields separated by runs of blanks (and by '\r' and '\n' too when
// `cr_lf_separates`, as nats-server does for SUB and UNSUB but not for PUB and HPUB). Returns the
// number of fields, or N + 1 when there are more than N.
template <size_t N>
size_t SplitArgs(std::string_view arg, bool cr_lf_separates,
                 std::array<std::string_view, N>* fields) {
  size_t count = 0;
  size_t i = 0;
  auto is_separator = [cr_lf_separates](char c) {
    return IsBlank(c) || (cr_lf_separates && (c == '\r' || c == '\n'));
  };
  while (i < arg.size()) {
    while (i < arg.size() && is_separator(arg[i])) ++i;
    if (i == arg.size()) break;
    size_t start = i;
    while (i < arg.size() && !is_separator(arg[i])) ++i;
    if (count == N) return N + 1;
    (*fields)[count++] = arg.substr(start, i - start);
  }
  return count;
}

}  // namespace spate::protocol::wire
