//===- ManifestReader.cpp - Parse and validate a manifest -----------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The manifest is a flat sequence of fields in the order of the structs in
// ManifestView.h: every integer (counts, enums, signed values) as 8
// little-endian bytes, strings as a uint64 length and the bytes. Messages
// name the field the way package::parseManifest always has ("entry point
// 'decode' step 3 (kernel 'decode.17.linear') argument 2: ..."): the
// location is built into a small buffer and prefixed to each check's text.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/ManifestReader.h"

#include "runtime/core/ByteCursor.h"

namespace facet::core {

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
// Room for a location ("entry point '...' step N (kernel '...') argument M");
// longer names are cut short in messages.
constexpr size_t kWhereSize = 512;

/// Multiplies with a saturating check against kMaxBytes.
bool mulWithin(uint64_t a, uint64_t b, uint64_t &result) {
  if (a != 0 && b > kMaxBytes / a)
    return false;
  result = a * b;
  return result <= kMaxBytes;
}

void addShape(MessageBuilder &out, const int64_t *dims, uint32_t rank) {
  out.add("[");
  for (uint32_t i = 0; i < rank; ++i) {
    if (i)
      out.add(", ");
    if (dims[i] == kTokens)
      out.add("T");
    else
      out.addSigned(dims[i]);
  }
  out.add("]");
}

/// A location for messages, e.g. "weight 3 ('embed')".
class Where {
public:
  Where() : builder(text, sizeof text) {}
  MessageBuilder &operator*() { return builder; }
  MessageBuilder *operator->() { return &builder; }
  const char *str() const { return text; }

private:
  char text[kWhereSize];
  MessageBuilder builder;
};

class Parser {
public:
  Parser(const uint8_t *data, uint64_t size, uint64_t weightsSectionSize,
         Arena &arena, Status &status)
      : in(data, size, "manifest", status),
        weightsSectionSize(weightsSectionSize), arena(arena), status(status) {}

  bool parse(ManifestView &manifest);

private:
  MessageBuilder fail() { return in.fail(); }
  template <typename T> T *allocate(uint64_t count);

  bool elementType(const char *where, ElementType &type);
  bool shape(const char *where, bool allowTokens, Shape &out);
  bool parseModel(ModelView &model);
  bool parseTarget(TargetView &target);
  bool parseKernel(uint64_t index, KernelView &kernel);
  bool parseWeight(uint64_t index, WeightView &weight);
  bool parseCache(uint64_t index, const ModelView &model, CacheView &cache);
  bool parseEntryPoint(const ManifestView &manifest, EntryView &entry);
  bool parseBuffer(const char *where, int64_t maxTokens, uint64_t arenaBytes,
                   BufferView &buffer);
  bool parseStep(const ManifestView &manifest, const EntryView &entry,
                 const char *where, StepView &step);
  bool parseArg(const ManifestView &manifest, const EntryView &entry,
                const StepView &step, uint64_t i, const char *stepWhere,
                ArgView &arg);
  bool checkTokenBuffer(const EntryView &entry, uint64_t index,
                        const char *role, ElementType type,
                        const int64_t *innerDims, uint32_t innerRank,
                        bool allowOneRow = false);

