//===- Manifest.cpp - Serialise and validate a package manifest -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The manifest is a flat sequence of fields in the order of the structs in
// Manifest.h: every integer (counts, enums, signed values) as 8 little-endian
// bytes, reals as float64 bits, strings as a uint64 length and the bytes.
// parseManifest checks every count against a limit and the remaining input
// before allocating, and every index, shape and offset before returning, so
// the executor may use the result without further checks.
//
//===----------------------------------------------------------------------===//

#include "runtime/package/Manifest.h"

#include "runtime/package/ByteIO.h"
#include "runtime/package/FormatError.h"

#include <set>

namespace facet::package {

namespace {

// Upper bounds on counts; far above any real model, low enough that a corrupt
// count is caught before it costs memory.
constexpr uint64_t kMaxKernels = 1 << 20;
constexpr uint64_t kMaxWeights = 1 << 20;
constexpr uint64_t kMaxCaches = 1 << 16;
constexpr uint64_t kMaxEntryPoints = 64;
constexpr uint64_t kMaxBuffers = 1 << 20;
constexpr uint64_t kMaxSteps = 1 << 20;
constexpr uint64_t kMaxEosTokens = 1024;
constexpr uint64_t kMaxCpuFeatures = 256;
// Token ids and positions travel as int32.
constexpr int64_t kMaxInt32 = 0x7fffffff;
// No single allocation of the plan may exceed 2^48 bytes (256 TiB); this keeps
// every size computation below far from uint64 overflow.
constexpr uint64_t kMaxBytes = uint64_t(1) << 48;

bool validElementType(uint64_t value) {
  return value >= uint64_t(ElementType::F32) &&
         value <= uint64_t(ElementType::U8);
}

std::string str(uint64_t value) { return std::to_string(value); }
std::string str(int64_t value) { return std::to_string(value); }

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += ", ";
    text += shape[i] == kTokens ? std::string("T") : std::to_string(shape[i]);
  }
  return text + "]";
}

/// Multiplies with a saturating check against kMaxBytes.
bool mulWithin(uint64_t a, uint64_t b, uint64_t &result) {
  if (a != 0 && b > kMaxBytes / a)
    return false;
  result = a * b;
  return result <= kMaxBytes;
}

class Parser {
public:
  Parser(const uint8_t *data, uint64_t size, uint64_t weightsSectionSize)
      : in(data, size, "manifest"), weightsSectionSize(weightsSectionSize) {}

  Manifest parse();

private:
  [[noreturn]] void fail(const std::string &message) { in.fail(message); }

  ElementType elementType(const std::string &what);
  std::vector<int64_t> shape(const std::string &what, bool allowTokens);
  void parseModel(ModelInfo &model);
  void parseTarget(TargetInfo &target);
  KernelInfo parseKernel(uint64_t index);
  WeightInfo parseWeight(uint64_t index);
  CacheInfo parseCache(uint64_t index, const ModelInfo &model);
  EntryPoint parseEntryPoint(const Manifest &manifest);
  BufferInfo parseBuffer(const std::string &where, int64_t maxTokens,
                         uint64_t arenaBytes);
  Step parseStep(const Manifest &manifest, const EntryPoint &entry,
                 const std::string &where);
  void checkTokenBuffer(const EntryPoint &entry, uint64_t index,
                        const char *role, ElementType type,
                        const std::vector<int64_t> &innerShape,
                        bool allowOneRow = false);

  ByteReader in;
  uint64_t weightsSectionSize;
};

ElementType Parser::elementType(const std::string &what) {
  uint64_t value = in.u64("element type");
  if (!validElementType(value))
    fail(what + ": unknown element type " + str(value));
  return static_cast<ElementType>(value);
}

std::vector<int64_t> Parser::shape(const std::string &what, bool allowTokens) {
  uint64_t rank = in.count("rank", kMaxRank, 8);
  std::vector<int64_t> dims(rank);
  for (uint64_t i = 0; i < rank; ++i) {
    dims[i] = in.i64("dimension");
    if (dims[i] == kTokens && allowTokens && i == 0)
      continue;
    if (dims[i] == kTokens && allowTokens)
      fail(what +
           ": only the leading dimension may be the token count, "
           "found T at dimension " +
           str(i));
    if (dims[i] <= 0 || dims[i] > kMaxInt32)
      fail(what + ": dimension " + str(i) + " is " + str(dims[i]) +
           ", expected 1 to 2147483647");
  }
  // Kernel descriptors hold int32 strides: every stride (the product of the
  // inner dimensions) must fit.
  int64_t stride = 1;
  for (uint64_t i = rank; i > 1; --i) {
    stride *= dims[i - 1] == kTokens ? 1 : dims[i - 1];
    if (stride > kMaxInt32)
      fail(what + ": the inner dimensions of " + shapeText(dims) +
           " hold more than 2147483647 elements");
  }
  return dims;
}

