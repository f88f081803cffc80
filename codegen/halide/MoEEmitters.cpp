//===- MoEEmitters.cpp - mixture-of-experts routing and experts -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The router picks experts without sorting: an expert's rank is the number
// of experts with a larger probability, or an equal one and a lower index
// (so ties go to the lower index, as a stable sort would), and slot k of the
// result holds the expert of rank k. With E = 128 that is 16K comparisons a
// token, far below the router's projection.
//
//===----------------------------------------------------------------------===//

#include "codegen/halide/EmitterSupport.h"

#include <cfloat>
#include <fmt/format.h>

using namespace Halide;

namespace facet::codegen::detail {

// z(i, t) = x(i, t) * inverseRms(t) * scale(i) * input_scale
// logits(e, t) = sum_i proj(i, e) * z(i, t);  prob = softmax over e (f32)
// rank(e, t) = #{e' : prob(e') > prob(e) or (prob(e') == prob(e), e' < e)}
// experts(k, t) = the e of rank k
// weights(k, t) = prob(experts) / sum_{k' < top_k} prob(experts(k'))
//                 * per_expert_scale(experts)
std::vector<HTensor> emitMoERouter(MoERouterOp op,
                                   llvm::ArrayRef<HTensor> operands,
                                   EmitContext &ctx) {
  const HTensor &x = operands[0], &proj = operands[1], &scale = operands[2],
                &perExpertScale = operands[3];
  requireRank(op, x, 2, "the input");
  requireRank(op, proj, 2, "the projection");
  int64_t d = staticDim(op, op.getInput(), 1);
  int64_t experts = staticDim(op, op.getProj(), 0);
  int64_t topK = op.getTopKAttr().getInt();
  require(staticDim(op, op.getProj(), 1) == d, op,
          "the projection must be [E, d]");
  require(getWeightNumElements(op.getScale().getType()) == d, op,
          "scale must have d elements");
  require(getWeightNumElements(op.getPerExpertScale().getType()) == experts, op,
          "per_expert_scale must have E elements");
  require(topK > 0 && topK <= experts, op, "top_k must be in [1, E]");
  requireRank(op, scale, 1, "scale");
  requireRank(op, perExpertScale, 1, "per_expert_scale");
  float inputScale = attrValue(op.getInputScaleAttr());
  float epsilon = attrValue(op.getEpsilonAttr());
  Expr tokens = x.extent(0);
  int32_t lastExpert = experts - 1;

  Var i("i"), e("e"), k("k"), t("t");
  Func squares = sumOfSquares(ctx, x, "moe_router.squares");
  Func z(ctx.uniqueName("moe_router.z"));
  z(i, t) = x.func(i, t) * inverseRms(squares(t), d, epsilon) * scale.func(i) *
            inputScale;
  ctx.addStage(z, StageKind::Materialized, "moe_router.z", d);

  RDom ri(0, int32_t(d), ctx.uniqueName("router_i"));
  Func logits(ctx.uniqueName("moe_router.logits"));
  logits(e, t) = 0.0f;
  logits(e, t) += proj.func(ri, e) * z(ri, t);
  ctx.addStage(logits, StageKind::Materialized, "moe_router.logits", experts);

  RDom re(0, int32_t(experts), ctx.uniqueName("router_e"));
  Func rowMax(ctx.uniqueName("moe_router.max"));
  rowMax(t) = -FLT_MAX;
  rowMax(t) = max(rowMax(t), logits(re, t));
  ctx.addStage(rowMax, StageKind::Materialized, "moe_router.max", {});
  Func exponent(ctx.uniqueName("moe_router.exp"));
  exponent(e, t) = vectorExp(logits(e, t) - rowMax(t));
  ctx.addStage(exponent, StageKind::Materialized, "moe_router.exp", experts);
  Func total(ctx.uniqueName("moe_router.sum"));
  total(t) = 0.0f;
  total(t) += exponent(re, t);
  ctx.addStage(total, StageKind::Materialized, "moe_router.sum", {});
  Func probability(ctx.uniqueName("moe_router.prob"));
  probability(e, t) = exponent(e, t) / total(t);
  ctx.addStage(probability, StageKind::Materialized, "moe_router.prob",
               experts);

  Func rank(ctx.uniqueName("moe_router.rank"));
  Expr other = probability(re, t), mine = probability(e, t);
  rank(e, t) = 0;
  rank(e, t) += select(other > mine || (other == mine && re < e), 1, 0);
  ctx.addStage(rank, StageKind::Materialized, "moe_router.rank", experts);

  Func chosen(ctx.uniqueName("moe_router.experts"));
  chosen(k, t) = 0;
  chosen(k, t) += select(rank(re, t) == k, re, 0);
  HTensor expertsOut = makeResult(
      ctx, op.getExperts(), chosen, shapeOf(op, op.getExperts(), tokens),
      StageKind::Materialized, "moe_router.experts");

  RDom rk(0, int32_t(topK), ctx.uniqueName("router_k"));
  Func chosenSum(ctx.uniqueName("moe_router.chosen_sum"));
  chosenSum(t) = 0.0f;
  chosenSum(t) += probability(clamp(chosen(rk, t), 0, lastExpert), t);
  ctx.addStage(chosenSum, StageKind::Materialized, "moe_router.chosen_sum", {});

  Expr expert = clamp(chosen(k, t), 0, lastExpert);
  Func weights(ctx.uniqueName("moe_router.weights"));
  weights(k, t) =
      probability(expert, t) / chosenSum(t) * perExpertScale.func(expert);
  HTensor weightsOut = makeResult(ctx, op.getWeights(), weights,
                                  shapeOf(op, op.getWeights(), tokens),
                                  StageKind::Pointwise, "moe_router.weights");
  return {weightsOut, expertsOut};
}

// For chosen slot k of token t with expert e = experts(k, t):
// gate(f, k, t) = sum_i gate_up(i, f, e) * x(i, t)      (rows 0..F-1)
// up(f, k, t)   = sum_i gate_up(i, F + f, e) * x(i, t)  (rows F..2F-1)
// y(o, k, t)    = sum_f down(f, o, e) * gelu_tanh(gate) * up
// result(o, t)  = sum_k weights(k, t) * y(o, k, t)      (k in order)
std::vector<HTensor> emitMoEExperts(MoEExpertsOp op,
                                    llvm::ArrayRef<HTensor> operands,
                                    EmitContext &ctx) {
  const HTensor &x = operands[0], &weights = operands[1], &chosen = operands[2],
                &gateUp = operands[3], &down = operands[4];
  requireRank(op, x, 2, "the input");
  requireRank(op, weights, 2, "the weights");
  requireRank(op, chosen, 2, "experts");
  requireRank(op, gateUp, 3, "gate_up");
  requireRank(op, down, 3, "down");
  int64_t d = staticDim(op, op.getInput(), 1);
  int64_t topK = staticDim(op, op.getWeights(), 1);
  int64_t experts = staticDim(op, op.getGateUp(), 0);
  int64_t width = staticDim(op, op.getGateUp(), 1) / 2;
  require(staticDim(op, op.getExperts(), 1) == topK, op,
          "weights and experts must both be [T, k]");
  require(staticDim(op, op.getGateUp(), 1) == 2 * width &&
              staticDim(op, op.getGateUp(), 2) == d,
          op, "gate_up must be [E, 2F, d]");
  require(staticDim(op, op.getDown(), 0) == experts &&
              staticDim(op, op.getDown(), 1) == d &&
              staticDim(op, op.getDown(), 2) == width,
          op, "down must be [E, d, F]");

  Var f("f"), k("k"), o("o"), t("t");
  Expr expert = clamp(chosen.func(k, t), 0, int32_t(experts - 1));
  RDom ri(0, int32_t(d), ctx.uniqueName("experts_i"));
  Func gate(ctx.uniqueName("moe_experts.gate"));
  gate(f, k, t) = 0.0f;
  gate(f, k, t) += gateUp.func(ri, f, expert) * x.func(ri, t);
  ctx.addStage(gate, StageKind::Materialized, "moe_experts.gate", width);
  Func up(ctx.uniqueName("moe_experts.up"));
  up(f, k, t) = 0.0f;
  up(f, k, t) += gateUp.func(ri, f + int32_t(width), expert) * x.func(ri, t);
  ctx.addStage(up, StageKind::Materialized, "moe_experts.up", width);
  Func hidden(ctx.uniqueName("moe_experts.hidden"));
  hidden(f, k, t) = geluTanh(gate(f, k, t)) * up(f, k, t);
  ctx.addStage(hidden, StageKind::Materialized, "moe_experts.hidden", width);

  RDom rf(0, int32_t(width), ctx.uniqueName("experts_f"));
  Func projected(ctx.uniqueName("moe_experts.down"));
  projected(o, k, t) = 0.0f;
  projected(o, k, t) += down.func(rf, o, expert) * hidden(rf, k, t);
  ctx.addStage(projected, StageKind::Materialized, "moe_experts.down", d);

  RDom rk(0, int32_t(topK), ctx.uniqueName("experts_k"));
  Func out(ctx.uniqueName("moe_experts"));
  out(o, t) = 0.0f;
  out(o, t) += weights.func(rk, t) * projected(o, rk, t);
  return {makeResult(ctx, op.getResult(), out,
                     shapeOf(op, op.getResult(), x.extent(0)),
                     StageKind::Materialized, "moe_experts")};
}

} // namespace facet::codegen::detail
