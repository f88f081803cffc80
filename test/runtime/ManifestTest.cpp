//===- ManifestTest.cpp - Manifest serialisation and validation -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "ToyModel.h"

#include "runtime/package/ByteIO.h"
#include "runtime/package/FormatError.h"
#include "runtime/package/Manifest.h"

#include <gtest/gtest.h>

#include <functional>

using namespace facet::package;
using facet::test::toyManifest;
using facet::test::ToyOptions;

namespace {

/// The toy manifest with weight offsets assigned, and its Weights size.
Manifest validManifest(uint64_t *weightsSize = nullptr) {
  Manifest manifest = toyManifest(ToyOptions());
  uint64_t offset = 0;
  for (WeightInfo &weight : manifest.weights) {
    weight.offset = offset;
    offset = (offset + weight.bytes + kWeightAlignment - 1) /
             kWeightAlignment * kWeightAlignment;
  }
  if (weightsSize)
    *weightsSize = offset;
  return manifest;
}

/// The message parseManifest gives for `manifest`, or "" if it accepts it.
std::string parseError(const Manifest &manifest, uint64_t weightsSize) {
  std::vector<uint8_t> bytes = serializeManifest(manifest);
  try {
    parseManifest(bytes.data(), bytes.size(), weightsSize);
  } catch (const FormatError &error) {
    return error.what();
  }
  return "";
}

std::string errorAfter(const std::function<void(Manifest &)> &mutate) {
  uint64_t weightsSize;
  Manifest manifest = validManifest(&weightsSize);
  mutate(manifest);
  return parseError(manifest, weightsSize);
}

EntryPoint &entry(Manifest &manifest, const char *name) {
  for (EntryPoint &e : manifest.entryPoints)
    if (e.name == name)
      return e;
  throw std::runtime_error("no entry point");
}

} // namespace

TEST(ByteIO, WritesLittleEndian) {
  ByteWriter out;
  out.u32(0xdeadbeef);
  out.u64(0x0123456789abcdefULL);
  out.i64(-5);
  out.f64(2.5);
  out.string("gemma");
  std::vector<uint8_t> bytes = out.take();
  ASSERT_EQ(bytes.size(), 4u + 8 + 8 + 8 + 8 + 5);
  EXPECT_EQ(bytes[0], 0xef); // little-endian
  EXPECT_EQ(loadU32(bytes.data()), 0xdeadbeefu);
  EXPECT_EQ(loadU64(bytes.data() + 4), 0x0123456789abcdefULL);
  EXPECT_EQ(int64_t(loadU64(bytes.data() + 12)), -5);
  EXPECT_EQ(loadU64(bytes.data() + 20), 0x4004000000000000ULL); // 2.5
  EXPECT_EQ(loadU64(bytes.data() + 28), 5u);
  EXPECT_EQ(std::string(bytes.begin() + 36, bytes.end()), "gemma");
}

TEST(Manifest, RoundTrips) {
  uint64_t weightsSize;
  Manifest manifest = validManifest(&weightsSize);
  std::vector<uint8_t> bytes = serializeManifest(manifest);
  Manifest parsed = parseManifest(bytes.data(), bytes.size(), weightsSize);
  EXPECT_EQ(serializeManifest(parsed), bytes);

  EXPECT_EQ(parsed.model.name, "toy");
  EXPECT_EQ(parsed.model.vocabSize, 11);
  EXPECT_EQ(parsed.model.maxContext, 24);
  EXPECT_EQ(parsed.model.eosTokenIds, std::vector<int64_t>{1});
  EXPECT_EQ(parsed.target.arch, facet::test::hostArch());
  ASSERT_EQ(parsed.kernels.size(), 5u);
  EXPECT_EQ(parsed.kernels[1].symbol, "k_attend_full");
  EXPECT_EQ(parsed.kernels[1].numArgs, 6u);
  ASSERT_EQ(parsed.weights.size(), 2u);
  EXPECT_EQ(parsed.weights[1].offset, 256u);
  EXPECT_EQ(parsed.weights[1].shape, (std::vector<int64_t>{11, 4}));
  ASSERT_EQ(parsed.caches.size(), 2u);
  EXPECT_EQ(parsed.caches[1].window, 3);
  EXPECT_EQ(parsed.caches[1].capacity, 6);
  const EntryPoint *prefill = findEntryPoint(parsed, "prefill");
  ASSERT_NE(prefill, nullptr);
  EXPECT_EQ(prefill->maxTokens, 4);
  EXPECT_EQ(prefill->buffers[2].shape, (std::vector<int64_t>{kTokens, 1, 4}));
  ASSERT_EQ(prefill->steps.size(), 6u);
  EXPECT_EQ(prefill->steps[1].kind, StepKind::KVStore);
  EXPECT_EQ(prefill->steps[3].args[3].kind, ArgKind::Scalar);
  EXPECT_EQ(prefill->steps[3].args[3].index,
            uint64_t(ScalarKind::ContextLength));
}

