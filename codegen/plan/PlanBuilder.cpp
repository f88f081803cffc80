//===- PlanBuilder.cpp - Host plan of a kernel-outlined module ------------===//

#include "codegen/plan/PlanBuilder.h"
#include "codegen/target/RowTiles.h"

#include "frontend/support/Error.h"

#include "llvm/ADT/DenseMap.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>

using namespace mlir;

namespace facet::codegen {

package::ElementType toElementType(Type type) {
  if (type.isF32())
    return package::ElementType::F32;
  if (type.isF16())
    return package::ElementType::F16;
  if (type.isBF16())
    return package::ElementType::BF16;
  if (type.isSignlessInteger(32))
    return package::ElementType::I32;
  if (type.isSignlessInteger(8))
    return package::ElementType::I8;
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  throw Error(fmt::format("internal: no package element type for {}", text));
}

namespace {

std::vector<int64_t> bufferShape(RankedTensorType type, llvm::StringRef what) {
  std::vector<int64_t> shape;
  for (auto [index, dim] : llvm::enumerate(type.getShape())) {
    if (ShapedType::isDynamic(dim)) {
      if (index != 0)
        throw Error(fmt::format("cannot plan {}: only the token dimension "
                                "may be dynamic",
                                what.str()));
      shape.push_back(package::kTokens);
    } else {
      shape.push_back(dim);
    }
  }
  return shape;
}

package::WeightInfo weightInfo(std::string name, package::ElementType type,
                               std::vector<int64_t> shape) {
  package::WeightInfo weight;
  weight.name = std::move(name);
  weight.type = type;
  weight.shape = std::move(shape);
  weight.bytes = package::elementSize(type);
  for (int64_t dim : weight.shape)
    weight.bytes *= static_cast<uint64_t>(dim);
  return weight;
}

std::vector<package::WeightInfo> storedParts(ParamOp param);

} // namespace

std::string schemeOf(Type type) {
  if (auto quantized = dyn_cast<QuantizedWeightType>(type)) {
    // A row-tiled layout (RowTiles.h) is part of what a reader must know.
    std::string tiles;
    if (quantized.getTileRows() > 0)
      tiles = fmt::format("-tiles{}", quantized.getTileRows());
    if (quantized.getTileDepth() != 1)
      tiles += fmt::format("by{}", quantized.getTileDepth());
    if (quantized.getTileWords())
      tiles += "w";
    if (quantized.getBits() == 8)
      return "int8" + tiles;
    return fmt::format("int4-g{}{}{}", quantized.getGroup(),
                       quantized.getSymmetric() ? "" : "-asym", tiles);
  }
  return package::elementTypeName(
      toElementType(cast<RankedTensorType>(type).getElementType()));
}

package::CacheInfo cacheInfoOf(KVCacheOp cacheOp) {
  package::CacheInfo cache;
  cache.name = cacheOp.getSymName().str();
  cache.type = cacheOp.getDtype() ? toElementType(*cacheOp.getDtype())
                                  : package::ElementType::F32;
  cache.kvHeads = cacheOp.getKvHeads();
  cache.headDim = cacheOp.getHeadDim();
  cache.window = cacheOp.getWindow();
  if (!cacheOp.getCapacity())
    throw Error(fmt::format("cache '{}' has no capacity: run "
                            "--facet-schedule-kv first",
                            cache.name));
  cache.capacity = *cacheOp.getCapacity();
  return cache;
}

std::vector<package::WeightInfo> weightParts(ParamOp param) {
  std::vector<package::WeightInfo> parts = storedParts(param);
  for (package::WeightInfo &part : parts) {
    part.weightClass = param.getWeightClass().str();
    part.scheme = schemeOf(param.getType());
  }
  return parts;
}

namespace {

std::vector<package::WeightInfo> storedParts(ParamOp param) {
  std::string name = param.getSymName().str();
  if (auto type = dyn_cast<RankedTensorType>(param.getType()))
    return {weightInfo(name, toElementType(type.getElementType()),
                       std::vector<int64_t>(type.getShape().begin(),
                                            type.getShape().end()))};
  auto quantized = cast<QuantizedWeightType>(param.getType());
  std::vector<int64_t> shape(quantized.getShape().begin(),
                             quantized.getShape().end());
  int64_t inner = shape.back();
  int64_t group = quantized.getGroup() > 0 ? quantized.getGroup() : inner;
  bool int4 = quantized.getBits() == 4;
  std::vector<int64_t> integers = shape, groups = shape;
  integers.back() = int4 ? inner / 2 : inner;
  groups.back() = inner / group;
  if (std::optional<codegen::RowTiling> tiling = codegen::rowTiling(quantized))
    std::tie(integers, groups) = codegen::rowTiledShapes(*tiling);
  std::vector<package::WeightInfo> parts;
  // Tiles of 16-bit words hold the same bytes as u8 tiles; the element
  // type is what the kernel's argument is declared as (RowTiles.h).
  package::ElementType integerType = !int4 ? package::ElementType::I8
                                     : quantized.getTileWords()
                                         ? package::ElementType::U16
                                         : package::ElementType::U8;
  parts.push_back(weightInfo(name, integerType, integers));
  parts.push_back(weightInfo(name + ".scales",
                             toElementType(quantized.getScale()), groups));
  if (!quantized.getSymmetric())
    parts.push_back(
        weightInfo(name + ".zeros", package::ElementType::U8, groups));
  return parts;
}

class EntryPlanner {
public:
  EntryPlanner(const std::map<std::string, uint64_t> &weightIndex,
               const std::map<std::string, uint64_t> &cacheIndex,
               const KernelProvider &kernels)
      : weightIndex(weightIndex), cacheIndex(cacheIndex), kernels(kernels) {}

