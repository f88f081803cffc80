//===- StepRunnerTest.cpp - The core's step loop on a recording device ----===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Runs a small hand-made plan through core::StepRunner on a device that
// performs copies on host memory and records every call, so the tests see
// exactly what the Hexagon runner's device would receive: how arguments are
// bound, which ring slots a KV store writes (and in how many runs), how
// narrow caches are converted, and that a bad call runs nothing.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/StepRunner.h"
#include "runtime/core/KVConvert.h"
#include "runtime/core/ManifestReader.h"
#include "runtime/package/Manifest.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

using namespace facet::core;
namespace package = facet::package;

namespace {

constexpr int64_t kVocab = 5;
constexpr int64_t kContext = 8;
constexpr int64_t kCapacity = 3; // a sliding cache: window 3
constexpr int64_t kHeadDim = 2;
constexpr uint64_t kIds = 0, kPositions = 64, kKeys = 128, kValues = 192,
                   kLogits = 256, kArenaBytes = 512;

/// prefill (4 tokens) and decode: one kernel binding every argument kind,
/// then a KV store of `keys` and `values` into the one cache, then (`tail`)
/// the same kernel again, as the steps that only compute logits.
package::Manifest plan(ElementType cacheType, bool tail = false) {
  package::Manifest m;
  m.model = {"plan", kVocab, 4, 1, kContext, 0, {1}};
  m.target = {"x", "x86_64", {}};
  m.kernels = {{"k", "k", 0}};
  m.weights = {{"w", ElementType::F32, {2, 3}, 128, 24, "c", "f32"}};
  m.caches = {{"sliding", cacheType, 1, kHeadDim, 3, kCapacity}};
  for (int64_t maxTokens : {4, 1}) {
    package::EntryPoint e;
    e.name = maxTokens == 1 ? "decode" : "prefill";
    e.maxTokens = maxTokens;
    e.arenaBytes = kArenaBytes;
    e.buffers = {
        {"ids", ElementType::I32, {package::kTokens}, kIds},
        {"positions", ElementType::I32, {package::kTokens}, kPositions},
        {"keys", ElementType::F32, {package::kTokens, 1, kHeadDim}, kKeys},
        {"values", ElementType::F32, {package::kTokens, 1, kHeadDim}, kValues},
        {"logits", ElementType::F32, {package::kTokens, kVocab}, kLogits}};
    e.tokenIdsBuffer = 0;
    e.positionsBuffer = 1;
    e.logitsBuffer = 4;
    package::Step kernel;
    kernel.kind = StepKind::Kernel;
    kernel.args = {{ArgKind::Buffer, 2},
                   {ArgKind::Weight, 0},
                   {ArgKind::CacheKeys, 0},
                   {ArgKind::CacheValues, 0},
                   {ArgKind::Scalar, uint64_t(ScalarKind::Tokens)},
                   {ArgKind::Scalar, uint64_t(ScalarKind::ContextLength)}};
    if (cacheType == ElementType::I8) {
      kernel.args.push_back({ArgKind::CacheKeyScales, 0});
      kernel.args.push_back({ArgKind::CacheValueScales, 0});
    }
    kernel.args.push_back({ArgKind::Constant, 22}); // e.g. a layer index
    package::Step store;
    store.kind = StepKind::KVStore;
    store.args = {{ArgKind::Buffer, 2}, {ArgKind::Buffer, 3}};
    e.steps = {kernel, store};
    if (tail)
      e.steps.push_back(kernel);
    m.entryPoints.push_back(e);
  }
  m.kernels[0].numArgs = m.entryPoints[0].steps[0].args.size();
  return m;
}

struct Copy {
  const DeviceMemory *dst, *src; // src null: from the host
  uint64_t dstOffset, srcOffset, bytes;
};

struct Launch {
  uint64_t kernel;
  std::vector<KernelArg> args;
};

/// Performs copies on host memory and records every call.
class RecordingDevice final : public Device {
public:
  bool copyFromHost(const DeviceMemory &dst, uint64_t dstOffset,
                    const void *src, uint64_t bytes, Status &) override {
    std::memcpy(static_cast<uint8_t *>(dst.host) + dstOffset, src, bytes);
    copies.push_back({&dst, nullptr, dstOffset, 0, bytes});
    return true;
  }
  bool copy(const DeviceMemory &dst, uint64_t dstOffset,
            const DeviceMemory &src, uint64_t srcOffset, uint64_t bytes,
            Status &) override {
    std::memcpy(static_cast<uint8_t *>(dst.host) + dstOffset,
                static_cast<const uint8_t *>(src.host) + srcOffset, bytes);
    copies.push_back({&dst, &src, dstOffset, srcOffset, bytes});
    return true;
  }
  bool launch(uint64_t kernel, const KernelArg *args, uint64_t count,
              Status &status) override {
    launches.push_back({kernel, std::vector<KernelArg>(args, args + count)});
    if (failLaunch) {
      status.fail(Code::Kernel).add("kernel 'k' failed");
      return false;
    }
    return true;
  }

