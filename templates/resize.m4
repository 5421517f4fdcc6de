m4_divert(-1)
# resize.m4 - separable resize: y[o] = sum over the product of per-axis taps
# of x[sum idx_d * XSTRIDES[d]] * prod w_d. Axis d has TAPS[d] taps per
# output index, stored from TOFF[d] in the compile-time tables ix (input
# index; -1: outside tf_crop_and_resize's crop, giving EXTRAPOLATION) and
# w (weight). Parameters: RANK N COMBOS ODIMS XSTRIDES TAPS TOFF EXTRAPOLATION
m4_need(`RANK')m4_need(`N')m4_need(`COMBOS')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, const int32_t *ix, const float *w, float *restrict y)
{
    static const long od[RANK] = ODIMS, xs[RANK] = XSTRIDES, nt[RANK] = TAPS, to[RANK] = TOFF;
    long i, c, base[RANK];
    int d;
    for (i = 0; i < N; i++) {
        long rem = i;
        double acc = 0.0;
        int outside = 0;
        for (d = RANK - 1; d >= 0; d--) {
            base[d] = to[d] + (rem % od[d]) * nt[d];
            rem /= od[d];
            if (ix[base[d]] < 0) outside = 1;
        }
        if (outside) {
            y[i] = EXTRAPOLATION;
            continue;
        }
        for (c = 0; c < COMBOS; c++) {
            long cr = c, off = 0;
            double wt = 1.0;
            for (d = RANK - 1; d >= 0; d--) {
                long t = base[d] + cr % nt[d];
                cr /= nt[d];
                off += ix[t] * xs[d];
                wt *= w[t];
            }
            acc += wt * x[off];
        }
        y[i] = (float)acc;
    }
}
