//===- RowTiles.cpp - Quantized weights stored in tiles of rows -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "codegen/target/RowTiles.h"

#include "frontend/support/Error.h"

#include <cstring>

namespace facet::codegen {

std::optional<RowTiling> rowTiling(QuantizedWeightType type) {
  if (!type || type.getTileRows() <= 0)
    return std::nullopt;
  RowTiling tiling;
  tiling.rows = type.getTileRows();
  tiling.depth = type.getTileDepth();
  tiling.outputs = type.getShape()[0];
  tiling.inputs = type.getShape()[1];
  tiling.bits = type.getBits();
  tiling.group = type.getGroup() > 0 ? type.getGroup() : tiling.inputs;
  tiling.words = type.getTileWords();
  return tiling;
}

std::pair<std::vector<int64_t>, std::vector<int64_t>>
rowTiledShapes(const RowTiling &tiling) {
  int64_t blocks = tiling.outputs / tiling.rows;
  int64_t elementBytes = tiling.words ? 2 : 1;
  return {{blocks, tiling.rows * tiling.bytesPerRow() / elementBytes},
          {blocks, tiling.groups() * tiling.rows}};
}

std::vector<uint8_t> tileRowIntegers(const std::vector<uint8_t> &rowMajor,
                                     const RowTiling &tiling) {
  int64_t rowBytes = tiling.bytesPerRow();
  if (rowMajor.size() != uint64_t(tiling.outputs * rowBytes))
    throw Error("internal: row-tiled integers have " +
                std::to_string(rowMajor.size()) + " bytes, not " +
                std::to_string(tiling.outputs * rowBytes));
  std::vector<uint8_t> tiled(rowMajor.size());
  int64_t stride = tiling.rows * rowBytes; // bytes of one stored row
  for (int64_t n = 0; n < tiling.outputs; ++n) {
    const uint8_t *row = rowMajor.data() + n * rowBytes;
    for (int64_t c = 0; c < tiling.chunks(); ++c)
      for (int64_t j = 0; j < RowTiling::kChunkBytes; ++j) {
        uint8_t byte;
        if (tiling.bits == 4) {
          // Inputs 32c + j (low nibble) and 32c + 16 + j (high nibble),
          // from row-major bytes that pair inputs 2i and 2i + 1.
          auto nibble = [&](int64_t k) {
            return uint8_t((row[k / 2] >> (k % 2 * 4)) & 15);
          };
          byte = uint8_t(nibble(32 * c + j) | nibble(32 * c + 16 + j) << 4);
        } else {
          byte = row[16 * c + j];
        }
        auto [column, stored] = rowTiledIntegerAt<int64_t>(tiling, c, j, n);
        tiled[stored * stride + column] = byte;
      }
  }
  return tiled;
}

std::vector<uint8_t> tileRowScales(const std::vector<uint8_t> &rowMajor,
                                   int64_t elementBytes,
                                   const RowTiling &tiling) {
  int64_t groups = tiling.groups();
  if (rowMajor.size() != uint64_t(tiling.outputs * groups * elementBytes))
    throw Error("internal: row-tiled scales have " +
                std::to_string(rowMajor.size()) + " bytes, not " +
                std::to_string(tiling.outputs * groups * elementBytes));
  std::vector<uint8_t> tiled(rowMajor.size());
  int64_t stride = groups * tiling.rows; // elements of one stored row
  for (int64_t n = 0; n < tiling.outputs; ++n)
    for (int64_t b = 0; b < groups; ++b) {
      auto [column, stored] = rowTiledScaleAt<int64_t>(tiling, b, n);
      std::memcpy(&tiled[(stored * stride + column) * elementBytes],
                  &rowMajor[(n * groups + b) * elementBytes], elementBytes);
    }
  return tiled;
}

} // namespace facet::codegen
