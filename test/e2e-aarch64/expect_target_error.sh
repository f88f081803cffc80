#!/usr/bin/env bash
# Compiles a tiny model for one target and checks that running the package
# where that target cannot run fails cleanly: exit status 1 and one
# `facet-run: error: <package>: <message>` line whose message matches.
#
#   expect_target_error.sh BIN_DIR MODEL_DIR WORK_DIR TARGET PATTERN
#       [--needs-qemu QEMU SYSROOT] [--needs-cross-runtime FACET_RUN]
#       -- RUN COMMAND...
#
# PATTERN is an extended regular expression for the message; RUN COMMAND
# gets the package and a short prompt appended. Exit 77 (ctest: skipped)
# when a precondition is missing (see require_aarch64.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/require_aarch64.sh"
bin="$1"; model="$2"; work="$3"; target="$4"; pattern="$5"; shift 5
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  case "$1" in
    --needs-qemu) require_qemu "$2" "$3"; shift 3 ;;
    --needs-cross-runtime) require_cross_runtime "$2"; shift 2 ;;
    *) echo "expect_target_error.sh: unexpected argument $1" >&2; exit 2 ;;
  esac
done
[ "${1:-}" = "--" ] && shift
if [ $# -eq 0 ]; then
  echo "expect_target_error.sh: no run command after --" >&2
  exit 2
fi
case "$target" in aarch64*) require_cross_linker ;; esac

mkdir -p "$work"
package="$work/model.facet"
rm -f "$package"
"$bin/facet" compile "$model" --target "$target" -o "$package"

set +e
"$@" "$package" --prompt-ids 2,3 -n 1 >"$work/stdout" 2>"$work/stderr"
status=$?
set -e
echo "exit status $status; stderr:"
cat "$work/stderr"
if [ "$status" -ne 1 ]; then
  echo "FAILED: expected exit status 1 (a runtime error)" >&2
  exit 1
fi
if ! grep -Eq "^facet-run: error: $package: $pattern\$" "$work/stderr"; then
  echo "FAILED: expected 'facet-run: error: $package: <$pattern>'" >&2
  exit 1
fi
if [ "$(wc -l <"$work/stderr")" -ne 1 ]; then
  echo "FAILED: expected exactly one line on stderr" >&2
  exit 1
fi
echo "PASSED"
