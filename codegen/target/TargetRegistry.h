//===- TargetRegistry.h - The targets Facet generates code for -*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// A target is a named entry in a table: its family (which backend generates
// its kernels), the Halide target it compiles for, its vector width, and the
// CPU features a machine needs to run the code. A new ISA or device is a new
// table entry (TargetRegistry.cpp), never a new branch in the code generator.
//
// Names: "x86_64-avx2", "x86_64-avx512", "x86_64-avx512-vnni",
// "aarch64-neon" (alias "aarch64"), "aarch64-dotprod", "aarch64-cortex-a76",
// "hexagon-v66-hvx128" (alias "hexagon"), "cuda-sm90" (alias "cuda") and
// "cuda-sm80", and "host", an alias for the most capable registered CPU entry
// this machine can run. aarch64 code is cross-compiled here and linked with
// the aarch64 cross toolchain (codegen/driver/KernelLinker.cpp). CUDA rows do
// not use Halide (DESIGN.md §3): their kernels are CUDA C++ (codegen/cuda/)
// compiled by nvcc for the rows' `cudaGencodes`.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_TARGET_TARGETREGISTRY_H
#define FACET_CODEGEN_TARGET_TARGETREGISTRY_H

#include "Halide.h"

#include <string>
#include <string_view>
#include <vector>

namespace facet::codegen {

struct TargetInfo {
  std::string name;        ///< registry name, e.g. "x86_64-avx512"
  std::string family;      ///< "x86_64", "aarch64", "hexagon", "cuda"
  /// What Halide compiles for (no jit/no_runtime); a default Target (arch
  /// unknown) for families Halide does not generate (cuda).
  Halide::Target halide;
  int vectorBytes = 16;    ///< native SIMD register width
  int unroll = 4;          ///< default vectors per schedule block
  std::string description; ///< one line for logs and `facet inspect`
  /// Feature names the runtime checks before it loads the code (the names
  /// runtime/cpu/HostTarget.cpp knows; Halide's feature names).
  std::vector<std::string> cpuFeatures;
  /// False where the vector unit is integer-only (Hexagon v66 HVX): float
  /// stages are then scalar and only int8 dot products are vectorized.
  bool vectorizeFloat = true;
  /// Whether kernels may run loops in parallel (false: no OS threads).
  bool threads = true;
  /// Whether the target runs int8 weights with int8 activations only (its
  /// vector unit is integer: `facet compile` then needs --quant int8).
  bool int8Only = false;
  /// Options for the LLVM inside Halide (its HL_LLVM_ARGS), set before the
  /// first kernel is generated; empty for most targets.
  std::string llvmOptions;
  /// Non-empty: kernels are written as bitcode by Halide and compiled by
  /// LLVM 19 for this LLVM CPU (halide/CpuRetarget.h), because the CPU
  /// Halide 14 would pick has instructions the target's machines lack.
  std::string llvmCpu;
  /// > 0: int8 per-row weights whose shape allows it are stored in tiles of
  /// this many rows by 4 inputs, the operand of one dot instruction
  /// (WeightTiles.h); 0: row-major.
  int int8WeightTileRows = 0;
  /// Bytes of a row kept together in tiled int4 weights (RowTiles.h): 4
  /// where one i32 lane sums 4 byte products, so int4 projections run as
  /// int8 dot products with int8 activations (RowTiledDotEmitter.cpp):
  /// x86_64-avx512-vnni (vpdpbusd) and x86_64-avx2 (vpmaddwd pairs over
  /// 16-bit words, int4TileWords: E2B with 6 layers, int4-g32, Zen 1, 2
  /// threads, `facet bench -p 64 -n 32 -r 3`: tg32 30.7 tok/s, against
  /// 18.3 reading bytes and 14.4 with float inputs; pp64 135 against 98 and
  /// 73). 1 elsewhere: a float GEMV across rows (x86_64-avx512 is
  /// unmeasured and stays float).
  int int4TileDepth = 1;
  /// Whether those tiles are read as little-endian 16-bit words, two bytes
  /// of a row each (`tiles R by 4 words`, RowTiles.h): AVX2 has no u8 x i8
  /// dot instruction that sums 4 products, but `vpmaddwd` sums 2 i16
  /// products, and nibbles shifted and masked out of words are already i16
  /// lanes. Halide 14 cannot reinterpret a u8 vector as u16, so the kernel
  /// argument itself is u16. Halide-only kernels, L2-resident 512 x 1536
  /// int4 dot on Zen 1, one thread: 51 us against 102 us with bytes.
  /// x86_64-avx2 only; VNNI's vpdpbusd wants the bytes.
  bool int4TileWords = false;
  /// CUDA rows: nvcc `-gencode=` values, one per architecture the fatbin
  /// holds (`arch=compute_90a,code=sm_90a`, ...); empty for other families.
  std::vector<std::string> cudaGencodes;

  bool isCuda() const { return family == "cuda"; }

  /// f32 lanes of a float stage's vector: one native vector, or 1 (scalar)
  /// where float is not vectorized.
  int floatLanes() const { return vectorizeFloat ? vectorBytes / 4 : 1; }
  /// Rows per tile of quantized projection weights (WeightTiles.h), the
  /// rows one block of a GEMV covers: floatLanes() * unroll on x86 (as
  /// many i32 accumulators where int4 runs as int8 dot products); 0
  /// elsewhere.
  int floatWeightTileRows() const {
    return family == "x86_64" ? floatLanes() * unroll : 0;
  }

  /// i32 lanes of one native vector (the int8 dot products' accumulators).
  int int32Lanes() const { return vectorBytes / 4; }
};

/// The entry called `name` ("host" resolves to hostTarget()'s entry), or
/// null when there is none.
const TargetInfo *findTarget(std::string_view name);

/// As findTarget, but an unknown name throws facet::Error listing the known
/// targets.
const TargetInfo &resolveTarget(std::string_view name);

/// Every name findTarget accepts: the entries, their aliases, "host" last.
std::vector<std::string> targetNames();

/// The most capable registered entry that this machine can run (detected
/// with Halide::get_host_target()). Throws facet::Error when no entry of the
/// host's family can run here.
TargetInfo hostTarget();

/// Whether this machine has the architecture and every ISA feature that
/// `target` compiles for.
bool canRunOnHost(const TargetInfo &target);

/// The Halide target that JIT-compiles `target`'s kernels on this machine
/// (tests). JIT code goes through Halide's own LLVM 14 and its CPU choice,
/// not through TargetInfo::llvmCpu, so a retargeted entry JITs without
/// avx512_sapphirerapids where this machine lacks that CPU's AVX512-FP16.
Halide::Target jitTarget(const TargetInfo &target);

} // namespace facet::codegen

#endif // FACET_CODEGEN_TARGET_TARGETREGISTRY_H