  ByteCursor in;
  uint64_t weightsSectionSize;
  Arena &arena;
  Status &status;
};

template <typename T> T *Parser::allocate(uint64_t count) {
  T *result = allocateArray<T>(arena, count);
  if (!result)
    status.fail(Code::OutOfMemory)
        .add("manifest: the arena cannot hold ")
        .addUnsigned(count)
        .add(" more entries of ")
        .addUnsigned(sizeof(T))
        .add(" bytes");
  return result;
}

bool Parser::elementType(const char *where, ElementType &type) {
  uint64_t value = in.u64("element type");
  if (!in.ok())
    return false;
  if (value < uint64_t(ElementType::F32) ||
      value > uint64_t(ElementType::U16)) {
    fail().add(where).add(": unknown element type ").addUnsigned(value);
    return false;
  }
  type = static_cast<ElementType>(value);
  return true;
}

bool Parser::shape(const char *where, bool allowTokens, Shape &out) {
  uint64_t rank = in.count("rank", kMaxRank, 8);
  if (!in.ok())
    return false;
  out.rank = uint32_t(rank);
  for (uint64_t i = 0; i < rank; ++i) {
    int64_t dim = in.i64("dimension");
    if (!in.ok())
      return false;
    out.dims[i] = dim;
    if (dim == kTokens && allowTokens && i == 0)
      continue;
    if (dim == kTokens && allowTokens) {
      fail()
          .add(where)
          .add(": only the leading dimension may be the token count, "
               "found T at dimension ")
          .addUnsigned(i);
      return false;
    }
    if (dim <= 0 || dim > kMaxInt32) {
      fail()
          .add(where)
          .add(": dimension ")
          .addUnsigned(i)
          .add(" is ")
          .addSigned(dim)
          .add(", expected 1 to 2147483647");
      return false;
    }
  }
  // Kernel descriptors hold int32 strides: every stride (the product of the
  // inner dimensions) must fit.
  int64_t stride = 1;
  for (uint64_t i = rank; i > 1; --i) {
    stride *= out.dims[i - 1] == kTokens ? 1 : out.dims[i - 1];
    if (stride > kMaxInt32) {
      MessageBuilder message = fail();
      message.add(where).add(": the inner dimensions of ");
      addShape(message, out.dims, out.rank);
      message.add(" hold more than 2147483647 elements");
      return false;
    }
  }
  return true;
}

bool Parser::parseModel(ModelView &model) {
  model.name = in.string("model name");
  model.vocabSize = in.i64("model vocab size");
  model.hiddenSize = in.i64("model hidden size");
  model.numLayers = in.i64("model layer count");
  model.maxContext = in.i64("model max context");
  model.bosTokenId = in.i64("model BOS token id");
  model.eosCount = in.count("model EOS token count", kMaxEosTokens, 8);
  if (!in.ok())
    return false;
  int64_t *eos = allocate<int64_t>(model.eosCount);
  if (!eos)
    return false;
  for (uint64_t i = 0; i < model.eosCount; ++i)
    eos[i] = in.i64("model EOS token id");
  model.eosTokenIds = eos;
  if (!in.ok())
    return false;

  if (model.vocabSize <= 0 || model.vocabSize > kMaxInt32) {
    fail()
        .add("model vocab size is ")
        .addSigned(model.vocabSize)
        .add(", expected 1 to 2147483647");
    return false;
  }
  if (model.hiddenSize <= 0 || model.hiddenSize > kMaxInt32) {
    fail()
        .add("model hidden size is ")
        .addSigned(model.hiddenSize)
        .add(", expected a positive size");
    return false;
  }
  if (model.numLayers < 0 || model.numLayers > kMaxInt32) {
    fail().add("model layer count is ").addSigned(model.numLayers);
    return false;
  }
  if (model.maxContext <= 0 || model.maxContext > kMaxInt32) {
    fail()
        .add("model max context is ")
        .addSigned(model.maxContext)
        .add(", expected 1 to 2147483647");
    return false;
  }
  auto checkToken = [&](int64_t id, const char *what) {
    if (id >= 0 && id < model.vocabSize)
      return true;
    fail()
        .add(what)
        .add(" ")
        .addSigned(id)
        .add(" is outside the vocabulary [0, ")
        .addSigned(model.vocabSize)
        .add(")");
    return false;
  };
  if (!checkToken(model.bosTokenId, "model BOS token id"))
    return false;
  for (uint64_t i = 0; i < model.eosCount; ++i)
    if (!checkToken(eos[i], "model EOS token id"))
      return false;
  return true;
}

bool Parser::parseTarget(TargetView &target) {
  target.name = in.string("target name");
  target.arch = in.string("target arch");
  target.cpuFeatureCount =
      in.count("target CPU feature count", kMaxCpuFeatures, 8);
  if (!in.ok())
    return false;
  StringView *features = allocate<StringView>(target.cpuFeatureCount);
  if (!features)
    return false;
  for (uint64_t i = 0; i < target.cpuFeatureCount; ++i)
    features[i] = in.string("target CPU feature", 64);
  target.cpuFeatures = features;
  if (!in.ok())
    return false;
  if (target.arch.size == 0) {
    fail().add("target arch is empty");
    return false;
  }
  return true;
}

bool Parser::parseKernel(uint64_t index, KernelView &kernel) {
  kernel.name = in.string("kernel name");
  kernel.symbol = in.string("kernel symbol", 1024);
  kernel.numArgs = in.u64("kernel argument count");
  if (!in.ok())
    return false;
  Where where;
  where->add("kernel ")
      .addUnsigned(index)
      .add(" ('")
      .add(kernel.name.data, kernel.name.size)
      .add("')");
  if (kernel.symbol.size == 0) {
    fail().add(where.str()).add(": empty symbol");
    return false;
  }
  for (uint64_t i = 0; i < kernel.symbol.size; ++i) {
    char c = kernel.symbol.data[i];
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9'))) {
      fail()
          .add(where.str())
          .add(": symbol '")
          .add(kernel.symbol.data, kernel.symbol.size)
          .add("' is not a C identifier");
      return false;
    }
  }
  if (kernel.numArgs > kMaxKernelArgs) {
    fail()
        .add(where.str())
        .add(": ")
        .addUnsigned(kernel.numArgs)
        .add(" arguments, more than the limit of ")
        .addUnsigned(kMaxKernelArgs);
    return false;
  }
  return true;
}

