m4_divert(-1)
# maxpool.m4 - 2-D max pooling over [NB, C, H, W]; padding never wins and
# a NaN in a window is the result (as numpy's max).
#
# Rows whose window lies inside the input take the max over the window
# rows for every column first (contiguous, vectorized by the compiler),
# then over the window columns for the output columns whose window lies
# inside the input, [OLO, OHI); only the border columns and rows whose
# window crosses the padding test every tap. AVX-512 (strides 1 and 2)
# takes the max of each tap over 16 output columns at once instead.
# Parameters: NB C H W KH KW SH SW DH DW PT PL OH OW
m4_need(`C')m4_need(`KH')
# First output column with w >= 0 for tap 0, last with w < W for the last tap.
m4_define(`OLO', m4_ifelse(m4_eval(PL == 0), 1, 0, m4_eval((PL + SW - 1) / SW)))
m4_define(`OHI_RAW', m4_eval(W - 1 + PL - (KW - 1) * DW))
m4_define(`OHI_0', m4_ifelse(m4_eval(OHI_RAW < 0), 1, 0, m4_eval(OHI_RAW / SW + 1)))
m4_define(`OHI_1', m4_ifelse(m4_eval(OHI_0 > OW), 1, OW, OHI_0))
m4_define(`OHI', m4_ifelse(m4_eval(OHI_1 < OLO), 1, OLO, OHI_1))
m4_define(`PMAX', `m = (($1) > m || ($1) != ($1)) ? ($1) : m;')
m4_divert(0)m4_dnl
static void KNAME`'_slow(const float *restrict xc, long oh, long ow, float *restrict out)
{
    long kh, kw;
    float m = -HUGE_VALF;
    for (kh = 0; kh < KH; kh++) {
        long h = oh * SH - PT + kh * DH;
        if (h < 0 || h >= H) continue;
        for (kw = 0; kw < KW; kw++) {
            long w = ow * SW - PL + kw * DW;
            if (w >= 0 && w < W) PMAX(`xc[h * W + w]')
        }
    }
    *out = m;
}

static void KNAME`'(const float *restrict x, float *restrict y)
{
    float col[W];
    long p, oh, ow, kh, kw, w;
    for (p = 0; p < NB * C; p++) {
        const float *xc = x + p * (long)(H * W);
        float *yc = y + p * (long)(OH * OW);
        for (oh = 0; oh < OH; oh++) {
            long h0 = oh * SH - PT;
            float *yr = yc + oh * OW;
            if (h0 < 0 || h0 + (KH - 1) * DH >= H) {
                for (ow = 0; ow < OW; ow++) KNAME`'_slow(xc, oh, ow, yr + ow);
                continue;
            }
            for (ow = 0; ow < OLO; ow++) KNAME`'_slow(xc, oh, ow, yr + ow);
m4_ifelse(m4_eval(SW <= 2), 1, `#if MLEGEN_AVX512 && SIMD_OK
            /* 16 outputs at a time, tap by tap, straight from the input
               (stride 2: the even floats of 32, by a permute). The max
               keeps the accumulator when either is NaN; a NaN tap then
               replaces it, so a NaN anywhere in the window wins. */
            for (ow = OLO; ow < OHI; ow += 16) {
                long n = OHI - ow < 16 ? OHI - ow : 16;
                __mmask16 om = (__mmask16)((1u << n) - 1);
m4_ifelse(SW, 2, `                const __m512i ev = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
                unsigned long long lm = (1ULL << (2 * n - 1)) - 1;
')m4_dnl
                __m512 acc = _mm512_set1_ps(-HUGE_VALF);
                for (kh = 0; kh < KH; kh++) {
                    const float *xr = xc + (h0 + kh * DH) * (long)W + ow * SW - PL;
                    for (kw = 0; kw < KW; kw++) {
m4_ifelse(SW, 2, `                        __m512 t = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps((__mmask16)lm, xr + kw * DW), ev,
                                                          _mm512_maskz_loadu_ps((__mmask16)(lm >> 16), xr + kw * DW + 16));
', `                        __m512 t = _mm512_maskz_loadu_ps(om, xr + kw * DW);
')m4_dnl
                        acc = _mm512_max_ps(t, acc);
                        acc = _mm512_mask_mov_ps(acc, _mm512_cmp_ps_mask(t, t, _CMP_UNORD_Q), t);
                    }
                }
                _mm512_mask_storeu_ps(yr + ow, om, acc);
            }
            (void)col;
            (void)w;
            for (ow = OHI; ow < OW; ow++) KNAME`'_slow(xc, oh, ow, yr + ow);
            continue;
#endif
')m4_dnl
            /* Vertical max over the window rows for every column, then the
               horizontal max: dependency chains of KH + KW, not KH * KW. */
            for (w = 0; w < W; w++) {
                float m = xc[h0 * W + w];
                for (kh = 1; kh < KH; kh++) PMAX(`xc[(h0 + kh * DH) * W + w]')
                col[w] = m;
            }
            for (ow = OLO; ow < OHI; ow++) {
                const float *cw = col + ow * SW - PL;
                float m = cw[0];
                for (kw = 1; kw < KW; kw++) PMAX(`cw[kw * DW]')
                yr[ow] = m;
            }
            for (ow = OHI; ow < OW; ow++) KNAME`'_slow(xc, oh, ow, yr + ow);
        }
    }
}
