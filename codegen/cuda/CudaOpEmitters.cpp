//===- CudaOpEmitters.cpp - facet ops as CUDA C++ -------------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The dispatcher and the dense ops. Each emitter states its formula as its
// Halide twin does (codegen/halide/OpEmitters.cpp), here outermost-first:
// t the token. Reductions run sequentially in index order in one thread,
// as the Halide default schedule does, so both backends sum alike.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/CudaEmitter.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <fmt/format.h>

using mlir::Operation;

namespace facet::codegen::cuda {
namespace {

/// Index `at` with dimension `d` replaced by `value`.
Index with(Index at, size_t d, std::string value) {
  at[d] = std::move(value);
  return at;
}

float attr(mlir::FloatAttr value) {
  return static_cast<float>(value.getValueAsDouble());
}

int64_t staticSize(Operation *op, const CTensor &tensor, size_t d) {
  require(d < tensor.rank() && tensor.shape[d] != kT, op,
          fmt::format("expects a static dimension {}", d));
  return tensor.shape[d];
}

/// A row of token ids clamped into [0, rows): the step runner has checked
/// every id against the vocabulary already; the clamp keeps a reused kernel
/// inside its table whatever it is given.
std::string clampedId(const CTensor &ids, const std::string &t, int64_t rows) {
  return fmt::format("clamp_index({}, {})", ids.at({t}), rows);
}

// result(t, i) = table(ids(t), i) * scale
std::vector<CTensor> emitEmbed(EmbedOp op, const std::vector<CTensor> &in,
                               KernelWriter &w) {
  const CTensor &table = in[0], &ids = in[1];
  require(table.rank() == 2 && ids.rank() == 1, op,
          "needs a [V, d] table and [T] ids");
  int64_t vocab = staticSize(op, table, 0);
  std::string scale = floatLiteral(attr(op.getScaleAttr()));
  return {w.materialize(op.getResult(), "embed", [&](const Index &at) {
    return fmt::format("{} * {}",
                       table.at({clampedId(ids, at[0], vocab), at[1]}), scale);
  })};
}

// scaled(t, c) = (sum_k emb(t, k) * projection(c, k)) * projection_scale
// squares(t, l) = sum_r scaled(t, l*P + r)^2
// result(t, l, i) = (scaled(t, l*P + i) * inverseRms(squares(t, l)) * norm(i)
//                    + table(ids(t), l*P + i) * token_scale) * combine_scale
std::vector<CTensor> emitPerLayerInputs(PerLayerInputsOp op,
                                        const std::vector<CTensor> &in,
                                        KernelWriter &w) {
  const CTensor &ids = in[0], &emb = in[1], &table = in[2], &projection = in[3],
                &norm = in[4];
  require(ids.rank() == 1 && emb.rank() == 2 && table.rank() == 2 &&
              projection.rank() == 2 && norm.rank() == 1,
          op,
          "needs [T] ids, [T, d] embeddings, [V, L*P] table, [L*P, d] "
          "projection and [P] norm");
  int64_t d = staticSize(op, emb, 1);
  int64_t vocab = staticSize(op, table, 0);
  int64_t columns = staticSize(op, table, 1);
  int64_t width = staticSize(op, norm, 0);
  require(width > 0 && columns % width == 0, op,
          "the table width is not a multiple of the norm width");
  require(projection.shape[0] == columns && projection.shape[1] == d, op,
          "the projection must be [L*P, d]");
  int64_t layers = columns / width;
  float epsilon = attr(op.getEpsilonAttr());

  std::vector<int64_t> scaledShape = {ids.shape[0], columns};
  std::string scaled = w.allocate("ple_scaled", scaledShape, false);
  w.forEach(scaledShape, [&](const Index &at) {
    return fmt::format(
        "float acc_ = 0.0f; for (int k_ = 0; k_ < {}; ++k_) acc_ += {} * {}; "
        "{}[{}] = acc_ * {};",
        d, emb.at({at[0], "k_"}), projection.at({at[1], "k_"}), scaled,
        linearIndex(scaledShape, at),
        floatLiteral(attr(op.getProjectionScaleAttr())));
  });
  w.sync();
  CTensor scaledTensor =
      KernelWriter::scratchTensor(scaled, scaledShape, false);

  std::vector<int64_t> squaresShape = {ids.shape[0], layers};
  std::string squares = w.allocate("ple_squares", squaresShape, false);
  w.forEach(squaresShape, [&](const Index &at) {
    std::string column = fmt::format("({}) * {} + r_", at[1], width);
    return fmt::format(
        "float acc_ = 0.0f; for (int r_ = 0; r_ < {}; ++r_) {{ const float "
        "v_ = {}; acc_ += v_ * v_; }} {}[{}] = acc_;",
        width, scaledTensor.at({at[0], column}), squares,
        linearIndex(squaresShape, at));
  });
  w.sync();
  CTensor squaresTensor =
      KernelWriter::scratchTensor(squares, squaresShape, false);

  std::string tokenScale = floatLiteral(attr(op.getTokenScaleAttr()));
  std::string combineScale = floatLiteral(attr(op.getCombineScaleAttr()));
  return {
      w.materialize(op.getResult(), "per_layer_inputs", [&](const Index &at) {
        std::string column =
            fmt::format("({}) * {} + ({})", at[1], width, at[2]);
        std::string normed = fmt::format(
            "{} * {} * {}", scaledTensor.at({at[0], column}),
            inverseRms(squaresTensor.at({at[0], at[1]}), width, epsilon),
            norm.at({at[2]}));
        std::string token = fmt::format(
            "{} * {}", table.at({clampedId(ids, at[0], vocab), column}),
            tokenScale);
        return fmt::format("({} + {}) * {}", normed, token, combineScale);
      })};
}

// result(t, i) = input(t, layer, i): a view
std::vector<CTensor> emitLayerInput(LayerInputOp op,
                                    const std::vector<CTensor> &in) {
  require(in[0].rank() == 3, op, "the input must have rank 3");
  int64_t layer = op.getLayerAttr().getInt();
  require(layer >= 0 && layer < staticSize(op, in[0], 1), op,
          fmt::format("layer {} is outside the input", layer));
  CTensor input = in[0];
  CTensor out;
  out.shape = {input.shape[0], input.shape[2]};
  out.at = [=](const Index &at) {
    return input.at({at[0], std::to_string(layer), at[1]});
  };
  return {out};
}

// result(0, ...) = input(T - 1, ...): a view
std::vector<CTensor> emitLastRow(LastRowOp op, const std::vector<CTensor> &in) {
  require(in[0].rank() >= 1, op, "the input must have rank >= 1");
  CTensor input = in[0];
  CTensor out = input;
  out.shape[0] = 1;
  std::string last = fmt::format("({} - 1)", dimText(input.shape[0]));
  out.at = [=](const Index &at) { return input.at(with(at, 0, last)); };
  return {out};
}

// squares(outer) = sum_r x(outer, r)^2
// result(outer, i) = x(outer, i) * inverseRms(squares(outer)) [* weight(i)]
std::vector<CTensor> emitRMSNorm(RMSNormOp op, const std::vector<CTensor> &in,
                                 KernelWriter &w) {
  const CTensor &x = in[0];
  require(x.rank() >= 1, op, "the input must have rank >= 1");
  int64_t n = staticSize(op, x, x.rank() - 1);
  float epsilon = attr(op.getEpsilonAttr());
  std::vector<int64_t> outer(x.shape.begin(), x.shape.end() - 1);
  std::string squares = w.allocate("rms_squares", outer, false);
  w.forEach(outer, [&](const Index &at) {
    Index element = at;
    element.push_back("r_");
    return fmt::format("float acc_ = 0.0f; for (int r_ = 0; r_ < {}; ++r_) "
                       "{{ const float v_ = {}; acc_ += v_ * v_; }} {}[{}] = "
                       "acc_;",
                       n, x.at(element), squares, linearIndex(outer, at));
  });
  w.sync();
  bool weighted = static_cast<bool>(op.getWeight());
  if (weighted)
    require(in[1].rank() == 1 && in[1].shape[0] == n, op,
            fmt::format("the weight must have {} elements", n));
  return {w.materialize(op.getResult(), "rms_norm", [&](const Index &at) {
    Index row(at.begin(), at.end() - 1);
    std::string value = fmt::format(
        "{} * {}", x.at(at),
        inverseRms(fmt::format("{}[{}]", squares, linearIndex(outer, row)), n,
                   epsilon));
    if (weighted)
      value += " * " + in[1].at({at.back()});
    return value;
  })};
}

// result(outer, n) = sum_k x(outer, k) * weight(n, k)
CTensor emitMatVec(mlir::Value result, const CTensor &x, const CTensor &weight,
                   int64_t inWidth, const std::string &role, KernelWriter &w) {
  return w.materialize(result, role, [&](const Index &at) {
    Index xAt = with(at, at.size() - 1, "k_");
    Index weightAt = {at.back(), "k_"};
    // A statement expression would not be C++: the loop lives in a lambda
    // the compiler inlines.
    return fmt::format("[&] {{ float acc_ = 0.0f; for (int k_ = 0; k_ < {}; "
                       "++k_) acc_ += {} * {}; return acc_; }}()",
                       inWidth, x.at(xAt), weight.at(weightAt));
  });
}

// amax(t) = max_k |x(t, k)|;  xq(t, k) = clamp(rint(x * 127 / amax), -127, 127)
// result(t, n) = f32(sum_k xq(t, k) * w(n, k)) * (amax(t) / 127) * scale(n)
CTensor emitInt8Linear(LinearOp op, const CTensor &x, const CTensor &weight,
                       KernelWriter &w) {
  require(x.rank() == 2, op, "int8 activations need a [T, K] input");
  require(static_cast<bool>(weight.int8At), op,
          "int8 activations need an int8 per-row weight");
  int64_t k = staticSize(op, x, 1);
  std::vector<int64_t> rows = {x.shape[0]};
  std::string amax = w.allocate("int8_amax", rows, false);
  w.forEach(rows, [&](const Index &at) {
    return fmt::format("float m_ = 0.0f; for (int k_ = 0; k_ < {}; ++k_) m_ "
                       "= fmaxf(m_, fabsf({})); {}[{}] = m_;",
                       k, x.at({at[0], "k_"}), amax, at[0]);
  });
  w.sync();
  std::string xq = w.allocate("int8_x", x.shape, true);
  w.forEach(x.shape, [&](const Index &at) {
    return fmt::format(
        "const float a_ = {}[{}]; const float inv_ = a_ > 0.0f ? 127.0f / a_ "
        ": 0.0f; {}[{}] = (int)fminf(fmaxf(rintf({} * inv_), -127.0f), "
        "127.0f);",
        amax, at[0], xq, linearIndex(x.shape, at), x.at(at));
  });
  w.sync();
  CTensor xqTensor = KernelWriter::scratchTensor(xq, x.shape, true);
  return w.materialize(op.getResult(), "linear_int8", [&](const Index &at) {
    return fmt::format(
        "[&] {{ int acc_ = 0; for (int k_ = 0; k_ < {}; ++k_) acc_ += {} * "
        "{}; return (float)acc_ * ({}[{}] / 127.0f) * {}; }}()",
        k, xqTensor.at({at[0], "k_"}), weight.int8At({at[1], "k_"}), amax,
        at[0], weight.rowScaleAt(at[1]));
  });
}

std::vector<CTensor> emitLinear(LinearOp op, const std::vector<CTensor> &in,
                                KernelWriter &w) {
  const CTensor &x = in[0], &weight = in[1];
  require(x.rank() >= 1 && weight.rank() == 2, op,
          "needs an input of rank >= 1 and a [N, K] weight");
  int64_t k = staticSize(op, weight, 1);
  require(x.shape.back() == k, op,
          "the input's last dimension differs from the weight's");
  if (op.getInt8Activations())
    return {emitInt8Linear(op, x, weight, w)};
  return {emitMatVec(op.getResult(), x, weight, k, "linear", w)};
}

// result(t, v) = sum_i x(t, i) * table(v, i)
std::vector<CTensor> emitLMHead(LMHeadOp op, const std::vector<CTensor> &in,
                                KernelWriter &w) {
  require(in[0].rank() == 2 && in[1].rank() == 2, op,
          "needs a [T, d] input and a [V, d] table");
  int64_t d = staticSize(op, in[1], 1);
  require(in[0].shape[1] == d, op, "the table must be [V, d]");
  return {emitMatVec(op.getResult(), in[0], in[1], d, "lm_head", w)};
}

// result(t, h, j) = input(t, h*hd + j): a view
std::vector<CTensor> emitSplitHeads(SplitHeadsOp op,
                                    const std::vector<CTensor> &in) {
  require(in[0].rank() == 2, op, "the input must have rank 2");
  std::vector<int64_t> shape = shapeOf(op, op.getResult());
  int64_t headDim = shape[2];
  CTensor input = in[0];
  CTensor out;
  out.shape = shape;
  out.at = [=](const Index &at) {
    return input.at(
        {at[0], fmt::format("({}) * {} + ({})", at[1], headDim, at[2])});
  };
  return {out};
}

// result(t, c) = input(t, c / hd, c % hd): a view
std::vector<CTensor> emitMergeHeads(MergeHeadsOp op,
                                    const std::vector<CTensor> &in) {
  require(in[0].rank() == 3, op, "the input must have rank 3");
  int64_t headDim = staticSize(op, in[0], 2);
  CTensor input = in[0];
  CTensor out;
  out.shape = shapeOf(op, op.getResult());
  out.at = [=](const Index &at) {
    return input.at({at[0], fmt::format("({}) / {}", at[1], headDim),
                     fmt::format("({}) % {}", at[1], headDim)});
  };
  return {out};
}

// inv_freq(p) = 1 / theta^(2p/hd) (f32, computed here as transformers does)
// angle(t, p) = f32(pos(t)) * inv_freq(p); q = j mod hd/2, x2 = x(j +- hd/2)
// result = x*cos - x2*sin (j < hd/2), x*cos + x2*sin (j >= hd/2) for
// q < rotary_dims/2; x itself otherwise.
std::vector<CTensor> emitRoPE(RoPEOp op, const std::vector<CTensor> &in,
                              KernelWriter &w) {
  const CTensor &x = in[0], &positions = in[1];
  require(x.rank() == 3 && positions.rank() == 1, op,
          "needs a [T, H, hd] input and [T] positions");
  int64_t headDim = staticSize(op, x, 2);
  int64_t rotaryDims = op.getRotaryDimsAttr().getInt();
  require(headDim % 2 == 0 && rotaryDims % 2 == 0 && rotaryDims >= 0 &&
              rotaryDims <= headDim,
          op, "needs an even head_dim and 0 <= rotary_dims <= head_dim");
  int64_t half = headDim / 2, pairs = rotaryDims / 2;
  if (pairs == 0)
    return {w.materialize(op.getResult(), "rope",
                          [&](const Index &at) { return x.at(at); })};
  float theta = static_cast<float>(op.getThetaAttr().getValueAsDouble());
  std::vector<float> inverseFrequency;
  for (int64_t q = 0; q < pairs; ++q)
    inverseFrequency.push_back(
        1.0f / std::pow(theta, static_cast<float>(2 * q) /
                                   static_cast<float>(headDim)));
  std::string table = w.constantTable("rope_inv_freq", inverseFrequency);
  std::vector<int64_t> angleShape = {x.shape[0], pairs};
  std::string cosine = w.allocate("rope_cos", angleShape, false);
  std::string sine = w.allocate("rope_sin", angleShape, false);
  w.forEach(angleShape, [&](const Index &at) {
    std::string slot = linearIndex(angleShape, at);
    return fmt::format("const float a_ = (float)({}) * {}[{}]; {}[{}] = "
                       "cosf(a_); {}[{}] = sinf(a_);",
                       positions.at({at[0]}), table, at[1], cosine, slot, sine,
                       slot);
  });
  w.sync();
  return {w.materialize(op.getResult(), "rope", [&](const Index &at) {
    std::string q = fmt::format("(({}) % {})", at[2], half);
    std::string partner = x.at(
        with(at, 2, fmt::format("(({}) + {}) % {}", at[2], half, headDim)));
    std::string c = fmt::format("{}[({}) * {} + min({}, {})]", cosine, at[0],
                                pairs, q, pairs - 1);
    std::string s = fmt::format("{}[({}) * {} + min({}, {})]", sine, at[0],
                                pairs, q, pairs - 1);
    std::string self = x.at(at);
    return fmt::format("({} < {} ? (({}) < {} ? {} * {} - {} * {} : {} * {} + "
                       "{} * {}) : {})",
                       q, pairs, at[2], half, self, c, partner, s, self, c,
                       partner, s, self);
  })};
}

template <typename Formula>
CTensor emitElementwise(mlir::Value result, const std::vector<CTensor> &in,
                        const char *role, KernelWriter &w, Formula formula) {
  return w.materialize(result, role, [&](const Index &at) {
    std::vector<std::string> values;
    for (const CTensor &operand : in)
      values.push_back(operand.at(at));
    return formula(values);
  });
}

// result = input * scalar(0...)
std::vector<CTensor> emitLayerScalar(LayerScalarOp op,
                                     const std::vector<CTensor> &in,
                                     KernelWriter &w) {
  Index zero(in[1].rank(), "0");
  std::string scalar = in[1].at(zero);
  return {w.materialize(op.getResult(), "layer_scalar", [&](const Index &at) {
    return fmt::format("{} * {}", in[0].at(at), scalar);
  })};
}

void requireSameShapes(Operation *op, const std::vector<CTensor> &in) {
  for (const CTensor &operand : in)
    require(operand.shape == in[0].shape, op,
            "every operand must have the same shape");
}

} // namespace

std::vector<CTensor> emitOp(Operation *op, const std::vector<CTensor> &in,
                            KernelWriter &w) {
  using Values = std::vector<std::string>;
  return llvm::TypeSwitch<Operation *, std::vector<CTensor>>(op)
      .Case([&](EmbedOp o) { return emitEmbed(o, in, w); })
      .Case([&](PerLayerInputsOp o) { return emitPerLayerInputs(o, in, w); })
      .Case([&](LayerInputOp o) { return emitLayerInput(o, in); })
      .Case([&](LastRowOp o) { return emitLastRow(o, in); })
      .Case([&](RMSNormOp o) { return emitRMSNorm(o, in, w); })
      .Case([&](LinearOp o) { return emitLinear(o, in, w); })
      .Case([&](SplitHeadsOp o) { return emitSplitHeads(o, in); })
      .Case([&](MergeHeadsOp o) { return emitMergeHeads(o, in); })
      .Case([&](RoPEOp o) { return emitRoPE(o, in, w); })
      .Case([&](AttentionOp o) { return emitAttention(o, in, w); })
      .Case([&](AddOp o) {
        requireSameShapes(o, in);
        return std::vector<CTensor>{
            emitElementwise(o.getResult(), in, "add", w, [](const Values &v) {
              return v[0] + " + " + v[1];
            })};
      })
      .Case([&](MulOp o) {
        requireSameShapes(o, in);
        return std::vector<CTensor>{
            emitElementwise(o.getResult(), in, "mul", w, [](const Values &v) {
              return v[0] + " * " + v[1];
            })};
      })
      .Case([&](GeluTanhOp o) {
        return std::vector<CTensor>{emitElementwise(
            o.getResult(), in, "gelu_tanh", w,
            [](const Values &v) { return "gelu_tanh(" + v[0] + ")"; })};
      })
      .Case([&](SoftcapOp o) {
        std::string cap = floatLiteral(attr(o.getCapAttr()));
        return std::vector<CTensor>{emitElementwise(
            o.getResult(), in, "softcap", w, [&](const Values &v) {
              return fmt::format("{} * tanhf({} / {})", cap, v[0], cap);
            })};
      })
      .Case([&](LayerScalarOp o) { return emitLayerScalar(o, in, w); })
      .Case([&](MoERouterOp o) { return emitMoERouter(o, in, w); })
      .Case([&](MoEExpertsOp o) { return emitMoEExperts(o, in, w); })
      .Case([&](LMHeadOp o) { return emitLMHead(o, in, w); })
      .Case([&](WeightOp) -> std::vector<CTensor> {
        fail(op, "reads a weight through facet.weight; outlined kernels take "
                 "weights as inputs");
      })
      .Case([&](KVStoreOp) -> std::vector<CTensor> {
        fail(op, "is not kernel code: the runtime copies the rows into the "
                 "cache between kernels");
      })
      .Default([&](Operation *) -> std::vector<CTensor> {
        fail(op, "the CUDA target does not support this op yet");
      });
}

} // namespace facet::codegen::cuda
