//===- FacetOps.cpp - facet dialect op verifiers ---------------------------===//
//
// Verifiers say what is wrong in terms of the model: which operand, which
// dimension, what was expected. Shapes are static except the token dimension,
// which is `?` in prefill and 1 in decode; a dynamic dimension matches any.
//
//===----------------------------------------------------------------------===//

#include "dialects/FacetDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace facet;

namespace {

bool dimsMatch(int64_t a, int64_t b) {
  return a == b || ShapedType::isDynamic(a) || ShapedType::isDynamic(b);
}

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleaveComma(shape, os, [&](int64_t dim) {
    if (ShapedType::isDynamic(dim))
      os << "?";
    else
      os << dim;
  });
  os << "]";
  return text;
}

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

ArrayRef<int64_t> weightShapeOf(Value value) {
  return *getWeightShape(value.getType());
}

/// Checks that `value` has `rank` dimensions; names it `what` otherwise.
LogicalResult expectRank(Operation *op, ArrayRef<int64_t> shape,
                         size_t rank, StringRef what) {
  if (shape.size() == rank)
    return success();
  return op->emitOpError() << what << " must have rank " << rank
                           << ", got shape " << shapeString(shape);
}

/// Checks one dimension of `shape` against an expected size.
LogicalResult expectDim(Operation *op, ArrayRef<int64_t> shape, size_t index,
                        int64_t expected, StringRef what, StringRef why) {
  if (dimsMatch(shape[index], expected))
    return success();
  return op->emitOpError() << what << " dimension " << index << " is "
                           << shape[index] << " but " << why << " requires "
                           << expected << " (shape " << shapeString(shape)
                           << ")";
}

/// `int8_activations` (facet.linear, facet.lm_head) quantizes the input to
/// int8 and multiplies it with the weight's integers: the weight must be
/// int8 with one symmetric scale per row.
LogicalResult expectInt8ActivationsWeight(Operation *op, bool int8Activations,
                                          Type weight) {
  if (!int8Activations)
    return success();
  auto quantized = dyn_cast<QuantizedWeightType>(weight);
  if (quantized && quantized.getBits() == 8 && quantized.getSymmetric())
    return success();
  return op->emitOpError() << "int8_activations needs an int8 symmetric "
                              "weight, got "
                           << weight;
}

template <typename CacheOp>
FailureOr<KVCacheOp> lookupCache(CacheOp op,
                                 SymbolTableCollection &symbolTable) {
  auto cache =
      symbolTable.lookupNearestSymbolFrom<KVCacheOp>(op, op.getCacheAttr());
  if (!cache)
    return op.emitOpError() << "refers to '" << op.getCache()
                            << "', which is not a facet.kv_cache";
  return cache;
}

} // namespace

#define GET_OP_CLASSES
#include "dialects/FacetOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verify() {
  Type type = getType();
  if (auto tensor = dyn_cast<RankedTensorType>(type)) {
    if (!tensor.hasStaticShape())
      return emitOpError() << "weight '" << getSymName()
                           << "' must have a static shape, got " << type;
    Type element = tensor.getElementType();
    if (!element.isF32() && !element.isF16() && !element.isBF16())
      return emitOpError() << "weight '" << getSymName()
                           << "' must be f32, f16 or bf16, got " << element;
    return success();
  }
  if (isa<QuantizedWeightType>(type))
    return success();
  return emitOpError() << "weight '" << getSymName()
                       << "' must be a ranked tensor or !facet.qweight, got "
                       << type;
}

LogicalResult KVCacheOp::verify() {
  if (getKvHeads() <= 0 || getHeadDim() <= 0)
    return emitOpError() << "needs positive kv_heads and head_dim, got "
                         << getKvHeads() << " x " << getHeadDim();
  if (getLayer() < 0)
    return emitOpError() << "layer must be >= 0, got " << getLayer();
  if (getKind() == CacheKind::sliding && getWindow() <= 0)
    return emitOpError() << "a sliding cache needs a window > 0";
  if (getKind() == CacheKind::full && getWindow() != 0)
    return emitOpError() << "a full cache has no window, got window "
                         << getWindow();
  if (getKEqV() && getKind() != CacheKind::full)
    return emitOpError() << "k_eq_v applies to full-attention layers only";
  if (auto capacity = getCapacity(); capacity && *capacity <= 0)
    return emitOpError() << "capacity must be > 0, got " << *capacity;
  if (auto dtype = getDtype()) {
    Type type = *dtype;
    if (!type.isF32() && !type.isBF16() && !type.isF16() &&
        !type.isSignlessInteger(8))
      return emitOpError() << "dtype must be f32, bf16, f16 or i8, got "
                           << type;
  }
  return success();
}