  std::vector<Copy> copies;
  std::vector<Launch> launches;
  bool failLaunch = false;
};

DeviceMemory hostMemory(std::vector<uint8_t> &bytes) {
  DeviceMemory memory;
  memory.host = bytes.data();
  memory.bytes = bytes.size();
  return memory;
}

/// The plan read by the core, host memory for everything, and a runner.
class StepRunnerTest : public ::testing::Test {
protected:
  void load(ElementType cacheType = ElementType::F32, bool tail = false) {
    bytes = package::serializeManifest(plan(cacheType, tail));
    BumpArena arena(arenaStorage.data(), arenaStorage.size());
    Status status;
    ASSERT_TRUE(
        readManifest(bytes.data(), bytes.size(), 1024, arena, manifest, status))
        << status.message;
    uint64_t rowBytes = uint64_t(kHeadDim) * elementSize(cacheType);
    for (auto *v : {&keyBytes, &valueBytes})
      v->assign(kCapacity * rowBytes, 0xee);
    for (auto *v : {&keyScaleBytes, &valueScaleBytes})
      v->assign(cacheType == ElementType::I8 ? kCapacity * sizeof(float) : 0,
                0xee);
    cache.keys = hostMemory(keyBytes);
    cache.values = hostMemory(valueBytes);
    cache.keyScales = hostMemory(keyScaleBytes);
    cache.valueScales = hostMemory(valueScaleBytes);
    arenaBytes.assign(kArenaBytes, 0);
    arena_ = hostMemory(arenaBytes);
    runner = std::make_unique<StepRunner>(manifest, weights, &cache, device);
  }

  /// Fills the keys/values buffers: key row r = {10r, 10r + 1}, value row
  /// r = {-10r, -10r - 1}.
  void fillRows(int64_t count) {
    for (int64_t r = 0; r < count; ++r)
      for (int64_t d = 0; d < kHeadDim; ++d) {
        float key = float(10 * r + d), value = -key;
        std::memcpy(&arenaBytes[kKeys + (r * kHeadDim + d) * 4], &key, 4);
        std::memcpy(&arenaBytes[kValues + (r * kHeadDim + d) * 4], &value, 4);
      }
  }

  float keyAt(int64_t slot, int64_t d) const {
    float value;
    std::memcpy(&value, &keyBytes[(slot * kHeadDim + d) * 4], 4);
    return value;
  }

  const EntryView &entry(const char *name) {
    return *findEntry(manifest, name);
  }

  bool run(const char *name, std::vector<int32_t> tokens, int64_t start,
           bool logits = true) {
    return runner->run(entry(name), arena_, tokens.data(),
                       int64_t(tokens.size()), start, status, logits);
  }

  /// The KV-store copies of the last run into the keys.
  std::vector<Copy> keyCopies() const {
    std::vector<Copy> result;
    for (const Copy &copy : device.copies)
      if (copy.dst == &cache.keys)
        result.push_back(copy);
    return result;
  }

  std::vector<uint8_t> bytes;
  std::vector<uint8_t> arenaStorage = std::vector<uint8_t>(16 << 10);
  ManifestView manifest;
  std::vector<uint8_t> keyBytes, valueBytes, keyScaleBytes, valueScaleBytes;
  std::vector<uint8_t> arenaBytes;
  DeviceMemory weights, arena_;
  CacheMemory cache;
  RecordingDevice device;
  std::unique_ptr<StepRunner> runner;
  Status status;
};

} // namespace

TEST_F(StepRunnerTest, WritesIdsAndPositions) {
  load();
  ASSERT_TRUE(run("prefill", {4, 3, 2}, 2)) << status.message;
  int32_t ids[3], positions[3];
  std::memcpy(ids, &arenaBytes[kIds], sizeof ids);
  std::memcpy(positions, &arenaBytes[kPositions], sizeof positions);
  EXPECT_EQ(std::vector<int32_t>(ids, ids + 3),
            (std::vector<int32_t>{4, 3, 2}));
  EXPECT_EQ(std::vector<int32_t>(positions, positions + 3),
            (std::vector<int32_t>{2, 3, 4}));
}

