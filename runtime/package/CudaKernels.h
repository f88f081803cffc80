//===- CudaKernels.h - The Kernels section of a CUDA package ----*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// A package whose target arch is "cuda" carries, as its Kernels section, a
// small table that says how to launch each kernel of the manifest followed
// by one fatbin (nvcc's multi-architecture container) with every kernel's
// code. The driver API needs what a CPU shared object knows by itself: the
// launch shape and how much global scratch each kernel stages its
// intermediate values in. All integers little-endian:
//
//   char[8]  magic "FACETCU1"
//   u32      version = 1
//   u32      kernelCount (= the manifest's kernel count)
//   u64      fatbinOffset (from the section's start; 64-byte aligned)
//   u64      fatbinSize
//   kernelCount x {
//     u64 symbol length, symbol bytes (= the manifest kernel's symbol)
//     u32 blockThreads (1..1024), u32 gridBlocks (1..65535)
//     i64 tokensArg: index of the argument whose leading dimension is the
//         step's token count T, or -1 (every shape fixed; T = 1)
//     u64 scratchFixedBytes, u64 scratchPerTokenBytes: the scratch the
//         kernel needs for T tokens is fixed + perToken * T bytes
//   }
//   padding, then the fatbin
//
// The kernel's parameters are the manifest step's arguments in order (a
// buffer, weight or cache as a device pointer, a scalar as int32), then
// int32 T, then the scratch pointer (64-byte aligned).
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_PACKAGE_CUDAKERNELS_H
#define FACET_RUNTIME_PACKAGE_CUDAKERNELS_H

#include "runtime/package/Manifest.h"

#include <cstdint>
#include <string>
#include <vector>

namespace facet::package {

struct CudaKernelInfo {
  std::string symbol;
  uint32_t blockThreads = 256;
  uint32_t gridBlocks = 1;
  int64_t tokensArg = -1;
  uint64_t scratchFixedBytes = 0;
  uint64_t scratchPerTokenBytes = 0;
};

struct CudaKernels {
  std::vector<CudaKernelInfo> kernels;
  const uint8_t *fatbin = nullptr; ///< into the section (reader) or null
  uint64_t fatbinSize = 0;
};

/// The section's bytes for `kernels` (in manifest order) and `fatbin`.
std::vector<uint8_t>
serializeCudaKernels(const std::vector<CudaKernelInfo> &kernels,
                     const std::vector<uint8_t> &fatbin);

/// Parses and validates the section against the manifest's kernel table
/// (count, symbols, argument indices); the result points into `data`.
/// Throws FormatError naming the field.
CudaKernels parseCudaKernels(const uint8_t *data, uint64_t size,
                             const std::vector<KernelInfo> &manifestKernels);

} // namespace facet::package

#endif // FACET_RUNTIME_PACKAGE_CUDAKERNELS_H
