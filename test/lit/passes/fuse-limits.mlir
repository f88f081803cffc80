// RUN: facet-opt %s --facet-outline-kernels '--facet-fuse=max-ops=2' | FileCheck %s --check-prefix=OPS
// RUN: facet-opt %s --facet-outline-kernels --facet-fuse | FileCheck %s --check-prefix=ALL
// RUN: facet-opt %s --facet-outline-kernels '--facet-fuse=max-args=9' | FileCheck %s --check-prefix=ARGS
// RUN: not facet-opt %s --facet-outline-kernels '--facet-fuse=max-args=300' 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: facet import %models/gemma4-e2b -o - --quiet | facet-opt --facet-quantize=scheme=int4-g32 --facet-schedule-kv=max-context=4096 --facet-outline-kernels --facet-fuse | grep -c "facet.kernel \"prefill" | FileCheck %s --check-prefix=E2B

// Fusion stops where a kernel would get too large. Unlimited, the norm and
// both projections are one kernel. max-ops=2: the norm and q fill it.
// max-args=9: norm and q take 9 (x, norm, wq; h and q out; the 4 scalars
// counted for every kernel), adding k would take 10.
// OPS:      facet.kernel "decode.0.rms_norm"
// OPS:        facet.rms_norm
// OPS-NEXT:   facet.linear
// OPS-NEXT:   facet.yield
// OPS:      facet.kernel "decode.2.linear"
// ARGS:      facet.kernel "decode.0.rms_norm"
// ARGS:        facet.rms_norm
// ARGS-NEXT:   facet.linear
// ARGS-NEXT:   facet.yield
// ARGS:      facet.kernel "decode.2.linear"
// ALL:      facet.kernel "decode.0.rms_norm"
// ALL:        facet.rms_norm
// ALL-NEXT:   facet.linear
// ALL-NEXT:   facet.linear
// ALL-NEXT:   facet.yield
// BAD: error: facet-fuse: max-args must be in 8..256 (the package's limit) and max-ops at least 1, got max-args=300 max-ops=160

// E2B's prefill runs its 20 KV-shared layers after the last cache write,
// with no kv_store between them: without the limits they became one kernel
// of 437 arguments with int4-g32 (the package allows 256), 44 prefill
// kernels in all. With them the tail is 5 kernels: 48.
// E2B: 48

facet.param @norm : tensor<16xf32> class "norm"
facet.param @wq : tensor<16x16xf32> class "attention"
facet.param @wk : tensor<8x16xf32> class "attention"
facet.kv_cache @kv.layer0 sliding window 8 heads 1 x 8 layer 0

func.func @decode(%x: tensor<1x16xf32>, %pos: tensor<1xi32>) -> (tensor<1x16xf32>, tensor<1x8xf32>) {
  %n = facet.weight @norm : tensor<16xf32>
  %h = facet.rms_norm %x, %n eps 1.0e-6 : tensor<1x16xf32>, tensor<16xf32>
  %wq = facet.weight @wq : tensor<16x16xf32>
  %q = facet.linear %h, %wq : tensor<1x16xf32>, tensor<16x16xf32> -> tensor<1x16xf32>
  %wk = facet.weight @wk : tensor<8x16xf32>
  %k = facet.linear %h, %wk : tensor<1x16xf32>, tensor<8x16xf32> -> tensor<1x8xf32>
  return %q, %k : tensor<1x16xf32>, tensor<1x8xf32>
}
