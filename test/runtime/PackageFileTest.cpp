//===- PackageFileTest.cpp - Package reader and writer --------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "ToyModel.h"

#include "runtime/package/ByteIO.h"
#include "runtime/package/FormatError.h"
#include "runtime/package/PackageFile.h"
#include "runtime/package/PackageWriter.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <functional>

using namespace facet::package;
using facet::test::readFile;
using facet::test::TempDir;
using facet::test::ToyOptions;
using facet::test::writeFile;

namespace {

// Offsets of header fields and section table entries (Manifest.h).
constexpr size_t kVersionField = 8;
constexpr size_t kCountField = 12;
constexpr size_t kFileSizeField = 16;
constexpr size_t kTableField = 24;
size_t entryField(size_t section, size_t field) {
  return kHeaderSize + section * kSectionEntrySize + field;
}
constexpr size_t kKind = 0, kReserved = 4, kOffset = 8, kSize = 16;

class PackageFileTest : public ::testing::Test {
protected:
  void SetUp() override {
    path = dir.file("toy.facet");
    facet::test::writeToyPackage(path);
    bytes = readFile(path);
  }

  /// The message parsePackage gives for `data`, or "" if it accepts it.
  static std::string parseError(const std::vector<uint8_t> &data) {
    try {
      parsePackage(data.data(), data.size(), "toy.facet");
    } catch (const FormatError &error) {
      return error.what();
    }
    return "";
  }

  /// The message for the package bytes after `mutate`; also checks that
  /// PackageFile::open of the same bytes gives the same message.
  std::string
  errorAfter(const std::function<void(std::vector<uint8_t> &)> &mutate) {
    std::vector<uint8_t> data = bytes;
    mutate(data);
    std::string bad = dir.file("bad.facet");
    writeFile(bad, data);
    std::string fromFile;
    try {
      PackageFile::open(bad);
    } catch (const FormatError &error) {
      fromFile = error.what();
    }
    std::string fromMemory = parseError(data);
    EXPECT_EQ(fromFile.substr(bad.size()),
              fromMemory.substr(std::string("toy.facet").size()));
    return fromMemory;
  }

  TempDir dir;
  std::string path;
  std::vector<uint8_t> bytes;
};

} // namespace

