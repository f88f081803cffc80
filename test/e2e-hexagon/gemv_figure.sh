#!/usr/bin/env bash
# The issue's cost figure for the int8 GEMV on Hexagon: a 2-layer model with
# Gemma 4 E2B's widths (hidden 1536, MLP 6144, 8 heads of 256 / 512, vocab
# cut to 4096, no PLE; e2b-widths/config.json) with generated weights,
# compiled for hexagon-v66-hvx128 with --no-fuse so every projection is a
# kernel of its own, traced under qemu-hexagon by tools/hexagon-packets for
# one decode step. Fails unless the projection kernels together reach
# MIN int8 MACs per executed packet. Packet counts are deterministic: this
# is a cost figure, not a timing.
#
#   gemv_figure.sh BIN_DIR RUNNER_ELF WORK_DIR MIN
set -euo pipefail
bin="$1"; runner="$2"; work="$3"; min="$4"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
mkdir -p "$work"
FACET="$bin/facet" python3 "$root/tools/make-synthetic-checkpoint" \
  "$here/e2b-widths" "$work/checkpoint" >"$work/checkpoint.log" 2>&1 ||
  { cat "$work/checkpoint.log"; exit 1; }
"$bin/facet" compile "$work/checkpoint" --target hexagon-v66-hvx128 \
  --quant int8 --max-context 16 --prefill-chunk 1 --no-fuse \
  -o "$work/e2b-widths.facet" 2>"$work/compile.log" ||
  { cat "$work/compile.log"; exit 1; }
python3 "$root/tools/hexagon-packets" "$work/e2b-widths.facet" \
  --runner "$runner" --qemu "${FACET_QEMU_HEXAGON:-qemu-hexagon}" \
  --prompt-ids 2 --steps 1 --json "$work/packets.json" \
  --min-macs-per-packet "$min" | tee "$work/packets.txt"
