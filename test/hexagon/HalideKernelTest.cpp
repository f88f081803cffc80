//===- HalideKernelTest.cpp - Halide HVX kernels through the loader -------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
//   hexagon-halide-test <halide_kernels.so>
//
// Loads the shared object linked from hexagon-kernel-gen's objects (Halide's
// runtime and the LLM pipelines: loading binds every symbol they need) and
// runs the int8 HVX dot product against a scalar reference, bit-exact, and
// softmax and RMS norm against float references. Exits with the failures.
//
//===----------------------------------------------------------------------===//

#include "Check.h"

#include "runtime/hexagon/Memory.h"
#include "runtime/hexagon/SharedObject.h"

#include <stdint.h>

using namespace facet::hexagon;

extern "C" {
void *memset(void *, int, size_t);
float expf(float);
float sqrtf(float);
float fabsf(float);
}

namespace {

// Halide's buffer ABI (HalideRuntime.h) with 32-bit pointers.
struct HalideDimension {
  int32_t min, extent, stride;
  uint32_t flags;
};
struct HalideBuffer {
  uint64_t device;
  const void *deviceInterface;
  uint8_t *host;
  uint64_t flags;
  uint8_t typeCode, typeBits;
  uint16_t typeLanes;
  int32_t dimensions;
  HalideDimension *dim;
  void *padding;
};
static_assert(sizeof(HalideBuffer) == 40, "halide_buffer_t on 32-bit");

constexpr uint8_t kInt = 0, kFloat = 2;

HalideBuffer buffer(void *host, uint8_t code, uint8_t bits,
                    HalideDimension *dims, int dimensions) {
  HalideBuffer b;
  memset(&b, 0, sizeof(b));
  b.host = static_cast<uint8_t *>(host);
  b.typeCode = code;
  b.typeBits = bits;
  b.typeLanes = 1;
  b.dimensions = dimensions;
  b.dim = dims;
  return b;
}

uint32_t seed = 12345;
int random8() {
  seed = seed * 1103515245u + 12345u;
  return static_cast<int>((seed >> 16) & 0xff) - 128;
}

void checkDot(const SharedObject &kernels) {
  using Dot = int (*)(HalideBuffer *, HalideBuffer *, HalideBuffer *);
  Dot dot = reinterpret_cast<Dot>(kernels.lookup("dot_i8"));
  CHECK(dot != nullptr);
  if (!dot)
    return;
  constexpr int kRows = 96, kDepth = 512;
  int8_t *w = static_cast<int8_t *>(allocate(kRows * kDepth));
  int8_t *x = static_cast<int8_t *>(allocate(kDepth));
  int32_t *out = static_cast<int32_t *>(allocate(kRows * 4));
  for (int i = 0; i < kRows * kDepth; ++i)
    w[i] = static_cast<int8_t>(random8());
  for (int k = 0; k < kDepth; ++k)
    x[k] = static_cast<int8_t>(random8());
  // w is packed (j, n, kb): element W[n][4 kb + j] at j + 4 n + 4 kRows kb.
  HalideDimension wd[3] = {
      {0, 4, 1, 0}, {0, kRows, 4, 0}, {0, kDepth / 4, 4 * kRows, 0}};
  HalideDimension xd[1] = {{0, kDepth, 1, 0}};
  HalideDimension od[1] = {{0, kRows, 1, 0}};
  HalideBuffer wb = buffer(w, kInt, 8, wd, 3), xb = buffer(x, kInt, 8, xd, 1);
  HalideBuffer ob = buffer(out, kInt, 32, od, 1);
  CHECK(dot(&wb, &xb, &ob) == 0);
  int mismatches = 0;
  for (int n = 0; n < kRows; ++n) {
    int32_t expected = 0;
    for (int k = 0; k < kDepth; ++k)
      expected += w[(k & 3) + 4 * n + 4 * kRows * (k >> 2)] * x[k];
    mismatches += out[n] != expected;
  }
  CHECK(mismatches == 0);
  deallocate(w);
  deallocate(x);
  deallocate(out);
}

bool close(float a, float b, float tolerance) {
  return fabsf(a - b) <= tolerance * (fabsf(b) + 1e-6f);
}

void checkFloatKernels(const SharedObject &kernels) {
  using Softmax = int (*)(HalideBuffer *, HalideBuffer *);
  using RmsNorm =
      int (*)(HalideBuffer *, HalideBuffer *, float, HalideBuffer *);
  Softmax softmax = reinterpret_cast<Softmax>(kernels.lookup("softmax"));
  RmsNorm rmsNorm = reinterpret_cast<RmsNorm>(kernels.lookup("rms_norm"));
  CHECK(softmax != nullptr && rmsNorm != nullptr);
  if (!softmax || !rmsNorm)
    return;
  constexpr int kCount = 200;
  float *x = static_cast<float *>(allocate(kCount * 4));
  float *weight = static_cast<float *>(allocate(kCount * 4));
  float *out = static_cast<float *>(allocate(kCount * 4));
  for (int i = 0; i < kCount; ++i) {
    x[i] = static_cast<float>(random8()) * 0.05f;
    weight[i] = 1.0f + static_cast<float>(random8()) * 0.001f;
  }
  HalideDimension d[1] = {{0, kCount, 1, 0}};
  HalideBuffer xb = buffer(x, kFloat, 32, d, 1);
  HalideBuffer wb = buffer(weight, kFloat, 32, d, 1);
  HalideBuffer ob = buffer(out, kFloat, 32, d, 1);

  CHECK(softmax(&xb, &ob) == 0);
  float largest = x[0], total = 0.0f;
  for (int i = 1; i < kCount; ++i)
    largest = x[i] > largest ? x[i] : largest;
  for (int i = 0; i < kCount; ++i)
    total += expf(x[i] - largest);
  bool softmaxClose = true;
  for (int i = 0; i < kCount; ++i)
    softmaxClose =
        softmaxClose && close(out[i], expf(x[i] - largest) / total, 1e-5f);
  CHECK(softmaxClose);

  CHECK(rmsNorm(&xb, &wb, 1e-6f, &ob) == 0);
  float squares = 0.0f;
  for (int i = 0; i < kCount; ++i)
    squares += x[i] * x[i];
  float inverse = 1.0f / sqrtf(squares / kCount + 1e-6f);
  bool normClose = true;
  for (int i = 0; i < kCount; ++i)
    normClose = normClose && close(out[i], x[i] * inverse * weight[i], 1e-5f);
  CHECK(normClose);
  deallocate(x);
  deallocate(weight);
  deallocate(out);
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    writeErr("usage: hexagon-halide-test <halide_kernels.so>\n");
    return 2;
  }
  ErrorMessage error;
  FileData file;
  SharedObject kernels;
  if (!readFile(argv[1], file, error) ||
      !kernels.load(file.data, file.size, error)) {
    writeErr(error.text());
    writeErr("\n");
    return 2;
  }
  releaseFile(file);
  checkDot(kernels);
  checkFloatKernels(kernels);
  writeOut(test::failures == 0 ? "halide kernel test passed\n"
                               : "halide kernel test FAILED\n");
  return test::failures;
}
