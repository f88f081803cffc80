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
    to f32 where they read them. Activations and norms' arithmetic stay
    f32; the KV caches follow --facet-schedule-kv's `kv-dtype`. Quantized weights (`!facet.qweight`) are left alone.
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
    `activations=int8` marks every projection (facet.linear) and the LM head
    (facet.lm_head) whose weight ends up int8 `int8_activations`.
  }];
  let options = [
    Option<"scheme", "scheme", "std::string", /*default=*/"\"int8\"",
           "Default scheme for quantizable weight classes">,
    Option<"overrides", "overrides", "std::string", /*default=*/"\"\"",
           "Per-class schemes: class=scheme,...">,
    Option<"activations", "activations", "std::string", /*default=*/"\"f32\"",
           "int8: projections with int8 weights quantize their input rows "
           "to int8 at run time and accumulate in int32 (VNNI, SDOT)">,
    Option<"tileRows", "tile-rows", "int64_t", /*default=*/"0",
           "> 0: store the integers and scales of every weight a projection "
           "or the LM head reads in tiles of this many output rows (the "
           "target's rows per vector block; the PLE table, only ever "
           "gathered row by row, stays row-major)">,
    Option<"int4TileDepth", "int4-tile-depth", "int64_t", /*default=*/"1",
           "4: tiled int4 weights keep 4 stored bytes of a row together, "
           "the operand of a 4-byte int8 dot instruction (x86 VNNI), and "
           "the kernels multiply them by int8 activations; 1: rows "
           "adjacent per byte, for a float GEMV">,
    Option<"int4TileWords", "int4-tile-words", "bool", /*default=*/"false",
           "With int4-tile-depth=4: store those tiles as 16-bit words (two "
           "bytes of a row each), the operand of x86 AVX2 vpmaddwd">
  ];
  let dependentDialects = ["::facet::FacetDialect"];
  let statistics = [
    Statistic<"numQuantized", "quantized", "Weights stored as integers">,
    Statistic<"numFallbacks", "int8-fallbacks",
              "int4 weights stored as int8 because the group does not divide">,
    Statistic<"numInt8Activations", "int8-activations",
              "Projections with int8 activations">
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
    Two limits keep a kernel buildable: a merge is skipped when the result
    would take more than `max-args` arguments (quantized weights count their
    parts, attention its cache buffers; the package allows 256) or hold more
    than `max-ops` ops (Halide's compile time grows faster than the kernel).
    They matter where no cache write separates layers: the KV-shared layers
    of E2B/E4B would otherwise become one kernel.
  }];
  let options = [
    Option<"maxArguments", "max-args", "int64_t", /*default=*/"192",
           "Most arguments of a fused kernel (8..256)">,
    Option<"maxOps", "max-ops", "int64_t", /*default=*/"160",
           "Most ops in a fused kernel">
  ];
  let dependentDialects = ["::facet::FacetDialect"];
  let statistics = [
    Statistic<"numMerged", "merged", "Kernels merged into another">,
    Statistic<"numCapped", "capped",
              "Merges skipped because the kernel would be too large">
  ];
}

def ScheduleKV : Pass<"facet-schedule-kv", "mlir::ModuleOp"> {
  let summary = "Size every KV cache, choose its dtype, and run prefill's tail for the last position only";
  let description = [{
    Runs before --facet-outline-kernels.
      - Every `facet.kv_cache` gets `capacity` and `dtype`: a sliding cache
        is a ring of `window + prefill-chunk - 1` entries (a chunk's oldest
        query still sees its whole window; position p lives in slot
        p % capacity), a full cache holds `max-context` entries. KV-shared
        layers name their source layer's cache and so allocate nothing.
        The dtype (`kv-dtype`: f32, bf16, f16, or int8 stored as i8) is the
        storage only: kernels still write f32 rows, the runtime converts
        them when it stores them (bf16/f16 rounded to nearest even; int8
        symmetric with one f32 scale per entry and KV head), and attention
        widens them back to f32 where it reads them.
      - The entry points record how many tokens one call takes
        (`facet.max_tokens`: the prefill chunk, and 1 for decode).
      - Unless `all-logits` is set, everything in @prefill after its last
        `facet.kv_store` runs for the last position only: every
        token-indexed value crossing that point is cut to its last row
        (`facet.last_row`) and the ops after it are re-typed to one token.
        Nothing after the last cache write can affect a later step, and only
        the last position's logits are needed to continue (GEMMA4.md §6): on
        E2B that skips all positions but one of the 20 KV-shared layers, of
        the last cache-owning layer's attention and MLP, and of the LM head.
  }];
  let options = [
    Option<"maxContext", "max-context", "int64_t", /*default=*/"0",
           "Positions a full cache holds (0: the model's max_positions)">,
    Option<"prefillChunk", "prefill-chunk", "int64_t", /*default=*/"64",
           "Tokens per prefill call">,
    Option<"kvDtype", "kv-dtype", "std::string", /*default=*/"\"f32\"",
           "Cache element type: f32, bf16, f16 or int8">,
    Option<"allLogits", "all-logits", "bool", /*default=*/"false",
           "Keep logits for every prefill position (no tail cut)">
  ];
  let dependentDialects = ["::facet::FacetDialect"];
  let statistics = [
    Statistic<"numCaches", "caches", "KV caches sized">,
    Statistic<"numTailOps", "tail-ops", "Prefill ops cut to the last position">
  ];
}

def PlanMemory : Pass<"facet-plan-memory", "mlir::ModuleOp"> {
  let summary = "Place every activation buffer in one arena per entry point, reusing bytes by liveness";
  let description = [{
    Runs last, after --facet-outline-kernels (and --facet-fuse) and
    --facet-schedule-kv (which states each entry point's `facet.max_tokens`).
    The buffers of an entry point are its arguments and the results of its
    kernels, each sized for `facet.max_tokens` tokens and 64-byte aligned. A
    buffer is live from the step that writes it (a kernel launch) to the last
    step that reads it (a kernel or a facet.kv_store); the arguments and the
    returned logits live for the whole call. In order of first write, each
    buffer takes the lowest offset that overlaps no live buffer (first fit),
    so a result never shares bytes with an input of the kernel writing it.
    Records `facet.arena_offsets` on every kernel (one per result),
    `facet.arena_offset` on every argument and `facet.arena_bytes` on the
    function.
  }];
  let dependentDialects = ["::facet::FacetDialect"];
  let statistics = [
    Statistic<"numBuffers", "buffers", "Activation buffers placed">,
    Statistic<"numReused", "reused", "Buffers placed in bytes another used">
  ];
}

#endif // FACET_PASSES_TD
