#pragma once

#include <cstddef>
#include <new>

namespace spate::store {

// Memory for a big stream's index. A fresh 4 KiB page costs a fault on first touch, and on this
// kind of VM a fault is ~10-20 us: loading a 1,000,000-message index touched ~50 MiB and spent
// more time faulting than reading. Allocations of at least kLargeAllocBytes are mapped on their
// own, 2 MiB aligned, with MADV_HUGEPAGE, so the kernel backs them with transparent huge pages
// (one fault per 2 MiB) where THP is enabled in "madvise" or "always" mode; smaller ones use the
// heap, so small streams do not pay 2 MiB each.
inline constexpr size_t kLargeAllocBytes = size_t{2} << 20;

void* AllocateLarge(size_t bytes);      // never null: throws std::bad_alloc like new
void FreeLarge(void* p, size_t bytes);  // `bytes` as given to AllocateLarge

// A std allocator over AllocateLarge, for vectors that may grow big (a subject's sequences).
template <class T>
struct LargeAllocator {
  using value_type = T;
  LargeAllocator() = default;
  template <class U>
  LargeAllocator(const LargeAllocator<U>&) {}  // NOLINT: rebinding is implicit
  T* allocate(size_t n) { return static_cast<T*>(AllocateLarge(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { FreeLarge(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const LargeAllocator<U>&) const {
    return true;
  }
};

}  // namespace spate::store
