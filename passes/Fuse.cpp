//===- Fuse.cpp - merge neighbouring facet.kernel regions -----------------===//
//
// Fewer, larger kernels: fewer launches per decode step and intermediate
// values that stay inside one generated function. The only rules are the
// ones that keep the program's meaning (see Passes.td): never across a
// kv_store, and only where every input is available at the producer; and
// two that keep a kernel buildable: at most max-args arguments (the package
// format allows 256) and max-ops ops (Halide's compile time grows faster
// than linearly with a kernel's size: E2B's 20 KV-shared layers, with no
// cache write between them, made one 437-argument kernel that took 28
// minutes to generate).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "runtime/core/Format.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

#include "llvm/ADT/SetVector.h"

namespace facet {
#define GEN_PASS_DEF_FUSE
#include "passes/Passes.h.inc"
} // namespace facet

using namespace mlir;

namespace facet {
namespace {

/// The package format's limit on a kernel's arguments.
constexpr int64_t kMaxKernelArguments = int64_t(core::kMaxKernelArgs);

/// Moves every facet.weight to the start of `func`, keeping their order.
void hoistWeights(func::FuncOp func) {
  Block &body = func.getBody().front();
  SmallVector<WeightOp> weights(body.getOps<WeightOp>());
  Operation *insertBefore = &body.front();
  for (WeightOp weight : weights) {
    if (weight.getOperation() == insertBefore) {
      insertBefore = weight->getNextNode();
      continue;
    }
    weight->moveBefore(insertBefore);
  }
}

/// Whether `value` is available just before `point`: a block argument or
/// the result of an op that comes before `point` in the same block.
bool availableBefore(Value value, Operation *point) {
  Operation *def = value.getDefiningOp();
  return !def || def->isBeforeInBlock(point);
}

bool kvStoreBetween(Operation *first, Operation *last) {
  for (Operation *op = first->getNextNode(); op && op != last;
       op = op->getNextNode())
    if (isa<KVStoreOp>(op))
      return true;
  return false;
}

/// The outside of the kernel that merging `consumer` into `producer` makes:
/// its inputs (the producer's, then the consumer's that the producer does
/// not compute) and the producer's results still used by anything but the
/// consumer (its results are these, then all the consumer's).
struct MergedInterface {
  llvm::SetVector<Value> inputs;
  SmallVector<Value> keptResults;
};
MergedInterface mergedInterface(KernelOp producer, KernelOp consumer) {
  MergedInterface interface;
  interface.inputs.insert(producer.getInputs().begin(),
                          producer.getInputs().end());
  for (Value input : consumer.getInputs())
    if (input.getDefiningOp() != producer)
      interface.inputs.insert(input);
  for (Value result : producer.getResults())
    if (llvm::any_of(result.getUsers(),
                     [&](Operation *user) { return user != consumer; }))
      interface.keptResults.push_back(result);
  return interface;
}

/// One kernel computing what `producer` and then `consumer` compute, at the
/// producer's position, with mergedInterface's inputs and results.
KernelOp merge(KernelOp producer, KernelOp consumer) {
  OpBuilder builder(producer);
  MergedInterface interface = mergedInterface(producer, consumer);
  const llvm::SetVector<Value> &inputs = interface.inputs;
  SmallVector<Value> &keptResults = interface.keptResults;
  SmallVector<Type> resultTypes;
  for (Value result : keptResults)
    resultTypes.push_back(result.getType());
  for (Type type : consumer.getResultTypes())
    resultTypes.push_back(type);

  auto fused = builder.create<KernelOp>(
      producer.getLoc(), resultTypes, producer.getNameAttr(),
      inputs.getArrayRef());
  Block *body = builder.createBlock(&fused.getBody());
  IRMapping outer; // kernel input value -> new block argument
  for (Value input : inputs)
    outer.map(input, body->addArgument(input.getType(), producer.getLoc()));

  // The producer's body, its block arguments mapped to the new ones.
  IRMapping mapping;
  for (auto [arg, input] : llvm::zip(producer.getBody().getArguments(),
                                     producer.getInputs()))
    mapping.map(arg, outer.lookup(input));
  auto producerYield = cast<YieldOp>(producer.getBody().front().getTerminator());
  for (Operation &op : producer.getBody().front().without_terminator())
    builder.clone(op, mapping);
  IRMapping producedValues; // producer result -> value inside the new body
  for (auto [result, yielded] :
       llvm::zip(producer.getResults(), producerYield.getValues()))
    producedValues.map(result, mapping.lookup(yielded));

  // The consumer's body: inputs the producer computes come from inside.
  IRMapping consumerMapping;
  for (auto [arg, input] : llvm::zip(consumer.getBody().getArguments(),
                                     consumer.getInputs()))
    consumerMapping.map(arg, input.getDefiningOp() == producer
                                 ? producedValues.lookup(input)
                                 : outer.lookup(input));
  auto consumerYield = cast<YieldOp>(consumer.getBody().front().getTerminator());
  for (Operation &op : consumer.getBody().front().without_terminator())
    builder.clone(op, consumerMapping);

  SmallVector<Value> yielded;
  for (Value result : keptResults)
    yielded.push_back(producedValues.lookup(result));
  for (Value value : consumerYield.getValues())
    yielded.push_back(consumerMapping.lookup(value));
  builder.create<YieldOp>(producer.getLoc(), yielded);

  for (auto [index, result] : llvm::enumerate(keptResults))
    result.replaceAllUsesWith(fused.getResult(index));
  for (auto [index, result] : llvm::enumerate(consumer.getResults()))
    result.replaceAllUsesWith(fused.getResult(keptResults.size() + index));
  consumer.erase();
  producer.erase();
  return fused;
}

/// Arguments the generated kernel of `inputs` and `results` takes, counted
/// as the plan binds them: a quantized weight is its integers, its scales
/// and (asymmetric) its zero points; each attention reads a cache's keys and
/// values and, for an int8 cache, their scales (counted as 4); plus the
/// per-step scalars (tokens, context length, ...: counted as 4).
int64_t kernelArguments(ArrayRef<Value> inputs, int64_t results,
                        int64_t attentions) {
  int64_t count = results + 4 * attentions + 4;
  for (Value input : inputs) {
    auto quantized = dyn_cast<QuantizedWeightType>(input.getType());
    count += !quantized ? 1 : quantized.getSymmetric() ? 2 : 3;
  }
  return count;
}

/// What merging `consumer` into `producer` would make: its op count and its
/// argument count (as merge() builds it).
struct MergedSize {
  int64_t ops = 0;
  int64_t arguments = 0;
};
MergedSize mergedSize(KernelOp producer, KernelOp consumer) {
  MergedInterface interface = mergedInterface(producer, consumer);
  int64_t results =
      int64_t(interface.keptResults.size()) + consumer.getNumResults();
  MergedSize size;
  int64_t attentions = 0;
  for (KernelOp kernel : {producer, consumer})
    for (Operation &op : kernel.getBody().front().without_terminator()) {
      ++size.ops;
      attentions += isa<AttentionOp>(op);
    }
  size.arguments =
      kernelArguments(interface.inputs.getArrayRef(), results, attentions);
  return size;
}

/// The producer `consumer` can be merged into, if any: the latest kernel
/// defining one of its inputs, with no kv_store in between and every other
/// input available at the producer.
KernelOp mergeTarget(KernelOp consumer) {
  KernelOp producer;
  for (Value input : consumer.getInputs())
    if (auto kernel = input.getDefiningOp<KernelOp>())
      if (!producer || producer->isBeforeInBlock(kernel))
        producer = kernel;
  if (!producer || kvStoreBetween(producer, consumer))
    return {};
  for (Value input : consumer.getInputs())
    if (input.getDefiningOp() != producer && !availableBefore(input, producer))
      return {};
  return producer;
}

struct FusePass : impl::FuseBase<FusePass> {
  using FuseBase::FuseBase;

  void runOnOperation() override {
    if (maxArguments < 8 || maxArguments > int64_t(kMaxKernelArguments) ||
        maxOps < 1) {
      getOperation().emitError()
          << "facet-fuse: max-args must be in 8.." << kMaxKernelArguments
          << " (the package's limit) and max-ops at least 1, got max-args="
          << int64_t(maxArguments) << " max-ops=" << int64_t(maxOps);
      return signalPassFailure();
    }
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      hoistWeights(func);
      // Program order; a merged kernel stays where its producer was and is
      // offered to the following kernels as a producer in turn.
      SmallVector<KernelOp> kernels(func.getBody().getOps<KernelOp>());
      for (KernelOp kernel : kernels) {
        KernelOp producer = mergeTarget(kernel);
        if (!producer)
          continue;
        MergedSize size = mergedSize(producer, kernel);
        if (size.ops > maxOps || size.arguments > maxArguments) {
          ++numCapped;
          continue;
        }
        merge(producer, kernel);
        ++numMerged;
      }
    }
  }
};

} // namespace
} // namespace facet
