//===- Passes.td - facet graph passes ----------------------*- tablegen -*-===//

#ifndef FACET_PASSES_TD
#define FACET_PASSES_TD

include "mlir/Pass/PassBase.td"

def OutlineKernels : Pass<"facet-outline-kernels", "mlir::ModuleOp"> {
  let summary = "Wrap every compute op into its own facet.kernel region";
  let description = [{
    The simplest grouping codegen can consume: each facet compute op of each
    entry point becomes one `facet.kernel` whose inputs are the op's operands
    (activations, weights, positions) and whose results are the op's results.
    `facet.weight` values stay outside (they name package data) and
    `facet.kv_store` stays outside (the runtime copies rows into the cache
    ring). A fusion pass later merges neighbouring kernels; the code generator
    only ever sees regions, so it needs no change for that.
  }];
  let dependentDialects = ["::facet::FacetDialect"];
  let statistics = [
    Statistic<"numKernels", "kernels", "Number of kernels created">
  ];
}

def CastWeights : Pass<"facet-cast-weights", "mlir::ModuleOp"> {
  let summary = "Store every floating-point weight in one dtype (f32, f16, bf16)";
  let description = [{
    Rewrites the declared type of every float `facet.param` (and the result
    type of each `facet.weight` naming it) to the element type `dtype`, so
    that the package stores the weights that way and the kernels widen them
    to f32 where they read them. Activations, norms' arithmetic and the KV
    caches stay f32. Quantized weights (`!facet.qweight`) are left alone.
    The compile driver converts the checkpoint data to match (rounding to
    nearest even).
  }];
  let options = [
    Option<"dtype", "dtype", "std::string", /*default=*/"\"bf16\"",
           "Weight element type: f32, f16 or bf16">
  ];
  let dependentDialects = ["::facet::FacetDialect"];
  let statistics = [
    Statistic<"numCast", "weights", "Number of weights whose type changed">
  ];
}

#endif // FACET_PASSES_TD
