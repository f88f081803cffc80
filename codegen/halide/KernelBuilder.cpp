//===- KernelBuilder.cpp - A list of facet ops -> one Halide kernel -------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "codegen/halide/KernelBuilder.h"

#include "codegen/halide/CpuRetarget.h"
#include "codegen/halide/EmitterSupport.h"
#include "codegen/halide/OpEmitters.h"
#include "codegen/target/RowTiles.h"
#include "codegen/target/WeightTiles.h"
#include "frontend/support/Error.h"

#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"

#include <cctype>
#include <cstdio>
#include <fmt/format.h>
#include <map>
#include <set>

using namespace Halide;

namespace facet::codegen {
namespace {

std::string sanitize(llvm::StringRef text) {
  std::string name;
  for (char c : text)
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    name = "v" + name;
  return name;
}

/// Tells Halide what it can assume about a dense buffer of `shape`
/// (outermost-first) whose dimension d (innermost-first) is `dim(d)`:
/// minima 0, the extents of static dimensions, and the strides of
/// dimensions that have only static ones inside.
template <typename DimensionOf>
void constrainDense(DimensionOf dim, llvm::ArrayRef<int64_t> shape) {
  int rank = shape.size();
  int64_t stride = 1;
  bool staticInside = true;
  for (int d = 0; d < rank; ++d) {
    int64_t size = shape[rank - 1 - d];
    Internal::Dimension dimension = dim(d);
    dimension.set_min(0);
    if (!mlir::ShapedType::isDynamic(size))
      dimension.set_extent(static_cast<int32_t>(size));
    if (d > 0 && staticInside)
      dimension.set_stride(static_cast<int32_t>(stride));
    if (mlir::ShapedType::isDynamic(size))
      staticInside = false;
    else
      stride *= size;
  }
}

void constrainDense(const ImageParam &param, llvm::ArrayRef<int64_t> shape) {
  constrainDense([&](int d) { return param.dim(d); }, shape);
}

void constrainDenseOutput(Func &output, llvm::ArrayRef<int64_t> shape) {
  constrainDense([&](int d) { return output.output_buffer().dim(d); }, shape);
}

mlir::RankedTensorType tensorType(mlir::Value value, const std::string &what) {
  auto type = mlir::dyn_cast<mlir::RankedTensorType>(value.getType());
  if (!type)
    throw Error(fmt::format("codegen: {} is not a ranked tensor", what));
  return type;
}

/// An ImageParam's contents as the HTensor emitters read: f32 or i32.
HTensor wrapParam(const ImageParam &param, mlir::RankedTensorType type,
                  const std::string &name) {
  Type storage = storageType(type.getElementType());
  std::vector<Var> vars = detail::makeVars(type.getRank());
  Func read(name + "_read");
  read(vars) = widenToF32(param(vars), storage);
  HTensor tensor;
  tensor.func = read;
  for (int64_t d = 0; d < type.getRank(); ++d)
    tensor.shape.push_back(
        type.isDynamicDim(d) ? param.dim(type.getRank() - 1 - d).extent()
                             : Expr(static_cast<int32_t>(type.getDimSize(d))));
  return tensor;
}

/// The kernel under construction: owns the arguments and answers the
/// emitters' questions about weights, caches and the context length.
class Builder : public EmitContext {
public:
  explicit Builder(BuiltKernel &kernel) : kernel(kernel) {}

  HTensor addInput(mlir::Value value, unsigned index, const std::string &name) {
    if (auto quantized =
            mlir::dyn_cast<QuantizedWeightType>(value.getType()))
      return addQuantizedInput(quantized, index, name);
    auto type = tensorType(value, "kernel input " + name);
    std::string unique = sanitize(name);
    if (!inputNames.insert(unique).second)
      unique += "_" + std::to_string(index);
    ImageParam param(storageType(type.getElementType()), type.getRank(),
                     unique);
    constrainDense(param, type.getShape());
    kernel.inputs.push_back(param);
    kernel.arguments.push_back(param);
    kernel.argInfo.push_back({KernelArgInfo::Kind::Input, index, ""});
    return wrapParam(param, type, param.name());
  }

