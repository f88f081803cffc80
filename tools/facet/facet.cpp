//===- facet.cpp - The Facet compiler driver -------------------------------===//
//
//   facet import <checkpoint-dir | config.json> -o model.mlir
//   facet inspect <model.facet | model.mlir | checkpoint-dir | config.json>
//   facet compile <checkpoint-dir> --target host -o model.facet
//   facet run model.facet ...     (forwards to facet-run)
//   facet chat model.facet ...    (facet-run --chat)
//
// Later issues add chat, bench and tune.
//
//===----------------------------------------------------------------------===//

#include "codegen/driver/CompileModel.h"
#include "codegen/target/TargetRegistry.h"
#include "dialects/FacetDialect.h"
#include "frontend/hf/Importer.h"
#include "frontend/support/Error.h"
#include "passes/Passes.h"
#include "tools/facet/ModelSummary.h"
#include "tools/facet/PackageSummary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <filesystem>
#include <fmt/format.h>

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
    cl::desc("<model.facet | model.mlir | checkpoint-dir | config.json>"),
    cl::sub(inspectCommand));
cl::opt<bool> inspectJson("json", cl::desc("Print one JSON object"),
                          cl::sub(inspectCommand));
cl::opt<int64_t> inspectContext(
    "context",
    cl::desc("The context length the resident total (packages) or the KV "
             "cache figures (models) are given for (default: the compiled "
             "maximum, or the model's max_position_embeddings)"),
    cl::init(0), cl::sub(inspectCommand));
cl::opt<std::string> inspectKvDtype(
    "kv-dtype",
    cl::desc("Models: the KV cache dtype the figures are for, as in facet "
             "compile (default f32)"),
    cl::init("f32"), cl::sub(inspectCommand));
cl::opt<int64_t> inspectChunk(
    "prefill-chunk",
    cl::desc("Models: the prefill chunk the sliding rings are sized for, as "
             "in facet compile (default 64)"),
    cl::init(64), cl::sub(inspectCommand));

cl::SubCommand compileCommand(
    "compile",
    "Compile a Hugging Face Gemma 4 checkpoint into one .facet package: "
    "kernels generated with Halide for the target, the host plan, and the "
    "weights.");
cl::opt<std::string> compileInput(cl::Positional,
                                  cl::desc("<checkpoint-dir>"),
                                  cl::sub(compileCommand));
cl::opt<std::string> compileOutput("o",
                                   cl::desc("Output package"),
                                   cl::value_desc("model.facet"),
                                   cl::sub(compileCommand));
cl::opt<std::string> compileTarget(
    "target", cl::desc("Target (see --list-targets); default: host"),
    cl::init("host"), cl::sub(compileCommand));
cl::opt<int64_t> compileChunk("prefill-chunk",
                              cl::desc("Tokens per prefill call (default 64)"),
                              cl::init(64), cl::sub(compileCommand));
cl::opt<int64_t> compileContext(
    "max-context",
    cl::desc("Positions the KV caches hold (default: the model's "
             "max_position_embeddings)"),
    cl::init(0), cl::sub(compileCommand));
cl::opt<std::string> compileWeights(
    "weights",
    cl::desc("Store float weights as f32, f16 or bf16 (default: as in the "
             "checkpoint)"),
    cl::value_desc("dtype"), cl::init(""), cl::sub(compileCommand));
cl::opt<std::string> compileQuant(
    "quant",
    cl::desc("Weight quantization: int8 (per output row), int4-g32, int4-g64, "
             "int4-g128 (groups; -asym for zero points), bf16, f16 (default: "
             "none)"),
    cl::value_desc("scheme"), cl::init(""), cl::sub(compileCommand));
cl::opt<std::string> compileQuantOverride(
    "quant-override",
    cl::desc("Per weight class: 'lm_head=int8,ple=int8' (classes: attention, "
             "mlp, experts, ple_layer, ple_projection, embedding/lm_head, "
             "ple_table/ple; schemes as --quant, or none)"),
    cl::value_desc("class=scheme,..."), cl::init(""), cl::sub(compileCommand));
