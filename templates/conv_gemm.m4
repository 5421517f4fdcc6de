m4_divert(-1)
# conv_gemm.m4 - 2-D convolution as a GEMM per image and group:
#     Y_g[MG, OH*OW] = W_g[MG, KG] * cols_g[KG, OH*OW]
# W is packed at compile time in 12-row panels: element (r, k) of panel p
# of group g sits at wp[((g * PANELS + p) * KG + k) * 12 + r], zero-padded.
# cols is the im2col of the group's input (skipped for 1x1, stride 1, no
# padding, where the input already is cols). Epilogue: bias, residual,
# activation, fused into the store.
# Parameters: NB CIN COUT GROUPS H W KH KW SH SW DH DW PT PL OH OW
#             POINTWISE HAS_BIAS ACT ACT_ALPHA ACT_BETA HAS_RESIDUAL
m4_need(`CIN')m4_need(`COUT')m4_need(`GROUPS')m4_need(`POINTWISE')
m4_define(`CG', m4_eval(CIN / GROUPS))
m4_define(`MG', m4_eval(COUT / GROUPS))
m4_define(`KG', m4_eval(CIN / GROUPS * KH * KW))
m4_define(`NC', m4_eval(OH * OW))
m4_define(`PANELS', m4_eval((COUT / GROUPS + 11) / 12))
m4_divert(0)m4_dnl
m4_ifelse(POINTWISE, 0, `
static void KNAME`'_im2col(const float *restrict x, float *restrict cols)
{
    long c, kh, kw, oh, ow;
    for (c = 0; c < CG; c++)
        for (kh = 0; kh < KH; kh++)
            for (kw = 0; kw < KW; kw++) {
                float *row = cols + ((c * KH + kh) * KW + kw) * (long)NC;
                for (oh = 0; oh < OH; oh++) {
                    long h = oh * SH - PT + kh * DH;
                    if (h < 0 || h >= H) {
                        for (ow = 0; ow < OW; ow++) row[oh * OW + ow] = 0.0f;
                        continue;
                    }
                    for (ow = 0; ow < OW; ow++) {
                        long w = ow * SW - PL + kw * DW;
                        row[oh * OW + ow] = (w >= 0 && w < W) ? x[(c * H + h) * W + w] : 0.0f;
                    }
                }
            }
}
')
/* One 12-row panel times columns [j0, j0 + jn) of b, jn <= 16. */
static void KNAME`'_panel(const float *restrict a, const float *restrict b, long j0, long jn,
                          float acc[12][16])
{
    long k, r, c;
    for (r = 0; r < 12; r++)
        for (c = 0; c < 16; c++) acc[r][c] = 0.0f;
#if MLEGEN_AVX2 && SIMD_OK
    if (jn == 16) {
        __m256 c0[12], c1[12];
        for (r = 0; r < 12; r++) c0[r] = c1[r] = _mm256_setzero_ps();
        for (k = 0; k < KG; k++) {
            const float *br = b + k * (long)NC + j0;
            __m256 b0 = _mm256_loadu_ps(br), b1 = _mm256_loadu_ps(br + 8);
            for (r = 0; r < 12; r++) {
                __m256 av = _mm256_broadcast_ss(a + k * 12 + r);
                c0[r] = _mm256_fmadd_ps(av, b0, c0[r]);
                c1[r] = _mm256_fmadd_ps(av, b1, c1[r]);
            }
        }
        for (r = 0; r < 12; r++) {
            _mm256_storeu_ps(acc[r], c0[r]);
            _mm256_storeu_ps(acc[r] + 8, c1[r]);
        }
        return;
    }
#endif
    for (k = 0; k < KG; k++) {
        const float *br = b + k * (long)NC + j0;
        for (r = 0; r < 12; r++) {
            float av = a[k * 12 + r];
            for (c = 0; c < jn; c++) acc[r][c] += av * br[c];
        }
    }
}

static void KNAME`'(const float *restrict x, const float *restrict wp, const float *restrict bias,
                  const float *restrict res, float *restrict y`'m4_ifelse(POINTWISE, 0, `, float *restrict cols'))
{
    long b, g, p, j0, r, c;
    float acc[12][16];
    (void)bias;
    (void)res;
    for (b = 0; b < NB; b++)
        for (g = 0; g < GROUPS; g++) {
            const float *xg = x + (b * CIN + g * CG) * (long)(H * W);
m4_ifelse(POINTWISE, 0, `            KNAME`'_im2col(xg, cols);
            const float *bm = cols;', `            const float *bm = xg;')
            for (p = 0; p < PANELS; p++) {
                const float *a = wp + (g * PANELS + p) * (long)KG * 12;
                long rows = MG - p * 12 < 12 ? MG - p * 12 : 12;
                for (j0 = 0; j0 < NC; j0 += 16) {
                    long jn = NC - j0 < 16 ? NC - j0 : 16;
                    KNAME`'_panel(a, bm, j0, jn, acc);
                    for (r = 0; r < rows; r++) {
                        long m = g * MG + p * 12 + r;
                        long base = (b * COUT + m) * (long)NC + j0;
                        for (c = 0; c < jn; c++) {
                            float v = acc[r][c]m4_ifelse(HAS_BIAS, 1, ` + bias[m]');
                            EPILOGUE_STORE(`y', `v', `base + c')
                        }
                    }
                }
            }
        }
}
