m4_divert(-1)
# gridsample.m4 - GridSample over X [NB, C, H, W] at grid [NB, OH, OW, 2]
# (x, y in [-1, 1]), output [NB, C, OH, OW]. MODE bilinear, nearest or
# bicubic; PAD zeros, border or reflection; ALIGN = align_corners. Follows
# the operator's definition, which matches PyTorch's grid_sample:
# unnormalize, then for bilinear/nearest move the coordinate by the padding
# rule; for bicubic apply the rule to each of the 4x4 taps.
# Parameters: NB C H W OH OW MODE PAD ALIGN
m4_need(`MODE')m4_need(`PAD')
m4_divert(0)m4_dnl
static float KNAME`'_unnorm(float v, long size)
{
    return ALIGN ? (v + 1.0f) * 0.5f * (float)(size - 1) : ((v + 1.0f) * (float)size - 1.0f) * 0.5f;
}

m4_ifelse(PAD, `reflection', `/* Reflects v into [lo2 / 2, hi2 / 2] (bounds given doubled, as integers). */
static float KNAME`'_reflect(float v, long lo2, long hi2)
{
    float lo = (float)lo2 * 0.5f, span = (float)(hi2 - lo2) * 0.5f, extra;
    long flips;
    if (lo2 == hi2) return 0.0f;
    v = fabsf(v - lo);
    extra = fmodf(v, span);
    flips = (long)floorf(v / span);
    return flips % 2 == 0 ? extra + lo : span - extra + lo;
}
')m4_dnl
m4_ifelse(MODE`'PAD, `bicubiczeros', `', `static float KNAME`'_pad(float v, long size)
{
m4_ifelse(PAD, `border', `    return fminf((float)(size - 1), fmaxf(v, 0.0f));',
PAD, `reflection', `    v = ALIGN ? KNAME`'_reflect(v, 0, 2 * (size - 1)) : KNAME`'_reflect(v, -1, 2 * size - 1);
    return fminf((float)(size - 1), fmaxf(v, 0.0f));',
`    (void)size;
    return v;')
}
')m4_dnl
/* Pixel (y, x) of one channel plane; 0 outside the image. */
static float KNAME`'_at(const float *plane, long y, long x)
{
    return (y >= 0 && y < H && x >= 0 && x < W) ? plane[y * W + x] : 0.0f;
}

m4_ifelse(MODE, `bicubic', `static void KNAME`'_cubic(float t, float w[4])
{
    const float a = -0.75f;
    float x1 = t + 1.0f, x2 = 1.0f - t, x3 = 2.0f - t;
    w[0] = ((a * x1 - 5.0f * a) * x1 + 8.0f * a) * x1 - 4.0f * a;
    w[1] = ((a + 2.0f) * t - (a + 3.0f)) * t * t + 1.0f;
    w[2] = ((a + 2.0f) * x2 - (a + 3.0f)) * x2 * x2 + 1.0f;
    w[3] = ((a * x3 - 5.0f * a) * x3 + 8.0f * a) * x3 - 4.0f * a;
}

/* A bicubic tap: the padding rule moves the tap itself. */
static float KNAME`'_tap(const float *plane, long y, long x)
{
m4_ifelse(PAD, `zeros', `    return KNAME`'_at(plane, y, x);', `    float fy = KNAME`'_pad((float)y, H), fx = KNAME`'_pad((float)x, W);
    return KNAME`'_at(plane, (long)fy, (long)fx);')
}
')m4_dnl
static void KNAME`'(const float *restrict x, const float *restrict grid, float *restrict y)
{
    long b, c, i, j;
    for (b = 0; b < NB; b++)
        for (i = 0; i < OH; i++)
            for (j = 0; j < OW; j++) {
                const float *g = grid + ((b * OH + i) * (long)OW + j) * 2;
                float gx = KNAME`'_unnorm(g[0], W), gy = KNAME`'_unnorm(g[1], H);
m4_ifelse(MODE, `bicubic', `                float wx[4], wy[4];
                long x0 = (long)floorf(gx), y0 = (long)floorf(gy);
                KNAME`'_cubic(gx - (float)x0, wx);
                KNAME`'_cubic(gy - (float)y0, wy);
                for (c = 0; c < C; c++) {
                    const float *plane = x + (b * C + c) * (long)(H * W);
                    float s = 0.0f;
                    long p, q;
                    for (p = 0; p < 4; p++)
                        for (q = 0; q < 4; q++)
                            s += wy[p] * wx[q] * KNAME`'_tap(plane, y0 - 1 + p, x0 - 1 + q);
                    y[((b * C + c) * OH + i) * (long)OW + j] = s;
                }',
MODE, `nearest', `                long xn, yn;
                gx = KNAME`'_pad(gx, W);
                gy = KNAME`'_pad(gy, H);
                xn = (long)nearbyintf(gx); /* half to even */
                yn = (long)nearbyintf(gy);
                for (c = 0; c < C; c++)
                    y[((b * C + c) * OH + i) * (long)OW + j] = KNAME`'_at(x + (b * C + c) * (long)(H * W), yn, xn);',
`                long x0, y0;
                float tx, ty;
                gx = KNAME`'_pad(gx, W);
                gy = KNAME`'_pad(gy, H);
                x0 = (long)floorf(gx);
                y0 = (long)floorf(gy);
                tx = gx - (float)x0;
                ty = gy - (float)y0;
                for (c = 0; c < C; c++) {
                    const float *plane = x + (b * C + c) * (long)(H * W);
                    y[((b * C + c) * OH + i) * (long)OW + j] =
                        (1.0f - ty) * ((1.0f - tx) * KNAME`'_at(plane, y0, x0) + tx * KNAME`'_at(plane, y0, x0 + 1)) +
                        ty * ((1.0f - tx) * KNAME`'_at(plane, y0 + 1, x0) + tx * KNAME`'_at(plane, y0 + 1, x0 + 1));
                }')
            }
}
