//===- FacetOps.td - facet dialect operations --------------*- tablegen -*-===//
//
// Conventions:
// - Activations are ranked float tensors whose leading dimension is the token
//   count of a step (`?` in prefill, 1 in decode). Heads split the last
//   dimension: [T, H*hd] <-> [T, H, hd].
// - Linear weights use the Hugging Face layout [out, in]: y = x * W^T.
// - Every op computes in f32 unless a later pass says otherwise.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_OPS_TD
#define FACET_OPS_TD

include "dialects/FacetBase.td"
include "dialects/FacetTypes.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Facet_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
def Facet_Weight : AnyTypeOf<[Facet_FloatTensor, Facet_QuantizedWeightType],
    "float tensor or quantized weight">;
def Facet_TokenIds : 1DTensorOf<[I32]>;
def Facet_Positions : 1DTensorOf<[I32]>;

//===----------------------------------------------------------------------===//
// Module-level declarations
//===----------------------------------------------------------------------===//

def Facet_ParamOp : Facet_Op<"param", [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "declares a named model weight (no data)";
  let description = [{
    A weight of the model, by its checkpoint name without prefix. The op holds
    the type only; the data lives in the checkpoint or package and is bound by
    name. `weight_class` groups weights for reports and quantization policy
    (embedding, ple_table, attention, mlp, ...); `layer` is the decoder layer
    or absent for model-level weights.

    ```
    facet.param @layers.0.self_attn.q_proj.weight : tensor<2048x1536xbf16>
        class "attention" layer 0
    ```
  }];
  let arguments = (ins
    SymbolNameAttr:$sym_name,
    TypeAttr:$type,
    StrAttr:$weight_class,
    OptionalAttr<I64Attr>:$layer
  );
  let assemblyFormat = [{
    $sym_name `:` $type `class` $weight_class (`layer` $layer^)? attr-dict
  }];
  let hasVerifier = 1;
}

