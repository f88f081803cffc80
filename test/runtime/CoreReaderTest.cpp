//===- CoreReaderTest.cpp - The libc-free core's readers and messages -----===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// What the Hexagon runner relies on without the host's exceptions: the
// message builder never overflows, the byte cursor names the field it could
// not read, an exhausted arena is an OutOfMemory status (never a crash),
// and the container reader reports what package::parsePackage prefixes
// with the file name. The manifest rules themselves are checked through
// parseManifest in ManifestTest.cpp (the same reader underneath).
//
//===----------------------------------------------------------------------===//

#include "ToyModel.h"

#include "runtime/core/ByteCursor.h"
#include "runtime/core/ManifestReader.h"
#include "runtime/core/PackageReader.h"
#include "runtime/package/ByteIO.h"
#include "runtime/package/Manifest.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

using namespace facet::core;
using facet::package::ByteWriter;

namespace {

/// The toy manifest's bytes, with weight offsets assigned, and its Weights
/// size.
std::vector<uint8_t> toyManifestBytes(uint64_t *weightsSize) {
  facet::package::Manifest manifest =
      facet::test::toyManifest(facet::test::ToyOptions());
  uint64_t offset = 0;
  for (facet::package::WeightInfo &weight : manifest.weights) {
    weight.offset = offset;
    offset = (offset + weight.bytes + kWeightAlignment - 1) /
             kWeightAlignment * kWeightAlignment;
  }
  *weightsSize = offset;
  return facet::package::serializeManifest(manifest);
}

} // namespace

TEST(CoreStatus, BuildsMessagesWithoutFormatting) {
  Status status;
  EXPECT_TRUE(status.ok());
  status.fail(Code::Format)
      .add("a ")
      .addUnsigned(18446744073709551615ULL)
      .add(" ")
      .addSigned(-9223372036854775807LL - 1)
      .add(" ")
      .addSigned(0)
      .add(" ")
      .add("xyz", 2)
      .add(" ")
      .addEscaped(reinterpret_cast<const uint8_t *>("A\"\\\x01"), 4);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code, Code::Format);
  EXPECT_STREQ(status.message, "a 18446744073709551615 -9223372036854775808 "
                               "0 xy A\\x22\\x5c\\x01");
}

TEST(CoreStatus, LongMessagesAreCutNotOverflowed) {
  char buffer[8];
  std::memset(buffer, 'z', sizeof buffer);
  MessageBuilder message(buffer, 6);
  message.add("0123456789").addUnsigned(42);
  EXPECT_STREQ(buffer, "01234");
  EXPECT_EQ(message.length(), 5u);
  EXPECT_EQ(buffer[6], 'z');

  Status status;
  std::string name(5000, 'n');
  status.fail(Code::Format).add(name.c_str());
  EXPECT_EQ(std::strlen(status.message), Status::kMessageSize - 1);
}

TEST(CoreByteCursor, ReadsPastTheEndNameTheField) {
  uint8_t bytes[6] = {1, 2, 3, 4, 5, 6};
  Status status;
  ByteCursor in(bytes, sizeof(bytes), "thing", status);
  EXPECT_EQ(in.u64("vocab size"), 0u);
  EXPECT_EQ(status.code, Code::Format);
  EXPECT_STREQ(status.message, "thing: truncated: vocab size needs 8 bytes "
                               "at offset 0, only 6 remain");
  // The first failure sticks.
  EXPECT_EQ(in.u64("other"), 0u);
  EXPECT_NE(std::string(status.message).find("vocab size"), std::string::npos);
}

TEST(CoreByteCursor, CountsAreBoundedByLimitAndInput) {
  ByteWriter out;
  out.u64(1000);
  out.u64(3);
  std::vector<uint8_t> bytes = out.take();
  {
    Status status;
    ByteCursor in(bytes.data(), bytes.size(), "m", status);
    in.count("weights", 10, 8);
    EXPECT_STREQ(status.message,
                 "m: weights is 1000, more than the limit of 10");
  }
  {
    // 1000 elements of 8 bytes cannot follow in 8 remaining bytes.
    Status status;
    ByteCursor in(bytes.data(), bytes.size(), "m", status);
    in.count("weights", 1 << 20, 8);
    EXPECT_STREQ(status.message,
                 "m: truncated: weights is 1000 but only 8 bytes remain");
  }
  {
    Status status;
    ByteCursor in(bytes.data(), bytes.size(), "m", status);
    in.string("name", 999);
    EXPECT_STREQ(status.message,
                 "m: name is 1000 bytes long, more than the limit of 999");
  }
}

TEST(CoreByteCursor, StringsPointIntoTheInput) {
  ByteWriter out;
  out.string("gemma");
  out.u64(7);
  std::vector<uint8_t> bytes = out.take();
  Status status;
  ByteCursor in(bytes.data(), bytes.size(), "m", status);
  StringView name = in.string("name");
  EXPECT_EQ(name.data, reinterpret_cast<const char *>(bytes.data() + 8));
  EXPECT_TRUE(name.equals("gemma"));
  EXPECT_FALSE(name.equals("gemm"));
  EXPECT_FALSE(name.equals("gemmas"));
  EXPECT_EQ(in.u64("seven"), 7u);
  EXPECT_TRUE(in.atEnd());
  EXPECT_TRUE(status.ok());
}

