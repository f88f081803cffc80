//===- ReferenceEvaluator.cpp - A golden interpreter of facet IR ----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Every rule below is a direct transcription of an op description in
// dialects/FacetOps.td. All arithmetic is float32 (no double accumulation);
// sums run in index order. Where Hugging Face transformers fixes a detail the
// op description leaves open (the order of multiplies in a norm, how RoPE
// angles are rounded), the rule does what transformers does, so that the
// evaluator reproduces the fixtures in models/ to float32 round-off.
//
//===----------------------------------------------------------------------===//

#include "test/reference/ReferenceEvaluator.h"

#include "dialects/FacetDialect.h"
#include "frontend/support/Error.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>

using namespace mlir;

namespace facet {

using Tensor = ReferenceEvaluator::Tensor;

int64_t Tensor::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

namespace {

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

std::string describe(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "'" << op->getName() << "' at ";
  op->getLoc().print(os);
  return os.str();
}

std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += ", ";
    text += ShapedType::isDynamic(shape[i]) ? "?" : std::to_string(shape[i]);
  }
  return text + "]";
}

[[noreturn]] void fail(Operation *op, const std::string &message) {
  throw Error("reference evaluator: " + describe(op) + ": " + message);
}

/// Fails unless `condition` holds; `message` says what was expected.
void require(bool condition, Operation *op, const std::string &message) {
  if (!condition)
    fail(op, message);
}

//===----------------------------------------------------------------------===//
// Element conversions
//===----------------------------------------------------------------------===//

float bf16ToFloat(uint16_t bits) {
  uint32_t wide = uint32_t(bits) << 16;
  float value;
  std::memcpy(&value, &wide, sizeof(value));
  return value;
}

