//===- SafetensorsTest.cpp - Tests of the safetensors reader --------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "frontend/safetensors/Safetensors.h"
#include "frontend/safetensors/DType.h"
#include "frontend/support/Error.h"
#include "test/unit/TestUtil.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace facet;
using namespace facet::test;

namespace {

SafetensorsFile parseImage(const Bytes &image,
                           std::string origin = "test.safetensors") {
  return SafetensorsFile::parse(image.data(), image.size(), std::move(origin));
}

// Keeps the image alive next to the parsed file.
struct Parsed {
  Bytes image;
  SafetensorsFile file;
  explicit Parsed(Bytes bytes)
      : image(std::move(bytes)), file(parseImage(image)) {}
};

} // namespace

//===----------------------------------------------------------------------===//
// DType
//===----------------------------------------------------------------------===//

TEST(DType, NamesRoundTrip) {
  const DType all[] = {DType::Bool, DType::U8,     DType::I8,    DType::I16,
                       DType::U16,  DType::F16,    DType::BF16,  DType::I32,
                       DType::U32,  DType::F32,    DType::F64,   DType::I64,
                       DType::U64,  DType::F8E4M3, DType::F8E5M2};
  for (DType dtype : all) {
    auto parsed = parseDType(dtypeName(dtype));
    ASSERT_TRUE(parsed.has_value()) << dtypeName(dtype);
    EXPECT_EQ(*parsed, dtype);
  }
  EXPECT_EQ(parseDType("BF16"), DType::BF16);
  EXPECT_EQ(parseDType("F8_E4M3"), DType::F8E4M3);
  EXPECT_EQ(parseDType("BOOL"), DType::Bool);
  EXPECT_EQ(dtypeName(DType::F8E5M2), "F8_E5M2");
  EXPECT_FALSE(parseDType("bf16").has_value());
  EXPECT_FALSE(parseDType("F4").has_value());
  EXPECT_FALSE(parseDType("").has_value());
}

TEST(DType, SizesAndKinds) {
  EXPECT_EQ(dtypeSize(DType::Bool), 1u);
  EXPECT_EQ(dtypeSize(DType::BF16), 2u);
  EXPECT_EQ(dtypeSize(DType::F16), 2u);
  EXPECT_EQ(dtypeSize(DType::F32), 4u);
  EXPECT_EQ(dtypeSize(DType::I64), 8u);
  EXPECT_EQ(dtypeSize(DType::F64), 8u);
  EXPECT_EQ(dtypeSize(DType::F8E4M3), 1u);
  EXPECT_TRUE(isFloatingPoint(DType::BF16));
  EXPECT_TRUE(isFloatingPoint(DType::F8E5M2));
  EXPECT_FALSE(isFloatingPoint(DType::I32));
  EXPECT_FALSE(isFloatingPoint(DType::Bool));
}

//===----------------------------------------------------------------------===//
// Well-formed files
//===----------------------------------------------------------------------===//

