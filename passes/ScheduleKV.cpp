//===- ScheduleKV.cpp - KV cache sizing and the prefill tail cut ----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// See Passes.td (ScheduleKV). Two jobs that both follow from how Gemma 4
// uses its caches:
//
// Sizing. A sliding layer only ever reads the last `window` positions, so
// its cache is a ring; a prefill chunk of C tokens writes its rows before
// its oldest query reads, so the ring needs window + C - 1 slots for that
// query's window to survive the chunk's own writes. A full cache holds the
// context. KV-shared layers have no kv_cache of their own (the importer
// points them at their source), so they allocate nothing.
//
// The prefill tail. After the last facet.kv_store of @prefill nothing can
// write state a later step reads; only the returned logits remain, and the
// runtime continues from the last position's. So every token-indexed value
// that crosses that point is cut to its last row and the ops behind it see
// one token. For E2B that is the 20 KV-shared layers (plus the attention and
// MLP of layer 14 and the LM head) running for 1 position instead of C.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"

namespace facet {
#define GEN_PASS_DEF_SCHEDULEKV
#include "passes/Passes.h.inc"
} // namespace facet

using namespace mlir;

namespace facet {
namespace {

/// Whether `type` is indexed by token in its outermost dimension, the one
/// dimension the importer leaves dynamic in @prefill.
bool isTokenIndexed(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getRank() >= 1 && tensor.isDynamicDim(0);
}

RankedTensorType oneToken(RankedTensorType type) {
  SmallVector<int64_t> shape(type.getShape());
  shape[0] = 1;
  return type.clone(shape);
}

struct ScheduleKVPass : public impl::ScheduleKVBase<ScheduleKVPass> {
  using ScheduleKVBase::ScheduleKVBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (prefillChunk < 1) {
      module.emitError() << "facet-schedule-kv: prefill-chunk must be >= 1, "
                            "got "
                         << prefillChunk;
      return signalPassFailure();
    }
    FailureOr<Type> dtype = cacheType();
    if (failed(dtype)) {
      module.emitError() << "facet-schedule-kv: kv-dtype must be f32, bf16, "
                            "f16 or int8, got '"
                         << kvDtype << "'";
      return signalPassFailure();
    }
    FailureOr<int64_t> context = contextLength(module);
    if (failed(context))
      return signalPassFailure();

    for (KVCacheOp cache : module.getOps<KVCacheOp>()) {
      int64_t capacity = *context;
      if (cache.getKind() == CacheKind::sliding)
        capacity = std::min<int64_t>(*context,
                                     int64_t(cache.getWindow()) + prefillChunk - 1);
      OpBuilder builder(cache);
      cache.setCapacityAttr(builder.getI64IntegerAttr(capacity));
      cache.setDtypeAttr(TypeAttr::get(*dtype));
      ++numCaches;
    }

    for (func::FuncOp func : module.getOps<func::FuncOp>()) {
      int64_t tokens = func.getName() == "prefill" ? int64_t(prefillChunk) : 1;
      func->setAttr("facet.max_tokens",
                    Builder(&getContext()).getI64IntegerAttr(tokens));
    }
    if (!allLogits)
      if (auto prefill = module.lookupSymbol<func::FuncOp>("prefill"))
        cutPrefillTail(prefill);
  }

  FailureOr<Type> cacheType() {
    Builder builder(&getContext());
    if (kvDtype == "f32")
      return Type(builder.getF32Type());
    if (kvDtype == "bf16")
      return Type(builder.getBF16Type());
    if (kvDtype == "f16")
      return Type(builder.getF16Type());
    if (kvDtype == "int8")
      return Type(builder.getIntegerType(8));
    return failure();
  }

  FailureOr<int64_t> contextLength(ModuleOp module) {
    if (maxContext > 0)
      return int64_t(maxContext);
    auto model = module->getAttrOfType<DictionaryAttr>("facet.model");
    auto positions =
        model ? model.getAs<IntegerAttr>("max_positions") : IntegerAttr();
    if (!positions || positions.getInt() < 1) {
      module.emitError() << "facet-schedule-kv: give max-context (the module "
                            "does not state the model's max_positions)";
      return failure();
    }
    return positions.getInt();
  }

  void cutPrefillTail(func::FuncOp func) {
    Block &body = func.getBody().front();
    Operation *lastStore = nullptr;
    for (Operation &op : body)
      if (isa<KVStoreOp>(op))
        lastStore = &op;
    // Without cache writes the whole function is the tail.
    Operation *firstTailOp =
        lastStore ? lastStore->getNextNode() : &body.front();
    if (!firstTailOp)
      return;

    auto inTail = [&](Operation *user) {
      return user->getBlock() == &body &&
             (user == firstTailOp || firstTailOp->isBeforeInBlock(user));
    };
    // Values made before the cut (or entry arguments) that the tail reads:
    // cut each to its last row once, right where the tail starts.
    OpBuilder builder(firstTailOp);
    llvm::DenseMap<Value, Value> lastRows;
    auto lastRowOf = [&](Value value) -> Value {
      auto found = lastRows.find(value);
      if (found != lastRows.end())
        return found->second;
      auto type = cast<RankedTensorType>(value.getType());
      Value row = builder.create<LastRowOp>(value.getLoc(), oneToken(type),
                                            value);
      lastRows[value] = row;
      return row;
    };
    SmallVector<Operation *> tail;
    for (Operation *op = firstTailOp; op; op = op->getNextNode())
      tail.push_back(op);
    for (Operation *op : tail) {
      for (OpOperand &operand : op->getOpOperands()) {
        Value value = operand.get();
        if (!isTokenIndexed(value.getType()))
          continue;
        Operation *definer = value.getDefiningOp();
        if (!definer || !inTail(definer))
          operand.set(lastRowOf(value));
      }
      for (Value result : op->getResults())
        if (isTokenIndexed(result.getType()))
          result.setType(oneToken(cast<RankedTensorType>(result.getType())));
      if (!isa<func::ReturnOp>(op))
        ++numTailOps;
    }
    // The logits now have one row.
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    func.setFunctionType(FunctionType::get(&getContext(),
                                           func.getArgumentTypes(),
                                           ret.getOperandTypes()));
  }
};

} // namespace
} // namespace facet