LogicalResult WeightOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto param = symbolTable.lookupNearestSymbolFrom<ParamOp>(*this, getNameAttr());
  if (!param)
    return emitOpError() << "refers to '" << getName()
                         << "', which is not a declared facet.param";
  if (param.getType() != getResult().getType())
    return emitOpError() << "result type " << getResult().getType()
                         << " differs from the declared type "
                         << param.getType() << " of '" << getName() << "'";
  return success();
}

//===----------------------------------------------------------------------===//
// Embeddings
//===----------------------------------------------------------------------===//

LogicalResult EmbedOp::verify() {
  ArrayRef<int64_t> table = weightShapeOf(getTable());
  ArrayRef<int64_t> result = shapeOf(getResult());
  if (failed(expectRank(*this, table, 2, "embedding table")) ||
      failed(expectRank(*this, result, 2, "result")) ||
      failed(expectDim(*this, result, 0, shapeOf(getIds())[0], "result",
                       "the number of token ids")) ||
      failed(expectDim(*this, result, 1, table[1], "result",
                       "the table width")))
    return failure();
  return success();
}

LogicalResult PerLayerInputsOp::verify() {
  ArrayRef<int64_t> embeddings = shapeOf(getEmbeddings());
  ArrayRef<int64_t> table = weightShapeOf(getTable());
  ArrayRef<int64_t> projection = weightShapeOf(getProjection());
  ArrayRef<int64_t> norm = shapeOf(getNorm());
  ArrayRef<int64_t> result = shapeOf(getResult());
  if (failed(expectRank(*this, embeddings, 2, "embeddings")) ||
      failed(expectRank(*this, table, 2, "table")) ||
      failed(expectRank(*this, projection, 2, "projection")) ||
      failed(expectRank(*this, norm, 1, "norm weight")) ||
      failed(expectRank(*this, result, 3, "result")))
    return failure();
  int64_t layers = result[1], width = result[2];
  if (failed(expectDim(*this, norm, 0, width, "norm weight",
                       "the per-layer width")) ||
      failed(expectDim(*this, table, 1, layers * width, "table",
                       "layers x per-layer width")) ||
      failed(expectDim(*this, projection, 0, layers * width, "projection",
                       "layers x per-layer width")) ||
      failed(expectDim(*this, projection, 1, embeddings[1], "projection",
                       "the embedding width")) ||
      failed(expectDim(*this, result, 0, shapeOf(getIds())[0], "result",
                       "the number of token ids")) ||
      failed(expectDim(*this, embeddings, 0, shapeOf(getIds())[0],
                       "embeddings", "the number of token ids")))
    return failure();
  return success();
}

LogicalResult LastRowOp::verify() {
  auto input = cast<RankedTensorType>(getInput().getType());
  auto result = cast<RankedTensorType>(getResult().getType());
  if (input.getElementType() != result.getElementType())
    return emitOpError() << "result element type " << result.getElementType()
                         << " differs from the input's "
                         << input.getElementType();
  if (input.getRank() < 1 || input.getRank() != result.getRank())
    return emitOpError() << "needs input and result of the same rank >= 1";
  if (result.getDimSize(0) != 1)
    return emitOpError() << "result must have one row, got "
                         << shapeString(result.getShape());
  for (int64_t d = 1; d < input.getRank(); ++d)
    if (failed(expectDim(*this, result.getShape(), d, input.getDimSize(d),
                         "result", "the input")))
      return failure();
  return success();
}

