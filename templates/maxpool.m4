m4_divert(-1)
# maxpool.m4 - 2-D max pooling over [NB, C, H, W]; padding never wins and
# a NaN in a window is the result (as numpy's max).
#
# Separable, one output row at a time: first the max over the window rows
# that lie inside the input, for every input column, into a row buffer
# whose padding columns hold -inf; then the max over the window columns of
# that buffer. That is KH + KW max operations per output instead of
# KH * KW, and border rows and columns take the same path as the others
# (the previous per-tap form tested bounds on every border output; on
# resnet18's 3x3/2 pool, 64 x 112x112, the separable form measured 150 µs
# against 218 µs). AVX-512 does both passes 16 columns at a time; for
# stride 2 the even floats of 32 come from a permute.
# Parameters: NB C H W KH KW SH SW DH DW PT PL OH OW
m4_need(`C')m4_need(`KH')
# Buffer columns the outputs read: column i is input column i - PL.
m4_define(`WB', m4_eval((OW - 1) * SW + (KW - 1) * DW + 1))
# Input columns copied into the buffer: [0, WV).
m4_define(`WV_0', m4_ifelse(m4_eval(WB - PL < W), 1, m4_eval(WB - PL), W))
m4_define(`WV', m4_ifelse(m4_eval(WV_0 < 0), 1, 0, WV_0))
m4_define(`PMAX', `m = (($1) > m || ($1) != ($1)) ? ($1) : m;')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, float *restrict y)
{
    /* -inf everywhere but the copied columns; 32 spare floats let the
       vector loads of the column pass run past the last window. */
    float col[PL + W + WB + 32];
    long p, oh, ow, kh, kw, w;
    for (w = 0; w < PL + W + WB + 32; w++) col[w] = -HUGE_VALF;
    for (p = 0; p < NB * C; p++) {
        const float *xc = x + p * (long)(H * W);
        float *yc = y + p * (long)(OH * OW);
        for (oh = 0; oh < OH; oh++) {
            long h0 = oh * SH - PT;
            /* The window rows inside the input: kh in [klo, khi). */
            long klo = h0 >= 0 ? 0 : (-h0 + DH - 1) / DH;
            long khi = h0 >= H ? 0 : (H - h0 + DH - 1) / DH;
            float *yr = yc + oh * OW, *cv = col + PL;
            const float *x0;
            if (khi > KH) khi = KH;
            if (klo >= khi) {
                for (ow = 0; ow < OW; ow++) yr[ow] = -HUGE_VALF;
                continue;
            }
            x0 = xc + (h0 + klo * DH) * (long)W;
            (void)x0;
            (void)kw;
#if MLEGEN_AVX512 && SIMD_OK
            /* The max keeps the accumulator when either is NaN; a NaN tap
               then replaces it, so a NaN anywhere in the window wins. */
            for (w = 0; w < WV; w += 16) {
                __mmask16 m = (__mmask16)(WV - w >= 16 ? 0xffff : (1u << (WV - w)) - 1);
                __m512 acc = _mm512_maskz_loadu_ps(m, x0 + w);
                for (kh = klo + 1; kh < khi; kh++) {
                    __m512 t = _mm512_maskz_loadu_ps(m, x0 + (kh - klo) * DH * (long)W + w);
                    acc = _mm512_max_ps(t, acc);
                    acc = _mm512_mask_mov_ps(acc, _mm512_cmp_ps_mask(t, t, _CMP_UNORD_Q), t);
                }
                _mm512_mask_storeu_ps(cv + w, m, acc);
            }
#else
            for (w = 0; w < WV; w++) cv[w] = x0[w];
            for (kh = klo + 1; kh < khi; kh++) {
                const float *xr = x0 + (kh - klo) * DH * (long)W;
                for (w = 0; w < WV; w++) {
                    float m = cv[w];
                    PMAX(`xr[w]')
                    cv[w] = m;
                }
            }
#endif
m4_ifelse(m4_eval(SW <= 2), 1, `#if MLEGEN_AVX512 && SIMD_OK
            for (ow = 0; ow < OW; ow += 16) {
                __mmask16 om = (__mmask16)(OW - ow >= 16 ? 0xffff : (1u << (OW - ow)) - 1);
m4_ifelse(SW, 2, `                const __m512i ev = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
')m4_dnl
                __m512 acc = _mm512_set1_ps(-HUGE_VALF);
                for (kw = 0; kw < KW; kw++) {
                    const float *cw = col + ow * SW + kw * DW;
m4_ifelse(SW, 2, `                    __m512 t = _mm512_permutex2var_ps(_mm512_loadu_ps(cw), ev, _mm512_loadu_ps(cw + 16));
', `                    __m512 t = _mm512_loadu_ps(cw);
')m4_dnl
                    acc = _mm512_max_ps(t, acc);
                    acc = _mm512_mask_mov_ps(acc, _mm512_cmp_ps_mask(t, t, _CMP_UNORD_Q), t);
                }
                _mm512_mask_storeu_ps(yr + ow, om, acc);
            }
            continue;
#endif
')m4_dnl
            for (ow = 0; ow < OW; ow++) {
                const float *cw = col + ow * SW;
                float m = cw[0];
                for (kw = 1; kw < KW; kw++) PMAX(`cw[kw * DW]')
                yr[ow] = m;
            }
        }
    }
}
