m4_divert(-1)
# conv_pw_t.m4 - a 1x1, stride-1, unpadded convolution on a small image,
# computed transposed: per image,
#     Y^T[NC, COUT] = X^T[NC, CIN] * W^T[CIN, COUT]
# so the vector lanes run over output channels (multiples of 16 in
# practice) instead of over the NC = OH*OW pixels. 49 pixels (7x7) fill a
# 32-column tile of conv_gemm.m4 to 49/64; here they are 4 panels of 12
# rows and a 1-row tail. The micro-kernel (gemm_micro.m4) reads X in place:
# the 12 pixels of a panel are consecutive in each channel plane, so A's
# k-step is NC floats (MK_LDA). W is packed at compile time like
# gemm_packed.m4's weights (32-column panels of two K x 16 halves over the
# output channels). Each 12 x 32 tile is written to a stack buffer and
# copied out transposed (pixel r of channel c to y[c * NC + r]; AVX-512:
# 16 x 16 register transposes, well ahead of 32 gathers per tile) with the
# epilogue: bias, residual, activation. No K blocking: the whole CIN is
# one pass, so each tile is copied out once.
# Loop order: weight panel outer (read once from L3 or memory, then from
# L2 for every pixel panel), pixel panels inner (the input, CIN x NC
# floats, stays in L2).
# Parameters: NB CIN COUT H W OH OW HAS_BIAS ACT ACT_ALPHA ACT_BETA
#             HAS_RESIDUAL
m4_need(`CIN')m4_need(`COUT')
m4_define(`NC', m4_eval(OH * OW))
m4_define(`PANELS', m4_eval((COUT + 31) / 32))
m4_define(`TR', m4_eval(NC % 12))
m4_define(`MK_LDA', NC)
m4_define(`MK_LDB', 16)
m4_define(`MK_BH', m4_eval(CIN * 16))
m4_define(`MK_LDC', 32)
m4_define(`MK_BIAS', `none')
m4_define(`MK_PREFETCH', 8)
# Channel C of the tile, its pixels in the lanes of vector V: epilogue and
# a masked store of ROWS lanes (AVX-512).
m4_define(`PWT_OUT512', `if ($2 < cols) {
                __m512 v = $1;
m4_ifelse(HAS_BIAS, 1, `                v = _mm512_add_ps(v, _mm512_set1_ps(bias[$2]));
')m4_ifelse(HAS_RESIDUAL, 1, `                v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, res + ($2) * NC));
')m4_ifelse(ACT_LATE, 1, `                {
                    float a[16];
                    long r;
                    _mm512_storeu_ps(a, v);
                    for (r = 0; r < rows; r++) {
                        float q = a[r];
                        y[($2) * NC + r] = ACT_APPLY(q);
                    }
                }
', `                _mm512_mask_storeu_ps(y + ($2) * NC, m, ACT_V512(v));
')            }')
m4_include(`gemm_micro.m4')
m4_divert(0)m4_dnl
GEMM_MICRO(`', 12)m4_ifelse(TR, 0, `', `GEMM_MICRO(`_t', TR)')
/* Copies the rows x cols tile t (row r, column c at t[r * 32 + c]) to
   y[c * NC + r], adding bias[c] and res[c * NC + r], then the activation. */
static void KNAME`'_out(const float *restrict t, const float *restrict bias,
                        const float *restrict res, float *restrict y, long rows, long cols)
{
    long c;
    (void)bias;
    (void)res;
#if MLEGEN_AVX512 && SIMD_OK
    {
        __mmask16 m = (__mmask16)((1u << rows) - 1);
        long h;
        (void)m; /* unused with a late activation and no residual */
        /* Per 16 channels: a 16 x 16 transpose in registers (rows 12-15
           zero), then one masked store of up to 12 pixels per channel. */
        for (h = 0; h * 16 < cols; h++) {
            const float *th = t + h * 16;
            __m512 FOR(`I', 0, 14, `r`'I, ')r15, FOR(`I', 0, 14, `u`'I, ')u15;
FOR(`I', 0, 11, `            r`'I = _mm512_loadu_ps(th + I * 32);
')FOR(`I', 12, 15, `            r`'I = _mm512_setzero_ps();
')FOR(`I', 0, 7, `            u`'m4_eval(2 * I) = _mm512_unpacklo_ps(r`'m4_eval(2 * I), r`'m4_eval(2 * I + 1));
            u`'m4_eval(2 * I + 1) = _mm512_unpackhi_ps(r`'m4_eval(2 * I), r`'m4_eval(2 * I + 1));
')FOR(`Q', 0, 3, `            r`'m4_eval(4 * Q) = _mm512_shuffle_ps(u`'m4_eval(4 * Q), u`'m4_eval(4 * Q + 2), 0x44);
            r`'m4_eval(4 * Q + 1) = _mm512_shuffle_ps(u`'m4_eval(4 * Q), u`'m4_eval(4 * Q + 2), 0xee);
            r`'m4_eval(4 * Q + 2) = _mm512_shuffle_ps(u`'m4_eval(4 * Q + 1), u`'m4_eval(4 * Q + 3), 0x44);
            r`'m4_eval(4 * Q + 3) = _mm512_shuffle_ps(u`'m4_eval(4 * Q + 1), u`'m4_eval(4 * Q + 3), 0xee);
