//===- ElfImage.h - Validating parser of Hexagon shared objects -*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The kernels of a Hexagon package are one ELF shared object (ld.lld -shared
// of Halide's PIC objects) that the runner loads itself: there is no dynamic
// linker on the device. The object comes from the package, i.e. untrusted
// input, so parsing validates every offset, size, index and count against the
// input before anything is read, and reports the first problem as text.
//
// This part knows no operating system: it lays the segments out in a buffer
// the caller provides and applies the relocations as if the buffer lived at a
// given 32-bit address. SharedObject.h maps real memory around it on
// Hexagon; on the host the same code is unit-tested and fuzzed.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_HEXAGON_ELFIMAGE_H
#define FACET_RUNTIME_HEXAGON_ELFIMAGE_H

#include "runtime/hexagon/ErrorMessage.h"

#include <stddef.h>
#include <stdint.h>

namespace facet::hexagon::elf {

/// Largest image (span of all PT_LOAD segments) accepted: far above any
/// kernel library, and a bound on what a malformed file can make us map.
constexpr uint32_t kMaxImageSize = 256u << 20;
constexpr uint32_t kMaxLoadSegments = 8;

struct LoadSegment {
  uint32_t vaddr, memorySize, fileOffset, fileSize;
};

/// A table in the file: its file offset and entry count (or byte size).
struct FileRange {
  uint32_t offset = 0, size = 0;
};

/// Everything the loader needs, all validated against the input size.
struct ParsedObject {
  uint32_t imageStart = 0; // lowest segment address, page aligned
  uint32_t imageSize = 0;  // bytes from imageStart to the last segment end
  LoadSegment segments[kMaxLoadSegments];
  uint32_t segmentCount = 0;
  // .dynsym and .dynstr, as vaddrs; they also lie in the file (FileRange).
  uint32_t symbolTableVaddr = 0, symbolCount = 0;
  uint32_t stringTableVaddr = 0, stringTableSize = 0;
  FileRange symbols, strings;  // symbols.size is in bytes
  FileRange rela, pltRela;     // Elf32_Rela tables, size in bytes
  uint32_t initVaddr = 0;      // DT_INIT, 0 if absent
  uint32_t initArrayVaddr = 0; // DT_INIT_ARRAY
  uint32_t initArrayCount = 0; // entries of DT_INIT_ARRAY
};

/// Checks that `data` is a 32-bit little-endian Hexagon ET_DYN this loader
/// can handle and fills `object`. False with a message otherwise.
bool parse(const uint8_t *data, size_t size, ParsedObject &object,
           ErrorMessage &error);

/// Finds the address of an undefined symbol; false if it is unknown.
using Resolver = bool (*)(void *context, const char *name, uint32_t &address);

/// Copies the segments of a parsed object into `image` (object.imageSize
/// bytes, zero-filled by the caller) and applies its relocations for an
/// image placed at target address `loadAddress`; undefined symbols go to
/// `resolve`. False with a message naming the relocation type or symbol.
bool relocate(const ParsedObject &object, const uint8_t *data, uint8_t *image,
              uint32_t loadAddress, Resolver resolve, void *context,
              ErrorMessage &error);

/// The image offset of the defined global symbol `name`, read from the
/// relocated image (every read bounds-checked again: relocations may have
/// written over the tables), and its st_size when `size` is given. False if
/// there is no such symbol.
bool findSymbol(const ParsedObject &object, const uint8_t *image,
                const char *name, uint32_t &imageOffset,
                uint32_t *size = nullptr);

/// The vaddr of DT_INIT_ARRAY entry `index` of a relocated image, as an
/// image offset; false if the entry does not point into the image.
bool initArrayEntry(const ParsedObject &object, const uint8_t *image,
                    uint32_t loadAddress, uint32_t index,
                    uint32_t &imageOffset);

} // namespace facet::hexagon::elf

#endif // FACET_RUNTIME_HEXAGON_ELFIMAGE_H
