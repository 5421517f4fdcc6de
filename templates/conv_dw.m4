m4_divert(-1)
# conv_dw.m4 - depthwise 2-D convolution (GROUPS == CIN == COUT): each
# channel convolved with its own KHxKW filter. Weights as in ONNX
# [C, 1, KH, KW]. Epilogue: bias, residual, activation.
# Parameters: NB C H W KH KW SH SW DH DW PT PL OH OW HAS_BIAS ACT ACT_ALPHA ACT_BETA HAS_RESIDUAL
m4_need(`C')m4_need(`KH')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, const float *restrict w, const float *restrict bias,
                  const float *restrict res, float *restrict y)
{
    long b, c, oh, ow, kh, kw;
    (void)bias;
    (void)res;
    for (b = 0; b < NB; b++)
        for (c = 0; c < C; c++) {
            const float *xc = x + (b * C + c) * (long)(H * W);
            const float *wc = w + c * (KH * KW);
            for (oh = 0; oh < OH; oh++)
                for (ow = 0; ow < OW; ow++) {
                    float v = m4_ifelse(HAS_BIAS, 1, `bias[c]', `0.0f');
                    long idx = ((b * C + c) * OH + oh) * (long)OW + ow;
                    for (kh = 0; kh < KH; kh++) {
                        long h = oh * SH - PT + kh * DH;
                        if (h < 0 || h >= H) continue;
                        for (kw = 0; kw < KW; kw++) {
                            long wi = ow * SW - PL + kw * DW;
                            if (wi >= 0 && wi < W) v += xc[h * W + wi] * wc[kh * KW + kw];
                        }
                    }
                    EPILOGUE_STORE(`y', `v', `idx')
                }
        }
}
