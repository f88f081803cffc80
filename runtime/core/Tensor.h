//===- Tensor.h - Memory handles and kernel arguments -----------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// What the step runner hands a device: memory as a handle with an optional
// host pointer (a CUDA allocation, an rpcmem buffer, or plain host bytes),
// tensors as an offset into such memory with a shape, and kernel arguments
// as tensors or int32 scalars. Plain structs shared by the host backends
// (backend/Backend.h) and the freestanding Hexagon runner, so one
// definition serves both.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CORE_TENSOR_H
#define FACET_RUNTIME_CORE_TENSOR_H

#include "runtime/core/Format.h"

namespace facet::core {

/// A block of memory a backend manages.
struct DeviceMemory {
  void *host = nullptr; // host-addressable bytes (CPU; mapped device memory)
  uint64_t handle = 0;  // backend handle (CUdeviceptr, rpcmem fd); 0 on CPU
  uint64_t bytes = 0;
  bool owned = false; // allocated by the backend, not imported
};

/// A dense row-major tensor at `offset` bytes into `memory`.
struct TensorRef {
  const DeviceMemory *memory = nullptr;
  uint64_t offset = 0;
  ElementType type = ElementType::F32;
  uint32_t rank = 0;
  int64_t shape[kMaxRank] = {}; // outermost first
};

/// One kernel argument, in the order of the step's arguments.
struct KernelArg {
  enum class Kind { Tensor, Scalar };
  Kind kind = Kind::Tensor;
  TensorRef tensor;   // Tensor
  int32_t scalar = 0; // Scalar
};

} // namespace facet::core

#endif // FACET_RUNTIME_CORE_TENSOR_H
