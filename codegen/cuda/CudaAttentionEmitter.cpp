//===- CudaAttentionEmitter.cpp - attention over a ring-buffer KV cache ---===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The semantics of codegen/halide/AttentionEmitter.cpp: query t at position
// p = positions[t] sees the cached positions p - live + 1 ... p, live =
// min(p + 1, window) (window 0: p + 1), in increasing order; position k
// lives in slot k % capacity. Three block-wide passes through scratch
// [T, H, capacity] (capacity bounds every query's live count):
//
//   scores(t, h, i) = (sum_d q(t, h, d) * keys(slot_i, h / group, d)) * scale
//   per (t, h): m = max_i scores, e_i = exp(scores - m) in place, sum_i e_i
//   out(t, h, j) = sum_i (e_i / sum) * values(slot_i, h / group, j)
//
// The Halide kernel also checks the runtime's promises (0 <= position <
// context_length, the oldest visible position still in the ring); here the
// slot is clamped into the ring and the step runner's checks stand alone.
// A split over KV positions for long contexts is performance work to come.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/AttentionChecks.h"
#include "codegen/cuda/CudaEmitter.h"

#include <fmt/format.h>

namespace facet::codegen::cuda {

std::vector<CTensor> emitAttention(AttentionOp op,
                                   const std::vector<CTensor> &operands,
                                   KernelWriter &w) {
  const CTensor &queries = operands[0], &positions = operands[1];
  require(queries.rank() == 3 && positions.rank() == 1, op,
          "needs [T, H, hd] queries and [T] positions");
  int64_t heads = queries.shape[1], headDim = queries.shape[2];
  CacheRef cache = w.cache(op, op.getCache());
  if (auto why = attentionCacheMismatch(
          op, heads, headDim, {cache.kvHeads, cache.headDim, cache.window}))
    fail(op, *why);
  int64_t window = op.getWindowAttr().getInt();
  require(mlir::cast<mlir::RankedTensorType>(op.getResult().getType())
              .getElementType()
              .isF32(),
          op, "the CUDA target supports f32 attention results only");
  int64_t group = heads / cache.kvHeads;
  int64_t capacity = cache.capacity;
  std::string scale =
      floatLiteral(static_cast<float>(op.getScaleAttr().getValueAsDouble()));
  std::string context = w.contextLength();
  std::string maxLive =
      window > 0 ? fmt::format("min({}, {})", context, window) : context;

  // live_ and slot(i) of query t, as statements inside a loop over (t, ...).
  auto liveOf = [&](const std::string &t) {
    std::string position = positions.at({t});
    return fmt::format("const int p_ = {}; const int live_ = {};", position,
                       window > 0 ? fmt::format("min(p_ + 1, {})", window)
                                  : "p_ + 1");
  };
  auto slotOf = [&](const std::string &i) {
    return fmt::format("clamp_index((p_ - live_ + 1 + ({})) % {}, {})", i,
                       capacity, capacity);
  };
  auto cacheAt = [&](const std::string &array, const std::string &slot,
                     const std::string &head, const std::string &d) {
    return fmt::format("{}[((long long)({}) * {} + ({})) * {} + ({})]", array,
                       slot, cache.kvHeads, head, headDim, d);
  };

  std::vector<int64_t> scoreShape = {queries.shape[0], heads, capacity};
  std::string scores = w.allocate("attention_scores", scoreShape, false);
  std::string tokens = dimText(queries.shape[0]);
  // Only the positions that exist: (t, h, i < maxLive), i < live per query.
  w.line(fmt::format(
      "for (int e_ = threadIdx.x; e_ < {} * {} * {}; e_ += blockDim.x) {{\n"
      "    const int i_ = e_ % ({}); const int h_ = (e_ / ({})) % {}; "
      "const int t_ = e_ / ({}) / {};\n"
      "    {}\n"
      "    if (i_ >= live_) continue;\n"
      "    const int slot_ = {};\n"
      "    float acc_ = 0.0f;\n"
      "    for (int d_ = 0; d_ < {}; ++d_) acc_ += {} * {};\n"
      "    {}[{}] = acc_ * {};\n"
      "  }}",
      tokens, heads, maxLive, maxLive, maxLive, heads, maxLive, heads,
      liveOf("t_"), slotOf("i_"), headDim, queries.at({"t_", "h_", "d_"}),
      cacheAt(cache.keys, "slot_", fmt::format("h_ / {}", group), "d_"), scores,
      linearIndex(scoreShape, {"t_", "h_", "i_"}), scale));
  w.sync();

  std::vector<int64_t> rowShape = {queries.shape[0], heads};
  std::string sums = w.allocate("attention_sum", rowShape, false);
  w.forEach(rowShape, [&](const Index &at) {
    std::string row = linearIndex(scoreShape, {at[0], at[1], "0"});
    return fmt::format(
        "{}\n    float *s_ = {} + {};\n"
        "    float m_ = -FLT_MAX; for (int i_ = 0; i_ < live_; ++i_) m_ = "
        "fmaxf(m_, s_[i_]);\n"
        "    float sum_ = 0.0f; for (int i_ = 0; i_ < live_; ++i_) {{ const "
        "float x_ = expf(s_[i_] - m_); s_[i_] = x_; sum_ += x_; }}\n"
        "    {}[{}] = sum_;",
        liveOf(at[0]), scores, row, sums, linearIndex(rowShape, at));
  });
  w.sync();

  std::vector<int64_t> shape = queries.shape;
  std::string out = w.allocate("attention", shape, false);
  w.forEach(shape, [&](const Index &at) {
    std::string row = linearIndex(scoreShape, {at[0], at[1], "0"});
    return fmt::format(
        "{}\n    const float *ex_ = {} + {}; const float sum_ = {}[{}];\n"
        "    float acc_ = 0.0f;\n"
        "    for (int i_ = 0; i_ < live_; ++i_) {{ const int slot_ = {}; "
        "acc_ += ex_[i_] / sum_ * {}; }}\n"
        "    {}[{}] = acc_;",
        liveOf(at[0]), scores, row, sums, linearIndex(rowShape, {at[0], at[1]}),
        slotOf("i_"),
        cacheAt(cache.values, "slot_", fmt::format("({}) / {}", at[1], group),
                at[2]),
        out, linearIndex(shape, at));
  });
  w.sync();
  return {KernelWriter::scratchTensor(out, shape, false)};
}

} // namespace facet::codegen::cuda