void Parser::parseModel(ModelInfo &model) {
  model.name = in.string("model name");
  model.vocabSize = in.i64("model vocab size");
  model.hiddenSize = in.i64("model hidden size");
  model.numLayers = in.i64("model layer count");
  model.maxContext = in.i64("model max context");
  model.bosTokenId = in.i64("model BOS token id");
  uint64_t eosCount = in.count("model EOS token count", kMaxEosTokens, 8);
  for (uint64_t i = 0; i < eosCount; ++i)
    model.eosTokenIds.push_back(in.i64("model EOS token id"));

  if (model.vocabSize <= 0 || model.vocabSize > kMaxInt32)
    fail("model vocab size is " + str(model.vocabSize) +
         ", expected 1 to 2147483647");
  if (model.hiddenSize <= 0 || model.hiddenSize > kMaxInt32)
    fail("model hidden size is " + str(model.hiddenSize) +
         ", expected a positive size");
  if (model.numLayers < 0 || model.numLayers > kMaxInt32)
    fail("model layer count is " + str(model.numLayers));
  if (model.maxContext <= 0 || model.maxContext > kMaxInt32)
    fail("model max context is " + str(model.maxContext) +
         ", expected 1 to 2147483647");
  auto checkToken = [&](int64_t id, const char *what) {
    if (id < 0 || id >= model.vocabSize)
      fail(std::string(what) + " " + str(id) +
           " is outside the vocabulary [0, " + str(model.vocabSize) + ")");
  };
  checkToken(model.bosTokenId, "model BOS token id");
  for (int64_t id : model.eosTokenIds)
    checkToken(id, "model EOS token id");
}

void Parser::parseTarget(TargetInfo &target) {
  target.name = in.string("target name");
  target.arch = in.string("target arch");
  uint64_t count = in.count("target CPU feature count", kMaxCpuFeatures, 8);
  for (uint64_t i = 0; i < count; ++i)
    target.cpuFeatures.push_back(in.string("target CPU feature", 64));
  if (target.arch.empty())
    fail("target arch is empty");
}

KernelInfo Parser::parseKernel(uint64_t index) {
  KernelInfo kernel;
  kernel.name = in.string("kernel name");
  kernel.symbol = in.string("kernel symbol", 1024);
  kernel.numArgs = in.u64("kernel argument count");
  std::string where = "kernel " + str(index) + " ('" + kernel.name + "')";
  if (kernel.symbol.empty())
    fail(where + ": empty symbol");
  for (char c : kernel.symbol)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9')))
      fail(where + ": symbol '" + kernel.symbol + "' is not a C identifier");
  if (kernel.numArgs > kMaxKernelArgs)
    fail(where + ": " + str(kernel.numArgs) +
         " arguments, more than the limit of " + str(kMaxKernelArgs));
  return kernel;
}

WeightInfo Parser::parseWeight(uint64_t index) {
  WeightInfo weight;
  weight.name = in.string("weight name");
  std::string where = "weight " + str(index) + " ('" + weight.name + "')";
  weight.weightClass = in.string("weight class");
  weight.scheme = in.string("weight scheme");
  weight.type = elementType(where);
  weight.shape = shape(where, /*allowTokens=*/false);
  weight.offset = in.u64("weight offset");
  weight.bytes = in.u64("weight size");

  uint64_t expected = elementSize(weight.type);
  for (int64_t dim : weight.shape)
    if (!mulWithin(expected, uint64_t(dim), expected))
      fail(where + ": shape " + shapeText(weight.shape) + " is too large");
  if (weight.bytes != expected)
    fail(where + ": size is " + str(weight.bytes) + " bytes, but shape " +
         shapeText(weight.shape) + " of " + elementTypeName(weight.type) +
         " needs " + str(expected));
  if (weight.offset % kSectionAlignment != 0)
    fail(where + ": offset " + str(weight.offset) + " is not 64-byte aligned");
  if (weight.offset > weightsSectionSize ||
      weight.bytes > weightsSectionSize - weight.offset)
    fail(where + ": bytes [" + str(weight.offset) + ", " +
         str(weight.offset + weight.bytes) +
         ") lie outside the Weights section of " + str(weightsSectionSize) +
         " bytes");
  return weight;
}

