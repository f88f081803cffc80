//===- CpuRetarget.h - Halide's bitcode compiled by LLVM 19 for a CPU -----===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Halide 14 compiles `avx512_sapphirerapids` (the feature that turns u8 x i8
// dot products into VNNI `vpdpbusd`) for LLVM's `sapphirerapids` CPU, and
// LLVM then uses that CPU's AVX512-FP16 (`vmovw` for 16-bit moves) and
// AVX-VNNI, which AMD's Zen 4 and Zen 5 lack although they run VNNI and
// BF16. Halide's bitcode carries no per-function CPU: its module flags
// `halide_mcpu` / `halide_mattrs` only tell Halide's own code generator.
// So a target with an LLVM CPU of its own (TargetInfo::llvmCpu) has Halide
// write bitcode, and this writes the object from it with MLIR's LLVM 19 for
// that CPU plus the features Halide asked for, less the ones the CPU lacks.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_HALIDE_CPURETARGET_H
#define FACET_CODEGEN_HALIDE_CPURETARGET_H

#include <string>

namespace facet::codegen {

/// Compiles the LLVM bitcode at `bitcodePath` (written by Halide 14) to the
/// ELF object `objectPath` for LLVM CPU `cpu`: features from the module's
/// `halide_mattrs` flag except AMX, position-independent when Halide asked
/// for it, and Halide's float options (fast-math unless the module says
/// its instructions carry their own flags). Throws facet::Error.
void compileBitcodeForCpu(const std::string &bitcodePath,
                          const std::string &objectPath,
                          const std::string &cpu);

} // namespace facet::codegen

#endif // FACET_CODEGEN_HALIDE_CPURETARGET_H
