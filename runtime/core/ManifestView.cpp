//===- ManifestView.cpp - A validated manifest, as plain structs ----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/ManifestView.h"

namespace facet::core {

bool StringView::equals(StringView other) const {
  if (size != other.size)
    return false;
  for (uint64_t i = 0; i < size; ++i)
    if (data[i] != other.data[i])
      return false;
  return true;
}

bool StringView::equals(const char *text) const {
  uint64_t i = 0;
  for (; text[i] != '\0'; ++i)
    if (i >= size || data[i] != text[i])
      return false;
  return i == size;
}

const EntryView *findEntry(const ManifestView &manifest, const char *name) {
  for (uint64_t i = 0; i < manifest.entryCount; ++i)
    if (manifest.entries[i].name.equals(name))
      return &manifest.entries[i];
  return nullptr;
}

} // namespace facet::core
