#!/usr/bin/env bash
# One step of the CUDA target's tests (test/cuda/CMakeLists.txt):
#
#   cuda_test.sh STEP BIN_DIR MODEL_DIR WORK_DIR SHIM_HEADER [ARGS...]
#
#   compile       facet compile MODEL --target cuda-sm90 [ARGS] into WORK
#                 (package, kernels.cu, ptxas.log, kernels.fatbin)
#   no-spills     ptxas reported 0 bytes of spill stores and loads for every
#                 kernel on every architecture
#   fatbin-archs  the package's fatbin holds sm_90a and sm_80 cubins and
#                 compute_90 PTX, nothing else
#   host-run      kernels.cu built as host C++ and run through the runtime's
#                 executor against the transformers fixture (ARGS:
#                 --teacher-forced --reference NAME for quantized fixtures,
#                 --rel-tolerance X instead of 1e-4)
#   gpu-run       the same on a GPU through facet run --device cuda
#                 (skipped without a driver or GPU)
#   no-driver     facet-run --device cuda with no loadable driver: exit 1
#                 and the "no CUDA driver" error
#
# Exit 77 (ctest: skipped) when the machine lacks what the step needs.
set -euo pipefail
step="$1"; bin="$2"; model="$3"; work="$4"; shim="$5"; shift 5

nvcc="$(command -v nvcc || true)"
for candidate in "${CUDA_HOME:-}/bin/nvcc" /usr/local/cuda/bin/nvcc; do
  if [ -z "$nvcc" ] && [ -x "$candidate" ]; then nvcc="$candidate"; fi
done
if [ -z "$nvcc" ]; then
  echo "SKIPPED: no nvcc (CUDA toolkit) on the PATH, in \$CUDA_HOME/bin or" \
       "/usr/local/cuda/bin: the CUDA target's tests need it"
  exit 77
fi

need() {
  if [ ! -e "$work/$1" ]; then
    echo "FAIL: $work/$1 is missing: the compile step of this fixture failed"
    exit 1
  fi
}

case "$step" in
compile)
  rm -rf "$work"
  mkdir -p "$work"
  "$bin/facet" compile "$model" --target cuda-sm90 -o "$work/model.facet" \
    --keep-temporaries "$@" 2>&1 | tee "$work/compile.log"
  kept="$(sed -n 's/^compile: kept //p' "$work/compile.log")"
  cp "$kept/kernels.cu" "$kept/ptxas.log" "$kept/kernels.fatbin" "$work/"
  rm -rf "$kept"
  ;;
no-spills)
  need ptxas.log
  entries=$(grep -c "Compiling entry function" "$work/ptxas.log" || true)
  reports=$(grep -c "bytes spill stores" "$work/ptxas.log" || true)
  echo "ptxas: $entries kernel compilations, $reports spill reports"
  if [ "$entries" -eq 0 ] || [ "$reports" -lt "$entries" ]; then
    echo "FAIL: ptxas -v reported no kernels or too few spill lines"
    exit 1
  fi
  if grep -E "[1-9][0-9]* bytes spill (stores|loads)" "$work/ptxas.log"; then
    echo "FAIL: ptxas spilled registers (lines above)"
    exit 1
  fi
  grep -E "Used [0-9]+ registers" "$work/ptxas.log" | sort | uniq -c | sort -rn | head -3
  ;;
fatbin-archs)
  need model.facet
  got="$("$bin/facet-cuda-host-run" "$work/model.facet" --list-fatbin | sort | tr '\n' ' ')"
  echo "fatbin: $got"
  if [ "$got" != "elf sm_80 elf sm_90a ptx sm_90 " ]; then
    echo "FAIL: expected 'elf sm_80 elf sm_90a ptx sm_90'"
    exit 1
  fi
  cuobjdump="$(command -v cuobjdump || true)"
  [ -z "$cuobjdump" ] && [ -x "$(dirname "$nvcc")/cuobjdump" ] && cuobjdump="$(dirname "$nvcc")/cuobjdump"
  if [ -n "$cuobjdump" ]; then
    listing="$("$cuobjdump" --list-elf --list-ptx "$work/kernels.fatbin")"
    echo "$listing"
    for arch in sm_90a sm_80; do
      echo "$listing" | grep -q "ELF file.*$arch" || { echo "FAIL: cuobjdump: no $arch cubin"; exit 1; }
    done
    echo "$listing" | grep -q "PTX file.*sm_90" || { echo "FAIL: cuobjdump: no sm_90 PTX"; exit 1; }
  else
    echo "(no cuobjdump here: checked the fatbin headers only)"
  fi
  ;;
host-run|gpu-run)
  need model.facet
  teacher=()
  tolerance=1e-4
  compare=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --teacher-forced) teacher=(--teacher-forced); shift ;;
      --reference) compare+=(--reference "$2" --top1); shift 2 ;;
      --rel-tolerance) tolerance="$2"; shift 2 ;;
      *) echo "cuda_test.sh: unexpected argument $1" >&2; exit 2 ;;
    esac
  done
  compare+=(--rel-tolerance "$tolerance")
  prompt="$("$bin/compare_fixture" --fixture "$model" --print-prompt ${teacher[@]+"${teacher[@]}"})"
  generate=32
  if [ ${#teacher[@]} -gt 0 ]; then generate=0; else compare+=(--last-prompt-row); fi
  rm -f "$work/logits-$step.f32"
  if [ "$step" = host-run ]; then
    cxx="${CXX:-c++}"
    "$cxx" -std=c++17 -O1 -shared -fPIC -include "$shim" -x c++ \
      "$work/kernels.cu" -o "$work/kernels-host.so"
    tokens="$("$bin/facet-cuda-host-run" "$work/model.facet" "$work/kernels-host.so" \
      --prompt-ids "$prompt" -n $generate --dump-logits "$work/logits-$step.f32")"
  else
    set +e
    tokens="$("$bin/facet" run "$work/model.facet" --device cuda --prompt-ids "$prompt" \
      -n $generate --greedy --dump-logits "$work/logits-$step.f32" 2>"$work/gpu-run.err")"
    rc=$?
    set -e
    if [ $rc -ne 0 ]; then
      cat "$work/gpu-run.err"
      if grep -Eq "no CUDA driver|sees no GPU" "$work/gpu-run.err"; then
        echo "SKIPPED: no NVIDIA GPU/driver on this machine (this test runs on a GPU)"
        exit 77
      fi
      exit 1
    fi
  fi
  if [ $generate -gt 0 ]; then
    echo "generated: $tokens"
    compare+=(--tokens "$tokens")
  fi
  "$bin/compare_fixture" --fixture "$model" --logits "$work/logits-$step.f32" "${compare[@]}"
  ;;
no-driver)
  need model.facet
  set +e
  FACET_CUDA_DRIVER=libcuda-facet-absent.so.1 "$bin/facet-run" --device cuda \
    "$work/model.facet" --prompt-ids 2 -n 1 2>"$work/no-driver.err"
  rc=$?
  set -e
  cat "$work/no-driver.err"
  if [ $rc -ne 1 ]; then echo "FAIL: exit status $rc, expected 1"; exit 1; fi
  grep -q "^facet-run: error: --device cuda: no CUDA driver (libcuda-facet-absent.so.1 not found): " \
    "$work/no-driver.err" || { echo "FAIL: not the no-driver error"; exit 1; }
  ;;
*)
  echo "cuda_test.sh: unknown step $step" >&2
  exit 2
  ;;
esac
