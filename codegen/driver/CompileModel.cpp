//===- CompileModel.cpp - checkpoint -> .facet package --------------------===//
//
// import -> outline kernels -> generate each distinct kernel once (Halide,
// AOT, no runtime) + one Halide runtime object -> link one shared object ->
// plan -> package with the checkpoint's weights.
//
//===----------------------------------------------------------------------===//

#include "codegen/driver/CompileModel.h"

#include "codegen/driver/BackgroundQuantizer.h"

#include "codegen/driver/CudaKernelLibrary.h"
#include "codegen/driver/KernelLinker.h"
#include "codegen/driver/WeightConversion.h"
#include "codegen/driver/WeightQuantization.h"
#include "codegen/target/RowTiles.h"
#include "codegen/target/WeightTiles.h"
#include "codegen/halide/KernelBuilder.h"
#include "codegen/plan/PlanBuilder.h"
#include "codegen/target/TargetRegistry.h"
#include "frontend/hf/Importer.h"
#include "frontend/support/Error.h"
#include "frontend/tokenizer/TokenizerImport.h"
#include "passes/Passes.h"
#include "runtime/package/FormatError.h"
#include "runtime/package/PackageWriter.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <memory>
#include <optional>
#include <utility>

using namespace mlir;

namespace facet::codegen {
namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

/// The distinct values `key` gives the ops of type OpT in `kernel`, in order
/// of first appearance. Kernels that share generated code bind their own
/// caches and launch constants by these positions.
template <typename OpT, typename Key>
auto distinctInOrder(KernelOp kernel, Key key) {
  std::vector<decltype(key(std::declval<OpT>()))> values;
  kernel.walk([&](OpT op) {
    auto value = key(op);
    if (llvm::find(values, value) == values.end())
      values.push_back(std::move(value));
  });
  return values;
}

/// The distinct layers the facet.layer_input ops of `kernel` select: its
/// launch constants (EmitContext::launchConstant).
std::vector<int64_t> launchConstantsOf(KernelOp kernel) {
  return distinctInOrder<LayerInputOp>(
      kernel, [](LayerInputOp op) { return op.getLayerAttr().getInt(); });
}

/// The KV caches a kernel reads, in the order its body names them.
std::vector<std::string> cachesOf(KernelOp kernel) {
  return distinctInOrder<AttentionOp>(
      kernel, [](AttentionOp op) { return op.getCache().str(); });
}

/// Identical kernels (every layer's q_proj of one shape, say) share one
/// generated function. The key is the kernel printed on its own (local SSA
/// numbering, generic form) without what codegen does not read: its name, the
/// `layer` tag of attention, and the cache symbol, which is replaced by the
/// cache's shape and kind (the cache buffers themselves are arguments).
/// `withLaunchConstants`: layer_input's layer is a kernel argument (Halide
/// targets), so only the pattern of its values counts (each replaced by
/// its position in launchConstantsOf).
std::string kernelFingerprint(KernelOp kernel, bool withLaunchConstants) {
  Operation *copy = kernel->clone();
  auto *context = kernel.getContext();
  copy->setAttr("name", StringAttr::get(context, ""));
  copy->removeAttr("facet.arena_offsets"); // where, not what
  copy->walk([&](AttentionOp attention) {
    auto decl = SymbolTable::lookupNearestSymbolFrom<KVCacheOp>(
        kernel, attention.getCacheAttr());
    std::string dtype;
    if (decl && decl.getDtype()) {
      llvm::raw_string_ostream typeText(dtype);
      typeText << *decl.getDtype();
    }
    std::string cacheKey =
        decl
            ? fmt::format("cache_{}x{}_{}_{}_{}", decl.getKvHeads(),
                          decl.getHeadDim(), stringifyCacheKind(decl.getKind()),
                          decl.getWindow(), dtype)
            : attention.getCache().str();
    attention.setCacheAttr(FlatSymbolRefAttr::get(context, cacheKey));
    attention.setLayerAttr(
        IntegerAttr::get(attention.getLayerAttr().getType(), 0));
  });
  if (withLaunchConstants) {
    std::vector<int64_t> constants = launchConstantsOf(kernel);
    copy->walk([&](LayerInputOp op) {
      int64_t position =
          llvm::find(constants, op.getLayerAttr().getInt()) - constants.begin();
      op.setLayerAttr(IntegerAttr::get(op.getLayerAttr().getType(), position));
    });
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  copy->print(os, OpPrintingFlags().printGenericOpForm().useLocalScope());
  copy->destroy();
  return text;
}

/// The element of `user` at the position `value` has in `generated`: how
/// a kernel that reuses generated code binds its own caches and launch
/// constants. `why` says what is wrong when `value` has no such position.
template <typename T>
T samePosition(const std::vector<T> &generated, const std::vector<T> &user,
               const T &value, llvm::function_ref<std::string()> why) {
  auto position = llvm::find(generated, value);
  size_t index = position - generated.begin();
  if (position == generated.end() || index >= user.size())
    throw Error(why());
  return user[index];
}

/// `generated`'s signature with each cache parameter renamed from the cache
/// of the kernel it was generated for to the same-position cache of `user`.
KernelSignature rebindCaches(const KernelSignature &generated,
                             const std::vector<std::string> &generatedCaches,
                             const std::vector<std::string> &userCaches) {
  KernelSignature signature = generated;
  for (KernelParam &param : signature.params) {
    if (param.kind != KernelParam::Kind::CacheKeys &&
        param.kind != KernelParam::Kind::CacheValues &&
        param.kind != KernelParam::Kind::CacheKeyScales &&
        param.kind != KernelParam::Kind::CacheValueScales)
      continue;
    param.cache = samePosition(generatedCaches, userCaches, param.cache, [&] {
      return fmt::format("internal: kernel parameter names cache @{}, "
                         "which its kernel does not read",
                         param.cache);
    });
  }
  return signature;
}

/// `signature` with each launch constant moved from the value of the kernel
/// it was generated for to the same-position value of the kernel that
/// reuses it (launchConstantsOf).
KernelSignature rebindConstants(KernelSignature signature,
                                const std::vector<int64_t> &generated,
                                const std::vector<int64_t> &user) {
  for (KernelParam &param : signature.params) {
    if (param.kind != KernelParam::Kind::Constant)
      continue;
    param.value = samePosition(generated, user, param.value, [&] {
      return fmt::format("internal: launch constant {} is not one of its "
                         "kernel's layer_input layers",
                         param.value);
    });
  }
  return signature;
}

/// The tokenizer section from `checkpointDir`/tokenizer.json (empty when
/// there is none); BOS and end-of-sequence ids (<eos>, and <turn|> which ends
/// a chat turn) come from it.
std::vector<uint8_t> packTokenizer(const std::string &checkpointDir,
                                   package::Manifest &manifest,
                                   llvm::raw_ostream &log) {
  llvm::SmallString<256> path(checkpointDir);
  llvm::sys::path::append(path, "tokenizer.json");
  if (!llvm::sys::fs::exists(path)) {
    log << "compile: no tokenizer.json: the package takes token ids only\n";
    return {};
  }
  tokenizer::TokenizerData data = importTokenizerJson(path.str().str());
  if (data.bosId >= 0)
    manifest.model.bosTokenId = data.bosId;
  std::vector<int64_t> eos;
  if (data.eosId >= 0)
    eos.push_back(data.eosId);
  for (auto [id, token] : llvm::enumerate(data.tokens))
    if (token.text == "<turn|>" && int64_t(id) != data.eosId)
      eos.push_back(int64_t(id));
  if (!eos.empty())
    manifest.model.eosTokenIds = eos;
  std::vector<uint8_t> blob = serializeCheckedTokenizer(data, path.str().str());
  log << fmt::format("compile: tokenizer: {} tokens, {} merges\n",
                     data.tokens.size(), data.merges.size());
  return blob;
}

bool sameFloatType(DType checkpoint, package::ElementType package) {
  return (checkpoint == DType::F32 && package == package::ElementType::F32) ||
         (checkpoint == DType::F16 && package == package::ElementType::F16) ||
         (checkpoint == DType::BF16 && package == package::ElementType::BF16);
}

/// The row-tile depth of int4 weights: 4 (int4 x int8 dot products,
/// RowTiledDotEmitter.cpp) where --int4-activations asks for int8 or leaves
/// it to a target that has the dot form; 1 (float GEMV) otherwise.
int64_t int4TileDepth(const CompileOptions &options, const TargetInfo &target,
                      llvm::raw_ostream &log) {
  const std::string &choice = options.int4Activations;
  if (choice != "auto" && choice != "int8" && choice != "f32")
    throw Error(fmt::format(
        "--int4-activations must be auto, int8 or f32 (got '{}')", choice));
  int64_t depth = target.int4TileDepth;
  if (choice == "int8" && depth <= 1) {
    std::vector<std::string> withDotForm;
    for (const std::string &name : targetNames()) {
      const TargetInfo &row = resolveTarget(name); // "host" names another
      if (row.name == name && row.int4TileDepth > 1)
        withDotForm.push_back(name);
    }
    throw Error(fmt::format(
        "--int4-activations int8: target {} has no int4 x int8 dot form "
        "(targets that have one: {}); use f32 or auto",
        target.name, fmt::join(withDotForm, ", ")));
  }
  if (choice == "f32" || depth <= 1)
    return 1;
  bool int4 = options.quant.find("int4") != std::string::npos ||
              options.quantOverrides.find("int4") != std::string::npos;
  if (int4)
    log << "compile: int4 projections quantize their inputs per group to "
           "int8 (int4 x int8 dot products; --int4-activations f32 keeps "
           "them float)\n";
  return depth;
}

} // namespace

void compileModel(const std::string &checkpointDir,
                  const CompileOptions &options, llvm::raw_ostream &log) {
  auto start = std::chrono::steady_clock::now();
  const TargetInfo &target = resolveTarget(options.target);
  log << fmt::format("compile: target {} ({})\n", target.name,
                     target.description);
  int64_t int4Depth = int4TileDepth(options, target, log);
  bool int8Activations = options.int8Activations;
  if (target.int8Only) {
    if (options.quant != "int8")
      throw Error(fmt::format(
          "target {} runs int8 kernels only (its vector unit has no float): "
          "compile with --quant int8",
          target.name));
    if (!int8Activations)
      log << "compile: int8 activations (the target's dot products are "
             "integer)\n";
    int8Activations = true;
  }
  // Halide parses HL_LLVM_ARGS once, when it first generates code; a user's
  // own setting wins.
  if (!target.llvmOptions.empty())
    setenv("HL_LLVM_ARGS", target.llvmOptions.c_str(), /*overwrite=*/0);

  MLIRContext context;
  context.loadDialect<FacetDialect, func::FuncDialect>();
  ImportedModel model = importHuggingFace(context, checkpointDir, &log);
  if (!model.binding)
    throw Error(fmt::format("{}: facet compile needs the weights, and this "
                            "path has only a config.json",
                            checkpointDir));

  PassManager passes(&context);
  if (!options.quant.empty()) {
    QuantizeOptions quantize;
    quantize.scheme = options.quant;
    quantize.overrides = options.quantOverrides;
    quantize.activations = int8Activations ? "int8" : "f32";
    quantize.tileRows = target.floatWeightTileRows();
    quantize.int4TileDepth = int4Depth;
    quantize.int4TileWords = int4Depth == 4 && target.int4TileWords;
    passes.addPass(createQuantize(quantize));
  }
  if (!options.weightType.empty()) {
    CastWeightsOptions cast;
    cast.dtype = options.weightType;
    passes.addPass(createCastWeights(cast));
  }
  ScheduleKVOptions schedule;
  schedule.maxContext = options.maxContext;
  schedule.prefillChunk = options.prefillChunk;
  schedule.kvDtype = options.kvDtype;
  schedule.allLogits = options.allLogits;
  passes.addPass(createScheduleKV(schedule));
  passes.addPass(createOutlineKernels());
  if (options.fuse)
    passes.addPass(createFuse());
  passes.addPass(createPlanMemory());
  if (failed(passes.run(*model.module)))
    throw Error("the graph passes failed (see the error above)");

  // Work directory for objects; removed at the end unless asked to keep it.
  llvm::SmallString<128> workDir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("facet-compile", workDir))
    throw Error("cannot create a temporary directory: " + ec.message());

