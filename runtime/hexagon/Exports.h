//===- Exports.h - Symbols the support layer offers loaded code -*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// A kernel library's undefined symbols (memcpy, expf, halide_print,
// __hexagon_udivsi3, ...) are bound by name when SharedObject loads it. The
// support layer's own functions form one table (Exports.cpp); a runner that
// offers more (its own hooks) passes an extra table of the same shape.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_HEXAGON_EXPORTS_H
#define FACET_RUNTIME_HEXAGON_EXPORTS_H

#include <stddef.h>

namespace facet::hexagon {

struct ExportedSymbol {
  const char *name;
  void *address;
};

struct SymbolTable {
  const ExportedSymbol *symbols;
  size_t count;
};

/// memcpy & co., malloc & co., libm, the Hexagon compiler helpers and the
/// Halide runtime hooks, all defined in runtime/hexagon.
SymbolTable supportSymbols();

/// The address of `name` in `table`, or nullptr.
void *findExport(const SymbolTable &table, const char *name);

} // namespace facet::hexagon

#endif // FACET_RUNTIME_HEXAGON_EXPORTS_H
