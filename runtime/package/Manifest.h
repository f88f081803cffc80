//===- Manifest.h - What a .facet package says about its model -*- C++ -*-===//
//
// The contract between the compiler (which writes packages) and the runtime
// (which executes them). Standard C++17 only: the runtime must not depend on
// MLIR, LLVM or Halide.
//
// File layout (all integers little-endian):
//
//   Header, 64 bytes:
//     char     magic[8]        "FACETPKG"
//     uint32   formatVersion   kFormatVersion
//     uint32   sectionCount
//     uint64   fileSize        must equal the file's size
//     uint64   sectionTableOffset
//     uint8    reserved[32]    zero
//   Section table: sectionCount entries of
//     uint32   kind            SectionKind
//     uint32   reserved        zero
//     uint64   offset          64-byte aligned, inside the file
//     uint64   size
//   Sections (non-overlapping): Manifest (the serialised Manifest below),
//   Kernels (a shared object for CPU targets), Weights (every weight once,
//   each 64-byte aligned, in the layout its kernels read), Tokenizer
//   (optional, later).
//
// The manifest is serialised with ByteWriter / ByteReader (ByteIO.h):
// uint64 counts and integers, float64 reals, length-prefixed strings.
// Every integer field, enums and signed values included, takes 8 bytes; the
// fields follow the order of the structs below (runtime/README.md spells it
// out).
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_PACKAGE_MANIFEST_H
#define FACET_RUNTIME_PACKAGE_MANIFEST_H

#include <cstdint>
#include <string>
#include <vector>

namespace facet::package {

inline constexpr char kMagic[8] = {'F', 'A', 'C', 'E', 'T', 'P', 'K', 'G'};
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr uint64_t kHeaderSize = 64;
inline constexpr uint64_t kSectionEntrySize = 24;
inline constexpr uint64_t kSectionAlignment = 64;

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
};

/// A dimension of a buffer shape: a fixed size, or the token count of the
/// current step (`kTokens`), which only the leading dimension may use.
inline constexpr int64_t kTokens = -1;

/// Limits the parser enforces (kernels receive fixed-size descriptor arrays).
inline constexpr uint64_t kMaxRank = 8;        // dimensions of a weight/buffer
inline constexpr uint64_t kMaxKernelArgs = 256; // KernelInfo::numArgs

struct ModelInfo {
  std::string name;          // e.g. the checkpoint directory's name
  int64_t vocabSize = 0;
  int64_t hiddenSize = 0;
  int64_t numLayers = 0;
  int64_t maxContext = 0;    // positions the caches can hold
  int64_t bosTokenId = 2;
  std::vector<int64_t> eosTokenIds;
};

struct TargetInfo {
  std::string name;          // registry name, e.g. "x86_64-avx512"
  std::string arch;          // "x86_64", "aarch64", ...
  std::vector<std::string> cpuFeatures; // the machine must have all of them
};

struct KernelInfo {
  std::string name;          // e.g. "decode.17.linear"
  std::string symbol;        // entry in the kernel object: int symbol(void **args)
  uint64_t numArgs = 0;      // length of the argv array
};

struct WeightInfo {
  std::string name;          // facet.param symbol (+ ".scales"/".zeros")
  ElementType type = ElementType::F32;
  std::vector<int64_t> shape; // outermost first, all fixed
  uint64_t offset = 0;       // inside the Weights section, 64-byte aligned
  uint64_t bytes = 0;
  std::string weightClass;   // the importer's class: "attention", "norm", ...
  std::string scheme;        // storage: "f32", "bf16", "int8", "int4-g32", ...
};

struct CacheInfo {
  std::string name;          // facet.kv_cache symbol
  ElementType type = ElementType::F32; // F32, BF16, F16, or I8 with one f32
                                       // scale per (slot, KV head)
  int64_t kvHeads = 0;
  int64_t headDim = 0;
  int64_t window = 0;        // 0: full attention
  int64_t capacity = 0;      // ring slots; position p lives in slot p % capacity
};

