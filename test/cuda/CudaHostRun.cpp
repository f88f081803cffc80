//===- CudaHostRun.cpp - Run a CUDA package's kernels on the CPU ----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
//   facet-cuda-host-run MODEL.facet KERNELS.so --prompt-ids 2,17,... [-n N]
//                       [--dump-logits FILE]
//   facet-cuda-host-run MODEL.facet --list-fatbin
//
// Runs a package compiled for a CUDA target through the runtime's Executor
// (the plan, arenas, KV-cache steps, launch table and argument binding the
// CUDA backend uses) with a backend that calls the package's kernels built
// from the same kernels.cu as host C++ (HostCudaShim.h: one thread per
// block). Prints the greedy tokens like facet-run and dumps the logits of
// the last prompt position and of every generated token (facet-run's
// --dump-logits layout without --all-logits), so compare_fixture checks
// the generated CUDA source against the transformers fixtures without a
// GPU.
//
// --list-fatbin prints the Kernels section's fatbin entries, one line each:
// "elf sm_90a", "ptx sm_90", ... (read from the fatbin container headers:
// kind 1 PTX, 2 ELF; the architecture number; flag bit 20 marks an
// architecture-specific "a" target).
//
//===----------------------------------------------------------------------===//

#include "runtime/backend/Backend.h"
#include "runtime/core/Greedy.h"
#include "runtime/exec/Executor.h"
#include "runtime/package/ByteIO.h"
#include "runtime/package/CudaKernels.h"
#include "runtime/package/PackageFile.h"

#include "facet/Runtime.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <stdexcept>
#include <string>
#include <vector>

using namespace facet;
using namespace facet::runtime;

namespace {

using HostEntry = void (*)(void **);

struct HostModule : KernelModule {
  void *library = nullptr;
  package::CudaKernels table;
  std::vector<HostEntry> entries;
  ~HostModule() override {
    if (library)
      dlclose(library);
  }
};

/// Host memory; kernels from the host build of kernels.cu.
class HostCudaBackend : public Backend {
public:
  explicit HostCudaBackend(std::string library) : path(std::move(library)) {}
  ~HostCudaBackend() override { std::free(scratch); }

  const char *name() const override { return "cuda-on-host"; }
  DeviceMemory allocate(uint64_t bytes, const std::string &) override {
    DeviceMemory memory;
    memory.bytes = bytes;
    memory.owned = true;
    memory.host = bytes ? std::calloc(1, bytes) : nullptr;
    if (bytes && !memory.host)
      throw Error(Status::OutOfMemory, "out of memory");
    return memory;
  }
  DeviceMemory importReadOnly(const void *host, uint64_t bytes) override {
    DeviceMemory memory;
    memory.host = const_cast<void *>(host);
    memory.bytes = bytes;
    return memory;
  }
  void release(DeviceMemory &memory) override {
    if (memory.owned)
      std::free(memory.host);
    memory = DeviceMemory();
  }
  void copyFromHost(const DeviceMemory &dst, uint64_t offset, const void *src,
                    uint64_t bytes) override {
    std::memcpy(static_cast<uint8_t *>(dst.host) + offset, src, bytes);
  }
  void copyToHost(void *dst, const DeviceMemory &src, uint64_t offset,
                  uint64_t bytes) override {
    std::memcpy(dst, static_cast<const uint8_t *>(src.host) + offset, bytes);
  }
  void copy(const DeviceMemory &dst, uint64_t dstOffset,
            const DeviceMemory &src, uint64_t srcOffset,
            uint64_t bytes) override {
    std::memcpy(static_cast<uint8_t *>(dst.host) + dstOffset,
                static_cast<const uint8_t *>(src.host) + srcOffset, bytes);
  }
  std::unique_ptr<KernelModule>
  loadKernels(const uint8_t *code, uint64_t size,
              const std::vector<package::KernelInfo> &kernels,
              const std::string &) override {
    auto module = std::make_unique<HostModule>();
    module->table = package::parseCudaKernels(code, size, kernels);
    module->library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!module->library)
      throw std::runtime_error(std::string("dlopen: ") + dlerror());
    for (const package::KernelInfo &kernel : kernels) {
      auto entry = reinterpret_cast<HostEntry>(
          dlsym(module->library, (kernel.symbol + "_host").c_str()));
      if (!entry)
        throw std::runtime_error(kernel.symbol + "_host is not in " + path);
      module->entries.push_back(entry);
    }
    return module;
  }
  void launch(KernelModule &module, uint64_t kernel, const KernelArg *args,
              size_t count) override {
    auto &host = static_cast<HostModule &>(module);
    const package::CudaKernelInfo &info = host.table.kernels.at(kernel);
    int32_t tokens = 1;
    if (info.tokensArg >= 0)
      tokens = int32_t(args[info.tokensArg].tensor.shape[0]);
    uint64_t need =
        info.scratchFixedBytes + info.scratchPerTokenBytes * uint64_t(tokens);
    if (need > scratchBytes) {
      std::free(scratch);
      scratch = static_cast<uint8_t *>(std::aligned_alloc(64, need + 64));
      scratchBytes = need;
    }
    std::vector<void *> pointers(count + 2);
    std::vector<void *> params(count + 2);
    std::vector<int32_t> scalars(count);
    for (size_t i = 0; i < count; ++i) {
      if (args[i].kind == KernelArg::Kind::Scalar) {
        scalars[i] = args[i].scalar;
        params[i] = &scalars[i];
      } else {
        pointers[i] = static_cast<uint8_t *>(args[i].tensor.memory->host) +
                      args[i].tensor.offset;
        params[i] = &pointers[i];
      }
    }
    params[count] = &tokens;
    pointers[count + 1] = scratch;
    params[count + 1] = &pointers[count + 1];
    host.entries.at(kernel)(params.data());
  }
  void synchronize() override {}
  ThreadPool *threadPool() override { return nullptr; }
  int threads() const override { return 1; }

private:
  std::string path;
  uint8_t *scratch = nullptr;
  uint64_t scratchBytes = 0;
};