bool Parser::parseWeight(uint64_t index, WeightView &weight) {
  weight.name = in.string("weight name");
  if (!in.ok())
    return false;
  Where where;
  where->add("weight ")
      .addUnsigned(index)
      .add(" ('")
      .add(weight.name.data, weight.name.size)
      .add("')");
  weight.weightClass = in.string("weight class");
  weight.scheme = in.string("weight scheme");
  if (!in.ok() || !elementType(where.str(), weight.type) ||
      !shape(where.str(), /*allowTokens=*/false, weight.shape))
    return false;
  weight.offset = in.u64("weight offset");
  weight.bytes = in.u64("weight size");
  if (!in.ok())
    return false;

  uint64_t expected = elementSize(weight.type);
  for (uint32_t i = 0; i < weight.shape.rank; ++i)
    if (!mulWithin(expected, uint64_t(weight.shape.dims[i]), expected)) {
      MessageBuilder message = fail();
      message.add(where.str()).add(": shape ");
      addShape(message, weight.shape.dims, weight.shape.rank);
      message.add(" is too large");
      return false;
    }
  if (weight.bytes != expected) {
    MessageBuilder message = fail();
    message.add(where.str())
        .add(": size is ")
        .addUnsigned(weight.bytes)
        .add(" bytes, but shape ");
    addShape(message, weight.shape.dims, weight.shape.rank);
    message.add(" of ")
        .add(elementTypeName(weight.type))
        .add(" needs ")
        .addUnsigned(expected);
    return false;
  }
  if (weight.offset % kWeightAlignment != 0) {
    fail()
        .add(where.str())
        .add(": offset ")
        .addUnsigned(weight.offset)
        .add(" is not ")
        .addUnsigned(kWeightAlignment)
        .add("-byte aligned");
    return false;
  }
  if (weight.offset > weightsSectionSize ||
      weight.bytes > weightsSectionSize - weight.offset) {
    fail()
        .add(where.str())
        .add(": bytes [")
        .addUnsigned(weight.offset)
        .add(", ")
        .addUnsigned(weight.offset + weight.bytes)
        .add(") lie outside the Weights section of ")
        .addUnsigned(weightsSectionSize)
        .add(" bytes");
    return false;
  }
  return true;
}

