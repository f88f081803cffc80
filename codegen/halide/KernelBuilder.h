//===- KernelBuilder.h - A list of facet ops -> one Halide kernel -*- C++
//-*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Builds one Halide pipeline from the ops of a future (or present)
// facet.kernel region by calling each op's emitter in order, then schedules
// it (Schedule.h) and compiles it ahead of time to an object file.
//
// The kernel's calling convention, i.e. the order of `arguments` and of the
// `_argv` array Halide emits next to the function:
//   1. the kernel inputs, in order (a facet.kernel's block arguments, a
//      func's arguments, or the given input values), each an ImageParam of
//      the tensor's rank and storage type, dimensions innermost-first
//      (a [T, d] tensor is a buffer with dim 0 = d, dim 1 = T), dense;
//   2. the weights of facet.weight ops inside the list (func-based kernels
//      only; outlined kernels receive weights as inputs);
//   3. for each KV cache the ops read, in order of first use: its keys, then
//      its values, buffers [capacity, kvHeads, headDim] (dim 0 = headDim) of
//      the cache's dtype (f32, bf16, f16, i8), position p in slot
//      p % capacity; for an i8 cache then the key scales and the value
//      scales, f32 [capacity, kvHeads] (dim 0 = kvHeads): element (j, h, s)
//      reads as q(j, h, s) * scale(h, s);
//   4. `context_length` (int32) when the kernel attends: one more than the
//      last position of the step;
//   5. one int32 per launch constant (EmitContext::launchConstant), in order
//      of first use;
//   6. the outputs, in result order.
// The token count is not an argument: it is the extent of the outputs'
// (and inputs') token dimension.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_HALIDE_KERNELBUILDER_H
#define FACET_CODEGEN_HALIDE_KERNELBUILDER_H

#include "codegen/halide/EmitContext.h"
#include "codegen/halide/Schedule.h"
#include "codegen/plan/KernelSignature.h"
#include "codegen/target/TargetRegistry.h"
#include "dialects/FacetDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/ArrayRef.h"

#include <optional>
#include <string>
#include <vector>

namespace facet::codegen {

/// What one kernel argument is bound to at run time.
struct KernelArgInfo {
  enum class Kind {
    Input,
    Weight,
    CacheKeys,
    CacheValues,
    CacheKeyScales,
    CacheValueScales,
    ContextLength,
    Constant,
    Output
  };
  Kind kind = Kind::Input;
  unsigned index = 0; ///< Input: position among the inputs; Output: result
  std::string symbol; ///< Weight: facet.param; Cache*: facet.kv_cache
  /// Input of a quantized weight: 0 the integers, 1 the scales, 2 the zero
  /// points (asymmetric only). Always 0 otherwise.
  unsigned part = 0;
  int64_t value = 0; ///< Constant: its value in the generated kernel
};

struct BuiltKernel {
  struct CacheParams {
    std::string symbol;
    Halide::ImageParam keys, values;
    std::optional<Halide::ImageParam> keyScales, valueScales; ///< i8 only
  };

  std::string name;
  Halide::Pipeline pipeline;
  /// Every argument in call order, outputs last (see the file comment).
  std::vector<Halide::Argument> arguments;
  std::vector<KernelArgInfo> argInfo;     ///< parallel to `arguments`
  std::vector<Halide::ImageParam> inputs; ///< the kernel inputs, in order
  std::vector<std::pair<std::string, Halide::ImageParam>> weights;
  std::vector<CacheParams> caches;
  std::optional<Halide::Param<int32_t>> contextLength;
  /// EmitContext::launchConstant's arguments and their values here.
  std::vector<std::pair<Halide::Param<int32_t>, int64_t>> constants;
  std::vector<Halide::Func> outputs;
  std::vector<Stage> stages; ///< as the emitters registered them
  KernelSchedule schedule;

  /// The non-output arguments, in order: what Halide's compile_to_* take
  /// (Halide appends the outputs itself).
  std::vector<Halide::Argument> inputArguments() const;

  /// Compiles to an object file defining `functionName(buffers...)` and
  /// `functionName_argv(void **args)`, args in the order of `arguments`
  /// (halide_buffer_t * for buffers, int32_t * for context_length), plus
  /// `functionName_metadata()`. Without `withRuntime` the object needs the
  /// Halide runtime from generateHalideRuntime() at link time: a package
  /// links many kernels against one runtime. Throws facet::Error.
  void compileToObject(const std::string &path, const std::string &functionName,
                       const TargetInfo &target,
                       bool withRuntime = false) const;
};

/// Builds the kernel computing `results` from `inputs` by the `ops` in
/// order. Every operand of an op must be an input or a result of an earlier
/// op of the list; kv_store and ops without emitters are rejected
/// (facet::Error naming the op). `name` names the pipeline in errors;
/// `inputNames` (optional, per input) name the input buffers, else "in<i>".
BuiltKernel buildKernel(llvm::ArrayRef<mlir::Operation *> ops,
                        llvm::ArrayRef<mlir::Value> inputs,
                        llvm::ArrayRef<mlir::Value> results,
                        const std::string &name, const KernelSchedule &schedule,
                        llvm::ArrayRef<std::string> inputNames = {});

/// The body of a facet.kernel: inputs are its block arguments, outputs the
/// yielded values.
BuiltKernel buildKernel(KernelOp kernel, const KernelSchedule &schedule);

/// A whole function as one kernel: inputs are its arguments (named by their
/// `facet.name` attribute when present), outputs the returned values.
BuiltKernel buildKernel(mlir::func::FuncOp func,
                        const KernelSchedule &schedule);

/// Generates `kernel` for `target` with the default schedule into the
/// object file `objectPath` (no Halide runtime), exporting
/// `symbol_argv(void **)`, and returns its calling signature for the plan.
KernelSignature generateKernel(KernelOp kernel, const TargetInfo &target,
                               const std::string &symbol,
                               const std::string &objectPath);

/// Writes the Halide runtime for `target` as one object file, for linking
/// with kernels compiled without it.
void generateHalideRuntime(const TargetInfo &target, const std::string &path);

} // namespace facet::codegen

#endif // FACET_CODEGEN_HALIDE_KERNELBUILDER_H
