//===- CpuRetarget.cpp - Halide's bitcode compiled by LLVM 19 for a CPU ---===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "codegen/halide/CpuRetarget.h"

#include "frontend/support/Error.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"

#include <fmt/format.h>

#include <memory>
#include <mutex>

namespace facet::codegen {
namespace {

/// The module flag `name` as a string or integer (Halide 14 writes its code
/// generator options as module flags).
std::string stringFlag(const llvm::Module &module, llvm::StringRef name) {
  if (auto *node =
          llvm::dyn_cast_or_null<llvm::MDString>(module.getModuleFlag(name)))
    return node->getString().str();
  return "";
}

int64_t intFlag(const llvm::Module &module, llvm::StringRef name,
                int64_t fallback) {
  if (auto *node = llvm::mdconst::extract_or_null<llvm::ConstantInt>(
          module.getModuleFlag(name)))
    return node->getSExtValue();
  return fallback;
}

/// Halide's feature list without AMX: the CPUs a retargeted target is for
/// (Zen 4/5) have none, and Facet never schedules funcs into AMX tiles.
std::string featuresWithoutAmx(llvm::StringRef halideFeatures) {
  llvm::SmallVector<llvm::StringRef> parts;
  halideFeatures.split(parts, ',', -1, /*KeepEmpty=*/false);
  std::string out;
  for (llvm::StringRef feature : parts) {
    if (feature.contains("amx"))
      continue;
    if (!out.empty())
      out += ',';
    out += feature.str();
  }
  return out;
}

void initializeX86() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
    LLVMInitializeX86AsmParser(); // the runtime has inline asm (cpuid)
  });
}

} // namespace

void compileBitcodeForCpu(const std::string &bitcodePath,
                          const std::string &objectPath,
                          const std::string &cpu) {
  initializeX86();
  auto fail = [&](const std::string &what) {
    return Error(fmt::format("codegen: compiling {} for LLVM CPU '{}': {}",
                             bitcodePath, cpu, what));
  };
  auto buffer = llvm::MemoryBuffer::getFile(bitcodePath);
  if (!buffer)
    throw fail(buffer.getError().message());
  llvm::LLVMContext context;
  llvm::Expected<std::unique_ptr<llvm::Module>> parsed =
      llvm::parseBitcodeFile(**buffer, context);
  if (!parsed)
    throw fail(llvm::toString(parsed.takeError()));
  llvm::Module &module = **parsed;

  std::string error;
  const std::string triple = module.getTargetTriple();
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    throw fail(error);

  // Halide 14's options (CodeGen_Internal get_target_options): fast-math
  // codegen unless its instructions carry per-instruction flags.
  const bool perInstructionFlags =
      intFlag(module, "halide_per_instruction_fast_math_flags", 0) != 0;
  llvm::TargetOptions options;
  options.AllowFPOpFusion = perInstructionFlags ? llvm::FPOpFusion::Strict
                                                : llvm::FPOpFusion::Fast;
  options.UnsafeFPMath = !perInstructionFlags;
  options.NoInfsFPMath = !perInstructionFlags;
  options.NoNaNsFPMath = !perInstructionFlags;
  options.HonorSignDependentRoundingFPMathOption = !perInstructionFlags;
  options.FunctionSections = true;
  options.UseInitArray = true;
  const bool pic = intFlag(module, "halide_use_pic", 1) != 0;
  const bool largeCode =
      intFlag(module, "halide_use_large_code_model", 0) != 0;

  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, featuresWithoutAmx(stringFlag(module, "halide_mattrs")),
      options, pic ? llvm::Reloc::PIC_ : llvm::Reloc::Static,
      largeCode ? llvm::CodeModel::Large : llvm::CodeModel::Small,
      llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    throw fail("LLVM 19 cannot build a target machine for " + triple);
  module.setDataLayout(machine->createDataLayout());

  std::error_code fileError;
  llvm::raw_fd_ostream out(objectPath, fileError);
  if (fileError)
    throw fail(fmt::format("cannot write {}: {}", objectPath,
                           fileError.message()));
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, out, nullptr,
                                   llvm::CodeGenFileType::ObjectFile))
    throw fail("LLVM 19 cannot emit an object file for this target");
  passes.run(module);
  out.flush();
  if (out.has_error())
    throw fail(fmt::format("writing {} failed", objectPath));
}

} // namespace facet::codegen