bool Parser::parseCache(uint64_t index, const ModelView &model,
                        CacheView &cache) {
  cache.name = in.string("cache name");
  if (!in.ok())
    return false;
  Where where;
  where->add("cache ")
      .addUnsigned(index)
      .add(" ('")
      .add(cache.name.data, cache.name.size)
      .add("')");
  if (!elementType(where.str(), cache.type))
    return false;
  cache.kvHeads = in.i64("cache KV heads");
  cache.headDim = in.i64("cache head dim");
  cache.window = in.i64("cache window");
  cache.capacity = in.i64("cache capacity");
  if (!in.ok())
    return false;
  if (cache.type != ElementType::F32 && cache.type != ElementType::BF16 &&
      cache.type != ElementType::F16 && cache.type != ElementType::I8) {
    fail()
        .add(where.str())
        .add(": a KV cache cannot store ")
        .add(elementTypeName(cache.type))
        .add(" (f32, bf16, f16 or i8)");
    return false;
  }
  if (cache.kvHeads <= 0 || cache.kvHeads > kMaxInt32) {
    fail().add(where.str()).add(": KV heads is ").addSigned(cache.kvHeads);
    return false;
  }
  if (cache.headDim <= 0 || cache.headDim > kMaxInt32) {
    fail().add(where.str()).add(": head dim is ").addSigned(cache.headDim);
    return false;
  }
  if (cache.window < 0 || cache.window > kMaxInt32) {
    fail().add(where.str()).add(": window is ").addSigned(cache.window);
    return false;
  }
  if (cache.capacity <= 0 || cache.capacity > model.maxContext) {
    fail()
        .add(where.str())
        .add(": capacity is ")
        .addSigned(cache.capacity)
        .add(", expected 1 to the max context ")
        .addSigned(model.maxContext);
    return false;
  }
  if (cache.window == 0 && cache.capacity != model.maxContext) {
    fail()
        .add(where.str())
        .add(": a full-attention cache needs capacity ")
        .addSigned(model.maxContext)
        .add(" (the max context), found ")
        .addSigned(cache.capacity);
    return false;
  }
  int64_t minCapacity =
      cache.window < model.maxContext ? cache.window : model.maxContext;
  if (cache.window > 0 && cache.capacity < minCapacity) {
    fail()
        .add(where.str())
        .add(": capacity ")
        .addSigned(cache.capacity)
        .add(" is smaller than its window ")
        .addSigned(cache.window);
    return false;
  }
  uint64_t bytes = elementSize(cache.type);
  if (!mulWithin(bytes, uint64_t(cache.capacity), bytes) ||
      !mulWithin(bytes, uint64_t(cache.kvHeads), bytes) ||
      !mulWithin(bytes, uint64_t(cache.headDim), bytes)) {
    fail().add(where.str()).add(": too large");
    return false;
  }
  return true;
}

bool Parser::parseBuffer(const char *where, int64_t maxTokens,
                         uint64_t arenaBytes, BufferView &buffer) {
  buffer.name = in.string("buffer name");
  if (!in.ok())
    return false;
  Where what;
  what->add(where).add(" ('").add(buffer.name.data, buffer.name.size).add("')");
  if (!elementType(what.str(), buffer.type) ||
      !shape(what.str(), /*allowTokens=*/true, buffer.shape))
    return false;
  buffer.arenaOffset = in.u64("buffer arena offset");
  if (!in.ok())
    return false;
  uint64_t bytes = elementSize(buffer.type);
  for (uint32_t i = 0; i < buffer.shape.rank; ++i) {
    int64_t dim = buffer.shape.dims[i];
    if (!mulWithin(bytes, uint64_t(dim == kTokens ? maxTokens : dim), bytes)) {
      MessageBuilder message = fail();
      message.add(what.str()).add(": shape ");
      addShape(message, buffer.shape.dims, buffer.shape.rank);
      message.add(" is too large");
      return false;
    }
  }
  if (buffer.arenaOffset % kSectionAlignment != 0) {
    fail()
        .add(what.str())
        .add(": arena offset ")
        .addUnsigned(buffer.arenaOffset)
        .add(" is not 64-byte aligned");
    return false;
  }
  if (buffer.arenaOffset > arenaBytes ||
      bytes > arenaBytes - buffer.arenaOffset) {
    fail()
        .add(what.str())
        .add(": bytes [")
        .addUnsigned(buffer.arenaOffset)
        .add(", ")
        .addUnsigned(buffer.arenaOffset + bytes)
        .add(") for ")
        .addSigned(maxTokens)
        .add(" tokens lie outside the arena of ")
        .addUnsigned(arenaBytes)
        .add(" bytes");
    return false;
  }
  return true;
}

