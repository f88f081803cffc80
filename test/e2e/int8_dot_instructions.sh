#!/usr/bin/env bash
# The int8-activation path really uses the target's int8 dot product:
# compile a model with --quant int8 --int8-activations (or the compile
# options given after FORBIDDEN) for TARGET, keep the kernel library,
# disassemble it and require INSTRUCTION: one or more extended regular
# expressions, separated by commas, each of which must match an instruction
# of the kernel library. The code only has to be generated, not run, so a
# target this CPU lacks is checked too.
#
#   int8_dot_instructions.sh BIN_DIR MODEL_DIR WORK_DIR TARGET OBJDUMP INSTRUCTION [FORBIDDEN [COMPILE_OPTION...]]
#
# FORBIDDEN, an extended regular expression, names instructions that must
# not appear (for x86_64-avx512-vnni: AVX512-FP16 and VEX-encoded AVX-VNNI,
# which the CPUs the target promises to run on, Zen 4/5, lack).
#
# Exit 77 (ctest: skipped) when OBJDUMP is not installed.
set -euo pipefail
bin="$1"; model="$2"; work="$3"; target="$4"; objdump="$5"; instruction="$6"
forbidden="${7:-}"
shift $(( $# < 7 ? $# : 7 ))
options=("$@")
[ ${#options[@]} -gt 0 ] || options=(--quant int8 --int8-activations)
if ! command -v "$objdump" >/dev/null; then
  echo "SKIPPED: $objdump is not installed"
  exit 77
fi
mkdir -p "$work"
log="$work/compile.log"
"$bin/facet" compile "$model" --target "$target" "${options[@]}" \
  --keep-temporaries -o "$work/model.facet" 2>"$log" ||
  { cat "$log"; exit 1; }
kept="$(sed -n 's/^compile: kept //p' "$log")"
trap 'rm -rf "$kept"' EXIT
"$objdump" -d "$kept/kernels.so" >"$work/kernels.s"
IFS=',' read -ra required <<<"$instruction"
for pattern in "${required[@]}"; do
  count="$(grep -cwE "$pattern" "$work/kernels.s" || true)"
  echo "$target: $count x '$pattern' in the kernel library"
  if [ "$count" -eq 0 ]; then
    echo "FAILED: no '$pattern' in the int8-activation kernels for $target"
    exit 1
  fi
done
if [ -n "$forbidden" ] && grep -Ew "$forbidden" "$work/kernels.s" | head -5 | grep .; then
  echo "FAILED: the kernels for $target use instructions matching '$forbidden'"
  exit 1
fi
