m4_divert(-1)
# maxpool.m4 - 2-D max pooling over [NB, C, H, W]; padding never wins.
# Parameters: NB C H W KH KW SH SW DH DW PT PL OH OW
m4_need(`C')m4_need(`KH')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, float *restrict y)
{
    long p, oh, ow, kh, kw;
    for (p = 0; p < NB * C; p++) {
        const float *xc = x + p * (long)(H * W);
        float *yc = y + p * (long)(OH * OW);
        for (oh = 0; oh < OH; oh++)
            for (ow = 0; ow < OW; ow++) {
                float m = -HUGE_VALF;
                for (kh = 0; kh < KH; kh++) {
                    long h = oh * SH - PT + kh * DH;
                    if (h < 0 || h >= H) continue;
                    for (kw = 0; kw < KW; kw++) {
                        long w = ow * SW - PL + kw * DW;
                        if (w >= 0 && w < W && (xc[h * W + w] > m || xc[h * W + w] != xc[h * W + w]))
                            m = xc[h * W + w];
                    }
                }
                yc[oh * OW + ow] = m;
            }
    }
}
