//===- AttentionSchedule.cpp - loops of one attention op ------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The loop nest, per KV head and token (the accumulator's outer loop, the
// parallel one in prefill), every temporary stored for that iteration only:
//
//   scores:      for position blocks, for positions i, for heads g:
//                  `lanes` partial dots over the head dimension (one
//                  vector per head, in registers), then added across lanes
//   max, exp, sum, probability: vectorized across the group's heads
//   accumulator: for blocks of the head dimension, for positions r,
//                  for heads g: block += probability(g, r) * value row
//                  (group x block accumulators in registers)
//
// so a key or value row is read once per token for the whole group. In
// decode (one token) that outer loop has one iteration per KV head, so the
// position blocks of the scores (a specialization on the token count) and
// the head-dimension blocks of the accumulator (a nested parallel loop)
// run in parallel too.
//
// None of this reorders a sum: the reductions over positions run in
// position order and the partial dots in the order AttentionEmitter.cpp
// defines.
//
//===----------------------------------------------------------------------===//

#include "codegen/halide/Schedule.h"

using namespace Halide;

namespace facet::codegen::detail {
namespace {

/// Positions per parallel task of the scores in decode.
constexpr int kPositionBlock = 64;
/// Vector accumulators of the value sums kept in registers (of x86's 32).
constexpr int kAccumulatorVectors = 16;

/// Runs `loop` of `stage` in parallel in decode only (one token): a
/// specialization on the token count when it is not a constant.
void parallelInDecode(Halide::Stage stage, const Expr &tokens,
                      const VarOrRVar &loop, const KernelSchedule &schedule) {
  if (!schedule.parallel)
    return;
  if (const int64_t *count = Internal::as_const_int(tokens)) {
    if (*count == 1)
      stage.parallel(loop);
    return;
  }
  stage.specialize(tokens == 1).parallel(loop);
}

/// Vectorizes `stage` across the group's heads `g` (one vector of at most
/// `lanes` heads), or leaves it scalar when there is one head or no vector.
void vectorizeHeads(Halide::Stage stage, const Var &g, int group, int lanes) {
  if (group > 1 && lanes > 1)
    stage.vectorize(g, std::min(group, lanes));
}

} // namespace

void scheduleAttention(const AttentionStages &a,
                       const KernelSchedule &schedule) {
  const int lanes = schedule.vectorLanes;
  const bool vector = lanes > 1;

  // Accumulator: (j, g, kvh, t) += probability(g, r) * value(j, r).
  Func accumulator = a.accumulator;
  std::vector<Var> acc = accumulator.args();
  Var j = acc[0], g = acc[1], kvh = acc[2], t = acc[3];
  Var kt("attention_kt"), jo("attention_jo"), ji("attention_ji"),
      ju("attention_ju"), jv("attention_jv");
  accumulator.compute_root();
  if (vector && a.headDim % lanes == 0)
    accumulator.vectorize(j, lanes);
  Halide::Stage update = accumulator.update();
  RVar r = reductionVars(accumulator, 0)[0];
  int vectors = 1; // per block of the head dimension
  if (vector && a.headDim % lanes == 0) {
    int64_t rowVectors = a.headDim / lanes;
    int budget =
        std::max(1, std::min(schedule.unroll, kAccumulatorVectors / a.group));
    while (budget > 1 && rowVectors % budget != 0)
      --budget;
    vectors = budget;
    update.split(j, jo, ji, lanes * vectors)
        .split(ji, ju, jv, lanes)
        .vectorize(jv)
        .unroll(ju);
    if (a.group * vectors <= kAccumulatorVectors)
      update.unroll(g);
    update.reorder(jv, ju, g, r, jo, kvh, t);
  } else {
    update.split(j, jo, ji, 1).reorder(ji, g, r, jo, kvh, t);
  }
  update.fuse(kvh, t, kt);
  // Both loops parallel, nested: in prefill the (KV head, token) loop has
  // the tasks, in decode the blocks of the head dimension. Specializing on
  // the token count instead would copy every temporary computed inside.
  if (schedule.parallel)
    update.parallel(kt).parallel(jo);

  // Per (KV head, token) temporaries.
  for (const Func &func : {a.live, a.firstSlot, a.scores, a.rowMax, a.exponent,
                           a.total, a.probability})
    Func(func).compute_at(accumulator, kt);

  // Scores: position blocks (parallel in decode), positions, heads; the
  // partial dots of one position are computed there, in registers.
  std::vector<Var> sc = a.scores.args();
  Var sg = sc[0], si = sc[1];
  Var io("attention_io"), ii("attention_ii");
  Func scores = a.scores;
  vectorizeHeads(scores, sg, a.group, lanes);
  Halide::Stage sum = scores.update();
  RVar lane = reductionVars(a.scores, 0)[0];
  sum.split(si, io, ii, kPositionBlock, TailStrategy::GuardWithIf)
      .reorder(lane, sg, ii, io);
  if (vector && a.lanes > 1)
    sum.atomic().vectorize(lane);
  parallelInDecode(sum, a.tokens, io, schedule);

  Func partial = a.partialScores;
  partial.compute_at(scores, ii);
  std::vector<Var> pa = partial.args();
  Var pl = pa[0], pg = pa[1];
  RVar depth = reductionVars(partial, 0)[0];
  if (vector && a.lanes > 1) {
    partial.vectorize(pl);
    partial.update().reorder(pl, pg, depth).vectorize(pl).unroll(pg);
  } else {
    partial.update().reorder(pl, pg, depth);
  }

  // Softmax statistics and probabilities, across the group's heads.
  for (const Func &stat : {a.rowMax, a.total}) {
    Func func = stat;
    Var hg = func.args()[0];
    vectorizeHeads(func, hg, a.group, lanes);
    Halide::Stage reduce = func.update();
    reduce.reorder(hg, reductionVars(func, 0)[0]);
    vectorizeHeads(reduce, hg, a.group, lanes);
  }
  for (const Func &perPosition : {a.exponent, a.probability}) {
    Func func = perPosition;
    std::vector<Var> args = func.args();
    if (a.group > 1)
      vectorizeHeads(func, args[0], a.group, lanes);
    else if (vector)
      func.vectorize(args[1], lanes, TailStrategy::GuardWithIf);
  }
}

} // namespace facet::codegen::detail
