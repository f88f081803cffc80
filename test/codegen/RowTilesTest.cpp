//===- RowTilesTest.cpp - Quantized weights stored in tiles of rows -------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "codegen/target/RowTiles.h"

#include "frontend/support/Error.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>
#include <set>

namespace facet::codegen {
namespace {

QuantizedWeightType weightType(mlir::MLIRContext &context,
                               llvm::ArrayRef<int64_t> shape, unsigned bits,
                               int64_t group, int64_t tileRows,
                               int64_t tileDepth = 1, bool words = false) {
  context.loadDialect<FacetDialect>();
  mlir::Builder builder(&context);
  return QuantizedWeightType::get(&context, shape, builder.getIntegerType(bits),
                                  group, builder.getF16Type(),
                                  /*symmetric=*/true, tileRows,
                                  tileRows > 0 ? tileDepth : 1, words);
}

TEST(RowTiles, OnlyTypesWithTilesAreTiled) {
  mlir::MLIRContext context;
  EXPECT_FALSE(rowTiling(weightType(context, {64, 64}, 4, 32, 0)));
  std::optional<RowTiling> tiling =
      rowTiling(weightType(context, {128, 96}, 4, 32, 64));
  ASSERT_TRUE(tiling);
  EXPECT_EQ(tiling->chunks(), 3);
  EXPECT_EQ(tiling->groups(), 3);
  auto [integers, scales] = rowTiledShapes(*tiling);
  EXPECT_EQ(integers, (std::vector<int64_t>{2, 64 * 48}));
  EXPECT_EQ(scales, (std::vector<int64_t>{2, 3 * 64}));
}

TEST(RowTiles, CanTileNeedsWholeTilesAndChunks) {
  EXPECT_TRUE(QuantizedWeightType::canTile({128, 64}, 4, 32, true, 64));
  EXPECT_FALSE(QuantizedWeightType::canTile({96, 64}, 4, 32, true, 64));
  EXPECT_FALSE(QuantizedWeightType::canTile({128, 16}, 4, 0, true, 64));
  EXPECT_FALSE(QuantizedWeightType::canTile({128, 64}, 4, 32, false, 64));
  EXPECT_FALSE(QuantizedWeightType::canTile({2, 128, 64}, 8, 0, true, 64));
  EXPECT_TRUE(QuantizedWeightType::canTile({64, 48}, 8, 0, true, 32));
  EXPECT_FALSE(QuantizedWeightType::canTile({64, 40}, 8, 0, true, 32));
}

/// Tiles int4 integers with a distinct pattern and checks that every stored
/// byte has one place of its own and holds inputs 32c + j (low nibble) and
/// 32c + 16 + j (high nibble) of its row; `checkPlace(n, c, j, column, row)`
/// then checks the layout's address of each.
template <typename CheckPlace>
void checkInt4Tiles(const RowTiling &tiling, CheckPlace checkPlace) {
  const int64_t out = tiling.outputs, in = tiling.inputs;
  std::vector<uint8_t> rowMajor(out * in / 2);
  auto nibble = [&](int64_t n, int64_t k) { return (n * 7 + k * 3) % 16; };
  for (int64_t n = 0; n < out; ++n)
    for (int64_t k = 0; k < in; k += 2)
      rowMajor[n * in / 2 + k / 2] =
          uint8_t(nibble(n, k) | nibble(n, k + 1) << 4);
  std::vector<uint8_t> tiled = tileRowIntegers(rowMajor, tiling);
  int64_t stride = tiling.rows * in / 2;
  std::set<int64_t> seen;
  for (int64_t n = 0; n < out; ++n)
    for (int64_t c = 0; c < tiling.chunks(); ++c)
      for (int64_t j = 0; j < 16; ++j) {
        auto [column, row] = rowTiledIntegerAt<int64_t>(tiling, c, j, n);
        int64_t offset = row * stride + column;
        EXPECT_TRUE(seen.insert(offset).second);
        EXPECT_EQ(tiled[offset] & 15, nibble(n, 32 * c + j));
        EXPECT_EQ(tiled[offset] >> 4, nibble(n, 32 * c + 16 + j));
        checkPlace(n, c, j, column, row);
      }
  EXPECT_EQ(seen.size(), tiled.size());
}

// Every element lands in one place, a block's rows of one input are
// adjacent, and int4 pairs inputs 32c + j and 32c + 16 + j in one byte.
TEST(RowTiles, Int4ElementsLandWhereTheKernelReadsThem) {
  mlir::MLIRContext context;
  const int64_t out = 64, in = 96, rows = 32;
  RowTiling tiling = *rowTiling(weightType(context, {out, in}, 4, 32, rows));
  int64_t stride = rows * in / 2;
  checkInt4Tiles(tiling, [&](int64_t n, int64_t c, int64_t j, int64_t column,
                             int64_t row) {
    if (n % rows == 0)
      return;
    auto [previous, previousRow] =
        rowTiledIntegerAt<int64_t>(tiling, c, j, n - 1);
    EXPECT_EQ(previousRow * stride + previous + 1, row * stride + column);
  });
}

TEST(RowTiles, DepthFourKeepsFourBytesOfARowTogether) {
  mlir::MLIRContext context;
  const int64_t out = 32, in = 64, rows = 16;
  RowTiling tiling =
      *rowTiling(weightType(context, {out, in}, 4, 32, rows, /*depth=*/4));
  EXPECT_EQ(tiling.depth, 4);
  checkInt4Tiles(tiling, [&](int64_t n, int64_t c, int64_t j, int64_t column,
                             int64_t row) {
    // vpdpbusd's operand: bytes 4j'..4j'+3 of a row are one 32-bit lane,
    // and the 16 rows of a tile are 16 consecutive lanes.
    EXPECT_EQ(column,
              c * 16 * rows + (j / 4) * 4 * rows + (n % rows) * 4 + j % 4);
    EXPECT_EQ(row, n / rows);
  });
}

TEST(RowTiles, WordsHoldTheSameBytesTwoAWord) {
  mlir::MLIRContext context;
  const int64_t out = 32, in = 128, rows = 16;
  RowTiling bytes =
      *rowTiling(weightType(context, {out, in}, 4, 32, rows, /*depth=*/4));
  RowTiling words = *rowTiling(
      weightType(context, {out, in}, 4, 32, rows, /*depth=*/4, true));
  EXPECT_FALSE(bytes.words);
  EXPECT_TRUE(words.words);
  // The integer part counts 16-bit words: half the columns, same bytes.
  auto [byteShape, byteScales] = rowTiledShapes(bytes);
  auto [wordShape, wordScales] = rowTiledShapes(words);
  EXPECT_EQ(byteShape, (std::vector<int64_t>{out / rows, rows * in / 2}));
  EXPECT_EQ(wordShape, (std::vector<int64_t>{out / rows, rows * in / 4}));
  EXPECT_EQ(byteScales, wordScales);
  // Word i of a chunk is its stored bytes 2i and 2i + 1 (little-endian).
  for (int64_t c = 0; c < words.chunks(); ++c)
    for (int64_t i = 0; i < 8; ++i)
      for (int64_t n = 0; n < rows; ++n) {
        int64_t word = rowTiledWordColumnInBlock<int64_t>(words, c, i, n);
        EXPECT_EQ(2 * word, rowTiledColumnInBlock<int64_t>(words, c, 2 * i, n));
        EXPECT_EQ(2 * word + 1,
                  rowTiledColumnInBlock<int64_t>(words, c, 2 * i + 1, n));
      }
}

TEST(RowTiles, Int8AndScalesFollowTheirPositions) {
  mlir::MLIRContext context;
  const int64_t out = 128, in = 48, rows = 64;
  RowTiling tiling = *rowTiling(weightType(context, {out, in}, 8, 0, rows));
  std::vector<uint8_t> rowMajor(out * in);
  for (size_t i = 0; i < rowMajor.size(); ++i)
    rowMajor[i] = uint8_t(i * 37 + i / 97);
  std::vector<uint8_t> tiled = tileRowIntegers(rowMajor, tiling);
  for (int64_t n = 0; n < out; ++n)
    for (int64_t k = 0; k < in; ++k) {
      auto [column, row] = rowTiledIntegerAt<int64_t>(tiling, k / 16, k % 16, n);
      EXPECT_EQ(tiled[row * rows * in + column], rowMajor[n * in + k]);
    }

  // Per-row scales of 2 bytes each: one group, rows adjacent.
  std::vector<uint8_t> scales(out * 2);
  for (size_t i = 0; i < scales.size(); ++i)
    scales[i] = uint8_t(i);
  std::vector<uint8_t> tiledScales = tileRowScales(scales, 2, tiling);
  for (int64_t n = 0; n < out; ++n) {
    auto [column, row] = rowTiledScaleAt<int64_t>(tiling, 0, n);
    EXPECT_EQ(tiledScales[(row * rows + column) * 2], scales[n * 2]);
    EXPECT_EQ(tiledScales[(row * rows + column) * 2 + 1], scales[n * 2 + 1]);
  }
}

TEST(RowTiles, RejectsBytesOfAnotherShape) {
  mlir::MLIRContext context;
  RowTiling tiling = *rowTiling(weightType(context, {64, 64}, 4, 32, 64));
  EXPECT_THROW(tileRowIntegers(std::vector<uint8_t>(10), tiling), Error);
  EXPECT_THROW(tileRowScales(std::vector<uint8_t>(10), 2, tiling), Error);
}

} // namespace
} // namespace facet::codegen