  /// A quantized weight arrives as its integers, its scales and (asymmetric)
  /// its zero points; the HTensor emitters see dequantizes in registers:
  /// value(k, n...) = (q(k, n...) - zero) * scale(k / group, n...).
  /// int4: two per byte, element 2i in the low nibble, stored as q + 8 when
  /// symmetric (so both forms subtract a zero point of 0..15).
  HTensor addQuantizedInput(QuantizedWeightType type, unsigned index,
                            const std::string &name) {
    llvm::ArrayRef<int64_t> shape = type.getShape();
    int64_t rank = static_cast<int64_t>(shape.size());
    int64_t inner = shape.back();
    int64_t group = type.getGroup() > 0 ? type.getGroup() : inner;
    bool int4 = type.getBits() == 4;
    std::optional<WeightTiling> tiling =
        int8WeightTiling(kernel.schedule.weightTileRows, type);
    std::string base = sanitize(name);
    if (!inputNames.insert(base).second)
      base += "_" + std::to_string(index);

    std::optional<RowTiling> rowTiles = rowTiling(type);
    auto addPart = [&](Halide::Type element, int64_t innerExtent,
                       unsigned part, const char *suffix,
                       std::optional<std::vector<int64_t>> tiledShape) {
      ImageParam param(element, int(rank), base + suffix);
      llvm::SmallVector<int64_t> partShape(shape.begin(), shape.end());
      partShape.back() = innerExtent;
      if (tiledShape)
        partShape.assign(tiledShape->begin(), tiledShape->end());
      constrainDense(param, partShape);
      kernel.inputs.push_back(param);
      kernel.arguments.push_back(param);
      kernel.argInfo.push_back({KernelArgInfo::Kind::Input, index, "", part});
      return param;
    };
    std::optional<std::vector<int64_t>> tiledIntegers, tiledScales;
    if (rowTiles)
      std::tie(tiledIntegers, tiledScales) = rowTiledShapes(*rowTiles);
    bool words = rowTiles && rowTiles->words;
    ImageParam q = addPart(words  ? UInt(16)
                           : int4 ? UInt(8)
                                  : Int(8),
                           int4 ? inner / 2 : inner, 0, "_q", tiledIntegers);
    ImageParam scales = addPart(storageType(type.getScale()), inner / group,
                                1, "_scales", tiledScales);
    std::optional<ImageParam> zeros;
    if (!type.getSymmetric())
      zeros = addPart(UInt(8), inner / group, 2, "_zeros", std::nullopt);

    std::vector<Var> vars = detail::makeVars(rank);
    std::vector<Expr> at(vars.begin(), vars.end());
    Expr k = vars[0];
    std::vector<Expr> groupAt = at;
    groupAt[0] = k / int32_t(group);
    Expr integer;
    Expr offsetInteger; // tiled: the stored u8 q + 128
    Expr zero = 0.0f;
    std::optional<RowTiledView> rowTiledView;
    if (rowTiles) {
      // Row tiles (RowTiles.h): every reader goes through the tiled
      // addresses; the GEMV reads `bytes` and `scales` directly.
      RowTiledView view;
      Var j("j"), c("c"), n("n"), b("b");
      // The stored byte at (column, row): of a word, byte h of word i
      // is stored byte 2i + h (little-endian).
      auto storedByte = [&](Expr column, Expr row) -> Expr {
        if (!words)
          return q(column, row);
        Expr shift = cast<uint16_t>(column % 2 * 8);
        return cast<uint8_t>(q(column / 2, row) >> shift);
      };
      view.bytes = Func(base + "_tiled_bytes");
      auto [column, row] = rowTiledIntegerAt<Expr>(*rowTiles, c, j, n);
      view.bytes(j, c, n) = storedByte(column, row);
      Var rowInBlock("ni"), block("no");
      view.blockBytes = Func(base + "_tiled_block_bytes");
      view.blockBytes(j, c, rowInBlock, block) = storedByte(
          rowTiledColumnInBlock<Expr>(*rowTiles, c, j, rowInBlock), block);
      if (words) {
        Var word("w");
        view.blockWords = Func(base + "_tiled_block_words");
        (*view.blockWords)(word, c, rowInBlock, block) =
            q(rowTiledWordColumnInBlock<Expr>(*rowTiles, c, word, rowInBlock),
              block);
      }
      view.storedScales = Func(base + "_tiled_stored_scales");
      auto [scaleColumn, scaleRow] = rowTiledScaleAt<Expr>(*rowTiles, b, n);
      view.storedScales(b, n) = scales(scaleColumn, scaleRow);
      view.scaleStorage = storageType(type.getScale());
      view.scales = Func(base + "_tiled_scales");
      view.scales(b, n) =
          widenToF32(view.storedScales(b, n), view.scaleStorage);
      view.tiling = *rowTiles;
      Expr chunk = k / int32_t(rowTiles->inputsPerChunk());
      Expr within = k % int32_t(rowTiles->inputsPerChunk());
      Expr byte = view.bytes(within % 16, chunk, vars[1]);
      integer = int4 ? select(within < 16, byte & 15, byte >> 4) : byte;
      if (int4)
        zero = Expr(8.0f);
      rowTiledView = view;
    } else if (int4) {
      std::vector<Expr> byteAt = at;
      byteAt[0] = k / 2;
      Expr byte = q(byteAt);
      integer = select(k % 2 == 0, byte & 15, byte >> 4);
      zero = zeros ? cast<float>((*zeros)(groupAt)) : Expr(8.0f);
    } else if (tiling) {
      // Tiled for the target's dot instruction and stored as q + 128
      // (WeightTiles.h). Tiles start at multiples of their size (the
      // package aligns weights), so their vector loads are aligned.
      q.set_host_alignment(int(tiling->tileBytes()));
      auto [column, row] = tiledPosition<Expr>(*tiling, vars[0], vars[1]);
      offsetInteger = reinterpret(UInt(8), q(column, row));
      integer = cast<int8_t>(cast<int32_t>(offsetInteger) - 128);
    } else {
      integer = q(at);
    }
    // The scale of (group, row...), from the tiles or row-major.
    auto scaleAt = [&](const std::vector<Expr> &where) -> Expr {
      if (rowTiledView)
        return rowTiledView->scales(where[0], where[1]);
      return widenToF32(scales(where), storageType(type.getScale()));
    };
    Expr scale = scaleAt(groupAt);
    Func read(base + "_dequant");
    read(vars) = (cast<float>(integer) - zero) * scale;
    HTensor tensor;
    tensor.func = read;
    for (int64_t dim : shape)
      tensor.shape.push_back(Expr(static_cast<int32_t>(dim)));
    tensor.rowTiled = rowTiledView;
    if (!int4 && group == inner) {
      // Per-row int8: emitters may also read the integers themselves.
      QuantizedView view;
      view.integers = Func(base + "_int8");
      view.integers(vars) = integer;
      if (tiling) {
        view.tiledOffsetIntegers = Func(base + "_u8_tiled");
        (*view.tiledOffsetIntegers)(vars) = offsetInteger;
        view.tileRows = tiling->rows;
      }
      std::vector<Var> rowVars(vars.begin() + 1, vars.end());
      std::vector<Expr> rowAt(rowVars.begin(), rowVars.end());
      rowAt.insert(rowAt.begin(), Expr(0));
      view.scales = Func(base + "_row_scale");
      view.scales(rowVars) = scaleAt(rowAt);
      tensor.quantized = view;
    }
    return tensor;
  }

