m4_divert(-1)
# gemm_blas.m4 - Y[M, N] = X[M, K] * W[K, N] by OpenBLAS (--blas openblas),
# then the epilogue (bias, residual, activation) in one pass over Y. W is the
# constant B, row-major, alpha already folded in at compile time.
# Parameters: M N K HAS_BIAS ACT ACT_ALPHA ACT_BETA HAS_RESIDUAL
m4_need(`M')m4_need(`N')m4_need(`K')
m4_define(`HAS_EPILOGUE', m4_ifelse(HAS_BIAS`'HAS_RESIDUAL`'ACT, `00none', 0, 1))
m4_divert(0)m4_dnl
static void KNAME`'(const float *x, const float *w, const float *bias, const float *res, float *y)
{
m4_ifelse(HAS_EPILOGUE, 1, `    long i, j;
')m4_dnl
    (void)bias;
    (void)res;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, x, K, w, N, 0.0f, y, N);
m4_ifelse(HAS_EPILOGUE, 1, `    for (i = 0; i < M; i++)
        for (j = 0; j < N; j++) {
            float v = y[i * N + j]`'m4_ifelse(HAS_BIAS, 1, ` + bias[j]');
            EPILOGUE_STORE(`y', `v', `i * N + j')
        }
')m4_dnl
}
