//===- OpEmitters.h - facet ops as Halide Funcs ----------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// One emitter per facet op: the op and the HTensors of its operands in, the
// HTensors of its results out. Emitters compose: a kernel is whatever list
// of ops a fusion pass put in one facet.kernel region, and the kernel
// builder just calls emitOp on each in order, so a new fusion needs no new
// code here. Every emitter follows the op's description in FacetOps.td and
// computes in f32 with the same operation order as the reference evaluator
// (test/reference), reductions summing in index order.
//
// `facet.kv_store` has no emitter: writing rows into a cache is a copy the
// runtime does between kernels (package StepKind::KVStore).
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_HALIDE_OPEMITTERS_H
#define FACET_CODEGEN_HALIDE_OPEMITTERS_H

#include "codegen/halide/EmitContext.h"
#include "codegen/halide/HTensor.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/ArrayRef.h"

#include <vector>

namespace facet::codegen {

/// The HTensors of `op`'s results, one per result, computed from
/// `operands` (one per operand, in order). Throws facet::Error naming the op
/// when it has no emitter or its operands do not fit.
std::vector<HTensor> emitOp(mlir::Operation *op,
                            llvm::ArrayRef<HTensor> operands, EmitContext &ctx);

/// Whether emitOp handles `op`.
bool hasEmitter(mlir::Operation *op);

/// Whether `op` is work the runtime does itself between kernels
/// (`facet.kv_store`), so it never belongs in a kernel.
bool isRuntimeOp(mlir::Operation *op);

/// Throws facet::Error, naming the op and its location, unless `op` can be
/// part of a kernel: runtime ops and ops without an emitter are rejected.
void requireEmittable(mlir::Operation *op);

} // namespace facet::codegen

#endif // FACET_CODEGEN_HALIDE_OPEMITTERS_H
