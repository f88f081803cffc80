//===- FacetDialect.h - The facet dialect ----------------------*- C++ -*-===//
//
// One include for users of the dialect: the dialect, its enums, types and
// ops, plus small helpers that read weight shapes.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_DIALECTS_FACETDIALECT_H
#define FACET_DIALECTS_FACETDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/FacetEnums.h.inc"

#include "dialects/FacetDialect.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/FacetTypes.h.inc"

#define GET_OP_CLASSES
#include "dialects/FacetOps.h.inc"

namespace facet {

/// The logical shape of a weight type (a ranked tensor or a quantized
/// weight); empty optional for anything else.
std::optional<llvm::ArrayRef<int64_t>> getWeightShape(mlir::Type type);

/// Number of elements of a weight type, 0 for anything else.
int64_t getWeightNumElements(mlir::Type type);

/// Bytes the weight occupies in storage (scales and zero points included).
int64_t getWeightStorageBytes(mlir::Type type);

} // namespace facet

#endif // FACET_DIALECTS_FACETDIALECT_H
