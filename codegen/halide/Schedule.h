//===- Schedule.h - How a kernel's stages become loops ---------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// A kernel's schedule is data: a few numbers and switches, defaulted per
// target (defaultSchedule) and later searched by `facet tune`. Applying it
// needs only the stages the emitters registered (EmitContext.h), so any
// fused kernel gets a schedule without kernel-specific code.
//
// What the default does with each stage (see StageKind):
// - View: inlined.
// - Pointwise: stored whole (compute_root), unless `inlinePointwise`.
// - Materialized and kernel outputs: compute_root. The innermost dimension
//   is split into blocks of `vectorLanes * unroll` elements, vectorized by
//   `vectorLanes` and unrolled; the outer dimensions (tokens, heads, rows)
//   are fused into one loop that runs in parallel. A reduction's loop over
//   its RDom sits between the block and the outer loop, so a block's
//   `unroll` vector accumulators stay in registers across the reduction
//   (the GEMV shape of shared/kernel-lab), and its blocks are parallel
//   tasks too, which keeps decode (one token) parallel.
// - Attention: an attention op's Funcs, laid out together
//   (AttentionSchedule.cpp).
// - Partial: computed per iteration of its parent's reduction, over the
//   parent's block of rows (a row-tiled GEMV's per-group sums), vectorized
//   across rows and unrolled over the block's vectors and any token block.
// A stage with a token block (Stage::tokenBlock) gets a second version of
// its update, specialized for token counts that fill a block, whose tokens
// run in unrolled blocks inside the row block, outside the reduction.
//
// Exactness: vectorizing or parallelizing over output elements never changes
// a value; every reduction still sums one element's terms one after another
// in index order, as the reference evaluator does. Only `reductionSplit` > 1
// reassociates (see below), and attention's scores, which the emitter
// defines as interleaved partial sums (AttentionEmitter.cpp). What remains is
// LLVM's freedom under Halide's default float semantics (fused multiply-add,
// reciprocal division by constants), worth about one ulp per operation;
// `strict_float` in the target would remove it at a large cost in speed.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_HALIDE_SCHEDULE_H
#define FACET_CODEGEN_HALIDE_SCHEDULE_H

#include "codegen/halide/EmitContext.h"
#include "codegen/target/TargetRegistry.h"

#include <string>
#include <vector>

namespace facet::codegen {

struct KernelSchedule {
  /// f32 lanes per vector: the target's vector width / 4.
  int vectorLanes = 8;
  /// i32 lanes of an int8 dot product's accumulators: one native vector.
  /// Differs from vectorLanes where float stages are scalar (Hexagon).
  int dotLanes = 8;
  /// Vectors per block of a stage's innermost dimension.
  int unroll = 4;
  /// Run the outer loops (and the blocks of reductions) in parallel.
  bool parallel = true;
  /// Compute Pointwise stages inside their consumers instead of storing
  /// them. Saves memory traffic in fused kernels; costs recomputation when
  /// a consumer is a reduction that reads each element many times.
  bool inlinePointwise = false;
  /// > 1: split each single-RDom reduction of a Materialized stage into
  /// this many interleaved partial sums (Halide rfactor), vectorized over
  /// the partial sums, so the reduced dimension is read contiguously. This
  /// reassociates the float sums (about 1e-7 relative per reduction); 1
  /// keeps them sequential and exact in order.
  int reductionSplit = 1;
  /// The int8 dot-product form of the target (EmitContext): x86 VNNI
  /// multiplies u8 by i8, ARM's sdot i8 by i8. Not a tuning knob.
  bool int8DotUnsignedBySigned = false;
  /// Compute int8 dot products along each row's inputs with partial sums
  /// per lane (HVX) rather than across rows (VNNI, sdot). Not a tuning knob.
  bool dotAlongInputs = false;
  /// > 0: int8 weights whose shape allows it are stored in tiles of this
  /// many rows (TargetInfo::int8WeightTileRows); their dot products run
  /// across rows whatever dotAlongInputs says. Not a tuning knob.
  int weightTileRows = 0;

  /// One line for logs and tuning records.
  std::string describe() const;
};

/// The default for `target`: its f32 lanes, its registry row's vectors per
/// block (4 on x86, 8 on aarch64), parallel, stages stored, sequential
/// reductions.
KernelSchedule defaultSchedule(const TargetInfo &target);

/// Schedules every stage of a kernel. `outputs` are the pipeline's output
/// Funcs with the static extent of their innermost dimension (nullopt when
/// it is the token count); an output that is also a stage is scheduled
/// once, as an output. Throws facet::Error for an invalid schedule.
void applySchedule(const std::vector<Stage> &stages,
                   const std::vector<Stage> &outputs,
                   const KernelSchedule &schedule);

namespace detail {
/// The RVars of update `update` of `func`, innermost first.
std::vector<Halide::RVar> reductionVars(const Halide::Func &func, int update);
/// Schedules all Funcs of one attention op (AttentionSchedule.cpp).
void scheduleAttention(const AttentionStages &attention,
                       const KernelSchedule &schedule);
} // namespace detail

} // namespace facet::codegen

#endif // FACET_CODEGEN_HALIDE_SCHEDULE_H
