//===- HostArena.h - A growing core::Arena on the host heap -----*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The core's readers take their memory from an Arena; on the host there is
// a heap, so this one grows by blocks (never moving what it handed out) and
// frees everything when it dies. The readers bound every count by the input
// left before allocating, so a hostile manifest cannot make it grow far.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_PACKAGE_HOSTARENA_H
#define FACET_RUNTIME_PACKAGE_HOSTARENA_H

#include "runtime/core/Arena.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace facet::package {

class HostArena final : public core::Arena {
public:
  void *allocate(size_t bytes, size_t align) override {
    if (void *memory = current ? current->allocate(bytes, align) : nullptr)
      return memory;
    size_t size = bytes + align > kBlockSize ? bytes + align : kBlockSize;
    blocks.emplace_back(new uint8_t[size]);
    current = std::make_unique<core::BumpArena>(blocks.back().get(), size);
    return current->allocate(bytes, align);
  }

private:
  static constexpr size_t kBlockSize = 64 << 10;

  std::vector<std::unique_ptr<uint8_t[]>> blocks;
  std::unique_ptr<core::BumpArena> current;
};

} // namespace facet::package

#endif // FACET_RUNTIME_PACKAGE_HOSTARENA_H