/// Token-indexed buffers (token ids, positions, logits, KV-store sources)
/// have a leading dimension of T, or of 1 in an entry point that takes one
/// token per call.
bool Parser::checkTokenBuffer(const EntryView &entry, uint64_t index,
                              const char *role, ElementType type,
                              const int64_t *innerDims, uint32_t innerRank,
                              bool allowOneRow) {
  if (index >= entry.bufferCount) {
    fail()
        .add("entry point '")
        .add(entry.name.data, entry.name.size)
        .add("': ")
        .add(role)
        .add(" buffer index ")
        .addUnsigned(index)
        .add(" is out of range (the entry point has ")
        .addUnsigned(entry.bufferCount)
        .add(" buffers)");
    return false;
  }
  const BufferView &buffer = entry.buffers[index];
  Shape expected;
  expected.rank = innerRank + 1;
  expected.dims[0] = kTokens;
  for (uint32_t i = 0; i < innerRank; ++i)
    expected.dims[i + 1] = innerDims[i];
  bool shapeOk =
      buffer.shape.rank == expected.rank &&
      (buffer.shape.dims[0] == kTokens ||
       (buffer.shape.dims[0] == 1 && (entry.maxTokens == 1 || allowOneRow)));
  for (uint32_t i = 1; shapeOk && i < expected.rank; ++i)
    shapeOk = buffer.shape.dims[i] == expected.dims[i];
  if (shapeOk && buffer.type == type)
    return true;
  MessageBuilder message = fail();
  message.add("entry point '")
      .add(entry.name.data, entry.name.size)
      .add("': ")
      .add(role)
      .add(" buffer '")
      .add(buffer.name.data, buffer.name.size)
      .add("' is ")
      .add(elementTypeName(buffer.type))
      .add(" ");
  addShape(message, buffer.shape.dims, buffer.shape.rank);
  message.add(", expected ").add(elementTypeName(type)).add(" ");
  addShape(message, expected.dims, expected.rank);
  return false;
}

bool Parser::parseArg(const ManifestView &manifest, const EntryView &entry,
                      const StepView &step, uint64_t i, const char *stepWhere,
                      ArgView &arg) {
  uint64_t argKind = in.u64("argument kind");
  arg.index = in.u64("argument index");
  if (!in.ok())
    return false;
  Where where;
  where->add(stepWhere).add(" argument ").addUnsigned(i);
  auto checkIndex = [&](uint64_t size, const char *what) {
    if (arg.index < size)
      return true;
    fail()
        .add(where.str())
        .add(": ")
        .add(what)
        .add(" index ")
        .addUnsigned(arg.index)
        .add(" is out of range (")
        .addUnsigned(size)
        .add(" ")
        .add(what)
        .add("s)");
    return false;
  };
  switch (argKind) {
  case uint64_t(ArgKind::Buffer):
    if (!checkIndex(entry.bufferCount, "buffer"))
      return false;
    break;
  case uint64_t(ArgKind::Weight):
    if (!checkIndex(manifest.weightCount, "weight"))
      return false;
    break;
  case uint64_t(ArgKind::CacheKeys):
  case uint64_t(ArgKind::CacheValues):
    if (!checkIndex(manifest.cacheCount, "cache"))
      return false;
    break;
  case uint64_t(ArgKind::CacheKeyScales):
  case uint64_t(ArgKind::CacheValueScales): {
    if (!checkIndex(manifest.cacheCount, "cache"))
      return false;
    const CacheView &cache = manifest.caches[arg.index];
    if (cache.type != ElementType::I8) {
      fail()
          .add(where.str())
          .add(": cache '")
          .add(cache.name.data, cache.name.size)
          .add("' stores ")
          .add(elementTypeName(cache.type))
          .add(", which has no scales");
      return false;
    }
    break;
  }
  case uint64_t(ArgKind::Constant):
    if (arg.index > 0x7fffffffu) {
      fail()
          .add(where.str())
          .add(": constant argument ")
          .addUnsigned(arg.index)
          .add(" does not fit int32");
      return false;
    }
    break;
  case uint64_t(ArgKind::Scalar):
    if (arg.index != uint64_t(ScalarKind::Tokens) &&
        arg.index != uint64_t(ScalarKind::ContextLength)) {
      fail()
          .add(where.str())
          .add(": unknown scalar kind ")
          .addUnsigned(arg.index);
      return false;
    }
    break;
  default:
    fail()
        .add(where.str())
        .add(": unknown argument kind ")
        .addUnsigned(argKind);
    return false;
  }
  arg.kind = static_cast<ArgKind>(argKind);
  if (step.kind == StepKind::KVStore) {
    if (arg.kind != ArgKind::Buffer) {
      fail().add(where.str()).add(": a KV store reads buffers only");
      return false;
    }
    const CacheView &cache = manifest.caches[step.cache];
    int64_t inner[2] = {cache.kvHeads, cache.headDim};
    return checkTokenBuffer(entry, arg.index,
                            i == 0 ? "KV store keys" : "KV store values",
                            ElementType::F32, inner, 2);
  }
  return true;
}

