//===- ModelSegmentsTest.cpp - whole tiny models through the emitters -----===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Runs the `prefill` entry point of a tiny checkpoint (models/) through
// generated kernels only, and compares the logits with the transformers
// fixture. The function is cut at every kv_store into segments; each
// segment (dozens of ops: norms, projections, RoPE, attention, MLP, PLE,
// MoE) becomes ONE fused kernel, which exercises emitter composition far
// beyond the per-op tests. Between segments the test does what the runtime
// does: it copies the stored keys and values into ring buffers (sliding
// rings of window + chunk - 1 slots, so they wrap), and it passes the
// context length. The prompt and greedy tokens are prefilled in chunks of 5.
//
// Tolerance: max |diff| <= 1e-4 * max |fixture logit|, the end-to-end target.
// Measured: tiny-edge 9.3e-5, tiny-moe 1.2e-4 (tolerance about 2.7e-3),
// the same float32 floor as the reference evaluator.
//
//===----------------------------------------------------------------------===//

#include "codegen/halide/KernelBuilder.h"
#include "frontend/hf/Importer.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <map>

namespace facet::codegen {
namespace {

constexpr int kChunk = 5;

struct Segment {
  std::vector<mlir::Operation *> ops;
  std::vector<mlir::Value> inputs, outputs;
  mlir::Operation *after = nullptr; ///< the kv_store or return that ends it
  BuiltKernel kernel;
};

/// Cuts `func` at every kv_store and the return. Weights stay outside (their
/// values are bound as inputs).
std::vector<Segment> cutIntoSegments(mlir::func::FuncOp func) {
  std::vector<Segment> segments;
  Segment current;
  for (mlir::Operation &op : func.getBody().front()) {
    if (mlir::isa<WeightOp>(op))
      continue;
    if (!mlir::isa<KVStoreOp, mlir::func::ReturnOp>(op)) {
      current.ops.push_back(&op);
      continue;
    }
    current.after = &op;
    llvm::SmallPtrSet<mlir::Operation *, 32> inside(current.ops.begin(),
                                                    current.ops.end());
    llvm::DenseSet<mlir::Value> seenIn, seenOut;
    for (mlir::Operation *member : current.ops) {
      for (mlir::Value operand : member->getOperands())
        if (!inside.count(operand.getDefiningOp()) &&
            seenIn.insert(operand).second)
          current.inputs.push_back(operand);
      for (mlir::Value result : member->getResults())
        for (mlir::Operation *user : result.getUsers())
          if (!inside.count(user) && seenOut.insert(result).second)
            current.outputs.push_back(result);
    }
    segments.push_back(std::move(current));
    current = Segment();
  }
  return segments;
}

class ModelSegmentsTest : public ::testing::TestWithParam<const char *> {};

TEST_P(ModelSegmentsTest, ChunkedPrefillMatchesTheFixture) {
  std::string dir = std::string(FACET_SOURCE_DIR) + "/models/" + GetParam();
  mlir::MLIRContext context;
  ImportedModel model = importHuggingFace(context, dir);
  ASSERT_TRUE(model.binding.has_value());
  nlohmann::json fixture =
      nlohmann::json::parse(std::ifstream(dir + "/fixture.json"));
  std::vector<int32_t> tokens = fixture["prompt_ids"];
  for (int32_t token : fixture["greedy_ids"])
    tokens.push_back(token);
  std::vector<int64_t> logitsShape = fixture["logits_shape"];
  int64_t vocab = logitsShape[1];
  std::vector<float> want(logitsShape[0] * vocab);
  std::ifstream(dir + "/" + fixture["logits_file"].get<std::string>(),
                std::ios::binary)
      .read(reinterpret_cast<char *>(want.data()), want.size() * 4);
  double maxAbs = 0;
  for (float v : want)
    maxAbs = std::max(maxAbs, double(std::fabs(v)));

  std::map<std::string, const TensorView *> weights;
  for (const BoundWeight &bound : model.binding->weights)
    weights[bound.spec.name] = bound.tensor;
  auto func = model.module->lookupSymbol<mlir::func::FuncOp>("prefill");
  ASSERT_TRUE(func);
  std::vector<Segment> segments = cutIntoSegments(func);
  KernelSchedule schedule = defaultSchedule(hostTarget());
  for (size_t i = 0; i < segments.size(); ++i)
    segments[i].kernel =
        buildKernel(segments[i].ops, segments[i].inputs, segments[i].outputs,
                    "segment" + std::to_string(i), schedule);

  std::map<std::string, std::pair<Halide::Buffer<float>, Halide::Buffer<float>>>
      rings;
  for (KVCacheOp cache : model.module->getOps<KVCacheOp>()) {
    int slots = cache.getKind() == CacheKind::sliding
                    ? cache.getWindow() + kChunk - 1
                    : static_cast<int>(tokens.size());
    int heads = cache.getKvHeads(), headDim = cache.getHeadDim();
    rings[cache.getSymName().str()] = {
        Halide::Buffer<float>(headDim, heads, slots),
        Halide::Buffer<float>(headDim, heads, slots)};
  }

  double worst = 0;
  for (size_t begin = 0; begin < tokens.size(); begin += kChunk) {
    int count = std::min<size_t>(kChunk, tokens.size() - begin);
    Halide::Buffer<int32_t> ids(count), positions(count);
    for (int t = 0; t < count; ++t) {
      ids(t) = tokens[begin + t];
      positions(t) = static_cast<int32_t>(begin + t);
    }
    llvm::DenseMap<mlir::Value, Halide::Buffer<>> values;
    values[func.getArgument(0)] = ids;
    values[func.getArgument(1)] = positions;
    auto valueOf = [&](mlir::Value value) -> Halide::Buffer<> {
      auto found = values.find(value);
      if (found != values.end())
        return found->second;
      auto weight = mlir::cast<WeightOp>(value.getDefiningOp());
      const TensorView *tensor = weights.at(weight.getName().str());
      std::vector<int> sizes(tensor->shape.rbegin(), tensor->shape.rend());
      auto type = mlir::cast<mlir::RankedTensorType>(value.getType());
      return values[value] =
                 Halide::Buffer<>(storageType(type.getElementType()),
                                  const_cast<uint8_t *>(tensor->data), sizes);
    };

    for (Segment &segment : segments) {
      for (size_t k = 0; k < segment.inputs.size(); ++k)
        segment.kernel.inputs[k].set(valueOf(segment.inputs[k]));
      for (BuiltKernel::CacheParams &cache : segment.kernel.caches) {
        cache.keys.set(rings.at(cache.symbol).first);
        cache.values.set(rings.at(cache.symbol).second);
      }
      if (segment.kernel.contextLength)
        segment.kernel.contextLength->set(static_cast<int>(begin + count));
      std::vector<Halide::Buffer<>> outputs;
      for (mlir::Value result : segment.outputs) {
        auto type = mlir::cast<mlir::RankedTensorType>(result.getType());
        std::vector<int> sizes;
        for (int64_t d = type.getRank() - 1; d >= 0; --d)
          sizes.push_back(type.isDynamicDim(d) ? count : type.getDimSize(d));
        outputs.emplace_back(storageType(type.getElementType()), sizes);
      }
      segment.kernel.pipeline.realize(
          Halide::Realization(outputs),
          jitTarget(hostTarget()));
      for (size_t k = 0; k < outputs.size(); ++k)
        values[segment.outputs[k]] = outputs[k];

      if (auto store = mlir::dyn_cast<KVStoreOp>(segment.after)) {
        Halide::Buffer<float> keys = valueOf(store.getKeys());
        Halide::Buffer<float> vals = valueOf(store.getValues());
        auto &[ringKeys, ringValues] = rings.at(store.getCache().str());
        int slots = ringKeys.dim(2).extent();
        for (int t = 0; t < count; ++t)
          for (int h = 0; h < keys.dim(1).extent(); ++h)
            for (int j = 0; j < keys.dim(0).extent(); ++j) {
              ringKeys(j, h, positions(t) % slots) = keys(j, h, t);
              ringValues(j, h, positions(t) % slots) = vals(j, h, t);
            }
      } else {
        Halide::Buffer<float> logits = valueOf(segment.after->getOperand(0));
        for (int t = 0; t < count; ++t)
          for (int64_t v = 0; v < vocab; ++v)
            worst = std::max(worst,
                             double(std::fabs(logits(v, t) -
                                              want[(begin + t) * vocab + v])));
      }
    }
  }
  std::cout << "[codegen] " << GetParam() << ": " << segments.size()
            << " fused kernels, max|diff| " << worst << " (tolerance "
            << 1e-4 * maxAbs << ")\n";
  EXPECT_LE(worst, 1e-4 * maxAbs);
}

INSTANTIATE_TEST_SUITE_P(TinyModels, ModelSegmentsTest,
                         ::testing::Values("tiny-edge", "tiny-moe"));

} // namespace
} // namespace facet::codegen
