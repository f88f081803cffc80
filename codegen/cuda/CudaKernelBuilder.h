//===- CudaKernelBuilder.h - facet.kernel regions -> CUDA C++ ---*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The CUDA backend's kernel generator (DESIGN.md §3, Targets: CUDA does not
// use Halide). Each facet.kernel region becomes one `extern "C"
// __global__` function specialised to the region's shapes: every dimension
// but the step's token count T is a constant of the source. Its parameters
// follow the plan's calling convention (codegen/halide/KernelBuilder.h:
// inputs, quantized weights as their parts, caches, context length,
// outputs), then `int T` and a global scratch pointer; how to launch it is
// a package::CudaKernelInfo (runtime/package/CudaKernels.h).
//
// First slice: one thread block per kernel (CudaEmitter.h explains why);
// f32 KV caches only; every op of the dialect, float and int8/int4 weights.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_CUDA_CUDAKERNELBUILDER_H
#define FACET_CODEGEN_CUDA_CUDAKERNELBUILDER_H

#include "codegen/plan/KernelSignature.h"
#include "codegen/target/TargetRegistry.h"
#include "dialects/FacetDialect.h"
#include "runtime/package/CudaKernels.h"

#include <string>

namespace facet::codegen {

struct CudaKernel {
  std::string source;        ///< constant tables + the __global__ function
  KernelSignature signature; ///< symbol = the __global__ function's name
  package::CudaKernelInfo launch;
};

/// Writes the CUDA C++ of `kernel` as the function `symbol`. Throws
/// facet::Error naming an op or type the CUDA target does not support yet.
CudaKernel generateCudaKernel(KernelOp kernel, const TargetInfo &target,
                              const std::string &symbol);

/// The device helpers every generated kernel uses (conversions, clamps,
/// GELU); goes once at the top of the translation unit.
std::string cudaPrelude();

} // namespace facet::codegen

#endif // FACET_CODEGEN_CUDA_CUDAKERNELBUILDER_H
