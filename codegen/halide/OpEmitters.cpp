//===- OpEmitters.cpp - facet ops as Halide Funcs -------------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The dispatcher and the emitters of the dense ops. Attention and the MoE ops
// live in AttentionEmitter.cpp and MoEEmitters.cpp. Each emitter states its
// formula in a comment in the shape the code computes it: func arguments
// innermost-first, t the token.
//
//===----------------------------------------------------------------------===//

#include "codegen/halide/OpEmitters.h"
#include "codegen/halide/EmitterSupport.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <fmt/format.h>

using namespace Halide;
using mlir::Operation;

namespace facet::codegen {
namespace {

using namespace detail;

/// The first dimension's extent: the token count of the step.
const Expr &tokensOf(const HTensor &tensor) { return tensor.extent(0); }

/// The token ids, checked once per token to lie in [0, rows): a runtime
/// error names the bad id. Clamped as well, so that bounds inference knows
/// which rows of the table are read.
Func checkedIds(const HTensor &ids, int64_t rows, const std::string &what,
                EmitContext &ctx) {
  Var t("t");
  Expr id = ids.func(t);
  Func checked(ctx.uniqueName(what + ".ids"));
  checked(t) = clamp(require(id >= 0 && id < int32_t(rows), id,
                             "facet " + what + ": token id", id,
                             "is outside the table of", int32_t(rows), "rows"),
                     0, int32_t(rows - 1));
  ctx.addStage(checked, StageKind::Materialized, what + ".ids", {});
  return checked;
}

// result(i, t) = table(i, ids(t)) * scale
std::vector<HTensor> emitEmbed(EmbedOp op, llvm::ArrayRef<HTensor> in,
                               EmitContext &ctx) {
  const HTensor &table = in[0], &ids = in[1];
  requireRank(op, table, 2, "the table");
  requireRank(op, ids, 1, "ids");
  int64_t vocab = staticDim(op, op.getTable(), 0);
  float scale = attrValue(op.getScaleAttr());
  Var i("i"), t("t");
  Func out(ctx.uniqueName("embed"));
  Func id = checkedIds(ids, vocab, "embed", ctx);
  out(i, t) = table.func(i, id(t)) * scale;
  return {makeResult(ctx, op.getResult(), out,
                     shapeOf(op, op.getResult(), tokensOf(ids)),
                     StageKind::Pointwise, "embed")};
}

// context(c, t) = sum_k emb(k, t) * projection(k, c) * projection_scale
// normed(i, l, t) = context(l*P + i, t) * inverseRms(l, t) * norm(i)
// result(i, l, t) = (normed + table(l*P + i, ids(t)) * token_scale)
//                   * combine_scale
std::vector<HTensor> emitPerLayerInputs(PerLayerInputsOp op,
                                        llvm::ArrayRef<HTensor> in,
                                        EmitContext &ctx) {
  const HTensor &ids = in[0], &emb = in[1], &table = in[2], &projection = in[3],
                &norm = in[4];
  requireRank(op, ids, 1, "ids");
  requireRank(op, emb, 2, "the embeddings");
  requireRank(op, table, 2, "the table");
  requireRank(op, projection, 2, "the projection");
  requireRank(op, norm, 1, "the norm weight");
  int64_t d = staticDim(op, op.getEmbeddings(), 1);
  int64_t vocab = staticDim(op, op.getTable(), 0);
  int64_t layersTimesWidth = staticDim(op, op.getTable(), 1);
  int64_t width = staticDim(op, op.getNorm(), 0);
  require(width > 0 && layersTimesWidth % width == 0, op,
          "the table width is not a multiple of the norm width");
  require(staticDim(op, op.getProjection(), 0) == layersTimesWidth &&
              staticDim(op, op.getProjection(), 1) == d,
          op, "the projection must be [L*P, d]");
  float tokenScale = attrValue(op.getTokenScaleAttr());
  float projectionScale = attrValue(op.getProjectionScaleAttr());
  float combineScale = attrValue(op.getCombineScaleAttr());
  float epsilon = attrValue(op.getEpsilonAttr());

  Var c("c"), i("i"), l("l"), t("t");
  Func context(ctx.uniqueName("ple.context"));
  if (projection.rowTiled) {
    // The row-tiled GEMV of facet.linear (int8 dot products where the
    // tiles have depth 4): read through the dequantized view, the tiled
    // projection was a strided gather per weight, and prefill re-read it
    // for every token.
    context =
        emitRowTiledGemv(op, mlir::Value(), emb, projection, "ple.context", ctx)
            .func;
  } else {
    RDom k(0, int32_t(d), ctx.uniqueName("ple_k"));
    context(c, t) = 0.0f;
    context(c, t) += emb.func(k, t) * projection.func(k, c);
    ctx.addStage(context, StageKind::Materialized, "ple.context",
                 layersTimesWidth);
  }
  Func scaled(ctx.uniqueName("ple.scaled"));
  scaled(c, t) = context(c, t) * projectionScale;
  ctx.addStage(scaled, StageKind::View, "ple.scaled", layersTimesWidth);

  RDom r(0, int32_t(width), ctx.uniqueName("ple_r"));
  Func squares(ctx.uniqueName("ple.squares"));
  squares(l, t) = 0.0f;
  squares(l, t) +=
      scaled(l * int32_t(width) + r, t) * scaled(l * int32_t(width) + r, t);
  ctx.addStage(squares, StageKind::Materialized, "ple.squares",
               layersTimesWidth / width);

  Expr column = l * int32_t(width) + i;
  Expr id = checkedIds(ids, vocab, "per_layer_inputs", ctx)(t);
  Expr normed = scaled(column, t) * inverseRms(squares(l, t), width, epsilon) *
                norm.func(i);
  Expr token = table.func(column, id) * tokenScale;
  Func out(ctx.uniqueName("per_layer_inputs"));
  out(i, l, t) = (normed + token) * combineScale;
  return {makeResult(ctx, op.getResult(), out,
                     shapeOf(op, op.getResult(), tokensOf(ids)),
                     StageKind::Pointwise, "per_layer_inputs")};
}

// result(i, t) = input(i, layer, t)
std::vector<HTensor> emitLayerInput(LayerInputOp op, llvm::ArrayRef<HTensor> in,
                                    EmitContext &ctx) {
  requireRank(op, in[0], 3, "the input");
  int64_t layers = staticDim(op, op.getInput(), 1);
  int64_t layer = op.getLayerAttr().getInt();
  require(layer >= 0 && layer < layers, op,
          fmt::format("layer {} is outside [0, {})", layer, layers));
  Var i("i"), t("t");
  Func out(ctx.uniqueName("layer_input"));
  // A launch constant, so that layers whose kernels differ only here share
  // one generated kernel (E2B: 18 instead of 60).
  out(i, t) = in[0].func(i, ctx.launchConstant(layer), t);
  return {makeResult(ctx, op.getResult(), out,
                     shapeOf(op, op.getResult(), tokensOf(in[0])),
                     StageKind::View, "layer_input")};
}

// result(..., 0) = input(..., T - 1)
std::vector<HTensor> emitLastRow(LastRowOp op, llvm::ArrayRef<HTensor> in,
                                 EmitContext &ctx) {
  size_t rank = in[0].rank();
  requireRank(op, in[0], rank, "the input");
  std::vector<Var> vars = makeVars(rank);
  std::vector<Expr> args = asExprs(vars);
  std::vector<Expr> source = args;
  source.back() = tokensOf(in[0]) - 1; // the token dimension is outermost
  Func out(ctx.uniqueName("last_row"));
  out(args) = in[0].func(source);
  return {makeResult(ctx, op.getResult(), out,
                     shapeOf(op, op.getResult(), Expr(1)), StageKind::View,
                     "last_row")};
}

// squares(outer) = sum_r x(r, outer)^2
// result(i, outer) = x(i, outer) * (squares / n + eps)^-1/2 [* weight(i)]
std::vector<HTensor> emitRMSNorm(RMSNormOp op, llvm::ArrayRef<HTensor> in,
                                 EmitContext &ctx) {
  const HTensor &x = in[0];
  require(x.rank() >= 1, op, "the input must have rank >= 1");
  int64_t n = staticDim(op, op.getInput(), x.rank() - 1);
  float epsilon = attrValue(op.getEpsilonAttr());
  Func squares = sumOfSquares(ctx, x, "rms_norm.squares");
  std::vector<Var> vars = makeVars(x.rank());
  std::vector<Expr> outer(vars.begin() + 1, vars.end());
  Expr value = x.func(vars) * inverseRms(squares(outer), n, epsilon);
  if (op.getWeight()) {
    requireRank(op, in[1], 1, "the weight");
    require(staticDim(op, op.getWeight(), 0) == n, op,
            fmt::format("the weight must have {} elements", n));
    value = value * in[1].func(vars[0]);
  }
  Func out(ctx.uniqueName("rms_norm"));
  out(vars) = value;
  return {makeResult(ctx, op.getResult(), out, x.shape, StageKind::Pointwise,
                     "rms_norm")};
}

// result(n, outer) = sum_k x(k, outer) * weight(k, n)
HTensor emitMatVec(Operation *op, mlir::Value result, const HTensor &x,
                   const HTensor &weight, int64_t inWidth,
                   const std::string &role, EmitContext &ctx) {
  if (weight.rowTiled && x.rank() == 2)
    return emitRowTiledGemv(op, result, x, weight, role, ctx);
  std::vector<Var> vars = makeVars(x.rank());
  RDom k(0, int32_t(inWidth), ctx.uniqueName(role + "_k"));
  std::vector<Expr> xAt = asExprs(vars);
  xAt[0] = k.x;
  Func out(ctx.uniqueName(role));
  out(vars) = 0.0f;
  out(vars) += x.func(xAt) * weight.func(k.x, vars[0]);
  return makeResult(ctx, result, out, shapeOf(op, result, tokensOf(x)),
                    StageKind::Materialized, role);
}

std::vector<HTensor> emitLinear(LinearOp op, llvm::ArrayRef<HTensor> in,
                                EmitContext &ctx) {
  require(in[0].rank() >= 1, op, "the input must have rank >= 1");
  requireRank(op, in[1], 2, "the weight");
  int64_t inWidth = staticDim(op, op.getWeight(), 1);
  require(staticDim(op, op.getInput(), in[0].rank() - 1) == inWidth, op,
          "the input's last dimension differs from the weight's");
  if (op.getInt8Activations()) {
    require(in[0].rank() == 2, op, "int8 activations need a [T, K] input");
    return {emitInt8MatVec(op, op.getResult(), in[0], in[1], inWidth, "linear",
                           ctx)};
  }
  return {emitMatVec(op, op.getResult(), in[0], in[1], inWidth, "linear", ctx)};
}

// result(v, t) = sum_i x(i, t) * table(i, v)
std::vector<HTensor> emitLMHead(LMHeadOp op, llvm::ArrayRef<HTensor> in,
                                EmitContext &ctx) {
  requireRank(op, in[0], 2, "the input");
  requireRank(op, in[1], 2, "the table");
  int64_t d = staticDim(op, op.getTable(), 1);
  require(staticDim(op, op.getInput(), 1) == d, op, "the table must be [V, d]");
  if (op.getInt8Activations())
    return {emitInt8MatVec(op, op.getResult(), in[0], in[1], d, "lm_head",
                           ctx)};
  return {emitMatVec(op, op.getResult(), in[0], in[1], d, "lm_head", ctx)};
}

// result(j, h, t) = input(h*hd + j, t)
std::vector<HTensor> emitSplitHeads(SplitHeadsOp op, llvm::ArrayRef<HTensor> in,
                                    EmitContext &ctx) {
  requireRank(op, in[0], 2, "the input");
  int64_t headDim = staticDim(op, op.getResult(), 2);
  Var j("j"), h("h"), t("t");
  Func out(ctx.uniqueName("split_heads"));
  out(j, h, t) = in[0].func(h * int32_t(headDim) + j, t);
  return {makeResult(ctx, op.getResult(), out,
                     shapeOf(op, op.getResult(), tokensOf(in[0])),
                     StageKind::View, "split_heads")};
}

// result(c, t) = input(c % hd, c / hd, t)
std::vector<HTensor> emitMergeHeads(MergeHeadsOp op, llvm::ArrayRef<HTensor> in,
                                    EmitContext &ctx) {
  requireRank(op, in[0], 3, "the input");
  int32_t headDim = staticDim(op, op.getInput(), 2);
  Var c("c"), t("t");
  Func out(ctx.uniqueName("merge_heads"));
  out(c, t) = in[0].func(c % headDim, c / headDim, t);
  return {makeResult(ctx, op.getResult(), out,
                     shapeOf(op, op.getResult(), tokensOf(in[0])),
                     StageKind::View, "merge_heads")};
}

// inv_freq(p) = 1 / theta^(2p/hd) for p < rotary_dims/2, computed here in
// f32 as transformers does; angle(p, t) = f32(pos(t)) * inv_freq(p);
// with q = j mod hd/2 and x2 = x(j ± hd/2):
// result(j, h, t) = x*cos - x2*sin (j < hd/2) or x*cos + x2*sin (j >= hd/2)
// for q < rotary_dims/2; x itself otherwise.
std::vector<HTensor> emitRoPE(RoPEOp op, llvm::ArrayRef<HTensor> in,
                              EmitContext &ctx) {
  const HTensor &x = in[0], &positions = in[1];
  requireRank(op, x, 3, "the input");
  requireRank(op, positions, 1, "positions");
  int64_t headDim = staticDim(op, op.getInput(), 2);
  int64_t rotaryDims = op.getRotaryDimsAttr().getInt();
  require(headDim % 2 == 0 && rotaryDims % 2 == 0 && rotaryDims >= 0 &&
              rotaryDims <= headDim,
          op, "needs an even head_dim and 0 <= rotary_dims <= head_dim");
  int32_t half = headDim / 2;
  int32_t pairs = rotaryDims / 2;
  Var j("j"), h("h"), t("t"), p("p");
  Func out(ctx.uniqueName("rope"));
  if (pairs == 0) {
    out(j, h, t) = x.func(j, h, t);
    return {makeResult(ctx, op.getResult(), out, x.shape, StageKind::Pointwise,
                       "rope")};
  }

  // The frequencies are constants of the kernel, computed exactly as the
  // reference and transformers do (f32 pow), and embedded as a table.
  float theta = static_cast<float>(op.getThetaAttr().getValueAsDouble());
  Buffer<float> inverseFrequency(pairs, ctx.uniqueName("rope_inv_freq"));
  for (int32_t q = 0; q < pairs; ++q)
    inverseFrequency(q) =
        1.0f / std::pow(theta, static_cast<float>(2 * q) /
                                   static_cast<float>(headDim));
  Func angle(ctx.uniqueName("rope.angle"));
  angle(p, t) = cast(Float(32), positions.func(t)) * inverseFrequency(p);
  Func cosine(ctx.uniqueName("rope.cos")), sine(ctx.uniqueName("rope.sin"));
  cosine(p, t) = cos(angle(p, t));
  sine(p, t) = sin(angle(p, t));
  ctx.addStage(angle, StageKind::View, "rope.angle", pairs);
  ctx.addStage(cosine, StageKind::Materialized, "rope.cos", pairs);
  ctx.addStage(sine, StageKind::Materialized, "rope.sin", pairs);

  // Written with % so that bounds inference sees indices inside [0, hd).
  Expr low = j < half;
  Expr q = j % half;
  Expr partner = x.func((j + half) % int32_t(headDim), h, t);
  Expr qc = min(q, pairs - 1);
  Expr rotated =
      select(low, x.func(j, h, t) * cosine(qc, t) - partner * sine(qc, t),
             x.func(j, h, t) * cosine(qc, t) + partner * sine(qc, t));
  out(j, h, t) = select(q < pairs, rotated, x.func(j, h, t));
  return {makeResult(ctx, op.getResult(), out, x.shape, StageKind::Pointwise,
                     "rope")};
}

/// An elementwise op of one or two same-shaped operands.
template <typename Fn>
HTensor emitElementwise(Operation *op, mlir::Value result,
                        llvm::ArrayRef<HTensor> in, const char *role,
                        EmitContext &ctx, Fn formula) {
  for (const HTensor &operand : in)
    requireRank(op, operand, in[0].rank(), "every operand");
  std::vector<Var> vars = makeVars(in[0].rank());
  std::vector<Expr> values;
  for (const HTensor &operand : in)
    values.push_back(operand.func(vars));
  Func out(ctx.uniqueName(role));
  out(vars) = formula(values);
  return makeResult(ctx, result, out, in[0].shape, StageKind::Pointwise, role);
}

std::vector<HTensor> emitLayerScalar(LayerScalarOp op,
                                     llvm::ArrayRef<HTensor> in,
                                     EmitContext &ctx) {
  require(getWeightNumElements(op.getScalar().getType()) == 1, op,
          "the scalar must have one element");
  std::vector<Var> vars = makeVars(in[0].rank());
  std::vector<Expr> zero(in[1].rank(), Expr(0));
  Func out(ctx.uniqueName("layer_scalar"));
  out(vars) = in[0].func(vars) * in[1].func(zero);
  return {makeResult(ctx, op.getResult(), out, in[0].shape,
                     StageKind::Pointwise, "layer_scalar")};
}

std::vector<HTensor> emitWeight(WeightOp op, EmitContext &ctx) {
  require(!mlir::isa<QuantizedWeightType>(op.getType()), op,
          "quantized weights have no Halide emitter yet");
  return {ctx.weight(op)};
}

} // namespace

std::vector<HTensor> emitOp(Operation *op, llvm::ArrayRef<HTensor> operands,
                            EmitContext &ctx) {
  requireEmittable(op);
  require(operands.size() == op->getNumOperands(), op,
          fmt::format("got {} operand values for {} operands", operands.size(),
                      op->getNumOperands()));
  using Values = std::vector<Expr>;
  return llvm::TypeSwitch<Operation *, std::vector<HTensor>>(op)
      .Case([&](WeightOp o) { return emitWeight(o, ctx); })
      .Case([&](EmbedOp o) { return emitEmbed(o, operands, ctx); })
      .Case([&](PerLayerInputsOp o) {
        return emitPerLayerInputs(o, operands, ctx);
      })
      .Case([&](LayerInputOp o) { return emitLayerInput(o, operands, ctx); })
      .Case([&](LastRowOp o) { return emitLastRow(o, operands, ctx); })
      .Case([&](RMSNormOp o) { return emitRMSNorm(o, operands, ctx); })
      .Case([&](LinearOp o) { return emitLinear(o, operands, ctx); })
      .Case([&](SplitHeadsOp o) { return emitSplitHeads(o, operands, ctx); })
      .Case([&](MergeHeadsOp o) { return emitMergeHeads(o, operands, ctx); })
      .Case([&](RoPEOp o) { return emitRoPE(o, operands, ctx); })
      .Case([&](AttentionOp o) { return emitAttention(o, operands, ctx); })
      .Case([&](AddOp o) {
        return std::vector<HTensor>{
            emitElementwise(o, o.getResult(), operands, "add", ctx,
                            [](const Values &v) { return v[0] + v[1]; })};
      })
      .Case([&](MulOp o) {
        return std::vector<HTensor>{
            emitElementwise(o, o.getResult(), operands, "mul", ctx,
                            [](const Values &v) { return v[0] * v[1]; })};
      })
      .Case([&](GeluTanhOp o) {
        return std::vector<HTensor>{
            emitElementwise(o, o.getResult(), operands, "gelu_tanh", ctx,
                            [](const Values &v) { return geluTanh(v[0]); })};
      })
      .Case([&](SoftcapOp o) {
        float cap = attrValue(o.getCapAttr());
        return std::vector<HTensor>{emitElementwise(
            o, o.getResult(), operands, "softcap", ctx,
            [cap](const Values &v) { return cap * vectorTanh(v[0] / cap); })};
      })
      .Case([&](LayerScalarOp o) { return emitLayerScalar(o, operands, ctx); })
      .Case([&](MoERouterOp o) { return emitMoERouter(o, operands, ctx); })
      .Case([&](MoEExpertsOp o) { return emitMoEExperts(o, operands, ctx); })
      .Case([&](LMHeadOp o) { return emitLMHead(o, operands, ctx); })
      .Default([&](Operation *) -> std::vector<HTensor> {
        fail(op, "has no Halide emitter");
      });
}

bool hasEmitter(Operation *op) {
  return mlir::isa<WeightOp, EmbedOp, PerLayerInputsOp, LayerInputOp, LastRowOp,
                   RMSNormOp,
                   LinearOp, SplitHeadsOp, MergeHeadsOp, RoPEOp, AttentionOp,
                   AddOp, MulOp, GeluTanhOp, SoftcapOp, LayerScalarOp,
                   MoERouterOp, MoEExpertsOp, LMHeadOp>(op);
}

bool isRuntimeOp(Operation *op) { return mlir::isa<KVStoreOp>(op); }

void requireEmittable(Operation *op) {
  if (isRuntimeOp(op))
    fail(op, "is not kernel code: the runtime copies the rows into the "
             "cache between kernels, so it must stay outside facet.kernel "
             "regions");
  if (!hasEmitter(op))
    fail(op, "has no Halide emitter");
}

} // namespace facet::codegen
