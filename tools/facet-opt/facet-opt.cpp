//===- facet-opt.cpp - mlir-opt for the facet dialect ----------------------===//
//
// Parses, verifies, transforms and prints facet IR. Used by the lit tests and
// for experiments with passes.
//
//===----------------------------------------------------------------------===//

#include "dialects/FacetDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  facet::registerFacetPasses();

  mlir::DialectRegistry registry;
  registry.insert<facet::FacetDialect, mlir::func::FuncDialect>();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Facet optimizer driver: the facet dialect and its passes\n",
      registry));
}
