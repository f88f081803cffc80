//===- HostCudaShim.h - Generated CUDA kernels as host C++ ------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Force-included (-include) when the kernels.cu that `facet compile
// --target cuda-*` writes is built with the host C++ compiler, so CI
// without a GPU still runs every generated kernel. The backend's kernels
// run on one thread block, each op a block-stride loop followed by
// __syncthreads(); with a block of ONE thread (threadIdx.x = 0, blockDim.x
// = 1) every loop covers all its elements and the barriers have nothing to
// wait for, which is a legal execution of the same source. What this does
// not check: races between threads of a real block, and the GPU's own
// math library (expf, tanhf, ... come from glibc here).
//
//===----------------------------------------------------------------------===//

#ifndef FACET_TEST_CUDA_HOSTCUDASHIM_H
#define FACET_TEST_CUDA_HOSTCUDASHIM_H

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <math.h>

#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)

struct FacetHostDim {
  unsigned x;
};
static const FacetHostDim threadIdx = {0};
static const FacetHostDim blockDim = {1};
inline void __syncthreads() {}

using std::max;
using std::min;

inline float __uint_as_float(unsigned bits) {
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}
inline unsigned facetFloatBits(float value) {
  unsigned bits;
  std::memcpy(&bits, &value, 4);
  return bits;
}

// f16 <-> f32 as the GPU converts: exact widening, narrowing rounded to
// nearest even (overflow to infinity, subnormals kept).
struct __half {
  unsigned short bits;
};
inline __half __ushort_as_half(unsigned short bits) { return {bits}; }
inline unsigned short __half_as_ushort(__half value) { return value.bits; }
inline float __half2float(__half value) {
  unsigned sign = (value.bits & 0x8000u) << 16;
  unsigned exponent = (value.bits >> 10) & 0x1f;
  unsigned mantissa = value.bits & 0x3ff;
  if (exponent == 0) {
    float magnitude = float(mantissa) * 5.9604644775390625e-8f; // 2^-24
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 31)
    return __uint_as_float(sign | 0x7f800000u | (mantissa << 13));
  return __uint_as_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
}
inline __half __float2half_rn(float value) {
  unsigned bits = facetFloatBits(value);
  unsigned short sign = (bits >> 16) & 0x8000;
  float magnitude = fabsf(value);
  if (magnitude != magnitude)
    return {static_cast<unsigned short>(sign | 0x7e00)};
  if (magnitude >= 65520.0f)
    return {static_cast<unsigned short>(sign | 0x7c00)};
  if (magnitude < 6.103515625e-05f) { // subnormal: multiples of 2^-24
    float scaled = nearbyintf(magnitude * 16777216.0f);
    return {static_cast<unsigned short>(sign | unsigned(scaled))};
  }
  unsigned m = facetFloatBits(magnitude);
  unsigned rounded = m + 0xfff + ((m >> 13) & 1); // to nearest even
  return {static_cast<unsigned short>(sign | ((rounded >> 13) - (112u << 10)))};
}

struct __nv_bfloat16 {
  unsigned short bits;
};
inline __nv_bfloat16 __float2bfloat16_rn(float value) {
  unsigned bits = facetFloatBits(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return {static_cast<unsigned short>((bits >> 16) | 0x40)};
  bits += 0x7fff + ((bits >> 16) & 1);
  return {static_cast<unsigned short>(bits >> 16)};
}
inline unsigned short __bfloat16_as_ushort(__nv_bfloat16 value) {
  return value.bits;
}

#endif // FACET_TEST_CUDA_HOSTCUDASHIM_H
