#pragma once

#include <cstddef>
#include <unordered_map>
#include <vector>

#include "routing/subject_trie.h"

namespace spate::routing {

// The subscriptions held by one trie node (its plain subscribers, or one queue group), kept in
// a vector so matching copies them with a linear scan. Removal swaps the last entry into the
// hole, so order is not kept. Past kIndexThreshold entries a pointer->position index makes
// Add/Remove O(1); without it, closing every subscriber of a subject with 10k subscribers
// would take quadratic time.
// Threading: none of its own; SubjectTrie guards it with its lock.
class SubscriberList {
 public:
  // False (and no change) if this subscription is already in the list.
  bool Add(SubscriptionRef sub);
  // False if it was not in the list.
  bool Remove(const Subscription* sub);

  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const std::vector<SubscriptionRef>& items() const { return items_; }

 private:
  static constexpr size_t kIndexThreshold = 16;
  static constexpr size_t kNotFound = static_cast<size_t>(-1);

  size_t Find(const Subscription* sub) const;
  void RebuildIndex();

  std::vector<SubscriptionRef> items_;
  // Invariant: when indexed_, index_ maps every items_[i].get() to i; otherwise it is empty.
  std::unordered_map<const Subscription*, size_t> index_;
  bool indexed_ = false;
};

}  // namespace spate::routing
