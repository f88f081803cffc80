//===- ProfilingBackend.h - Times every launch of another backend -*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// A Backend that forwards everything to another one and waits for each
// kernel launch and each device copy (the KV-cache writes) to finish, so
// that the wall time of each is known. That serialises the work, so a
// profiled run is slower than a plain one: its shares are what `facet
// bench --profile` reports, its total is not a speed.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_BACKEND_PROFILINGBACKEND_H
#define FACET_RUNTIME_BACKEND_PROFILINGBACKEND_H

#include "runtime/backend/Backend.h"

#include <vector>

namespace facet::runtime {

class ProfilingBackend : public Backend {
public:
  /// `kernelCount` entries are kept, one per kernel of the package.
  ProfilingBackend(std::unique_ptr<Backend> inner, size_t kernelCount);

  struct Totals {
    std::vector<double> kernelSeconds; // per kernel index
    std::vector<uint64_t> kernelLaunches;
    double copySeconds = 0; // device-to-device copies (KV-cache writes)
    uint64_t copies = 0;
  };
  const Totals &totals() const { return sums; }
  void clear();

  const char *name() const override { return inner->name(); }
  DeviceMemory allocate(uint64_t bytes, const std::string &what) override {
    return inner->allocate(bytes, what);
  }
  DeviceMemory importReadOnly(const void *host, uint64_t bytes) override {
    return inner->importReadOnly(host, bytes);
  }
  void release(DeviceMemory &memory) override { inner->release(memory); }
  void copyFromHost(const DeviceMemory &dst, uint64_t dstOffset,
                    const void *src, uint64_t bytes) override {
    inner->copyFromHost(dst, dstOffset, src, bytes);
  }
  void copyToHost(void *dst, const DeviceMemory &src, uint64_t srcOffset,
                  uint64_t bytes) override {
    inner->copyToHost(dst, src, srcOffset, bytes);
  }
  void copy(const DeviceMemory &dst, uint64_t dstOffset,
            const DeviceMemory &src, uint64_t srcOffset,
            uint64_t bytes) override;
  std::unique_ptr<KernelModule>
  loadKernels(const uint8_t *code, uint64_t size,
              const std::vector<package::KernelInfo> &kernels,
              const std::string &packageName) override {
    return inner->loadKernels(code, size, kernels, packageName);
  }
  void launch(KernelModule &module, uint64_t kernel, const KernelArg *args,
              size_t count) override;
  void synchronize() override { inner->synchronize(); }
  ThreadPool *threadPool() override { return inner->threadPool(); }
  int threads() const override { return inner->threads(); }

private:
  std::unique_ptr<Backend> inner;
  Totals sums;
};

} // namespace facet::runtime

#endif // FACET_RUNTIME_BACKEND_PROFILINGBACKEND_H
