//===- ProfilingBackend.cpp - Times every launch of another backend -------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/backend/ProfilingBackend.h"

#include <chrono>

namespace facet::runtime {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace

ProfilingBackend::ProfilingBackend(std::unique_ptr<Backend> inner,
                                   size_t kernelCount)
    : inner(std::move(inner)) {
  sums.kernelSeconds.assign(kernelCount, 0.0);
  sums.kernelLaunches.assign(kernelCount, 0);
}

void ProfilingBackend::clear() {
  std::fill(sums.kernelSeconds.begin(), sums.kernelSeconds.end(), 0.0);
  std::fill(sums.kernelLaunches.begin(), sums.kernelLaunches.end(), 0);
  sums.copySeconds = 0;
  sums.copies = 0;
}

void ProfilingBackend::copy(const DeviceMemory &dst, uint64_t dstOffset,
                            const DeviceMemory &src, uint64_t srcOffset,
                            uint64_t bytes) {
  // Whatever ran before is not this copy's time.
  inner->synchronize();
  Clock::time_point start = Clock::now();
  inner->copy(dst, dstOffset, src, srcOffset, bytes);
  inner->synchronize();
  sums.copySeconds += secondsSince(start);
  ++sums.copies;
}

void ProfilingBackend::launch(KernelModule &module, uint64_t kernel,
                              const KernelArg *args, size_t count) {
  inner->synchronize();
  Clock::time_point start = Clock::now();
  inner->launch(module, kernel, args, count);
  inner->synchronize();
  if (kernel < sums.kernelSeconds.size()) {
    sums.kernelSeconds[kernel] += secondsSince(start);
    ++sums.kernelLaunches[kernel];
  }
}

} // namespace facet::runtime