  package::EntryPoint plan(func::FuncOp func, int64_t maxTokens);

private:
  uint64_t newBuffer(Value value, const std::string &name, int64_t offset);
  uint64_t bufferOf(Value value);
  package::Arg argFor(Value value);

  const std::map<std::string, uint64_t> &weightIndex;
  const std::map<std::string, uint64_t> &cacheIndex;
  const KernelProvider &kernels;

  package::EntryPoint entry;
  llvm::DenseMap<Value, uint64_t> buffers;
  llvm::DenseMap<Value, uint64_t> weights;
};

uint64_t EntryPlanner::newBuffer(Value value, const std::string &name,
                                 int64_t offset) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    throw Error(fmt::format("cannot plan {}: not a ranked tensor", name));
  package::BufferInfo buffer;
  buffer.name = name;
  buffer.type = toElementType(type.getElementType());
  buffer.shape = bufferShape(type, name);
  buffer.arenaOffset = uint64_t(offset);
  uint64_t id = entry.buffers.size();
  entry.buffers.push_back(std::move(buffer));
  buffers[value] = id;
  return id;
}

uint64_t EntryPlanner::bufferOf(Value value) {
  auto found = buffers.find(value);
  if (found == buffers.end())
    throw Error("internal: value used before the plan defines it");
  return found->second;
}

package::Arg EntryPlanner::argFor(Value value) {
  auto weight = weights.find(value);
  if (weight != weights.end())
    return {package::ArgKind::Weight, weight->second};
  return {package::ArgKind::Buffer, bufferOf(value)};
}

package::EntryPoint EntryPlanner::plan(func::FuncOp func, int64_t maxTokens) {
  entry.name = func.getName().str();
  entry.maxTokens = maxTokens;
  if (func.getNumArguments() != 2 || func.getNumResults() != 1)
    throw Error(fmt::format("entry point @{} must take (token_ids, "
                            "positions) and return logits",
                            entry.name));

  // --facet-plan-memory placed every buffer.
  auto arenaBytes = func->getAttrOfType<IntegerAttr>("facet.arena_bytes");
  if (!arenaBytes)
    throw Error(fmt::format("@{} has no arena plan: run --facet-plan-memory "
                            "first",
                            entry.name));
  entry.arenaBytes = uint64_t(arenaBytes.getInt());
  auto argumentOffset = [&](unsigned index) {
    auto offset =
        func.getArgAttrOfType<IntegerAttr>(index, "facet.arena_offset");
    if (!offset)
      throw Error(fmt::format("internal: argument {} of @{} has no arena "
                              "offset",
                              index, entry.name));
    return offset.getInt();
  };
  entry.tokenIdsBuffer =
      newBuffer(func.getArgument(0), "token_ids", argumentOffset(0));
  entry.positionsBuffer =
      newBuffer(func.getArgument(1), "positions", argumentOffset(1));

  for (Operation &op : func.getBody().getOps()) {
    if (auto weight = dyn_cast<WeightOp>(op)) {
      weights[weight.getResult()] = weightIndex.at(weight.getName().str());
    } else if (auto kernel = dyn_cast<KernelOp>(op)) {
      auto [kernelId, signature] = kernels(kernel);
      package::Step step;
      step.kind = package::StepKind::Kernel;
      step.kernel = kernelId;
      // Outputs get buffers first so that inputs used for the last time
      // here cannot share their bytes.
      auto offsets =
          kernel->getAttrOfType<DenseI64ArrayAttr>("facet.arena_offsets");
      if (!offsets || offsets.size() != int64_t(kernel.getNumResults()))
        throw Error(fmt::format("kernel '{}' has no arena offsets: run "
                                "--facet-plan-memory first",
                                kernel.getName().str()));
      std::vector<uint64_t> outputs;
      for (auto [index, result] : llvm::enumerate(kernel.getResults()))
        outputs.push_back(newBuffer(
            result, kernel.getName().str() + "#" + std::to_string(index),
            offsets[index]));
      for (const KernelParam &param : signature->params) {
        switch (param.kind) {
        case KernelParam::Kind::Input: {
          package::Arg arg = argFor(kernel.getInputs()[param.index]);
          if (param.part > 0) {
            if (arg.kind != package::ArgKind::Weight)
              throw Error(fmt::format("internal: kernel '{}' reads part {} "
                                      "of input {}, which is no weight",
                                      kernel.getName().str(), param.part,
                                      param.index));
            arg.index += param.part; // the parts follow the integers
          }
          step.args.push_back(arg);
          break;
        }
        case KernelParam::Kind::Output:
          step.args.push_back({package::ArgKind::Buffer, outputs[param.index]});
          break;
        case KernelParam::Kind::CacheKeys:
          step.args.push_back(
              {package::ArgKind::CacheKeys, cacheIndex.at(param.cache)});
          break;
        case KernelParam::Kind::CacheValues:
          step.args.push_back(
              {package::ArgKind::CacheValues, cacheIndex.at(param.cache)});
          break;
        case KernelParam::Kind::CacheKeyScales:
          step.args.push_back(
              {package::ArgKind::CacheKeyScales, cacheIndex.at(param.cache)});
          break;
        case KernelParam::Kind::CacheValueScales:
          step.args.push_back({package::ArgKind::CacheValueScales,
                               cacheIndex.at(param.cache)});
          break;
        case KernelParam::Kind::Scalar:
          step.args.push_back({package::ArgKind::Scalar,
                               static_cast<uint64_t>(param.scalar)});
          break;
        case KernelParam::Kind::Constant:
          step.args.push_back(
              {package::ArgKind::Constant, static_cast<uint64_t>(param.value)});
          break;
        }
      }
      entry.steps.push_back(std::move(step));
    } else if (auto store = dyn_cast<KVStoreOp>(op)) {
      package::Step step;
      step.kind = package::StepKind::KVStore;
      step.cache = cacheIndex.at(store.getCache().str());
      step.args.push_back({package::ArgKind::Buffer, bufferOf(store.getKeys())});
      step.args.push_back(
          {package::ArgKind::Buffer, bufferOf(store.getValues())});
      entry.steps.push_back(std::move(step));
    } else if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      entry.logitsBuffer = bufferOf(ret.getOperand(0));
    } else {
      throw Error(fmt::format(
          "cannot plan '{}' in @{}: run --facet-outline-kernels first",
          op.getName().getStringRef().str(), entry.name));
    }
  }