float f16ToFloat(uint16_t bits) {
  uint32_t sign = uint32_t(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  uint32_t wide;
  if (exponent == 0x1f) { // inf / nan
    wide = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) { // normal
    wide = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  } else if (mantissa == 0) { // signed zero
    wide = sign;
  } else { // subnormal: mantissa * 2^-24, exact in float32
    float magnitude = std::ldexp(float(mantissa), -24);
    std::memcpy(&wide, &magnitude, sizeof(wide));
    wide |= sign;
  }
  float value;
  std::memcpy(&value, &wide, sizeof(value));
  return value;
}

/// The weight's elements as float32 (the checkpoint is little-endian, as is
/// every host Facet supports).
std::vector<float> decodeWeight(const TensorView &view) {
  int64_t count = view.numElements();
  std::vector<float> out(count);
  switch (view.dtype) {
  case DType::F32:
    std::memcpy(out.data(), view.data, count * sizeof(float));
    break;
  case DType::BF16:
  case DType::F16:
    for (int64_t i = 0; i < count; ++i) {
      uint16_t bits;
      std::memcpy(&bits, view.data + 2 * i, sizeof(bits));
      out[i] = view.dtype == DType::BF16 ? bf16ToFloat(bits) : f16ToFloat(bits);
    }
    break;
  default:
    throw Error("reference evaluator: weight '" + view.name + "' has dtype " +
                std::string(dtypeName(view.dtype)) +
                "; only F32, F16 and BF16 are supported");
  }
  return out;
}

/// `value` rounded to the float type `type` (nearest, ties to even) and back.
float roundToType(float value, Type type) {
  const llvm::fltSemantics *semantics = nullptr;
  if (type.isBF16())
    semantics = &llvm::APFloat::BFloat();
  else if (type.isF16())
    semantics = &llvm::APFloat::IEEEhalf();
  else
    return value;
  llvm::APFloat number(value);
  bool losesInfo = false;
  number.convert(*semantics, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  number.convert(llvm::APFloat::IEEEsingle(),
                 llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return number.convertToFloat();
}

//===----------------------------------------------------------------------===//
// Tensors and the arithmetic the rules share
//===----------------------------------------------------------------------===//

Tensor floatTensor(std::vector<int64_t> shape) {
  Tensor tensor;
  tensor.shape = std::move(shape);
  tensor.floats.assign(tensor.numElements(), 0.0f);
  return tensor;
}

Tensor intTensor(std::vector<int64_t> shape) {
  Tensor tensor;
  tensor.shape = std::move(shape);
  tensor.isInt = true;
  tensor.ints.assign(tensor.numElements(), 0);
  return tensor;
}

void requireFloat(const Tensor &tensor, Operation *op, const char *what) {
  require(!tensor.isInt, op, std::string(what) + " must be a float tensor");
}

void requireInt(const Tensor &tensor, Operation *op, const char *what) {
  require(tensor.isInt, op, std::string(what) + " must be an i32 tensor");
}

void requireRank(const Tensor &tensor, size_t rank, Operation *op,
                 const char *what) {
  require(tensor.shape.size() == rank, op,
          std::string(what) + " must have rank " + std::to_string(rank) +
              ", got shape " + shapeString(tensor.shape));
}

/// sum_i a[i] * b[i], in float32, in index order.
float dot(const float *a, const float *b, int64_t n) {
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i)
    sum += a[i] * b[i];
  return sum;
}

/// out[i] = x[i] * (mean(x^2) + eps)^-1/2 (times weight[i] when given), as
/// Gemma4RMSNorm: normalise first, then multiply by the weight.
void rmsNormRow(const float *x, int64_t n, float epsilon, const float *weight,
                float *out) {
  float sumOfSquares = 0.0f;
  for (int64_t i = 0; i < n; ++i)
    sumOfSquares += x[i] * x[i];
  float meanSquare = sumOfSquares / static_cast<float>(n);
  float inverse = std::pow(meanSquare + epsilon, -0.5f);
  for (int64_t i = 0; i < n; ++i) {
    float normed = x[i] * inverse;
    out[i] = weight ? normed * weight[i] : normed;
  }
}

/// gelu_pytorch_tanh, written as PyTorch's kernel writes it.
float geluTanh(float x) {
  const float beta = 0.7978845608028654f; // sqrt(2 / pi)
  const float kappa = 0.044715f;
  float cube = x * x * x;
  float inner = beta * (x + kappa * cube);
  return 0.5f * x * (1.0f + std::tanh(inner));
}

/// In-place softmax of `scores` in float32: subtract the max, exponentiate,
/// divide by the sum (summed in index order).
void softmax(std::vector<float> &scores) {
  float maximum = -INFINITY;
  for (float s : scores)
    maximum = std::max(maximum, s);
  float sum = 0.0f;
  for (float &s : scores) {
    s = std::exp(s - maximum);
    sum += s;
  }
  for (float &s : scores)
    s /= sum;
}

float attrAsFloat(FloatAttr attr) {
  return static_cast<float>(attr.getValueAsDouble());
}

} // namespace

//===----------------------------------------------------------------------===//
// Construction and state
//===----------------------------------------------------------------------===//

ReferenceEvaluator::ReferenceEvaluator(ModuleOp module,
                                       const WeightBinding &binding)
    : module(module) {
  // Declared shapes, to check the bound tensors against.
  llvm::StringMap<ParamOp> params;
  for (auto param : module.getOps<ParamOp>())
    params[param.getSymName()] = param;

  for (const BoundWeight &bound : binding.weights) {
    if (!bound.tensor)
      throw Error("reference evaluator: weight '" + bound.spec.name +
                  "' is not bound to a tensor");
    const TensorView &view = *bound.tensor;
    auto param = params.find(bound.spec.name);
    if (param != params.end()) {
      auto declared = getWeightShape(param->second.getType());
      if (declared &&
          !llvm::equal(*declared, llvm::ArrayRef<int64_t>(view.shape)))
        throw Error("reference evaluator: weight '" + bound.spec.name +
                    "' is declared " + shapeString(*declared) +
                    " but the checkpoint tensor is " + shapeString(view.shape));
    }
    Tensor tensor;
    tensor.shape = view.shape;
    tensor.floats = decodeWeight(view);
    weights[bound.spec.name] = std::move(tensor);
  }

  for (auto decl : module.getOps<KVCacheOp>()) {
    KVCache &kv = caches[decl.getSymName()];
    kv.kvHeads = decl.getKvHeadsAttr().getInt();
    kv.headDim = decl.getHeadDimAttr().getInt();
    if (decl.getKind() == CacheKind::sliding)
      kv.window = decl.getWindowAttr().getInt();
  }
}

void ReferenceEvaluator::reset() {
  for (auto &entry : caches)
    entry.second.rows.clear();
}

const Tensor &ReferenceEvaluator::get(Value value) const {
  auto weight = weightValues.find(value);
  if (weight != weightValues.end())
    return *weight->second;
  auto found = values.find(value);
  if (found == values.end()) {
    Operation *owner = value.getDefiningOp();
    if (!owner)
      owner = value.getParentBlock()->getParentOp();
    fail(owner, "uses a value that has not been computed");
  }
  return found->second;
}

/// Records `tensor` as `value`, after checking it against the value's type:
/// same rank, every static dimension equal, i32 vs float. Results typed f16 or
/// bf16 are rounded to that type (ops compute in f32; storage is narrower).
void ReferenceEvaluator::set(Value value, Tensor tensor) {
  Operation *owner = value.getDefiningOp();
  if (!owner)
    owner = value.getParentBlock()->getParentOp();
  auto type = dyn_cast<RankedTensorType>(value.getType());
  require(static_cast<bool>(type), owner,
          "produces a value that is not a ranked tensor");
  require(type.getRank() == static_cast<int64_t>(tensor.shape.size()), owner,
          "computed shape " + shapeString(tensor.shape) +
              " does not match the result type's rank (" +
              shapeString(type.getShape()) + ")");
  for (int64_t i = 0; i < type.getRank(); ++i)
    require(
        type.isDynamicDim(i) || type.getDimSize(i) == tensor.shape[i], owner,
        "computed shape " + shapeString(tensor.shape) +
            " does not match the result type " + shapeString(type.getShape()));
  Type element = type.getElementType();
  require(element.isInteger(32) == tensor.isInt, owner,
          tensor.isInt ? "computed integers for a non-i32 result"
                       : "computed floats for an i32 result");
  if (element.isBF16() || element.isF16())
    for (float &x : tensor.floats)
      x = roundToType(x, element);
  values[value] = std::move(tensor);
}

ReferenceEvaluator::KVCache &ReferenceEvaluator::cache(Operation *op,
                                                       llvm::StringRef name) {
  auto found = caches.find(name);
  if (found == caches.end())
    fail(op, "names @" + name.str() + ", which is not a facet.kv_cache");
  return found->second;
}

//===----------------------------------------------------------------------===//
// Entry points and blocks
//===----------------------------------------------------------------------===//

std::vector<float>
ReferenceEvaluator::run(llvm::StringRef entry,
                        const std::vector<int32_t> &tokenIds,
                        const std::vector<int32_t> &positions) {
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func)
    throw Error("reference evaluator: the module has no function @" +
                entry.str());
  if (func.getNumArguments() != 2 || func.getNumResults() != 1)
    throw Error("reference evaluator: @" + entry.str() +
                " must take (token_ids, positions) and return the logits");
  if (tokenIds.empty() || tokenIds.size() != positions.size())
    throw Error("reference evaluator: @" + entry.str() +
                " needs at least one token and one position per token (got " +
                std::to_string(tokenIds.size()) + " tokens, " +
                std::to_string(positions.size()) + " positions)");

  // Arguments by their facet.name when present, else (token_ids, positions).
  unsigned idsIndex = 0, positionsIndex = 1;
  for (unsigned i = 0; i < 2; ++i) {
    auto name = func.getArgAttrOfType<StringAttr>(i, "facet.name");
    if (name && name.getValue() == "token_ids")
      idsIndex = i;
    else if (name && name.getValue() == "positions")
      positionsIndex = i;
  }
  if (idsIndex == positionsIndex)
    throw Error("reference evaluator: @" + entry.str() +
                " names both arguments alike");

  values.clear();
  weightValues.clear();
  auto bindInput = [&](unsigned index, const std::vector<int32_t> &data) {
    Tensor tensor = intTensor({static_cast<int64_t>(data.size())});
    tensor.ints = data;
    set(func.getArgument(index), std::move(tensor));
  };
  bindInput(idsIndex, tokenIds);
  bindInput(positionsIndex, positions);

  std::vector<Value> returned;
  executeBlock(func.getBody().front(), returned);
  if (returned.size() != 1)
    throw Error("reference evaluator: @" + entry.str() +
                " must return exactly one value");
  const Tensor &result = get(returned.front());
  if (result.isInt)
    throw Error("reference evaluator: @" + entry.str() +
                " returns integers, not logits");
  lastShape = result.shape;
  std::vector<float> logits = result.floats;
  values.clear();
  weightValues.clear();
  return logits;
}

