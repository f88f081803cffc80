//===- fuzz_package.cpp - libFuzzer target: the package loader ------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary bytes to the runtime's package loader: parsePackage (header,
// section table, manifest) when the input starts with the package magic,
// parseManifest on the whole input otherwise (so the fuzzer also explores
// manifests without first having to build a valid header). The only
// acceptable outcomes are success or a package::FormatError; any other
// exception, crash, sanitizer report, leak or timeout is a bug. Accepted
// packages are checked further: every section and weight lies inside the
// input, and the manifest survives a serialise/parse round trip unchanged.
//
// Build and run as the targets in test/fuzz (clang, FACET_FUZZ=ON):
//
//   build-fuzz/test/runtime/fuzz_package /tmp/corpus-pkg
//       -dict=test/runtime/package.dict -max_len=8192 -timeout=10
//
// with /tmp/corpus-pkg a copy of test/runtime/corpus/fuzz_package/. Without
// libFuzzer, the same source is linked with test/fuzz/StandaloneFuzzMain.cpp
// and ctest replays that corpus.
//
//===----------------------------------------------------------------------===//

#include "runtime/package/FormatError.h"
#include "runtime/package/Manifest.h"
#include "runtime/package/PackageFile.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

using namespace facet::package;

namespace {

void checkRoundTrip(const Manifest &manifest, uint64_t weightsSize) {
  std::vector<uint8_t> bytes = serializeManifest(manifest);
  Manifest again = parseManifest(bytes.data(), bytes.size(), weightsSize);
  if (serializeManifest(again) != bytes)
    std::abort();
}

void checkPackage(const ParsedPackage &package, const uint8_t *data,
                  size_t size) {
  for (const SectionRef &section : package.sections) {
    if (section.offset % kSectionAlignment != 0 || section.offset > size ||
        section.size > size - section.offset ||
        section.data != data + section.offset)
      std::abort();
  }
  for (const WeightInfo &weight : package.manifest.weights)
    if (weight.offset + weight.bytes > package.weights.size)
      std::abort();
  for (const EntryPoint &entry : package.manifest.entryPoints)
    for (const BufferInfo &buffer : entry.buffers)
      if (buffer.arenaOffset + bufferBytes(buffer, entry.maxTokens) >
          entry.arenaBytes)
        std::abort();
  checkRoundTrip(package.manifest, package.weights.size);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  try {
    if (size >= sizeof(kMagic) &&
        std::memcmp(data, kMagic, sizeof(kMagic)) == 0) {
      ParsedPackage package = parsePackage(data, size, "fuzz.facet");
      checkPackage(package, data, size);
    } else {
      // A manifest alone, checked against a Weights section of 1 MiB.
      Manifest manifest = parseManifest(data, size, 1 << 20);
      checkRoundTrip(manifest, 1 << 20);
    }
  } catch (const FormatError &) {
    // Rejected with a message: fine.
  }
  return 0;
}
