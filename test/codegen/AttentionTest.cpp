//===- AttentionTest.cpp - attention over ring-buffer KV caches -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Two attention ops in one pipeline: a sliding window of 4 over a 6-slot ring
// (window + chunk - 1, as the plan sizes it) and a full-attention cache of 32
// slots, both with GQA (4 query heads on 2 KV heads). The same pipeline runs
// a prefill chunk at positions 0-2 (queries see different numbers of
// positions), a chunk at 17-19 (the ring has wrapped several times) and a
// decode step at 20. The reference attends over per-position keys and values
// directly, never over the ring. Tolerance: 1e-5 of the largest output.
//
//===----------------------------------------------------------------------===//

#include "CodegenTestUtil.h"

#include <gtest/gtest.h>

#include <cmath>

namespace facet::codegen::testing {
namespace {

constexpr int64_t kHeads = 4, kKVHeads = 2, kHeadDim = 16;
constexpr int64_t kWindow = 4, kSlidingSlots = 6, kFullSlots = 32;

const char *kModule = R"mlir(
facet.kv_cache @kv.s sliding window 4 heads 2 x 16 layer 0
facet.kv_cache @kv.f full heads 2 x 16 layer 1
func.func @attend(%q: tensor<?x4x16xf32>, %pos: tensor<?xi32>)
    -> (tensor<?x4x16xf32>, tensor<?x4x16xf32>) {
  %s = facet.attention %q, %pos cache @kv.s window 4 scale 1.0 layer 0 : tensor<?x4x16xf32>, tensor<?xi32> -> tensor<?x4x16xf32>
  %f = facet.attention %q, %pos cache @kv.f window 0 scale 0.25 layer 1 : tensor<?x4x16xf32>, tensor<?xi32> -> tensor<?x4x16xf32>
  return %s, %f : tensor<?x4x16xf32>, tensor<?x4x16xf32>
}
)mlir";

/// Keys or values of every position 0..count-1: [count, kvHeads, headDim].
Tensor perPosition(int64_t count, uint32_t seed) {
  return randomTensor({count, kKVHeads, kHeadDim}, seed, -2, 2);
}

/// The ring of `slots` after positions 0..count-1 of `rows` [positions,
/// kvHeads, headDim] were written in order.
Tensor ring(const Tensor &rows, int64_t count, int64_t slots) {
  Tensor out;
  out.shape = {slots, rows.shape[1], rows.shape[2]};
  out.data.assign(out.size(), std::nanf("")); // never-written slots
  int64_t row = rows.shape[1] * rows.shape[2];
  for (int64_t p = 0; p < count; ++p)
    std::copy(rows.data.begin() + p * row, rows.data.begin() + (p + 1) * row,
              out.data.begin() + (p % slots) * row);
  return out;
}

/// Attention of queries `q` [T, heads, headDim] at `pos` over the keys and
/// values of every position, [positions, kvHeads, headDim].
std::vector<float> attentionRef(const Tensor &q,
                                const std::vector<int32_t> &pos,
                                const Tensor &keys, const Tensor &values,
                                int64_t window, float scale) {
  const int64_t kHeads = q.shape[1], kHeadDim = q.shape[2],
                kKVHeads = keys.shape[1];
  int64_t tokens = q.shape[0], group = kHeads / kKVHeads;
  std::vector<float> out(q.size(), 0.0f);
  for (int64_t t = 0; t < tokens; ++t) {
    int64_t p = pos[t];
    std::vector<int64_t> visible;
    for (int64_t k = 0; k <= p; ++k)
      if (window <= 0 || k > p - window)
        visible.push_back(k);
    for (int64_t h = 0; h < kHeads; ++h) {
      int64_t kv = h / group;
      const float *query = &q.data[(t * kHeads + h) * kHeadDim];
      std::vector<float> prob;
      float maximum = -INFINITY;
      for (int64_t k : visible) {
        prob.push_back(dotRef(query, &keys.data[(k * kKVHeads + kv) * kHeadDim],
                              kHeadDim) *
                       scale);
        maximum = std::max(maximum, prob.back());
      }
      float sum = 0.0f;
      for (float &s : prob) {
        s = std::exp(s - maximum);
        sum += s;
      }
      for (float &s : prob)
        s /= sum;
      for (int64_t j = 0; j < kHeadDim; ++j) {
        float acc = 0.0f;
        for (size_t i = 0; i < visible.size(); ++i)
          acc += prob[i] *
                 values.data[(visible[i] * kKVHeads + kv) * kHeadDim + j];
        out[(t * kHeads + h) * kHeadDim + j] = acc;
      }
    }
  }
  return out;
}

TEST(AttentionEmitter, SlidingRingAndFullCacheWithGQA) {
  KernelFixture fixture(kModule);
  BuiltKernel &kernel = fixture.build("attend");
  ASSERT_EQ(kernel.caches.size(), 2u);
  ASSERT_TRUE(kernel.contextLength.has_value());

  const int64_t total = 21;
  Tensor slidingKeys = perPosition(total, 1),
         slidingValues = perPosition(total, 2);
  Tensor fullKeys = perPosition(total, 3), fullValues = perPosition(total, 4);

  for (std::vector<int32_t> positions :
       {std::vector<int32_t>{0, 1, 2}, std::vector<int32_t>{17, 18, 19},
        std::vector<int32_t>{20}}) {
    int64_t tokens = positions.size();
    int32_t context = positions.back() + 1;
    SCOPED_TRACE("positions from " + std::to_string(positions[0]));
    fixture.setCache("kv.s", ring(slidingKeys, context, kSlidingSlots),
                     ring(slidingValues, context, kSlidingSlots));
    fixture.setCache("kv.f", ring(fullKeys, context, kFullSlots),
                     ring(fullValues, context, kFullSlots));
    fixture.setContextLength(context);
    Tensor q = randomTensor({tokens, kHeads, kHeadDim}, 10 + context, -1, 1);
    fixture.setInput(0, q);
    fixture.setInput(1, intTensor({tokens}, positions));
    std::vector<Tensor> out =
        fixture.run({{tokens, kHeads, kHeadDim}, {tokens, kHeads, kHeadDim}});
    EXPECT_LE(
        relativeError(out[0].data, attentionRef(q, positions, slidingKeys,
                                                slidingValues, kWindow, 1.0f)),
        1e-5);
    EXPECT_LE(relativeError(out[1].data, attentionRef(q, positions, fullKeys,
                                                      fullValues, 0, 0.25f)),
              1e-5);
  }
}

// Full-size shapes in miniature: 8 query heads on one KV head (E2B's
// group), 200 positions (several of the blocks decode splits the scores
// into, the last one partial) and a 100-position window over a wrapped
// ring, head dimensions of 48 (three vectors of partial dots) and 40
// (partial dots of 8, no vector of the accumulator divides it).
const char *kWideModule = R"mlir(
facet.kv_cache @kv.w sliding window 100 heads 1 x 48 layer 0
facet.kv_cache @kv.g full heads 1 x 40 layer 1
func.func @attend(%q: tensor<?x8x48xf32>, %r: tensor<?x8x40xf32>, %pos: tensor<?xi32>)
    -> (tensor<?x8x48xf32>, tensor<?x8x40xf32>) {
  %s = facet.attention %q, %pos cache @kv.w window 100 scale 0.2 layer 0 : tensor<?x8x48xf32>, tensor<?xi32> -> tensor<?x8x48xf32>
  %f = facet.attention %r, %pos cache @kv.g window 0 scale 0.15 layer 1 : tensor<?x8x40xf32>, tensor<?xi32> -> tensor<?x8x40xf32>
  return %s, %f : tensor<?x8x48xf32>, tensor<?x8x40xf32>
}
)mlir";

