//===- RowTiledMatVecEmitter.cpp - GEMV over a row-tiled weight -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// facet.linear and facet.lm_head with float activations over a quantized
// weight stored in row tiles (codegen/target/RowTiles.h), the decode GEMV of
// shared/kernel-lab in float arithmetic:
//
//   partial(n, b, t) = sum over group b's inputs k of x(k, t) * q(k, n)
//   result(n, t)     = sum_b scale(b, n) * (partial(n, b, t) - zero * xsum(b, t))
//
// with q the stored integer (int4: q + 8, zero 8; int8: q, zero 0) and
// xsum(b, t) the sum of x over group b, so the zero point and the scale
// cost one operation per group instead of one per weight. For one input k
// the q of a block of rows are adjacent bytes: the vectors run across rows
// (one load, widen, convert, fused multiply-add per 16 rows and input;
// int4 splits one byte into inputs 16 apart), and `partial` is computed
// inside the loop over groups for the rows of one block (StageKind::Partial),
// in registers.
//
// Numerics: the same products as the dequantize-then-multiply form, summed
// per group before scaling; float reassociation of that order (about 1e-7
// relative), no other approximation.
//
//===----------------------------------------------------------------------===//

#include "codegen/halide/EmitterSupport.h"

using namespace Halide;

namespace facet::codegen::detail {

HTensor emitRowTiledMatVec(mlir::Operation *op, mlir::Value result,
                           const HTensor &x, const HTensor &weight,
                           const std::string &role, EmitContext &ctx) {
  const RowTiledView &w = *weight.rowTiled;
  require(x.rank() == 2, op, "a row-tiled weight needs a [T, K] input");
  bool int4 = w.tiling.bits == 4;
  int32_t perChunk = int32_t(w.tiling.inputsPerChunk());
  int32_t group = int32_t(w.tiling.group);
  int32_t groups = int32_t(w.tiling.groups());
  require(group % perChunk == 0, op,
          "internal: a row-tiled group is not a whole number of chunks");
  Var n("n"), b("b"), t("t");

  Func out(ctx.uniqueName(role));
  Func partial(ctx.uniqueName(role + "_partial"));
  RDom r(0, 16, 0, group / perChunk, ctx.uniqueName(role + "_k"));
  Expr chunk = b * (group / perChunk) + r.y;
  Expr byte = w.bytes(r.x, chunk, n);
  Expr k = chunk * perChunk + r.x;
  partial(n, b, t) = 0.0f;
  if (int4)
    partial(n, b, t) += x.func(k, t) * cast<float>(byte & 15) +
                        x.func(k + 16, t) * cast<float>(byte >> 4);
  else
    partial(n, b, t) += x.func(k, t) * cast<float>(byte);
  addPartialStage(ctx, partial, out, role + ".partial");

  RDom g(0, groups, ctx.uniqueName(role + "_groups"));
  Expr sum = partial(n, g, t);
  if (int4) {
    RDom inGroup(0, group, ctx.uniqueName(role + "_xsum_k"));
    Func xsum(ctx.uniqueName(role + "_xsum"));
    xsum(b, t) = 0.0f;
    xsum(b, t) += x.func(b * group + inGroup, t);
    ctx.addStage(xsum, StageKind::Materialized, role + ".xsum", groups);
    sum = sum - 8.0f * xsum(g, t);
  }
  out(n, t) = 0.0f;
  out(n, t) += w.scales(g, n) * sum;
  return makeRowTiledResult(op, result, x, out, w.tiling.outputs, role, ctx);
}

} // namespace facet::codegen::detail
