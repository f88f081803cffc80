//===- SharedObject.cpp - Loading a Hexagon kernel library ----------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// One anonymous RWX mapping holds the whole image: the kernels need no
// page protections to run, and one region keeps relocation simple. QEMU's
// user mode translates code from memory it mapped, so no cache maintenance
// is needed there after writing the code.
//
//===----------------------------------------------------------------------===//

#include "runtime/hexagon/SharedObject.h"

#include "runtime/hexagon/Syscall.h"

namespace facet::hexagon {

namespace {

struct Tables {
  const SymbolTable *extra;
  size_t count;
};

bool resolve(void *context, const char *name, uint32_t &address) {
  const Tables &tables = *static_cast<const Tables *>(context);
  void *found = nullptr;
  for (size_t i = 0; i < tables.count && !found; ++i)
    found = findExport(tables.extra[i], name);
  if (!found)
    found = findExport(supportSymbols(), name);
  address = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(found));
  return found != nullptr;
}

} // namespace

bool SharedObject::load(const uint8_t *data, size_t size, ErrorMessage &error) {
  return load(data, size, nullptr, 0, error);
}

bool SharedObject::load(const uint8_t *data, size_t size,
                        const SymbolTable *tables, size_t tableCount,
                        ErrorMessage &error) {
  unload();
  if (!elf::parse(data, size, object_, error))
    return false;
  long address =
      sys::call6(sys::kMmap2, 0, static_cast<long>(object_.imageSize),
                 sys::kProtRead | sys::kProtWrite | sys::kProtExec,
                 sys::kMapPrivate | sys::kMapAnonymous, -1, 0);
  if (sys::failed(address)) {
    error.append("cannot map ").appendUnsigned(object_.imageSize);
    error.append(" bytes for the shared object");
    return false;
  }
  image_ = reinterpret_cast<uint8_t *>(address);
  Tables context{tables, tableCount};
  uint32_t loadAddress = static_cast<uint32_t>(address);
  if (!elf::relocate(object_, data, image_, loadAddress, resolve, &context,
                     error)) {
    unload();
    return false;
  }
  using Initializer = void (*)();
  if (object_.initVaddr != 0)
    reinterpret_cast<Initializer>(image_ +
                                  (object_.initVaddr - object_.imageStart))();
  for (uint32_t i = 0; i < object_.initArrayCount; ++i) {
    uint32_t offset = 0;
    if (!elf::initArrayEntry(object_, image_, loadAddress, i, offset)) {
      error.append("DT_INIT_ARRAY entry ").appendUnsigned(i);
      error.append(" points outside the image");
      unload();
      return false;
    }
    reinterpret_cast<Initializer>(image_ + offset)();
  }
  return true;
}

void *SharedObject::lookup(const char *name) const {
  uint32_t offset = 0;
  if (!image_ || !elf::findSymbol(object_, image_, name, offset))
    return nullptr;
  return image_ + offset;
}

bool SharedObject::lookup(const char *name, uint32_t &address,
                          uint32_t &size) const {
  uint32_t offset = 0;
  if (!image_ || !elf::findSymbol(object_, image_, name, offset, &size))
    return false;
  address = imageAddress() + offset;
  return true;
}

void SharedObject::unload() {
  if (image_)
    sys::call3(sys::kMunmap, reinterpret_cast<long>(image_),
               static_cast<long>(object_.imageSize), 0);
  image_ = nullptr;
}

} // namespace facet::hexagon
