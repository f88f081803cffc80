//===- CudaDriver.h - The CUDA driver, loaded at run time -------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// dlopen("libcuda.so.1"), cuGetProcAddress for every function the backend
// calls, cuInit. A machine without the driver gets
// "no CUDA driver (libcuda.so.1 not found): <dlerror>" as a
// runtime::Error(TargetMismatch) instead of a dynamic-linker failure at
// start-up, so the runtime links and runs everywhere.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CUDA_CUDADRIVER_H
#define FACET_RUNTIME_CUDA_CUDADRIVER_H

#include "runtime/cuda/DriverApi.h"

#include <memory>
#include <string>

namespace facet::runtime::cuda {

class CudaDriver {
public:
  /// Loads and initialises the driver; throws runtime::Error.
  static std::unique_ptr<CudaDriver> load();
  ~CudaDriver();
  CudaDriver(const CudaDriver &) = delete;
  CudaDriver &operator=(const CudaDriver &) = delete;

  /// Throws runtime::Error(status) "<what>: CUDA_ERROR_... (text)" unless
  /// `result` is CUDA_SUCCESS.
  void check(CUresult result, const std::string &what, int status) const;
  std::string describe(CUresult result) const;

  PFN_cuInit cuInit = nullptr;
  PFN_cuDriverGetVersion cuDriverGetVersion = nullptr;
  PFN_cuDeviceGetCount cuDeviceGetCount = nullptr;
  PFN_cuDeviceGet cuDeviceGet = nullptr;
  PFN_cuDeviceGetName cuDeviceGetName = nullptr;
  PFN_cuDeviceGetAttribute cuDeviceGetAttribute = nullptr;
  PFN_cuDevicePrimaryCtxRetain cuDevicePrimaryCtxRetain = nullptr;
  PFN_cuDevicePrimaryCtxRelease cuDevicePrimaryCtxRelease = nullptr;
  PFN_cuCtxSetCurrent cuCtxSetCurrent = nullptr;
  PFN_cuCtxSynchronize cuCtxSynchronize = nullptr;
  PFN_cuModuleLoadData cuModuleLoadData = nullptr;
  PFN_cuModuleUnload cuModuleUnload = nullptr;
  PFN_cuModuleGetFunction cuModuleGetFunction = nullptr;
  PFN_cuMemAlloc cuMemAlloc = nullptr;
  PFN_cuMemFree cuMemFree = nullptr;
  PFN_cuMemsetD8 cuMemsetD8 = nullptr;
  PFN_cuMemcpyHtoD cuMemcpyHtoD = nullptr;
  PFN_cuMemcpyDtoH cuMemcpyDtoH = nullptr;
  PFN_cuMemcpyDtoDAsync cuMemcpyDtoDAsync = nullptr;
  PFN_cuLaunchKernel cuLaunchKernel = nullptr;
  PFN_cuGetErrorName cuGetErrorName = nullptr;
  PFN_cuGetErrorString cuGetErrorString = nullptr;

private:
  CudaDriver() = default;
  void *library = nullptr;
};

} // namespace facet::runtime::cuda

#endif // FACET_RUNTIME_CUDA_CUDADRIVER_H
