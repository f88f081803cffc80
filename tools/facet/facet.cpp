//===- facet.cpp - The Facet compiler driver -------------------------------===//
//
//   facet import <checkpoint-dir | config.json> -o model.mlir
//   facet inspect <model.mlir | checkpoint-dir | config.json> [--json]
//
// Later issues add compile, run, chat, bench and tune.
//
//===----------------------------------------------------------------------===//

#include "dialects/FacetDialect.h"
#include "frontend/hf/Importer.h"
#include "frontend/support/Error.h"
#include "tools/facet/ModelSummary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <filesystem>

namespace cl = llvm::cl;
using namespace facet;

namespace {

cl::SubCommand importCommand(
    "import",
    "Import a Hugging Face Gemma 4 checkpoint (or only its config.json) into "
    "the facet dialect. With weights present, every tensor is checked "
    "against the config; weights are referenced by name, never copied into "
    "the IR.");
cl::opt<std::string> importInput(cl::Positional, cl::Required,
                                 cl::desc("<checkpoint-dir | config.json>"),
                                 cl::sub(importCommand));
cl::opt<std::string> importOutput("o", cl::desc("Output file (default: stdout)"),
                                  cl::value_desc("model.mlir"), cl::init("-"),
                                  cl::sub(importCommand));
cl::opt<bool> importQuiet("quiet", cl::desc("No progress lines on stderr"),
                          cl::sub(importCommand));

cl::SubCommand inspectCommand(
    "inspect",
    "Report a model: parameters per class and in total, weight bytes by "
    "dtype, and the layer table (type, window, head dim, KV heads, KV "
    "source, MLP width).");
cl::opt<std::string> inspectInput(
    cl::Positional, cl::Required,
    cl::desc("<model.mlir | checkpoint-dir | config.json>"),
    cl::sub(inspectCommand));
cl::opt<bool> inspectJson("json", cl::desc("Print one JSON object"),
                          cl::sub(inspectCommand));

void registerDialects(mlir::MLIRContext &context) {
  mlir::DialectRegistry registry;
  registry.insert<FacetDialect, mlir::func::FuncDialect>();
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
}

int runImport() {
  mlir::MLIRContext context;
  registerDialects(context);
  ImportedModel model = importHuggingFace(
      context, importInput, importQuiet ? nullptr : &llvm::errs());
  std::string error;
  auto output = mlir::openOutputFile(importOutput, &error);
  if (!output)
    throw Error(importOutput + ": " + error);
  model.module->print(output->os());
  output->os() << "\n";
  output->keep();
  if (!importQuiet && importOutput != "-")
    llvm::errs() << "import: wrote " << importOutput << "\n";
  return 0;
}

/// A path that is a directory or a .json file is imported on the fly; any
/// other file is parsed as facet IR.
mlir::OwningOpRef<mlir::ModuleOp> loadModule(mlir::MLIRContext &context,
                                             const std::string &path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec) ||
      llvm::StringRef(path).ends_with(".json"))
    return std::move(importHuggingFace(context, path).module);

  std::string error;
  auto file = mlir::openInputFile(path, &error);
  if (!file)
    throw Error(path + ": " + error);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  auto module = mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    throw Error(path + ": not a valid facet module (diagnostics above)");
  return module;
}

int runInspect() {
  mlir::MLIRContext context;
  registerDialects(context);
  mlir::OwningOpRef<mlir::ModuleOp> module = loadModule(context, inspectInput);
  ModelSummary summary = summarizeModel(*module);
  if (inspectJson)
    llvm::outs() << toJson(summary).dump(2) << "\n";
  else
    llvm::outs() << toText(summary);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(
      argc, argv,
      "Facet: ahead-of-time compiler for Gemma 4 language models\n\n"
      "  facet import <checkpoint-dir | config.json> -o model.mlir\n"
      "  facet inspect <model.mlir | checkpoint-dir | config.json> [--json]\n\n"
      "Run 'facet <command> --help' for a command's options.\n");
  try {
    if (importCommand)
      return runImport();
    if (inspectCommand)
      return runInspect();
    llvm::errs() << "facet: no command given; see 'facet --help'\n";
    return 2;
  } catch (const Error &error) {
    llvm::errs() << "facet: error: " << error.what() << "\n";
    return 1;
  } catch (const std::exception &error) {
    llvm::errs() << "facet: internal error: " << error.what() << "\n";
    return 1;
  }
}
