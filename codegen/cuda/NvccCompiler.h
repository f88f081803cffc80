//===- NvccCompiler.h - CUDA C++ -> one fatbin with nvcc --------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// `facet compile --target cuda-*` writes every kernel into one .cu file and
// compiles it with the CUDA toolkit's nvcc into one fatbin holding a cubin
// or PTX per `-gencode` of the target row. ptxas runs verbose (`-Xptxas
// -v`): its report (registers, stack, spill stores/loads per kernel and
// architecture) is kept as ptxas.log next to the fatbin and summarised.
//
// nvcc is $FACET_NVCC, else `nvcc` on the PATH, else
// $CUDA_HOME/bin/nvcc, else /usr/local/cuda/bin/nvcc.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_CUDA_NVCCCOMPILER_H
#define FACET_CODEGEN_CUDA_NVCCCOMPILER_H

#include "codegen/target/TargetRegistry.h"

#include <cstdint>
#include <string>
#include <vector>

namespace facet::codegen {

/// nvcc's path; throws facet::Error saying how to get one when none is
/// found.
std::string findNvcc();

/// What ptxas reported for one kernel on one architecture.
struct PtxasKernelReport {
  std::string kernel, arch;
  int registers = 0;
  uint64_t stackBytes = 0, spillStoreBytes = 0, spillLoadBytes = 0;
};

/// Parses `-Xptxas -v` output (unknown lines are skipped).
std::vector<PtxasKernelReport> parsePtxasLog(const std::string &log);

/// Compiles `sourcePath` into `fatbinPath` for `target`'s gencodes; nvcc's
/// output goes to `logPath`. Throws facet::Error with nvcc's output when
/// it fails.
void compileFatbin(const TargetInfo &target, const std::string &sourcePath,
                   const std::string &fatbinPath, const std::string &logPath);

} // namespace facet::codegen

#endif // FACET_CODEGEN_CUDA_NVCCCOMPILER_H