cl::opt<bool> compileInt8Activations(
    "int8-activations",
    cl::desc("Projections with int8 weights quantize their input rows to "
             "int8 at run time and accumulate in int32 (AVX512-VNNI "
             "vpdpbusd, ARM sdot); needs --quant int8 or an int8 override"),
    cl::sub(compileCommand));
cl::opt<std::string> compileInt4Activations(
    "int4-activations",
    cl::desc("Inputs of int4 projections: int8 (quantized per group of the "
             "weight, int4 x int8 dot products: x86_64-avx2 and "
             "x86_64-avx512-vnni), f32 "
             "(float GEMV), or auto: int8 where the target has the dot form "
             "(default: auto)"),
    cl::value_desc("auto|int8|f32"), cl::init("auto"), cl::sub(compileCommand));
cl::opt<bool> compileNoFuse(
    "no-fuse",
    cl::desc("One kernel per op (no --facet-fuse), for comparison"),
    cl::sub(compileCommand));
cl::opt<std::string> compileKvDtype(
    "kv-dtype",
    cl::desc("KV cache element type: f32 (default), bf16, f16, int8 (one "
             "scale per entry and head)"),
    cl::value_desc("dtype"), cl::init("f32"), cl::sub(compileCommand));
cl::opt<bool> compileAllLogits(
    "all-logits",
    cl::desc("Prefill returns logits for every prompt position (default: "
             "the last only, which lets prefill skip the work behind the "
             "last KV cache write)"),
    cl::sub(compileCommand));
cl::opt<bool> compileKeep("keep-temporaries",
                          cl::desc("Keep the kernel objects"),
                          cl::sub(compileCommand));
cl::opt<bool> listTargets("list-targets", cl::desc("List the targets"),
                          cl::sub(compileCommand));

cl::SubCommand runCommand(
    "run", "Run a compiled package (forwards every argument to facet-run)");
cl::SubCommand benchCommand(
    "bench", "Measure prefill and decode speed (forwards to facet-bench)");
cl::SubCommand chatCommand(
    "chat", "Chat with a compiled package (facet-run --chat)");

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
  if (looksLikePackage(inspectInput)) {
    PackageSummary summary = summarizePackage(inspectInput);
    int64_t context = inspectContext > 0 ? int64_t(inspectContext)
                                         : summary.manifest.model.maxContext;
    if (context > summary.manifest.model.maxContext)
      throw Error(fmt::format("--context {} exceeds the package's compiled "
                              "context of {}",
                              context, summary.manifest.model.maxContext));
    if (inspectJson)
      llvm::outs() << toJson(summary, context).dump(2) << "\n";
    else
      llvm::outs() << toText(summary, context);
    return 0;
  }
  mlir::MLIRContext context;
  registerDialects(context);
  mlir::OwningOpRef<mlir::ModuleOp> module = loadModule(context, inspectInput);
  if (inspectContext < 0 || inspectChunk < 1)
    throw Error("--context and --prefill-chunk must be positive");
  // The KV figures are the caches facet compile would plan (a module that
  // is no Facet model gets summarizeModel's error instead).
  if (!(*module)->hasAttr("facet.model"))
    summarizeModel(*module);
  mlir::PassManager passes(&context);
  ScheduleKVOptions schedule;
  schedule.maxContext = inspectContext;
  schedule.prefillChunk = inspectChunk;
  schedule.kvDtype = inspectKvDtype;
  schedule.allLogits = true; // the graph is reported as imported
  passes.addPass(createScheduleKV(schedule));
  if (mlir::failed(passes.run(*module)))
    throw Error("cannot schedule the KV caches (see the error above)");
  ModelSummary summary = summarizeModel(*module);
  if (inspectJson)
    llvm::outs() << toJson(summary).dump(2) << "\n";
  else
    llvm::outs() << toText(summary);
  return 0;
}

/// One line per target: name, whether this machine runs it, description.
void printTargets() {
  std::string host = codegen::hostTarget().name;
  for (const std::string &name : codegen::targetNames()) {
    const codegen::TargetInfo &target = codegen::resolveTarget(name);
    const char *runs = name == "host" ? "" : codegen::canRunOnHost(target)
                                                  ? "runs here"
                                                  : "cannot run here";
    std::string description =
        name == "host" ? "this machine: " + host : target.description;
    llvm::outs() << llvm::formatv("{0,-20} {1,-16} {2}\n", name, runs,
                                  description);
  }
}

