//===- Passes.h - facet graph passes ---------------------------*- C++ -*-===//

#ifndef FACET_PASSES_PASSES_H
#define FACET_PASSES_PASSES_H

#include "dialects/FacetDialect.h"

#include "mlir/Pass/Pass.h"

namespace facet {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace facet

#endif // FACET_PASSES_PASSES_H
