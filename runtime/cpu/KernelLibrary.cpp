//===- KernelLibrary.cpp - A package's kernels as a shared object ---------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/KernelLibrary.h"

#include "facet/Runtime.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

namespace facet::runtime {

namespace {

#if defined(__x86_64__)
constexpr uint16_t kHostMachine = 62; // EM_X86_64
constexpr const char *kHostMachineName = "x86_64";
#elif defined(__aarch64__)
constexpr uint16_t kHostMachine = 183; // EM_AARCH64
constexpr const char *kHostMachineName = "aarch64";
#else
constexpr uint16_t kHostMachine = 0;
constexpr const char *kHostMachineName = "this machine";
#endif

const char *machineName(uint16_t machine) {
  switch (machine) {
  case 62:
    return "x86_64";
  case 183:
    return "aarch64";
  case 164:
    return "hexagon";
  case 190:
    return "cuda";
  default:
    return "an unknown machine";
  }
}

bool writeAll(int fd, const uint8_t *data, uint64_t size) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    data += written;
    size -= static_cast<uint64_t>(written);
  }
  return true;
}

[[noreturn]] void fail(const std::string &packageName,
                       const std::string &message) {
  throw Error(Status::Kernel, packageName + ": kernel code: " + message);
}

/// dlopen's the object after writing it to a memfd or a temporary file.
void *openFromMemory(const uint8_t *code, uint64_t size,
                     const std::string &packageName) {
  std::string dlError;
#ifdef MFD_CLOEXEC
  int fd = memfd_create("facet-kernels", MFD_CLOEXEC);
  if (fd >= 0) {
    void *handle = nullptr;
    if (writeAll(fd, code, size)) {
      std::string path = "/proc/self/fd/" + std::to_string(fd);
      handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle)
        dlError = dlerror();
    }
    ::close(fd); // the loader keeps its own mapping
    if (handle)
      return handle;
  }
#endif
  // /proc may be missing (some sandboxes): a private temporary file.
  const char *dir = std::getenv("TMPDIR");
  std::string pattern =
      std::string(dir && *dir ? dir : "/tmp") + "/facet-kernels-XXXXXX";
  std::vector<char> path(pattern.begin(), pattern.end());
  path.push_back('\0');
  int tmp = mkstemp(path.data());
  if (tmp < 0)
    fail(packageName, "cannot create a temporary file for the kernel "
                      "object in " +
                          std::string(dir && *dir ? dir : "/tmp") + ": " +
                          std::strerror(errno) +
                          (dlError.empty() ? "" : " (" + dlError + ")"));
  bool written = writeAll(tmp, code, size);
  ::close(tmp);
  void *handle = nullptr;
  if (written) {
    handle = dlopen(path.data(), RTLD_NOW | RTLD_LOCAL);
    if (!handle)
      dlError = dlerror();
  } else {
    dlError =
        std::string("cannot write a temporary file: ") + std::strerror(errno);
  }
  ::unlink(path.data());
  if (!handle)
    fail(packageName, "cannot load the kernel object: " + dlError);
  return handle;
}

} // namespace

std::string checkSharedObject(const uint8_t *code, uint64_t size) {
  if (size < 64 || std::memcmp(code,
                               "\x7f"
                               "ELF",
                               4) != 0)
    return "the Kernels section is not an ELF shared object";
  if (code[4] != 2 || code[5] != 1)
    return "the Kernels section is not a 64-bit little-endian ELF object";
  uint16_t type = static_cast<uint16_t>(code[16] | code[17] << 8);
  uint16_t machine = static_cast<uint16_t>(code[18] | code[19] << 8);
  if (type != 3) // ET_DYN
    return "the Kernels section is an ELF object but not a shared object";
  if (machine != kHostMachine)
    return std::string("the Kernels section holds code for ") +
           machineName(machine) + ", this machine is " + kHostMachineName;
  return "";
}

KernelLibrary::KernelLibrary(const uint8_t *code, uint64_t size,
                             const std::vector<package::KernelInfo> &kernels,
                             const std::string &packageName, int threads)
    : kernels(kernels) {
  std::string problem = checkSharedObject(code, size);
  if (!problem.empty())
    fail(packageName, problem);
  handle = openFromMemory(code, size, packageName);

  for (const package::KernelInfo &kernel : kernels) {
    dlerror();
    void *symbol = dlsym(handle, kernel.symbol.c_str());
    if (!symbol) {
      dlclose(handle);
      handle = nullptr;
      fail(packageName, "kernel '" + kernel.name + "': symbol '" +
                            kernel.symbol +
                            "' is missing from the kernel object");
    }
    entries.push_back(reinterpret_cast<core::halide::ArgvFunction>(symbol));
  }

  // Halide's thread pool lives in the object; size it like ours.
  using SetThreads = int (*)(int);
  if (void *set = dlsym(handle, "halide_set_num_threads"))
    reinterpret_cast<SetThreads>(set)(threads);
}

KernelLibrary::~KernelLibrary() {
  if (!handle)
    return;
  // Halide's worker threads run code inside the object: stop them first.
  using Shutdown = void (*)();
  if (void *shutdown = dlsym(handle, "halide_shutdown_thread_pool"))
    reinterpret_cast<Shutdown>(shutdown)();
  dlclose(handle);
}

} // namespace facet::runtime
