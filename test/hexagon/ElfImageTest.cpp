//===- ElfImageTest.cpp - The Hexagon ELF loader's checks, on the host ----===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// runtime/hexagon/ElfImage.cpp is target-independent, so its validation and
// relocation are tested here on a real Hexagon shared object (the fuzz seed
// built from test_library.c) and on damaged copies of it: each damage must
// be rejected with a message saying what is wrong, and every truncation of
// the file that cuts into its segments must be rejected without reading
// past its end.
//
//===----------------------------------------------------------------------===//

#include "runtime/hexagon/ElfImage.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace facet::hexagon;

namespace {

std::vector<uint8_t> readSeed() {
  std::ifstream file(FACET_HEXAGON_SEED, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(file), {});
}

uint32_t read32(const std::vector<uint8_t> &bytes, size_t at) {
  uint32_t value;
  std::memcpy(&value, bytes.data() + at, 4);
  return value;
}

void write32(std::vector<uint8_t> &bytes, size_t at, uint32_t value) {
  std::memcpy(bytes.data() + at, &value, 4);
}

/// File offset of the PT_DYNAMIC contents.
size_t dynamicOffset(const std::vector<uint8_t> &bytes) {
  uint32_t phoff = read32(bytes, 28);
  uint16_t phnum = bytes[44] | (bytes[45] << 8);
  for (uint32_t i = 0; i < phnum; ++i)
    if (read32(bytes, phoff + 32 * i) == 2)
      return read32(bytes, phoff + 32 * i + 4);
  ADD_FAILURE() << "no PT_DYNAMIC";
  return 0;
}

bool resolveAll(void *, const char *name, uint32_t &address) {
  address = 0x1000 + static_cast<uint32_t>(std::strlen(name));
  return true;
}

bool resolveAllButExpf(void *context, const char *name, uint32_t &address) {
  return std::strcmp(name, "expf") != 0 && resolveAll(context, name, address);
}

std::string parseError(const std::vector<uint8_t> &bytes) {
  elf::ParsedObject object;
  ErrorMessage error;
  if (elf::parse(bytes.data(), bytes.size(), object, error))
    return "accepted";
  return error.text();
}

std::string relocateError(const std::vector<uint8_t> &bytes,
                          elf::Resolver resolve) {
  elf::ParsedObject object;
  ErrorMessage error;
  if (!elf::parse(bytes.data(), bytes.size(), object, error))
    return std::string("parse: ") + error.text();
  std::vector<uint8_t> image(object.imageSize);
  if (elf::relocate(object, bytes.data(), image.data(), 0x40000000u, resolve,
                    nullptr, error))
    return "relocated";
  return error.text();
}

TEST(HexagonElfImage, LoadsTheTestLibrary) {
  std::vector<uint8_t> bytes = readSeed();
  ASSERT_GT(bytes.size(), 1000u);
  elf::ParsedObject object;
  ErrorMessage error;
  ASSERT_TRUE(elf::parse(bytes.data(), bytes.size(), object, error))
      << error.text();
  EXPECT_EQ(object.initArrayCount, 1u);
  std::vector<uint8_t> image(object.imageSize);
  const uint32_t load = 0x40000000u;
  ASSERT_TRUE(elf::relocate(object, bytes.data(), image.data(), load,
                            resolveAll, nullptr, error))
      << error.text();
  uint32_t increment = 0, operations = 0, counter = 0, init = 0;
  EXPECT_TRUE(elf::findSymbol(object, image.data(), "increment", increment));
  EXPECT_TRUE(elf::findSymbol(object, image.data(), "operations", operations));
  EXPECT_TRUE(elf::findSymbol(object, image.data(), "counter", counter));
  EXPECT_FALSE(elf::findSymbol(object, image.data(), "twice", counter));
  EXPECT_FALSE(elf::findSymbol(object, image.data(), "memcpy", counter));
  // counter's initial value was copied; the function table was relocated
  // to addresses inside the image (R_HEX_RELATIVE).
  EXPECT_EQ(read32(image, counter), 41u);
  for (int i = 0; i < 2; ++i) {
    uint32_t entry = read32(image, operations + 4 * i);
    EXPECT_GE(entry, load);
    EXPECT_LT(entry, load + object.imageSize);
  }
  EXPECT_TRUE(elf::initArrayEntry(object, image.data(), load, 0, init));
  EXPECT_FALSE(elf::initArrayEntry(object, image.data(), load, 1, init));
}

TEST(HexagonElfImage, RejectsEveryTruncation) {
  std::vector<uint8_t> bytes = readSeed();
  for (size_t size = 0; size < bytes.size(); ++size) {
    // A fresh exact-size copy, so that a read past the end is caught by
    // tools like ASan and valgrind.
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + size);
    elf::ParsedObject object;
    ErrorMessage error;
    if (!elf::parse(prefix.data(), prefix.size(), object, error)) {
      EXPECT_FALSE(error.empty()) << size;
      continue;
    }
    // Only the section headers at the end may be cut off: every segment
    // is still inside the prefix.
    for (uint32_t i = 0; i < object.segmentCount; ++i)
      EXPECT_LE(object.segments[i].fileOffset + object.segments[i].fileSize,
                size);
  }
  EXPECT_EQ(parseError({}), "file too small for an ELF header (truncated?)");
}

TEST(HexagonElfImage, NamesWhatIsWrong) {
  const std::vector<uint8_t> good = readSeed();
  std::vector<uint8_t> bytes = good;
  bytes[1] = 'X';
  EXPECT_EQ(parseError(bytes), "not an ELF file (bad magic)");
  bytes = good;
  bytes[4] = 2; // ELFCLASS64
  EXPECT_EQ(parseError(bytes), "not a 32-bit little-endian ELF file");
  bytes = good;
  bytes[5] = 2; // big-endian
  EXPECT_EQ(parseError(bytes), "not a 32-bit little-endian ELF file");
  bytes = good;
  bytes[18] = 40; // EM_ARM
  EXPECT_EQ(parseError(bytes), "wrong e_machine 40 (expected 164, EM_HEXAGON)");
  bytes = good;
  bytes[16] = 2; // ET_EXEC
  EXPECT_EQ(parseError(bytes),
            "wrong e_type 2 (expected 3, ET_DYN: a shared object)");

  size_t dynamic = dynamicOffset(good);
  bytes = good;
  write32(bytes, dynamic, 17); // the first entry becomes DT_REL
  EXPECT_EQ(parseError(bytes),
            "DT_REL relocations are not supported (only RELA)");
  bytes = good;
  write32(bytes, dynamic, 1); // DT_NEEDED
  EXPECT_NE(parseError(bytes).find("DT_NEEDED"), std::string::npos);

  elf::ParsedObject object;
  ErrorMessage error;
  ASSERT_TRUE(elf::parse(good.data(), good.size(), object, error));
  bytes = good;
  bytes[object.rela.offset + 4] = 32; // R_HEX_COPY
  EXPECT_EQ(relocateError(bytes, resolveAll),
            "unsupported relocation type 32 (R_HEX_COPY)");
  bytes = good;
  write32(bytes, object.rela.offset, 0x7ffffff0u); // r_offset
  EXPECT_EQ(relocateError(bytes, resolveAll),
            "relocation at 0x7ffffff0 writes outside the image");
  EXPECT_EQ(relocateError(good, resolveAllButExpf), "unresolved symbol 'expf'");
}

} // namespace
