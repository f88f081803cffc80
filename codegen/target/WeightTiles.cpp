//===- WeightTiles.cpp - int8 weights stored as dot-instruction tiles -----===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "codegen/target/WeightTiles.h"

#include "frontend/support/Error.h"
#include "runtime/core/Format.h"

namespace facet::codegen {

std::optional<WeightTiling> int8WeightTiling(int tileRows,
                                             QuantizedWeightType type) {
  if (tileRows <= 0 || !type || type.getBits() != 8 || type.getGroup() != 0 ||
      !type.getSymmetric() || type.getShape().size() != 2 ||
      type.getTileRows() > 0) // stored in row tiles instead (RowTiles.h)
    return std::nullopt;
  WeightTiling tiling;
  tiling.rows = tileRows;
  tiling.outputs = type.getShape()[0];
  tiling.inputs = type.getShape()[1];
  // Every tile starts at a multiple of its size in memory (the kernels load
  // it with one aligned vector load): the package aligns each weight to
  // kWeightAlignment, and a stored row is a whole number of tiles.
  if (tiling.outputs % tiling.rows != 0 ||
      tiling.inputs % tiling.tileBytes() != 0 ||
      core::kWeightAlignment % uint64_t(tiling.tileBytes()) != 0)
    return std::nullopt;
  return tiling;
}

std::vector<uint8_t> tileInt8Weight(const std::vector<uint8_t> &rowMajor,
                                    const WeightTiling &tiling) {
  if (rowMajor.size() != uint64_t(tiling.outputs * tiling.inputs))
    throw Error("internal: tiled weight has " +
                std::to_string(rowMajor.size()) + " bytes, not " +
                std::to_string(tiling.outputs * tiling.inputs));
  std::vector<uint8_t> tiled(rowMajor.size());
  for (int64_t n = 0; n < tiling.outputs; ++n)
    for (int64_t k = 0; k < tiling.inputs; ++k) {
      auto [column, row] = tiledPosition<int64_t>(tiling, k, n);
      tiled[row * tiling.inputs + column] =
          uint8_t(rowMajor[n * tiling.inputs + k] ^ 0x80); // q + 128
    }
  return tiled;
}

} // namespace facet::codegen
