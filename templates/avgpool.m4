m4_divert(-1)
# avgpool.m4 - 2-D average pooling over [NB, C, H, W]. COUNT_PAD = 1 counts
# window positions inside the padded input (count_include_pad), else only
# the real input positions.
# Parameters: NB C H W KH KW SH SW PT PL PB PR OH OW COUNT_PAD
m4_need(`C')m4_need(`COUNT_PAD')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, float *restrict y)
{
    long p, oh, ow, kh, kw;
    for (p = 0; p < NB * C; p++) {
        const float *xc = x + p * (long)(H * W);
        float *yc = y + p * (long)(OH * OW);
        for (oh = 0; oh < OH; oh++)
            for (ow = 0; ow < OW; ow++) {
                float s = 0.0f;
                long n = 0;
                for (kh = 0; kh < KH; kh++) {
                    long h = oh * SH - PT + kh;
                    for (kw = 0; kw < KW; kw++) {
                        long w = ow * SW - PL + kw;
                        if (h >= 0 && h < H && w >= 0 && w < W) {
                            s += xc[h * W + w];
                            n++;
                        } else if (COUNT_PAD && h >= -PT && h < H + PB && w >= -PL && w < W + PR) {
                            n++;
                        }
                    }
                }
                yc[oh * OW + ow] = n ? s / (float)n : 0.0f;
            }
    }
}
