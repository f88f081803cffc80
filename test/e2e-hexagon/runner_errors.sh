#!/usr/bin/env bash
# facet-run-hexagon on bad input: a usage error exits 2, a bad package or a
# bad request exits 1, each with one line saying what is wrong.
#
#   runner_errors.sh BIN_DIR RUNNER_ELF MODEL_DIR WORK_DIR
set -euo pipefail
bin="$1"; runner="$2"; model="$3"; work="$4"
qemu="${FACET_QEMU_HEXAGON:-qemu-hexagon}"
mkdir -p "$work"
"$bin/facet" compile "$model" --target hexagon --quant int8 --no-fuse \
  --max-context 16 -o "$work/h.facet" 2>"$work/compile.log" ||
  { cat "$work/compile.log"; exit 1; }
"$bin/facet" compile "$model" --max-context 16 -o "$work/host.facet" \
  2>>"$work/compile.log" || { cat "$work/compile.log"; exit 1; }
head -c 3000 "$work/h.facet" > "$work/truncated.facet"

failures=0
# expect STATUS TEXT ARGS...: the run exits STATUS and prints TEXT.
expect() {
  local status="$1" text="$2"; shift 2
  local got=0
  "$qemu" "$runner" "$@" >"$work/out.txt" 2>&1 || got=$?
  if [ "$got" -ne "$status" ] || ! grep -qF -- "$text" "$work/out.txt"; then
    echo "FAILED: facet-run-hexagon $* exited $got (want $status) with:"
    cat "$work/out.txt"
    echo "(want a line containing: $text)"
    failures=$((failures + 1))
  else
    echo "ok: $* -> $status: $(head -1 "$work/out.txt")"
  fi
}
expect 2 "no package given"
expect 2 "unknown option --temperature" "$work/h.facet" --temperature 1
expect 2 "no prompt: give --prompt-ids" "$work/h.facet"
expect 2 "--prompt-ids must be comma-separated" "$work/h.facet" --prompt-ids 2,x
expect 2 "--prompt-ids must be comma-separated" "$work/h.facet" --prompt-ids 2,,3
expect 2 "-n needs a non-negative count" "$work/h.facet" --prompt-ids 2 -n -1
expect 1 "error:" "$work/missing.facet" --prompt-ids 2
expect 1 "truncated" "$work/truncated.facet" --prompt-ids 2
expect 1 "this runner runs hexagon packages" "$work/host.facet" --prompt-ids 2
expect 1 "outside the vocabulary" "$work/h.facet" --prompt-ids 2,600 -n 1
expect 1 "do not fit the compiled context" "$work/h.facet" \
  --prompt-ids 2,3,4,5,6,7,8,9 -n 9
expect 1 "does not fit the compiled context" "$work/h.facet" \
  --prompt-ids 2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2 -n 0
[ "$failures" -eq 0 ]
