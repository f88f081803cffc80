//===- WeightTilesTest.cpp - int8 weights stored as dot-instruction tiles -===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The permutation the weight writer applies and the addresses the kernels
// read must be one bijection onto the [out, in] buffer, with each tile's
// 32 rows x 4 inputs contiguous; shapes that do not allow it stay row-major.
//
//===----------------------------------------------------------------------===//

#include "codegen/target/WeightTiles.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <set>

namespace facet::codegen {
namespace {

QuantizedWeightType int8Type(mlir::MLIRContext &context,
                             llvm::ArrayRef<int64_t> shape, int64_t group = 0,
                             bool symmetric = true, unsigned bits = 8) {
  context.loadDialect<FacetDialect>();
  mlir::Builder builder(&context);
  return QuantizedWeightType::get(&context, shape, builder.getIntegerType(bits),
                                  group, builder.getF32Type(), symmetric,
                                  /*tileRows=*/0, /*tileDepth=*/1,
                                  /*tileWords=*/false);
}

TEST(WeightTiles, TilesOnlyShapesThatHoldWholeTiles) {
  mlir::MLIRContext context;
  EXPECT_TRUE(int8WeightTiling(32, int8Type(context, {64, 256})));
  EXPECT_FALSE(int8WeightTiling(0, int8Type(context, {64, 256})));  // no tiles
  EXPECT_FALSE(int8WeightTiling(32, int8Type(context, {48, 256}))); // 48 rows
  EXPECT_FALSE(int8WeightTiling(32, int8Type(context, {64, 96})));  // 96 inputs
  EXPECT_FALSE(int8WeightTiling(32, int8Type(context, {64, 256}, 32)));
  EXPECT_FALSE(int8WeightTiling(32, int8Type(context, {64, 256}, 0, false)));
  EXPECT_FALSE(int8WeightTiling(32, int8Type(context, {2, 64, 256})));
}

TEST(WeightTiles, EveryTileIsOneContiguousRunAndNothingCollides) {
  mlir::MLIRContext context;
  std::optional<WeightTiling> tiling =
      int8WeightTiling(32, int8Type(context, {64, 384}));
  ASSERT_TRUE(tiling);
  const int64_t out = 64, in = 384;
  std::vector<uint8_t> rowMajor(out * in);
  for (size_t i = 0; i < rowMajor.size(); ++i)
    rowMajor[i] = uint8_t(i * 131 + i / 256);
  std::vector<uint8_t> tiled = tileInt8Weight(rowMajor, *tiling);

  std::set<int64_t> seen;
  for (int64_t n = 0; n < out; ++n)
    for (int64_t k = 0; k < in; ++k) {
      auto [column, row] = tiledPosition<int64_t>(*tiling, k, n);
      ASSERT_GE(column, 0);
      ASSERT_LT(column, in);
      ASSERT_GE(row, 0);
      ASSERT_LT(row, out);
      int64_t offset = row * in + column;
      EXPECT_TRUE(seen.insert(offset).second) << "n " << n << " k " << k;
      EXPECT_EQ(int(tiled[offset]), int(int8_t(rowMajor[n * in + k])) + 128);
    }
  // Tile (rows 32..63, inputs 8..11): 128 bytes in a row, row by row.
  auto [start, startRow] = tiledPosition<int64_t>(*tiling, 8, 32);
  for (int64_t r = 0; r < 32; ++r)
    for (int64_t g = 0; g < 4; ++g) {
      auto [column, row] = tiledPosition<int64_t>(*tiling, 8 + g, 32 + r);
      EXPECT_EQ(row, startRow);
      EXPECT_EQ(column, start + r * 4 + g);
    }
}

TEST(WeightTiles, RejectsBytesOfAnotherShape) {
  mlir::MLIRContext context;
  std::optional<WeightTiling> tiling =
      int8WeightTiling(32, int8Type(context, {32, 128}));
  ASSERT_TRUE(tiling);
  EXPECT_THROW(tileInt8Weight(std::vector<uint8_t>(100), *tiling),
               std::exception);
}

} // namespace
} // namespace facet::codegen