')FOR(`I', 0, 3, `            u`'I = _mm512_shuffle_f32x4(r`'I, r`'m4_eval(I + 4), 0x88);
            u`'m4_eval(I + 4) = _mm512_shuffle_f32x4(r`'I, r`'m4_eval(I + 4), 0xdd);
            u`'m4_eval(I + 8) = _mm512_shuffle_f32x4(r`'m4_eval(I + 8), r`'m4_eval(I + 12), 0x88);
            u`'m4_eval(I + 12) = _mm512_shuffle_f32x4(r`'m4_eval(I + 8), r`'m4_eval(I + 12), 0xdd);
')FOR(`I', 0, 7, `            r`'I = _mm512_shuffle_f32x4(u`'I, u`'m4_eval(I + 8), 0x88);
            r`'m4_eval(I + 8) = _mm512_shuffle_f32x4(u`'I, u`'m4_eval(I + 8), 0xdd);
')FOR(`I', 0, 15, `            PWT_OUT512(`r`'I', `h * 16 + I')
')        }
        return;
    }
#endif
    for (c = 0; c < cols; c++) {
        long r;
        for (r = 0; r < rows; r++) {
            float v = t[r * 32 + c]m4_ifelse(HAS_BIAS, 1, ` + bias[c]');
            EPILOGUE_STORE(`y', `v', `c * NC + r')
        }
    }
}

static void KNAME`'(const float *restrict x, const float *restrict wp, const float *restrict bias,
                  const float *restrict res, float *restrict y)
{
    float t[12 * 32] MLEGEN_ALIGN64;
    long b, j, p0;
    /* Rows a tail panel leaves unwritten are read (and discarded) by the
       transpose: zero them once. */
    memset(t, 0, sizeof t);
    for (b = 0; b < NB; b++) {
        const float *xb = x + b * (long)CIN * NC;
        float *yb = y + b * (long)COUT * NC;
        for (j = 0; j < PANELS; j++) {
            long cols = COUT - j * 32 < 32 ? COUT - j * 32 : 32;
            const float *bp = wp + j * (long)CIN * 32;
            for (p0 = 0; p0 < NC; p0 += 12) {
                long rows = NC - p0 < 12 ? NC - p0 : 12;
                m4_ifelse(TR, 0, `KNAME`'_micro', `(rows < 12 ? KNAME`'_micro_t : KNAME`'_micro)')(xb + p0, bp, t, CIN, rows, cols, 1, 0, 0, 0);
                KNAME`'_out(t, m4_ifelse(HAS_BIAS, 1, `bias + j * 32', `bias'),
                            m4_ifelse(HAS_RESIDUAL, 1, `res + (b * (long)COUT + j * 32) * NC + p0', `res'),
                            yb + j * 32 * (long)NC + p0, rows, cols);
            }
        }
    }
}