  package::Manifest manifest;
  manifest.model.name =
      llvm::sys::path::filename(llvm::StringRef(checkpointDir).rtrim('/'))
          .str();
  manifest.model.vocabSize = model.config.vocabSize;
  manifest.model.hiddenSize = model.config.hiddenSize;
  manifest.model.numLayers = model.config.numLayers;
  manifest.model.maxContext = options.maxContext > 0
                                  ? options.maxContext
                                  : model.config.maxPositionEmbeddings;
  // Gemma's ids unless the checkpoint's tokenizer says otherwise.
  manifest.model.bosTokenId = 2;
  manifest.model.eosTokenIds = {1, 106};
  std::vector<uint8_t> tokenizerBlob =
      packTokenizer(checkpointDir, manifest, log);
  manifest.target.name = target.name;
  manifest.target.arch = target.family;
  manifest.target.cpuFeatures = target.cpuFeatures;

  // Quantize the weights on a second core while the kernels are generated
  // (BackgroundQuantizer.h), in the order the writer takes them.
  std::map<std::string, const TensorView *> tensors;
  for (const BoundWeight &bound : model.binding->weights)
    tensors.emplace(bound.spec.name, bound.tensor);
  std::vector<QuantizationJob> quantizationJobs;
  for (ParamOp param : model.module->getOps<ParamOp>())
    if (auto quantized = dyn_cast<QuantizedWeightType>(param.getType()))
      quantizationJobs.push_back(
          {tensors.at(param.getSymName().str()), quantized,
           int8WeightTiling(target.int8WeightTileRows, quantized),
           rowTiling(quantized)});
  BackgroundQuantizer quantizer(std::move(quantizationJobs));

