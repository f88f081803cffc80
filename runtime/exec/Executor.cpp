//===- Executor.cpp - Runs a package's entry points -----------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/exec/Executor.h"

#include "facet/Runtime.h"

namespace facet::runtime {

using package::EntryPoint;

struct Executor::EntryState {
  const EntryPoint *entry = nullptr;
  const core::EntryView *view = nullptr; // the same entry point, for the core
  DeviceMemory arena;
};

/// The step runner's device: the backend, whose failures are exceptions
/// that pass through the core (it holds nothing to release).
class Executor::BackendDevice final : public core::Device {
public:
  BackendDevice(Backend &backend, KernelModule &kernels)
      : backend(backend), kernels(kernels) {}

  bool copyFromHost(const DeviceMemory &dst, uint64_t dstOffset,
                    const void *src, uint64_t bytes, core::Status &) override {
    backend.copyFromHost(dst, dstOffset, src, bytes);
    return true;
  }
  bool copy(const DeviceMemory &dst, uint64_t dstOffset,
            const DeviceMemory &src, uint64_t srcOffset, uint64_t bytes,
            core::Status &) override {
    backend.copy(dst, dstOffset, src, srcOffset, bytes);
    return true;
  }
  bool launch(uint64_t kernel, const KernelArg *args, uint64_t count,
              core::Status &) override {
    backend.launch(kernels, kernel, args, size_t(count));
    return true;
  }

private:
  Backend &backend;
  KernelModule &kernels;
};

namespace {

Status statusOf(core::Code code) {
  switch (code) {
  case core::Code::Ok:
    return Status::Ok;
  case core::Code::Format:
    return Status::Format;
  case core::Code::InvalidArgument:
    return Status::InvalidArgument;
  case core::Code::ContextOverflow:
    return Status::ContextOverflow;
  case core::Code::TokenOutOfRange:
    return Status::TokenOutOfRange;
  case core::Code::Kernel:
    return Status::Kernel;
  case core::Code::OutOfMemory:
    return Status::OutOfMemory;
  case core::Code::Internal:
    return Status::Internal;
  }
  return Status::Internal;
}

} // namespace

Executor::Executor(const package::ParsedPackage &package, Backend &backend,
                   const std::string &packageName)
    : package(package), backend(backend), packageName(packageName) {
  const package::Manifest &manifest = package.manifest;
  prefill = package::findEntryPoint(manifest, "prefill");
  decode = package::findEntryPoint(manifest, "decode");
  if (!prefill || !decode) // parseManifest guarantees both
    throw Error(Status::Internal, packageName + ": no prefill/decode entry");

  try {
    kernels = backend.loadKernels(package.kernels.data, package.kernels.size,
                                  manifest.kernels, packageName);
    weights =
        backend.importReadOnly(package.weights.data, package.weights.size);
    for (size_t c = 0; c < manifest.caches.size(); ++c) {
      const std::string &name = manifest.caches[c].name;
      core::CacheBytes bytes = core::cacheBytes(package.view.caches[c]);
      core::CacheMemory &memory = caches.emplace_back();
      memory.keys =
          backend.allocate(bytes.keys, "the keys of cache '" + name + "'");
      memory.values =
          backend.allocate(bytes.keys, "the values of cache '" + name + "'");
      memory.keyScales = backend.allocate(
          bytes.scales, "the key scales of cache '" + name + "'");
      memory.valueScales = backend.allocate(
          bytes.scales, "the value scales of cache '" + name + "'");
    }
    for (size_t i = 0; i < manifest.entryPoints.size(); ++i) {
      const EntryPoint &entry = manifest.entryPoints[i];
      auto state = std::make_unique<EntryState>();
      state->entry = &entry;
      state->view = &package.view.entries[i];
      state->arena = backend.allocate(entry.arenaBytes,
                                      "the arena of '" + entry.name + "'");
      entries.push_back(std::move(state));
    }
  } catch (...) {
    releaseMemory();
    throw;
  }
  device = std::make_unique<BackendDevice>(backend, *kernels);
  runner = std::make_unique<core::StepRunner>(package.view, weights,
                                              caches.data(), *device);
}

Executor::~Executor() {
  backend.synchronize();
  releaseMemory();
}

void Executor::releaseMemory() {
  for (core::CacheMemory &memory : caches) {
    backend.release(memory.keys);
    backend.release(memory.values);
    backend.release(memory.keyScales);
    backend.release(memory.valueScales);
  }
  for (auto &state : entries)
    backend.release(state->arena);
  backend.release(weights);
}

Executor::EntryState &Executor::stateOf(const EntryPoint &entry) {
  for (auto &state : entries)
    if (state->entry == &entry)
      return *state;
  throw Error(Status::Internal, "entry point '" + entry.name +
                                    "' does not belong to this executor");
}

void Executor::run(const EntryPoint &entry, const int32_t *tokens,
                   int64_t count, int64_t start, bool logits) {
  EntryState &state = stateOf(entry);
  lastEntry = nullptr;
  core::Status status;
  if (!runner->run(*state.view, state.arena, tokens, count, start, status,
                   logits))
    throw Error(statusOf(status.code), status.message);
  backend.synchronize();
  if (!logits)
    return;
  lastEntry = &state;
  lastRows = lastPositionOnly(entry) ? 1 : count;
}

bool Executor::lastPositionOnly(const EntryPoint &entry) {
  return entry.buffers[entry.logitsBuffer].shape[0] != package::kTokens;
}

const float *Executor::logits() {
  if (!lastEntry)
    throw Error(Status::BadState, "no logits: nothing has run yet");
  const EntryPoint &entry = *lastEntry->entry;
  uint64_t offset = entry.buffers[entry.logitsBuffer].arenaOffset;
  if (lastEntry->arena.host)
    return reinterpret_cast<const float *>(
        static_cast<const uint8_t *>(lastEntry->arena.host) + offset);
  uint64_t floats =
      uint64_t(lastRows) * uint64_t(package.manifest.model.vocabSize);
  hostLogits.resize(floats);
  backend.copyToHost(hostLogits.data(), lastEntry->arena, offset,
                     floats * sizeof(float));
  return hostLogits.data();
}

} // namespace facet::runtime
