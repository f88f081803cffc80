//===- RowTiles.h - Quantized weights stored in tiles of rows ---*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// A GEMV vectorized over output rows (x86: 16 f32 lanes, 4 vectors a block)
// reads, for one input k, the weights of 64 neighbouring rows. Row-major
// they are a row's length apart, a gather per lane; in a tile they are 64
// consecutive bytes. A `!facet.qweight<..., tiles R>` is stored so:
//
// - The integers, per block of R rows, in chunks of 16 stored bytes per
//   row: chunk c holds int8 inputs 16c..16c+15, or int4 inputs 32c..32c+31
//   with input 32c + j in the low nibble of byte j and 32c + 16 + j in its
//   high nibble (so one byte load feeds two inputs 16 apart, as in Q4_0).
//   With depth D (`tiles R by D`; 1 or 4), byte j of chunk c of row n
//   lives at
//       stored row n / R,
//       stored column c * 16R + (j / D) * DR + (n % R) * D + j % D
//   of a [out / R, R * bytesPerRow] part: a chunk of a block is 16R
//   contiguous bytes. D = 1: for fixed (c, j) the R rows are adjacent, one
//   vector across rows per input (float GEMV). D = 4: each row's bytes
//   4j'..4j'+3 are one 32-bit lane and 16 rows one 64-byte vector, the
//   operand of x86 VNNI `vpdpbusd` against 4 activation bytes.
//   `words` (D = 4 only): the same bytes, stored as little-endian 16-bit
//   words (stored byte 2i + h is byte h of word i), so a 32-bit lane is 2
//   words, the i16 operands of x86 AVX2 `vpmaddwd` once their nibbles are
//   shifted and masked out.
// - The scales (one per group of inputs, or one per row for int8), per
//   block of R rows: scale (group b, row n) at stored row n / R, column
//   b * R + n % R of a [out / R, groups * R] part.
//
// Both parts keep their byte size; only their shape in the package and
// their order change. The package writer permutes with tileRowIntegers and
// tileRowScales; the kernel generator reads with rowTiledIntegerAt and
// rowTiledScaleAt; the plan takes the part shapes from rowTiledShapes.
// All of them read the tiling off the type, so they cannot disagree.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_TARGET_ROWTILES_H
#define FACET_CODEGEN_TARGET_ROWTILES_H

#include "dialects/FacetDialect.h"

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace facet::codegen {

struct RowTiling {
  static constexpr int64_t kChunkBytes = 16; ///< stored bytes per row a chunk
  int64_t rows = 0;        ///< R
  int64_t depth = 1;       ///< D: stored bytes of a row kept together
  int64_t outputs = 0;     ///< out
  int64_t inputs = 0;      ///< in
  int64_t bits = 8;        ///< 4 or 8
  int64_t group = 0;       ///< inputs per scale (= inputs for per-row int8)
  bool words = false;      ///< integers stored as 16-bit words

  int64_t bytesPerRow() const { return bits == 4 ? inputs / 2 : inputs; }
  int64_t inputsPerChunk() const { return bits == 4 ? 32 : 16; }
  int64_t chunks() const { return bytesPerRow() / kChunkBytes; }
  int64_t groups() const { return inputs / group; }
};

/// The tiling of a quantized weight, or nullopt when it is row-major
/// (tileRows 0).
std::optional<RowTiling> rowTiling(QuantizedWeightType type);

/// The stored column of byte `byte` (0..15) of chunk `chunk` of the row
/// `rowInBlock` (0..R-1) of its block of R rows: affine in every argument,
/// so a kernel that walks the rows of one block as its own dimension gets
/// dense vector addresses. `Index` is int64_t or a Halide::Expr.
template <typename Index>
Index rowTiledColumnInBlock(const RowTiling &tiling, Index chunk, Index byte,
                            Index rowInBlock) {
  using Constant =
      std::conditional_t<std::is_integral_v<Index>, Index, int32_t>;
  Constant rows = Constant(tiling.rows);
  Constant depth = Constant(tiling.depth);
  Index chunkStart = chunk * Constant(RowTiling::kChunkBytes * tiling.rows);
  if (tiling.depth == 1)
    return chunkStart + byte * rows + rowInBlock;
  return chunkStart + byte / depth * (depth * rows) + rowInBlock * depth +
         byte % depth;
}

/// The stored word column (a byte column / 2) of word `word` (0..7, bytes
/// 2 word and 2 word + 1) of chunk `chunk` of row `rowInBlock` of its block,
/// in tiles of depth 4: affine in every argument, like
/// rowTiledColumnInBlock.
template <typename Index>
Index rowTiledWordColumnInBlock(const RowTiling &tiling, Index chunk,
                                Index word, Index rowInBlock) {
  using Constant =
      std::conditional_t<std::is_integral_v<Index>, Index, int32_t>;
  Constant rows = Constant(tiling.rows);
  // rowTiledColumnInBlock of byte 2 word, halved: a lane's 4 bytes are 2
  // words.
  return chunk * Constant(RowTiling::kChunkBytes / 2 * tiling.rows) +
         word / Constant(2) * (Constant(2) * rows) + rowInBlock * Constant(2) +
         word % Constant(2);
}

/// (column, row) of the stored integer byte `byte` (0..15) of chunk `chunk`
/// of row `n` in the [out / R, R * bytesPerRow] integer part. `Index` is
/// int64_t or a Halide::Expr.
template <typename Index>
std::pair<Index, Index> rowTiledIntegerAt(const RowTiling &tiling,
                                          Index chunk, Index byte, Index n) {
  using Constant =
      std::conditional_t<std::is_integral_v<Index>, Index, int32_t>;
  Constant rows = Constant(tiling.rows);
  return {rowTiledColumnInBlock<Index>(tiling, chunk, byte, n % rows),
          n / rows};
}

/// (column, row) of the scale of group `group` of row `n` in the
/// [out / R, groups * R] scale part.
template <typename Index>
std::pair<Index, Index> rowTiledScaleAt(const RowTiling &tiling, Index group,
                                        Index n) {
  using Constant =
      std::conditional_t<std::is_integral_v<Index>, Index, int32_t>;
  Constant rows = Constant(tiling.rows);
  return {group * rows + n % rows, n / rows};
}

/// The stored shapes (outermost first) of the integer and scale parts; the
/// integer part counts words where the tiling has them.
std::pair<std::vector<int64_t>, std::vector<int64_t>>
rowTiledShapes(const RowTiling &tiling);

/// Row-major integers (int8, or int4 two per byte with input 2i in the low
/// nibble) permuted into tiles.
std::vector<uint8_t> tileRowIntegers(const std::vector<uint8_t> &rowMajor,
                                     const RowTiling &tiling);

/// Row-major scales ([out, groups] of `elementBytes` each) permuted into
/// tiles.
std::vector<uint8_t> tileRowScales(const std::vector<uint8_t> &rowMajor,
                                   int64_t elementBytes,
                                   const RowTiling &tiling);

} // namespace facet::codegen

#endif // FACET_CODEGEN_TARGET_ROWTILES_H
