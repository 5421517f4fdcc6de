m4_divert(-1)
# matmul_ref.m4 - batched MatMul with numpy broadcasting of the batch
# dimensions: BDIMS is the broadcast batch shape, BSA/BSB the operands'
# batch strides in matrices (0 = broadcast).
# Parameters: M N K BATCH BRANK BDIMS BSA BSB + epilogue.
#
# AVX-512 / AVX2: per matrix, tiles of 4 rows (then single rows) by 2
# vectors of columns (masked tails), the k loop broadcasting A and loading
# B rows (attention scores Q K^T and probabilities x V have B at run time,
# so nothing is packed); the epilogue, if any, runs over the stored tile.
# The scalar loop is the reference.
m4_need(`M')m4_need(`BRANK')
m4_define(`HAS_EPI', m4_ifelse(ACT`'HAS_RESIDUAL, `none0', 0, 1))
# MM_TILE512(R): rows i .. i+R-1, columns j .. j+31 under masks m0 m1.
m4_define(`MM_TILE512', `{
                    FOR(`R', 0, $1 - 1, `__m512 c`'R`'_0 = _mm512_setzero_ps(), c`'R`'_1 = _mm512_setzero_ps();
                    ')for (k = 0; k < K; k++) {
                        __m512 b0 = _mm512_maskz_loadu_ps(m0, bm + k * N + j);
                        __m512 b1 = _mm512_maskz_loadu_ps(m1, bm + k * N + j + 16);
FOR(`R', 0, $1 - 1, `                        {
                            __m512 s = _mm512_set1_ps(am[(i + R) * K + k]);
                            c`'R`'_0 = _mm512_fmadd_ps(s, b0, c`'R`'_0);
                            c`'R`'_1 = _mm512_fmadd_ps(s, b1, c`'R`'_1);
                        }
')                    }
FOR(`R', 0, $1 - 1, `                    _mm512_mask_storeu_ps(ym + (i + R) * N + j, m0, c`'R`'_0);
                    _mm512_mask_storeu_ps(ym + (i + R) * N + j + 16, m1, c`'R`'_1);
')                }')
# MM_TILE256(R): rows i .. i+R-1, columns j .. j+15 under masks k0 k1.
m4_define(`MM_TILE256', `{
                    FOR(`R', 0, $1 - 1, `__m256 c`'R`'_0 = _mm256_setzero_ps(), c`'R`'_1 = _mm256_setzero_ps();
                    ')for (k = 0; k < K; k++) {
                        __m256 b0 = _mm256_maskload_ps(bm + k * N + j, k0);
                        __m256 b1 = _mm256_maskload_ps(bm + k * N + j + 8, k1);
FOR(`R', 0, $1 - 1, `                        {
                            __m256 s = _mm256_set1_ps(am[(i + R) * K + k]);
                            c`'R`'_0 = _mm256_fmadd_ps(s, b0, c`'R`'_0);
                            c`'R`'_1 = _mm256_fmadd_ps(s, b1, c`'R`'_1);
                        }
')                    }
FOR(`R', 0, $1 - 1, `                    _mm256_maskstore_ps(ym + (i + R) * N + j, k0, c`'R`'_0);
                    _mm256_maskstore_ps(ym + (i + R) * N + j + 8, k1, c`'R`'_1);
')                }')
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
#if MLEGEN_AVX512 && SIMD_OK
        for (j = 0; j < N; j += 32) {
            __mmask16 m0 = (__mmask16)(N - j >= 16 ? 0xffff : (1u << (N - j)) - 1);
            __mmask16 m1 = (__mmask16)(N - j >= 32 ? 0xffff : N - j <= 16 ? 0 : (1u << (N - j - 16)) - 1);
            for (i = 0; i + 4 <= M; i += 4) MM_TILE512(4)
            for (; i < M; i++) MM_TILE512(1)
        }
#elif MLEGEN_AVX2 && SIMD_OK
        for (j = 0; j < N; j += 16) {
            const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
            __m256i k0 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(N - j)), iota);
            __m256i k1 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(N - j - 8)), iota);
            for (i = 0; i + 4 <= M; i += 4) MM_TILE256(4)
            for (; i < M; i++) MM_TILE256(1)
        }
#endif
#if (MLEGEN_AVX512 || MLEGEN_AVX2) && SIMD_OK
m4_ifelse(HAS_EPI, 1, `        for (i = 0; i < M * N; i++) {
            float v = ym[i];
            EPILOGUE_STORE(`y', `v', `t * (long)(M * N) + i')
        }
')m4_dnl
#else
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
#endif
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
