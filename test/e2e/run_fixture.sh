#!/usr/bin/env bash
# End-to-end exactness on one tiny model: `facet compile` it, run the fixture
# prompt through `facet run` (greedy, 32 tokens, logits of every position
# dumped) and compare with the transformers fixture.
#
#   run_fixture.sh BIN_DIR MODEL_DIR WORK_DIR [--target T] [--teacher-forced]
#                  [--run-with WORD]... [--compare COMPARE ARGS...]
#                  [-- COMPILE ARGS...]
#
# --teacher-forced feeds prompt + the fixture's greedy continuation as one
# prompt (-n 0), so every fixture row is compared even where a lossy compile
# (bf16 weights) would pick a different token on a near-tie; it compiles with
# --all-logits. Otherwise the package computes the prompt's last logits only
# (the default, see --facet-schedule-kv) unless the compile arguments say
# --all-logits, and the comparison starts there.
# --run-with words, in order, make the command that runs the package instead
# of `BIN_DIR/facet run` (e.g. qemu-aarch64 -L SYSROOT .../facet-run for a
# cross-compiled target: test/e2e-aarch64).
# Exit 77 (ctest: skipped) when this machine cannot run the target and no
# --run-with command is given.
set -euo pipefail
bin="$1"; model="$2"; work="$3"; shift 3
target=host
teacher=()
runner=()
compare_args=()
compile_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="$2"; shift 2 ;;
    --run-with) runner+=("$2"); shift 2 ;;
    --teacher-forced) teacher=(--teacher-forced); shift ;;
    --compare) shift
      while [ $# -gt 0 ] && [ "$1" != "--" ]; do compare_args+=("$1"); shift; done ;;
    --) shift; compile_args+=("$@"); break ;;
    *) echo "run_fixture.sh: unexpected argument $1" >&2; exit 2 ;;
  esac
done

# A --run-with command (an emulator) runs what this CPU cannot.
if [ ${#runner[@]} -eq 0 ]; then
  if "$bin/facet" compile --list-targets | grep -Eq "^$target +cannot run here"; then
    echo "SKIPPED: this machine cannot run target $target"
    "$bin/facet" compile --list-targets
    exit 77
  fi
  runner=("$bin/facet" run)
fi

if [ ${#teacher[@]} -gt 0 ]; then
  compile_args+=(--all-logits)
fi
all_logits=no
for arg in ${compile_args[@]+"${compile_args[@]}"}; do
  if [ "$arg" = --all-logits ]; then all_logits=yes; fi
done
if [ $all_logits = no ]; then
  compare_args+=(--last-prompt-row)
fi

mkdir -p "$work"
rm -f "$work/model.facet" "$work/logits.f32"
"$bin/facet" compile "$model" --target "$target" -o "$work/model.facet" \
  ${compile_args[@]+"${compile_args[@]}"}
prompt="$("$bin/compare_fixture" --fixture "$model" --print-prompt ${teacher[@]+"${teacher[@]}"})"
if [ ${#teacher[@]} -gt 0 ]; then
  "${runner[@]}" "$work/model.facet" --prompt-ids "$prompt" -n 0 \
    --dump-logits "$work/logits.f32"
  "$bin/compare_fixture" --fixture "$model" --logits "$work/logits.f32" \
    ${compare_args[@]+"${compare_args[@]}"}
else
  tokens="$("${runner[@]}" "$work/model.facet" --prompt-ids "$prompt" -n 32 \
            --greedy --dump-logits "$work/logits.f32")"
  echo "generated: $tokens"
  "$bin/compare_fixture" --fixture "$model" --logits "$work/logits.f32" \
    --tokens "$tokens" ${compare_args[@]+"${compare_args[@]}"}
fi
