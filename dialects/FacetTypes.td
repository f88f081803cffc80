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

    `tiles R` (R > 0, optional) says how the integers and scales are laid
    out in memory: in tiles of R output rows, so a vector of consecutive
    rows is one load (codegen/target/RowTiles.h). `by D` (D = 1 or 4,
    default 1) keeps D consecutive stored bytes of a row together, the
    operand shape of a 4-byte dot instruction (x86 VNNI `vpdpbusd`).
    `words` (with `by 4` only) stores the integers as little-endian 16-bit
    words, two stored bytes of one row each: the same bytes in the same
    order, read as the i16 operand of x86 AVX2 `vpmaddwd`. The logical value
    of every element is the same either way.

    ```
    !facet.qweight<2048x1536xi4, group 32, scale f16, symmetric>
    !facet.qweight<262144x1536xi8, group 0, scale f32, symmetric>
    !facet.qweight<2048x1536xi4, group 32, scale f16, symmetric, tiles 64>
    !facet.qweight<2048x1536xi4, group 32, scale f16, symmetric, tiles 64 by 4>
    !facet.qweight<2048x1536xi4, group 32, scale f16, symmetric, tiles 64 by 4 words>
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t", "logical shape">:$shape,
    "::mlir::Type":$storage,
    "int64_t":$group,
    "::mlir::Type":$scale,
    "bool":$symmetric,
    "int64_t":$tileRows,
    "int64_t":$tileDepth,
    "bool":$tileWords
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getBits() const;
    int64_t getNumElements() const;
    /// Whether a weight of this form can be stored in tiles of `tileRows`
    /// rows (rank 2, symmetric, whole tiles; see `tiles` above).
    static bool canTile(::llvm::ArrayRef<int64_t> shape, int64_t bits,
                        int64_t group, bool symmetric, int64_t tileRows);
  }];
}

#endif // FACET_TYPES_TD
