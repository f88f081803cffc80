//===- CpuBackend.cpp - The host CPU as a Backend -------------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Memory is anonymous mmap (page aligned, zero-filled lazily, so a large KV
// cache costs nothing until it is written); weights are used in place in
// the package mapping. A launch translates TensorRefs into halide_buffer_t
// descriptors and calls the kernel's argv entry point synchronously, so
// synchronize() has nothing to wait for.
//
//===----------------------------------------------------------------------===//

#include "runtime/backend/Backend.h"
#include "runtime/core/HalideArgs.h"
#include "runtime/cpu/KernelLibrary.h"
#include "runtime/cpu/ThreadPool.h"

#include "facet/Runtime.h"

#include <cstring>

#include <sys/mman.h>

namespace facet::runtime {

namespace {

/// Copies of at least this many bytes are split over the thread pool.
constexpr uint64_t kParallelCopyBytes = uint64_t(4) << 20;

class CpuBackend : public Backend {
public:
  explicit CpuBackend(int threads) : pool(threads), threadCount(threads) {}

  const char *name() const override { return "cpu"; }

  DeviceMemory allocate(uint64_t bytes, const std::string &what) override {
    DeviceMemory memory;
    memory.bytes = bytes;
    memory.owned = true;
    if (bytes == 0)
      return memory;
    void *host = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (host == MAP_FAILED)
      throw Error(Status::OutOfMemory, "cannot allocate " +
                                           std::to_string(bytes) +
                                           " bytes for " + what);
    memory.host = host;
    return memory;
  }

  DeviceMemory importReadOnly(const void *host, uint64_t bytes) override {
    DeviceMemory memory;
    memory.host = const_cast<void *>(host); // kernels only read weights
    memory.bytes = bytes;
    return memory;
  }

  void release(DeviceMemory &memory) override {
    if (memory.owned && memory.host)
      munmap(memory.host, memory.bytes);
    memory = DeviceMemory();
  }

  void copyFromHost(const DeviceMemory &dst, uint64_t dstOffset,
                    const void *src, uint64_t bytes) override {
    copyBytes(static_cast<uint8_t *>(dst.host) + dstOffset, src, bytes);
  }

  void copyToHost(void *dst, const DeviceMemory &src, uint64_t srcOffset,
                  uint64_t bytes) override {
    copyBytes(dst, static_cast<const uint8_t *>(src.host) + srcOffset, bytes);
  }

  void copy(const DeviceMemory &dst, uint64_t dstOffset,
            const DeviceMemory &src, uint64_t srcOffset,
            uint64_t bytes) override {
    copyBytes(static_cast<uint8_t *>(dst.host) + dstOffset,
              static_cast<const uint8_t *>(src.host) + srcOffset, bytes);
  }

  std::unique_ptr<KernelModule>
  loadKernels(const uint8_t *code, uint64_t size,
              const std::vector<package::KernelInfo> &kernels,
              const std::string &packageName) override {
    return std::make_unique<KernelLibrary>(code, size, kernels, packageName,
                                           threadCount);
  }

  void launch(KernelModule &module, uint64_t kernel, const KernelArg *args,
              size_t count) override {
    auto &library = static_cast<KernelLibrary &>(module);
    if (count > package::kMaxKernelArgs) // the manifest reader bounds it
      throw Error(Status::Internal, "kernel launch with too many arguments");
    int result = library.entry(kernel)(argv.build(args, count));
    if (result != 0)
      throw Error(Status::Kernel, "kernel '" + library.info(kernel).name +
                                      "' (" + library.info(kernel).symbol +
                                      ") failed with error " +
                                      std::to_string(result));
  }

  void synchronize() override {}

  ThreadPool *threadPool() override { return &pool; }
  int threads() const override { return threadCount; }

private:
  void copyBytes(void *dst, const void *src, uint64_t bytes) {
    if (bytes < kParallelCopyBytes || pool.size() == 1) {
      std::memcpy(dst, src, bytes);
      return;
    }
    uint64_t parts = static_cast<uint64_t>(pool.size());
    uint64_t part = (bytes + parts - 1) / parts;
    pool.parallelFor(parts, [&](uint64_t i) {
      uint64_t begin = i * part;
      if (begin >= bytes)
        return;
      uint64_t size = begin + part <= bytes ? part : bytes - begin;
      std::memcpy(static_cast<uint8_t *>(dst) + begin,
                  static_cast<const uint8_t *>(src) + begin, size);
    });
  }

  ThreadPool pool;
  int threadCount;
  // Launch scratch, reused: no allocation per launch.
  core::halide::ArgvBuilder argv;
};

} // namespace

std::unique_ptr<Backend> createCpuBackend(int threads) {
  return std::make_unique<CpuBackend>(threads < 1 ? 1 : threads);
}

} // namespace facet::runtime