CacheInfo Parser::parseCache(uint64_t index, const ModelInfo &model) {
  CacheInfo cache;
  cache.name = in.string("cache name");
  std::string where = "cache " + str(index) + " ('" + cache.name + "')";
  cache.type = elementType(where);
  cache.kvHeads = in.i64("cache KV heads");
  cache.headDim = in.i64("cache head dim");
  cache.window = in.i64("cache window");
  cache.capacity = in.i64("cache capacity");
  if (cache.type != ElementType::F32 && cache.type != ElementType::BF16 &&
      cache.type != ElementType::F16 && cache.type != ElementType::I8)
    fail(where + ": a KV cache cannot store " + elementTypeName(cache.type) +
         " (f32, bf16, f16 or i8)");
  if (cache.kvHeads <= 0 || cache.kvHeads > kMaxInt32)
    fail(where + ": KV heads is " + str(cache.kvHeads));
  if (cache.headDim <= 0 || cache.headDim > kMaxInt32)
    fail(where + ": head dim is " + str(cache.headDim));
  if (cache.window < 0 || cache.window > kMaxInt32)
    fail(where + ": window is " + str(cache.window));
  if (cache.capacity <= 0 || cache.capacity > model.maxContext)
    fail(where + ": capacity is " + str(cache.capacity) +
         ", expected 1 to the max context " + str(model.maxContext));
  if (cache.window == 0 && cache.capacity != model.maxContext)
    fail(where + ": a full-attention cache needs capacity " +
         str(model.maxContext) + " (the max context), found " +
         str(cache.capacity));
  if (cache.window > 0 &&
      cache.capacity < std::min(cache.window, model.maxContext))
    fail(where + ": capacity " + str(cache.capacity) +
         " is smaller than its window " + str(cache.window));
  uint64_t bytes = elementSize(cache.type);
  if (!mulWithin(bytes, uint64_t(cache.capacity), bytes) ||
      !mulWithin(bytes, uint64_t(cache.kvHeads), bytes) ||
      !mulWithin(bytes, uint64_t(cache.headDim), bytes))
    fail(where + ": too large");
  return cache;
}

BufferInfo Parser::parseBuffer(const std::string &where, int64_t maxTokens,
                               uint64_t arenaBytes) {
  BufferInfo buffer;
  buffer.name = in.string("buffer name");
  std::string what = where + " ('" + buffer.name + "')";
  buffer.type = elementType(what);
  buffer.shape = shape(what, /*allowTokens=*/true);
  buffer.arenaOffset = in.u64("buffer arena offset");
  uint64_t bytes = elementSize(buffer.type);
  for (int64_t dim : buffer.shape)
    if (!mulWithin(bytes, uint64_t(dim == kTokens ? maxTokens : dim), bytes))
      fail(what + ": shape " + shapeText(buffer.shape) + " is too large");
  if (buffer.arenaOffset % kSectionAlignment != 0)
    fail(what + ": arena offset " + str(buffer.arenaOffset) +
         " is not 64-byte aligned");
  if (buffer.arenaOffset > arenaBytes ||
      bytes > arenaBytes - buffer.arenaOffset)
    fail(what + ": bytes [" + str(buffer.arenaOffset) + ", " +
         str(buffer.arenaOffset + bytes) + ") for " + str(maxTokens) +
         " tokens lie outside the arena of " + str(arenaBytes) + " bytes");
  return buffer;
}

