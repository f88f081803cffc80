//===- PlanBuilder.h - Host plan of a kernel-outlined module ---*- C++ -*-===//
//
// Turns the entry points of a module whose compute lives in facet.kernel
// regions into the package's host plan: activation buffers with arena
// offsets, KV caches with their ring capacity, and the ordered steps
// (kernel launches and KV-cache writes) of `prefill` and `decode`.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_PLAN_PLANBUILDER_H
#define FACET_CODEGEN_PLAN_PLANBUILDER_H

#include "codegen/plan/KernelSignature.h"
#include "dialects/FacetDialect.h"
#include "runtime/package/Manifest.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <functional>

namespace facet::codegen {

/// Returns the index in Manifest::kernels of the code for `kernel` (compiling
/// it, or reusing identical code) and its calling signature.
using KernelProvider =
    std::function<std::pair<uint64_t, const KernelSignature *>(KernelOp)>;

/// Fills `manifest.weights` (names, types, shapes; offsets are the package
/// writer's job), `manifest.caches` and `manifest.entryPoints` from
/// `module`, which --facet-schedule-kv has scheduled (cache capacities and
/// dtypes, tokens per call) and --facet-outline-kernels outlined. Throws
/// facet::Error for IR it cannot plan.
void buildPlan(mlir::ModuleOp module, const KernelProvider &kernels,
               package::Manifest &manifest);

/// The package weights that hold `param`: one for a float tensor; for a
/// quantized weight its integers (i8, or u8 holding two int4), its scales
/// and, when asymmetric, its zero points (u8), in that order and named
/// `name`, `name.scales`, `name.zeros`.
/// Each part carries the param's class and its scheme (schemeOf).
std::vector<package::WeightInfo> weightParts(ParamOp param);

/// The manifest's description of a cache that --facet-schedule-kv sized;
/// throws facet::Error for one it did not.
package::CacheInfo cacheInfoOf(KVCacheOp cache);

/// How a weight of `type` is stored: "f32", "f16", "bf16", "int8",
/// "int4-g32", "int4-g64-asym", ...
std::string schemeOf(mlir::Type type);

/// Bytes one activation row of `type` takes, and its package element type.
package::ElementType toElementType(mlir::Type elementType);

} // namespace facet::codegen

#endif // FACET_CODEGEN_PLAN_PLANBUILDER_H