/// An activation buffer of one entry point; lives in that entry's arena.
struct BufferInfo {
  std::string name;          // for error messages and profiles
  ElementType type = ElementType::F32;
  std::vector<int64_t> shape; // leading dim may be kTokens
  uint64_t arenaOffset = 0;  // 64-byte aligned; sized for maxTokens
};

/// What a kernel argument is bound to.
enum class ArgKind : uint32_t {
  Buffer = 1,       // index into EntryPoint::buffers
  Weight = 2,       // index into Manifest::weights
  CacheKeys = 3,    // index into Manifest::caches: [capacity, kvHeads, headDim]
  CacheValues = 4,  // same shape
  Scalar = 5,       // a per-step int32 value, see ScalarKind
  CacheKeyScales = 6,   // index into Manifest::caches, an I8 cache only:
                        // f32 [capacity, kvHeads], key = q * scale
  CacheValueScales = 7, // same for the values
};

enum class ScalarKind : uint32_t {
  Tokens = 1,       // token count of this step
  ContextLength = 2, // last position of this step + 1
};

struct Arg {
  ArgKind kind = ArgKind::Buffer;
  uint64_t index = 0;        // buffer / weight / cache index, or ScalarKind
};

enum class StepKind : uint32_t {
  Kernel = 1,       // call kernels[kernel] with args (inputs, then outputs)
  KVStore = 2,      // copy rows of args[0] (keys) and args[1] (values),
                    // f32 buffers [T, kvHeads, headDim], into cache `cache`
                    // at slot position % capacity of each row's position,
                    // converted to the cache's type
};

struct Step {
  StepKind kind = StepKind::Kernel;
  uint64_t kernel = 0;       // Kernel steps
  uint64_t cache = 0;        // KVStore steps
  std::vector<Arg> args;
};

/// One entry point ("prefill" or "decode"): the ordered launches of a step.
struct EntryPoint {
  std::string name;
  int64_t maxTokens = 0;     // tokens per call (prefill chunk size; 1 for decode)
  uint64_t arenaBytes = 0;
  std::vector<BufferInfo> buffers;
  // Token-indexed buffers (these three and the sources of KVStore steps)
  // have a leading dimension of kTokens, or of 1 when maxTokens is 1.
  uint64_t tokenIdsBuffer = 0;  // i32 [T]
  uint64_t positionsBuffer = 0; // i32 [T]
  uint64_t logitsBuffer = 0;    // f32 [T, vocab]
  std::vector<Step> steps;
};

struct Manifest {
  ModelInfo model;
  TargetInfo target;
  std::vector<KernelInfo> kernels;
  std::vector<WeightInfo> weights;
  std::vector<CacheInfo> caches;
  std::vector<EntryPoint> entryPoints;
};

/// Bytes of one element of `type`.
uint64_t elementSize(ElementType type);
const char *elementTypeName(ElementType type);

/// Bytes of `buffer` when a step has `tokens` tokens (kTokens -> tokens).
uint64_t bufferBytes(const BufferInfo &buffer, int64_t tokens);

/// Bytes one entry (position) of `cache` takes: its keys and values, and
/// for an I8 cache their f32 scales, one per KV head each.
uint64_t cacheEntryBytes(const CacheInfo &cache);

/// The entry point called `name`, or null.
const EntryPoint *findEntryPoint(const Manifest &manifest,
                                 const std::string &name);

/// Serialises `manifest` into the Manifest section's bytes.
std::vector<uint8_t> serializeManifest(const Manifest &manifest);

/// Parses and validates a Manifest section (every index in range, every
/// shape positive, every weight inside `weightsSectionSize`, every buffer
/// inside its arena, ...; runtime/README.md lists the rules). Throws
/// package::FormatError naming what is wrong.
Manifest parseManifest(const uint8_t *data, uint64_t size,
                       uint64_t weightsSectionSize);

} // namespace facet::package

#endif // FACET_RUNTIME_PACKAGE_MANIFEST_H
