//===- PackageReader.cpp - Validate a package's header and sections -------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/PackageReader.h"

namespace facet::core {

namespace {

void addSection(MessageBuilder &out, uint64_t index, SectionKind kind) {
  out.add("section ")
      .addUnsigned(index)
      .add(" (")
      .add(sectionKindName(kind))
      .add(")");
}

bool overlap(uint64_t aBegin, uint64_t aSize, uint64_t bBegin, uint64_t bSize) {
  return aSize > 0 && bSize > 0 && aBegin < bBegin + bSize &&
         bBegin < aBegin + aSize;
}

} // namespace

bool readPackageLayout(const uint8_t *data, uint64_t size,
                       PackageLayout &layout, Status &status) {
  status = Status();
  layout = PackageLayout();
  auto fail = [&]() { return status.fail(Code::Format); };

  if (size >= sizeof(kMagic)) {
    for (uint64_t i = 0; i < sizeof(kMagic); ++i)
      if (data[i] != uint8_t(kMagic[i])) {
        fail()
            .add("not a Facet package: magic is \"")
            .addEscaped(data, sizeof(kMagic))
            .add("\", expected \"FACETPKG\"");
        return false;
      }
  }
  if (size < kHeaderSize) {
    fail()
        .add("truncated: the file has ")
        .addUnsigned(size)
        .add(" bytes, less than the 64-byte header");
    return false;
  }

  uint32_t version = loadU32(data + 8);
  uint32_t sectionCount = loadU32(data + 12);
  uint64_t fileSize = loadU64(data + 16);
  uint64_t tableOffset = loadU64(data + 24);
  if (version != kFormatVersion) {
    fail()
        .add("unsupported format version: expected ")
        .addUnsigned(kFormatVersion)
        .add(", found ")
        .addUnsigned(version);
    return false;
  }
  if (fileSize != size) {
    fail()
        .add(size < fileSize ? "truncated: the header says the file has "
                             : "the header says the file has ")
        .addUnsigned(fileSize)
        .add(" bytes, found ")
        .addUnsigned(size);
    return false;
  }
  for (uint64_t i = 32; i < kHeaderSize; ++i)
    if (data[i] != 0) {
      fail().add("header reserved byte ").addUnsigned(i).add(" is not zero");
      return false;
    }
  if (sectionCount == 0 || sectionCount > kMaxSections) {
    fail()
        .add("section count is ")
        .addUnsigned(sectionCount)
        .add(", expected 1 to ")
        .addUnsigned(kMaxSections);
    return false;
  }
  uint64_t tableBytes = uint64_t(sectionCount) * kSectionEntrySize;
  if (tableOffset < kHeaderSize || tableOffset > size ||
      tableBytes > size - tableOffset) {
    fail()
        .add("section table [")
        .addUnsigned(tableOffset)
        .add(", ")
        .addUnsigned(tableOffset + tableBytes)
        .add(") lies outside the file (")
        .addUnsigned(size)
        .add(" bytes) or inside the header");
    return false;
  }

  for (uint32_t i = 0; i < sectionCount; ++i) {
    const uint8_t *entry = data + tableOffset + i * kSectionEntrySize;
    uint32_t kind = loadU32(entry);
    uint32_t reserved = loadU32(entry + 4);
    SectionView &section = layout.sections[i];
    section.offset = loadU64(entry + 8);
    section.size = loadU64(entry + 16);
    if (kind < uint32_t(SectionKind::Manifest) ||
        kind > uint32_t(SectionKind::Tokenizer)) {
      fail()
          .add("section ")
          .addUnsigned(i)
          .add(" has unknown kind ")
          .addUnsigned(kind);
      return false;
    }
    section.kind = static_cast<SectionKind>(kind);
    if (reserved != 0) {
      MessageBuilder message = fail();
      addSection(message, i, section.kind);
      message.add(": reserved field is not zero");
      return false;
    }
    uint64_t alignment = section.kind == SectionKind::Weights
                             ? kWeightAlignment
                             : kSectionAlignment;
    if (section.offset % alignment != 0) {
      MessageBuilder message = fail();
      addSection(message, i, section.kind);
      message.add(": offset ")
          .addUnsigned(section.offset)
          .add(" is not ")
          .addUnsigned(alignment)
          .add("-byte aligned");
      return false;
    }
    if (section.offset < kHeaderSize || section.offset > size ||
        section.size > size - section.offset) {
      MessageBuilder message = fail();
      addSection(message, i, section.kind);
      message.add(": bytes [")
          .addUnsigned(section.offset)
          .add(", ")
          .addUnsigned(section.offset + section.size)
          .add(") lie past the end of the file (")
          .addUnsigned(size)
          .add(" bytes) or inside the header");
      return false;
    }
    section.data = data + section.offset;
    for (uint32_t j = 0; j < i; ++j)
      if (layout.sections[j].kind == section.kind) {
        fail().add("two ").add(sectionKindName(section.kind)).add(" sections");
        return false;
      }
    layout.sectionCount = i + 1;
  }

  // No section may overlap the section table or another section.
  for (uint32_t i = 0; i < sectionCount; ++i) {
    const SectionView &a = layout.sections[i];
    if (overlap(a.offset, a.size, tableOffset, tableBytes)) {
      MessageBuilder message = fail();
      addSection(message, i, a.kind);
      message.add(" overlaps the section table");
      return false;
    }
  }
  for (uint32_t i = 0; i < sectionCount; ++i)
    for (uint32_t j = i + 1; j < sectionCount; ++j) {
      const SectionView &a = layout.sections[i], &b = layout.sections[j];
      if (overlap(a.offset, a.size, b.offset, b.size)) {
        MessageBuilder message = fail();
        addSection(message, i, a.kind);
        message.add(" and ");
        addSection(message, j, b.kind);
        message.add(" overlap");
        return false;
      }
    }

  bool haveManifest = false, haveKernels = false, haveWeights = false;
  for (uint32_t i = 0; i < sectionCount; ++i) {
    const SectionView &section = layout.sections[i];
    switch (section.kind) {
    case SectionKind::Manifest:
      layout.manifest = section;
      haveManifest = true;
      break;
    case SectionKind::Kernels:
      layout.kernels = section;
      haveKernels = true;
      break;
    case SectionKind::Weights:
      layout.weights = section;
      haveWeights = true;
      break;
    case SectionKind::Tokenizer:
      layout.tokenizer = section;
      break;
    }
  }
  if (!haveManifest || !haveKernels || !haveWeights) {
    fail().add(!haveManifest  ? "no Manifest section"
               : !haveKernels ? "no Kernels section"
                              : "no Weights section");
    return false;
  }
  return true;
}

} // namespace facet::core
