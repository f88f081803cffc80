# lit configuration for Facet's FileCheck tests.
import os

import lit.formats

config.name = "Facet"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.facet_tools_dir, "..", "test", "lit")

# Tools under test first, then FileCheck / not / count from LLVM 19.
config.environment["PATH"] = os.pathsep.join(
    [config.facet_tools_dir, config.llvm_tools_dir, os.environ.get("PATH", "")])
import sys
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%models", os.path.join(config.facet_source_dir, "models")))
config.substitutions.append(("%bench", os.path.join(config.facet_source_dir, "bench")))
