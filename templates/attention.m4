m4_divert(-1)
# attention.m4 - scaled dot-product attention, a block of query rows at a
# time:
#     s[t] = SOP(sum_k AOP(a[b, i, k]) * bt[b, k, t]) (+ mask[t])
#     p = softmax(s)                               (softmax_row.m4)
#     y[b, i, :] = sum_t p[t] * v[b, t, :]
# for b < BATCH, i < S; a is [BATCH, S, D], bt [BATCH, D, T], v [BATCH, T,
# DV]. AOP / SOP are none, mul or div by the constants AC / SC (the graph's
# own scaling, applied where it was, so the values are the unfused ones).
# The mask row of query (b, i) starts at mask[((b * S + i) * T) % MLEN].
# The scores never exist whole: RB rows of them (and of probabilities) are
# scratch of 2 * RB * T floats. RB query rows share each load of bt and v
# (RB x NJ vector accumulators, NJ vectors of columns per block). The sums
# run over k and t in order, as the MatMul kernels do. Built by
# compiler/passes/fuse_attention.c.
# Parameters: BATCH S T D DV AOP AC SOP SC HAS_MASK MLEN RB
m4_need(`BATCH')m4_need(`T')m4_need(`DV')m4_need(`AOP')m4_need(`SOP')m4_need(`RB')
# Vectors per column block (at most 4): NJ(columns, lanes).
m4_define(`NJ', `m4_ifelse(m4_eval((($1) + ($2) - 1) / ($2) < 4), 1, `m4_eval((($1) + ($2) - 1) / ($2))', 4)')
m4_define(`APPLY', `m4_ifelse($1, `mul', `($3) * $2', $1, `div', `($3) / $2', `$3')')

# SCORES(NAME, R): scores of R query rows (a rows D floats apart, first
# row index row0 for the mask) into s (rows T floats apart).
m4_define(`SCORES', `
static void $1(const float *restrict a, long row0, const float *restrict bt, const float *restrict mask,
             float *restrict s)
{
    long t0, k, t, r, j;
    (void)mask;
    (void)row0;
    (void)t;
    (void)j;
#if MLEGEN_AVX512 && SIMD_OK
    for (t0 = 0; t0 < T; t0 += 64) {
        __mmask16 m[NJ(T, 16)];
        __m512 acc[$2][NJ(T, 16)];
        for (j = 0; j < NJ(T, 16); j++) {
            long n = T - t0 - 16 * j;
            m[j] = (__mmask16)(n >= 16 ? 0xffff : n <= 0 ? 0 : (1u << n) - 1);
            for (r = 0; r < $2; r++) acc[r][j] = _mm512_setzero_ps();
        }
        for (k = 0; k < D; k++) {
            const float *bk = bt + k * (long)T + t0;
            __m512 bv[NJ(T, 16)];
            for (j = 0; j < NJ(T, 16); j++) bv[j] = _mm512_maskz_loadu_ps(m[j], bk + 16 * j);
            for (r = 0; r < $2; r++) {
                __m512 av = _mm512_set1_ps(a[r * (long)D + k]);
                for (j = 0; j < NJ(T, 16); j++) acc[r][j] = _mm512_fmadd_ps(av, bv[j], acc[r][j]);
            }
        }
        for (r = 0; r < $2; r++)
            for (j = 0; j < NJ(T, 16); j++) {
                __m512 v = acc[r][j];
m4_ifelse(SOP, `mul', `                v = _mm512_mul_ps(v, _mm512_set1_ps(SC));
', SOP, `div', `                v = _mm512_div_ps(v, _mm512_set1_ps(SC));
')m4_ifelse(HAS_MASK, 1, `                v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m[j], mask + ((row0 + r) * T) % MLEN + t0 + 16 * j));
')m4_dnl
                _mm512_mask_storeu_ps(s + r * T + t0 + 16 * j, m[j], v);
            }
    }
#elif MLEGEN_AVX2 && SIMD_OK
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (t0 = 0; t0 < T; t0 += 32) {
        __m256i m[NJ(T, 8)];
        __m256 acc[$2][NJ(T, 8)];
        for (j = 0; j < NJ(T, 8); j++) {
            m[j] = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(T - t0 - 8 * j)), iota);
            for (r = 0; r < $2; r++) acc[r][j] = _mm256_setzero_ps();
        }
        for (k = 0; k < D; k++) {
            const float *bk = bt + k * (long)T + t0;
            __m256 bv[NJ(T, 8)];
            for (j = 0; j < NJ(T, 8); j++) bv[j] = _mm256_maskload_ps(bk + 8 * j, m[j]);
            for (r = 0; r < $2; r++) {
                __m256 av = _mm256_set1_ps(a[r * (long)D + k]);
                for (j = 0; j < NJ(T, 8); j++) acc[r][j] = _mm256_fmadd_ps(av, bv[j], acc[r][j]);
            }
        }
        for (r = 0; r < $2; r++)
            for (j = 0; j < NJ(T, 8); j++) {
                __m256 v = acc[r][j];
m4_ifelse(SOP, `mul', `                v = _mm256_mul_ps(v, _mm256_set1_ps(SC));
', SOP, `div', `                v = _mm256_div_ps(v, _mm256_set1_ps(SC));
')m4_ifelse(HAS_MASK, 1, `                v = _mm256_add_ps(v, _mm256_maskload_ps(mask + ((row0 + r) * T) % MLEN + t0 + 8 * j, m[j]));
')m4_dnl
                _mm256_maskstore_ps(s + r * T + t0 + 8 * j, m[j], v);
            }
    }
#else
    (void)t0;
    for (r = 0; r < $2; r++)
        for (t = 0; t < T; t++) {
            float acc = 0.0f;
            for (k = 0; k < D; k++) acc += a[r * (long)D + k] * bt[k * (long)T + t];
            s[r * T + t] = APPLY(SOP, SC, acc)`'m4_ifelse(HAS_MASK, 1, ` + mask[((row0 + r) * T) % MLEN + t]');
        }
#endif
}
')

