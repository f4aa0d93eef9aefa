#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spate::jetstream {

// Applies a subject mapping (stream subject_transform, republish, source transforms): a source
// filter with '*'/'>' and a destination of literal tokens, "$N" and the mapping functions
// wildcard, partition, split, splitfromleft/right, slicefromleft/right, left, right (nats-server's
// semantics; see subject_mapping.h for validity).
class SubjectTransform {
 public:
  // nullopt when IsValidTransform(source, destination) does not hold.
  static std::optional<SubjectTransform> Make(std::string_view source,
                                              std::string_view destination);

  // The mapped subject, or nullopt when `subject` does not match the source.
  std::optional<std::string> Apply(std::string_view subject) const;

 private:
  enum class Fn {
    kLiteral,
    kWildcard,
    kPartition,
    kSplit,
    kSplitLeft,
    kSplitRight,
    kSliceLeft,
    kSliceRight,
    kLeft,
    kRight,
    kRest
  };
  struct Token {
    Fn fn = Fn::kLiteral;
    std::string literal;       // kLiteral; kSplit: the delimiter
    std::vector<int> indexes;  // source wildcard positions (0-based)
    int n = 0;                 // the integer argument
  };

  std::vector<std::string> source_;
  std::vector<Token> dest_;
};

}  // namespace spate::jetstream
