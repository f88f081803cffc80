//===- KernelLinker.h - kernel objects -> one shared object -----*- C++ -*-===//
//
// A CPU package carries its kernels as one shared object, linked from the
// generated objects and the Halide runtime object by the C++ toolchain for
// the target's architecture.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_DRIVER_KERNELLINKER_H
#define FACET_CODEGEN_DRIVER_KERNELLINKER_H

#include "codegen/target/TargetRegistry.h"

#include <cstdint>
#include <string>
#include <vector>

namespace facet::codegen {

/// Links `objects` into the shared object `output` for `target`; the linker's
/// output goes to `workDir`/link.log and into the error. Throws facet::Error.
void linkKernelLibrary(const TargetInfo &target,
                       const std::vector<std::string> &objects,
                       const std::string &output, const std::string &workDir);

/// The bytes of `path`. Throws facet::Error.
std::vector<uint8_t> readBinaryFile(const std::string &path);

} // namespace facet::codegen

#endif // FACET_CODEGEN_DRIVER_KERNELLINKER_H
