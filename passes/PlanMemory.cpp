//===- PlanMemory.cpp - Liveness-based arena placement --------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td (PlanMemory). The host plan keeps no allocator at run time:
// every activation of a call lives at a fixed offset of one arena, so the
// arena is the whole activation memory of the entry point. Placing buffers
// whose lifetimes do not overlap in the same bytes keeps that arena a few
// layers' worth of activations instead of the sum over the whole model.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include "llvm/ADT/DenseMap.h"

#include <algorithm>

namespace facet {
#define GEN_PASS_DEF_PLANMEMORY
#include "passes/Passes.h.inc"
} // namespace facet

using namespace mlir;

namespace facet {
namespace {

constexpr uint64_t kAlignment = 64;

struct Buffer {
  Value value;
  uint64_t bytes = 0;
  int64_t firstStep = 0, lastStep = 0;
  uint64_t offset = 0;
};

/// Bytes of `type` with its token dimension at `maxTokens`, or 0 when the
/// type is not a tensor the plan can hold.
uint64_t bufferBytes(Type type, int64_t maxTokens) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return 0;
  Type element = tensor.getElementType();
  uint64_t bytes = element.isF16() || element.isBF16() ? 2
                   : element.isF32() || element.isSignlessInteger(32) ? 4
                                                                      : 0;
  for (int64_t dim : tensor.getShape())
    bytes *= uint64_t(ShapedType::isDynamic(dim) ? maxTokens : dim);
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

/// First fit in order of first write: a buffer takes the lowest offset that
/// overlaps no buffer still live at its first step. Returns the arena size.
uint64_t place(std::vector<Buffer> &buffers, uint64_t &reused) {
  std::vector<size_t> order(buffers.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return buffers[a].firstStep < buffers[b].firstStep;
  });
  std::vector<size_t> live; // sorted by offset
  uint64_t arenaBytes = 0, highWater = 0;
  for (size_t id : order) {
    Buffer &buffer = buffers[id];
    llvm::erase_if(live, [&](size_t other) {
      return buffers[other].lastStep < buffer.firstStep;
    });
    uint64_t offset = 0;
    for (size_t other : live) {
      if (offset + buffer.bytes <= buffers[other].offset)
        break;
      offset = std::max(offset, buffers[other].offset + buffers[other].bytes);
    }
    buffer.offset = offset;
    if (offset < highWater)
      ++reused;
    highWater = std::max(highWater, offset + buffer.bytes);
    live.insert(llvm::upper_bound(live, id,
                                  [&](size_t a, size_t b) {
                                    return buffers[a].offset <
                                           buffers[b].offset;
                                  }),
                id);
    arenaBytes = std::max(arenaBytes, offset + buffer.bytes);
  }
  return arenaBytes;
}

struct PlanMemoryPass : public impl::PlanMemoryBase<PlanMemoryPass> {
  void runOnOperation() override {
    for (func::FuncOp func : getOperation().getOps<func::FuncOp>())
      if (failed(planEntry(func)))
        return signalPassFailure();
  }

  LogicalResult planEntry(func::FuncOp func) {
    auto maxTokens = func->getAttrOfType<IntegerAttr>("facet.max_tokens");
    if (!maxTokens || maxTokens.getInt() < 1)
      return func.emitError() << "facet-plan-memory: @" << func.getName()
                              << " has no facet.max_tokens (run "
                                 "--facet-schedule-kv first)";
    std::vector<Buffer> buffers;
    llvm::DenseMap<Value, size_t> index;
    auto define = [&](Value value, int64_t step) -> LogicalResult {
      uint64_t bytes = bufferBytes(value.getType(), maxTokens.getInt());
      if (bytes == 0)
        return emitError(value.getLoc())
               << "facet-plan-memory: cannot hold a value of type "
               << value.getType() << " in the arena";
      index[value] = buffers.size();
      buffers.push_back({value, bytes, step, step, 0});
      return success();
    };

    Block &body = func.getBody().front();
    for (BlockArgument argument : body.getArguments())
      if (failed(define(argument, -1))) // exist before the first step
        return failure();
    int64_t step = 0;
    for (Operation &op : body) {
      if (isa<WeightOp>(op))
        continue; // package data, not arena bytes
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        for (Value value : ret.getOperands())
          if (index.count(value))
            buffers[index[value]].lastStep = step;
        break;
      }
      if (!isa<KernelOp, KVStoreOp>(op))
        return op.emitError() << "facet-plan-memory: only kernels and cache "
                                 "writes may run in an entry point (run "
                                 "--facet-outline-kernels first)";
      for (Value operand : op.getOperands()) {
        auto found = index.find(operand);
        if (found != index.end())
          buffers[found->second].lastStep = step;
      }
      for (Value result : op.getResults())
        if (failed(define(result, step)))
          return failure();
      ++step;
    }
    // The inputs live for the whole call (the runtime writes them first).
    for (BlockArgument argument : body.getArguments())
      buffers[index[argument]].lastStep = step;

    uint64_t reused = 0;
    uint64_t arenaBytes = place(buffers, reused);
    numBuffers += buffers.size();
    numReused += reused;

    Builder builder(&getContext());
    for (BlockArgument argument : body.getArguments())
      func.setArgAttr(argument.getArgNumber(), "facet.arena_offset",
                      builder.getI64IntegerAttr(
                          int64_t(buffers[index[argument]].offset)));
    for (KernelOp kernel : body.getOps<KernelOp>()) {
      SmallVector<int64_t> offsets;
      for (Value result : kernel.getResults())
        offsets.push_back(int64_t(buffers[index[result]].offset));
      kernel->setAttr("facet.arena_offsets",
                      builder.getDenseI64ArrayAttr(offsets));
    }
    func->setAttr("facet.arena_bytes",
                  builder.getI64IntegerAttr(int64_t(arenaBytes)));
    return success();
  }
};

} // namespace
} // namespace facet
