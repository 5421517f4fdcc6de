m4_divert(-1)
# conv_dw.m4 - depthwise 2-D convolution (GROUPS == CIN == COUT): each
# channel convolved with its own KHxKW filter. Weights as in ONNX
# [C, 1, KH, KW]. Epilogue: bias, residual, activation.
#
# Each channel is first copied into a zero-padded plane (scratch), its
# columns split by phase modulo the stride: phase ph of padded row r holds
# padded columns ph, ph + SW, ph + 2*SW, ... So the input of output column
# ow under tap kw sits at phase (kw*DW) % SW, index ow + (kw*DW) / SW: for
# every tap, consecutive outputs read consecutive floats. The row loops are
# then branch-free and run 16 (AVX-512) or 8 (AVX2) outputs at a time; the
# plane rows have 16 spare floats, so vector loads never leave the plane.
# Parameters: NB C H W KH KW SH SW DH DW PT PL PB PR OH OW HAS_BIAS
#             ACT ACT_ALPHA ACT_BETA HAS_RESIDUAL
m4_need(`C')m4_need(`KH')
m4_define(`HP', m4_eval((OH - 1) * SH + (KH - 1) * DH + 1))
m4_define(`WPH', m4_eval((W + PL + PR + SW - 1) / SW + 16))
m4_define(`ROWLEN', m4_eval(SW * WPH))
m4_define(`NTAP', m4_eval(KH * KW))
# A plane larger than L1 (32 KB) is built row by row just ahead of the
# output row that first needs it, so the rows an output row reads were
# written moments before and are still in L1. Per-call minimum in
# mobilenet_v2 (min-per-call layertime.py, 3 rounds x 50 runs, us; ORT in
# brackets): 96 ch 112->56 stride 2 (66 KB plane): 646 -> 475, 576 -> 440
# (586).
# No plane at all (stride 1, taps reading the input rows in place with
# masked loads) measured slower for 14x14 and 28x28 planes (384 ch @14
# 28 -> 42, 192 ch @28 66 -> 107 us) and only ~5% faster at 112 and 7x7.
# Only strided planes: 32 ch @112 stride 1 (59 KB) measured 351 -> 340 and
# 308 -> 322, no gain. Others are built whole before the row loop, as
# before: row by row cost small planes a call per output row (384 ch @14:
# 40 -> 96), and even a test per row in the loop cost them 10-15%.
m4_define(`ROWWISE', m4_eval(SW > 1 && HP * ROWLEN * 4 > 32768))
m4_define(`BUILD_ROWS', `m4_ifelse(ROWWISE, 1, `$1if (oh * SH + (KH - 1) * DH + 1 > built) {
$1    KNAME`'_plane(x + (b * C + c) * (long)(H * W), pl, built, oh * SH + (KH - 1) * DH + 1);
$1    built = oh * SH + (KH - 1) * DH + 1;
$1}
')')
m4_include(`gemm_micro.m4')
m4_divert(0)m4_dnl
/* Scratch: HP x ROWLEN floats (one padded, phase-split channel). */
static void KNAME`'_plane(const float *restrict xc, float *restrict pl, long r0, long r1)
{
    float tmp[ROWLEN + 64];
    long r, q;
    for (r = r0; r < r1; r++) {
        long h = r - PT;
        float *row = pl + r * (long)ROWLEN;
        if (h < 0 || h >= H) {
            for (q = 0; q < ROWLEN; q++) row[q] = 0.0f;
            continue;
        }
m4_ifelse(SW, 1, `        (void)tmp;
m4_ifelse(m4_eval(W <= 16), 1, `#if MLEGEN_AVX512 && SIMD_OK
        /* Rows of at most 16 floats: 16 padded floats per store, the
           floats of the row expand-loaded into their lanes, the padding
           lanes zeros that read nothing. Per call in mobilenet_v2 (min of
           6 interleaved rounds, us): 384 ch @14 33 -> 26, 576 ch @14 52 ->
           42, 960 ch @7 43 -> 40; 192 ch @28 went 66 -> 100, so wider rows
           keep memcpy. */
        {
            const float *xr = xc + h * (long)W;
            for (q = 0; q < ROWLEN; q += 16) {
                long lo = PL - q < 0 ? 0 : PL - q > 16 ? 16 : PL - q;
                long hi = PL + W - q < 0 ? 0 : PL + W - q > 16 ? 16 : PL + W - q;
                __mmask16 vm = (__mmask16)(hi > lo ? ((1u << hi) - 1u) & ~((1u << lo) - 1u) : 0u);
                __mmask16 st = (__mmask16)(ROWLEN - q >= 16 ? 0xffff : (1u << (ROWLEN - q)) - 1u);
                _mm512_mask_storeu_ps(row + q, st, _mm512_maskz_expandloadu_ps(vm, vm ? xr + (q > PL ? q - PL : 0) : xc));
            }
            continue;
        }
#endif
')m4_dnl
        for (q = 0; q < PL; q++) row[q] = 0.0f;
        memcpy(row + PL, xc + h * (long)W, W * sizeof(float));
        for (q = PL + W; q < ROWLEN; q++) row[q] = 0.0f;
', `m4_ifelse(SW, 2, `m4_ifelse(m4_eval(PL < 16), 1, `#if MLEGEN_AVX512 && SIMD_OK
        /* Straight from the input row: each 16 padded floats are one masked
           load (zeros past the row) joined with the previous one by a
           permute that shifts in the PL left zeros; 32 of them split into
           even and odd phases by two permutes. No staging copy: reloading a
           row just written by narrower stores stalls store forwarding. */
        {
            const __m512i ev = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            const __m512i od = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
            const __m512i sh = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                                _mm512_set1_epi32(16 - PL));
            const float *xr = xc + h * (long)W;
            __m512 prev = _mm512_setzero_ps();
            long jc = 0; /* next 16-float chunk of the input row */
            (void)tmp;
            for (q = 0; q < WPH; q += 16) {
                __mmask16 m = (__mmask16)(WPH - q >= 16 ? 0xffff : (1u << (WPH - q)) - 1);
                __m512 v[2];
                long k;
                for (k = 0; k < 2; k++, jc++) {
                    long cnt = W - 16 * jc < 0 ? 0 : W - 16 * jc > 16 ? 16 : W - 16 * jc;
                    __m512 cur = _mm512_maskz_loadu_ps((__mmask16)((1u << cnt) - 1), cnt ? xr + 16 * jc : xr);
                    v[k] = _mm512_permutex2var_ps(prev, sh, cur);
                    prev = cur;
                }
                _mm512_mask_storeu_ps(row + q, m, _mm512_permutex2var_ps(v[0], ev, v[1]));
                _mm512_mask_storeu_ps(row + WPH + q, m, _mm512_permutex2var_ps(v[0], od, v[1]));
            }
            continue;
        }
#endif
')')m4_dnl
        for (q = 0; q < PL; q++) tmp[q] = 0.0f;
        memcpy(tmp + PL, xc + h * (long)W, W * sizeof(float));
        for (q = PL + W; q < ROWLEN + 64; q++) tmp[q] = 0.0f;
        for (q = 0; q < ROWLEN; q++) row[(q % SW) * WPH + q / SW] = tmp[q];
')m4_dnl
    }
}

static void KNAME`'(const float *restrict x, const float *restrict w, const float *restrict bias,
                  const float *restrict res, float *restrict y, float *restrict pl)
{
    long b, c, oh, ow, t;
    long toff[NTAP];
    for (t = 0; t < NTAP; t++) {
        long kh = t / KW, kw = t % KW;
        toff[t] = kh * DH * (long)ROWLEN + ((kw * DW) % SW) * WPH + (kw * DW) / SW;
    }
    (void)bias;
    (void)res;
    for (b = 0; b < NB; b++)
        for (c = 0; c < C; c++) {
            const float *wc = w + c * NTAP;
            long base = (b * C + c) * (long)(OH * OW);
            float *yc = y + base;
            (void)yc;
m4_ifelse(ROWWISE, 1, `            long built = 0;
', `            KNAME`'_plane(x + (b * C + c) * (long)(H * W), pl, 0, HP);
')m4_dnl
#if MLEGEN_AVX512 && SIMD_OK
            {
                __m512 wv[NTAP];
                __m512 bv = _mm512_set1_ps(m4_ifelse(HAS_BIAS, 1, `bias[c]', `0.0f'));
                for (t = 0; t < NTAP; t++) wv[t] = _mm512_set1_ps(wc[t]);
                for (oh = 0; oh < OH; oh++) {
BUILD_ROWS(`                    ')m4_dnl
                    const float *pr = pl + oh * SH * (long)ROWLEN;
                    for (ow = 0; ow < OW; ow += 16) {
                        __mmask16 m = (__mmask16)(OW - ow >= 16 ? 0xffff : (1u << (OW - ow)) - 1);
                        __m512 acc = bv;
                        for (t = 0; t < NTAP; t++)
                            acc = _mm512_fmadd_ps(wv[t], _mm512_loadu_ps(pr + toff[t] + ow), acc);
m4_ifelse(HAS_RESIDUAL, 1, `                        acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(m, res + base + oh * OW + ow));
')m4_dnl
                        _mm512_mask_storeu_ps(yc + oh * OW + ow, m, ACT_V512(acc));
                    }
                }
            }
#elif MLEGEN_AVX2 && SIMD_OK
            {
                const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
                __m256 wv[NTAP];
                __m256 bv = _mm256_set1_ps(m4_ifelse(HAS_BIAS, 1, `bias[c]', `0.0f'));
                for (t = 0; t < NTAP; t++) wv[t] = _mm256_set1_ps(wc[t]);
                for (oh = 0; oh < OH; oh++) {
BUILD_ROWS(`                    ')m4_dnl
                    const float *pr = pl + oh * SH * (long)ROWLEN;
                    for (ow = 0; ow < OW; ow += 8) {
                        __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(OW - ow)), iota);
                        __m256 acc = bv;
                        for (t = 0; t < NTAP; t++)
                            acc = _mm256_fmadd_ps(wv[t], _mm256_loadu_ps(pr + toff[t] + ow), acc);
m4_ifelse(HAS_RESIDUAL, 1, `                        acc = _mm256_add_ps(acc, _mm256_maskload_ps(res + base + oh * OW + ow, m));
')m4_dnl
                        _mm256_maskstore_ps(yc + oh * OW + ow, m, ACT_V256(acc));
                    }
                }
            }
#else
            for (oh = 0; oh < OH; oh++) {
BUILD_ROWS(`                ')m4_dnl
                const float *pr = pl + oh * SH * (long)ROWLEN;
                for (ow = 0; ow < OW; ow++) {
                    float v = m4_ifelse(HAS_BIAS, 1, `bias[c]', `0.0f');
                    for (t = 0; t < NTAP; t++) v += wc[t] * pr[toff[t] + ow];
                    EPILOGUE_STORE(`y', `v', `base + oh * OW + ow')
                }
            }
#endif
m4_ifelse(ACT_LATE, 1, `#if (MLEGEN_AVX2 || MLEGEN_AVX512) && SIMD_OK
            for (t = 0; t < OH * OW; t++) {
                float v = yc[t];
                yc[t] = ACT_APPLY(v);
            }
#endif
')m4_dnl
        }
}
