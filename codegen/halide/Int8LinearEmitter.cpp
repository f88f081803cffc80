//===- Int8LinearEmitter.cpp - facet.linear with int8 activations ---------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// A projection whose weight is int8 per output row and whose op carries
// `int8_activations`:
//
//   amax(t)     = max_k |x(k, t)|
//   xq(k, t)    = clamp(round(x(k, t) * 127 / amax(t)), -127, 127)  (0 if amax
//                 is 0), round half to even
//   dot(n, t)   = sum_k xq(k, t) * w(k, n)                    int32, exact
//   result(n,t) = f32(dot) * (amax(t) / 127) * scale_w(n)
//
// The dot product is the work, and it is what the int8 instructions do: ARM
// `sdot` multiplies signed by signed bytes, so xq is stored as i8; x86 VNNI
// `vpdpbusd` multiplies unsigned by signed bytes, so xq is stored as the u8
// xq + 128 and the sum corrected by 128 * sum_k w(k, n) (computed once per
// call alongside; the weight's integers are read twice there). The reduction
// over k runs in groups of 4 consecutive k inside each vector lane
// (Stage::dotGroup), the shape both instructions reduce.
//
//===----------------------------------------------------------------------===//

#include "codegen/halide/EmitterSupport.h"

using namespace Halide;

namespace facet::codegen::detail {

namespace {
constexpr int kDotGroup = 4; // bytes one lane of sdot / vpdpbusd sums
} // namespace

bool canEmitInt8Linear(LinearOp op, const HTensor &weight) {
  return op.getInt8Activations() && weight.quantized &&
         staticDim(op, op.getWeight(), 1) % kDotGroup == 0;
}

HTensor emitInt8Linear(LinearOp op, const HTensor &x, const HTensor &weight,
                       EmitContext &ctx) {
  require(canEmitInt8Linear(op, weight), op,
          "int8 activations need an int8 per-row weight whose input "
          "dimension is a multiple of 4");
  const QuantizedView &w = *weight.quantized;
  int32_t inWidth = int32_t(staticDim(op, op.getWeight(), 1));
  Var k("k"), n("n"), t("t");

  RDom all(0, inWidth, ctx.uniqueName("int8_amax_k"));
  Func amax(ctx.uniqueName("int8_amax"));
  amax(t) = 0.0f;
  amax(t) = max(amax(t), abs(x.func(all.x, t)));
  ctx.addStage(amax, StageKind::Materialized, "linear.int8.amax",
               std::nullopt);

  bool unsignedBySigned = ctx.int8DotUnsignedBySigned();
  Expr inverse = select(amax(t) > 0.0f, 127.0f / amax(t), 0.0f);
  Expr quantized = clamp(round(x.func(k, t) * inverse), -127.0f, 127.0f);
  Func xq(ctx.uniqueName("int8_x"));
  xq(k, t) = unsignedBySigned ? cast<uint8_t>(cast<int32_t>(quantized) + 128)
                              : cast<int8_t>(quantized);
  ctx.addStage(xq, StageKind::Pointwise, "linear.int8.x", inWidth);

  RDom r(0, kDotGroup, 0, inWidth / kDotGroup, ctx.uniqueName("int8_dot_k"));
  Expr kk = r.y * kDotGroup + r.x;
  Func dot(ctx.uniqueName("int8_dot"));
  dot(n, t) = 0;
  dot(n, t) += cast<int32_t>(Internal::widening_mul(xq(kk, t), w.integers(kk, n)));
  Stage dotStage;
  dotStage.func = dot;
  dotStage.kind = StageKind::Materialized;
  dotStage.role = "linear.int8.dot";
  dotStage.innerExtent = staticDim(op, op.getWeight(), 0);
  dotStage.dotGroup = kDotGroup;
  ctx.addStage(dotStage);

  Expr sum = dot(n, t);
  if (unsignedBySigned) {
    Func rowSum(ctx.uniqueName("int8_wsum"));
    rowSum(n) = 0;
    rowSum(n) += cast<int32_t>(w.integers(all.x, n));
    ctx.addStage(rowSum, StageKind::Materialized, "linear.int8.wsum",
                 staticDim(op, op.getWeight(), 0));
    sum = sum - 128 * rowSum(n);
  }
  Func out(ctx.uniqueName("linear"));
  out(n, t) = cast<float>(sum) * (amax(t) / 127.0f) * w.scales(n);
  return makeResult(ctx, op.getResult(), out,
                    shapeOf(op, op.getResult(), x.extent(0)),
                    StageKind::Pointwise, "linear");
}

} // namespace facet::codegen::detail
