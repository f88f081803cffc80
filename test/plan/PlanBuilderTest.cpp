//===- PlanBuilderTest.cpp - Host plans of the tiny models -----------------===//
//
// Plans each tiny model with a stand-in kernel provider (every kernel takes
// its inputs then its outputs) and checks what the plan promises the
// runtime: caches only for layers that own KV, sliding rings of W + chunk - 1
// slots, no two live buffers sharing bytes, an arena smaller than the sum of
// its buffers, and a manifest the runtime's own parser accepts.
//
//===----------------------------------------------------------------------===//

#include "codegen/plan/PlanBuilder.h"
#include "frontend/hf/Importer.h"
#include "frontend/support/Error.h"
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <map>

using namespace facet;

namespace {

struct Planned {
  package::Manifest manifest;
  std::vector<codegen::KernelSignature> signatures;
};

Planned planModel(const std::string &name, int64_t chunk, int64_t context) {
  mlir::MLIRContext context_;
  context_.loadDialect<FacetDialect, mlir::func::FuncDialect>();
  ImportedModel model = importHuggingFace(
      context_, std::string(FACET_SOURCE_DIR) + "/models/" + name);
  mlir::PassManager passes(&context_);
  ScheduleKVOptions schedule;
  schedule.maxContext = context;
  schedule.prefillChunk = chunk;
  passes.addPass(createScheduleKV(schedule));
  passes.addPass(createOutlineKernels());
  passes.addPass(createPlanMemory());
  EXPECT_TRUE(mlir::succeeded(passes.run(*model.module)));

  Planned planned;
  planned.signatures.reserve(4096);
  codegen::KernelProvider provider = [&](KernelOp kernel) {
    codegen::KernelSignature signature;
    signature.symbol = "k" + std::to_string(planned.signatures.size());
    for (unsigned i = 0; i < kernel.getInputs().size(); ++i)
      signature.params.push_back({codegen::KernelParam::Kind::Input, i});
    for (unsigned i = 0; i < kernel.getNumResults(); ++i)
      signature.params.push_back({codegen::KernelParam::Kind::Output, i});
    planned.signatures.push_back(signature);
    planned.manifest.kernels.push_back(
        {kernel.getName().str(), signature.symbol,
         static_cast<uint64_t>(signature.params.size())});
    uint64_t id = planned.signatures.size() - 1;
    return std::make_pair(id, &planned.signatures[id]);
  };
  codegen::buildPlan(*model.module, provider, planned.manifest);
  planned.manifest.model.vocabSize = model.config.vocabSize;
  planned.manifest.model.hiddenSize = model.config.hiddenSize;
  planned.manifest.model.numLayers = model.config.numLayers;
  planned.manifest.model.maxContext = context;
  planned.manifest.target = {"x86_64-test", "x86_64", {}};
  return planned;
}

} // namespace

TEST(PlanBuilder, TinyEdgeCachesOnlyForOwners) {
  Planned planned = planModel("tiny-edge", 16, 256);
  const auto &caches = planned.manifest.caches;
  // Layers 0-5 own caches; 6-9 share layer 5's (sliding) and 4's (full).
  ASSERT_EQ(caches.size(), 6u);
  std::map<std::string, package::CacheInfo> byName;
  for (const auto &cache : caches)
    byName[cache.name] = cache;
  EXPECT_EQ(byName.at("kv.layer0").window, 8);
  EXPECT_EQ(byName.at("kv.layer0").capacity, 8 + 16 - 1);
  EXPECT_EQ(byName.at("kv.layer4").window, 0);
  EXPECT_EQ(byName.at("kv.layer4").capacity, 256);
  EXPECT_EQ(byName.at("kv.layer4").headDim, 32);
  EXPECT_EQ(byName.count("kv.layer6"), 0u);
}

TEST(PlanBuilder, EntryPointsAndKVStores) {
  Planned planned = planModel("tiny-edge", 16, 256);
  ASSERT_EQ(planned.manifest.entryPoints.size(), 2u);
  const auto &prefill = planned.manifest.entryPoints[0];
  const auto &decode = planned.manifest.entryPoints[1];
  EXPECT_EQ(prefill.name, "prefill");
  EXPECT_EQ(prefill.maxTokens, 16);
  EXPECT_EQ(decode.name, "decode");
  EXPECT_EQ(decode.maxTokens, 1);
  for (const auto *entry : {&prefill, &decode}) {
    size_t stores = 0;
    for (const auto &step : entry->steps)
      stores += step.kind == package::StepKind::KVStore;
    EXPECT_EQ(stores, 6u) << entry->name; // one per cache-owning layer
    EXPECT_EQ(entry->buffers[entry->logitsBuffer].shape.back(), 512);
  }
}

