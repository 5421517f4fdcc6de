m4_divert(-1)
# gemm_packed.m4 - Y[M, N] = X[M, K] * B + bias, with B packed at compile
# time in 32-column panels, each stored as two K x 16 halves: element
# (k, c) of panel j at wp[j * K * 32 + (c / 16) * K * 16 + k * 16 + c % 16],
# zero-padded (gemm_micro.m4 says why). Epilogue: bias, residual, activation.
#
# M = 1 (batch-1 fully connected) is a GEMV that streams each panel once
# with 8 independent accumulators (4 k-steps x 2 vectors) to hide the FMA
# latency. Otherwise rows of X are copied 12 at a time (K in blocks of KC)
# into a zero-padded 12-row panel on the stack, and the shared micro-kernel
# (gemm_micro.m4) sweeps that panel over every weight panel.
# M = 1 with N <= 16 has one panel 16 columns wide (PW = 16): a GEMV over
# it keeps 8 accumulators over 8 k-steps.
# Parameters: M N K PW HAS_BIAS ACT ACT_ALPHA ACT_BETA HAS_RESIDUAL
m4_need(`M')m4_need(`N')m4_need(`K')m4_need(`PW')
m4_define(`PANELS', m4_eval((N + 31) / 32))
m4_define(`KCMAX', m4_ifdef(`GEMM_KC', `GEMM_KC', 256))
m4_define(`KC', m4_ifelse(m4_eval(K <= KCMAX), 1, K, m4_eval((K + (K + KCMAX - 1) / KCMAX - 1) / ((K + KCMAX - 1) / KCMAX))))
m4_define(`L2F', m4_ifdef(`GEMM_L2F', `GEMM_L2F', 131072))
m4_define(`JB', m4_ifelse(m4_eval(L2F / (KC * 32) < 1), 1, 1, m4_eval(L2F / (KC * 32))))
m4_define(`MK_LDB', 16)
m4_define(`MK_BH', m4_eval(K * 16))
m4_define(`MK_PREFETCH', 8)
m4_define(`MK_LDC', N)
m4_define(`MK_BIAS', m4_ifelse(HAS_BIAS, 1, `col', `none'))
m4_define(`TR', m4_eval(M % 12))
# A GEMV whose weights are larger than L2 streams them from L3 or memory,
# and the hardware prefetcher alone leaves it short of the bandwidth; each
# cache line of each half panel is also prefetched GEMV_PF floats (32
# k-steps, 2 KB) ahead. mobilenet_v2's classifier 1280->1000 (5 MB), 6
# interleaved rounds of 100 runs inside the model, us (measured when a
# panel was one stream of 32-float rows, distances in k-steps): no
# prefetch 451-469, 16 ahead 424-449, 32 422-449, 64 423-444. Weights that
# fit L2 get no prefetch: it would spend a load slot per line on data
# already in cache.
m4_define(`GEMV_PF', m4_ifelse(m4_eval(K * N > 262144), 1, 512, 0))
m4_define(`GEMV_PF_LINES', `m4_ifelse(GEMV_PF, 0, `', `FOR(`L', 0, m4_eval($2 - 1), `            _mm_prefetch((const char *)($1 + GEMV_PF + L * 16), _MM_HINT_T0);
')')')
m4_include(`gemm_micro.m4')
m4_divert(0)m4_dnl
m4_ifelse(PW, 16, `
static void KNAME`'(const float *restrict x, const float *restrict w, const float *restrict bias,
                  const float *restrict res, float *restrict y)
{
    long k, c;
    float t[16];
    (void)bias;
    (void)res;
#if MLEGEN_AVX512 && SIMD_OK
    {
        __m512 FOR(`I', 0, 6, `s`'I = _mm512_setzero_ps(), ')s7 = _mm512_setzero_ps();
        for (k = 0; k + 8 <= K; k += 8) {
FOR(`I', 0, 7, `            s`'I = _mm512_fmadd_ps(_mm512_set1_ps(x[k + I]), _mm512_loadu_ps(w + (k + I) * 16), s`'I);
')        }
m4_ifelse(m4_eval(K % 8), 0, `', `        for (; k < K; k++) s0 = _mm512_fmadd_ps(_mm512_set1_ps(x[k]), _mm512_loadu_ps(w + k * 16), s0);
')        _mm512_storeu_ps(t, _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)),
                                          _mm512_add_ps(_mm512_add_ps(s4, s5), _mm512_add_ps(s6, s7))));
    }
#elif MLEGEN_AVX2 && SIMD_OK
    {
        __m256 FOR(`I', 0, 6, `s`'I = _mm256_setzero_ps(), ')s7 = _mm256_setzero_ps();
        for (k = 0; k + 4 <= K; k += 4) {
FOR(`I', 0, 3, `            s`'m4_eval(2 * I) = _mm256_fmadd_ps(_mm256_set1_ps(x[k + I]), _mm256_loadu_ps(w + (k + I) * 16), s`'m4_eval(2 * I));
            s`'m4_eval(2 * I + 1) = _mm256_fmadd_ps(_mm256_set1_ps(x[k + I]), _mm256_loadu_ps(w + (k + I) * 16 + 8), s`'m4_eval(2 * I + 1));
')        }
m4_ifelse(m4_eval(K % 4), 0, `', `        for (; k < K; k++) {
            s0 = _mm256_fmadd_ps(_mm256_set1_ps(x[k]), _mm256_loadu_ps(w + k * 16), s0);
            s1 = _mm256_fmadd_ps(_mm256_set1_ps(x[k]), _mm256_loadu_ps(w + k * 16 + 8), s1);
        }
')        _mm256_storeu_ps(t, _mm256_add_ps(_mm256_add_ps(s0, s2), _mm256_add_ps(s4, s6)));
        _mm256_storeu_ps(t + 8, _mm256_add_ps(_mm256_add_ps(s1, s3), _mm256_add_ps(s5, s7)));
    }
#else
    for (c = 0; c < 16; c++) t[c] = 0.0f;
    for (k = 0; k < K; k++)
        for (c = 0; c < 16; c++) t[c] += x[k] * w[k * 16 + c];
#endif
    for (c = 0; c < N; c++) {
        float v = t[c]m4_ifelse(HAS_BIAS, 1, ` + bias[c]');
        EPILOGUE_STORE(`y', `v', `c')
    }
}
', M, 1, `
static void KNAME`'(const float *restrict x, const float *restrict wp, const float *restrict bias,
                  const float *restrict res, float *restrict y)
{
    long j, k;
    (void)bias;
    (void)res;
    for (j = 0; j < PANELS; j++) {
        /* Left and right 16 columns of the panel, K x 16 each. */
        const float *w = wp + j * (long)K * 32, *wr = w + (long)K * 16;
        long cols = N - j * 32 < 32 ? N - j * 32 : 32;
#if MLEGEN_AVX512 && SIMD_OK
        __mmask16 m0 = (__mmask16)(cols >= 16 ? 0xffff : (1u << cols) - 1);
        __mmask16 m1 = (__mmask16)(cols >= 32 ? 0xffff : cols <= 16 ? 0 : (1u << (cols - 16)) - 1);
        __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), b0 = _mm512_setzero_ps(),
               b1 = _mm512_setzero_ps(), c0 = _mm512_setzero_ps(), c1 = _mm512_setzero_ps(),
               d0 = _mm512_setzero_ps(), d1 = _mm512_setzero_ps();
        for (k = 0; k + 4 <= K; k += 4) {
            const float *wk = w + k * 16, *wrk = wr + k * 16;
GEMV_PF_LINES(`wk', 4)GEMV_PF_LINES(`wrk', 4)m4_dnl
            a0 = _mm512_fmadd_ps(_mm512_set1_ps(x[k]), _mm512_loadu_ps(wk), a0);
            a1 = _mm512_fmadd_ps(_mm512_set1_ps(x[k]), _mm512_loadu_ps(wrk), a1);
            b0 = _mm512_fmadd_ps(_mm512_set1_ps(x[k + 1]), _mm512_loadu_ps(wk + 16), b0);
            b1 = _mm512_fmadd_ps(_mm512_set1_ps(x[k + 1]), _mm512_loadu_ps(wrk + 16), b1);
            c0 = _mm512_fmadd_ps(_mm512_set1_ps(x[k + 2]), _mm512_loadu_ps(wk + 32), c0);
            c1 = _mm512_fmadd_ps(_mm512_set1_ps(x[k + 2]), _mm512_loadu_ps(wrk + 32), c1);
            d0 = _mm512_fmadd_ps(_mm512_set1_ps(x[k + 3]), _mm512_loadu_ps(wk + 48), d0);
            d1 = _mm512_fmadd_ps(_mm512_set1_ps(x[k + 3]), _mm512_loadu_ps(wrk + 48), d1);
        }
m4_ifelse(m4_eval(K % 4), 0, `', `        for (; k < K; k++) {
            a0 = _mm512_fmadd_ps(_mm512_set1_ps(x[k]), _mm512_loadu_ps(w + k * 16), a0);
            a1 = _mm512_fmadd_ps(_mm512_set1_ps(x[k]), _mm512_loadu_ps(wr + k * 16), a1);
        }
')        {
            __m512 v0 = _mm512_add_ps(_mm512_add_ps(a0, b0), _mm512_add_ps(c0, d0));
            __m512 v1 = _mm512_add_ps(_mm512_add_ps(a1, b1), _mm512_add_ps(c1, d1));
m4_ifelse(HAS_BIAS, 1, `            v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, bias + j * 32));
            v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, bias + j * 32 + 16));
')m4_ifelse(HAS_RESIDUAL, 1, `            v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, res + j * 32));
            v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, res + j * 32 + 16));
')m4_dnl
            _mm512_mask_storeu_ps(y + j * 32, m0, ACT_V512(v0));
            _mm512_mask_storeu_ps(y + j * 32 + 16, m1, ACT_V512(v1));
        }
#elif MLEGEN_AVX2 && SIMD_OK
        float t[32];
        long c;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(),
               a3 = _mm256_setzero_ps(), b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps(),
               b2 = _mm256_setzero_ps(), b3 = _mm256_setzero_ps();
        for (k = 0; k + 2 <= K; k += 2) {
            const float *wk = w + k * 16, *wrk = wr + k * 16;
            __m256 s = _mm256_set1_ps(x[k]), u = _mm256_set1_ps(x[k + 1]);
GEMV_PF_LINES(`wk', 2)GEMV_PF_LINES(`wrk', 2)m4_dnl
            a0 = _mm256_fmadd_ps(s, _mm256_loadu_ps(wk), a0);
            a1 = _mm256_fmadd_ps(s, _mm256_loadu_ps(wk + 8), a1);
            a2 = _mm256_fmadd_ps(s, _mm256_loadu_ps(wrk), a2);
            a3 = _mm256_fmadd_ps(s, _mm256_loadu_ps(wrk + 8), a3);
            b0 = _mm256_fmadd_ps(u, _mm256_loadu_ps(wk + 16), b0);
            b1 = _mm256_fmadd_ps(u, _mm256_loadu_ps(wk + 24), b1);
            b2 = _mm256_fmadd_ps(u, _mm256_loadu_ps(wrk + 16), b2);
            b3 = _mm256_fmadd_ps(u, _mm256_loadu_ps(wrk + 24), b3);
        }
m4_ifelse(m4_eval(K % 2), 0, `', `        for (; k < K; k++) {
            __m256 s = _mm256_set1_ps(x[k]);
            a0 = _mm256_fmadd_ps(s, _mm256_loadu_ps(w + k * 16), a0);
            a1 = _mm256_fmadd_ps(s, _mm256_loadu_ps(w + k * 16 + 8), a1);
            a2 = _mm256_fmadd_ps(s, _mm256_loadu_ps(wr + k * 16), a2);
            a3 = _mm256_fmadd_ps(s, _mm256_loadu_ps(wr + k * 16 + 8), a3);
        }
')m4_dnl
        _mm256_storeu_ps(t, _mm256_add_ps(a0, b0));
        _mm256_storeu_ps(t + 8, _mm256_add_ps(a1, b1));
        _mm256_storeu_ps(t + 16, _mm256_add_ps(a2, b2));
        _mm256_storeu_ps(t + 24, _mm256_add_ps(a3, b3));
        for (c = 0; c < cols; c++) {
            float v = t[c]m4_ifelse(HAS_BIAS, 1, ` + bias[j * 32 + c]');
            EPILOGUE_STORE(`y', `v', `j * 32 + c')
        }
#else
        float t[32];
        long c;
        for (c = 0; c < 32; c++) t[c] = 0.0f;
        for (k = 0; k < K; k++)
            for (c = 0; c < 16; c++) {
                t[c] += x[k] * w[k * 16 + c];
                t[c + 16] += x[k] * wr[k * 16 + c];
            }
        for (c = 0; c < cols; c++) {
            float v = t[c]m4_ifelse(HAS_BIAS, 1, ` + bias[j * 32 + c]');
            EPILOGUE_STORE(`y', `v', `j * 32 + c')
        }
#endif
    }
m4_ifelse(ACT_LATE, 1, `#if (MLEGEN_AVX512 && SIMD_OK)
    for (j = 0; j < N; j++) {
        float v = y[j];
        y[j] = ACT_APPLY(v);
    }
#endif
')m4_dnl
}
', `GEMM_MICRO(`', 12)m4_ifelse(TR, 0, `', `GEMM_MICRO(`_t', TR)')

/* Copies rows x kc of X (rows K floats apart) into a 12-row panel,
   element (r, k) at ap[k * 12 + r], rows past ROWS zero: 8x8 and 4x8
   transposes in registers for full panels, plain copies for the rest. */
static void KNAME`'_pack(const float *restrict x, float *restrict ap, long rows, long kc)
{
    long k = 0, r;
#if MLEGEN_AVX2 && SIMD_OK
    if (rows == 12)
        for (; k + 8 <= kc; k += 8) {
            const float *xk = x + k;
            __m256 FOR(`R', 0, 10, `x`'R = _mm256_loadu_ps(xk + R * (long)K), ')x11 = _mm256_loadu_ps(xk + 11 * (long)K);
            __m256 t0 = _mm256_unpacklo_ps(x0, x1), t1 = _mm256_unpackhi_ps(x0, x1);
            __m256 t2 = _mm256_unpacklo_ps(x2, x3), t3 = _mm256_unpackhi_ps(x2, x3);
            __m256 t4 = _mm256_unpacklo_ps(x4, x5), t5 = _mm256_unpackhi_ps(x4, x5);
            __m256 t6 = _mm256_unpacklo_ps(x6, x7), t7 = _mm256_unpackhi_ps(x6, x7);
            __m256 t8 = _mm256_unpacklo_ps(x8, x9), t9 = _mm256_unpackhi_ps(x8, x9);
            __m256 t10 = _mm256_unpacklo_ps(x10, x11), t11 = _mm256_unpackhi_ps(x10, x11);
            /* s[c] holds rows 0-3 (s0..s3), 4-7 (s4..s7), 8-11 (s8..s11) of
               columns c and c + 4 in its two halves. */
            __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xee);
            __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xee);
            __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xee);
            __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xee);
            __m256 s8 = _mm256_shuffle_ps(t8, t10, 0x44), s9 = _mm256_shuffle_ps(t8, t10, 0xee);
            __m256 s10 = _mm256_shuffle_ps(t9, t11, 0x44), s11 = _mm256_shuffle_ps(t9, t11, 0xee);
FOR(`C', 0, 3, `            _mm256_storeu_ps(ap + (k + C) * 12, _mm256_permute2f128_ps(s`'C, s`'m4_eval(C + 4), 0x20));
            _mm256_storeu_ps(ap + (k + C + 4) * 12, _mm256_permute2f128_ps(s`'C, s`'m4_eval(C + 4), 0x31));
            _mm_storeu_ps(ap + (k + C) * 12 + 8, _mm256_castps256_ps128(s`'m4_eval(C + 8)));
            _mm_storeu_ps(ap + (k + C + 4) * 12 + 8, _mm256_extractf128_ps(s`'m4_eval(C + 8), 1));
')        }
    /* Where the transposes stopped, restated from kc: with k taken from the
       loop above, gcc 12 warned (-Waggressive-loop-optimizations, a false
       positive) that the tail loops below run past a 12 x 64 panel. */
    k = rows == 12 ? kc & ~7L : 0;
#endif
    for (r = 0; r < 12; r++) {
        long kk;
        if (r < rows)
            for (kk = k; kk < kc; kk++) ap[kk * 12 + r] = x[r * (long)K + kk];
        else
            for (kk = k; kk < kc; kk++) ap[kk * 12 + r] = 0.0f;
    }
}

/* K in blocks of KC; per block, JB weight panels (KC x 32 each, together
   in L2) are swept by one 12-row panel of X at a time (KC x 12, in L1). */
static void KNAME`'(const float *restrict x, const float *restrict wp, const float *restrict bias,
                  const float *restrict res, float *restrict y)
{
    float ap[KC * 12] MLEGEN_ALIGN64;
    long i0, k0, jb, j;
    (void)bias;
    (void)res;
    for (k0 = 0; k0 < K; k0 += KC) {
        long kc = K - k0 < KC ? K - k0 : KC;
        for (jb = 0; jb < PANELS; jb += JB)
            for (i0 = 0; i0 < M; i0 += 12) {
                long rows = M - i0 < 12 ? M - i0 : 12;
                KNAME`'_pack(x + i0 * (long)K + k0, ap, rows, kc);
                for (j = jb; j < jb + JB && j < PANELS; j++) {
                    long cols = N - j * 32 < 32 ? N - j * 32 : 32;
                    float *c = y + i0 * (long)N + j * 32;
#if MLEGEN_AVX2 && SIMD_OK
                    /* The start of the next weight panel: the micro-kernel
                       prefetches B only within its own. (Prefetching the
                       next C tile as well, 12 rows N floats apart, made
                       GEMM 512^3 slower: native 1806 -> 1846 us, AVX2 3073
                       -> 3114, 20 interleaved rounds.) */
                    if (j + 1 < jb + JB && j + 1 < PANELS) {
                        const float *bn = wp + (j + 1) * (long)K * 32 + k0 * 16;
                        long r;
                        for (r = 0; r < MK_PREFETCH && r < kc; r++) {
                            _mm_prefetch((const char *)(bn + r * 16), _MM_HINT_T0);
                            _mm_prefetch((const char *)(bn + MK_BH + r * 16), _MM_HINT_T0);
                        }
                    }
#endif
                    m4_ifelse(TR, 0, `KNAME`'_micro', `(rows < 12 ? KNAME`'_micro_t : KNAME`'_micro)')(ap, wp + j * (long)K * 32 + k0 * 16, c, kc,
                            rows, cols, k0 == 0, k0 + kc == K,
                            m4_ifelse(HAS_BIAS, 1, `bias + j * 32', `bias'),
                            m4_ifelse(HAS_RESIDUAL, 1, `res + i0 * (long)N + j * 32', `res'));
                }
            }
    }
}
')