/// Token-indexed buffers (token ids, positions, logits, KV-store sources)
/// have a leading dimension of T, or of 1 in an entry point that takes one
/// token per call.
void Parser::checkTokenBuffer(const EntryPoint &entry, uint64_t index,
                              const char *role, ElementType type,
                              const std::vector<int64_t> &innerShape,
                              bool allowOneRow) {
  std::string where = "entry point '" + entry.name + "': " + role;
  if (index >= entry.buffers.size())
    fail(where + " buffer index " + str(index) +
         " is out of range (the entry point has " +
         str(uint64_t(entry.buffers.size())) + " buffers)");
  const BufferInfo &buffer = entry.buffers[index];
  std::vector<int64_t> expected{kTokens};
  expected.insert(expected.end(), innerShape.begin(), innerShape.end());
  bool shapeOk = buffer.shape.size() == expected.size() &&
                 (buffer.shape[0] == kTokens ||
                  (buffer.shape[0] == 1 &&
                   (entry.maxTokens == 1 || allowOneRow)));
  for (size_t i = 1; shapeOk && i < expected.size(); ++i)
    shapeOk = buffer.shape[i] == expected[i];
  if (!shapeOk || buffer.type != type)
    fail(where + " buffer '" + buffer.name + "' is " +
         elementTypeName(buffer.type) + " " + shapeText(buffer.shape) +
         ", expected " + elementTypeName(type) + " " + shapeText(expected));
}

Step Parser::parseStep(const Manifest &manifest, const EntryPoint &entry,
                       const std::string &where) {
  Step step;
  uint64_t kind = in.u64("step kind");
  step.kernel = in.u64("step kernel");
  step.cache = in.u64("step cache");
  uint64_t argCount = in.count("step argument count", kMaxKernelArgs, 16);
  if (kind != uint64_t(StepKind::Kernel) && kind != uint64_t(StepKind::KVStore))
    fail(where + ": unknown step kind " + str(kind));
  step.kind = static_cast<StepKind>(kind);
  std::string stepWhere = where;
  if (step.kind == StepKind::Kernel) {
    if (step.kernel >= manifest.kernels.size())
      fail(where + ": kernel index " + str(step.kernel) +
           " is out of range (the package has " +
           str(uint64_t(manifest.kernels.size())) + " kernels)");
    const KernelInfo &kernel = manifest.kernels[step.kernel];
    stepWhere += " (kernel '" + kernel.name + "')";
    if (argCount != kernel.numArgs)
      fail(stepWhere + ": " + str(argCount) +
           " arguments, but the kernel takes " + str(kernel.numArgs));
  } else {
    if (step.cache >= manifest.caches.size())
      fail(where + ": cache index " + str(step.cache) +
           " is out of range (the package has " +
           str(uint64_t(manifest.caches.size())) + " caches)");
    stepWhere += " (KV store into '" + manifest.caches[step.cache].name + "')";
    if (argCount != 2)
      fail(stepWhere + ": " + str(argCount) +
           " arguments, expected 2 (keys, values)");
  }

  for (uint64_t i = 0; i < argCount; ++i) {
    Arg arg;
    uint64_t argKind = in.u64("argument kind");
    arg.index = in.u64("argument index");
    std::string argWhere = stepWhere + " argument " + str(i);
    auto checkIndex = [&](uint64_t size, const char *what) {
      if (arg.index >= size)
        fail(argWhere + ": " + what + " index " + str(arg.index) +
             " is out of range (" + str(size) + " " + what + "s)");
    };
    switch (argKind) {
    case uint64_t(ArgKind::Buffer):
      checkIndex(entry.buffers.size(), "buffer");
      break;
    case uint64_t(ArgKind::Weight):
      checkIndex(manifest.weights.size(), "weight");
      break;
    case uint64_t(ArgKind::CacheKeys):
    case uint64_t(ArgKind::CacheValues):
      checkIndex(manifest.caches.size(), "cache");
      break;
    case uint64_t(ArgKind::CacheKeyScales):
    case uint64_t(ArgKind::CacheValueScales):
      checkIndex(manifest.caches.size(), "cache");
      if (manifest.caches[arg.index].type != ElementType::I8)
        fail(argWhere + ": cache '" + manifest.caches[arg.index].name +
             "' stores " + elementTypeName(manifest.caches[arg.index].type) +
             ", which has no scales");
      break;
    case uint64_t(ArgKind::Scalar):
      if (arg.index != uint64_t(ScalarKind::Tokens) &&
          arg.index != uint64_t(ScalarKind::ContextLength))
        fail(argWhere + ": unknown scalar kind " + str(arg.index));
      break;
    default:
      fail(argWhere + ": unknown argument kind " + str(argKind));
    }
    arg.kind = static_cast<ArgKind>(argKind);
    if (step.kind == StepKind::KVStore) {
      if (arg.kind != ArgKind::Buffer)
        fail(argWhere + ": a KV store reads buffers only");
      const CacheInfo &cache = manifest.caches[step.cache];
      checkTokenBuffer(entry, arg.index,
                       i == 0 ? "KV store keys" : "KV store values",
                       ElementType::F32, {cache.kvHeads, cache.headDim});
    }
    step.args.push_back(arg);
  }
  return step;
}

