m4_divert(-1)
# conv_direct.m4 - dense (group 1) 2-D convolution computed directly, with
# output positions as the rows of the register tile and output channels as
# the vector dimension (compiler/ops/conv_direct.c packs the weights and
# decides when this kernel is used):
#     acc[i][o] = sum_{c,kh,kw} x[c][oh_i*SH + kh*DH][ow_i*SW + kw*DW] * w[o][c][kh][kw]
# The weights are packed in panels of 32 output channels, element (o, k) of
# panel p (k = (c * KH + kh) * KW + kw, ONNX order) at wp[(p * K + k) * 32 + o % 32],
# zero-padded, so one k step is two 16-lane loads (AVX-512) and every
# position of the tile is one broadcast of an input float.
# A tile is RT output rows by CT output columns (RT * CT <= 14 on AVX-512:
# 28 zmm accumulators; <= 6 on AVX2: 12 ymm accumulators per half panel);
# the position at tile row r, column q reads the input at the constant
# offset r * SH * XS + q * SW from the tile's corner, so the tile loops have
# no index arithmetic. 7x7 outputs take 2 x 7 tiles (49 = 3 x 14 + 7).
# The input is read in place when no padding is needed, else from a
# zero-padded copy of the image (HP x WP per channel) in scratch.
# Every tile accumulates the whole K = CIN * KH * KW in registers (the
# weight panel, K x 32 floats, streams from L1/L2: panels are the outer
# loop), then is stored through a small [position][channel] buffer and
# transposed into NCHW with the epilogue (bias, residual, activation).
# Parameters: NB CIN COUT H W KH KW SH SW DH DW PT PL OH OW HAS_BIAS
#             ACT ACT_ALPHA ACT_BETA HAS_RESIDUAL
m4_need(`CIN')m4_need(`COUT')m4_need(`OH')m4_need(`OW')
m4_define(`KK', m4_eval(CIN * KH * KW))
m4_define(`PANELS', m4_eval((COUT + 31) / 32))
m4_define(`HP', m4_eval((OH - 1) * SH + (KH - 1) * DH + 1))
m4_define(`WP', m4_eval((OW - 1) * SW + (KW - 1) * DW + 1))
m4_define(`PADDED', m4_eval(PT != 0 || PL != 0 || HP > H || WP > W))
m4_define(`XS', m4_ifelse(PADDED, 1, WP, W))
m4_define(`XPL', m4_ifelse(PADDED, 1, m4_eval(HP * WP), m4_eval(H * W)))
m4_include(`gemm_micro.m4')
m4_divert(-1)

# Tile geometry for at most $1 positions: sets CT, RT, CTT (OW % CT), RTT.
m4_define(`MIN', `m4_ifelse(m4_eval(($1) < ($2)), 1, `m4_eval($1)', `m4_eval($2)')')
m4_define(`GEOMETRY', `m4_ifelse(m4_eval(OW <= $1), 1,
  `m4_define(`CT', OW)m4_define(`RT', MIN($1 / OW, OH))',
  `m4_define(`CT', m4_eval((OW + (OW + $1 - 1) / $1 - 1) / ((OW + $1 - 1) / $1)))m4_define(`RT', 1)')m4_dnl
m4_define(`CTT', m4_eval(OW % CT))m4_define(`RTT', m4_eval(OH % RT))')

# Input offset of tile position I in a tile of $2 columns.
m4_define(`OFF', `m4_eval(($1 / $2) * SH * XS + ($1 % $2) * SW)')

# TILE512(NAME, R, C): acc over all of K for R x C positions, into tb.
m4_define(`TILE512', `
static void $1(const float *restrict xb, const float *restrict wp, float *restrict tb)
{
FOR(`I', 0, m4_eval($2 * $3 - 1), `    __m512 a`'I`'_0 = _mm512_setzero_ps(), a`'I`'_1 = _mm512_setzero_ps();
')    long c, kh, kw;
    for (c = 0; c < CIN; c++)
        for (kh = 0; kh < KH; kh++) {
            const float *xr = xb + c * (long)XPL + kh * (long)(DH * XS);
            for (kw = 0; kw < KW; kw++, wp += 32) {
                const float *xq = xr + kw * DW;
                __m512 w0 = _mm512_loadu_ps(wp), w1 = _mm512_loadu_ps(wp + 16), s;
                /* 8 k steps ahead: the first tile of a panel streams its
                   weights from memory (layer4 3x3 512->512 on 7x7: 2547 ->
                   2113 us, 3x3 s2 256->512: 1052 -> 914; neutral for the
                   stem, whose 19 KB panel stays in L1) */
                _mm_prefetch((const char *)(wp + 256), _MM_HINT_T0);
                _mm_prefetch((const char *)(wp + 272), _MM_HINT_T0);
FOR(`I', 0, m4_eval($2 * $3 - 1), `                s = _mm512_set1_ps(xq[OFF(I, $3)]);
                a`'I`'_0 = _mm512_fmadd_ps(s, w0, a`'I`'_0);
                a`'I`'_1 = _mm512_fmadd_ps(s, w1, a`'I`'_1);
')            }
        }
FOR(`I', 0, m4_eval($2 * $3 - 1), `    _mm512_storeu_ps(tb + I * 32, a`'I`'_0);
    _mm512_storeu_ps(tb + I * 32 + 16, a`'I`'_1);
')}
')

# TILE256(NAME, R, C): the same on AVX2, one 16-channel half of the panel
# at a time.
m4_define(`TILE256', `
static void $1(const float *restrict xb, const float *restrict wp0, float *restrict tb)
{
    long c, kh, kw, hf;
    for (hf = 0; hf < 32; hf += 16) {
        const float *wp = wp0 + hf;
FOR(`I', 0, m4_eval($2 * $3 - 1), `        __m256 a`'I`'_0 = _mm256_setzero_ps(), a`'I`'_1 = _mm256_setzero_ps();
')        for (c = 0; c < CIN; c++)
            for (kh = 0; kh < KH; kh++) {
                const float *xr = xb + c * (long)XPL + kh * (long)(DH * XS);
                for (kw = 0; kw < KW; kw++, wp += 32) {
                    const float *xq = xr + kw * DW;
                    __m256 w0 = _mm256_loadu_ps(wp), w1 = _mm256_loadu_ps(wp + 8), s;
FOR(`I', 0, m4_eval($2 * $3 - 1), `                    s = _mm256_broadcast_ss(xq + OFF(I, $3));
                    a`'I`'_0 = _mm256_fmadd_ps(s, w0, a`'I`'_0);
                    a`'I`'_1 = _mm256_fmadd_ps(s, w1, a`'I`'_1);
')                }
            }
FOR(`I', 0, m4_eval($2 * $3 - 1), `        _mm256_storeu_ps(tb + I * 32 + hf, a`'I`'_0);
        _mm256_storeu_ps(tb + I * 32 + hf + 8, a`'I`'_1);
')    }
}
')

# TILE1(NAME, R, C): portable scalar form.
m4_define(`TILE1', `
static void $1(const float *restrict xb, const float *restrict wp, float *restrict tb)
{
    long c, kh, kw, i, o;
    for (i = 0; i < $2 * $3 * 32; i++) tb[i] = 0.0f;
    for (c = 0; c < CIN; c++)
        for (kh = 0; kh < KH; kh++) {
            const float *xr = xb + c * (long)XPL + kh * (long)(DH * XS);
            for (kw = 0; kw < KW; kw++, wp += 32)
                for (i = 0; i < $2 * $3; i++) {
                    float s = xr[kw * DW + (i / $3) * (SH * XS) + (i % $3) * SW];
                    for (o = 0; o < 32; o++) tb[i * 32 + o] += s * wp[o];
                }
        }
}
')

# The tile functions of geometry RT x CT and the driver KNAME_tiles, which
# runs them over one image for every panel ($1: the tile macro).
m4_define(`TILES', `$1(KNAME`'_tile, RT, CT)m4_dnl
m4_ifelse(RTT, 0, `', `$1(KNAME`'_tile_r, RTT, CT)')m4_dnl
m4_ifelse(CTT, 0, `', `$1(KNAME`'_tile_c, RT, CTT)')m4_dnl
m4_ifelse(m4_eval(RTT != 0 && CTT != 0), 1, `$1(KNAME`'_tile_rc, RTT, CTT)')
static void KNAME`'_tiles(const float *restrict xb, const float *restrict wp, const float *restrict bias,
                        const float *restrict res, float *restrict y)
{
    float tb[RT * CT * 32];
    long p, oh0, ow0;
    for (p = 0; p < PANELS; p++) {
        const float *wpp = wp + p * (long)(KK * 32);
        long nch = COUT - p * 32 < 32 ? COUT - p * 32 : 32;
        for (oh0 = 0; oh0 < OH; oh0 += RT)
            for (ow0 = 0; ow0 < OW; ow0 += CT) {
                const float *xt = xb + oh0 * (long)(SH * XS) + ow0 * SW;
                long rt = OH - oh0 < RT ? OH - oh0 : RT, ct = OW - ow0 < CT ? OW - ow0 : CT;
m4_ifelse(RTT, 0, `', `                if (rt < RT && ct == CT) KNAME`'_tile_r(xt, wpp, tb); else
')m4_dnl
m4_ifelse(CTT, 0, `', `                if (rt == RT && ct < CT) KNAME`'_tile_c(xt, wpp, tb); else
')m4_dnl
m4_ifelse(m4_eval(RTT != 0 && CTT != 0), 1, `                if (rt < RT && ct < CT) KNAME`'_tile_rc(xt, wpp, tb); else
')m4_dnl
                KNAME`'_tile(xt, wpp, tb);
                KNAME`'_store(tb, rt, ct, bias, res, y, p * 32, nch, oh0, ow0);
            }
    }
}
')
m4_divert(0)m4_dnl
m4_ifelse(PADDED, 1, `
/* One image zero-padded into xp: HP rows of WP floats per channel. */
static void KNAME`'_pad(const float *restrict x, float *restrict xp)
{
    long c, r, j;
    long n = W < WP - PL ? W : WP - PL;
    for (c = 0; c < CIN; c++)
        for (r = 0; r < HP; r++) {
            float *d = xp + (c * (long)HP + r) * WP;
            long h = r - PT;
            if (h < 0 || h >= H || n <= 0) {
                for (j = 0; j < WP; j++) d[j] = 0.0f;
                continue;
            }
            for (j = 0; j < PL; j++) d[j] = 0.0f;
            memcpy(d + PL, x + (c * (long)H + h) * W, (size_t)n * sizeof(float));
            for (j = PL + n; j < WP; j++) d[j] = 0.0f;
        }
}
')m4_dnl

/* Output channels [o0, o0 + nch) of a tile of rt x ct positions at (oh0,
   ow0), from tb (position i = r * ct + q at tb[i * 32 + channel]) into y
   with the epilogue. */
static void KNAME`'_store(const float *restrict tb, long rt, long ct, const float *restrict bias,
                        const float *restrict res, float *restrict y, long o0, long nch, long oh0,
                        long ow0)
{
    long o, r, q;
    (void)bias;
    (void)res;
m4_ifelse(ACT_LATE, 0, `#if MLEGEN_AVX512 && SIMD_OK
    {
        /* 16x16 transposes in registers (gathers are slow on the
           machine used: 45% of the stem time went to them):
           unpack, 4-float shuffles, then two rounds of 128-bit lane
           shuffles; positions past rt * ct are zeros. Row r of channel o
           is lanes [r * ct, r * ct + ct), moved down by a permute. */
        __mmask16 m = (__mmask16)((1u << ct) - 1);
        long hf, i, n = rt * ct;
        for (hf = 0; hf < 32 && hf < nch; hf += 16) {
            __m512 v[16], t[16];
            for (i = 0; i < 16; i++) v[i] = i < n ? _mm512_loadu_ps(tb + i * 32 + hf) : _mm512_setzero_ps();
            for (i = 0; i < 16; i += 2) {
                t[i] = _mm512_unpacklo_ps(v[i], v[i + 1]);
                t[i + 1] = _mm512_unpackhi_ps(v[i], v[i + 1]);
            }
            for (i = 0; i < 16; i += 4) {
                v[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
                v[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xee);
                v[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
                v[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xee);
            }
            for (i = 0; i < 4; i++) {
                t[i] = _mm512_shuffle_f32x4(v[i], v[i + 4], 0x88);
                t[i + 4] = _mm512_shuffle_f32x4(v[i], v[i + 4], 0xdd);
                t[i + 8] = _mm512_shuffle_f32x4(v[i + 8], v[i + 12], 0x88);
                t[i + 12] = _mm512_shuffle_f32x4(v[i + 8], v[i + 12], 0xdd);
            }
            for (i = 0; i < 4; i++) {
                v[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
                v[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
                v[i + 4] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0x88);
                v[i + 12] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0xdd);
            }
            for (o = hf; o < hf + 16 && o < nch; o++)
                for (r = 0; r < rt; r++) {
                    long idx = (o0 + o) * (long)(OH * OW) + (oh0 + r) * OW + ow0;
                    __m512 e = r == 0 ? v[o - hf]
                                      : _mm512_permutexvar_ps(_mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                                                               _mm512_set1_epi32((int)(r * ct))), v[o - hf]);
m4_ifelse(HAS_BIAS, 1, `                    e = _mm512_add_ps(e, _mm512_set1_ps(bias[o0 + o]));
')m4_ifelse(HAS_RESIDUAL, 1, `                    e = _mm512_add_ps(e, _mm512_maskz_loadu_ps(m, res + idx));
')m4_dnl
                    _mm512_mask_storeu_ps(y + idx, m, ACT_V512(e));
                }
        }
        return;
    }
#endif
')m4_dnl
    for (o = 0; o < nch; o++)
        for (r = 0; r < rt; r++)
            for (q = 0; q < ct; q++) {
                long idx = (o0 + o) * (long)(OH * OW) + (oh0 + r) * OW + ow0 + q;
                float v = tb[(r * ct + q) * 32 + o]m4_ifelse(HAS_BIAS, 1, ` + bias[o0 + o]');
                EPILOGUE_STORE(`y', `v', `idx')
            }
}

#if MLEGEN_AVX512 && SIMD_OK
GEOMETRY(14)TILES(`TILE512')m4_dnl
#elif MLEGEN_AVX2 && SIMD_OK
GEOMETRY(6)TILES(`TILE256')m4_dnl
#else
GEOMETRY(4)TILES(`TILE1')m4_dnl
#endif

static void KNAME`'(const float *restrict x, const float *restrict wp, const float *restrict bias,
                  const float *restrict res, float *restrict y`'m4_ifelse(PADDED, 1, `, float *restrict scratch'))
{
    long b;
    for (b = 0; b < NB; b++) {
m4_ifelse(PADDED, 1, `        KNAME`'_pad(x + b * (long)(CIN * H * W), scratch);
        KNAME`'_tiles(scratch, wp, bias,
', `        KNAME`'_tiles(x + b * (long)(CIN * H * W), wp, bias,
')m4_dnl
                      m4_ifelse(HAS_RESIDUAL, 1, `res + b * (long)(COUT * OH * OW)', `res'), y + b * (long)(COUT * OH * OW));
    }
}
