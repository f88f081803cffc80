//===- CudaEmitter.h - Writing one CUDA kernel from facet ops ---*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Internal to codegen/cuda. A KernelWriter writes the CUDA C++ of one
// facet.kernel region as one __global__ function that runs on ONE thread
// block: every op is a block-stride loop over the elements it produces,
// writing them (f32 or i32) into global scratch, then __syncthreads(), so
// the next op sees them. This is the correctness-first shape of the CUDA
// backend (no grid-wide synchronization needed, any number of ops per
// region); the fused, multi-block performance kernels replace it op by op.
//
// A value of the region is a CTensor: its shape (outermost first, every
// dimension a constant of the kernel but a leading token count `T`) and a
// function from index expressions to the C expression reading that
// element. Views (split/merge_heads, layer_input, last_row) compose those
// functions and cost nothing; every other op is materialized.
//
// Every formula follows the Halide emitter of the same op
// (codegen/halide/*Emitter*.cpp) in f32 and in the same operation order, so
// both backends compute what the reference evaluator computes.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_CUDA_CUDAEMITTER_H
#define FACET_CODEGEN_CUDA_CUDAEMITTER_H

#include "codegen/plan/KernelSignature.h"
#include "dialects/FacetDialect.h"

#include "mlir/IR/Operation.h"

#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace facet::codegen::cuda {

/// Dimension value of the token count in a CTensor shape.
inline constexpr int64_t kT = -1;

using Index = std::vector<std::string>;

struct CTensor {
  std::vector<int64_t> shape; ///< outermost first; kT only at 0
  bool integer = false;       ///< reads give int, else float
  std::function<std::string(const Index &)> at;
  /// Weights quantized to int8 per output row: the integer at an index and
  /// the scale of a row (outer index, for rank-2 weights), for kernels that
  /// multiply integers (int8 activations). Empty otherwise.
  std::function<std::string(const Index &)> int8At;
  std::function<std::string(const std::string &row)> rowScaleAt;

  size_t rank() const { return shape.size(); }
};

/// A KV cache the kernel attends over: device pointers to its f32 keys and
/// values [capacity, kvHeads, headDim].
struct CacheRef {
  std::string keys, values;
  int64_t capacity = 0, kvHeads = 0, headDim = 0, window = 0;
};

/// Throws facet::Error "codegen (cuda): 'facet.op' at loc: what".
[[noreturn]] void fail(mlir::Operation *op, const std::string &what);
inline void require(bool ok, mlir::Operation *op, const std::string &what) {
  if (!ok)
    fail(op, what);
}

/// An exact C++ literal of `value` (hex float), e.g. "(0x1.8p-1f)".
std::string floatLiteral(float value);
/// The size of a dimension as C: "T" or the number.
std::string dimText(int64_t size);
/// Elements of `shape` as C, e.g. "(T * 64)".
std::string countText(const std::vector<int64_t> &shape);
/// The row-major offset of `index` in `shape` (64-bit).
std::string linearIndex(const std::vector<int64_t> &shape, const Index &index);
/// The shape of `value`'s tensor type (quantized weights included), with
/// its dynamic dimension as kT.
std::vector<int64_t> shapeOf(mlir::Operation *op, mlir::Value value);

class KernelWriter {
public:
  KernelWriter(std::string symbol, mlir::Operation *kernel);

  /// Kernel parameters, in the order of codegen/halide/KernelBuilder.h's
  /// calling convention (which the plan binds): inputs, caches, context
  /// length, outputs.
  CTensor addInput(mlir::Value value, unsigned index);
  CacheRef cache(mlir::Operation *user, llvm::StringRef symbol);
  std::string contextLength();
  void addOutput(mlir::Value value, unsigned index, const CTensor &tensor);

  /// A fresh C identifier starting with `base`.
  std::string fresh(const std::string &base);
  /// Scratch for a tensor of `shape` of 4-byte elements; returns the name
  /// of its pointer (float *, or int * when `integer`).
  std::string allocate(const std::string &role,
                       const std::vector<int64_t> &shape, bool integer);

  /// Appends a line to the body.
  void line(const std::string &text);
  /// A `__device__` constant table of `values` at file scope; returns its
  /// name.
  std::string constantTable(const std::string &role,
                            const std::vector<float> &values);
  /// A block-stride loop over every element of `shape`; `body` gets the
  /// index variables (outermost first) and returns the loop's statements.
  void forEach(const std::vector<int64_t> &shape,
               const std::function<std::string(const Index &)> &body);
  void sync() { line("__syncthreads();"); }

  /// Writes `formula` for every element of `result`'s shape into scratch
  /// (rounded through f16/bf16 when the result is typed so), then syncs;
  /// returns the tensor reading it.
  CTensor materialize(mlir::Value result, const std::string &role,
                      const std::function<std::string(const Index &)> &formula,
                      bool integer = false);
  /// A CTensor reading scratch `pointer` of `shape`.
  static CTensor scratchTensor(const std::string &pointer,
                               const std::vector<int64_t> &shape, bool integer);

  /// The finished __global__ function (after its constant tables).
  std::string source() const;
  const KernelSignature &signature() const { return sig; }
  /// Index of the parameter whose leading dimension is T, or -1.
  int64_t tokensParam() const { return tokensArg; }
  uint64_t scratchFixedBytes() const { return fixedBytes; }
  uint64_t scratchPerTokenBytes() const { return perTokenBytes; }
  /// Finishes the parameter list (caches and the context length come after
  /// every input, in order of first use). Call once, before addOutput.
  void finishInputs();

private:
  void addParam(const std::string &declaration, KernelParam param,
                bool tokenLeading);

  std::string symbol;
  mlir::Operation *kernelOp;
  KernelSignature sig;
  std::vector<std::string> params;
  std::vector<std::pair<std::string, KernelParam>> pendingCaches;
  std::map<std::string, CacheRef> caches;
  bool needsContext = false;
  std::string body;
  std::string globals;
  struct Scratch {
    std::string pointer;
    bool integer;
    bool perToken;
    uint64_t offset;
  };
  std::vector<Scratch> scratch;
  uint64_t fixedBytes = 0, perTokenBytes = 0;
  int64_t tokensArg = -1;
  unsigned nextId = 0;
};

/// Emits `op` (not facet.kernel/yield/kv_store) into `writer`.
std::vector<CTensor> emitOp(mlir::Operation *op,
                            const std::vector<CTensor> &operands,
                            KernelWriter &writer);

// Ops in their own files.
std::vector<CTensor> emitAttention(AttentionOp op,
                                   const std::vector<CTensor> &operands,
                                   KernelWriter &writer);
std::vector<CTensor> emitMoERouter(MoERouterOp op,
                                   const std::vector<CTensor> &operands,
                                   KernelWriter &writer);
std::vector<CTensor> emitMoEExperts(MoEExpertsOp op,
                                    const std::vector<CTensor> &operands,
                                    KernelWriter &writer);

/// "(sumSquares / n + eps)^-1/2" as C, as inverseRms in the Halide emitters.
std::string inverseRms(const std::string &sumSquares, int64_t n, float epsilon);

} // namespace facet::codegen::cuda

#endif // FACET_CODEGEN_CUDA_CUDAEMITTER_H
