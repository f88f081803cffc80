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

#endif // FACET_PASSES_TD