  // Generate each distinct kernel once.
  llvm::StringMap<uint64_t> byFingerprint;
  std::vector<KernelSignature> signatures;
  std::vector<std::vector<std::string>> signatureCaches;
  std::vector<std::vector<int64_t>> signatureConstants;
  std::deque<KernelSignature> rebound; // stable addresses for the planner
  std::vector<std::string> objects;
  CudaKernelLibrary cudaKernels(target); // CUDA targets: CUDA C++, not Halide
  size_t outlined = 0;
  auto kernelStart = std::chrono::steady_clock::now();
  KernelProvider provider =
      [&](KernelOp kernel) -> std::pair<uint64_t, const KernelSignature *> {
    ++outlined;
    std::string key = kernelFingerprint(kernel, !target.isCuda());
    auto found = byFingerprint.find(key);
    if (found != byFingerprint.end()) {
      uint64_t id = found->second;
      rebound.push_back(rebindConstants(
          rebindCaches(signatures[id], signatureCaches[id], cachesOf(kernel)),
          signatureConstants[id], launchConstantsOf(kernel)));
      return {id, &rebound.back()};
    }
    uint64_t id = signatures.size();
    std::string symbol = fmt::format("facet_kernel_{}", id);
    std::string object = fmt::format("{}/{}.o", workDir.str().str(), symbol);
    signatures.push_back(target.isCuda()
                             ? cudaKernels.add(kernel, symbol)
                             : generateKernel(kernel, target, symbol, object));
    signatureCaches.push_back(cachesOf(kernel));
    signatureConstants.push_back(launchConstantsOf(kernel));
    objects.push_back(object);
    manifest.kernels.push_back(
        {kernel.getName().str(), signatures.back().symbol,
         static_cast<uint64_t>(signatures.back().params.size())});
    byFingerprint[key] = id;
    if (signatures.size() % 10 == 0)
      log << fmt::format("compile: {} kernels generated...\n",
                         signatures.size());
    return {id, &signatures[id]};
  };

