//===- Schedule.cpp - How a kernel's stages become loops ------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "codegen/halide/Schedule.h"

#include "frontend/support/Error.h"

#include <fmt/format.h>
#include <map>
#include <set>

using namespace Halide;

namespace facet::codegen {

std::vector<RVar> detail::reductionVars(const Func &func, int update) {
  std::vector<RVar> vars;
  for (const Internal::ReductionVariable &rv :
       func.function().update(update).schedule().rvars())
    vars.emplace_back(rv.var);
  return vars;
}

namespace {
using detail::reductionVars;

/// How one Func's loops are laid out.
struct LoopPlan {
  std::optional<int64_t> innerExtent;
  int tokenBlock = 0;  ///< Stage::tokenBlock, applied by layOut
  Halide::Expr tokens; ///< Stage::tokens
};

/// Lays out one stage (the pure definition or an update) of `func`; returns
/// the outermost pure loop, the one a split reduction's partial sums are
/// computed at.
std::optional<Var> layOut(Halide::Stage stage, const Func &func,
                          const std::vector<RVar> &rvars, const LoopPlan &plan,
                          const KernelSchedule &schedule) {
  std::vector<Var> args = func.args();
  if (args.empty())
    return std::nullopt;
  const std::string &name = func.name();
  int lanes = schedule.vectorLanes;
  int block = 0;
  if (plan.innerExtent) {
    // Static extents get a vector width and unroll factor that divide them,
    // so no loop has a tail: Halide 14 drops the GuardWithIf guard of a
    // vectorized block here, and the tail then read rows past the end of its
    // input (a fault when that input ends a mapping).
    int64_t extent = *plan.innerExtent;
    while (lanes > 1 && extent % lanes != 0)
      lanes /= 2;
    int unroll = schedule.unroll;
    while (unroll > 1 && extent % (int64_t(lanes) * unroll) != 0)
      --unroll;
    if (lanes > 1)
      block = lanes * unroll;
  }

  Var v0 = args[0];
  Var blockVar(name + "_blk"), inBlock(name + "_in"), unrolled(name + "_unr"),
      vector(name + "_vec");
  std::vector<VarOrRVar> order; // innermost first
  if (block > 0) {
    TailStrategy tail = plan.innerExtent && *plan.innerExtent % block == 0
                            ? TailStrategy::Auto
                            : TailStrategy::GuardWithIf;
    stage.split(v0, blockVar, inBlock, block, tail);
    if (block > lanes) {
      stage.split(inBlock, unrolled, vector, lanes)
          .vectorize(vector)
          .unroll(unrolled);
      order = {vector, unrolled};
    } else {
      stage.vectorize(inBlock);
      order = {inBlock};
    }
    // Token blocks: the second dimension split, its inner part between the
    // row vectors and the reduction, so one pass over the reduction (and
    // any Partial stage computed in it) serves tokenBlock tokens. Only
    // specialized where the tokens fill a block (scheduleRoot); the last
    // block is guarded (an update cannot shift inwards: it would add twice).
    if (plan.tokenBlock > 1 && !rvars.empty() && args.size() == 2) {
      Var tokenOuter(name + "_tok"), tokenInner(name + "_tin");
      stage.split(args[1], tokenOuter, tokenInner, plan.tokenBlock,
                  TailStrategy::GuardWithIf);
      stage.unroll(tokenInner);
      order.push_back(tokenInner);
      args[1] = tokenOuter;
    }
    order.insert(order.end(), rvars.begin(), rvars.end());
    order.push_back(blockVar);
  } else {
    order.insert(order.end(), rvars.begin(), rvars.end());
    order.push_back(v0);
  }
  for (size_t i = 1; i < args.size(); ++i)
    order.push_back(args[i]);
  if (order.size() > 1)
    stage.reorder(order);

  std::optional<Var> outer;
  if (args.size() >= 2) {
    outer = args[1];
    for (size_t i = 2; i < args.size(); ++i) {
      Var fused(name + "_outer" + std::to_string(i));
      stage.fuse(*outer, args[i], fused);
      outer = fused;
    }
  }
  if (!schedule.parallel)
    return outer;
  bool reduction = !rvars.empty();
  if (outer) {
    if (reduction && block > 0) {
      Var task(name + "_task");
      stage.fuse(blockVar, *outer, task).parallel(task);
      return task;
    }
    stage.parallel(*outer);
  } else {
    if (block == 0)
      stage.parallel(v0); // a [T] stage: one token per task
    else if (reduction)
      stage.parallel(blockVar);
  }
  return outer;
}

/// A reduction split into interleaved partial sums (rfactor): the Func that
/// holds them and the RVar left in the original update.
struct SplitReduction {
  std::optional<Func> partial;
  std::optional<RVar> partialRVar; ///< the reduction left in `partial`
  std::vector<RVar> rvars;
};

/// Splits the single reduction of update `update` into
/// `schedule.reductionSplit` interleaved partial sums; a no-op when the
/// update has several RVars or an extent that does not divide.
SplitReduction splitReduction(Func func, int update,
                              const KernelSchedule &schedule) {
  SplitReduction result;
  result.rvars = reductionVars(func, update);
  const auto &rdom = func.function().update(update).schedule().rvars();
  if (schedule.reductionSplit <= 1 || result.rvars.size() != 1)
    return result;
  const int64_t *extent = Internal::as_const_int(rdom[0].extent);
  int split = schedule.reductionSplit;
  if (!extent || *extent % split != 0 || *extent < 2 * split)
    return result;
  const std::string &name = func.name();
  RVar outerPart(name + "_rpart"), lanePart(name + "_rlane");
  Var lane(name + "_lane");
  Halide::Stage stage = func.update(update);
  stage.split(result.rvars[0], outerPart, lanePart, split);
  result.partial = stage.rfactor(lanePart, lane);
  result.partialRVar = outerPart;
  result.rvars = {lanePart};
  return result;
}

/// Lays out the partial sums of a split reduction, computed per iteration of
/// `at` in `func` (or at root): the partial sums are the vector lanes, so
/// the reduced dimension is read contiguously.
void layOutPartial(Func partial, const RVar &rvar, const Func &func,
                   std::optional<Var> at, const KernelSchedule &schedule) {
  if (at)
    partial.compute_at(func, *at);
  else
    partial.compute_root();
  std::vector<Var> args = partial.args(); // the original args, then the lane
  Var lane = args.back();
  std::vector<VarOrRVar> order{lane};
  order.insert(order.end(), args.begin(), args.end() - 1);
  partial.reorder(order).vectorize(lane);
  // `unroll` rows side by side: independent accumulator chains.
  Var rows(partial.name() + "_rows"), row(partial.name() + "_row");
  Halide::Stage update = partial.update();
  std::vector<VarOrRVar> updateOrder{lane};
  if (args.size() >= 2 && schedule.unroll > 1) {
    update.split(args[0], rows, row, schedule.unroll, TailStrategy::GuardWithIf)
        .unroll(row);
    updateOrder.insert(updateOrder.end(), {row, rvar, rows});
  } else {
    updateOrder.insert(updateOrder.end(), {rvar, args[0]});
  }
  updateOrder.insert(updateOrder.end(), args.begin() + 1, args.end() - 1);
  update.reorder(updateOrder).vectorize(lane);
}

/// compute_root + loops for every stage of `func`; returns the outer loop of
/// its last stage.
std::optional<Var> scheduleRoot(Func func, const LoopPlan &plan,
                                const KernelSchedule &schedule) {
  func.compute_root();
  std::optional<Var> outer = layOut(func, func, {}, plan, schedule);
  for (int u = 0; u < func.num_update_definitions(); ++u) {
    SplitReduction split = splitReduction(func, u, schedule);
    if (plan.tokenBlock > 1 && plan.tokens.defined()) {
      // Specialized before the general case is scheduled: a specialization
      // starts from the stage's schedule as it is when it is made.
      Halide::Stage blocked =
          func.update(u).specialize(plan.tokens >= plan.tokenBlock);
      layOut(blocked, func, split.rvars, plan, schedule);
    }
    LoopPlan general = plan;
    general.tokenBlock = 0;
    outer = layOut(func.update(u), func, split.rvars, general, schedule);
    if (split.partial)
      layOutPartial(*split.partial, *split.partialRVar, func, outer, schedule);
  }
  return outer;
}

/// The int8 dot product along each row's inputs, for a dot unit whose
/// operands must be contiguous (HVX vrmpy: 32 lanes, each summing 4 byte
/// products): the reduction over k = 128 * block + 4 * lane + byte is
/// factored (Halide rfactor) into 32 partial sums per row, each vrmpy
/// lane accumulating 4 consecutive k, so one vrmpy reads 128 consecutive
/// weight bytes of one row and 128 consecutive activations; the 32 partial
/// sums are then added across lanes once per row. Integer sums: the order
/// changes nothing. False (nothing scheduled) when the input width is not a
/// multiple of lanes * group.
bool scheduleDotAlongInputs(Func func, int group,
                            const KernelSchedule &schedule) {
  const std::vector<Internal::ReductionVariable> &domain =
      func.function().update(0).schedule().rvars();
  if (domain.size() != 2)
    return false;
  int lanes = schedule.dotLanes;
  const int64_t *groups = Internal::as_const_int(domain[1].extent);
  if (!groups || *groups % lanes != 0)
    return false;
  std::vector<RVar> rvars = reductionVars(func, 0);
  func.compute_root();
  std::vector<Var> args = func.args();
  Halide::Stage update = func.update();
  RVar block(func.name() + "_block"), lane(func.name() + "_lane");
  update.split(rvars[1], block, lane, lanes);
  Var laneVar(func.name() + "_lanes");
  Func partial = update.rfactor(lane, laneVar);
  partial.compute_at(func, args[0]).vectorize(laneVar);
  partial.update()
      .reorder(rvars[0], laneVar, block)
      .atomic()
      .vectorize(rvars[0], group)
      .vectorize(laneVar);
  func.update().atomic().vectorize(lane);
  return true;
}

/// An int8 dot product dot(n, outer...) += i32(a(k)) * i32(b(k, n)) whose
/// first RVar runs over `group` consecutive k: vectorized over `lanes`
/// output rows (i32 accumulators) with the k group reduced inside each lane
/// (atomic + vectorize), which is the shape of VNNI's vpdpbusd (16 lanes of
/// 4 bytes), ARM's sdot (4 lanes of 4 bytes) and HVX vrmpy against one
/// activation word (32 lanes of 4 bytes, contiguous in a tiled weight).
void scheduleDot(const Stage &stage, const KernelSchedule &schedule) {
  Func func = stage.func;
  int group = stage.dotGroup;
  if (schedule.dotAlongInputs && !stage.dotTiledWeight &&
      scheduleDotAlongInputs(func, group, schedule))
    return;
  func.compute_root();
  std::vector<Var> args = func.args();
  Var rows(func.name() + "_rows"), row(func.name() + "_row");
  int lanes = schedule.dotLanes;
  func.split(args[0], rows, row, lanes, TailStrategy::RoundUp).vectorize(row);
  Halide::Stage update = func.update();
  std::vector<RVar> rvars = reductionVars(func, 0);
  update.split(args[0], rows, row, lanes, TailStrategy::RoundUp);
  std::vector<VarOrRVar> order{rvars[0], row};
  for (size_t i = 1; i < rvars.size(); ++i)
    order.push_back(rvars[i]);
  order.push_back(rows);
  for (size_t i = 1; i < args.size(); ++i)
    order.push_back(args[i]);
  update.reorder(order).atomic().vectorize(rvars[0], group).vectorize(row);
  // Not parallel: Halide 14 makes an atomic() update inside a parallel loop
  // a compare-and-swap loop per lane instead of the dot instruction.
  (void)schedule.parallel;
}

/// A Partial stage: computed per iteration of its parent's reduction, over
/// the parent's block of rows, vectorized across rows and unrolled over the
/// block's vectors, its own reduction outside them (so each vector's
/// accumulator stays in a register across it). An int8 dot product
/// (Stage::dotGroup) has its first RVar, the bytes one lane sums, innermost
/// and reduced inside each lane (atomic + vectorize: VNNI vpdpbusd); its
/// other RVars stay loops (unrolling the lane groups of a chunk as well
/// made E2B's kernels take a third longer to generate and ran no faster),
/// but for the terms of a 16-bit word form (Stage::dotTermsUnrolled).
void schedulePartial(const Stage &stage, const KernelSchedule &schedule) {
  Func func = stage.func;
  std::vector<RVar> parentRVars = reductionVars(stage.parent, 0);
  if (parentRVars.empty())
    throw Error("codegen: stage '" + func.name() + "' lives inside '" +
                stage.parent.name() + "', which has no reduction");
  func.compute_at(stage.parent, parentRVars.back());
  std::vector<Var> args = func.args();
  int lanes = schedule.vectorLanes;
  Var vectors(func.name() + "_vectors"), lane(func.name() + "_lane");
  // Dimensions past the second (a token block of the parent) sit inside
  // the reduction and are unrolled with the row vectors: each weight load
  // and conversion serves every token.
  std::vector<VarOrRVar> inner{lane, vectors};
  inner.insert(inner.end(), args.begin() + std::min<size_t>(2, args.size()),
               args.end());
  std::vector<VarOrRVar> pureOrder = inner;
  if (args.size() >= 2)
    pureOrder.push_back(args[1]);
  func.split(args[0], vectors, lane, lanes).reorder(pureOrder);
  func.vectorize(lane).unroll(vectors);
  for (size_t i = 2; i < args.size(); ++i)
    func.unroll(args[i]);
  for (int u = 0; u < func.num_update_definitions(); ++u) {
    Halide::Stage update = func.update(u);
    update.split(args[0], vectors, lane, lanes);
    std::vector<RVar> rvars = reductionVars(func, u);
    bool dot = stage.dotGroup > 0 && rvars.size() >= 2;
    std::vector<VarOrRVar> order = inner;
    if (dot)
      order.insert(order.begin(), rvars[0]);
    for (size_t i = dot ? 1 : 0; i < rvars.size(); ++i)
      order.push_back(rvars[i]);
    if (args.size() >= 2)
      order.push_back(args[1]);
    update.reorder(order).vectorize(lane).unroll(vectors);
    for (size_t i = 2; i < args.size(); ++i)
      update.unroll(args[i]);
    if (dot)
      update.atomic().vectorize(rvars[0], stage.dotGroup);
    if (dot && stage.dotTermsUnrolled)
      update.unroll(rvars[1]);
  }
}

} // namespace

std::string KernelSchedule::describe() const {
  return fmt::format("lanes={} dot_lanes={} unroll={} parallel={} "
                     "inline_pointwise={} "
                     "reduction_split={}",
                     vectorLanes, dotLanes, unroll, parallel ? 1 : 0,
                     inlinePointwise ? 1 : 0, reductionSplit);
}

KernelSchedule defaultSchedule(const TargetInfo &target) {
  // Both numbers come from the registry row, so a new target brings its own
  // defaults (aarch64: 4 lanes of a 16-byte NEON vector, 8 vectors a block
  // because it has 32 vector registers) without a branch here.
  KernelSchedule schedule;
  schedule.vectorLanes = target.floatLanes();
  schedule.dotLanes = target.int32Lanes();
  schedule.unroll = target.unroll;
  schedule.parallel = target.threads;
  schedule.int8DotUnsignedBySigned = target.family == "x86_64";
  // HVX vrmpy wants both operands as 128 contiguous bytes; row-major
  // weights give that along a row's inputs (scheduleDotAlongInputs).
  schedule.dotAlongInputs = target.family == "hexagon";
  schedule.weightTileRows = target.int8WeightTileRows;
  return schedule;
}

void applySchedule(const std::vector<Stage> &stages,
                   const std::vector<Stage> &outputs,
                   const KernelSchedule &schedule) {
  if (schedule.vectorLanes < 1 || schedule.dotLanes < 1 ||
      schedule.unroll < 1 || schedule.reductionSplit < 1)
    throw Error("codegen: invalid kernel schedule (" + schedule.describe() +
                "): lanes, unroll and reduction_split must be >= 1");

  std::set<std::string> outputNames;
  for (const Stage &output : outputs)
    outputNames.insert(output.func.name());

  std::map<std::string, const Stage *> registered;
  for (const Stage &stage : stages)
    registered.emplace(stage.func.name(), &stage);
  auto root = [&](const Stage &stage) {
    LoopPlan plan;
    // An output may be an emitter's stage: its token blocking still holds.
    auto found = registered.find(stage.func.name());
    const Stage &emitted = found != registered.end() ? *found->second : stage;
    plan.tokenBlock = emitted.tokenBlock;
    plan.tokens = emitted.tokens;
    plan.innerExtent = stage.innerExtent;
    scheduleRoot(stage.func, plan, schedule);
  };

  for (const Stage &output : outputs)
    root(output);
  for (const Stage &stage : stages) {
    if (outputNames.count(stage.func.name()))
      continue;
    switch (stage.kind) {
    case StageKind::View:
    case StageKind::Partial:
      break;
    case StageKind::Pointwise:
      if (!schedule.inlinePointwise)
        root(stage);
      break;
    case StageKind::Attention:
      detail::scheduleAttention(*stage.attention, schedule);
      break;
    case StageKind::Materialized:
      if (stage.dotGroup > 0)
        scheduleDot(stage, schedule);
      else
        root(stage);
      break;
    }
  }
  for (const Stage &stage : stages)
    if (stage.kind == StageKind::Partial)
      schedulePartial(stage, schedule);
}

} // namespace facet::codegen