void ReferenceEvaluator::executeBlock(Block &block,
                                      std::vector<Value> &returned) {
  for (Operation &op : block) {
    if (isa<func::ReturnOp, YieldOp>(op)) {
      returned.assign(op.operand_begin(), op.operand_end());
      return;
    }
    execute(&op);
  }
  fail(block.getParentOp(), "has a block without a terminator");
}

//===----------------------------------------------------------------------===//
// The rules, one per op
//===----------------------------------------------------------------------===//

void ReferenceEvaluator::execute(Operation *op) {
  llvm::TypeSwitch<Operation *>(op)
      // result = the bound weight, converted to float32 (no copy).
      .Case([&](WeightOp weight) {
        require(!isa<QuantizedWeightType>(weight.getType()), op,
                "quantized weights are not supported by the reference "
                "evaluator");
        auto found = weights.find(weight.getName());
        require(found != weights.end(), op,
                "weight @" + weight.getName().str() +
                    " is not in the weight binding");
        auto type = cast<RankedTensorType>(weight.getType());
        require(llvm::equal(type.getShape(), found->second.shape), op,
                "weight @" + weight.getName().str() + " is " +
                    shapeString(found->second.shape) + ", the op says " +
                    shapeString(type.getShape()));
        weightValues[weight.getResult()] = &found->second;
      })

      // result[t] = table[ids[t]] * scale
      .Case([&](EmbedOp embed) {
        const Tensor &table = get(embed.getTable());
        const Tensor &ids = get(embed.getIds());
        requireRank(table, 2, op, "the table");
        requireInt(ids, op, "ids");
        int64_t vocab = table.shape[0], width = table.shape[1];
        int64_t tokens = ids.shape[0];
        float scale = attrAsFloat(embed.getScaleAttr());
        Tensor out = floatTensor({tokens, width});
        for (int64_t t = 0; t < tokens; ++t) {
          int64_t id = ids.ints[t];
          require(id >= 0 && id < vocab, op,
                  "token id " + std::to_string(id) + " is outside [0, " +
                      std::to_string(vocab) + ")");
          for (int64_t i = 0; i < width; ++i)
            out.floats[t * width + i] = table.floats[id * width + i] * scale;
        }
        set(embed.getResult(), std::move(out));
      })

      // T = table[ids] * token_scale;
      // C = rms_norm(projection . embeddings * projection_scale, norm)
      //     per layer slice of P;
      // result = (C + T) * combine_scale, shaped [T, L, P].
      .Case([&](PerLayerInputsOp ple) {
        const Tensor &ids = get(ple.getIds());
        const Tensor &embeddings = get(ple.getEmbeddings());
        const Tensor &table = get(ple.getTable());
        const Tensor &projection = get(ple.getProjection());
        const Tensor &norm = get(ple.getNorm());
        requireInt(ids, op, "ids");
        requireRank(embeddings, 2, op, "the embeddings");
        requireRank(table, 2, op, "the table");
        requireRank(projection, 2, op, "the projection");
        requireRank(norm, 1, op, "the norm weight");
        int64_t tokens = ids.shape[0], d = embeddings.shape[1];
        int64_t vocab = table.shape[0], layersTimesWidth = table.shape[1];
        int64_t width = norm.shape[0];
        require(embeddings.shape[0] == tokens, op,
                "embeddings and ids disagree on the token count");
        require(width > 0 && layersTimesWidth % width == 0, op,
                "the table width is not a multiple of the norm width");
        require(projection.shape[0] == layersTimesWidth &&
                    projection.shape[1] == d,
                op, "the projection must be [L*P, d]");
        int64_t layers = layersTimesWidth / width;
        float tokenScale = attrAsFloat(ple.getTokenScaleAttr());
        float projectionScale = attrAsFloat(ple.getProjectionScaleAttr());
        float combineScale = attrAsFloat(ple.getCombineScaleAttr());
        float epsilon = attrAsFloat(ple.getEpsilonAttr());

        Tensor out = floatTensor({tokens, layers, width});
        std::vector<float> context(layersTimesWidth);
        std::vector<float> normed(width);
        for (int64_t t = 0; t < tokens; ++t) {
          int64_t id = ids.ints[t];
          require(id >= 0 && id < vocab, op,
                  "token id " + std::to_string(id) +
                      " is outside the per-layer table");
          const float *x = &embeddings.floats[t * d];
          for (int64_t j = 0; j < layersTimesWidth; ++j)
            context[j] = dot(x, &projection.floats[j * d], d) * projectionScale;
          for (int64_t l = 0; l < layers; ++l) {
            rmsNormRow(&context[l * width], width, epsilon, norm.floats.data(),
                       normed.data());
            for (int64_t i = 0; i < width; ++i) {
              int64_t column = l * width + i;
              float token =
                  table.floats[id * layersTimesWidth + column] * tokenScale;
              out.floats[t * layersTimesWidth + column] =
                  (normed[i] + token) * combineScale;
            }
          }
        }
        set(ple.getResult(), std::move(out));
      })

      // result = input[:, layer, :]
      .Case([&](LayerInputOp layerInput) {
        const Tensor &input = get(layerInput.getInput());
        requireRank(input, 3, op, "the input");
        int64_t tokens = input.shape[0], layers = input.shape[1],
                width = input.shape[2];
        int64_t layer = layerInput.getLayerAttr().getInt();
        require(layer >= 0 && layer < layers, op,
                "layer " + std::to_string(layer) + " is out of range");
        Tensor out = floatTensor({tokens, width});
        for (int64_t t = 0; t < tokens; ++t)
          for (int64_t i = 0; i < width; ++i)
            out.floats[t * width + i] =
                input.floats[(t * layers + layer) * width + i];
        set(layerInput.getResult(), std::move(out));
      })

      // x * (mean(x^2) + eps)^-1/2 [* weight] over the last dimension.
      .Case([&](RMSNormOp norm) {
        const Tensor &input = get(norm.getInput());
        requireFloat(input, op, "the input");
        require(!input.shape.empty(), op, "the input must have rank >= 1");
        int64_t n = input.shape.back();
        const float *weight = nullptr;
        if (norm.getWeight()) {
          const Tensor &w = get(norm.getWeight());
          require(w.shape.size() == 1 && w.shape[0] == n, op,
                  "the weight must have " + std::to_string(n) +
                      " elements, got " + shapeString(w.shape));
          weight = w.floats.data();
        }
        float epsilon = attrAsFloat(norm.getEpsilonAttr());
        Tensor out = floatTensor(input.shape);
        for (int64_t row = 0; row < input.numElements() / n; ++row)
          rmsNormRow(&input.floats[row * n], n, epsilon, weight,
                     &out.floats[row * n]);
        set(norm.getResult(), std::move(out));
      })

      // y = x . W^T with W [out, in].
      .Case([&](LinearOp linear) {
        const Tensor &input = get(linear.getInput());
        const Tensor &weight = get(linear.getWeight());
        requireFloat(input, op, "the input");
        requireRank(weight, 2, op, "the weight");
        int64_t outWidth = weight.shape[0], inWidth = weight.shape[1];
        require(!input.shape.empty() && input.shape.back() == inWidth, op,
                "input " + shapeString(input.shape) +
                    " does not match weight " + shapeString(weight.shape));
        std::vector<int64_t> shape = input.shape;
        shape.back() = outWidth;
        Tensor out = floatTensor(shape);
        int64_t rows = input.numElements() / inWidth;
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t o = 0; o < outWidth; ++o)
            out.floats[r * outWidth + o] =
                dot(&input.floats[r * inWidth], &weight.floats[o * inWidth],
                    inWidth);
        set(linear.getResult(), std::move(out));
      })

      // [T, H*hd] -> [T, H, hd]: same data, H and hd from the result type.
      .Case([&](SplitHeadsOp split) {
        const Tensor &input = get(split.getInput());
        requireRank(input, 2, op, "the input");
        auto type = cast<RankedTensorType>(split.getType());
        require(type.getRank() == 3 && !type.isDynamicDim(1) &&
                    !type.isDynamicDim(2),
                op, "the result must be [T, H, hd] with static H and hd");
        int64_t heads = type.getDimSize(1), headDim = type.getDimSize(2);
        require(heads * headDim == input.shape[1], op,
                "cannot split " + shapeString(input.shape) + " into " +
                    std::to_string(heads) + " heads of " +
                    std::to_string(headDim));
        Tensor out = input;
        out.shape = {input.shape[0], heads, headDim};
        set(split.getResult(), std::move(out));
      })

      // [T, H, hd] -> [T, H*hd]: same data.
      .Case([&](MergeHeadsOp merge) {
        const Tensor &input = get(merge.getInput());
        requireRank(input, 3, op, "the input");
        Tensor out = input;
        out.shape = {input.shape[0], input.shape[1] * input.shape[2]};
        set(merge.getResult(), std::move(out));
      })

      // Rotate-half RoPE on [T, H, hd]: j pairs with j + hd/2 and turns by
      // pos * theta^(-2j/hd) for j < rotary_dims/2; other pairs pass through.
      // As transformers: inv_freq and the angle are float32, cos/sin float32.
      .Case([&](RoPEOp rope) {
        const Tensor &input = get(rope.getInput());
        const Tensor &positions = get(rope.getPositions());
        requireRank(input, 3, op, "the input");
        requireInt(positions, op, "positions");
        int64_t tokens = input.shape[0], heads = input.shape[1],
                headDim = input.shape[2];
        int64_t half = headDim / 2;
        int64_t rotaryDims = rope.getRotaryDimsAttr().getInt();
        require(headDim % 2 == 0 && rotaryDims % 2 == 0 && rotaryDims >= 0 &&
                    rotaryDims <= headDim,
                op, "needs an even head_dim and 0 <= rotary_dims <= head_dim");
        require(positions.shape[0] == tokens, op,
                "needs one position per token");
        float theta =
            static_cast<float>(rope.getThetaAttr().getValueAsDouble());
        int64_t pairs = rotaryDims / 2;
        std::vector<float> inverseFrequency(pairs);
        for (int64_t j = 0; j < pairs; ++j)
          inverseFrequency[j] =
              1.0f / std::pow(theta, static_cast<float>(2 * j) /
                                         static_cast<float>(headDim));

        Tensor out = input; // pairs j >= rotary_dims/2 pass through
        for (int64_t t = 0; t < tokens; ++t) {
          float position = static_cast<float>(positions.ints[t]);
          for (int64_t j = 0; j < pairs; ++j) {
            float angle = position * inverseFrequency[j];
            float c = std::cos(angle), s = std::sin(angle);
            for (int64_t h = 0; h < heads; ++h) {
              int64_t base = (t * heads + h) * headDim;
              float x1 = input.floats[base + j];
              float x2 = input.floats[base + j + half];
              out.floats[base + j] = x1 * c - x2 * s;
              out.floats[base + j + half] = x2 * c + x1 * s;
            }
          }
        }
        set(rope.getResult(), std::move(out));
      })

      // Row t of keys/values becomes the cache entry of position positions[t].
      .Case([&](KVStoreOp store) {
        const Tensor &keys = get(store.getKeys());
        const Tensor &vals = get(store.getValues());
        const Tensor &positions = get(store.getPositions());
        KVCache &kv = cache(op, store.getCache());
        requireRank(keys, 3, op, "the keys");
        requireInt(positions, op, "positions");
        std::vector<int64_t> expected{positions.shape[0], kv.kvHeads,
                                      kv.headDim};
        require(keys.shape == expected && vals.shape == expected, op,
                "keys " + shapeString(keys.shape) + " and values " +
                    shapeString(vals.shape) + " must be " +
                    shapeString(expected) + " for @" + store.getCache().str());
        int64_t rowSize = kv.kvHeads * kv.headDim;
        for (int64_t t = 0; t < positions.shape[0]; ++t) {
          CacheRow &row = kv.rows[positions.ints[t]];
          row.keys.assign(keys.floats.begin() + t * rowSize,
                          keys.floats.begin() + (t + 1) * rowSize);
          row.values.assign(vals.floats.begin() + t * rowSize,
                            vals.floats.begin() + (t + 1) * rowSize);
        }
      })

      // Query t at p = positions[t] sees cached positions k <= p (and
      // k > p - window when window > 0); scores q.k * scale, softmax in f32;
      // head h reads KV head h / (H / kv_heads).
      .Case([&](AttentionOp attention) {
        const Tensor &queries = get(attention.getQueries());
        const Tensor &positions = get(attention.getPositions());
        KVCache &kv = cache(op, attention.getCache());
        requireRank(queries, 3, op, "the queries");
        requireInt(positions, op, "positions");
        int64_t tokens = queries.shape[0], heads = queries.shape[1],
                headDim = queries.shape[2];
        require(positions.shape[0] == tokens, op,
                "needs one position per token");
        require(headDim == kv.headDim, op,
                "query head_dim " + std::to_string(headDim) +
                    " differs from the cache's " + std::to_string(kv.headDim));
        require(kv.kvHeads > 0 && heads % kv.kvHeads == 0, op,
                std::to_string(heads) + " query heads cannot share " +
                    std::to_string(kv.kvHeads) + " KV heads");
        int64_t group = heads / kv.kvHeads;
        int64_t window = attention.getWindowAttr().getInt();
        // A sliding cache may drop older rows, so it cannot serve a wider
        // (or unbounded) window. This evaluator keeps every row regardless.
        require(kv.window == 0 || (window > 0 && window <= kv.window), op,
                "attends over window " + std::to_string(window) + " but @" +
                    attention.getCache().str() + " keeps only the last " +
                    std::to_string(kv.window) + " positions");
        float scale = attrAsFloat(attention.getScaleAttr());

        Tensor out = floatTensor(queries.shape);
        for (int64_t t = 0; t < tokens; ++t) {
          int64_t p = positions.ints[t];
          // The visible rows, in increasing position.
          std::vector<const CacheRow *> visible;
          for (const auto &[k, row] : kv.rows)
            if (k <= p && (window <= 0 || k > p - window))
              visible.push_back(&row);
          require(!visible.empty(), op,
                  "query at position " + std::to_string(p) +
                      " sees no cached key in @" + attention.getCache().str());
          for (int64_t h = 0; h < heads; ++h) {
            int64_t kvHead = h / group;
            const float *q = &queries.floats[(t * heads + h) * headDim];
            std::vector<float> probabilities(visible.size());
            for (size_t j = 0; j < visible.size(); ++j)
              probabilities[j] =
                  dot(q, &visible[j]->keys[kvHead * headDim], headDim) * scale;
            softmax(probabilities);
            float *o = &out.floats[(t * heads + h) * headDim];
            for (int64_t i = 0; i < headDim; ++i) {
              float sum = 0.0f;
              for (size_t j = 0; j < visible.size(); ++j)
                sum +=
                    probabilities[j] * visible[j]->values[kvHead * headDim + i];
              o[i] = sum;
            }
          }
        }
        set(attention.getResult(), std::move(out));
      })

      .Case([&](AddOp add) {
        const Tensor &lhs = get(add.getLhs());
        const Tensor &rhs = get(add.getRhs());
        require(lhs.shape == rhs.shape, op, "operand shapes differ");
        Tensor out = lhs;
        for (size_t i = 0; i < out.floats.size(); ++i)
          out.floats[i] = lhs.floats[i] + rhs.floats[i];
        set(add.getResult(), std::move(out));
      })

      .Case([&](MulOp mul) {
        const Tensor &lhs = get(mul.getLhs());
        const Tensor &rhs = get(mul.getRhs());
        require(lhs.shape == rhs.shape, op, "operand shapes differ");
        Tensor out = lhs;
        for (size_t i = 0; i < out.floats.size(); ++i)
          out.floats[i] = lhs.floats[i] * rhs.floats[i];
        set(mul.getResult(), std::move(out));
      })

      .Case([&](GeluTanhOp gelu) {
        Tensor out = get(gelu.getInput());
        requireFloat(out, op, "the input");
        for (float &x : out.floats)
          x = geluTanh(x);
        set(gelu.getResult(), std::move(out));
      })

      // The whole residual stream times the layer's one stored scalar.
      .Case([&](LayerScalarOp layerScalar) {
        const Tensor &scalar = get(layerScalar.getScalar());
        require(scalar.numElements() == 1, op,
                "the scalar must have one element, got " +
                    shapeString(scalar.shape));
        Tensor out = get(layerScalar.getInput());
        for (float &x : out.floats)
          x *= scalar.floats[0];
        set(layerScalar.getResult(), std::move(out));
      })

      // z = rms(x) * scale * input_scale; p = softmax(proj . z) over all E;
      // the top_k largest (ties: lower expert first), divided by their sum,
      // each times per_expert_scale[e].
      .Case([&](MoERouterOp router) {
        const Tensor &input = get(router.getInput());
        const Tensor &proj = get(router.getProj());
        const Tensor &scale = get(router.getScale());
        const Tensor &perExpertScale = get(router.getPerExpertScale());
        requireRank(input, 2, op, "the input");
        requireRank(proj, 2, op, "the projection");
        int64_t tokens = input.shape[0], d = input.shape[1];
        int64_t experts = proj.shape[0];
        int64_t topK = router.getTopKAttr().getInt();
        require(proj.shape[1] == d, op, "the projection must be [E, d]");
        require(scale.numElements() == d, op, "scale must have d elements");
        require(perExpertScale.numElements() == experts, op,
                "per_expert_scale must have E elements");
        require(topK > 0 && topK <= experts, op, "top_k must be in [1, E]");
        float inputScale = attrAsFloat(router.getInputScaleAttr());
        float epsilon = attrAsFloat(router.getEpsilonAttr());

        Tensor weightsOut = floatTensor({tokens, topK});
        Tensor expertsOut = intTensor({tokens, topK});
        std::vector<float> z(d);
        for (int64_t t = 0; t < tokens; ++t) {
          rmsNormRow(&input.floats[t * d], d, epsilon, nullptr, z.data());
          for (int64_t i = 0; i < d; ++i)
            z[i] = z[i] * scale.floats[i] * inputScale;
          std::vector<float> probabilities(experts);
          for (int64_t e = 0; e < experts; ++e)
            probabilities[e] = dot(&proj.floats[e * d], z.data(), d);
          softmax(probabilities);

          std::vector<int32_t> order(experts);
          std::iota(order.begin(), order.end(), 0);
          std::stable_sort(order.begin(), order.end(),
                           [&](int32_t a, int32_t b) {
                             return probabilities[a] > probabilities[b];
                           });
          float chosenSum = 0.0f;
          for (int64_t k = 0; k < topK; ++k)
            chosenSum += probabilities[order[k]];
          for (int64_t k = 0; k < topK; ++k) {
            int32_t e = order[k];
            weightsOut.floats[t * topK + k] =
                probabilities[e] / chosenSum * perExpertScale.floats[e];
            expertsOut.ints[t * topK + k] = e;
          }
        }
        set(router.getWeights(), std::move(weightsOut));
        set(router.getExperts(), std::move(expertsOut));
      })

      // For each token and chosen expert e with weight w:
      // [g; u] = gate_up[e] . x; result += w * down[e] . (gelu_tanh(g) * u).
      .Case([&](MoEExpertsOp moe) {
        const Tensor &input = get(moe.getInput());
        const Tensor &routing = get(moe.getWeights());
        const Tensor &chosen = get(moe.getExperts());
        const Tensor &gateUp = get(moe.getGateUp());
        const Tensor &down = get(moe.getDown());
        requireRank(input, 2, op, "the input");
        requireRank(routing, 2, op, "the weights");
        requireInt(chosen, op, "experts");
        requireRank(gateUp, 3, op, "gate_up");
        requireRank(down, 3, op, "down");
        int64_t tokens = input.shape[0], d = input.shape[1];
        int64_t topK = routing.shape[1];
        int64_t experts = gateUp.shape[0], width = gateUp.shape[1] / 2;
        require(chosen.shape == routing.shape && routing.shape[0] == tokens, op,
                "weights and experts must both be [T, k]");
        require(gateUp.shape[1] == 2 * width && gateUp.shape[2] == d, op,
                "gate_up must be [E, 2F, d]");
        require(down.shape == std::vector<int64_t>{experts, d, width}, op,
                "down must be [E, d, F]");

        Tensor out = floatTensor({tokens, d});
        std::vector<float> hidden(width);
        for (int64_t t = 0; t < tokens; ++t) {
          const float *x = &input.floats[t * d];
          for (int64_t k = 0; k < topK; ++k) {
            int64_t e = chosen.ints[t * topK + k];
            require(e >= 0 && e < experts, op,
                    "expert index " + std::to_string(e) + " is out of range");
            float w = routing.floats[t * topK + k];
            const float *gateRows = &gateUp.floats[e * 2 * width * d];
            const float *upRows = gateRows + width * d;
            for (int64_t f = 0; f < width; ++f) {
              float g = dot(&gateRows[f * d], x, d);
              float u = dot(&upRows[f * d], x, d);
              hidden[f] = geluTanh(g) * u;
            }
            const float *downRows = &down.floats[e * d * width];
            for (int64_t i = 0; i < d; ++i)
              out.floats[t * d + i] +=
                  w * dot(&downRows[i * width], hidden.data(), width);
          }
        }
        set(moe.getResult(), std::move(out));
      })

      // logits = input . table^T with the unscaled [V, d] table.
      .Case([&](LMHeadOp head) {
        const Tensor &input = get(head.getInput());
        const Tensor &table = get(head.getTable());
        requireRank(input, 2, op, "the input");
        requireRank(table, 2, op, "the table");
        int64_t tokens = input.shape[0], d = input.shape[1];
        int64_t vocab = table.shape[0];
        require(table.shape[1] == d, op, "the table must be [V, d]");
        Tensor out = floatTensor({tokens, vocab});
        for (int64_t t = 0; t < tokens; ++t)
          for (int64_t v = 0; v < vocab; ++v)
            out.floats[t * vocab + v] =
                dot(&input.floats[t * d], &table.floats[v * d], d);
        set(head.getResult(), std::move(out));
      })

      // cap * tanh(x / cap)
      .Case([&](SoftcapOp softcap) {
        float cap = attrAsFloat(softcap.getCapAttr());
        Tensor out = get(softcap.getInput());
        for (float &x : out.floats)
          x = cap * std::tanh(x / cap);
        set(softcap.getResult(), std::move(out));
      })

      // The body runs on the inputs; the yielded values are the results.
      .Case([&](KernelOp kernel) {
        Block &body = kernel.getBody().front();
        require(body.getNumArguments() == kernel.getInputs().size(), op,
                "needs one block argument per input");
        for (auto [input, argument] :
             llvm::zip(kernel.getInputs(), body.getArguments())) {
          auto weight = weightValues.find(input);
          if (weight != weightValues.end()) {
            const Tensor *bound = weight->second;
            weightValues[argument] = bound;
          } else
            set(argument, get(input));
        }
        std::vector<Value> yielded;
        executeBlock(body, yielded);
        require(yielded.size() == kernel.getNumResults(), op,
                "yields " + std::to_string(yielded.size()) + " values for " +
                    std::to_string(kernel.getNumResults()) + " results");
        for (auto [result, value] : llvm::zip(kernel.getResults(), yielded))
          set(result, get(value));
      })

      .Default([&](Operation *) {
        fail(op, "the reference evaluator has no rule for this op");
      });
}

} // namespace facet