TEST(Safetensors, ParsesF32F16BF16) {
  // a: F32 [2,3] = 24 bytes at 0; b: F16 [4] = 8 bytes at 24; c: BF16 [2,2]
  // = 8 bytes at 32.
  Parsed p(makeSafetensors(
      R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
      R"("b":{"dtype":"F16","shape":[4],"data_offsets":[24,32]},)"
      R"("c":{"dtype":"BF16","shape":[2,2],"data_offsets":[32,40]}})",
      iota(40)));
  const auto &tensors = p.file.tensors();
  ASSERT_EQ(tensors.size(), 3u);
  EXPECT_EQ(tensors[0].name, "a");
  EXPECT_EQ(tensors[1].name, "b");
  EXPECT_EQ(tensors[2].name, "c");

  const TensorView *a = p.file.find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->dtype, DType::F32);
  EXPECT_EQ(a->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a->numElements(), 6);
  EXPECT_EQ(a->byteSize, 24u);
  uint64_t dataStart = p.file.dataSectionOffset();
  EXPECT_EQ(a->fileOffset, dataStart);
  EXPECT_EQ(a->data, p.image.data() + dataStart);

  const TensorView *b = p.file.find("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->dtype, DType::F16);
  EXPECT_EQ(b->fileOffset, dataStart + 24);
  EXPECT_EQ(b->data[0], 24);

  const TensorView *c = p.file.find("c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->dtype, DType::BF16);
  EXPECT_EQ(c->numElements(), 4);
  EXPECT_EQ(c->byteSize, 8u);
  EXPECT_EQ(c->data[7], 39);

  EXPECT_EQ(p.file.find("d"), nullptr);
  EXPECT_TRUE(p.file.metadata().empty());
  EXPECT_EQ(p.file.origin(), "test.safetensors");
}

TEST(Safetensors, Metadata) {
  Parsed p(
      makeSafetensors(R"({"__metadata__":{"format":"pt","note":"hi"},)"
                      R"("w":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}})",
                      iota(3)));
  EXPECT_EQ(p.file.metadata().size(), 2u);
  EXPECT_EQ(p.file.metadata().at("format"), "pt");
  EXPECT_EQ(p.file.metadata().at("note"), "hi");
  ASSERT_EQ(p.file.tensors().size(), 1u);
  EXPECT_EQ(p.file.find("__metadata__"), nullptr);
}

TEST(Safetensors, GapsAreAllowed) {
  Parsed p(makeSafetensors(
      R"({"x":{"dtype":"I32","shape":[1],"data_offsets":[4,8]},)"
      R"("y":{"dtype":"I64","shape":[1],"data_offsets":[16,24]}})",
      iota(32)));
  ASSERT_EQ(p.file.tensors().size(), 2u);
  EXPECT_EQ(p.file.find("y")->data[0], 16);
}

TEST(Safetensors, EmptyAndScalarTensors) {
  Parsed p(makeSafetensors(
      R"({"empty":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},)"
      R"("empty2":{"dtype":"BF16","shape":[3,0,5],"data_offsets":[0,0]},)"
      R"("scalar":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})",
      iota(4)));
  const TensorView *empty = p.file.find("empty");
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->numElements(), 0);
  EXPECT_EQ(empty->byteSize, 0u);
  EXPECT_EQ(p.file.find("empty2")->numElements(), 0);
  const TensorView *scalar = p.file.find("scalar");
  ASSERT_NE(scalar, nullptr);
  EXPECT_TRUE(scalar->shape.empty());
  EXPECT_EQ(scalar->numElements(), 1);
  EXPECT_EQ(scalar->byteSize, 4u);
}

TEST(Safetensors, TensorsAreInFileOrder) {
  Parsed p(makeSafetensors(
      R"({"z_first":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
      R"("a_last":{"dtype":"U8","shape":[2],"data_offsets":[4,6]},)"
      R"("m_middle":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})",
      iota(6)));
  const auto &tensors = p.file.tensors();
  ASSERT_EQ(tensors.size(), 3u);
  EXPECT_EQ(tensors[0].name, "z_first");
  EXPECT_EQ(tensors[1].name, "m_middle");
  EXPECT_EQ(tensors[2].name, "a_last");
}

TEST(Safetensors, EmptyHeaderObjectAndPadding) {
  // No tensors at all; the header is padded with spaces, as writers do.
  Parsed p(makeSafetensors("{}      "));
  EXPECT_TRUE(p.file.tensors().empty());
  EXPECT_EQ(p.file.headerSize(), 8u);
}

TEST(Safetensors, UnicodeNamesAndExtraFields) {
  Parsed p(makeSafetensors(
      R"({"gewicht_\u00fc":{"dtype":"U8","shape":[1],"data_offsets":[0,1],)"
      R"("extra":"ignored"}})",
      iota(1)));
  EXPECT_NE(p.file.find("gewicht_\xc3\xbc"), nullptr);
}

