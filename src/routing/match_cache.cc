#include <bit>
#include <string>
#include <utility>
#include <vector>

#include "routing/string_hash.h"
#include "routing/subject_trie.h"

namespace spate::routing {

// Open addressing with linear probing over a power-of-two table at most half full. Entries are
// never deleted one by one (a full cache is cleared as a whole), so probing needs no
// tombstones: a probe stops at the first free slot. The table is allocated on the first Put: every
// account has a cache per loop, most are never used, and zeroing them all slowed start-up.
struct MatchCache::Impl {
  struct Slot {
    uint64_t hash = 0;
    uint64_t gen = 0;
    std::string subject;    // keeps its buffer across Clear() so refills do not allocate
    MatchResultRef result;  // null: the slot is free
  };

  explicit Impl(size_t capacity) : capacity(capacity == 0 ? 1 : capacity) {}

  void Allocate() {
    slots.resize(std::bit_ceil(capacity * 2));
    mask = slots.size() - 1;
  }

  const Slot* Lookup(std::string_view subject, uint64_t hash) const {
    if (slots.empty()) return nullptr;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots[i];
      if (slot.result == nullptr) return nullptr;
      if (slot.hash == hash && slot.subject == subject) return &slot;
    }
  }

  void Clear() {
    for (Slot& slot : slots) slot.result.reset();
    used = 0;
  }

  size_t capacity;
  std::vector<Slot> slots;  // empty until the first Put
  size_t mask = 0;
  size_t used = 0;
};

MatchCache::MatchCache(size_t capacity) : impl_(std::make_unique<Impl>(capacity)) {}
MatchCache::~MatchCache() = default;
MatchCache::MatchCache(MatchCache&&) noexcept = default;
MatchCache& MatchCache::operator=(MatchCache&&) noexcept = default;

MatchResultRef MatchCache::Find(std::string_view subject, uint64_t gen) const {
  const Impl::Slot* slot = impl_->Lookup(subject, HashString(subject));
  if (slot == nullptr || slot->gen != gen) return nullptr;
  return slot->result;
}

void MatchCache::Put(std::string_view subject, uint64_t gen, MatchResultRef result) {
  if (result == nullptr) return;
  Impl& impl = *impl_;
  if (impl.slots.empty()) impl.Allocate();
  const uint64_t hash = HashString(subject);
  size_t i = hash & impl.mask;
  for (;; i = (i + 1) & impl.mask) {
    Impl::Slot& slot = impl.slots[i];
    if (slot.result == nullptr) break;
    if (slot.hash == hash && slot.subject == subject) {  // refresh a stale entry in place
      slot.gen = gen;
      slot.result = std::move(result);
      return;
    }
  }
  if (impl.used >= impl.capacity) {
    impl.Clear();
    i = hash & impl.mask;  // the table is empty now: the home slot is free
  }
  Impl::Slot& slot = impl.slots[i];
  slot.hash = hash;
  slot.gen = gen;
  slot.subject.assign(subject);
  slot.result = std::move(result);
  ++impl.used;
}

void MatchCache::Clear() { impl_->Clear(); }
size_t MatchCache::size() const { return impl_->used; }
size_t MatchCache::capacity() const { return impl_->capacity; }

}  // namespace spate::routing
