//===- AttentionChecks.h - a facet.attention against its cache -*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// What every code generator checks before it emits attention over a KV
// cache (the Halide and the CUDA emitters): the same questions, the same
// messages.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_COMMON_ATTENTIONCHECKS_H
#define FACET_CODEGEN_COMMON_ATTENTIONCHECKS_H

#include "dialects/FacetDialect.h"

#include <cstdint>
#include <optional>
#include <string>

namespace facet::codegen {

/// The cache as a code generator sees it.
struct CacheShape {
  int64_t kvHeads = 0;
  int64_t headDim = 0;
  int64_t window = 0; ///< the declaration's window (0: full attention)
};

/// Why `op`, with `heads` query heads of `headDim`, cannot read `cache`; or
/// nullopt when it can: the head dims agree, the query heads share the KV
/// heads evenly, and a sliding cache keeps every position the op's window
/// attends over.
std::optional<std::string> attentionCacheMismatch(AttentionOp op,
                                                  int64_t heads,
                                                  int64_t headDim,
                                                  const CacheShape &cache);

} // namespace facet::codegen

#endif // FACET_CODEGEN_COMMON_ATTENTIONCHECKS_H
