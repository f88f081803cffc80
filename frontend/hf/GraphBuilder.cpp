//===- GraphBuilder.cpp - Gemma 4 config -> facet dialect module ----------===//

#include "frontend/hf/GraphBuilder.h"

#include "dialects/FacetDialect.h"
#include "frontend/config/WeightSpec.h"
#include "frontend/support/Error.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/APFloat.h"

#include <cmath>

using namespace mlir;

namespace facet {

float roundToDType(double value, DType dtype) {
  llvm::APFloat number(value);
  bool losesInfo = false;
  const llvm::fltSemantics *semantics = &llvm::APFloat::IEEEsingle();
  if (dtype == DType::BF16)
    semantics = &llvm::APFloat::BFloat();
  else if (dtype == DType::F16)
    semantics = &llvm::APFloat::IEEEhalf();
  number.convert(*semantics, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  number.convert(llvm::APFloat::IEEEsingle(),
                 llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return number.convertToFloat();
}

namespace {

Type elementTypeOf(MLIRContext &context, DType dtype) {
  switch (dtype) {
  case DType::F32:
    return Float32Type::get(&context);
  case DType::F16:
    return Float16Type::get(&context);
  case DType::BF16:
    return BFloat16Type::get(&context);
  default:
    throw Error("internal: weights must be f32, f16 or bf16");
  }
}

std::string kvCacheName(int layer) {
  return "kv.layer" + std::to_string(layer);
}

/// Emits one entry point. Each function gets its own `facet.weight` values
/// so that the two entry points can be compiled independently.
class EntryPointBuilder {
public:
  EntryPointBuilder(ModuleOp module, const ModelConfig &config,
                    const std::map<std::string, Type> &paramTypes,
                    const std::map<std::string, DType> &paramDTypes)
      : module(module), config(config), paramTypes(paramTypes),
        paramDTypes(paramDTypes), builder(module.getContext()),
        f32(builder.getF32Type()) {}

  void build(StringRef name, int64_t tokens);

private:
  Value weight(const std::string &name);
  RankedTensorType act(ArrayRef<int64_t> trailing) const;
  Value rmsNorm(Value input, const std::string &weightName);
  Value linear(Value input, const std::string &weightName);
  Value splitHeads(Value input, int64_t heads, int64_t headDim);
  Value layer(const LayerSpec &spec, Value hidden, Value positions,
              Value perLayerInputs);
  Value attention(const LayerSpec &spec, Value normed, Value positions);
  Value denseMlp(const LayerSpec &spec, Value normed);
  Value moe(const LayerSpec &spec, Value residual, Value denseOut);
  Value perLayerEmbedding(const LayerSpec &spec, Value hidden,
                          Value perLayerInputs);

  std::string layerName(int index, const char *rest) const {
    return "layers." + std::to_string(index) + "." + rest;
  }

  ModuleOp module;
  const ModelConfig &config;
  const std::map<std::string, Type> &paramTypes;
  const std::map<std::string, DType> &paramDTypes;
  OpBuilder builder;
  Type f32;
  Location loc = builder.getUnknownLoc();
  int64_t tokens = 0;
  std::map<std::string, Value> weights;
};

RankedTensorType EntryPointBuilder::act(ArrayRef<int64_t> trailing) const {
  SmallVector<int64_t> shape{tokens};
  shape.append(trailing.begin(), trailing.end());
  return RankedTensorType::get(shape, f32);
}

Value EntryPointBuilder::weight(const std::string &name) {
  auto found = weights.find(name);
  if (found != weights.end())
    return found->second;
  auto type = paramTypes.find(name);
  if (type == paramTypes.end())
    throw Error("internal: graph uses undeclared weight '" + name + "'");
  Value value = builder.create<facet::WeightOp>(
      loc, type->second, FlatSymbolRefAttr::get(builder.getContext(), name));
  weights.emplace(name, value);
  return value;
}

Value EntryPointBuilder::rmsNorm(Value input, const std::string &weightName) {
  Value w = weightName.empty() ? Value() : weight(weightName);
  return builder.create<facet::RMSNormOp>(
      loc, input.getType(), input, w,
      builder.getF32FloatAttr(config.rmsNormEps));
}

Value EntryPointBuilder::linear(Value input, const std::string &weightName) {
  Value w = weight(weightName);
  int64_t out = (*getWeightShape(w.getType()))[0];
  return builder.create<facet::LinearOp>(loc, act({out}), input, w);
}

Value EntryPointBuilder::splitHeads(Value input, int64_t heads,
                                    int64_t headDim) {
  return builder.create<facet::SplitHeadsOp>(loc, act({heads, headDim}),
                                             input);
}

Value EntryPointBuilder::attention(const LayerSpec &spec, Value normed,
                                   Value positions) {
  int i = spec.index;
  auto theta = builder.getF64FloatAttr(spec.ropeTheta);
  auto rotary = builder.getI64IntegerAttr(spec.rotaryDims);

  Value q = splitHeads(linear(normed, layerName(i, "self_attn.q_proj.weight")),
                       config.numHeads, spec.headDim);
  q = rmsNorm(q, layerName(i, "self_attn.q_norm.weight"));
  q = builder.create<facet::RoPEOp>(loc, q.getType(), q, positions, theta,
                                    rotary);

  int cacheLayer = spec.kvSourceLayer >= 0 ? spec.kvSourceLayer : i;
  auto cache = FlatSymbolRefAttr::get(builder.getContext(),
                                      kvCacheName(cacheLayer));
  if (spec.kvSourceLayer < 0) {
    Value kRaw =
        splitHeads(linear(normed, layerName(i, "self_attn.k_proj.weight")),
                   spec.kvHeads, spec.headDim);
    // k_eq_v layers have no v_proj: values are the raw key projection,
    // taken before any norm (GEMMA4.md §2.4).
    Value vRaw = spec.kEqV ? kRaw
                           : splitHeads(linear(normed, layerName(
                                                   i, "self_attn.v_proj.weight")),
                                        spec.kvHeads, spec.headDim);
    Value k = rmsNorm(kRaw, layerName(i, "self_attn.k_norm.weight"));
    k = builder.create<facet::RoPEOp>(loc, k.getType(), k, positions, theta,
                                      rotary);
    Value v = rmsNorm(vRaw, "");
    builder.create<facet::KVStoreOp>(loc, k, v, positions, cache);
  }

  Value attended = builder.create<facet::AttentionOp>(
      loc, q.getType(), q, positions, cache,
      builder.getI64IntegerAttr(spec.window), builder.getF32FloatAttr(1.0f),
      builder.getI64IntegerAttr(i));
  Value merged = builder.create<facet::MergeHeadsOp>(
      loc, act({config.numHeads * spec.headDim}), attended);
  return linear(merged, layerName(i, "self_attn.o_proj.weight"));
}

Value EntryPointBuilder::denseMlp(const LayerSpec &spec, Value normed) {
  int i = spec.index;
  Value gate = linear(normed, layerName(i, "mlp.gate_proj.weight"));
  gate = builder.create<facet::GeluTanhOp>(loc, gate.getType(), gate);
  Value up = linear(normed, layerName(i, "mlp.up_proj.weight"));
  Value product = builder.create<facet::MulOp>(loc, gate.getType(), gate, up);
  return linear(product, layerName(i, "mlp.down_proj.weight"));
}

Value EntryPointBuilder::moe(const LayerSpec &spec, Value residual,
                             Value denseOut) {
  int i = spec.index;
  Value dense =
      rmsNorm(denseOut, layerName(i, "post_feedforward_layernorm_1.weight"));
  Type weightsType =
      RankedTensorType::get({tokens, config.topKExperts}, f32);
  Type indicesType = RankedTensorType::get({tokens, config.topKExperts},
                                           builder.getI32Type());
  // Weights are materialised one statement at a time so that the IR order
  // does not depend on the compiler's argument evaluation order.
  Value proj = weight(layerName(i, "router.proj.weight"));
  Value scale = weight(layerName(i, "router.scale"));
  Value perExpertScale = weight(layerName(i, "router.per_expert_scale"));
  auto router = builder.create<facet::MoERouterOp>(
      loc, weightsType, indicesType, residual, proj, scale, perExpertScale,
      builder.getI64IntegerAttr(config.topKExperts),
      builder.getF32FloatAttr(
          static_cast<float>(1.0 / std::sqrt(double(config.hiddenSize)))),
      builder.getF32FloatAttr(config.rmsNormEps));
  Value expertIn =
      rmsNorm(residual, layerName(i, "pre_feedforward_layernorm_2.weight"));
  Value gateUp = weight(layerName(i, "experts.gate_up_proj"));
  Value down = weight(layerName(i, "experts.down_proj"));
  Value experts = builder.create<facet::MoEExpertsOp>(
      loc, residual.getType(), expertIn, router.getWeights(),
      router.getExperts(), gateUp, down);
  experts =
      rmsNorm(experts, layerName(i, "post_feedforward_layernorm_2.weight"));
  return builder.create<facet::AddOp>(loc, dense.getType(), dense, experts);
}

Value EntryPointBuilder::perLayerEmbedding(const LayerSpec &spec,
                                           Value hidden,
                                           Value perLayerInputs) {
  int i = spec.index;
  Value gate = linear(hidden, layerName(i, "per_layer_input_gate.weight"));
  gate = builder.create<facet::GeluTanhOp>(loc, gate.getType(), gate);
  Value input = builder.create<facet::LayerInputOp>(
      loc, act({config.plePerLayerWidth}), perLayerInputs,
      builder.getI64IntegerAttr(i));
  Value gated = builder.create<facet::MulOp>(loc, gate.getType(), gate, input);
  Value projected =
      linear(gated, layerName(i, "per_layer_projection.weight"));
  return rmsNorm(projected, layerName(i, "post_per_layer_input_norm.weight"));
}

Value EntryPointBuilder::layer(const LayerSpec &spec, Value hidden,
                               Value positions, Value perLayerInputs) {
  int i = spec.index;
  loc = NameLoc::get(builder.getStringAttr("layers." + std::to_string(i)));

  Value attended = attention(
      spec, rmsNorm(hidden, layerName(i, "input_layernorm.weight")),
      positions);
  attended = rmsNorm(attended, layerName(i, "post_attention_layernorm.weight"));
  Value residual =
      builder.create<facet::AddOp>(loc, hidden.getType(), hidden, attended);

  Value ffn = denseMlp(
      spec, rmsNorm(residual, layerName(i, "pre_feedforward_layernorm.weight")));
  if (config.moe)
    ffn = moe(spec, residual, ffn);
  ffn = rmsNorm(ffn, layerName(i, "post_feedforward_layernorm.weight"));
  hidden = builder.create<facet::AddOp>(loc, residual.getType(), residual, ffn);

  if (config.hasPLE()) {
    Value ple = perLayerEmbedding(spec, hidden, perLayerInputs);
    hidden = builder.create<facet::AddOp>(loc, hidden.getType(), hidden, ple);
  }
  return builder.create<facet::LayerScalarOp>(
      loc, hidden.getType(), hidden, weight(layerName(i, "layer_scalar")));
}

void EntryPointBuilder::build(StringRef name, int64_t tokenCount) {
  tokens = tokenCount;
  weights.clear();
  MLIRContext *context = builder.getContext();
  auto ids = RankedTensorType::get({tokens}, builder.getI32Type());
  auto logitsType = act({config.vocabSize});
  auto funcType = builder.getFunctionType({ids, ids}, {logitsType});

  builder.setInsertionPointToEnd(module.getBody());
  auto func = builder.create<func::FuncOp>(loc, name, funcType);
  func.setArgAttr(0, "facet.name", builder.getStringAttr("token_ids"));
  func.setArgAttr(1, "facet.name", builder.getStringAttr("positions"));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToStart(body);
  Value tokenIds = body->getArgument(0);
  Value positions = body->getArgument(1);

  loc = NameLoc::get(builder.getStringAttr("embed"));
  Value table = weight("embed_tokens.weight");
  float embedScale = roundToDType(std::sqrt(double(config.hiddenSize)),
                                  paramDTypes.at("embed_tokens.weight"));
  Value hidden = builder.create<facet::EmbedOp>(
      loc, act({config.hiddenSize}), table, tokenIds,
      builder.getF32FloatAttr(embedScale));

  Value perLayerInputs;
  if (config.hasPLE()) {
    int64_t width = config.plePerLayerWidth;
    float tokenScale =
        roundToDType(std::sqrt(double(width)),
                     paramDTypes.at("embed_tokens_per_layer.weight"));
    Value pleTable = weight("embed_tokens_per_layer.weight");
    Value pleProjection = weight("per_layer_model_projection.weight");
    Value pleNorm = weight("per_layer_projection_norm.weight");
    perLayerInputs = builder.create<facet::PerLayerInputsOp>(
        loc, act({config.numLayers, width}), tokenIds, hidden, pleTable,
        pleProjection, pleNorm,
        builder.getF32FloatAttr(tokenScale),
        builder.getF32FloatAttr(
            static_cast<float>(1.0 / std::sqrt(double(config.hiddenSize)))),
        builder.getF32FloatAttr(static_cast<float>(1.0 / std::sqrt(2.0))),
        builder.getF32FloatAttr(config.rmsNormEps));
  }

  for (const LayerSpec &spec : config.layers)
    hidden = layer(spec, hidden, positions, perLayerInputs);

  loc = NameLoc::get(builder.getStringAttr("head"));
  hidden = rmsNorm(hidden, "norm.weight");
  Value logits =
      builder.create<facet::LMHeadOp>(loc, logitsType, hidden, table);
  if (config.finalLogitSoftcap)
    logits = builder.create<facet::SoftcapOp>(
        loc, logitsType, logits,
        builder.getF32FloatAttr(*config.finalLogitSoftcap));
  builder.create<func::ReturnOp>(loc, logits);
  (void)context;
}

} // namespace

OwningOpRef<ModuleOp> buildGemma4Module(MLIRContext &context,
                                        const ModelConfig &config,
                                        const GraphOptions &options) {
  context.loadDialect<facet::FacetDialect, func::FuncDialect>();
  OpBuilder builder(&context);
  Location loc = NameLoc::get(builder.getStringAttr(config.origin));
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);

  // Model facts that are not visible from the ops themselves.
  SmallVector<NamedAttribute> facts{
      builder.getNamedAttr("model_type", builder.getStringAttr(config.modelType)),
      builder.getNamedAttr("vocab_size", builder.getI64IntegerAttr(config.vocabSize)),
      builder.getNamedAttr("hidden_size", builder.getI64IntegerAttr(config.hiddenSize)),
      builder.getNamedAttr("num_layers", builder.getI64IntegerAttr(config.numLayers)),
      builder.getNamedAttr("num_heads", builder.getI64IntegerAttr(config.numHeads)),
      builder.getNamedAttr("max_positions",
                           builder.getI64IntegerAttr(config.maxPositionEmbeddings)),
      builder.getNamedAttr("sliding_window",
                           builder.getI64IntegerAttr(config.slidingWindow)),
      builder.getNamedAttr("first_kv_shared_layer",
                           builder.getI64IntegerAttr(config.firstKVSharedLayer())),
  };
  if (config.moe) {
    facts.push_back(builder.getNamedAttr(
        "num_experts", builder.getI64IntegerAttr(config.numExperts)));
    facts.push_back(builder.getNamedAttr(
        "top_k_experts", builder.getI64IntegerAttr(config.topKExperts)));
  }
  (*module)->setAttr("facet.model", builder.getDictionaryAttr(facts));
  (*module)->setAttr("facet.source", builder.getStringAttr(options.source));
  (*module)->setAttr("facet.weights",
                     builder.getStringAttr(options.weightsChecked ? "checked"
                                                                  : "declared"));
  if (!options.tensorPrefix.empty())
    (*module)->setAttr("facet.tensor_prefix",
                       builder.getStringAttr(options.tensorPrefix));

  builder.setInsertionPointToEnd(module->getBody());
  std::map<std::string, Type> paramTypes;
  std::map<std::string, DType> paramDTypes;
  for (const WeightSpec &spec : expectedWeights(config)) {
    auto found = options.weightTypes.find(spec.name);
    DType dtype = found != options.weightTypes.end() ? found->second
                                                      : options.defaultWeightType;
    Type type = RankedTensorType::get(spec.shape, elementTypeOf(context, dtype));
    auto param = builder.create<facet::ParamOp>(
        loc, spec.name, type, std::string(weightClassName(spec.cls)),
        spec.layer >= 0 ? builder.getI64IntegerAttr(spec.layer) : IntegerAttr());
    (void)param;
    paramTypes.emplace(spec.name, type);
    paramDTypes.emplace(spec.name, dtype);
  }

  for (const LayerSpec &spec : config.layers) {
    if (spec.kvSourceLayer >= 0)
      continue;
    builder.create<facet::KVCacheOp>(
        loc, kvCacheName(spec.index),
        spec.kind == AttentionKind::Sliding ? facet::CacheKind::sliding
                                            : facet::CacheKind::full,
        spec.window, spec.kvHeads, spec.headDim, spec.index, spec.kEqV,
        /*capacity=*/IntegerAttr(), /*dtype=*/TypeAttr());
  }

  EntryPointBuilder entry(*module, config, paramTypes, paramDTypes);
  entry.build("prefill", ShapedType::kDynamic);
  entry.build("decode", 1);
  return module;
}

} // namespace facet