# MIX(NAME, R): y rows (DV floats apart) = p rows (T apart) times v.
m4_define(`MIX', `
static void $1(const float *restrict p, const float *restrict v, float *restrict y)
{
    long c0, t, c, r, j;
    (void)c;
    (void)j;
#if MLEGEN_AVX512 && SIMD_OK
    for (c0 = 0; c0 < DV; c0 += 64) {
        __mmask16 m[NJ(DV, 16)];
        __m512 acc[$2][NJ(DV, 16)];
        for (j = 0; j < NJ(DV, 16); j++) {
            long n = DV - c0 - 16 * j;
            m[j] = (__mmask16)(n >= 16 ? 0xffff : n <= 0 ? 0 : (1u << n) - 1);
            for (r = 0; r < $2; r++) acc[r][j] = _mm512_setzero_ps();
        }
        for (t = 0; t < T; t++) {
            const float *vt = v + t * (long)DV + c0;
            __m512 vv[NJ(DV, 16)];
            for (j = 0; j < NJ(DV, 16); j++) vv[j] = _mm512_maskz_loadu_ps(m[j], vt + 16 * j);
            for (r = 0; r < $2; r++) {
                __m512 pv = _mm512_set1_ps(p[r * T + t]);
                for (j = 0; j < NJ(DV, 16); j++) acc[r][j] = _mm512_fmadd_ps(pv, vv[j], acc[r][j]);
            }
        }
        for (r = 0; r < $2; r++)
            for (j = 0; j < NJ(DV, 16); j++) _mm512_mask_storeu_ps(y + r * (long)DV + c0 + 16 * j, m[j], acc[r][j]);
    }
#elif MLEGEN_AVX2 && SIMD_OK
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (c0 = 0; c0 < DV; c0 += 32) {
        __m256i m[NJ(DV, 8)];
        __m256 acc[$2][NJ(DV, 8)];
        for (j = 0; j < NJ(DV, 8); j++) {
            m[j] = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(DV - c0 - 8 * j)), iota);
            for (r = 0; r < $2; r++) acc[r][j] = _mm256_setzero_ps();
        }
        for (t = 0; t < T; t++) {
            const float *vt = v + t * (long)DV + c0;
            __m256 vv[NJ(DV, 8)];
            for (j = 0; j < NJ(DV, 8); j++) vv[j] = _mm256_maskload_ps(vt + 8 * j, m[j]);
            for (r = 0; r < $2; r++) {
                __m256 pv = _mm256_set1_ps(p[r * T + t]);
                for (j = 0; j < NJ(DV, 8); j++) acc[r][j] = _mm256_fmadd_ps(pv, vv[j], acc[r][j]);
            }
        }
        for (r = 0; r < $2; r++)
            for (j = 0; j < NJ(DV, 8); j++) _mm256_maskstore_ps(y + r * (long)DV + c0 + 8 * j, m[j], acc[r][j]);
    }
#else
    (void)c0;
    for (r = 0; r < $2; r++)
        for (c = 0; c < DV; c++) {
            float acc = 0.0f;
            for (t = 0; t < T; t++) acc += p[r * T + t] * v[t * (long)DV + c];
            y[r * (long)DV + c] = acc;
        }
#endif
}
')
m4_define(`RT', m4_eval(S % RB))
m4_divert(0)m4_dnl
m4_include(`vmath.m4')m4_include(`softmax_row.m4')SOFTMAX_ROW(KNAME`'_softmax, T)SCORES(KNAME`'_scores, RB)MIX(KNAME`'_mix, RB)m4_dnl
m4_ifelse(RT, 0, `', `SCORES(KNAME`'_scores_t, RT)MIX(KNAME`'_mix_t, RT)')
m4_ifelse(AOP, `none', `', `
/* n rows of a, scaled (AOP by AC) as the graph scaled them, into as. */
static void KNAME`'_scale(const float *restrict a, long n, float *restrict as)
{
    long e;
    for (e = 0; e < n * D; e++) as[e] = APPLY(AOP, AC, a[e]);
}
')
/* Scratch: 2 * RB * T floats (RB rows of scores, then of probabilities),
   then RB * D (the block of a, scaled) when AOP scales a. */
static void KNAME`'(const float *restrict a, const float *restrict bt, const float *restrict v,
                  const float *restrict mask, float *restrict y, float *restrict scratch)
{
    float *p = scratch + RB * T;
    long b, i, r;
    for (b = 0; b < BATCH; b++)
        for (i = 0; i < S; i += RB) {
            long row = b * (long)S + i, n = S - i < RB ? S - i : RB;
m4_ifelse(AOP, `none', `            const float *ab = a + row * D;
', `            const float *ab = p + RB * T;
            KNAME`'_scale(a + row * D, n, p + RB * T);
')m4_dnl
m4_ifelse(RT, 0, `', `            if (n < RB) {
                KNAME`'_scores_t(ab, row, bt + b * (long)(D * T), mask, scratch);
                for (r = 0; r < n; r++) KNAME`'_softmax(scratch + r * T, p + r * T);
                KNAME`'_mix_t(p, v + b * (long)(T * DV), y + row * DV);
                continue;
            }
')m4_dnl
            KNAME`'_scores(ab, row, bt + b * (long)(D * T), mask, scratch);
            for (r = 0; r < n; r++) KNAME`'_softmax(scratch + r * T, p + r * T);
            KNAME`'_mix(p, v + b * (long)(T * DV), y + row * DV);
        }
}