TEST(Safetensors, OpenMapsFile) {
  TempDir dir;
  std::string path =
      dir.write("t.safetensors",
                makeSafetensors(
                    R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                    iota(8)));
  std::unique_ptr<SafetensorsFile> file = SafetensorsFile::open(path);
  EXPECT_EQ(file->origin(), path);
  const TensorView *w = file->find("w");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->data[5], 5);
  // Moving keeps the mapping (and the views into it) valid.
  SafetensorsFile moved = std::move(*file);
  file.reset();
  EXPECT_EQ(moved.find("w")->data[7], 7);
  EXPECT_EQ(moved.find("w"), &moved.tensors()[0]);
}

//===----------------------------------------------------------------------===//
// Malformed files
//===----------------------------------------------------------------------===//

TEST(SafetensorsError, ShorterThan8Bytes) {
  Bytes image = {1, 2, 3};
  EXPECT_FACET_ERROR(parseImage(image, "short.safetensors"),
                     "short.safetensors", "3 bytes", "too short");
  Bytes none;
  EXPECT_FACET_ERROR(parseImage(none), "0 bytes", "too short");
}

TEST(SafetensorsError, DataCutShort) {
  Bytes image = makeSafetensors(
      R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", iota(10));
  EXPECT_FACET_ERROR(parseImage(image), "test.safetensors", "'w'",
                     "past the data section", "10 bytes");
}

TEST(SafetensorsError, HeaderLongerThanFile) {
  Bytes image = makeSafetensorsWithLength(1000, "{}");
  EXPECT_FACET_ERROR(parseImage(image), "header length 1000",
                     "larger than the 2 bytes");
}

TEST(SafetensorsError, HeaderOver100MiB) {
  const uint64_t length = SafetensorsFile::kMaxHeaderSize + 1;
  Bytes image(8 + length, ' ');
  for (int i = 0; i < 8; ++i)
    image[i] = static_cast<uint8_t>(length >> (8 * i));
  EXPECT_FACET_ERROR(parseImage(image), "exceeds the limit", "100 MiB");
}

TEST(SafetensorsError, HugeHeaderLength) {
  Bytes image = makeSafetensorsWithLength(~uint64_t(0), "{}");
  EXPECT_FACET_ERROR(parseImage(image), "header length 18446744073709551615");
}

TEST(SafetensorsError, InvalidJson) {
  EXPECT_FACET_ERROR(parseImage(makeSafetensors(R"({"w": {"dtype": )")),
                     "test.safetensors", "invalid JSON");
  EXPECT_FACET_ERROR(parseImage(makeSafetensors("")), "invalid JSON");
}

TEST(SafetensorsError, InvalidUtf8) {
  EXPECT_FACET_ERROR(parseImage(makeSafetensors("{\"w\xff\": 1}")),
                     "invalid JSON");
}

TEST(SafetensorsError, NonObjectHeader) {
  EXPECT_FACET_ERROR(parseImage(makeSafetensors("[1, 2]")),
                     "header is a JSON array", "expected an object");
  EXPECT_FACET_ERROR(parseImage(makeSafetensors("42")),
                     "header is a JSON integer");
}

TEST(SafetensorsError, EntryNotObject) {
  EXPECT_FACET_ERROR(parseImage(makeSafetensors(R"({"w": [1,2]})")), "'w'",
                     "entry is a JSON array", "expected an object");
}

TEST(SafetensorsError, OffsetsPastEnd) {
  Bytes image = makeSafetensors(
      R"({"w":{"dtype":"U8","shape":[4],"data_offsets":[8,12]}})", iota(8));
  EXPECT_FACET_ERROR(parseImage(image), "'w'", "[8, 12]",
                     "past the data section", "8 bytes");
}

TEST(SafetensorsError, BeginGreaterThanEnd) {
  Bytes image = makeSafetensors(
      R"({"w":{"dtype":"U8","shape":[0],"data_offsets":[4,2]}})", iota(8));
  EXPECT_FACET_ERROR(parseImage(image), "'w'", "begin > end");
}

TEST(SafetensorsError, OverlappingTensors) {
  Bytes image = makeSafetensors(
      R"({"first":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("second":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
      iota(12));
  EXPECT_FACET_ERROR(parseImage(image), "'first'", "'second'", "overlap");
}

TEST(SafetensorsError, ContainedTensorOverlaps) {
  // "inner" lies inside "outer"; the overlap is found even with a non-
  // overlapping tensor in between in sort order.
  Bytes image = makeSafetensors(
      R"({"outer":{"dtype":"U8","shape":[10],"data_offsets":[0,10]},)"
      R"("a":{"dtype":"U8","shape":[1],"data_offsets":[2,3]},)"
      R"("inner":{"dtype":"U8","shape":[2],"data_offsets":[5,7]}})",
      iota(10));
  EXPECT_FACET_ERROR(parseImage(image), "'outer'", "overlap");
}

TEST(SafetensorsError, DuplicateNames) {
  Bytes image =
      makeSafetensors(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                      R"("w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                      iota(2));
  EXPECT_FACET_ERROR(parseImage(image), "duplicate tensor name 'w'");
}

TEST(SafetensorsError, UnknownDtype) {
  Bytes image = makeSafetensors(
      R"({"w":{"dtype":"F4","shape":[2],"data_offsets":[0,1]}})", iota(1));
  EXPECT_FACET_ERROR(parseImage(image), "'w'", "unknown dtype 'F4'", "BF16");
}

TEST(SafetensorsError, ShapeByteSizeMismatch) {
  Bytes image = makeSafetensors(
      R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", iota(20));
  EXPECT_FACET_ERROR(parseImage(image), "'w'", "byte size mismatch", "[2, 3]",
                     "24 bytes", "20 bytes");
}

TEST(SafetensorsError, NegativeShape) {
  Bytes image = makeSafetensors(
      R"({"w":{"dtype":"F32","shape":[2,-3],"data_offsets":[0,0]}})");
  EXPECT_FACET_ERROR(parseImage(image), "'w'", "shape[1]", "-3",
                     "non-negative integer");
}

TEST(SafetensorsError, NonIntegerShape) {
  EXPECT_FACET_ERROR(
      parseImage(makeSafetensors(
          R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})",
          iota(4))),
      "shape[0]", "non-negative integer");
  EXPECT_FACET_ERROR(
      parseImage(makeSafetensors(
          R"({"w":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}})",
          iota(4))),
      "shape[0] is a string");
  EXPECT_FACET_ERROR(
      parseImage(makeSafetensors(
          R"({"w":{"dtype":"F32","shape":4,"data_offsets":[0,4]}})", iota(4))),
      "'shape' is a JSON integer", "expected an array");
}

