//===- HostTarget.cpp - Can this machine run a package? -------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/HostTarget.h"

#include <cstdint>
#include <map>
#include <vector>

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

namespace facet::runtime {

namespace {

/// Each name the compiler may write, and the canonical features it needs.
const std::map<std::string, std::vector<std::string>> &featureSets() {
  static const std::map<std::string, std::vector<std::string>> sets = [] {
    std::map<std::string, std::vector<std::string>> s;
    for (const char *single :
         {"sse41",      "sse42",    "avx",        "avx2",       "fma",
          "f16c",       "bmi2",     "avx512f",    "avx512cd",   "avx512bw",
          "avx512dq",   "avx512vl", "avx512ifma", "avx512vbmi", "avx512vnni",
          "avx512bf16", "avxvnni",  "avx512fp16", "neon",       "dotprod",
          "fp16",       "i8mm",     "bf16",       "sve",        "sve2"})
      s[single] = {single};
    // Other spellings of the same features.
    s["sse4.1"] = {"sse41"};
    s["sse4.2"] = {"sse42"};
    s["avx_vnni"] = {"avxvnni"};
    s["asimd"] = {"neon"};
    s["arm_dot_prod"] = {"dotprod"};
    s["arm_fp16"] = {"fp16"};
    // Halide's feature sets.
    s["avx512"] = {"avx512f", "avx512cd"};
    s["avx512_skylake"] = {"avx512f", "avx512cd", "avx512bw", "avx512dq",
                           "avx512vl"};
    s["avx512_cannonlake"] = s["avx512_skylake"];
    s["avx512_cannonlake"].insert(s["avx512_cannonlake"].end(),
                                  {"avx512ifma", "avx512vbmi"});
    s["avx512_sapphirerapids"] = s["avx512_cannonlake"];
    // Halide 14 compiles this for LLVM's `sapphirerapids` CPU, so LLVM may
    // use any instruction that CPU has: AVX512-FP16 (it picks `vmovw` for
    // 16-bit moves, which faults on Zen 4) and VEX-encoded AVX-VNNI too. AMX
    // is emitted only for funcs scheduled into AMX tiles, which Facet does
    // not do.
    s["avx512_sapphirerapids"].insert(
        s["avx512_sapphirerapids"].end(),
        {"avx512vnni", "avx512bf16", "avx512fp16", "avxvnni"});
    return s;
  }();
  return sets;
}

HostInfo detectHost() {
  HostInfo host;
#if defined(__x86_64__)
  host.arch = "x86_64";
  // CPUID directly (not __builtin_cpu_supports, which knows fewer features
  // in older compilers), plus XGETBV: AVX and AVX-512 also need the OS to
  // save their registers.
  unsigned eax, ebx, ecx, edx;
  auto add = [&](unsigned reg, int bit, const char *name) {
    if (reg & (1u << bit))
      host.features.insert(name);
  };
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
    return host;
  unsigned leaf1ecx = ecx;
  add(ecx, 19, "sse41");
  add(ecx, 20, "sse42");
  uint64_t xcr0 = 0;
  if (ecx & (1u << 27)) { // OSXSAVE
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (uint64_t(hi) << 32) | lo;
  }
  bool avxState = (xcr0 & 0x6) == 0x6;
  bool avx512State = avxState && (xcr0 & 0xe0) == 0xe0;
  if (!avxState)
    return host;
  add(leaf1ecx, 28, "avx");
  add(leaf1ecx, 12, "fma");
  add(leaf1ecx, 29, "f16c");
  if (__get_cpuid_max(0, nullptr) < 7)
    return host;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  add(ebx, 5, "avx2");
  add(ebx, 8, "bmi2");
  __cpuid_count(7, 1, eax, ebx, ecx, edx);
  add(eax, 4, "avxvnni");
  unsigned leaf71eax = eax;
  if (!avx512State)
    return host;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  add(ebx, 16, "avx512f");
  add(ebx, 17, "avx512dq");
  add(ebx, 21, "avx512ifma");
  add(ebx, 28, "avx512cd");
  add(ebx, 30, "avx512bw");
  add(ebx, 31, "avx512vl");
  add(ecx, 1, "avx512vbmi");
  add(ecx, 11, "avx512vnni");
  add(edx, 23, "avx512fp16");
  add(leaf71eax, 5, "avx512bf16");
#elif defined(__aarch64__)
  host.arch = "aarch64";
  host.features.insert("neon"); // mandatory in AArch64
#if defined(__linux__)
  unsigned long hwcap = getauxval(AT_HWCAP);
  unsigned long hwcap2 = getauxval(AT_HWCAP2);
  auto add = [&](bool present, const char *name) {
    if (present)
      host.features.insert(name);
  };
  // The bit values of <asm/hwcap.h>, spelled out because older sysroots
  // lack the newer names. Under qemu-aarch64 these are the emulated CPU's
  // (-cpu; the default "max" has all of them).
  add(hwcap & (1UL << 20), "dotprod"); // HWCAP_ASIMDDP (sdot/udot)
  // ARMv8.2 FP16 (Halide's arm_fp16): HWCAP_FPHP and HWCAP_ASIMDHP.
  add((hwcap & (1UL << 9)) && (hwcap & (1UL << 10)), "fp16");
  add(hwcap & (1UL << 22), "sve");   // HWCAP_SVE
  add(hwcap2 & (1UL << 1), "sve2");  // HWCAP2_SVE2
  add(hwcap2 & (1UL << 13), "i8mm"); // HWCAP2_I8MM
  add(hwcap2 & (1UL << 14), "bf16"); // HWCAP2_BF16
#endif
#elif defined(__arm__)
  host.arch = "arm";
#elif defined(__riscv)
  host.arch = "riscv64";
#else
  host.arch = "unknown";
#endif
  return host;
}

std::string join(const std::vector<std::string> &items) {
  std::string text;
  for (const std::string &item : items)
    text += (text.empty() ? "" : ", ") + item;
  return text;
}

} // namespace

const HostInfo &currentHost() {
  static const HostInfo host = detectHost();
  return host;
}

std::string targetMismatch(const package::TargetInfo &target,
                           const HostInfo &host) {
  std::string built =
      "package built for " + (target.name.empty() ? target.arch : target.name);
  if (target.arch != host.arch) {
    if (!target.name.empty() && target.name != target.arch)
      built += " (" + target.arch + ")";
    built += ", this machine is " + host.arch;
    if (target.arch == "hexagon") // a DSP package: its own freestanding runner
      built += " (run Hexagon packages with facet-run-hexagon, under "
               "qemu-hexagon here)";
    return built;
  }
  std::vector<std::string> lacking, unknown;
  for (const std::string &name : target.cpuFeatures) {
    auto set = featureSets().find(name);
    if (set == featureSets().end()) {
      unknown.push_back(name);
      continue;
    }
    for (const std::string &feature : set->second)
      if (!host.features.count(feature)) {
        bool seen = false;
        for (const std::string &l : lacking)
          seen |= l == feature;
        if (!seen)
          lacking.push_back(feature);
      }
  }
  if (!unknown.empty())
    return built + " (needs " + join(target.cpuFeatures) +
           "), this runtime does not know the CPU feature" +
           (unknown.size() > 1 ? "s " : " ") + join(unknown);
  if (!lacking.empty())
    return built + " (needs " + join(target.cpuFeatures) +
           "), this machine lacks " + join(lacking);
  return "";
}

} // namespace facet::runtime
