//===- TargetTestUtil.h - package targets for host-check tests -*- C++ -*-===//

#ifndef FACET_TEST_RUNTIME_TARGETTESTUTIL_H
#define FACET_TEST_RUNTIME_TARGETTESTUTIL_H

#include "runtime/package/Manifest.h"

#include <string>
#include <utility>
#include <vector>

namespace facet::test {

/// The target record a package built for `name` would carry.
inline package::TargetInfo target(const std::string &name,
                                  const std::string &arch,
                                  std::vector<std::string> features) {
  package::TargetInfo info;
  info.name = name;
  info.arch = arch;
  info.cpuFeatures = std::move(features);
  return info;
}

} // namespace facet::test

#endif // FACET_TEST_RUNTIME_TARGETTESTUTIL_H