// An int8 cache may hand its scales to a kernel; they round-trip.
TEST(Manifest, Int8CacheScalesRoundTrip) {
  uint64_t weightsSize;
  Manifest manifest = validManifest(&weightsSize);
  manifest.caches[0].type = ElementType::I8;
  manifest.caches[1].type = ElementType::BF16;
  for (EntryPoint &e : manifest.entryPoints) {
    e.steps[3].args[1] = {ArgKind::CacheKeyScales, 0};
    e.steps[3].args[2] = {ArgKind::CacheValueScales, 0};
  }
  std::vector<uint8_t> bytes = serializeManifest(manifest);
  Manifest parsed = parseManifest(bytes.data(), bytes.size(), weightsSize);
  EXPECT_EQ(serializeManifest(parsed), bytes);
  EXPECT_EQ(parsed.caches[0].type, ElementType::I8);
  EXPECT_EQ(parsed.caches[1].type, ElementType::BF16);
  EXPECT_EQ(findEntryPoint(parsed, "decode")->steps[3].args[2].kind,
            ArgKind::CacheValueScales);
}

TEST(Manifest, EveryTruncationIsAnError) {
  uint64_t weightsSize;
  std::vector<uint8_t> bytes = serializeManifest(validManifest(&weightsSize));
  for (size_t size = 0; size < bytes.size(); ++size)
    EXPECT_THROW(parseManifest(bytes.data(), size, weightsSize), FormatError)
        << size;
}

TEST(Manifest, TrailingBytesAreAnError) {
  uint64_t weightsSize;
  std::vector<uint8_t> bytes = serializeManifest(validManifest(&weightsSize));
  bytes.push_back(0);
  try {
    parseManifest(bytes.data(), bytes.size(), weightsSize);
    FAIL() << "accepted";
  } catch (const FormatError &error) {
    EXPECT_STREQ(error.what(),
                 "manifest: 1 unexpected bytes after the last entry point");
  }
}

TEST(Manifest, HelpersAgreeWithTheFormat) {
  EXPECT_EQ(elementSize(ElementType::F32), 4u);
  EXPECT_EQ(elementSize(ElementType::BF16), 2u);
  EXPECT_EQ(elementSize(ElementType::U8), 1u);
  EXPECT_EQ(elementSize(ElementType::U16), 2u);
  EXPECT_STREQ(elementTypeName(ElementType::F16), "f16");
  BufferInfo buffer{"x", ElementType::F32, {kTokens, 3, 5}, 0};
  EXPECT_EQ(bufferBytes(buffer, 7), 7u * 3 * 5 * 4);
}

struct InvalidCase {
  const char *name;
  std::function<void(Manifest &)> mutate;
  const char *message; // expected substring
};

void PrintTo(const InvalidCase &c, std::ostream *os) { *os << c.name; }

class ManifestValidation : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(ManifestValidation, RejectsWithAClearMessage) {
  std::string message = errorAfter(GetParam().mutate);
  ASSERT_FALSE(message.empty()) << "accepted";
  EXPECT_NE(message.find(GetParam().message), std::string::npos) << message;
  EXPECT_EQ(message.rfind("manifest: ", 0), 0u) << message;
}

