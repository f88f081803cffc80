//===- CudaDriver.cpp - The CUDA driver, loaded at run time ---------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/CudaDriver.h"

#include "facet/Runtime.h"

#include <dlfcn.h>

namespace facet::runtime::cuda {

std::unique_ptr<CudaDriver> CudaDriver::load() {
  // FACET_CUDA_DRIVER names another library (tests point it at a missing
  // one to check the error on machines that have a driver).
  const char *name = std::getenv("FACET_CUDA_DRIVER");
  if (!name || !*name)
    name = "libcuda.so.1";
  void *library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *reason = dlerror();
    throw Error(Status::TargetMismatch,
                std::string("no CUDA driver (") + name +
                    " not found): " + (reason ? reason : "dlopen failed") +
                    "; CUDA packages need an NVIDIA GPU and its driver");
  }
  std::unique_ptr<CudaDriver> driver(new CudaDriver());
  driver->library = library;

  // cuGetProcAddress_v2 (CUDA 12.0+) reports why a symbol is missing; the
  // v1 entry point (11.3+) is the fallback.
  auto v2 = reinterpret_cast<PFN_cuGetProcAddress>(
      dlsym(library, "cuGetProcAddress_v2"));
  auto v1 = reinterpret_cast<PFN_cuGetProcAddressV1>(
      dlsym(library, "cuGetProcAddress"));
  if (!v2 && !v1)
    throw Error(Status::TargetMismatch,
                std::string(name) + " has no cuGetProcAddress: the CUDA "
                                    "driver is older than 11.3");
  auto resolve = [&](const char *symbol, auto &function) {
    void *pointer = nullptr;
    int status = 0;
    CUresult result = v2 ? v2(symbol, &pointer, kDriverApiVersion, 0, &status)
                         : v1(symbol, &pointer, kDriverApiVersion, 0);
    if (result != CUDA_SUCCESS || !pointer)
      throw Error(Status::TargetMismatch,
                  std::string("the CUDA driver (") + name + ") lacks " +
                      symbol + " (driver API " +
                      std::to_string(kDriverApiVersion) +
                      "); update the NVIDIA driver");
    function =
        reinterpret_cast<std::remove_reference_t<decltype(function)>>(pointer);
  };
  resolve("cuGetErrorName", driver->cuGetErrorName);
  resolve("cuGetErrorString", driver->cuGetErrorString);
  resolve("cuInit", driver->cuInit);
  resolve("cuDriverGetVersion", driver->cuDriverGetVersion);
  resolve("cuDeviceGetCount", driver->cuDeviceGetCount);
  resolve("cuDeviceGet", driver->cuDeviceGet);
  resolve("cuDeviceGetName", driver->cuDeviceGetName);
  resolve("cuDeviceGetAttribute", driver->cuDeviceGetAttribute);
  resolve("cuDevicePrimaryCtxRetain", driver->cuDevicePrimaryCtxRetain);
  resolve("cuDevicePrimaryCtxRelease", driver->cuDevicePrimaryCtxRelease);
  resolve("cuCtxSetCurrent", driver->cuCtxSetCurrent);
  resolve("cuCtxSynchronize", driver->cuCtxSynchronize);
  resolve("cuModuleLoadData", driver->cuModuleLoadData);
  resolve("cuModuleUnload", driver->cuModuleUnload);
  resolve("cuModuleGetFunction", driver->cuModuleGetFunction);
  resolve("cuMemAlloc", driver->cuMemAlloc);
  resolve("cuMemFree", driver->cuMemFree);
  resolve("cuMemsetD8", driver->cuMemsetD8);
  resolve("cuMemcpyHtoD", driver->cuMemcpyHtoD);
  resolve("cuMemcpyDtoH", driver->cuMemcpyDtoH);
  resolve("cuMemcpyDtoDAsync", driver->cuMemcpyDtoDAsync);
  resolve("cuLaunchKernel", driver->cuLaunchKernel);
  driver->check(driver->cuInit(0), "cuInit",
                static_cast<int>(Status::TargetMismatch));
  return driver;
}

CudaDriver::~CudaDriver() {
  // The driver stays loaded: unloading libcuda while its threads may still
  // run is not supported by NVIDIA, and one load per process is the norm.
}

std::string CudaDriver::describe(CUresult result) const {
  const char *name = nullptr, *text = nullptr;
  if (cuGetErrorName)
    cuGetErrorName(result, &name);
  if (cuGetErrorString)
    cuGetErrorString(result, &text);
  std::string out = name ? name : "CUDA error " + std::to_string(result);
  if (text)
    out += std::string(" (") + text + ")";
  return out;
}

void CudaDriver::check(CUresult result, const std::string &what,
                       int status) const {
  if (result != CUDA_SUCCESS)
    throw Error(static_cast<Status>(status), what + ": " + describe(result));
}

} // namespace facet::runtime::cuda