EntryPoint Parser::parseEntryPoint(const Manifest &manifest) {
  EntryPoint entry;
  entry.name = in.string("entry point name");
  std::string where = "entry point '" + entry.name + "'";
  entry.maxTokens = in.i64("entry point max tokens");
  entry.arenaBytes = in.u64("entry point arena size");
  if (entry.maxTokens <= 0 || entry.maxTokens > kMaxInt32)
    fail(where + ": max tokens is " + str(entry.maxTokens) +
         ", expected a positive count");
  if (entry.arenaBytes > kMaxBytes)
    fail(where + ": arena of " + str(entry.arenaBytes) + " bytes is too large");

  uint64_t bufferCount = in.count("buffer count", kMaxBuffers, 32);
  entry.buffers.reserve(bufferCount);
  for (uint64_t i = 0; i < bufferCount; ++i)
    entry.buffers.push_back(parseBuffer(where + " buffer " + str(i),
                                        entry.maxTokens, entry.arenaBytes));
  entry.tokenIdsBuffer = in.u64("token ids buffer");
  entry.positionsBuffer = in.u64("positions buffer");
  entry.logitsBuffer = in.u64("logits buffer");
  checkTokenBuffer(entry, entry.tokenIdsBuffer, "token ids", ElementType::I32,
                   {});
  checkTokenBuffer(entry, entry.positionsBuffer, "positions", ElementType::I32,
                   {});
  // Logits may have one row whatever the token count: a prefill compiled
  // for the last position's logits only.
  checkTokenBuffer(entry, entry.logitsBuffer, "logits", ElementType::F32,
                   {manifest.model.vocabSize}, /*allowOneRow=*/true);

  uint64_t stepCount = in.count("step count", kMaxSteps, 32);
  entry.steps.reserve(stepCount);
  for (uint64_t i = 0; i < stepCount; ++i)
    entry.steps.push_back(
        parseStep(manifest, entry, where + " step " + str(i)));
  return entry;
}

Manifest Parser::parse() {
  Manifest manifest;
  parseModel(manifest.model);
  parseTarget(manifest.target);

  uint64_t kernelCount = in.count("kernel count", kMaxKernels, 24);
  manifest.kernels.reserve(kernelCount);
  for (uint64_t i = 0; i < kernelCount; ++i)
    manifest.kernels.push_back(parseKernel(i));

  uint64_t weightCount = in.count("weight count", kMaxWeights, 40);
  manifest.weights.reserve(weightCount);
  for (uint64_t i = 0; i < weightCount; ++i)
    manifest.weights.push_back(parseWeight(i));

  uint64_t cacheCount = in.count("cache count", kMaxCaches, 48);
  manifest.caches.reserve(cacheCount);
  for (uint64_t i = 0; i < cacheCount; ++i)
    manifest.caches.push_back(parseCache(i, manifest.model));

  uint64_t entryCount = in.count("entry point count", kMaxEntryPoints, 64);
  std::set<std::string> names;
  for (uint64_t i = 0; i < entryCount; ++i) {
    manifest.entryPoints.push_back(parseEntryPoint(manifest));
    if (!names.insert(manifest.entryPoints.back().name).second)
      fail("entry point '" + manifest.entryPoints.back().name +
           "' appears twice");
  }
  if (!in.atEnd())
    fail(str(in.remaining()) + " unexpected bytes after the last entry point");

  const EntryPoint *prefill = findEntryPoint(manifest, "prefill");
  const EntryPoint *decode = findEntryPoint(manifest, "decode");
  if (!prefill)
    fail("no 'prefill' entry point");
  if (!decode)
    fail("no 'decode' entry point");
  if (decode->maxTokens != 1)
    fail("entry point 'decode' takes " + str(decode->maxTokens) +
         " tokens per call, expected 1");
  return manifest;
}

void writeShape(ByteWriter &out, const std::vector<int64_t> &shape) {
  out.u64(shape.size());
  for (int64_t dim : shape)
    out.i64(dim);
}

} // namespace

