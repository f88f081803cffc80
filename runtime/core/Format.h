//===- Format.h - The .facet format's enums and limits ----------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The values the package format fixes (runtime/README.md): magic, version,
// section kinds, element, step and argument kinds, the kTokens dimension and
// the limits the reader enforces. They live in the libc-free core so the
// host runtime (package/Manifest.h re-exports them) and the freestanding
// Hexagon runner read packages with one definition.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CORE_FORMAT_H
#define FACET_RUNTIME_CORE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

namespace facet::core {

inline constexpr char kMagic[8] = {'F', 'A', 'C', 'E', 'T', 'P', 'K', 'G'};
inline constexpr uint32_t kFormatVersion = 3; // 3: weights 128-byte aligned
inline constexpr uint64_t kHeaderSize = 64;
inline constexpr uint64_t kSectionEntrySize = 24;
inline constexpr uint64_t kSectionAlignment = 64;
/// The Weights section and every weight in it start at a multiple of this:
/// one HVX vector, so that Hexagon kernels load weight tiles with aligned
/// vector loads (codegen/target/WeightTiles.h).
inline constexpr uint64_t kWeightAlignment = 128;
inline constexpr uint64_t kMaxSections = 16;

enum class SectionKind : uint32_t {
  Manifest = 1,
  Kernels = 2,
  Weights = 3,
  Tokenizer = 4,
};

/// Element types of buffers and weights (values are part of the format).
enum class ElementType : uint32_t {
  F32 = 1,
  F16 = 2,
  BF16 = 3,
  I32 = 4,
  I8 = 5,
  U8 = 6,
  U16 = 7, // int4 row tiles read as 16-bit words (codegen/target/RowTiles.h)
};

/// A dimension of a buffer shape: a fixed size, or the token count of the
/// current step (`kTokens`), which only the leading dimension may use.
inline constexpr int64_t kTokens = -1;

/// Limits the reader enforces (kernels receive fixed-size descriptor arrays).
inline constexpr uint64_t kMaxRank = 8;         // dimensions of a weight/buffer
inline constexpr uint64_t kMaxKernelArgs = 256; // KernelInfo::numArgs

/// What a kernel argument is bound to.
enum class ArgKind : uint32_t {
  Buffer = 1,           // index into the entry point's buffers
  Weight = 2,           // index into the weights
  CacheKeys = 3,        // index into the caches: [capacity, kvHeads, headDim]
  CacheValues = 4,      // same shape
  Scalar = 5,           // a per-step int32 value, see ScalarKind
  CacheKeyScales = 6,   // index into the caches, an I8 cache only:
                        // f32 [capacity, kvHeads], key = q * scale
  CacheValueScales = 7, // same for the values
  Constant = 8,         // an int32 fixed per launch: the index itself (which
                        // layer of the per-layer inputs a kernel shared by
                        // several layers reads), 0 <= index < 2^31
};

enum class ScalarKind : uint32_t {
  Tokens = 1,        // token count of this step
  ContextLength = 2, // last position of this step + 1
};

enum class StepKind : uint32_t {
  Kernel = 1,  // call kernels[kernel] with args (inputs, then outputs)
  KVStore = 2, // copy rows of args[0] (keys) and args[1] (values),
               // f32 buffers [T, kvHeads, headDim], into cache `cache`
               // at slot position % capacity of each row's position,
               // converted to the cache's type
};

/// Bytes of one element of `type` (0 for a value outside the enum).
uint64_t elementSize(ElementType type);
const char *elementTypeName(ElementType type);
const char *sectionKindName(SectionKind kind);

/// Little-endian loads and stores on raw bytes (no alignment needed).
inline uint32_t loadU32(const uint8_t *bytes) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i)
    value = (value << 8) | bytes[i];
  return value;
}

inline uint64_t loadU64(const uint8_t *bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i)
    value = (value << 8) | bytes[i];
  return value;
}

inline void storeU32(uint8_t *bytes, uint32_t value) {
  for (int i = 0; i < 4; ++i)
    bytes[i] = static_cast<uint8_t>(value >> (8 * i));
}

inline void storeU64(uint8_t *bytes, uint64_t value) {
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<uint8_t>(value >> (8 * i));
}

} // namespace facet::core

#endif // FACET_RUNTIME_CORE_FORMAT_H