TEST(AttentionEmitter, EightHeadsPerKVHeadOverHundredsOfPositions) {
  KernelFixture fixture(kWideModule);
  fixture.build("attend");
  const int64_t total = 200, slidingSlots = 103; // window + 4 - 1
  Tensor slidingKeys = randomTensor({total, 1, 48}, 41, -2, 2),
         slidingValues = randomTensor({total, 1, 48}, 42, -2, 2),
         fullKeys = randomTensor({total, 1, 40}, 43, -2, 2),
         fullValues = randomTensor({total, 1, 40}, 44, -2, 2);
  for (std::vector<int32_t> positions :
       {std::vector<int32_t>{199}, std::vector<int32_t>{196, 197, 198, 199},
        std::vector<int32_t>{0, 1}}) {
    int64_t tokens = positions.size();
    int32_t context = positions.back() + 1;
    SCOPED_TRACE("positions from " + std::to_string(positions[0]));
    fixture.setCache("kv.w", ring(slidingKeys, context, slidingSlots),
                     ring(slidingValues, context, slidingSlots));
    fixture.setCache("kv.g", ring(fullKeys, context, total),
                     ring(fullValues, context, total));
    fixture.setContextLength(context);
    Tensor q = randomTensor({tokens, 8, 48}, 50 + context, -1, 1),
           r = randomTensor({tokens, 8, 40}, 60 + context, -1, 1);
    fixture.setInput(0, q);
    fixture.setInput(1, r);
    fixture.setInput(2, intTensor({tokens}, positions));
    std::vector<Tensor> out = fixture.run({{tokens, 8, 48}, {tokens, 8, 40}});
    EXPECT_LE(
        relativeError(out[0].data, attentionRef(q, positions, slidingKeys,
                                                slidingValues, 100, 0.2f)),
        1e-5);
    EXPECT_LE(relativeError(out[1].data, attentionRef(r, positions, fullKeys,
                                                      fullValues, 0, 0.15f)),
              1e-5);
  }
}

