#!/usr/bin/env bash
# One e2e fixture test of an aarch64 target: test/e2e/run_fixture.sh with the
# cross-built facet-run run under qemu-aarch64 instead of `facet run`.
#
#   run_aarch64.sh BIN_DIR QEMU SYSROOT AARCH64_FACET_RUN MODEL_DIR WORK_DIR
#                  [run_fixture.sh ARGS...]
#
# QEMU or AARCH64_FACET_RUN is empty when CMake found no qemu-aarch64 or no
# aarch64 cross compiler: then exit 77 (ctest: skipped) saying which.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$1"; qemu="$2"; sysroot="$3"; facet_run="$4"; model="$5"; work="$6"
shift 6
source "$here/require_aarch64.sh"
require_cross_runtime "$facet_run"
require_qemu "$qemu" "$sysroot"
exec bash "$here/../e2e/run_fixture.sh" "$bin" "$model" "$work" \
  --run-with "$qemu" --run-with -L --run-with "$sysroot" \
  --run-with "$facet_run" "$@"
