m4_divert(-1)
# gemm_packed.m4 - Y[M, N] = X[M, K] * B + bias, with B packed at compile
# time in 32-column panels: element (k, c) of panel j at wp[(j * K + k) * 32 + c],
# zero-padded. M = 1 (batch-1 fully connected) is a GEMV streaming the
# weights once. Epilogue: bias, residual, activation.
# Parameters: M N K HAS_BIAS ACT ACT_ALPHA ACT_BETA HAS_RESIDUAL
m4_need(`M')m4_need(`N')m4_need(`K')
m4_define(`PANELS', m4_eval((N + 31) / 32))
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, const float *restrict wp, const float *restrict bias,
                  const float *restrict res, float *restrict y)
{
    long i, j, k, c, r;
    (void)bias;
    (void)res;
    for (i = 0; i < M; i += 4) {
        long rows = M - i < 4 ? M - i : 4;
        for (j = 0; j < PANELS; j++) {
            const float *w = wp + j * (long)K * 32;
            long cols = N - j * 32 < 32 ? N - j * 32 : 32;
            float acc[4][32];
            for (r = 0; r < 4; r++)
                for (c = 0; c < 32; c++) acc[r][c] = 0.0f;
            for (k = 0; k < K; k++) {
                const float *wk = w + k * 32;
                for (r = 0; r < rows; r++) {
                    float xv = x[(i + r) * (long)K + k];
                    for (c = 0; c < 32; c++) acc[r][c] += xv * wk[c];
                }
            }
            for (r = 0; r < rows; r++)
                for (c = 0; c < cols; c++) {
                    long n = j * 32 + c;
                    float v = acc[r][c]m4_ifelse(HAS_BIAS, 1, ` + bias[n]');
                    EPILOGUE_STORE(`y', `v', `(i + r) * (long)N + n')
                }
        }
    }
}
