//===- AttentionEmitter.cpp - attention over a ring-buffer KV cache -------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Query t at position p = positions[t] sees the cached positions
// p - live + 1 ... p, where live = min(p + 1, window) (window 0: p + 1), in
// increasing order; position k lives in slot k % capacity of the ring. The
// runtime has stored every one of them before the kernel runs (kv_store
// comes first in a step), and the plan sizes sliding rings to window +
// chunk - 1 so that a chunk's own rows never overwrite a window still in use.
//
// The reductions run over RDom(0, maxLive) with `where i < live(t)`, where
// maxLive = min(contextLength, window) bounds every query of the step, so a
// full layer visits only the positions that exist, never the whole capacity.
//
// Numerics follow the reference evaluator: scores q.k in index order times
// scale; softmax in f32 as max, exp(s - max), sum in position order,
// probability = e / sum; out = sum over positions of probability * v.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/AttentionChecks.h"
#include "codegen/halide/EmitterSupport.h"

#include <cfloat>
#include <fmt/format.h>

using namespace Halide;

namespace facet::codegen::detail {

std::vector<HTensor> emitAttention(AttentionOp op,
                                   llvm::ArrayRef<HTensor> operands,
                                   EmitContext &ctx) {
  const HTensor &queries = operands[0], &positions = operands[1];
  requireRank(op, queries, 3, "the queries");
  requireRank(op, positions, 1, "positions");
  int64_t heads = staticDim(op, op.getQueries(), 1);
  int64_t headDim = staticDim(op, op.getQueries(), 2);
  CacheView cache = ctx.cache(op, op.getCache());
  if (auto why = attentionCacheMismatch(
          op, heads, headDim, {cache.kvHeads, cache.headDim, cache.window}))
    fail(op, *why);
  int64_t window = op.getWindowAttr().getInt();
  int32_t group = heads / cache.kvHeads;
  float scale = attrValue(op.getScaleAttr());

  Var i("i"), j("j"), h("h"), t("t");
  Expr contextLength = ctx.contextLength();
  Expr maxLive =
      window > 0 ? min(contextLength, int32_t(window)) : contextLength;

  // Positions visible to query t. Checked once per (head, token), as
  // promises of the runtime and the plan: 0 <= position < context_length,
  // and the ring still holds the oldest visible position after the whole
  // step's rows were stored (positions up to context_length - 1), i.e.
  // context_length - oldest <= capacity. For a sliding ring that is the
  // window + chunk - 1 sizing; for a full cache, capacity >= context.
  Expr position = positions.func(t);
  Expr liveCount =
      window > 0 ? min(position + 1, int32_t(window)) : position + 1;
  Expr oldest = position - liveCount + 1;
  Func live(ctx.uniqueName("attention.live"));
  live(h, t) = require(position >= 0 && position < contextLength &&
                           contextLength - oldest <= cache.capacity,
                       liveCount, "facet attention: query position", position,
                       "needs 0 <= position < context_length (", contextLength,
                       ") and its oldest visible position", oldest,
                       "still in the cache ring of", cache.capacity, "slots");

  // The i-th visible position of query t and its slot in the ring.
  Expr slot = (position - live(h, t) + 1 + i) % cache.capacity;
  Expr kvHead = h / group;

  RDom d(0, int32_t(headDim), ctx.uniqueName("attention_d"));
  Func scores(ctx.uniqueName("attention.scores"));
  scores(i, h, t) = 0.0f;
  scores(i, h, t) += queries.func(d, h, t) *
                     cache.keys(d, kvHead, clamp(slot, 0, cache.capacity - 1));

  RDom r(0, maxLive, ctx.uniqueName("attention_r"));
  r.where(r < live(h, t));
  Func rowMax(ctx.uniqueName("attention.max"));
  rowMax(h, t) = -FLT_MAX; // finite: Halide compiles without infinities
  rowMax(h, t) = max(rowMax(h, t), scores(r, h, t) * scale);

  Func exponent(ctx.uniqueName("attention.exp"));
  exponent(i, h, t) = vectorExp(scores(i, h, t) * scale - rowMax(h, t));
  Func total(ctx.uniqueName("attention.sum"));
  total(h, t) = 0.0f;
  total(h, t) += exponent(r, h, t);
  Func probability(ctx.uniqueName("attention.prob"));
  probability(i, h, t) = exponent(i, h, t) / total(h, t);

  Expr valueSlot = clamp((position - live(h, t) + 1 + r) % cache.capacity, 0,
                         cache.capacity - 1);
  Func out(ctx.uniqueName("attention"));
  out(j, h, t) = 0.0f;
  out(j, h, t) += probability(r, h, t) * cache.values(j, kvHead, valueSlot);

  // Per-(head, token) temporaries live inside the output's outer loop.
  auto inner = [&](Func func, const char *role, bool overPositions) {
    Stage stage;
    stage.func = func;
    stage.kind = StageKind::Inner;
    stage.role = role;
    stage.vectorizeDynamicInner = overPositions;
    stage.parent = out;
    ctx.addStage(stage);
  };
  HTensor result = makeResult(ctx, op.getResult(), out, queries.shape,
                              StageKind::Materialized, "attention");
  inner(live, "attention.live", false);
  inner(scores, "attention.scores", true);
  inner(rowMax, "attention.max", false);
  inner(exponent, "attention.exp", true);
  inner(total, "attention.sum", false);
  inner(probability, "attention.prob", true);
  return {result};
}

} // namespace facet::codegen::detail
