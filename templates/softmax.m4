m4_divert(-1)
# softmax.m4 - softmax along the middle axis of [OUTER, DIM, INNER],
# max-subtracted for range safety. Parameters: OUTER DIM INNER
# The last axis (INNER 1, attention scores, classifier outputs) has an
# AVX-512 / AVX2 path: vector max, vmath.m4's exp, vector sum, masked
# tails; the scalar loop below is its reference (and the path elsewhere).
m4_need(`DIM')m4_need(`INNER')
m4_divert(0)m4_dnl
m4_ifelse(INNER, 1, `m4_include(`vmath.m4')')m4_dnl
static void KNAME`'(const float *restrict x, float *restrict y)
{
    long o, i, d;
m4_ifelse(INNER, 1, `#if MLEGEN_AVX512 && SIMD_OK
    const __mmask16 tail = (__mmask16)((1u << (DIM % 16)) - 1);
    (void)i;
    for (o = 0; o < OUTER; o++) {
        const float *xr = x + o * (long)DIM;
        float *yr = y + o * (long)DIM;
        __m512 vm = _mm512_set1_ps(-HUGE_VALF), vs = _mm512_setzero_ps(), m;
        float s;
        for (d = 0; d + 16 <= DIM; d += 16) vm = _mm512_max_ps(vm, _mm512_loadu_ps(xr + d));
        if (DIM % 16) vm = _mm512_mask_max_ps(vm, tail, vm, _mm512_maskz_loadu_ps(tail, xr + d));
        m = _mm512_set1_ps(_mm512_reduce_max_ps(vm));
        for (d = 0; d + 16 <= DIM; d += 16) {
            __m512 e = KNAME`'_exp16(_mm512_sub_ps(_mm512_loadu_ps(xr + d), m));
            _mm512_storeu_ps(yr + d, e);
            vs = _mm512_add_ps(vs, e);
        }
        if (DIM % 16) {
            __m512 e = KNAME`'_exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, xr + d), m));
            _mm512_mask_storeu_ps(yr + d, tail, e);
            vs = _mm512_mask_add_ps(vs, tail, vs, e);
        }
        s = _mm512_reduce_add_ps(vs);
        for (d = 0; d < DIM; d++) yr[d] /= s;
    }
#elif MLEGEN_AVX2 && SIMD_OK
    const __m256i tail = _mm256_cmpgt_epi32(_mm256_set1_epi32(DIM % 8), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    (void)i;
    for (o = 0; o < OUTER; o++) {
        const float *xr = x + o * (long)DIM;
        float *yr = y + o * (long)DIM;
        __m256 vm = _mm256_set1_ps(-HUGE_VALF), vs = _mm256_setzero_ps(), m;
        float t[8], mx, s;
        for (d = 0; d + 8 <= DIM; d += 8) vm = _mm256_max_ps(vm, _mm256_loadu_ps(xr + d));
        _mm256_storeu_ps(t, vm);
        mx = t[0];
        for (i = 1; i < 8; i++) mx = t[i] > mx ? t[i] : mx;
        for (; d < DIM; d++) mx = xr[d] > mx ? xr[d] : mx;
        m = _mm256_set1_ps(mx);
        for (d = 0; d + 8 <= DIM; d += 8) {
            __m256 e = KNAME`'_exp8(_mm256_sub_ps(_mm256_loadu_ps(xr + d), m));
            _mm256_storeu_ps(yr + d, e);
            vs = _mm256_add_ps(vs, e);
        }
        if (DIM % 8) {
            __m256 e = _mm256_and_ps(KNAME`'_exp8(_mm256_sub_ps(_mm256_maskload_ps(xr + d, tail), m)),
                                     _mm256_castsi256_ps(tail));
            _mm256_maskstore_ps(yr + d, tail, e);
            vs = _mm256_add_ps(vs, e);
        }
        _mm256_storeu_ps(t, vs);
        s = ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
        for (d = 0; d < DIM; d++) yr[d] /= s;
    }
#else
', `')m4_dnl
    for (o = 0; o < OUTER; o++)
        for (i = 0; i < INNER; i++) {
            const float *xr = x + o * (long)(DIM * INNER) + i;
            float *yr = y + o * (long)(DIM * INNER) + i;
            float m = -HUGE_VALF, s = 0.0f;
            for (d = 0; d < DIM; d++)
                if (xr[d * INNER] > m) m = xr[d * INNER];
            for (d = 0; d < DIM; d++) {
                float e = expf(xr[d * INNER] - m);
                yr[d * INNER] = e;
                s += e;
            }
            for (d = 0; d < DIM; d++) yr[d * INNER] /= s;
        }
m4_ifelse(INNER, 1, `#endif
')m4_dnl
}