// Narrow caches (--kv-dtype): a bf16 sliding ring and an int8 full cache
// with one scale per (slot, KV head). The kernel must read exactly the
// stored values widened to f32: the reference attends over the same
// rounded/dequantized values, so the f32 tolerance applies.
const char *kNarrowModule = R"mlir(
facet.kv_cache @kv.s sliding window 4 heads 2 x 16 layer 0 capacity 6 dtype bf16
facet.kv_cache @kv.f full heads 2 x 16 layer 1 capacity 32 dtype i8
func.func @attend(%q: tensor<?x4x16xf32>, %pos: tensor<?xi32>)
    -> (tensor<?x4x16xf32>, tensor<?x4x16xf32>) {
  %s = facet.attention %q, %pos cache @kv.s window 4 scale 1.0 layer 0 : tensor<?x4x16xf32>, tensor<?xi32> -> tensor<?x4x16xf32>
  %f = facet.attention %q, %pos cache @kv.f window 0 scale 0.25 layer 1 : tensor<?x4x16xf32>, tensor<?xi32> -> tensor<?x4x16xf32>
  return %s, %f : tensor<?x4x16xf32>, tensor<?x4x16xf32>
}
)mlir";

/// `rows` [slots, kvHeads, headDim] as int8 with one symmetric scale per
/// (slot, head): q [headDim, kvHeads, slots] and scales [kvHeads, slots]
/// (Halide order); `rows` becomes the dequantized values.
void quantizeRows(Tensor &rows, Halide::Buffer<int8_t> &q,
                  Halide::Buffer<float> &scales) {
  int64_t slots = rows.shape[0];
  q = Halide::Buffer<int8_t>(int(kHeadDim), int(kKVHeads), int(slots));
  scales = Halide::Buffer<float>(int(kKVHeads), int(slots));
  for (int64_t s = 0; s < slots; ++s)
    for (int64_t h = 0; h < kKVHeads; ++h) {
      float *row = &rows.data[(s * kKVHeads + h) * kHeadDim];
      float maximum = 0.0f;
      for (int64_t j = 0; j < kHeadDim; ++j)
        maximum = std::max(maximum, std::fabs(row[j]));
      float scale = maximum / 127.0f;
      scales(int(h), int(s)) = scale;
      for (int64_t j = 0; j < kHeadDim; ++j) {
        int8_t value = scale > 0 ? int8_t(std::round(row[j] / scale)) : 0;
        q(int(j), int(h), int(s)) = value;
        row[j] = value * scale;
      }
    }
}

