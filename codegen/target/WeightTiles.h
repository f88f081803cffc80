//===- WeightTiles.h - int8 weights stored as dot-instruction tiles -*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// HVX `vrmpy` multiplies a 128-byte vector by one 4-byte word and sums each
// lane's 4 products: with the word = 4 consecutive activations, the vector
// must hold 4 consecutive inputs of each of 32 rows. Row-major weights have
// those bytes `in` apart; tiled weights have them side by side.
//
// A tiled [out, in] int8 weight keeps its shape and size in the package (the
// runtime passes it as the same dense 2-D buffer) but its bytes are
// permuted. With R tile rows and G = 4 inputs per row in a tile, element
// (n, k) = (row, input) of block rb = n / R, row r = n % R, input group
// kb = k / G, g = k % G is stored at
//
//   stored row    y = rb * R + kb % R
//   stored column x = (kb / R) * (R * G) + r * G + g
//
// so each tile (rb, kb) is R * G contiguous bytes of one stored row, and
// the tiles of a row block fill its R stored rows. The package aligns every
// weight to kWeightAlignment (runtime/core/Format.h), so each tile starts
// at a multiple of its size. Only shift-and-mask
// arithmetic with R a power of two, no division by the input width; it needs
// out % R == 0 and in % (R * G) == 0, else the weight stays row-major.
//
// Tiled integers are stored offset by 128, as the u8 q + 128: HVX's
// vector-by-word vrmpy multiplies unsigned vector bytes by signed word
// bytes, and the kernels subtract 128 * sum(x) once per row of x.
//
// The weight writer permutes with tileInt8Weight; the kernel generator reads
// with tiledPosition; both ask int8WeightTiling, so they cannot disagree.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_TARGET_WEIGHTTILES_H
#define FACET_CODEGEN_TARGET_WEIGHTTILES_H

#include "dialects/FacetDialect.h"

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace facet::codegen {

struct WeightTiling {
  static constexpr int64_t kGroup = 4; ///< inputs per row in a tile
  int64_t rows = 0;                    ///< R: rows per tile
  int64_t outputs = 0;                 ///< the weight's out dimension
  int64_t inputs = 0;                  ///< the weight's in dimension

  int64_t tileBytes() const { return rows * kGroup; }
};

/// The tiling of an int8 weight for a target with `tileRows` rows per tile
/// (TargetInfo::int8WeightTileRows; 0: none): set for a symmetric int8
/// per-row [out, in] weight whose dimensions allow it, nullopt otherwise.
std::optional<WeightTiling> int8WeightTiling(int tileRows,
                                             QuantizedWeightType type);

/// Where element (k = input, n = row) of a tiled weight is stored, as
/// (column, row) of the dense [out, in] buffer. `Index` is int64_t or a
/// Halide::Expr (the kernel's load address).
template <typename Index>
std::pair<Index, Index> tiledPosition(const WeightTiling &tiling, Index k,
                                      Index n) {
  using Constant =
      std::conditional_t<std::is_integral_v<Index>, Index, int32_t>;
  Constant rows = Constant(tiling.rows), group = Constant(WeightTiling::kGroup);
  Index kb = k / group;
  Index column = (kb / rows) * (rows * group) + (n % rows) * group + k % group;
  Index row = (n / rows) * rows + kb % rows;
  return {column, row};
}

/// The row-major int8 bytes of a tiled weight permuted into tiles, each
/// stored as the u8 q + 128.
std::vector<uint8_t> tileInt8Weight(const std::vector<uint8_t> &rowMajor,
                                    const WeightTiling &tiling);

} // namespace facet::codegen

#endif // FACET_CODEGEN_TARGET_WEIGHTTILES_H
