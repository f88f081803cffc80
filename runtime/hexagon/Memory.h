//===- Memory.h - The Hexagon runner's heap ---------------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// A first-fit allocator on anonymous mmap2 memory, for a runner without a C
// library. Every block is 128-byte aligned, the width of an HVX vector, so
// Halide's aligned loads and stores are valid on any buffer from it. The C
// functions malloc/free/calloc/realloc (exported to loaded kernels) and
// operator new/delete are built on these. Single-threaded, like the runner.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_HEXAGON_MEMORY_H
#define FACET_RUNTIME_HEXAGON_MEMORY_H

#include <stddef.h>
#include <stdint.h>

namespace facet::hexagon {

constexpr size_t kHeapAlignment = 128;

/// `size` bytes, 128-byte aligned; nullptr (after a message on stderr naming
/// the size) when the system has no more memory. allocate(0) returns a
/// unique pointer.
void *allocate(size_t size);
/// Returns a block from allocate; nullptr is ignored.
void deallocate(void *pointer);
/// The usable size of a block from allocate.
size_t allocationSize(const void *pointer);

/// Bytes currently handed out (whole blocks), for leak checks in tests.
size_t bytesInUse();

} // namespace facet::hexagon

#endif // FACET_RUNTIME_HEXAGON_MEMORY_H