LogicalResult LayerInputOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  ArrayRef<int64_t> result = shapeOf(getResult());
  if (failed(expectRank(*this, input, 3, "input")) ||
      failed(expectRank(*this, result, 2, "result")))
    return failure();
  if (getLayer() < 0 || getLayer() >= input[1])
    return emitOpError() << "layer " << getLayer() << " is outside [0, "
                         << input[1] << ")";
  if (failed(expectDim(*this, result, 0, input[0], "result",
                       "the input token count")) ||
      failed(expectDim(*this, result, 1, input[2], "result",
                       "the per-layer width")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Norms, projections, heads, RoPE
//===----------------------------------------------------------------------===//

LogicalResult RMSNormOp::verify() {
  if (getEpsilon().convertToFloat() <= 0.0f)
    return emitOpError() << "epsilon must be positive";
  ArrayRef<int64_t> input = shapeOf(getInput());
  if (input.empty())
    return emitOpError() << "input must have rank >= 1";
  if (Value weight = getWeight()) {
    ArrayRef<int64_t> w = shapeOf(weight);
    if (failed(expectRank(*this, w, 1, "weight")) ||
        failed(expectDim(*this, w, 0, input.back(), "weight",
                         "the normalised (last) input dimension")))
      return failure();
  }
  return success();
}

LogicalResult LinearOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  ArrayRef<int64_t> weight = weightShapeOf(getWeight());
  ArrayRef<int64_t> result = shapeOf(getResult());
  if (failed(expectRank(*this, input, 2, "input")) ||
      failed(expectRank(*this, weight, 2, "weight")) ||
      failed(expectRank(*this, result, 2, "result")))
    return failure();
  if (!dimsMatch(weight[1], input[1]))
    return emitOpError() << "weight " << shapeString(weight)
                         << " ([out, in]) does not take input "
                         << shapeString(input) << ": in must be "
                         << input[1];
  if (failed(expectDim(*this, result, 0, input[0], "result",
                       "the input token count")) ||
      failed(expectDim(*this, result, 1, weight[0], "result",
                       "the weight's output dimension")))
    return failure();
  return expectInt8ActivationsWeight(*this, getInt8Activations(),
                                     getWeight().getType());
}

LogicalResult SplitHeadsOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  ArrayRef<int64_t> result = shapeOf(getResult());
  if (failed(expectRank(*this, input, 2, "input")) ||
      failed(expectRank(*this, result, 3, "result")) ||
      failed(expectDim(*this, result, 0, input[0], "result",
                       "the input token count")))
    return failure();
  if (result[1] * result[2] != input[1])
    return emitOpError() << "cannot split width " << input[1] << " into "
                         << result[1] << " heads of " << result[2];
  return success();
}

LogicalResult MergeHeadsOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  ArrayRef<int64_t> result = shapeOf(getResult());
  if (failed(expectRank(*this, input, 3, "input")) ||
      failed(expectRank(*this, result, 2, "result")) ||
      failed(expectDim(*this, result, 0, input[0], "result",
                       "the input token count")))
    return failure();
  if (input[1] * input[2] != result[1])
    return emitOpError() << input[1] << " heads of " << input[2]
                         << " do not merge into width " << result[1];
  return success();
}

LogicalResult RoPEOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  if (failed(expectRank(*this, input, 3, "input")) ||
      failed(expectDim(*this, input, 0, shapeOf(getPositions())[0], "input",
                       "the number of positions")))
    return failure();
  int64_t headDim = input[2];
  if (headDim % 2 != 0)
    return emitOpError() << "head dim " << headDim << " must be even";
  int64_t rotary = getRotaryDims();
  if (rotary <= 0 || rotary > headDim || rotary % 2 != 0)
    return emitOpError() << "rotary_dims must be even and in (0, " << headDim
                         << "], got " << rotary;
  if (getTheta().convertToDouble() <= 0.0)
    return emitOpError() << "theta must be positive";
  return success();
}

//===----------------------------------------------------------------------===//
// KV cache and attention
//===----------------------------------------------------------------------===//