bool Parser::parseStep(const ManifestView &manifest, const EntryView &entry,
                       const char *where, StepView &step) {
  uint64_t kind = in.u64("step kind");
  step.kernel = in.u64("step kernel");
  step.cache = in.u64("step cache");
  uint64_t argCount = in.count("step argument count", kMaxKernelArgs, 16);
  if (!in.ok())
    return false;
  if (kind != uint64_t(StepKind::Kernel) &&
      kind != uint64_t(StepKind::KVStore)) {
    fail().add(where).add(": unknown step kind ").addUnsigned(kind);
    return false;
  }
  step.kind = static_cast<StepKind>(kind);
  Where stepWhere;
  stepWhere->add(where);
  if (step.kind == StepKind::Kernel) {
    if (step.kernel >= manifest.kernelCount) {
      fail()
          .add(where)
          .add(": kernel index ")
          .addUnsigned(step.kernel)
          .add(" is out of range (the package has ")
          .addUnsigned(manifest.kernelCount)
          .add(" kernels)");
      return false;
    }
    const KernelView &kernel = manifest.kernels[step.kernel];
    stepWhere->add(" (kernel '")
        .add(kernel.name.data, kernel.name.size)
        .add("')");
    if (argCount != kernel.numArgs) {
      fail()
          .add(stepWhere.str())
          .add(": ")
          .addUnsigned(argCount)
          .add(" arguments, but the kernel takes ")
          .addUnsigned(kernel.numArgs);
      return false;
    }
  } else {
    if (step.cache >= manifest.cacheCount) {
      fail()
          .add(where)
          .add(": cache index ")
          .addUnsigned(step.cache)
          .add(" is out of range (the package has ")
          .addUnsigned(manifest.cacheCount)
          .add(" caches)");
      return false;
    }
    const CacheView &cache = manifest.caches[step.cache];
    stepWhere->add(" (KV store into '")
        .add(cache.name.data, cache.name.size)
        .add("')");
    if (argCount != 2) {
      fail()
          .add(stepWhere.str())
          .add(": ")
          .addUnsigned(argCount)
          .add(" arguments, expected 2 (keys, values)");
      return false;
    }
  }

  ArgView *args = allocate<ArgView>(argCount);
  if (!args)
    return false;
  step.args = args;
  step.argCount = argCount;
  for (uint64_t i = 0; i < argCount; ++i)
    if (!parseArg(manifest, entry, step, i, stepWhere.str(), args[i]))
      return false;
  return true;
}

bool Parser::parseEntryPoint(const ManifestView &manifest, EntryView &entry) {
  entry.name = in.string("entry point name");
  entry.maxTokens = in.i64("entry point max tokens");
  entry.arenaBytes = in.u64("entry point arena size");
  if (!in.ok())
    return false;
  Where where;
  where->add("entry point '").add(entry.name.data, entry.name.size).add("'");
  if (entry.maxTokens <= 0 || entry.maxTokens > kMaxInt32) {
    fail()
        .add(where.str())
        .add(": max tokens is ")
        .addSigned(entry.maxTokens)
        .add(", expected a positive count");
    return false;
  }
  if (entry.arenaBytes > kMaxBytes) {
    fail()
        .add(where.str())
        .add(": arena of ")
        .addUnsigned(entry.arenaBytes)
        .add(" bytes is too large");
    return false;
  }

  uint64_t bufferCount = in.count("buffer count", kMaxBuffers, 32);
  if (!in.ok())
    return false;
  BufferView *buffers = allocate<BufferView>(bufferCount);
  if (!buffers)
    return false;
  for (uint64_t i = 0; i < bufferCount; ++i) {
    Where bufferWhere;
    bufferWhere->add(where.str()).add(" buffer ").addUnsigned(i);
    if (!parseBuffer(bufferWhere.str(), entry.maxTokens, entry.arenaBytes,
                     buffers[i]))
      return false;
  }
  entry.buffers = buffers;
  entry.bufferCount = bufferCount;
  entry.tokenIdsBuffer = in.u64("token ids buffer");
  entry.positionsBuffer = in.u64("positions buffer");
  entry.logitsBuffer = in.u64("logits buffer");
  if (!in.ok())
    return false;
  int64_t vocab = manifest.model.vocabSize;
  // Logits may have one row whatever the token count: a prefill compiled
  // for the last position's logits only.
  if (!checkTokenBuffer(entry, entry.tokenIdsBuffer, "token ids",
                        ElementType::I32, nullptr, 0) ||
      !checkTokenBuffer(entry, entry.positionsBuffer, "positions",
                        ElementType::I32, nullptr, 0) ||
      !checkTokenBuffer(entry, entry.logitsBuffer, "logits", ElementType::F32,
                        &vocab, 1, /*allowOneRow=*/true))
    return false;

  uint64_t stepCount = in.count("step count", kMaxSteps, 32);
  if (!in.ok())
    return false;
  StepView *steps = allocate<StepView>(stepCount);
  if (!steps)
    return false;
  entry.steps = steps;
  for (uint64_t i = 0; i < stepCount; ++i) {
    Where stepWhere;
    stepWhere->add(where.str()).add(" step ").addUnsigned(i);
    if (!parseStep(manifest, entry, stepWhere.str(), steps[i]))
      return false;
    entry.stepCount = i + 1;
  }
  return true;
}

