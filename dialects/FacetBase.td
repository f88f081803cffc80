//===- FacetBase.td - The facet dialect and its enums ------*- tablegen -*-===//
//
// The `facet` dialect carries a whole Gemma 4 text decoder at the level a
// person reads a model card: embeddings, norms, projections against named
// weights, RoPE, attention over named KV caches, MLPs, MoE routing, LM head.
// Shapes are static except the token dimension of a step.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_BASE_TD
#define FACET_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Facet_Dialect : Dialect {
  let name = "facet";
  let cppNamespace = "::facet";
  let summary = "Gemma 4 language-model graph for the Facet compiler";
  let description = [{
    Ops express the Gemma 4 text decoder of every released variant (E2B, E4B,
    26B-A4B, 31B). Weights are module-level `facet.param` symbols that hold
    only a type: the data stays in the checkpoint or package. KV caches are
    module-level `facet.kv_cache` symbols, so a KV-shared layer names the
    cache of its source layer instead of owning one.
  }];
  let useDefaultTypePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerTypes();
  }];
}

class Facet_Op<string mnemonic, list<Trait> traits = []>
    : Op<Facet_Dialect, mnemonic, traits>;

def Facet_CacheKind : I32EnumAttr<"CacheKind",
    "the attention kind a KV cache serves", [
      I32EnumAttrCase<"sliding", 0>,
      I32EnumAttrCase<"full", 1>,
    ]> {
  let cppNamespace = "::facet";
}

#endif // FACET_BASE_TD
