# lit configuration for Facet's FileCheck tests.
import os

import lit.formats

config.name = "Facet"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.facet_tools_dir, "..", "test", "lit")
# ctest runs one lit process per file, in parallel. lit rewrites
# .lit_test_times.txt in the exec root at exit while others read it at start,
# and a half-written file makes the reader crash. Each ctest entry therefore
# passes its own exec_subdir, which gives it a times file (and %t) of its own.
_exec_subdir = lit_config.params.get("exec_subdir")
if _exec_subdir:
    config.test_exec_root = os.path.join(config.test_exec_root, ".runs", _exec_subdir)

# Tools under test first, then FileCheck / not / count from LLVM 19.
config.environment["PATH"] = os.pathsep.join(
    [config.facet_tools_dir, config.llvm_tools_dir, os.environ.get("PATH", "")])
import sys
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%models", os.path.join(config.facet_source_dir, "models")))
config.substitutions.append(("%bench", os.path.join(config.facet_source_dir, "bench")))
