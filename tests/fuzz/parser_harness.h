#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Shared checks for the incremental parsers (ClientParser, ServerParser). For one input it runs
// the parser twice: once over the whole buffer, once as a connection would, with the bytes
// arriving in chunks into a buffer that holds exactly what has arrived (so ASan sees any read
// past it). Both runs must see the same ops, in the same order, with the same end state; every
// view must point into the buffer; every op must consume something, so the loop always ends.
namespace spate::fuzz {

[[noreturn]] inline void Fail(const char* what) {
  std::fprintf(stderr, "parser property violated: %s\n", what);
  std::abort();
}

inline void Check(bool ok, const char* what) {
  if (!ok) Fail(what);
}

// True if `view` (possibly empty) lies inside `buffer`.
inline bool Inside(std::string_view view, std::span<const char> buffer) {
  if (view.empty()) return true;
  return view.data() >= buffer.data() && view.data() + view.size() <= buffer.data() + buffer.size();
}

struct Outcome {
  std::vector<std::string> ops;  // one description per op, offsets relative to the stream
  int last_step = -1;            // the Step that ended the run, as an int
  std::string error;             // error text or detail when the run ended in kError
  size_t end = 0;                // stream offset of the first byte no op took
};

// Parser: ClientParser or ServerParser. Describe(op, base) renders an op as text, with
// positions relative to `base` so that two runs over different buffers compare equal, and checks
// that its views lie inside the buffer. ErrorOf(parser) returns what identifies the error.
template <class Parser, class Op, class Describe, class ErrorOf>
Outcome RunWhole(Parser& parser, std::span<const char> data, Describe describe, ErrorOf error_of) {
  Outcome out;
  size_t offset = 0;
  for (;;) {
    std::span<const char> in = data.subspan(offset);
    size_t consumed = 0;
    Op op;
    auto step = parser.Next(in, &consumed, &op);
    out.last_step = static_cast<int>(step);
    if (step == Parser::Step::kOp) {
      Check(consumed > 0 && consumed <= in.size(), "kOp must consume 1..size bytes");
      out.ops.push_back(describe(op, in, offset));
      offset += consumed;
      continue;
    }
    if (step == Parser::Step::kError) {
      Check(consumed == 0, "kError consumes nothing");
      out.error = error_of(parser);
      break;
    }
    Check(consumed <= in.size(), "kNeedMore consumed past the input");
    if (parser.needed() != 0) {
      Check(parser.needed() > in.size() - consumed, "needed() must exceed what is there");
    }
    if (consumed == 0) break;
    offset += consumed;
  }
  out.end = offset;
  return out;
}

template <class Parser, class Op, class Describe, class ErrorOf>
Outcome RunChunked(Parser& parser, std::span<const char> data, size_t chunk, Describe describe,
                   ErrorOf error_of) {
  Outcome out;
  size_t offset = 0;   // stream offset of the buffer's first byte
  size_t arrived = 0;  // stream bytes delivered so far
  do {                 // at least once, so that empty input ends in the same state as in RunWhole
    arrived = std::min(data.size(), arrived + chunk);
    for (;;) {
      // An exact-size copy of the unconsumed bytes: a read past it is a heap overflow.
      size_t size = arrived - offset;
      std::unique_ptr<char[]> buffer(new char[size == 0 ? 1 : size]);
      std::copy(data.begin() + offset, data.begin() + arrived, buffer.get());
      std::span<const char> in(buffer.get(), size);
      size_t consumed = 0;
      Op op;
      auto step = parser.Next(in, &consumed, &op);
      out.last_step = static_cast<int>(step);
      if (step == Parser::Step::kOp) {
        out.ops.push_back(describe(op, in, offset));
        offset += consumed;
        continue;
      }
      if (step == Parser::Step::kError) {
        out.error = error_of(parser);
        out.end = offset;
        return out;
      }
      offset += consumed;
      if (consumed == 0) break;
    }
  } while (arrived < data.size());
  out.end = offset;
  return out;
}

inline void CheckSameOutcome(const Outcome& whole, const Outcome& chunked) {
  Check(whole.ops == chunked.ops, "ops differ between whole and chunked input");
  Check(whole.last_step == chunked.last_step, "end state differs between whole and chunked");
  Check(whole.error == chunked.error, "error differs between whole and chunked input");
  // After an error the connection is closed, and how many op-less frames (+OK, INFO) before the
  // error were already dropped depends on the splits; otherwise the ends must match.
  if (whole.error.empty()) {
    Check(whole.end == chunked.end, "consumed bytes differ between whole and chunked input");
  }
}

// Appends "<offset>+<size>;" of `view` relative to the buffer start, after checking it is inside.
inline void AppendView(std::string* out, std::string_view view, std::span<const char> in,
                       size_t base) {
  Check(Inside(view, in), "view outside the input");
  size_t pos = view.empty() ? 0 : static_cast<size_t>(view.data() - in.data()) + base;
  *out += std::to_string(view.empty() ? 0 : pos);
  *out += '+';
  *out += std::to_string(view.size());
  *out += ';';
}

}  // namespace spate::fuzz