TEST(AttentionEmitter, ReadsBF16AndInt8CachesWidened) {
  KernelFixture fixture(kNarrowModule);
  BuiltKernel &kernel = fixture.build("attend");
  ASSERT_EQ(kernel.caches.size(), 2u);
  EXPECT_FALSE(kernel.caches[0].keyScales.has_value());
  ASSERT_TRUE(kernel.caches[1].keyScales.has_value());
  EXPECT_EQ(kernel.caches[0].keys.type(), Halide::BFloat(16));
  EXPECT_EQ(kernel.caches[1].keys.type(), Halide::Int(8));

  const int64_t total = 20;
  std::vector<int32_t> positions{17, 18, 19};
  Tensor slidingKeys = perPosition(total, 1),
         slidingValues = perPosition(total, 2);
  Tensor fullKeys = perPosition(total, 3), fullValues = perPosition(total, 4);
  for (Tensor *rows : {&slidingKeys, &slidingValues})
    for (float &value : rows->data)
      value = roundTo(Storage::BF16, value);
  Halide::Buffer<int8_t> qKeys, qValues;
  Halide::Buffer<float> keyScales, valueScales;
  // Slot p of the 32-slot full ring holds position p (all 20 < 32).
  Tensor fullKeyRing = ring(fullKeys, total, kFullSlots),
         fullValueRing = ring(fullValues, total, kFullSlots);
  for (float &value : fullKeyRing.data)
    value = std::isnan(value) ? 0.0f : value;
  for (float &value : fullValueRing.data)
    value = std::isnan(value) ? 0.0f : value;
  quantizeRows(fullKeyRing, qKeys, keyScales);
  quantizeRows(fullValueRing, qValues, valueScales);
  std::copy(fullKeyRing.data.begin(),
            fullKeyRing.data.begin() + fullKeys.data.size(),
            fullKeys.data.begin());
  std::copy(fullValueRing.data.begin(),
            fullValueRing.data.begin() + fullValues.data.size(),
            fullValues.data.begin());

  Tensor slidingKeyRing = ring(slidingKeys, total, kSlidingSlots),
         slidingValueRing = ring(slidingValues, total, kSlidingSlots);
  std::vector<int> sizes{int(kHeadDim), int(kKVHeads), int(kSlidingSlots)};
  Halide::Buffer<Halide::bfloat16_t> bfKeys(sizes), bfValues(sizes);
  for (size_t i = 0; i < slidingKeyRing.data.size(); ++i) {
    bfKeys.data()[i] = Halide::bfloat16_t(slidingKeyRing.data[i]);
    bfValues.data()[i] = Halide::bfloat16_t(slidingValueRing.data[i]);
  }
  fixture.setCacheBuffers("kv.s", bfKeys, bfValues);
  fixture.setCacheBuffers("kv.f", qKeys, qValues, keyScales, valueScales);
  fixture.setContextLength(total);
  Tensor q = randomTensor({3, kHeads, kHeadDim}, 30, -1, 1);
  fixture.setInput(0, q);
  fixture.setInput(1, intTensor({3}, positions));
  std::vector<Tensor> out =
      fixture.run({{3, kHeads, kHeadDim}, {3, kHeads, kHeadDim}});
  EXPECT_LE(relativeError(out[0].data,
                          attentionRef(q, positions, slidingKeys,
                                       slidingValues, kWindow, 1.0f)),
            1e-5);
  EXPECT_LE(relativeError(out[1].data, attentionRef(q, positions, fullKeys,
                                                    fullValues, 0, 0.25f)),
            1e-5);
}

TEST(AttentionEmitter, RejectsAContextLengthBelowThePositions) {
  KernelFixture fixture(kModule);
  fixture.build("attend");
  Tensor keys = perPosition(8, 5);
  fixture.setCache("kv.s", ring(keys, 8, kSlidingSlots),
                   ring(keys, 8, kSlidingSlots));
  fixture.setCache("kv.f", ring(keys, 8, kFullSlots),
                   ring(keys, 8, kFullSlots));
  fixture.setInput(0, randomTensor({1, kHeads, kHeadDim}, 6));
  fixture.setInput(1, intTensor({1}, {7}));
  fixture.setContextLength(5); // position 7 needs at least 8
  try {
    fixture.run({{1, kHeads, kHeadDim}, {1, kHeads, kHeadDim}});
    ADD_FAILURE() << "expected a runtime error";
  } catch (const Halide::RuntimeError &error) {
    EXPECT_NE(std::string(error.what()).find("context_length"),
              std::string::npos)
        << error.what();
  }
}

TEST(AttentionEmitter, RejectsAChunkThatOverwritesItsOwnWindow) {
  // 4 queries at 10..13 with window 4 need positions 7..13 in the ring at
  // once: 7 > 6 slots (the plan would size it window + chunk - 1 = 7).
  KernelFixture fixture(kModule);
  fixture.build("attend");
  Tensor keys = perPosition(14, 5);
  fixture.setCache("kv.s", ring(keys, 14, kSlidingSlots),
                   ring(keys, 14, kSlidingSlots));
  fixture.setCache("kv.f", ring(keys, 14, kFullSlots),
                   ring(keys, 14, kFullSlots));
  fixture.setInput(0, randomTensor({4, kHeads, kHeadDim}, 6));
  fixture.setInput(1, intTensor({4}, {10, 11, 12, 13}));
  fixture.setContextLength(14);
  try {
    fixture.run({{4, kHeads, kHeadDim}, {4, kHeads, kHeadDim}});
    ADD_FAILURE() << "expected a runtime error";
  } catch (const Halide::RuntimeError &error) {
    EXPECT_NE(std::string(error.what()).find("ring of 6 slots"),
              std::string::npos)
        << error.what();
  }
}

} // namespace
} // namespace facet::codegen::testing
