//===- KernelSignature.h - How a generated kernel is called ----*- C++ -*-===//
//
// The ordered parameters of a generated kernel, in terms the plan can bind:
// the kernel region's inputs and results, a KV cache's keys or values (and,
// for an int8 cache, their scales), or a per-step scalar. The kernel generator decides the order; the plan builder
// turns each parameter into a package::Arg.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_PLAN_KERNELSIGNATURE_H
#define FACET_CODEGEN_PLAN_KERNELSIGNATURE_H

#include "runtime/package/Manifest.h"

#include <string>
#include <vector>

namespace facet::codegen {

struct KernelParam {
  enum class Kind {
    Input,
    Output,
    CacheKeys,
    CacheValues,
    CacheKeyScales, // int8 caches: f32 [capacity, kvHeads]
    CacheValueScales,
    Scalar,
    Constant // an int32 fixed per launch (package::ArgKind::Constant)
  };
  Kind kind = Kind::Input;
  unsigned index = 0;           // Input / Output: position in the region
  unsigned part = 0;            // Input of a quantized weight: 0 integers,
                                // 1 scales, 2 zero points
  std::string cache;            // Cache*: kv_cache symbol
  package::ScalarKind scalar = package::ScalarKind::Tokens;
  int64_t value = 0; // Constant: its value for this launch
};

struct KernelSignature {
  std::string symbol;           // exported entry, int symbol(void **args)
  std::vector<KernelParam> params;
};

} // namespace facet::codegen

#endif // FACET_CODEGEN_PLAN_KERNELSIGNATURE_H
