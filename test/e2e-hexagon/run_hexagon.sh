#!/usr/bin/env bash
# One tiny model on the Hexagon target, end to end under qemu-hexagon, against
# the host CPU build of the same int8 quantization (int8 weights per output
# row, int8 activations):
#   1. facet compile MODEL --target hexagon-v66-hvx128 --quant int8, keeping
#      the kernel library: its disassembly must contain HVX `vrmpy`, and its
#      ELF flags (the Hexagon CPU version) must be <= 0x67, which is what
#      QEMU 7.2 loads;
#   2. facet compile MODEL --target host --quant int8 --int8-activations;
#   3. both run the same prompt ids and generate N greedy tokens, dumping the
#      logits: facet-run on the host, facet-run-hexagon under qemu-hexagon;
#   4. the generated ids must be identical and every logit within
#      BOUND x max|host logit| of the host's (compare_logits.py).
#
#   run_hexagon.sh BIN_DIR RUNNER_ELF MODEL_DIR WORK_DIR BOUND [-- FLAGS...]
#
# FLAGS go to both compiles (e.g. --no-fuse).
set -euo pipefail
bin="$1"; runner="$2"; model="$3"; work="$4"; bound="$5"; n=16
shift 5
[ "${1:-}" = "--" ] && shift
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
qemu="${FACET_QEMU_HEXAGON:-qemu-hexagon}"
objdump="${FACET_LLVM_OBJDUMP:-llvm-objdump-19}"
readelf="${FACET_LLVM_READELF:-llvm-readelf-19}"
# Longer than the tiny models' sliding windows (8 and 16), so the rings wrap,
# and longer than the prefill chunk (8), so the prefill runs in 3 calls.
ids="2,17,99,4,250,31,7,88,120,5,61,300,42,9,77,13,200,3,150,64,11,23"
compile_flags=(--quant int8 --max-context 64 --prefill-chunk 8 "$@")

mkdir -p "$work"
log="$work/compile-hexagon.log"
"$bin/facet" compile "$model" --target hexagon-v66-hvx128 "${compile_flags[@]}" \
  --keep-temporaries -o "$work/hexagon.facet" 2>"$log" || { cat "$log"; exit 1; }
kept="$(sed -n 's/^compile: kept //p' "$log")"
trap 'rm -rf "$kept"' EXIT

vrmpy="$("$objdump" -d --mattr=+hvxv66,+hvx-length128b "$kept/kernels.so" |
  grep -cw vrmpy || true)"
echo "hexagon kernel library: $vrmpy x vrmpy"
[ "$vrmpy" -gt 0 ] || { echo "FAILED: no vrmpy in the Hexagon kernels"; exit 1; }
for elf in "$kept/kernels.so" "$runner"; do
  flags="$("$readelf" -h "$elf" | sed -n 's/^ *Flags: *//p')"
  echo "$(basename "$elf"): ELF flags $flags"
  if [ $((flags)) -gt $((0x67)) ]; then
    echo "FAILED: $elf is for a Hexagon CPU later than v67 (QEMU 7.2 loads v67 at most)"
    exit 1
  fi
done

"$bin/facet" compile "$model" --target host --int8-activations \
  "${compile_flags[@]}" -o "$work/host.facet" 2>"$work/compile-host.log" ||
  { cat "$work/compile-host.log"; exit 1; }

"$bin/facet-run" "$work/host.facet" --prompt-ids "$ids" -n "$n" --greedy \
  --dump-logits "$work/host.logits" > "$work/host.ids"
"$qemu" "$runner" "$work/hexagon.facet" --prompt-ids "$ids" -n "$n" --greedy \
  --dump-logits "$work/hexagon.logits" > "$work/hexagon.ids"

echo "host:    $(cat "$work/host.ids")"
echo "hexagon: $(cat "$work/hexagon.ids")"
if ! cmp -s "$work/host.ids" "$work/hexagon.ids"; then
  echo "FAILED: the greedy tokens differ"
  exit 1
fi
python3 "$here/compare_logits.py" "$work/host.logits" "$work/hexagon.logits" \
  --bound "$bound"
