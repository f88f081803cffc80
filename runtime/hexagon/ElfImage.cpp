//===- ElfImage.cpp - Validating parser of Hexagon shared objects ---------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Reads fields byte by byte (no casts of the input, which may be unaligned)
// and does range arithmetic in 64 bits, so no check can overflow. Relocation
// numbers are those of LLVM's ELFRelocs/Hexagon.def.
//
//===----------------------------------------------------------------------===//

#include "runtime/hexagon/ElfImage.h"

namespace facet::hexagon::elf {

namespace {

// ELF constants (ELF32, System V gABI; EM_HEXAGON = 164).
constexpr uint32_t kEhdrSize = 52, kPhdrSize = 32, kSymSize = 16;
constexpr uint32_t kRelaSize = 12, kDynSize = 8;
constexpr uint16_t kEtDyn = 3, kEmHexagon = 164;
constexpr uint32_t kPtLoad = 1, kPtDynamic = 2;
constexpr uint32_t kMaxProgramHeaders = 64;
constexpr uint32_t kPageSize = 4096;

enum DynamicTag : uint32_t {
  kDtNull = 0,
  kDtNeeded = 1,
  kDtPltRelSz = 2,
  kDtHash = 4,
  kDtStrTab = 5,
  kDtSymTab = 6,
  kDtRela = 7,
  kDtRelaSz = 8,
  kDtRelaEnt = 9,
  kDtStrSz = 10,
  kDtSymEnt = 11,
  kDtInit = 12,
  kDtRel = 17,
  kDtPltRel = 20,
  kDtJmpRel = 23,
  kDtInitArray = 25,
  kDtInitArraySz = 27,
};

enum RelocationType : uint32_t {
  kRHexNone = 0,
  kRHex32 = 6,
  kRHexCopy = 32,
  kRHexGlobDat = 33,
  kRHexJmpSlot = 34,
  kRHexRelative = 35,
  kRHexDtpMod32 = 44,
  kRHexDtpRel32 = 47,
  kRHexTpRel32 = 63,
};

uint16_t read16(const uint8_t *p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
uint32_t read32(const uint8_t *p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}
void write32(uint8_t *p, uint32_t value) {
  p[0] = static_cast<uint8_t>(value);
  p[1] = static_cast<uint8_t>(value >> 8);
  p[2] = static_cast<uint8_t>(value >> 16);
  p[3] = static_cast<uint8_t>(value >> 24);
}

bool fits(uint64_t offset, uint64_t length, uint64_t limit) {
  return offset <= limit && length <= limit - offset;
}

const char *relocationName(uint32_t type) {
  switch (type) {
  case kRHexCopy:
    return "R_HEX_COPY";
  case kRHexDtpMod32:
    return "R_HEX_DTPMOD_32";
  case kRHexDtpRel32:
    return "R_HEX_DTPREL_32";
  case kRHexTpRel32:
    return "R_HEX_TPREL_32";
  default:
    return "not a dynamic relocation";
  }
}

bool fail(ErrorMessage &error, const char *text) {
  error.append(text);
  return false;
}

/// The file range holding [vaddr, vaddr + length) of one segment's
/// file-backed part; false if no segment has it all.
bool vaddrToFile(const ParsedObject &object, uint32_t vaddr, uint32_t length,
                 uint32_t &offset) {
  for (uint32_t i = 0; i < object.segmentCount; ++i) {
    const LoadSegment &segment = object.segments[i];
    if (vaddr >= segment.vaddr &&
        fits(vaddr - segment.vaddr, length, segment.fileSize)) {
      offset = segment.fileOffset + (vaddr - segment.vaddr);
      return true;
    }
  }
  return false;
}

bool tableInFile(const ParsedObject &object, uint32_t vaddr, uint64_t length,
                 FileRange &range, const char *what, ErrorMessage &error) {
  if (length > 0xffffffffu ||
      !vaddrToFile(object, vaddr, static_cast<uint32_t>(length),
                   range.offset)) {
    error.append(what).append(" (").appendHex(vaddr).append(", ");
    error.appendUnsigned(length).append(" bytes) is outside the file's "
                                        "loaded segments");
    return false;
  }
  range.size = static_cast<uint32_t>(length);
  return true;
}

bool readLoadSegments(const uint8_t *data, size_t size, uint32_t phoff,
                      uint32_t phnum, ParsedObject &object,
                      uint32_t &dynamicOffset, uint32_t &dynamicSize,
                      ErrorMessage &error) {
  uint64_t lowest = ~uint64_t(0), highest = 0;
  bool haveDynamic = false;
  for (uint32_t i = 0; i < phnum; ++i) {
    const uint8_t *ph = data + phoff + i * kPhdrSize;
    uint32_t type = read32(ph), offset = read32(ph + 4), vaddr = read32(ph + 8),
             fileSize = read32(ph + 16), memorySize = read32(ph + 20);
    if (type == kPtDynamic) {
      if (!fits(offset, fileSize, size))
        return fail(error, "PT_DYNAMIC lies outside the file");
      dynamicOffset = offset;
      dynamicSize = fileSize;
      haveDynamic = true;
    }
    if (type != kPtLoad)
      continue;
    if (object.segmentCount == kMaxLoadSegments)
      return fail(error, "too many PT_LOAD segments");
    if (fileSize > memorySize)
      return fail(error, "a PT_LOAD segment has p_filesz > p_memsz");
    if (!fits(offset, fileSize, size)) {
      error.append("PT_LOAD segment ").appendUnsigned(i);
      return fail(error, " lies outside the file (truncated?)");
    }
    if (!fits(vaddr, memorySize, 0xffffffffu))
      return fail(error, "a PT_LOAD segment wraps the address space");
    object.segments[object.segmentCount++] = {vaddr, memorySize, offset,
                                              fileSize};
    if (vaddr < lowest)
      lowest = vaddr;
    if (uint64_t(vaddr) + memorySize > highest)
      highest = uint64_t(vaddr) + memorySize;
  }
  if (object.segmentCount == 0)
    return fail(error, "no PT_LOAD segment");
  if (!haveDynamic)
    return fail(error, "no PT_DYNAMIC segment (not a shared object?)");
  lowest &= ~uint64_t(kPageSize - 1);
  if (highest - lowest > kMaxImageSize) {
    error.append("the segments span ").appendUnsigned(highest - lowest);
    return fail(error, " bytes, more than the loader accepts");
  }
  object.imageStart = static_cast<uint32_t>(lowest);
  object.imageSize = static_cast<uint32_t>(highest - lowest);
  return true;
}

struct DynamicValues {
  uint32_t hash = 0, strtab = 0, symtab = 0, strsz = 0, syment = kSymSize;
  uint32_t rela = 0, relasz = 0, relaent = kRelaSize;
  uint32_t jmprel = 0, pltrelsz = 0, pltrel = kDtRela;
  uint32_t init = 0, initArray = 0, initArraySize = 0;
  bool haveHash = false, haveStrtab = false, haveSymtab = false;
  bool haveRela = false, haveJmprel = false, haveInitArray = false;
};

bool readDynamic(const uint8_t *data, uint32_t offset, uint32_t size,
                 DynamicValues &values, ErrorMessage &error) {
  for (uint32_t at = 0; at + kDynSize <= size; at += kDynSize) {
    uint32_t tag = read32(data + offset + at);
    uint32_t value = read32(data + offset + at + 4);
    switch (tag) {
    case kDtNull:
      return true;
    case kDtNeeded:
      return fail(error, "the object depends on another shared library "
                         "(DT_NEEDED); link it self-contained");
    case kDtRel:
      return fail(error, "DT_REL relocations are not supported (only RELA)");
    case kDtHash:
      values.hash = value;
      values.haveHash = true;
      break;
    case kDtStrTab:
      values.strtab = value;
      values.haveStrtab = true;
      break;
    case kDtSymTab:
      values.symtab = value;
      values.haveSymtab = true;
      break;
    case kDtStrSz:
      values.strsz = value;
      break;
    case kDtSymEnt:
      values.syment = value;
      break;
    case kDtRela:
      values.rela = value;
      values.haveRela = true;
      break;
    case kDtRelaSz:
      values.relasz = value;
      break;
    case kDtRelaEnt:
      values.relaent = value;
      break;
    case kDtJmpRel:
      values.jmprel = value;
      values.haveJmprel = true;
      break;
    case kDtPltRelSz:
      values.pltrelsz = value;
      break;
    case kDtPltRel:
      values.pltrel = value;
      break;
    case kDtInit:
      values.init = value;
      break;
    case kDtInitArray:
      values.initArray = value;
      values.haveInitArray = true;
      break;
    case kDtInitArraySz:
      values.initArraySize = value;
      break;
    default:
      break; // DT_FINI, DT_FLAGS, ...: nothing the loader must act on
    }
  }
  return fail(error, "the dynamic section has no DT_NULL terminator");
}

bool checkTables(const uint8_t *data, const DynamicValues &values,
                 ParsedObject &object, ErrorMessage &error) {
  if (!values.haveSymtab || !values.haveStrtab)
    return fail(error, "no DT_SYMTAB or DT_STRTAB");
  if (!values.haveHash)
    return fail(error, "no DT_HASH, which gives the symbol count (link with "
                       "--hash-style=sysv)");
  if (values.syment != kSymSize || values.relaent != kRelaSize)
    return fail(error, "unexpected DT_SYMENT or DT_RELAENT");
  if (values.haveJmprel && values.pltrel != kDtRela)
    return fail(error, "DT_PLTREL is not DT_RELA");

  FileRange hash;
  if (!tableInFile(object, values.hash, 8, hash, "DT_HASH", error))
    return false;
  object.symbolCount = read32(data + hash.offset + 4); // nchain
  object.symbolTableVaddr = values.symtab;
  object.stringTableVaddr = values.strtab;
  object.stringTableSize = values.strsz;
  if (!tableInFile(object, values.symtab,
                   uint64_t(object.symbolCount) * kSymSize, object.symbols,
                   "DT_SYMTAB", error) ||
      !tableInFile(object, values.strtab, values.strsz, object.strings,
                   "DT_STRTAB", error))
    return false;
  // Both tables must also lie in the image, where findSymbol reads them.
  if (!fits(uint64_t(values.symtab) - object.imageStart,
            uint64_t(object.symbolCount) * kSymSize, object.imageSize) ||
      !fits(uint64_t(values.strtab) - object.imageStart, values.strsz,
            object.imageSize))
    return fail(error, "symbol tables outside the image");

  if (values.relasz % kRelaSize != 0 || values.pltrelsz % kRelaSize != 0)
    return fail(error, "a relocation table size is not a multiple of 12");
  if (values.haveRela && !tableInFile(object, values.rela, values.relasz,
                                      object.rela, "DT_RELA", error))
    return false;
  if (values.haveJmprel && !tableInFile(object, values.jmprel, values.pltrelsz,
                                        object.pltRela, "DT_JMPREL", error))
    return false;

  if (values.init != 0) {
    if (values.init < object.imageStart ||
        values.init - object.imageStart >= object.imageSize)
      return fail(error, "DT_INIT points outside the image");
    object.initVaddr = values.init;
  }
  if (values.haveInitArray) {
    if (values.initArraySize % 4 != 0 || values.initArray < object.imageStart ||
        !fits(values.initArray - object.imageStart, values.initArraySize,
              object.imageSize))
      return fail(error, "DT_INIT_ARRAY lies outside the image");
    object.initArrayVaddr = values.initArray;
    object.initArrayCount = values.initArraySize / 4;
  }
  return true;
}

/// The NUL-terminated name at `nameOffset` of a string table of `size`
/// bytes, or nullptr if it is out of range or unterminated.
const char *nameAt(const uint8_t *strings, uint32_t size, uint32_t nameOffset) {
  if (nameOffset >= size)
    return nullptr;
  for (uint32_t i = nameOffset; i < size; ++i)
    if (strings[i] == 0)
      return reinterpret_cast<const char *>(strings + nameOffset);
  return nullptr;
}

bool sameName(const char *a, const char *b) {
  while (*a && *a == *b)
    ++a, ++b;
  return *a == *b;
}

bool applyTable(const ParsedObject &object, const uint8_t *data,
                FileRange table, uint8_t *image, uint32_t loadAddress,
                Resolver resolve, void *context, ErrorMessage &error) {
  const uint32_t base = loadAddress - object.imageStart; // wraps by design
  const uint8_t *symbols = data + object.symbols.offset;
  const uint8_t *strings = data + object.strings.offset;
  for (uint32_t at = 0; at + kRelaSize <= table.size; at += kRelaSize) {
    const uint8_t *rela = data + table.offset + at;
    uint32_t where = read32(rela), info = read32(rela + 4);
    uint32_t addend = read32(rela + 8);
    uint32_t type = info & 0xff, symbolIndex = info >> 8;
    if (type == kRHexNone)
      continue;
    if (where < object.imageStart ||
        !fits(where - object.imageStart, 4, object.imageSize)) {
      error.append("relocation at ").appendHex(where);
      return fail(error, " writes outside the image");
    }
    uint8_t *target = image + (where - object.imageStart);
    if (type == kRHexRelative) {
      write32(target, base + addend);
      continue;
    }
    if (type != kRHex32 && type != kRHexGlobDat && type != kRHexJmpSlot) {
      error.append("unsupported relocation type ").appendUnsigned(type);
      error.append(" (").append(relocationName(type)).append(")");
      return false;
    }
    if (symbolIndex == 0 || symbolIndex >= object.symbolCount) {
      error.append("relocation names symbol ").appendUnsigned(symbolIndex);
      return fail(error, ", outside the symbol table");
    }
    const uint8_t *symbol = symbols + symbolIndex * kSymSize;
    uint32_t value = read32(symbol + 4);
    uint8_t binding = symbol[12] >> 4;
    uint16_t section = read16(symbol + 14);
    uint32_t resolved = 0;
    if (section != 0) { // defined here: relative to the load address
      resolved = base + value;
    } else {
      const char *name = nameAt(strings, object.strings.size, read32(symbol));
      if (!name)
        return fail(error, "a symbol name lies outside DT_STRTAB");
      bool weak = binding == 2;
      if (!resolve(context, name, resolved) && !weak) {
        error.append("unresolved symbol '").append(name, 80).append("'");
        return false;
      }
    }
    write32(target, resolved + addend);
  }
  return true;
}

} // namespace

bool parse(const uint8_t *data, size_t size, ParsedObject &object,
           ErrorMessage &error) {
  object = ParsedObject();
  if (size < kEhdrSize)
    return fail(error, "file too small for an ELF header (truncated?)");
  if (data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' || data[3] != 'F')
    return fail(error, "not an ELF file (bad magic)");
  if (data[4] != 1 || data[5] != 1)
    return fail(error, "not a 32-bit little-endian ELF file");
  uint16_t type = read16(data + 16), machine = read16(data + 18);
  if (machine != kEmHexagon) {
    error.append("wrong e_machine ").appendUnsigned(machine);
    return fail(error, " (expected 164, EM_HEXAGON)");
  }
  if (type != kEtDyn) {
    error.append("wrong e_type ").appendUnsigned(type);
    return fail(error, " (expected 3, ET_DYN: a shared object)");
  }
  uint32_t phoff = read32(data + 28);
  uint16_t phentsize = read16(data + 42), phnum = read16(data + 44);
  if (phentsize != kPhdrSize || phnum == 0 || phnum > kMaxProgramHeaders)
    return fail(error, "bad program header entry size or count");
  if (!fits(phoff, uint64_t(phnum) * kPhdrSize, size))
    return fail(error, "program headers lie outside the file (truncated?)");

  uint32_t dynamicOffset = 0, dynamicSize = 0;
  if (!readLoadSegments(data, size, phoff, phnum, object, dynamicOffset,
                        dynamicSize, error))
    return false;
  DynamicValues values;
  if (!readDynamic(data, dynamicOffset, dynamicSize, values, error))
    return false;
  return checkTables(data, values, object, error);
}

bool relocate(const ParsedObject &object, const uint8_t *data, uint8_t *image,
              uint32_t loadAddress, Resolver resolve, void *context,
              ErrorMessage &error) {
  for (uint32_t i = 0; i < object.segmentCount; ++i) {
    const LoadSegment &segment = object.segments[i];
    uint8_t *dest = image + (segment.vaddr - object.imageStart);
    const uint8_t *src = data + segment.fileOffset;
    for (uint32_t j = 0; j < segment.fileSize; ++j)
      dest[j] = src[j];
  }
  return applyTable(object, data, object.rela, image, loadAddress, resolve,
                    context, error) &&
         applyTable(object, data, object.pltRela, image, loadAddress, resolve,
                    context, error);
}

bool findSymbol(const ParsedObject &object, const uint8_t *image,
                const char *name, uint32_t &imageOffset, uint32_t *size) {
  const uint8_t *symbols =
      image + (object.symbolTableVaddr - object.imageStart);
  const uint8_t *strings =
      image + (object.stringTableVaddr - object.imageStart);
  for (uint32_t i = 1; i < object.symbolCount; ++i) {
    const uint8_t *symbol = symbols + i * kSymSize;
    uint32_t value = read32(symbol + 4);
    uint8_t binding = symbol[12] >> 4;
    if (read16(symbol + 14) == 0 || (binding != 1 && binding != 2))
      continue; // undefined or local
    const char *candidate =
        nameAt(strings, object.stringTableSize, read32(symbol));
    if (!candidate || !sameName(candidate, name))
      continue;
    if (value < object.imageStart ||
        value - object.imageStart >= object.imageSize)
      return false;
    imageOffset = value - object.imageStart;
    if (size)
      *size = read32(symbol + 8);
    return true;
  }
  return false;
}

bool initArrayEntry(const ParsedObject &object, const uint8_t *image,
                    uint32_t loadAddress, uint32_t index,
                    uint32_t &imageOffset) {
  if (index >= object.initArrayCount)
    return false;
  uint32_t address =
      read32(image + (object.initArrayVaddr - object.imageStart) + index * 4);
  uint32_t offset = address - loadAddress;
  if (address < loadAddress || offset >= object.imageSize)
    return false;
  imageOffset = offset;
  return true;
}

} // namespace facet::hexagon::elf
