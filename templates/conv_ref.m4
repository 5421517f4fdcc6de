m4_divert(-1)
# conv_ref.m4 - the reference 2-D convolution: direct loops, any groups,
# weights in ONNX layout [COUT, CIN/GROUPS, KH, KW]. Used at -O0 and as
# the oracle for the optimized convolutions' tests.
# Parameters: NB CIN COUT GROUPS H W KH KW SH SW DH DW PT PL OH OW HAS_BIAS
#             ACT ACT_ALPHA ACT_BETA HAS_RESIDUAL
m4_need(`CIN')m4_need(`COUT')m4_need(`GROUPS')
m4_define(`CG', m4_eval(CIN / GROUPS))
m4_define(`MG', m4_eval(COUT / GROUPS))
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, const float *restrict w, const float *restrict bias,
                  const float *restrict res, float *restrict y)
{
    long b, m, oh, ow, c, kh, kw;
    (void)bias;
    (void)res;
    for (b = 0; b < NB; b++)
        for (m = 0; m < COUT; m++) {
            long g = m / MG;
            for (oh = 0; oh < OH; oh++)
                for (ow = 0; ow < OW; ow++) {
                    float v = m4_ifelse(HAS_BIAS, 1, `bias[m]', `0.0f');
                    long idx = ((b * COUT + m) * OH + oh) * (long)OW + ow;
                    for (c = 0; c < CG; c++)
                        for (kh = 0; kh < KH; kh++) {
                            long h = oh * SH - PT + kh * DH;
                            if (h < 0 || h >= H) continue;
                            for (kw = 0; kw < KW; kw++) {
                                long wi = ow * SW - PL + kw * DW;
                                if (wi < 0 || wi >= W) continue;
                                v += x[((b * CIN + g * CG + c) * H + h) * (long)W + wi] *
                                     w[((m * CG + c) * KH + kh) * KW + kw];
                            }
                        }
                    EPILOGUE_STORE(`y', `v', `idx')
                }
        }
}
