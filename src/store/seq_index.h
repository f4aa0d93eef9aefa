#pragma once

#include <cstdint>
#include <deque>
#include <utility>

#include "common/assert.h"

namespace spate::store {

// Per-sequence slots for one stream: slot i holds sequence base_ + i. Appends come in increasing
// order, removals anywhere. A removed slot stays as a hole until it reaches either end, so the
// cost is one slot per sequence between the first and the last live message (deque: O(1) at
// both ends, stable cost per slot).
// Invariant: the first and last slots, if any, are live.
// Threading: not thread-safe; owned by the store's owner.
template <class T>
class SeqIndex {
 public:
  bool empty() const { return slots_.empty(); }
  uint64_t size() const { return live_; }
  // First and last live sequence; 0 when empty.
  uint64_t first() const { return slots_.empty() ? 0 : base_; }
  uint64_t last() const { return slots_.empty() ? 0 : base_ + slots_.size() - 1; }

  // `seq` must be greater than every sequence added before.
  void Add(uint64_t seq, T value) {
    if (slots_.empty()) {
      base_ = seq;
    } else {
      SPATE_ASSERT(seq > last(), "seq index append out of order: last %llu new %llu",
                   static_cast<unsigned long long>(last()), static_cast<unsigned long long>(seq));
      for (uint64_t s = last() + 1; s < seq; ++s) slots_.push_back(Slot{});
    }
    slots_.push_back(Slot{std::move(value), true});
    ++live_;
  }

  T* Find(uint64_t seq) {
    if (slots_.empty() || seq < base_ || seq - base_ >= slots_.size()) return nullptr;
    Slot& slot = slots_[seq - base_];
    return slot.live ? &slot.value : nullptr;
  }
  const T* Find(uint64_t seq) const { return const_cast<SeqIndex*>(this)->Find(seq); }

  // Removes `seq` (which must be live) and returns its value.
  T Remove(uint64_t seq) {
    Slot& slot = slots_[seq - base_];
    SPATE_ASSERT(slot.live, "removing a hole at seq %llu", static_cast<unsigned long long>(seq));
    T value = std::move(slot.value);
    slot = Slot{};
    --live_;
    while (!slots_.empty() && !slots_.front().live) {
      slots_.pop_front();
      ++base_;
    }
    while (!slots_.empty() && !slots_.back().live) slots_.pop_back();
    return value;
  }

  void Clear() {
    slots_.clear();
    live_ = 0;
  }

  // First live sequence >= start, or 0.
  uint64_t NextLive(uint64_t start) const {
    if (slots_.empty()) return 0;
    if (start < base_) return base_;
    for (uint64_t i = start - base_; i < slots_.size(); ++i) {
      if (slots_[i].live) return base_ + i;
    }
    return 0;
  }
  // Last live sequence <= at, or 0.
  uint64_t PrevLive(uint64_t at) const {
    if (slots_.empty() || at < base_) return 0;
    uint64_t i = std::min<uint64_t>(at - base_, slots_.size() - 1);
    for (;; --i) {
      if (slots_[i].live) return base_ + i;
      if (i == 0) return 0;
    }
  }

  // Calls fn(seq, value) for live slots with seq >= start in order until fn returns false.
  template <class Fn>
  void ForEachFrom(uint64_t start, Fn&& fn) const {
    if (slots_.empty()) return;
    for (uint64_t i = start < base_ ? 0 : start - base_; i < slots_.size(); ++i) {
      if (slots_[i].live && !fn(base_ + i, slots_[i].value)) return;
    }
  }
  // Calls fn(seq) for every hole between first() and last().
  template <class Fn>
  void ForEachHole(Fn&& fn) const {
    for (uint64_t i = 0; i < slots_.size(); ++i) {
      if (!slots_[i].live) fn(base_ + i);
    }
  }

 private:
  struct Slot {
    T value{};
    bool live = false;
  };
  std::deque<Slot> slots_;
  uint64_t base_ = 0;  // sequence of slots_[0]
  uint64_t live_ = 0;
};

}  // namespace spate::store
