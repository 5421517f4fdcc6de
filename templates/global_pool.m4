m4_divert(-1)
# global_pool.m4 - GlobalAveragePool / GlobalMaxPool: one value per row of
# INNER elements. Parameters: KIND (avg, max) ROWS INNER
#
# The average keeps 16 partial sums (lane j sums elements j, j + 16, ...),
# so the additions are independent and the compiler vectorizes them
# (a single running sum is a chain of dependent, unvectorizable adds).
m4_need(`KIND')m4_need(`INNER')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, float *restrict y)
{
    long r, i;
    for (r = 0; r < ROWS; r++) {
        const float *xr = x + r * (long)INNER;
m4_ifelse(KIND, `avg', `#if MLEGEN_AVX512 && SIMD_OK
        /* A vector of partial sums, the tail under a mask, one reduction:
           the portable loop below compiled to scalar adds and took 73-99 us
           on 1280 x 7x7 (mobilenet_v2, layertime.py), this 7-9 us (ORT: 21 us). */
        {
            __m512 acc = _mm512_setzero_ps();
            for (i = 0; i + 16 <= INNER; i += 16) acc = _mm512_add_ps(acc, _mm512_loadu_ps(xr + i));
            if (i < INNER)
                acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps((__mmask16)((1u << (INNER - i)) - 1), xr + i));
            y[r] = _mm512_reduce_add_ps(acc) * (1.0f / (float)INNER);
            continue;
        }
#elif MLEGEN_AVX2 && SIMD_OK
        {
            __m256 acc = _mm256_setzero_ps();
            __m128 h;
            for (i = 0; i + 8 <= INNER; i += 8) acc = _mm256_add_ps(acc, _mm256_loadu_ps(xr + i));
            if (i < INNER)
                acc = _mm256_add_ps(acc, _mm256_maskload_ps(xr + i, _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(INNER - i)),
                                                                                         _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))));
            h = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
            h = _mm_add_ps(h, _mm_movehl_ps(h, h));
            h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
            y[r] = _mm_cvtss_f32(h) * (1.0f / (float)INNER);
            continue;
        }
#endif
')m4_dnl
m4_ifelse(KIND, `max', `        float m = -HUGE_VALF;
        for (i = 0; i < INNER; i++)
            if (xr[i] > m || xr[i] != xr[i]) m = xr[i];
        y[r] = m;', `        float p[16] = {0.0f}, s = 0.0f;
        long j;
        for (i = 0; i + 16 <= INNER; i += 16)
            for (j = 0; j < 16; j++) p[j] += xr[i + j];
        for (j = 0; i + j < INNER; j++) p[j] += xr[i + j];
        for (j = 0; j < 16; j++) s += p[j];
        y[r] = s * (1.0f / (float)INNER);')
    }
}
