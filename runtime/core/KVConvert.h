//===- KVConvert.h - f32 KV rows -> the cache's storage type ---*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Kernels produce keys and values as f32 rows [kvHeads, headDim]; a cache
// compiled with --kv-dtype stores them narrower. These are the conversions
// the KVStore step applies on the way in (the attention kernels widen back):
//   bf16: the upper 16 bits of the f32, rounded to nearest, ties to even.
//   f16:  IEEE binary16, rounded to nearest, ties to even, subnormals kept,
//         overflow to +-inf.
//   int8: symmetric, one f32 scale per (row, KV head): scale = max|x| / 127
//         over the head's headDim values, q = round(x / scale) (half away
//         from zero) clamped to [-127, 127]; an all-zero head has scale 0 and
//         zeros. The value read back is q * scale.
// NaN stays NaN in bf16/f16 and becomes 0 in int8 (an int8 has no NaN).
// Part of the libc-free core: the host and the Hexagon runner store
// bit-identical caches.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CORE_KVCONVERT_H
#define FACET_RUNTIME_CORE_KVCONVERT_H

#include "runtime/core/Format.h"

namespace facet::core {

/// `value` rounded to bf16 (bits).
uint16_t floatToBF16(float value);
/// `value` rounded to IEEE half (bits).
uint16_t floatToF16(float value);

/// Quantizes `count` values to int8 with one symmetric scale; returns it.
float quantizeInt8(const float *values, int64_t count, int8_t *out);

/// Converts `rows` f32 rows of [kvHeads, headDim] at `source` to `type`
/// (F32, BF16, F16 or I8) at `target`; for I8, writes kvHeads scales per row
/// to `scales` ([rows, kvHeads] f32). Returns false, converting nothing,
/// for any other type.
bool convertKVRows(ElementType type, const float *source, int64_t rows,
                   int64_t kvHeads, int64_t headDim, void *target,
                   float *scales);

} // namespace facet::core

#endif // FACET_RUNTIME_CORE_KVCONVERT_H
