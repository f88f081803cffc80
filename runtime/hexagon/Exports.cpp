//===- Exports.cpp - Symbols the support layer offers loaded code ---------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The list was taken from `llvm-nm-19 -u` over Halide 14's standalone
// runtime and typical LLM pipelines for hexagon-32-noos-hvx-hvx_128
// (test/hexagon/HexagonKernelGen.cpp; the test hexagon-undefined-symbols
// keeps it complete), plus the helpers clang emits for Hexagon. Add an
// entry here when a new kernel needs a new function.
//
//===----------------------------------------------------------------------===//

#include "runtime/hexagon/Exports.h"

#include "runtime/hexagon/CLibrary.h"

#include <stdint.h>

extern "C" {
// LibmExports.cpp
float expf(float);
float logf(float);
float sqrtf(float);
float tanhf(float);
float sinf(float);
float cosf(float);
float powf(float, float);
float floorf(float);
float ceilf(float);
float truncf(float);
float roundf(float);
float nearbyintf(float);
float rintf(float);
float fabsf(float);
float fmaxf(float, float);
float fminf(float, float);
// CompilerBuiltins.cpp
float __hexagon_divsf3(float, float);
float __hexagon_sqrtf(float);
double __hexagon_adddf3(double, double);
double __hexagon_subdf3(double, double);
double __hexagon_muldf3(double, double);
double __hexagon_divdf3(double, double);
// IntDivision.cpp
uint32_t __hexagon_udivsi3(uint32_t, uint32_t);
uint32_t __hexagon_umodsi3(uint32_t, uint32_t);
int32_t __hexagon_divsi3(int32_t, int32_t);
int32_t __hexagon_modsi3(int32_t, int32_t);
uint64_t __hexagon_udivdi3(uint64_t, uint64_t);
uint64_t __hexagon_umoddi3(uint64_t, uint64_t);
int64_t __hexagon_divdi3(int64_t, int64_t);
int64_t __hexagon_moddi3(int64_t, int64_t);
// HalideHooks.cpp
void halide_print(void *, const char *);
void halide_error(void *, const char *);
int qurt_hvx_lock(int);
int qurt_hvx_unlock(void);
void *__hexagon_memcpy_likely_aligned_min32bytes_mult8bytes(void *,
                                                            const void *,
                                                            size_t);
}

namespace facet::hexagon {

namespace {

#define FACET_EXPORT(name)                                                     \
  { #name, reinterpret_cast < void *>(&name) }

const ExportedSymbol kSupportSymbols[] = {
    FACET_EXPORT(memcpy),
    FACET_EXPORT(memmove),
    FACET_EXPORT(memset),
    FACET_EXPORT(memcmp),
    FACET_EXPORT(strlen),
    FACET_EXPORT(strcmp),
    FACET_EXPORT(atoi),
    FACET_EXPORT(getenv),
    FACET_EXPORT(abort),
    FACET_EXPORT(malloc),
    FACET_EXPORT(free),
    FACET_EXPORT(calloc),
    FACET_EXPORT(realloc),
    FACET_EXPORT(expf),
    FACET_EXPORT(logf),
    FACET_EXPORT(sqrtf),
    FACET_EXPORT(tanhf),
    FACET_EXPORT(sinf),
    FACET_EXPORT(cosf),
    FACET_EXPORT(powf),
    FACET_EXPORT(floorf),
    FACET_EXPORT(ceilf),
    FACET_EXPORT(truncf),
    FACET_EXPORT(roundf),
    FACET_EXPORT(nearbyintf),
    FACET_EXPORT(rintf),
    FACET_EXPORT(fabsf),
    FACET_EXPORT(fmaxf),
    FACET_EXPORT(fminf),
    FACET_EXPORT(__hexagon_divsf3),
    FACET_EXPORT(__hexagon_sqrtf),
    FACET_EXPORT(__hexagon_adddf3),
    FACET_EXPORT(__hexagon_subdf3),
    FACET_EXPORT(__hexagon_muldf3),
    FACET_EXPORT(__hexagon_divdf3),
    FACET_EXPORT(__hexagon_udivsi3),
    FACET_EXPORT(__hexagon_umodsi3),
    FACET_EXPORT(__hexagon_divsi3),
    FACET_EXPORT(__hexagon_modsi3),
    FACET_EXPORT(__hexagon_udivdi3),
    FACET_EXPORT(__hexagon_umoddi3),
    FACET_EXPORT(__hexagon_divdi3),
    FACET_EXPORT(__hexagon_moddi3),
    FACET_EXPORT(halide_print),
    FACET_EXPORT(halide_error),
    FACET_EXPORT(qurt_hvx_lock),
    FACET_EXPORT(qurt_hvx_unlock),
    FACET_EXPORT(__hexagon_memcpy_likely_aligned_min32bytes_mult8bytes),
};

#undef FACET_EXPORT

} // namespace

SymbolTable supportSymbols() {
  return {kSupportSymbols,
          sizeof(kSupportSymbols) / sizeof(kSupportSymbols[0])};
}

void *findExport(const SymbolTable &table, const char *name) {
  for (size_t i = 0; i < table.count; ++i) {
    const char *a = table.symbols[i].name;
    const char *b = name;
    while (*a && *a == *b)
      ++a, ++b;
    if (*a == *b)
      return table.symbols[i].address;
  }
  return nullptr;
}

} // namespace facet::hexagon
