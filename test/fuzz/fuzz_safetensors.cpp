//===- fuzz_safetensors.cpp - libFuzzer target: safetensors parser --------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary bytes to SafetensorsFile::parse. The only acceptable
// outcomes are success or a facet::Error; any other exception, crash,
// sanitizer report, leak or timeout is a bug.
//
// How to run the real fuzzers (needs clang with libFuzzer, e.g. Debian's
// clang-14 + libclang-rt-14-dev; no MLIR/LLVM dev packages are needed).
// `tools/run-fuzzers [--seconds N] [target...]` does all of this; by hand:
//
//   CXX=clang++ CC=clang cmake -S . -B build-fuzz -G Ninja
//       -DFACET_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo     (one line)
//   cmake --build build-fuzz
//   # Copy the committed seeds: libFuzzer writes new inputs into the first
//   # corpus directory, and the committed one should stay small.
//   mkdir -p /tmp/corpus-st && cp test/fuzz/corpus/fuzz_safetensors/*
//   /tmp/corpus-st/ build-fuzz/test/fuzz/fuzz_safetensors /tmp/corpus-st
//       -dict=test/fuzz/safetensors.dict -max_total_time=600 -max_len=4096
//       -rss_limit_mb=2048 -timeout=10                         (one line)
//
// The other targets run the same way: fuzz_config (dictionary
// test/fuzz/config.dict) and fuzz_checkpoint_index. A crash leaves
// crash-<sha1> in the working directory; reproduce it with
//   build-fuzz/test/fuzz/fuzz_safetensors crash-<sha1>
// and, once fixed, add the input to test/fuzz/corpus/<target>/ so that the
// ctest corpus run (default build, StandaloneFuzzMain.cpp) keeps it fixed.
//
//===----------------------------------------------------------------------===//

#include "frontend/safetensors/Safetensors.h"
#include "frontend/support/Error.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  try {
    facet::SafetensorsFile file =
        facet::SafetensorsFile::parse(data, size, "fuzz.safetensors");
    // Touch everything the parser produced: the sanitizers catch a view
    // that points outside the input.
    uint64_t lastEnd = 0;
    unsigned checksum = 0;
    for (const facet::TensorView &view : file.tensors()) {
      int64_t elements = view.numElements();
      if (elements < 0 ||
          static_cast<uint64_t>(elements) * facet::dtypeSize(view.dtype) !=
              view.byteSize)
        std::abort();
      if (view.fileOffset + view.byteSize > size ||
          view.data != data + view.fileOffset)
        std::abort();
      if (view.byteSize > 0) {
        checksum += view.data[0] + view.data[view.byteSize - 1];
        // File order: non-empty tensors never overlap.
        if (view.fileOffset < lastEnd)
          std::abort();
        lastEnd = view.fileOffset + view.byteSize;
      }
      if (file.find(view.name) != &view)
        std::abort();
    }
    for (const auto &entry : file.metadata())
      checksum +=
          static_cast<unsigned>(entry.first.size() + entry.second.size());
    volatile unsigned sink = checksum;
    (void)sink;
  } catch (const facet::Error &) {
    // Rejected input: fine.
  }
  return 0;
}
