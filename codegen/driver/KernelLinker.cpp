//===- KernelLinker.cpp - kernel objects -> one shared object -------------===//

#include "codegen/driver/KernelLinker.h"

#include "frontend/support/Error.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

#include <cstdlib>
#include <fmt/format.h>
#include <optional>

namespace facet::codegen {
namespace {

/// $FACET_CXX, $CXX, or the first of c++, g++, clang++ on the PATH.
std::string findLinker() {
  for (const char *var : {"FACET_CXX", "CXX"})
    if (const char *value = std::getenv(var); value && *value)
      return value;
  for (const char *name : {"c++", "g++", "clang++"})
    if (auto path = llvm::sys::findProgramByName(name))
      return *path;
  throw Error("no C++ compiler found to link the kernel library (set CXX)");
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
  (void)target; // every registered target is linked by the host toolchain
  std::string linker = findLinker();
  std::vector<std::string> args{linker, "-shared", "-o", output};
  args.insert(args.end(), objects.begin(), objects.end());
  args.push_back("-lpthread");
  args.push_back("-ldl");
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
