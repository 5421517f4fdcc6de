m4_divert(-1)
# conv_pw_dw.m4 - an expansion 1x1 convolution (+bias, activation PACT)
# feeding a depthwise KHxKW convolution (+bias, activation ACT), fused so
# the expanded tensor never leaves the cache (compiler/ops/conv_fused.c
# decides when; compiler/passes/fuse_pw_dw.c builds the node):
#     e[CE, H, W] = PACT(W1[CE, CIN] * x[CIN, H*W] + b1)
#     y[CE, OH, OW] = ACT(depthwise(e, W2[CE, 1, KH, KW]) + b2)
# Work goes by bands of BR output rows; a band needs BRI expanded rows
# (its KH-SH halo rows are recomputed by the next band). Within a band,
# GP panels of 12 expanded channels at a time are computed by the shared
# GEMM micro-kernel (W1 packed in 12-row panels as conv_gemm.m4 has it,
# x read in place, rows H*W floats apart) into scratch: channel plane q at
# e + q * LDE, band row i at + i * W. The depthwise conv then reads those
# planes straight back (L1/L2) and writes y. Zero padding is never stored:
# rows outside the image are skipped and columns outside are masked-off
# lanes (the planes have GUARD spare floats before and after, so every
# masked load's address stays inside scratch). Dilations are 1, SW is 1
# or 2 (the pass checks).
# Parameters: NB CIN CE H W KH KW SH SW PT PL OH OW BR GP HAS_B1 HAS_B2
#             PACT PACT_ALPHA PACT_BETA ACT ACT_ALPHA ACT_BETA HAS_RESIDUAL
m4_need(`CIN')m4_need(`CE')m4_need(`BR')m4_need(`GP')m4_need(`PACT')
m4_define(`BRI', m4_eval((BR - 1) * SH + KH))
m4_define(`NCI', m4_eval(H * W))
m4_define(`LDE', m4_eval(BRI * W))
m4_define(`GUARD', 64)
m4_define(`ZW', m4_eval((W + 15) / 16 * 16))
m4_define(`PANELS', m4_eval((CE + 11) / 12))
m4_define(`NTAP', m4_eval(KH * KW))
m4_define(`NV16', m4_eval((OW + 15) / 16))
m4_define(`NV8', m4_eval((OW + 7) / 8))
m4_define(`TR', m4_eval(CE % 12))
# Stride 2 across an even width: the expansion stores each plane split by
# column parity (even columns, then odd ones LDE / 2 floats on; the
# micro-kernel's MK_SPLIT2), so every depthwise tap reads one phase with
# unit stride instead of two loads and a permute. mobilenet_v2 per call
# (layertime, min of 6 interleaved rounds, us): features.2 16->96 @112 s2
# 573 -> 524, features.4 24->144 @56 s2 253 -> 228.
m4_define(`SPLIT', m4_eval(SW == 2 && W % 2 == 0 && m4_ifelse(PACT, `sigmoid', 0, PACT, `tanh', 0, 1)))
m4_define(`HW', m4_eval(W / 2))
m4_ifelse(SPLIT, 1, `m4_define(`MK_SPLIT2', m4_eval(LDE / 2))')
m4_define(`MK_LDB', NCI)
m4_define(`MK_LDC', LDE)
m4_define(`MK_BIAS', m4_ifelse(HAS_B1, 1, `row', `none'))
m4_include(`gemm_micro.m4')m4_divert(-1)
# The micro-kernels get the expansion's activation; the depthwise part
# below gets the node's epilogue back.
m4_define(`DW_ACT', ACT)m4_define(`DW_ALPHA', ACT_ALPHA)m4_define(`DW_BETA', ACT_BETA)
m4_define(`ACT', PACT)m4_define(`ACT_ALPHA', PACT_ALPHA)m4_define(`ACT_BETA', PACT_BETA)
m4_divert(0)m4_dnl
GEMM_MICRO(`', 12)m4_ifelse(TR, 0, `', `GEMM_MICRO(`_t', TR)')m4_dnl
m4_divert(-1)
m4_define(`ACT', DW_ACT)m4_define(`ACT_ALPHA', DW_ALPHA)m4_define(`ACT_BETA', DW_BETA)
m4_divert(0)m4_dnl

/* Lanes i < 16 with 0 <= b + i < n, as a bit mask. */
static unsigned KNAME`'_lanes(long b, long n)
{
    long lo = b < 0 ? -b : 0, hi = n - b;
    if (lo > 16) lo = 16;
    if (hi > 16) hi = 16;
    if (hi <= lo) return 0u;
    return ((1u << hi) - 1u) & ~((1u << lo) - 1u);
}

m4_ifelse(SPLIT, 1, `/* Depthwise rows [oh0, oh1) of channels [c0, c1) from their expanded planes
   (band rows from r0 on, split by column parity: input column 2 * ow - PL +
   kw is phase (kw - PL) & 1, index ow + DOFF(kw)) into y; z is a row of
   zeros. */
m4_define(`PH', `m4_eval(((`$1') - PL + 2) % 2)')m4_dnl
m4_define(`DOFF', `m4_eval(((`$1') - PL - PH(`$1')) / 2)')m4_dnl
static void KNAME`'_dw(const float *restrict e, const float *restrict z, long r0, long oh0, long oh1, long c0, long c1,
                     const float *restrict w2, const float *restrict b2, float *restrict y)
{
    /* tap kw: its phase plane offset and its index offset */
    static const long poff[KW] = {FOR(`K', 0, m4_eval(KW - 2), `PH(K) * (LDE / 2), ')PH(m4_eval(KW - 1)) * (LDE / 2)};
    static const long doff[KW] = {FOR(`K', 0, m4_eval(KW - 2), `DOFF(K), ')DOFF(m4_eval(KW - 1))};
    long c, oh, ow, kh, kw;
    (void)b2;
    (void)z;
    (void)ow;
    (void)poff;
    (void)doff;
    (void)KNAME`'_lanes;
#if MLEGEN_AVX512 && SIMD_OK
    {
        __mmask16 mk[NV16][KW], om[NV16];
        long v;
        for (v = 0; v < NV16; v++) {
            om[v] = (__mmask16)KNAME`'_lanes(0, OW - v * 16);
            for (kw = 0; kw < KW; kw++)
                mk[v][kw] = (__mmask16)KNAME`'_lanes(v * 16 + doff[kw], (W - poff[kw] / (LDE / 2) + 1) / 2);
        }
        for (c = c0; c < c1; c++) {
            const float *pc = e + (c - c0) * (long)LDE, *wc = w2 + c * NTAP;
            __m512 bv = _mm512_set1_ps(m4_ifelse(HAS_B2, 1, `b2[c]', `0.0f'));
            __m512 wv[NTAP];
            for (kh = 0; kh < NTAP; kh++) wv[kh] = _mm512_set1_ps(wc[kh]);
            for (oh = oh0; oh < oh1; oh++) {
                float *yr = y + (c * OH + oh) * (long)OW;
                /* rows outside the image read zeros (z, poff ignored) */
                const float *pr[KH];
                int in[KH];
                for (kh = 0; kh < KH; kh++) {
                    long ih = oh * SH - PT + kh;
                    in[kh] = ih >= 0 && ih < H;
                    pr[kh] = in[kh] ? pc + (ih - r0) * HW : z;
                }
                for (v = 0; v < NV16; v++) {
                    __m512 part[KH], acc = bv;
                    for (kh = 0; kh < KH; kh++) {
                        part[kh] = _mm512_setzero_ps();
                        for (kw = 0; kw < KW; kw++) {
                            const float *q = pr[kh] + (in[kh] ? poff[kw] : 0) + v * 16 + doff[kw];
                            part[kh] = _mm512_fmadd_ps(wv[kh * KW + kw], _mm512_maskz_loadu_ps(mk[v][kw], q), part[kh]);
                        }
                    }
                    for (kh = 0; kh < KH; kh++) acc = _mm512_add_ps(acc, part[kh]);
                    _mm512_mask_storeu_ps(yr + v * 16, om[v], ACT_V512(acc));
                }
            }
        }
    }
#elif MLEGEN_AVX2 && SIMD_OK
    {
        const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        __m256i mk[NV8][KW], om[NV8];
        long v;
        for (v = 0; v < NV8; v++) {
            om[v] = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(OW - v * 8)), iota);
            for (kw = 0; kw < KW; kw++) {
                long b = v * 8 + doff[kw], n = (W - poff[kw] / (LDE / 2) + 1) / 2;
                mk[v][kw] = _mm256_and_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n - b)), iota),
                                             _mm256_cmpgt_epi32(iota, _mm256_set1_epi32((int)(-b - 1))));
            }
        }
        for (c = c0; c < c1; c++) {
            const float *pc = e + (c - c0) * (long)LDE, *wc = w2 + c * NTAP;
            __m256 bv = _mm256_set1_ps(m4_ifelse(HAS_B2, 1, `b2[c]', `0.0f'));
            for (oh = oh0; oh < oh1; oh++) {
                float *yr = y + (c * OH + oh) * (long)OW;
                for (v = 0; v < NV8; v++) {
                    __m256 acc = bv;
                    for (kh = 0; kh < KH; kh++) {
                        long ih = oh * SH - PT + kh;
                        if (ih < 0 || ih >= H) continue;
                        for (kw = 0; kw < KW; kw++)
                            acc = _mm256_fmadd_ps(_mm256_set1_ps(wc[kh * KW + kw]),
                                                  _mm256_maskload_ps(pc + poff[kw] + (ih - r0) * HW + v * 8 + doff[kw], mk[v][kw]),
                                                  acc);
                    }
                    _mm256_maskstore_ps(yr + v * 8, om[v], ACT_V256(acc));
                }
            }
        }
    }
#else
    for (c = c0; c < c1; c++) {
        const float *pc = e + (c - c0) * (long)LDE, *wc = w2 + c * NTAP;
        for (oh = oh0; oh < oh1; oh++)
            for (ow = 0; ow < OW; ow++) {
                float acc = m4_ifelse(HAS_B2, 1, `b2[c]', `0.0f');
                for (kh = 0; kh < KH; kh++) {
                    long ih = oh * SH - PT + kh;
                    if (ih < 0 || ih >= H) continue;
                    for (kw = 0; kw < KW; kw++) {
                        long iw = ow * SW - PL + kw;
                        if (iw < 0 || iw >= W) continue;
                        acc += wc[kh * KW + kw] * pc[(iw % 2) * (LDE / 2) + (ih - r0) * HW + iw / 2];
                    }
                }
                y[(c * OH + oh) * (long)OW + ow] = ACT_APPLY(acc);
            }
    }
#endif
}

', `/* Depthwise rows [oh0, oh1) of channels [c0, c1) from their expanded planes
   (band rows from r0 on) into y; z is a row of W zeros. */
static void KNAME`'_dw(const float *restrict e, const float *restrict z, long r0, long oh0, long oh1, long c0, long c1,
                     const float *restrict w2, const float *restrict b2, float *restrict y)
{
    long c, oh, ow, kh, kw;
    (void)b2;
    (void)z;
    (void)ow;
    (void)KNAME`'_lanes;
#if MLEGEN_AVX512 && SIMD_OK
    {
        /* Input lanes of vector v under tap kw, SW == 2 needs two loads. */
        __mmask16 mk[NV16][KW][SW], om[NV16];
        long v, s;
m4_ifelse(SW, 2, `        const __m512i ev = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
')m4_dnl
        for (v = 0; v < NV16; v++) {
            om[v] = (__mmask16)KNAME`'_lanes(0, OW - v * 16);
            for (kw = 0; kw < KW; kw++)
                for (s = 0; s < SW; s++)
                    mk[v][kw][s] = (__mmask16)KNAME`'_lanes(v * 16 * SW - PL + kw + s * 16, W);
        }
        for (c = c0; c < c1; c++) {
            const float *pc = e + (c - c0) * (long)LDE, *wc = w2 + c * NTAP;
            __m512 bv = _mm512_set1_ps(m4_ifelse(HAS_B2, 1, `b2[c]', `0.0f'));
            __m512 wv[NTAP];
            for (kh = 0; kh < NTAP; kh++) wv[kh] = _mm512_set1_ps(wc[kh]);
            for (oh = oh0; oh < oh1; oh++) {
                float *yr = y + (c * OH + oh) * (long)OW;
                /* Rows above or below the image read the zero row z: no
                   branches in the tap loops, which the compiler unrolls. */
                const float *pr[KH];
                for (kh = 0; kh < KH; kh++) {
                    long ih = oh * SH - PT + kh;
                    pr[kh] = (ih < 0 || ih >= H ? z : pc + (ih - r0) * W) - PL;
                }
                for (v = 0; v < NV16; v++) {
                    /* One sum per kernel row (shorter FMA chains); measured
                       no faster than one sum on features.3: the kernel is
                       bound by writing y, not by the taps. */
                    __m512 part[KH], acc = bv;
                    for (kh = 0; kh < KH; kh++) {
                        part[kh] = _mm512_setzero_ps();
                        for (kw = 0; kw < KW; kw++) {
                            const float *q = pr[kh] + v * 16 * SW + kw;
m4_ifelse(SW, 1, `                            __m512 in = _mm512_maskz_loadu_ps(mk[v][kw][0], q);
', `                            __m512 in = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(mk[v][kw][0], q), ev,
                                                               _mm512_maskz_loadu_ps(mk[v][kw][1], q + 16));
')m4_dnl
                            part[kh] = _mm512_fmadd_ps(wv[kh * KW + kw], in, part[kh]);
                        }
                    }
                    for (kh = 0; kh < KH; kh++) acc = _mm512_add_ps(acc, part[kh]);
                    _mm512_mask_storeu_ps(yr + v * 16, om[v], ACT_V512(acc));
                }
            }
        }
    }
#elif MLEGEN_AVX2 && SIMD_OK
    {
        const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        __m256i mk[NV8][KW][SW], om[NV8];
        long v, s;
        for (v = 0; v < NV8; v++) {
            om[v] = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(OW - v * 8)), iota);
            for (kw = 0; kw < KW; kw++)
                for (s = 0; s < SW; s++) {
                    long b = v * 8 * SW - PL + kw + s * 8;
                    mk[v][kw][s] = _mm256_and_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32((int)(W - b)), iota),
                                                    _mm256_cmpgt_epi32(iota, _mm256_set1_epi32((int)(-b - 1))));
                }
        }
        for (c = c0; c < c1; c++) {
            const float *pc = e + (c - c0) * (long)LDE, *wc = w2 + c * NTAP;
            __m256 bv = _mm256_set1_ps(m4_ifelse(HAS_B2, 1, `b2[c]', `0.0f'));
            for (oh = oh0; oh < oh1; oh++) {
                float *yr = y + (c * OH + oh) * (long)OW;
                for (v = 0; v < NV8; v++) {
                    __m256 acc = bv;
                    for (kh = 0; kh < KH; kh++) {
                        long ih = oh * SH - PT + kh;
                        const float *pr;
                        if (ih < 0 || ih >= H) continue;
                        pr = pc + (ih - r0) * W + v * 8 * SW - PL;
                        for (kw = 0; kw < KW; kw++) {
m4_ifelse(SW, 1, `                            __m256 in = _mm256_maskload_ps(pr + kw, mk[v][kw][0]);
', `                            /* even floats of 16: [a0 a2 b0 b2 a4 a6 b4 b6], then the 64-bit
                               pairs reordered */
                            __m256 lo = _mm256_maskload_ps(pr + kw, mk[v][kw][0]);
                            __m256 hi = _mm256_maskload_ps(pr + kw + 8, mk[v][kw][1]);
                            __m256 in = _mm256_castpd_ps(_mm256_permute4x64_pd(
                                _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0x88)), 0xD8));
')m4_dnl
                            acc = _mm256_fmadd_ps(_mm256_set1_ps(wc[kh * KW + kw]), in, acc);
                        }
                    }
                    _mm256_maskstore_ps(yr + v * 8, om[v], ACT_V256(acc));
                }
            }
        }
    }
#else
    for (c = c0; c < c1; c++) {
        const float *pc = e + (c - c0) * (long)LDE, *wc = w2 + c * NTAP;
        for (oh = oh0; oh < oh1; oh++)
            for (ow = 0; ow < OW; ow++) {
                float acc = m4_ifelse(HAS_B2, 1, `b2[c]', `0.0f');
                for (kh = 0; kh < KH; kh++) {
                    long ih = oh * SH - PT + kh;
                    if (ih < 0 || ih >= H) continue;
                    for (kw = 0; kw < KW; kw++) {
                        long iw = ow * SW - PL + kw;
                        if (iw < 0 || iw >= W) continue;
                        acc += wc[kh * KW + kw] * pc[(ih - r0) * W + iw];
                    }
                }
                y[(c * OH + oh) * (long)OW + ow] = ACT_APPLY(acc);
            }
    }
#endif
}
')m4_dnl
/* Scratch: GUARD, a zero row of ZW floats, GUARD, GP * 12 planes of LDE
   floats, GUARD. */
static void KNAME`'(const float *restrict x, const float *restrict w1, const float *restrict b1,
                  const float *restrict w2, const float *restrict b2, float *restrict y,
                  float *restrict scratch)
{
    float *z = scratch + GUARD, *e = z + ZW + GUARD;
    long b, oh0, p, p0, jp;
    (void)b1;
    for (jp = 0; jp < ZW; jp++) z[jp] = 0.0f;
    for (b = 0; b < NB; b++) {
        const float *xb = x + b * (long)(CIN * NCI);
        float *yb = y + b * (long)(CE * OH * OW);
        for (oh0 = 0; oh0 < OH; oh0 += BR) {
            long oh1 = oh0 + BR < OH ? oh0 + BR : OH;
            long r0 = oh0 * SH - PT, r1 = (oh1 - 1) * SH - PT + KH;
            long ncols;
            if (r0 < 0) r0 = 0;
            if (r1 > H) r1 = H;
            ncols = (r1 - r0) * (long)W;
            for (p0 = 0; p0 < PANELS; p0 += GP) {
                long p1 = p0 + GP < PANELS ? p0 + GP : PANELS;
                long c1 = p1 * 12 < CE ? p1 * 12 : CE;
                /* Column panels outer: a CIN x 32 block of x stays in L1
                   while every weight panel of the group passes over it. */
                for (jp = 0; jp * 32 < ncols; jp++) {
                    long j0 = jp * 32, cols = ncols - j0 < 32 ? ncols - j0 : 32;
                    for (p = p0; p < p1; p++) {
                        long rows = CE - p * 12 < 12 ? CE - p * 12 : 12;
                        m4_ifelse(TR, 0, `KNAME`'_micro', `(rows < 12 ? KNAME`'_micro_t : KNAME`'_micro)')(w1 + p * (long)(CIN * 12), xb + r0 * (long)W + j0,
                            e + (p - p0) * 12 * (long)LDE + m4_ifelse(SPLIT, 1, `j0 / 2', `j0'), CIN, rows, cols, 1, 1,
                            m4_ifelse(HAS_B1, 1, `b1 + p * 12', `b1'), 0);
                    }
                }
                KNAME`'_dw(e, z, r0, oh0, oh1, p0 * 12, c1, w2, b2, yb);
            }
        }
    }
}
