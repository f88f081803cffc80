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

namespace facet::codegen {
namespace {

TEST(TargetRegistry, KnowsTheX86EntriesAndHost) {
  std::vector<std::string> names = targetNames();
  EXPECT_EQ(names, (std::vector<std::string>{"x86_64-avx2", "x86_64-avx512",
                                             "x86_64-avx512-vnni", "host"}));
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
}

} // namespace
} // namespace facet::codegen
