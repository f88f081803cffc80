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

def Quantize : Pass<"facet-quantize", "mlir::ModuleOp"> {
  let summary = "Choose a storage scheme per weight: int8, int4 groups, or a float type";
  let description = [{
    Rewrites the declared type of weight matrices to `!facet.qweight` (or a
    float element type) by weight class: `scheme` applies to the matrices of
    the attention, mlp, experts, ple_layer, ple_projection, embedding (the
    tied embedding is also the LM head) and ple_table classes; norms, layer
    scalars and the MoE router stay as they are. `overrides` changes single
    classes: `lm_head=int8,ple=int8` (`lm_head` names the tied embedding,
    `ple` the PLE table). Schemes: `int8` (per output row, f32 scales),
    `int4-g32`, `int4-g64`, `int4-g128` (groups along the input dimension,
    f16 scales; `-asym` adds a zero point per group), `bf16`, `f16`, `f32`,
    `none` (leave the class alone). An int4 group that does not divide a
    tensor's input dimension falls back to int8 for that tensor.
    Kernels dequantize in registers; the compile driver quantizes the data.
  }];
  let options = [
    Option<"scheme", "scheme", "std::string", /*default=*/"\"int8\"",
           "Default scheme for quantizable weight classes">,
    Option<"overrides", "overrides", "std::string", /*default=*/"\"\"",
           "Per-class schemes: class=scheme,...">
  ];
  let dependentDialects = ["::facet::FacetDialect"];
  let statistics = [
    Statistic<"numQuantized", "quantized", "Weights stored as integers">,
    Statistic<"numFallbacks", "int8-fallbacks",
              "int4 weights stored as int8 because the group does not divide">
  ];
}

def Fuse : Pass<"facet-fuse", "mlir::ModuleOp"> {
  let summary = "Merge neighbouring facet.kernel regions into fewer, larger kernels";
  let description = [{
    Runs after --facet-outline-kernels. A kernel is merged into the kernel
    that produces one of its inputs when
      - no facet.kv_store lies between them (a cache write must happen
        between the kernel computing keys/values and the attention reading
        the cache, so fusion never moves ops across one), and
      - every other input of the consumer is available where the producer
        is (an entry argument, a weight, or a result of an earlier kernel).
    Applied greedily in program order, this yields the groupings a decoder
    layer wants without a hand-written case for each: the RMS norm with the
    q/k/v (or gate/up) projections that read it, GELU-tanh and the multiply
    with those projections, the output projection with the post-norm,
    residual add and layer scalar, attention with merge_heads and o_proj,
    the final norm with the LM head and softcap. Codegen composes the ops of
    a region whatever they are, so no code generator change is needed.
    Weight references are hoisted to the top of each entry point first (they
    are pure and name package data).
  }];
  let dependentDialects = ["::facet::FacetDialect"];
  let statistics = [
    Statistic<"numMerged", "merged", "Kernels merged into another">
  ];
}

#endif // FACET_PASSES_TD
