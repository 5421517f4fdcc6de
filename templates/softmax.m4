m4_divert(-1)
# softmax.m4 - softmax along the middle axis of [OUTER, DIM, INNER],
# max-subtracted for range safety. Parameters: OUTER DIM INNER
# The last axis (INNER 1: attention scores, classifier outputs) goes row
# by row through softmax_row.m4 (AVX-512 / AVX2 paths with vmath.m4's
# exp); other axes take the strided scalar loop.
m4_need(`DIM')m4_need(`INNER')
m4_divert(0)m4_dnl
m4_ifelse(INNER, 1, `m4_include(`vmath.m4')m4_include(`softmax_row.m4')SOFTMAX_ROW(KNAME`'_row, DIM)
static void KNAME`'(const float *restrict x, float *restrict y)
{
    long o;
    for (o = 0; o < OUTER; o++) KNAME`'_row(x + o * (long)DIM, y + o * (long)DIM);
}
', `
static void KNAME`'(const float *restrict x, float *restrict y)
{
    long o, i, d;
    for (o = 0; o < OUTER; o++)
        for (i = 0; i < INNER; i++) {
            const float *xr = x + o * (long)(DIM * INNER) + i;
            float *yr = y + o * (long)(DIM * INNER) + i;
            float m = -HUGE_VALF, s = 0.0f;
            for (d = 0; d < DIM; d++)
                if (xr[d * INNER] > m) m = xr[d * INNER];
            for (d = 0; d < DIM; d++) {
                float e = expf(xr[d * INNER] - m);
                yr[d * INNER] = e;
                s += e;
            }
            for (d = 0; d < DIM; d++) yr[d * INNER] /= s;
        }
}
')m4_dnl