bool Parser::parse(ManifestView &manifest) {
  manifest = ManifestView();
  if (!parseModel(manifest.model) || !parseTarget(manifest.target))
    return false;

  uint64_t kernelCount = in.count("kernel count", kMaxKernels, 24);
  KernelView *kernels = in.ok() ? allocate<KernelView>(kernelCount) : nullptr;
  if (!kernels)
    return false;
  for (uint64_t i = 0; i < kernelCount; ++i)
    if (!parseKernel(i, kernels[i]))
      return false;
  manifest.kernels = kernels;
  manifest.kernelCount = kernelCount;

  uint64_t weightCount = in.count("weight count", kMaxWeights, 40);
  WeightView *weights = in.ok() ? allocate<WeightView>(weightCount) : nullptr;
  if (!weights)
    return false;
  for (uint64_t i = 0; i < weightCount; ++i)
    if (!parseWeight(i, weights[i]))
      return false;
  manifest.weights = weights;
  manifest.weightCount = weightCount;

  uint64_t cacheCount = in.count("cache count", kMaxCaches, 48);
  CacheView *caches = in.ok() ? allocate<CacheView>(cacheCount) : nullptr;
  if (!caches)
    return false;
  for (uint64_t i = 0; i < cacheCount; ++i)
    if (!parseCache(i, manifest.model, caches[i]))
      return false;
  manifest.caches = caches;
  manifest.cacheCount = cacheCount;

  uint64_t entryCount = in.count("entry point count", kMaxEntryPoints, 64);
  EntryView *entries = in.ok() ? allocate<EntryView>(entryCount) : nullptr;
  if (!entries)
    return false;
  manifest.entries = entries;
  for (uint64_t i = 0; i < entryCount; ++i) {
    if (!parseEntryPoint(manifest, entries[i]))
      return false;
    for (uint64_t j = 0; j < i; ++j)
      if (entries[j].name.equals(entries[i].name)) {
        fail()
            .add("entry point '")
            .add(entries[i].name.data, entries[i].name.size)
            .add("' appears twice");
        return false;
      }
    manifest.entryCount = i + 1;
  }
  if (!in.atEnd()) {
    fail()
        .addUnsigned(in.remaining())
        .add(" unexpected bytes after the last entry point");
    return false;
  }

  const EntryView *prefill = findEntry(manifest, "prefill");
  const EntryView *decode = findEntry(manifest, "decode");
  if (!prefill) {
    fail().add("no 'prefill' entry point");
    return false;
  }
  if (!decode) {
    fail().add("no 'decode' entry point");
    return false;
  }
  if (decode->maxTokens != 1) {
    fail()
        .add("entry point 'decode' takes ")
        .addSigned(decode->maxTokens)
        .add(" tokens per call, expected 1");
    return false;
  }
  return true;
}

} // namespace

bool readManifest(const uint8_t *data, uint64_t size,
                  uint64_t weightsSectionSize, Arena &arena,
                  ManifestView &manifest, Status &status) {
  status = Status();
  return Parser(data, size, weightsSectionSize, arena, status).parse(manifest);
}

} // namespace facet::core
