//===- KernelLinker.cpp - kernel objects -> one shared object -------------===//

#include "codegen/driver/KernelLinker.h"

#include "frontend/support/Error.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

#include <cstdlib>
#include <fmt/format.h>
#include <optional>
#include <vector>

namespace facet::codegen {
namespace {

/// How to find the C++ driver that links one family's kernel library.
struct Toolchain {
  const char *family;
  /// Environment variables that name the driver, checked in order.
  std::vector<const char *> envVars;
  /// Programs looked up on the PATH, in order.
  std::vector<const char *> programs;
  /// What to do when none is found.
  const char *hint;
  /// Arguments after the objects: the libraries Halide's runtime needs, or
  /// linker options.
  std::vector<const char *> libraries;
};

/// The x86 kernels are linked by the compiler's own toolchain (Facet itself
/// runs on x86-64); aarch64 kernels need a cross linker and its sysroot's
/// libc, so $CXX (the host compiler) is never used for them. Hexagon
/// kernels are linked by lld alone: there is no Hexagon libc, and what the
/// code calls comes from facet-run-hexagon when it loads the library.
const std::vector<Toolchain> &toolchains() {
  static const std::vector<Toolchain> table = {
      {"x86_64",
       {"FACET_CXX", "CXX"},
       {"c++", "g++", "clang++"},
       "install build-essential, or set CXX",
       {"-lpthread", "-ldl"}},
      {"aarch64",
       {"FACET_AARCH64_CXX"},
       {"aarch64-linux-gnu-g++"},
       "install g++-aarch64-linux-gnu (tools/setup-deps), or set "
       "FACET_AARCH64_CXX to an aarch64 C++ compiler",
       {"-lpthread", "-ldl"}},
      {"hexagon",
       {"FACET_HEXAGON_LD"},
       {"ld.lld-14", "ld.lld", "ld.lld-19"},
       "install lld (tools/setup-deps), or set FACET_HEXAGON_LD to an lld "
       "that links Hexagon",
       // facet-run-hexagon's loader counts the symbols through DT_HASH.
       {"--hash-style=sysv"}},
  };
  return table;
}

const Toolchain &toolchainOf(const TargetInfo &target) {
  const Toolchain *toolchain = nullptr;
  for (const Toolchain &candidate : toolchains())
    if (target.family == candidate.family)
      toolchain = &candidate;
  if (!toolchain)
    throw Error(fmt::format("no linker is known for target {} (family {})",
                            target.name, target.family));
  return *toolchain;
}

std::string findLinker(const TargetInfo &target) {
  const Toolchain *toolchain = &toolchainOf(target);
  for (const char *var : toolchain->envVars) {
    const char *value = std::getenv(var);
    if (!value || !*value)
      continue;
    // ExecuteAndWait does not search the PATH: resolve a bare name here.
    if (auto path = llvm::sys::findProgramByName(value))
      return *path;
    throw Error(fmt::format("${}={} is not an executable program on the PATH "
                            "(it should name the program that links "
                            "kernels for target {})",
                            var, value, target.name));
  }
  std::string tried;
  for (const char *name : toolchain->programs) {
    if (auto path = llvm::sys::findProgramByName(name))
      return *path;
    tried += (tried.empty() ? "" : ", ") + std::string(name);
  }
  throw Error(fmt::format("no linker found for the kernel library of target {} "
                          "(looked for {} on the PATH): {}",
                          target.name, tried, toolchain->hint));
}

} // namespace

std::vector<uint8_t> readBinaryFile(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    throw Error(fmt::format("{}: {}", path, buffer.getError().message()));
  const char *start = (*buffer)->getBufferStart();
  return std::vector<uint8_t>(start, start + (*buffer)->getBufferSize());
}

void linkKernelLibrary(const TargetInfo &target,
                       const std::vector<std::string> &objects,
                       const std::string &output, const std::string &workDir) {
  std::string linker = findLinker(target);
  std::vector<std::string> args{linker, "-shared", "-o", output};
  args.insert(args.end(), objects.begin(), objects.end());
  for (const char *library : toolchainOf(target).libraries)
    args.push_back(library);
  std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::string logPath = workDir + "/link.log";
  std::optional<llvm::StringRef> redirects[] = {
      std::nullopt, llvm::StringRef(logPath), llvm::StringRef(logPath)};
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(linker, argRefs, std::nullopt, redirects,
                                     0, 0, &error);
  if (rc != 0) {
    auto log = llvm::MemoryBuffer::getFile(logPath);
    throw Error(fmt::format(
        "linking the kernel library with {} failed ({}): {}", linker,
        error.empty() ? "exit " + std::to_string(rc) : error,
        log ? (*log)->getBuffer().str() : ""));
  }
}

} // namespace facet::codegen