LogicalResult KVStoreOp::verify() {
  ArrayRef<int64_t> keys = shapeOf(getKeys());
  ArrayRef<int64_t> values = shapeOf(getValues());
  if (failed(expectRank(*this, keys, 3, "keys")) ||
      failed(expectRank(*this, values, 3, "values")))
    return failure();
  if (keys != values)
    return emitOpError() << "keys " << shapeString(keys) << " and values "
                         << shapeString(values) << " must have one shape";
  return expectDim(*this, keys, 0, shapeOf(getPositions())[0], "keys",
                   "the number of positions");
}

LogicalResult KVStoreOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  FailureOr<KVCacheOp> cache = lookupCache(*this, symbolTable);
  if (failed(cache))
    return failure();
  ArrayRef<int64_t> keys = shapeOf(getKeys());
  if (keys[1] != cache->getKvHeads() || keys[2] != cache->getHeadDim())
    return emitOpError() << "stores " << keys[1] << " heads x " << keys[2]
                         << " into '" << getCache() << "', which holds "
                         << cache->getKvHeads() << " heads x "
                         << cache->getHeadDim();
  return success();
}

LogicalResult AttentionOp::verify() {
  ArrayRef<int64_t> queries = shapeOf(getQueries());
  if (failed(expectRank(*this, queries, 3, "queries")) ||
      failed(expectDim(*this, queries, 0, shapeOf(getPositions())[0],
                       "queries", "the number of positions")))
    return failure();
  if (getResult().getType() != getQueries().getType())
    return emitOpError() << "result type " << getResult().getType()
                         << " must equal the queries' type "
                         << getQueries().getType();
  if (getWindow() < 0)
    return emitOpError() << "window must be >= 0 (0 = full causal), got "
                         << getWindow();
  if (getLayer() < 0)
    return emitOpError() << "layer must be >= 0, got " << getLayer();
  return success();
}

LogicalResult
AttentionOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  FailureOr<KVCacheOp> cache = lookupCache(*this, symbolTable);
  if (failed(cache))
    return failure();
  ArrayRef<int64_t> queries = shapeOf(getQueries());
  if (queries[2] != cache->getHeadDim())
    return emitOpError() << "query head dim " << queries[2]
                         << " differs from the head dim "
                         << cache->getHeadDim() << " of '" << getCache()
                         << "'";
  if (queries[1] % cache->getKvHeads() != 0)
    return emitOpError() << queries[1] << " query heads cannot share "
                         << cache->getKvHeads() << " KV heads of '"
                         << getCache() << "' (not a multiple)";
  if (getWindow() != cache->getWindow())
    return emitOpError() << "window " << getWindow() << " differs from the "
                         << stringifyCacheKind(cache->getKind())
                         << " cache '" << getCache() << "' (window "
                         << cache->getWindow() << ")";
  if (getLayer() < cache->getLayer())
    return emitOpError() << "layer " << getLayer()
                         << " reads the cache of later layer "
                         << cache->getLayer();
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult LayerScalarOp::verify() {
  auto scalar = cast<RankedTensorType>(getScalar().getType());
  if (!scalar.hasStaticShape() || scalar.getNumElements() != 1)
    return emitOpError() << "scalar must hold exactly one element, got "
                         << scalar;
  return success();
}

//===----------------------------------------------------------------------===//
// Mixture of experts
//===----------------------------------------------------------------------===//

LogicalResult MoERouterOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  ArrayRef<int64_t> proj = weightShapeOf(getProj());
  ArrayRef<int64_t> scale = shapeOf(getScale());
  ArrayRef<int64_t> perExpert = shapeOf(getPerExpertScale());
  ArrayRef<int64_t> weights = shapeOf(getWeights());
  ArrayRef<int64_t> experts = shapeOf(getExperts());
  if (failed(expectRank(*this, input, 2, "input")) ||
      failed(expectRank(*this, proj, 2, "router projection")) ||
      failed(expectRank(*this, scale, 1, "router scale")) ||
      failed(expectRank(*this, perExpert, 1, "per-expert scale")))
    return failure();
  int64_t numExperts = proj[0];
  if (getTopK() <= 0 || getTopK() > numExperts)
    return emitOpError() << "top_k must be in [1, " << numExperts
                         << "], got " << getTopK();
  if (failed(expectDim(*this, proj, 1, input[1], "router projection",
                       "the input width")) ||
      failed(expectDim(*this, scale, 0, input[1], "router scale",
                       "the input width")) ||
      failed(expectDim(*this, perExpert, 0, numExperts, "per-expert scale",
                       "the number of experts")))
    return failure();
  for (auto [shape, what] :
       {std::pair{weights, "expert weights"}, std::pair{experts, "expert indices"}}) {
    if (failed(expectRank(*this, shape, 2, what)) ||
        failed(expectDim(*this, shape, 0, input[0], what,
                         "the input token count")) ||
        failed(expectDim(*this, shape, 1, getTopK(), what, "top_k")))
      return failure();
  }
  return success();
}

