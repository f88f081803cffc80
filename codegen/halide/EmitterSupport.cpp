//===- EmitterSupport.cpp - HTensor, EmitContext and shared helpers -------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "codegen/halide/EmitterSupport.h"

#include "frontend/support/Error.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/raw_ostream.h"

#include <cctype>
#include <fmt/format.h>

using namespace Halide;

namespace facet::codegen {

//===----------------------------------------------------------------------===//
// HTensor and element types
//===----------------------------------------------------------------------===//

std::optional<int64_t> HTensor::staticExtent(size_t dim) const {
  if (const int64_t *value = Internal::as_const_int(shape.at(dim)))
    return *value;
  return std::nullopt;
}

Type storageType(mlir::Type elementType) {
  if (elementType.isF32())
    return Float(32);
  if (elementType.isF16())
    return Float(16);
  if (elementType.isBF16())
    return BFloat(16);
  if (elementType.isSignlessInteger(32) || elementType.isSignedInteger(32))
    return Int(32);
  if (elementType.isSignlessInteger(8) || elementType.isSignedInteger(8))
    return Int(8);
  if (elementType.isUnsignedInteger(8))
    return UInt(8);
  std::string text;
  llvm::raw_string_ostream os(text);
  os << elementType;
  throw Error(fmt::format("codegen: no Halide storage type for element type "
                          "{} (supported: f32, f16, bf16, i32, i8, ui8)",
                          text));
}

Type computeType(mlir::Type elementType) {
  return storageType(elementType).is_float() ? Float(32) : Int(32);
}

Expr widenToF32(Expr value, Type storage) {
  if (storage == Float(32))
    return value;
  if (storage.is_bfloat())
    return cast(Float(32), value); // a 16-bit shift; Halide does it well
  if (storage.is_float() && storage.bits() == 16) {
    // Move exponent and mantissa into f32 position and multiply by 2^112
    // (= 2^(127 - 15)): one exact multiply rebiases normals and scales
    // subnormals (an f32 denormal times 2^112) alike, so there is no select
    // between the two (6 vector instructions instead of 12). The multiply
    // is strict_float: Halide's simplifier otherwise reassociates constant
    // factors (x * 2^112 * y * 2^112 became x * y * inf), and an early
    // product of two unscaled values could underflow. Exact for every
    // finite f16; inf/nan are not preserved (weights hold none, and Halide
    // compiles without them).
    auto u32 = [](uint32_t v) { return Internal::make_const(UInt(32), v); };
    Expr bits = cast(UInt(32), reinterpret(UInt(16), value));
    Expr magnitude = reinterpret(Float(32), (bits & u32(0x7fff)) << 13);
    Expr scaled = strict_float(magnitude * 0x1p112f);
    Expr sign = (bits & u32(0x8000)) << 16;
    return reinterpret(Float(32), reinterpret(UInt(32), scaled) | sign);
  }
  if (storage.is_int() || storage.is_uint())
    return cast(Int(32), value);
  return cast(Float(32), value);
}

Expr roundThrough(Expr value, Type storage) {
  if (storage == Float(32) || !storage.is_float())
    return value;
  return cast(Float(32), cast(storage, value));
}

//===----------------------------------------------------------------------===//
// EmitContext
//===----------------------------------------------------------------------===//

std::string EmitContext::uniqueName(llvm::StringRef base) {
  std::string name;
  for (char c : base)
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return fmt::format("{}_{}", name, nextId++);
}

Func EmitContext::addStage(Stage stage) {
  stageList.push_back(stage);
  return stage.func;
}

void EmitContext::setTokenBlock(const Func &func, int block, Expr tokens) {
  // A static token count below the block never blocks: no specialization
  // whose condition is false.
  if (const int64_t *count = Internal::as_const_int(tokens))
    if (*count < block)
      return;
  for (Stage &stage : stageList)
    if (stage.func.name() == func.name()) {
      stage.tokenBlock = block;
      stage.tokens = tokens;
    }
}

Func EmitContext::addStage(Func func, StageKind kind, std::string role,
                           std::optional<int64_t> innerExtent) {
  Stage stage;
  stage.func = func;
  stage.kind = kind;
  stage.role = std::move(role);
  stage.innerExtent = innerExtent;
  return addStage(std::move(stage));
}

namespace detail {

//===----------------------------------------------------------------------===//
// Errors, variables, shapes
//===----------------------------------------------------------------------===//

void fail(mlir::Operation *op, const std::string &what) {
  std::string location;
  llvm::raw_string_ostream os(location);
  os << op->getLoc();
  throw Error(fmt::format("codegen: '{}' at {}: {}",
                          op->getName().getStringRef().str(), os.str(), what));
}

std::vector<Var> makeVars(size_t rank) {
  std::vector<Var> vars;
  for (size_t i = 0; i < rank; ++i)
    vars.emplace_back("i" + std::to_string(i));
  return vars;
}

std::vector<Expr> asExprs(const std::vector<Var> &vars) {
  return std::vector<Expr>(vars.begin(), vars.end());
}

std::vector<Expr> shapeOf(mlir::Operation *op, mlir::Value value,
                          const Expr &tokens) {
  auto type = mlir::dyn_cast<mlir::RankedTensorType>(value.getType());
  require(static_cast<bool>(type), op, "expects ranked tensors");
  std::vector<Expr> shape;
  for (int64_t size : type.getShape())
    shape.push_back(mlir::ShapedType::isDynamic(size)
                        ? tokens
                        : Expr(static_cast<int32_t>(size)));
  return shape;
}

int64_t staticDim(mlir::Operation *op, mlir::Value value, unsigned dim) {
  if (auto quantized = mlir::dyn_cast<QuantizedWeightType>(value.getType())) {
    require(dim < quantized.getShape().size(), op,
            fmt::format("expects a static dimension {}", dim));
    return quantized.getShape()[dim];
  }
  auto type = mlir::dyn_cast<mlir::RankedTensorType>(value.getType());
  require(type && dim < type.getRank() && !type.isDynamicDim(dim), op,
          fmt::format("expects a static dimension {}", dim));
  return type.getDimSize(dim);
}

void requireRank(mlir::Operation *op, const HTensor &operand, size_t rank,
                 const char *what) {
  require(operand.rank() == rank, op,
          fmt::format("{} must have rank {}, got rank {}", what, rank,
                      operand.rank()));
}

HTensor makeResult(EmitContext &ctx, mlir::Value value, Func func,
                   std::vector<Expr> shape, StageKind kind,
                   const std::string &role) {
  std::optional<int64_t> inner;
  if (!shape.empty())
    if (const int64_t *size = Internal::as_const_int(shape.back()))
      inner = *size;
  ctx.addStage(func, kind, role, inner);
  auto type = mlir::cast<mlir::RankedTensorType>(value.getType());
  Type storage = storageType(type.getElementType());
  if (!storage.is_float() || storage == Float(32))
    return {func, std::move(shape)};
  std::vector<Var> vars = makeVars(shape.size());
  Func rounded(ctx.uniqueName(role + ".round"));
  rounded(vars) = roundThrough(func(vars), storage);
  ctx.addStage(rounded, StageKind::Pointwise, role + ".round", inner);
  return {rounded, std::move(shape)};
}

//===----------------------------------------------------------------------===//
// Shared formulas
//===----------------------------------------------------------------------===//

Expr inverseRms(const Expr &sumSquares, int64_t n, float epsilon) {
  // As Gemma4RMSNorm and the reference: pow(mean + eps, -0.5), not rsqrt.
  return pow(sumSquares / static_cast<float>(n) + epsilon, -0.5f);
}

Expr geluTanh(const Expr &x) {
  const float beta = 0.7978845608028654f; // sqrt(2 / pi)
  const float kappa = 0.044715f;
  Expr cube = x * x * x;
  Expr inner = beta * (x + kappa * cube);
  return 0.5f * x * (1.0f + vectorTanh(inner));
}

Func sumOfSquares(EmitContext &ctx, const HTensor &input,
                  const std::string &role) {
  size_t rank = input.rank();
  std::vector<Var> vars = makeVars(rank);
  std::vector<Expr> outer(vars.begin() + 1, vars.end());
  const int64_t *n = Internal::as_const_int(input.innerExtent());
  RDom r(0, n ? Expr(static_cast<int32_t>(*n)) : input.innerExtent(),
         ctx.uniqueName(role + "_r"));
  std::vector<Expr> at = outer;
  at.insert(at.begin(), r.x);
  Func squares(ctx.uniqueName(role));
  squares(outer) = 0.0f;
  squares(outer) += input.func(at) * input.func(at);
  std::optional<int64_t> inner;
  if (rank >= 2)
    if (const int64_t *size = Internal::as_const_int(input.extent(rank - 2)))
      inner = *size;
  ctx.addStage(squares, StageKind::Materialized, role, inner);
  return squares;
}

Expr int8Level(const Expr &value, const Expr &absMax) {
  Expr inverse = select(absMax > 0.0f, 127.0f / absMax, 0.0f);
  return clamp(round(value * inverse), -127.0f, 127.0f);
}

void addPartialStage(EmitContext &ctx, const Func &partial, const Func &parent,
                     const std::string &role, int dotGroup,
                     bool termsUnrolled) {
  Stage stage;
  stage.func = partial;
  stage.kind = StageKind::Partial;
  stage.role = role;
  stage.parent = parent;
  stage.dotGroup = dotGroup;
  stage.dotTermsUnrolled = termsUnrolled;
  ctx.addStage(stage);
}

HTensor emitRowTiledGemv(mlir::Operation *op, mlir::Value result,
                         const HTensor &x, const HTensor &weight,
                         const std::string &role, EmitContext &ctx) {
  return weight.rowTiled->tiling.depth > 1
             ? emitRowTiledDot(op, result, x, weight, role, ctx)
             : emitRowTiledMatVec(op, result, x, weight, role, ctx);
}

HTensor makeRowTiledResult(mlir::Operation *op, mlir::Value result,
                           const HTensor &x, const Func &out, int64_t outputs,
                           const std::string &role, EmitContext &ctx) {
  HTensor tensor;
  if (result) {
    tensor = makeResult(ctx, result, out, shapeOf(op, result, x.extent(0)),
                        StageKind::Materialized, role);
  } else {
    ctx.addStage(out, StageKind::Materialized, role, outputs);
    tensor = {out, {x.extent(0), Expr(static_cast<int32_t>(outputs))}};
  }
  ctx.setTokenBlock(out, kRowTiledTokenBlock, x.extent(0));
  return tensor;
}

} // namespace detail
} // namespace facet::codegen
