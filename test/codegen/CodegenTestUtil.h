//===- CodegenTestUtil.h - Helpers for the kernel generator tests -*- C++
//-*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Parse a facet module from text, build a func of it into a kernel, bind
// buffers to its arguments by role, JIT-run it, and compare with reference
// loops written out in the tests.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_TEST_CODEGEN_CODEGENTESTUTIL_H
#define FACET_TEST_CODEGEN_CODEGENTESTUTIL_H

#include "codegen/halide/KernelBuilder.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace facet::codegen::testing {

/// A row-major tensor of floats (or of ints when `ints` is used).
struct Tensor {
  std::vector<int64_t> shape; ///< outermost-first
  std::vector<float> data;
  std::vector<int32_t> ints;
  int64_t size() const;
};

/// The storage a test weight is converted to before the kernel reads it.
enum class Storage { F32, F16, BF16 };

/// Uniform floats in [lo, hi) from a fixed seed.
Tensor randomTensor(std::vector<int64_t> shape, uint32_t seed, float lo = -1.0f,
                    float hi = 1.0f);
Tensor intTensor(std::vector<int64_t> shape, std::vector<int32_t> values);

/// `value` rounded to f16 / bf16 (nearest, ties to even) and back.
float roundTo(Storage storage, float value);
/// Every element rounded (what the kernel sees of a narrow weight).
Tensor rounded(const Tensor &tensor, Storage storage);

/// A parsed module, its context, and a kernel built from one of its funcs.
class KernelFixture {
public:
  /// Parses `source` (fails the test on a parse or verify error).
  explicit KernelFixture(const std::string &source);
  ~KernelFixture();

  mlir::ModuleOp module();
  /// Builds the func `name` with `schedule` (default: host target's).
  BuiltKernel &build(const std::string &name);
  BuiltKernel &build(const std::string &name, const KernelSchedule &schedule);
  /// Builds the first facet.kernel region of the module.
  BuiltKernel &buildFirstKernelRegion(const KernelSchedule &schedule);
  BuiltKernel &kernel() { return built; }

  /// Bindings, by role; they stay bound across run() calls.
  void setInput(unsigned index, const Tensor &tensor,
                Storage storage = Storage::F32);
  void setWeight(const std::string &symbol, const Tensor &tensor,
                 Storage storage = Storage::F32);
  void setCache(const std::string &symbol, const Tensor &keys,
                const Tensor &values);
  /// Binds a cache's buffers as stored (any dtype); `keyScales` and
  /// `valueScales` only for an i8 cache.
  void setCacheBuffers(const std::string &symbol, Halide::Buffer<> keys,
                       Halide::Buffer<> values, Halide::Buffer<> keyScales = {},
                       Halide::Buffer<> valueScales = {});
  void setContextLength(int32_t length);

  /// Runs the pipeline (JIT for the host) into outputs of the given shapes
  /// (outermost-first); float outputs land in Tensor::data, i32 in ints.
  std::vector<Tensor> run(const std::vector<std::vector<int64_t>> &shapes);

private:
  std::unique_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> owned;
  BuiltKernel built;
};

/// max |got - want| over all elements, divided by max(max |want|, 1e-30).
double relativeError(const std::vector<float> &got,
                     const std::vector<float> &want);

/// Reference building blocks, in the reference evaluator's operation order.
float geluTanhRef(float x);
void rmsNormRowRef(const float *x, int64_t n, float epsilon,
                   const float *weight, float *out);
float dotRef(const float *a, const float *b, int64_t n);

} // namespace facet::codegen::testing

#endif // FACET_TEST_CODEGEN_CODEGENTESTUTIL_H