def Facet_KVCacheOp : Facet_Op<"kv_cache", [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "declares the key/value cache of one attention layer";
  let description = [{
    The cache owned by decoder layer `layer`: `kv_heads` heads of `head_dim`
    for keys and for values. A sliding cache needs only the last `window`
    positions; a full cache grows with the context. `k_eq_v` marks a
    full-attention layer of 26B/31B whose values are the RMS-normalised raw
    key projection, so a later pass may store values only.

    `--facet-schedule-kv` sizes the cache: `capacity` entries (a sliding
    ring of the window plus a prefill chunk, or the context for a full
    cache) of element type `dtype` (f32, bf16, f16, or i8 with one f32 scale
    per entry and head). Without them the cache is not scheduled yet.

    ```
    facet.kv_cache @kv.layer13 sliding window 512 heads 1 x 256 layer 13
    facet.kv_cache @kv.layer5 full heads 2 x 512 layer 5 k_eq_v
    facet.kv_cache @kv.layer0 sliding window 512 heads 1 x 256 layer 0
        capacity 575 dtype bf16
    ```
  }];
  let arguments = (ins
    SymbolNameAttr:$sym_name,
    Facet_CacheKind:$kind,
    DefaultValuedAttr<I64Attr, "0">:$window,
    I64Attr:$kv_heads,
    I64Attr:$head_dim,
    I64Attr:$layer,
    UnitAttr:$k_eq_v,
    OptionalAttr<I64Attr>:$capacity,
    OptionalAttr<TypeAttr>:$dtype
  );
  let assemblyFormat = [{
    $sym_name $kind (`window` $window^)? `heads` $kv_heads `x` $head_dim
    `layer` $layer (`k_eq_v` $k_eq_v^)? (`capacity` $capacity^)?
    (`dtype` $dtype^)? attr-dict
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Weights and embeddings
//===----------------------------------------------------------------------===//

def Facet_WeightOp : Facet_Op<"weight", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "the value of a declared weight";
  let arguments = (ins FlatSymbolRefAttr:$name);
  let results = (outs Facet_Weight:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

def Facet_EmbedOp : Facet_Op<"embed", [Pure]> {
  let summary = "token embedding gather, times a scale";
  let description = [{
    `result[t] = table[ids[t]] * scale`. For Gemma 4, `scale` is sqrt(d)
    rounded to the table's dtype (39.25 for E2B in bf16).
  }];
  let arguments = (ins Facet_Weight:$table, Facet_TokenIds:$ids, F32Attr:$scale);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = [{
    $table `[` $ids `]` `scale` $scale attr-dict `:` type($table) `,` type($ids)
    `->` type($result)
  }];
  let hasVerifier = 1;
}

def Facet_PerLayerInputsOp : Facet_Op<"per_layer_inputs", [Pure]> {
  let summary = "Per-Layer Embeddings (PLE) of E2B/E4B for all layers";
  let description = [{
    For each token, an input of width P for each of the L layers
    (GEMMA4.md §2.2):

    ```
    T = table[ids] * token_scale                      reshaped [T, L, P]
    C = rms_norm(reshape(projection . embeddings) * projection_scale, norm)
    result = (C + T) * combine_scale
    ```
    `embeddings` are the scaled token embeddings, `table` is [V, L*P],
    `projection` is [L*P, d], `norm` is [P].
  }];
  let arguments = (ins
    Facet_TokenIds:$ids,
    Facet_FloatTensor:$embeddings,
    Facet_Weight:$table,
    Facet_Weight:$projection,
    Facet_FloatTensor:$norm,
    F32Attr:$token_scale,
    F32Attr:$projection_scale,
    F32Attr:$combine_scale,
    F32Attr:$epsilon
  );
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = [{
    $ids `,` $embeddings `table` $table `projection` $projection `norm` $norm
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Facet_LastRowOp : Facet_Op<"last_row", [Pure]> {
  let summary = "the last token's row of a token-indexed tensor: input[T-1:T]";
  let description = [{
    Inserted by --facet-schedule-kv where prefill only needs the last
    position from some point on: [T, ...] -> [1, ...]. Works on activations
    and on positions.
  }];
  let arguments = (ins RankedTensorOf<[F32, F16, BF16, I32]>:$input);
  let results = (outs RankedTensorOf<[F32, F16, BF16, I32]>:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Facet_LayerInputOp : Facet_Op<"layer_input", [Pure]> {
  let summary = "the per-layer input of one layer: input[:, layer, :]";
  let arguments = (ins Facet_FloatTensor:$input, I64Attr:$layer);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = [{
    $input `[` $layer `]` attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalisation, projections, heads, RoPE
//===----------------------------------------------------------------------===//

def Facet_RMSNormOp : Facet_Op<"rms_norm", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "RMS norm over the last dimension, optionally times a weight";
  let description = [{
    `x * (mean(x^2) + epsilon)^-1/2 * weight`. Gemma 4 multiplies by the weight
    itself (no `1 + w`). Without a weight it is the parameter-free norm used
    for values and the MoE router. On [T, H, hd] inputs it normalises each
    head; the weight then has hd elements.
  }];
  let arguments = (ins Facet_FloatTensor:$input,
                       Optional<Facet_FloatTensor>:$weight,
                       F32Attr:$epsilon);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`,` $weight^)? `eps` $epsilon attr-dict `:` type($input)
    (`,` type($weight)^)?
  }];
  let hasVerifier = 1;
}

def Facet_LinearOp : Facet_Op<"linear", [Pure]> {
  let summary = "projection against a weight in [out, in] layout";
  let description = [{
    `int8_activations` (int8 weights only): each row of the input is
    quantized at run time to int8 with one scale (max |x| / 127), the dot
    products accumulate in int32 (AVX512-VNNI `vpdpbusd`, ARM `sdot`), and
    the result is scaled back by both scales.
  }];
  let arguments = (ins Facet_FloatTensor:$input, Facet_Weight:$weight,
                       UnitAttr:$int8_activations);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` type($input) `,` type($weight) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Facet_SplitHeadsOp : Facet_Op<"split_heads", [Pure]> {
  let summary = "[T, H*hd] -> [T, H, hd]";
  let arguments = (ins Facet_FloatTensor:$input);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Facet_MergeHeadsOp : Facet_Op<"merge_heads", [Pure]> {
  let summary = "[T, H, hd] -> [T, H*hd]";
  let arguments = (ins Facet_FloatTensor:$input);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Facet_RoPEOp : Facet_Op<"rope", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "rotary position embedding, rotate-half pairing";
  let description = [{
    On [T, H, hd]: dimension j pairs with j + hd/2 and turns by
    `pos * theta^(-2j/hd)` for j < rotary_dims/2; other pairs pass through.
    Sliding layers rotate every dimension (`rotary_dims = hd`); the
    proportional RoPE of full layers rotates 128 of 512 (dims 0-63, 256-319)
    with frequencies of the full 512-dim RoPE.
  }];
  let arguments = (ins Facet_FloatTensor:$input, Facet_Positions:$positions,
                       F64Attr:$theta, I64Attr:$rotary_dims);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $positions `theta` $theta `rotary_dims` $rotary_dims attr-dict
    `:` type($input) `,` type($positions)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// KV cache and attention
//===----------------------------------------------------------------------===//

def Facet_KVStoreOp : Facet_Op<"kv_store", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>,
    MemoryEffects<[MemWrite]>]> {
  let summary = "writes the keys and values of a step into a cache";
  let description = [{
    Row t of `keys` / `values` ([T, kv_heads, head_dim]) becomes the cache
    entry of position `positions[t]`. Keys arrive normalised and rotated,
    values normalised.
  }];
  let arguments = (ins Facet_FloatTensor:$keys, Facet_FloatTensor:$values,
                       Facet_Positions:$positions, FlatSymbolRefAttr:$cache);
  let assemblyFormat = [{
    $keys `,` $values `at` $positions `into` $cache attr-dict `:`
    type($keys) `,` type($values) `,` type($positions)
  }];
  let hasVerifier = 1;
}

def Facet_AttentionOp : Facet_Op<"attention", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>,
    MemoryEffects<[MemRead]>]> {
  let summary = "grouped-query attention of a step over a KV cache";
  let description = [{
    Query t at position p = positions[t] attends to every cached entry at
    position k with k <= p, and k > p - window when window > 0 (sliding: a
    query sees exactly `window` positions including itself). Scores are
    `q . k * scale` (Gemma 4: scale 1.0, no softcap), softmax in f32. Query
    head h reads KV head h / (H / kv_heads). `layer` is the decoder layer
    this attention belongs to; when it differs from the cache's layer the
    layer shares its KV with that (source) layer.
  }];
  let arguments = (ins Facet_FloatTensor:$queries, Facet_Positions:$positions,
                       FlatSymbolRefAttr:$cache, I64Attr:$window,
                       F32Attr:$scale, I64Attr:$layer);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = [{
    $queries `,` $positions `cache` $cache `window` $window `scale` $scale
    `layer` $layer attr-dict `:` type($queries) `,` type($positions) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Facet_BinaryOp<string mnemonic, string what>
    : Facet_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = what;
  let arguments = (ins Facet_FloatTensor:$lhs, Facet_FloatTensor:$rhs);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Facet_AddOp : Facet_BinaryOp<"add", "elementwise sum">;
def Facet_MulOp : Facet_BinaryOp<"mul", "elementwise product">;

def Facet_GeluTanhOp : Facet_Op<"gelu_tanh", [Pure, SameOperandsAndResultType]> {
  let summary = "GELU, tanh approximation (gelu_pytorch_tanh)";
  let description = [{
    `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.
  }];
  let arguments = (ins Facet_FloatTensor:$input);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Facet_LayerScalarOp : Facet_Op<"layer_scalar", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "multiplies the residual stream by a layer's stored scalar";
  let arguments = (ins Facet_FloatTensor:$input, Facet_FloatTensor:$scalar);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scalar attr-dict `:` type($input) `,` type($scalar)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Mixture of experts (26B-A4B)
//===----------------------------------------------------------------------===//

def Facet_MoERouterOp : Facet_Op<"moe_router", [Pure]> {
  let summary = "expert choice: softmax over all experts, top-k, renormalise";
  let description = [{
    `z = rms(input) * scale * input_scale`; `p = softmax(proj . z)` over all
    E experts in f32; keep the `top_k` largest, divide them by their sum,
    multiply each by `per_expert_scale[e]`. Results: the k weights and the k
    expert indices of each token.
  }];
  let arguments = (ins Facet_FloatTensor:$input, Facet_Weight:$proj,
                       Facet_FloatTensor:$scale,
                       Facet_FloatTensor:$per_expert_scale,
                       I64Attr:$top_k, F32Attr:$input_scale,
                       F32Attr:$epsilon);
  let results = (outs Facet_FloatTensor:$weights, 2DTensorOf<[I32]>:$experts);
  let assemblyFormat = [{
    $input `,` $proj `,` $scale `,` $per_expert_scale `top_k` $top_k
    `input_scale` $input_scale `eps` $epsilon attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Facet_MoEExpertsOp : Facet_Op<"moe_experts", [Pure]> {
  let summary = "weighted sum of the chosen experts' gated MLPs";
  let description = [{
    For each token and each chosen expert e with weight w:
    `[g; u] = gate_up[e] . x` (gate rows first), and the result accumulates
    `w * down[e] . (gelu_tanh(g) * u)`. gate_up is [E, 2F, d], down [E, d, F].
  }];
  let arguments = (ins Facet_FloatTensor:$input, Facet_FloatTensor:$weights,
                       2DTensorOf<[I32]>:$experts, Facet_Weight:$gate_up,
                       Facet_Weight:$down);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weights `,` $experts `gate_up` $gate_up `down` $down attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Output
//===----------------------------------------------------------------------===//

def Facet_LMHeadOp : Facet_Op<"lm_head", [Pure]> {
  let summary = "logits against the (tied) embedding table";
  let description = [{
    `logits = input . table^T` with the unscaled [V, d] embedding table.
    `int8_activations` (int8 tables only) as for facet.linear: each input
    row quantized to int8 with one scale, int32 dot products.
  }];
  let arguments = (ins Facet_FloatTensor:$input, Facet_Weight:$table,
                       UnitAttr:$int8_activations);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $table attr-dict `:` type($input) `,` type($table) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Facet_SoftcapOp : Facet_Op<"softcap", [Pure, SameOperandsAndResultType]> {
  let summary = "cap * tanh(x / cap), the final logit soft-cap";
  let arguments = (ins Facet_FloatTensor:$input, F32Attr:$cap);
  let results = (outs Facet_FloatTensor:$result);
  let assemblyFormat = "$input `cap` $cap attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

def Facet_KernelOp : Facet_Op<"kernel", [IsolatedFromAbove,
    SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "a group of ops that codegen turns into one generated kernel";
  let description = [{
    The body computes the results from the block arguments (one per input)
    and may name KV caches by symbol; it captures nothing else. Codegen
    composes the per-op emitters of the body into one kernel, so a fusion
    pass changes only which ops share a region, never the code generator.
    `name` identifies the kernel in plans and profiles.

    ```
    %y = facet.kernel "decode.linear.3" (%x, %w) : (tensor<1x64xf32>, tensor<128x64xf32>) -> tensor<1x128xf32> {
    ^bb0(%a: tensor<1x64xf32>, %b: tensor<128x64xf32>):
      %0 = facet.linear %a, %b : tensor<1x64xf32>, tensor<128x64xf32> -> tensor<1x128xf32>
      facet.yield %0 : tensor<1x128xf32>
    }
    ```
  }];
  let arguments = (ins StrAttr:$name, Variadic<AnyType>:$inputs);
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $name `(` $inputs `)` attr-dict `:` functional-type($inputs, $results)
    $body
  }];
  let hasVerifier = 1;
}

def Facet_YieldOp : Facet_Op<"yield", [Pure, Terminator,
    HasParent<"KernelOp">]> {
  let summary = "the results of a facet.kernel body";
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
  let builders = [OpBuilder<(ins), [{ /* no results */ }]>];
}

#endif // FACET_OPS_TD