int listFatbin(const package::ParsedPackage &parsed) {
  package::CudaKernels table = package::parseCudaKernels(
      parsed.kernels.data, parsed.kernels.size, parsed.manifest.kernels);
  const uint8_t *fatbin = table.fatbin;
  uint64_t size = table.fatbinSize;
  if (size < 16 || package::loadU32(fatbin) != 0xBA55ED50u) {
    std::fprintf(stderr, "not a fatbin (magic)\n");
    return 1;
  }
  uint64_t headerSize = fatbin[6] | (fatbin[7] << 8);
  uint64_t end = headerSize + package::loadU64(fatbin + 8);
  if (end > size) {
    std::fprintf(stderr, "fatbin header overruns the section\n");
    return 1;
  }
  for (uint64_t at = headerSize; at + 64 <= end;) {
    const uint8_t *entry = fatbin + at;
    unsigned kind = entry[0] | (entry[1] << 8);
    uint64_t entryHeader = package::loadU32(entry + 4);
    uint64_t payload = package::loadU64(entry + 8);
    unsigned arch = package::loadU32(entry + 28);
    uint64_t flags = package::loadU64(entry + 40);
    std::printf("%s sm_%u%s\n",
                kind == 1   ? "ptx"
                : kind == 2 ? "elf"
                            : "unknown",
                arch, (flags >> 20) & 1 ? "a" : "");
    if (entryHeader == 0)
      return 1;
    at += entryHeader + payload;
  }
  return 0;
}

std::vector<int32_t> parseIds(const std::string &text) {
  std::vector<int32_t> ids;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos)
      comma = text.size();
    ids.push_back(std::stoi(text.substr(start, comma - start)));
    start = comma + 1;
  }
  return ids;
}

} // namespace

int main(int argc, char **argv) {
  try {
    if (argc == 3 && std::string(argv[2]) == "--list-fatbin") {
      auto file = package::PackageFile::open(argv[1]);
      return listFatbin(file->package());
    }
    if (argc < 4) {
      std::fprintf(stderr, "usage: facet-cuda-host-run MODEL.facet KERNELS.so "
                           "--prompt-ids IDS [-n N] [--dump-logits FILE]\n"
                           "       facet-cuda-host-run MODEL.facet "
                           "--list-fatbin\n");
      return 2;
    }
    std::vector<int32_t> prompt;
    long generate = 32;
    std::string dumpPath;
    for (int i = 3; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "--prompt-ids" && i + 1 < argc)
        prompt = parseIds(argv[++i]);
      else if (arg == "-n" && i + 1 < argc)
        generate = std::stol(argv[++i]);
      else if (arg == "--dump-logits" && i + 1 < argc)
        dumpPath = argv[++i];
      else
        throw std::runtime_error("unexpected argument " + arg);
    }
    auto file = package::PackageFile::open(argv[1]);
    if (file->manifest().target.arch != "cuda")
      throw std::runtime_error("not a CUDA package");
    HostCudaBackend backend(argv[2]);
    Executor executor(file->package(), backend, argv[1]);
    const package::EntryPoint &prefill = executor.prefillEntry();
    size_t vocab = size_t(file->manifest().model.vocabSize);
    std::FILE *dump =
        dumpPath.empty() ? nullptr : std::fopen(dumpPath.c_str(), "wb");
    if (!dumpPath.empty() && !dump)
      throw std::runtime_error("cannot write " + dumpPath);
    // Rows as facet-run --dump-logits writes them: every prompt row when
    // the package computes them all (--all-logits), else the last one; then
    // one per generated token.
    int64_t position = 0;
    for (size_t start = 0; start < prompt.size();) {
      int64_t count =
          std::min<int64_t>(prefill.maxTokens, int64_t(prompt.size() - start));
      executor.run(prefill, prompt.data() + start, count, position);
      position += count;
      start += size_t(count);
      int64_t rows = executor.logitsRows();
      if (dump && (rows == count || start == prompt.size()))
        std::fwrite(
            executor.logits() + (rows == count ? 0 : (rows - 1) * vocab),
            sizeof(float), size_t(rows == count ? rows : 1) * vocab, dump);
    }
    auto lastRow = [&] {
      return executor.logits() + size_t(executor.logitsRows() - 1) * vocab;
    };
    for (long i = 0; i < generate; ++i) {
      int32_t token = core::argmaxToken(lastRow(), int64_t(vocab));
      std::printf(i == 0 ? "%d" : ",%d", token);
      executor.run(executor.decodeEntry(), &token, 1, position++);
      if (dump)
        std::fwrite(lastRow(), sizeof(float), vocab, dump);
    }
    std::printf("\n");
    if (dump)
      std::fclose(dump);
    return 0;
  } catch (const std::exception &error) {
    std::fprintf(stderr, "facet-cuda-host-run: error: %s\n", error.what());
    return 1;
  }
}
