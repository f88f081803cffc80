//===- CudaKernelLibrary.h - A CUDA package's Kernels section ---*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// What `facet compile` does for a CUDA target instead of generating Halide
// objects and linking a shared object: collects each distinct kernel's
// CUDA C++ (codegen/cuda/), writes them into one kernels.cu, compiles it
// with nvcc into one fatbin and packs that with the launch table
// (runtime/package/CudaKernels.h) as the package's Kernels section.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_DRIVER_CUDAKERNELLIBRARY_H
#define FACET_CODEGEN_DRIVER_CUDAKERNELLIBRARY_H

#include "codegen/plan/KernelSignature.h"
#include "codegen/target/TargetRegistry.h"
#include "dialects/FacetDialect.h"
#include "runtime/package/CudaKernels.h"

#include <cstdint>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
}

namespace facet::codegen {

class CudaKernelLibrary {
public:
  explicit CudaKernelLibrary(const TargetInfo &target) : target(target) {}

  /// Generates `kernel` as `symbol` (in manifest order) and returns its
  /// calling signature.
  KernelSignature add(KernelOp kernel, const std::string &symbol);

  /// Writes `workDir`/kernels.cu, compiles `workDir`/kernels.fatbin (nvcc's
  /// report in `workDir`/ptxas.log, summarised on `log`) and returns the
  /// Kernels section. Throws facet::Error.
  std::vector<uint8_t> build(const std::string &workDir,
                             llvm::raw_ostream &log);

private:
  const TargetInfo &target;
  std::string source;
  std::vector<package::CudaKernelInfo> launches;
};

} // namespace facet::codegen

#endif // FACET_CODEGEN_DRIVER_CUDAKERNELLIBRARY_H
