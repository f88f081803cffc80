# Narrow KV caches (facet compile --kv-dtype): each tiny model with bf16, f16
# and int8 caches against the float32 transformers fixture, teacher-forced
# so that every row is compared. Weights and compute stay f32; only the
# stored keys and values are rounded (bf16, f16) or quantized (int8, one
# scale per entry and KV head), so each bound is the error the cache dtype
# alone causes, measured with this build on x86_64 (host target), plus
# about 25% headroom. Included from CMakeLists.txt (uses facet_e2e_test).
#
# Measured max |logit - fixture| / max |fixture logit|, and rows whose
# top-1 token differs from the fixture (80 rows for tiny-edge and tiny-moe,
# 104 for tiny-dense); f32 caches: 3.3e-6, 4.0e-6, 2.1e-5, no top-1 change:
#                bf16            f16             int8
#   tiny-edge    0.0123,  0      0.00188, 0      0.0589, 0
#   tiny-moe     0.355,   0      0.402,   0      0.580,  4
#   tiny-dense   0.0770,  6      0.0129,  0      0.287, 10
# These random-weight models amplify small perturbations (bf16 weights
# alone move top-1 at 4/80 and 20/104 rows of tiny-moe/tiny-dense, see
# CMakeLists.txt), and tiny-moe's routing turns a perturbation into a jump
# when an expert choice flips, hence its bf16/int8 figures; with f16 it was
# 0.00212 until attention summed each score in 16 interleaved lanes (about
# 1e-7 relative), which flips one expert choice at one row. The f16 runs
# and tiny-edge, which change no top-1, also require top-1 at every row.

function(facet_kv_dtype_test model dtype tolerance)
  facet_e2e_test(${model}/kv-${dtype} ${model} --teacher-forced
    --compare --rel-tolerance ${tolerance} ${ARGN} -- --kv-dtype ${dtype})
endfunction()

facet_kv_dtype_test(tiny-edge bf16 0.016 --top1)
facet_kv_dtype_test(tiny-edge f16 0.0025 --top1)
facet_kv_dtype_test(tiny-edge int8 0.075 --top1)

facet_kv_dtype_test(tiny-moe bf16 0.45)
facet_kv_dtype_test(tiny-moe f16 0.5 --top1)
facet_kv_dtype_test(tiny-moe int8 0.72)

facet_kv_dtype_test(tiny-dense bf16 0.09)
facet_kv_dtype_test(tiny-dense f16 0.016 --top1)
facet_kv_dtype_test(tiny-dense int8 0.36)