  HTensor weight(WeightOp op) override {
    std::string symbol = op.getName().str();
    auto type = tensorType(op.getResult(), "weight @" + symbol);
    auto found = weightParams.find(symbol);
    if (found == weightParams.end()) {
      ImageParam param(storageType(type.getElementType()), type.getRank(),
                       sanitize("w_" + symbol));
      constrainDense(param, type.getShape());
      kernel.weights.emplace_back(symbol, param);
      pendingWeights.push_back(param);
      pendingWeightInfo.push_back({KernelArgInfo::Kind::Weight, 0, symbol});
      found = weightParams.emplace(symbol, param).first;
    }
    return wrapParam(found->second, type, uniqueName("w_" + symbol));
  }

  CacheView cache(mlir::Operation *user, llvm::StringRef symbol) override {
    auto decl = mlir::SymbolTable::lookupNearestSymbolFrom<KVCacheOp>(
        user, mlir::StringAttr::get(user->getContext(), symbol));
    if (!decl)
      detail::fail(user, "names @" + symbol.str() +
                             ", which is not a facet.kv_cache");
    auto found = cacheViews.find(symbol.str());
    if (found != cacheViews.end())
      return found->second;
    int64_t heads = decl.getKvHeadsAttr().getInt();
    int64_t headDim = decl.getHeadDimAttr().getInt();
    mlir::Type dtype = decl.getDtype()
                           ? *decl.getDtype()
                           : mlir::Type(mlir::Float32Type::get(
                                 user->getContext()));
    bool int8 = dtype.isInteger(8);
    if (!int8 && !dtype.isF32() && !dtype.isBF16() && !dtype.isF16())
      detail::fail(user, "cache @" + symbol.str() +
                             " has a dtype other than f32, bf16, f16 or i8");
    Halide::Type storage = int8 ? Int(8) : storageType(dtype);
    std::string base = sanitize(symbol);
    ImageParam keys(storage, 3, base + "_keys");
    ImageParam values(storage, 3, base + "_values");
    int64_t shape[] = {mlir::ShapedType::kDynamic, heads, headDim};
    constrainDense(keys, shape);
    constrainDense(values, shape);
    BuiltKernel::CacheParams params{symbol.str(), keys, values, {}, {}};
    if (int8) {
      int64_t scaleShape[] = {mlir::ShapedType::kDynamic, heads};
      params.keyScales = ImageParam(Float(32), 2, base + "_key_scales");
      params.valueScales = ImageParam(Float(32), 2, base + "_value_scales");
      constrainDense(*params.keyScales, scaleShape);
      constrainDense(*params.valueScales, scaleShape);
    }
    kernel.caches.push_back(params);

    // Widened to f32 where read: the emitters see f32 whatever the storage.
    CacheView view;
    Var j("j"), h("h"), s("s");
    auto read = [&](ImageParam data,
                    const std::optional<ImageParam> &scales) {
      if (scales)
        return cast<float>(data(j, h, s)) * (*scales)(h, s);
      return widenToF32(data(j, h, s), storage);
    };
    view.keys = Func(base + "_keys_read");
    view.keys(j, h, s) = read(keys, params.keyScales);
    view.values = Func(base + "_values_read");
    view.values(j, h, s) = read(values, params.valueScales);
    view.capacity = keys.dim(2).extent();
    view.kvHeads = heads;
    view.headDim = headDim;
    view.window = decl.getKind() == CacheKind::sliding
                      ? decl.getWindowAttr().getInt()
                      : 0;
    cacheViews.emplace(symbol.str(), view);
    return view;
  }

