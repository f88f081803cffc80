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
//     uint64   offset          64-byte aligned (Weights: 128), inside the file
//     uint64   size
//   Sections (non-overlapping): Manifest (the serialised Manifest below),
//   Kernels (a shared object for CPU targets), Weights (every weight once,
//   each 128-byte aligned, in the layout its kernels read), Tokenizer
//   (optional, later).
//
// The manifest is serialised with ByteWriter (ByteIO.h) and read by the
// core's reader (core/ManifestReader.h):
// uint64 counts and integers, float64 reals, length-prefixed strings.
// Every integer field, enums and signed values included, takes 8 bytes; the
// fields follow the order of the structs below (runtime/README.md spells it
// out).
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_PACKAGE_MANIFEST_H
#define FACET_RUNTIME_PACKAGE_MANIFEST_H

#include "runtime/core/Format.h"
#include "runtime/core/ManifestView.h"
#include "runtime/package/HostArena.h"

#include <cstdint>
#include <string>
#include <vector>

namespace facet::package {

// The format's enums, constants and limits are the core's (one definition
// for the host and the freestanding Hexagon runner).
using core::ArgKind;
using core::ElementType;
using core::kFormatVersion;
using core::kHeaderSize;
using core::kMagic;
using core::kMaxKernelArgs;
using core::kMaxRank;
using core::kSectionAlignment;
using core::kWeightAlignment;
using core::kSectionEntrySize;
using core::kTokens;
using core::ScalarKind;
using core::SectionKind;
using core::StepKind;

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
  uint64_t offset = 0;       // inside the Weights section, 128-byte aligned
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

/// What a kernel argument is bound to (see core::ArgKind).
struct Arg {
  ArgKind kind = ArgKind::Buffer;
  uint64_t index = 0;        // buffer / weight / cache index, or ScalarKind
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

using core::elementSize;
using core::elementTypeName;

/// Bytes of `buffer` when a step has `tokens` tokens (kTokens -> tokens).
uint64_t bufferBytes(const BufferInfo &buffer, int64_t tokens);

/// Whether `weight` is read one row per token (the PLE table) rather than
/// streamed whole: its pages are faulted in row by row.
bool isGatheredByRow(const WeightInfo &weight);

/// Bytes one entry (position) of `cache` takes: its keys and values, and
/// for an I8 cache their f32 scales, one per KV head each.
uint64_t cacheEntryBytes(const CacheInfo &cache);

/// The entry point called `name`, or null.
const EntryPoint *findEntryPoint(const Manifest &manifest,
                                 const std::string &name);

/// Serialises `manifest` into the Manifest section's bytes.
std::vector<uint8_t> serializeManifest(const Manifest &manifest);

/// Parses and validates a Manifest section with core::readManifest (every
/// index in range, every shape positive, every weight inside
/// `weightsSectionSize`, every buffer inside its arena, ...;
/// runtime/README.md lists the rules) and copies the result into std
/// containers. Throws package::FormatError naming what is wrong.
Manifest parseManifest(const uint8_t *data, uint64_t size,
                       uint64_t weightsSectionSize);

/// The same check, keeping the core's view (what the executor runs): its
/// arrays come from `arena`, its names point into `data`.
core::ManifestView readManifestView(const uint8_t *data, uint64_t size,
                                    uint64_t weightsSectionSize,
                                    HostArena &arena);

/// The std-based copy of a view readManifestView returned.
Manifest toManifest(const core::ManifestView &view);

} // namespace facet::package

#endif // FACET_RUNTIME_PACKAGE_MANIFEST_H
