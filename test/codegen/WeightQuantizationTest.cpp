//===- WeightQuantizationTest.cpp - package weight quantization -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// quantizeWeight rounds half to even (its own rounding, no libm call, must
// agree with nearbyint); quantizing in slices (what `facet compile` does
// for large tensors) gives the same bytes as quantizing whole; and the
// background quantizer hands back exactly what quantizeForPackage makes.
//
//===----------------------------------------------------------------------===//

#include "codegen/driver/WeightQuantization.h"
#include "codegen/driver/BackgroundQuantizer.h"
#include "codegen/driver/WeightConversion.h"
#include "frontend/support/Error.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

namespace facet::codegen {
namespace {

class WeightQuantization : public ::testing::Test {
protected:
  WeightQuantization() { context.loadDialect<FacetDialect>(); }

  QuantizedWeightType type(int64_t rows, int64_t inner, unsigned bits,
                           int64_t group, bool symmetric, int64_t tileRows,
                           int64_t tileDepth = 1) {
    mlir::Builder builder(&context);
    mlir::Type scale = bits == 4 ? mlir::Type(builder.getF16Type())
                                 : mlir::Type(builder.getF32Type());
    return QuantizedWeightType::get(&context, {rows, inner},
                                    builder.getIntegerType(bits), group, scale,
                                    symmetric, tileRows, tileDepth,
                                    /*tileWords=*/false);
  }

  static std::vector<float> random(size_t count, unsigned seed) {
    std::mt19937 generator(seed);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    std::vector<float> values(count);
    for (float &value : values)
      value = normal(generator);
    return values;
  }

  mlir::MLIRContext context;
};

TEST_F(WeightQuantization, RoundsHalfToEvenAsNearbyint) {
  // Per-row int8 with max |w| = 127: the scale is 1, so q = round(w).
  std::vector<float> row = {127.0f, 0.5f,   1.5f,    2.5f,    -0.5f, -1.5f,
                            -2.5f,  126.5f, -126.5f, 3.4999f, 0.0f,  -127.0f};
  QuantizedWeight quantized =
      quantizeWeight(row, type(1, int64_t(row.size()), 8, 0, true, 0));
  for (size_t i = 0; i < row.size(); ++i)
    EXPECT_EQ(int8_t(quantized.integers[i]), int(std::nearbyint(row[i])))
        << "w = " << row[i];
}

TEST_F(WeightQuantization, SlicesGiveTheBytesOfTheWholeTensor) {
  const int64_t rows = 24, inner = 96;
  std::vector<float> values = random(size_t(rows * inner), 7);
  for (auto [bits, group, symmetric] :
       {std::tuple{4u, int64_t(32), true}, std::tuple{4u, int64_t(32), false},
        std::tuple{8u, int64_t(0), true}}) {
    SCOPED_TRACE("bits " + std::to_string(bits) + " symmetric " +
                 std::to_string(symmetric));
    QuantizedWeightType weightType =
        type(rows, inner, bits, group, symmetric, 0);
    QuantizedWeight whole = quantizeWeight(values, weightType);
    QuantizedWeight sliced = emptyQuantizedWeight(weightType);
    const uint64_t slice = 5 * inner; // a slice is whole rows
    for (uint64_t first = 0; first < values.size(); first += slice)
      quantizeGroups(values.data() + first, first,
                     std::min<uint64_t>(slice, values.size() - first),
                     weightType, sliced);
    EXPECT_EQ(sliced.integers, whole.integers);
    EXPECT_EQ(sliced.scales, whole.scales);
    EXPECT_EQ(sliced.zeros, whole.zeros);
  }
}

TEST_F(WeightQuantization, BackgroundResultsEqualQuantizingInPlace) {
  // bf16 checkpoint data, as Gemma's; a row-tiled int4 weight and a
  // row-major int8 one.
  const int64_t rows = 128, inner = 64;
  std::vector<float> values = random(size_t(rows * inner), 11);
  std::vector<uint8_t> bf16(values.size() * 2);
  for (size_t i = 0; i < values.size(); ++i) {
    uint16_t bits = floatToBF16(values[i]);
    std::memcpy(&bf16[2 * i], &bits, 2);
  }
  TensorView tensor;
  tensor.name = "w";
  tensor.dtype = DType::BF16;
  tensor.shape = {rows, inner};
  tensor.byteSize = bf16.size();
  tensor.data = bf16.data();
  QuantizedWeightType tiled = type(rows, inner, 4, 32, true, 64, 4);
  QuantizedWeightType plain = type(rows, inner, 8, 0, true, 0);
  std::vector<QuantizationJob> jobs = {
      {&tensor, tiled, std::nullopt, rowTiling(tiled)},
      {&tensor, plain, std::nullopt, std::nullopt}};
  std::vector<QuantizedWeight> expected;
  for (const QuantizationJob &job : jobs)
    expected.push_back(quantizeForPackage(job));
  ASSERT_TRUE(rowTiling(tiled).has_value());

  BackgroundQuantizer quantizer(jobs);
  for (size_t i = 0; i < jobs.size(); ++i) {
    QuantizedWeight got = quantizer.take(i);
    EXPECT_EQ(got.integers, expected[i].integers) << "job " << i;
    EXPECT_EQ(got.scales, expected[i].scales) << "job " << i;
  }
  EXPECT_THROW(quantizer.take(0), Error);
  EXPECT_THROW(quantizer.take(2), Error);
}

} // namespace
} // namespace facet::codegen
