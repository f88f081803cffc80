//===- CudaBackend.cpp - An NVIDIA GPU as a Backend -----------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The first CUDA backend: device 0 (or $FACET_CUDA_DEVICE) through its
// primary context; memory from cuMemAlloc, zeroed; the weights uploaded
// once (importReadOnly); the package's fatbin loaded with cuModuleLoadData
// and every kernel resolved before anything runs; each step's kernel
// launched with cuLaunchKernel on its launch table's shape
// (runtime/package/CudaKernels.h) with one scratch area shared by every
// kernel (they run one after the other).
//
// Everything runs on the legacy default stream, which orders the
// synchronous host copies (token ids in, logits out) with the kernels and
// the KV-cache copies between them. Still to come (issue 7): a dedicated
// stream, one CUDA graph captured per decode step with per-step values read
// from a device struct (so the scratch is sized up front, not grown at a
// launch), and programmatic dependent launch on sm_90.
//
//===----------------------------------------------------------------------===//

#include "runtime/backend/Backend.h"
#include "runtime/cuda/CudaDriver.h"
#include "runtime/package/CudaKernels.h"
#include "runtime/package/FormatError.h"

#include "facet/Runtime.h"

#include <cstdlib>

namespace facet::runtime {

namespace {

using namespace cuda;

class CudaModule : public KernelModule {
public:
  CudaModule(const CudaDriver &driver, CUmodule module,
             package::CudaKernels table, std::vector<CUfunction> functions,
             std::vector<std::string> names)
      : driver(driver), module(module), table(std::move(table)),
        functions(std::move(functions)), names(std::move(names)) {}
  ~CudaModule() override { driver.cuModuleUnload(module); }

  const CudaDriver &driver;
  CUmodule module;
  package::CudaKernels table;
  std::vector<CUfunction> functions;
  std::vector<std::string> names;
};

class CudaBackend : public Backend {
public:
  CudaBackend() : driver(CudaDriver::load()) {
    const int mismatch = static_cast<int>(Status::TargetMismatch);
    int count = 0;
    driver->check(driver->cuDeviceGetCount(&count), "cuDeviceGetCount",
                  mismatch);
    int ordinal = 0;
    if (const char *chosen = std::getenv("FACET_CUDA_DEVICE"))
      ordinal = std::atoi(chosen);
    if (count < 1)
      throw Error(Status::TargetMismatch,
                  "the CUDA driver sees no GPU (cuDeviceGetCount = 0)");
    if (ordinal < 0 || ordinal >= count)
      throw Error(Status::InvalidArgument,
                  "FACET_CUDA_DEVICE=" + std::to_string(ordinal) +
                      " but the driver sees " + std::to_string(count) +
                      " GPU(s)");
    driver->check(driver->cuDeviceGet(&device, ordinal), "cuDeviceGet",
                  mismatch);
    driver->check(driver->cuDevicePrimaryCtxRetain(&context, device),
                  "cuDevicePrimaryCtxRetain", mismatch);
    driver->check(driver->cuCtxSetCurrent(context), "cuCtxSetCurrent",
                  mismatch);
    char name[256] = {};
    if (driver->cuDeviceGetName(name, sizeof(name) - 1, device) == CUDA_SUCCESS)
      deviceName = name;
  }

  ~CudaBackend() override {
    if (scratch.handle)
      driver->cuMemFree(scratch.handle);
    driver->cuDevicePrimaryCtxRelease(device);
  }

  const char *name() const override { return "cuda"; }

  DeviceMemory allocate(uint64_t bytes, const std::string &what) override {
    DeviceMemory memory;
    memory.bytes = bytes;
    memory.owned = true;
    if (bytes == 0)
      return memory;
    CUdeviceptr pointer = 0;
    CUresult result = driver->cuMemAlloc(&pointer, bytes);
    if (result != CUDA_SUCCESS)
      throw Error(Status::OutOfMemory, "cannot allocate " +
                                           std::to_string(bytes) +
                                           " bytes of GPU memory for " + what +
                                           ": " + driver->describe(result));
    memory.handle = pointer;
    check(driver->cuMemsetD8(pointer, 0, bytes), "zeroing " + what);
    return memory;
  }

  DeviceMemory importReadOnly(const void *host, uint64_t bytes) override {
    DeviceMemory memory = allocate(bytes, "the weights");
    if (bytes)
      check(driver->cuMemcpyHtoD(memory.handle, host, bytes),
            "uploading the weights");
    return memory;
  }

  void release(DeviceMemory &memory) override {
    if (memory.owned && memory.handle)
      driver->cuMemFree(memory.handle);
    memory = DeviceMemory();
  }

  void copyFromHost(const DeviceMemory &dst, uint64_t dstOffset,
                    const void *src, uint64_t bytes) override {
    check(driver->cuMemcpyHtoD(dst.handle + dstOffset, src, bytes),
          "copying to the GPU");
  }

  void copyToHost(void *dst, const DeviceMemory &src, uint64_t srcOffset,
                  uint64_t bytes) override {
    check(driver->cuMemcpyDtoH(dst, src.handle + srcOffset, bytes),
          "copying from the GPU");
  }

