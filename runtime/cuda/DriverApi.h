//===- DriverApi.h - The few CUDA driver API declarations we use -*- C++
//-*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The runtime reaches the CUDA driver through dlopen("libcuda.so.1") and
// cuGetProcAddress, never through a link-time dependency (DESIGN.md §1: a
// machine without a driver must get a clear error, not a loader failure),
// so it needs no CUDA header either: these are the driver API's types and
// the signatures of the functions CudaDriver.h resolves, as the driver API
// reference documents them (ABI of CUDA 12.0 and later; `_v2` entry points
// are what cuGetProcAddress returns for the base names at that version).
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CUDA_DRIVERAPI_H
#define FACET_RUNTIME_CUDA_DRIVERAPI_H

#include <cstddef>
#include <cstdint>

namespace facet::runtime::cuda {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;

inline constexpr CUresult CUDA_SUCCESS = 0;
/// The driver API version whose function signatures we request.
inline constexpr int kDriverApiVersion = 12000;
/// CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR / _MINOR.
inline constexpr int kAttributeComputeMajor = 75;
inline constexpr int kAttributeComputeMinor = 76;

using PFN_cuGetProcAddress = CUresult (*)(const char *symbol, void **function,
                                          int cudaVersion, uint64_t flags,
                                          int *symbolStatus);
using PFN_cuGetProcAddressV1 = CUresult (*)(const char *symbol, void **function,
                                            int cudaVersion, uint64_t flags);
using PFN_cuInit = CUresult (*)(unsigned flags);
using PFN_cuDriverGetVersion = CUresult (*)(int *version);
using PFN_cuDeviceGetCount = CUresult (*)(int *count);
using PFN_cuDeviceGet = CUresult (*)(CUdevice *device, int ordinal);
using PFN_cuDeviceGetName = CUresult (*)(char *name, int length,
                                         CUdevice device);
using PFN_cuDeviceGetAttribute = CUresult (*)(int *value, int attribute,
                                              CUdevice device);
using PFN_cuDevicePrimaryCtxRetain = CUresult (*)(CUcontext *context,
                                                  CUdevice device);
using PFN_cuDevicePrimaryCtxRelease = CUresult (*)(CUdevice device);
using PFN_cuCtxSetCurrent = CUresult (*)(CUcontext context);
using PFN_cuCtxSynchronize = CUresult (*)();
using PFN_cuModuleLoadData = CUresult (*)(CUmodule *module, const void *image);
using PFN_cuModuleUnload = CUresult (*)(CUmodule module);
using PFN_cuModuleGetFunction = CUresult (*)(CUfunction *function,
                                             CUmodule module, const char *name);
using PFN_cuMemAlloc = CUresult (*)(CUdeviceptr *pointer, size_t bytes);
using PFN_cuMemFree = CUresult (*)(CUdeviceptr pointer);
using PFN_cuMemsetD8 = CUresult (*)(CUdeviceptr pointer, unsigned char value,
                                    size_t count);
using PFN_cuMemcpyHtoD = CUresult (*)(CUdeviceptr dst, const void *src,
                                      size_t bytes);
using PFN_cuMemcpyDtoH = CUresult (*)(void *dst, CUdeviceptr src, size_t bytes);
using PFN_cuMemcpyDtoDAsync = CUresult (*)(CUdeviceptr dst, CUdeviceptr src,
                                           size_t bytes, CUstream stream);
using PFN_cuLaunchKernel = CUresult (*)(CUfunction function, unsigned gridX,
                                        unsigned gridY, unsigned gridZ,
                                        unsigned blockX, unsigned blockY,
                                        unsigned blockZ, unsigned sharedBytes,
                                        CUstream stream, void **parameters,
                                        void **extra);
using PFN_cuGetErrorName = CUresult (*)(CUresult error, const char **name);
using PFN_cuGetErrorString = CUresult (*)(CUresult error, const char **text);

} // namespace facet::runtime::cuda

#endif // FACET_RUNTIME_CUDA_DRIVERAPI_H
