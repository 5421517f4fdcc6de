m4_divert(-1)
# conv_gemm.m4 - 2-D convolution as a GEMM per image and group:
#     Y_g[MG, OH*OW] = W_g[MG, KG] * cols_g[KG, OH*OW]
# W is packed at compile time in 12-row panels: element (r, k) of panel p
# of group g sits at wp[((g * PANELS + p) * KG + k) * 12 + r], zero-padded.
# Blocking: K in blocks of KC (the micro-kernel accumulates into Y between
# blocks), columns in blocks of JB panels. The im2col of one KC x 32*JB
# block is packed on the fly into scratch (cols, at most 256 KB) in
# 32-column panels, so it is written and read while in L2 (a whole im2col
# matrix of a large layer would go to L3 and back); every weight panel
# sweeps over the block, each weight panel block (12 x KC) staying in L1.
# A 1x1, stride 1, unpadded convolution reads the input in place (rows NC
# floats apart); see PW_COLS_OUTER for its loop order. The epilogue (bias,
# residual, activation) runs in the micro-kernel on the last K block.
# Parameters: NB CIN COUT GROUPS H W KH KW SH SW DH DW PT PL OH OW
#             POINTWISE HAS_BIAS ACT ACT_ALPHA ACT_BETA HAS_RESIDUAL
m4_need(`CIN')m4_need(`COUT')m4_need(`GROUPS')m4_need(`POINTWISE')
m4_define(`CG', m4_eval(CIN / GROUPS))
m4_define(`MG', m4_eval(COUT / GROUPS))
m4_define(`KG', m4_eval(CIN / GROUPS * KH * KW))
m4_define(`NC', m4_eval(OH * OW))
m4_define(`PANELS', m4_eval((COUT / GROUPS + 11) / 12))
m4_define(`JPANELS', m4_eval((NC + 31) / 32))
m4_define(`KC', m4_ifelse(m4_eval(KG <= 512), 1, KG, 256))
m4_define(`JB', m4_ifelse(m4_eval(65536 / (KC * 32) < 1), 1, 1, m4_eval(65536 / (KC * 32))))
m4_define(`MK_LDB', m4_ifelse(POINTWISE, 1, NC, 32))
m4_define(`MK_LDC', NC)
m4_define(`MK_BIAS', m4_ifelse(HAS_BIAS, 1, `row', `none'))
m4_define(`TR', m4_eval(MG % 12))
# Pointwise loop order and prefetch, from the per-layer minimum times of
# mobilenet_v2 (a min-per-call variant of bench/prof/layertime.py, 3 rounds
# x 50 runs, us; ORT in brackets):
#   projections (MG <= KG): column panel outer, weight panels inner, so the
#   panel's kc x 32 input floats are read from memory once and then from
#   L1; the micro-kernel prefetches the next panel (32 floats on) of each
#   row it reads (the rows are NC floats apart, one page each: too many
#   streams for the hardware prefetcher). 16<-32 @112: 295-342 -> 209 (192);
#   24<-96 @56: 203 -> 126 (196); 24<-144 @56: 332 -> 238 (278);
#   32<-192 @28: 85 -> 70 (99); 96<-576 @14: 201 -> 190.
#   expansions (MG > KG): weight panels outer as before (column panel outer
#   writes MG rows a page apart per panel: 96<-16 @112 went 492 -> 798),
#   prefetching 128 floats (4 panels) ahead: 96<-16 @112: 492 -> 426;
#   576<-96 @14: 186 -> 169; 1280<-320 @7: 502 -> 454; 384<-64 @14: 210
#   -> 236 (the one loss).
#   projections whose weights pass 512 KB (MG * KG > 131072 floats) go
#   weight panels outer too: column panel outer would stream all of them
#   from L3 once per column panel. 960->320 @7 (1.2 MB): 356 -> 340;
#   960->160 @7 (614 KB): 181 -> 175 (min of 5 interleaved rounds).
#   expansions of a small image (NC <= 256) go column panel outer too: the
#   output is small enough to stay in L2, and the kc x 32 input block then
#   stays in L1. 14x14: 64->384 81 -> 72, 96->576 190 -> 171; 28x28 (NC
#   784) measured the same either way, so it stays weight panels outer.
#   Those expansions skip MK_PREFETCH_NEXT: the next column panel is read
#   once per weight panel, so most of the prefetches hit L1 and only take
#   load slots. 96->576 @14 alone (8 interleaved rounds): 200 -> 188 us;
#   the projections keep it (576->96 @14: 204 -> 214 us without).
# Weights over 512 KB stream from L3 or memory while the tile computes;
# the micro-kernel prefetches them into L2 4096 floats (16 KB) ahead:
# 7x7: 160->960 151 -> 137, 960->160 163 -> 154, 960->320 318 -> 296,
# 320->1280 411 -> 366 (min of 8 interleaved rounds; 1536 floats into L1
# gained about half as much, 8192 and 16384 the same as 4096).
m4_define(`PW_COLS_OUTER', m4_eval(POINTWISE && (MG <= KG || NC <= 256) && MG * KG <= 131072))
# Column-outer projections take K in blocks of at most 64 (32 when MG <= 32),
# split evenly: the kc x 32 input block, its rows NC floats apart and
# rarely 64-byte aligned (3 lines each), then stays in L1 across the weight
# panels, at the price of one more pass over the C tiles per block. 6
# interleaved rounds, us (KC 256 or KG before -> 64 -> 32): 576->96 @14
# 201 -> 193 -> 205; 384->64 @14 95 -> 90 -> 95; 384->96 @14 130 -> 115;
# 192->32 @28 99 -> 81 -> 78; 144->24 @56 276 -> 248 -> 212.
m4_define(`PW_KCAP', m4_ifelse(m4_eval(MG <= 32), 1, 32, 64))
m4_ifelse(m4_eval(PW_COLS_OUTER && MG <= KG && KG > PW_KCAP), 1, `m4_define(`KC', m4_eval((KG + (KG + PW_KCAP - 1) / PW_KCAP - 1) / ((KG + PW_KCAP - 1) / PW_KCAP)))')
m4_ifelse(POINTWISE, 1, `m4_ifelse(m4_eval(PW_COLS_OUTER && MG > KG), 1, `', `m4_define(`MK_PREFETCH_NEXT', m4_ifelse(PW_COLS_OUTER, 1, 32, 128))')')
m4_ifelse(m4_eval(POINTWISE && MG * KG > 131072), 1, `m4_define(`MK_PREFETCH_A', 4096)m4_define(`MK_PREFETCH_A_HINT', _MM_HINT_T1)')
m4_include(`gemm_micro.m4')
m4_divert(0)m4_dnl
m4_ifelse(POINTWISE, 0, `
/* im2col of columns [j0, j1) and rows [k0, k0 + kc) of one group into
   32-column panels of a kc-row block: element (k, j) at
   blk[((j - j0) / 32 * kc + k - k0) * 32 + j % 32]; the last panel is
   zero-padded. Each output row of a kernel tap is cut where it crosses a
   panel; a piece is zeros, then a (strided) copy of the input row, then
   zeros, so the loops have no per-element tests. */
static void KNAME`'_pack(const float *restrict x, float *restrict blk, long k0, long kc, long j0,
                        long j1)
{
    long k, oh, ow, j, n, t;
    for (k = k0; k < k0 + kc; k++) {
        long c = k / (KH * KW), kh = k / KW % KH, kw = k % KW, off = kw * DW - PL;
        /* Columns ow in [lo, hi) read inside the input row. */
        long lo = off >= 0 ? 0 : (-off + SW - 1) / SW;
        long hi = W - 1 - off < 0 ? 0 : (W - 1 - off) / SW + 1;
        float *row = blk + (k - k0) * 32;
        if (hi > OW) hi = OW;
        if (lo > hi) lo = hi;
        for (oh = j0 / OW; oh * OW < j1; oh++) {
            long h = oh * SH - PT + kh * DH;
            long a = oh * OW < j0 ? j0 - oh * OW : 0;
            long e = oh * OW + OW > j1 ? j1 - oh * OW : OW;
            long vlo = h < 0 || h >= H ? OW : lo, vhi = h < 0 || h >= H ? OW : hi;
            const float *xr = x + (c * H + (h < 0 || h >= H ? 0 : h)) * (long)W;
            for (j = oh * OW + a, ow = a; ow < e; ow += n, j += n) {
                float *d = row + ((j - j0) >> 5) * (kc * 32) + (j & 31) - ow;
                long z0, z1;
                n = 32 - (j & 31) < e - ow ? 32 - (j & 31) : e - ow;
                z0 = vlo < ow ? ow : vlo > ow + n ? ow + n : vlo;
                z1 = vhi < z0 ? z0 : vhi > ow + n ? ow + n : vhi;
#if MLEGEN_AVX512 && SIMD_OK
                /* Two masked 16-lane moves; lanes outside [z0, z1) are zeros
                   and read nothing. */
                {
                    unsigned long long all = n >= 32 ? 0xffffffffULL : (1ULL << n) - 1;
                    unsigned long long vm = ((1ULL << (z1 - ow)) - 1) & ~((1ULL << (z0 - ow)) - 1);
m4_ifelse(SW, 1, `                    /* expand-loads read only the valid floats, from z0 on */
                    const float *src = z0 < z1 ? xr + z0 + off : x;
                    long first = (z1 - ow < 16 ? z1 - ow : 16) - (z0 - ow < 16 ? z0 - ow : 16);
                    _mm512_mask_storeu_ps(d + ow, (__mmask16)all,
                                          _mm512_maskz_expandloadu_ps((__mmask16)vm, src));
                    if (n > 16)
                        _mm512_mask_storeu_ps(d + ow + 16, (__mmask16)(all >> 16),
                                              _mm512_maskz_expandloadu_ps((__mmask16)(vm >> 16), src + first));
', SW, 2, `                    /* stride 2: the valid lanes are contiguous, so the even
                       floats of the input span (two masked loads, one permute)
                       are expanded into them; no gather */
                    const __m512i ev = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
                    const float *src = z0 < z1 ? xr + z0 * 2 + off : x;
                    long n0 = (z1 - ow < 16 ? z1 - ow : 16) - (z0 - ow < 16 ? z0 - ow : 16), n1 = z1 - z0 - n0;
                    unsigned long long l0 = n0 > 0 ? (1ULL << (2 * n0 - 1)) - 1 : 0;
                    __m512 c0 = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps((__mmask16)l0, src), ev,
                                                       _mm512_maskz_loadu_ps((__mmask16)(l0 >> 16), src + 16));
                    _mm512_mask_storeu_ps(d + ow, (__mmask16)all, _mm512_maskz_expand_ps((__mmask16)vm, c0));
                    if (n > 16) {
                        unsigned long long l1 = n1 > 0 ? (1ULL << (2 * n1 - 1)) - 1 : 0;
                        const float *s1 = n1 > 0 ? src + 2 * n0 : x;
                        __m512 c1 = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps((__mmask16)l1, s1), ev,
                                                           _mm512_maskz_loadu_ps((__mmask16)(l1 >> 16), s1 + 16));
                        _mm512_mask_storeu_ps(d + ow + 16, (__mmask16)(all >> 16),
                                              _mm512_maskz_expand_ps((__mmask16)(vm >> 16), c1));
                    }
', `                    /* strided: gather lane i from column ow + i */
                    const float *src = z0 < z1 ? xr + z0 * SW + off : x;
                    __m512i idx = _mm512_mullo_epi32(
                        _mm512_sub_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                         _mm512_set1_epi32((int)(z0 - ow))),
                        _mm512_set1_epi32(SW));
                    _mm512_mask_storeu_ps(d + ow, (__mmask16)all,
                                          _mm512_mask_i32gather_ps(_mm512_setzero_ps(), (__mmask16)vm, idx, src, 4));
                    if (n > 16)
                        _mm512_mask_storeu_ps(d + ow + 16, (__mmask16)(all >> 16),
                                              _mm512_mask_i32gather_ps(_mm512_setzero_ps(), (__mmask16)(vm >> 16),
                                                                       _mm512_add_epi32(idx, _mm512_set1_epi32(16 * SW)), src, 4));
')m4_dnl
                    continue;
                }
#endif
                for (t = ow; t < z0; t++) d[t] = 0.0f;
                for (; t < z1; t++) d[t] = xr[t * SW + off];
                for (; t < ow + n; t++) d[t] = 0.0f;
            }
        }
        for (j = j1; j & 31; j++) row[((j - j0) >> 5) * (kc * 32) + (j & 31)] = 0.0f;
    }
}
')m4_dnl
GEMM_MICRO(`', 12)m4_ifelse(TR, 0, `', `GEMM_MICRO(`_t', TR)')

