m4_divert(-1)
# matmul_ref.m4 - batched MatMul with numpy broadcasting of the batch
# dimensions: BDIMS is the broadcast batch shape, BSA/BSB the operands'
# batch strides in matrices (0 = broadcast).
# Parameters: M N K BATCH BRANK BDIMS BSA BSB + epilogue.
m4_need(`M')m4_need(`BRANK')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict a, const float *restrict b, const float *restrict res,
                  float *restrict y)
{
    static const long dims[BRANK] = BDIMS;
    static const long sa[BRANK] = BSA;
    static const long sb[BRANK] = BSB;
    long idx[BRANK] = {0};
    long t, i, j, k, d, oa = 0, ob = 0;
    (void)res;
    for (t = 0; t < BATCH; t++) {
        const float *am = a + oa * (long)(M * K);
        const float *bm = b + ob * (long)(K * N);
        float *ym = y + t * (long)(M * N);
        for (i = 0; i < M; i++) {
            float *row = ym + i * N;
            for (j = 0; j < N; j++) row[j] = 0.0f;
            for (k = 0; k < K; k++) {
                float av = am[i * K + k];
                for (j = 0; j < N; j++) row[j] += av * bm[k * N + j];
            }
            for (j = 0; j < N; j++) {
                float v = row[j];
                EPILOGUE_STORE(`y', `v', `t * (long)(M * N) + i * N + j')
            }
        }
        for (d = BRANK - 1; d >= 0; d--) {
            oa += sa[d];
            ob += sb[d];
            if (++idx[d] < dims[d]) break;
            oa -= sa[d] * dims[d];
            ob -= sb[d] * dims[d];
            idx[d] = 0;
        }
    }
}