  bool int8DotUnsignedBySigned() const override {
    return kernel.schedule.int8DotUnsignedBySigned;
  }

  Expr contextLength() override {
    if (!kernel.contextLength)
      kernel.contextLength = Param<int32_t>("context_length");
    return *kernel.contextLength;
  }

  Expr launchConstant(int64_t value) override {
    for (const auto &[param, known] : kernel.constants)
      if (known == value)
        return param;
    Param<int32_t> param("launch_constant_" +
                         std::to_string(kernel.constants.size()));
    // Its value here, for a pipeline realized in process (JIT tests); a
    // compiled kernel takes it as an argument.
    param.set(static_cast<int32_t>(value));
    kernel.constants.emplace_back(param, value);
    return param;
  }

  /// Appends the arguments gathered while emitting, in the documented order.
  void finishArguments() {
    for (size_t i = 0; i < pendingWeights.size(); ++i) {
      kernel.arguments.push_back(pendingWeights[i]);
      kernel.argInfo.push_back(pendingWeightInfo[i]);
    }
    for (const BuiltKernel::CacheParams &cache : kernel.caches) {
      kernel.arguments.push_back(cache.keys);
      kernel.argInfo.push_back(
          {KernelArgInfo::Kind::CacheKeys, 0, cache.symbol});
      kernel.arguments.push_back(cache.values);
      kernel.argInfo.push_back(
          {KernelArgInfo::Kind::CacheValues, 0, cache.symbol});
      if (cache.keyScales) {
        kernel.arguments.push_back(*cache.keyScales);
        kernel.argInfo.push_back(
            {KernelArgInfo::Kind::CacheKeyScales, 0, cache.symbol});
        kernel.arguments.push_back(*cache.valueScales);
        kernel.argInfo.push_back(
            {KernelArgInfo::Kind::CacheValueScales, 0, cache.symbol});
      }
    }
    if (kernel.contextLength) {
      kernel.arguments.push_back(*kernel.contextLength);
      kernel.argInfo.push_back({KernelArgInfo::Kind::ContextLength, 0, ""});
    }
    for (const auto &[param, value] : kernel.constants) {
      kernel.arguments.push_back(param);
      KernelArgInfo info{KernelArgInfo::Kind::Constant, 0, ""};
      info.value = value;
      kernel.argInfo.push_back(info);
    }
  }

private:
  BuiltKernel &kernel;
  std::set<std::string> inputNames;
  std::map<std::string, ImageParam> weightParams;
  std::vector<ImageParam> pendingWeights;
  std::vector<KernelArgInfo> pendingWeightInfo;
  std::map<std::string, CacheView> cacheViews;
};

/// Compiles `objectPath`.bc, which Halide wrote for a target with an LLVM
/// CPU of its own, to `objectPath` with LLVM 19, and removes the bitcode.
void compileRetargeted(const std::string &objectPath,
                       const TargetInfo &target) {
  const std::string bitcode = objectPath + ".bc";
  try {
    compileBitcodeForCpu(bitcode, objectPath, target.llvmCpu);
  } catch (...) {
    std::remove(bitcode.c_str());
    throw;
  }
  std::remove(bitcode.c_str());
}

} // namespace

std::vector<Argument> BuiltKernel::inputArguments() const {
  std::vector<Argument> args;
  for (size_t i = 0; i < arguments.size(); ++i)
    if (argInfo[i].kind != KernelArgInfo::Kind::Output)
      args.push_back(arguments[i]);
  return args;
}

void BuiltKernel::compileToObject(const std::string &path,
                                  const std::string &functionName,
                                  const TargetInfo &target,
                                  bool withRuntime) const {
  Target halideTarget = target.halide;
  if (!withRuntime)
    halideTarget = halideTarget.with_feature(Target::NoRuntime);
  try {
    if (target.llvmCpu.empty()) {
      Pipeline(pipeline).compile_to_object(path, inputArguments(),
                                           functionName, halideTarget);
      return;
    }
    Pipeline(pipeline).compile_to_bitcode(path + ".bc", inputArguments(),
                                          functionName, halideTarget);
  } catch (const Halide::Error &error) {
    throw Error(fmt::format("codegen: compiling kernel '{}' for {} failed: {}",
                            name, target.name, error.what()));
  }
  compileRetargeted(path, target);
}

BuiltKernel buildKernel(llvm::ArrayRef<mlir::Operation *> ops,
                        llvm::ArrayRef<mlir::Value> inputs,
                        llvm::ArrayRef<mlir::Value> results,
                        const std::string &name, const KernelSchedule &schedule,
                        llvm::ArrayRef<std::string> inputNames) {
  BuiltKernel kernel;
  kernel.name = name;
  kernel.schedule = schedule;
  Builder builder(kernel);
  llvm::DenseMap<mlir::Value, HTensor> values;
  try {
    for (auto [index, input] : llvm::enumerate(inputs))
      values[input] = builder.addInput(input, index,
                                       index < inputNames.size() &&
                                               !inputNames[index].empty()
                                           ? inputNames[index]
                                           : fmt::format("in{}", index));
    for (mlir::Operation *op : ops) {
      requireEmittable(op);
      std::vector<HTensor> operands;
      for (mlir::Value operand : op->getOperands()) {
        auto found = values.find(operand);
        if (found == values.end())
          detail::fail(op, "uses a value that is neither a kernel input nor "
                           "computed earlier in the kernel");
        operands.push_back(found->second);
      }
      std::vector<HTensor> produced = emitOp(op, operands, builder);
      for (auto [result, tensor] : llvm::zip(op->getResults(), produced))
        values[result] = tensor;
    }
  } catch (const Halide::Error &error) {
    throw Error(
        fmt::format("codegen: building kernel '{}': {}", name, error.what()));
  }
  builder.finishArguments();

  // Outputs: an op's stored Func directly when it can be; otherwise a copy
  // (an input or a view yielded as is, a value yielded twice, f16/bf16).
  std::map<std::string, StageKind> kinds;
  for (const Stage &stage : builder.stages())
    kinds[stage.func.name()] = stage.kind;
  std::set<std::string> used;
  std::vector<Stage> outputStages;
  for (auto [index, result] : llvm::enumerate(results)) {
    auto found = values.find(result);
    if (found == values.end())
      throw Error(fmt::format("codegen: kernel '{}' result {} is not computed "
                              "by its ops",
                              name, index));
    auto type = tensorType(result, fmt::format("result {}", index));
    Type storage = storageType(type.getElementType());
    const HTensor &tensor = found->second;
    auto kind = kinds.find(tensor.func.name());
    bool direct = kind != kinds.end() &&
                  (kind->second == StageKind::Materialized ||
                   kind->second == StageKind::Pointwise) &&
                  !used.count(tensor.func.name()) &&
                  storage == tensor.func.output_types()[0];
    Func output = tensor.func;
    if (!direct) {
      std::vector<Var> vars = detail::makeVars(type.getRank());
      output = Func(builder.uniqueName(fmt::format("out{}", index)));
      output(vars) = cast(storage, tensor.func(vars));
    }
    used.insert(output.name());
    constrainDenseOutput(output, type.getShape());
    Stage stage;
    stage.func = output;
    stage.kind = StageKind::Materialized;
    stage.role = "output";
    if (!type.isDynamicDim(type.getRank() - 1))
      stage.innerExtent = type.getShape().back();
    outputStages.push_back(stage);
    kernel.outputs.push_back(output);
    kernel.arguments.emplace_back(output.name(), Argument::OutputBuffer,
                                  storage, type.getRank(), ArgumentEstimates{});
    kernel.argInfo.push_back(
        {KernelArgInfo::Kind::Output, static_cast<unsigned>(index), ""});
  }

  kernel.stages = builder.stages();
  try {
    applySchedule(kernel.stages, outputStages, schedule);
  } catch (const Halide::Error &error) {
    throw Error(fmt::format("codegen: scheduling kernel '{}' ({}): {}", name,
                            schedule.describe(), error.what()));
  }
  kernel.pipeline = Pipeline(kernel.outputs);
  return kernel;
}

BuiltKernel buildKernel(KernelOp kernel, const KernelSchedule &schedule) {
  mlir::Block &body = kernel.getBody().front();
  std::vector<mlir::Operation *> ops;
  std::vector<mlir::Value> results;
  for (mlir::Operation &op : body) {
    if (auto yield = mlir::dyn_cast<YieldOp>(op)) {
      results.assign(yield.getValues().begin(), yield.getValues().end());
      continue;
    }
    ops.push_back(&op);
  }
  std::vector<mlir::Value> inputs(body.getArguments().begin(),
                                  body.getArguments().end());
  return buildKernel(ops, inputs, results, kernel.getName().str(), schedule);
}

BuiltKernel buildKernel(mlir::func::FuncOp func,
                        const KernelSchedule &schedule) {
  std::vector<mlir::Operation *> ops;
  std::vector<mlir::Value> results;
  for (mlir::Operation &op : func.getBody().front()) {
    if (auto ret = mlir::dyn_cast<mlir::func::ReturnOp>(op)) {
      results.assign(ret.getOperands().begin(), ret.getOperands().end());
      continue;
    }
    ops.push_back(&op);
  }
  std::vector<mlir::Value> inputs(func.getArguments().begin(),
                                  func.getArguments().end());
  std::vector<std::string> names;
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    auto name = func.getArgAttrOfType<mlir::StringAttr>(i, "facet.name");
    names.push_back(name ? name.getValue().str() : "");
  }
  return buildKernel(ops, inputs, results, func.getName().str(), schedule,
                     names);
}

