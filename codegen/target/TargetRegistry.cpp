//===- TargetRegistry.cpp - The targets Facet generates code for ----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "codegen/target/TargetRegistry.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "frontend/support/Error.h"

#include <fmt/format.h>

namespace facet::codegen {
namespace {

using Feature = Halide::Target::Feature;

/// One registry entry before its Halide target is parsed.
struct Entry {
  const char *name;
  const char *family;
  /// Halide target string. x86: spell out the whole feature chain. Halide 14
  /// links its avx512 runtime helpers only when plain `avx512` is present,
  /// so `avx512_sapphirerapids` alone leaves `dpbusdx16` undefined
  /// (shared/kernel-lab/RESULTS.md). `large_buffers`: some weights exceed
  /// 2 GiB (the E2B PLE table is 4.7 GB in bf16, the 31B embedding 2.8 GB);
  /// without it Halide indexes with 32 bits and rejects such buffers.
  const char *halide;
  int vectorBytes;
  /// Vectors per block of a stage's innermost dimension (KernelSchedule):
  /// how many accumulators a reduction keeps in registers.
  int unroll;
  const char *description;
  std::vector<std::string> cpuFeatures;
  /// Whether float stages are vectorized. Integer-only vector units
  /// (Hexagon HVX on v66, whose QEMU model also aborts on HVX float) keep
  /// float work scalar and vectorize the int8 dot products only.
  bool vectorizeFloat = true;
  /// Whether kernels may run loops in parallel (an OS with threads).
  bool threads = true;
  /// Whether the target runs int8 weights with int8 activations only.
  bool int8Only = false;
  /// Options for Halide's LLVM (HL_LLVM_ARGS), or empty.
  const char *llvmOptions = "";
  /// > 0: int8 weights are stored in tiles of this many rows by 4 inputs
  /// (codegen/target/WeightTiles.h); 0: row-major.
  int int8WeightTileRows = 0;
  /// CUDA rows: nvcc -gencode values (TargetInfo::cudaGencodes).
  std::vector<std::string> cudaGencodes = {};
  /// LLVM CPU the kernels are compiled for by LLVM 19 (TargetInfo::llvmCpu),
  /// or empty for Halide's own choice.
  const char *llvmCpu = "";
  /// Bytes of a row kept together in int4 row tiles
  /// (TargetInfo::int4TileDepth): 4 where int4 projections run as int8 dot
  /// products, 1 for a float GEMV.
  int int4TileDepth = 1;
  /// Whether depth-4 int4 tiles are read as 16-bit words
  /// (TargetInfo::int4TileWords).
  bool int4TileWords = false;
};

/// Entries of one family are listed from the baseline to the most capable:
/// hostTarget() picks the last one the machine can run. New families
/// (cuda sm_XX, hexagon hvx128) and ISA levels (aarch64 i8mm) are new rows.
///
/// x86 unrolls 4 vectors: AVX2/AVX-512 have 16/32 registers, so 4
/// accumulators plus the operands they need stay in registers.
const std::vector<Entry> &entries() {
  static const std::vector<Entry> table = {
      {"x86_64-avx2",
       "x86_64",
       "x86-64-linux-sse41-avx-avx2-fma-f16c-large_buffers",
       32,
       4,
       "x86-64 with AVX2, FMA and F16C (Haswell, Zen 1 and later)",
       {"sse41", "avx", "avx2", "fma", "f16c"},
       /*vectorizeFloat=*/true,
       /*threads=*/true,
       /*int8Only=*/false,
       /*llvmOptions=*/"",
       /*int8WeightTileRows=*/0,
       /*cudaGencodes=*/{},
       /*llvmCpu=*/"",
       /*int4TileDepth=*/4,
       /*int4TileWords=*/true},
      {"x86_64-avx512",
       "x86_64",
       "x86-64-linux-sse41-avx-avx2-fma-f16c-avx512-avx512_skylake-"
       "large_buffers",
       64,
       4,
       "x86-64 with AVX-512 F/CD/BW/DQ/VL (Skylake-SP, Zen 4 and later)",
       {"sse41", "avx", "avx2", "fma", "f16c", "avx512", "avx512_skylake"}},
      // Halide 14's avx512_sapphirerapids is what turns u8 x i8 dot
      // products into `vpdpbusd`, but it compiles for LLVM's sapphirerapids
      // CPU, whose AVX512-FP16 and AVX-VNNI LLVM then uses and Zen 4/5 lack.
      // LLVM 19 compiles Halide's bitcode for `cooperlake` (Skylake-SP plus
      // VNNI and BF16) with Halide's features (adding IFMA and VBMI), which
      // Sapphire Rapids and Zen 4/5 all run.
      {"x86_64-avx512-vnni",
       "x86_64",
       "x86-64-linux-sse41-avx-avx2-fma-f16c-avx512-avx512_skylake-"
       "avx512_cannonlake-avx512_sapphirerapids-large_buffers",
       64,
       4,
       "x86-64 with AVX-512 plus IFMA/VBMI, VNNI and BF16 (Sapphire Rapids, "
       "Zen 4 and later)",
       {"sse41", "avx", "avx2", "fma", "f16c", "avx512", "avx512_skylake",
        "avx512_cannonlake", "avx512vnni", "avx512bf16"},
       /*vectorizeFloat=*/true,
       /*threads=*/true,
       /*int8Only=*/false,
       /*llvmOptions=*/"",
       /*int8WeightTileRows=*/0,
       /*cudaGencodes=*/{},
       /*llvmCpu=*/"cooperlake",
       /*int4TileDepth=*/4},
      // aarch64: 128-bit NEON vectors (4 f32 lanes) but 32 of them, so a
      // block of 8 vectors (32 floats, the width of an AVX2 block) keeps 8
      // accumulators in registers with room for the weights and activations
      // it multiplies. Halide 14 has no CPU tuning for ARM (its Processor
      // list is x86 only), so a device preset is its feature set. Halide 14
      // has no feature for FEAT_I8MM (smmla/ummla): an `aarch64-i8mm` row
      // waits for a Halide that does, or for a microkernel.
      {"aarch64-neon",
       "aarch64",
       "arm-64-linux-large_buffers",
       16,
       8,
       "AArch64 ARMv8.0 with NEON (every 64-bit ARM CPU)",
       {"neon"}},
      {"aarch64-dotprod",
       "aarch64",
       "arm-64-linux-arm_dot_prod-large_buffers",
       16,
       8,
       "AArch64 ARMv8.2 with the dot product extension (sdot/udot)",
       {"neon", "dotprod"}},
      {"aarch64-cortex-a76",
       "aarch64",
       "arm-64-linux-arm_dot_prod-arm_fp16-large_buffers",
       16,
       8,
       "Cortex-A76 (Raspberry Pi 5): ARMv8.2 with dot product and fp16",
       {"neon", "dotprod", "fp16"}},
      // Hexagon: the DSP's scalar core plus 128-byte HVX vectors, on the
      // v66 ISA (QEMU 7.2, which runs the tests, loads v67 at most). The
      // kernels are integer: int8 x int8 dot products on vrmpy; float work
      // (norms, softmax, RoPE) runs on the scalar core. `noos`: the code
      // runs freestanding under facet-run-hexagon, with no threads.
      {"hexagon-v66-hvx128",
       "hexagon",
       "hexagon-32-noos-hvx-hvx_128-hvx_v66-no_asserts",
       128,
       1,
       "Qualcomm Hexagon DSP v66 with 128-byte HVX vectors (int8 kernels; "
       "runs under qemu-hexagon with facet-run-hexagon)",
       {"hvx_128", "hvx_v66"},
       /*vectorizeFloat=*/false,
       /*threads=*/false,
       /*int8Only=*/true,
       // LLVM 14's Hexagon bit simplification and "insert" generation are
       // superlinear in a function's size: a fused tiny-model kernel spent
       // 91 % of a 190 s compile in them. Without them it takes 60 s for
       // the whole model, with the same vrmpy code.
       "-hexagon-bit=false -hexagon-insert=false",
       // vrmpy with a broadcast activation word reads 32 rows x 4 inputs:
       // one 128-byte vector, contiguous only in tiles.
       /*int8WeightTileRows=*/32},
      // CUDA: no Halide target (empty string), no CPU features; the
      // kernels are CUDA C++ compiled by nvcc into one fatbin. sm_90a
      // cubins only load on sm_90 itself (H100/H200), so the sm_90 row also
      // carries sm_80 cubins (A100, and a fallback any later GPU can run)
      // and compute_90 PTX, which the driver JIT-compiles for GPUs newer
      // than every cubin. Kernels that use sm_90a-only instructions must
      // guard them (__CUDA_ARCH_FEAT_SM90_ALL) so the other two compile.
      {"cuda-sm90",
       "cuda",
       "",
       16,
       1,
       "NVIDIA Hopper (H100/H200): sm_90a cubins, plus sm_80 cubins and "
       "compute_90 PTX in the same fatbin",
       {},
       /*vectorizeFloat=*/true,
       /*threads=*/true,
       /*int8Only=*/false,
       "",
       /*int8WeightTileRows=*/0,
       {"arch=compute_90a,code=sm_90a", "arch=compute_80,code=sm_80",
        "arch=compute_90,code=compute_90"}},
      {"cuda-sm80",
       "cuda",
       "",
       16,
       1,
       "NVIDIA Ampere (A100) and later: sm_80 cubins and compute_80 PTX",
       {},
       /*vectorizeFloat=*/true,
       /*threads=*/true,
       /*int8Only=*/false,
       "",
       /*int8WeightTileRows=*/0,
       {"arch=compute_80,code=sm_80", "arch=compute_80,code=compute_80"}},
  };
  return table;
}

/// Other names of registry entries.
const std::vector<std::pair<const char *, const char *>> &aliases() {
  static const std::vector<std::pair<const char *, const char *>> table = {
      {"aarch64", "aarch64-neon"}, // the baseline every ARMv8 CPU runs
      {"hexagon", "hexagon-v66-hvx128"},
      {"cuda", "cuda-sm90"}, // the GPUs the project measures on
  };
  return table;
}

/// The registry, parsed once.
const std::vector<TargetInfo> &registry() {
  static const std::vector<TargetInfo> targets = [] {
    std::vector<TargetInfo> out;
    for (const Entry &entry : entries()) {
      TargetInfo info;
      info.name = entry.name;
      info.family = entry.family;
      if (*entry.halide)
        info.halide = Halide::Target(entry.halide);
      info.vectorBytes = entry.vectorBytes;
      info.unroll = entry.unroll;
      info.description = entry.description;
      info.cpuFeatures = entry.cpuFeatures;
      info.vectorizeFloat = entry.vectorizeFloat;
      info.threads = entry.threads;
      info.int8Only = entry.int8Only;
      info.llvmOptions = entry.llvmOptions;
      info.llvmCpu = entry.llvmCpu;
      info.int8WeightTileRows = entry.int8WeightTileRows;
      info.int4TileDepth = entry.int4TileDepth;
      info.int4TileWords = entry.int4TileWords;
      info.cudaGencodes = entry.cudaGencodes;
      out.push_back(std::move(info));
    }
    return out;
  }();
  return targets;
}

/// Halide features that describe the instruction set (the others select
/// runtime behaviour: jit, no_runtime, large_buffers, tracing, ...).
const std::vector<Feature> &isaFeatures() {
  static const std::vector<Feature> features = {
      Feature::SSE41,
      Feature::AVX,
      Feature::AVX2,
      Feature::FMA,
      Feature::FMA4,
      Feature::F16C,
      Feature::AVX512,
      Feature::AVX512_KNL,
      Feature::AVX512_Skylake,
      Feature::AVX512_Cannonlake,
      Feature::AVX512_SapphireRapids,
      Feature::ARMv7s,
      Feature::ARMv81a,
      Feature::ARMDotProd,
      Feature::ARMFp16,
      Feature::SVE,
      Feature::SVE2,
      Feature::VSX,
      Feature::POWER_ARCH_2_07,
      Feature::HVX_v62,
      Feature::HVX_v65,
      Feature::HVX_v66,
      Feature::HVX_128,
  };
  return features;
}

std::string familyOf(const Halide::Target &target) {
  if (target.arch == Halide::Target::X86 && target.bits == 64)
    return "x86_64";
  if (target.arch == Halide::Target::ARM && target.bits == 64)
    return "aarch64";
  if (target.arch == Halide::Target::Hexagon)
    return "hexagon";
  return target.to_string();
}

/// Whether this CPU has AVX512-FP16. Halide 14 compiles
/// avx512_sapphirerapids for LLVM's `sapphirerapids` CPU, whose AVX512-FP16
/// LLVM then uses (`vmovw`), but its host detection reports the feature set
/// for any CPU with AVX512-VNNI and BF16, Zen 4 included, where such code
/// faults. The runtime checks the same bit (runtime/cpu/HostTarget.cpp).
bool hostHasAvx512Fp16() {
#if defined(__x86_64__)
  unsigned eax, ebx, ecx, edx;
  if (__get_cpuid_max(0, nullptr) < 7)
    return false;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  return edx & (1u << 23);
#else
  return false;
#endif
}

bool runsOn(const TargetInfo &target, const Halide::Target &host) {
  if (target.isCuda()) // a GPU, not this CPU: the runtime checks for one
    return false;
  const Halide::Target &t = target.halide;
  if (t.arch != host.arch || t.bits != host.bits || t.os != host.os)
    return false;
  for (Feature feature : isaFeatures())
    if (t.has_feature(feature) && !host.has_feature(feature))
      return false;
  if (t.has_feature(Feature::AVX512_SapphireRapids) &&
      target.llvmCpu.empty() && !hostHasAvx512Fp16())
    return false;
  return true;
}

const TargetInfo *bestForHost() {
  static const TargetInfo *best = [] {
    Halide::Target host = Halide::get_host_target();
    const TargetInfo *found = nullptr;
    for (const TargetInfo &target : registry())
      if (target.family == familyOf(host) && runsOn(target, host))
        found = &target;
    return found;
  }();
  return best;
}

} // namespace

const TargetInfo *findTarget(std::string_view name) {
  if (name == "host")
    return bestForHost();
  for (const auto &[alias, entry] : aliases())
    if (name == alias)
      name = entry;
  for (const TargetInfo &target : registry())
    if (target.name == name)
      return &target;
  return nullptr;
}

const TargetInfo &resolveTarget(std::string_view name) {
  if (const TargetInfo *target = findTarget(name))
    return *target;
  if (name == "host")
    hostTarget(); // throws: no registered entry runs on this machine
  std::string known;
  for (const std::string &candidate : targetNames())
    known += (known.empty() ? "" : ", ") + candidate;
  throw Error(
      fmt::format("unknown target '{}'; known targets: {}", name, known));
}

std::vector<std::string> targetNames() {
  std::vector<std::string> names;
  for (const TargetInfo &target : registry())
    names.push_back(target.name);
  for (const auto &[alias, entry] : aliases())
    names.push_back(alias);
  names.push_back("host");
  return names;
}

TargetInfo hostTarget() {
  if (const TargetInfo *best = bestForHost())
    return *best;
  throw Error(fmt::format(
      "no registered target runs on this machine (Halide detects {}); 'host' "
      "needs x86-64 with at least AVX2 or AArch64 (other targets can still "
      "be compiled for by name)",
      Halide::get_host_target().to_string()));
}

bool canRunOnHost(const TargetInfo &target) {
  return runsOn(target, Halide::get_host_target());
}

Halide::Target jitTarget(const TargetInfo &target) {
  Halide::Target t = target.halide;
  if (!target.llvmCpu.empty() && !hostHasAvx512Fp16())
    t = t.without_feature(Feature::AVX512_SapphireRapids);
  return t.with_feature(Feature::JIT);
}

} // namespace facet::codegen
