//===- HexagonKernelGen.cpp - Halide kernels for the Hexagon tests --------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
//   hexagon-kernel-gen <output directory>
//
// Compiles, for hexagon-32-noos-hvx-hvx_128-no_asserts, Halide 14's
// standalone runtime and pipelines of the kinds an LLM needs: RMS norm (sqrt,
// division), softmax (exp, max), GELU-tanh and softcap (tanh), RoPE (sin,
// cos, pow), float->int8 quantization (round, abs) and an int8 dot product
// that Halide maps to HVX vrmpy. Their undefined symbols are the list the
// support layer must export (test hexagon-undefined-symbols); the dot
// product also runs through the loader (test hexagon-halide-dot).
//
//===----------------------------------------------------------------------===//

#include "Halide.h"

#include <cstdio>

#include <string>

using namespace Halide;
using namespace Halide::ConciseCasts;

namespace {

void rmsNorm(const std::string &out, const Target &target) {
  ImageParam x(Float(32), 1, "x"), weight(Float(32), 1, "weight");
  Param<float> epsilon("epsilon");
  Var i("i");
  RDom r(0, x.dim(0).extent());
  Func squares("squares");
  squares() = 0.0f;
  squares() += x(r) * x(r);
  squares.compute_root();
  Func norm("rms_norm");
  Expr mean = squares() / cast<float>(x.dim(0).extent());
  norm(i) = x(i) / sqrt(mean + epsilon) * weight(i);
  norm.compile_to_object(out + "/rms_norm.o", {x, weight, epsilon}, "rms_norm",
                         target);
}

void softmax(const std::string &out, const Target &target) {
  ImageParam x(Float(32), 1, "x");
  Var i("i");
  RDom r(0, x.dim(0).extent());
  Func largest("largest"), exps("exps"), total("total"), result("softmax");
  largest() = maximum(x(r));
  exps(i) = exp(x(i) - largest());
  total() = sum(exps(r));
  result(i) = exps(i) / total();
  largest.compute_root();
  exps.compute_root();
  total.compute_root();
  result.compile_to_object(out + "/softmax.o", {x}, "softmax", target);
}

void tanhKernels(const std::string &out, const Target &target) {
  ImageParam x(Float(32), 1, "x");
  Param<float> cap("cap");
  Var i("i");
  Func gelu("gelu_tanh");
  Expr v = x(i);
  gelu(i) =
      0.5f * v * (1.0f + tanh(0.7978845608f * (v + 0.044715f * v * v * v)));
  gelu.compile_to_object(out + "/gelu_tanh.o", {x}, "gelu_tanh", target);
  Func softcap("softcap");
  softcap(i) = cap * tanh(x(i) / cap);
  softcap.compile_to_object(out + "/softcap.o", {x, cap}, "softcap", target);
}

void rope(const std::string &out, const Target &target) {
  ImageParam x(Float(32), 2, "x"); // (dimension, head)
  Param<int> position("position");
  Param<float> theta("theta");
  Var d("d"), h("h");
  Expr half = x.dim(0).extent() / 2;
  Expr pair = select(d < half, d, d - half);
  Expr frequency =
      pow(theta, -2.0f * cast<float>(pair) / cast<float>(x.dim(0).extent()));
  Expr angle = cast<float>(position) * frequency;
  Expr rotated = select(d < half, -x(d + half, h), x(d - half, h));
  Func result("rope");
  result(d, h) = x(d, h) * cos(angle) + rotated * sin(angle);
  result.compile_to_object(out + "/rope.o", {x, position, theta}, "rope",
                           target);
}

void quantize(const std::string &out, const Target &target) {
  ImageParam x(Float(32), 1, "x");
  Var i("i");
  RDom r(0, x.dim(0).extent());
  Func absMax("abs_max");
  absMax() = maximum(abs(x(r)));
  absMax.compute_root();
  Expr scale = max(absMax(), 1e-8f) / 127.0f;
  Func result("quantize_i8");
  result(i) = i8(clamp(round(x(i) / scale), -127.0f, 127.0f));
  result.compile_to_object(out + "/quantize_i8.o", {x}, "quantize_i8", target);
}

/// out(n) = sum_k w[n][k] * x[k] with the weights packed as vrmpy reads
/// them: w(j, n, kb) = W[n][4 kb + j], four consecutive k of a row per
/// 32-bit lane. Vectorizing the 4-wide inner reduction atomically and 32
/// rows at a time makes a 128-lane int8 multiply reduced to 32 int32 lanes:
/// one vrmpy per 4 k.
void dotInt8(const std::string &out, const Target &target) {
  ImageParam w(Int(8), 3, "w"), x(Int(8), 1, "x");
  Var n("n"), outer("outer"), inner("inner");
  RDom r(0, 4, 0, w.dim(2).extent());
  Func result("dot_i8");
  result(n) = 0;
  result(n) += i32(w(r.x, n, r.y)) * i32(x(r.x + 4 * r.y));
  result.vectorize(n, 32);
  result.update()
      .split(n, outer, inner, 32)
      .reorder(r.x, inner, r.y, outer)
      .atomic()
      .vectorize(r.x)
      .vectorize(inner);
  result.compile_to_object(out + "/dot_i8.o", {w, x}, "dot_i8", target);
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: hexagon-kernel-gen <output directory>\n");
    return 2;
  }
  std::string out = argv[1];
  Target runtime("hexagon-32-noos-hvx-hvx_128-no_asserts");
  compile_standalone_runtime(out + "/halide_runtime.o", runtime);
  // The pipelines share the one runtime object.
  Target target = runtime.with_feature(Target::NoRuntime);
  rmsNorm(out, target);
  softmax(out, target);
  tanhKernels(out, target);
  rope(out, target);
  quantize(out, target);
  dotInt8(out, target);
  return 0;
}
