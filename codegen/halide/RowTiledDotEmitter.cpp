//===- RowTiledDotEmitter.cpp - int4 GEMV on int8 dot instructions --------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// facet.linear and facet.lm_head over an int4 weight stored in row tiles of
// depth 4 (`tiles R by 4`, codegen/target/RowTiles.h): each row's stored
// bytes 4j'..4j'+3 are one 32-bit lane, 16 rows one 64-byte vector, which
// is the operand of x86 VNNI `vpdpbusd` (u8 x i8, 4 products summed per
// i32 lane). The activations are quantized to int8 per block of the
// weight's group (the Q4_0 x Q8_0 arithmetic of llama.cpp):
//
//   amax(b, t)    = max over group b of |x(k, t)|
//   xq(k, t)      = clamp(round(x(k, t) * 127 / amax(b, t)), -127, 127)
//                   (0 where amax is 0), round half to even
//   dot(n, b, t)  = sum over group b of q(k, n) * xq(k, t)       int32, exact
//   result(n, t)  = sum_b scale(b, n) * amax(b, t) / 127
//                                    * (dot(n, b, t) - 8 * sum_b xq(k, t))
//
// with q the stored nibble (int4 + 8, unsigned as vpdpbusd wants it): the
// zero point costs one integer subtraction per group. Low nibbles (inputs
// 32c + j) and high nibbles (32c + 16 + j, shifted down) are two updates of
// one accumulator. `dot` is a Partial stage: computed per group inside the
// loop over groups, vectorized across rows with the 4 bytes of a lane
// reduced inside it (Stage::dotGroup), so the accumulators stay in
// registers. f16 weight scales are widened with integer operations: their
// bits shifted into an f32 whose exponent is 112 too small, which the
// activation scale makes up (2^112 * amax / 127, its own stage, so the
// product is never formed in a denormal order).
//
// Numerics: the weights are exact; the activations carry the int8 rounding
// of their block (at most amax / 254 each), which is the approximation this
// form makes over the float GEMV.
//
//===----------------------------------------------------------------------===//

#include "codegen/halide/EmitterSupport.h"

using namespace Halide;

namespace facet::codegen::detail {

namespace {
constexpr int kDotGroup = 4; // bytes one vpdpbusd lane sums
} // namespace

HTensor emitRowTiledDot(mlir::Operation *op, mlir::Value result,
                        const HTensor &x, const HTensor &weight,
                        const std::string &role, EmitContext &ctx) {
  const RowTiledView &w = *weight.rowTiled;
  require(x.rank() == 2, op, "a row-tiled weight needs a [T, K] input");
  require(w.tiling.bits == 4 && w.tiling.depth == kDotGroup, op,
          "internal: int8 dot products need int4 tiles of depth 4");
  int32_t perChunk = int32_t(w.tiling.inputsPerChunk()); // 32
  int32_t group = int32_t(w.tiling.group);
  int32_t groups = int32_t(w.tiling.groups());
  require(group % perChunk == 0, op,
          "internal: a row-tiled group is not a whole number of chunks");
  Var n("n"), b("b"), t("t"), k("k");

  // Activations: int8 per block of `group` inputs.
  RDom inGroup(0, group, ctx.uniqueName(role + "_int8_block_k"));
  Func amax(ctx.uniqueName(role + "_int8_amax"));
  amax(b, t) = 0.0f;
  amax(b, t) = max(amax(b, t), abs(x.func(b * group + inGroup, t)));
  ctx.addStage(amax, StageKind::Materialized, role + ".int8.amax", groups);
  Func xq(ctx.uniqueName(role + "_int8_x"));
  xq(k, t) = cast<int8_t>(int8Level(x.func(k, t), amax(k / group, t)));
  ctx.addStage(xq, StageKind::Materialized, role + ".int8.x",
               int64_t(groups) * group);
  Func xqSum(ctx.uniqueName(role + "_int8_xsum"));
  xqSum(b, t) = 0;
  xqSum(b, t) += cast<int32_t>(xq(b * group + inGroup, t));
  ctx.addStage(xqSum, StageKind::Materialized, role + ".int8.xsum", groups);
  // The activation scale of a block, times 2^112 where the weight scales
  // are widened from their f16 bits (see the file comment).
  bool bitScales = w.scaleStorage == Float(16);
  Func xScale(ctx.uniqueName(role + "_int8_xscale"));
  xScale(b, t) = amax(b, t) * ((bitScales ? 0x1p112f : 1.0f) / 127.0f);
  ctx.addStage(xScale, StageKind::Materialized, role + ".int8.xscale",
               groups);

  // dot(ni, b, no, t): row ni of block no of R rows, group b, both nibbles
  // of every byte into one int32 accumulator, 4 bytes of a row per lane,
  // reduced inside it (Stage::dotGroup). The rows of a block are a
  // dimension of their own, so the weight address is affine in them
  // (RowTiledView::blockBytes) and a vector of 16 rows is one dense load.
  int32_t rows = int32_t(w.tiling.rows);
  Var ni("ni"), no("no");
  // Prefill: `dot` holds a constant token block, so its accumulators stay
  // in registers; the tokens past the end of the last block read the last
  // token (clamped) and their sums are never used.
  std::optional<int64_t> staticTokens = x.staticExtent(0);
  bool tokenBlocks = !staticTokens || *staticTokens >= kRowTiledTokenBlock;
  Expr lastToken = x.extent(0) - 1;
  auto activation = [&](Expr input, Expr token) {
    return xq(input, tokenBlocks ? min(token, lastToken) : token);
  };
  Func dot(ctx.uniqueName(role + "_dot"));
  RDom r(0, kDotGroup, 0, int32_t(RowTiling::kChunkBytes / kDotGroup), 0,
         group / perChunk, ctx.uniqueName(role + "_dot_k"));
  Expr chunk = b * (group / perChunk) + r.z;
  Expr byte = w.blockBytes(r.y * kDotGroup + r.x, chunk, ni, no);
  Expr low = chunk * perChunk + r.y * kDotGroup + r.x;
  dot(ni, b, no, t) = 0;
  dot(ni, b, no, t) += cast<int32_t>(
      Internal::widening_mul(byte & cast<uint8_t>(15), activation(low, t)));
  dot(ni, b, no, t) += cast<int32_t>(Internal::widening_mul(
      byte >> cast<uint8_t>(4), activation(low + 16, t)));
  if (tokenBlocks)
    dot.bound_extent(t, kRowTiledTokenBlock);
  Func out(ctx.uniqueName(role));
  addPartialStage(ctx, dot, out, role + ".dot", kDotGroup);

  RDom g(0, groups, ctx.uniqueName(role + "_groups"));
  Expr weightScale = w.scales(g, n);
  if (bitScales) {
    Expr bits = cast<int32_t>(reinterpret(Int(16), w.storedScales(g, n)));
    weightScale = reinterpret(Float(32), (bits << 13) & int32_t(0x8FFFFFFF));
  }
  Expr rowInBlock = n % rows, block = n / rows;
  Expr integer = dot(rowInBlock, g, block, t) - 8 * xqSum(g, t);
  out(n, t) = 0.0f;
  out(n, t) += weightScale * (xScale(g, t) * cast<float>(integer));
  return makeRowTiledResult(op, result, x, out, w.tiling.outputs, role, ctx);
}

} // namespace facet::codegen::detail
