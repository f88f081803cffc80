//===- Memory.cpp - The Hexagon runner's heap -----------------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Small blocks come from 16 MiB arenas, kept in one address-ordered list of
// blocks; a free block is reused first-fit, split when the rest is worth a
// block, and merged with free neighbours while the list is walked. Large
// blocks (weights, KV caches) get their own mapping and go back to the system
// on free, so they never fragment the arenas. Each block is preceded by a
// 128-byte header, which keeps the payload 128-byte aligned.
//
//===----------------------------------------------------------------------===//

#include "runtime/hexagon/Memory.h"

#include "runtime/hexagon/Syscall.h"
#include "runtime/hexagon/System.h"

namespace facet::hexagon {

namespace {

struct Block {
  size_t size; // payload bytes, a multiple of kHeapAlignment
  Block *next; // next block in address order (arena blocks only)
  uint32_t free;
  uint32_t mapped; // its own mapping: unmapped on free
};

constexpr size_t kHeader = kHeapAlignment;
static_assert(sizeof(Block) <= kHeader, "block header fits its slot");
constexpr size_t kArenaSize = 16u << 20;
constexpr size_t kOwnMappingThreshold = 4u << 20;

Block *firstBlock = nullptr;
Block *lastBlock = nullptr;
size_t inUse = 0;

uint8_t *payload(Block *block) {
  return reinterpret_cast<uint8_t *>(block) + kHeader;
}

Block *header(const void *pointer) {
  return reinterpret_cast<Block *>(
      const_cast<uint8_t *>(static_cast<const uint8_t *>(pointer)) - kHeader);
}

bool adjacent(Block *block, Block *next) {
  return payload(block) + block->size == reinterpret_cast<uint8_t *>(next);
}

void *mapAnonymous(size_t size) {
  long address = sys::call6(sys::kMmap2, 0, static_cast<long>(size),
                            sys::kProtRead | sys::kProtWrite,
                            sys::kMapPrivate | sys::kMapAnonymous, -1, 0);
  return sys::failed(address) ? nullptr : reinterpret_cast<void *>(address);
}

void reportOutOfMemory(size_t size) {
  writeErr("facet-hexagon: out of memory (requested ");
  writeErrNumber(static_cast<int64_t>(size));
  writeErr(" bytes, ");
  writeErrNumber(static_cast<int64_t>(inUse));
  writeErr(" in use)\n");
}

/// Splits `block` so that it holds exactly `size` bytes, when the rest can
/// hold a header and one aligned unit.
void split(Block *block, size_t size) {
  if (block->size < size + kHeader + kHeapAlignment)
    return;
  Block *rest = reinterpret_cast<Block *>(payload(block) + size);
  rest->size = block->size - size - kHeader;
  rest->next = block->next;
  rest->free = 1;
  rest->mapped = 0;
  block->size = size;
  block->next = rest;
  if (lastBlock == block)
    lastBlock = rest;
}

Block *findFree(size_t size) {
  for (Block *block = firstBlock; block; block = block->next) {
    if (!block->free)
      continue;
    while (block->next && block->next->free && adjacent(block, block->next)) {
      if (lastBlock == block->next)
        lastBlock = block;
      block->size += kHeader + block->next->size;
      block->next = block->next->next;
    }
    if (block->size >= size)
      return block;
  }
  return nullptr;
}

Block *growArena(size_t size) {
  size_t bytes = size + kHeader > kArenaSize ? size + kHeader : kArenaSize;
  void *memory = mapAnonymous(bytes);
  if (!memory)
    return nullptr;
  Block *block = static_cast<Block *>(memory);
  block->size = bytes - kHeader;
  block->next = nullptr;
  block->free = 1;
  block->mapped = 0;
  if (lastBlock)
    lastBlock->next = block;
  else
    firstBlock = block;
  lastBlock = block;
  return block;
}

} // namespace

void *allocate(size_t size) {
  // Round up to whole units; a size near SIZE_MAX cannot be satisfied.
  if (size > ~static_cast<size_t>(0) - kArenaSize) {
    reportOutOfMemory(size);
    return nullptr;
  }
  size_t rounded = (size + kHeapAlignment - 1) & ~(kHeapAlignment - 1);
  if (rounded == 0)
    rounded = kHeapAlignment;

  Block *block = nullptr;
  if (rounded >= kOwnMappingThreshold) {
    void *memory = mapAnonymous(rounded + kHeader);
    if (memory) {
      block = static_cast<Block *>(memory);
      block->size = rounded;
      block->next = nullptr;
      block->mapped = 1;
    }
  } else {
    block = findFree(rounded);
    if (!block)
      block = growArena(rounded);
    if (block)
      split(block, rounded);
  }
  if (!block) {
    reportOutOfMemory(size);
    return nullptr;
  }
  block->free = 0;
  inUse += block->size;
  return payload(block);
}

void deallocate(void *pointer) {
  if (!pointer)
    return;
  Block *block = header(pointer);
  inUse -= block->size;
  if (block->mapped) {
    sys::call3(sys::kMunmap, reinterpret_cast<long>(block),
               static_cast<long>(block->size + kHeader), 0);
    return;
  }
  block->free = 1;
}

size_t allocationSize(const void *pointer) { return header(pointer)->size; }

size_t bytesInUse() { return inUse; }

} // namespace facet::hexagon
