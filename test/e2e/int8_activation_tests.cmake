# int8 activations (--quant int8 --int8-activations): projections quantize
# each input row to int8 at run time and accumulate in int32.

# The instructions the path exists for, in the generated code: AVX512-VNNI
# vpdpbusd and ARM dotprod sdot (compiled only, so checked on any machine).
# x86_64-avx512-vnni must also stay clear of AVX512-FP16 and VEX-encoded
# AVX-VNNI, which LLVM's sapphirerapids CPU has and Zen 4/5 lack
# (codegen/halide/CpuRetarget.h).
set(fp16_or_avxvnni
  "vmovw|vmovsh|v(add|sub|mul|div|min|max|sqrt|fn?madd[0-9]*|fn?msub[0-9]*)[ps]h|\\{vex\\}")
foreach(check "x86_64-avx512-vnni;objdump;vpdpbusd;${fp16_or_avxvnni}"
              "aarch64-dotprod;aarch64-linux-gnu-objdump;sdot;")
  list(GET check 0 target)
  list(GET check 1 objdump)
  list(GET check 2 instruction)
  list(GET check 3 forbidden)
  add_test(NAME e2e/int8-activations/${instruction}
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/int8_dot_instructions.sh
            ${FACET_BIN} ${PROJECT_SOURCE_DIR}/models/tiny-edge
            ${FACET_E2E_WORK}/int8-activations-${instruction} ${target}
            ${objdump} ${instruction} "${forbidden}")
  set_tests_properties(e2e/int8-activations/${instruction} PROPERTIES
    LABELS e2e TIMEOUT 600 SKIP_RETURN_CODE 77)
endforeach()

# Accuracy on the trained model against the float32 fixture, teacher-forced
# (48 rows). Measured on x86_64-avx512: int8 weights alone 0.0086 of
# max|logit| and no top-1 change; with int8 activations (the LM head's too)
# 0.0172 and 1 of 48 top-1 changes. Bound: 0.03 of max|logit|.
facet_e2e_test(facet-small/int8-activations facet-small --teacher-forced
  --compare --rel-tolerance 0.03 -- --quant int8 --int8-activations)

# int4 x int8 dot products on AVX2 (no VNNI): the same tiles of depth 4,
# read as 16-bit words whose nibbles are i16 lanes, summed by vpmaddwd
# pairs. Compiled only, so checked on any machine; the quality tests below
# run it. The byte form of the same tiles used vpmaddwd too; what only the
# word form has is the shift of a word's top nibble, by 12.
add_test(NAME e2e/int4-activations/vpmaddwd
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/int8_dot_instructions.sh
          ${FACET_BIN} ${PROJECT_SOURCE_DIR}/models/tiny-edge
          ${FACET_E2E_WORK}/int4-activations-vpmaddwd x86_64-avx2
          objdump "vpmaddwd,vpsrlw +[$]0xc" ""
          --quant int4-g32 --int4-activations int8)
set_tests_properties(e2e/int4-activations/vpmaddwd PROPERTIES
  LABELS e2e TIMEOUT 600 SKIP_RETURN_CODE 77)

# int4 weights with int8 activations per group (tiles of depth 4;
# RowTiledDotEmitter.cpp; the default on x86_64-avx2 and
# x86_64-avx512-vnni, where it is vpdpbusd) on the trained model, against
# the float32 fixture, and the same with float activations (the default
# elsewhere), on every machine that runs the target (skipped, 77, where
# the CPU lacks it). Measured on x86_64-avx512-vnni: int8 top-1 0.9167
# (44/48), mean KL 0.0133; f32 0.9167, 0.0131.
foreach(target x86_64-avx2 x86_64-avx512-vnni)
  foreach(activations int8 f32)
    facet_e2e_test(facet-small/int4-g32-${activations}-activations/${target}
      facet-small --target ${target} --teacher-forced --compare
      --min-top1-agreement 0.89 --max-mean-kl 0.016
      -- --quant int4-g32 --int4-activations ${activations})
  endforeach()
endforeach()
