#include "store/subject_index.h"

#include <algorithm>
#include <cstddef>

#include "common/assert.h"

namespace spate::store {

uint32_t SubjectIndex::Intern(std::string_view subject) {
  if (auto it = by_name_.find(subject); it != by_name_.end()) return it->second;
  uint32_t id;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
  } else {
    id = static_cast<uint32_t>(entries_.size());
    entries_.emplace_back();
  }
  auto [it, inserted] = by_name_.emplace(std::string(subject), id);
  entries_[id] = Entry{};
  entries_[id].name = &it->first;
  return id;
}

bool SubjectIndex::InternAt(std::string_view subject, uint32_t id) {
  SPATE_ASSERT(id >= entries_.size(), "subject id %u given out already", id);
  if (by_name_.count(subject) > 0) return false;
  while (entries_.size() < id) {
    free_ids_.push_back(static_cast<uint32_t>(entries_.size()));
    entries_.emplace_back();
  }
  entries_.emplace_back();
  auto [it, inserted] = by_name_.emplace(std::string(subject), id);
  entries_[id].name = &it->first;
  return true;
}

uint32_t SubjectIndex::Add(std::string_view subject, uint64_t seq) {
  const uint32_t id = Intern(subject);
  AddWithId(id, seq);
  return id;
}

void SubjectIndex::AddWithId(uint32_t id, uint64_t seq) {
  Entry& entry = entries_[id];
  SPATE_ASSERT(entry.seqs.size() == entry.head || (entry.seqs.back() & ~kRemovedBit) < seq,
               "subject index append out of order for seq %llu",
               static_cast<unsigned long long>(seq));
  entry.seqs.push_back(seq);
  ++entry.live;
}

void SubjectIndex::DeferLists(std::function<void(const DeferredAdd&)> loader) {
  LoadDeferred();
  loader_ = std::move(loader);
}

void SubjectIndex::RestoreDeferred(uint32_t id, uint64_t count, uint64_t first, uint64_t last) {
  Entry& entry = entries_[id];
  SPATE_ASSERT(entry.seqs.empty() && entry.deferred == 0, "deferred restore onto a used subject");
  entry.deferred = count;
  entry.deferred_first = first;
  entry.deferred_last = last;
  entry.live += count;
}

void SubjectIndex::LoadDeferred() const {
  if (!loader_) return;
  auto* self = const_cast<SubjectIndex*>(this);
  std::function<void(const DeferredAdd&)> loader = std::move(self->loader_);
  self->loader_ = nullptr;
  std::vector<SeqVector> lists(entries_.size());
  for (size_t id = 0; id < entries_.size(); ++id) {
    if (entries_[id].deferred > 0)
      lists[id].reserve(entries_[id].deferred + entries_[id].seqs.size());
  }
  loader([&](uint32_t id, uint64_t seq) { lists[id].push_back(seq); });
  for (size_t id = 0; id < entries_.size(); ++id) {
    Entry& entry = self->entries_[id];
    if (entry.deferred == 0) continue;
    SPATE_ASSERT(lists[id].size() == entry.deferred && entry.head == 0 && entry.marked == 0,
                 "deferred subject list of %s does not match its count", entry.name->c_str());
    lists[id].insert(lists[id].end(), entry.seqs.begin(), entry.seqs.end());
    entry.seqs = std::move(lists[id]);
    entry.deferred = 0;
  }
}

size_t SubjectIndex::LowerBound(const Entry& entry, uint64_t seq) const {
  auto it = std::lower_bound(entry.seqs.begin() + static_cast<std::ptrdiff_t>(entry.head),
                             entry.seqs.end(), seq,
                             [](uint64_t a, uint64_t b) { return (a & ~kRemovedBit) < b; });
  return static_cast<size_t>(it - entry.seqs.begin());
}

void SubjectIndex::Normalize(Entry& entry) {
  while (entry.head < entry.seqs.size() && (entry.seqs[entry.head] & kRemovedBit)) {
    ++entry.head;
    --entry.marked;
  }
  while (entry.seqs.size() > entry.head && (entry.seqs.back() & kRemovedBit)) {
    entry.seqs.pop_back();
    --entry.marked;
  }
  const bool many_marks = entry.marked > 8 && entry.marked > entry.live;
  const bool long_head = entry.head > 8 && entry.head > entry.seqs.size() / 2;
  if (many_marks || long_head) {
    SeqVector kept;
    kept.reserve(entry.live);
    for (size_t i = entry.head; i < entry.seqs.size(); ++i) {
      if (!(entry.seqs[i] & kRemovedBit)) kept.push_back(entry.seqs[i]);
    }
    entry.seqs = std::move(kept);
    entry.head = 0;
    entry.marked = 0;
  }
}

void SubjectIndex::Remove(uint32_t id, uint64_t seq) {
  LoadDeferred();
  Entry& entry = entries_[id];
  const size_t pos = LowerBound(entry, seq);
  SPATE_ASSERT(pos < entry.seqs.size() && entry.seqs[pos] == seq,
               "subject index: seq %llu not registered under %s",
               static_cast<unsigned long long>(seq), entry.name->c_str());
  entry.seqs[pos] |= kRemovedBit;
  ++entry.marked;
  --entry.live;
  if (entry.live == 0) {
    by_name_.erase(*entry.name);
    entry = Entry{};
    free_ids_.push_back(id);
    return;
  }
  Normalize(entry);
}

void SubjectIndex::Clear() {
  loader_ = nullptr;
  by_name_.clear();
  entries_.clear();
  free_ids_.clear();
}

uint32_t SubjectIndex::Find(std::string_view subject) const {
  auto it = by_name_.find(subject);
  return it == by_name_.end() ? kNoSubject : it->second;
}

uint64_t SubjectIndex::First(uint32_t id) const {
  const Entry& entry = entries_[id];
  if (entry.deferred > 0) return entry.deferred_first;  // nothing was removed since (Remove loads)
  return entry.live == 0 ? 0 : entry.seqs[entry.head];
}

uint64_t SubjectIndex::Last(uint32_t id) const {
  const Entry& entry = entries_[id];
  if (entry.live == 0) return 0;
  return entry.seqs.size() > entry.head ? entry.seqs.back() : entry.deferred_last;
}

uint64_t SubjectIndex::NextAtOrAfter(uint32_t id, uint64_t start) const {
  LoadDeferred();
  const Entry& entry = entries_[id];
  for (size_t i = LowerBound(entry, start); i < entry.seqs.size(); ++i) {
    if (!(entry.seqs[i] & kRemovedBit)) return entry.seqs[i];
  }
  return 0;
}

uint64_t SubjectIndex::CountAtOrAfter(uint32_t id, uint64_t start) const {
  LoadDeferred();
  const Entry& entry = entries_[id];
  if (entry.live == 0) return 0;
  if (start <= entry.seqs[entry.head]) return entry.live;
  const size_t pos = LowerBound(entry, start);
  if (entry.marked == 0) return entry.seqs.size() - pos;
  uint64_t count = 0;
  for (size_t i = pos; i < entry.seqs.size(); ++i) count += !(entry.seqs[i] & kRemovedBit);
  return count;
}

std::vector<uint64_t> SubjectIndex::Seqs(uint32_t id) const {
  LoadDeferred();
  const Entry& entry = entries_[id];
  std::vector<uint64_t> out;
  out.reserve(entry.live);
  for (size_t i = entry.head; i < entry.seqs.size(); ++i) {
    if (!(entry.seqs[i] & kRemovedBit)) out.push_back(entry.seqs[i]);
  }
  return out;
}

}  // namespace spate::store
