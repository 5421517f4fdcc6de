m4_divert(-1)
# quantize.m4 - QuantizeLinear (MODE q: y = saturate(round_half_even(x / s)
# + zp) to [QMIN, QMAX]) and DequantizeLinear (MODE dq: y = (x - zp) * s)
# over [OUTER, AXIS_DIM, INNER], the scale and zero point indexed by the
# middle axis (AXIS_DIM = 1 for per-tensor). Read at run time.
# Parameters: MODE TX TY TZ OUTER AXIS_DIM INNER HAS_ZP QMIN QMAX
m4_need(`MODE')m4_need(`TX')m4_need(`TY')m4_need(`TZ')
m4_divert(0)m4_dnl
static void KNAME`'(const TX *restrict x, const float *restrict s, const TZ *zp, TY *restrict y)
{
    long o, a, i;
    (void)zp;
    for (o = 0; o < OUTER; o++)
        for (a = 0; a < AXIS_DIM; a++) {
            const float sc = s[a];
            const long z = m4_ifelse(HAS_ZP, 1, `(long)zp[a]', `0');
            for (i = 0; i < INNER; i++) {
                const long idx = (o * AXIS_DIM + a) * (long)INNER + i;
m4_ifelse(MODE, `q', `m4_dnl
                float v = nearbyintf(x[idx] / sc) + (float)z;
                y[idx] = (TY)(v < QMIN ? QMIN : v > QMAX ? QMAX : v);
', `m4_dnl
                y[idx] = (float)((long)x[idx] - z) * sc;
')m4_dnl
            }
        }
}
