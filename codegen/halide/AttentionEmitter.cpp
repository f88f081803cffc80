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
// The heads of a KV head's group share every loop over positions (GQA): a
// key row is loaded once and multiplied with all `group` queries, and a
// value row once for all `group` outputs, instead of once per query head.
// Each score q.k is `lanes` interleaved partial sums over the head
// dimension (lane l sums d = l, l + lanes, ...), added across lanes at the
// end: contiguous vector loads of the key row instead of a gather across
// positions. This is the one reassociation (about 1e-7 relative per score);
// `lanes` is fixed here, not by the target, so every target forms the same
// partial sums (their final addition may run as a tree where it is
// vectorized).
//
// Numerics otherwise follow the reference evaluator: scores times scale;
// softmax in f32 as max, exp(s - max), sum in position order,
// probability = e / sum; out = sum over positions of probability * v, in
// position order.
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

  // Partial sums per score: the widest of 16, 8, 4, 2 that divides headDim.
  int lanes = 16;
  while (lanes > 1 && headDim % lanes != 0)
    lanes /= 2;

  Var i("i"), j("j"), g("g"), l("l"), h("h"), kvh("kvh"), t("t");
  Expr contextLength = ctx.contextLength();
  Expr maxLive =
      window > 0 ? min(contextLength, int32_t(window)) : contextLength;

  // Positions visible to query t. Checked once per (KV head, token), as
  // promises of the runtime and the plan: 0 <= position < context_length,
  // and the ring still holds the oldest visible position after the whole
  // step's rows were stored (positions up to context_length - 1), i.e.
  // context_length - oldest <= capacity. For a sliding ring that is the
  // window + chunk - 1 sizing; for a full cache, capacity >= context.
  Expr position = positions.func(t);
  Expr liveCount =
      window > 0 ? min(position + 1, int32_t(window)) : position + 1;
  Expr oldest = position - liveCount + 1;
  auto stages = std::make_shared<AttentionStages>();
  AttentionStages &a = *stages;
  a.group = group;
  a.lanes = lanes;
  a.headDim = headDim;
  a.tokens = queries.extent(0);
  a.live = Func(ctx.uniqueName("attention.live"));
  a.live(kvh, t) =
      require(position >= 0 && position < contextLength &&
                  contextLength - oldest <= cache.capacity,
              liveCount, "facet attention: query position", position,
              "needs 0 <= position < context_length (", contextLength,
              ") and its oldest visible position", oldest,
              "still in the cache ring of", cache.capacity, "slots");
  a.firstSlot = Func(ctx.uniqueName("attention.first"));
  a.firstSlot(kvh, t) = (position - a.live(kvh, t) + 1) % cache.capacity;

  // The ring slot of the i-th visible position: i < live <= capacity (the
  // check above), so one wrap at most, without a division per position.
  auto slotOf = [&](Expr index) {
    Expr slot = a.firstSlot(kvh, t) + index;
    slot = select(slot >= cache.capacity, slot - cache.capacity, slot);
    return clamp(slot, 0, cache.capacity - 1); // bounds for Halide
  };
  Expr head = kvh * group + g;

  RDom d(0, int32_t(headDim / lanes), ctx.uniqueName("attention_d"));
  a.partialScores = Func(ctx.uniqueName("attention.partial"));
  a.partialScores(l, g, i, kvh, t) = 0.0f;
  a.partialScores(l, g, i, kvh, t) += queries.func(d * lanes + l, head, t) *
                                      cache.keys(d * lanes + l, kvh, slotOf(i));
  RDom lane(0, lanes, ctx.uniqueName("attention_l"));
  a.scores = Func(ctx.uniqueName("attention.scores"));
  a.scores(g, i, kvh, t) = 0.0f;
  a.scores(g, i, kvh, t) += a.partialScores(lane, g, i, kvh, t);

  RDom r(0, maxLive, ctx.uniqueName("attention_r"));
  r.where(r < a.live(kvh, t));
  a.rowMax = Func(ctx.uniqueName("attention.max"));
  a.rowMax(g, kvh, t) = -FLT_MAX; // finite: Halide compiles without infinities
  a.rowMax(g, kvh, t) =
      max(a.rowMax(g, kvh, t), a.scores(g, r, kvh, t) * scale);

  a.exponent = Func(ctx.uniqueName("attention.exp"));
  a.exponent(g, i, kvh, t) =
      vectorExp(a.scores(g, i, kvh, t) * scale - a.rowMax(g, kvh, t));
  a.total = Func(ctx.uniqueName("attention.sum"));
  a.total(g, kvh, t) = 0.0f;
  a.total(g, kvh, t) += a.exponent(g, r, kvh, t);
  a.probability = Func(ctx.uniqueName("attention.prob"));
  a.probability(g, i, kvh, t) = a.exponent(g, i, kvh, t) / a.total(g, kvh, t);

  a.accumulator = Func(ctx.uniqueName("attention.acc"));
  a.accumulator(j, g, kvh, t) = 0.0f;
  a.accumulator(j, g, kvh, t) +=
      a.probability(g, r, kvh, t) * cache.values(j, kvh, slotOf(r));
  Stage stage;
  stage.func = a.accumulator;
  stage.kind = StageKind::Attention;
  stage.role = "attention.acc";
  stage.innerExtent = headDim;
  stage.attention = std::move(stages);
  ctx.addStage(stage);

  // The op's [T, heads, headDim] result: an index view of the accumulator.
  Func out(ctx.uniqueName("attention"));
  out(j, h, t) = a.accumulator(j, h % group, h / group, t);
  return {makeResult(ctx, op.getResult(), out, queries.shape, StageKind::View,
                     "attention")};
}

} // namespace facet::codegen::detail