TEST(SafetensorsError, RankTooLarge) {
  Bytes image = makeSafetensors(
      R"({"w":{"dtype":"U8","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,1]}})",
      iota(1));
  EXPECT_FACET_ERROR(parseImage(image), "rank 9", "maximum of 8");
}

TEST(SafetensorsError, ElementCountOverflow) {
  Bytes image = makeSafetensors(
      R"({"w":{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,0]}})");
  EXPECT_FACET_ERROR(parseImage(image), "'w'", "64-bit");
  Bytes bytes = makeSafetensors(
      R"({"w":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]}})");
  EXPECT_FACET_ERROR(parseImage(bytes), "'w'", "byte size");
  Bytes huge = makeSafetensors(
      R"({"w":{"dtype":"U8","shape":[18446744073709551615],"data_offsets":[0,0]}})");
  EXPECT_FACET_ERROR(parseImage(huge), "shape[0]", "too large");
}

TEST(SafetensorsError, MissingFields) {
  EXPECT_FACET_ERROR(
      parseImage(makeSafetensors(R"({"w":{"shape":[1],"data_offsets":[0,1]}})",
                                 iota(1))),
      "'w'", "missing required field 'dtype'");
  EXPECT_FACET_ERROR(
      parseImage(makeSafetensors(R"({"w":{"dtype":"U8","data_offsets":[0,1]}})",
                                 iota(1))),
      "missing required field 'shape'");
  EXPECT_FACET_ERROR(parseImage(makeSafetensors(
                         R"({"w":{"dtype":"U8","shape":[1]}})", iota(1))),
                     "missing required field 'data_offsets'");
}

