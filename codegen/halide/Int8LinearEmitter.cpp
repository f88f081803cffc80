//===- Int8LinearEmitter.cpp - facet.linear with int8 activations ---------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// A projection (facet.linear) or the LM head whose weight is int8 per output
// row and whose op carries `int8_activations`:
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
// (Stage::dotGroup), the shape both instructions reduce. HVX `vrmpy` sums 4
// signed byte products per lane too; on Hexagon the weight is tiled
// (codegen/target/WeightTiles.h) so 32 rows' groups are one vector.
//
//===----------------------------------------------------------------------===//

#include "codegen/halide/EmitterSupport.h"

using namespace Halide;

namespace facet::codegen::detail {

namespace {
constexpr int kDotGroup = 4; // bytes one lane of sdot / vpdpbusd / vrmpy sums
} // namespace

HTensor emitInt8MatVec(mlir::Operation *op, mlir::Value result,
                       const HTensor &x, const HTensor &weight,
                       int64_t inWidth, const std::string &role,
                       EmitContext &ctx) {
  require(weight.quantized.has_value() && inWidth % kDotGroup == 0, op,
          "int8 activations need an int8 per-row weight whose input "
          "dimension is a multiple of 4");
  require(x.rank() == 2, op, "int8 activations need a [T, K] input");
  const QuantizedView &w = *weight.quantized;
  int32_t width = int32_t(inWidth);
  Var k("k"), n("n"), t("t");

  RDom all(0, width, ctx.uniqueName(role + "_int8_amax_k"));
  Func amax(ctx.uniqueName(role + "_int8_amax"));
  amax(t) = 0.0f;
  amax(t) = max(amax(t), abs(x.func(all.x, t)));
  ctx.addStage(amax, StageKind::Materialized, role + ".int8.amax",
               std::nullopt);

  bool unsignedBySigned = ctx.int8DotUnsignedBySigned();
  Expr quantized = int8Level(x.func(k, t), amax(t));
  Func xq(ctx.uniqueName(role + "_int8_x"));
  xq(k, t) = unsignedBySigned ? cast<uint8_t>(cast<int32_t>(quantized) + 128)
                              : cast<int8_t>(quantized);
  ctx.addStage(xq, StageKind::Pointwise, role + ".int8.x", inWidth);

  Func dot(ctx.uniqueName(role + "_int8_dot"));
  if (w.tiledOffsetIntegers) {
    // Tiled, stored as q + 128 (WeightTiles.h): k = 4 * (rows * c + j) + g
    // walks tile c * rows + j of each row block, whose address needs no
    // division, and vrmpy multiplies the unsigned tile bytes by the signed
    // activation word. sum(q x) = sum((q + 128) x) - 128 sum(x).
    require(!unsignedBySigned, op,
            "internal: tiled int8 weights need signed activations");
    int32_t rows = int32_t(w.tileRows);
    // The correction starts the sum, so the scalar epilogue has one
    // operation less per output.
    Func xSum(ctx.uniqueName(role + "_int8_xsum"));
    xSum(t) = 0;
    xSum(t) += cast<int32_t>(xq(all.x, t));
    ctx.addStage(xSum, StageKind::Materialized, role + ".int8.xsum",
                 std::nullopt);
    RDom r(0, kDotGroup, 0, rows, 0, width / (kDotGroup * rows),
           ctx.uniqueName(role + "_int8_dot_k"));
    Expr kk = (r.z * rows + r.y) * kDotGroup + r.x;
    dot(n, t) = -128 * xSum(t);
    dot(n, t) += cast<int32_t>(
        Internal::widening_mul((*w.tiledOffsetIntegers)(kk, n), xq(kk, t)));
  } else {
    RDom r(0, kDotGroup, 0, width / kDotGroup,
           ctx.uniqueName(role + "_int8_dot_k"));
    Expr kk = r.y * kDotGroup + r.x;
    dot(n, t) = 0;
    dot(n, t) +=
        cast<int32_t>(Internal::widening_mul(xq(kk, t), w.integers(kk, n)));
  }
  Stage dotStage;
  dotStage.func = dot;
  dotStage.kind = StageKind::Materialized;
  dotStage.role = role + ".int8.dot";
  dotStage.innerExtent = staticDim(op, result, 1);
  dotStage.dotGroup = kDotGroup;
  dotStage.dotTiledWeight = w.tiledOffsetIntegers.has_value();
  ctx.addStage(dotStage);

  Expr sum = dot(n, t);
  if (unsignedBySigned) {
    Func rowSum(ctx.uniqueName(role + "_int8_wsum"));
    rowSum(n) = 0;
    rowSum(n) += cast<int32_t>(w.integers(all.x, n));
    ctx.addStage(rowSum, StageKind::Materialized, role + ".int8.wsum",
                 staticDim(op, result, 1));
    sum = sum - 128 * rowSum(n);
  }
  Func out(ctx.uniqueName(role));
  out(n, t) = cast<float>(sum) * (amax(t) / 127.0f) * w.scales(n);
  return makeResult(ctx, result, out, shapeOf(op, result, x.extent(0)),
                    StageKind::Pointwise, role);
}

} // namespace facet::codegen::detail
