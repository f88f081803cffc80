//===- Importer.cpp - Hugging Face Gemma 4 checkpoint importer ------------===//

#include "frontend/hf/Importer.h"

#include "frontend/hf/GraphBuilder.h"
#include "frontend/support/Error.h"

#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>

namespace fs = std::filesystem;

namespace facet {

ImportedModel importHuggingFace(mlir::MLIRContext &context,
                                const std::string &path,
                                llvm::raw_ostream *log) {
  std::error_code ec;
  fs::path input(path);
  if (!fs::exists(input, ec))
    throw Error(fmt::format("{}: no such file or directory", path));

  fs::path configPath = input;
  fs::path checkpointDir;
  if (fs::is_directory(input, ec)) {
    configPath = input / "config.json";
    if (!fs::exists(configPath, ec))
      throw Error(fmt::format("{}: not a Gemma 4 checkpoint: no config.json "
                              "in this directory",
                              path));
    if (fs::exists(input / "model.safetensors", ec) ||
        fs::exists(input / "model.safetensors.index.json", ec))
      checkpointDir = input;
  }

  ImportedModel result;
  result.config = loadModelConfig(configPath.string());
  const ModelConfig &config = result.config;
  if (log)
    *log << fmt::format("import: {} layers ({} sliding, {} full), d={}, "
                        "vocab={}{}{}\n",
                        config.numLayers,
                        std::count_if(config.layers.begin(), config.layers.end(),
                                      [](const LayerSpec &l) {
                                        return l.kind == AttentionKind::Sliding;
                                      }),
                        std::count_if(config.layers.begin(), config.layers.end(),
                                      [](const LayerSpec &l) {
                                        return l.kind == AttentionKind::Full;
                                      }),
                        config.hiddenSize, config.vocabSize,
                        config.hasPLE() ? ", PLE" : "",
                        config.moe ? ", MoE" : "");

  GraphOptions options;
  options.source = path;
  if (!checkpointDir.empty()) {
    result.checkpoint = std::make_unique<CheckpointFiles>(
        CheckpointFiles::open(checkpointDir.string()));
    result.binding = bindWeights(config, *result.checkpoint);
    options.weightsChecked = true;
    options.tensorPrefix = result.binding->prefix;
    for (const BoundWeight &bound : result.binding->weights)
      options.weightTypes.emplace(bound.spec.name, bound.tensor->dtype);
    if (log)
      *log << fmt::format("import: checked {} weights in {} file(s) "
                          "(prefix '{}', {} other tensors ignored)\n",
                          result.binding->weights.size(),
                          result.checkpoint->files().size(),
                          result.binding->prefix,
                          result.binding->ignoredTensors);
  } else if (log) {
    *log << "import: no safetensors next to config.json: declaring weights "
            "(bf16) without data\n";
  }

  result.module = buildGemma4Module(context, config, options);
  if (mlir::failed(mlir::verify(*result.module)))
    throw Error(fmt::format("{}: internal error: the imported module does "
                            "not verify (diagnostics above)",
                            path));
  return result;
}

} // namespace facet
