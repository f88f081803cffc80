#!/usr/bin/env bash
# The greedy tokens of an aarch64 package, run by the cross-built facet-run
# under qemu-aarch64, must equal those of the same model compiled with the
# same arguments for this (x86) host and run by `facet run`.
#
#   greedy_matches_host.sh BIN_DIR QEMU SYSROOT AARCH64_FACET_RUN MODEL_DIR
#                          WORK_DIR TARGET [COMPILE ARGS...]
#
# Used where the fixture has no greedy continuation to compare with: a
# quantized compile (--quant) follows its own greedy path, which the float32
# fixture's greedy_ids do not describe, and the quantized references
# (fixture.json "int8", "int4_g32") hold teacher-forced logits only. The host
# side of the comparison is itself held to those references by the x86 e2e
# tests (test/e2e/CMakeLists.txt), so equal tokens carry that check over to
# the aarch64 kernels along a path they choose themselves. Exit 77 (ctest:
# skipped) without qemu-aarch64 or the aarch64 cross toolchain.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$1"; qemu="$2"; sysroot="$3"; facet_run="$4"; model="$5"; work="$6"
target="$7"
shift 7
source "$here/require_aarch64.sh"
require_cross_runtime "$facet_run"
require_qemu "$qemu" "$sysroot"
require_cross_linker

mkdir -p "$work"
rm -f "$work/host.facet" "$work/target.facet"
prompt="$("$bin/compare_fixture" --fixture "$model" --print-prompt)"
"$bin/facet" compile "$model" -o "$work/host.facet" "$@"
"$bin/facet" compile "$model" --target "$target" -o "$work/target.facet" "$@"
host_tokens="$("$bin/facet" run "$work/host.facet" --prompt-ids "$prompt" \
               -n 32 --greedy)"
target_tokens="$("$qemu" -L "$sysroot" "$facet_run" "$work/target.facet" \
                 --prompt-ids "$prompt" -n 32 --greedy)"
echo "host:"
echo "  $host_tokens"
echo "$target under qemu-aarch64:"
echo "  $target_tokens"
if [ -z "$host_tokens" ]; then
  echo "FAILED: the host run generated no tokens" >&2
  exit 1
fi
if [ "$host_tokens" != "$target_tokens" ]; then
  echo "FAILED: the greedy tokens differ" >&2
  exit 1
fi
echo "PASSED: 32 greedy tokens identical"
