//===- Arena.h - Where the core's parsed structures live --------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The core has no heap: what it builds (the manifest's view structs) comes
// from an Arena the caller supplies. The host backs one with malloc'd
// blocks; the Hexagon runner with BumpArena over a static buffer. An arena
// that returns null makes the caller fail with Code::OutOfMemory, never
// crash. Nothing is freed one by one: the arena's owner drops it whole.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CORE_ARENA_H
#define FACET_RUNTIME_CORE_ARENA_H

#include <stddef.h>
#include <stdint.h>

namespace facet::core {

class Arena {
public:
  /// `bytes` bytes aligned to `align` (a power of two), or null when the
  /// arena is exhausted. Zero bytes may return any non-null pointer.
  virtual void *allocate(size_t bytes, size_t align) = 0;

protected:
  ~Arena() = default;
};

/// Hands out consecutive pieces of one caller-owned buffer.
class BumpArena final : public Arena {
public:
  BumpArena(void *buffer, size_t size)
      : base(static_cast<uint8_t *>(buffer)), size(size) {}

  void *allocate(size_t bytes, size_t align) override {
    uintptr_t start = reinterpret_cast<uintptr_t>(base) + used;
    size_t padding = size_t((align - start % align) % align);
    if (padding > size - used || bytes > size - used - padding)
      return nullptr;
    used += padding + bytes;
    return base + used - bytes;
  }

  size_t bytesUsed() const { return used; }

private:
  uint8_t *base;
  size_t size;
  size_t used = 0;
};

/// Zeroed room for `count` objects of T (a plain struct: all-zero bytes are
/// its empty value) from `arena`, or null when the arena is exhausted or
/// the size would overflow.
template <typename T> T *allocateArray(Arena &arena, uint64_t count) {
  if (count > uint64_t(SIZE_MAX) / sizeof(T))
    return nullptr;
  size_t bytes = size_t(count) * sizeof(T);
  void *memory = arena.allocate(bytes, alignof(T));
  if (memory)
    __builtin_memset(memory, 0, bytes);
  return static_cast<T *>(memory);
}

} // namespace facet::core

#endif // FACET_RUNTIME_CORE_ARENA_H
