//===- SharedObject.h - Loading a Hexagon kernel library --------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The runner's dynamic linker: validates a Hexagon ET_DYN (ElfImage.h), maps
// its segments into one read-write-execute region, binds its undefined
// symbols against symbol tables (the support layer's, plus the runner's),
// applies the relocations, runs DT_INIT and DT_INIT_ARRAY, and then looks up
// the kernels by name. The input bytes may be released after load().
//
//   facet::hexagon::ErrorMessage error;
//   facet::hexagon::SharedObject kernels;
//   if (!kernels.load(file.data, file.size, error)) { report error.text() }
//   auto *kernel = reinterpret_cast<int (*)(void **)>(
//       kernels.lookup("matmul_argv"));
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_HEXAGON_SHAREDOBJECT_H
#define FACET_RUNTIME_HEXAGON_SHAREDOBJECT_H

#include "runtime/hexagon/ElfImage.h"
#include "runtime/hexagon/ErrorMessage.h"
#include "runtime/hexagon/Exports.h"

namespace facet::hexagon {

class SharedObject {
public:
  SharedObject() = default;
  SharedObject(const SharedObject &) = delete;
  SharedObject &operator=(const SharedObject &) = delete;
  ~SharedObject() { unload(); }

  /// Loads with the support layer's symbols only.
  bool load(const uint8_t *data, size_t size, ErrorMessage &error);
  /// Loads binding undefined symbols against `tables` in order (the first
  /// table that has a name wins), after which the support layer's symbols.
  bool load(const uint8_t *data, size_t size, const SymbolTable *tables,
            size_t tableCount, ErrorMessage &error);

  /// The address of a defined global symbol, or nullptr.
  void *lookup(const char *name) const;
  /// The address and st_size of a defined global symbol; false if absent.
  /// (For tools that attribute a trace to functions.)
  bool lookup(const char *name, uint32_t &address, uint32_t &size) const;

  /// Where the image lies while loaded: its first byte and its size.
  uint32_t imageAddress() const {
    return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(image_));
  }
  uint32_t imageSize() const { return image_ ? object_.imageSize : 0; }

  /// Unmaps the image (without running destructors: kernels have none).
  void unload();

  bool loaded() const { return image_ != nullptr; }

private:
  elf::ParsedObject object_;
  uint8_t *image_ = nullptr;
};

} // namespace facet::hexagon

#endif // FACET_RUNTIME_HEXAGON_SHAREDOBJECT_H
