//===- HostTarget.h - Can this machine run a package? -----------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Compares a package's target (architecture and required CPU features) with
// the machine the runtime runs on, before any kernel code is loaded: code
// for a missing feature would die of SIGILL instead of a clear message.
//
// Feature names are the compiler's (the registry's and Halide's): single
// features ("avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl",
// "avx512dq", "avx512cd", "avx512vnni", "avx512bf16", "avxvnni", "sse41",
// ...; on aarch64 "neon", "dotprod", "fp16", "i8mm", "sve", ...) and Halide's
// feature sets ("avx512" = f+cd, "avx512_skylake" = f+cd+bw+dq+vl,
// "avx512_cannonlake" = skylake+ifma+vbmi, "avx512_sapphirerapids" =
// cannonlake+vnni+bf16).
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CPU_HOSTTARGET_H
#define FACET_RUNTIME_CPU_HOSTTARGET_H

#include "runtime/package/Manifest.h"

#include <set>
#include <string>

namespace facet::runtime {

struct HostInfo {
  std::string arch;               // "x86_64", "aarch64", ...
  std::set<std::string> features; // canonical single-feature names
};

/// The machine this process runs on.
const HostInfo &currentHost();

/// An empty string if a package built for `target` runs on `host`; else a
/// message naming both, e.g. "package built for x86_64-avx512 (needs
/// avx512f, avx512bw), this machine lacks avx512bw".
std::string targetMismatch(const package::TargetInfo &target,
                           const HostInfo &host);

} // namespace facet::runtime

#endif // FACET_RUNTIME_CPU_HOSTTARGET_H
