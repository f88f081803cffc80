//===- ArchTargetTest.cpp - Packages for another architecture -------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The target check with the aarch64 entries of the compiler's registry
// (codegen/target/TargetRegistry.cpp): a package for the other architecture
// names both, and an aarch64 machine without an extension the package needs
// names what it lacks. These run on any machine: the host is described, not
// detected (e2e-aarch64 checks the detection itself under qemu-aarch64).
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/HostTarget.h"
#include "test/runtime/TargetTestUtil.h"

#include <gtest/gtest.h>

using namespace facet::runtime;
using facet::package::TargetInfo;
using facet::test::target;

namespace {

/// What the registry writes into packages (its cpuFeatures columns).
TargetInfo neonPackage() { return target("aarch64-neon", "aarch64", {"neon"}); }
TargetInfo dotprodPackage() {
  return target("aarch64-dotprod", "aarch64", {"neon", "dotprod"});
}
TargetInfo cortexA76Package() {
  return target("aarch64-cortex-a76", "aarch64", {"neon", "dotprod", "fp16"});
}

/// An ARMv8.0 core (Cortex-A53, Raspberry Pi 3/4's A72): NEON only.
HostInfo armv80Machine() {
  HostInfo host;
  host.arch = "aarch64";
  host.features = {"neon"};
  return host;
}

/// A Cortex-A76 (Raspberry Pi 5): ARMv8.2 with dot product and fp16.
HostInfo cortexA76Machine() {
  HostInfo host = armv80Machine();
  host.features.insert({"dotprod", "fp16"});
  return host;
}

HostInfo x86Machine() {
  HostInfo host;
  host.arch = "x86_64";
  host.features = {"sse41", "sse42", "avx", "avx2", "fma", "f16c"};
  return host;
}

} // namespace

TEST(ArchTarget, AArch64PackageOnX86NamesBothArchitectures) {
  EXPECT_EQ(targetMismatch(neonPackage(), x86Machine()),
            "package built for aarch64-neon (aarch64), this machine is x86_64");
  EXPECT_EQ(targetMismatch(cortexA76Package(), x86Machine()),
            "package built for aarch64-cortex-a76 (aarch64), this machine is "
            "x86_64");
}

TEST(ArchTarget, X86PackageOnAArch64NamesBothArchitectures) {
  // The architecture is checked first: x86 feature names mean nothing on
  // an ARM machine and must not turn into "lacks avx2".
  EXPECT_EQ(targetMismatch(target("x86_64-avx2", "x86_64",
                                  {"sse41", "avx", "avx2", "fma", "f16c"}),
                           cortexA76Machine()),
            "package built for x86_64-avx2 (x86_64), this machine is aarch64");
}

TEST(ArchTarget, HexagonPackageOnAHostNamesItsRunner) {
  EXPECT_EQ(targetMismatch(
                target("hexagon-v66-hvx128", "hexagon", {"hvx_128", "hvx_v66"}),
                x86Machine()),
            "package built for hexagon-v66-hvx128 (hexagon), this machine is "
            "x86_64 (run Hexagon packages with facet-run-hexagon, under "
            "qemu-hexagon here)");
}

TEST(ArchTarget, BaselinePackageRunsOnEveryArmCore) {
  EXPECT_EQ(targetMismatch(neonPackage(), armv80Machine()), "");
  EXPECT_EQ(targetMismatch(neonPackage(), cortexA76Machine()), "");
}

TEST(ArchTarget, DotProdPackageOnArmv80NamesTheMissingExtension) {
  EXPECT_EQ(targetMismatch(dotprodPackage(), armv80Machine()),
            "package built for aarch64-dotprod (needs neon, dotprod), this "
            "machine lacks dotprod");
  EXPECT_EQ(targetMismatch(cortexA76Package(), armv80Machine()),
            "package built for aarch64-cortex-a76 (needs neon, dotprod, "
            "fp16), this machine lacks dotprod, fp16");
}

TEST(ArchTarget, CortexA76PackageRunsOnCortexA76) {
  EXPECT_EQ(targetMismatch(dotprodPackage(), cortexA76Machine()), "");
  EXPECT_EQ(targetMismatch(cortexA76Package(), cortexA76Machine()), "");
}

TEST(ArchTarget, HalideSpellingsOfArmFeaturesAreKnown) {
  // Halide's names for the same extensions (arm_dot_prod, arm_fp16).
  EXPECT_EQ(targetMismatch(target("x", "aarch64", {"arm_dot_prod", "arm_fp16"}),
                           cortexA76Machine()),
            "");
  EXPECT_EQ(
      targetMismatch(target("x", "aarch64", {"arm_dot_prod"}), armv80Machine()),
      "package built for x (needs arm_dot_prod), this machine lacks "
      "dotprod");
}

TEST(ArchTarget, LaterArmExtensionsAreKnownAndChecked) {
  // The rows quantization will add (int8 matrix multiply, SVE) are checked
  // already: a Cortex-A76 has none of them.
  EXPECT_EQ(targetMismatch(
                target("aarch64-i8mm", "aarch64", {"neon", "dotprod", "i8mm"}),
                cortexA76Machine()),
            "package built for aarch64-i8mm (needs neon, dotprod, i8mm), this "
            "machine lacks i8mm");
  EXPECT_EQ(targetMismatch(target("x", "aarch64", {"sve", "sve2", "bf16"}),
                           cortexA76Machine()),
            "package built for x (needs sve, sve2, bf16), this machine lacks "
            "sve, sve2, bf16");
}

TEST(ArchTarget, UnknownArmFeatureIsAnError) {
  EXPECT_EQ(targetMismatch(target("x", "aarch64", {"neon", "sme3"}),
                           cortexA76Machine()),
            "package built for x (needs neon, sme3), this runtime does not "
            "know the CPU feature sme3");
}
