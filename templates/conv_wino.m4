m4_divert(-1)
# conv_wino.m4 - 3x3, stride-1 convolution by Winograd F(4x4, 3x3)
# (compiler/ops/conv_wino.c transforms and packs the weights):
#   1. input transform, per channel: the channel is copied into a zero-padded
#      plane with its columns split by phase modulo 4 (phase q of padded row
#      r holds padded columns q, q + 4, q + 8, ...), so element j of the 6
#      columns of tile tw sits at phase j % 4, index tw + j / 4: for every
#      j, consecutive tiles are consecutive floats, and the transform
#      V = BT d B runs on vectors of 16 (AVX-512) or 8 (AVX2) tiles.
#      V[xi][c][t] for the 36 positions xi, tiles t = th * TW + tw of the block;
#   2. 36 GEMMs M[xi][Cout, NT] = U[xi][Cout, Cin] * V[xi][Cin, NT] on the
#      shared micro-kernel (gemm_micro.m4, B rows NT floats apart);
#   3. output transform Y = AT M A on vectors of tiles, plus bias, then the
#      4 columns of each tile interleaved back (AVX-512: two rounds of
#      permutes) with the residual and activation, masked at the edges.
# The three steps run per block of TRB tile rows (conv_wino.c picks TRB so
# that V and M stay in L2 when that costs no GEMM padding).
# Tiles past OH x OW are computed on zero padding and dropped.
# Parameters: NB CIN COUT H W PT PL OH OW TRB HAS_BIAS ACT ACT_ALPHA ACT_BETA
#             HAS_RESIDUAL
m4_need(`CIN')m4_need(`COUT')m4_need(`OH')m4_need(`OW')m4_need(`TRB')
m4_define(`TH', m4_eval((OH + 3) / 4))
m4_define(`TW', m4_eval((OW + 3) / 4))
m4_define(`NT', m4_eval(TH * TW))
m4_define(`NTB', m4_eval(TRB * TW))
m4_define(`HP', m4_eval(4 * TRB + 2))
m4_define(`WQ', m4_eval((TW + 15) / 16 * 16 + 1))
m4_define(`PLANE', m4_eval(HP * 4 * WQ))
m4_define(`PANELS', m4_eval((COUT + 11) / 12))
m4_define(`KC', m4_ifelse(m4_eval(CIN <= 512), 1, CIN, 256))
m4_define(`MK_LDB', NTB)
m4_define(`MK_LDC', NTB)
m4_define(`MK_BIAS', `none')
m4_define(`TR', m4_eval(COUT % 12))
m4_include(`gemm_micro.m4')
m4_divert(-1)

# Rows of BT (6x6) and AT (4x6) applied to six operands $2..$7, with the
# vector operations WADD WSUB WFMA(a, s, c) = a * s + c of the current ISA.
m4_define(`BT', `m4_ifelse($1, 0, `WFMA($2, 4.0f, WFMA($4, -5.0f, $6))',
  $1, 1, `WFMA(WADD($3, $4), -4.0f, WADD($5, $6))',
  $1, 2, `WFMA(WSUB($3, $4), 4.0f, WSUB($6, $5))',
  $1, 3, `WFMA(WSUB($3, $5), -2.0f, WSUB($6, $4))',
  $1, 4, `WFMA(WSUB($3, $5), 2.0f, WSUB($6, $4))',
  `WFMA($3, 4.0f, WFMA($5, -5.0f, $7))')')
m4_define(`AT', `m4_ifelse($1, 0, `WADD(WADD($2, WADD($3, $4)), WADD($5, $6))',
  $1, 1, `WFMA(WSUB($5, $6), 2.0f, WSUB($3, $4))',
  $1, 2, `WFMA(WADD($5, $6), 4.0f, WADD($3, $4))',
  `WFMA(WSUB($5, $6), 8.0f, WADD(WSUB($3, $4), $7))')')

# WINO_IN: transform of the tiles at pp (plane row 4 * th, phase 0, tile
# tw) into vp (V of position 0, channel c, tile th * TW + tw).
m4_define(`WINO_IN', `{
                    WV d0, d1, d2, d3, d4, d5, s[6][6];
FOR(`J', 0, 5, `FOR(`I', 0, 5, `                    d`'I = WLD(pp + m4_eval((I * 4 + J % 4) * WQ + J / 4));
')FOR(`K', 0, 5, `                    s[K][J] = BT(K, d0, d1, d2, d3, d4, d5);
')')FOR(`K', 0, 5, `FOR(`L', 0, 5, `                    WST(vp + m4_eval((K * 6 + L) * CIN * NTB), BT(L, s[K][0], s[K][1], s[K][2], s[K][3], s[K][4], s[K][5]));
')')                }')

# WINO_OUT: output transform of the tiles at mp (M of position 0, channel
# o, tile th * TW + tw) into ov[a * 4 + b] (row a, column b of the tiles),
# bias added.
m4_define(`WINO_OUT', `WV ov[16];
                {
                    WV m[6], t[6][4], bv = WSET(m4_ifelse(HAS_BIAS, 1, `bias[o]', `0.0f'));
FOR(`K', 0, 5, `FOR(`L', 0, 5, `                    m[L] = WLDM(mp + m4_eval((K * 6 + L) * COUT * NTB));
')FOR(`A', 0, 3, `                    t[K][A] = AT(A, m[0], m[1], m[2], m[3], m[4], m[5]);
')')FOR(`B', 0, 3, `FOR(`A', 0, 3, `                    ov[A * 4 + B] = WADD(bv, AT(A, t[0][B], t[1][B], t[2][B], t[3][B], t[4][B], t[5][B]));
')')                }')

# WINO_SCATTER(LANES): the tiles of ov (stored to ob) into y, lane by lane,
# with the scalar epilogue.
m4_define(`WINO_SCATTER', `{
                    float ob[16][$1];
                    long i, a, bb;
                    for (i = 0; i < 16; i++) WSTO(ob[i], ov[i]);
                    for (i = 0; i < $1 && tw + i < TW; i++)
                        for (a = 0; a < 4 && th * 4 + a < OH; a++)
                            for (bb = 0; bb < 4 && (tw + i) * 4 + bb < OW; bb++) {
                                float r = ob[a * 4 + bb][i];
                                EPILOGUE_STORE(`y', `r', `ybase + (th * 4 + a) * OW + (tw + i) * 4 + bb')
                            }
                }')
m4_divert(0)m4_dnl
/* One channel of the input, zero-padded and split by column phase modulo 4
   (HP rows of 4 phases of WQ floats, from padded row r0 on). */
static void KNAME`'_plane(const float *restrict xc, float *restrict pl, long r0)
{
    float tmp[4 * WQ + 64];
    long r, q, m;
    for (r = 0; r < HP; r++) {
        long h = r0 + r - PT;
        float *row = pl + r * 4 * (long)WQ;
        if (h < 0 || h >= H) {
            for (q = 0; q < 4 * WQ; q++) row[q] = 0.0f;
            continue;
        }
m4_ifelse(m4_eval(PL < 16), 1, `#if MLEGEN_AVX512 && SIMD_OK
        /* Padded floats [4m, 4m + 64) straight from the input row: each
           16 is one masked load (zeros past the row) joined with the
           previous one by a permute that shifts in the PL left zeros. No
           staging copy: reloading a row just written by narrower stores
           stalls store forwarding. Then per phase two permutes and a
           256-bit lane shuffle. */
        (void)tmp;
        {
            const float *xr = xc + h * (long)W;
            const __m512i sh = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                                _mm512_set1_epi32(16 - PL));
            __m512 prev = _mm512_setzero_ps();
            long jc = 0; /* next 16-float chunk of the input row */
            for (m = 0; m < WQ; m += 16) {
                __mmask16 wm = (__mmask16)(WQ - m >= 16 ? 0xffff : (1u << (WQ - m)) - 1);
                __m512 v[4];
                long k;
                for (k = 0; k < 4; k++, jc++) {
                    long cnt = W - 16 * jc < 0 ? 0 : W - 16 * jc > 16 ? 16 : W - 16 * jc;
                    __m512 cur = _mm512_maskz_loadu_ps((__mmask16)((1u << cnt) - 1), cnt ? xr + 16 * jc : xr);
                    v[k] = _mm512_permutex2var_ps(prev, sh, cur);
                    prev = cur;
                }
                for (q = 0; q < 4; q++) {
                    /* lanes 0-7 of va / vb: phase q of the first / last 32 floats */
                    __m512i idx = _mm512_add_epi32(_mm512_set1_epi32((int)q),
                        _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28));
                    __m512 va = _mm512_permutex2var_ps(v[0], idx, v[1]), vb = _mm512_permutex2var_ps(v[2], idx, v[3]);
                    _mm512_mask_storeu_ps(row + q * WQ + m, wm, _mm512_shuffle_f32x4(va, vb, 0x44));
                }
            }
        }
        continue;
#endif
')m4_dnl
        for (q = 0; q < PL; q++) tmp[q] = 0.0f;
        memcpy(tmp + PL, xc + h * (long)W, W * sizeof(float));
        for (q = PL + W; q < 4 * WQ + 64; q++) tmp[q] = 0.0f;
        for (q = 0; q < 4; q++)
            for (m = 0; m < WQ; m++) row[q * WQ + m] = tmp[4 * m + q];
    }
}
m4_pushdef(`ACT', `none')m4_pushdef(`HAS_RESIDUAL', 0)m4_dnl
GEMM_MICRO(`', 12)m4_ifelse(TR, 0, `', `GEMM_MICRO(`_t', TR)')m4_dnl
m4_popdef(`ACT')m4_popdef(`HAS_RESIDUAL')

/* Scratch: the plane, V[36][CIN][NTB], M[36][COUT][NTB] (one block) and 16 spare floats. */
static void KNAME`'(const float *restrict x, const float *restrict u, const float *restrict bias,
                  const float *restrict res, float *restrict y, float *restrict scratch)
{
    float *pl = scratch, *v = scratch + PLANE, *mm = scratch + PLANE + 36 * CIN * NTB;
    long b, c, o, th, th0, tw, xi, p, jp, k0;
    (void)bias;
    (void)res;
    for (b = 0; b < NB; b++)
        for (th0 = 0; th0 < TH; th0 += TRB) { /* a block of tile rows */
            long th1 = th0 + TRB < TH ? th0 + TRB : TH, nb = (th1 - th0) * TW;
            for (c = 0; c < CIN; c++) {
                KNAME`'_plane(x + (b * CIN + c) * (long)(H * W), pl, th0 * 4);
                for (th = th0; th < th1; th++) {
#if MLEGEN_AVX512 && SIMD_OK
m4_pushdef(`WV', `__m512')m4_pushdef(`WADD', `_mm512_add_ps($1, $2)')m4_pushdef(`WSUB', `_mm512_sub_ps($1, $2)')m4_dnl
m4_pushdef(`WFMA', `_mm512_fmadd_ps($1, _mm512_set1_ps($2), $3)')m4_pushdef(`WLD', `_mm512_loadu_ps($1)')m4_dnl
m4_pushdef(`WST', `_mm512_mask_storeu_ps($1, wm, $2)')m4_dnl
                    for (tw = 0; tw < TW; tw += 16) {
                        const float *pp = pl + (th - th0) * 16 * (long)WQ + tw;
                        float *vp = v + c * (long)NTB + (th - th0) * TW + tw;
                        __mmask16 wm = (__mmask16)(TW - tw >= 16 ? 0xffff : (1u << (TW - tw)) - 1);
                        WINO_IN
                    }
m4_popdef(`WV', `WADD', `WSUB', `WFMA', `WLD', `WST')m4_dnl
#elif MLEGEN_AVX2 && SIMD_OK
m4_pushdef(`WV', `__m256')m4_pushdef(`WADD', `_mm256_add_ps($1, $2)')m4_pushdef(`WSUB', `_mm256_sub_ps($1, $2)')m4_dnl
m4_pushdef(`WFMA', `_mm256_fmadd_ps($1, _mm256_set1_ps($2), $3)')m4_pushdef(`WLD', `_mm256_loadu_ps($1)')m4_dnl
m4_pushdef(`WST', `_mm256_maskstore_ps($1, wm, $2)')m4_dnl
                    for (tw = 0; tw < TW; tw += 8) {
                        const float *pp = pl + (th - th0) * 16 * (long)WQ + tw;
                        float *vp = v + c * (long)NTB + (th - th0) * TW + tw;
                        __m256i wm = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(TW - tw)),
                                                        _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
                        WINO_IN
                    }
m4_popdef(`WV', `WADD', `WSUB', `WFMA', `WLD', `WST')m4_dnl
#else
m4_pushdef(`WV', `float')m4_pushdef(`WADD', `($1 + $2)')m4_pushdef(`WSUB', `($1 - $2)')m4_dnl
m4_pushdef(`WFMA', `($1 * $2 + $3)')m4_pushdef(`WLD', `*($1)')m4_pushdef(`WST', `*($1) = $2')m4_dnl
                    for (tw = 0; tw < TW; tw++) {
                        const float *pp = pl + (th - th0) * 16 * (long)WQ + tw;
                        float *vp = v + c * (long)NTB + (th - th0) * TW + tw;
                        WINO_IN
                    }
m4_popdef(`WV', `WADD', `WSUB', `WFMA', `WLD', `WST')m4_dnl
#endif
                }
            }
            for (xi = 0; xi < 36; xi++)
                for (k0 = 0; k0 < CIN; k0 += KC) {
                    long kc = CIN - k0 < KC ? CIN - k0 : KC;
                    for (p = 0; p < PANELS; p++) {
                        const float *a = u + ((xi * PANELS + p) * (long)CIN + k0) * 12;
                        long rows = COUT - p * 12 < 12 ? COUT - p * 12 : 12;
                        for (jp = 0; jp < nb; jp += 32)
                            m4_ifelse(TR, 0, `KNAME`'_micro', `(rows < 12 ? KNAME`'_micro_t : KNAME`'_micro)')(a, v + (xi * CIN + k0) * (long)NTB + jp,
                                        mm + (xi * COUT + p * 12) * (long)NTB + jp, kc, rows,
                                        nb - jp < 32 ? nb - jp : 32, k0 == 0, k0 + kc == CIN, bias, res);
                    }
                }
            for (o = 0; o < COUT; o++) {
                long ybase = (b * COUT + o) * (long)(OH * OW);
                (void)ybase;
                for (th = th0; th < th1; th++) {
#if MLEGEN_AVX512 && SIMD_OK
m4_pushdef(`WV', `__m512')m4_pushdef(`WADD', `_mm512_add_ps($1, $2)')m4_pushdef(`WSUB', `_mm512_sub_ps($1, $2)')m4_dnl
m4_pushdef(`WFMA', `_mm512_fmadd_ps($1, _mm512_set1_ps($2), $3)')m4_pushdef(`WLDM', `_mm512_maskz_loadu_ps(wm, $1)')m4_dnl
m4_pushdef(`WSET', `_mm512_set1_ps($1)')m4_pushdef(`WSTO', `_mm512_storeu_ps($1, $2)')m4_dnl
                    for (tw = 0; tw < TW; tw += 16) {
                        const float *mp = mm + o * (long)NTB + (th - th0) * TW + tw;
                        __mmask16 wm = (__mmask16)(TW - tw >= 16 ? 0xffff : (1u << (TW - tw)) - 1);
                        WINO_OUT
m4_ifelse(ACT_LATE, 1, `                    WINO_SCATTER(16)
', `                    {
                            /* interleave the 4 columns of 16 tiles: row a of the
                               tiles is 64 consecutive outputs, 16 per vector */
                            const __m512i i0 = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
                            const __m512i i1 = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
                            const __m512i i2 = _mm512_setr_epi32(0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
                            const __m512i i3 = _mm512_setr_epi32(8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
                            long a, q;
                            for (a = 0; a < 4 && th * 4 + a < OH; a++) {
                                __m512 e01 = _mm512_permutex2var_ps(ov[a * 4], i0, ov[a * 4 + 1]);
                                __m512 f01 = _mm512_permutex2var_ps(ov[a * 4], i1, ov[a * 4 + 1]);
                                __m512 e23 = _mm512_permutex2var_ps(ov[a * 4 + 2], i0, ov[a * 4 + 3]);
                                __m512 f23 = _mm512_permutex2var_ps(ov[a * 4 + 2], i1, ov[a * 4 + 3]);
                                __m512 z[4];
                                z[0] = _mm512_permutex2var_ps(e01, i2, e23);
                                z[1] = _mm512_permutex2var_ps(e01, i3, e23);
                                z[2] = _mm512_permutex2var_ps(f01, i2, f23);
                                z[3] = _mm512_permutex2var_ps(f01, i3, f23);
                                for (q = 0; q < 4; q++) {
                                    long col = tw * 4 + q * 16, idx = ybase + (th * 4 + a) * OW + col;
                                    long n = OW - col < 0 ? 0 : OW - col > 16 ? 16 : OW - col;
                                    __mmask16 sm = (__mmask16)((1u << n) - 1);
                                    __m512 r = z[q];
m4_ifelse(HAS_RESIDUAL, 1, `                                r = _mm512_add_ps(r, _mm512_maskz_loadu_ps(sm, res + idx));
')m4_dnl
                                    _mm512_mask_storeu_ps(y + idx, sm, ACT_V512(r));
                                }
                            }
                        }
')m4_dnl
                    }
m4_popdef(`WV', `WADD', `WSUB', `WFMA', `WLDM', `WSET', `WSTO')m4_dnl
#elif MLEGEN_AVX2 && SIMD_OK
m4_pushdef(`WV', `__m256')m4_pushdef(`WADD', `_mm256_add_ps($1, $2)')m4_pushdef(`WSUB', `_mm256_sub_ps($1, $2)')m4_dnl
m4_pushdef(`WFMA', `_mm256_fmadd_ps($1, _mm256_set1_ps($2), $3)')m4_pushdef(`WLDM', `_mm256_maskload_ps($1, wm)')m4_dnl
m4_pushdef(`WSET', `_mm256_set1_ps($1)')m4_pushdef(`WSTO', `_mm256_storeu_ps($1, $2)')m4_dnl
                    for (tw = 0; tw < TW; tw += 8) {
                        const float *mp = mm + o * (long)NTB + (th - th0) * TW + tw;
                        __m256i wm = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(TW - tw)),
                                                        _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
                        WINO_OUT
                        WINO_SCATTER(8)
                    }
m4_popdef(`WV', `WADD', `WSUB', `WFMA', `WLDM', `WSET', `WSTO')m4_dnl
#else
m4_pushdef(`WV', `float')m4_pushdef(`WADD', `($1 + $2)')m4_pushdef(`WSUB', `($1 - $2)')m4_dnl
m4_pushdef(`WFMA', `($1 * $2 + $3)')m4_pushdef(`WLDM', `*($1)')m4_dnl
m4_pushdef(`WSET', `($1)')m4_pushdef(`WSTO', `$1[0] = $2')m4_dnl
                    for (tw = 0; tw < TW; tw++) {
                        const float *mp = mm + o * (long)NTB + (th - th0) * TW + tw;
                        WINO_OUT
                        WINO_SCATTER(1)
                    }
m4_popdef(`WV', `WADD', `WSUB', `WFMA', `WLDM', `WSET', `WSTO')m4_dnl
#endif
                }
            }
        }
}