  return entry;
}

} // namespace

void buildPlan(ModuleOp module, const KernelProvider &kernels,
               package::Manifest &manifest) {
  std::map<std::string, uint64_t> weightIndex;
  for (auto param : module.getOps<ParamOp>()) {
    weightIndex.emplace(param.getSymName().str(), manifest.weights.size());
    for (package::WeightInfo &weight : weightParts(param))
      manifest.weights.push_back(std::move(weight));
  }

  std::map<std::string, uint64_t> cacheIndex;
  for (auto cacheOp : module.getOps<KVCacheOp>()) {
    package::CacheInfo cache = cacheInfoOf(cacheOp);
    cacheIndex.emplace(cache.name, manifest.caches.size());
    manifest.caches.push_back(std::move(cache));
  }

  for (const char *name : {"prefill", "decode"}) {
    auto func = module.lookupSymbol<func::FuncOp>(name);
    if (!func)
      throw Error(fmt::format("the module has no @{} entry point", name));
    auto tokens = func->getAttrOfType<IntegerAttr>("facet.max_tokens");
    if (!tokens || tokens.getInt() < 1)
      throw Error(fmt::format("@{} has no facet.max_tokens: run "
                              "--facet-schedule-kv first",
                              name));
    int64_t maxTokens = tokens.getInt();
    EntryPlanner planner(weightIndex, cacheIndex, kernels);
    manifest.entryPoints.push_back(planner.plan(func, maxTokens));
  }
}

} // namespace facet::codegen
