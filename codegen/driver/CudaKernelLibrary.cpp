//===- CudaKernelLibrary.cpp - A CUDA package's Kernels section -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "codegen/driver/CudaKernelLibrary.h"

#include "codegen/cuda/CudaKernelBuilder.h"
#include "codegen/cuda/NvccCompiler.h"
#include "codegen/driver/KernelLinker.h"
#include "frontend/support/Error.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <set>

namespace facet::codegen {

KernelSignature CudaKernelLibrary::add(KernelOp kernel,
                                       const std::string &symbol) {
  if (source.empty())
    source = cudaPrelude();
  CudaKernel generated = generateCudaKernel(kernel, target, symbol);
  source += fmt::format("\n// kernel '{}'\n", kernel.getName().str());
  source += generated.source;
  launches.push_back(generated.launch);
  return generated.signature;
}

std::vector<uint8_t> CudaKernelLibrary::build(const std::string &workDir,
                                              llvm::raw_ostream &log) {
  auto start = std::chrono::steady_clock::now();
  std::string sourcePath = workDir + "/kernels.cu";
  std::string fatbinPath = workDir + "/kernels.fatbin";
  std::string logPath = workDir + "/ptxas.log";
  {
    std::error_code error;
    llvm::raw_fd_ostream out(sourcePath, error);
    if (error)
      throw Error(fmt::format("{}: {}", sourcePath, error.message()));
    out << source;
  }
  compileFatbin(target, sourcePath, fatbinPath, logPath);

  auto text = llvm::MemoryBuffer::getFile(logPath);
  std::vector<PtxasKernelReport> reports =
      parsePtxasLog(text ? (*text)->getBuffer().str() : "");
  std::set<std::string> archs;
  int registers = 0;
  uint64_t spills = 0;
  for (const PtxasKernelReport &report : reports) {
    archs.insert(report.arch);
    registers = std::max(registers, report.registers);
    spills += report.spillStoreBytes + report.spillLoadBytes;
  }
  std::string archList;
  for (const std::string &arch : archs)
    archList += (archList.empty() ? "" : ", ") + arch;
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  log << fmt::format("compile: cuda: {} kernels compiled by nvcc in {:.1f} s "
                     "(ptxas: {}; at most {} registers, {} bytes spilled)\n",
                     launches.size(), seconds,
                     archList.empty() ? "no report" : archList, registers,
                     spills);
  return package::serializeCudaKernels(launches, readBinaryFile(fatbinPath));
}

} // namespace facet::codegen