uint64_t elementSize(ElementType type) {
  switch (type) {
  case ElementType::F32:
  case ElementType::I32:
    return 4;
  case ElementType::F16:
  case ElementType::BF16:
    return 2;
  case ElementType::I8:
  case ElementType::U8:
    return 1;
  }
  return 0;
}

const char *elementTypeName(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return "f32";
  case ElementType::F16:
    return "f16";
  case ElementType::BF16:
    return "bf16";
  case ElementType::I32:
    return "i32";
  case ElementType::I8:
    return "i8";
  case ElementType::U8:
    return "u8";
  }
  return "unknown";
}

uint64_t bufferBytes(const BufferInfo &buffer, int64_t tokens) {
  uint64_t bytes = elementSize(buffer.type);
  for (int64_t dim : buffer.shape)
    bytes *= static_cast<uint64_t>(dim == kTokens ? tokens : dim);
  return bytes;
}

uint64_t cacheEntryBytes(const CacheInfo &cache) {
  uint64_t heads = uint64_t(cache.kvHeads);
  uint64_t row = heads * uint64_t(cache.headDim) * elementSize(cache.type);
  if (cache.type == ElementType::I8)
    row += heads * sizeof(float);
  return 2 * row;
}

const EntryPoint *findEntryPoint(const Manifest &manifest,
                                 const std::string &name) {
  for (const EntryPoint &entry : manifest.entryPoints)
    if (entry.name == name)
      return &entry;
  return nullptr;
}

std::vector<uint8_t> serializeManifest(const Manifest &manifest) {
  ByteWriter out;
  const ModelInfo &model = manifest.model;
  out.string(model.name);
  out.i64(model.vocabSize);
  out.i64(model.hiddenSize);
  out.i64(model.numLayers);
  out.i64(model.maxContext);
  out.i64(model.bosTokenId);
  out.u64(model.eosTokenIds.size());
  for (int64_t id : model.eosTokenIds)
    out.i64(id);

  out.string(manifest.target.name);
  out.string(manifest.target.arch);
  out.u64(manifest.target.cpuFeatures.size());
  for (const std::string &feature : manifest.target.cpuFeatures)
    out.string(feature);

  out.u64(manifest.kernels.size());
  for (const KernelInfo &kernel : manifest.kernels) {
    out.string(kernel.name);
    out.string(kernel.symbol);
    out.u64(kernel.numArgs);
  }

  out.u64(manifest.weights.size());
  for (const WeightInfo &weight : manifest.weights) {
    out.string(weight.name);
    out.string(weight.weightClass);
    out.string(weight.scheme);
    out.u64(uint64_t(weight.type));
    writeShape(out, weight.shape);
    out.u64(weight.offset);
    out.u64(weight.bytes);
  }

  out.u64(manifest.caches.size());
  for (const CacheInfo &cache : manifest.caches) {
    out.string(cache.name);
    out.u64(uint64_t(cache.type));
    out.i64(cache.kvHeads);
    out.i64(cache.headDim);
    out.i64(cache.window);
    out.i64(cache.capacity);
  }

  out.u64(manifest.entryPoints.size());
  for (const EntryPoint &entry : manifest.entryPoints) {
    out.string(entry.name);
    out.i64(entry.maxTokens);
    out.u64(entry.arenaBytes);
    out.u64(entry.buffers.size());
    for (const BufferInfo &buffer : entry.buffers) {
      out.string(buffer.name);
      out.u64(uint64_t(buffer.type));
      writeShape(out, buffer.shape);
      out.u64(buffer.arenaOffset);
    }
    out.u64(entry.tokenIdsBuffer);
    out.u64(entry.positionsBuffer);
    out.u64(entry.logitsBuffer);
    out.u64(entry.steps.size());
    for (const Step &step : entry.steps) {
      out.u64(uint64_t(step.kind));
      out.u64(step.kernel);
      out.u64(step.cache);
      out.u64(step.args.size());
      for (const Arg &arg : step.args) {
        out.u64(uint64_t(arg.kind));
        out.u64(arg.index);
      }
    }
  }
  return out.take();
}

Manifest parseManifest(const uint8_t *data, uint64_t size,
                       uint64_t weightsSectionSize) {
  return Parser(data, size, weightsSectionSize).parse();
}

} // namespace facet::package
