//===- ReferenceEvaluator.h - A golden interpreter of facet IR -*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Executes an entry point ("prefill", "decode") of a facet module op by op,
// with plain float32 loops that follow the op descriptions of FacetOps.td
// literally. It is the golden model of the tests: slow, obvious and
// independent of codegen. Reductions sum in a fixed, simple order (index
// order), in float32, as the model was trained and as the fixtures were made.
//
// The evaluator owns the KV caches declared by `facet.kv_cache`; they keep
// their rows from one run() to the next until reset(), exactly as a runtime
// keeps them between prefill chunks and decode steps.
//
// Any op without a rule here is an error that names the op, so that a new op
// cannot slip through unevaluated.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_TEST_REFERENCE_REFERENCEEVALUATOR_H
#define FACET_TEST_REFERENCE_REFERENCEEVALUATOR_H

#include "frontend/hf/WeightBinding.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <map>
#include <vector>

namespace facet {

class ReferenceEvaluator {
public:
  /// A dense row-major tensor holding either floats or 32-bit integers.
  struct Tensor {
    std::vector<int64_t> shape;
    std::vector<float> floats; ///< used when !isInt
    std::vector<int32_t> ints; ///< used when isInt
    bool isInt = false;

    int64_t numElements() const;
  };

  /// Converts every bound weight to float32 (f16/bf16 decoded exactly) and
  /// creates an empty cache for every `facet.kv_cache`. `module` must outlive
  /// the evaluator; `binding` is only read here. Throws facet::Error when a
  /// weight's shape disagrees with its `facet.param`.
  ReferenceEvaluator(mlir::ModuleOp module, const WeightBinding &binding);

  /// Runs the function `entry` on `tokenIds` at `positions` (one position per
  /// token) and returns its single result (the logits, [T, V]) row-major.
  /// Cache rows written by `facet.kv_store` persist across calls. Throws
  /// facet::Error on malformed IR, bad inputs or an unknown op.
  std::vector<float> run(llvm::StringRef entry,
                         const std::vector<int32_t> &tokenIds,
                         const std::vector<int32_t> &positions);

  /// The shape of the result of the last run().
  const std::vector<int64_t> &resultShape() const { return lastShape; }

  /// Forgets every cached key and value (a new sequence).
  void reset();

private:
  /// One cache position: [kv_heads * head_dim] keys and values.
  struct CacheRow {
    std::vector<float> keys;
    std::vector<float> values;
  };
  struct KVCache {
    int64_t kvHeads = 0;
    int64_t headDim = 0;
    int64_t window = 0; ///< sliding caches: the positions they keep; else 0
    std::map<int64_t, CacheRow> rows; ///< by absolute position
  };

  void execute(mlir::Operation *op);
  void executeBlock(mlir::Block &block, std::vector<mlir::Value> &returned);
  const Tensor &get(mlir::Value value) const;
  void set(mlir::Value value, Tensor tensor);
  KVCache &cache(mlir::Operation *op, llvm::StringRef name);

  mlir::ModuleOp module;
  llvm::StringMap<Tensor> weights; ///< by facet.param name, float32
  llvm::StringMap<KVCache> caches; ///< by facet.kv_cache name
  llvm::DenseMap<mlir::Value, Tensor> values;
  /// Values that name a weight (facet.weight results and kernel arguments
  /// bound to them) point at `weights` instead of copying.
  llvm::DenseMap<mlir::Value, const Tensor *> weightValues;
  std::vector<int64_t> lastShape;
};

} // namespace facet

#endif // FACET_TEST_REFERENCE_REFERENCEEVALUATOR_H
