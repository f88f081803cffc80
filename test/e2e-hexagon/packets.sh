#!/usr/bin/env bash
# The packet-count report (tools/hexagon-packets) on MODEL compiled for
# hexagon-v66-hvx128 with --no-fuse, so that every projection is a kernel of
# its own and gets its MACs per packet. Fails if the runner or the trace
# fails, or if no projection kernel is found.
#
#   packets.sh BIN_DIR RUNNER_ELF MODEL_DIR WORK_DIR
set -euo pipefail
bin="$1"; runner="$2"; model="$3"; work="$4"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$work"
"$bin/facet" compile "$model" --target hexagon-v66-hvx128 --quant int8 \
  --max-context 64 --prefill-chunk 8 --no-fuse -o "$work/no-fuse.facet" \
  2>"$work/compile.log" || { cat "$work/compile.log"; exit 1; }
python3 "$here/../../tools/hexagon-packets" "$work/no-fuse.facet" \
  --runner "$runner" --qemu "${FACET_QEMU_HEXAGON:-qemu-hexagon}" \
  --json "$work/packets.json" | tee "$work/packets.txt"
grep -q "^int8 kernels: " "$work/packets.txt" ||
  { echo "FAILED: no projection kernel in the report"; exit 1; }