TEST_F(StepRunnerTest, WithoutLogitsStopsAfterTheLastKVStore) {
  load(ElementType::F32, /*tail=*/true);
  fillRows(2);
  ASSERT_TRUE(run("prefill", {1, 2}, 0, /*logits=*/false)) << status.message;
  EXPECT_EQ(device.launches.size(), 1u); // the tail kernel did not run
  ASSERT_EQ(keyCopies().size(), 1u);     // the store did
  EXPECT_EQ(keyAt(1, 0), 10.0f);
  ASSERT_TRUE(run("prefill", {3, 4}, 2)) << status.message;
  EXPECT_EQ(device.launches.size(), 3u); // with logits: both kernels
}

TEST_F(StepRunnerTest, BindsEveryArgumentKind) {
  load(ElementType::I8);
  ASSERT_TRUE(run("prefill", {1, 2, 3}, 4)) << status.message;
  ASSERT_EQ(device.launches.size(), 1u);
  const std::vector<KernelArg> &args = device.launches[0].args;
  ASSERT_EQ(args.size(), 9u);
  // Buffer: its arena offset, T replaced by the token count.
  EXPECT_EQ(args[0].kind, KernelArg::Kind::Tensor);
  EXPECT_EQ(args[0].tensor.memory, &arena_);
  EXPECT_EQ(args[0].tensor.offset, kKeys);
  EXPECT_EQ(args[0].tensor.rank, 3u);
  EXPECT_EQ(args[0].tensor.shape[0], 3);
  EXPECT_EQ(args[0].tensor.shape[2], kHeadDim);
  // Weight: the weights memory at its offset.
  EXPECT_EQ(args[1].tensor.memory, &weights);
  EXPECT_EQ(args[1].tensor.offset, 128u);
  EXPECT_EQ(args[1].tensor.rank, 2u);
  EXPECT_EQ(args[1].tensor.shape[1], 3);
  // Cache keys and values: [capacity, kvHeads, headDim] of the cache type.
  EXPECT_EQ(args[2].tensor.memory, &cache.keys);
  EXPECT_EQ(args[3].tensor.memory, &cache.values);
  EXPECT_EQ(args[2].tensor.type, ElementType::I8);
  EXPECT_EQ(args[2].tensor.shape[0], kCapacity);
  // Scalars: the token count and the last position + 1.
  EXPECT_EQ(args[4].kind, KernelArg::Kind::Scalar);
  EXPECT_EQ(args[4].scalar, 3);
  EXPECT_EQ(args[5].scalar, 7);
  // Scales: f32 [capacity, kvHeads].
  EXPECT_EQ(args[6].tensor.memory, &cache.keyScales);
  EXPECT_EQ(args[7].tensor.memory, &cache.valueScales);
  EXPECT_EQ(args[6].tensor.type, ElementType::F32);
  EXPECT_EQ(args[6].tensor.rank, 2u);
  EXPECT_EQ(args[6].tensor.shape[0], kCapacity);
  // A launch constant: its value, as an int32 scalar.
  EXPECT_EQ(args[8].kind, KernelArg::Kind::Scalar);
  EXPECT_EQ(args[8].scalar, 22);
  EXPECT_EQ(args[6].tensor.shape[1], 1);
}

TEST_F(StepRunnerTest, KVStoreSkipsOverwrittenRowsAndWrapsOnce) {
  load();
  fillRows(4);
  // 4 rows into 3 slots from position 0: row 0 would be overwritten by
  // row 3, so rows 1, 2 go to slots 1, 2 (one run) and row 3 to slot 0.
  ASSERT_TRUE(run("prefill", {0, 0, 0, 0}, 0)) << status.message;
  std::vector<Copy> copies = keyCopies();
  ASSERT_EQ(copies.size(), 2u);
  uint64_t row = kHeadDim * sizeof(float);
  EXPECT_EQ(copies[0].dstOffset, 1 * row);
  EXPECT_EQ(copies[0].srcOffset, kKeys + 1 * row);
  EXPECT_EQ(copies[0].bytes, 2 * row);
  EXPECT_EQ(copies[1].dstOffset, 0u);
  EXPECT_EQ(copies[1].srcOffset, kKeys + 3 * row);
  EXPECT_EQ(copies[1].bytes, row);
  EXPECT_EQ(keyAt(0, 0), 30.0f);
  EXPECT_EQ(keyAt(1, 1), 11.0f);
  EXPECT_EQ(keyAt(2, 0), 20.0f);
}

