//===- SharedLibrary.cpp - libfacet.so ------------------------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// libfacet.so is the facet_runtime archive linked whole; only the C API in
// facet.h (FACET_API) is exported. The target needs one source of its own;
// this one only checks that facet.h compiles on its own as C++.
//
//===----------------------------------------------------------------------===//

#include "facet.h"
