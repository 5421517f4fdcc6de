m4_divert(-1)
# gemm_ref.m4 - the general Gemm: Y = ALPHA * op(A) * op(B) + BETA * C with
# transposes as strides and C broadcast by strides (0 = broadcast).
# Parameters: M N K SAM SAK SBK SBN SCM SCN HAS_C ALPHA BETA + epilogue.
m4_need(`M')m4_need(`SAM')
m4_divert(0)m4_dnl
static void KNAME`'(const float *a, const float *b, const float *cm, const float *res, float *y)
{
    long m, n, k;
    (void)cm;
    (void)res;
    for (m = 0; m < M; m++)
        for (n = 0; n < N; n++) {
            float s = 0.0f, v;
            for (k = 0; k < K; k++) s += a[m * SAM + k * SAK] * b[k * SBK + n * SBN];
            v = ALPHA * s`'m4_ifelse(HAS_C, 1, ` + BETA * cm[m * SCM + n * SCN]');
            EPILOGUE_STORE(`y', `v', `m * (long)N + n')
        }
}
