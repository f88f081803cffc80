# Sourced by the aarch64 test scripts: the preconditions they skip on
# (exit 77, ctest: skipped) with a message that says what to install.

# The cross-built facet-run; "" when CMake found no aarch64 cross compiler.
require_cross_runtime() {
  if [ -z "$1" ]; then
    echo "SKIPPED: no aarch64 cross compiler (aarch64-linux-gnu-g++) at" \
         "configure time; install g++-aarch64-linux-gnu" \
         "libc6-dev-arm64-cross (tools/setup-deps) and reconfigure"
    exit 77
  fi
  if [ ! -x "$1" ]; then
    echo "error: $1 is missing: build the facet_runtime_aarch64 target" >&2
    exit 1
  fi
}

# qemu-aarch64 and the aarch64 sysroot (its dynamic loader and libc).
require_qemu() {
  if [ -z "$1" ] || ! command -v "$1" >/dev/null 2>&1; then
    echo "SKIPPED: qemu-aarch64 not found; install qemu-user" \
         "(tools/setup-deps) to run aarch64 packages here"
    exit 77
  fi
  if [ ! -e "$2/lib/ld-linux-aarch64.so.1" ]; then
    echo "error: $2 holds no aarch64 dynamic loader; install" \
         "libc6-dev-arm64-cross (tools/setup-deps)" >&2
    exit 1
  fi
}

# The aarch64 cross linker `facet compile` needs for aarch64 targets.
require_cross_linker() {
  local cxx="${FACET_AARCH64_CXX:-aarch64-linux-gnu-g++}"
  if ! command -v "$cxx" >/dev/null 2>&1; then
    echo "SKIPPED: $cxx not found, so facet compile cannot link aarch64" \
         "kernels; install g++-aarch64-linux-gnu (tools/setup-deps)"
    exit 77
  fi
}
