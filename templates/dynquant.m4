m4_divert(-1)
# dynquant.m4 - DynamicQuantizeLinear over N floats: the range [min(0, min x),
# max(0, max x)] maps to uint8 with scale = range / 255 and zero point
# round(-min / scale) saturated; y = saturate(round(x / scale) + zp).
# Rounding is half to even. An all-zero input gives scale 0 and y = 0.
# ys / yz may be null (outputs not wanted). Parameters: N
m4_need(`N')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, uint8_t *restrict y, float *ys, uint8_t *yz)
{
    float lo = 0.0f, hi = 0.0f, scale, zf;
    long i;
    for (i = 0; i < N; i++) {
        if (x[i] < lo) lo = x[i];
        if (x[i] > hi) hi = x[i];
    }
    scale = (hi - lo) / 255.0f;
    zf = scale > 0.0f ? nearbyintf(0.0f - lo / scale) : 0.0f;
    zf = zf < 0.0f ? 0.0f : zf > 255.0f ? 255.0f : zf;
    for (i = 0; i < N; i++) {
        float v = scale > 0.0f ? nearbyintf(x[i] / scale) + zf : zf;
        y[i] = (uint8_t)(v < 0.0f ? 0.0f : v > 255.0f ? 255.0f : v);
    }
    if (ys) ys[0] = scale;
    if (yz) yz[0] = (uint8_t)zf;
}
