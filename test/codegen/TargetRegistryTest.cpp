//===- TargetRegistryTest.cpp - the target table
//---------------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "codegen/target/TargetRegistry.h"
#include "codegen/halide/Schedule.h"
#include "frontend/support/Error.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace facet::codegen {
namespace {

TEST(TargetRegistry, KnowsTheX86EntriesAndHost) {
  std::vector<std::string> names = targetNames();
  EXPECT_EQ(names, (std::vector<std::string>{
                       "x86_64-avx2", "x86_64-avx512", "x86_64-avx512-vnni",
                       "aarch64-neon", "aarch64-dotprod", "aarch64-cortex-a76",
                       "hexagon-v66-hvx128", "cuda-sm90", "cuda-sm80",
                       "aarch64", "hexagon", "cuda", "host"}));
  const TargetInfo *avx2 = findTarget("x86_64-avx2");
  ASSERT_NE(avx2, nullptr);
  EXPECT_EQ(avx2->family, "x86_64");
  EXPECT_EQ(avx2->vectorBytes, 32);
  EXPECT_TRUE(avx2->halide.has_feature(Halide::Target::AVX2));
  EXPECT_TRUE(avx2->halide.has_feature(Halide::Target::FMA));
  EXPECT_TRUE(avx2->halide.has_feature(Halide::Target::F16C));
  EXPECT_FALSE(avx2->halide.has_feature(Halide::Target::AVX512));

  const TargetInfo &vnni = resolveTarget("x86_64-avx512-vnni");
  EXPECT_EQ(vnni.vectorBytes, 64);
  // The whole chain: sapphirerapids alone leaves Halide's avx512 helpers out.
  for (auto feature : {Halide::Target::AVX512, Halide::Target::AVX512_Skylake,
                       Halide::Target::AVX512_Cannonlake,
                       Halide::Target::AVX512_SapphireRapids})
    EXPECT_TRUE(vnni.halide.has_feature(feature));
  EXPECT_FALSE(vnni.halide.has_feature(Halide::Target::NoRuntime));
  EXPECT_FALSE(vnni.halide.has_feature(Halide::Target::JIT));
  // LLVM 19 compiles it for a CPU without AVX512-FP16, and the runtime
  // checks VNNI and BF16, not the sapphirerapids set (which includes FP16).
  EXPECT_EQ(vnni.llvmCpu, "cooperlake");
  EXPECT_NE(std::find(vnni.cpuFeatures.begin(), vnni.cpuFeatures.end(),
                      "avx512vnni"),
            vnni.cpuFeatures.end());
  EXPECT_EQ(std::find(vnni.cpuFeatures.begin(), vnni.cpuFeatures.end(),
                      "avx512_sapphirerapids"),
            vnni.cpuFeatures.end());
  EXPECT_TRUE(resolveTarget("x86_64-avx512").llvmCpu.empty());
}

TEST(TargetRegistry, JitTargetsRunHere) {
  for (const char *name : {"x86_64-avx2", "x86_64-avx512",
                           "x86_64-avx512-vnni"}) {
    const TargetInfo &target = resolveTarget(name);
    Halide::Target jit = jitTarget(target);
    EXPECT_TRUE(jit.has_feature(Halide::Target::JIT)) << name;
    // Only the retargeted entry may lose a feature, and only the one that
    // makes Halide's own LLVM pick sapphirerapids.
    Halide::Target restored = jit.without_feature(Halide::Target::JIT);
    if (target.halide.has_feature(Halide::Target::AVX512_SapphireRapids))
      restored = restored.with_feature(Halide::Target::AVX512_SapphireRapids);
    EXPECT_EQ(restored, target.halide)
        << name;
  }
}

TEST(TargetRegistry, KnowsTheAArch64Entries) {
  const TargetInfo *neon = findTarget("aarch64-neon");
  ASSERT_NE(neon, nullptr);
  EXPECT_EQ(findTarget("aarch64"), neon); // the alias is the baseline
  EXPECT_EQ(neon->family, "aarch64");
  EXPECT_EQ(neon->halide.arch, Halide::Target::ARM);
  EXPECT_EQ(neon->halide.bits, 64);
  EXPECT_EQ(neon->halide.os, Halide::Target::Linux);
  EXPECT_FALSE(neon->halide.has_feature(Halide::Target::ARMDotProd));
  EXPECT_TRUE(neon->halide.has_feature(Halide::Target::LargeBuffers));
  EXPECT_EQ(neon->cpuFeatures, (std::vector<std::string>{"neon"}));

  const TargetInfo &dotprod = resolveTarget("aarch64-dotprod");
  EXPECT_TRUE(dotprod.halide.has_feature(Halide::Target::ARMDotProd));
  EXPECT_FALSE(dotprod.halide.has_feature(Halide::Target::ARMFp16));
  EXPECT_EQ(dotprod.cpuFeatures, (std::vector<std::string>{"neon", "dotprod"}));

  const TargetInfo &a76 = resolveTarget("aarch64-cortex-a76");
  EXPECT_TRUE(a76.halide.has_feature(Halide::Target::ARMDotProd));
  EXPECT_TRUE(a76.halide.has_feature(Halide::Target::ARMFp16));
  EXPECT_EQ(a76.cpuFeatures,
            (std::vector<std::string>{"neon", "dotprod", "fp16"}));

  for (const TargetInfo *target : {neon, &dotprod, &a76}) {
    SCOPED_TRACE(target->name);
    EXPECT_EQ(target->vectorBytes, 16); // 128-bit NEON registers
    KernelSchedule schedule = defaultSchedule(*target);
    EXPECT_EQ(schedule.vectorLanes, 4);
    EXPECT_EQ(schedule.unroll, 8);
    EXPECT_FALSE(target->halide.has_feature(Halide::Target::NoRuntime));
#if defined(__x86_64__)
    EXPECT_FALSE(canRunOnHost(*target));
#endif
  }
#if defined(__x86_64__)
  EXPECT_EQ(hostTarget().family, "x86_64");
#endif
}

TEST(TargetRegistry, KnowsTheHexagonEntry) {
  const TargetInfo *hvx = findTarget("hexagon-v66-hvx128");
  ASSERT_NE(hvx, nullptr);
  EXPECT_EQ(findTarget("hexagon"), hvx);
  EXPECT_EQ(hvx->family, "hexagon");
  EXPECT_EQ(hvx->halide.arch, Halide::Target::Hexagon);
  EXPECT_EQ(hvx->halide.bits, 32);
  EXPECT_EQ(hvx->halide.os, Halide::Target::NoOS);
  // QEMU 7.2 loads v67 at most: never a later HVX version.
  EXPECT_TRUE(hvx->halide.has_feature(Halide::Target::HVX_v66));
  EXPECT_TRUE(hvx->halide.has_feature(Halide::Target::HVX_128));
  EXPECT_EQ(hvx->vectorBytes, 128);
  EXPECT_TRUE(hvx->int8Only);
  KernelSchedule schedule = defaultSchedule(*hvx);
  EXPECT_EQ(schedule.vectorLanes, 1);   // float stays on the scalar core
  EXPECT_EQ(schedule.dotLanes, 32);     // one HVX vector of i32 accumulators
  EXPECT_FALSE(schedule.parallel);      // freestanding: no threads
  EXPECT_TRUE(schedule.dotAlongInputs); // vrmpy reads 128 contiguous bytes
  EXPECT_FALSE(canRunOnHost(*hvx));
}

TEST(TargetRegistry, UnknownNameListsTheKnownTargets) {
  EXPECT_EQ(findTarget("riscv64-rvv"), nullptr);
  try {
    resolveTarget("riscv64-rvv");
    FAIL() << "expected facet::Error";
  } catch (const Error &error) {
    std::string message = error.what();
    EXPECT_NE(message.find("'riscv64-rvv'"), std::string::npos) << message;
    for (const std::string &name : targetNames())
      EXPECT_NE(message.find(name), std::string::npos) << message;
  }
}

TEST(TargetRegistry, HostIsTheBestEntryThisMachineRuns) {
  TargetInfo host = hostTarget();
  EXPECT_TRUE(canRunOnHost(host));
  EXPECT_EQ(findTarget("host")->name, host.name);
  // Every entry listed after the host's is one this machine cannot run.
  bool after = false;
  for (const std::string &name : targetNames()) {
    if (name == "host")
      continue;
    if (after)
      EXPECT_FALSE(canRunOnHost(*findTarget(name))) << name;
    after |= name == host.name;
  }
  EXPECT_EQ(defaultSchedule(host).vectorLanes, host.vectorBytes / 4);
  EXPECT_EQ(defaultSchedule(host).unroll, host.unroll);
}

TEST(TargetRegistry, CudaRowsListTheirArchitecturesAndNeverRunOnTheHost) {
  const TargetInfo *sm90 = findTarget("cuda");
  ASSERT_NE(sm90, nullptr);
  EXPECT_EQ(sm90->name, "cuda-sm90");
  EXPECT_EQ(sm90->family, "cuda");
  EXPECT_TRUE(sm90->isCuda());
  EXPECT_EQ(sm90->cudaGencodes,
            (std::vector<std::string>{"arch=compute_90a,code=sm_90a",
                                      "arch=compute_80,code=sm_80",
                                      "arch=compute_90,code=compute_90"}));
  EXPECT_TRUE(sm90->cpuFeatures.empty());
  EXPECT_FALSE(canRunOnHost(*sm90));
  const TargetInfo *sm80 = findTarget("cuda-sm80");
  ASSERT_NE(sm80, nullptr);
  EXPECT_EQ(sm80->cudaGencodes,
            (std::vector<std::string>{"arch=compute_80,code=sm_80",
                                      "arch=compute_80,code=compute_80"}));
  EXPECT_FALSE(canRunOnHost(*sm80));
  // host stays a CPU entry.
  EXPECT_FALSE(hostTarget().isCuda());
  EXPECT_TRUE(findTarget("x86_64-avx2")->cudaGencodes.empty());
}

} // namespace
} // namespace facet::codegen