static void KNAME`'(const float *restrict x, const float *restrict wp, const float *restrict bias,
                  const float *restrict res, float *restrict y`'m4_ifelse(POINTWISE, 0, `, float *restrict cols'))
{
    long b, g, p, jb, jp, k0;
    (void)bias;
    (void)res;
    for (b = 0; b < NB; b++)
        for (g = 0; g < GROUPS; g++) {
            const float *xg = x + (b * CIN + g * CG) * (long)(H * W);
            float *yg = y + (b * COUT + g * MG) * (long)NC;
            for (k0 = 0; k0 < KG; k0 += KC) {
                long kc = KG - k0 < KC ? KG - k0 : KC;
m4_ifelse(PW_COLS_OUTER, 1, `                /* Pointwise: column panel outer, so its kc x 32 floats of
                   the input stay in L1 across all weight panels. */
                for (jp = 0; jp < JPANELS; jp++) {
                    long j0 = jp * 32, ncols = NC - j0 < 32 ? NC - j0 : 32;
                    const float *bm = xg + k0 * (long)NC + j0;
                    for (p = 0; p < PANELS; p++) {
                        const float *a = wp + ((g * PANELS + p) * (long)KG + k0) * 12;
                        long rows = MG - p * 12 < 12 ? MG - p * 12 : 12, off = p * 12 * (long)NC + j0;
                        m4_ifelse(TR, 0, `KNAME`'_micro', `(rows < 12 ? KNAME`'_micro_t : KNAME`'_micro)')(a, bm, yg + off, kc, rows, ncols, k0 == 0, k0 + kc == KG,
                                        m4_ifelse(HAS_BIAS, 1, `bias + g * MG + p * 12', `bias'),
                                        m4_ifelse(HAS_RESIDUAL, 1, `res + (b * COUT + g * MG) * (long)NC + off', `res'));
                    }
                }
                (void)jb;
                continue;
')m4_dnl
                for (jb = 0; jb < JPANELS; jb += JB) {
m4_ifelse(POINTWISE, 0, `                    KNAME`'_pack(xg, cols, k0, kc, jb * 32,
                                 (jb + JB) * 32 < NC ? (jb + JB) * 32 : NC);
')m4_dnl
                    for (p = 0; p < PANELS; p++) {
                        const float *a = wp + ((g * PANELS + p) * (long)KG + k0) * 12;
                        long rows = MG - p * 12 < 12 ? MG - p * 12 : 12;
                        for (jp = jb; jp < jb + JB && jp < JPANELS; jp++) {
                            long j0 = jp * 32, off = p * 12 * (long)NC + j0;
                            long ncols = NC - j0 < 32 ? NC - j0 : 32;
m4_ifelse(POINTWISE, 0, `                            const float *bm = cols + (jp - jb) * kc * 32;
', `                            const float *bm = xg + k0 * (long)NC + j0;
')m4_dnl
                            m4_ifelse(TR, 0, `KNAME`'_micro', `(rows < 12 ? KNAME`'_micro_t : KNAME`'_micro)')(a, bm, yg + off, kc, rows, ncols, k0 == 0, k0 + kc == KG,
                                        m4_ifelse(HAS_BIAS, 1, `bias + g * MG + p * 12', `bias'),
                                        m4_ifelse(HAS_RESIDUAL, 1, `res + (b * COUT + g * MG) * (long)NC + off', `res'));
                        }
                    }
                }
            }
        }
}
