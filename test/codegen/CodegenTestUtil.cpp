//===- CodegenTestUtil.cpp - Helpers for the kernel generator tests -------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "CodegenTestUtil.h"

#include "dialects/FacetDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

namespace facet::codegen::testing {

int64_t Tensor::size() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Tensor randomTensor(std::vector<int64_t> shape, uint32_t seed, float lo,
                    float hi) {
  Tensor tensor;
  tensor.shape = std::move(shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  tensor.data.resize(tensor.size());
  for (float &x : tensor.data)
    x = dist(rng);
  return tensor;
}

Tensor intTensor(std::vector<int64_t> shape, std::vector<int32_t> values) {
  Tensor tensor;
  tensor.shape = std::move(shape);
  tensor.ints = std::move(values);
  EXPECT_EQ(tensor.size(), static_cast<int64_t>(tensor.ints.size()));
  return tensor;
}

float roundTo(Storage storage, float value) {
  switch (storage) {
  case Storage::F32:
    return value;
  case Storage::F16:
    return static_cast<float>(Halide::float16_t(value));
  case Storage::BF16:
    return static_cast<float>(Halide::bfloat16_t(value));
  }
  return value;
}

Tensor rounded(const Tensor &tensor, Storage storage) {
  Tensor out = tensor;
  for (float &x : out.data)
    x = roundTo(storage, x);
  return out;
}

namespace {

std::vector<int> halideSizes(const std::vector<int64_t> &shape) {
  return std::vector<int>(shape.rbegin(), shape.rend());
}

/// A dense Halide buffer holding `tensor` in `storage` (ints when the
/// tensor has them).
Halide::Buffer<> toBuffer(const Tensor &tensor, Storage storage) {
  std::vector<int> sizes = halideSizes(tensor.shape);
  if (!tensor.ints.empty() || (tensor.data.empty() && tensor.size() == 0)) {
    Halide::Buffer<int32_t> buffer(sizes);
    std::memcpy(buffer.data(), tensor.ints.data(), tensor.ints.size() * 4);
    return buffer;
  }
  switch (storage) {
  case Storage::F32: {
    Halide::Buffer<float> buffer(sizes);
    std::memcpy(buffer.data(), tensor.data.data(), tensor.data.size() * 4);
    return buffer;
  }
  case Storage::F16: {
    Halide::Buffer<Halide::float16_t> buffer(sizes);
    for (size_t i = 0; i < tensor.data.size(); ++i)
      buffer.data()[i] = Halide::float16_t(tensor.data[i]);
    return buffer;
  }
  case Storage::BF16: {
    Halide::Buffer<Halide::bfloat16_t> buffer(sizes);
    for (size_t i = 0; i < tensor.data.size(); ++i)
      buffer.data()[i] = Halide::bfloat16_t(tensor.data[i]);
    return buffer;
  }
  }
  return {};
}

} // namespace

KernelFixture::KernelFixture(const std::string &source)
    : context(std::make_unique<mlir::MLIRContext>()) {
  context->loadDialect<FacetDialect, mlir::func::FuncDialect>();
  owned = mlir::parseSourceString<mlir::ModuleOp>(source, context.get());
  if (!owned) {
    ADD_FAILURE() << "cannot parse the test module";
    return;
  }
  if (mlir::failed(mlir::verify(*owned)))
    ADD_FAILURE() << "the test module does not verify";
}

KernelFixture::~KernelFixture() = default;

mlir::ModuleOp KernelFixture::module() { return *owned; }

BuiltKernel &KernelFixture::build(const std::string &name) {
  return build(name, defaultSchedule(hostTarget()));
}

BuiltKernel &KernelFixture::build(const std::string &name,
                                  const KernelSchedule &schedule) {
  auto func = owned->lookupSymbol<mlir::func::FuncOp>(name);
  if (!func)
    throw std::runtime_error("no func @" + name + " in the test module");
  built = buildKernel(func, schedule);
  return built;
}

BuiltKernel &
KernelFixture::buildFirstKernelRegion(const KernelSchedule &schedule) {
  KernelOp found;
  owned->walk([&](KernelOp op) {
    if (!found)
      found = op;
  });
  if (!found)
    throw std::runtime_error("no facet.kernel in the test module");
  built = buildKernel(found, schedule);
  return built;
}

void KernelFixture::setInput(unsigned index, const Tensor &tensor,
                             Storage storage) {
  ASSERT_LT(index, built.inputs.size());
  built.inputs[index].set(toBuffer(tensor, storage));
}

void KernelFixture::setWeight(const std::string &symbol, const Tensor &tensor,
                              Storage storage) {
  for (auto &[name, param] : built.weights)
    if (name == symbol) {
      param.set(toBuffer(tensor, storage));
      return;
    }
  FAIL() << "the kernel reads no weight @" << symbol;
}

void KernelFixture::setCache(const std::string &symbol, const Tensor &keys,
                             const Tensor &values) {
  for (auto &cache : built.caches)
    if (cache.symbol == symbol) {
      cache.keys.set(toBuffer(keys, Storage::F32));
      cache.values.set(toBuffer(values, Storage::F32));
      return;
    }
  FAIL() << "the kernel reads no cache @" << symbol;
}

void KernelFixture::setCacheBuffers(const std::string &symbol,
                                    Halide::Buffer<> keys,
                                    Halide::Buffer<> values,
                                    Halide::Buffer<> keyScales,
                                    Halide::Buffer<> valueScales) {
  for (auto &cache : built.caches)
    if (cache.symbol == symbol) {
      cache.keys.set(keys);
      cache.values.set(values);
      ASSERT_EQ(cache.keyScales.has_value(), keyScales.defined());
      if (cache.keyScales) {
        cache.keyScales->set(keyScales);
        cache.valueScales->set(valueScales);
      }
      return;
    }
  FAIL() << "the kernel reads no cache @" << symbol;
}

void KernelFixture::setContextLength(int32_t length) {
  ASSERT_TRUE(built.contextLength.has_value());
  built.contextLength->set(length);
}

std::vector<Tensor>
KernelFixture::run(const std::vector<std::vector<int64_t>> &shapes) {
  std::vector<Halide::Buffer<>> buffers;
  std::vector<Tensor> out;
  EXPECT_EQ(shapes.size(), built.outputs.size());
  for (size_t i = 0; i < shapes.size(); ++i) {
    Halide::Type type = built.outputs[i].output_types()[0];
    buffers.emplace_back(type, halideSizes(shapes[i]));
    Tensor tensor;
    tensor.shape = shapes[i];
    out.push_back(tensor);
  }
  Halide::Realization realization(buffers);
  // The registry's host target, not Halide's own detection: Halide 14
  // reports Sapphire Rapids for Zen 4, whose missing AVX512-FP16 LLVM would
  // then use (TargetRegistry.cpp, hostHasAvx512Fp16).
  built.pipeline.realize(
      realization, jitTarget(hostTarget()));
  for (size_t i = 0; i < shapes.size(); ++i) {
    int64_t n = out[i].size();
    if (buffers[i].type() == Halide::Int(32)) {
      out[i].ints.resize(n);
      std::memcpy(out[i].ints.data(), buffers[i].data(), n * 4);
    } else {
      out[i].data.resize(n);
      std::memcpy(out[i].data.data(), buffers[i].data(), n * 4);
    }
  }
  return out;
}

double relativeError(const std::vector<float> &got,
                     const std::vector<float> &want) {
  EXPECT_EQ(got.size(), want.size());
  double worst = 0, scale = 1e-30;
  for (size_t i = 0; i < want.size() && i < got.size(); ++i) {
    worst = std::max(worst, std::fabs(double(got[i]) - double(want[i])));
    scale = std::max(scale, std::fabs(double(want[i])));
  }
  if (std::getenv("FACET_TEST_VERBOSE"))
    std::printf("  relative error %.3g (max |reference| %.3g)\n", worst / scale,
                scale);
  return worst / scale;
}

float geluTanhRef(float x) {
  const float beta = 0.7978845608028654f;
  const float kappa = 0.044715f;
  float cube = x * x * x;
  float inner = beta * (x + kappa * cube);
  return 0.5f * x * (1.0f + std::tanh(inner));
}

void rmsNormRowRef(const float *x, int64_t n, float epsilon,
                   const float *weight, float *out) {
  float sumOfSquares = 0.0f;
  for (int64_t i = 0; i < n; ++i)
    sumOfSquares += x[i] * x[i];
  float inverse =
      std::pow(sumOfSquares / static_cast<float>(n) + epsilon, -0.5f);
  for (int64_t i = 0; i < n; ++i) {
    float normed = x[i] * inverse;
    out[i] = weight ? normed * weight[i] : normed;
  }
}

float dotRef(const float *a, const float *b, int64_t n) {
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i)
    sum += a[i] * b[i];
  return sum;
}

} // namespace facet::codegen::testing
