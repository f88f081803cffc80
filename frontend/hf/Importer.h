//===- Importer.h - Hugging Face Gemma 4 checkpoint importer ---*- C++ -*-===//

#ifndef FACET_FRONTEND_HF_IMPORTER_H
#define FACET_FRONTEND_HF_IMPORTER_H

#include "frontend/config/ModelConfig.h"
#include "frontend/hf/WeightBinding.h"
#include "frontend/safetensors/Checkpoint.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <memory>
#include <optional>
#include <string>

namespace llvm {
class raw_ostream;
}

namespace facet {

struct ImportedModel {
  ModelConfig config;
  /// Present when the path held safetensors next to config.json.
  std::unique_ptr<CheckpointFiles> checkpoint;
  std::optional<WeightBinding> binding;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

/// Imports `path`: a checkpoint directory (config.json plus
/// model.safetensors or a sharded index), a directory with only
/// config.json, or a config.json file. With weights present every tensor is
/// checked against the config. Progress lines go to `log` when given.
/// Throws facet::Error on any problem.
ImportedModel importHuggingFace(mlir::MLIRContext &context,
                                const std::string &path,
                                llvm::raw_ostream *log = nullptr);

} // namespace facet

#endif // FACET_FRONTEND_HF_IMPORTER_H
