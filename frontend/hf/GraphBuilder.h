//===- GraphBuilder.h - Gemma 4 config -> facet dialect module -*- C++ -*-===//
//
// Builds the module of a Gemma 4 text decoder: `facet.param` declarations
// for every weight, one `facet.kv_cache` per layer that owns a cache, and two
// entry points, `@prefill` (a chunk of tokens at given positions) and
// `@decode` (one token), following GEMMA4.md §2 op for op.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_FRONTEND_HF_GRAPHBUILDER_H
#define FACET_FRONTEND_HF_GRAPHBUILDER_H

#include "frontend/config/ModelConfig.h"
#include "frontend/safetensors/DType.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <string>

namespace facet {

struct GraphOptions {
  /// Element type of each weight by name (without prefix); weights not
  /// listed use `defaultWeightType`.
  std::map<std::string, DType> weightTypes;
  DType defaultWeightType = DType::BF16;
  /// Recorded on the module for tools and later stages.
  std::string source;
  bool weightsChecked = false;
  std::string tensorPrefix;
};

mlir::OwningOpRef<mlir::ModuleOp> buildGemma4Module(mlir::MLIRContext &context,
                                                    const ModelConfig &config,
                                                    const GraphOptions &options);

/// `value` rounded to `dtype` the way PyTorch's `tensor.to(dtype)` rounds
/// (round to nearest even): Gemma scales its embeddings by sqrt(d) cast to
/// the weight dtype.
float roundToDType(double value, DType dtype);

} // namespace facet

#endif // FACET_FRONTEND_HF_GRAPHBUILDER_H