TEST(CoreBumpArena, AlignsAndRefusesWhenFull) {
  alignas(64) uint8_t storage[64];
  BumpArena arena(storage, sizeof storage);
  void *a = arena.allocate(3, 1);
  void *b = arena.allocate(8, 8);
  EXPECT_EQ(a, storage);
  EXPECT_EQ(b, storage + 8);
  EXPECT_EQ(arena.allocate(49, 1), nullptr); // 48 bytes left
  EXPECT_NE(arena.allocate(48, 1), nullptr);
  EXPECT_EQ(arena.allocate(1, 1), nullptr);
  EXPECT_EQ(arena.bytesUsed(), 64u);
  EXPECT_EQ(allocateArray<uint64_t>(arena, uint64_t(1) << 62), nullptr);
}

TEST(CoreManifestReader, ReadsTheToyManifestIntoViews) {
  uint64_t weightsSize;
  std::vector<uint8_t> bytes = toyManifestBytes(&weightsSize);
  alignas(16) static uint8_t storage[64 << 10];
  BumpArena arena(storage, sizeof storage);
  ManifestView manifest;
  Status status;
  ASSERT_TRUE(readManifest(bytes.data(), bytes.size(), weightsSize, arena,
                           manifest, status))
      << status.message;
  EXPECT_TRUE(manifest.model.name.equals("toy"));
  EXPECT_EQ(manifest.model.vocabSize, 11);
  EXPECT_EQ(manifest.cacheCount, 2u);
  const EntryView *decode = findEntry(manifest, "decode");
  ASSERT_NE(decode, nullptr);
  EXPECT_EQ(decode->maxTokens, 1);
  EXPECT_EQ(findEntry(manifest, "generate"), nullptr);
  // Names are views into the input, not copies.
  const uint8_t *begin = bytes.data(), *end = bytes.data() + bytes.size();
  auto inside = [&](StringView view) {
    auto *p = reinterpret_cast<const uint8_t *>(view.data);
    return p >= begin && p + view.size <= end;
  };
  EXPECT_TRUE(inside(manifest.kernels[0].name));
  EXPECT_TRUE(inside(decode->buffers[0].name));
  EXPECT_EQ(decode->buffers[decode->logitsBuffer].shape.dims[1], 11);
}

TEST(CoreManifestReader, AnExhaustedArenaIsAnErrorNotACrash) {
  uint64_t weightsSize;
  std::vector<uint8_t> bytes = toyManifestBytes(&weightsSize);
  std::vector<uint8_t> storage(64 << 10);
  size_t needed = 0;
  {
    BumpArena arena(storage.data(), storage.size());
    ManifestView manifest;
    Status status;
    ASSERT_TRUE(readManifest(bytes.data(), bytes.size(), weightsSize, arena,
                             manifest, status));
    needed = arena.bytesUsed();
  }
  for (size_t size = 0; size < needed; ++size) {
    BumpArena arena(storage.data(), size);
    ManifestView manifest;
    Status status;
    EXPECT_FALSE(readManifest(bytes.data(), bytes.size(), weightsSize, arena,
                              manifest, status))
        << size;
    EXPECT_EQ(status.code, Code::OutOfMemory) << size;
    EXPECT_EQ(std::string(status.message).rfind("manifest: the arena", 0), 0u)
        << status.message;
  }
}

TEST(CoreManifestReader, FormatErrorsCarryTheManifestPrefix) {
  uint64_t weightsSize;
  std::vector<uint8_t> bytes = toyManifestBytes(&weightsSize);
  bytes.push_back(0);
  std::vector<uint8_t> storage(64 << 10);
  BumpArena arena(storage.data(), storage.size());
  ManifestView manifest;
  Status status;
  EXPECT_FALSE(readManifest(bytes.data(), bytes.size(), weightsSize, arena,
                            manifest, status));
  EXPECT_EQ(status.code, Code::Format);
  EXPECT_STREQ(status.message,
               "manifest: 1 unexpected bytes after the last entry point");
}

TEST(CorePackageReader, ChecksTheHeaderWithoutAFileName) {
  std::vector<uint8_t> bytes(64, 0);
  std::memcpy(bytes.data(), "FACETPKX", 8);
  PackageLayout layout;
  Status status;
  EXPECT_FALSE(readPackageLayout(bytes.data(), bytes.size(), layout, status));
  EXPECT_STREQ(status.message, "not a Facet package: magic is \"FACETPKX\", "
                               "expected \"FACETPKG\"");

  std::memcpy(bytes.data(), kMagic, 8);
  storeU32(bytes.data() + 8, kFormatVersion);
  storeU32(bytes.data() + 12, 1);
  storeU64(bytes.data() + 16, 64);
  storeU64(bytes.data() + 24, 40); // inside the header
  EXPECT_FALSE(readPackageLayout(bytes.data(), bytes.size(), layout, status));
  EXPECT_STREQ(status.message, "section table [40, 64) lies outside the file "
                               "(64 bytes) or inside the header");
}
