//===- OutlineKernels.cpp - one facet.kernel per compute op ---------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace facet {
#define GEN_PASS_DEF_OUTLINEKERNELS
#include "passes/Passes.h.inc"
} // namespace facet

using namespace mlir;

namespace facet {
namespace {

/// Ops that stay in the entry point: weight references name package data,
/// cache writes are runtime copies, and existing kernels are already done.
bool staysOutside(Operation *op) {
  return isa<WeightOp, KVStoreOp, KernelOp, func::ReturnOp>(op) ||
         op->getDialect() != op->getContext()->getLoadedDialect<FacetDialect>();
}

KernelOp outline(OpBuilder &builder, Operation *op, StringRef name) {
  builder.setInsertionPoint(op);
  auto kernel = builder.create<KernelOp>(op->getLoc(), op->getResultTypes(),
                                         builder.getStringAttr(name),
                                         op->getOperands());
  Block *body = builder.createBlock(&kernel.getBody());
  IRMapping mapping;
  for (Value operand : op->getOperands())
    mapping.map(operand, body->addArgument(operand.getType(), op->getLoc()));
  Operation *clone = builder.clone(*op, mapping);
  builder.create<YieldOp>(op->getLoc(), clone->getResults());
  op->replaceAllUsesWith(kernel.getResults());
  op->erase();
  return kernel;
}

struct OutlineKernelsPass
    : public impl::OutlineKernelsBase<OutlineKernelsPass> {
  void runOnOperation() override {
    OpBuilder builder(&getContext());
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      SmallVector<Operation *> compute;
      for (Operation &op : func.getBody().getOps())
        if (!staysOutside(&op))
          compute.push_back(&op);
      unsigned index = 0;
      for (Operation *op : compute) {
        StringRef opName = op->getName().stripDialect();
        outline(builder, op,
                (func.getName() + "." + Twine(index++) + "." + opName).str());
        ++numKernels;
      }
    }
  }
};

} // namespace
} // namespace facet
