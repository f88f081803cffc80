//===- Error.h - Facet's error type -----------------------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The one exception type thrown by Facet's parsers (checkpoints, configs) and
// runtime support code. Messages are complete sentences for the user: they
// name the file (and the tensor or field) and say what was expected and what
// was found.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_FRONTEND_SUPPORT_ERROR_H
#define FACET_FRONTEND_SUPPORT_ERROR_H

#include <stdexcept>

namespace facet {

class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace facet

#endif // FACET_FRONTEND_SUPPORT_ERROR_H