LogicalResult MoEExpertsOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  ArrayRef<int64_t> gateUp = weightShapeOf(getGateUp());
  ArrayRef<int64_t> down = weightShapeOf(getDown());
  ArrayRef<int64_t> weights = shapeOf(getWeights());
  ArrayRef<int64_t> experts = shapeOf(getExperts());
  if (failed(expectRank(*this, input, 2, "input")) ||
      failed(expectRank(*this, gateUp, 3, "gate_up")) ||
      failed(expectRank(*this, down, 3, "down")) ||
      failed(expectRank(*this, weights, 2, "expert weights")))
    return failure();
  if (gateUp[1] % 2 != 0)
    return emitOpError() << "gate_up rows " << gateUp[1]
                         << " must be even (gate rows, then up rows)";
  int64_t ffn = gateUp[1] / 2;
  if (failed(expectDim(*this, gateUp, 2, input[1], "gate_up",
                       "the input width")) ||
      failed(expectDim(*this, down, 0, gateUp[0], "down",
                       "the number of experts in gate_up")) ||
      failed(expectDim(*this, down, 1, input[1], "down", "the input width")) ||
      failed(expectDim(*this, down, 2, ffn, "down",
                       "half the gate_up rows (expert FFN width)")))
    return failure();
  if (weights != experts)
    return emitOpError() << "expert weights " << shapeString(weights)
                         << " and indices " << shapeString(experts)
                         << " must have one shape";
  if (getResult().getType() != getInput().getType())
    return emitOpError() << "result type must equal the input type";
  return expectDim(*this, weights, 0, input[0], "expert weights",
                   "the input token count");
}

//===----------------------------------------------------------------------===//
// Output
//===----------------------------------------------------------------------===//

LogicalResult LMHeadOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  ArrayRef<int64_t> table = weightShapeOf(getTable());
  ArrayRef<int64_t> result = shapeOf(getResult());
  if (failed(expectRank(*this, input, 2, "input")) ||
      failed(expectRank(*this, table, 2, "table")) ||
      failed(expectRank(*this, result, 2, "result")) ||
      failed(expectDim(*this, table, 1, input[1], "table",
                       "the input width")) ||
      failed(expectDim(*this, result, 0, input[0], "result",
                       "the input token count")) ||
      failed(expectDim(*this, result, 1, table[0], "result",
                       "the vocabulary size")))
    return failure();
  return expectInt8ActivationsWeight(*this, getInt8Activations(),
                                     getTable().getType());
}

LogicalResult SoftcapOp::verify() {
  if (getCap().convertToFloat() <= 0.0f)
    return emitOpError() << "cap must be positive, got "
                         << getCap().convertToFloat();
  return success();
}

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

LogicalResult KernelOp::verify() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError() << "body has " << body.getNumArguments()
                         << " arguments for " << getInputs().size()
                         << " inputs";
  for (auto [index, pair] :
       llvm::enumerate(llvm::zip(body.getArgumentTypes(), getInputs()))) {
    auto [argType, input] = pair;
    if (argType != input.getType())
      return emitOpError() << "body argument " << index << " has type "
                           << argType << " but input " << index << " is "
                           << input.getType();
  }
  auto yield = cast<YieldOp>(body.getTerminator());
  if (yield.getValues().getTypes() != getResults().getTypes())
    return emitOpError() << "yields " << yield.getValues().size()
                         << " values whose types differ from the kernel's "
                         << getResults().size() << " results";
  if (getName().empty())
    return emitOpError() << "needs a non-empty name";
  return success();
}