const InvalidCase kInvalidCases[] = {
    {"VocabZero", [](Manifest &m) { m.model.vocabSize = 0; },
     "model vocab size is 0"},
    {"MaxContextNegative", [](Manifest &m) { m.model.maxContext = -3; },
     "model max context is -3"},
    {"BosOutsideVocab", [](Manifest &m) { m.model.bosTokenId = 11; },
     "model BOS token id 11 is outside the vocabulary [0, 11)"},
    {"EosOutsideVocab", [](Manifest &m) { m.model.eosTokenIds = {-1}; },
     "model EOS token id -1 is outside the vocabulary"},
    {"EmptyArch", [](Manifest &m) { m.target.arch = ""; },
     "target arch is empty"},
    {"SymbolNotIdentifier",
     [](Manifest &m) { m.kernels[0].symbol = "k embed"; },
     "kernel 0 ('embed'): symbol 'k embed' is not a C identifier"},
    {"TooManyKernelArgs", [](Manifest &m) { m.kernels[0].numArgs = 1000; },
     "1000 arguments, more than the limit of 256"},
    {"UnknownElementType",
     [](Manifest &m) { m.weights[0].type = ElementType(99); },
     "weight 0 ('embed'): unknown element type 99"},
    {"WeightSizeDisagreesWithShape",
     [](Manifest &m) { m.weights[0].bytes = 100; },
     "weight 0 ('embed'): size is 100 bytes, but shape [11, 4] of f32 needs "
     "176"},
    {"WeightUnaligned", [](Manifest &m) { m.weights[1].offset = 200; },
     "weight 1 ('unembed'): offset 200 is not 128-byte aligned"},
    {"WeightOutsideSection", [](Manifest &m) { m.weights[1].offset = 384; },
     "weight 1 ('unembed'): bytes [384, 560) lie outside the Weights section "
     "of 512 bytes"},
    {"WeightZeroDimension",
     [](Manifest &m) {
       m.weights[0].shape = {0, 4};
     },
     "weight 0 ('embed'): dimension 0 is 0, expected 1 to 2147483647"},
    {"WeightStridesOverflowInt32",
     [](Manifest &m) {
       m.weights[0].shape = {1, 65536, 65536};
       m.weights[0].bytes = uint64_t(65536) * 65536 * 4;
     },
     "hold more than 2147483647 elements"},
    {"FullCacheShorterThanContext",
     [](Manifest &m) { m.caches[0].capacity = 10; },
     "cache 0 ('layer0.full'): a full-attention cache needs capacity 24"},
    {"SlidingCacheShorterThanWindow",
     [](Manifest &m) { m.caches[1].capacity = 2; },
     "cache 1 ('layer0.sliding'): capacity 2 is smaller than its window 3"},
    {"CacheLargerThanContext", [](Manifest &m) { m.caches[1].capacity = 25; },
     "capacity is 25, expected 1 to the max context 24"},
    {"CacheZeroHeads", [](Manifest &m) { m.caches[0].kvHeads = 0; },
     "cache 0 ('layer0.full'): KV heads is 0"},
    {"NoDecode", [](Manifest &m) { m.entryPoints[1].name = "generate"; },
     "no 'decode' entry point"},
    {"NoPrefill", [](Manifest &m) { m.entryPoints[0].name = "other"; },
     "no 'prefill' entry point"},
    {"DuplicateEntryPoint",
     [](Manifest &m) { m.entryPoints.push_back(m.entryPoints[1]); },
     "entry point 'decode' appears twice"},
    {"DecodeTakesTwoTokens",
     [](Manifest &m) {
       EntryPoint &decode = entry(m, "decode");
       decode.maxTokens = 2;
       decode.arenaBytes *= 4;
       for (BufferInfo &buffer : decode.buffers)
         buffer.shape[0] = kTokens;
     },
     "entry point 'decode' takes 2 tokens per call, expected 1"},
    {"MaxTokensZero", [](Manifest &m) { entry(m, "prefill").maxTokens = 0; },
     "entry point 'prefill': max tokens is 0"},
    {"BufferOutsideArena",
     [](Manifest &m) { entry(m, "prefill").arenaBytes -= 64; },
     "entry point 'prefill' buffer 6 ('logits'): bytes"},
    {"BufferUnaligned",
     [](Manifest &m) { entry(m, "prefill").buffers[3].arenaOffset += 4; },
     "buffer 3 ('values'): arena offset 196 is not 64-byte aligned"},
    {"TokensNotLeading",
     [](Manifest &m) {
       entry(m, "prefill").buffers[4].shape = {4, kTokens};
     },
     "only the leading dimension may be the token count, found T at "
     "dimension 1"},
    {"TokenIdsIndexOutOfRange",
     [](Manifest &m) { entry(m, "prefill").tokenIdsBuffer = 7; },
     "entry point 'prefill': token ids buffer index 7 is out of range (the "
     "entry point has 7 buffers)"},
    {"TokenIdsNotInt32",
     [](Manifest &m) {
       entry(m, "prefill").buffers[0].type = ElementType::F32;
     },
     "token ids buffer 'token_ids' is f32 [T], expected i32 [T]"},
    {"PositionsFixedInPrefill",
     [](Manifest &m) { entry(m, "prefill").buffers[1].shape = {4}; },
     "positions buffer 'positions' is i32 [4], expected i32 [T]"},
    {"LogitsWrongVocab",
     [](Manifest &m) {
       entry(m, "decode").buffers[6].shape = {1, 12};
     },
     "logits buffer 'logits' is f32 [1, 12], expected f32 [T, 11]"},
    {"KernelIndexOutOfRange",
     [](Manifest &m) { entry(m, "prefill").steps[0].kernel = 99; },
     "entry point 'prefill' step 0: kernel index 99 is out of range (the "
     "package has 5 kernels)"},
    {"ArgCountDisagreesWithKernel",
     [](Manifest &m) { m.kernels[0].numArgs = 5; },
     "entry point 'prefill' step 0 (kernel 'embed'): 4 arguments, but the "
     "kernel takes 5"},
    {"BufferArgOutOfRange",
     [](Manifest &m) { entry(m, "decode").steps[5].args[3].index = 42; },
     "entry point 'decode' step 5 (kernel 'decode.logits') argument 3: buffer "
     "index 42 is out of range (7 buffers)"},
    {"WeightArgOutOfRange",
     [](Manifest &m) { entry(m, "prefill").steps[0].args[1].index = 2; },
     "argument 1: weight index 2 is out of range (2 weights)"},
    {"CacheArgOutOfRange",
     [](Manifest &m) { entry(m, "prefill").steps[3].args[1].index = 5; },
     "argument 1: cache index 5 is out of range (2 caches)"},
    {"UnknownScalar",
     [](Manifest &m) { entry(m, "prefill").steps[3].args[3].index = 9; },
     "argument 3: unknown scalar kind 9"},
    {"ConstantPastInt32",
     [](Manifest &m) {
       entry(m, "prefill").steps[3].args[3] = {ArgKind::Constant, uint64_t(1)
                                                                      << 31};
     },
     "argument 3: constant argument 2147483648 does not fit int32"},
    {"UnknownArgKind",
     [](Manifest &m) {
       entry(m, "prefill").steps[3].args[3].kind = ArgKind(17);
     },
     "argument 3: unknown argument kind 17"},
    {"UnknownStepKind",
     [](Manifest &m) { entry(m, "prefill").steps[0].kind = StepKind(7); },
     "entry point 'prefill' step 0: unknown step kind 7"},
    {"KVStoreCacheOutOfRange",
     [](Manifest &m) { entry(m, "prefill").steps[1].cache = 2; },
     "entry point 'prefill' step 1: cache index 2 is out of range (the "
     "package has 2 caches)"},
    {"KVStoreThreeArgs",
     [](Manifest &m) {
       auto &args = entry(m, "prefill").steps[1].args;
       args.push_back(args[0]);
     },
     "3 arguments, expected 2 (keys, values)"},
    {"KVStoreReadsAWeight",
     [](Manifest &m) {
       entry(m, "prefill").steps[1].args[0] = {ArgKind::Weight, 0};
     },
     "a KV store reads buffers only"},
    {"KVStoreShapeDisagreesWithCache",
     [](Manifest &m) { m.caches[0].headDim = 5; },
     "entry point 'prefill': KV store keys buffer 'keys' is f32 [T, 1, 4], "
     "expected f32 [T, 1, 5]"},
    // Kernels write f32 rows whatever the cache stores; the runtime
    // converts them.
    {"KVStoreSourceNotF32",
     [](Manifest &m) {
       for (EntryPoint &e : m.entryPoints)
         e.buffers[2].type = ElementType::BF16;
     },
     "KV store keys buffer 'keys' is bf16 [T, 1, 4], expected f32"},
    {"CacheOfI32", [](Manifest &m) { m.caches[1].type = ElementType::I32; },
     "a KV cache cannot store i32 (f32, bf16, f16 or i8)"},
    {"ScalesOfAFloatCache",
     [](Manifest &m) {
       entry(m, "prefill").steps[3].args[1] = {ArgKind::CacheKeyScales, 0};
     },
     "argument 1: cache 'layer0.full' stores f32, which has no scales"},
    {"ScalesOutOfRange",
     [](Manifest &m) {
       m.caches[0].type = ElementType::I8;
       entry(m, "prefill").steps[3].args[1] = {ArgKind::CacheValueScales, 2};
     },
     "argument 1: cache index 2 is out of range (2 caches)"},
};

INSTANTIATE_TEST_SUITE_P(Cases, ManifestValidation,
                         ::testing::ValuesIn(kInvalidCases),
                         [](const ::testing::TestParamInfo<InvalidCase> &info) {
                           return std::string(info.param.name);
                         });

TEST(Manifest, HugeCountsFailBeforeAllocating) {
  ByteWriter out;
  out.string("m");
  for (int i = 0; i < 5; ++i)
    out.i64(1);
  out.u64(uint64_t(1) << 60); // EOS count
  std::vector<uint8_t> bytes = out.take();
  try {
    parseManifest(bytes.data(), bytes.size(), 0);
    FAIL() << "accepted";
  } catch (const FormatError &error) {
    EXPECT_NE(std::string(error.what()).find("model EOS token count"),
              std::string::npos)
        << error.what();
  }
}
