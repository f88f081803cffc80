//===- Backend.h - What the executor needs from a device --------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The executor drives every target through this interface: allocate and
// release memory, copy between host and device memory, load a package's
// kernel code, launch a kernel with bound arguments, synchronize. The CPU is
// the first implementation (host memory, kernels from a shared object,
// Halide's argv calling convention). A CUDA backend maps it onto driver-API
// allocations, cuMemcpy*Async on one stream, a module loaded from a fatbin
// and cuLaunchKernel (synchronize = stream sync); a Hexagon backend onto
// shared ION/rpcmem buffers and FastRPC calls. Memory is therefore a handle
// with an optional host pointer: kernels see TensorRefs into it, never raw
// host addresses. The executor's step loop (core/StepRunner.h) reaches a
// Backend through a core::Device adapter.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_BACKEND_BACKEND_H
#define FACET_RUNTIME_BACKEND_BACKEND_H

#include "runtime/core/Tensor.h"
#include "runtime/package/Manifest.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace facet::runtime {

class ThreadPool;

// Memory handles, tensors and kernel arguments are the core's plain
// structs (core/Tensor.h), shared with the freestanding Hexagon runner.
using core::DeviceMemory;
using core::KernelArg;
using core::TensorRef;

/// A package's kernel code, loaded, with every kernel resolved.
class KernelModule {
public:
  virtual ~KernelModule() = default;
};

class Backend {
public:
  virtual ~Backend() = default;

  virtual const char *name() const = 0;

  /// `bytes` of zero-filled memory, at least 64-byte aligned. `what` names
  /// it in an out-of-memory error.
  virtual DeviceMemory allocate(uint64_t bytes, const std::string &what) = 0;
  /// Makes read-only host bytes (the mapped Weights section) available to
  /// kernels: aliased on the CPU, uploaded by device backends.
  virtual DeviceMemory importReadOnly(const void *host, uint64_t bytes) = 0;
  virtual void release(DeviceMemory &memory) = 0;

  /// Copies; source and destination never overlap.
  virtual void copyFromHost(const DeviceMemory &dst, uint64_t dstOffset,
                            const void *src, uint64_t bytes) = 0;
  virtual void copyToHost(void *dst, const DeviceMemory &src,
                          uint64_t srcOffset, uint64_t bytes) = 0;
  virtual void copy(const DeviceMemory &dst, uint64_t dstOffset,
                    const DeviceMemory &src, uint64_t srcOffset,
                    uint64_t bytes) = 0;

  /// Loads the Kernels section and resolves every kernel; a missing symbol
  /// is an error here, not at the first launch. `packageName` prefixes
  /// error messages.
  virtual std::unique_ptr<KernelModule>
  loadKernels(const uint8_t *code, uint64_t size,
              const std::vector<package::KernelInfo> &kernels,
              const std::string &packageName) = 0;
  /// Runs kernel `kernel` of `module` (an index into the kernels given to
  /// loadKernels). May return before it finishes; throws Error(Kernel) if
  /// it fails.
  virtual void launch(KernelModule &module, uint64_t kernel,
                      const KernelArg *args, size_t count) = 0;
  /// Waits until every launch and copy has finished.
  virtual void synchronize() = 0;

  /// Threads used for host-side work, or null.
  virtual ThreadPool *threadPool() = 0;
  virtual int threads() const = 0;
};

/// The CPU backend with `threads` threads (>= 1) for kernels and host work.
std::unique_ptr<Backend> createCpuBackend(int threads);

/// The CUDA backend (runtime/cuda/): loads the driver with dlopen and takes
/// a GPU. Throws Error(TargetMismatch) when there is no driver or GPU.
std::unique_ptr<Backend> createCudaBackend();

} // namespace facet::runtime

#endif // FACET_RUNTIME_BACKEND_BACKEND_H