  void copy(const DeviceMemory &dst, uint64_t dstOffset,
            const DeviceMemory &src, uint64_t srcOffset,
            uint64_t bytes) override {
    check(driver->cuMemcpyDtoDAsync(dst.handle + dstOffset,
                                    src.handle + srcOffset, bytes, nullptr),
          "copying on the GPU");
  }

  std::unique_ptr<KernelModule>
  loadKernels(const uint8_t *code, uint64_t size,
              const std::vector<package::KernelInfo> &kernels,
              const std::string &packageName) override {
    package::CudaKernels table;
    try {
      table = package::parseCudaKernels(code, size, kernels);
    } catch (const package::FormatError &error) {
      throw Error(Status::Format, packageName + ": " + error.what());
    }
    CUmodule module = nullptr;
    CUresult result = driver->cuModuleLoadData(&module, table.fatbin);
    if (result != CUDA_SUCCESS)
      throw Error(Status::Kernel,
                  packageName + ": cannot load its CUDA kernels on " +
                      deviceName + " (" + computeCapability() +
                      "): " + driver->describe(result) +
                      " (is the package compiled for this GPU? cuda-sm90 "
                      "holds sm_90a, sm_80 and compute_90 code)");
    std::vector<CUfunction> functions;
    std::vector<std::string> names;
    for (const package::KernelInfo &kernel : kernels) {
      CUfunction function = nullptr;
      result =
          driver->cuModuleGetFunction(&function, module, kernel.symbol.c_str());
      if (result != CUDA_SUCCESS) {
        driver->cuModuleUnload(module);
        throw Error(Status::Kernel,
                    packageName + ": kernel '" + kernel.name + "' (" +
                        kernel.symbol +
                        ") is not in its fatbin: " + driver->describe(result));
      }
      functions.push_back(function);
      names.push_back(kernel.name);
    }
    return std::make_unique<CudaModule>(*driver, module, std::move(table),
                                        std::move(functions), std::move(names));
  }

  void launch(KernelModule &module, uint64_t kernel, const KernelArg *args,
              size_t count) override {
    auto &cudaModule = static_cast<CudaModule &>(module);
    const package::CudaKernelInfo &info = cudaModule.table.kernels.at(kernel);
    if (count > package::kMaxKernelArgs)
      throw Error(Status::Internal, "kernel launch with too many arguments");
    int32_t tokens = 1;
    if (info.tokensArg >= 0 && size_t(info.tokensArg) < count &&
        args[info.tokensArg].kind == KernelArg::Kind::Tensor)
      tokens = int32_t(args[info.tokensArg].tensor.shape[0]);
    uint64_t need =
        info.scratchFixedBytes + info.scratchPerTokenBytes * uint64_t(tokens);
    growScratch(need);

    // Parameter values live here until cuLaunchKernel has copied them.
    for (size_t i = 0; i < count; ++i) {
      if (args[i].kind == KernelArg::Kind::Scalar) {
        scalarValues[i] = args[i].scalar;
        params[i] = &scalarValues[i];
      } else {
        const TensorRef &tensor = args[i].tensor;
        pointerValues[i] = tensor.memory->handle + tensor.offset;
        params[i] = &pointerValues[i];
      }
    }
    tokenValue = tokens;
    scratchValue = scratch.handle;
    params[count] = &tokenValue;
    params[count + 1] = &scratchValue;
    CUresult result = driver->cuLaunchKernel(
        cudaModule.functions.at(kernel), info.gridBlocks, 1, 1,
        info.blockThreads, 1, 1, 0, nullptr, params, nullptr);
    if (result != CUDA_SUCCESS)
      throw Error(Status::Kernel, "launching kernel '" +
                                      cudaModule.names.at(kernel) +
                                      "': " + driver->describe(result));
  }

  void synchronize() override {
    check(driver->cuCtxSynchronize(), "running the CUDA kernels",
          Status::Kernel);
  }

  ThreadPool *threadPool() override { return nullptr; }
  int threads() const override { return 1; }

private:
  void check(CUresult result, const std::string &what,
             Status status = Status::Internal) {
    driver->check(result, what, static_cast<int>(status));
  }

  std::string computeCapability() {
    int major = 0, minor = 0;
    driver->cuDeviceGetAttribute(&major, kAttributeComputeMajor, device);
    driver->cuDeviceGetAttribute(&minor, kAttributeComputeMinor, device);
    return "sm_" + std::to_string(major) + std::to_string(minor);
  }

  /// Scratch only grows; earlier launches may still read it, so the old
  /// block is freed after the queue drains.
  void growScratch(uint64_t bytes) {
    if (bytes <= scratch.bytes)
      return;
    synchronize();
    if (scratch.handle)
      driver->cuMemFree(scratch.handle);
    scratch = DeviceMemory();
    scratch = allocate(bytes, "kernel scratch");
  }

  std::unique_ptr<CudaDriver> driver;
  CUdevice device = 0;
  CUcontext context = nullptr;
  std::string deviceName = "the GPU";
  DeviceMemory scratch;
  void *params[package::kMaxKernelArgs + 2] = {};
  CUdeviceptr pointerValues[package::kMaxKernelArgs] = {};
  int32_t scalarValues[package::kMaxKernelArgs] = {};
  int32_t tokenValue = 0;
  CUdeviceptr scratchValue = 0;
};

} // namespace

std::unique_ptr<Backend> createCudaBackend() {
  return std::make_unique<CudaBackend>();
}

} // namespace facet::runtime
