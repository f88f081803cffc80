# Cross-compiles for 64-bit ARM Linux with Debian's GNU cross toolchain
# (g++-aarch64-linux-gnu, libc6-dev-arm64-cross; tools/setup-deps installs
# both). Only the runtime is cross-built (-DFACET_RUNTIME_ONLY=ON, see
# tools/build-aarch64-runtime): the compiler runs on the build machine.
#
# FACET_AARCH64_CXX / FACET_AARCH64_CC name other compilers (for example a
# vendor toolchain); FACET_AARCH64_SYSROOT another sysroot.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

if(DEFINED ENV{FACET_AARCH64_CXX})
  set(CMAKE_CXX_COMPILER "$ENV{FACET_AARCH64_CXX}")
else()
  set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
endif()
if(DEFINED ENV{FACET_AARCH64_CC})
  set(CMAKE_C_COMPILER "$ENV{FACET_AARCH64_CC}")
else()
  set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
endif()

if(DEFINED ENV{FACET_AARCH64_SYSROOT})
  set(CMAKE_FIND_ROOT_PATH "$ENV{FACET_AARCH64_SYSROOT}")
else()
  set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
endif()

# Programs (ccache, ...) come from the build machine; libraries and headers
# only from the target's root, so nothing of the x86 system leaks in.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# try_run results cannot be measured here; tests run under qemu-aarch64.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L ${CMAKE_FIND_ROOT_PATH})
