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
// On x86 AVX2 (`tiles R by 4 words`) the same tiles are read as 16-bit
// words and each nibble is shifted and masked out as an i16 lane, so the
// products are `vpmaddwd` pairs against i16 activations in a permuted order
// (the int16.x stage); AVX2 has no 4-way u8 x i8 dot, and the byte form
// becomes zero extensions and shuffles there.
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
constexpr int32_t kTermsPerWord = 4; // nibbles in a 16-bit word
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
  Expr token = tokenBlocks ? min(t, lastToken) : Expr(t);
  Func dot(ctx.uniqueName(role + "_dot"));
  dot(ni, b, no, t) = 0;
  constexpr int32_t laneGroups = RowTiling::kChunkBytes / kDotGroup; // 4
  int32_t chunksPerGroup = group / perChunk;
  int dotGroup = kDotGroup;
  if (w.blockWords) {
    // 16-bit words (x86 AVX2): a lane's 4 bytes are words 0 and 1; term s
    // of a word is its nibble at bit 8 (s % 2) + 4 (s / 2): the low
    // nibble of its first byte, of its second, then their high nibbles.
    // Each term is an i16 lane already, so the two words of a lane times
    // two i16 activations are one `vpmaddwd` lane; the activations are
    // laid out in that order (xw), a 32-bit pair per (lane group, term).
    // Word i = 2g + h of chunk c holds bytes 4g + 2h and 4g + 2h + 1, so
    // term s of it is input 32c + 16 (s / 2) + 4g + 2h + s % 2.
    Var p("p");
    Expr pairs = p / 2, term = pairs % kTermsPerWord,
         laneGroup = pairs / kTermsPerWord % laneGroups,
         chunkOfP = p / (2 * kTermsPerWord * laneGroups);
    Func xw(ctx.uniqueName(role + "_int16_x"));
    xw(p, t) =
        cast<int16_t>(xq(chunkOfP * perChunk + term / 2 * 16 +
                             laneGroup * kDotGroup + p % 2 * 2 + term % 2,
                         t));
    ctx.addStage(xw, StageKind::Materialized, role + ".int16.x",
                 int64_t(groups) * group);
    RDom r(0, 2, 0, kTermsPerWord, 0, laneGroups, 0, chunksPerGroup,
           ctx.uniqueName(role + "_dot_k"));
    Expr chunk = b * chunksPerGroup + r[3];
    Expr word = (*w.blockWords)(r[2] * 2 + r[0], chunk, ni, no);
    Expr shift = cast<uint16_t>(r[1] % 2 * 8 + r[1] / 2 * 4);
    Expr nibble = cast<int16_t>((word >> shift) & cast<uint16_t>(15));
    Expr position =
        ((chunk * laneGroups + r[2]) * kTermsPerWord + r[1]) * 2 + r[0];
    dot(ni, b, no, t) +=
        cast<int32_t>(nibble) * cast<int32_t>(xw(position, token));
    dotGroup = 2;
  } else {
    RDom r(0, kDotGroup, 0, laneGroups, 0, chunksPerGroup,
           ctx.uniqueName(role + "_dot_k"));
    Expr chunk = b * chunksPerGroup + r.z;
    Expr byte = w.blockBytes(r.y * kDotGroup + r.x, chunk, ni, no);
    Expr low = chunk * perChunk + r.y * kDotGroup + r.x;
    dot(ni, b, no, t) += cast<int32_t>(
        Internal::widening_mul(byte & cast<uint8_t>(15), xq(low, token)));
    dot(ni, b, no, t) += cast<int32_t>(
        Internal::widening_mul(byte >> cast<uint8_t>(4), xq(low + 16, token)));
  }
  if (tokenBlocks)
    dot.bound_extent(t, kRowTiledTokenBlock);
  Func out(ctx.uniqueName(role));
  addPartialStage(ctx, dot, out, role + ".dot", dotGroup,
                  /*termsUnrolled=*/bool(w.blockWords));

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
