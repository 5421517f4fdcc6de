/*
 * blas.c - `--blas openblas`: large GEMMs with a constant B call OpenBLAS.
 *
 * mlegen's own packed GEMM is the default everywhere. With --blas openblas,
 * MatMul/Gemm nodes whose B is a constant and whose product is large enough
 * for a library call to pay off call cblas_sgemm on B stored row-major (scaled
 * by alpha, transposed at compile time if transB), then apply the node's
 * epilogue (bias, residual, activation) in one pass over Y. The generated
 * file then includes <cblas.h> and must be linked with -lopenblas;
 * `mlegen check` adds that. Small products stay on the packed kernels: a
 * library call costs a few microseconds of dispatch, and batch-1 layers are
 * GEMVs the packed kernel streams at memory speed.
 */
#include "ops.h"

#include <stdlib.h>

/* M >= 16 rows and 2^21 multiply-adds (e.g. 128^3): measured on the bench's
   512^3 GEMM, below that the call overhead is a visible share. */
bool blas_wants(Emit *e, int64_t m, int64_t k, int64_t n) {
    return emit_options(e)->blas && m >= 16 && m * k * n >= ((int64_t)1 << 21);
}

int emit_gemm_blas(Emit *e, Node *n, Tensor *x, int64_t m, int64_t k, int64_t nn, const float *bw,
                   bool tb, float alpha, const float *bias) {
    /* B as a row-major K x N matrix with alpha folded in. */
    float *b = malloc((size_t)(k * nn) * sizeof(float));
    if (!b) return -1;
    for (int64_t i = 0; i < k; i++)
        for (int64_t j = 0; j < nn; j++)
            b[i * nn + j] = alpha * (tb ? bw[j * k + i] : bw[i * nn + j]);
    const char *wexpr = emit_const_array(e, DT_FLOAT, b, k * nn, "B, row-major for cblas_sgemm");
    free(b);
    const char *bexpr = bias ? emit_const_array(e, DT_FLOAT, bias, nn, "bias") : "0";
    Kernel *kr = kernel_begin(e, "gemm_blas");
    kernel_int(kr, "M", m);
    kernel_int(kr, "N", nn);
    kernel_int(kr, "K", k);
    kernel_int(kr, "HAS_BIAS", bias != NULL);
    kernel_epilogue(kr, &n->epi);
    emit_uses_blas(e);
    emit_gemm_call(e, n, kernel_end(e, kr), x, wexpr, bexpr);
    return 0;
}
