//===- ModelSummary.h - What `facet inspect` reports about a module -*- C++ -*-===//
//
// Reads a facet module back into plain numbers: parameters per weight class,
// weight bytes per dtype, and the per-layer table (attention kind, window,
// head dim, KV heads, KV source, MLP width). Everything is derived from the
// IR itself, so it also checks that the importer built what it meant to.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_TOOLS_FACET_MODELSUMMARY_H
#define FACET_TOOLS_FACET_MODELSUMMARY_H

#include "mlir/IR/BuiltinOps.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace facet {

struct LayerSummary {
  int64_t index = 0;
  std::string type; // "sliding" or "full"
  int64_t window = 0;
  int64_t headDim = 0;
  int64_t kvHeads = 0;
  std::optional<int64_t> kvSource; // set when the layer reads another's cache
  bool kEqV = false;
  int64_t mlpWidth = 0;
};

/// The KV caches of a module scheduled by --facet-schedule-kv: what they
/// cost for keys and values together (int8 caches count their scales).
struct KvSummary {
  std::string dtype;
  int64_t context = 0;      // entries of a full cache
  int64_t fullCaches = 0;   // caches that grow with the context
  int64_t slidingCaches = 0; // fixed rings
  int64_t sharedLayers = 0; // layers reading another layer's cache
  int64_t ringEntries = 0;  // entries of each sliding ring (window + chunk - 1)
  int64_t ringBytes = 0;    // all rings together
  int64_t bytesPerToken = 0; // all full caches, per position of context
};

struct ModelSummary {
  std::string source;
  std::string weights; // "checked" or "declared"
  int64_t totalParameters = 0;
  std::map<std::string, int64_t> parametersByClass;
  std::map<std::string, int64_t> weightBytesByType;
  int64_t numExperts = 0, topKExperts = 0;
  std::vector<LayerSummary> layers;
  std::vector<std::string> entryPoints;
  std::optional<KvSummary> kv; // when the caches are scheduled
};

/// Summarises `module`; throws facet::Error if it is not a Facet model.
/// The KV figures need --facet-schedule-kv to have run.
ModelSummary summarizeModel(mlir::ModuleOp module);

nlohmann::ordered_json toJson(const ModelSummary &summary);
std::string toText(const ModelSummary &summary);

} // namespace facet

#endif // FACET_TOOLS_FACET_MODELSUMMARY_H
