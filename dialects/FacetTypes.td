//===- FacetTypes.td - facet dialect types -----------------*- tablegen -*-===//

#ifndef FACET_TYPES_TD
#define FACET_TYPES_TD

include "dialects/FacetBase.td"

def Facet_QuantizedWeightType : TypeDef<Facet_Dialect, "QuantizedWeight"> {
  let mnemonic = "qweight";
  let summary = "a weight stored as low-bit integers with scales";
  let description = [{
    A weight of logical shape `shape` stored as `storage` integers (i4 or i8)
    with one scale (of `scale` type) per `group` consecutive elements of the
    last (input) dimension; `group = 0` means one scale per output row.
    Asymmetric schemes also carry a zero point per group.

    ```
    !facet.qweight<2048x1536xi4, group 32, scale f16, symmetric>
    !facet.qweight<262144x1536xi8, group 0, scale f32, symmetric>
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t", "logical shape">:$shape,
    "::mlir::Type":$storage,
    "int64_t":$group,
    "::mlir::Type":$scale,
    "bool":$symmetric
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getBits() const;
    int64_t getNumElements() const;
  }];
}

#endif // FACET_TYPES_TD