TEST_F(StepRunnerTest, KVStoreRingSlotsArePositionModCapacity) {
  load();
  fillRows(2);
  // Positions 5, 6 -> slots 2, 0: two runs.
  ASSERT_TRUE(run("prefill", {0, 0}, 5)) << status.message;
  std::vector<Copy> copies = keyCopies();
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_EQ(copies[0].dstOffset, 2 * kHeadDim * sizeof(float));
  EXPECT_EQ(copies[1].dstOffset, 0u);
  EXPECT_EQ(keyAt(2, 1), 1.0f);
  EXPECT_EQ(keyAt(0, 0), 10.0f);
  // Decode at position 7 -> slot 1, one row.
  device.copies.clear();
  fillRows(1);
  ASSERT_TRUE(run("decode", {0}, 7)) << status.message;
  copies = keyCopies();
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0].dstOffset, 1 * kHeadDim * sizeof(float));
}

TEST_F(StepRunnerTest, NarrowCachesAreConvertedOnTheHost) {
  load(ElementType::BF16);
  fillRows(2);
  ASSERT_TRUE(run("prefill", {0, 0}, 1)) << status.message;
  EXPECT_TRUE(keyCopies().empty()); // converted, not copied
  uint16_t key[2];
  std::memcpy(key, &keyBytes[2 * kHeadDim * 2], sizeof key); // slot 2
  EXPECT_EQ(key[0], floatToBF16(10.0f));
  EXPECT_EQ(key[1], floatToBF16(11.0f));
  uint16_t value;
  std::memcpy(&value, &valueBytes[1 * kHeadDim * 2 + 2], sizeof value);
  EXPECT_EQ(value, floatToBF16(-1.0f));
}

TEST_F(StepRunnerTest, Int8CachesGetOneScalePerSlotAndHead) {
  load(ElementType::I8);
  fillRows(2);
  ASSERT_TRUE(run("prefill", {0, 0}, 2)) << status.message; // slots 2, 0
  float scales[kCapacity];
  std::memcpy(scales, keyScaleBytes.data(), sizeof scales);
  EXPECT_EQ(scales[2], 1.0f / 127.0f);  // row 0: {0, 1}
  EXPECT_EQ(scales[0], 11.0f / 127.0f); // row 1: {10, 11}
  EXPECT_EQ(int8_t(keyBytes[0 * kHeadDim + 1]), 127);
  EXPECT_EQ(int8_t(keyBytes[2 * kHeadDim + 1]), 127);
  EXPECT_EQ(int8_t(valueBytes[2 * kHeadDim + 1]), -127);
}

TEST_F(StepRunnerTest, NarrowCachesNeedHostMemory) {
  load(ElementType::F16);
  cache.keys.host = nullptr;
  EXPECT_FALSE(run("prefill", {0}, 0));
  EXPECT_EQ(status.code, Code::Internal);
  EXPECT_STREQ(status.message,
               "cache 'sliding' stores f16: narrow KV caches need a "
               "host-addressable backend for now (compile with --kv-dtype "
               "f32)");
}

TEST_F(StepRunnerTest, BadCallsRunNothing) {
  load();
  EXPECT_FALSE(run("decode", {1, 2}, 0));
  EXPECT_EQ(status.code, Code::InvalidArgument);
  EXPECT_STREQ(status.message, "entry point 'decode' takes 1 to 1 tokens, "
                               "got 2");
  EXPECT_FALSE(run("prefill", {}, 0));
  EXPECT_EQ(status.code, Code::InvalidArgument);
  EXPECT_FALSE(run("prefill", {1, 2}, 7));
  EXPECT_EQ(status.code, Code::ContextOverflow);
  EXPECT_STREQ(status.message, "positions 7 to 8 do not fit the compiled "
                               "context of 8 tokens");
  EXPECT_FALSE(run("prefill", {1, 2}, -1));
  EXPECT_EQ(status.code, Code::ContextOverflow);
  EXPECT_FALSE(run("prefill", {1, 5}, 0));
  EXPECT_EQ(status.code, Code::TokenOutOfRange);
  EXPECT_STREQ(status.message, "token id 5 is outside the vocabulary [0, 5)");
  EXPECT_TRUE(device.copies.empty());
  EXPECT_TRUE(device.launches.empty());
}

TEST_F(StepRunnerTest, DeviceFailuresStopTheCall) {
  load();
  device.failLaunch = true;
  EXPECT_FALSE(run("prefill", {0, 0}, 0));
  EXPECT_EQ(status.code, Code::Kernel);
  EXPECT_STREQ(status.message, "kernel 'k' failed");
  EXPECT_TRUE(keyCopies().empty()); // the KV store after it never ran
  // A later good call clears the status.
  device.failLaunch = false;
  EXPECT_TRUE(run("prefill", {0, 0}, 0));
  EXPECT_TRUE(status.ok());
}
