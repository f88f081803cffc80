//===- ModelSummary.cpp - What `facet inspect` reports about a module -----===//

#include "tools/facet/ModelSummary.h"

#include "codegen/plan/PlanBuilder.h"
#include "dialects/FacetDialect.h"
#include "frontend/support/Error.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

using namespace mlir;

namespace facet {
namespace {

std::string typeName(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    os << tensor.getElementType();
  else if (type.isSignlessInteger(8))
    os << "int8";
  else if (auto quant = dyn_cast<QuantizedWeightType>(type))
    os << "int" << quant.getBits() << "-g" << quant.getGroup();
  else
    os << type;
  return text;
}

/// "4.63 B", "402.65 M", "1.23 K".
std::string humanCount(int64_t value) {
  if (value >= 1'000'000'000)
    return fmt::format("{:.2f} B", value / 1e9);
  if (value >= 1'000'000)
    return fmt::format("{:.2f} M", value / 1e6);
  if (value >= 1'000)
    return fmt::format("{:.2f} K", value / 1e3);
  return std::to_string(value);
}

std::string humanBytes(int64_t bytes) {
  if (bytes >= (int64_t(1) << 30))
    return fmt::format("{:.2f} GiB", bytes / double(int64_t(1) << 30));
  if (bytes >= (1 << 20))
    return fmt::format("{:.2f} MiB", bytes / double(1 << 20));
  if (bytes >= (1 << 10))
    return fmt::format("{:.2f} KiB", bytes / double(1 << 10));
  return fmt::format("{} B", bytes);
}

std::optional<KvSummary> summarizeCaches(ModuleOp module) {
  KvSummary kv;
  for (KVCacheOp cache : module.getOps<KVCacheOp>()) {
    if (!cache.getCapacity() || !cache.getDtype())
      return std::nullopt;
    kv.dtype = typeName(*cache.getDtype());
    // The bytes the package's manifest will state for this cache.
    int64_t bytes =
        int64_t(package::cacheEntryBytes(codegen::cacheInfoOf(cache)));
    if (cache.getKind() == CacheKind::sliding) {
      ++kv.slidingCaches;
      kv.ringEntries = std::max(kv.ringEntries, int64_t(*cache.getCapacity()));
      kv.ringBytes += bytes * int64_t(*cache.getCapacity());
    } else {
      ++kv.fullCaches;
      kv.context = *cache.getCapacity();
      kv.bytesPerToken += bytes;
    }
  }
  return kv;
}

} // namespace

ModelSummary summarizeModel(ModuleOp module) {
  ModelSummary summary;
  if (auto source = module->getAttrOfType<StringAttr>("facet.source"))
    summary.source = source.str();
  if (auto weights = module->getAttrOfType<StringAttr>("facet.weights"))
    summary.weights = weights.str();
  auto model = module->getAttrOfType<DictionaryAttr>("facet.model");
  if (!model)
    throw Error("not a Facet model: the module has no 'facet.model' "
                "attribute (make one with 'facet import')");
  if (auto experts = model.getAs<IntegerAttr>("num_experts"))
    summary.numExperts = experts.getInt();
  if (auto topK = model.getAs<IntegerAttr>("top_k_experts"))
    summary.topKExperts = topK.getInt();

  std::map<std::string, ParamOp> params;
  for (auto param : module.getOps<ParamOp>()) {
    int64_t count = getWeightNumElements(param.getType());
    summary.totalParameters += count;
    summary.parametersByClass[param.getWeightClass().str()] += count;
    summary.weightBytesByType[typeName(param.getType())] +=
        getWeightStorageBytes(param.getType());
    params.emplace(param.getSymName().str(), param);
  }
  std::map<std::string, KVCacheOp> caches;
  for (auto cache : module.getOps<KVCacheOp>())
    caches.emplace(cache.getSymName().str(), cache);

  func::FuncOp entry;
  for (auto func : module.getOps<func::FuncOp>()) {
    summary.entryPoints.push_back(func.getName().str());
    if (!entry || func.getName() == "decode")
      entry = func;
  }
  if (!entry)
    throw Error("the module has no entry point (func.func): not a Facet "
                "model");

  entry.walk([&](AttentionOp attention) {
    LayerSummary layer;
    layer.index = attention.getLayer();
    layer.window = attention.getWindow();
    KVCacheOp cache = caches.at(attention.getCache().str());
    layer.type = stringifyCacheKind(cache.getKind()).str();
    layer.headDim = cache.getHeadDim();
    layer.kvHeads = cache.getKvHeads();
    layer.kEqV = cache.getKEqV();
    if (cache.getLayer() != layer.index)
      layer.kvSource = cache.getLayer();
    auto gate = params.find("layers." + std::to_string(layer.index) +
                            ".mlp.gate_proj.weight");
    if (gate != params.end())
      layer.mlpWidth = (*getWeightShape(gate->second.getType()))[0];
    summary.layers.push_back(layer);
  });
  summary.kv = summarizeCaches(module);
  if (summary.kv)
    for (const LayerSummary &layer : summary.layers)
      summary.kv->sharedLayers += layer.kvSource.has_value();
  return summary;
}

nlohmann::ordered_json toJson(const ModelSummary &summary) {
  nlohmann::ordered_json json;
  json["source"] = summary.source;
  json["weights"] = summary.weights;
  json["entry_points"] = summary.entryPoints;
  json["parameters"]["total"] = summary.totalParameters;
  json["parameters"]["by_class"] = summary.parametersByClass;
  json["weight_bytes"] = summary.weightBytesByType;
  if (summary.numExperts)
    json["moe"] = {{"experts", summary.numExperts},
                   {"top_k", summary.topKExperts}};
  json["layers"] = nlohmann::ordered_json::array();
  for (const LayerSummary &layer : summary.layers) {
    nlohmann::ordered_json row;
    row["index"] = layer.index;
    row["type"] = layer.type;
    row["window"] = layer.window;
    row["head_dim"] = layer.headDim;
    row["kv_heads"] = layer.kvHeads;
    row["kv_source"] = layer.kvSource ? nlohmann::ordered_json(*layer.kvSource)
                                      : nlohmann::ordered_json(nullptr);
    row["k_eq_v"] = layer.kEqV;
    row["mlp_width"] = layer.mlpWidth;
    json["layers"].push_back(row);
  }
  if (const std::optional<KvSummary> &kv = summary.kv)
    json["kv"] = {{"dtype", kv->dtype},
                  {"context", kv->context},
                  {"full_caches", kv->fullCaches},
                  {"sliding_caches", kv->slidingCaches},
                  {"shared_layers", kv->sharedLayers},
                  {"ring_entries", kv->ringEntries},
                  {"ring_bytes", kv->ringBytes},
                  {"bytes_per_token", kv->bytesPerToken},
                  {"bytes_at_context",
                   kv->ringBytes + kv->bytesPerToken * kv->context}};
  return json;
}

std::string toText(const ModelSummary &summary) {
  std::string out;
  out += fmt::format("source:      {}\n", summary.source);
  out += fmt::format("weights:     {}\n",
                     summary.weights == "checked"
                         ? "checked against the checkpoint"
                         : "declared from config.json (no data)");
  out += fmt::format("entry points: {}\n", fmt::join(summary.entryPoints, ", "));
  out += fmt::format("parameters:  {} ({})\n", humanCount(summary.totalParameters),
                     summary.totalParameters);
  for (const auto &[cls, count] : summary.parametersByClass)
    out += fmt::format("  {:<16}{:>12}  {:5.1f} %\n", cls, humanCount(count),
                       100.0 * count / std::max<int64_t>(1, summary.totalParameters));
  out += "weight bytes:\n";
  for (const auto &[type, bytes] : summary.weightBytesByType)
    out += fmt::format("  {:<16}{:>12}\n", type, humanBytes(bytes));
  if (summary.numExperts)
    out += fmt::format("experts:     {} (top {})\n", summary.numExperts,
                       summary.topKExperts);
  out += fmt::format("layers:      {}\n", summary.layers.size());
  out += "  layer  type     window  head_dim  kv_heads  kv_source  k_eq_v  "
         "mlp_width\n";
  for (const LayerSummary &layer : summary.layers)
    out += fmt::format("  {:>5}  {:<7}  {:>6}  {:>8}  {:>8}  {:>9}  {:>6}  {:>9}\n",
                       layer.index, layer.type,
                       layer.window ? std::to_string(layer.window) : "-",
                       layer.headDim, layer.kvHeads,
                       layer.kvSource ? std::to_string(*layer.kvSource) : "-",
                       layer.kEqV ? "yes" : "-", layer.mlpWidth);
  if (const std::optional<KvSummary> &kv = summary.kv)
    out += fmt::format(
        "kv cache ({}): {} full caches, {} per token of context; {} sliding "
        "rings of {} entries, {}; {} KV-shared layers allocate nothing; {} "
        "at {} tokens\n",
        kv->dtype, kv->fullCaches, humanBytes(kv->bytesPerToken),
        kv->slidingCaches, kv->ringEntries, humanBytes(kv->ringBytes),
        kv->sharedLayers,
        humanBytes(kv->ringBytes + kv->bytesPerToken * kv->context),
        kv->context);
  return out;
}

} // namespace facet
