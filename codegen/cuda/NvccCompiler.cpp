//===- NvccCompiler.cpp - CUDA C++ -> one fatbin with nvcc ----------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/NvccCompiler.h"

#include "frontend/support/Error.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

#include <cstdlib>
#include <fmt/format.h>
#include <regex>
#include <sstream>

namespace facet::codegen {

std::string findNvcc() {
  if (const char *value = std::getenv("FACET_NVCC"); value && *value) {
    if (auto path = llvm::sys::findProgramByName(value))
      return *path;
    throw Error(
        fmt::format("$FACET_NVCC={} is not an executable program", value));
  }
  if (auto path = llvm::sys::findProgramByName("nvcc"))
    return *path;
  std::vector<std::string> candidates;
  if (const char *home = std::getenv("CUDA_HOME"); home && *home)
    candidates.push_back(std::string(home) + "/bin/nvcc");
  candidates.push_back("/usr/local/cuda/bin/nvcc");
  for (const std::string &candidate : candidates)
    if (llvm::sys::fs::can_execute(candidate))
      return candidate;
  throw Error("CUDA targets need the CUDA toolkit's nvcc, which is not on "
              "the PATH, in $CUDA_HOME/bin or in /usr/local/cuda/bin: "
              "install the CUDA toolkit, or set FACET_NVCC");
}

std::vector<PtxasKernelReport> parsePtxasLog(const std::string &log) {
  // ptxas info    : Compiling entry function 'k' for 'sm_90a'
  // ptxas info    : Function properties for k
  //     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
  // ptxas info    : Used 40 registers, used 0 barriers, 400 bytes cmem[0]
  static const std::regex entry(
      R"(Compiling entry function '([^']+)' for '([^']+)')");
  static const std::regex frame(
      R"((\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads)");
  static const std::regex used(R"(Used (\d+) registers)");
  std::vector<PtxasKernelReport> reports;
  std::istringstream lines(log);
  std::string line;
  std::smatch match;
  while (std::getline(lines, line)) {
    if (std::regex_search(line, match, entry)) {
      PtxasKernelReport report;
      report.kernel = match[1];
      report.arch = match[2];
      reports.push_back(report);
    } else if (!reports.empty() && std::regex_search(line, match, frame)) {
      reports.back().stackBytes = std::stoull(match[1]);
      reports.back().spillStoreBytes = std::stoull(match[2]);
      reports.back().spillLoadBytes = std::stoull(match[3]);
    } else if (!reports.empty() && std::regex_search(line, match, used)) {
      reports.back().registers = std::stoi(match[1]);
    }
  }
  return reports;
}

void compileFatbin(const TargetInfo &target, const std::string &sourcePath,
                   const std::string &fatbinPath, const std::string &logPath) {
  if (target.cudaGencodes.empty())
    throw Error(fmt::format("internal: target {} lists no CUDA architectures",
                            target.name));
  std::string nvcc = findNvcc();
  // -O3 for the device code; no fast math: the kernels follow the
  // reference's f32 arithmetic (expf, tanhf, powf, IEEE division).
  std::vector<std::string> args{nvcc,       "-std=c++17", "-O3",
                                "--fatbin", "-Xptxas",    "-v"};
  for (const std::string &gencode : target.cudaGencodes)
    args.push_back("-gencode=" + gencode);
  args.insert(args.end(), {"-o", fatbinPath, sourcePath});
  std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::optional<llvm::StringRef> redirects[] = {
      std::nullopt, llvm::StringRef(logPath), llvm::StringRef(logPath)};
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(nvcc, argRefs, std::nullopt, redirects, 0,
                                     0, &error);
  if (rc != 0) {
    auto log = llvm::MemoryBuffer::getFile(logPath);
    throw Error(fmt::format(
        "compiling the CUDA kernels ({}) with {} failed "
        "({}): {}",
        sourcePath, nvcc, error.empty() ? "exit " + std::to_string(rc) : error,
        log ? (*log)->getBuffer().str() : ""));
  }
}

} // namespace facet::codegen
