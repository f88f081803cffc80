# Quantization quality: how far --quant moves each model from float32
# weights, bounded. Teacher-forced against the float32 fixture itself (no
# --reference), so every row of prompt + greedy continuation is compared by
# top-1 agreement (the fraction of rows whose argmax is the fixture's) and
# mean KL(softmax(fixture) || softmax(facet)) in nats (compare_fixture
# --min-top1-agreement / --max-mean-kl; the absolute logit bound is off, as
# single logits legitimately move by whole units). Exactness of the quantized
# kernels is checked separately against the same-quantized transformers
# references (e2e/<model>/int8, int4-g32 in CMakeLists.txt); these tests catch
# a quantization scheme that is exact but needlessly lossy (scales, rounding,
# group layout, which tensors are quantized).
#
# Bounds are the measurement with a little headroom (one or two more top-1
# flips, about 20 % more KL), so that a change that makes quantization worse
# fails while kernel-level rounding differences between targets do not; the
# measured figures are beside each bound. They were measured by these tests
# themselves (`ctest --test-dir build -R quality -V`: compare_fixture prints
# top-1 agreement and mean KL) and match, to the digits shown, transformers
# with the same quantized weights (fixture.json "int8"/"int4_g32"). The
# int4 inputs stay float (--int4-activations f32) so that the weights alone
# are measured, on every x86 target alike; int4 with int8 inputs has its
# own quality tests (int8_activation_tests.cmake). On tiny-edge, whose
# logits are nearly flat, int8 inputs move top-1 agreement from 0.4375 to
# 0.4125 and mean KL from 2.68 to 2.71 (x86_64-avx2).

function(facet_quant_quality_test model scheme min_top1 max_kl)
  facet_e2e_test(${model}/quality-${scheme} ${model} --teacher-forced
    --compare --min-top1-agreement ${min_top1} --max-mean-kl ${max_kl}
    -- --quant ${scheme} --int4-activations f32)
endfunction()

# The trained model: the issue's criterion, int8 per-channel agrees on top-1
# at >= 99 % of positions (with 48 rows, at every one of them).
# Measured: int8 top-1 1.0000 (48/48 rows), mean KL 0.000063;
# int4-g32 top-1 0.9167 (44/48), mean KL 0.0131.
facet_quant_quality_test(facet-small int8 0.99 0.0001)
facet_quant_quality_test(facet-small int4-g32 0.89 0.016)

# The random-weight tiny models: their logits are nearly flat, so even int8
# flips top-1 at many rows (transformers itself, with the same quantized
# weights: fixture.json "int8"/"int4_g32" top1_disagreements_vs_float32_weights
# and mean_kl_vs_float32_weights), and the 99 % bound cannot hold for them;
# it is enforced on the trained model above. Here the bounds only keep each
# figure from getting worse. Measured top-1 agreement, mean KL:
#   tiny-edge   int8 0.9375 (75/80),  0.0196   int4-g32 0.4375 (35/80),  2.68
#   tiny-moe    int8 0.8875 (71/80),  0.147    int4-g32 0.5000 (40/80),  1.47
#   tiny-dense  int8 0.5481 (57/104), 0.563    int4-g32 0.1731 (18/104), 7.58
facet_quant_quality_test(tiny-edge int8 0.92 0.025)
facet_quant_quality_test(tiny-edge int4-g32 0.42 3.2)
facet_quant_quality_test(tiny-moe int8 0.87 0.18)
facet_quant_quality_test(tiny-moe int4-g32 0.48 1.8)
facet_quant_quality_test(tiny-dense int8 0.53 0.7)
facet_quant_quality_test(tiny-dense int4-g32 0.16 9.0)

# Quantization is deterministic for the symmetric int4 scheme too (the
# existing e2e/deterministic-package compiles int4-g32-asym): two compiles
# give byte-identical packages.
add_test(NAME e2e/deterministic-package-int4-g32
  COMMAND bash -c "set -e; \
    '${FACET_BIN}/facet' compile '${PROJECT_SOURCE_DIR}/models/tiny-moe' --quant int4-g32 -o '${FACET_E2E_WORK}/det-int4-g32-1.facet'; \
    '${FACET_BIN}/facet' compile '${PROJECT_SOURCE_DIR}/models/tiny-moe' --quant int4-g32 -o '${FACET_E2E_WORK}/det-int4-g32-2.facet'; \
    cmp '${FACET_E2E_WORK}/det-int4-g32-1.facet' '${FACET_E2E_WORK}/det-int4-g32-2.facet'")
set_tests_properties(e2e/deterministic-package-int4-g32 PROPERTIES
  LABELS e2e TIMEOUT 300)
