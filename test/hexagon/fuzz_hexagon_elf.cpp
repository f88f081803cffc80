//===- fuzz_hexagon_elf.cpp - libFuzzer target: the Hexagon ELF loader ----===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary bytes to the validation of runtime/hexagon/ElfImage.h, and
// for accepted objects lays out and relocates the image in a host buffer
// (as if loaded at 0x40000000, binding a few known names), then looks up
// symbols and DT_INIT_ARRAY entries in it. Any crash or sanitizer report is
// a bug: everything the loader reads must be inside the input or the image.
//
// Build and run as the targets in test/fuzz (clang, FACET_FUZZ=ON):
//
//   build-fuzz/test/hexagon/fuzz_hexagon_elf /tmp/corpus-elf -max_len=16384
//
// with /tmp/corpus-elf a copy of test/hexagon/corpus/fuzz_hexagon_elf/
// (shared objects built by ld.lld-14 -shared). Without libFuzzer, ctest
// replays that corpus through test/fuzz/StandaloneFuzzMain.cpp.
//
//===----------------------------------------------------------------------===//

#include "runtime/hexagon/ElfImage.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace facet::hexagon;

namespace {

bool resolve(void *, const char *name, uint32_t &address) {
  static const char *const kKnown[] = {"memcpy", "malloc", "free", "expf",
                                       "__hexagon_divsi3"};
  for (uint32_t i = 0; i < 5; ++i)
    if (std::strcmp(name, kKnown[i]) == 0) {
      address = 0x1000 + 16 * i;
      return true;
    }
  return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  elf::ParsedObject object;
  ErrorMessage error;
  if (!elf::parse(data, size, object, error)) {
    if (error.empty()) // a rejection always says why
      std::abort();
    return 0;
  }
  if (object.imageSize > (16u << 20))
    return 0; // valid, but not worth a large allocation per input
  std::vector<uint8_t> image(object.imageSize);
  const uint32_t loadAddress = 0x40000000u;
  if (!elf::relocate(object, data, image.data(), loadAddress, resolve, nullptr,
                     error))
    return 0;
  uint32_t offset = 0;
  for (const char *name : {"increment", "dot_i8", "memcpy", ""})
    if (elf::findSymbol(object, image.data(), name, offset) &&
        offset >= object.imageSize)
      std::abort();
  for (uint32_t i = 0; i < object.initArrayCount; ++i)
    if (elf::initArrayEntry(object, image.data(), loadAddress, i, offset) &&
        offset >= object.imageSize)
      std::abort();
  return 0;
}