TEST(SafetensorsError, WrongTypedFields) {
  EXPECT_FACET_ERROR(
      parseImage(makeSafetensors(
          R"({"w":{"dtype":7,"shape":[1],"data_offsets":[0,1]}})", iota(1))),
      "'dtype' is a JSON integer", "expected a string");
  EXPECT_FACET_ERROR(
      parseImage(makeSafetensors(
          R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}})",
          iota(2))),
      "data_offsets", "3 elements", "two non-negative integers");
  EXPECT_FACET_ERROR(
      parseImage(makeSafetensors(
          R"({"w":{"dtype":"U8","shape":[1],"data_offsets":{"a":1}}})",
          iota(2))),
      "data_offsets", "JSON object");
  EXPECT_FACET_ERROR(
      parseImage(makeSafetensors(
          R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}})",
          iota(2))),
      "data_offsets[0]", "-1");
  EXPECT_FACET_ERROR(
      parseImage(makeSafetensors(
          R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,"1"]}})",
          iota(2))),
      "data_offsets[1]", "string");
}

TEST(SafetensorsError, BadMetadata) {
  EXPECT_FACET_ERROR(parseImage(makeSafetensors(R"({"__metadata__":[1]})")),
                     "__metadata__ is a JSON array", "string values");
  EXPECT_FACET_ERROR(
      parseImage(makeSafetensors(R"({"__metadata__":{"format":1}})")),
      "__metadata__ entry 'format'", "expected a string");
}

TEST(SafetensorsError, DeepNesting) {
  std::string header =
      R"({"w":)" + std::string(10000, '[') + std::string(10000, ']') + "}";
  EXPECT_FACET_ERROR(parseImage(makeSafetensors(header)), "nesting deeper");
}

TEST(SafetensorsError, LongArray) {
  std::string header = R"({"w":{"dtype":"U8","shape":[)";
  for (int i = 0; i < 100; ++i)
    header += "1,";
  header += R"(1],"data_offsets":[0,1]}})";
  EXPECT_FACET_ERROR(parseImage(makeSafetensors(header, iota(1))),
                     "array longer than 64 elements");
}

TEST(SafetensorsError, JsonMessagesAreSanitized) {
  // An unterminated 1 MB string with non-UTF-8 bytes: the message is short
  // and escapes the raw bytes.
  std::string header = "{\"" + std::string(1 << 20, 'a') + "\xff";
  try {
    parseImage(makeSafetensors(header));
    FAIL() << "accepted";
  } catch (const Error &e) {
    std::string message = e.what();
    EXPECT_LT(message.size(), 500u) << message;
    EXPECT_EQ(message.find('\xff'), std::string::npos);
  }
}

TEST(SafetensorsError, OpenMissingFile) {
  TempDir dir;
  EXPECT_FACET_ERROR(SafetensorsFile::open(dir.path() + "/nope.safetensors"),
                     "nope.safetensors", "cannot open");
}

TEST(SafetensorsError, OpenDirectory) {
  TempDir dir;
  EXPECT_FACET_ERROR(SafetensorsFile::open(dir.path()), "not a regular file");
}

TEST(SafetensorsError, OpenShortFile) {
  TempDir dir;
  std::string path = dir.write("short.safetensors", Bytes{1, 2});
  EXPECT_FACET_ERROR(SafetensorsFile::open(path), path, "2 bytes", "too short");
  std::string empty = dir.write("empty.safetensors", Bytes{});
  EXPECT_FACET_ERROR(SafetensorsFile::open(empty), "0 bytes", "too short");
}

TEST(SafetensorsError, OpenTruncatedFile) {
  TempDir dir;
  Bytes image = makeSafetensors(
      R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", iota(16));
  image.resize(image.size() - 5);
  std::string path = dir.write("cut.safetensors", image);
  EXPECT_FACET_ERROR(SafetensorsFile::open(path), path,
                     "past the data section");
}