  buildPlan(*model.module, provider, manifest);
  log << fmt::format("compile: {} kernel launches, {} distinct kernels "
                     "generated in {:.1f} s\n",
                     outlined, signatures.size(), secondsSince(kernelStart));

  package::PackageWriter writer(manifest);
  if (target.isCuda()) {
    writer.setKernels(cudaKernels.build(workDir.str().str(), log));
  } else {
    std::string runtimeObject = workDir.str().str() + "/halide_runtime.o";
    generateHalideRuntime(target, runtimeObject);
    objects.push_back(runtimeObject);
    std::string library = workDir.str().str() + "/kernels.so";
    linkKernelLibrary(target, objects, library, workDir.str().str());
    writer.setKernels(readBinaryFile(library));
  }
  if (!tokenizerBlob.empty())
    writer.setTokenizer(std::move(tokenizerBlob));
  // manifest.weights holds each param's parts in module order (buildPlan).
  uint64_t index = 0;
  size_t nextJob = 0;
  for (ParamOp param : model.module->getOps<ParamOp>()) {
    const TensorView *tensor = tensors.at(param.getSymName().str());
    uint64_t count = static_cast<uint64_t>(tensor->numElements());
    if (isa<QuantizedWeightType>(param.getType())) {
      // The parts are written one after the other: the result is taken
      // once, for the first, and dropped after the last.
      auto cache = std::make_shared<std::optional<QuantizedWeight>>();
      size_t job = nextJob++;
      size_t parts = weightParts(param).size();
      auto fill = [&quantizer, cache, job, parts](int part) {
        return [=, &quantizer](uint8_t *out, uint64_t bytes) {
          if (!*cache)
            *cache = quantizer.take(job);
          const std::vector<uint8_t> &data = part == 0   ? (*cache)->integers
                                             : part == 1 ? (*cache)->scales
                                                         : (*cache)->zeros;
          if (data.size() != bytes)
            throw Error("internal: quantized part size differs from the plan");
          std::memcpy(out, data.data(), bytes);
          if (size_t(part) + 1 == parts)
            cache->reset();
        };
      };
      for (size_t part = 0; part < parts; ++part)
        writer.setWeight(index++, fill(int(part)));
      continue;
    }
    const package::WeightInfo &weight = manifest.weights[index];
    if (count * package::elementSize(weight.type) != weight.bytes)
      throw Error(fmt::format("internal: weight '{}' has {} elements in the "
                              "checkpoint and {} bytes in the plan",
                              weight.name, count, weight.bytes));
    package::ElementType stored = weight.type;
    writer.setWeight(
        index++, [tensor, stored, count](uint8_t *out, uint64_t bytes) {
          if (sameFloatType(tensor->dtype, stored))
            std::memcpy(out, tensor->data, bytes);
          else
            convertFloats(tensor->data, tensor->dtype, out, stored, count);
        });
  }
  try {
    writer.write(options.output);
  } catch (const package::IoError &error) {
    throw Error(error.what()); // a user's problem (path, disk), not ours
  }

  uint64_t size = 0;
  llvm::sys::fs::file_size(options.output, size);
  log << fmt::format("compile: wrote {} ({:.1f} MiB) in {:.1f} s\n",
                     options.output, size / 1048576.0, secondsSince(start));
  if (!options.keepTemporaries)
    llvm::sys::fs::remove_directories(workDir);
  else
    log << "compile: kept " << workDir << "\n";
}

} // namespace facet::codegen
