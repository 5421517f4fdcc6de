m4_divert(-1)
# conv_gemm.m4 - 2-D convolution as a GEMM per image and group:
#     Y_g[MG, OH*OW] = W_g[MG, KG] * cols_g[KG, OH*OW]
# W is packed at compile time in 12-row panels: element (r, k) of panel p
# of group g sits at wp[((g * PANELS + p) * KG + k) * 12 + r], zero-padded.
# cols is the im2col of the group's input, written straight into 32-column
# panels (element (k, j) at cols[((j / 32) * KG + k) * 32 + j % 32], the
# last panel zero-padded) so the micro-kernel streams it contiguously. A
# 1x1, stride 1, unpadded convolution reads the input in place (rows NC
# floats apart).
#
# Blocking: K in blocks of KC (the micro-kernel accumulates into Y between
# blocks), columns in blocks of JB panels so a KC x 32*JB block of cols
# stays in L2 while every weight panel sweeps over it; each weight panel
# block (12 x KC) stays in L1 across that sweep. The epilogue (bias,
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
m4_include(`gemm_micro.m4')
m4_divert(0)m4_dnl
m4_ifelse(POINTWISE, 0, `
/* im2col of one group into 32-column panels: each output row of a
   kernel tap is gathered into a line (zeros where the tap falls into the
   padding), then copied into the panels in contiguous pieces. */
static void KNAME`'_im2col(const float *restrict x, float *restrict cols)
{
    float line[OW];
    long c, kh, kw, oh, ow, j, n;
    for (c = 0; c < CG; c++)
        for (kh = 0; kh < KH; kh++)
            for (kw = 0; kw < KW; kw++) {
                long k = (c * KH + kh) * KW + kw, off = kw * DW - PL;
                /* Columns ow in [lo, hi) read inside the input row. */
                long lo = off >= 0 ? 0 : (-off + SW - 1) / SW;
                long hi = W - 1 - off < 0 ? 0 : (W - 1 - off) / SW + 1;
                float *row = cols + k * 32;
                if (hi > OW) hi = OW;
                if (lo > hi) lo = hi;
                for (oh = 0; oh < OH; oh++) {
                    long h = oh * SH - PT + kh * DH;
                    if (h < 0 || h >= H) {
                        for (ow = 0; ow < OW; ow++) line[ow] = 0.0f;
                    } else {
                        const float *xr = x + (c * H + h) * (long)W + off;
                        for (ow = 0; ow < lo; ow++) line[ow] = 0.0f;
                        for (; ow < hi; ow++) line[ow] = xr[ow * SW];
                        for (; ow < OW; ow++) line[ow] = 0.0f;
                    }
                    for (j = oh * OW, ow = 0; ow < OW; ow += n, j += n) {
                        n = 32 - (j & 31) < OW - ow ? 32 - (j & 31) : OW - ow;
                        memcpy(row + (j >> 5) * (KG * 32L) + (j & 31), line + ow,
                               (size_t)n * sizeof(float));
                    }
                }
                for (j = NC; j < JPANELS * 32; j++) row[(j >> 5) * (KG * 32L) + (j & 31)] = 0.0f;
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
m4_ifelse(POINTWISE, 0, `            KNAME`'_im2col(xg, cols);
', `')m4_dnl
            for (k0 = 0; k0 < KG; k0 += KC) {
                long kc = KG - k0 < KC ? KG - k0 : KC;
                for (jb = 0; jb < JPANELS; jb += JB)
                    for (p = 0; p < PANELS; p++) {
                        const float *a = wp + ((g * PANELS + p) * (long)KG + k0) * 12;
                        long rows = MG - p * 12 < 12 ? MG - p * 12 : 12;
                        for (jp = jb; jp < jb + JB && jp < JPANELS; jp++) {
                            long j0 = jp * 32, off = p * 12 * (long)NC + j0;
                            long ncols = NC - j0 < 32 ? NC - j0 : 32;
m4_ifelse(POINTWISE, 0, `                            const float *bm = cols + (jp * (long)KG + k0) * 32;
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
