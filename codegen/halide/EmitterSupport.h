//===- EmitterSupport.h - Helpers shared by the op emitters ----*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Internal to codegen/halide: errors that name the op, fresh variables,
// shapes from MLIR types, registering a result, and the scalar formulas
// several emitters share (RMS scaling, GELU), written in the reference
// evaluator's operation order.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_HALIDE_EMITTERSUPPORT_H
#define FACET_CODEGEN_HALIDE_EMITTERSUPPORT_H

#include "codegen/halide/EmitContext.h"
#include "codegen/halide/HTensor.h"
#include "codegen/halide/VectorMath.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

#include <string>
#include <vector>

namespace facet::codegen::detail {

/// Throws facet::Error: "codegen: 'facet.rope' at <loc>: <what>".
[[noreturn]] void fail(mlir::Operation *op, const std::string &what);

inline void require(bool ok, mlir::Operation *op, const std::string &what) {
  if (!ok)
    fail(op, what);
}

/// `rank` variables, innermost-first ("i0" is the last MLIR dimension).
std::vector<Halide::Var> makeVars(size_t rank);
std::vector<Halide::Expr> asExprs(const std::vector<Halide::Var> &vars);

/// The shape of `value`'s ranked tensor type, outermost-first, with its
/// dynamic dimension (the token count) set to `tokens`.
std::vector<Halide::Expr> shapeOf(mlir::Operation *op, mlir::Value value,
                                  const Halide::Expr &tokens);

/// The static size of dimension `dim` (outermost-first) of `value`'s type;
/// fails when it is dynamic.
int64_t staticDim(mlir::Operation *op, mlir::Value value, unsigned dim);

/// Checks that `operand` has the rank of `value`'s type.
void requireRank(mlir::Operation *op, const HTensor &operand, size_t rank,
                 const char *what);

/// The HTensor of result `value` computed by `func` (a stage of `kind`):
/// registers the stage and, for an f16/bf16-typed result, rounds through
/// that type in a View stage on top.
HTensor makeResult(EmitContext &ctx, mlir::Value value, Halide::Func func,
                   std::vector<Halide::Expr> shape, StageKind kind,
                   const std::string &role);

inline float attrValue(mlir::FloatAttr attr) {
  return static_cast<float>(attr.getValueAsDouble());
}

/// (sumSquares / n + epsilon)^-1/2, the RMS norm's scale.
Halide::Expr inverseRms(const Halide::Expr &sumSquares, int64_t n,
                        float epsilon);

/// gelu_pytorch_tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
Halide::Expr geluTanh(const Halide::Expr &x);

/// Sum of x^2 over `input`'s innermost dimension, for every outer index:
/// a Materialized stage of rank `input.rank() - 1` (args innermost-first).
Halide::Func sumOfSquares(EmitContext &ctx, const HTensor &input,
                          const std::string &role);

/// The int8 level of `value` in a row or block whose largest magnitude is
/// `absMax`: round(value * 127 / absMax) (half to even) clamped to
/// [-127, 127], as f32; 0 where absMax is 0. Both int8-activation forms
/// (Int8LinearEmitter, RowTiledDotEmitter) quantize by it.
Halide::Expr int8Level(const Halide::Expr &value, const Halide::Expr &absMax);

/// Registers `partial`, a partial sum computed inside `parent`'s reduction
/// (StageKind::Partial); `dotGroup` > 0 for an int8 dot product
/// (Stage::dotGroup), `termsUnrolled` as Stage::dotTermsUnrolled.
void addPartialStage(EmitContext &ctx, const Halide::Func &partial,
                     const Halide::Func &parent, const std::string &role,
                     int dotGroup = 0, bool termsUnrolled = false);

/// Tokens a row-tiled GEMV runs per pass over its weights in prefill.
constexpr int kRowTiledTokenBlock = 4;

/// The result of a GEMV over a row-tiled weight, `out(n, t)` for input `x`
/// [T, K]: a Materialized stage that runs kRowTiledTokenBlock tokens per
/// pass over the weights in prefill, so each weight's load and conversion
/// serves them all. A null `result` makes an intermediate of `outputs`
/// rows, f32 [T, outputs], that is no op's result.
HTensor makeRowTiledResult(mlir::Operation *op, mlir::Value result,
                           const HTensor &x, const Halide::Func &out,
                           int64_t outputs, const std::string &role,
                           EmitContext &ctx);

/// Per-op emitters that live in their own files.
/// result(n, t) = sum_k x(k, t) * weight(k, n) with x quantized to int8 per
/// row and int32 dot products against an int8 per-row weight: facet.linear
/// and facet.lm_head with `int8_activations` (Int8LinearEmitter.cpp). `op`
/// names errors; `role` names the stages.
HTensor emitInt8MatVec(mlir::Operation *op, mlir::Value result,
                       const HTensor &x, const HTensor &weight,
                       int64_t inWidth, const std::string &role,
                       EmitContext &ctx);
/// result(n, t) = sum_k x(k, t) * weight(k, n) for a quantized weight stored
/// in row tiles (weight.rowTiled), float activations
/// (RowTiledMatVecEmitter.cpp).
HTensor emitRowTiledMatVec(mlir::Operation *op, mlir::Value result,
                           const HTensor &x, const HTensor &weight,
                           const std::string &role, EmitContext &ctx);
/// The same over an int4 weight in row tiles of depth 4, with activations
/// quantized to int8 per group and int32 dot products (x86 VNNI;
/// RowTiledDotEmitter.cpp).
HTensor emitRowTiledDot(mlir::Operation *op, mlir::Value result,
                        const HTensor &x, const HTensor &weight,
                        const std::string &role, EmitContext &ctx);
/// The GEMV over a row-tiled weight in the form its tiles were made for:
/// emitRowTiledDot for tiles of depth 4, emitRowTiledMatVec otherwise.
HTensor emitRowTiledGemv(mlir::Operation *op, mlir::Value result,
                         const HTensor &x, const HTensor &weight,
                         const std::string &role, EmitContext &ctx);
std::vector<HTensor> emitAttention(AttentionOp op,
                                   llvm::ArrayRef<HTensor> operands,
                                   EmitContext &ctx);
std::vector<HTensor> emitMoERouter(MoERouterOp op,
                                   llvm::ArrayRef<HTensor> operands,
                                   EmitContext &ctx);
std::vector<HTensor> emitMoEExperts(MoEExpertsOp op,
                                    llvm::ArrayRef<HTensor> operands,
                                    EmitContext &ctx);

} // namespace facet::codegen::detail

#endif // FACET_CODEGEN_HALIDE_EMITTERSUPPORT_H
