//===- CudaMoEEmitters.cpp - mixture-of-experts routing and experts -------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// codegen/halide/MoEEmitters.cpp in CUDA, step for step: the router ranks
// experts without sorting (rank = experts with a larger probability, or an
// equal one and a lower index), and the experts run only the chosen ones.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/CudaEmitter.h"

#include <fmt/format.h>

namespace facet::codegen::cuda {
namespace {

float attr(mlir::FloatAttr value) {
  return static_cast<float>(value.getValueAsDouble());
}

} // namespace

// z(t, i) = x(t, i) * inverseRms(t) * scale(i) * input_scale
// logits(t, e) = sum_i proj(e, i) * z(t, i);  prob = softmax over e (f32)
// experts(t, k) = the e of rank k
// weights(t, k) = prob(experts) / sum_{k'} prob(experts(k'))
//                 * per_expert_scale(experts)
std::vector<CTensor>
emitMoERouter(MoERouterOp op, const std::vector<CTensor> &in, KernelWriter &w) {
  const CTensor &x = in[0], &proj = in[1], &scale = in[2],
                &perExpertScale = in[3];
  require(x.rank() == 2 && proj.rank() == 2 && scale.rank() == 1 &&
              perExpertScale.rank() == 1,
          op,
          "needs [T, d] input, [E, d] projection, [d] scale and [E] "
          "per-expert scale");
  int64_t d = x.shape[1], experts = proj.shape[0];
  int64_t topK = op.getTopKAttr().getInt();
  require(proj.shape[1] == d && scale.shape[0] == d &&
              perExpertScale.shape[0] == experts,
          op, "the router's weights do not match its input");
  require(topK > 0 && topK <= experts, op, "top_k must be in [1, E]");
  float epsilon = attr(op.getEpsilonAttr());
  std::vector<int64_t> rows = {x.shape[0]};

  std::string squares = w.allocate("router_squares", rows, false);
  w.forEach(rows, [&](const Index &at) {
    return fmt::format("float acc_ = 0.0f; for (int r_ = 0; r_ < {}; ++r_) "
                       "{{ const float v_ = {}; acc_ += v_ * v_; }} {}[{}] = "
                       "acc_;",
                       d, x.at({at[0], "r_"}), squares, at[0]);
  });
  w.sync();
  std::string z = w.allocate("router_z", x.shape, false);
  w.forEach(x.shape, [&](const Index &at) {
    return fmt::format(
        "{}[{}] = {} * {} * {} * {};", z, linearIndex(x.shape, at), x.at(at),
        inverseRms(fmt::format("{}[{}]", squares, at[0]), d, epsilon),
        scale.at({at[1]}), floatLiteral(attr(op.getInputScaleAttr())));
  });
  w.sync();
  std::vector<int64_t> expertShape = {x.shape[0], experts};
  std::string prob = w.allocate("router_prob", expertShape, false);
  w.forEach(expertShape, [&](const Index &at) {
    return fmt::format(
        "float acc_ = 0.0f; for (int i_ = 0; i_ < {}; ++i_) acc_ += {} * "
        "{}[(long long)({}) * {} + i_]; {}[{}] = acc_;",
        d, proj.at({at[1], "i_"}), z, at[0], d, prob,
        linearIndex(expertShape, at));
  });
  w.sync();
  // Softmax in place, one token per thread: max, exp, sum, divide.
  w.forEach(rows, [&](const Index &at) {
    return fmt::format(
        "float *l_ = {} + (long long)({}) * {};\n"
        "    float m_ = -FLT_MAX; for (int e2_ = 0; e2_ < {}; ++e2_) m_ = "
        "fmaxf(m_, l_[e2_]);\n"
        "    float sum_ = 0.0f; for (int e2_ = 0; e2_ < {}; ++e2_) {{ l_[e2_] "
        "= expf(l_[e2_] - m_); sum_ += l_[e2_]; }}\n"
        "    for (int e2_ = 0; e2_ < {}; ++e2_) l_[e2_] = l_[e2_] / sum_;",
        prob, at[0], experts, experts, experts, experts);
  });
  w.sync();

  std::string rank = w.allocate("router_rank", expertShape, true);
  w.forEach(expertShape, [&](const Index &at) {
    return fmt::format(
        "const float *p_ = {} + (long long)({}) * {}; const float mine_ = "
        "p_[{}]; int n_ = 0;\n"
        "    for (int e2_ = 0; e2_ < {}; ++e2_) n_ += (p_[e2_] > mine_ || "
        "(p_[e2_] == mine_ && e2_ < ({}))) ? 1 : 0;\n"
        "    {}[{}] = n_;",
        prob, at[0], experts, at[1], experts, at[1], rank,
        linearIndex(expertShape, at));
  });
  w.sync();
  CTensor chosen = w.materialize(
      op.getExperts(), "router_experts",
      [&](const Index &at) {
        return fmt::format("[&] {{ int chosen_ = 0; for (int e2_ = 0; e2_ < "
                           "{}; ++e2_) chosen_ += "
                           "{}[(long long)({}) * {} + e2_] == ({}) ? e2_ : 0; "
                           "return chosen_; }}()",
                           experts, rank, at[0], experts, at[1]);
      },
      /*integer=*/true);
  std::string chosenSum = w.allocate("router_chosen_sum", rows, false);
  w.forEach(rows, [&](const Index &at) {
    return fmt::format(
        "float acc_ = 0.0f; for (int k_ = 0; k_ < {}; ++k_) acc_ += "
        "{}[(long long)({}) * {} + clamp_index({}, {})]; {}[{}] = acc_;",
        topK, prob, at[0], experts, chosen.at({at[0], "k_"}), experts,
        chosenSum, at[0]);
  });
  w.sync();
  CTensor weights =
      w.materialize(op.getWeights(), "router_weights", [&](const Index &at) {
        std::string expert =
            fmt::format("clamp_index({}, {})", chosen.at(at), experts);
        return fmt::format("{}[(long long)({}) * {} + {}] / {}[{}] * {}", prob,
                           at[0], experts, expert, chosenSum, at[0],
                           perExpertScale.at({expert}));
      });
  return {weights, chosen};
}

// For chosen slot k of token t with expert e = experts(t, k):
// hidden(t, k, f) = gelu_tanh(sum_i gate_up(e, f, i) * x(t, i))
//                   * sum_i gate_up(e, F + f, i) * x(t, i)
// y(t, k, o) = sum_f down(e, o, f) * hidden(t, k, f)
// result(t, o) = sum_k weights(t, k) * y(t, k, o)      (k in order)
std::vector<CTensor> emitMoEExperts(MoEExpertsOp op,
                                    const std::vector<CTensor> &in,
                                    KernelWriter &w) {
  const CTensor &x = in[0], &weights = in[1], &chosen = in[2], &gateUp = in[3],
                &down = in[4];
  require(x.rank() == 2 && weights.rank() == 2 && chosen.rank() == 2 &&
              gateUp.rank() == 3 && down.rank() == 3,
          op,
          "needs [T, d] input, [T, k] weights and experts, [E, 2F, d] "
          "gate_up and [E, d, F] down");
  int64_t d = x.shape[1], topK = weights.shape[1];
  int64_t experts = gateUp.shape[0], width = gateUp.shape[1] / 2;
  require(chosen.shape[1] == topK, op,
          "weights and experts must both be [T, k]");
  require(gateUp.shape[1] == 2 * width && gateUp.shape[2] == d, op,
          "gate_up must be [E, 2F, d]");
  require(down.shape[0] == experts && down.shape[1] == d &&
              down.shape[2] == width,
          op, "down must be [E, d, F]");
  auto expertOf = [&](const std::string &t, const std::string &k) {
    return fmt::format("clamp_index({}, {})", chosen.at({t, k}), experts);
  };

  std::vector<int64_t> hiddenShape = {x.shape[0], topK, width};
  std::string hidden = w.allocate("experts_hidden", hiddenShape, false);
  w.forEach(hiddenShape, [&](const Index &at) {
    std::string expert = expertOf(at[0], at[1]);
    return fmt::format(
        "const int expert_ = {}; float gate_ = 0.0f, up_ = 0.0f;\n"
        "    for (int i_ = 0; i_ < {}; ++i_) gate_ += {} * {};\n"
        "    for (int i_ = 0; i_ < {}; ++i_) up_ += {} * {};\n"
        "    {}[{}] = gelu_tanh(gate_) * up_;",
        expert, d, gateUp.at({"expert_", at[2], "i_"}), x.at({at[0], "i_"}), d,
        gateUp.at({"expert_", fmt::format("({}) + {}", at[2], width), "i_"}),
        x.at({at[0], "i_"}), hidden, linearIndex(hiddenShape, at));
  });
  w.sync();
  std::vector<int64_t> projectedShape = {x.shape[0], topK, d};
  std::string projected = w.allocate("experts_down", projectedShape, false);
  w.forEach(projectedShape, [&](const Index &at) {
    return fmt::format(
        "const int expert_ = {}; float acc_ = 0.0f;\n"
        "    for (int f_ = 0; f_ < {}; ++f_) acc_ += {} * {}[{}];\n"
        "    {}[{}] = acc_;",
        expertOf(at[0], at[1]), width, down.at({"expert_", at[2], "f_"}),
        hidden, linearIndex(hiddenShape, {at[0], at[1], "f_"}), projected,
        linearIndex(projectedShape, at));
  });
  w.sync();
  return {w.materialize(op.getResult(), "moe_experts", [&](const Index &at) {
    return fmt::format("[&] {{ float acc_ = 0.0f; for (int k_ = 0; k_ < {}; "
                       "++k_) acc_ += {} * {}[{}]; return acc_; }}()",
                       topK, weights.at({at[0], "k_"}), projected,
                       linearIndex(projectedShape, {at[0], "k_", at[1]}));
  })};
}

} // namespace facet::codegen::cuda
