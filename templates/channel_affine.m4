m4_divert(-1)
# channel_affine.m4 - y = x * scale[c] + shift[c] over [NB, C, INNER]
# (an inference BatchNormalization that could not be folded into a Conv).
m4_need(`C')m4_need(`INNER')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, const float *restrict scale, const float *restrict shift,
                  float *restrict y)
{
    long b, c, i;
    for (b = 0; b < NB; b++)
        for (c = 0; c < C; c++) {
            const float *xc = x + (b * C + c) * (long)INNER;
            float *yc = y + (b * C + c) * (long)INNER;
            for (i = 0; i < INNER; i++) yc[i] = xc[i] * scale[c] + shift[c];
        }
}
