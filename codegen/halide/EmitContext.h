//===- EmitContext.h - What op emitters may ask of a kernel ----*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Emitters are pure functions from an op and its operands' HTensors to its
// results' HTensors. What is not an SSA operand comes from the context: the
// buffers of a `facet.weight` op, the keys and values of a KV cache (caches
// are symbols, not values), and the step's context length. Emitters also
// register every Func they create as a Stage, saying what kind of
// computation it is; the schedule (Schedule.h) decides from that where each
// stage is computed, so emitters contain no scheduling code.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_HALIDE_EMITCONTEXT_H
#define FACET_CODEGEN_HALIDE_EMITCONTEXT_H

#include "codegen/halide/HTensor.h"
#include "dialects/FacetDialect.h"

#include "llvm/ADT/StringRef.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace facet::codegen {

enum class StageKind {
  /// Index remapping or type widening (split_heads, an input read as f32):
  /// always inlined into its consumers.
  View,
  /// Elementwise math (add, gelu_tanh, an rms_norm's final scaling): stored
  /// whole by default, inlined when the schedule asks for it.
  Pointwise,
  /// Stored over its whole domain, before its consumers run: reductions
  /// (linear, sums of squares, softmax statistics) and values that many
  /// consumers reread (RoPE angles).
  Materialized,
  /// A partial sum computed inside `parent`'s reduction loop (the last
  /// RVar of its first update) for the block of rows the parent's vectors
  /// cover: vectorized and unrolled over those rows, so it stays in
  /// registers (a GEMV's per-group dot products).
  Partial,
  /// The accumulator of an attention op: the Funcs of `Stage::attention`
  /// are scheduled together (scheduleAttention, AttentionSchedule.cpp),
  /// none of them by the generic rules.
  Attention,
};

/// The Funcs of one attention op (AttentionEmitter.cpp), innermost
/// argument first. Every query head g of a KV head's group is computed in
/// the same loops, so each key and value row is read once for the group.
/// Per (KV head, token): the visible count and the ring slot of the first
/// visible position; then over visible positions i:
struct AttentionStages {
  Halide::Func live;          ///< (kvh, t): positions query t sees
  Halide::Func firstSlot;     ///< (kvh, t): ring slot of the oldest of them
  Halide::Func partialScores; ///< (l, g, i, kvh, t): `lanes` partial dots
  Halide::Func scores;        ///< (g, i, kvh, t): q . k, unscaled
  Halide::Func rowMax;        ///< (g, kvh, t)
  Halide::Func exponent;      ///< (g, i, kvh, t)
  Halide::Func total;         ///< (g, kvh, t)
  Halide::Func probability;   ///< (g, i, kvh, t)
  Halide::Func accumulator;   ///< (j, g, kvh, t): sum_i probability * value
  Halide::Expr tokens;        ///< T: one token (decode) splits positions
  int group = 1;              ///< query heads per KV head
  int lanes = 1;              ///< partial dot products per score
  int64_t headDim = 0;
};

/// One Func of a kernel and how it may be computed.
struct Stage {
  Halide::Func func;
  StageKind kind = StageKind::Materialized;
  std::string role;                   ///< e.g. "linear", "attention.scores"
  std::optional<int64_t> innerExtent; ///< static extent of argument 0
  Halide::Func parent;                ///< Partial: the consumer it lives in
  /// > 0: an integer dot product whose update's first RVar runs over
  /// `dotGroup` consecutive k (an int8 product reduction); scheduled so the
  /// target's dot-product instruction does that reduction (Schedule.cpp).
  int dotGroup = 0;
  /// A dot product whose weight is stored in tiles (QuantizedView::tiled):
  /// always reduced across rows, the tiles' order.
  bool dotTiledWeight = false;
  /// A Partial dot product whose second RVar selects a constant shift per
  /// term (RowTiledDotEmitter's 16-bit word form): unrolled, so each term
  /// is a shift by an immediate.
  bool dotTermsUnrolled = false;
  /// > 1: a reduction over (rows, tokens) whose update may run this many
  /// tokens per pass over its reduction when `tokens` (the token count) is
  /// at least that (prefill), so one pass over the weights serves them all.
  int tokenBlock = 0;
  Halide::Expr tokens;
  /// StageKind::Attention: the attention op's Funcs.
  std::shared_ptr<const AttentionStages> attention;
};

/// The keys and values of one KV cache, as the kernel reads them: Funcs
/// (j, kvHead, slot) yielding f32 over a ring of `capacity` slots, position
/// p in slot p % capacity.
struct CacheView {
  Halide::Func keys;
  Halide::Func values;
  Halide::Expr capacity;
  int64_t kvHeads = 0;
  int64_t headDim = 0;
  int64_t window = 0; ///< the declaration's window (0: full attention)
};

class EmitContext {
public:
  virtual ~EmitContext() = default;

  /// The buffer of the weight that `op` names, as a kernel input.
  virtual HTensor weight(WeightOp op) = 0;
  /// The cache `symbol` that `user` (an attention op) reads.
  virtual CacheView cache(mlir::Operation *user, llvm::StringRef symbol) = 0;
  /// One more than the last position of this step (at least every
  /// positions[t] + 1): bounds the attention reductions.
  virtual Halide::Expr contextLength() = 0;
  /// An int32 that each launch of the kernel supplies, `value` for the
  /// kernel being generated: kernels that differ only in such values (the
  /// layer a facet.layer_input selects) share one generated kernel. One
  /// argument per distinct value.
  virtual Halide::Expr launchConstant(int64_t value) = 0;
  /// Whether the target's int8 dot product multiplies unsigned by signed
  /// bytes (x86 VNNI `vpdpbusd`) rather than signed by signed (ARM `sdot`).
  virtual bool int8DotUnsignedBySigned() const { return false; }

  /// A Func name unique in this kernel, made from `base`.
  std::string uniqueName(llvm::StringRef base);

  /// Records a stage; returns `stage.func` for convenience.
  Halide::Func addStage(Stage stage);
  Halide::Func addStage(Halide::Func func, StageKind kind, std::string role,
                        std::optional<int64_t> innerExtent);
  const std::vector<Stage> &stages() const { return stageList; }
  /// Sets Stage::tokenBlock and Stage::tokens of the stage of `func`.
  void setTokenBlock(const Halide::Func &func, int block,
                     Halide::Expr tokens);

private:
  unsigned nextId = 0;
  std::vector<Stage> stageList;
};

} // namespace facet::codegen

#endif // FACET_CODEGEN_HALIDE_EMITCONTEXT_H