int runCompile() {
  if (compileInput.empty())
    throw Error("facet compile needs a checkpoint directory (see 'facet "
                "compile --help')");
  if (compileOutput.empty())
    throw Error("facet compile needs an output path: -o model.facet");
  if (compileChunk <= 0)
    throw Error("--prefill-chunk must be positive");
  if (compileContext < 0)
    throw Error("--max-context must be positive");
  if (compileKvDtype != "f32" && compileKvDtype != "bf16" &&
      compileKvDtype != "f16" && compileKvDtype != "int8")
    throw Error("--kv-dtype must be f32, bf16, f16 or int8, got '" +
                compileKvDtype + "'");
  if (!compileWeights.empty() && compileWeights != "f32" &&
      compileWeights != "f16" && compileWeights != "bf16")
    throw Error("--weights must be f32, f16 or bf16, got '" + compileWeights +
                "'");
  codegen::CompileOptions options;
  options.weightType = compileWeights;
  options.quant = compileQuant;
  options.fuse = !compileNoFuse;
  options.quantOverrides = compileQuantOverride;
  if (!compileQuantOverride.empty() && compileQuant.empty())
    options.quant = "none";
  options.target = compileTarget;
  options.output = compileOutput;
  options.prefillChunk = compileChunk;
  options.maxContext = compileContext;
  options.keepTemporaries = compileKeep;
  options.kvDtype = compileKvDtype;
  options.int8Activations = compileInt8Activations;
  options.int4Activations = compileInt4Activations;
  if (compileInt8Activations && options.quant.empty())
    throw Error("--int8-activations needs int8 weights: add --quant int8 (or "
                "an int8 --quant-override)");
  options.allLogits = compileAllLogits;
  codegen::compileModel(compileInput, options, llvm::errs());
  return 0;
}

/// `facet run` is `facet-run` and `facet bench` is `facet-bench`: the
/// runtime-only binaries next to this one. The arguments are forwarded
/// untouched (they are that binary's options).
int runRuntimeTool(int argc, char **argv, llvm::StringRef tool, bool chat) {
  const char *argv0 = argv[0];
  std::string self = llvm::sys::fs::getMainExecutable(
      argv0, reinterpret_cast<void *>(&runRuntimeTool));
  llvm::SmallString<256> runner(llvm::sys::path::parent_path(self));
  llvm::sys::path::append(runner, tool);
  std::vector<llvm::StringRef> args{runner.str()};
  for (int i = 2; i < argc; ++i)
    args.push_back(argv[i]);
  if (chat)
    args.push_back("--chat");
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(runner, args, std::nullopt, {}, 0, 0,
                                     &error);
  if (rc < 0)
    throw Error(runner.str().str() + ": " + error);
  return rc;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::StringRef command = argc >= 2 ? argv[1] : "";
  if (command == "run" || command == "chat" || command == "bench") {
    try {
      return runRuntimeTool(argc, argv,
                            command == "bench" ? "facet-bench" : "facet-run",
                            command == "chat");
    } catch (const Error &error) {
      llvm::errs() << "facet: error: " << error.what() << "\n";
      return 1;
    }
  }
  cl::ParseCommandLineOptions(
      argc, argv,
      "Facet: ahead-of-time compiler for Gemma 4 language models\n\n"
      "  facet import <checkpoint-dir | config.json> -o model.mlir\n"
      "  facet inspect <model.facet | model.mlir | checkpoint-dir | "
      "config.json> [--json]\n"
      "  facet compile <checkpoint-dir> --target host -o model.facet\n"
      "  facet run model.facet --prompt-ids 2,651,... -n 32 [--greedy]\n"
      "  facet run model.facet -p \"text\"        (packages with a tokenizer)\n"
      "  facet bench model.facet [-p 512] [-n 128] [-d 0,4096] [--profile]\n"
      "  facet chat model.facet                  (= facet run --chat)\n\n"
      "Run 'facet <command> --help' for a command's options.\n");
  try {
    if (importCommand)
      return runImport();
    if (inspectCommand)
      return runInspect();
    if (compileCommand) {
      if (listTargets) {
        printTargets();
        return 0;
      }
      return runCompile();
    }

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
