//===- HalideAbi.h - Halide's C buffer ABI, mirrored ------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The structs an ahead-of-time compiled Halide pipeline's `_argv` entry point
// reads (HalideRuntime.h, unchanged since Halide 10). The runtime must not
// depend on Halide, so it declares its own copy with the same C layout; the
// static_asserts pin the layout on LP64 targets.
//
// Calling convention of a kernel `int symbol(void **args)`: one entry per
// argument; a buffer argument is a halide_buffer_t*, a scalar argument a
// pointer to its value (int32 here). Returns 0, or a Halide error code.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CPU_HALIDEABI_H
#define FACET_RUNTIME_CPU_HALIDEABI_H

#include <cstddef>
#include <cstdint>

namespace facet::runtime::halide {

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

} // namespace facet::runtime::halide

#endif // FACET_RUNTIME_CPU_HALIDEABI_H