KernelSignature generateKernel(KernelOp kernelOp, const TargetInfo &target,
                               const std::string &symbol,
                               const std::string &objectPath) {
  BuiltKernel kernel = buildKernel(kernelOp, defaultSchedule(target));
  kernel.compileToObject(objectPath, symbol, target, /*withRuntime=*/false);
  KernelSignature signature;
  signature.symbol = symbol + "_argv";
  for (const KernelArgInfo &info : kernel.argInfo) {
    KernelParam param;
    switch (info.kind) {
    case KernelArgInfo::Kind::Input:
      param.kind = KernelParam::Kind::Input;
      param.index = info.index;
      param.part = info.part;
      break;
    case KernelArgInfo::Kind::Output:
      param.kind = KernelParam::Kind::Output;
      param.index = info.index;
      break;
    case KernelArgInfo::Kind::CacheKeys:
      param.kind = KernelParam::Kind::CacheKeys;
      param.cache = info.symbol;
      break;
    case KernelArgInfo::Kind::CacheValues:
      param.kind = KernelParam::Kind::CacheValues;
      param.cache = info.symbol;
      break;
    case KernelArgInfo::Kind::CacheKeyScales:
      param.kind = KernelParam::Kind::CacheKeyScales;
      param.cache = info.symbol;
      break;
    case KernelArgInfo::Kind::CacheValueScales:
      param.kind = KernelParam::Kind::CacheValueScales;
      param.cache = info.symbol;
      break;
    case KernelArgInfo::Kind::ContextLength:
      param.kind = KernelParam::Kind::Scalar;
      param.scalar = package::ScalarKind::ContextLength;
      break;
    case KernelArgInfo::Kind::Constant:
      param.kind = KernelParam::Kind::Constant;
      param.value = info.value;
      break;
    case KernelArgInfo::Kind::Weight:
      throw Error(fmt::format("codegen: kernel '{}' reads weight @{} through "
                              "facet.weight; outlined kernels take weights "
                              "as inputs",
                              kernelOp.getName().str(), info.symbol));
    }
    signature.params.push_back(param);
  }
  return signature;
}

void generateHalideRuntime(const TargetInfo &target, const std::string &path) {
  try {
    if (target.llvmCpu.empty()) {
      compile_standalone_runtime(path, target.halide);
      return;
    }
    // compile_standalone_runtime writes objects only; an empty module
    // compiled with the runtime is what it compiles itself.
    Module("halide_runtime",
           target.halide.without_feature(Target::NoRuntime))
        .compile({{OutputFileType::bitcode, path + ".bc"}});
  } catch (const Halide::Error &error) {
    throw Error(fmt::format("codegen: compiling the Halide runtime for {} "
                            "failed: {}",
                            target.name, error.what()));
  }
  compileRetargeted(path, target);
}

} // namespace facet::codegen
