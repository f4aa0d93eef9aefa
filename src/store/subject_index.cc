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
    std::vector<uint64_t> kept;
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
  return entry.live == 0 ? 0 : entry.seqs[entry.head];
}

uint64_t SubjectIndex::Last(uint32_t id) const {
  const Entry& entry = entries_[id];
  return entry.live == 0 ? 0 : entry.seqs.back();
}

uint64_t SubjectIndex::NextAtOrAfter(uint32_t id, uint64_t start) const {
  const Entry& entry = entries_[id];
  for (size_t i = LowerBound(entry, start); i < entry.seqs.size(); ++i) {
    if (!(entry.seqs[i] & kRemovedBit)) return entry.seqs[i];
  }
  return 0;
}

uint64_t SubjectIndex::CountAtOrAfter(uint32_t id, uint64_t start) const {
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
  const Entry& entry = entries_[id];
  std::vector<uint64_t> out;
  out.reserve(entry.live);
  for (size_t i = entry.head; i < entry.seqs.size(); ++i) {
    if (!(entry.seqs[i] & kRemovedBit)) out.push_back(entry.seqs[i]);
  }
  return out;
}

}  // namespace spate::store
