//===- CastWeights.cpp - store float weights in one dtype -----------------===//
//
// The simplest weight compression, and the only one codegen needs no new
// emitter for: the kernels already widen f16/bf16 weights to f32 on load.
// Quantization proper (int8/int4 with scales) is a separate pass.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/StringMap.h"

namespace facet {
#define GEN_PASS_DEF_CASTWEIGHTS
#include "passes/Passes.h.inc"
} // namespace facet

using namespace mlir;

namespace facet {
namespace {

FailureOr<Type> parseDType(MLIRContext *context, llvm::StringRef name) {
  if (name == "f32")
    return Type(Float32Type::get(context));
  if (name == "f16")
    return Type(Float16Type::get(context));
  if (name == "bf16")
    return Type(BFloat16Type::get(context));
  return failure();
}

struct CastWeightsPass : impl::CastWeightsBase<CastWeightsPass> {
  using CastWeightsBase::CastWeightsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<Type> element = parseDType(&getContext(), dtype);
    if (failed(element)) {
      // Not module.emitError(): that would print the whole module after it.
      mlir::emitError(module.getLoc()) << "facet-cast-weights: dtype must be f32, f16 or "
                            "bf16, got '"
                         << dtype << "'";
      return signalPassFailure();
    }

    llvm::StringMap<Type> castTypes;
    for (ParamOp param : module.getOps<ParamOp>()) {
      auto tensor = dyn_cast<RankedTensorType>(param.getType());
      if (!tensor || !isa<FloatType>(tensor.getElementType()) ||
          tensor.getElementType() == *element)
        continue;
      auto cast = RankedTensorType::get(tensor.getShape(), *element);
      param.setType(cast);
      castTypes[param.getSymName()] = cast;
      ++numCast;
    }
    module.walk([&](WeightOp weight) {
      auto found = castTypes.find(weight.getName());
      if (found != castTypes.end())
        weight.getResult().setType(found->second);
    });
  }
};

} // namespace
} // namespace facet
