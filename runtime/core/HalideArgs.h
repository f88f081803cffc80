//===- HalideArgs.h - Kernel arguments in Halide's argv convention -*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Every Halide-generated kernel is called as `int symbol(void **argv)`: one
// halide_buffer_t per tensor (dimensions innermost first, strides in
// elements) and a pointer to each int32 scalar. The CPU backend and the
// Hexagon runner both launch Halide kernels, so both translate the step
// runner's KernelArgs here. The structs are Halide's runtime ABI (Halide's
// HalideRuntime.h), which compiles to the right layout for the pointer width
// of either machine.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CORE_HALIDEARGS_H
#define FACET_RUNTIME_CORE_HALIDEARGS_H

#include "runtime/core/Tensor.h"

#include <stddef.h>
#include <stdint.h>

namespace facet::core::halide {

enum TypeCode : uint8_t {
  kTypeInt = 0,
  kTypeUInt = 1,
  kTypeFloat = 2,
  kTypeHandle = 3,
  kTypeBFloat = 4,
};

struct halide_dimension_t {
  int32_t min, extent, stride; // stride in elements
  uint32_t flags;
};

struct halide_type_t {
  uint8_t code; // TypeCode
  uint8_t bits;
  uint16_t lanes;
};

struct halide_buffer_t {
  uint64_t device;
  const void *device_interface;
  uint8_t *host;
  uint64_t flags;
  halide_type_t type;
  int32_t dimensions;
  halide_dimension_t *dim; // innermost first
  void *padding;
};

using ArgvFunction = int (*)(void **args);

static_assert(sizeof(halide_dimension_t) == 16, "halide_dimension_t layout");
static_assert(sizeof(halide_type_t) == 4, "halide_type_t layout");
static_assert(sizeof(void *) != 8 || sizeof(halide_buffer_t) == 56,
              "halide_buffer_t layout");
static_assert(sizeof(void *) != 8 || (offsetof(halide_buffer_t, type) == 32 &&
                                      offsetof(halide_buffer_t, dim) == 40),
              "halide_buffer_t layout");

/// The Halide type of an element type.
halide_type_t typeOf(ElementType type);

/// One launch's argv, built in place: no allocation per launch.
class ArgvBuilder {
public:
  /// Describes `count` (at most kMaxKernelArgs) arguments; every tensor's
  /// memory must be host-addressable. Returns argv, valid until the next
  /// call.
  void **build(const KernelArg *args, uint64_t count);

private:
  halide_buffer_t buffers[kMaxKernelArgs];
  halide_dimension_t dims[kMaxKernelArgs * kMaxRank];
  int32_t scalars[kMaxKernelArgs];
  void *argv[kMaxKernelArgs];
};

} // namespace facet::core::halide

#endif // FACET_RUNTIME_CORE_HALIDEARGS_H
