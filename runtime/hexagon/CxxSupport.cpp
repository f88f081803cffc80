//===- CxxSupport.cpp - The C++ runtime pieces freestanding code needs ----===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The runner is C++ without libstdc++: `new`/`delete` and the pure-virtual
// trap are the only parts of the C++ runtime it uses (no exceptions, no
// RTTI). `new` cannot report failure without exceptions, so running out of
// memory ends the process, after the allocator's message.
//
//===----------------------------------------------------------------------===//

#include "runtime/hexagon/Memory.h"
#include "runtime/hexagon/System.h"

#include <stddef.h>

namespace {

void *allocateOrExit(size_t size) {
  void *pointer = facet::hexagon::allocate(size);
  if (!pointer)
    facet::hexagon::exitProcess(134);
  return pointer;
}

} // namespace

void *operator new(size_t size) { return allocateOrExit(size); }
void *operator new[](size_t size) { return allocateOrExit(size); }
void operator delete(void *pointer) noexcept {
  facet::hexagon::deallocate(pointer);
}
void operator delete[](void *pointer) noexcept {
  facet::hexagon::deallocate(pointer);
}
void operator delete(void *pointer, size_t) noexcept {
  facet::hexagon::deallocate(pointer);
}
void operator delete[](void *pointer, size_t) noexcept {
  facet::hexagon::deallocate(pointer);
}

extern "C" void __cxa_pure_virtual() {
  facet::hexagon::writeErr("facet-hexagon: pure virtual function called\n");
  facet::hexagon::exitProcess(134);
}
