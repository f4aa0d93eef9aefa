#include "routing/subscriber_list.h"

#include <utility>

namespace spate::routing {

size_t SubscriberList::Find(const Subscription* sub) const {
  if (indexed_) {
    const auto it = index_.find(sub);
    return it == index_.end() ? kNotFound : it->second;
  }
  for (size_t i = 0; i < items_.size(); ++i) {
    if (items_[i].get() == sub) return i;
  }
  return kNotFound;
}

void SubscriberList::RebuildIndex() {
  index_.clear();
  index_.reserve(items_.size() * 2);
  for (size_t i = 0; i < items_.size(); ++i) index_.emplace(items_[i].get(), i);
  indexed_ = true;
}

bool SubscriberList::Add(SubscriptionRef sub) {
  if (Find(sub.get()) != kNotFound) return false;
  const Subscription* key = sub.get();
  items_.push_back(std::move(sub));
  if (indexed_) {
    index_.emplace(key, items_.size() - 1);
  } else if (items_.size() > kIndexThreshold) {
    RebuildIndex();
  }
  return true;
}

bool SubscriberList::Remove(const Subscription* sub) {
  const size_t pos = Find(sub);
  if (pos == kNotFound) return false;
  const size_t last = items_.size() - 1;
  if (pos != last) {
    items_[pos] = std::move(items_[last]);
    if (indexed_) index_[items_[pos].get()] = pos;
  }
  items_.pop_back();
  if (indexed_) {
    index_.erase(sub);
    // Hysteresis: drop the index well below the threshold so an add/remove pair at the
    // boundary does not rebuild it each time.
    if (items_.size() < kIndexThreshold / 2) {
      index_ = {};
      indexed_ = false;
    }
  }
  return true;
}

}  // namespace spate::routing
