//===- make_package_corpus.cpp - Seeds for fuzz_package -------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Writes the committed seed corpus of fuzz_package:
//
//   build/test/runtime/make-package-corpus test/runtime/corpus/fuzz_package
//
// valid_*: packages and a bare manifest the loader accepts; bad_*: one
// defect each, which the loader must reject with a FormatError. The toy
// model's kernel object is replaced by a few bytes to keep the seeds small
// (the loader does not look inside it).
//
//===----------------------------------------------------------------------===//

#include "ToyModel.h"

#include "runtime/package/ByteIO.h"
#include "runtime/package/PackageFile.h"
#include "runtime/package/PackageWriter.h"

#include <cstdio>
#include <functional>

using namespace facet::package;
using facet::test::ToyOptions;

namespace {

std::vector<uint8_t> toyPackage(const std::string &dir, bool tokenizer) {
  PackageWriter writer(facet::test::toyManifest(ToyOptions()));
  writer.setKernels({0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
  std::vector<std::vector<uint8_t>> weights =
      facet::test::toyWeights(ToyOptions());
  for (size_t i = 0; i < weights.size(); ++i)
    writer.setWeight(i, weights[i]);
  if (tokenizer)
    writer.setTokenizer({'{', '}'});
  std::string path = dir + "/.tmp-seed";
  writer.write(path);
  std::vector<uint8_t> bytes = facet::test::readFile(path);
  std::remove(path.c_str());
  return bytes;
}

size_t entry(size_t section, size_t field) {
  return kHeaderSize + section * kSectionEntrySize + field;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  std::vector<uint8_t> valid = toyPackage(dir, false);
  auto seed = [&](const char *name,
                  const std::function<void(std::vector<uint8_t> &)> &mutate) {
    std::vector<uint8_t> bytes = valid;
    mutate(bytes);
    facet::test::writeFile(dir + "/" + name, bytes);
  };

  seed("valid_toy", [](std::vector<uint8_t> &) {});
  facet::test::writeFile(dir + "/valid_toy_tokenizer", toyPackage(dir, true));
  ParsedPackage parsed = parsePackage(valid.data(), valid.size(), "seed");
  std::vector<uint8_t> manifest = serializeManifest(parsed.manifest);
  facet::test::writeFile(dir + "/valid_manifest_only", manifest);

  seed("bad_magic", [](std::vector<uint8_t> &b) { b[3] = 'X'; });
  seed("bad_version", [](std::vector<uint8_t> &b) {
    storeU32(&b[8], facet::package::kFormatVersion + 1);
  });
  seed("bad_truncated_header", [](std::vector<uint8_t> &b) { b.resize(40); });
  seed("bad_truncated",
       [](std::vector<uint8_t> &b) { b.resize(b.size() - 9); });
  seed("bad_section_past_end",
       [](std::vector<uint8_t> &b) { storeU64(&b[entry(2, 16)], b.size()); });
  seed("bad_section_unaligned", [](std::vector<uint8_t> &b) {
    storeU64(&b[entry(1, 8)], loadU64(&b[entry(1, 8)]) + 4);
  });
  seed("bad_sections_overlap", [](std::vector<uint8_t> &b) {
    storeU64(&b[entry(1, 8)], loadU64(&b[entry(0, 8)]));
  });
  seed("bad_missing_weights", [](std::vector<uint8_t> &b) {
    storeU32(&b[entry(2, 0)], uint32_t(SectionKind::Tokenizer));
  });
  seed("bad_weight_outside",
       [](std::vector<uint8_t> &b) { storeU64(&b[entry(2, 16)], 100); });
  seed("bad_kernel_index", [&](std::vector<uint8_t> &b) {
    Manifest m = parsed.manifest;
    m.entryPoints[0].steps[0].kernel = 77;
    std::vector<uint8_t> bytes = serializeManifest(m);
    std::copy(bytes.begin(), bytes.end(),
              b.begin() + parsed.manifestSection.offset);
  });
  seed("bad_manifest_count", [&](std::vector<uint8_t> &b) {
    // The kernel count field, right after model and target.
    Manifest m = parsed.manifest;
    m.kernels.clear();
    m.weights.clear();
    m.caches.clear();
    m.entryPoints.clear();
    size_t countOffset = serializeManifest(m).size() - 32;
    storeU64(&b[parsed.manifestSection.offset + countOffset], uint64_t(1)
                                                                  << 40);
  });
  std::printf("wrote seeds to %s\n", dir.c_str());
  return 0;
}