TEST(PlanBuilder, LiveBuffersNeverShareBytes) {
  for (const char *name : {"tiny-edge", "tiny-moe", "tiny-dense"}) {
    Planned planned = planModel(name, 8, 128);
    for (const auto &entry : planned.manifest.entryPoints) {
      // Recompute each buffer's live range from the steps.
      size_t n = entry.buffers.size();
      std::vector<int64_t> first(n, INT64_MAX), last(n, -1);
      first[entry.tokenIdsBuffer] = first[entry.positionsBuffer] = -1;
      for (size_t s = 0; s < entry.steps.size(); ++s)
        for (const auto &arg : entry.steps[s].args)
          if (arg.kind == package::ArgKind::Buffer) {
            first[arg.index] = std::min<int64_t>(first[arg.index], s);
            last[arg.index] = std::max<int64_t>(last[arg.index], s);
          }
      int64_t end = static_cast<int64_t>(entry.steps.size());
      last[entry.tokenIdsBuffer] = last[entry.positionsBuffer] =
          last[entry.logitsBuffer] = end;
      uint64_t total = 0;
      for (size_t a = 0; a < n; ++a) {
        uint64_t aBytes = package::bufferBytes(entry.buffers[a], entry.maxTokens);
        total += aBytes;
        EXPECT_LE(entry.buffers[a].arenaOffset + aBytes, entry.arenaBytes);
        EXPECT_EQ(entry.buffers[a].arenaOffset % 64, 0u);
        for (size_t b = a + 1; b < n; ++b) {
          bool overlapInTime = first[a] <= last[b] && first[b] <= last[a];
          uint64_t bBytes = package::bufferBytes(entry.buffers[b], entry.maxTokens);
          bool overlapInSpace =
              entry.buffers[a].arenaOffset < entry.buffers[b].arenaOffset + bBytes &&
              entry.buffers[b].arenaOffset < entry.buffers[a].arenaOffset + aBytes;
          EXPECT_FALSE(overlapInTime && overlapInSpace)
              << name << " " << entry.name << ": " << entry.buffers[a].name
              << " and " << entry.buffers[b].name;
        }
      }
      EXPECT_LT(entry.arenaBytes, total / 4)
          << name << " " << entry.name << ": reuse should shrink the arena";
    }
  }
}

TEST(PlanBuilder, RuntimeAcceptsTheManifest) {
  for (const char *name : {"tiny-edge", "tiny-moe", "tiny-dense"}) {
    Planned planned = planModel(name, 8, 128);
    uint64_t offset = 0;
    for (auto &weight : planned.manifest.weights) {
      weight.offset = offset;
      offset += (weight.bytes + package::kWeightAlignment - 1) /
                package::kWeightAlignment * package::kWeightAlignment;
    }
    std::vector<uint8_t> bytes = package::serializeManifest(planned.manifest);
    package::Manifest parsed =
        package::parseManifest(bytes.data(), bytes.size(), offset);
    EXPECT_EQ(parsed.entryPoints.size(), 2u) << name;
    EXPECT_EQ(parsed.weights.size(), planned.manifest.weights.size()) << name;
  }
}

namespace {

/// The error buildPlan gives for tiny-moe imported and then run through
/// `schedule` (or nothing).
std::string planError(bool schedule) {
  mlir::MLIRContext context;
  context.loadDialect<FacetDialect, mlir::func::FuncDialect>();
  ImportedModel model = importHuggingFace(
      context, std::string(FACET_SOURCE_DIR) + "/models/tiny-moe");
  if (schedule) {
    mlir::PassManager passes(&context);
    passes.addPass(createScheduleKV());
    EXPECT_TRUE(mlir::succeeded(passes.run(*model.module)));
  }
  package::Manifest manifest;
  codegen::KernelProvider provider = [](KernelOp) {
    return std::make_pair(uint64_t(0), (const codegen::KernelSignature *)nullptr);
  };
  try {
    codegen::buildPlan(*model.module, provider, manifest);
  } catch (const Error &error) {
    return error.what();
  }
  return "no error";
}

} // namespace

TEST(PlanBuilder, RejectsUnscheduledModules) {
  std::string error = planError(/*schedule=*/false);
  EXPECT_NE(error.find("run --facet-schedule-kv first"), std::string::npos)
      << error;
}

TEST(PlanBuilder, RejectsModulesWithoutMemoryPlan) {
  std::string error = planError(/*schedule=*/true);
  EXPECT_NE(error.find("run --facet-plan-memory first"), std::string::npos)
      << error;
}
