//===- CompileModel.h - checkpoint -> .facet package ------------*- C++ -*-===//

#ifndef FACET_CODEGEN_DRIVER_COMPILEMODEL_H
#define FACET_CODEGEN_DRIVER_COMPILEMODEL_H

#include <cstdint>
#include <string>

namespace llvm {
class raw_ostream;
}

namespace facet::codegen {

struct CompileOptions {
  std::string target = "host";
  std::string output;
  int64_t prefillChunk = 64;
  int64_t maxContext = 0;   // 0: the model's max_position_embeddings
  bool keepTemporaries = false;
  bool fuse = true;         // --facet-fuse after outlining (--no-fuse: off)
  std::string weightType;   // "": as stored in the checkpoint; f32/f16/bf16
  std::string quant;        // "": none; int8, int4-g32, ... (facet-quantize)
  std::string quantOverrides; // class=scheme,...
  bool int8Activations = false; // int8 projections quantize their inputs
  /// int4 projections: "int8" quantizes their inputs per group and sums
  /// int4 x int8 on the target's dot instruction (x86 VNNI), "f32" keeps a
  /// float GEMV, "auto" is int8 where the target has the dot form.
  std::string int4Activations = "auto";
  std::string kvDtype = "f32"; // KV cache element type (facet-schedule-kv)
  bool allLogits = false;   // prefill returns every position's logits
};

/// Compiles the checkpoint at `checkpointDir` into one .facet package;
/// progress lines go to `log`. Throws facet::Error.
void compileModel(const std::string &checkpointDir,
                  const CompileOptions &options, llvm::raw_ostream &log);

} // namespace facet::codegen

#endif // FACET_CODEGEN_DRIVER_COMPILEMODEL_H