TEST_F(PackageFileTest, OpensWhatTheWriterWrote) {
  std::unique_ptr<PackageFile> file = PackageFile::open(path);
  const ParsedPackage &package = file->package();
  EXPECT_EQ(file->fileSize(), bytes.size());
  EXPECT_EQ(package.sections.size(), 3u);
  for (const SectionRef &section : package.sections)
    EXPECT_EQ(section.offset % 64, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(package.weights.data) % 64, 0u);
  EXPECT_EQ(package.kernels.size, facet::test::toyKernelObject().size());
  EXPECT_EQ(package.tokenizer.size, 0u);
  EXPECT_EQ(package.tokenizer.data, nullptr);
  EXPECT_EQ(file->manifest().model.name, "toy");
  // The writer assigned the weight offsets.
  EXPECT_EQ(file->manifest().weights[0].offset, 0u);
  EXPECT_EQ(file->manifest().weights[1].offset, 256u);
  std::vector<std::vector<uint8_t>> weights =
      facet::test::toyWeights(ToyOptions());
  EXPECT_EQ(0, std::memcmp(package.weights.data + 256, weights[1].data(),
                           weights[1].size()));
  // Nothing but the package is left in the directory.
  size_t files = 0;
  for (const auto &entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(PackageFileTest, WritesAnOptionalTokenizerSection) {
  PackageWriter writer(facet::test::toyManifest(ToyOptions()));
  writer.setKernels({1, 2, 3});
  std::vector<std::vector<uint8_t>> weights =
      facet::test::toyWeights(ToyOptions());
  writer.setWeight(0, weights[0]);
  writer.setWeight(1, [&](uint8_t *out, uint64_t size) {
    ASSERT_EQ(size, weights[1].size());
    std::memcpy(out, weights[1].data(), size);
  });
  writer.setTokenizer({'t', 'o', 'k'});
  std::string other = dir.file("tok.facet");
  writer.write(other);
  std::unique_ptr<PackageFile> file = PackageFile::open(other);
  ASSERT_EQ(file->package().tokenizer.size, 3u);
  EXPECT_EQ(file->package().tokenizer.data[0], 't');
  EXPECT_EQ(file->package().kernels.size, 3u);
}

TEST_F(PackageFileTest, MissingFileIsAnIoError) {
  try {
    PackageFile::open(dir.file("nope.facet"));
    FAIL() << "opened";
  } catch (const IoError &error) {
    EXPECT_NE(std::string(error.what())
                  .find("cannot open " + dir.file("nope.facet") +
                        ": No such file or directory"),
              std::string::npos)
        << error.what();
  }
}

TEST_F(PackageFileTest, DirectoryIsAnIoError) {
  EXPECT_THROW(PackageFile::open(dir.path()), IoError);
}

TEST_F(PackageFileTest, EmptyFile) {
  EXPECT_EQ(errorAfter([](std::vector<uint8_t> &d) { d.clear(); }),
            "toy.facet: truncated: the file has 0 bytes, less than the "
            "64-byte header");
}

TEST_F(PackageFileTest, TruncatedInsideTheHeader) {
  EXPECT_EQ(errorAfter([](std::vector<uint8_t> &d) { d.resize(40); }),
            "toy.facet: truncated: the file has 40 bytes, less than the "
            "64-byte header");
}

TEST_F(PackageFileTest, Truncated) {
  size_t size = bytes.size();
  EXPECT_EQ(errorAfter([](std::vector<uint8_t> &d) { d.resize(d.size() - 1); }),
            "toy.facet: truncated: the header says the file has " +
                std::to_string(size) + " bytes, found " +
                std::to_string(size - 1));
}

TEST_F(PackageFileTest, EveryTruncationIsAnError) {
  for (size_t size = 0; size < bytes.size(); size += 7) {
    std::vector<uint8_t> data(bytes.begin(), bytes.begin() + size);
    EXPECT_NE(parseError(data), "") << size;
  }
}

TEST_F(PackageFileTest, TrailingBytes) {
  size_t size = bytes.size();
  EXPECT_EQ(errorAfter([](std::vector<uint8_t> &d) { d.push_back(0); }),
            "toy.facet: the header says the file has " + std::to_string(size) +
                " bytes, found " + std::to_string(size + 1));
}

TEST_F(PackageFileTest, FileSizeFieldDisagrees) {
  size_t size = bytes.size();
  EXPECT_EQ(errorAfter([](std::vector<uint8_t> &d) {
              storeU64(d.data() + kFileSizeField, d.size() - 64);
            }),
            "toy.facet: the header says the file has " +
                std::to_string(size - 64) + " bytes, found " +
                std::to_string(size));
}

TEST_F(PackageFileTest, WrongMagic) {
  EXPECT_EQ(errorAfter([](std::vector<uint8_t> &d) {
              std::memcpy(d.data(), "GGUF\x03\0\0\0", 8);
            }),
            "toy.facet: not a Facet package: magic is "
            "\"GGUF\\x03\\x00\\x00\\x00\", expected \"FACETPKG\"");
}

TEST_F(PackageFileTest, WrongVersion) {
  EXPECT_EQ(errorAfter([](std::vector<uint8_t> &d) {
              storeU32(d.data() + kVersionField, 7);
            }),
            "toy.facet: unsupported format version: expected " +
                std::to_string(kFormatVersion) + ", found 7");
}

TEST_F(PackageFileTest, HeaderReservedBytes) {
  EXPECT_EQ(errorAfter([](std::vector<uint8_t> &d) { d[40] = 1; }),
            "toy.facet: header reserved byte 40 is not zero");
}

TEST_F(PackageFileTest, SectionCount) {
  EXPECT_EQ(errorAfter([](std::vector<uint8_t> &d) {
              storeU32(d.data() + kCountField, 0);
            }),
            "toy.facet: section count is 0, expected 1 to 16");
}

TEST_F(PackageFileTest, SectionTablePastTheEnd) {
  EXPECT_NE(errorAfter([](std::vector<uint8_t> &d) {
              storeU64(d.data() + kTableField, d.size() - 8);
            }).find("section table ["),
            std::string::npos);
}

TEST_F(PackageFileTest, SectionPastTheEnd) {
  std::string message = errorAfter([](std::vector<uint8_t> &d) {
    storeU64(d.data() + entryField(2, kOffset),
             (d.size() + kWeightAlignment - 1) / kWeightAlignment *
                 kWeightAlignment);
  });
  EXPECT_NE(message.find("toy.facet: section 2 (Weights): bytes ["),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("lie past the end of the file"), std::string::npos)
      << message;
}

TEST_F(PackageFileTest, SectionSizePastTheEnd) {
  std::string message = errorAfter([](std::vector<uint8_t> &d) {
    storeU64(d.data() + entryField(1, kSize), uint64_t(1) << 62);
  });
  EXPECT_NE(message.find("section 1 (Kernels): bytes"), std::string::npos)
      << message;
}

TEST_F(PackageFileTest, SectionUnaligned) {
  std::string message = errorAfter([](std::vector<uint8_t> &d) {
    uint64_t offset = loadU64(d.data() + entryField(1, kOffset));
    storeU64(d.data() + entryField(1, kOffset), offset + 8);
  });
  EXPECT_NE(message.find("section 1 (Kernels): offset "), std::string::npos)
      << message;
  EXPECT_NE(message.find("is not 64-byte aligned"), std::string::npos);
}

TEST_F(PackageFileTest, SectionsOverlap) {
  EXPECT_EQ(errorAfter([](std::vector<uint8_t> &d) {
              uint64_t kernels = loadU64(d.data() + entryField(1, kOffset));
              storeU64(d.data() + entryField(0, kSize),
                       kernels + 1 -
                           loadU64(d.data() + entryField(0, kOffset)));
            }),
            "toy.facet: section 0 (Manifest) and section 1 (Kernels) overlap");
}

TEST_F(PackageFileTest, SectionOverlapsTheTable) {
  EXPECT_EQ(errorAfter([](std::vector<uint8_t> &d) {
              storeU64(d.data() + entryField(1, kOffset), 64);
            }),
            "toy.facet: section 1 (Kernels) overlaps the section table");
}

TEST_F(PackageFileTest, SectionInsideTheHeader) {
  std::string message = errorAfter([](std::vector<uint8_t> &d) {
    storeU64(d.data() + entryField(1, kOffset), 0);
  });
  EXPECT_NE(message.find("inside the header"), std::string::npos) << message;
}

TEST_F(PackageFileTest, MissingSection) {
  EXPECT_EQ(errorAfter([](std::vector<uint8_t> &d) {
              storeU32(d.data() + entryField(1, kKind),
                       uint32_t(SectionKind::Tokenizer));
            }),
            "toy.facet: no Kernels section");
}

TEST_F(PackageFileTest, DuplicateSection) {
  EXPECT_EQ(errorAfter([](std::vector<uint8_t> &d) {
              storeU32(d.data() + entryField(1, kKind),
                       uint32_t(SectionKind::Manifest));
            }),
            "toy.facet: two Manifest sections");
}

TEST_F(PackageFileTest, UnknownSectionKind) {
  EXPECT_EQ(errorAfter([](std::vector<uint8_t> &d) {
              storeU32(d.data() + entryField(2, kKind), 9);
            }),
            "toy.facet: section 2 has unknown kind 9");
}

TEST_F(PackageFileTest, SectionReservedField) {
  EXPECT_EQ(errorAfter([](std::vector<uint8_t> &d) {
              storeU32(d.data() + entryField(0, kReserved), 1);
            }),
            "toy.facet: section 0 (Manifest): reserved field is not zero");
}

TEST_F(PackageFileTest, WeightOutsideTheWeightsSection) {
  // Shrinking the Weights section leaves the second weight outside it.
  EXPECT_EQ(errorAfter([](std::vector<uint8_t> &d) {
              storeU64(d.data() + entryField(2, kSize), 300);
            }),
            "toy.facet: manifest: weight 1 ('unembed'): bytes [256, 432) lie "
            "outside the Weights section of 300 bytes");
}

TEST_F(PackageFileTest, ManifestIndexOutOfRange) {
  // Rewrite the package around a manifest whose step names kernel 9.
  std::unique_ptr<PackageFile> file = PackageFile::open(path);
  Manifest manifest = file->manifest();
  manifest.entryPoints[1].steps[0].kernel = 9;
  std::vector<uint8_t> serialized = serializeManifest(manifest);
  const SectionRef &section = file->package().manifestSection;
  std::vector<uint8_t> data = bytes;
  ASSERT_LE(serialized.size(), section.size); // same field sizes
  std::memcpy(data.data() + section.offset, serialized.data(),
              serialized.size());
  // Same manifest size, so only the step's kernel index differs.
  ASSERT_EQ(serialized.size(), section.size);
  EXPECT_EQ(parseError(data),
            "toy.facet: manifest: entry point 'decode' step 0: kernel index 9 "
            "is out of range (the package has 5 kernels)");
}

TEST_F(PackageFileTest, WriterRejectsAnInvalidManifest) {
  Manifest manifest = facet::test::toyManifest(ToyOptions());
  manifest.kernels[0].numArgs = 3;
  PackageWriter writer(manifest);
  writer.setKernels({1});
  std::vector<std::vector<uint8_t>> weights =
      facet::test::toyWeights(ToyOptions());
  writer.setWeight(0, weights[0]);
  writer.setWeight(1, weights[1]);
  std::string out = dir.file("invalid.facet");
  try {
    writer.write(out);
    FAIL() << "written";
  } catch (const FormatError &error) {
    EXPECT_NE(std::string(error.what())
                  .find("refusing to write an invalid "
                        "package: manifest: entry point "
                        "'prefill' step 0 (kernel "
                        "'embed'): 4 arguments"),
              std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(PackageFileTest, WriterNeedsEveryWeight) {
  PackageWriter writer(facet::test::toyManifest(ToyOptions()));
  writer.setWeight(0, facet::test::toyWeights(ToyOptions())[0]);
  EXPECT_THROW(writer.write(dir.file("x.facet")), FormatError);
  EXPECT_THROW(writer.setWeight(1, std::vector<uint8_t>(3)), FormatError);
  EXPECT_THROW(writer.setWeight(5, std::vector<uint8_t>(3)), FormatError);
}

TEST_F(PackageFileTest, WriterFailsCleanlyOnAnUnwritableDirectory) {
  PackageWriter writer(facet::test::toyManifest(ToyOptions()));
  std::vector<std::vector<uint8_t>> weights =
      facet::test::toyWeights(ToyOptions());
  writer.setWeight(0, weights[0]);
  writer.setWeight(1, weights[1]);
  EXPECT_THROW(writer.write(dir.file("no/such/dir/x.facet")), IoError);
}

TEST_F(PackageFileTest, InterruptedWriteLeavesTheOldFile) {
  // A weight source that fails midway: the temporary file goes away and the
  // existing package stays as it was.
  PackageWriter writer(facet::test::toyManifest(ToyOptions()));
  writer.setKernels({1, 2});
  writer.setWeight(0, facet::test::toyWeights(ToyOptions())[0]);
  writer.setWeight(1, [](uint8_t *, uint64_t) {
    throw std::runtime_error("checkpoint read failed");
  });
  EXPECT_THROW(writer.write(path), std::runtime_error);
  EXPECT_EQ(readFile(path), bytes);
  size_t files = 0;
  for (const auto &entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST(FuzzCorpus, SeedsAreWhatTheirNamesSay) {
  // valid_* load, bad_* are rejected: the corpus covers both sides.
  size_t seeds = 0;
  for (const auto &entry :
       std::filesystem::directory_iterator(FACET_RUNTIME_CORPUS)) {
    std::string name = entry.path().filename().string();
    std::vector<uint8_t> data = readFile(entry.path().string());
    std::string error;
    try {
      if (name == "valid_manifest_only")
        parseManifest(data.data(), data.size(), 1 << 20);
      else
        parsePackage(data.data(), data.size(), name);
    } catch (const FormatError &e) {
      error = e.what();
    }
    if (name.rfind("valid_", 0) == 0)
      EXPECT_EQ(error, "") << name;
    else
      EXPECT_NE(error, "") << name;
    ++seeds;
  }
  EXPECT_GE(seeds, 10u);
}
