//===- RuntimeSupportTest.cpp - Target check and thread pool --------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/HostTarget.h"
#include "test/runtime/TargetTestUtil.h"
#include "runtime/cpu/ThreadPool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

using namespace facet::runtime;
using facet::package::TargetInfo;
using facet::test::target;

namespace {

HostInfo avx2Machine() {
  HostInfo host;
  host.arch = "x86_64";
  host.features = {"sse41", "sse42", "avx", "avx2", "fma", "f16c"};
  return host;
}


} // namespace

TEST(HostTarget, MatchingTargetIsAccepted) {
  EXPECT_EQ(targetMismatch(target("x86_64-avx2", "x86_64", {"avx2", "fma"}),
                           avx2Machine()),
            "");
  EXPECT_EQ(targetMismatch(target("x86_64", "x86_64", {}), avx2Machine()), "");
}

TEST(HostTarget, OtherArchitectureNamesBoth) {
  EXPECT_EQ(targetMismatch(target("aarch64", "aarch64", {}), avx2Machine()),
            "package built for aarch64, this machine is x86_64");
  EXPECT_EQ(targetMismatch(target("aarch64-dotprod", "aarch64", {"dotprod"}),
                           avx2Machine()),
            "package built for aarch64-dotprod (aarch64), this machine is "
            "x86_64");
}

TEST(HostTarget, MissingFeaturesAreNamed) {
  EXPECT_EQ(targetMismatch(target("x86_64-avx512", "x86_64",
                                  {"avx2", "avx512f", "avx512bw"}),
                           avx2Machine()),
            "package built for x86_64-avx512 (needs avx2, avx512f, avx512bw), "
            "this machine lacks avx512f, avx512bw");
}

TEST(HostTarget, HalideFeatureSetsExpand) {
  HostInfo host = avx2Machine();
  host.features.insert(
      {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"});
  EXPECT_EQ(targetMismatch(target("x", "x86_64", {"avx512_skylake"}), host),
            "");
  EXPECT_EQ(
      targetMismatch(
          target("x86_64-avx512", "x86_64", {"avx512_sapphirerapids"}), host),
      "package built for x86_64-avx512 (needs avx512_sapphirerapids), "
      "this machine lacks avx512ifma, avx512vbmi, avx512vnni, "
      "avx512bf16, avx512fp16, avxvnni");
  // Zen 4: everything Halide's sapphirerapids names but the AVX512-FP16
  // and AVX-VNNI that LLVM's sapphirerapids CPU lets it use.
  host.features.insert(
      {"avx512ifma", "avx512vbmi", "avx512vnni", "avx512bf16"});
  EXPECT_EQ(
      targetMismatch(
          target("x86_64-avx512-vnni", "x86_64", {"avx512_sapphirerapids"}),
          host),
      "package built for x86_64-avx512-vnni (needs avx512_sapphirerapids), "
      "this machine lacks avx512fp16, avxvnni");
  EXPECT_EQ(targetMismatch(target("x", "x86_64", {"sse4.1", "avx_vnni"}), host),
            "package built for x (needs sse4.1, avx_vnni), this machine lacks "
            "avxvnni");
}

TEST(HostTarget, UnknownFeatureIsAnError) {
  EXPECT_EQ(targetMismatch(target("x", "x86_64", {"avx2", "warp_drive"}),
                           avx2Machine()),
            "package built for x (needs avx2, warp_drive), this runtime does "
            "not know the CPU feature warp_drive");
}

TEST(HostTarget, ThisMachineIsDetected) {
  const HostInfo &host = currentHost();
#if defined(__x86_64__)
  EXPECT_EQ(host.arch, "x86_64");
  // Every x86_64 machine a model runs on has SSE4.1 (x86-64-v2).
  EXPECT_TRUE(host.features.count("sse41"));
  if (host.features.count("avx512bw")) {
    EXPECT_TRUE(host.features.count("avx512f"));
  }
#elif defined(__aarch64__)
  EXPECT_EQ(host.arch, "aarch64");
  EXPECT_TRUE(host.features.count("neon"));
#endif
  // Whatever it has, a package needing exactly that runs here.
  TargetInfo self = target(
      "self", host.arch,
      std::vector<std::string>(host.features.begin(), host.features.end()));
  EXPECT_EQ(targetMismatch(self, host), "");
}

TEST(ThreadPool, RunsEveryIndexOnce) {
  ThreadPool pool(4);
  EXPECT_EQ(pool.size(), 4);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::atomic<int>> hits(1000);
    pool.parallelFor(hits.size(), [&](uint64_t i) { hits[i]++; });
    for (auto &hit : hits)
      ASSERT_EQ(hit.load(), 1);
  }
}

TEST(ThreadPool, RethrowsTheFirstException) {
  ThreadPool pool(3);
  EXPECT_THROW(pool.parallelFor(100,
                                [](uint64_t i) {
                                  if (i == 37)
                                    throw std::runtime_error("task 37");
                                }),
               std::runtime_error);
  // Still usable afterwards.
  std::atomic<int> count{0};
  pool.parallelFor(10, [&](uint64_t) { count++; });
  EXPECT_EQ(count.load(), 10);
}

TEST(ThreadPool, OneThreadRunsInline) {
  ThreadPool pool(1);
  EXPECT_EQ(pool.size(), 1);
  uint64_t sum = 0;
  pool.parallelFor(5, [&](uint64_t i) { sum += i; });
  EXPECT_EQ(sum, 10u);
}
