//===- AttentionChecks.cpp - a facet.attention against its cache ----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/AttentionChecks.h"

#include <fmt/format.h>

namespace facet::codegen {

std::optional<std::string> attentionCacheMismatch(AttentionOp op,
                                                  int64_t heads,
                                                  int64_t headDim,
                                                  const CacheShape &cache) {
  if (headDim != cache.headDim)
    return fmt::format("query head_dim {} differs from the cache's {}",
                       headDim, cache.headDim);
  if (cache.kvHeads <= 0 || heads % cache.kvHeads != 0)
    return fmt::format("{} query heads cannot share {} KV heads", heads,
                       cache.kvHeads);
  int64_t window = op.getWindowAttr().getInt();
  if (window < 0)
    return std::string("window must be >= 0");
  if (cache.window != 0 && (window <= 0 || window > cache.window))
    return fmt::format("attends over window {} but @{} keeps only the last "
                       "{} positions",
                       window, op.getCache().str(), cache.window);
  return std::nullopt;
}

} // namespace facet::codegen
