#pragma once

#include <compare>
#include <cstdint>

namespace spate {

// A number with a type of its own, so that two kinds of sequence cannot be swapped silently.
template <class Tag, class Rep = uint64_t>
struct StrongId {
  Rep value{};
  constexpr auto operator<=>(const StrongId&) const = default;
};

using StreamSeq = StrongId<struct StreamSeqTag>;
using ConsumerSeq = StrongId<struct ConsumerSeqTag>;
using ClientId = StrongId<struct ClientIdTag>;

}  // namespace spate
